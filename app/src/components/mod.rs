//! Reusable pieces of the pages.

pub mod card;
pub mod format;
pub mod list;
pub mod map;
