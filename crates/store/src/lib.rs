//! Stores: what `ancrage serve` may read (aggregates only).
