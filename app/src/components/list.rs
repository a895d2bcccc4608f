//! The ranked list beside the map: the accessible alternative to the map.

use ancrage_published::{band_label, ListPage};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::format::{count, pct, query_with, score};
use super::selection::SelectToggle;
use crate::pages::carte::applied_params;

#[component]
pub fn EstablishmentList(list: Resource<Result<ListPage, ServerFnError>>) -> impl IntoView {
    let query = use_query_map();
    view! {
        <Transition fallback=|| view! { <p>"Chargement de la liste…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(page) => {
                        // Links carry only the filters the page applied (not the ignored ones).
                        let q = applied_params(&query.get_untracked());
                        // Pages are numbered from 1 in the URL.
                        let current: i64 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
                        let shown = page.items.len() as i64;
                        let total = page.total;
                        let size = 50;
                        let first = (current - 1) * size + 1;
                        let last = (current - 1) * size + shown;
                        let range = if shown == 0 { String::new() } else { format!(" — {first} à {last}") };
                        let prev = (current > 1).then(|| {
                            let target = (current - 1).min(((total + size - 1) / size).max(1));
                            query_with(&q, &[("page", Some(&target.to_string()))])
                        });
                        let next = (last < total && shown > 0).then(|| query_with(&q, &[("page", Some(&(current + 1).to_string()))]));
                        let empty = (shown == 0).then_some(if total == 0 {
                            "Aucun établissement ne correspond à ces filtres. Élargissez la recherche : autre secteur, toutes catégories ou bassin voisin."
                        } else {
                            "Cette page est au-delà de la fin de la liste."
                        });
                        view! {
                            <p class="count" id="list-count" aria-live="polite">
                                {format!("{total} établissement{}{range}", if total > 1 { "s" } else { "" })}
                            </p>
                            {empty.map(|m| view! { <p class="empty" role="status">{m}</p> })}
                            <table class="ranked">
                                <caption class="visually-hidden">"Établissements classés selon les filtres"</caption>
                                <thead>
                                    <tr>
                                        {sort_head(&q, "Établissement", "name")}
                                        {sort_head(&q, "Score", "score")}
                                        {sort_head(&q, "Embauches", "hires")}
                                        <th scope="col">"Femmes"</th>
                                        <th scope="col">"CDI"</th>
                                        <th scope="col">"Points forts"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {page.items.into_iter().map(|s| {
                                        let href = query_with(&q, &[("etab", Some(&s.siret))]);
                                        let name = s.display_name();
                                        let band = s.band.clone();
                                        let strengths = if s.strengths.is_empty() { "—".to_string() } else { s.strengths.join(", ") };
                                        view! {
                                            <tr class="row" data-siret=s.siret.clone()>
                                                <th scope="row">
                                                    <a class="etab-link" href=href data-noscroll=true>{name.clone()}</a>
                                                    <span class="commune">{s.commune_name.clone().unwrap_or_default()}</span>
                                                    <span class=format!("band band-{band}")>{band_label(&band).to_string()}</span>
                                                    <SelectToggle siret=s.siret.clone() name=name/>
                                                </th>
                                                <td class="num col-score">{score(s.score)}</td>
                                                <td class="num">{count(s.hires)}</td>
                                                <td class="num">{pct(s.women_share)}</td>
                                                <td class="num">{pct(s.cdi_share)}</td>
                                                <td class="strengths">{strengths}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p class="export">
                                <a href=format!("/api/v1/export.csv{}", query_with(&q, &[("page", None), ("etab", None), ("sel", None)])) download="ancrage-etablissements.csv">
                                    "Exporter toute la liste (CSV)"
                                </a>
                                " · "
                                <a href=format!("/imprimer{}", query_with(&q, &[("page", None), ("etab", None), ("sel", None)])) class="print-all">
                                    "Imprimer toute la liste"
                                </a>
                            </p>
                            <nav class="pager" aria-label="Pages de la liste">
                                {prev.map(|h| view! { <a href=h rel="prev" data-noscroll=true>"← Précédents"</a> })}
                                {next.map(|h| view! { <a href=h rel="next" data-noscroll=true>"Suivants →"</a> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// A column header that sorts the list by `code` (one of `SORTS`): a link,
/// so sorting works with the keyboard and without JavaScript; `aria-sort`
/// tells screen readers which column orders the list.
fn sort_head(
    q: &leptos_router::params::ParamsMap,
    label: &'static str,
    code: &'static str,
) -> impl IntoView {
    let active = q.get("tri").as_deref() == Some(code);
    let order = match code {
        "name" => "ascending",
        _ => "descending",
    };
    let href = query_with(q, &[("tri", Some(code)), ("page", None)]);
    let hint = if active {
        " (tri en cours)"
    } else {
        " : trier"
    };
    view! {
        <th scope="col" aria-sort=active.then_some(order)>
            <a class="sort" href=href data-noscroll=true>{label}<span class="visually-hidden">{hint}</span>{active.then_some(" ▾")}</a>
        </th>
    }
}

/// The user-facing part of a server function error.
pub fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        other => format!("Erreur : {other}"),
    }
}
