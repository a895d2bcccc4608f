//! What the norm knows about each rubric: whether it exists and its data type
//! (regex, length bounds, code list), from the generated [`norm_table`].
//!
//! Regenerate the table with `tools/gen_norm_table.py` (see its header).

use std::sync::OnceLock;

use regex::Regex;

use crate::model::BlockId;

#[path = "norm_table.rs"]
mod norm_table;

pub(crate) use norm_table::TABLE_NORM;

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
}

fn lookup() -> &'static Lookup {
    static L: OnceLock<Lookup> = OnceLock::new();
    L.get_or_init(|| {
        let mut l = Lookup {
            blocks: vec![0; 100 * 100],
            types_by_num: Vec::new(),
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
        l
    })
}

pub(crate) fn rubric_status(block: BlockId, num: u16) -> RubricStatus {
    if block.g == 51 && matches!(block.s, 5 | 6 | 95 | 96) {
        return RubricStatus::Lot;
    }
    if block.g == 0 && block.s < 100 && block.b < 100 {
        let l = lookup();
        let slot = l.blocks[usize::from(block.s) * 100 + usize::from(block.b)];
        if slot != 0 {
            let ty = l.types_by_num[usize::from(slot) - 1]
                .get(usize::from(num))
                .copied()
                .unwrap_or(0);
            if ty != 0 {
                return RubricStatus::Known(TypeRef(ty - 1));
            }
        }
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

/// Compiled patterns, one per type (None: no pattern, or one the regex
/// engine does not accept, in which case only length and codes are checked).
fn patterns() -> &'static [Option<Regex>] {
    static P: OnceLock<Vec<Option<Regex>>> = OnceLock::new();
    P.get_or_init(|| {
        norm_table::TYPES
            .iter()
            .map(|t| {
                t.pattern
                    .and_then(|p| Regex::new(&format!("^(?:{p})$")).ok())
            })
            .collect()
    })
}

/// Why a value does not fit its data type.
#[derive(Debug)]
pub(crate) struct Invalid {
    /// The value is well-formed but not in the code list (later norms add codes).
    pub code_list: bool,
    pub message: String,
}

/// Check a value against its data type.
pub(crate) fn validate(ty: TypeRef, value: &str) -> Result<(), Invalid> {
    let err = |code_list, message| Err(Invalid { code_list, message });
    let Some(t) = norm_table::TYPES.get(usize::from(ty.0)) else {
        return Ok(());
    };
    if !t.codes.is_empty() {
        if t.codes.binary_search(&value).is_ok() {
            return Ok(());
        }
        return err(
            true,
            format!("code {value:?} not in the {TABLE_NORM} list of {}", t.name),
        );
    }
    // Length in characters; ASCII values (the vast majority) take the fast path.
    let len = if value.is_ascii() {
        value.len()
    } else {
        value.chars().count()
    };
    if (t.min > 0 && len < usize::from(t.min)) || (t.max > 0 && len > usize::from(t.max)) {
        return err(
            false,
            format!(
                "length {len} outside {}..{} for {} ({TABLE_NORM})",
                t.min, t.max, t.name
            ),
        );
    }
    if let Some(Some(re)) = patterns().get(usize::from(ty.0)) {
        if !re.is_match(value) {
            return err(
                false,
                format!(
                    "value {value:?} does not match the {TABLE_NORM} pattern of {}",
                    t.name
                ),
            );
        }
    }
    Ok(())
}

/// Remembers values that recently matched a pattern (dates of the month,
/// usual amounts…), so the regex runs once per distinct value and type.
/// Direct-mapped, per reader, values stored inline (no allocation); only
/// successes are cached.
pub(crate) struct ValidCache {
    slots: Vec<Slot>,
}

#[derive(Clone, Copy)]
struct Slot {
    ty: u16,
    /// `u8::MAX` = empty.
    len: u8,
    bytes: [u8; Slot::CAP],
}

impl Slot {
    const CAP: usize = 29;
    const EMPTY: Slot = Slot {
        ty: 0,
        len: u8::MAX,
        bytes: [0; Slot::CAP],
    };
}

impl ValidCache {
    const SLOTS: usize = 4096;

    pub(crate) fn new() -> Self {
        Self {
            slots: vec![Slot::EMPTY; Self::SLOTS],
        }
    }

    /// [`validate`], skipping the pattern for a value already seen valid.
    pub(crate) fn validate(&mut self, ty: TypeRef, value: &str) -> Result<(), Invalid> {
        let patterned = norm_table::TYPES
            .get(usize::from(ty.0))
            .is_some_and(|t| t.pattern.is_some() && t.codes.is_empty());
        let v = value.as_bytes();
        if !patterned || v.len() > Slot::CAP {
            return validate(ty, value);
        }
        // FNV-1a over the type and the value.
        let mut h: u32 = 0x811c_9dc5 ^ u32::from(ty.0);
        for &b in v {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        let slot = &mut self.slots[h as usize % Self::SLOTS];
        if slot.ty == ty.0 && usize::from(slot.len) == v.len() && slot.bytes[..v.len()] == *v {
            return Ok(());
        }
        validate(ty, value)?;
        slot.ty = ty.0;
        slot.len = v.len() as u8;
        slot.bytes[..v.len()].copy_from_slice(v);
        Ok(())
    }
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
    fn most_patterns_compile() {
        let with = norm_table::TYPES
            .iter()
            .filter(|t| t.pattern.is_some())
            .count();
        let ok = patterns().iter().filter(|p| p.is_some()).count();
        let failed: Vec<_> = norm_table::TYPES
            .iter()
            .zip(patterns())
            .filter(|(t, p)| t.pattern.is_some() && p.is_none())
            .map(|(t, _)| t.name)
            .collect();
        assert!(
            ok * 10 >= with * 9,
            "{ok}/{with} compile; failed: {failed:?}"
        );
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
    fn cache_gives_the_same_answers() {
        let mut c = ValidCache::new();
        for _ in 0..3 {
            for (r, v, ok) in [
                ("S21.G00.40.001", "01012024", true),
                ("S21.G00.40.001", "20240101", false),
                ("S21.G00.30.006", "01012024", true),
                ("S21.G00.40.013", "151,67", false),
            ] {
                let RubricStatus::Known(t) = status(r) else {
                    panic!()
                };
                assert_eq!(c.validate(t, v).is_ok(), ok, "{r} {v}");
            }
        }
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
