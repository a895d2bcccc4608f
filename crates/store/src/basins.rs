//! Basin summaries in the published store: written with the establishments,
//! in the same transaction, and read whole (a grid has a few hundred basins).

use ancrage_published::{basin_summaries, BasinSummary, EstablishmentDetail};
use sqlx::{Any, Row, Transaction};

use crate::{bind_all, naf_section, placeholders, section_label, PublishedStore, StoreError};

/// Replace every basin summary by those of `rows` (inside the publish transaction).
pub(crate) async fn replace(
    tx: &mut Transaction<'_, Any>,
    rows: &[EstablishmentDetail],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM basin_summary")
        .execute(&mut **tx)
        .await?;
    let summaries = basin_summaries(rows, naf_section, |s| section_label(s).to_string());
    for b in summaries {
        let json = serde_json::to_string(&b).map_err(|e| StoreError::Corrupt {
            siret: format!("bassin {}", b.basin),
            message: e.to_string(),
        })?;
        sqlx::query(
            "INSERT INTO basin_summary (basin, label, establishments, calculable, median_score, \
             summary) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&b.basin)
        .bind(&b.label)
        .bind(b.figures.establishments)
        .bind(b.figures.calculable)
        .bind(b.figures.median_score)
        .bind(json)
        // See `publish`: a NULL float must not fix the parameter type.
        .persistent(false)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<BasinSummary, StoreError> {
    let basin: String = row.try_get("basin")?;
    let json: String = row.try_get("summary")?;
    serde_json::from_str(&json).map_err(|e| StoreError::Corrupt {
        siret: format!("bassin {basin}"),
        message: e.to_string(),
    })
}

impl PublishedStore {
    /// Every basin's summary, by basin code.
    pub async fn basins(&self) -> Result<Vec<BasinSummary>, StoreError> {
        sqlx::query("SELECT basin, summary FROM basin_summary ORDER BY basin")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// The summaries of `codes`, in that order; an unknown code is an error
    /// naming it (French, for the user).
    pub async fn compare_basins(&self, codes: &[String]) -> Result<Vec<BasinSummary>, StoreError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        // One query for all of them (a comparison is asked many times a second
        // under load), put back in the order asked.
        let sql = format!(
            "SELECT basin, summary FROM basin_summary WHERE basin IN ({})",
            placeholders(codes.len())
        );
        let query = bind_all(sqlx::query(&sql), codes);
        let found: Vec<BasinSummary> = query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(codes.len());
        for code in codes {
            match found.iter().find(|b| &b.basin == code) {
                Some(b) => out.push(b.clone()),
                None => {
                    return Err(StoreError::Filter(format!(
                        "Bassin inconnu ou sans établissement publié : « {code} »"
                    )))
                }
            }
        }
        Ok(out)
    }
}
