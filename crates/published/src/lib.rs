//! The published model: what the public side of Ancrage may show.
//!
//! These types hold aggregates only — never a person, never an identifier of a
//! person. They are shared by the store (which writes and queries them), the
//! server functions and the browser bundle, so this crate depends on serde only
//! and compiles to wasm.

use serde::{Deserialize, Serialize};

mod basins;
pub use basins::{
    basin_summaries, class_colour, class_of, metric_step, metric_text, parse_compared,
    quantile_breaks, Aggregate, BasinSummary, Choropleth, SectorSummary, BASIN_METRICS,
    CHOROPLETH_PALETTE, MAX_COMPARED, MIN_PEOPLE, MIN_PEOPLE_HEALTH, NO_DATA_COLOUR,
};

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
    /// Label of the NAF division (two-digit level).
    #[serde(default)]
    pub division_label: Option<String>,
    /// Size band of the peer group ([`SIZE_BANDS`] code).
    #[serde(default)]
    pub size_band: Option<String>,
    /// French labels of the components where it is in the top quarter of its
    /// peers (published components only), best first.
    #[serde(default)]
    pub strengths: Vec<String>,
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
    /// Hires from priority publics; published with the hires from
    /// [`MIN_PEOPLE_HEALTH`] people (it includes health-related criteria).
    #[serde(default)]
    pub hires_priority: Option<i64>,
    pub peer_group: Option<String>,
    pub dimensions: Vec<DimensionView>,
    pub components: Vec<ComponentView>,
    /// Person-level hires by calendar year, from the first to the last
    /// declared year (secrecy applied: see [`YearFigures`]).
    #[serde(default)]
    pub by_year: Vec<YearFigures>,
}

/// One calendar year of an establishment's hires, as published: `hires` is
/// `None` when the year counts 1 to 4 hires, or when it had to be hidden too
/// so that a hidden year cannot be found by subtraction from the total;
/// `cdi_share` is shown with `hires` only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearFigures {
    pub year: i32,
    pub hires: Option<i64>,
    pub cdi_share: Option<f64>,
}

impl EstablishmentDetail {
    /// Position among peers from which a component counts as a strength (top quarter).
    pub const STRENGTH_FROM: f64 = 75.0;
    /// Position under which a component counts as a weakness (bottom quarter).
    pub const WEAKNESS_UNDER: f64 = 25.0;

    /// Published components in the top quarter of the peers, best first (at most 3).
    pub fn strengths(&self) -> Vec<&ComponentView> {
        self.ranked_components(|p| p >= Self::STRENGTH_FROM, true)
    }

    /// Published components in the bottom quarter of the peers, worst first (at most 3).
    pub fn weaknesses(&self) -> Vec<&ComponentView> {
        self.ranked_components(|p| p < Self::WEAKNESS_UNDER, false)
    }

    /// Short labels of [`Self::strengths`], for lists, printed pages and exports.
    pub fn strength_tags(&self) -> Vec<String> {
        self.strengths()
            .into_iter()
            .map(|c| short_label(&c.key).unwrap_or(&c.label).to_string())
            .collect()
    }

    fn ranked_components(
        &self,
        keep: impl Fn(f64) -> bool,
        best_first: bool,
    ) -> Vec<&ComponentView> {
        let mut picked: Vec<(f64, &ComponentView)> = self
            .components
            .iter()
            .filter_map(|c| c.position.filter(|p| keep(*p)).map(|p| (p, c)))
            .collect();
        picked.sort_by(|a, b| {
            let ord = a.0.total_cmp(&b.0);
            if best_first {
                ord.reverse()
            } else {
                ord
            }
        });
        picked.into_iter().take(3).map(|(_, c)| c).collect()
    }

    /// Position of one component among peers, when published.
    pub fn position_of(&self, key: &str) -> Option<f64> {
        self.components
            .iter()
            .find(|c| c.key == key)
            .and_then(|c| c.position)
    }
}

/// Short French label of a score component (list columns, printed lists).
pub fn short_label(key: &str) -> Option<&'static str> {
    Some(match key {
        "gender_balance" => "Mixité",
        "young" => "Jeunes",
        "senior" => "Seniors",
        "boeth" => "Handicap",
        "aided" => "Contrats aidés",
        "alternance" => "Alternance",
        "no_experience" => "Sans expérience",
        "long_gap" => "Après une interruption",
        "long_sick" => "Après un arrêt long",
        "cdi_share" => "CDI",
        "cdd_duration" => "CDD longs",
        "retention_12m" => "Salariés qui restent",
        "cdd_to_cdi" => "CDD → CDI",
        "accidents" => "Peu d'accidents",
        "cdi_turnover" => "CDI qui durent",
        _ => return None,
    })
}

/// Sort orders of the list. The default, `categorie`, ranks by band and, inside
/// a band, in an order that changes every day (fair exposure, see the method page).
pub const SORTS: [(&str, &str); 4] = [
    ("categorie", "Catégorie (ordre tournant chaque jour)"),
    ("score", "Score décroissant"),
    ("hires", "Embauches décroissantes"),
    ("name", "Nom"),
];

/// Size bands of the peer groups (headcount at the end of the last month).
pub const SIZE_BANDS: [(&str, &str); 4] = [
    ("1-9", "1 à 9 salariés"),
    ("10-49", "10 à 49 salariés"),
    ("50-249", "50 à 249 salariés"),
    ("250+", "250 salariés et plus"),
];

/// "Profil recherché": URL code, French label, score component it ranks by.
pub const PROFILES: [(&str, &str, &str); 7] = [
    ("jeunes", "Jeunes (moins de 26 ans)", "young"),
    ("seniors", "Seniors (50 ans et plus)", "senior"),
    ("th", "Travailleurs handicapés", "boeth"),
    (
        "sans_experience",
        "Sans expérience professionnelle",
        "no_experience",
    ),
    ("interruption", "Après une longue interruption", "long_gap"),
    ("arret_maladie", "Après un long arrêt maladie", "long_sick"),
    ("aides", "Contrats aidés", "aided"),
];

/// French label of a size band code.
pub fn size_label(code: &str) -> &str {
    SIZE_BANDS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| *l)
}

/// The score component a profile code ranks by.
pub fn profile_component(code: &str) -> Option<&'static str> {
    PROFILES.iter().find(|(c, ..)| *c == code).map(|(.., k)| *k)
}

/// Département of a commune code (`2A004` → `2A`, `97411` → `974`).
pub fn departement_of(commune: &str) -> Option<String> {
    let n = if commune.starts_with("97") || commune.starts_with("98") {
        3
    } else {
        2
    };
    (commune.len() >= n && commune.is_ascii()).then(|| commune[..n].to_string())
}

/// Most SIRETs a counselor's selection may hold (the URL stays reasonable).
pub const MAX_SELECTION: usize = 60;

/// The SIRETs of a selection written `a,b,c` (URL parameter `sel`): invalid
/// entries dropped, order kept, no repeats, at most [`MAX_SELECTION`].
pub fn parse_selection(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in text.split(',').map(str::trim) {
        if s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit()) && !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out.truncate(MAX_SELECTION);
    out
}

/// The selection of a print or export request (`sel`): empty when absent or
/// blank (then the filters apply); an error, in French, when the text holds
/// no valid SIRET at all, so that a damaged link never silently prints or
/// exports the whole list instead.
pub fn requested_selection(text: &str) -> Result<Vec<String>, String> {
    let sirets = parse_selection(text);
    if sirets.is_empty() && !text.trim().is_empty() {
        return Err(format!(
            "Sélection illisible : « {} » ne contient aucun SIRET (14 chiffres)",
            text.chars().take(60).collect::<String>()
        ));
    }
    Ok(sirets)
}

/// Filters of the list and the map (all optional).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListFilter {
    pub basin: Option<String>,
    /// Département code (`69`, `2A`, `974`).
    pub departement: Option<String>,
    /// NAF section letter A–U.
    pub section: Option<String>,
    /// NAF division, two digits (`88`).
    pub division: Option<String>,
    /// One of [`SIZE_BANDS`].
    pub size: Option<String>,
    /// Band code, or several separated by commas (`engagee,accueillante`).
    pub band: Option<String>,
    /// One of [`PROFILES`]: keeps establishments where that component is
    /// published and ranks them by it.
    pub profile: Option<String>,
    /// Minimum share of CDI among hires, in percent.
    pub cdi_min: Option<u32>,
    /// Map extent `ouest,sud,est,nord` in degrees: only establishments inside.
    pub bbox: Option<String>,
    /// One of [`SORTS`].
    pub sort: Option<String>,
    /// 0-based page.
    pub page: u32,
    pub per_page: u32,
}

/// URL parameter names of the filters (French, shared by the pages, the API
/// and the CSV export so that one query string means the same everywhere).
pub const FILTER_PARAMS: [&str; 10] = [
    "bassin",
    "departement",
    "section",
    "division",
    "taille",
    "categorie",
    "profil",
    "cdi_min",
    "zone",
    "tri",
];

impl ListFilter {
    pub const MAX_PER_PAGE: u32 = 500;

    /// The filter named by URL parameters (`get` returns a parameter's value);
    /// empty values mean "no filter". Pagination is left to the caller.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let opt = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let cdi_min = match opt("cdi_min") {
            None => None,
            Some(v) => Some(v.parse::<u32>().map_err(|_| {
                format!("Part de CDI minimale invalide : « {v} » (pourcentage entier attendu)")
            })?),
        };
        let f = ListFilter {
            basin: opt("bassin"),
            departement: opt("departement").map(|d| d.to_ascii_uppercase()),
            section: opt("section").map(|s| s.to_ascii_uppercase()),
            division: opt("division"),
            size: opt("taille"),
            band: opt("categorie"),
            profile: opt("profil"),
            cdi_min,
            bbox: opt("zone"),
            sort: opt("tri"),
            page: 0,
            per_page: 0,
        };
        f.validate()?;
        Ok(f)
    }

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
        if let Some(d) = &self.division {
            if d.len() != 2 || !d.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "Division NAF invalide : « {d} » (deux chiffres attendus)"
                ));
            }
        }
        if let Some(d) = &self.departement {
            let ok = matches!(d.len(), 2 | 3) && d.chars().all(|c| c.is_ascii_alphanumeric());
            if !ok {
                return Err(format!("Département invalide : « {d} »"));
            }
        }
        if let Some(s) = &self.size {
            if !SIZE_BANDS.iter().any(|(c, _)| c == s) {
                return Err(format!("Taille inconnue : « {s} »"));
            }
        }
        if let Some(p) = &self.profile {
            if profile_component(p).is_none() {
                return Err(format!("Profil inconnu : « {p} »"));
            }
        }
        if let Some(c) = self.cdi_min {
            if c > 100 {
                return Err(format!("Part de CDI minimale invalide : {c} % (0 à 100)"));
            }
        }
        if self.bbox.is_some() && self.bounds().is_none() {
            return Err(format!(
                "Zone de carte invalide : « {} » (ouest,sud,est,nord en degrés)",
                self.bbox.as_deref().unwrap_or_default()
            ));
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

    /// The map extent as (west, south, east, north), when valid.
    pub fn bounds(&self) -> Option<[f64; 4]> {
        let parts: Vec<f64> = self
            .bbox
            .as_deref()?
            .split(',')
            .map(|p| p.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .ok()?;
        let [w, s, e, n] = <[f64; 4]>::try_from(parts).ok()?;
        let ok = [w, s, e, n].iter().all(|v| v.is_finite())
            && (-180.0..=180.0).contains(&w)
            && (-180.0..=180.0).contains(&e)
            && (-90.0..=90.0).contains(&s)
            && (-90.0..=90.0).contains(&n)
            && w < e
            && s < n;
        ok.then_some([w, s, e, n])
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
#[serde(default)]
pub struct FilterOptions {
    pub basins: Vec<FilterOption>,
    pub departements: Vec<FilterOption>,
    pub sections: Vec<FilterOption>,
    pub divisions: Vec<FilterOption>,
    pub sizes: Vec<FilterOption>,
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
    fn url_parameters_become_a_filter() {
        let params = [
            ("bassin", "8405"),
            ("departement", "2a"),
            ("division", "88"),
            ("taille", "10-49"),
            ("profil", "seniors"),
            ("cdi_min", "40"),
            ("zone", "4.5,45.5,5.1,46.0"),
            ("section", ""),
        ];
        let get = |k: &str| {
            params
                .iter()
                .find(|(p, _)| *p == k)
                .map(|(_, v)| v.to_string())
        };
        let f = ListFilter::from_params(get).unwrap();
        assert_eq!(f.basin.as_deref(), Some("8405"));
        assert_eq!(f.departement.as_deref(), Some("2A"));
        assert_eq!(f.section, None);
        assert_eq!(f.size.as_deref(), Some("10-49"));
        assert_eq!(f.cdi_min, Some(40));
        assert_eq!(f.bounds(), Some([4.5, 45.5, 5.1, 46.0]));
        assert_eq!(
            profile_component(f.profile.as_deref().unwrap()),
            Some("senior")
        );

        let bad = |k: &'static str, v: &'static str| {
            ListFilter::from_params(move |p: &str| (p == k).then(|| v.to_string())).unwrap_err()
        };
        assert!(bad("cdi_min", "beaucoup").contains("beaucoup"));
        assert!(bad("cdi_min", "101").contains("101"));
        assert!(bad("zone", "5,46,4,45").contains("Zone"));
        assert!(bad("zone", "1,2,3").contains("Zone"));
        assert!(bad("profil", "astronautes").contains("astronautes"));
        assert!(bad("taille", "12").contains("Taille"));
        assert!(bad("division", "8").contains("Division"));
        assert!(bad("departement", "6'9").contains("Département"));
    }

    #[test]
    fn selections_keep_valid_sirets_once_in_order() {
        assert_eq!(
            parse_selection("22222222200022, 1,11111111100011,22222222200022,abcdefghijklmn"),
            ["22222222200022", "11111111100011"]
        );
        assert!(parse_selection("").is_empty());
        assert_eq!(requested_selection(" "), Ok(Vec::new()));
        assert!(requested_selection("123,abc")
            .unwrap_err()
            .contains("aucun SIRET"));
        assert_eq!(
            requested_selection("123,11111111100011").unwrap(),
            ["11111111100011"]
        );
        let many: Vec<String> = (0..100).map(|i| format!("{:014}", i)).collect();
        assert_eq!(parse_selection(&many.join(",")).len(), MAX_SELECTION);
    }

    #[test]
    fn departements_of_communes() {
        assert_eq!(departement_of("69123").as_deref(), Some("69"));
        assert_eq!(departement_of("2A004").as_deref(), Some("2A"));
        assert_eq!(departement_of("97411").as_deref(), Some("974"));
        assert_eq!(departement_of("7"), None);
    }

    #[test]
    fn strengths_are_the_top_quarter_best_first() {
        let comp = |key: &str, position: Option<f64>| ComponentView {
            key: key.into(),
            label: format!("Libellé {key}"),
            dimension: "ouverture".into(),
            value: None,
            peer_median: None,
            position,
            n: 20,
            note: None,
        };
        let d = EstablishmentDetail {
            summary: EstablishmentSummary {
                siret: "1".into(),
                name: None,
                address: None,
                naf: None,
                naf_label: None,
                commune: None,
                commune_name: None,
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
                band: "engagee".into(),
                division_label: None,
                size_band: None,
                strengths: vec![],
            },
            first_month: None,
            last_month: None,
            hires_women: None,
            hires_cdi: None,
            hires_cdd: None,
            hires_priority: None,
            peer_group: None,
            dimensions: vec![],
            components: vec![
                comp("young", Some(76.0)),
                comp("senior", Some(90.0)),
                comp("unknown_key", Some(80.0)),
                comp("cdi_share", Some(75.0)),
                comp("boeth", None),
                comp("accidents", Some(20.0)),
                comp("retention_12m", Some(24.9)),
                comp("aided", Some(25.0)),
            ],
            by_year: vec![],
        };
        let keys = |v: Vec<&ComponentView>| v.iter().map(|c| c.key.clone()).collect::<Vec<_>>();
        // 90, 80, 76 (75 is also in the top quarter, but only three are kept).
        assert_eq!(keys(d.strengths()), ["senior", "unknown_key", "young"]);
        assert_eq!(
            d.strength_tags(),
            ["Seniors", "Libellé unknown_key", "Jeunes"]
        );
        // Below 25, worst first; 25 itself is not a weakness.
        assert_eq!(keys(d.weaknesses()), ["accidents", "retention_12m"]);
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
            division_label: None,
            size_band: None,
            strengths: vec![],
        };
        assert_eq!(s.display_name(), "Aide à domicile — Lyon");
        s.name = Some("Les Jardins".into());
        assert_eq!(s.display_name(), "Les Jardins");
        assert_eq!(band_label("engagee"), "Engagée");
    }
}
