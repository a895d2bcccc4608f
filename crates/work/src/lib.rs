//! The private working store: what `ancrage ingest` keeps between runs.
//!
//! One SQLite file (`work.db` in the working directory) holds, for every DSN
//! file ever ingested (identified by the SHA-256 of its bytes), the engine's
//! pseudonymised observations: the headers of its monthly declarations (a
//! small per-establishment-month table), its identity links (NTT key, NIR
//! key) and its individuals, encoded by [`ancrage_engine::Recorder`] in 64
//! person buckets (plus one for NTT-only individuals), stored as chunks. A
//! recompute replays the store without re-reading any DSN, one group of
//! buckets at a time ([`ancrage_engine::partition::indicators`]), so memory
//! stays bounded whatever the volume. The engine's last output (before
//! secrecy) is kept in the `scored` table for `inspect` and `validate`.
//!
//! No clear NIR, NTT or name ever reaches this store: the engine replaces
//! identifiers by keyed hashes before anything is written. It is private all
//! the same (person-level, pseudonymised): `ancrage serve` never opens it.
//!
//! Crash safety: an ingest is one SQLite transaction ([`Batch`]): new files,
//! their observations, the recomputed `scored` rows and the generation number
//! are committed together, or not at all (a `kill -9` leaves a hot journal
//! that SQLite rolls back on the next open). The generation that was last
//! published is recorded after the published store commits
//! ([`WorkStore::mark_published`]), so an ingest killed between the two
//! commits is detected and republished by the next one.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ancrage_engine::observe::DecodeError;
use ancrage_engine::partition::{self, MonthlyHeader, PartitionReport, Source};
use ancrage_engine::{DeclObs, EstablishmentIndicators, IngestStats, PersonKey, Recorder, BUCKETS};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// File name of the store inside the working directory.
pub const WORK_FILE: &str = "work.db";
const SCHEMA: &str = "1";
/// A bucket's buffer is written as a chunk once it holds this many bytes.
const CHUNK_BYTES: usize = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    #[error("working store {path}: {source}")]
    Sqlite {
        path: String,
        source: rusqlite::Error,
    },
    #[error("working store {0}: observations are corrupt ({1})")]
    Decode(String, DecodeError),
    #[error(
        "working store {0} was built with another pseudonymisation key: use the same key file, \
         or another working directory"
    )]
    KeyMismatch(String),
    #[error("working store {0}: {1}")]
    Invalid(String, String),
    #[error("{0}: no working store yet (run `ancrage ingest` first)")]
    Missing(String),
}

impl From<DecodeError> for WorkError {
    fn from(e: DecodeError) -> Self {
        WorkError::Decode(String::new(), e)
    }
}

type Result<T> = std::result::Result<T, WorkError>;

/// What the store holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// Ingests that added files.
    pub generation: u64,
    /// Last generation whose results reached the published store.
    pub published_generation: u64,
    /// Content hashes of every ingested file, sorted.
    pub files: Vec<String>,
    pub declarations: u64,
    pub chunks: u64,
    pub chunk_bytes: u64,
}

/// Handle on `work.db`.
pub struct WorkStore {
    conn: Connection,
    path: String,
    buckets: u32,
}

const SCHEMA_SQL: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS file (
    id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    bytes INTEGER NOT NULL, generation INTEGER NOT NULL, stats TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS establishment (id INTEGER PRIMARY KEY, siret TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS declaration (
    id INTEGER PRIMARY KEY, file INTEGER NOT NULL, estab INTEGER NOT NULL,
    month INTEGER NOT NULL, frac_n INTEGER NOT NULL, frac_d INTEGER NOT NULL,
    ord INTEGER NOT NULL, replace INTEGER NOT NULL, fp INTEGER NOT NULL,
    naf TEXT, postcode TEXT, town TEXT, workplace TEXT);
CREATE INDEX IF NOT EXISTS declaration_estab_month ON declaration (estab, month, id);
CREATE TABLE IF NOT EXISTS link (ntt BLOB NOT NULL, nir BLOB NOT NULL, PRIMARY KEY (ntt, nir))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chunk (
    id INTEGER PRIMARY KEY, bucket INTEGER NOT NULL, generation INTEGER NOT NULL,
    data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS chunk_bucket ON chunk (bucket, id);
CREATE TABLE IF NOT EXISTS scored (siret TEXT PRIMARY KEY, record TEXT NOT NULL);
";

impl WorkStore {
    /// Open `dir/work.db`, creating it (and `dir`) if needed. `key_check`
    /// identifies the pseudonymisation key (a keyed hash of a constant): a
    /// store is only ever extended with the key it was built with.
    pub fn open(dir: &Path, key_check: &str) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| {
            WorkError::Invalid(dir.display().to_string(), format!("cannot create: {e}"))
        })?;
        let mut store = Self::connect(&dir.join(WORK_FILE))?;
        store.init(key_check)?;
        Ok(store)
    }

    /// Open an existing store (admin tools), whatever its key.
    pub fn open_existing(dir: &Path) -> Result<Self> {
        let path = dir.join(WORK_FILE);
        if !path.is_file() {
            return Err(WorkError::Missing(path.display().to_string()));
        }
        let mut store = Self::connect(&path)?;
        store.buckets = store
            .meta("buckets")?
            .and_then(|b| b.parse().ok())
            .ok_or_else(|| WorkError::Invalid(store.path.clone(), "not initialised".into()))?;
        Ok(store)
    }

    fn connect(path: &PathBuf) -> Result<Self> {
        let shown = path.display().to_string();
        let sql = |source| WorkError::Sqlite {
            path: shown.clone(),
            source,
        };
        let conn = Connection::open(path).map_err(sql)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(sql)?;
        // Rollback journal (not WAL): a large ingest appends pages that need
        // no journaling, and a killed one is rolled back on the next open.
        conn.execute_batch(
            "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; PRAGMA cache_size = -32768;",
        )
        .map_err(sql)?;
        Ok(Self {
            conn,
            path: shown,
            buckets: BUCKETS,
        })
    }

    fn sql(&self, source: rusqlite::Error) -> WorkError {
        WorkError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn init(&mut self, key_check: &str) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_err(&self.path, e))?;
        tx.execute_batch(SCHEMA_SQL)
            .map_err(|e| sql_err(&self.path, e))?;
        for (k, v) in [
            ("schema", SCHEMA.to_string()),
            ("key_check", key_check.to_string()),
            ("buckets", BUCKETS.to_string()),
            ("generation", "0".into()),
            ("published_generation", "0".into()),
            ("next_decl", "0".into()),
        ] {
            tx.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
                params![k, v],
            )
            .map_err(|e| sql_err(&self.path, e))?;
        }
        tx.commit().map_err(|e| sql_err(&self.path, e))?;
        if self.meta("schema")?.as_deref() != Some(SCHEMA) {
            return Err(WorkError::Invalid(
                self.path.clone(),
                "unknown schema version".into(),
            ));
        }
        if self.meta("key_check")?.as_deref() != Some(key_check) {
            return Err(WorkError::KeyMismatch(self.path.clone()));
        }
        self.buckets = self
            .meta("buckets")?
            .and_then(|b| b.parse().ok())
            .ok_or_else(|| WorkError::Invalid(self.path.clone(), "bad bucket count".into()))?;
        Ok(())
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql(e))
    }

    fn meta_u64(&self, key: &str) -> Result<u64> {
        Ok(self.meta(key)?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Content hashes of the files already ingested.
    pub fn known_files(&self) -> Result<HashSet<String>> {
        let mut st = self
            .conn
            .prepare("SELECT hash FROM file")
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.sql(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.sql(e))
    }

    pub fn status(&self) -> Result<Status> {
        let mut files: Vec<String> = self.known_files()?.into_iter().collect();
        files.sort();
        let count = |sql: &str| -> Result<u64> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(|e| self.sql(e))
        };
        Ok(Status {
            generation: self.meta_u64("generation")?,
            published_generation: self.meta_u64("published_generation")?,
            files,
            declarations: count("SELECT COUNT(*) FROM declaration")?,
            chunks: count("SELECT COUNT(*) FROM chunk")?,
            chunk_bytes: count("SELECT COALESCE(SUM(LENGTH(data)), 0) FROM chunk")?,
        })
    }

    /// The scored records of the last ingest (JSON), sorted by SIRET.
    pub fn scored(&self) -> Result<Vec<(String, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT siret, record FROM scored ORDER BY siret")
            .map_err(|e| self.sql(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.sql(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.sql(e))
    }

    /// Record that `generation`'s results are in the published store.
    pub fn mark_published(&mut self, generation: u64) -> Result<()> {
        self.conn
            .execute(
                "UPDATE meta SET value = ?1 WHERE key = 'published_generation'",
                [generation.to_string()],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Start an ingest: one transaction, taking the store's write lock (a
    /// second ingest waits, then fails with "database is locked").
    pub fn begin(&mut self) -> Result<Batch<'_>> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_err(&path, e))?;
        let q = |sql: &str| -> Result<i64> {
            tx.query_row(sql, [], |r| r.get(0))
                .map_err(|e| sql_err(&path, e))
        };
        let next_file = q("SELECT COALESCE(MAX(id), -1) + 1 FROM file")?;
        let next_estab = q("SELECT COUNT(*) FROM establishment")?;
        let next_decl: i64 = q("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_decl'")?;
        let generation: i64 =
            q("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'")?;
        let mut estab_ids = std::collections::HashMap::new();
        {
            let mut st = tx
                .prepare("SELECT siret, id FROM establishment")
                .map_err(|e| sql_err(&path, e))?;
            let rows = st
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                .map_err(|e| sql_err(&path, e))?;
            for row in rows {
                let (s, id) = row.map_err(|e| sql_err(&path, e))?;
                estab_ids.insert(s, id as u32);
            }
        }
        Ok(Batch {
            recorder: Recorder::new(self.buckets),
            buckets: self.buckets,
            tx,
            path,
            estab_ids,
            next_file,
            next_estab: next_estab as u32,
            next_decl: next_decl as u32,
            generation: generation as u64 + 1,
            new_files: 0,
        })
    }
}

fn sql_err(path: &str, source: rusqlite::Error) -> WorkError {
    WorkError::Sqlite {
        path: path.to_string(),
        source,
    }
}

/// One ingest's transaction. Dropped without [`commit`](Self::commit), it
/// leaves the store as it was.
pub struct Batch<'a> {
    tx: rusqlite::Transaction<'a>,
    path: String,
    recorder: Recorder,
    buckets: u32,
    estab_ids: std::collections::HashMap<String, u32>,
    next_file: i64,
    next_estab: u32,
    next_decl: u32,
    generation: u64,
    new_files: usize,
}

impl Batch<'_> {
    fn sql(&self, source: rusqlite::Error) -> WorkError {
        sql_err(&self.path, source)
    }

    /// A file id for a new file (its row is written by [`add_file`](Self::add_file)).
    pub fn file_id(&mut self) -> i64 {
        self.next_file += 1;
        self.next_file - 1
    }

    /// Store one declaration of file `file`.
    pub fn add_declaration(&mut self, file: i64, d: &DeclObs) -> Result<()> {
        let estab = match self.estab_ids.get(&d.siret) {
            Some(id) => *id,
            None => {
                let id = self.next_estab;
                self.tx
                    .prepare_cached("INSERT INTO establishment (id, siret) VALUES (?1, ?2)")
                    .and_then(|mut st| st.execute(params![id, d.siret]))
                    .map_err(|e| self.sql(e))?;
                self.next_estab += 1;
                self.estab_ids.insert(d.siret.clone(), id);
                id
            }
        };
        let decl = self.next_decl;
        self.next_decl = decl
            .checked_add(1)
            .ok_or_else(|| WorkError::Invalid(self.path.clone(), "too many declarations".into()))?;
        if let (true, Some(month)) = (d.monthly, d.month) {
            self.tx
                .prepare_cached(
                    "INSERT INTO declaration (id, file, estab, month, frac_n, frac_d, ord, \
                     replace, fp, naf, postcode, town, workplace) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )
                .and_then(|mut st| {
                    st.execute(params![
                        decl,
                        file,
                        estab,
                        month,
                        d.frac.0,
                        d.frac.1,
                        d.order as i64,
                        d.replace,
                        d.fp as i64,
                        d.info.naf,
                        d.info.postcode,
                        d.info.town,
                        d.info.workplace_commune,
                    ])
                })
                .map_err(|e| self.sql(e))?;
        }
        for i in &d.individuals {
            if let Some(ntt) = i.ntt {
                self.tx
                    .prepare_cached("INSERT OR IGNORE INTO link (ntt, nir) VALUES (?1, ?2)")
                    .and_then(|mut st| st.execute(params![&ntt.0[..], &i.key.0[..]]))
                    .map_err(|e| self.sql(e))?;
            }
        }
        self.recorder.record(decl, estab, d);
        let full: Vec<u32> = self
            .recorder
            .sizes()
            .filter(|(_, n)| *n >= CHUNK_BYTES)
            .map(|(b, _)| b)
            .collect();
        for b in full {
            self.flush(b)?;
        }
        Ok(())
    }

    fn flush(&mut self, b: u32) -> Result<()> {
        let data = self.recorder.take(b);
        if data.is_empty() {
            return Ok(());
        }
        self.tx
            .prepare_cached("INSERT INTO chunk (bucket, generation, data) VALUES (?1, ?2, ?3)")
            .and_then(|mut st| st.execute(params![b, self.generation as i64, data]))
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Record file `file` (after its declarations) as ingested.
    pub fn add_file(
        &mut self,
        file: i64,
        hash: &str,
        name: &str,
        bytes: u64,
        stats: &IngestStats,
    ) -> Result<()> {
        let stats = serde_json::to_string(stats).expect("stats serialise");
        self.tx
            .prepare_cached(
                "INSERT INTO file (id, hash, name, bytes, generation, stats) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    file,
                    hash,
                    name,
                    bytes as i64,
                    self.generation as i64,
                    stats
                ])
            })
            .map_err(|e| self.sql(e))?;
        self.new_files += 1;
        Ok(())
    }

    /// Files added in this batch.
    pub fn new_files(&self) -> usize {
        self.new_files
    }

    /// Recompute the indicators from everything in the store (this batch
    /// included), one group of at most `max_group_bytes` encoded bytes at a time.
    pub fn indicators(
        &mut self,
        max_group_bytes: u64,
    ) -> Result<(Vec<EstablishmentIndicators>, PartitionReport, IngestStats)> {
        for b in 0..=self.buckets {
            self.flush(b)?;
        }
        let mut stats = IngestStats::default();
        {
            let mut st = self
                .tx
                .prepare("SELECT name, stats FROM file")
                .map_err(|e| self.sql(e))?;
            let mut rows = st.query([]).map_err(|e| self.sql(e))?;
            while let Some(row) = rows.next().map_err(|e| self.sql(e))? {
                let name: String = row.get(0).map_err(|e| self.sql(e))?;
                let text: String = row.get(1).map_err(|e| self.sql(e))?;
                let s: IngestStats = serde_json::from_str(&text).map_err(|e| {
                    WorkError::Invalid(self.path.clone(), format!("{name}: bad stats: {e}"))
                })?;
                add_stats(&mut stats, &s);
            }
        }
        let path = self.path.clone();
        let (inds, report) = partition::indicators(self, max_group_bytes).map_err(|e| match e {
            WorkError::Decode(_, d) => WorkError::Decode(path.clone(), d),
            e => e,
        })?;
        stats.monthly_replaced = report.replaced;
        Ok((inds, report, stats))
    }

    /// Replace the scored records (SIRET, JSON) of the store.
    pub fn set_scored<'s>(
        &mut self,
        rows: impl IntoIterator<Item = (&'s str, String)>,
    ) -> Result<()> {
        self.tx
            .execute("DELETE FROM scored", [])
            .map_err(|e| self.sql(e))?;
        for (siret, json) in rows {
            self.tx
                .prepare_cached("INSERT INTO scored (siret, record) VALUES (?1, ?2)")
                .and_then(|mut st| st.execute(params![siret, json]))
                .map_err(|e| self.sql(e))?;
        }
        Ok(())
    }

    /// Commit everything at once; returns the store's generation (new when
    /// files were added).
    pub fn commit(mut self) -> Result<u64> {
        for b in 0..=self.buckets {
            self.flush(b)?;
        }
        let generation = if self.new_files > 0 {
            self.generation
        } else {
            self.generation - 1
        };
        for (k, v) in [
            ("generation", generation),
            ("next_decl", self.next_decl as u64),
        ] {
            self.tx
                .execute(
                    "UPDATE meta SET value = ?1 WHERE key = ?2",
                    params![v.to_string(), k],
                )
                .map_err(|e| self.sql(e))?;
        }
        let path = self.path.clone();
        self.tx.commit().map_err(|e| sql_err(&path, e))?;
        Ok(generation)
    }
}

fn add_stats(a: &mut IngestStats, b: &IngestStats) {
    a.declarations += b.declarations;
    a.monthly += b.monthly;
    a.signalements += b.signalements;
    a.skipped_no_siret += b.skipped_no_siret;
    a.skipped_no_month += b.skipped_no_month;
    a.skipped_annulations += b.skipped_annulations;
    a.individuals_without_id += b.individuals_without_id;
    a.contracts_without_start += b.contracts_without_start;
    a.monthly_replaced += b.monthly_replaced;
}

impl Source for Batch<'_> {
    type Error = WorkError;

    fn buckets(&self) -> u32 {
        self.buckets
    }

    fn establishments(&mut self) -> Result<Vec<String>> {
        let mut out = vec![String::new(); self.next_estab as usize];
        let mut st = self
            .tx
            .prepare("SELECT id, siret FROM establishment")
            .map_err(|e| sql_err(&self.path, e))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| sql_err(&self.path, e))?;
        for row in rows {
            let (id, siret) = row.map_err(|e| sql_err(&self.path, e))?;
            let slot = out.get_mut(id as usize).ok_or_else(|| {
                WorkError::Invalid(self.path.clone(), format!("establishment id {id}"))
            })?;
            *slot = siret;
        }
        Ok(out)
    }

    fn monthly(&mut self, f: &mut dyn FnMut(MonthlyHeader)) -> Result<()> {
        let mut st = self
            .tx
            .prepare(
                "SELECT id, estab, month, frac_n, frac_d, ord, replace, fp, naf, postcode, \
                 town, workplace FROM declaration ORDER BY estab, month, id",
            )
            .map_err(|e| sql_err(&self.path, e))?;
        let mut rows = st.query([]).map_err(|e| sql_err(&self.path, e))?;
        while let Some(r) = rows.next().map_err(|e| sql_err(&self.path, e))? {
            let h = (|| {
                Ok::<_, rusqlite::Error>(MonthlyHeader {
                    decl: r.get(0)?,
                    estab: r.get(1)?,
                    month: r.get(2)?,
                    frac: (r.get(3)?, r.get(4)?),
                    order: r.get::<_, i64>(5)? as u64,
                    replace: r.get(6)?,
                    fp: r.get::<_, i64>(7)? as u64,
                    info: ancrage_engine::observe::EstabFields {
                        naf: r.get(8)?,
                        postcode: r.get(9)?,
                        town: r.get(10)?,
                        workplace_commune: r.get(11)?,
                    },
                })
            })()
            .map_err(|e| sql_err(&self.path, e))?;
            f(h);
        }
        Ok(())
    }

    fn links(&mut self) -> Result<Vec<(PersonKey, PersonKey)>> {
        let mut st = self
            .tx
            .prepare("SELECT ntt, nir FROM link")
            .map_err(|e| sql_err(&self.path, e))?;
        let rows = st
            .query_map([], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|e| sql_err(&self.path, e))?;
        let key = |v: Vec<u8>| -> Result<PersonKey> {
            v.try_into()
                .map(PersonKey)
                .map_err(|_| WorkError::Invalid(self.path.clone(), "bad link key".into()))
        };
        let mut out = Vec::new();
        for row in rows {
            let (a, b) = row.map_err(|e| sql_err(&self.path, e))?;
            out.push((key(a)?, key(b)?));
        }
        Ok(out)
    }

    fn bucket_bytes(&mut self) -> Result<Vec<u64>> {
        let mut out = vec![0u64; self.buckets as usize + 1];
        let mut st = self
            .tx
            .prepare("SELECT bucket, SUM(LENGTH(data)) FROM chunk GROUP BY bucket")
            .map_err(|e| sql_err(&self.path, e))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
            .map_err(|e| sql_err(&self.path, e))?;
        for row in rows {
            let (b, n) = row.map_err(|e| sql_err(&self.path, e))?;
            if let Some(slot) = out.get_mut(b as usize) {
                *slot = n as u64;
            }
        }
        Ok(out)
    }

    fn chunks(
        &mut self,
        b: u32,
        f: &mut dyn FnMut(&[u8]) -> std::result::Result<(), DecodeError>,
    ) -> Result<()> {
        let mut st = self
            .tx
            .prepare_cached("SELECT data FROM chunk WHERE bucket = ?1 ORDER BY id")
            .map_err(|e| sql_err(&self.path, e))?;
        let mut rows = st.query([b]).map_err(|e| sql_err(&self.path, e))?;
        while let Some(r) = rows.next().map_err(|e| sql_err(&self.path, e))? {
            let data = r
                .get_ref(0)
                .and_then(|v| v.as_blob().map_err(Into::into))
                .map_err(|e| sql_err(&self.path, e))?;
            f(data).map_err(|e| WorkError::Decode(self.path.clone(), e))?;
        }
        Ok(())
    }
}
