//! The real `ancrage` binary, end to end: ingest the engine's hand-built DSN
//! fixtures, then serve them and talk HTTP to the server.
//!
//! Expected values come from the fixtures' story (crates/engine/tests/fixtures/README.md,
//! worked out by hand there): establishment A `12345678900011` has 7 person-level
//! hires, B `98765432100022` has 2, the temp agency T `55555555500033` none.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ancrage_engine::{IdKind, Pseudonymiser};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn ancrage(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ancrage"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run ancrage")
}

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http(port: u16, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text[9..12].parse().unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|x| x.1)
        .unwrap_or("")
        .to_string();
    (status, body)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn ingest_then_serve_the_fixtures() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/published.db", tmp.path().display());
    let work = tmp.path().join("work");
    let key = tmp.path().join("key");
    let fixtures = root().join("crates/engine/tests/fixtures");
    let out = ancrage(&[
        "--database-url",
        &db,
        "ingest",
        fixtures.to_str().unwrap(),
        "--key-file",
        key.to_str().unwrap(),
        "--work-dir",
        work.to_str().unwrap(),
        "--quiet",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ingest failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 89 monthly files + 4 hand-written ones; three establishments.
    assert!(
        stdout.contains("93 fichier(s) lus (93 nouveaux"),
        "{stdout}"
    );
    assert!(stdout.contains("3 établissements publiés"), "{stdout}");

    // The admin view: A's hires as worked out by hand in the fixtures.
    let out = ancrage(&[
        "inspect",
        "12345678900011",
        "--json",
        "--work-dir",
        work.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hires"], 7);
    assert_eq!(v["siret"], "12345678900011");
    let out = ancrage(&[
        "inspect",
        "00000000000000",
        "--work-dir",
        work.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));

    // The published store holds aggregates only: no NIR, NTT or name, no
    // pseudonymised identifier (hex or raw), no person-level row.
    let mut published = std::fs::read(tmp.path().join("published.db")).unwrap();
    if let Ok(wal) = std::fs::read(tmp.path().join("published.db-wal")) {
        published.extend(wal);
    }
    let work_db = std::fs::read(work.join("work.db")).unwrap();
    let key = std::fs::read_to_string(&key).unwrap();
    let ps = Pseudonymiser::new(&hex::decode(key.trim()).unwrap());
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    for (id, ntt) in PERSONS {
        let kind = if *ntt { IdKind::Ntt } else { IdKind::Nir };
        let pk = ps.key(kind, id);
        assert!(!contains(&published, id.as_bytes()), "{id} published");
        assert!(!contains(&published, &pk.0), "key of {id} published");
        assert!(
            !contains(&published, pk.to_string().as_bytes()),
            "hex key of {id} published"
        );
        // The private working store has pseudonymised keys, never the identifier.
        assert!(
            !contains(&work_db, id.as_bytes()),
            "{id} in the working store"
        );
    }
    assert!(
        PERSONS.iter().any(|(id, ntt)| {
            let kind = if *ntt { IdKind::Ntt } else { IdKind::Nir };
            contains(&work_db, &ps.key(kind, id).0)
        }),
        "the working store keys persons by pseudonym (else this test checks nothing)"
    );
    for name in NAMES {
        assert!(!contains(&published, name.as_bytes()), "{name} published");
        assert!(
            !contains(&work_db, name.as_bytes()),
            "{name} in the working store"
        );
    }
    // No table has more rows than there are establishments (3): 10 persons
    // and 14 contracts have nowhere to go.
    for (table, rows) in published_table_rows(&db) {
        assert!(rows <= 3, "table {table} has {rows} rows");
    }

    let port = free_port();
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_ancrage"))
            .args([
                "--database-url",
                &db,
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
            ])
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let t0 = Instant::now();
    while http_ok(port).is_none() {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Server-side rendered list, usable without JavaScript.
    let (status, page) = http(port, "GET", "/?tri=hires", "");
    assert_eq!(status, 200);
    assert!(page.contains("3 établissements"), "list count missing");
    let a = page
        .find("data-siret=\"12345678900011\"")
        .expect("A listed");
    let b = page
        .find("data-siret=\"98765432100022\"")
        .expect("B listed");
    assert!(a < b, "sorted by hires: A (7) before B (2)");

    // Secrecy: B's shares rest on 2 people and are not published.
    let (status, card) = http(
        port,
        "POST",
        "/api/fn/establishment",
        "siret=98765432100022",
    );
    assert_eq!(status, 200, "{card}");
    let card: serde_json::Value = serde_json::from_str(&card).unwrap();
    assert!(
        card["summary"]["hires"].is_null(),
        "2 hires: below 5, not published"
    );
    assert!(card["summary"]["women_share"].is_null());
    assert!(card["hires_women"].is_null());

    // A bad filter value is a clear message naming the value.
    let (_, body) = http(
        port,
        "POST",
        "/api/fn/list_establishments",
        "filter[band]=super&filter[page]=0&filter[per_page]=0",
    );
    assert!(body.contains("Catégorie de score inconnue"), "{body}");
}

/// NIR and NTT of the fixtures' persons (crates/engine/tests/common/mod.rs), `true` for an NTT.
const PERSONS: &[(&str, bool)] = &[
    ("2000575111001", false),
    ("1700375111002", false),
    ("2850775111003", false),
    ("2123456789003", true),
    ("1900175111004", false),
    ("2980875111005", false),
    ("1750675111006", false),
    ("2601275111007", false),
    ("1030375111008", false),
    ("1950175111009", false),
    ("2800175111010", false),
    ("1880475111011", false),
];
const NAMES: &[&str] = &[
    "ALICE", "BRUNO", "CHLOE", "DAVID", "EMMA", "FARID", "GINA", "HUGO", "GHOST", "IRIS", "JULES",
];

/// Row count of every table of the published store (migrations bookkeeping aside).
fn published_table_rows(url: &str) -> Vec<(String, i64)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = ancrage_store::PublishedStore::open(url).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' \
             AND name NOT LIKE 'sqlite%'",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert!(tables.iter().any(|t| t == "establishment"), "{tables:?}");
        let mut out = Vec::new();
        for t in tables {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{t}\""))
                .fetch_one(store.pool())
                .await
                .unwrap();
            out.push((t, n));
        }
        out
    })
}

fn http_ok(port: u16) -> Option<()> {
    TcpStream::connect(("127.0.0.1", port)).ok()?;
    let (status, body) = http(port, "GET", "/healthz", "");
    (status == 200 && body.contains("ok")).then_some(())
}
