//! The engagement score: peer groups, empirical-Bayes shrinkage, percentile
//! positions, three dimensions, a 0–100 score and bands.
//!
//! Configuration lives in `score.toml` (embedded; see [`ScoreConfig`]).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::indicators::{Band, EstablishmentIndicators};

/// The default configuration, as published.
pub const DEFAULT_SCORE_TOML: &str = include_str!("../score.toml");

/// The three dimensions, in display order.
pub const DIMENSIONS: [&str; 3] = ["ouverture", "qualite", "durabilite"];

/// French label of a dimension key.
pub fn dimension_label(key: &str) -> &'static str {
    match key {
        "ouverture" => "Ouverture",
        "qualite" => "Qualité de l'offre",
        "durabilite" => "Durabilité",
        _ => "?",
    }
}

/// Component keys the engine knows how to compute.
pub const COMPONENT_KEYS: [&str; 15] = [
    "gender_balance",
    "young",
    "senior",
    "boeth",
    "aided",
    "alternance",
    "no_experience",
    "long_gap",
    "long_sick",
    "cdi_share",
    "cdd_duration",
    "retention_12m",
    "cdd_to_cdi",
    "accidents",
    "cdi_turnover",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("score configuration: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("score configuration: {0}")]
    Invalid(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DimensionWeights {
    pub ouverture: f64,
    pub qualite: f64,
    pub durabilite: f64,
}

impl DimensionWeights {
    pub fn get(&self, key: &str) -> f64 {
        match key {
            "ouverture" => self.ouverture,
            "qualite" => self.qualite,
            "durabilite" => self.durabilite,
            _ => 0.0,
        }
    }
    pub fn get_mut(&mut self, key: &str) -> Option<&mut f64> {
        match key {
            "ouverture" => Some(&mut self.ouverture),
            "qualite" => Some(&mut self.qualite),
            "durabilite" => Some(&mut self.durabilite),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BandRules {
    pub engagee_score: f64,
    pub engagee_floor: f64,
    pub accueillante_ouverture: f64,
    pub accueillante_score: f64,
    pub en_progres_score: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentConfig {
    pub key: String,
    pub label_fr: String,
    pub dimension: String,
    pub weight: f64,
}

/// Score configuration (`crates/engine/score.toml`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreConfig {
    pub min_hires: u32,
    pub min_dimensions: usize,
    pub min_peers: usize,
    pub min_component_peers: usize,
    pub size_bands: Vec<u32>,
    pub cdd_credibility: f64,
    pub min_employee_years: f64,
    pub dimensions: DimensionWeights,
    pub bands: BandRules,
    pub components: Vec<ComponentConfig>,
}

impl ScoreConfig {
    /// Parse and check a configuration.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let cfg: ScoreConfig = toml::from_str(text)?;
        for c in &cfg.components {
            if !COMPONENT_KEYS.contains(&c.key.as_str()) {
                return Err(ConfigError::Invalid(format!("unknown component {}", c.key)));
            }
            if !DIMENSIONS.contains(&c.dimension.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "unknown dimension {} for {}",
                    c.dimension, c.key
                )));
            }
            if !c.weight.is_finite() || c.weight < 0.0 {
                return Err(ConfigError::Invalid(format!(
                    "negative weight for {}",
                    c.key
                )));
            }
        }
        if DIMENSIONS
            .iter()
            .any(|d| !cfg.dimensions.get(d).is_finite() || cfg.dimensions.get(d) < 0.0)
        {
            return Err(ConfigError::Invalid("negative dimension weight".into()));
        }
        if !cfg.size_bands.windows(2).all(|w| w[0] < w[1]) {
            return Err(ConfigError::Invalid("size_bands must increase".into()));
        }
        Ok(cfg)
    }
}

impl Default for ScoreConfig {
    fn default() -> Self {
        Self::from_toml(DEFAULT_SCORE_TOML).expect("embedded score.toml is valid")
    }
}

/// One component of the score for one establishment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Component {
    pub key: String,
    pub label_fr: String,
    pub dimension: String,
    /// Observed value (rate 0–1, days for `cdd_duration`, per 1 000
    /// employee-years for `accidents`, per 100 CDI employee-years for
    /// `cdi_turnover`).
    pub raw: Option<f64>,
    /// Value pulled toward the peer group (same unit as `raw`).
    pub shrunk: Option<f64>,
    /// Median and quartiles of the peers' shrunk values.
    pub peer_median: Option<f64>,
    pub peer_p25: Option<f64>,
    pub peer_p75: Option<f64>,
    /// Percentile position among peers, 0–100, 100 = best.
    pub position: Option<f64>,
    /// Evidence: denominator (hires, CDDs, rounded employee-years).
    pub n: u32,
}

/// One dimension of the score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DimensionScore {
    pub key: String,
    pub label_fr: String,
    pub weight: f64,
    /// Weighted mean of the available component positions, 0–100.
    pub score: Option<f64>,
    /// Number of components available.
    pub components: u32,
}

/// An establishment with its score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoredEstablishment {
    pub indicators: EstablishmentIndicators,
    pub score: Option<f64>,
    pub band: Band,
    pub calculable: bool,
    pub components: Vec<Component>,
    pub dimensions: Vec<DimensionScore>,
    /// Peer group actually used, e.g. `NAF 56 · 10-49`, `section I`, `tous`.
    pub peer_group: String,
}

// ---------------------------------------------------------------------------
// Shrinkage

/// Beta prior of a rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BetaPrior {
    pub alpha: f64,
    pub beta: f64,
}

/// Bounds on the prior strength α + β (in pseudo-observations).
pub const MIN_PRIOR_STRENGTH: f64 = 1.0;
pub const MAX_PRIOR_STRENGTH: f64 = 1000.0;
/// Prior strength used when the reference set is too small to estimate it.
pub const DEFAULT_PRIOR_STRENGTH: f64 = 10.0;

impl BetaPrior {
    pub fn mean(&self) -> f64 {
        self.alpha / (self.alpha + self.beta)
    }
    /// Method-of-moments fit on `(successes, trials)` with trials > 0.
    ///
    /// μ = Σx / Σn; between-unit variance τ² = (s² − μ(1−μ)·mean(1/n)) /
    /// mean(1 − 1/n) where s² is the mean squared deviation of the observed
    /// rates from μ; strength α + β = μ(1−μ)/τ² − 1, clamped.
    pub fn fit(data: &[(f64, f64)]) -> Self {
        let data: Vec<(f64, f64)> = data.iter().copied().filter(|(_, n)| *n > 0.0).collect();
        let (sx, sn) = data
            .iter()
            .fold((0.0, 0.0), |(a, b), (x, n)| (a + x, b + n));
        let mu = if sn > 0.0 { sx / sn } else { 0.5 }.clamp(1e-3, 1.0 - 1e-3);
        let k = data.len() as f64;
        let strength = if data.len() < 3 {
            DEFAULT_PRIOR_STRENGTH
        } else {
            let s2 = data.iter().map(|(x, n)| (x / n - mu).powi(2)).sum::<f64>() / k;
            let inv_n = data.iter().map(|(_, n)| 1.0 / n).sum::<f64>() / k;
            let between = (s2 - mu * (1.0 - mu) * inv_n) / (1.0 - inv_n).max(1e-9);
            if between <= 1e-12 {
                MAX_PRIOR_STRENGTH
            } else {
                mu * (1.0 - mu) / between - 1.0
            }
        }
        .clamp(MIN_PRIOR_STRENGTH, MAX_PRIOR_STRENGTH);
        Self {
            alpha: mu * strength,
            beta: (1.0 - mu) * strength,
        }
    }
    /// Posterior mean (x + α) / (n + α + β).
    pub fn shrink(&self, x: f64, n: f64) -> f64 {
        (x + self.alpha) / (n + self.alpha + self.beta)
    }
}

/// Gamma prior of an event rate per unit of exposure (accidents per
/// employee-year).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GammaPrior {
    pub shape: f64,
    pub rate: f64,
}

impl GammaPrior {
    /// Method-of-moments fit on `(events, exposure)` with exposure > 0.
    pub fn fit(data: &[(f64, f64)]) -> Self {
        let data: Vec<(f64, f64)> = data.iter().copied().filter(|(_, e)| *e > 0.0).collect();
        let (sx, se) = data
            .iter()
            .fold((0.0, 0.0), |(a, b), (x, e)| (a + x, b + e));
        let mu = if se > 0.0 { sx / se } else { 0.0 };
        let k = data.len() as f64;
        // Rate parameter = prior exposure in employee-years.
        let rate = if data.len() < 3 || mu <= 0.0 {
            10.0
        } else {
            let s2 = data.iter().map(|(x, e)| (x / e - mu).powi(2)).sum::<f64>() / k;
            let inv_e = data.iter().map(|(_, e)| 1.0 / e).sum::<f64>() / k;
            let between = s2 - mu * inv_e;
            if between <= 1e-12 {
                1e5
            } else {
                mu / between
            }
        }
        .clamp(0.5, 1e5);
        Self {
            shape: mu * rate,
            rate,
        }
    }
    pub fn shrink(&self, events: f64, exposure: f64) -> f64 {
        (events + self.shape) / (exposure + self.rate)
    }
}

// ---------------------------------------------------------------------------
// Component data

/// What a component looks like for one establishment before peers.
#[derive(Clone, Copy, Debug)]
enum Evidence {
    /// x successes out of n.
    Rate { x: f64, n: f64 },
    /// A positive value backed by n observations (CDD median days).
    Value { v: f64, n: f64 },
    /// Events over exposure (accidents over employee-years), shown per
    /// `per` units of exposure.
    Count { x: f64, e: f64, per: f64 },
}

/// A Kaplan–Meier retention as a share of `n_eff` effective hires (the
/// Greenwood-equivalent binomial size, see `durability::km_effective_n`);
/// snapshots written before that field existed fall back to the hires.
fn retention(r: Option<f64>, n_eff: f64, hires: u32) -> Option<Evidence> {
    let n = if n_eff > 0.0 { n_eff } else { hires as f64 };
    r.filter(|_| hires > 0 && n > 0.0)
        .map(|r| Evidence::Rate { x: r * n, n })
}

fn rate(x: u32, n: u32) -> Option<Evidence> {
    (n > 0).then_some(Evidence::Rate {
        x: x as f64,
        n: n as f64,
    })
}

fn evidence(key: &str, i: &EstablishmentIndicators, cfg: &ScoreConfig) -> Option<Evidence> {
    match key {
        // Women among hires; the minority share is taken after shrinkage
        // (see `minority_share`).
        "gender_balance" => rate(i.hires_women, i.hires),
        "young" => rate(i.hires_young, i.hires),
        "senior" => rate(i.hires_senior, i.hires),
        "boeth" => rate(i.hires_boeth, i.hires),
        "aided" => rate(i.hires_aided, i.hires),
        "alternance" => rate(i.hires_alternance, i.hires),
        "no_experience" => rate(i.hires_no_experience, i.hires_no_experience_known),
        "long_gap" => rate(i.hires_long_gap, i.hires_long_gap_known),
        "long_sick" => rate(i.hires_long_sick, i.hires_long_sick_known),
        "cdi_share" => rate(i.hires_cdi, i.hires_cdi + i.hires_cdd),
        "cdd_duration" => i
            .cdd_days_median
            .filter(|v| *v > 0.0 && i.cdd_count > 0)
            .map(|v| Evidence::Value {
                v,
                n: i.cdd_count as f64,
            }),
        "retention_12m" => retention(i.retention_12m, i.retention_12m_n, i.hires),
        // Among CDD hires of at least a month (see `compute::CDD_MONTH_DAYS`).
        "cdd_to_cdi" => rate(i.cdd_month_to_cdi, i.hires_cdd_month),
        "accidents" => (i.employee_years >= cfg.min_employee_years).then_some(Evidence::Count {
            x: i.work_accidents as f64,
            e: i.employee_years,
            per: 1000.0,
        }),
        "cdi_turnover" => (i.cdi_years >= cfg.min_employee_years).then_some(Evidence::Count {
            x: i.cdi_ends as f64,
            e: i.cdi_years,
            per: 100.0,
        }),
        _ => None,
    }
}

impl Evidence {
    fn raw(&self) -> f64 {
        match *self {
            Evidence::Rate { x, n } => x / n,
            Evidence::Value { v, .. } => v,
            Evidence::Count { x, e, per } => x * per / e,
        }
    }
    fn n(&self) -> u32 {
        match *self {
            Evidence::Rate { n, .. } | Evidence::Value { n, .. } => n.round() as u32,
            Evidence::Count { e, .. } => e.round() as u32,
        }
    }
}

/// A fitted prior for one component in one reference set.
#[derive(Clone, Copy, Debug)]
enum Prior {
    Beta(BetaPrior),
    /// Log-scale credibility: mean log value and constant k.
    LogMean {
        m: f64,
        k: f64,
    },
    Gamma(GammaPrior),
}

impl Prior {
    fn fit(ev: &[Evidence], cfg: &ScoreConfig) -> Option<Self> {
        let first = ev.first()?;
        Some(match first {
            Evidence::Rate { .. } => Prior::Beta(BetaPrior::fit(
                &ev.iter()
                    .filter_map(|e| match e {
                        Evidence::Rate { x, n } => Some((*x, *n)),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            )),
            Evidence::Value { .. } => {
                let (mut s, mut w) = (0.0, 0.0);
                for e in ev {
                    if let Evidence::Value { v, n } = e {
                        s += n * v.ln();
                        w += n;
                    }
                }
                Prior::LogMean {
                    m: s / w,
                    k: cfg.cdd_credibility,
                }
            }
            Evidence::Count { .. } => Prior::Gamma(GammaPrior::fit(
                &ev.iter()
                    .filter_map(|e| match e {
                        Evidence::Count { x, e, .. } => Some((*x, *e)),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            )),
        })
    }
    fn shrink(&self, e: &Evidence) -> f64 {
        match (self, e) {
            (Prior::Beta(p), Evidence::Rate { x, n }) => p.shrink(*x, *n),
            (Prior::LogMean { m, k }, Evidence::Value { v, n }) => {
                let z = n / (n + k);
                (z * v.ln() + (1.0 - z) * m).exp()
            }
            (Prior::Gamma(p), Evidence::Count { x, e, per }) => p.shrink(*x, *e) * per,
            _ => e.raw(),
        }
    }
}

/// Error function (Abramowitz & Stegun 7.1.26, absolute error < 1.5e-7).
fn erf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x.abs());
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let y = 1.0 - poly * (-x * x).exp();
    if x < 0.0 {
        -y
    } else {
        y
    }
}

/// Posterior expected minority share E[min(θ, 1 − θ)] of a Beta(a, b)
/// posterior of the women's rate θ, with θ approximated by a normal of the
/// same mean m and variance v: ½ − E|θ − ½| and, for X ~ N(d, v),
/// E|X| = σ √(2/π) e^(−d²/2v) + |d| erf(|d| / σ√2).
///
/// The folded count min(x, n − x) is not binomial (it is capped at n/2), so
/// a beta-binomial fit on it finds no spread between firms and pins the
/// prior at its maximal strength; shrinking the women's count and folding
/// afterwards avoids that, and the uncertainty of a small sample lowers
/// the expected minority share (2 women out of 2 stays below 40 out of 80).
pub fn minority_share(a: f64, b: f64) -> f64 {
    let m = a / (a + b);
    let v = a * b / ((a + b).powi(2) * (a + b + 1.0));
    let d = (m - 0.5).abs();
    if v <= 0.0 {
        return 0.5 - d;
    }
    let sd = v.sqrt();
    let e_abs = sd * (2.0 / std::f64::consts::PI).sqrt() * (-d * d / (2.0 * v)).exp()
        + d * erf(d / (sd * std::f64::consts::SQRT_2));
    0.5 - e_abs
}

/// Shrunk value of a component as compared between establishments.
fn compared(key: &str, prior: &Prior, e: &Evidence) -> f64 {
    match (key, prior, e) {
        ("gender_balance", Prior::Beta(p), Evidence::Rate { x, n }) => {
            minority_share(p.alpha + x, p.beta + n - x)
        }
        _ => prior.shrink(e),
    }
}

/// Observed value as displayed (minority share for gender balance).
fn displayed_raw(key: &str, e: &Evidence) -> f64 {
    match (key, e) {
        ("gender_balance", Evidence::Rate { x, n }) => x.min(n - x) / n,
        _ => e.raw(),
    }
}

fn lower_is_better(key: &str) -> bool {
    matches!(key, "accidents" | "cdi_turnover")
}

// ---------------------------------------------------------------------------
// Peer groups

/// NAF section letter of a division (NAF rév. 2), from the reference table.
pub fn naf_section(division: u32) -> Option<char> {
    u8::try_from(division)
        .ok()
        .and_then(ancrage_refdata::naf::section_of_division)
}

/// NAF division (two first digits) of a code such as `5610A` or `56.10A`.
pub fn naf_division(naf: &str) -> Option<u32> {
    let digits: String = naf.chars().filter(|c| c.is_ascii_digit()).take(2).collect();
    (digits.len() == 2).then(|| digits.parse().ok()).flatten()
}

/// Label of the size band of a headcount, e.g. `10-49`.
pub fn size_band(headcount: u32, bands: &[u32]) -> String {
    let mut lo = 1;
    for &b in bands {
        if headcount < b {
            return format!("{lo}-{}", b - 1);
        }
        lo = b;
    }
    format!("{lo}+")
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum PeerKey {
    Cell(u32, String),
    Section(char),
    All,
}

impl PeerKey {
    fn label(&self) -> String {
        match self {
            PeerKey::Cell(d, b) => format!("NAF {d:02} · {b}"),
            PeerKey::Section(s) => format!("section {s}"),
            PeerKey::All => "tous".to_string(),
        }
    }
}

fn percentile(sorted: &[f64], v: f64) -> f64 {
    let below = sorted.partition_point(|x| *x < v);
    let upto = sorted.partition_point(|x| *x <= v);
    let equal = upto - below;
    100.0 * (below as f64 + 0.5 * equal as f64) / sorted.len() as f64
}

fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64))
}

/// Reference distribution of one component in one reference set.
struct Reference {
    prior: Prior,
    sorted: Vec<f64>,
}

fn reference(
    key: &str,
    members: &[usize],
    ev: &[Option<Evidence>],
    cfg: &ScoreConfig,
) -> Option<Reference> {
    let data: Vec<Evidence> = members.iter().filter_map(|m| ev[*m]).collect();
    let prior = Prior::fit(&data, cfg)?;
    let mut sorted: Vec<f64> = data.iter().map(|e| compared(key, &prior, e)).collect();
    sorted.sort_by(f64::total_cmp);
    Some(Reference { prior, sorted })
}

/// Score every establishment against its peers.
pub fn score_all(
    indicators: Vec<EstablishmentIndicators>,
    cfg: &ScoreConfig,
) -> Vec<ScoredEstablishment> {
    let n = indicators.len();
    if n == 0 {
        return Vec::new();
    }
    // Peer group of each establishment.
    let cell_of = |i: &EstablishmentIndicators| {
        i.naf
            .as_deref()
            .and_then(naf_division)
            .map(|d| (d, size_band(i.headcount, &cfg.size_bands)))
    };
    let mut members: BTreeMap<PeerKey, Vec<usize>> = BTreeMap::new();
    for (k, i) in indicators.iter().enumerate() {
        members.entry(PeerKey::All).or_default().push(k);
        if let Some((d, b)) = cell_of(i) {
            members.entry(PeerKey::Cell(d, b)).or_default().push(k);
            if let Some(s) = naf_section(d) {
                members.entry(PeerKey::Section(s)).or_default().push(k);
            }
        }
    }
    // Establishments with at least one hire, per group (computed once).
    let with_hires: HashMap<&PeerKey, usize> = members
        .iter()
        .map(|(k, m)| (k, m.iter().filter(|i| indicators[**i].hires > 0).count()))
        .collect();
    let thick = |key: &PeerKey| with_hires.get(key).is_some_and(|n| *n >= cfg.min_peers);
    let peer_of: Vec<PeerKey> = indicators
        .iter()
        .map(|i| {
            if let Some((d, b)) = cell_of(i) {
                let cell = PeerKey::Cell(d, b);
                if thick(&cell) {
                    return cell;
                }
                if let Some(s) = naf_section(d) {
                    let sec = PeerKey::Section(s);
                    if thick(&sec) {
                        return sec;
                    }
                }
            }
            PeerKey::All
        })
        .collect();

    // Evidence per component.
    let evidence_of: Vec<Vec<Option<Evidence>>> = cfg
        .components
        .iter()
        .map(|c| {
            indicators
                .iter()
                .map(|i| evidence(&c.key, i, cfg))
                .collect()
        })
        .collect();

    // References per (peer key used, component).
    let mut used: Vec<PeerKey> = peer_of.clone();
    used.push(PeerKey::All);
    used.sort();
    used.dedup();
    let mut refs: HashMap<(PeerKey, usize), Reference> = HashMap::new();
    for key in &used {
        let m = &members[key];
        for (c, ev) in evidence_of.iter().enumerate() {
            let have = m.iter().filter(|k| ev[**k].is_some()).count();
            if have >= cfg.min_component_peers || *key == PeerKey::All {
                if let Some(r) = reference(&cfg.components[c].key, m, ev, cfg) {
                    refs.insert((key.clone(), c), r);
                }
            }
        }
    }
    let get_ref = |key: &PeerKey, c: usize| refs.get(&(key.clone(), c));

    let mut out = Vec::with_capacity(n);
    for (k, ind) in indicators.into_iter().enumerate() {
        let mut components = Vec::with_capacity(cfg.components.len());
        for (c, cc) in cfg.components.iter().enumerate() {
            let ev = evidence_of[c][k];
            let mut comp = Component {
                key: cc.key.clone(),
                label_fr: cc.label_fr.clone(),
                dimension: cc.dimension.clone(),
                raw: ev.map(|e| displayed_raw(&cc.key, &e)),
                shrunk: None,
                peer_median: None,
                peer_p25: None,
                peer_p75: None,
                position: None,
                n: ev.map(|e| e.n()).unwrap_or(0),
            };
            let r = get_ref(&peer_of[k], c).or_else(|| get_ref(&PeerKey::All, c));
            if let Some(r) = r {
                comp.peer_median = quantile(&r.sorted, 0.5);
                comp.peer_p25 = quantile(&r.sorted, 0.25);
                comp.peer_p75 = quantile(&r.sorted, 0.75);
                if let Some(e) = ev {
                    let s = compared(&cc.key, &r.prior, &e);
                    comp.shrunk = Some(s);
                    let pct = percentile(&r.sorted, s);
                    comp.position = Some(if lower_is_better(&cc.key) {
                        100.0 - pct
                    } else {
                        pct
                    });
                }
            }
            components.push(comp);
        }
        let dimensions: Vec<DimensionScore> = DIMENSIONS
            .iter()
            .map(|d| {
                let (mut s, mut w, mut count) = (0.0, 0.0, 0);
                for (comp, cc) in components.iter().zip(&cfg.components) {
                    if cc.dimension == *d && cc.weight > 0.0 {
                        if let Some(p) = comp.position {
                            s += cc.weight * p;
                            w += cc.weight;
                            count += 1;
                        }
                    }
                }
                DimensionScore {
                    key: d.to_string(),
                    label_fr: dimension_label(d).to_string(),
                    weight: cfg.dimensions.get(d),
                    score: (w > 0.0).then(|| s / w),
                    components: count,
                }
            })
            .collect();
        out.push(ScoredEstablishment {
            indicators: ind,
            score: None,
            band: Band::NonCalculable,
            calculable: false,
            components,
            dimensions,
            peer_group: peer_of[k].label(),
        });
    }
    // Dimensions as positions: the weighted mean of a dimension's component
    // positions becomes its percentile among the establishments with at
    // least `min_hires` hires that have it (all that have it if none does).
    // A mean of many weakly related positions is squeezed toward 50, so
    // without this step a dimension with many components would weigh less in
    // the score than its published weight says.
    for (d, _) in DIMENSIONS.iter().enumerate() {
        let means = |min_hires: u32| -> Vec<f64> {
            let mut v: Vec<f64> = out
                .iter()
                .filter(|e| e.indicators.hires >= min_hires)
                .filter_map(|e| e.dimensions[d].score)
                .collect();
            v.sort_by(f64::total_cmp);
            v
        };
        let mut sorted = means(cfg.min_hires);
        if sorted.is_empty() {
            sorted = means(0);
        }
        for e in &mut out {
            if let Some(v) = e.dimensions[d].score {
                e.dimensions[d].score = Some(percentile(&sorted, v));
            }
        }
    }
    for e in &mut out {
        let (mut s, mut w, mut computable) = (0.0, 0.0, 0);
        for d in &e.dimensions {
            if let Some(v) = d.score {
                computable += 1;
                s += d.weight * v;
                w += d.weight;
            }
        }
        e.calculable =
            e.indicators.hires >= cfg.min_hires && computable >= cfg.min_dimensions && w > 0.0;
        e.score = e.calculable.then(|| (s / w).clamp(0.0, 100.0));
        e.band = band_of(e.score, &e.dimensions, &cfg.bands);
    }
    out
}

/// Band of a score (rules in docs/methode.md).
pub fn band_of(score: Option<f64>, dims: &[DimensionScore], rules: &BandRules) -> Band {
    let Some(s) = score else {
        return Band::NonCalculable;
    };
    let dim = |k: &str| dims.iter().find(|d| d.key == k).and_then(|d| d.score);
    let floor_ok = dims
        .iter()
        .filter_map(|d| d.score)
        .all(|v| v >= rules.engagee_floor);
    if s >= rules.engagee_score && floor_ok {
        Band::Engagee
    } else if s >= rules.accueillante_score
        && dim("ouverture").is_some_and(|o| o >= rules.accueillante_ouverture)
    {
        Band::Accueillante
    } else if s >= rules.en_progres_score {
        Band::EnProgres
    } else {
        Band::PeuEngagee
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_parses_and_is_complete() {
        let cfg = ScoreConfig::default();
        assert_eq!(cfg.components.len(), COMPONENT_KEYS.len());
        let total: f64 = DIMENSIONS.iter().map(|d| cfg.dimensions.get(d)).sum();
        assert!((total - 1.0).abs() < 1e-9);
        assert!(ScoreConfig::from_toml("min_hires = 'x'").is_err());
        let bad = DEFAULT_SCORE_TOML.replace("key = \"young\"", "key = \"nope\"");
        assert!(matches!(
            ScoreConfig::from_toml(&bad),
            Err(ConfigError::Invalid(_))
        ));
    }

    #[test]
    fn beta_fit_by_hand() {
        // Rates 0/10, 5/10, 10/10: μ = 15/30 = 0.5; s² = (0.25 + 0 + 0.25)/3 = 1/6;
        // noise = 0.25 · 0.1 = 0.025; τ² = (1/6 − 0.025)/0.9 = 0.157407…;
        // strength = 0.25/τ² − 1 = 0.588… → clamped to 1.
        let p = BetaPrior::fit(&[(0.0, 10.0), (5.0, 10.0), (10.0, 10.0)]);
        assert!((p.alpha - 0.5).abs() < 1e-12 && (p.beta - 0.5).abs() < 1e-12);
        // Rates 4/10, 5/10, 6/10: s² = (0.01 + 0 + 0.01)/3 = 0.00667 < noise 0.025
        // → no between-firm spread → maximal strength 1000.
        let p = BetaPrior::fit(&[(4.0, 10.0), (5.0, 10.0), (6.0, 10.0)]);
        assert!((p.alpha + p.beta - MAX_PRIOR_STRENGTH).abs() < 1e-9);
        assert!((p.mean() - 0.5).abs() < 1e-12);
        // Posterior with α = β = 0.5: (2 + 0.5)/(2 + 1) = 5/6.
        let p = BetaPrior {
            alpha: 0.5,
            beta: 0.5,
        };
        assert!((p.shrink(2.0, 2.0) - 5.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn size_bands_and_naf() {
        let b = [10, 50, 250];
        assert_eq!(size_band(0, &b), "1-9");
        assert_eq!(size_band(9, &b), "1-9");
        assert_eq!(size_band(10, &b), "10-49");
        assert_eq!(size_band(249, &b), "50-249");
        assert_eq!(size_band(250, &b), "250+");
        assert_eq!(naf_division("5610A"), Some(56));
        assert_eq!(naf_division("56.10A"), Some(56));
        assert_eq!(naf_section(56), Some('I'));
        assert_eq!(naf_section(4), None);
    }

    #[test]
    fn percentiles_mid_rank() {
        let s = [1.0, 2.0, 2.0, 3.0];
        // 1 below, 2 equal → (1 + 1)/4 = 50 %.
        assert_eq!(percentile(&s, 2.0), 50.0);
        assert_eq!(percentile(&s, 3.0), 87.5);
        assert_eq!(quantile(&s, 0.5), Some(2.0));
        assert_eq!(quantile(&s, 0.25), Some(1.75));
    }

    fn firm(siret: &str, hires: u32, cdi: u32) -> EstablishmentIndicators {
        EstablishmentIndicators {
            siret: siret.into(),
            naf: Some("5610A".into()),
            headcount: 12,
            hires,
            hires_cdi: cdi,
            hires_cdd: hires - cdi,
            // Every CDD hire lasted a month or more (none converted).
            hires_cdd_month: hires - cdi,
            ..Default::default()
        }
    }

    fn by_siret<'a>(v: &'a [ScoredEstablishment], s: &str) -> &'a ScoredEstablishment {
        v.iter().find(|x| x.indicators.siret == s).unwrap()
    }

    fn comp<'a>(s: &'a ScoredEstablishment, key: &str) -> &'a Component {
        s.components.iter().find(|c| c.key == key).unwrap()
    }

    #[test]
    fn positions_and_score_by_hand() {
        // Four firms, 10 hires each, CDI 1, 3, 5, 7. Same n and same prior, so
        // shrinkage keeps the order: mid-rank percentiles 12.5, 37.5, 62.5, 87.5.
        // Ouverture: every rate is 0/10 for all (0 women, 0 young…) → all equal
        // → 50. Qualité = cdi_share position q (cdd_duration absent).
        // Durabilité = cdd_to_cdi only: 0 conversions out of 9, 7, 5, 3 CDD
        // hires of a month or more; (0 + α)/(n + α + β) falls as n grows, so the positions are
        // again 12.5, 37.5, 62.5, 87.5 = q.
        // Dimensions as percentiles among the four (all have ≥ 5 hires):
        // ouverture means 50, 50, 50, 50 → all tied → (0 + ½·4)/4 = 50;
        // qualité and durabilité means 12.5 … 87.5 → percentiles (k + ½)/4 =
        // 12.5, 37.5, 62.5, 87.5, i.e. unchanged.
        // Score = 0.4·50 + 0.3·q + 0.3·q = 20 + 0.6·q.
        let inds = vec![
            firm("a", 10, 1),
            firm("b", 10, 3),
            firm("c", 10, 5),
            firm("d", 10, 7),
        ];
        let out = score_all(inds, &ScoreConfig::default());
        for (s, q) in [("a", 12.5), ("b", 37.5), ("c", 62.5), ("d", 87.5)] {
            let f = by_siret(&out, s);
            assert_eq!(comp(f, "cdi_share").position, Some(q), "{s}");
            assert_eq!(comp(f, "young").position, Some(50.0));
            assert_eq!(comp(f, "retention_12m").position, None);
            let score = f.score.unwrap();
            assert_eq!(comp(f, "cdd_to_cdi").position, Some(q), "{s}");
            assert!((score - (20.0 + 0.6 * q)).abs() < 1e-9, "{s}: {score}");
            assert_eq!(f.peer_group, "tous");
        }
        // Bands: a 27.5 < 40 → peu engagée; b 42.5, c 57.5 → en progrès
        // (ouverture 50 < 60, so not accueillante); d 72.5 ≥ 65 with every
        // dimension ≥ 40 (50, 87.5, 87.5) → engagée.
        assert_eq!(by_siret(&out, "a").band, Band::PeuEngagee);
        assert_eq!(by_siret(&out, "b").band, Band::EnProgres);
        assert_eq!(by_siret(&out, "c").band, Band::EnProgres);
        assert_eq!(by_siret(&out, "d").band, Band::Engagee);
    }

    #[test]
    fn dimensions_become_percentiles() {
        // Qualité = cdi_share only. Firms with 10 hires and 1, 3, 5, 7 CDI,
        // and a fifth with 4 hires and 2 CDI. Shrinkage toward
        // μ = 18/44 = 0.41 < ½ puts 2/4 strictly between 3/10 and 5/10
        // ((2 + μs)(10 + s) < (5 + μs)(4 + s) ⇔ μ < ½, and > 3/10 for every
        // s), so cdi_share positions are a 10, b 30, small 50, c 70, d 90.
        // The small firm (< 5 hires) is outside the dimension reference:
        // means 10, 30, 70, 90 → percentiles 12.5, 37.5, 62.5, 87.5, and
        // the small firm's 50 has two below → 50.
        let inds = vec![
            firm("a", 10, 1),
            firm("b", 10, 3),
            firm("c", 10, 5),
            firm("d", 10, 7),
            firm("small", 4, 2),
        ];
        let out = score_all(inds, &ScoreConfig::default());
        let q = |s: &str| by_siret(&out, s).dimensions[1].score.unwrap();
        for (s, p) in [("a", 12.5), ("b", 37.5), ("c", 62.5), ("d", 87.5)] {
            assert_eq!(q(s), p, "{s}");
        }
        assert_eq!(q("small"), 50.0);
        assert!(!by_siret(&out, "small").calculable);
    }

    #[test]
    fn minority_share_by_hand() {
        // 40 women of 80 with a Beta(½, ½) prior → Beta(40.5, 40.5): m = ½,
        // v = 0.25/82 = 0.0030488, σ = 0.055216; d = 0 so E|θ − ½| =
        // σ·√(2/π) = 0.044056 → 0.455944.
        assert!((minority_share(40.5, 40.5) - 0.455944).abs() < 1e-5);
        // 2 of 2 → Beta(2.5, 0.5): m = 5/6, v = 1.25/(9·4) = 0.034722,
        // σ = 0.186339, d = 1/3; d²/2v = 1.6, e^−1.6 = 0.201897;
        // σ·0.797885·0.201897 = 0.030017; erf(d/(σ√2)) = erf(1.264911) =
        // 0.926362, × d = 0.308787; E|θ − ½| = 0.338804 → 0.161196.
        assert!((minority_share(2.5, 0.5) - 0.161196).abs() < 1e-5);
        assert!((erf(1.264_911_064) - 0.926_362).abs() < 1e-6);
        assert!(erf(0.0).abs() < 1e-8);
    }

    #[test]
    fn cdi_turnover_lower_is_better_by_hand() {
        // Four firms with 10 CDI employee-years each and 0, 1, 2, 3 CDI ends:
        // raw 0, 10, 20, 30 per 100. Gamma fit: μ = 6/40 = 0.15 per year;
        // s² = (0.15² + 0.05² + 0.05² + 0.15²)/4 = 0.0125 < Poisson noise
        // μ·mean(1/e) = 0.015 → no spread → prior exposure 1e5 years, shape
        // 0.15·1e5 = 15 000. Shrunk (x + 15 000)/(10 + 1e5) × 100, order kept;
        // fewer ends is better: positions 87.5, 62.5, 37.5, 12.5.
        let inds: Vec<_> = (0..4u32)
            .map(|k| EstablishmentIndicators {
                cdi_ends: k,
                cdi_years: 10.0,
                ..firm(&format!("f{k}"), 10, 5)
            })
            .collect();
        let out = score_all(inds, &ScoreConfig::default());
        for (k, pos) in [87.5, 62.5, 37.5, 12.5].into_iter().enumerate() {
            let c = comp(by_siret(&out, &format!("f{k}")), "cdi_turnover");
            assert_eq!(c.position, Some(pos), "f{k}");
            assert!((c.raw.unwrap() - 10.0 * k as f64).abs() < 1e-9);
            let shrunk = (k as f64 + 15_000.0) / 100_010.0 * 100.0;
            assert!((c.shrunk.unwrap() - shrunk).abs() < 1e-9, "f{k}");
            assert_eq!(c.n, 10);
        }
        // Under one CDI employee-year the component is absent.
        let mut thin = firm("thin", 10, 5);
        thin.cdi_years = 0.5;
        thin.cdi_ends = 1;
        let out = score_all(vec![thin], &ScoreConfig::default());
        assert_eq!(comp(&out[0], "cdi_turnover").position, None);
    }

    #[test]
    fn retention_is_a_rate_on_the_effective_hires() {
        // Same retention 0.5 with 20 hires, but 20 vs 5 effective hires (the
        // second mostly censored): the second is pulled harder toward the
        // peers' mean, here above ½ thanks to two firms at 0.9.
        let mk = |s: &str, r: f64, n: f64| EstablishmentIndicators {
            retention_12m: Some(r),
            retention_12m_n: n,
            ..firm(s, 20, 10)
        };
        let inds = vec![
            mk("full", 0.5, 20.0),
            mk("censored", 0.5, 5.0),
            mk("g1", 0.9, 20.0),
            mk("g2", 0.9, 20.0),
        ];
        let out = score_all(inds, &ScoreConfig::default());
        let shrunk = |s: &str| comp(by_siret(&out, s), "retention_12m").shrunk.unwrap();
        assert!(shrunk("censored") > shrunk("full"));
        assert_eq!(comp(by_siret(&out, "censored"), "retention_12m").n, 5);
    }

    #[test]
    fn empty_input() {
        assert!(score_all(Vec::new(), &ScoreConfig::default()).is_empty());
    }

    #[test]
    fn non_calculable_is_never_zero() {
        let mut only_ouverture = firm("one-dim", 10, 0);
        // No CDI/CDD split, no CDD→CDI base.
        only_ouverture.hires_cdd = 0;
        only_ouverture.hires_cdd_month = 0;
        let inds = vec![firm("small", 4, 2), only_ouverture, firm("ok", 10, 5)];
        let out = score_all(inds, &ScoreConfig::default());
        for s in ["small", "one-dim"] {
            let f = by_siret(&out, s);
            assert_eq!(f.score, None);
            assert_eq!(f.band, Band::NonCalculable);
            assert!(!f.calculable);
        }
        assert!(by_siret(&out, "ok").score.is_some());
        // The 4-hire firm still gets its components for display.
        assert!(comp(by_siret(&out, "small"), "cdi_share")
            .position
            .is_some());
    }

    #[test]
    fn fewer_accidents_rank_higher() {
        // Same exposure (10 employee-years), 0…3 accidents: shrunk frequency
        // increases with accidents, so positions are 100 − 12.5, …, 100 − 87.5.
        let inds: Vec<_> = (0..4)
            .map(|k| EstablishmentIndicators {
                siret: format!("f{k}"),
                hires: 10,
                work_accidents: k,
                employee_years: 10.0,
                ..Default::default()
            })
            .collect();
        let out = score_all(inds, &ScoreConfig::default());
        for (k, expect) in [(0, 87.5), (1, 62.5), (2, 37.5), (3, 12.5)] {
            let c = comp(by_siret(&out, &format!("f{k}")), "accidents");
            assert_eq!(c.position, Some(expect));
            assert_eq!(c.raw, Some(k as f64 * 100.0)); // k / 10 · 1 000
        }
    }

    #[test]
    fn peer_groups_fall_back() {
        // 20 firms with hires in NAF 56 × 10-49 → own cell; a lone 47 firm → section G
        // is thin too (1 firm) → all.
        let mut inds: Vec<_> = (0..20).map(|k| firm(&format!("r{k}"), 6, 3)).collect();
        let mut shop = firm("shop", 6, 3);
        shop.naf = Some("4711D".into());
        inds.push(shop);
        let out = score_all(inds, &ScoreConfig::default());
        assert_eq!(by_siret(&out, "r0").peer_group, "NAF 56 · 10-49");
        assert_eq!(by_siret(&out, "shop").peer_group, "tous");
    }

    #[test]
    fn band_rules() {
        let rules = ScoreConfig::default().bands;
        let dims = |o: f64, q: f64, d: f64| -> Vec<DimensionScore> {
            [("ouverture", o), ("qualite", q), ("durabilite", d)]
                .iter()
                .map(|(k, v)| DimensionScore {
                    key: k.to_string(),
                    label_fr: String::new(),
                    weight: 1.0,
                    score: Some(*v),
                    components: 1,
                })
                .collect()
        };
        assert_eq!(
            band_of(None, &dims(90.0, 90.0, 90.0), &rules),
            Band::NonCalculable
        );
        assert_eq!(
            band_of(Some(70.0), &dims(80.0, 70.0, 60.0), &rules),
            Band::Engagee
        );
        // High score but one dimension under the floor of 40: not engagée;
        // ouverture 85 ≥ 60 and score ≥ 45 → accueillante.
        assert_eq!(
            band_of(Some(66.0), &dims(85.0, 80.0, 30.0), &rules),
            Band::Accueillante
        );
        assert_eq!(
            band_of(Some(50.0), &dims(50.0, 50.0, 50.0), &rules),
            Band::EnProgres
        );
        assert_eq!(
            band_of(Some(39.9), &dims(70.0, 20.0, 20.0), &rules),
            Band::PeuEngagee
        );
    }
}
