//! The web server: Leptos pages and server functions over the published store,
//! static assets with cache headers, health check, compression, request logs.

use std::path::Path;

use ancrage_store::PublishedStore;
use anyhow::Context;
use app::api::{Basemap, BasemapData, PlaceIndex};
use app::{shell, App};
use axum::http::{header, HeaderValue, StatusCode};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

use crate::cli::ServeArgs;

/// Build the application router for `store`, serving assets from `site_root`.
pub fn router(
    store: PublishedStore,
    (basemap, places): (BasemapData, PlaceIndex),
    site_root: &Path,
    addr: std::net::SocketAddr,
    cache_mb: usize,
) -> Router {
    let options = LeptosOptions::builder()
        .output_name("ancrage")
        .site_root(site_root.to_string_lossy().as_ref())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();

    let routes = generate_route_list(App);
    let static_cache = SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    let assets = Router::new()
        // Pre-compressed by scripts/build-site.sh (brotli, gzip -9): sent as
        // they are to a browser that accepts them, else the plain file.
        .nest_service(
            "/pkg",
            ServeDir::new(site_root.join("pkg"))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .nest_service(
            "/vendor",
            ServeDir::new(site_root.join("vendor"))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .route_service(
            "/favicon.svg",
            tower_http::services::ServeFile::new(site_root.join("favicon.svg")),
        )
        .layer(static_cache);

    let api = crate::api_v1::router(store.clone());
    let ctx_store = store.clone();
    let health_store = store.clone();
    let shell_options = options.clone();
    let app = Router::new()
        .route("/healthz", get(move || healthz(health_store.clone())))
        .leptos_routes_with_context(
            &options,
            routes,
            move || {
                provide_context(ctx_store.clone());
                provide_context(basemap.clone());
                provide_context(places.clone());
            },
            move || shell(shell_options.clone()),
        )
        .merge(assets)
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options)
        .merge(api)
        .layer(CompressionLayer::new());
    // Outside compression: answers are kept as sent.
    let app = if cache_mb > 0 {
        let cache = crate::cache::ResponseCache::new(store.clone(), cache_mb << 20);
        app.layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(cache),
            crate::cache::layer,
        ))
    } else {
        app
    };
    app
        // One INFO line a request: method, URI and version (span fields),
        // status and latency (event fields), e.g.
        // `request{method=GET uri=/api/v1/basins version=HTTP/1.1}: … latency=412 μs status=200`.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_request(())
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                ),
        )
}

/// `ok` when the published store answers, else 503 (for load balancers and probes).
async fn healthz(store: PublishedStore) -> (StatusCode, &'static str) {
    match store.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!("health check: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "published store unavailable",
            )
        }
    }
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM (what service managers and
/// container runtimes send): the server then stops accepting connections and
/// finishes the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!("no SIGTERM handler: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

pub async fn serve(database_url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let store = PublishedStore::open(database_url)
        .await
        .with_context(|| format!("opening the published store {database_url}"))?;
    if !args.site_root.join("pkg").is_dir() {
        tracing::warn!(
            "{} has no pkg/: the page will render but not hydrate (build the site with scripts/build-site.sh)",
            args.site_root.display()
        );
    }
    let mut reference = load_reference(&args.refdata);
    if let Some(url) = args.tile_url.filter(|u| !u.is_empty()) {
        let b = std::sync::Arc::make_mut(&mut reference.0 .0);
        b.tile_url = url;
        b.tile_attribution = args.tile_attribution;
    }
    let app = router(store, reference, &args.site_root, args.addr, args.cache_mb);
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("binding {}", args.addr))?;
    println!("Ancrage écoute sur http://{}/", args.addr);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

/// France outline and the default grid's basins (the basemap), and the place
/// index of that grid (basin search), from the reference data.
pub fn load_reference(refdata: &Path) -> (BasemapData, PlaceIndex) {
    let load = || -> Result<(Basemap, PlaceIndex), ancrage_refdata::RefdataError> {
        let rd = ancrage_refdata::Refdata::load(refdata)?;
        let grid = rd.default_grid()?;
        let places = ancrage_refdata::search::PlaceSearch::new(&rd, &grid);
        let basemap = Basemap {
            outline: rd.france_outline()?.to_string(),
            basins: grid.polygons.to_string(),
            grid_label: grid.label.clone(),
            approximate: grid.approximate,
            ..Basemap::default()
        };
        Ok((basemap, PlaceIndex(Some(std::sync::Arc::new(places)))))
    };
    match load() {
        Ok((b, p)) => (BasemapData(std::sync::Arc::new(b)), p),
        Err(e) => {
            tracing::warn!(
                "no reference data ({e}): the map will show markers only, without basin search"
            );
            (BasemapData::default(), PlaceIndex::default())
        }
    }
}
