//! The main page: filters, the map, the ranked list and the establishment card.

use ancrage_published::{ListFilter, SORTS};
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::{get_filter_options, list_establishments, map_points};
use crate::components::card::Card;
use crate::components::list::EstablishmentList;
use crate::components::map::Map;

/// The counselor's usual question: the two best bands together.
const WELCOMING: &str = "engagee,accueillante";

/// Read the filters from the URL (the URL is the state: shareable, back/forward work).
pub fn filter_from_query(q: &leptos_router::params::ParamsMap) -> ListFilter {
    let opt = |k: &str| q.get(k).filter(|v| !v.is_empty());
    ListFilter {
        basin: opt("bassin"),
        section: opt("section"),
        band: opt("categorie"),
        sort: opt("tri"),
        // 1-based in the URL; anything unreadable means the first page.
        page: q
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
            .saturating_sub(1),
        per_page: 0,
    }
}

#[component]
pub fn CartePage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(filter_from_query));
    let map_filter = Memo::new(move |_| ListFilter {
        page: 0,
        sort: None,
        ..filter.get()
    });
    let list = Resource::new(move || filter.get(), list_establishments);
    let points = Resource::new(move || map_filter.get(), map_points);
    let options = Resource::new(move || map_filter.get(), get_filter_options);
    let selected = Memo::new(move |_| query.with(|q| q.get("etab")));

    view! {
        <h1 class="visually-hidden">"Carte des employeurs qui embauchent et gardent leurs salariés"</h1>
        <div class="layout">
            <section class="filters" aria-label="Filtres">
                <Transition fallback=|| view! { <p>"Chargement des filtres…"</p> }>
                    {move || Suspend::new(async move {
                        let opts = options.await.unwrap_or_default();
                        let f = filter.get_untracked();
                        let pick = |opts: &[ancrage_published::FilterOption], code: &Option<String>, all: &str| {
                            code.as_ref()
                                .and_then(|c| opts.iter().find(|o| &o.code == c))
                                .map(|o| o.label.clone())
                                .unwrap_or_else(|| all.to_string())
                        };
                        let welcoming_count: i64 = opts
                            .bands
                            .iter()
                            .filter(|o| o.code == "engagee" || o.code == "accueillante")
                            .map(|o| o.count)
                            .sum();
                        let band_text = if f.band.as_deref() == Some(WELCOMING) {
                            "engagées ou accueillantes".to_string()
                        } else {
                            pick(&opts.bands, &f.band, "toutes")
                        };
                        let summary = format!(
                            "Bassin : {} · Secteur : {} · Catégorie : {}",
                            pick(&opts.basins, &f.basin, "tous"),
                            pick(&opts.sections, &f.section, "tous"),
                            band_text,
                        );
                        view! {
                            <Form method="GET" action="">
                                <label>"Bassin"
                                    <select name="bassin">
                                        <option value="">"Tous les bassins"</option>
                                        {opts.basins.into_iter().map(|o| {
                                            let sel = f.basin.as_deref() == Some(o.code.as_str());
                                            view! { <option value=o.code.clone() selected=sel>{format!("{} ({})", o.label, o.count)}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label>"Secteur"
                                    <select name="section">
                                        <option value="">"Tous les secteurs"</option>
                                        {opts.sections.into_iter().map(|o| {
                                            let sel = f.section.as_deref() == Some(o.code.as_str());
                                            view! { <option value=o.code.clone() selected=sel>{format!("{} ({})", o.label, o.count)}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label>"Catégorie"
                                    <select name="categorie">
                                        <option value="">"Toutes"</option>
                                        <option value=WELCOMING selected=f.band.as_deref() == Some(WELCOMING)>
                                            {format!("Engagées ou accueillantes ({})", welcoming_count)}
                                        </option>
                                        {opts.bands.into_iter().map(|o| {
                                            let sel = f.band.as_deref() == Some(o.code.as_str());
                                            view! { <option value=o.code.clone() selected=sel>{format!("{} ({})", o.label, o.count)}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label>"Tri"
                                    <select name="tri">
                                        {SORTS.iter().map(|(code, label)| {
                                            let sel = f.sort.as_deref().unwrap_or("score") == *code;
                                            view! { <option value=*code selected=sel>{*label}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <button type="submit">"Filtrer"</button>
                            </Form>
                            <p class="print-summary">{format!("Ancrage — employeurs qui embauchent et gardent. {summary}.")}</p>
                        }
                    })}
                </Transition>
            </section>
            <section class="map-pane" aria-label="Carte des établissements">
                <Map points=points selected=selected/>
                <Legend/>
            </section>
            <section class="list-pane" id="liste" tabindex="-1" aria-label="Liste des établissements">
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
        <ul class="legend" aria-label="Légende des couleurs">
            {ancrage_published::BANDS.iter().map(|(code, label)| view! {
                <li>
                    <span class="swatch" style=format!("background:{}", ancrage_published::band_colour(code))></span>
                    {*label}
                </li>
            }).collect_view()}
        </ul>
    }
}
