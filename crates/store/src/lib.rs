//! The published store: the only database `ancrage serve` opens.
//!
//! It holds aggregates only ([`ancrage_published`] types): no person, no
//! pseudonymised identifier. The same migrations and queries run on SQLite
//! (the embedded default) and PostgreSQL (shared deployments) through sqlx's
//! `Any` driver; placeholders are written `$1, $2, …` in order of appearance,
//! which both engines accept.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ancrage_store::StoreError> {
//! let store = ancrage_store::PublishedStore::open("sqlite://data/ancrage.db").await?;
//! let page = store.list(&Default::default()).await?;
//! println!("{} établissements", page.total);
//! # Ok(()) }
//! ```

use ancrage_published::{
    band_label, departement_of, profile_component, ComponentView, EstablishmentDetail,
    EstablishmentSummary, FilterOption, FilterOptions, ListFilter, ListPage, BANDS, PROFILES,
    SIZE_BANDS,
};
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool, Row};

mod basins;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("invalid filter: {0}")]
    Filter(String),
    #[error("corrupt row for {siret}: {message}")]
    Corrupt { siret: String, message: String },
}

/// Handle on the published store.
#[derive(Clone, Debug)]
pub struct PublishedStore {
    pool: AnyPool,
    /// Day of the fair rotation (days since 1970-01-01); today when `None`.
    rotation_day: Option<i64>,
}

const SUMMARY_COLUMNS: &str =
    "siret, name, address, naf, naf_label, commune, commune_name, postcode, \
     basin, basin_label, lat, lng, headcount, hires, women_share, cdi_share, score, band, \
     division_label, size_band, strengths";

/// Per-connection SQLite setting: map up to 1 GiB of the file (shared by
/// every connection through the OS page cache).
const SQLITE_MMAP: &str = "PRAGMA mmap_size = 1073741824";

/// Modulus of the rotation keys (a prime: multiplying by a non-zero day factor
/// permutes the keys).
pub const ROTATION_PRIME: i64 = 2_147_483_647;

/// Fixed rotation key of an establishment, in 1..ROTATION_PRIME (FNV-1a of the SIRET).
pub fn rotation_key(siret: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in siret.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h % (ROTATION_PRIME as u64 - 1)) as i64 + 1
}

/// Multiplier of day `day`, in 1..ROTATION_PRIME (SplitMix64 of the day number).
/// Inside a band, the list is ordered by `rotation_key × factor mod ROTATION_PRIME`.
pub fn rotation_factor(day: i64) -> i64 {
    let mut z = (day as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z % (ROTATION_PRIME as u64 - 1)) as i64 + 1
}

/// Today's day number (UTC).
fn today() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| (d.as_secs() / 86_400) as i64)
}

/// Rank of a band code (best first), as stored in `band_rank`.
fn band_rank(code: &str) -> i64 {
    BANDS
        .iter()
        .position(|(c, _)| *c == code)
        .unwrap_or(BANDS.len()) as i64
}

impl PublishedStore {
    /// Open (creating a SQLite file and its directory if needed) and migrate.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let url = prepare_sqlite_url(url)?;
        let sqlite = url.starts_with("sqlite:");
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 8 } else { 16 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        // Readers map the file instead of copying pages through
                        // read() into each connection's small page cache: the
                        // list queries read rows all over the table.
                        sqlx::Executor::execute(&mut *conn, SQLITE_MMAP).await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        if url.starts_with("sqlite:") {
            // Readers keep seeing the previous snapshot while a publish runs.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        MIGRATOR.run(&pool).await?;
        Ok(Self {
            pool,
            rotation_day: None,
        })
    }

    /// The same store with the daily rotation pinned to `day` (days since
    /// 1970-01-01), for tests and reproducible exports.
    pub fn with_rotation_day(mut self, day: i64) -> Self {
        self.rotation_day = Some(day);
        self
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Close every connection and wait until they are closed (SQLite: the
    /// last one checkpoints and removes the WAL file, by path). Call it
    /// before the files are moved, replaced or copied.
    pub async fn close(self) {
        self.pool.close().await;
    }

    /// One trivial query: the store is reachable and answers (health check).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Replace the whole published snapshot in one transaction: readers see
    /// the old rows or the new ones, never a mix.
    pub async fn publish(&self, rows: &[EstablishmentDetail]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for table in ["establishment", "establishment_card"] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        // By basin: the rows a basin's list reads then sit side by side.
        let mut ordered: Vec<&EstablishmentDetail> = rows.iter().collect();
        ordered.sort_by(|a, b| {
            (a.summary.basin.as_deref(), &a.summary.siret)
                .cmp(&(b.summary.basin.as_deref(), &b.summary.siret))
        });
        for d in ordered {
            let s = &d.summary;
            let dimensions =
                serde_json::to_string(&d.dimensions).map_err(|e| StoreError::Corrupt {
                    siret: s.siret.clone(),
                    message: e.to_string(),
                })?;
            let components =
                serde_json::to_string(&d.components).map_err(|e| StoreError::Corrupt {
                    siret: s.siret.clone(),
                    message: e.to_string(),
                })?;
            let by_year = serde_json::to_string(&d.by_year).map_err(|e| StoreError::Corrupt {
                siret: s.siret.clone(),
                message: e.to_string(),
            })?;
            let strengths =
                serde_json::to_string(&d.strength_tags()).unwrap_or_else(|_| "[]".into());
            let mut q = sqlx::query(
                "INSERT INTO establishment (siret, name, address, naf, naf_label, section, \
                 commune, commune_name, postcode, basin, basin_label, lat, lng, headcount, \
                 hires, hires_women, hires_cdi, hires_cdd, women_share, cdi_share, score, \
                 band, first_month, last_month, peer_group, \
                 departement, division, division_label, size_band, band_rank, rotation, strengths, \
                 hires_priority, pos_young, pos_senior, pos_boeth, pos_no_experience, pos_long_gap, \
                 pos_long_sick, pos_aided) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                 $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, \
                 $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39, $40)",
            )
            .bind(&s.siret)
            .bind(&s.name)
            .bind(&s.address)
            .bind(&s.naf)
            .bind(&s.naf_label)
            .bind(s.naf.as_deref().and_then(naf_section))
            .bind(&s.commune)
            .bind(&s.commune_name)
            .bind(&s.postcode)
            .bind(&s.basin)
            .bind(&s.basin_label)
            .bind(s.lat)
            .bind(s.lng)
            .bind(s.headcount)
            .bind(s.hires)
            .bind(d.hires_women)
            .bind(d.hires_cdi)
            .bind(d.hires_cdd)
            .bind(s.women_share)
            .bind(s.cdi_share)
            .bind(s.score)
            .bind(&s.band)
            .bind(&d.first_month)
            .bind(&d.last_month)
            .bind(&d.peer_group)
            .bind(s.commune.as_deref().and_then(departement_of))
            .bind(s.naf.as_deref().and_then(naf_division))
            .bind(&s.division_label)
            .bind(&s.size_band)
            .bind(band_rank(&s.band))
            .bind(rotation_key(&s.siret))
            .bind(strengths)
            .bind(d.hires_priority)
            // sqlx 0.8's Any driver sends a NULL f64 as a float4 parameter; a
            // statement prepared from a row with a missing float then rejects
            // the next row's float8 values on PostgreSQL ("incorrect binary
            // data format"). Unprepared statements take each row's own types.
            .persistent(false);
            for (.., key) in PROFILES {
                q = q.bind(d.position_of(key));
            }
            q.execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO establishment_card (siret, dimensions, components, by_year) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&s.siret)
            .bind(dimensions)
            .bind(components)
            .bind(by_year)
            .execute(&mut *tx)
            .await?;
        }
        basins::replace(&mut tx, rows).await?;
        sqlx::query("UPDATE snapshot SET generation = generation + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // Fresh statistics, so that the planners pick the most selective index
        // of a filter (a basin rather than a whole NAF section).
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    /// Generation of the published snapshot: 0 before the first publish, one
    /// more after each. Answers cached under one generation are those of the
    /// current snapshot as long as it has not changed.
    pub async fn generation(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT generation FROM snapshot WHERE id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get("generation")?)
    }

    /// One page of establishments matching `filter`.
    pub async fn list(&self, filter: &ListFilter) -> Result<ListPage, StoreError> {
        filter.validate().map_err(StoreError::Filter)?;
        let (clause, params) = where_clause(filter);
        let count_sql = format!("SELECT COUNT(*) AS n FROM establishment{clause}");
        let total: i64 = bind_all(sqlx::query(&count_sql), &params)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        let size = filter.page_size() as i64;
        let items = self
            .select(filter, Some((size, filter.page as i64 * size)))
            .await?;
        Ok(ListPage { total, items })
    }

    /// Every establishment matching `filter`, in list order (map markers, CSV
    /// export); `page` and `per_page` are ignored.
    pub async fn list_all(
        &self,
        filter: &ListFilter,
    ) -> Result<Vec<EstablishmentSummary>, StoreError> {
        filter.validate().map_err(StoreError::Filter)?;
        self.select(filter, None).await
    }

    /// Summaries matching `filter` in its sort order, optionally one (limit, offset) window.
    async fn select(
        &self,
        filter: &ListFilter,
        window: Option<(i64, i64)>,
    ) -> Result<Vec<EstablishmentSummary>, StoreError> {
        let (clause, params) = where_clause(filter);
        let order = self.order_by(filter);
        let limit = window
            .map(|(size, offset)| format!(" LIMIT {size} OFFSET {offset}"))
            .unwrap_or_default();
        let sql =
            format!("SELECT {SUMMARY_COLUMNS} FROM establishment{clause} ORDER BY {order}{limit}");
        let rows = bind_all(sqlx::query(&sql), &params)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// The establishments of `sirets`, in that order (unknown SIRETs are skipped).
    pub async fn by_sirets(
        &self,
        sirets: &[String],
    ) -> Result<Vec<EstablishmentSummary>, StoreError> {
        if sirets.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM establishment WHERE siret IN ({})",
            placeholders(sirets.len())
        );
        let rows = bind_all(sqlx::query(&sql), sirets)
            .fetch_all(&self.pool)
            .await?;
        let mut found: Vec<EstablishmentSummary> = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<_, _>>()?;
        found.sort_by_key(|s| sirets.iter().position(|x| *x == s.siret));
        Ok(found)
    }

    /// ORDER BY clause of `filter`'s sort. A profile focus ranks by its component
    /// unless another sort is asked for; the default is by band, then the day's
    /// rotation (fair exposure).
    fn order_by(&self, filter: &ListFilter) -> String {
        let profile = filter.profile.as_deref().and_then(profile_component);
        match (filter.sort.as_deref(), profile) {
            (Some("hires"), _) => {
                "CASE WHEN hires IS NULL THEN 1 ELSE 0 END, hires DESC, siret".into()
            }
            (Some("name"), _) => "LOWER(COALESCE(name, naf_label, siret)), siret".into(),
            // NULL scores ("non calculable") last on both engines.
            (Some("score"), _) => {
                "CASE WHEN score IS NULL THEN 1 ELSE 0 END, score DESC, siret".into()
            }
            (None, Some(key)) => format!(
                "pos_{key} DESC, CASE WHEN score IS NULL THEN 1 ELSE 0 END, score DESC, siret"
            ),
            _ => {
                let factor = rotation_factor(self.rotation_day.unwrap_or_else(today));
                format!("band_rank, (rotation * {factor}) % {ROTATION_PRIME}, siret")
            }
        }
    }

    /// The card of one establishment.
    pub async fn detail(&self, siret: &str) -> Result<Option<EstablishmentDetail>, StoreError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, hires_women, hires_cdi, hires_cdd, hires_priority, first_month, \
             last_month, peer_group, \
             (SELECT dimensions FROM establishment_card c WHERE c.siret = establishment.siret) \
             AS dimensions, \
             (SELECT components FROM establishment_card c WHERE c.siret = establishment.siret) \
             AS components, \
             (SELECT by_year FROM establishment_card c WHERE c.siret = establishment.siret) \
             AS by_year FROM establishment WHERE siret = $1"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(siret)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let summary = summary_from_row(&row)?;
        let corrupt = |e: serde_json::Error| StoreError::Corrupt {
            siret: siret.to_string(),
            message: e.to_string(),
        };
        let dimensions: String = row.try_get("dimensions")?;
        let dimensions = serde_json::from_str(&dimensions).map_err(corrupt)?;
        let components: String = row.try_get("components")?;
        let components: Vec<ComponentView> = serde_json::from_str(&components).map_err(corrupt)?;
        let by_year: String = row.try_get("by_year")?;
        let by_year = serde_json::from_str(&by_year).map_err(corrupt)?;
        Ok(Some(EstablishmentDetail {
            summary,
            hires_women: row.try_get("hires_women")?,
            hires_cdi: row.try_get("hires_cdi")?,
            hires_cdd: row.try_get("hires_cdd")?,
            hires_priority: row.try_get("hires_priority")?,
            first_month: row.try_get("first_month")?,
            last_month: row.try_get("last_month")?,
            peer_group: row.try_get("peer_group")?,
            dimensions,
            components,
            by_year,
        }))
    }

    /// Values the filters can take. Each value's count applies the *other*
    /// active filters (choosing a sector shows how many establishments each
    /// basin has in that sector); values without matches stay listed with 0.
    pub async fn filter_options(&self, active: &ListFilter) -> Result<FilterOptions, StoreError> {
        active.validate().map_err(StoreError::Filter)?;
        let mut basins = self
            .facet_under("basin", "MAX(basin_label)", active, |f| f.basin = None)
            .await?;
        basins.sort_by(|a, b| a.label.cmp(&b.label));
        let departements = self
            .facet_under("departement", "departement", active, |f| {
                f.departement = None
            })
            .await?;
        let sections = self
            .facet_under("section", "section", active, |f| f.section = None)
            .await?
            .into_iter()
            .map(|o| FilterOption {
                label: format!("{} — {}", o.code, section_label(&o.code)),
                ..o
            })
            .collect();
        // Divisions are offered inside the chosen section (all of them otherwise).
        let divisions = self
            .facet_under("division", "MAX(division_label)", active, |f| {
                f.division = None
            })
            .await?
            .into_iter()
            .filter(|o| {
                active
                    .section
                    .as_ref()
                    .is_none_or(|s| naf_section(&o.code).as_ref() == Some(s))
            })
            .map(|o| FilterOption {
                label: if o.label.is_empty() {
                    format!("Division {}", o.code)
                } else {
                    format!("{} — {}", o.code, o.label)
                },
                ..o
            })
            .collect();
        let size_counts = self
            .facet_under("size_band", "size_band", active, |f| f.size = None)
            .await?;
        let sizes = SIZE_BANDS
            .iter()
            .map(|(code, label)| FilterOption {
                code: code.to_string(),
                label: label.to_string(),
                count: count_of(&size_counts, code),
            })
            .collect();
        let band_counts = self
            .facet(
                "band",
                "band",
                &ListFilter {
                    band: None,
                    ..active.clone()
                },
            )
            .await?;
        let bands = BANDS
            .iter()
            .map(|(code, _)| FilterOption {
                code: code.to_string(),
                label: band_label(code).to_string(),
                count: count_of(&band_counts, code),
            })
            .collect();
        Ok(FilterOptions {
            basins,
            departements,
            sections,
            divisions,
            sizes,
            bands,
        })
    }

    /// Every value of `column` in the published data, each counted under the
    /// active filters except its own (cleared by `clear`); 0 when none match.
    async fn facet_under(
        &self,
        column: &str,
        label: &str,
        active: &ListFilter,
        clear: impl Fn(&mut ListFilter),
    ) -> Result<Vec<FilterOption>, StoreError> {
        let all = self.facet(column, label, &ListFilter::default()).await?;
        let mut others = active.clone();
        clear(&mut others);
        let counts = self.facet(column, label, &others).await?;
        Ok(all
            .into_iter()
            .map(|o| FilterOption {
                count: count_of(&counts, &o.code),
                ..o
            })
            .collect())
    }

    /// `column` values with their counts under `filter` (non-null values only).
    async fn facet(
        &self,
        column: &str,
        label: &str,
        filter: &ListFilter,
    ) -> Result<Vec<FilterOption>, StoreError> {
        let (clause, params) = where_clause(filter);
        let not_null = if clause.is_empty() {
            " WHERE "
        } else {
            " AND "
        };
        let sql = format!(
            "SELECT {column} AS code, {label} AS label, COUNT(*) AS n FROM establishment\
             {clause}{not_null}{column} IS NOT NULL GROUP BY {column} ORDER BY {column}"
        );
        bind_all(sqlx::query(&sql), &params)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(option_from_row)
            .collect()
    }
}

/// For SQLite URLs: create the parent directory and ask for file creation.
fn prepare_sqlite_url(url: &str) -> Result<String, StoreError> {
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return Ok(url.to_string());
    };
    let path = rest.trim_start_matches("//");
    let file = path.split('?').next().unwrap_or("");
    if file.is_empty() || file == ":memory:" {
        return Ok(url.to_string());
    }
    if let Some(dir) = std::path::Path::new(file).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Filter(e.to_string()))?;
        }
    }
    Ok(if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

fn where_clause(f: &ListFilter) -> (String, Vec<String>) {
    let mut conds = Vec::new();
    let mut params = Vec::new();
    for (col, val) in [
        ("basin", &f.basin),
        ("departement", &f.departement),
        ("section", &f.section),
        ("division", &f.division),
        ("size_band", &f.size),
    ] {
        if let Some(v) = val {
            params.push(v.clone());
            conds.push(format!("{col} = ${}", params.len()));
        }
    }
    let bands = f.bands();
    if !bands.is_empty() {
        let mut slots = Vec::new();
        for b in bands {
            params.push(b.to_string());
            slots.push(format!("${}", params.len()));
        }
        conds.push(format!("band IN ({})", slots.join(", ")));
    }
    // Numbers below come from validated, parsed values (never raw text), so
    // they are written into the SQL: both engines then compare them as numbers.
    if let Some(key) = f.profile.as_deref().and_then(profile_component) {
        conds.push(format!("pos_{key} IS NOT NULL"));
    }
    if let Some(min) = f.cdi_min.filter(|m| *m > 0) {
        conds.push(format!("cdi_share >= {}", f64::from(min) / 100.0));
    }
    if let Some([w, s, e, n]) = f.bounds() {
        conds.push(format!(
            "lng >= {w:?} AND lng <= {e:?} AND lat >= {s:?} AND lat <= {n:?}"
        ));
    }
    if conds.is_empty() {
        (String::new(), params)
    } else {
        (format!(" WHERE {}", conds.join(" AND ")), params)
    }
}

/// `$1, $2, …, $n`: the placeholders of an `IN (…)` list of `n` values.
pub(crate) fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn bind_all<'q>(
    mut q: Query<'q, Any, AnyArguments<'q>>,
    params: &'q [String],
) -> Query<'q, Any, AnyArguments<'q>> {
    for p in params {
        q = q.bind(p.as_str());
    }
    q
}

fn summary_from_row(r: &AnyRow) -> Result<EstablishmentSummary, StoreError> {
    Ok(EstablishmentSummary {
        siret: r.try_get("siret")?,
        name: r.try_get("name")?,
        address: r.try_get("address")?,
        naf: r.try_get("naf")?,
        naf_label: r.try_get("naf_label")?,
        commune: r.try_get("commune")?,
        commune_name: r.try_get("commune_name")?,
        postcode: r.try_get("postcode")?,
        basin: r.try_get("basin")?,
        basin_label: r.try_get("basin_label")?,
        lat: r.try_get("lat")?,
        lng: r.try_get("lng")?,
        headcount: r.try_get("headcount")?,
        hires: r.try_get("hires")?,
        women_share: r.try_get("women_share")?,
        cdi_share: r.try_get("cdi_share")?,
        score: r.try_get("score")?,
        band: r.try_get("band")?,
        division_label: r.try_get("division_label")?,
        size_band: r.try_get("size_band")?,
        strengths: serde_json::from_str(&r.try_get::<String, _>("strengths")?).unwrap_or_default(),
    })
}

fn count_of(counts: &[FilterOption], code: &str) -> i64 {
    counts
        .iter()
        .find(|o| o.code == code)
        .map_or(0, |o| o.count)
}

fn option_from_row(r: &AnyRow) -> Result<FilterOption, StoreError> {
    Ok(FilterOption {
        code: r.try_get("code")?,
        label: r.try_get::<Option<String>, _>("label")?.unwrap_or_default(),
        count: r.try_get("n")?,
    })
}

/// NAF section letter of a code like `8810A` or `88.10A` (fixed division ranges).
pub fn naf_section(naf: &str) -> Option<String> {
    let digits: String = naf.chars().filter(char::is_ascii_digit).take(2).collect();
    let division: u8 = digits.parse().ok()?;
    ancrage_refdata::naf::section_of_division(division).map(String::from)
}

/// NAF division (two digits) of a code like `8810A` or `88.10A`.
pub fn naf_division(naf: &str) -> Option<String> {
    let digits: String = naf.chars().filter(char::is_ascii_digit).take(2).collect();
    (digits.len() == 2).then_some(digits)
}

/// Official label of a NAF section (INSEE).
pub fn section_label(section: &str) -> &'static str {
    ancrage_refdata::naf::SECTIONS
        .iter()
        .find(|(c, ..)| section.len() == 1 && section.starts_with(*c))
        .map_or("Section inconnue", |(.., label)| *label)
}
