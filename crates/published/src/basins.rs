//! Basin summaries: what a regional coordinator compares between employment
//! basins, overall and by NAF section.
//!
//! They are computed from **published** establishment figures only (after
//! secrecy): a figure hidden on a card is never part of a total, so no total
//! minus the visible figures can reveal it (complementary suppression, see
//! docs/methode.md §6). A total resting on too few people is hidden too.

use serde::{Deserialize, Serialize};

use crate::EstablishmentDetail;

/// Fewest people a published count or share may rest on.
pub const MIN_PEOPLE: i64 = 5;
/// Fewest people a health-related figure may rest on (priority publics include
/// disabled workers and long sick leaves).
pub const MIN_PEOPLE_HEALTH: i64 = 11;

/// Most basins compared side by side.
pub const MAX_COMPARED: usize = 4;

/// Figures of a set of establishments (a basin, or a sector within a basin).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Aggregate {
    pub establishments: i64,
    /// Establishments with a score.
    pub calculable: i64,
    /// Establishments in the "engagée" band.
    pub engaged: i64,
    /// Establishments in the "accueillante" band.
    pub welcoming: i64,
    /// Median score of the calculable establishments.
    pub median_score: Option<f64>,
    /// Share of engaged or welcoming establishments among calculable ones.
    pub engaged_share: Option<f64>,
    /// Person-level hires summed over the establishments whose hires are
    /// published; `None` below [`MIN_PEOPLE`].
    pub hires: Option<i64>,
    /// Establishments whose hires are published (the coverage of `hires`).
    pub hires_covered: i64,
    /// Share of women among those hires.
    pub women_share: Option<f64>,
    /// Share of CDI-group contracts among those hires.
    pub cdi_share: Option<f64>,
    /// Share of hires from priority publics, over the establishments where it
    /// is published; `None` below [`MIN_PEOPLE_HEALTH`] hires.
    pub priority_share: Option<f64>,
}

/// One NAF section inside a basin.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SectorSummary {
    /// NAF section letter.
    pub section: String,
    pub label: String,
    #[serde(flatten)]
    pub figures: Aggregate,
}

/// One basin of the grid in use.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BasinSummary {
    pub basin: String,
    pub label: String,
    #[serde(flatten)]
    pub figures: Aggregate,
    /// By NAF section, largest first.
    pub sectors: Vec<SectorSummary>,
}

/// Metrics the basins can be coloured by on the map: URL code, French label.
pub const BASIN_METRICS: [(&str, &str); 3] = [
    ("score", "Score médian"),
    ("engagees", "Part d'établissements engagés ou accueillants"),
    ("prioritaires", "Part d'embauches de publics prioritaires"),
];

/// Sequential palette of the basin colours, light to dark (ColorBrewer YlGnBu,
/// colour-blind safe; it avoids the hues of the markers' bands).
pub const CHOROPLETH_PALETTE: [&str; 5] = ["#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8"];

/// Class limits splitting `values` into at most `classes` groups of similar
/// size (quantiles), each limit rounded down to a multiple of `step` so that
/// the legend reads well; repeated limits are merged. A value `v` is in class
/// [`class_of`]`(v, &limits)`, from 0 to `limits.len()`.
pub fn quantile_breaks(values: &[f64], classes: usize, step: f64) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let mut limits: Vec<f64> = Vec::new();
    if v.is_empty() || classes < 2 {
        return limits;
    }
    for i in 1..classes {
        let x = v[i * v.len() / classes];
        let x = (x / step).floor() * step;
        if x > v[0] && limits.last().is_none_or(|l| x > *l) {
            limits.push(x);
        }
    }
    limits
}

/// Class of `v` for `limits` from [`quantile_breaks`]: how many limits it reaches.
pub fn class_of(v: f64, limits: &[f64]) -> usize {
    limits.iter().filter(|l| v >= **l).count()
}

/// Colour of class `class` out of `classes`, spread over the palette.
pub fn class_colour(class: usize, classes: usize) -> &'static str {
    let last = CHOROPLETH_PALETTE.len() - 1;
    let i = if classes <= 1 {
        last / 2
    } else {
        (class.min(classes - 1) * last) / (classes - 1)
    };
    CHOROPLETH_PALETTE[i]
}

impl Aggregate {
    /// The value of one of [`BASIN_METRICS`] (score 0–100, shares 0–1).
    pub fn metric(&self, code: &str) -> Option<f64> {
        match code {
            "score" => self.median_score,
            "engagees" => self.engaged_share,
            "prioritaires" => self.priority_share,
            _ => None,
        }
    }

    fn of(rows: &[&EstablishmentDetail]) -> Self {
        let mut a = Aggregate {
            establishments: rows.len() as i64,
            ..Default::default()
        };
        let mut scores: Vec<f64> = Vec::new();
        let (mut hires, mut women, mut cdi) = (0i64, 0i64, 0i64);
        let (mut priority, mut priority_base) = (0i64, 0i64);
        for d in rows {
            let s = &d.summary;
            if let Some(score) = s.score {
                scores.push(score);
            }
            a.engaged += i64::from(s.band == "engagee");
            a.welcoming += i64::from(s.band == "accueillante");
            // Only figures published on the card enter a total.
            if let (Some(h), Some(w), Some(c)) = (s.hires, d.hires_women, d.hires_cdi) {
                a.hires_covered += 1;
                hires += h;
                women += w;
                cdi += c;
            }
            if let (Some(h), Some(p)) = (s.hires, d.hires_priority) {
                priority_base += h;
                priority += p;
            }
        }
        a.calculable = scores.len() as i64;
        a.median_score = median(&mut scores);
        if a.calculable > 0 {
            a.engaged_share = Some(share(a.engaged + a.welcoming, a.calculable));
        }
        if hires >= MIN_PEOPLE {
            a.hires = Some(hires);
            a.women_share = Some(share(women, hires));
            a.cdi_share = Some(share(cdi, hires));
        }
        if priority_base >= MIN_PEOPLE_HEALTH {
            a.priority_share = Some(share(priority, priority_base));
        }
        a
    }
}

/// `num / den` to four decimals (0.01 %): more digits say nothing and made
/// every basin summary three times longer to send.
pub fn share(num: i64, den: i64) -> f64 {
    (num as f64 / den as f64 * 10_000.0).round() / 10_000.0
}

impl BasinSummary {
    /// The figures of the whole basin, or of one NAF section of it (`None`
    /// when the basin has no establishment of that section).
    pub fn figures_for(&self, section: Option<&str>) -> Option<&Aggregate> {
        match section {
            None => Some(&self.figures),
            Some(sec) => self
                .sectors
                .iter()
                .find(|s| s.section == sec)
                .map(|s| &s.figures),
        }
    }

    /// One of [`BASIN_METRICS`] for the basin or one of its sections.
    pub fn metric_for(&self, code: &str, section: Option<&str>) -> Option<f64> {
        self.figures_for(section)?.metric(code)
    }
}

/// A metric's value as the legend and the tooltips write it: the score on
/// 100 (`57`), shares in percent (`42 %`); absent → "non diffusable".
pub fn metric_text(code: &str, v: Option<f64>) -> String {
    match (code, v) {
        (_, None) => "non diffusable".to_string(),
        ("score", Some(x)) => format!("{x:.0}"),
        (_, Some(x)) => format!("{:.0} %", x * 100.0),
    }
}

/// Rounding step of a metric's class limits (1 point of score, 1 % of share).
pub fn metric_step(code: &str) -> f64 {
    if code == "score" {
        1.0
    } else {
        0.01
    }
}

/// The classes of the map's basin colours: limits from [`quantile_breaks`]
/// over the values present, and for each basin code its colour (`None`: no
/// published value, drawn in neutral grey).
#[derive(Clone, Debug, PartialEq)]
pub struct Choropleth {
    pub metric: String,
    pub limits: Vec<f64>,
    pub colours: Vec<(String, Option<&'static str>)>,
}

/// Colour of basins without a published value.
pub const NO_DATA_COLOUR: &str = "#d9d9d9";

impl Choropleth {
    /// Up to five classes of `metric` (one of [`BASIN_METRICS`]) over
    /// `basins`, for the whole basins or one NAF section.
    pub fn new(basins: &[BasinSummary], metric: &str, section: Option<&str>) -> Self {
        let values: Vec<(String, Option<f64>)> = basins
            .iter()
            .map(|b| (b.basin.clone(), b.metric_for(metric, section)))
            .collect();
        let present: Vec<f64> = values.iter().filter_map(|(_, v)| *v).collect();
        let limits = quantile_breaks(&present, CHOROPLETH_PALETTE.len(), metric_step(metric));
        let classes = limits.len() + 1;
        let colours = values
            .into_iter()
            .map(|(code, v)| (code, v.map(|x| class_colour(class_of(x, &limits), classes))))
            .collect();
        Choropleth {
            metric: metric.to_string(),
            limits,
            colours,
        }
    }

    /// Legend entries: colour and French range text, lowest class first.
    pub fn legend(&self) -> Vec<(&'static str, String)> {
        let classes = self.limits.len() + 1;
        let t = |x: f64| metric_text(&self.metric, Some(x));
        (0..classes)
            .map(|c| {
                let text = match (c.checked_sub(1).map(|i| self.limits[i]), self.limits.get(c)) {
                    (None, Some(hi)) => format!("moins de {}", t(*hi)),
                    (Some(lo), Some(hi)) => format!("de {} à moins de {}", t(lo), t(*hi)),
                    (Some(lo), None) => format!("{} et plus", t(lo)),
                    (None, None) => "toutes valeurs".to_string(),
                };
                (class_colour(c, classes), text)
            })
            .collect()
    }
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Summaries of every basin that has establishments, in basin-code order;
/// `section_of` gives the NAF section of an establishment's NAF code and
/// `section_label` its French label. Unplaced establishments are left out.
pub fn basin_summaries(
    rows: &[EstablishmentDetail],
    section_of: impl Fn(&str) -> Option<String>,
    section_label: impl Fn(&str) -> String,
) -> Vec<BasinSummary> {
    use std::collections::BTreeMap;
    let mut by_basin: BTreeMap<&str, Vec<&EstablishmentDetail>> = BTreeMap::new();
    for d in rows {
        if let Some(b) = d.summary.basin.as_deref() {
            by_basin.entry(b).or_default().push(d);
        }
    }
    by_basin
        .into_iter()
        .map(|(basin, members)| {
            let mut by_section: BTreeMap<String, Vec<&EstablishmentDetail>> = BTreeMap::new();
            for d in &members {
                if let Some(sec) = d.summary.naf.as_deref().and_then(&section_of) {
                    by_section.entry(sec).or_default().push(d);
                }
            }
            let mut sectors: Vec<SectorSummary> = by_section
                .into_iter()
                .map(|(section, m)| SectorSummary {
                    label: section_label(&section),
                    section,
                    figures: Aggregate::of(&m),
                })
                .collect();
            sectors.sort_by(|a, b| {
                b.figures
                    .establishments
                    .cmp(&a.figures.establishments)
                    .then_with(|| a.section.cmp(&b.section))
            });
            BasinSummary {
                basin: basin.to_string(),
                label: members[0].summary.basin_label.clone().unwrap_or_default(),
                figures: Aggregate::of(&members),
                sectors,
            }
        })
        .collect()
}

/// The basin codes of a comparison written `a,b,c` (URL parameter `bassins`):
/// 2 to [`MAX_COMPARED`] distinct codes, in order; the message is French.
pub fn parse_compared(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for code in text.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        if code.len() > 12 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!("Code de bassin invalide : « {code} »"));
        }
        if !out.iter().any(|o| o == code) {
            out.push(code.to_string());
        }
    }
    if out.len() < 2 || out.len() > MAX_COMPARED {
        return Err(format!(
            "Choisissez de 2 à {MAX_COMPARED} bassins différents à comparer ({} choisi{})",
            out.len(),
            if out.len() > 1 { "s" } else { "" }
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EstablishmentSummary;

    /// A published row; `hires` = None means hidden by secrecy.
    fn row(
        siret: &str,
        basin: &str,
        naf: &str,
        score: Option<f64>,
        band: &str,
        hires: Option<(i64, i64, i64, i64)>,
    ) -> EstablishmentDetail {
        EstablishmentDetail {
            summary: EstablishmentSummary {
                siret: siret.into(),
                name: None,
                address: None,
                naf: Some(naf.into()),
                naf_label: None,
                commune: None,
                commune_name: None,
                postcode: None,
                basin: Some(basin.into()),
                basin_label: Some(format!("Bassin {basin}")),
                lat: None,
                lng: None,
                headcount: None,
                hires: hires.map(|h| h.0),
                women_share: None,
                cdi_share: None,
                score,
                band: band.into(),
                division_label: None,
                size_band: None,
                strengths: vec![],
            },
            first_month: None,
            last_month: None,
            hires_women: hires.map(|h| h.1),
            hires_cdi: hires.map(|h| h.2),
            hires_cdd: hires.map(|h| h.0 - h.2),
            hires_priority: hires.map(|h| h.3),
            peer_group: None,
            dimensions: vec![],
            components: vec![],
            by_year: vec![],
        }
    }

    fn section(naf: &str) -> Option<String> {
        Some(if naf.starts_with('5') { "I" } else { "Q" }.to_string())
    }

    #[test]
    fn basins_sum_published_figures_only() {
        let rows = vec![
            // Basin 691: hires (hires, women, cdi, priority).
            row(
                "1",
                "691",
                "5610A",
                Some(80.0),
                "engagee",
                Some((10, 4, 6, 3)),
            ),
            row(
                "2",
                "691",
                "5610A",
                Some(50.0),
                "en_progres",
                Some((6, 3, 0, 1)),
            ),
            // 3 hires: hidden on its card, so left out of every total.
            row("3", "691", "8810A", None, "non_calculable", None),
            row(
                "4",
                "691",
                "8810A",
                Some(70.0),
                "accueillante",
                Some((20, 15, 10, 2)),
            ),
            row("5", "423", "8810A", Some(30.0), "peu_engagee", None),
        ];
        let s = basin_summaries(&rows, section, |c| format!("Section {c}"));
        assert_eq!(s.len(), 2);
        let (b423, b691) = (&s[0], &s[1]);
        assert_eq!(b691.basin, "691");
        assert_eq!(b691.label, "Bassin 691");
        let f = &b691.figures;
        assert_eq!((f.establishments, f.calculable), (4, 3));
        assert_eq!((f.engaged, f.welcoming), (1, 1));
        // Scores 50, 70, 80 → median 70; 2 of 3 engaged or welcoming.
        assert_eq!(f.median_score, Some(70.0));
        assert_eq!(f.engaged_share, Some(0.6667));
        // 10 + 6 + 20 = 36 hires on 3 establishments; women 22, CDI 16, priority 6.
        assert_eq!((f.hires, f.hires_covered), (Some(36), 3));
        assert_eq!(f.women_share, Some(0.6111));
        assert_eq!(f.cdi_share, Some(0.4444));
        assert_eq!(f.priority_share, Some(0.1667));
        // Sectors, largest first: Q has 2 establishments (one hidden), I has 2: tie → by letter.
        let secs: Vec<(&str, i64)> = b691
            .sectors
            .iter()
            .map(|s| (s.section.as_str(), s.figures.establishments))
            .collect();
        assert_eq!(secs, [("I", 2), ("Q", 2)]);
        let q = &b691.sectors[1];
        assert_eq!(q.label, "Section Q");
        // Only establishment 4's 20 hires; 20 ≥ 11 so the priority share shows.
        assert_eq!(q.figures.hires, Some(20));
        assert_eq!(q.figures.priority_share, Some(0.1));
        // Sector I: 16 hires ≥ 11.
        assert_eq!(b691.sectors[0].figures.priority_share, Some(0.25));
        // Basin 423: one establishment whose hires are hidden: no total at all.
        let f = &b423.figures;
        assert_eq!((f.hires, f.hires_covered), (None, 0));
        assert_eq!(f.women_share, None);
        assert_eq!(f.median_score, Some(30.0));
        assert_eq!(f.engaged_share, Some(0.0));
    }

    #[test]
    fn small_totals_are_hidden() {
        // Cards show hires from 5 people, so such rows do not occur; the rule
        // on totals is checked on its own: 2 + 2 hires rest on 4 people
        // (hidden), and the priority share needs 11.
        let rows = vec![
            row(
                "1",
                "1",
                "5610A",
                None,
                "non_calculable",
                Some((2, 1, 1, 0)),
            ),
            row(
                "2",
                "1",
                "5610A",
                None,
                "non_calculable",
                Some((2, 1, 1, 1)),
            ),
            row(
                "3",
                "2",
                "5610A",
                None,
                "non_calculable",
                Some((8, 1, 1, 1)),
            ),
        ];
        let s = basin_summaries(&rows, section, |c| c.to_string());
        assert_eq!(s[0].figures.hires, None);
        assert_eq!(s[0].figures.median_score, None);
        assert_eq!(s[0].figures.engaged_share, None);
        assert_eq!(s[1].figures.hires, Some(8));
        assert_eq!(s[1].figures.priority_share, None);
    }

    #[test]
    fn quantile_classes() {
        let v: Vec<f64> = (1..=10).map(|i| f64::from(i) * 10.0).collect();
        // Limits at the 2nd, 4th, 6th, 8th of 10 sorted values (0-based 2, 4, 6, 8).
        let limits = quantile_breaks(&v, 5, 1.0);
        assert_eq!(limits, [30.0, 50.0, 70.0, 90.0]);
        let classes: Vec<usize> = v.iter().map(|x| class_of(*x, &limits)).collect();
        assert_eq!(classes, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
        // Shares rounded down to whole percents: the values at 0-based 1..4 are
        // 0.104, 0.109, 0.5, 0.52 → 0.10 (not above the minimum 0.101, dropped
        // twice), 0.50, 0.52.
        let shares = [0.101, 0.104, 0.109, 0.5, 0.52];
        assert_eq!(quantile_breaks(&shares, 5, 0.01), [0.5, 0.52]);
        // Fewer distinct values than classes, or none: fewer classes.
        assert_eq!(
            quantile_breaks(&[42.0, 42.0, 42.0], 5, 1.0),
            Vec::<f64>::new()
        );
        assert!(quantile_breaks(&[], 5, 1.0).is_empty());
        // Colours spread from light to dark whatever the number of classes.
        assert_eq!(class_colour(0, 2), CHOROPLETH_PALETTE[0]);
        assert_eq!(class_colour(1, 2), CHOROPLETH_PALETTE[4]);
        assert_eq!(class_colour(2, 5), CHOROPLETH_PALETTE[2]);
        assert_eq!(class_colour(0, 1), CHOROPLETH_PALETTE[2]);
    }

    #[test]
    fn compared_basins_are_validated() {
        assert_eq!(parse_compared("691, 423,691").unwrap(), ["691", "423"]);
        assert!(parse_compared("691").unwrap_err().contains("2 à 4"));
        assert!(parse_compared("1,2,3,4,5")
            .unwrap_err()
            .contains("5 choisis"));
        assert!(parse_compared("691,4'2").unwrap_err().contains("4'2"));
    }

    fn basin(code: &str, median: Option<f64>, sector_median: Option<f64>) -> BasinSummary {
        BasinSummary {
            basin: code.into(),
            label: format!("Bassin {code}"),
            figures: Aggregate {
                median_score: median,
                ..Default::default()
            },
            sectors: vec![SectorSummary {
                section: "Q".into(),
                label: "Santé".into(),
                figures: Aggregate {
                    median_score: sector_median,
                    ..Default::default()
                },
            }],
        }
    }

    #[test]
    fn choropleth_classes_follow_the_quantiles_and_grey_out_missing_values() {
        // Ten basins with median scores 10, 20, ..., 90 and one without.
        let mut basins: Vec<BasinSummary> = (1..=9)
            .map(|i| basin(&format!("{i:02}"), Some(i as f64 * 10.0), None))
            .collect();
        basins.push(basin("99", None, Some(50.0)));
        let c = Choropleth::new(&basins, "score", None);
        // Quantiles of 9 values in 5 classes: v[9*i/5] for i = 1..4 → v[1], v[3], v[5], v[7].
        assert_eq!(c.limits, vec![20.0, 40.0, 60.0, 80.0]);
        let colour = |code: &str| c.colours.iter().find(|(b, _)| b == code).unwrap().1;
        assert_eq!(colour("01"), Some(CHOROPLETH_PALETTE[0]));
        assert_eq!(colour("02"), Some(CHOROPLETH_PALETTE[1]));
        assert_eq!(colour("09"), Some(CHOROPLETH_PALETTE[4]));
        assert_eq!(colour("99"), None);
        let legend = c.legend();
        assert_eq!(legend.len(), 5);
        assert_eq!(legend[0].1, "moins de 20");
        assert_eq!(legend[1].1, "de 20 à moins de 40");
        assert_eq!(legend[4].1, "80 et plus");
        // Sector view: only basin 99 has a value for section Q.
        let q = Choropleth::new(&basins, "score", Some("Q"));
        assert!(q.limits.is_empty());
        assert_eq!(q.colours.iter().filter(|(_, c)| c.is_some()).count(), 1);
        assert_eq!(q.legend()[0].1, "toutes valeurs");
    }

    #[test]
    fn metric_texts_are_french() {
        assert_eq!(metric_text("score", Some(56.6)), "57");
        assert_eq!(metric_text("engagees", Some(0.426)), "43 %");
        assert_eq!(metric_text("prioritaires", None), "non diffusable");
    }
}
