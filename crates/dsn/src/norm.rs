//! What the norm knows about each rubric: whether it exists and its data type.

use crate::model::BlockId;

/// Data type of a norm rubric (index into the generated type table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TypeRef(pub u16);

pub(crate) enum RubricStatus {
    /// A rubric of the DSN norm.
    Known(TypeRef),
    /// A lot envelope rubric (S05/S06/S95/S96).
    Lot,
    /// Not in the norm: platform rubric (9xx), concentrator block, newer norm.
    Unknown,
}

pub(crate) fn rubric_status(block: BlockId, num: u16) -> RubricStatus {
    if block.g == 51 && matches!(block.s, 5 | 6 | 95 | 96) {
        return RubricStatus::Lot;
    }
    if num >= 900 || block.g != 0 || matches!((block.s, block.b), (10, 95) | (20, 96)) {
        return RubricStatus::Unknown;
    }
    RubricStatus::Known(TypeRef(0))
}

pub(crate) fn validate(_ty: TypeRef, _value: &str) -> Result<(), String> {
    Ok(())
}
