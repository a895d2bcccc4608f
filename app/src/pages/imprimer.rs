//! A list to hand to a job-seeker: the counselor's selection, or the whole
//! filtered list (up to 500 employers), laid out for one printed page per
//! ~25 rows with the name, address, sector, category and strengths.

use ancrage_published::{band_label, parse_selection};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{get_filter_options, print_list};
use crate::components::filters::filter_summary;
use crate::components::format::query_with;
use crate::components::list::error_text;
use crate::pages::carte::filter_from_query;

#[component]
pub fn ImprimerPage() -> impl IntoView {
    let query = use_query_map();
    let parsed = Memo::new(move |_| query.with(filter_from_query));
    let filter = Memo::new(move |_| parsed.get().0);
    let filter_error = Memo::new(move |_| parsed.get().1);
    let selection = Memo::new(move |_| query.with(|q| q.get("sel").unwrap_or_default()));
    let rows = Resource::new(
        move || (filter.get(), selection.get()),
        |(f, sel)| print_list(f, sel),
    );
    let options = Resource::new(move || filter.get(), get_filter_options);
    let back = move || query.with(|q| format!("/{}", query_with(q, &[])));
    let print = move |_| {
        #[cfg(any(feature = "hydrate", feature = "csr"))]
        let _ = window().print();
    };
    let title = move || {
        if parse_selection(&selection.get()).is_empty() {
            "Liste à imprimer — Ancrage"
        } else {
            "Ma sélection à imprimer — Ancrage"
        }
    };
    view! {
        <Title text=title/>
        <article class="print-page">
            <nav class="no-print print-tools" aria-label="Actions">
                <a href=back>"← Retour à la carte"</a>
                <button type="button" on:click=print>"Imprimer"</button>
            </nav>
            <h1>"Employeurs qui embauchent et gardent leurs salariés"</h1>
            {move || filter_error.get().map(|e| view! {
                <p class="error" role="alert">{format!("Filtre ignoré : {e}")}</p>
            })}
            <Suspense fallback=|| view! { <p>"Préparation de la liste…"</p> }>
                {move || Suspend::new(async move {
                    let is_selection = !parse_selection(&selection.get_untracked()).is_empty();
                    let subtitle = if is_selection {
                        "Sélection préparée avec votre conseiller ou conseillère.".to_string()
                    } else {
                        let opts = options.await.unwrap_or_default();
                        filter_summary(&opts, &filter.get_untracked())
                    };
                    match rows.await {
                        Err(e) => view! { <p class="error" role="alert">{error_text(&e)}</p> }.into_any(),
                        Ok(page) => {
                            let shown = page.items.len();
                            let more = (page.total as usize > shown).then(|| format!(
                                "Les {shown} premiers sur {} sont imprimés ; affinez les filtres pour une liste plus courte.",
                                page.total
                            ));
                            view! {
                                <p class="subtitle">{subtitle}</p>
                                <p class="count">{format!("{shown} établissement{}", if shown > 1 { "s" } else { "" })}</p>
                                {more.map(|m| view! { <p class="notice">{m}</p> })}
                                <table class="print-list">
                                    <thead><tr>
                                        <th scope="col">"Établissement"</th>
                                        <th scope="col">"Secteur"</th>
                                        <th scope="col">"Catégorie"</th>
                                        <th scope="col">"Points forts"</th>
                                    </tr></thead>
                                    <tbody>
                                        {page.items.into_iter().map(|s| {
                                            let place = [s.address.clone(), s.postcode.clone().zip(s.commune_name.clone()).map(|(p, c)| format!("{p} {c}")).or(s.commune_name.clone())]
                                                .into_iter().flatten().collect::<Vec<_>>().join(", ");
                                            view! {
                                                <tr class="print-row" data-siret=s.siret.clone()>
                                                    <th scope="row">
                                                        <span class="print-name">{s.display_name()}</span>
                                                        <span class="print-address">{place}</span>
                                                    </th>
                                                    <td>{s.naf_label.clone().unwrap_or_default()}</td>
                                                    <td>{band_label(&s.band).to_string()}</td>
                                                    <td>{if s.strengths.is_empty() { "—".to_string() } else { s.strengths.join(", ") }}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
            <footer class="print-footer">
                <p>"Catégories et points forts : comparaison avec des employeurs du même secteur et de même taille, sur cinq ans de déclarations sociales (DSN). « Engagée » et « accueillante » signalent les employeurs qui embauchent largement et gardent leurs salariés. Méthode détaillée : page « Méthode » d'Ancrage."</p>
            </footer>
        </article>
    }
}
