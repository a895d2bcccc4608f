//! "Ma sélection": the establishments a counselor keeps for a job-seeker.
//!
//! The selection lives in the URL (`sel=siret,siret`), so it is shared with
//! the link, survives back/forward and works without JavaScript; the browser
//! also keeps the last one (localStorage) so that it can be taken up again
//! after closing the tab.

use ancrage_published::{parse_selection, MAX_SELECTION};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use super::format::query_with;
use crate::pages::carte::applied_params;

/// localStorage key of the last selection.
#[cfg(any(feature = "hydrate", feature = "csr"))]
const STORAGE_KEY: &str = "ancrage.selection";

/// The selection in the URL.
pub fn selection_of(q: &ParamsMap) -> Vec<String> {
    parse_selection(&q.get("sel").unwrap_or_default())
}

/// The query string with `siret` added to or removed from the selection.
pub fn toggled(q: &ParamsMap, siret: &str) -> String {
    let q = &applied_params(q);
    let mut sel = selection_of(q);
    if let Some(i) = sel.iter().position(|s| s == siret) {
        sel.remove(i);
    } else if sel.len() < MAX_SELECTION {
        sel.push(siret.to_string());
    }
    let joined = sel.join(",");
    query_with(
        q,
        &[("sel", (!joined.is_empty()).then_some(joined.as_str()))],
    )
}

/// How many distinct valid SIRETs the URL's `sel` asked for, before the cap.
pub fn requested_count(q: &ParamsMap) -> usize {
    let text = q.get("sel").unwrap_or_default();
    let mut seen: Vec<&str> = Vec::new();
    for s in text.split(',').map(str::trim) {
        if s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit()) && !seen.contains(&s) {
            seen.push(s);
        }
    }
    seen.len()
}

/// The message shown when the selection is full.
pub fn full_message() -> String {
    format!(
        "Ma sélection est pleine ({MAX_SELECTION} établissements au plus) : retirez-en un pour en ajouter un autre."
    )
}

/// A link adding or removing one establishment (a link, so it works everywhere).
#[component]
pub fn SelectToggle(siret: String, name: String) -> impl IntoView {
    let query = use_query_map();
    let siret2 = siret.clone();
    let chosen = Memo::new(move |_| query.with(|q| selection_of(q).contains(&siret2)));
    let full = Memo::new(move |_| query.with(|q| selection_of(q).len() >= MAX_SELECTION));
    // Set when an addition is refused because the selection is full.
    let refused = RwSignal::new(false);
    Effect::new(move |_| {
        if !full.get() {
            refused.set(false);
        }
    });
    let href = move || query.with(|q| toggled(q, &siret));
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if full.get_untracked() && !chosen.get_untracked() {
            ev.prevent_default();
            refused.set(true);
        }
    };
    view! {
        // The establishment's name is part of the link text (hidden on screen),
        // so the accessible name starts with what is visible. `data-noscroll`:
        // the router keeps the scroll position (the page scrolls on a tablet).
        <a class="select-toggle" class:chosen=move || chosen.get() href=href data-noscroll=true on:click=on_click>
            {move || if chosen.get() { "★ Dans ma sélection (retirer" } else { "☆ Ajouter" }}
            <span class="visually-hidden">{format!(" {name}")}</span>
            {move || if chosen.get() { ")" } else { " à ma sélection" }}
        </a>
        <span class="select-full" role="status">{move || refused.get().then(full_message)}</span>
    }
}

/// Count of the selection and what can be done with it.
#[component]
pub fn SelectionPanel() -> impl IntoView {
    let query = use_query_map();
    let sel = Memo::new(move |_| query.with(selection_of));
    // Offer to take up the selection kept by this browser when the URL has none.
    let stored = RwSignal::new(String::new());
    #[cfg(any(feature = "hydrate", feature = "csr"))]
    {
        let storage = || window().local_storage().ok().flatten();
        Effect::new(move |_| {
            let current = sel.get();
            if let Some(st) = storage() {
                if current.is_empty() {
                    let kept = st.get_item(STORAGE_KEY).ok().flatten().unwrap_or_default();
                    stored.set(parse_selection(&kept).join(","));
                } else {
                    let _ = st.set_item(STORAGE_KEY, &current.join(","));
                    stored.set(String::new());
                }
            }
        });
    }
    view! {
        <section class="selection" aria-labelledby="selection-titre">
            <h2 id="selection-titre">{move || match sel.get().len() {
                0 => "Ma sélection (vide)".to_string(),
                1 => "Ma sélection : 1 établissement".to_string(),
                n => format!("Ma sélection : {n} établissements"),
            }}</h2>
            {move || {
                let asked = query.with(requested_count);
                (asked > MAX_SELECTION).then(|| view! {
                    <p class="notice-cap" role="status">{format!(
                        "Le lien contenait {asked} établissements : seuls les {MAX_SELECTION} premiers ont été gardés dans ma sélection."
                    )}</p>
                })
            }}
            {move || {
                let s = sel.get();
                if s.is_empty() {
                    let kept = stored.get();
                    let n = parse_selection(&kept).len();
                    view! {
                        <p class="hint">"Ajoutez des établissements avec « ☆ Ajouter à ma sélection » pour préparer une liste à remettre ou à imprimer."</p>
                        {(n > 0).then(|| {
                            let href = query.with_untracked(|q| query_with(q, &[("sel", Some(kept.as_str()))]));
                            view! { <p><a href=href class="resume" data-noscroll=true>{format!("Reprendre ma dernière sélection ({n})")}</a></p> }
                        })}
                    }.into_any()
                } else {
                    let joined = s.join(",");
                    let full = s.len() >= MAX_SELECTION;
                    view! {
                        {full.then(|| view! { <p class="hint">{full_message()}</p> })}
                        <ul class="selection-actions">
                            <li><a href=format!("/imprimer?sel={joined}") class="print-selection">"Voir et imprimer ma sélection"</a></li>
                            <li><a href=format!("/api/v1/export.csv?sel={joined}") download="ancrage-selection.csv">"Exporter ma sélection (CSV)"</a></li>
                            <li><a href=move || query.with(|q| query_with(q, &[("sel", None)])) data-noscroll=true>"Vider ma sélection"</a></li>
                        </ul>
                    }.into_any()
                }
            }}
        </section>
    }
}
