//! Cache of whole responses to the read-only queries: the GETs of `/api/v1/…`
//! and the server functions the UI calls to read the published store (GET or
//! POST; a POST's form body is part of its key).
//!
//! A published snapshot never changes once committed: the same URL gives the
//! same answer until the next publish. So a 200 response is kept (compressed
//! as it was sent, one entry per URL and `Accept-Encoding`) under the
//! snapshot's generation ([`PublishedStore::generation`]) and the day (the
//! default list order rotates daily). The generation is read again at most
//! every [`ResponseCache::recheck`]; when it or the day has changed, every
//! entry goes. A publish by another process is therefore served at most that
//! long after its commit, and each answer is still wholly one snapshot's.
//! Memory is bounded: past [`ResponseCache::max_bytes`] of bodies, entries
//! are dropped (in the hash map's arbitrary order, i.e. at random) until the
//! new one fits with a quarter of the bound free, so a working set larger than
//! the cache keeps most of its hits instead of starting again empty.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ancrage_store::PublishedStore;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest body kept (a bigger answer is served, not kept).
const MAX_ENTRY: usize = 8 << 20;

/// Largest request body of a read-only server function (a filter form is a
/// few hundred bytes; a selection of SIRETs a few kilobytes).
const MAX_FN_REQUEST: usize = 64 << 10;

pub struct ResponseCache {
    store: PublishedStore,
    /// Longest time between two reads of the snapshot generation.
    pub recheck: Duration,
    /// Most body bytes kept at once.
    pub max_bytes: usize,
    state: Mutex<CacheState>,
    /// One gate per URL being computed: concurrent misses of the same answer
    /// (right after a publish, or when the cache started again empty) wait for
    /// the first instead of all computing it.
    inflight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Default)]
struct CacheState {
    /// (generation, day) the entries belong to.
    snapshot: Option<(i64, i64)>,
    checked: Option<Instant>,
    entries: HashMap<String, Arc<Entry>>,
    bytes: usize,
}

struct Entry {
    headers: HeaderMap,
    body: Bytes,
}

/// Paths whose GET answers depend on the published snapshot only.
fn cacheable(path: &str) -> bool {
    matches!(
        path,
        "/api/v1/establishments" | "/api/v1/basins" | "/api/v1/basins/compare" | "/api/v1/filters"
    ) || path.starts_with("/api/v1/establishments/")
        || path == "/api/fn/basins"
}

/// Server functions that only read the published snapshot (and the reference
/// data loaded at start-up): their answer depends on the request alone.
fn cacheable_fn(path: &str) -> bool {
    matches!(
        path,
        "/api/fn/list_establishments"
            | "/api/fn/map_points"
            | "/api/fn/establishment"
            | "/api/fn/compare_basins"
            | "/api/fn/search_places"
            | "/api/fn/print_list"
            | "/api/fn/filter_options"
    )
}

fn header_str(req: &Request, name: header::HeaderName) -> &str {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn today() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| (d.as_secs() / 86_400) as i64)
}

impl ResponseCache {
    /// A cache keeping at most `max_bytes` of bodies, reading the generation
    /// again at most every 500 ms.
    pub fn new(store: PublishedStore, max_bytes: usize) -> Self {
        Self {
            store,
            recheck: Duration::from_millis(500),
            max_bytes,
            state: Mutex::new(CacheState::default()),
            inflight: Mutex::new(HashMap::new()),
        }
    }

    fn gate(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.inflight
            .lock()
            .unwrap()
            .entry(key.to_string())
            .or_default()
            .clone()
    }

    fn open_gate(&self, key: &str) {
        self.inflight.lock().unwrap().remove(key);
    }

    /// The (generation, day) answers are currently cached under, reading the
    /// generation again when the last read is older than `recheck`.
    async fn snapshot(&self) -> Result<(i64, i64), ancrage_store::StoreError> {
        {
            let st = self.state.lock().unwrap();
            if let (Some(s), Some(at)) = (st.snapshot, st.checked) {
                if at.elapsed() < self.recheck && s.1 == today() {
                    return Ok(s);
                }
            }
        }
        let current = (self.store.generation().await?, today());
        let mut st = self.state.lock().unwrap();
        if st.snapshot != Some(current) {
            st.entries.clear();
            st.bytes = 0;
            st.snapshot = Some(current);
        }
        st.checked = Some(Instant::now());
        Ok(current)
    }

    fn get(&self, snapshot: (i64, i64), key: &str) -> Option<Arc<Entry>> {
        let st = self.state.lock().unwrap();
        (st.snapshot == Some(snapshot))
            .then(|| st.entries.get(key).cloned())
            .flatten()
    }

    fn put(&self, snapshot: (i64, i64), key: String, entry: Entry) {
        let mut st = self.state.lock().unwrap();
        if st.snapshot != Some(snapshot) || entry.body.len() > self.max_bytes {
            return;
        }
        if st.bytes + entry.body.len() > self.max_bytes {
            let target = (self.max_bytes - self.max_bytes / 4).saturating_sub(entry.body.len());
            let st = &mut *st;
            let mut freed = 0;
            st.entries.retain(|_, e| {
                if st.bytes - freed <= target {
                    return true;
                }
                freed += e.body.len();
                false
            });
            st.bytes -= freed;
        }
        st.bytes += entry.body.len();
        if let Some(old) = st.entries.insert(key, Arc::new(entry)) {
            st.bytes -= old.body.len();
        }
    }
}

fn respond(entry: &Entry, hit: bool) -> Response {
    let mut resp = Response::new(Body::from(entry.body.clone()));
    *resp.headers_mut() = entry.headers.clone();
    resp.headers_mut().insert(
        "x-cache",
        HeaderValue::from_static(if hit { "hit" } else { "miss" }),
    );
    resp
}

/// Middleware: serve cacheable queries from the cache, fill it on a miss.
pub async fn layer(State(cache): State<Arc<ResponseCache>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let is_get = req.method() == Method::GET && cacheable(path);
    let is_fn = cacheable_fn(path) && matches!(*req.method(), Method::GET | Method::POST);
    if !is_get && !is_fn {
        return next.run(req).await;
    }
    let Ok(snapshot) = cache.snapshot().await else {
        return next.run(req).await;
    };
    // What the answer can depend on besides the snapshot: the encoding it is
    // compressed with, and for a server function the way it was asked (a form
    // posted without JavaScript gets a redirect, not JSON) and its arguments.
    let mut key = format!(
        "{}\n{} {}",
        header_str(&req, header::ACCEPT_ENCODING),
        req.method(),
        req.uri()
    );
    let req = if is_fn {
        key.push('\n');
        key.push_str(header_str(&req, header::ACCEPT));
        key.push('\n');
        key.push_str(header_str(&req, header::CONTENT_TYPE));
        let (parts, body) = req.into_parts();
        let Ok(body) = axum::body::to_bytes(body, MAX_FN_REQUEST).await else {
            return (StatusCode::PAYLOAD_TOO_LARGE, "requête trop grande").into_response();
        };
        key.push('\n');
        key.push_str(&String::from_utf8_lossy(&body));
        Request::from_parts(parts, Body::from(body))
    } else {
        req
    };
    if let Some(entry) = cache.get(snapshot, &key) {
        return respond(&entry, true);
    }
    let gate = cache.gate(&key);
    let _turn = gate.lock().await;
    if let Some(entry) = cache.get(snapshot, &key) {
        return respond(&entry, true);
    }
    let resp = next.run(req).await;
    if resp.status() != StatusCode::OK {
        cache.open_gate(&key);
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    // These answers are built whole in memory (JSON) before being sent, so
    // collecting the body costs no more memory than sending it.
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            cache.open_gate(&key);
            tracing::error!("response body: {e}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    let entry = Entry {
        headers: parts.headers,
        body,
    };
    let resp = respond(&entry, false);
    if entry.body.len() <= MAX_ENTRY {
        cache.put(snapshot, key.clone(), entry);
    }
    cache.open_gate(&key);
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::bench_data::tests::template;
    use tower::ServiceExt;

    async fn get(app: &axum::Router, uri: &str) -> (StatusCode, Option<String>, serde_json::Value) {
        let resp = app
            .clone()
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let cache = resp
            .headers()
            .get("x-cache")
            .map(|v| v.to_str().unwrap().to_string());
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, cache, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn answers_are_kept_until_another_snapshot_is_published() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/published.db", dir.path().display());
        let store = one_row_store(dir.path()).await;
        let mut cache = ResponseCache::new(store.clone(), 1 << 20);
        cache.recheck = Duration::ZERO;
        let app = crate::api_v1::router(store.clone())
            .layer(axum::middleware::from_fn_with_state(Arc::new(cache), layer));

        let (status, first, body) = get(&app, "/api/v1/establishments?bassin=691").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(first.as_deref(), Some("miss"));
        assert_eq!(body["total"], 1);
        let (_, again, same) = get(&app, "/api/v1/establishments?bassin=691").await;
        assert_eq!(again.as_deref(), Some("hit"));
        assert_eq!(same, body);
        // Another URL is another answer.
        let (_, other, none) = get(&app, "/api/v1/establishments?bassin=751").await;
        assert_eq!(other.as_deref(), Some("miss"));
        assert_eq!(none["total"], 0);

        // Another process publishes a new snapshot: the next answer is its.
        let ingest = PublishedStore::open(&url).await.unwrap();
        ingest
            .publish(&[template("11111111100011"), template("22222222200022")])
            .await
            .unwrap();
        let (_, after, body) = get(&app, "/api/v1/establishments?bassin=691").await;
        assert_eq!(after.as_deref(), Some("miss"));
        assert_eq!(body["total"], 2);

        // Errors are answered each time, never kept.
        for _ in 0..2 {
            let (status, cache, body) = get(&app, "/api/v1/basins/compare?bassins=691,zz").await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert_eq!(cache, None);
            assert!(body["erreur"].as_str().unwrap().contains("zz"), "{body}");
        }
    }

    /// A published store in `dir` (`published.db`) holding one establishment.
    pub(super) async fn one_row_store(dir: &std::path::Path) -> PublishedStore {
        let url = format!("sqlite://{}/published.db", dir.display());
        let store = PublishedStore::open(&url).await.unwrap();
        store.publish(&[template("11111111100011")]).await.unwrap();
        store
    }

    /// The API over a store of one establishment in `dir`, behind a cache of
    /// `capacity(one)` bytes, `one` being the size of its default list answer.
    async fn api_with_cache(
        dir: &std::path::Path,
        capacity: impl Fn(usize) -> usize,
    ) -> (axum::Router, Arc<ResponseCache>, usize) {
        let store = one_row_store(dir).await;
        let one = serde_json::to_vec(
            &store
                .list(&ancrage_published::ListFilter::default())
                .await
                .unwrap(),
        )
        .unwrap()
        .len();
        let cache = Arc::new(ResponseCache::new(store.clone(), capacity(one)));
        let app = crate::api_v1::router(store)
            .layer(axum::middleware::from_fn_with_state(cache.clone(), layer));
        (app, cache, one)
    }

    #[tokio::test]
    async fn memory_stays_under_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        // Room for one list answer of this store, not two.
        let (app, cache, one) = api_with_cache(dir.path(), |one| one + one / 2).await;
        assert_eq!(
            get(&app, "/api/v1/establishments").await.1.as_deref(),
            Some("miss")
        );
        assert_eq!(
            get(&app, "/api/v1/establishments").await.1.as_deref(),
            Some("hit")
        );
        assert_eq!(
            get(&app, "/api/v1/establishments?page=0")
                .await
                .1
                .as_deref(),
            Some("miss")
        );
        assert!(cache.state.lock().unwrap().bytes <= one + one / 2);
        // The first answer had to go to make room.
        assert_eq!(
            get(&app, "/api/v1/establishments").await.1.as_deref(),
            Some("miss")
        );
    }

    /// A full cache drops what it must, not everything: with room for three
    /// answers and a quarter kept free, a fourth leaves one of the first three.
    #[tokio::test]
    async fn a_full_cache_keeps_part_of_its_answers() {
        let dir = tempfile::tempdir().unwrap();
        let (app, cache, one) = api_with_cache(dir.path(), |one| one * 7 / 2).await;
        // Four URLs with the same answer (page 0 is the default page).
        let urls = [
            "/api/v1/establishments",
            "/api/v1/establishments?page=0",
            "/api/v1/establishments?tri=score",
            "/api/v1/establishments?page=0&tri=score",
        ];
        for u in &urls {
            assert_eq!(get(&app, u).await.1.as_deref(), Some("miss"));
        }
        let kept: Vec<String> = {
            let st = cache.state.lock().unwrap();
            assert_eq!(st.bytes, 2 * one);
            st.entries.keys().cloned().collect()
        };
        assert_eq!(kept.len(), 2, "the fourth and one of the first three");
        assert!(kept.iter().any(|k| k.ends_with(&format!(" {}", urls[3]))));
        // The one kept is still answered from the cache.
        let first = urls[..3]
            .iter()
            .find(|u| kept.iter().any(|k| k.ends_with(&format!(" {u}"))))
            .unwrap();
        assert_eq!(get(&app, first).await.1.as_deref(), Some("hit"));
    }
}

#[cfg(test)]
mod single_flight {
    use super::tests::one_row_store;
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_misses_compute_the_answer_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = one_row_store(dir.path()).await;
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let app = axum::Router::new()
            .route(
                "/api/v1/basins",
                axum::routing::get(move || {
                    let counted = counted.clone();
                    async move {
                        counted.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        "[]"
                    }
                }),
            )
            .layer(axum::middleware::from_fn_with_state(
                Arc::new(ResponseCache::new(store, 1 << 20)),
                layer,
            ));
        let requests = (0..8).map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                let resp = app
                    .oneshot(Request::get("/api/v1/basins").body(Body::empty()).unwrap())
                    .await
                    .unwrap();
                let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
                    .await
                    .unwrap();
                assert_eq!(&body[..], b"[]");
            })
        });
        for r in requests.collect::<Vec<_>>() {
            r.await.unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    /// A read-only server function's POST is answered from the cache when the
    /// same form comes again; its body still reaches the function on a miss.
    #[tokio::test]
    async fn server_function_posts_are_kept_by_their_body() {
        let dir = tempfile::tempdir().unwrap();
        let store = one_row_store(dir.path()).await;
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let echo = move |body: String| {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                format!("got {body}")
            }
        };
        let app = axum::Router::new()
            .route(
                "/api/fn/list_establishments",
                axum::routing::post(echo.clone()),
            )
            .route("/api/fn/other", axum::routing::post(echo))
            .layer(axum::middleware::from_fn_with_state(
                Arc::new(ResponseCache::new(store, 1 << 20)),
                layer,
            ));
        let post = |path: &'static str, body: &'static str| {
            let app = app.clone();
            async move {
                let resp = app
                    .oneshot(
                        Request::post(path)
                            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                            .body(Body::from(body))
                            .unwrap(),
                    )
                    .await
                    .unwrap();
                let cache = resp
                    .headers()
                    .get("x-cache")
                    .map(|v| v.to_str().unwrap().to_string());
                let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
                    .await
                    .unwrap();
                (cache, String::from_utf8(body.to_vec()).unwrap())
            }
        };
        let list = "/api/fn/list_establishments";
        assert_eq!(
            post(list, "filter[bassin]=691").await,
            (Some("miss".into()), "got filter[bassin]=691".into())
        );
        assert_eq!(
            post(list, "filter[bassin]=691").await,
            (Some("hit".into()), "got filter[bassin]=691".into())
        );
        assert_eq!(
            post(list, "filter[bassin]=751").await,
            (Some("miss".into()), "got filter[bassin]=751".into())
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // A server function not known to be read-only is never kept.
        for _ in 0..2 {
            assert_eq!(post("/api/fn/other", "x=1").await, (None, "got x=1".into()));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }
}
