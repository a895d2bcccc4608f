//! The main page: filters, the map, the ranked list, the counselor's
//! selection and the establishment card.

use ancrage_published::{ListFilter, FILTER_PARAMS};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use crate::api::{get_basins, get_filter_options, list_establishments, map_points};
use crate::components::card::Card;
use crate::components::choropleth::{metric_from, BasinLegend};
use crate::components::filters::FilterForm;
use crate::components::list::EstablishmentList;
use crate::components::map::Map;
use crate::components::selection::SelectionPanel;

/// Whether the URL value `v` of filter parameter `k` is valid on its own.
fn valid_param(k: &str, v: &str) -> bool {
    ListFilter::from_params(|p| (p == k).then(|| v.to_string())).is_ok()
}

/// The URL's parameters without the filters the page ignored (invalid values):
/// links built from the current filters (CSV export, print, pages, sorting,
/// selection) must carry only what the page actually applied, or the export
/// would answer 400 to a filter the list did not use.
pub fn applied_params(q: &ParamsMap) -> ParamsMap {
    let mut out = q.clone();
    for k in FILTER_PARAMS {
        if q.get_str(k).is_some_and(|v| !valid_param(k, v)) {
            out.remove(k);
        }
    }
    out
}

/// Read the filters from the URL (the URL is the state: shareable, back/forward
/// work). An invalid value is dropped with the reason, in French, so the page
/// still shows something useful.
pub fn filter_from_query(q: &ParamsMap) -> (ListFilter, Option<String>) {
    let (mut f, error) = match ListFilter::from_params(|k| q.get(k)) {
        Ok(f) => (f, None),
        Err(e) => {
            // Keep every valid parameter: drop the invalid ones one by one.
            let applied = applied_params(q);
            (
                ListFilter::from_params(|k| applied.get(k)).unwrap_or_default(),
                Some(e),
            )
        }
    };
    // 1-based in the URL; anything unreadable means the first page.
    f.page = q
        .get("page")
        .and_then(|p| p.parse::<u32>().ok())
        .unwrap_or(1)
        .saturating_sub(1);
    (f, error)
}

/// What the map page's title names besides the page: the chosen basin (set
/// by the filter form, which knows its label) and the open card (set by the
/// card, which knows the establishment's name).
#[derive(Clone, Copy)]
pub struct PageTitle {
    pub basin: RwSignal<Option<String>>,
    pub card: RwSignal<Option<String>>,
}

/// The map page's title: the open card first, else the basin.
fn carte_title(basin: Option<String>, card: Option<String>) -> String {
    match (card, basin) {
        (Some(name), _) => format!("{name} — Fiche établissement — Ancrage"),
        (None, Some(b)) => format!("Bassin {b} — Carte des employeurs — Ancrage"),
        (None, None) => "Carte des employeurs qui embauchent et gardent — Ancrage".to_string(),
    }
}

#[component]
pub fn CartePage() -> impl IntoView {
    let titles = PageTitle {
        basin: RwSignal::new(None),
        card: RwSignal::new(None),
    };
    provide_context(titles);
    let query = use_query_map();
    let parsed = Memo::new(move |_| query.with(filter_from_query));
    let filter = Memo::new(move |_| parsed.get().0);
    let filter_error = Memo::new(move |_| parsed.get().1);
    let map_filter = Memo::new(move |_| ListFilter {
        page: 0,
        sort: None,
        ..filter.get()
    });
    let list = Resource::new(move || filter.get(), list_establishments);
    // Markers are fetched by the browser only: embedding tens of thousands of
    // points in the server-rendered page would make it megabytes long.
    let points = LocalResource::new(move || map_points(map_filter.get()));
    let options = Resource::new(move || map_filter.get(), get_filter_options);
    let selected = Memo::new(move |_| query.with(|q| q.get("etab")));
    // Basin colours: metric from the URL, for the chosen sector if any.
    // Browser only too: every basin's summary with its sectors is large.
    let basins = LocalResource::new(get_basins);
    let colouring = Memo::new(move |_| {
        let f = filter.get();
        (query.with(metric_from), f.section, f.basin)
    });

    // Erased types: keeps the page's view type (and compile times) small.
    let side = view! {
            <aside class="sidebar" aria-label="Filtres et sélection">
                <section class="filters" aria-label="Filtres">
                    <h2>"Filtres"</h2>
                    <FilterForm options=options filter=filter/>
                </section>
                <SelectionPanel/>
            </aside>
    }
    .into_any();
    let map_pane = view! {
            <section class="map-pane" aria-label="Carte des établissements">
                <Map points=points selected=selected basins=basins colouring=colouring/>
                <Legend/>
                <BasinLegend basins=basins colouring=colouring/>
            </section>
    }
    .into_any();
    view! {
        <Title text=move || carte_title(titles.basin.get(), titles.card.get())/>
        <h1 class="visually-hidden">"Carte des employeurs qui embauchent et gardent leurs salariés"</h1>
        <div class="layout">
            {side}
            {map_pane}
            <section class="list-pane" id="liste" tabindex="-1" aria-label="Liste des établissements">
                {move || filter_error.get().map(|e| view! {
                    <p class="error" role="alert">{format!("Filtre ignoré : {e}")}</p>
                })}
                <EstablishmentList list=list/>
            </section>
            {move || selected.get().map(|siret| view! { <Card siret=siret/> })}
        </div>
    }
}

/// Colours of the score bands.
#[component]
fn Legend() -> impl IntoView {
    view! {
        <ul class="legend" aria-label="Légende des établissements (couleur du score)">
            {ancrage_published::BANDS.iter().map(|(code, label)| view! {
                <li>
                    <span class="swatch" style=format!("background:{}", ancrage_published::band_colour(code))></span>
                    {*label}
                </li>
            }).collect_view()}
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_filters_are_left_out_of_the_applied_parameters() {
        let mut q = ParamsMap::new();
        q.insert("categorie", "engagees".to_string());
        q.insert("cdi_min", "200".to_string());
        q.insert("bassin", "691".to_string());
        q.insert("sel", "12345678900012".to_string());
        let applied = applied_params(&q);
        assert_eq!(applied.get("categorie"), None);
        assert_eq!(applied.get("cdi_min"), None);
        assert_eq!(applied.get("bassin").as_deref(), Some("691"));
        assert_eq!(applied.get("sel").as_deref(), Some("12345678900012"));
        let (f, error) = filter_from_query(&q);
        assert_eq!(f.basin.as_deref(), Some("691"));
        assert_eq!((f.band, f.cdi_min), (None, None));
        assert!(error.is_some());
    }
}
