//! The Leaflet map: establishment markers coloured by score band.
//!
//! The server renders the container and a text summary; the browser draws
//! the map with Leaflet (served from our own assets, no tile server). A click
//! on a marker opens the establishment card through the URL, like a click on
//! a row of the list.

use leptos::prelude::*;

use ancrage_published::BasinSummary;

use crate::api::MapPoint;

/// Navigation from the map keeps the page's scroll position (the whole page
/// scrolls on a tablet).
#[cfg(any(feature = "hydrate", feature = "csr"))]
fn no_scroll() -> leptos_router::NavigateOptions {
    leptos_router::NavigateOptions {
        scroll: false,
        ..Default::default()
    }
}

#[component]
pub fn Map(
    points: LocalResource<Result<Vec<MapPoint>, ServerFnError>>,
    selected: Memo<Option<String>>,
    /// Basin summaries and the choropleth's (metric, NAF section, chosen basin).
    basins: LocalResource<Result<Vec<BasinSummary>, ServerFnError>>,
    colouring: Memo<(String, Option<String>, Option<String>)>,
) -> impl IntoView {
    let container = NodeRef::<leptos::html::Div>::new();
    // Grid in use, known once the basemap has arrived (browser only).
    let grid_note = RwSignal::new(None::<(String, bool)>);
    // The basemap is large and static: fetched by the browser only (cached GET).
    #[cfg(any(feature = "hydrate", feature = "csr"))]
    {
        let basemap = LocalResource::new(crate::api::get_basemap);
        Effect::new(move |_| {
            if let (Some(div), Some(Ok(b))) = (container.get(), basemap.get()) {
                leaflet_view::draw_basemap(&div, &b);
                if !b.grid_label.is_empty() {
                    grid_note.set(Some((b.grid_label.clone(), b.approximate)));
                }
            }
        });
        use leptos_router::hooks::{use_navigate, use_query_map};
        let navigate = use_navigate();
        let query = use_query_map();
        Effect::new(move |_| {
            // Re-run once the basemap is drawn, and when the colouring changes.
            let drawn = basemap.with(|b| matches!(b, Some(Ok(_))));
            let (Some(div), true, Some(Ok(list))) = (container.get(), drawn, basins.get()) else {
                return;
            };
            let (metric, section, chosen) = colouring.get();
            let nav = navigate.clone();
            let on_click = move |code: String| {
                let href = query.with_untracked(|q| {
                    super::format::query_with(
                        q,
                        &[("bassin", Some(&code)), ("page", None), ("zone", None)],
                    )
                });
                nav(&href, no_scroll());
            };
            leaflet_view::colour_basins(
                &div,
                &list,
                &metric,
                section.as_deref(),
                chosen.as_deref(),
                on_click,
            );
        });
    }
    #[cfg(not(any(feature = "hydrate", feature = "csr")))]
    let _ = (basins, colouring);
    view! {
        <ZoneControl/>
        <div id="map" class="map" node_ref=container role="region"
             aria-label="Carte des établissements ; la liste à côté donne les mêmes informations au clavier"></div>
        <noscript>
            <p class="notice">"La carte a besoin de JavaScript. La liste ci-contre donne les mêmes établissements."</p>
        </noscript>
        <p class="attribution">
            "Fonds : contour Natural Earth ; communes INSEE (COG) ; points GeoNames (CC BY 4.0). "
            {move || match grid_note.get() {
                Some((label, true)) => format!("Bassins : {label}, contours approximatifs calculés par Ancrage."),
                Some((label, false)) => format!("Bassins : {label} (INSEE ; contours dérivés d'IGN Admin Express)."),
                None => String::new(),
            }}
        </p>
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

/// "Limit the list to the visible part of the map", and its undo.
#[component]
fn ZoneControl() -> impl IntoView {
    use leptos_router::hooks::{use_navigate, use_query_map};
    let query = use_query_map();
    let navigate = use_navigate();
    let has_zone = move || query.with(|q| q.get("zone").is_some_and(|z| !z.is_empty()));
    let clear =
        move || query.with(|q| super::format::query_with(q, &[("zone", None), ("page", None)]));
    let on_limit = move |_| {
        #[cfg(any(feature = "hydrate", feature = "csr"))]
        if let Some([w, s, e, n]) = leaflet_view::current_bounds() {
            let zone = format!("{w:.4},{s:.4},{e:.4},{n:.4}");
            let href = query.with_untracked(|q| {
                super::format::query_with(q, &[("zone", Some(&zone)), ("page", None)])
            });
            navigate(&href, no_scroll());
        }
        #[cfg(not(any(feature = "hydrate", feature = "csr")))]
        let _ = &navigate;
    };
    view! {
        <div class="zone-control">
            <button type="button" class="zone-limit" on:click=on_limit>
                "Limiter la liste à la zone affichée"
            </button>
            {move || has_zone().then(|| view! {
                <a class="zone-clear" href=clear>"Revenir à toute la carte"</a>
            })}
        </div>
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
    #[cfg(any(feature = "hydrate", feature = "csr"))]
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
                nav(&href, no_scroll());
            };
            leaflet_view::draw(&div, &points, sel.as_deref(), on_click);
        });
    }
    #[cfg(not(any(feature = "hydrate", feature = "csr")))]
    let _ = (container, points, selected);
}

#[cfg(any(feature = "hydrate", feature = "csr"))]
mod leaflet_view {
    use std::cell::RefCell;

    use ancrage_published::band_colour;
    use leaflet::{CircleMarker, LatLng, LatLngBounds, LayerGroup, Map, MapOptions, PathOptions};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    use crate::api::MapPoint;

    #[wasm_bindgen]
    extern "C" {
        /// `L.geoJSON(data, options)` (not re-exported by the leaflet crate).
        #[wasm_bindgen(js_namespace = L, js_name = geoJSON)]
        fn geo_json_layer(data: &JsValue, options: &JsValue) -> leaflet::Layer;
    }

    /// `layer.bindTooltip(text)`: the leaflet crate binds it under a wrong JS name.
    fn bind_tooltip(layer: &JsValue, text: &str) {
        if let Ok(f) = js_sys::Reflect::get(layer, &"bindTooltip".into()) {
            if let Some(f) = f.dyn_ref::<js_sys::Function>() {
                let _ = f.call1(layer, &JsValue::from_str(text));
            }
        }
    }

    /// Above this many points, markers are clustered (leaflet.markercluster).
    const CLUSTER_FROM: usize = 400;

    struct Live {
        element: web_sys::HtmlElement,
        map: Map,
        markers: LayerGroup,
        /// `L.markerClusterGroup`, when the plugin is loaded.
        clusters: Option<LayerGroup>,
        /// Identity of the drawn point set, to refit the view only when it changes.
        drawn: Option<(usize, Option<String>, Option<String>)>,
        basemap: bool,
        /// The basins' GeoJSON layer (coloured by [`colour_basins`]).
        basins: Option<JsValue>,
    }

    thread_local! {
        static LIVE: RefCell<Option<Live>> = const { RefCell::new(None) };
    }

    /// Run `f` on the map living in `div`, creating it if needed.
    fn with_map<T>(div: &web_sys::HtmlDivElement, f: impl FnOnce(&mut Live) -> T) -> Option<T> {
        let el: &web_sys::HtmlElement = div.unchecked_ref();
        LIVE.with(|live| {
            let mut live = live.borrow_mut();
            if live
                .as_ref()
                .is_none_or(|l| !l.element.is_same_node(Some(el)))
            {
                let opts = MapOptions::new();
                opts.set_zoom_control(false);
                // markercluster needs a maximum zoom; a street level is enough
                // without tiles (the basemap is basins and communes).
                opts.set_max_zoom(16.0);
                opts.set_min_zoom(4.0);
                let map = Map::new_with_element(el, &opts).ok()?;
                map.set_view(&LatLng::new(46.6, 2.4), 6.0);
                // Controls in French.
                let mut zoom = leaflet::ZoomOptions::new();
                zoom.set_zoom_in_title("Zoomer");
                zoom.set_zoom_out_title("Dézoomer");
                leaflet::Zoom::new(&zoom).add_to(&map);
                if let Ok(ctrl) = js_sys::Reflect::get(&map, &"attributionControl".into()) {
                    if let Ok(f) = js_sys::Reflect::get(&ctrl, &"setPrefix".into()) {
                        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
                            let _ = f.call1(&ctrl, &"Leaflet".into());
                        }
                    }
                }
                // Basins and outline in a pane under the markers' (overlay
                // pane, z-index 400), whatever arrives first.
                if let Ok(f) = js_sys::Reflect::get(&map, &"createPane".into()) {
                    if let Some(f) = f.dyn_ref::<js_sys::Function>() {
                        if let Ok(pane) = f.call1(&map, &"fonds".into()) {
                            if let Some(pane) = pane.dyn_ref::<web_sys::Element>() {
                                let _ = pane.set_attribute("style", "z-index: 350");
                            }
                        }
                    }
                }
                let markers = LayerGroup::new();
                markers.add_to(&map);
                let clusters = cluster_group();
                if let Some(c) = &clusters {
                    c.add_to(&map);
                }
                *live = Some(Live {
                    element: el.clone(),
                    map,
                    markers,
                    clusters,
                    drawn: None,
                    basemap: false,
                    basins: None,
                });
            }
            live.as_mut().map(f)
        })
    }

    /// A marker cluster group with neutral cluster icons (not to be confused
    /// with the band colours) that name their count for screen readers.
    fn cluster_group() -> Option<LayerGroup> {
        let l = js_sys::Reflect::get(&js_sys::global(), &"L".into()).ok()?;
        let make = js_sys::Reflect::get(&l, &"markerClusterGroup".into()).ok()?;
        let make = make.dyn_ref::<js_sys::Function>()?;
        let icon = js_sys::Function::new_with_args(
            "c",
            "var n = c.getChildCount(); var size = n < 100 ? 34 : n < 1000 ? 42 : 50; \
             return L.divIcon({ html: '<span>' + n + '<span class=\"visually-hidden\"> établissements : zoomer</span></span>', \
             className: 'etab-cluster', iconSize: L.point(size, size) });",
        );
        let opts = js_sys::Object::new();
        let set = |k: &str, v: &JsValue| {
            let _ = js_sys::Reflect::set(&opts, &k.into(), v);
        };
        set("iconCreateFunction", &icon);
        set("chunkedLoading", &true.into());
        set("showCoverageOnHover", &false.into());
        set("maxClusterRadius", &50.into());
        set("disableClusteringAtZoom", &14.into());
        make.call1(&l, &opts).ok().map(|g| g.unchecked_into())
    }

    /// The visible extent of the map as (west, south, east, north).
    pub fn current_bounds() -> Option<[f64; 4]> {
        LIVE.with(|live| {
            let live = live.borrow();
            let b = live.as_ref()?.map.get_bounds();
            let (sw, ne) = (b.get_south_west(), b.get_north_east());
            Some([sw.lng(), sw.lat(), ne.lng(), ne.lat()])
        })
    }

    /// Draw the France outline and the basins under the markers, once.
    pub fn draw_basemap(div: &web_sys::HtmlDivElement, b: &crate::api::Basemap) {
        with_map(div, |l| {
            if l.basemap {
                return;
            }
            l.basemap = true;
            // Optional raster tiles (configured by the deployment), in
            // Leaflet's tile pane under the basins; the outline then draws
            // its border only, so the tiles show through.
            let tiles = !b.tile_url.is_empty();
            if tiles {
                let opts = leaflet::TileLayerOptions::new();
                opts.set_attribution(b.tile_attribution.clone());
                opts.set_max_zoom(19.0);
                leaflet::TileLayer::new_options(&b.tile_url, &opts).add_to(&l.map);
            }
            let outline_fill = if tiles { 0 } else { 1 };
            let outline_style = format!(
                r##"{{"color":"#8a99a6","weight":1,"fillColor":"#ffffff","fillOpacity":{outline_fill},"interactive":false}}"##
            );
            // Basins first, then the outline pushed behind them.
            let layers = [
                (
                    &b.basins,
                    r##"{"color":"#5d6d7e","weight":0.8,"fillColor":"#d9d9d9","fillOpacity":0.35}"##,
                    false,
                ),
                (&b.outline, outline_style.as_str(), true),
            ];
            for (text, style, back) in layers {
                if text.is_empty() {
                    continue;
                }
                let (Ok(data), Ok(style)) = (js_sys::JSON::parse(text), js_sys::JSON::parse(style))
                else {
                    continue;
                };
                let opts = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&opts, &"style".into(), &style);
                let _ = js_sys::Reflect::set(&opts, &"pane".into(), &"fonds".into());
                let layer = geo_json_layer(&data, &opts);
                layer.add_to(&l.map);
                if !back {
                    l.basins = Some(layer.into());
                    continue;
                }
                if let Ok(f) = js_sys::Reflect::get(&layer, &"bringToBack".into()) {
                    if let Some(f) = f.dyn_ref::<js_sys::Function>() {
                        let _ = f.call0(&layer);
                    }
                }
            }
        });
    }

    /// Colour the basins by `metric` (for one NAF section or all), with a
    /// tooltip naming the basin and its value, the chosen basin outlined, and
    /// a click choosing the basin as filter.
    pub fn colour_basins(
        div: &web_sys::HtmlDivElement,
        basins: &[ancrage_published::BasinSummary],
        metric: &str,
        section: Option<&str>,
        chosen: Option<&str>,
        on_click: impl Fn(String) + 'static,
    ) {
        use ancrage_published::{metric_text, Choropleth, NO_DATA_COLOUR};
        with_map(div, |l| {
            let Some(layer) = &l.basins else {
                return;
            };
            let ch = Choropleth::new(basins, metric, section);
            let colours = js_sys::Object::new();
            for (code, c) in &ch.colours {
                let _ = js_sys::Reflect::set(
                    &colours,
                    &code.into(),
                    &c.unwrap_or(NO_DATA_COLOUR).into(),
                );
            }
            let tips = js_sys::Object::new();
            let label = ancrage_published::BASIN_METRICS
                .iter()
                .find(|(c, _)| *c == metric)
                .map_or("", |(_, l)| *l);
            for b in basins {
                let text = format!(
                    "{} — {} : {}",
                    b.label,
                    label.to_lowercase(),
                    metric_text(metric, b.metric_for(metric, section))
                );
                let _ = js_sys::Reflect::set(&tips, &b.basin.as_str().into(), &text.into());
            }
            let cb = Closure::<dyn Fn(String)>::new(on_click);
            let apply = js_sys::Function::new_with_args(
                "layer, colours, tips, chosen, cb",
                "layer.setStyle(function (f) { var k = f.properties && f.properties.code; \
                   var c = colours[k]; var sel = k === chosen; \
                   return { fillColor: c || '#d9d9d9', fillOpacity: c ? 0.6 : 0.3, \
                            color: sel ? '#000' : '#5d6d7e', weight: sel ? 2.5 : 0.8 }; }); \
                 layer.eachLayer(function (p) { var k = p.feature && p.feature.properties && p.feature.properties.code; \
                   var el = p.getElement && p.getElement(); if (el) { el.setAttribute('class', el.getAttribute('class').replace(/ ?basin-\\S+/g, '') + ' basin-' + k); } \
                   p.unbindTooltip(); if (tips[k]) { p.bindTooltip(tips[k], { sticky: true }); } \
                   p.off('click'); p.on('click', function () { cb(k); }); });",
            );
            let args = js_sys::Array::of5(
                layer,
                &colours,
                &tips,
                &chosen.map_or(JsValue::NULL, JsValue::from_str),
                cb.as_ref(),
            );
            let _ = apply.apply(&JsValue::NULL, &args);
            cb.forget();
        });
    }

    /// Replace the markers (creating the map if needed); refit the view when
    /// the set of points changed.
    pub fn draw(
        div: &web_sys::HtmlDivElement,
        points: &[MapPoint],
        selected: Option<&str>,
        on_click: impl Fn(String) + Clone + 'static,
    ) {
        with_map(div, |l| {
            l.markers.clear_layers();
            if let Some(c) = &l.clusters {
                c.clear_layers();
            }
            let clustered = points.len() > CLUSTER_FROM && l.clusters.is_some();
            let batch = js_sys::Array::new();
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
                let radius = if chosen { 9.0 } else { 6.0 };
                let _ = js_sys::Reflect::set(&opts, &"radius".into(), &radius.into());
                let ll = LatLng::new(p.lat, p.lng);
                bounds.extend(&ll);
                let marker = CircleMarker::new_with_options(&ll, &opts);
                let siret = p.siret.clone();
                let cb = on_click.clone();
                let handler = Closure::<dyn Fn()>::new(move || cb(siret.clone()));
                marker.on("click", handler.as_ref());
                handler.forget();
                bind_tooltip(&marker, &p.label);
                if clustered {
                    batch.push(&marker);
                    continue;
                }
                l.markers.add_layer(&marker);
                // The list is the keyboard route: markers are not tab stops.
                if let Ok(f) = js_sys::Reflect::get(&marker, &"getElement".into()) {
                    if let Some(f) = f.dyn_ref::<js_sys::Function>() {
                        if let Ok(el) = f.call0(&marker) {
                            if let Some(el) = el.dyn_ref::<web_sys::Element>() {
                                let _ = el.set_attribute("tabindex", "-1");
                                let _ = el.set_attribute("aria-hidden", "true");
                            }
                        }
                    }
                }
            }
            if let (true, Some(c)) = (clustered, &l.clusters) {
                if let Ok(f) = js_sys::Reflect::get(c, &"addLayers".into()) {
                    if let Some(f) = f.dyn_ref::<js_sys::Function>() {
                        let _ = f.call1(c, &batch);
                    }
                }
            }
            let identity = (
                points.len(),
                points.first().map(|p| p.siret.clone()),
                points.last().map(|p| p.siret.clone()),
            );
            if !points.is_empty() && l.drawn.as_ref() != Some(&identity) {
                let pad = js_sys::Object::new();
                let _ = js_sys::Reflect::set(
                    &pad,
                    &"padding".into(),
                    &js_sys::Array::of2(&20.into(), &20.into()),
                );
                l.map.fit_bounds_with_options(&bounds, &pad);
                l.drawn = Some(identity);
            }
        });
    }
}
