//! The Leaflet map: establishment markers coloured by score band.
//!
//! The server renders the container and a text summary; the browser draws
//! the map with Leaflet (served from our own assets, no tile server). A click
//! on a marker opens the establishment card through the URL, like a click on
//! a row of the list.

use leptos::prelude::*;

use crate::api::MapPoint;

#[component]
pub fn Map(
    points: Resource<Result<Vec<MapPoint>, ServerFnError>>,
    selected: Memo<Option<String>>,
) -> impl IntoView {
    let container = NodeRef::<leptos::html::Div>::new();
    view! {
        <div id="map" class="map" node_ref=container role="img"
             aria-label="Carte des établissements ; la liste à côté donne les mêmes informations au clavier"></div>
        <Transition fallback=|| view! { <p class="map-status">"Chargement de la carte…"</p> }>
            {move || Suspend::new(async move {
                let pts = points.await.unwrap_or_default();
                let n = pts.len();
                view! {
                    <MarkerLayer container=container points=pts selected=selected/>
                    <p class="map-status" id="map-status">
                        {format!("{n} établissement{} localisé{} sur la carte", plural(n), plural(n))}
                    </p>
                }
            })}
        </Transition>
    }
}

fn plural(n: usize) -> &'static str {
    if n > 1 {
        "s"
    } else {
        ""
    }
}

/// Draws `points` on the map once mounted (browser only).
#[component]
fn MarkerLayer(
    container: NodeRef<leptos::html::Div>,
    points: Vec<MapPoint>,
    selected: Memo<Option<String>>,
) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        use leptos_router::hooks::{use_navigate, use_query_map};
        let navigate = use_navigate();
        let query = use_query_map();
        Effect::new(move |_| {
            let Some(div) = container.get() else {
                return;
            };
            let sel = selected.get();
            let nav = navigate.clone();
            let on_click = move |siret: String| {
                let href = query
                    .with_untracked(|q| super::format::query_with(q, &[("etab", Some(&siret))]));
                nav(&href, Default::default());
            };
            leaflet_view::draw(&div, &points, sel.as_deref(), on_click);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (container, points, selected);
}

#[cfg(feature = "hydrate")]
mod leaflet_view {
    use std::cell::RefCell;

    use ancrage_published::band_colour;
    use leaflet::{CircleMarker, LatLng, LatLngBounds, LayerGroup, Map, MapOptions, PathOptions};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    use crate::api::MapPoint;

    /// `layer.bindTooltip(text)`: the leaflet crate binds it under a wrong JS name.
    fn bind_tooltip(layer: &JsValue, text: &str) {
        if let Ok(f) = js_sys::Reflect::get(layer, &"bindTooltip".into()) {
            if let Some(f) = f.dyn_ref::<js_sys::Function>() {
                let _ = f.call1(layer, &JsValue::from_str(text));
            }
        }
    }

    struct Live {
        element: web_sys::HtmlElement,
        map: Map,
        markers: LayerGroup,
    }

    thread_local! {
        static LIVE: RefCell<Option<Live>> = const { RefCell::new(None) };
    }

    /// Create the map on `div` if needed, then replace its markers.
    pub fn draw(
        div: &web_sys::HtmlDivElement,
        points: &[MapPoint],
        selected: Option<&str>,
        on_click: impl Fn(String) + Clone + 'static,
    ) {
        let el: &web_sys::HtmlElement = div.unchecked_ref();
        LIVE.with(|live| {
            let mut live = live.borrow_mut();
            let fresh = live
                .as_ref()
                .is_none_or(|l| !l.element.is_same_node(Some(el)));
            if fresh {
                let opts = MapOptions::new();
                let Ok(map) = Map::new_with_element(el, &opts) else {
                    return;
                };
                map.set_view(&LatLng::new(46.6, 2.4), 6.0);
                let markers = LayerGroup::new();
                markers.add_to(&map);
                *live = Some(Live {
                    element: el.clone(),
                    map,
                    markers,
                });
            }
            let Some(l) = live.as_ref() else { return };
            l.markers.clear_layers();
            let bounds = LatLngBounds::new_from_list(&js_sys::Array::new());
            for p in points {
                let chosen = selected == Some(p.siret.as_str());
                let opts = PathOptions::new();
                opts.set_color(if chosen {
                    "#000".into()
                } else {
                    "#ffffff".into()
                });
                opts.set_weight(if chosen { 3.0 } else { 1.0 });
                opts.set_fill_color(band_colour(&p.band).to_string());
                opts.set_fill_opacity(0.9);
                opts.set_class_name(format!("etab-marker siret-{}", p.siret));
                let _ = js_sys::Reflect::set(
                    &opts,
                    &"radius".into(),
                    &(if chosen { 9.0 } else { 6.0 }).into(),
                );
                let ll = LatLng::new(p.lat, p.lng);
                bounds.extend(&ll);
                let marker = CircleMarker::new_with_options(&ll, &opts);
                let siret = p.siret.clone();
                let cb = on_click.clone();
                let handler = Closure::<dyn Fn()>::new(move || cb(siret.clone()));
                marker.on("click", handler.as_ref());
                handler.forget();
                bind_tooltip(&marker, &p.label);
                l.markers.add_layer(&marker);
            }
            if fresh && !points.is_empty() {
                l.map.fit_bounds(&bounds);
            }
        });
    }
}
