//! The filter form of the map page. It is a plain GET form: the URL holds the
//! state (shareable, back/forward work, usable without JavaScript).

use ancrage_published::{FilterOption, FilterOptions, ListFilter, PROFILES, SORTS};
use leptos::prelude::*;
use leptos_router::components::Form;

use super::search::PlaceSearch;

/// The counselor's usual question: the two best bands together.
pub const WELCOMING: &str = "engagee,accueillante";

/// Minimum CDI shares offered (percent).
const CDI_STEPS: [u32; 4] = [25, 50, 75, 90];

/// One `<select>` over `options`, with an "all" entry first.
fn select(
    name: &'static str,
    all: &'static str,
    options: Vec<FilterOption>,
    current: Option<String>,
) -> impl IntoView {
    view! {
        <select name=name>
            <option value="">{all}</option>
            {options.into_iter().map(|o| {
                let sel = current.as_deref() == Some(o.code.as_str());
                view! { <option value=o.code.clone() selected=sel prop:selected=sel>{format!("{} ({})", o.label, o.count)}</option> }
            }).collect_view()}
        </select>
    }
}

/// Label of the current value of a filter, for the printed summary.
fn pick(opts: &[FilterOption], code: &Option<String>, all: &str) -> String {
    code.as_ref()
        .and_then(|c| opts.iter().find(|o| &o.code == c))
        .map(|o| o.label.clone())
        .unwrap_or_else(|| all.to_string())
}

/// One line saying which filters are on (shown on paper and to screen readers).
pub fn filter_summary(opts: &FilterOptions, f: &ListFilter) -> String {
    let band_text = if f.band.as_deref() == Some(WELCOMING) {
        "engagées ou accueillantes".to_string()
    } else {
        pick(&opts.bands, &f.band, "toutes")
    };
    let mut parts = vec![
        format!("Bassin : {}", pick(&opts.basins, &f.basin, "tous")),
        format!("Secteur : {}", pick(&opts.sections, &f.section, "tous")),
    ];
    if f.division.is_some() {
        parts.push(format!(
            "Activité : {}",
            pick(&opts.divisions, &f.division, "toutes")
        ));
    }
    if f.departement.is_some() {
        parts.push(format!(
            "Département : {}",
            pick(&opts.departements, &f.departement, "tous")
        ));
    }
    if f.size.is_some() {
        parts.push(format!("Taille : {}", pick(&opts.sizes, &f.size, "toutes")));
    }
    parts.push(format!("Catégorie : {band_text}"));
    if let Some((_, label, _)) = PROFILES
        .iter()
        .find(|(c, ..)| Some(*c) == f.profile.as_deref())
    {
        parts.push(format!("Profil : {label}"));
    }
    if let Some(m) = f.cdi_min.filter(|m| *m > 0) {
        parts.push(format!("CDI : au moins {m} %"));
    }
    if f.bbox.is_some() {
        parts.push("Zone : partie de carte choisie".into());
    }
    parts.join(" · ")
}

#[component]
pub fn FilterForm(
    options: Resource<Result<FilterOptions, ServerFnError>>,
    filter: Memo<ListFilter>,
) -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    view! {
        <PlaceSearch/>
        <Transition fallback=|| view! { <p>"Chargement des filtres…"</p> }>
            {move || Suspend::new(async move {
                // Tracked: back/forward re-renders the form with the URL's values.
                let f = filter.get();
                let opts = options.await.unwrap_or_default();
                let sel = query.with_untracked(|q| q.get("sel")).filter(|s| !s.is_empty());
                let reset_href = match &sel {
                    Some(s) => format!("/?sel={s}"),
                    None => "/".to_string(),
                };
                let summary = filter_summary(&opts, &f);
                if let Some(t) = use_context::<crate::pages::carte::PageTitle>() {
                    let basin = f.basin.as_ref().map(|_| pick(&opts.basins, &f.basin, ""));
                    t.basin.set(basin.filter(|b| !b.is_empty()));
                }
                let welcoming_count: i64 = opts
                    .bands
                    .iter()
                    .filter(|o| o.code == "engagee" || o.code == "accueillante")
                    .map(|o| o.count)
                    .sum();
                let cdi = f.cdi_min.unwrap_or(0);
                view! {
                    <Form method="GET" action="">
                        // The map extent and the selection survive a new filter.
                        {f.bbox.clone().map(|z| view! { <input type="hidden" name="zone" value=z/> })}
                        {sel.map(|s| view! { <input type="hidden" name="sel" value=s/> })}
                        <label>"Bassin" {select("bassin", "Tous les bassins", opts.basins.clone(), f.basin.clone())}</label>
                        <label>"Département" {select("departement", "Tous", opts.departements.clone(), f.departement.clone())}</label>
                        <label>"Secteur" {select("section", "Tous les secteurs", opts.sections.clone(), f.section.clone())}</label>
                        <label>"Activité (division NAF)" {select("division", "Toutes", opts.divisions.clone(), f.division.clone())}</label>
                        <label>"Taille" {select("taille", "Toutes", opts.sizes.clone(), f.size.clone())}</label>
                        <label>"Catégorie"
                            <select name="categorie">
                                <option value="">"Toutes"</option>
                                <option value=WELCOMING selected=f.band.as_deref() == Some(WELCOMING) prop:selected=f.band.as_deref() == Some(WELCOMING)>
                                    {format!("Engagées ou accueillantes ({welcoming_count})")}
                                </option>
                                {opts.bands.iter().map(|o| {
                                    let sel = f.band.as_deref() == Some(o.code.as_str());
                                    view! { <option value=o.code.clone() selected=sel prop:selected=sel>{format!("{} ({})", o.label, o.count)}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label>"Profil recherché"
                            <select name="profil" aria-describedby="profil-aide">
                                <option value="">"Aucun en particulier"</option>
                                {PROFILES.iter().map(|(code, label, _)| {
                                    let sel = f.profile.as_deref() == Some(*code);
                                    view! { <option value=*code selected=sel prop:selected=sel>{*label}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <p id="profil-aide" class="hint">"Classe d'abord les employeurs qui embauchent le plus ce public, par rapport à leurs pairs."</p>
                        <label>"Part de CDI à l'embauche"
                            <select name="cdi_min">
                                <option value="">"Indifférente"</option>
                                {CDI_STEPS.iter().map(|m| view! {
                                    <option value=m.to_string() selected=cdi == *m prop:selected=cdi == *m>{format!("Au moins {m} %")}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label>"Tri"
                            <select name="tri">
                                {SORTS.iter().map(|(code, label)| {
                                    let current = f.sort.as_deref().unwrap_or(if f.profile.is_some() { "" } else { "categorie" });
                                    view! { <option value=*code selected=current == *code prop:selected=current == *code>{*label}</option> }
                                }).collect_view()}
                                {f.profile.is_some().then(|| view! {
                                    <option value="" selected=f.sort.is_none() prop:selected=f.sort.is_none()>"Selon le profil recherché"</option>
                                })}
                            </select>
                        </label>
                        <button type="submit">"Filtrer"</button>
                        // The selection is not a filter: it survives.
                        <a class="reset" href=reset_href>"Effacer les filtres"</a>
                    </Form>
                    <p class="print-summary" id="filtres-actifs">{format!("Ancrage — employeurs qui embauchent et gardent. {summary}.")}</p>
                }
            })}
        </Transition>
    }
}
