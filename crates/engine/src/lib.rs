//! The indicator engine: from declarations to contracts and person histories,
//! then indicators per establishment and the engagement score.
//!
//! Invariant: no I/O here. Callers feed declarations; the engine returns values.
//!
//! ```
//! use ancrage_engine::{run, Ingest, Pseudonymiser, ScoreConfig};
//!
//! let text = "S10.G00.00.006,'P24V01'\n\
//!             S20.G00.05.001,'01'\n\
//!             S20.G00.05.002,'01'\n\
//!             S20.G00.05.003,'11'\n\
//!             S20.G00.05.004,'1'\n\
//!             S20.G00.05.005,'01032024'\n\
//!             S21.G00.06.001,'123456789'\n\
//!             S21.G00.11.001,'00011'\n\
//!             S21.G00.11.002,'5610A'\n\
//!             S21.G00.30.001,'2850775111003'\n\
//!             S21.G00.30.005,'02'\n\
//!             S21.G00.30.006,'15052000'\n\
//!             S21.G00.40.001,'04032024'\n\
//!             S21.G00.40.007,'01'\n\
//!             S21.G00.40.009,'C1'\n";
//! let mut ingest = Ingest::new(Pseudonymiser::new(b"secret key from a file"));
//! for d in ancrage_dsn::read_bytes("mars.dsn", text.as_bytes()).declarations {
//!     ingest.add(&d);
//! }
//! let dataset = ingest.finish();
//! let scored = run(&dataset, &ScoreConfig::default());
//! assert_eq!(scored[0].indicators.hires, 1);
//! assert_eq!(scored[0].indicators.hires_women, 1);
//! assert_eq!(scored[0].score, None); // fewer than 5 hires: non calculable, never 0
//! ```
//!
//! ```text
//! Pseudonymiser ─▶ Ingest::add(&Declaration)… ─▶ Ingest::finish() ─▶ Dataset
//! Dataset ─▶ compute() ─▶ Vec<EstablishmentIndicators> ─▶ score_all() ─▶ Vec<ScoredEstablishment>
//!
//! bounded memory (the working store, crates/work):
//! observe(&Declaration) ─▶ DeclObs ─▶ Recorder (person buckets) ─▶ store
//! store: Source ─▶ partition::indicators() (one group of buckets at a time,
//!        Partial per establishment, merged) ─▶ Vec<EstablishmentIndicators>
//! ```

pub mod compute;
pub mod durability;
pub mod indicators;
pub mod ingest;
pub mod observe;
pub mod partition;
pub mod pseudo;
pub mod score;
pub mod time;
pub mod validate;

pub use compute::{compute, km_survival, Partial, Period};
pub use indicators::{ratio, Band, EstablishmentIndicators, YearHires};
pub use ingest::{
    Arret, Contract, Dataset, Establishment, Ingest, IngestStats, NatureGroup, Person, Suspension,
};
pub use observe::{observe, DeclObs, Recorder, BUCKETS};
pub use partition::{PartitionReport, Source};
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
