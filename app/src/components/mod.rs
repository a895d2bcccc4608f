//! Reusable pieces of the pages.

pub mod card;
pub mod choropleth;
pub mod filters;
pub mod format;
pub mod list;
pub mod map;
pub mod search;
pub mod selection;
