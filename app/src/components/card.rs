//! The establishment card: identity, score and each component against peers.

use ancrage_published::{band_colour, band_label, ComponentView, EstablishmentDetail};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::format::{pct, query_with, score};
use super::list::error_text;
use crate::api::get_establishment;

#[component]
pub fn Card(siret: String) -> impl IntoView {
    let query = use_query_map();
    let detail = Resource::new(move || siret.clone(), get_establishment);
    let close = move || query.with(|q| query_with(q, &[("etab", None)]));
    view! {
        <aside class="card" id="fiche" aria-label="Fiche établissement">
            <A href=close attr:class="close">"Fermer la fiche ✕"</A>
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
    view! {
        <h2 id="fiche-titre">{s.display_name()}</h2>
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
        <dl class="facts">
            <dt>"Embauches (personnes)"</dt><dd>{s.hires}</dd>
            <dt>"dont femmes"</dt><dd>{pct(s.women_share)}</dd>
            <dt>"en CDI"</dt><dd>{pct(s.cdi_share)}</dd>
            <dt>"Effectif en fin de période"</dt><dd>{s.headcount}</dd>
        </dl>
        {(!d.components.is_empty()).then(|| view! {
            <table class="components">
                <caption>{format!("Composantes comparées aux pairs ({})", d.peer_group.clone().unwrap_or_default())}</caption>
                <thead><tr><th scope="col">"Composante"</th><th scope="col">"Ici"</th><th scope="col">"Médiane des pairs"</th><th scope="col">"Position"</th></tr></thead>
                <tbody>{d.components.into_iter().map(component_row).collect_view()}</tbody>
            </table>
        })}
    }
}

fn component_row(c: ComponentView) -> impl IntoView {
    let is_rate = c.value.is_none_or(|v| v <= 1.0) && c.peer_median.is_none_or(|v| v <= 1.0);
    let fmt = move |v: Option<f64>| {
        if is_rate {
            pct(v)
        } else {
            v.map(|x| format!("{x:.0} j")).unwrap_or("—".into())
        }
    };
    view! {
        <tr>
            <th scope="row">{c.label}</th>
            <td>{c.note.clone().unwrap_or_else(|| fmt(c.value))}</td>
            <td>{fmt(c.peer_median)}</td>
            <td>{c.position.map(|p| format!("{p:.0}/100")).unwrap_or("—".into())}</td>
        </tr>
    }
}
