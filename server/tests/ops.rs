//! Operations of `ancrage serve`: health check, cache headers of static assets
//! and of the grid's GeoJSON, compression, one log line a request, graceful
//! shutdown on SIGTERM.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Status line, lower-cased headers and body of one request.
fn get(port: u16, path: &str, extra: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if header(&headers, "transfer-encoding") == Some("chunked") {
        body = dechunk(&body);
    }
    (status, headers, body)
}

/// The body of a `Transfer-Encoding: chunked` answer (size in hex, CRLF, data, CRLF …).
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&raw[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 2 + size + 2..];
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(unix)]
/// `ancrage serve` on a free port of loopback over an empty store in `dir`,
/// logging to `log` (`ANCRAGE_LOG_FORMAT` set to `log_format` when given).
fn spawn_serve(
    dir: &std::path::Path,
    site: &std::path::Path,
    log: &std::path::Path,
    log_format: Option<&str>,
) -> (std::process::Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ancrage"));
    cmd.args([
        "--database-url",
        &format!("sqlite://{}", dir.join("published.db").display()),
        "serve",
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--site-root",
        site.to_str().unwrap(),
        "--refdata",
        dir.join("no-refdata").to_str().unwrap(),
        "--tile-url",
        "https://tuiles.example.org/{z}/{x}/{y}.png",
        "--tile-attribution",
        "© Exemple",
    ])
    .env_remove("RUST_LOG")
    .env_remove("ANCRAGE_LOG_FORMAT")
    .stdout(Stdio::null())
    .stderr(std::fs::File::create(log).unwrap());
    if let Some(f) = log_format {
        cmd.env("ANCRAGE_LOG_FORMAT", f);
    }
    let child = cmd.spawn().unwrap();
    let t0 = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port)
}

/// SIGTERM, then the exit status must be 0 within 10 s (graceful shutdown).
fn terminate(child: &mut std::process::Child) {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t0.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("still running 10 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}

#[test]
fn request_logs_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    let log = dir.path().join("serve.log");
    let (mut child, port) = spawn_serve(dir.path(), &site, &log, Some("json"));
    assert_eq!(get(port, "/healthz", "").0, 200);
    terminate(&mut child);
    let log = std::fs::read_to_string(&log).unwrap();
    // Every line is one JSON object; the request's line carries its span's
    // method and URI and the response's status.
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let request = lines
        .iter()
        .find(|v| v["span"]["uri"] == "/healthz")
        .unwrap_or_else(|| panic!("no request line in:\n{log}"));
    assert_eq!(request["level"], "INFO");
    assert_eq!(request["span"]["method"], "GET");
    assert_eq!(request["fields"]["status"].to_string(), "200");
    assert!(request["fields"]["latency"].is_string(), "{request}");
}

#[test]
fn health_cache_headers_compression_logs_and_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(site.join("favicon.svg"), "<svg/>").unwrap();
    std::fs::write(site.join("pkg/ancrage.js"), "export {};\n".repeat(20)).unwrap();
    // What scripts/build-site.sh writes beside each asset (contents stand-ins).
    std::fs::write(site.join("pkg/ancrage.js.br"), "brotli bytes").unwrap();
    std::fs::write(site.join("pkg/ancrage.js.gz"), "gzip bytes").unwrap();
    let log = dir.path().join("serve.log");
    let (mut child, port) = spawn_serve(dir.path(), &site, &log, None);

    let (status, _, body) = get(port, "/healthz", "");
    assert_eq!((status, body.as_slice()), (200, b"ok".as_slice()));

    for path in ["/favicon.svg", "/pkg/ancrage.js"] {
        let (status, headers, _) = get(port, path, "");
        assert_eq!(status, 200, "{path}");
        assert_eq!(
            header(&headers, "cache-control"),
            Some("public, max-age=3600"),
            "{path}"
        );
    }
    // Pre-compressed assets: brotli when accepted, else gzip, else the file;
    // always as JavaScript, never compressed a second time.
    for (accept, encoding, body) in [
        (
            "Accept-Encoding: gzip, deflate, br, zstd\r\n",
            Some("br"),
            "brotli bytes",
        ),
        ("Accept-Encoding: gzip\r\n", Some("gzip"), "gzip bytes"),
        ("", None, "export {};\n"),
    ] {
        let (status, headers, got) = get(port, "/pkg/ancrage.js", accept);
        assert_eq!(status, 200);
        assert_eq!(header(&headers, "content-encoding"), encoding, "{accept}");
        assert!(
            header(&headers, "content-type").is_some_and(|t| t.contains("javascript")),
            "{headers:?}"
        );
        assert!(String::from_utf8_lossy(&got).starts_with(body), "{accept}");
    }
    // The grid's GeoJSON (basemap) is cached a day by browsers.
    let (status, headers, body) = get(port, "/api/fn/basemap", "");
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "cache-control"),
        Some("public, max-age=86400")
    );
    // The optional tile layer configured on the command line reaches the map
    // (even without reference data: tiles alone are a usable background).
    let basemap: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        basemap["tile_url"],
        "https://tuiles.example.org/{z}/{x}/{y}.png"
    );
    assert_eq!(basemap["tile_attribution"], "© Exemple");
    assert_eq!(basemap["basins"], "");

    // Compressed when asked for, plain otherwise.
    let (_, plain_headers, plain) = get(port, "/api/v1/openapi.json", "");
    assert_eq!(header(&plain_headers, "content-encoding"), None);
    let (status, headers, gz) = get(port, "/api/v1/openapi.json", "Accept-Encoding: gzip\r\n");
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
    assert_eq!(&gz[..2], &[0x1f, 0x8b], "gzip magic");
    assert!(
        gz.len() * 2 < plain.len(),
        "{} vs {}",
        gz.len(),
        plain.len()
    );

    // Graceful shutdown on SIGTERM: exit status 0.
    terminate(&mut child);

    // One INFO line a request, with its fields.
    let log = std::fs::read_to_string(&log).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("uri=/healthz"))
        .unwrap_or_else(|| panic!("no request line in:\n{log}"));
    assert!(line.contains("INFO"), "{line}");
    assert!(line.contains("method=GET"), "{line}");
    assert!(line.contains("status=200"), "{line}");
    assert!(line.contains("latency="), "{line}");
    assert!(log.contains("shutting down"), "{log}");
}
