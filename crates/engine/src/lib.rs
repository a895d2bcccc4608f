//! The indicator engine: from declarations to contracts and person histories,
//! then indicators per establishment and the engagement score.
//!
//! Invariant: no I/O here. Callers feed declarations; the engine returns values.

pub mod indicators;

pub use indicators::{ratio, Band, EstablishmentIndicators};
