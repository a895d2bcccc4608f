//! One module per route.

pub mod carte;
pub mod methode;
