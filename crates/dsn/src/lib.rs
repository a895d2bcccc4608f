//! Reader and writer of the DSN norm (Déclaration Sociale Nominative).
//!
//! Nothing outside this crate knows the text syntax: other crates see
//! [`Declaration`]s (one establishment × one month or one signalement).

pub mod model;

pub use model::*;
