//! One module per route.

pub mod carte;
pub mod comparer;
pub mod imprimer;
pub mod methode;
