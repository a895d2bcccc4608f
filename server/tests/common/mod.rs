//! Helpers shared by the ingest tests: run the real binary, read both stores.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn fixtures() -> PathBuf {
    root().join("crates/engine/tests/fixtures")
}

/// One deployment: a published store, a working directory and a key, in `dir`.
pub struct Site {
    pub dir: PathBuf,
}

impl Site {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }
    pub fn db_url(&self) -> String {
        format!("sqlite://{}/published.db", self.dir.display())
    }
    pub fn work(&self) -> PathBuf {
        self.dir.join("work")
    }
    /// Arguments of `ancrage ingest PATHS` on this site.
    pub fn ingest_args(&self, paths: &[PathBuf]) -> Vec<String> {
        let mut args = vec![
            "--database-url".to_string(),
            self.db_url(),
            "ingest".into(),
            "--key-file".into(),
            self.dir.join("key").display().to_string(),
            "--work-dir".into(),
            self.work().display().to_string(),
            "--refdata".into(),
            self.dir.join("no-refdata").display().to_string(),
            "--quiet".into(),
        ];
        args.extend(paths.iter().map(|p| p.display().to_string()));
        args
    }
    /// Run an ingest to its end; panics on failure. Returns stdout.
    pub fn ingest(&self, paths: &[PathBuf]) -> String {
        let out = ancrage(&self.ingest_args(paths));
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "ingest failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }
    /// `ancrage inspect SIRET --json`.
    pub fn inspect(&self, siret: &str) -> serde_json::Value {
        let out = ancrage(&[
            "inspect".into(),
            siret.into(),
            "--json".into(),
            "--work-dir".into(),
            self.work().display().to_string(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
    /// Everything the published store serves: every establishment's card, as JSON.
    pub fn published(&self) -> String {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let store = ancrage_store::PublishedStore::open(&self.db_url())
                .await
                .unwrap();
            let list = store.list_all(&Default::default()).await.unwrap();
            let mut cards = Vec::new();
            for s in &list {
                cards.push(store.detail(&s.siret).await.unwrap().unwrap());
            }
            // Closed before returning: a connection left to close later would
            // checkpoint and unlink the WAL by path, under the next copy of the site.
            store.close().await;
            serde_json::to_string_pretty(&cards).unwrap()
        })
    }
    /// The working store's contents: status and engine results.
    pub fn working(&self) -> (ancrage_work::Status, Vec<(String, String)>) {
        let store = ancrage_work::WorkStore::open_existing(&self.work()).unwrap();
        (store.status().unwrap(), store.scored().unwrap())
    }
}

pub fn ancrage<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ancrage"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run ancrage")
}

/// Every `.dsn` file under `dir`, sorted.
pub fn dsn_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "dsn") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
