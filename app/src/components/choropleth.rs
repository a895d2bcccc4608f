//! The legend of the basins' colours and the choice of what they show.

use ancrage_published::{BasinSummary, Choropleth, BASIN_METRICS, NO_DATA_COLOUR};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::format::query_with;

/// Metric shown by the basins (`couleur` in the URL), `score` by default.
pub fn metric_from(q: &leptos_router::params::ParamsMap) -> String {
    q.get("couleur")
        .filter(|m| BASIN_METRICS.iter().any(|(c, _)| c == m))
        .unwrap_or_else(|| "score".to_string())
}

#[component]
pub fn BasinLegend(
    basins: LocalResource<Result<Vec<BasinSummary>, ServerFnError>>,
    /// (metric, NAF section) the colours are computed for.
    colouring: Memo<(String, Option<String>, Option<String>)>,
) -> impl IntoView {
    let query = use_query_map();
    view! {
        <div class="basin-legend">
            <nav class="metric-switch" aria-label="Couleur des bassins">
                <span>"Bassins colorés selon : "</span>
                {BASIN_METRICS.iter().map(|(code, label)| {
                    let href = move || query.with(|q| query_with(q, &[("couleur", Some(code))]));
                    let current = move || colouring.with(|c| c.0 == *code).then_some("true");
                    view! { <a href=href aria-current=current data-noscroll=true>{*label}</a> }
                }).collect_view()}
            </nav>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = basins.await.unwrap_or_default();
                    let (metric, section, _) = colouring.get();
                    let ch = Choropleth::new(&list, &metric, section.as_deref());
                    let scope = if section.is_some() { " (secteur choisi)" } else { "" };
                    view! {
                        <ul class="legend choropleth" aria-label=format!("Légende des bassins{scope}")>
                            {ch.legend().into_iter().map(|(colour, text)| view! {
                                <li><span class="swatch square" style=format!("background:{colour}")></span>{text}</li>
                            }).collect_view()}
                            <li><span class="swatch square" style=format!("background:{NO_DATA_COLOUR}")></span>"non diffusable ou sans établissement"</li>
                        </ul>
                    }
                })}
            </Transition>
        </div>
    }
}
