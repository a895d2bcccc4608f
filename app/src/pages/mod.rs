//! One module per route.

pub mod carte;
pub mod imprimer;
pub mod methode;
