//! Synthetic DSN: a simulated territory written as real-format declarations.
