//! The indicator engine: from declarations to contracts and person histories,
//! then indicators per establishment and the engagement score.
//!
//! Invariant: no I/O here. Callers feed declarations; the engine returns values.
//!
//! ```text
//! Pseudonymiser ─▶ Ingest::add(&Declaration)… ─▶ Ingest::finish() ─▶ Dataset
//! Dataset ─▶ compute() ─▶ Vec<EstablishmentIndicators> ─▶ score_all() ─▶ Vec<ScoredEstablishment>
//! ```

pub mod compute;
pub mod indicators;
pub mod ingest;
pub mod pseudo;
pub mod score;
pub mod time;
pub mod validate;

pub use compute::{compute, km_survival, Period};
pub use indicators::{ratio, Band, EstablishmentIndicators};
pub use ingest::{
    Arret, Contract, Dataset, Establishment, Ingest, IngestStats, NatureGroup, Person, Suspension,
};
pub use pseudo::{IdKind, PersonKey, Pseudonymiser};
pub use score::{
    band_of, score_all, BetaPrior, Component, ConfigError, DimensionScore, GammaPrior, ScoreConfig,
    ScoredEstablishment,
};
pub use validate::{auc, spearman, weight_stability, WeightPerturbation, WeightStability};

/// Indicators and scores of every establishment of a dataset.
pub fn run(dataset: &Dataset, cfg: &ScoreConfig) -> Vec<ScoredEstablishment> {
    score_all(compute(dataset), cfg)
}
