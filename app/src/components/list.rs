//! The ranked list beside the map: the accessible alternative to the map.

use ancrage_published::{band_label, ListPage};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::format::{pct, query_with, score};

#[component]
pub fn EstablishmentList(list: Resource<Result<ListPage, ServerFnError>>) -> impl IntoView {
    let query = use_query_map();
    view! {
        <Transition fallback=|| view! { <p>"Chargement de la liste…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                    Ok(page) => {
                        let q = query.get_untracked();
                        let current: u32 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0);
                        let shown = page.items.len();
                        let total = page.total;
                        let first = if shown == 0 { 0 } else { current as i64 * 50 + 1 };
                        let last = current as i64 * 50 + shown as i64;
                        let prev = (current > 0).then(|| query_with(&q, &[("page", Some(&(current - 1).to_string()))]));
                        let next = (last < total).then(|| query_with(&q, &[("page", Some(&(current + 1).to_string()))]));
                        view! {
                            <p class="count" id="list-count" aria-live="polite">
                                {format!("{total} établissement{} — {first} à {last}", if total > 1 { "s" } else { "" })}
                            </p>
                            <table class="ranked">
                                <caption class="visually-hidden">"Établissements classés selon les filtres"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Établissement"</th>
                                        <th scope="col">"Commune"</th>
                                        <th scope="col">"Score"</th>
                                        <th scope="col">"Embauches"</th>
                                        <th scope="col">"Femmes"</th>
                                        <th scope="col">"CDI"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {page.items.into_iter().map(|s| {
                                        let href = query_with(&q, &[("etab", Some(&s.siret))]);
                                        let name = s.display_name();
                                        let band = s.band.clone();
                                        view! {
                                            <tr class="row" data-siret=s.siret.clone()>
                                                <th scope="row">
                                                    <A href=href>{name}</A>
                                                    <span class=format!("band band-{band}")>{band_label(&band).to_string()}</span>
                                                </th>
                                                <td>{s.commune_name.clone().unwrap_or_default()}</td>
                                                <td class="num">{score(s.score)}</td>
                                                <td class="num">{s.hires}</td>
                                                <td class="num">{pct(s.women_share)}</td>
                                                <td class="num">{pct(s.cdi_share)}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p class="export">
                                <a href=format!("/api/v1/export.csv{}", query_with(&q, &[("page", None), ("etab", None)])) download="ancrage-etablissements.csv">
                                    "Exporter toute la liste (CSV)"
                                </a>
                            </p>
                            <nav class="pager" aria-label="Pages de la liste">
                                {prev.map(|h| view! { <A href=h>"← Précédents"</A> })}
                                {next.map(|h| view! { <A href=h>"Suivants →"</A> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The user-facing part of a server function error.
pub fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        other => format!("Erreur : {other}"),
    }
}
