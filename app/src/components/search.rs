//! Basin search: a counselor types a town, a postcode or a basin name and
//! picks a suggestion; the map and the list then show that basin.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::format::query_with;
use crate::api::{search_places, PlaceHit};

#[component]
pub fn PlaceSearch() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let hits = RwSignal::new(Vec::<PlaceHit>::new());
    let text = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    // Latest request wins: answers to older keystrokes are dropped.
    let generation = StoredValue::new(0u64);

    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        text.set(value.clone());
        let chosen = hits.with_untracked(|h| h.iter().find(|h| h.text == value).cloned());
        if let Some(hit) = chosen {
            go_to(&navigate, &query, &hit, status);
            return;
        }
        if value.trim().chars().count() < 2 {
            hits.set(Vec::new());
            return;
        }
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        leptos::task::spawn_local(async move {
            let found = search_places(value).await.unwrap_or_default();
            if generation.get_value() == mine {
                status.set(match found.len() {
                    0 => "Aucun lieu trouvé".to_string(),
                    1 => "1 suggestion".to_string(),
                    n => format!("{n} suggestions"),
                });
                hits.set(found);
            }
        });
    };
    let navigate2 = use_navigate();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = text.get_untracked();
        // An exact suggestion is taken as is; otherwise the submitted text is
        // searched afresh (the suggestions may belong to an earlier text).
        let exact = hits.with_untracked(|h| h.iter().find(|h| h.text == value).cloned());
        if let Some(hit) = exact {
            go_to(&navigate2, &query, &hit, status);
            return;
        }
        generation.update_value(|g| *g += 1);
        let nav = navigate2.clone();
        leptos::task::spawn_local(async move {
            let found = search_places(value).await.unwrap_or_default();
            match found.first() {
                Some(hit) => go_to(&nav, &query, hit, status),
                None => status.set(
                    "Aucun lieu trouvé : essayez le nom de la commune ou son code postal".into(),
                ),
            }
        });
    };
    view! {
        <form class="place-search" role="search" on:submit=on_submit>
            <label for="lieu">"Rechercher un bassin, une commune ou un code postal"</label>
            <div class="search-row">
                <input id="lieu" name="lieu" type="search" list="lieux" autocomplete="off"
                       placeholder="ex. Villeurbanne, 42000, Lyon"
                       on:input=on_input prop:value=move || text.get()/>
                <button type="submit">"Aller"</button>
            </div>
            <datalist id="lieux">
                {move || hits.get().into_iter().map(|h| view! { <option value=h.text.clone()></option> }).collect_view()}
            </datalist>
            <p class="visually-hidden" aria-live="polite">{move || status.get()}</p>
        </form>
    }
}

/// Show `hit`'s basin: the other filters stay, the page, card and map extent reset.
fn go_to(
    navigate: &impl Fn(&str, leptos_router::NavigateOptions),
    query: &Memo<leptos_router::params::ParamsMap>,
    hit: &PlaceHit,
    status: RwSignal<String>,
) {
    let href = query.with_untracked(|q| {
        query_with(
            q,
            &[
                ("bassin", Some(&hit.basin)),
                ("page", None),
                ("etab", None),
                ("zone", None),
            ],
        )
    });
    status.set(format!("Bassin {} affiché", hit.basin_label));
    navigate(&href, Default::default());
}
