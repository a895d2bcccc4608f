//! From the engine's scored establishments to published rows: place each
//! establishment (reference data) and apply statistical secrecy.
//!
//! Secrecy rule (see docs/methode.md): a share or component computed on fewer
//! than [`MIN_PEOPLE`] people is published as absent with a reason; for
//! health-related figures (disabled workers, long sick leave, work accidents)
//! the threshold is [`MIN_PEOPLE_HEALTH`]. The counts behind a hidden share are
//! hidden with it, so it cannot be recovered by subtraction.

use std::path::Path;

use ancrage_engine::score::DimensionScore;
use ancrage_engine::{Component, ScoredEstablishment};
use ancrage_published::{
    ComponentView, DimensionView, EstablishmentDetail, EstablishmentSummary, YearFigures,
};
use std::collections::HashMap;

use ancrage_refdata::sirene::{read_sirene, SireneEstablishment};
use ancrage_refdata::{Grid, Refdata};

/// Fewest people a published figure may rest on (one rule for cards and totals).
pub const MIN_PEOPLE: u32 = ancrage_published::MIN_PEOPLE as u32;
/// Fewest people a health-related figure may rest on.
pub const MIN_PEOPLE_HEALTH: u32 = ancrage_published::MIN_PEOPLE_HEALTH as u32;

/// Reference data, the grid used to name basins and the optional SIRENE
/// extract (already reduced to what may be shown).
pub struct Places {
    pub refdata: Refdata,
    pub grid: Option<Grid>,
    pub sirene: HashMap<String, SireneEstablishment>,
}

/// Read a SIRENE extract, keeping only the public part of each unit: a
/// non-diffusible establishment keeps its figures but loses name, address
/// and exact point.
pub fn load_sirene(path: &Path) -> anyhow::Result<HashMap<String, SireneEstablishment>> {
    Ok(read_sirene(path)?
        .into_iter()
        .map(|(siret, e)| (siret, e.public()))
        .collect())
}

/// Load reference data from `dir`; without it establishments are published
/// unplaced (and a warning says how to build it).
pub fn load_refdata(dir: &Path) -> Option<Places> {
    match Refdata::load(dir) {
        Ok(refdata) => {
            let grid = refdata
                .default_grid()
                .map_err(|e| tracing::warn!("no basin grid: {e}"))
                .ok();
            Some(Places {
                refdata,
                grid,
                sirene: HashMap::new(),
            })
        }
        Err(e) => {
            tracing::warn!(
                "reference data unavailable ({e}); run scripts/refdata-fetch.sh to place establishments on the map"
            );
            None
        }
    }
}

fn is_health_component(key: &str) -> bool {
    key.contains("boeth") || key.contains("sick") || key.contains("accident")
}

/// A dimension of the card. Its score is shown only when the establishment's
/// score is: a "non calculable" establishment (too few hires or dimensions)
/// shows no partial score that would rest on those few hires.
fn dimension_view(d: &DimensionScore, calculable: bool) -> DimensionView {
    DimensionView {
        key: d.key.clone(),
        label: d.label_fr.clone(),
        weight: d.weight,
        score: d.score.filter(|_| calculable),
    }
}

fn component_view(c: &Component) -> ComponentView {
    let threshold = if is_health_component(&c.key) {
        MIN_PEOPLE_HEALTH
    } else {
        MIN_PEOPLE
    };
    let hidden = c.n < threshold;
    let note = if hidden {
        Some(format!("non diffusable (moins de {threshold} personnes)"))
    } else if c.raw.is_none() {
        Some("non calculable".to_string())
    } else {
        None
    };
    ComponentView {
        key: c.key.clone(),
        label: c.label_fr.clone(),
        dimension: c.dimension.clone(),
        value: if hidden { None } else { c.raw },
        peer_median: c.peer_median,
        position: if hidden { None } else { c.position },
        n: if hidden { 0 } else { c.n as i64 },
        note,
    }
}

/// One published row per scored establishment, secrecy applied.
pub fn published_rows(
    scored: &[ScoredEstablishment],
    places: Option<&Places>,
) -> Vec<EstablishmentDetail> {
    let size_bands = ancrage_engine::ScoreConfig::default().size_bands;
    scored
        .iter()
        .map(|s| published_row(s, places, &size_bands))
        .collect()
}

fn published_row(
    s: &ScoredEstablishment,
    places: Option<&Places>,
    size_bands: &[u32],
) -> EstablishmentDetail {
    let ind = &s.indicators;
    // Size band of the peer groups (public: SIRENE publishes headcount bands too).
    let size_band = ancrage_engine::score::size_band(ind.headcount, size_bands);
    let size_band = ancrage_published::SIZE_BANDS
        .iter()
        .any(|(c, _)| *c == size_band)
        .then_some(size_band);
    let shares_visible = ind.hires >= MIN_PEOPLE;
    let mut summary = EstablishmentSummary {
        siret: ind.siret.clone(),
        name: None,
        address: None,
        naf: ind.naf.clone(),
        naf_label: None,
        commune: None,
        commune_name: None,
        postcode: ind.postcode.clone(),
        basin: None,
        basin_label: None,
        lat: None,
        lng: None,
        headcount: (ind.headcount >= MIN_PEOPLE).then_some(ind.headcount as i64),
        hires: shares_visible.then_some(ind.hires as i64),
        women_share: shares_visible.then(|| ind.women_share_hires()).flatten(),
        cdi_share: shares_visible.then(|| ind.cdi_share_hires()).flatten(),
        score: s.score,
        band: s.band.code().to_string(),
        division_label: None,
        size_band,
        strengths: Vec::new(),
    };
    if let Some(p) = places {
        place(
            &mut summary,
            ind.town.as_deref(),
            ind.workplace_commune.as_deref(),
            p,
        );
    }
    let visible = |n: u32| shares_visible.then_some(n as i64);
    EstablishmentDetail {
        summary,
        first_month: ind.first_month.clone(),
        last_month: ind.last_month.clone(),
        hires_women: visible(ind.hires_women),
        hires_cdi: visible(ind.hires_cdi),
        hires_cdd: visible(ind.hires_cdd),
        // Priority publics include disabled workers and long sick leaves.
        hires_priority: (ind.hires >= MIN_PEOPLE_HEALTH).then_some(ind.hires_priority as i64),
        peer_group: Some(s.peer_group.clone()),
        dimensions: s
            .dimensions
            .iter()
            .map(|d| dimension_view(d, s.score.is_some()))
            .collect(),
        components: s.components.iter().map(component_view).collect(),
        by_year: year_figures(ind),
    }
}

/// Hires by year, from the first to the last declared year, with secrecy: a
/// year of 1 to 4 hires is hidden; then, since the total is published, more
/// years are hidden (smallest first) until the hidden years are not a single
/// one and hold at least [`MIN_PEOPLE`] hires together, so that no small count
/// comes out of the total by subtraction. A year without hire shows 0.
fn year_figures(ind: &ancrage_engine::EstablishmentIndicators) -> Vec<YearFigures> {
    let year_of = |m: &Option<String>| m.as_deref().and_then(|m| m.get(..4)?.parse::<i32>().ok());
    let (Some(first), Some(last)) = (year_of(&ind.first_month), year_of(&ind.last_month)) else {
        return Vec::new();
    };
    let get = |y: i32| ind.hires_by_year.get(&y).copied().unwrap_or_default();
    let years: Vec<i32> = (first..=last).collect();
    let mut hidden: Vec<bool> = years
        .iter()
        .map(|y| (1..MIN_PEOPLE).contains(&get(*y).hires))
        .collect();
    let hidden_sum = |hidden: &[bool]| -> u32 {
        years
            .iter()
            .zip(hidden)
            .filter(|(_, h)| **h)
            .map(|(y, _)| get(*y).hires)
            .sum()
    };
    while hidden.iter().any(|h| *h)
        && (hidden.iter().filter(|h| **h).count() == 1 || hidden_sum(&hidden) < MIN_PEOPLE)
    {
        // The smallest year still shown that has hires.
        let next = years
            .iter()
            .enumerate()
            .filter(|(i, y)| !hidden[*i] && get(**y).hires > 0)
            .min_by_key(|(_, y)| get(**y).hires)
            .map(|(i, _)| i);
        match next {
            Some(i) => hidden[i] = true,
            None => break,
        }
    }
    years
        .iter()
        .zip(hidden)
        .map(|(y, h)| {
            let n = get(*y);
            YearFigures {
                year: *y,
                hires: (!h).then_some(n.hires as i64),
                cdi_share: (!h && n.hires > 0).then(|| n.cdi as f64 / n.hires as f64),
            }
        })
        .collect()
}

/// Fill name, address, commune, point, basin and NAF label. SIRENE wins when
/// it knows the establishment; otherwise the DSN postcode and town are located.
fn place(
    summary: &mut EstablishmentSummary,
    town: Option<&str>,
    workplace_commune: Option<&str>,
    p: &Places,
) {
    if let Some(naf) = &summary.naf {
        summary.naf_label = p.refdata.naf_label(naf).map(str::to_string);
        summary.division_label = p
            .refdata
            .naf_division(naf)
            .and_then(|d| p.refdata.division_label(&d))
            .map(str::to_string);
    }
    let sirene = p.sirene.get(&summary.siret);
    let mut point = None;
    if let Some(e) = sirene {
        summary.name = e.name.clone().or_else(|| e.enseigne.clone());
        summary.address = e.address.clone();
        point = e.point;
        if !e.diffusible {
            // Only the commune may be shown.
            summary.postcode = None;
        }
    }
    let commune = match sirene.and_then(|e| e.commune.clone()) {
        Some(code) => p.refdata.current_commune(&code).map(|c| c.code.clone()),
        None => {
            let postcode = summary.postcode.clone().unwrap_or_default();
            match p
                .refdata
                .locate(&postcode, town.unwrap_or(""), workplace_commune)
            {
                Ok(located) => Some(located.commune),
                Err(e) => {
                    tracing::debug!(
                        "{}: not located ({postcode} {}): {e}",
                        summary.siret,
                        town.unwrap_or("")
                    );
                    None
                }
            }
        }
    };
    let Some(commune) = commune else { return };
    if let Some(c) = p.refdata.commune(&commune) {
        summary.commune_name = Some(c.name.clone());
        let [lng, lat] = point.unwrap_or([c.lng, c.lat]);
        summary.lat = Some(lat);
        summary.lng = Some(lng);
    }
    if let Some(grid) = &p.grid {
        if let Some(unit) = p.refdata.basin_of(&commune, grid) {
            summary.basin = Some(unit.to_string());
            summary.basin_label = grid.units.get(unit).cloned();
        }
    }
    summary.commune = Some(commune);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(key: &str, n: u32) -> Component {
        Component {
            key: key.into(),
            label_fr: key.into(),
            dimension: "ouverture".into(),
            raw: Some(0.5),
            shrunk: Some(0.45),
            peer_median: Some(0.4),
            peer_p25: Some(0.3),
            peer_p75: Some(0.5),
            position: Some(60.0),
            n,
        }
    }

    fn years(
        first: &str,
        last: &str,
        by_year: &[(i32, u32, u32)],
    ) -> Vec<(i32, Option<i64>, Option<f64>)> {
        let ind = ancrage_engine::EstablishmentIndicators {
            first_month: Some(first.into()),
            last_month: Some(last.into()),
            hires_by_year: by_year
                .iter()
                .map(|(y, hires, cdi)| {
                    (
                        *y,
                        ancrage_engine::YearHires {
                            hires: *hires,
                            cdi: *cdi,
                        },
                    )
                })
                .collect(),
            ..Default::default()
        };
        year_figures(&ind)
            .into_iter()
            .map(|y| (y.year, y.hires, y.cdi_share))
            .collect()
    }

    #[test]
    fn years_are_published_with_complementary_suppression() {
        // Every year from 5 hires: all shown; a year without hire shows 0.
        assert_eq!(
            years("2021-03", "2023-06", &[(2021, 5, 5), (2023, 8, 2)]),
            [
                (2021, Some(5), Some(1.0)),
                (2022, Some(0), None),
                (2023, Some(8), Some(0.25))
            ]
        );
        // 2022 has 3 hires: hidden; alone it would be the total (22) minus
        // the others, so the smallest other year with hires (2023, 7) goes too.
        assert_eq!(
            years(
                "2021-01",
                "2024-12",
                &[(2021, 12, 3), (2022, 3, 1), (2023, 7, 7)]
            ),
            [
                (2021, Some(12), Some(0.25)),
                (2022, None, None),
                (2023, None, None),
                (2024, Some(0), None)
            ]
        );
        // Two small years (2 + 2 = 4 hires together, still fewer than 5):
        // the only other year is hidden as well.
        assert_eq!(
            years(
                "2022-01",
                "2024-12",
                &[(2022, 2, 0), (2023, 2, 1), (2024, 20, 5)]
            ),
            [(2022, None, None), (2023, None, None), (2024, None, None)]
        );
        // Two small years holding 5 hires or more together: enough.
        assert_eq!(
            years(
                "2022-01",
                "2024-12",
                &[(2022, 4, 0), (2023, 3, 1), (2024, 9, 9)]
            ),
            [
                (2022, None, None),
                (2023, None, None),
                (2024, Some(9), Some(1.0))
            ]
        );
        // No declared month: no years.
        assert_eq!(
            year_figures(&ancrage_engine::EstablishmentIndicators::default()),
            []
        );
    }

    #[test]
    fn small_cells_are_hidden_with_a_reason() {
        let v = component_view(&component("women", 4));
        assert_eq!(v.value, None);
        assert_eq!(v.position, None);
        assert_eq!(v.n, 0);
        assert!(v.note.unwrap().contains("moins de 5"));
        let v = component_view(&component("women", 5));
        assert_eq!(v.value, Some(0.5));
    }

    #[test]
    fn a_non_calculable_establishment_shows_no_dimension_score() {
        let d = DimensionScore {
            key: "ouverture".into(),
            label_fr: "Ouverture".into(),
            weight: 0.4,
            score: Some(49.0),
            components: 3,
        };
        assert_eq!(dimension_view(&d, false).score, None);
        assert_eq!(dimension_view(&d, true).score, Some(49.0));
    }

    #[test]
    fn health_figures_need_eleven_people() {
        for key in ["boeth", "long_sick", "accidents"] {
            assert_eq!(component_view(&component(key, 10)).value, None, "{key}");
            assert_eq!(
                component_view(&component(key, 11)).value,
                Some(0.5),
                "{key}"
            );
        }
    }
}
