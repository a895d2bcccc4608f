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
    band_label, ComponentView, EstablishmentDetail, EstablishmentSummary, FilterOption,
    FilterOptions, ListFilter, ListPage, BANDS,
};
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool, Row};

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
}

const SUMMARY_COLUMNS: &str =
    "siret, name, address, naf, naf_label, commune, commune_name, postcode, \
     basin, basin_label, lat, lng, headcount, hires, women_share, cdi_share, score, band";

impl PublishedStore {
    /// Open (creating a SQLite file and its directory if needed) and migrate.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let url = prepare_sqlite_url(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if url.starts_with("sqlite:") { 8 } else { 16 })
            .connect(&url)
            .await?;
        if url.starts_with("sqlite:") {
            // Readers keep seeing the previous snapshot while a publish runs.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Replace the whole published snapshot in one transaction: readers see
    /// the old rows or the new ones, never a mix.
    pub async fn publish(&self, rows: &[EstablishmentDetail]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM establishment")
            .execute(&mut *tx)
            .await?;
        for d in rows {
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
            sqlx::query(
                "INSERT INTO establishment (siret, name, address, naf, naf_label, section, \
                 commune, commune_name, postcode, basin, basin_label, lat, lng, headcount, \
                 hires, hires_women, hires_cdi, hires_cdd, women_share, cdi_share, score, \
                 band, first_month, last_month, peer_group, dimensions, components) VALUES ($1, \
                 $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
                 $19, $20, $21, $22, $23, $24, $25, $26, $27)",
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
            .bind(dimensions)
            .bind(components)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
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
        let order = match filter.sort.as_deref().unwrap_or("score") {
            "hires" => "CASE WHEN hires IS NULL THEN 1 ELSE 0 END, hires DESC, siret",
            "name" => "LOWER(COALESCE(name, naf_label, siret)), siret",
            // NULL scores ("non calculable") last on both engines.
            _ => "CASE WHEN score IS NULL THEN 1 ELSE 0 END, score DESC, siret",
        };
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

    /// The card of one establishment.
    pub async fn detail(&self, siret: &str) -> Result<Option<EstablishmentDetail>, StoreError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, hires_women, hires_cdi, hires_cdd, first_month, \
             last_month, peer_group, dimensions, components FROM establishment WHERE siret = $1"
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
        Ok(Some(EstablishmentDetail {
            summary,
            hires_women: row.try_get("hires_women")?,
            hires_cdi: row.try_get("hires_cdi")?,
            hires_cdd: row.try_get("hires_cdd")?,
            first_month: row.try_get("first_month")?,
            last_month: row.try_get("last_month")?,
            peer_group: row.try_get("peer_group")?,
            dimensions,
            components,
        }))
    }

    /// Values the filters can take. Each value's count applies the *other*
    /// active filters (choosing a sector shows how many establishments each
    /// basin has in that sector); values without matches stay listed with 0.
    pub async fn filter_options(&self, active: &ListFilter) -> Result<FilterOptions, StoreError> {
        active.validate().map_err(StoreError::Filter)?;
        let all_basins = self
            .facet("basin", "MAX(basin_label)", &ListFilter::default())
            .await?;
        let basin_counts = self
            .facet(
                "basin",
                "MAX(basin_label)",
                &ListFilter {
                    basin: None,
                    ..active.clone()
                },
            )
            .await?;
        let all_sections = self
            .facet("section", "section", &ListFilter::default())
            .await?;
        let section_counts = self
            .facet(
                "section",
                "section",
                &ListFilter {
                    section: None,
                    ..active.clone()
                },
            )
            .await?;
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
        let count_of = |counts: &[FilterOption], code: &str| {
            counts
                .iter()
                .find(|o| o.code == code)
                .map_or(0, |o| o.count)
        };
        let mut basins: Vec<FilterOption> = all_basins
            .into_iter()
            .map(|o| FilterOption {
                count: count_of(&basin_counts, &o.code),
                ..o
            })
            .collect();
        basins.sort_by(|a, b| a.label.cmp(&b.label));
        let sections = all_sections
            .into_iter()
            .map(|o| FilterOption {
                count: count_of(&section_counts, &o.code),
                label: format!("{} — {}", o.code, section_label(&o.code)),
                code: o.code,
            })
            .collect();
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
            sections,
            bands,
        })
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
    for (col, val) in [("basin", &f.basin), ("section", &f.section)] {
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
    if conds.is_empty() {
        (String::new(), params)
    } else {
        (format!(" WHERE {}", conds.join(" AND ")), params)
    }
}

fn bind_all<'q>(
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
    })
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

/// Official label of a NAF section (INSEE).
pub fn section_label(section: &str) -> &'static str {
    ancrage_refdata::naf::SECTIONS
        .iter()
        .find(|(c, ..)| section.len() == 1 && section.starts_with(*c))
        .map_or("Section inconnue", |(.., label)| *label)
}
