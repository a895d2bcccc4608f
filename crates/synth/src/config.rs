//! Configuration: every knob with its documented default, presets, TOML.

use serde::{Deserialize, Serialize};

use crate::Error;

/// Everything that shapes a synthetic run. Same config + same seed → same bytes.
///
/// Every field has a default (see [`SynthConfig::default`], which is the
/// `demo` preset); a TOML file only needs the fields it changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SynthConfig {
    /// Master seed; every basin derives its own ChaCha stream from it.
    pub seed: u64,
    /// First simulated month, `YYYY-MM`.
    pub start: String,
    /// Number of simulated years (12 monthly declarations each).
    pub years: u32,
    /// Establishments with staff over the whole territory (agencies included).
    pub establishments: u32,
    /// Explicit basin codes to simulate; empty = the `max_basins` most populous.
    pub basins: Vec<String>,
    /// How many basins when `basins` is empty (at most 13: NIR numbering).
    pub max_basins: u32,
    /// Share of establishments in the size bands 1–9, 10–49, 50–249, 250+.
    pub size_mix: [f64; 4],
    /// Largest establishment headcount.
    pub size_max: u32,
    /// Share of companies with 2–4 establishments (same SIREN, several NIC).
    pub multi_site_share: f64,
    /// Share of establishments created during the period (first declaration later).
    pub creation_share: f64,
    /// Share of establishments closing during the period (dismissals 012).
    pub closure_share: f64,
    /// Share of insertion structures (IAE: ACI, EI, AI, ETTI) among eligible sectors.
    pub iae_share: f64,
    /// Share of entreprises adaptées (hire mostly BOETH workers).
    pub ea_share: f64,
    pub behaviour: Behaviour,
    pub labour: Labour,
    pub output: OutputKnobs,
}

/// How the latent traits are drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Behaviour {
    /// Correlation between each trait's latent normal and the engagement latent.
    pub trait_loading: f64,
    /// Strength of the openness preference when choosing among candidates.
    pub openness_strength: f64,
    /// Candidates considered per hire.
    pub candidates: u32,
    /// Mean monthly separation hazard of core (non-short) contracts.
    pub separation_mean: f64,
}

/// Labour-market intensities (calibrated to the targets of `docs/synth.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Labour {
    /// Short CDD (< 1 month) per core employee-month, before sector factors.
    pub short_cdd_rate: f64,
    /// Interim missions per employee-month at user sites, before sector factors.
    pub interim_rate: f64,
    /// Sick-leave (maladie) arrêts per employee-month.
    pub sick_rate: f64,
    /// Share of maladie arrêts lasting 180 days or more.
    pub long_sick_share: f64,
    /// Global multiplier on sector work-accident frequencies.
    pub accident_scale: f64,
    /// Share of BOETH among people entering the labour pool.
    pub boeth_pool_share: f64,
    /// New labour-market entrants per core employee-month.
    pub entrant_rate: f64,
}

/// Realism knobs of the written files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutputKnobs {
    /// Norm version written in S10.G00.00.006.
    pub norm_version: String,
    /// Share of files written in Latin-1 (the rest in UTF-8).
    pub latin1_share: f64,
    /// Share of files with CRLF line endings.
    pub crlf_share: f64,
    /// Share of establishment-months first sent incomplete, then corrected by an
    /// "annule et remplace" declaration (type 03).
    pub ar_share: f64,
    /// Share of ended contracts without any end block (the contract disappears).
    pub missing_end_share: f64,
    /// Share of ended contracts whose end block comes a month late.
    pub late_end_share: f64,
    /// Share of new core hires first declared with an NTT only, NIR a month later.
    pub ntt_share: f64,
    /// Share of establishment-months (≥ 4 people) split in two fractions.
    pub fraction_share: f64,
    /// Share of declared ends also sent as an FCTU signalement (nature 07).
    pub fctu_share: f64,
    /// Share of arrêts also sent as an arrêt signalement (nature 04).
    pub arret_signal_share: f64,
    /// Share of establishments whose declarations a payroll bureau groups
    /// into one envoi per month.
    pub bureau_share: f64,
    /// Share of bureau envois wrapped in a lot envelope (S05 … S95).
    pub lot_share: f64,
    /// Share of files with one deliberately malformed line (unquoted value).
    pub malformed_share: f64,
}

impl Default for SynthConfig {
    fn default() -> Self {
        Self {
            seed: 20_240_501,
            start: "2021-01".into(),
            years: 5,
            establishments: 1800,
            basins: Vec::new(),
            max_basins: 3,
            size_mix: [0.75, 0.20, 0.04, 0.01],
            size_max: 80,
            multi_site_share: 0.06,
            creation_share: 0.06,
            closure_share: 0.04,
            iae_share: 0.15,
            ea_share: 0.004,
            behaviour: Behaviour::default(),
            labour: Labour::default(),
            output: OutputKnobs::default(),
        }
    }
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            trait_loading: 0.85,
            openness_strength: 1.6,
            candidates: 5,
            separation_mean: 0.018,
        }
    }
}

impl Default for Labour {
    fn default() -> Self {
        Self {
            short_cdd_rate: 0.065,
            interim_rate: 0.15,
            sick_rate: 0.04,
            long_sick_share: 0.02,
            accident_scale: 1.0,
            boeth_pool_share: 0.045,
            entrant_rate: 0.003,
        }
    }
}

impl Default for OutputKnobs {
    fn default() -> Self {
        Self {
            norm_version: "P25V01".into(),
            latin1_share: 0.75,
            crlf_share: 0.10,
            ar_share: 0.01,
            missing_end_share: 0.03,
            late_end_share: 0.03,
            ntt_share: 0.03,
            fraction_share: 0.005,
            fctu_share: 0.35,
            arret_signal_share: 0.40,
            bureau_share: 0.30,
            lot_share: 0.25,
            malformed_share: 0.0002,
        }
    }
}

impl SynthConfig {
    /// Named presets: `demo` (default: 3 basins, 1 800 establishments of at most
    /// 80 people, 5 years),
    /// `region` (12 basins, 50 000 establishments, for benchmarks) and `tiny`
    /// (2 basins, 240 establishments, 3 years, for tests).
    pub fn preset(name: &str) -> Result<Self, Error> {
        let mut c = Self::default();
        match name {
            "demo" => {}
            "region" => {
                c.establishments = 50_000;
                c.max_basins = 12;
                c.size_max = 2000;
            }
            "tiny" => {
                c.establishments = 240;
                c.max_basins = 2;
                c.years = 3;
                c.size_max = 80;
            }
            other => return Err(Error::Config(format!("unknown preset `{other}`"))),
        }
        Ok(c)
    }

    /// Parse a TOML config; absent fields keep the defaults.
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        let c: Self = toml::from_str(text).map_err(|e| Error::Config(e.to_string()))?;
        c.validate()?;
        Ok(c)
    }

    /// The config as TOML (what `generate` writes as `config.toml`).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("config serialises")
    }

    /// First month as (year, month).
    pub fn start_month(&self) -> Result<(i32, u32), Error> {
        let bad = || Error::Config(format!("start `{}` is not YYYY-MM", self.start));
        let (y, m) = self.start.split_once('-').ok_or_else(bad)?;
        let y: i32 = y.parse().map_err(|_| bad())?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        if !(2000..=2090).contains(&y) || !(1..=12).contains(&m) {
            return Err(bad());
        }
        Ok((y, m))
    }

    /// Check ranges; called by [`from_toml`](Self::from_toml) and `generate`.
    pub fn validate(&self) -> Result<(), Error> {
        self.start_month()?;
        let share = |name: &str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::Config(format!("{name} = {v} is not in [0, 1]")))
            }
        };
        let o = &self.output;
        for (n, v) in [
            ("multi_site_share", self.multi_site_share),
            ("creation_share", self.creation_share),
            ("closure_share", self.closure_share),
            ("iae_share", self.iae_share),
            ("ea_share", self.ea_share),
            ("latin1_share", o.latin1_share),
            ("crlf_share", o.crlf_share),
            ("ar_share", o.ar_share),
            ("missing_end_share", o.missing_end_share),
            ("late_end_share", o.late_end_share),
            ("ntt_share", o.ntt_share),
            ("fraction_share", o.fraction_share),
            ("fctu_share", o.fctu_share),
            ("arret_signal_share", o.arret_signal_share),
            ("bureau_share", o.bureau_share),
            ("lot_share", o.lot_share),
            ("malformed_share", o.malformed_share),
            ("trait_loading", self.behaviour.trait_loading),
        ] {
            share(n, v)?;
        }
        if self.years == 0 || self.years > 20 {
            return Err(Error::Config("years must be in 1..=20".into()));
        }
        if self.establishments == 0 {
            return Err(Error::Config("establishments must be > 0".into()));
        }
        if self.max_basins == 0 || self.max_basins > 13 || self.basins.len() > 13 {
            return Err(Error::Config("at most 13 basins (NIR numbering)".into()));
        }
        if self.size_max < 2 {
            return Err(Error::Config("size_max must be ≥ 2".into()));
        }
        if self.behaviour.candidates == 0 {
            return Err(Error::Config("candidates must be ≥ 1".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_round_trip_and_partial() {
        let c = SynthConfig::preset("region").unwrap();
        let back = SynthConfig::from_toml(&c.to_toml()).unwrap();
        assert_eq!(back, c);
        let p = SynthConfig::from_toml("seed = 7\n[output]\ncrlf_share = 0.5\n").unwrap();
        assert_eq!(p.seed, 7);
        assert_eq!(p.output.crlf_share, 0.5);
        assert_eq!(p.years, 5);
        assert!(SynthConfig::from_toml("sede = 7").is_err());
        assert!(SynthConfig::from_toml("start = '2021-13'").is_err());
        assert!(SynthConfig::preset("nope").is_err());
    }
}
