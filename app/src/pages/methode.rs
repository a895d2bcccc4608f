//! The method page: `docs/methode.md` itself, rendered on the server, so the
//! page and the document can never disagree.

use leptos::prelude::*;
use leptos_meta::Title;

/// The method text as HTML (rendered once from the Markdown compiled into the server).
#[server(prefix = "/api/fn", endpoint = "methode")]
pub async fn methode_html() -> Result<String, ServerFnError> {
    static HTML: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    Ok(HTML
        .get_or_init(|| {
            let md = include_str!("../../../docs/methode.md");
            let parser =
                pulldown_cmark::Parser::new_ext(md, pulldown_cmark::Options::ENABLE_TABLES);
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, parser);
            html
        })
        .clone())
}

#[component]
pub fn MethodePage() -> impl IntoView {
    let text = Resource::new(|| (), |_| methode_html());
    view! {
        <Title text="Méthode de calcul du score — Ancrage"/>
        <article class="methode">
            <Suspense fallback=|| view! { <p>"Chargement de la méthode…"</p> }>
                {move || Suspend::new(async move {
                    match text.await {
                        Ok(html) => view! { <div class="methode-text" inner_html=html></div> }.into_any(),
                        Err(_) => view! { <p class="error" role="alert">"La méthode n'a pas pu être chargée."</p> }.into_any(),
                    }
                })}
            </Suspense>
        </article>
    }
}
