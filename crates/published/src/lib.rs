//! The published model: what the public side of Ancrage may show.
//!
//! These types hold aggregates only — never a person, never an identifier of a
//! person. They are shared by the store (which writes and queries them), the
//! server functions and the browser bundle, so this crate depends on serde only
//! and compiles to wasm.

use serde::{Deserialize, Serialize};

/// Score band codes, best first. The engine decides; this is how they are shown.
pub const BANDS: [(&str, &str); 5] = [
    ("engagee", "Engagée"),
    ("accueillante", "Accueillante"),
    ("en_progres", "En progrès"),
    ("peu_engagee", "Peu engagée"),
    ("non_calculable", "Non calculable"),
];

/// French label of a band code (the code itself when unknown).
pub fn band_label(code: &str) -> &str {
    BANDS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or(code)
}

/// Marker colour of a band. Green / blue / amber / red-purple differ in hue and
/// lightness, so they stay distinguishable with the common colour-vision
/// deficiencies; grey when not computable.
pub fn band_colour(code: &str) -> &'static str {
    match code {
        "engagee" => "#1b7837",
        "accueillante" => "#2166ac",
        "en_progres" => "#e6a100",
        "peu_engagee" => "#9e1f63",
        _ => "#8c8c8c",
    }
}

/// One establishment as listed and mapped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EstablishmentSummary {
    pub siret: String,
    /// Usual name (SIRENE), absent when unknown or not diffusible.
    pub name: Option<String>,
    /// Street address (SIRENE), absent when unknown or not diffusible.
    pub address: Option<String>,
    pub naf: Option<String>,
    pub naf_label: Option<String>,
    pub commune: Option<String>,
    pub commune_name: Option<String>,
    pub postcode: Option<String>,
    pub basin: Option<String>,
    pub basin_label: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// Headcount at the end of the last declared month; `None` below 5 people (secrecy).
    pub headcount: Option<i64>,
    /// Person-level hires in the window; `None` below 5 people (secrecy).
    pub hires: Option<i64>,
    /// Share of women among hires; `None` when not diffusible or not computable.
    pub women_share: Option<f64>,
    /// Share of CDI among hires; `None` when not diffusible or not computable.
    pub cdi_share: Option<f64>,
    /// Engagement score 0–100; `None` when "non calculable".
    pub score: Option<f64>,
    pub band: String,
}

impl EstablishmentSummary {
    /// What a counselor reads as the establishment's name.
    pub fn display_name(&self) -> String {
        match (&self.name, &self.naf_label, &self.commune_name) {
            (Some(n), _, _) => n.clone(),
            (None, Some(naf), Some(c)) => format!("{naf} — {c}"),
            (None, Some(naf), None) => naf.clone(),
            _ => format!("Établissement {}", self.siret),
        }
    }
}

/// One component of the score, placed against the establishment's peers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentView {
    pub key: String,
    pub label: String,
    pub dimension: String,
    /// The establishment's own value (rate 0–1 or days), `None` if hidden or not computable.
    pub value: Option<f64>,
    pub peer_median: Option<f64>,
    /// Position among peers, 0–100.
    pub position: Option<f64>,
    /// Number of people the value rests on.
    pub n: i64,
    /// Why the value is absent, in French, when it is.
    pub note: Option<String>,
}

/// One dimension of the score (ouverture, qualité de l'offre, durabilité).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DimensionView {
    pub key: String,
    pub label: String,
    /// Weight in the score (0–1).
    pub weight: f64,
    /// Mean position of its components among peers, 0–100; `None` when not computable.
    pub score: Option<f64>,
}

/// Everything the establishment card shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EstablishmentDetail {
    pub summary: EstablishmentSummary,
    pub first_month: Option<String>,
    pub last_month: Option<String>,
    pub hires_women: Option<i64>,
    pub hires_cdi: Option<i64>,
    pub hires_cdd: Option<i64>,
    pub peer_group: Option<String>,
    pub dimensions: Vec<DimensionView>,
    pub components: Vec<ComponentView>,
}

/// Sort orders of the list.
pub const SORTS: [(&str, &str); 3] = [
    ("score", "Score décroissant"),
    ("hires", "Embauches décroissantes"),
    ("name", "Nom"),
];

/// Filters of the list and the map (all optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListFilter {
    pub basin: Option<String>,
    /// NAF section letter A–U.
    pub section: Option<String>,
    /// Band code, or several separated by commas (`engagee,accueillante`).
    pub band: Option<String>,
    /// One of [`SORTS`].
    pub sort: Option<String>,
    /// 0-based page.
    pub page: u32,
    pub per_page: u32,
}

impl ListFilter {
    pub const MAX_PER_PAGE: u32 = 500;

    /// Check every value; the message is French, for the user.
    pub fn validate(&self) -> Result<(), String> {
        for b in self.bands() {
            if !BANDS.iter().any(|(c, _)| *c == b) {
                return Err(format!("Catégorie de score inconnue : « {b} »"));
            }
        }
        if let Some(s) = &self.section {
            let ok = s.len() == 1 && matches!(s.as_bytes()[0], b'A'..=b'U');
            if !ok {
                return Err(format!("Section NAF inconnue : « {s} » (attendu A à U)"));
            }
        }
        if let Some(s) = &self.sort {
            if !SORTS.iter().any(|(c, _)| c == s) {
                return Err(format!("Tri inconnu : « {s} »"));
            }
        }
        if let Some(b) = &self.basin {
            if b.is_empty() || b.len() > 12 || !b.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(format!("Code de bassin invalide : « {b} »"));
            }
        }
        if self.per_page > Self::MAX_PER_PAGE {
            return Err(format!(
                "Au plus {} établissements par page",
                Self::MAX_PER_PAGE
            ));
        }
        Ok(())
    }

    /// The band codes asked for (none: all bands).
    pub fn bands(&self) -> Vec<&str> {
        self.band
            .as_deref()
            .map(|b| b.split(',').collect())
            .unwrap_or_default()
    }

    /// Page size with the default applied.
    pub fn page_size(&self) -> u32 {
        if self.per_page == 0 {
            50
        } else {
            self.per_page
        }
    }
}

/// One page of the list plus the total number of matches.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListPage {
    pub total: i64,
    pub items: Vec<EstablishmentSummary>,
}

/// A value offered by a filter (code and French label, with a count).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilterOption {
    pub code: String,
    pub label: String,
    pub count: i64,
}

/// Values the filters can take in the published data.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterOptions {
    pub basins: Vec<FilterOption>,
    pub sections: Vec<FilterOption>,
    pub bands: Vec<FilterOption>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_validation_rejects_bad_values() {
        let ok = ListFilter {
            band: Some("engagee".into()),
            section: Some("Q".into()),
            ..Default::default()
        };
        assert!(ok.validate().is_ok());
        let bad_band = ListFilter {
            band: Some("super".into()),
            ..Default::default()
        };
        assert!(bad_band.validate().unwrap_err().contains("super"));
        let two = ListFilter {
            band: Some("engagee,accueillante".into()),
            ..Default::default()
        };
        assert!(two.validate().is_ok());
        assert_eq!(two.bands(), ["engagee", "accueillante"]);
        let one_bad = ListFilter {
            band: Some("engagee,super".into()),
            ..Default::default()
        };
        assert!(one_bad.validate().unwrap_err().contains("super"));
        let bad_section = ListFilter {
            section: Some("Z".into()),
            ..Default::default()
        };
        assert!(bad_section.validate().is_err());
        let injection = ListFilter {
            basin: Some("1' OR 1=1".into()),
            ..Default::default()
        };
        assert!(injection.validate().is_err());
        let too_many = ListFilter {
            per_page: 501,
            ..Default::default()
        };
        assert!(too_many.validate().is_err());
    }

    #[test]
    fn display_name_falls_back_to_activity_and_place() {
        let mut s = EstablishmentSummary {
            siret: "12345678900012".into(),
            name: None,
            address: None,
            naf: Some("8810A".into()),
            naf_label: Some("Aide à domicile".into()),
            commune: None,
            commune_name: Some("Lyon".into()),
            postcode: None,
            basin: None,
            basin_label: None,
            lat: None,
            lng: None,
            headcount: None,
            hires: None,
            women_share: None,
            cdi_share: None,
            score: None,
            band: "non_calculable".into(),
        };
        assert_eq!(s.display_name(), "Aide à domicile — Lyon");
        s.name = Some("Les Jardins".into());
        assert_eq!(s.display_name(), "Les Jardins");
        assert_eq!(band_label("engagee"), "Engagée");
    }
}
