//! The establishment card: identity, score, why this category, and each
//! component against peers.

use ancrage_published::{
    band_colour, band_label, ComponentView, DimensionView, EstablishmentDetail, YearFigures,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::format::{count, pct, query_with, score};
use super::list::error_text;
use super::selection::SelectToggle;
use crate::api::get_establishment;
use crate::pages::carte::applied_params;

#[component]
pub fn Card(siret: String) -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    // When the card closes, the focus goes back to the establishment's row.
    #[cfg(any(feature = "hydrate", feature = "csr"))]
    {
        let row = format!("tr[data-siret=\"{siret}\"] a.etab-link");
        on_cleanup(move || {
            request_animation_frame(move || {
                let doc = document();
                let lost = doc
                    .active_element()
                    .is_none_or(|a| doc.body().is_some_and(|b| b.is_same_node(Some(&a))));
                if let (true, Ok(Some(el))) = (lost, doc.query_selector(&row)) {
                    if let Some(el) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&el) {
                        let _ = el.focus();
                    }
                }
            });
        });
    }
    let detail = Resource::new(move || siret.clone(), get_establishment);
    let close = move || query.with(|q| query_with(&applied_params(q), &[("etab", None)]));
    // Printing with a card open prints the card alone (style/main.css, print).
    let print = move |_| {
        #[cfg(any(feature = "hydrate", feature = "csr"))]
        let _ = window().print();
    };
    // Escape closes the card, as a dialog would.
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            navigate(
                &close(),
                leptos_router::NavigateOptions {
                    scroll: false,
                    ..Default::default()
                },
            );
        }
    };
    view! {
        <aside class="card" id="fiche" aria-labelledby="fiche-titre" on:keydown=on_key>
            <div class="card-tools">
                <a href=close class="close" data-noscroll=true>"Fermer la fiche ✕"</a>
                <button type="button" class="print-card" on:click=print>"Imprimer la fiche"</button>
            </div>
            <Suspense fallback=|| view! { <p>"Chargement de la fiche…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Err(e) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                        Ok(None) => view! { <p class="error" role="alert">"Cet établissement n'est pas publié."</p> }.into_any(),
                        Ok(Some(d)) => view! { <CardBody d=d/> }.into_any(),
                    }
                })}
            </Suspense>
        </aside>
    }
}

#[component]
fn CardBody(d: EstablishmentDetail) -> impl IntoView {
    let s = d.summary.clone();
    let place = match (&s.postcode, &s.commune_name) {
        (Some(p), Some(c)) => format!("{p} {c}"),
        (None, Some(c)) => c.clone(),
        (Some(p), None) => p.clone(),
        (None, None) => "Commune non localisée".to_string(),
    };
    let period = match (&d.first_month, &d.last_month) {
        (Some(a), Some(b)) => format!("Déclarations de {a} à {b}"),
        _ => String::new(),
    };
    // The page's title names the open card (pages/carte.rs).
    if let Some(t) = use_context::<crate::pages::carte::PageTitle>() {
        t.card.set(Some(s.display_name()));
        on_cleanup(move || t.card.set(None));
    }
    let title = NodeRef::<leptos::html::H2>::new();
    // Move the focus to the card when it opens (keyboard and screen-reader users).
    // (Next frame: the node must be in the document to take the focus.)
    Effect::new(move |_| {
        if title.get().is_some() {
            request_animation_frame(move || {
                if let Some(h) = title.get_untracked() {
                    let _ = h.focus();
                }
            });
        }
    });
    view! {
        <h2 id="fiche-titre" tabindex="-1" node_ref=title>{s.display_name()}</h2>
        <SelectToggle siret=s.siret.clone() name=s.display_name()/>
        <p class="ident">"SIRET " <span class="siret">{s.siret.clone()}</span></p>
        {s.address.clone().map(|a| view! { <p class="address">{a}</p> })}
        <p>{place}</p>
        <p>{s.naf_label.clone().or(s.naf.clone()).unwrap_or_default()}</p>
        <p class="period">{period}</p>
        <div class="score-box" style=format!("border-color:{}", band_colour(&s.band))>
            <span class="score-value">{score(s.score)}</span>
            <span class="score-unit">{if s.score.is_some() { "/100" } else { "" }}</span>
            <span class=format!("band band-{}", s.band)>{band_label(&s.band).to_string()}</span>
        </div>
        {s.score.is_none().then(|| view! {
            <p class="explain">"Score non calculable : il faut au moins 5 personnes embauchées sur la période et au moins deux dimensions mesurables. Nous préférons ne rien afficher plutôt qu'un chiffre fragile."</p>
        })}
        {s.score.is_some().then(|| view! { <p class="explain">{band_reason(&s.band, &d.dimensions)}</p> })}
        {(!d.dimensions.is_empty()).then(|| view! {
            <ul class="dimensions" aria-label="Dimensions du score">
                {d.dimensions.iter().map(|dim| view! {
                    <li>
                        <span class="dim-label">{format!("{} ({:.0} %)", dim.label, dim.weight * 100.0)}</span>
                        <span class="dim-score">{dim.score.map(|x| format!("{x:.0}/100")).unwrap_or("non mesurable".into())}</span>
                    </li>
                }).collect_view()}
            </ul>
        })}
        <Drivers calculable=s.score.is_some() strengths=d.strengths().iter().map(|c| c.label.clone()).collect() weaknesses=d.weaknesses().iter().map(|c| c.label.clone()).collect()/>
        <dl class="facts">
            <dt>"Embauches (personnes)"</dt><dd>{count(s.hires)}</dd>
            <dt>"dont femmes"</dt><dd>{pct(s.women_share)}</dd>
            <dt>"en CDI"</dt><dd>{pct(s.cdi_share)}</dd>
            <dt>"Effectif en fin de période"</dt><dd>{count(s.headcount)}</dd>
        </dl>
        <YearTrend years=d.by_year.clone()/>
        {(!d.components.is_empty()).then(|| view! {
            <table class="components">
                <caption>"Comparaison avec des employeurs semblables"
                    <span class="peers">{format!(" (même secteur et taille : {})", d.peer_group.clone().unwrap_or_default())}</span>
                </caption>
                <colgroup><col class="c-label"/><col/><col/><col/></colgroup>
                <thead><tr><th scope="col">"Composante"</th><th scope="col">"Ici"</th><th scope="col">"Médiane des pairs"</th><th scope="col">"Position"</th></tr></thead>
                <tbody>{d.components.into_iter().map(component_row).collect_view()}</tbody>
            </table>
            <p class="note">"« Ici » est la valeur observée. La position (0 à 100, 100 = le mieux placé) compare la valeur lissée vers les pairs, pour qu'un petit nombre d'embauches ne donne ni un excellent ni un mauvais classement par hasard. Les parts d'embauches sans expérience, après une longue interruption ou un long arrêt ne portent que sur les embauches pour lesquelles l'historique est assez long pour le savoir."</p>
        })}
    }
}

/// What lifts the score and what holds it back (top and bottom quarter of the
/// peers); without a score, the same components are only strengths and
/// weaknesses against similar employers.
#[component]
fn Drivers(calculable: bool, strengths: Vec<String>, weaknesses: Vec<String>) -> impl IntoView {
    let empty = strengths.is_empty() && weaknesses.is_empty();
    let (up, down) = if calculable {
        (
            "Ce qui tire le score vers le haut",
            "Ce qui le tire vers le bas",
        )
    } else {
        (
            "Points forts par rapport aux employeurs semblables",
            "Points faibles par rapport aux employeurs semblables",
        )
    };
    view! {
        <div class="drivers">
            {(!strengths.is_empty()).then(|| view! {
                <h3>{up}</h3>
                <ul class="strengths">{strengths.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            })}
            {(!weaknesses.is_empty()).then(|| view! {
                <h3>{down}</h3>
                <ul class="weaknesses">{weaknesses.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            })}
            {empty.then(|| view! { <p class="note">"Aucune composante ne se détache nettement des employeurs semblables (ni dans le meilleur quart, ni dans le moins bon)."</p> })}
        </div>
    }
}

/// Hires by calendar year with their CDI share (secrecy applied at publish:
/// a hidden year is "non diffusable").
#[component]
fn YearTrend(years: Vec<YearFigures>) -> impl IntoView {
    let hidden = years.iter().any(|y| y.hires.is_none());
    (!years.is_empty()).then(|| {
        view! {
            <table class="years">
                <caption>"Embauches par année"</caption>
                <thead><tr>
                    <th scope="col">"Année"</th>
                    <th scope="col">"Personnes embauchées"</th>
                    <th scope="col">"dont en CDI"</th>
                </tr></thead>
                <tbody>
                    {years.into_iter().map(|y| {
                        let (n, cdi) = match y.hires {
                            Some(n) => (n.to_string(), pct(y.cdi_share)),
                            None => ("non diffusable".to_string(), "—".to_string()),
                        };
                        view! { <tr><th scope="row">{y.year}</th><td>{n}</td><td>{cdi}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
            {hidden.then(|| view! {
                <p class="note">"« non diffusable » : moins de 5 embauches cette année-là, ou année masquée avec une autre pour qu'elle ne se déduise pas du total (secret statistique). La première et la dernière année peuvent être incomplètes (voir la période des déclarations)."</p>
            })}
        }
    })
}

/// Why this band, in plain French, from the published rules (docs/methode.md §5.5).
fn band_reason(band: &str, dims: &[DimensionView]) -> String {
    let dim = |k: &str| dims.iter().find(|d| d.key == k).and_then(|d| d.score);
    match band {
        "engagee" => "Engagée : score d'au moins 65 sur 100 et aucune dimension mesurable sous 40.".into(),
        "accueillante" => format!(
            "Accueillante : score d'au moins 45 et ouverture d'au moins 60 (ici {}).",
            dim("ouverture").map(|x| format!("{x:.0}")).unwrap_or("—".into())
        ),
        "en_progres" => "En progrès : score d'au moins 40, sans remplir les conditions des catégories supérieures.".into(),
        "peu_engagee" => "Peu engagée : score inférieur à 40 par rapport aux employeurs semblables.".into(),
        _ => String::new(),
    }
}

/// A component's value in its own unit.
fn format_value(key: &str, v: Option<f64>) -> String {
    match (key, v) {
        (_, None) => "—".into(),
        ("cdd_duration", Some(x)) => format!("{x:.0} j"),
        ("accidents", Some(x)) => format!("{x:.0} ‰"),
        ("cdi_turnover", Some(x)) => format!("{x:.1} %"),
        (_, Some(x)) => pct(Some(x)),
    }
}

fn component_row(c: ComponentView) -> impl IntoView {
    let key = c.key.clone();
    // The unit, once: only when the published label does not already say it
    // (score.toml's labels of the rates carry their unit in parentheses).
    let unit_note = match key.as_str() {
        "accidents" => Some(" (pour 1 000 années-salarié ; moins = mieux)"),
        "cdi_turnover" => Some(" (pour 100 années-salarié en CDI ; moins = mieux)"),
        "cdd_duration" => Some(" (en jours)"),
        _ => None,
    }
    .filter(|_| !c.label.contains('('));
    view! {
        <tr>
            <th scope="row">{c.label}{unit_note}</th>
            <td class="num">{c.note.clone().unwrap_or_else(|| format_value(&key, c.value))}</td>
            <td class="num">{format_value(&key, c.peer_median)}</td>
            <td class="num">{c.position.map(|p| format!("{p:.0}/100")).unwrap_or("—".into())}</td>
        </tr>
    }
}
