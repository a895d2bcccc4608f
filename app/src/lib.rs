//! Ancrage's user interface: Leptos components, routes and the server
//! functions that feed them.
//!
//! Rendered on the server (`ssr` feature, used by the `server` crate) and
//! hydrated in the browser (`hydrate` feature, used by the `frontend` crate).
//! Everything a page shows arrives through the server functions of [`api`];
//! there is no hand-written JSON plumbing.

pub mod api;
pub mod components;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::{path, SsrMode};

/// The HTML document around the app (server side only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="fr">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href="/vendor/leaflet/leaflet.css"/>
                <link rel="stylesheet" href="/vendor/markercluster/MarkerCluster.css"/>
                <script src="/vendor/leaflet/leaflet.js"></script>
                <script src="/vendor/markercluster/leaflet.markercluster.js"></script>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Tells tests and assistive scripts that the page is interactive.
    #[cfg(any(feature = "hydrate", feature = "csr"))]
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/ancrage.css"/>
        <Title text="Ancrage — employeurs qui embauchent et gardent"/>
        <Router>
            <SkipLink/>
            <header class="topbar">
                <a href="/" class="brand">"Ancrage"</a>
                <span class="tagline">"Les employeurs qui embauchent largement et gardent leurs salariés"</span>
                <nav aria-label="Navigation principale">
                    <A href="/">"Carte"</A>
                    <A href="/comparer">"Comparer des bassins"</A>
                    <A href="/methode">"Méthode"</A>
                </nav>
            </header>
            <main id="contenu" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=pages::carte::CartePage ssr=SsrMode::Async/>
                    <Route path=path!("/comparer") view=pages::comparer::ComparerPage ssr=SsrMode::Async/>
                    <Route path=path!("/methode") view=pages::methode::MethodePage ssr=SsrMode::Async/>
                    <Route path=path!("/imprimer") view=pages::imprimer::ImprimerPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// Any other address.
#[component]
fn NotFound() -> impl IntoView {
    view! {
        <Title text="Page introuvable — Ancrage"/>
        <article class="notice">
            <h1>"Page introuvable"</h1>
            <p>"Cette adresse ne correspond à aucune page d'Ancrage. "<a href="/">"Retour à la carte"</a></p>
        </article>
    }
}

/// First Tab stop of every page: straight to the list on the map page, to the
/// content elsewhere.
#[component]
fn SkipLink() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let on_map = move || location.pathname.get() == "/";
    // The router would swallow a same-page anchor: move the focus ourselves.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        #[cfg(any(feature = "hydrate", feature = "csr"))]
        {
            use wasm_bindgen::JsCast;
            let id = if on_map() { "liste" } else { "contenu" };
            if let Some(el) = document().get_element_by_id(id) {
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        }
    };
    view! {
        <a class="skip" on:click=on_click href=move || if on_map() { "#liste" } else { "#contenu" }>
            {move || if on_map() { "Aller à la liste des établissements" } else { "Aller au contenu" }}
        </a>
    }
}
