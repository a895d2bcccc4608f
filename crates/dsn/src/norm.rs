//! What the norm knows about each rubric: whether it exists and its data type
//! (regex, length bounds, code list), from the generated [`norm_table`];
//! checking values against those types is in [`validate`].
//!
//! Regenerate the table with `tools/gen_norm_table.py` (see its header).

use std::sync::OnceLock;

use crate::model::BlockId;

mod hand;
#[path = "norm_table.rs"]
mod norm_table;
mod validate;

pub(crate) use norm_table::TABLE_NORM;
pub(crate) use validate::{check_in, checks, Fail, Quick, TypeCheck};
#[cfg(test)]
use validate::{validate, Invalid};

/// A data type of the norm ("Data Types" sheet of the workbook).
#[derive(Debug)]
pub(crate) struct DataType {
    pub name: &'static str,
    /// Length bounds in characters (0 = not given).
    pub min: u16,
    pub max: u16,
    /// XSD-style pattern, matched against the whole value.
    pub pattern: Option<&'static str>,
    /// Allowed codes (empty = no code list).
    pub codes: &'static [&'static str],
}

/// Index into the type table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TypeRef(pub u16);

pub(crate) enum RubricStatus {
    /// A rubric of the reference norm.
    Known(TypeRef),
    /// A rubric added by a later norm: accepted, not validated.
    Newer,
    /// A lot envelope rubric (S05/S06/S95/S96).
    Lot,
    /// Not in the norm: platform rubric (9xx), concentrator block…
    Unknown,
}

fn key(b: BlockId) -> u32 {
    (u32::from(b.s) << 16) | (u32::from(b.g) << 8) | u32::from(b.b)
}

/// Direct-index lookup built once from the sorted table: `blocks[s * 100 + b]`
/// (group 00 only) is 1 + the index in `types_by_num`, whose entry maps a
/// rubric number to 1 + its type index (0 = not in the norm).
struct Lookup {
    blocks: Vec<u16>,
    types_by_num: Vec<Vec<u16>>,
    /// The same rows as [`Quick`] records.
    quick_by_num: Vec<Vec<Quick>>,
}

fn lookup() -> &'static Lookup {
    static L: OnceLock<Lookup> = OnceLock::new();
    L.get_or_init(|| {
        let mut l = Lookup {
            blocks: vec![0; 100 * 100],
            types_by_num: Vec::new(),
            quick_by_num: Vec::new(),
        };
        for &(k, num, ty) in norm_table::RUBRICS {
            let (s, g, b) = ((k >> 16) as usize, (k >> 8) & 0xFF, (k & 0xFF) as usize);
            if g != 0 || s >= 100 || b >= 100 {
                continue;
            }
            let slot = &mut l.blocks[s * 100 + b];
            if *slot == 0 {
                l.types_by_num.push(Vec::new());
                *slot = l.types_by_num.len() as u16;
            }
            let nums = &mut l.types_by_num[usize::from(*slot) - 1];
            let n = usize::from(num);
            if nums.len() <= n {
                nums.resize(n + 1, 0);
            }
            nums[n] = ty.saturating_add(1);
        }
        let quick: Vec<Quick> = (0..=norm_table::TYPES.len() as u16)
            .map(Quick::of)
            .collect();
        l.quick_by_num = l
            .types_by_num
            .iter()
            .map(|row| row.iter().map(|&t| quick[usize::from(t)]).collect())
            .collect();
        l
    })
}

/// The rubrics of one block as [`Quick`] records: entry `num` is the record
/// of rubric `num` (`ty1` = 0 or past the end: not in the reference norm).
/// Empty for blocks outside the norm. The reader looks this up once per
/// block instance (through [`Rows`]).
#[cfg(test)]
pub(crate) fn block_quick_row(block: BlockId) -> &'static [Quick] {
    rows().get(block)
}

/// The rows of the norm table (`block_quick_row`), once the table is built (no lazy
/// initialisation on each look-up).
#[derive(Clone, Copy)]
pub(crate) struct Rows(&'static Lookup);

pub(crate) fn rows() -> Rows {
    Rows(lookup())
}

impl Rows {
    /// [`block_quick_row`].
    #[inline]
    pub(crate) fn get(self, block: BlockId) -> &'static [Quick] {
        let l = self.0;
        if block.g == 0 && block.s < 100 && block.b < 100 {
            let slot = l.blocks[usize::from(block.s) * 100 + usize::from(block.b)];
            if slot != 0 {
                return &l.quick_by_num[usize::from(slot) - 1];
            }
        }
        &[]
    }
}

/// Status of rubric `num` in `block`, whose row is `row` ([`block_quick_row`]).
#[inline]
pub(crate) fn rubric_status_in(row: &[Quick], block: BlockId, num: u16) -> RubricStatus {
    match row.get(usize::from(num)) {
        Some(q) if q.ty1 != 0 => RubricStatus::Known(TypeRef(q.ty1 - 1)),
        _ => rubric_status_slow(block, num),
    }
}

#[cfg(test)]
pub(crate) fn rubric_status(block: BlockId, num: u16) -> RubricStatus {
    rubric_status_in(block_quick_row(block), block, num)
}

#[cold]
fn rubric_status_slow(block: BlockId, num: u16) -> RubricStatus {
    if block.g == 51 && matches!(block.s, 5 | 6 | 95 | 96) {
        return RubricStatus::Lot;
    }
    let k = (key(block), num);
    if norm_table::NEWER_RUBRICS.binary_search(&k).is_ok() {
        return RubricStatus::Newer;
    }
    RubricStatus::Unknown
}

/// True when the block exists in the reference norm.
#[allow(dead_code)]
pub(crate) fn block_known(block: BlockId) -> bool {
    let k = key(block);
    let i = norm_table::RUBRICS.partition_point(|&(b, _, _)| b < k);
    norm_table::RUBRICS.get(i).is_some_and(|&(b, _, _)| b == k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(rubric: &str) -> RubricStatus {
        let (b, n) = crate::decode::parse_rubric_id(rubric).unwrap();
        rubric_status(b, n)
    }

    fn check(rubric: &str, value: &str) -> Result<(), Invalid> {
        match status(rubric) {
            RubricStatus::Known(t) => validate(t, value),
            _ => panic!("{rubric} not known"),
        }
    }

    #[test]
    fn table_is_sorted_and_sizeable() {
        let r = norm_table::RUBRICS;
        assert!(r.windows(2).all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)));
        assert!(r.len() > 500);
        assert!(r
            .iter()
            .all(|&(_, _, t)| usize::from(t) < norm_table::TYPES.len()));
    }

    #[test]
    fn statuses() {
        assert!(matches!(status("S21.G00.40.007"), RubricStatus::Known(_)));
        assert!(matches!(status("S21.G00.40.082"), RubricStatus::Newer));
        assert!(matches!(status("S21.G00.11.904"), RubricStatus::Unknown));
        assert!(matches!(status("S10.G00.95.001"), RubricStatus::Unknown));
        assert!(matches!(status("S05.G51.00.001"), RubricStatus::Lot));
        assert!(block_known(BlockId::new(21, 0, 62)));
        assert!(!block_known(BlockId::new(10, 0, 95)));
    }

    #[test]
    fn values_checked_against_types() {
        assert!(check("S21.G00.40.001", "01012024").is_ok());
        assert!(check("S21.G00.40.001", "20240101").is_err());
        assert!(check("S21.G00.30.006", "99991980").is_ok());
        assert!(check("S21.G00.40.007", "01").is_ok());
        assert!(check("S21.G00.40.007", "0").is_err());
        assert!(check("S21.G00.40.013", "151.67").is_ok());
        assert!(check("S21.G00.40.013", "151,67").is_err());
        assert!(check("S21.G00.30.001", "1800175123456").is_ok());
        assert!(check("S21.G00.62.002", "059").is_ok());
    }
}
