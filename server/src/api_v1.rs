//! Public JSON API under `/api/v1/` (the same queries as the server functions)
//! and the CSV export of a list. Query parameters use the UI's French names
//! ([`ancrage_published::FILTER_PARAMS`]) plus `page` (0-based) and `par_page`.

use std::collections::HashMap;

use ancrage_published::{band_label, ListFilter};
use ancrage_store::{PublishedStore, StoreError};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};

pub fn router(store: PublishedStore) -> Router {
    Router::new()
        .route("/api/v1/establishments", get(list))
        .route("/api/v1/establishments/{siret}", get(detail))
        .route("/api/v1/filters", get(filters))
        .route("/api/v1/basins", get(basins))
        .route("/api/v1/basins/compare", get(compare))
        .route("/api/v1/export.csv", get(export_csv))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1", any(not_found))
        .route("/api/v1/", any(not_found))
        .route("/api/v1/{*rest}", any(not_found))
        .with_state(store)
}

/// Unknown API paths answer in JSON too, pointing to the description.
async fn not_found() -> ApiError {
    ApiError(
        StatusCode::NOT_FOUND,
        "Adresse inconnue de l'API : voir /api/v1/openapi.json".into(),
    )
}

/// Errors as JSON with a French message; bad input is a 400, never a 500.
struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(serde_json::json!({ "erreur": self.1 }))).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Filter(m) => ApiError(StatusCode::BAD_REQUEST, m),
            other => {
                tracing::error!("store: {other}");
                ApiError(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Erreur interne de la base publiée".into(),
                )
            }
        }
    }
}

/// Read the filter from French query parameters (the same names as the pages'
/// URLs, see [`ListFilter::from_params`]); `page` is 0-based here.
fn filter_from_params(p: &HashMap<String, String>) -> Result<ListFilter, ApiError> {
    let bad = |m: String| ApiError(StatusCode::BAD_REQUEST, m);
    let num = |k: &str| -> Result<u32, ApiError> {
        match p.get(k).filter(|v| !v.is_empty()) {
            None => Ok(0),
            Some(v) => v.parse().map_err(|_| {
                bad(format!(
                    "Paramètre « {k} » invalide : « {v} » (entier positif attendu)"
                ))
            }),
        }
    };
    let mut f = ListFilter::from_params(|k| p.get(k).cloned()).map_err(bad)?;
    f.page = num("page")?;
    f.per_page = num("par_page")?;
    f.validate().map_err(bad)?;
    Ok(f)
}

async fn list(
    State(store): State<PublishedStore>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let f = filter_from_params(&p)?;
    Ok(Json(store.list(&f).await?).into_response())
}

async fn detail(
    State(store): State<PublishedStore>,
    Path(siret): Path<String>,
) -> Result<Response, ApiError> {
    if siret.len() != 14 || !siret.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError(
            StatusCode::BAD_REQUEST,
            format!("SIRET invalide : « {siret} » (14 chiffres attendus)"),
        ));
    }
    match store.detail(&siret).await? {
        Some(d) => Ok(Json(d).into_response()),
        None => Err(ApiError(
            StatusCode::NOT_FOUND,
            format!("Établissement {siret} non publié"),
        )),
    }
}

async fn filters(
    State(store): State<PublishedStore>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let f = filter_from_params(&p)?;
    Ok(Json(store.filter_options(&f).await?).into_response())
}

async fn basins(State(store): State<PublishedStore>) -> Result<Response, ApiError> {
    Ok(Json(store.basins().await?).into_response())
}

/// `?bassins=a,b[,c[,d]]`: 2 to 4 basins side by side.
async fn compare(
    State(store): State<PublishedStore>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let codes = ancrage_published::parse_compared(p.get("bassins").map_or("", String::as_str))
        .map_err(|m| ApiError(StatusCode::BAD_REQUEST, m))?;
    Ok(Json(store.compare_basins(&codes).await?).into_response())
}

/// Every establishment matching the filters, as CSV for a spreadsheet:
/// UTF-8 with a byte-order mark (so Excel reads the accents), `;` separator
/// and decimal comma, French column names.
async fn export_csv(
    State(store): State<PublishedStore>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    // `sel`: the counselor's selection, in its order, instead of the filters.
    let selection = ancrage_published::requested_selection(p.get("sel").map_or("", String::as_str))
        .map_err(|m| ApiError(StatusCode::BAD_REQUEST, m))?;
    let rows = if selection.is_empty() {
        store.list_all(&filter_from_params(&p)?).await?
    } else {
        store.by_sirets(&selection).await?
    };
    let mut out = String::from("\u{feff}");
    out.push_str(
        "SIRET;Nom;Adresse;Code postal;Commune;Bassin;Code NAF;Activité;Score;Catégorie;\
         Embauches (personnes);Part de femmes (%);Part de CDI (%);Effectif;Points forts\r\n",
    );
    let pct = |v: Option<f64>| v.map(|x| format!("{:.0}", x * 100.0)).unwrap_or_default();
    for s in rows {
        let fields = [
            s.siret.clone(),
            s.display_name(),
            s.address.clone().unwrap_or_default(),
            s.postcode.clone().unwrap_or_default(),
            s.commune_name.clone().unwrap_or_default(),
            s.basin_label.clone().unwrap_or_default(),
            s.naf.clone().unwrap_or_default(),
            s.naf_label.clone().unwrap_or_default(),
            s.score.map(|x| format!("{x:.0}")).unwrap_or_default(),
            band_label(&s.band).to_string(),
            s.hires.map(|n| n.to_string()).unwrap_or_default(),
            pct(s.women_share),
            pct(s.cdi_share),
            s.headcount.map(|n| n.to_string()).unwrap_or_default(),
            s.strengths.join(", "),
        ];
        let line: Vec<String> = fields.iter().map(|v| csv_field(v)).collect();
        out.push_str(&line.join(";"));
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ancrage-etablissements.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// Quote a CSV field when it holds a separator, a quote or a line break.
fn csv_field(v: &str) -> String {
    if v.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("Lyon"), "Lyon");
        assert_eq!(csv_field("A; B"), "\"A; B\"");
        assert_eq!(
            csv_field("L'atelier \"du coin\""),
            "\"L'atelier \"\"du coin\"\"\""
        );
    }

    #[test]
    fn query_parameters_are_validated() {
        let p = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let f = filter_from_params(&p(&[("section", "Q"), ("page", "2")]))
            .unwrap_or_else(|e| panic!("{}", e.1));
        assert_eq!(f.section.as_deref(), Some("Q"));
        assert_eq!(f.page, 2);
        let e = filter_from_params(&p(&[("page", "-1")])).err().unwrap();
        assert_eq!(e.0, StatusCode::BAD_REQUEST);
        assert!(e.1.contains("page"));
        let e = filter_from_params(&p(&[("categorie", "xyz")]))
            .err()
            .unwrap();
        assert_eq!(e.0, StatusCode::BAD_REQUEST);
    }
}
