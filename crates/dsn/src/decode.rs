//! Byte-level decoding: text encoding (decided once per file) and the
//! `rubric,'value'` line syntax.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use crate::model::BlockId;

/// Text encoding of a file, as detected by the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// Only ASCII bytes seen (valid in every encoding below).
    Ascii,
    /// UTF-8 (with or without BOM).
    Utf8,
    /// Windows-1252, the superset of ISO-8859-1 (Latin-1) used by payroll software.
    Windows1252,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Ascii => "ascii",
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1252 => "windows-1252",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Windows-1252 code points for bytes 0x80..=0x9F (undefined bytes map to the
/// C1 control of the same value, as in Latin-1).
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// Decode Windows-1252 bytes (never fails).
pub fn decode_cp1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize],
            _ => b as char,
        })
        .collect()
}

/// Encode one char as Windows-1252, if it has a code there.
pub fn encode_cp1252(c: char) -> Option<u8> {
    let u = c as u32;
    if u < 0x80 || (0xA0..=0xFF).contains(&u) {
        return Some(u as u8);
    }
    CP1252_HIGH
        .iter()
        .position(|&h| h == c)
        .map(|i| 0x80 + i as u8)
}

/// What happened while decoding one line, for the reader to report.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DecodeEvent {
    /// The first non-ASCII line decided the file's encoding.
    Decided(Encoding),
    /// Invalid UTF-8 in a file already read as UTF-8: line decoded as cp1252.
    InvalidUtf8,
}

/// Decides the encoding on the first non-ASCII line and decodes every line.
#[derive(Debug)]
pub(crate) struct LineDecoder {
    pub(crate) encoding: Encoding,
}

impl LineDecoder {
    pub(crate) fn new() -> Self {
        Self {
            encoding: Encoding::Ascii,
        }
    }

    /// Decide the file's encoding at its first non-ASCII line, looking at that
    /// line and at the bytes already buffered after it: UTF-8 when valid
    /// multi-byte sequences outnumber invalid bytes, else Windows-1252. A
    /// Latin-1 file practically never contains valid UTF-8 sequences, while a
    /// UTF-8 file with one stray byte still has many.
    pub(crate) fn decide(&mut self, line: &[u8], lookahead: &[u8]) -> Encoding {
        let (v1, i1) = utf8_votes(line);
        let (v2, i2) = utf8_votes(lookahead);
        self.encoding = if v1 + v2 > i1 + i2 {
            Encoding::Utf8
        } else {
            Encoding::Windows1252
        };
        self.encoding
    }

    pub(crate) fn decode<'a>(&mut self, bytes: &'a [u8]) -> (Cow<'a, str>, Option<DecodeEvent>) {
        if bytes.is_ascii() {
            // SAFETY: every ASCII byte sequence is valid UTF-8 (checked just
            // above); this skips a second validation pass on every line.
            let s = unsafe { std::str::from_utf8_unchecked(bytes) };
            return (Cow::Borrowed(s), None);
        }
        match self.encoding {
            Encoding::Windows1252 => (Cow::Owned(decode_cp1252(bytes)), None),
            Encoding::Ascii => {
                // Only reached without `decide`: judge on this line alone.
                self.decide(bytes, &[]);
                let (text, ev) = self.decode(bytes);
                (text, ev.or(Some(DecodeEvent::Decided(self.encoding))))
            }
            Encoding::Utf8 => match std::str::from_utf8(bytes) {
                Ok(s) => (Cow::Borrowed(s), None),
                Err(_) => (
                    Cow::Owned(decode_cp1252(bytes)),
                    Some(DecodeEvent::InvalidUtf8),
                ),
            },
        }
    }
}

/// (valid non-ASCII UTF-8 characters, invalid bytes) in `b`; a sequence cut
/// at the end of `b` counts as neither.
fn utf8_votes(mut b: &[u8]) -> (usize, usize) {
    let (mut valid, mut invalid) = (0, 0);
    loop {
        match std::str::from_utf8(b) {
            Ok(s) => {
                valid += s.chars().filter(|c| !c.is_ascii()).count();
                return (valid, invalid);
            }
            Err(e) => {
                let (ok, rest) = b.split_at(e.valid_up_to());
                // `ok` is valid UTF-8 by construction.
                valid += std::str::from_utf8(ok)
                    .map_or(0, |s| s.chars().filter(|c| !c.is_ascii()).count());
                match e.error_len() {
                    Some(n) => {
                        invalid += n;
                        b = &rest[n..];
                    }
                    None => return (valid, invalid),
                }
            }
        }
    }
}

/// A syntactically valid rubric line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct RubricLine<'a> {
    pub block: BlockId,
    pub num: u16,
    pub value: &'a str,
    /// Tolerated defects, to report as warnings.
    pub defects: Defects,
}

#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
pub(crate) struct Defects {
    pub unquoted: bool,
    pub unterminated: bool,
    pub trailing_text: bool,
    pub spaces: bool,
}

/// Why a non-blank line is not a rubric line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LineKind<'a> {
    Rubric(RubricLine<'a>),
    Blank,
    Comment,
    /// `Sxx.Gyy.zz,''`: a block header line some exports write.
    BlockHeader(BlockId),
    /// Rubric identifier not of the `Sxx.Gyy.zz.nnn` shape.
    BadRubric(&'a str),
    /// No comma after the rubric.
    NoValue(&'a str),
}

fn two_digits(b: &[u8]) -> Option<u8> {
    if b.len() == 2 && b[0].is_ascii_digit() && b[1].is_ascii_digit() {
        Some((b[0] - b'0') * 10 + (b[1] - b'0'))
    } else {
        None
    }
}

/// Parse `Sxx.Gyy.zz` (10 bytes).
pub fn parse_block_id(s: &str) -> Option<BlockId> {
    block_id_bytes(s.as_bytes())
}

fn block_id_bytes(b: &[u8]) -> Option<BlockId> {
    if b.len() != 10 || b[0] != b'S' || b[3] != b'.' || b[4] != b'G' || b[7] != b'.' {
        return None;
    }
    Some(BlockId::new(
        two_digits(&b[1..3])?,
        two_digits(&b[5..7])?,
        two_digits(&b[8..10])?,
    ))
}

/// Parse `Sxx.Gyy.zz.nnn` into block and rubric number.
pub fn parse_rubric_id(s: &str) -> Option<(BlockId, u16)> {
    rubric_id_bytes(s.as_bytes())
}

/// [`parse_rubric_id`] on bytes.
#[inline]
pub(crate) fn rubric_id_bytes(b: &[u8]) -> Option<(BlockId, u16)> {
    if b.len() != 14 || b[10] != b'.' || !b[11..].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let block = block_id_bytes(&b[..10])?;
    let num = b[11..]
        .iter()
        .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    Some((block, num))
}

/// Classify one decoded line (without its line terminator).
pub(crate) fn parse_line(line: &str) -> LineKind<'_> {
    // Fast path for the canonical shape `Sxx.Gyy.zz.nnn,'value'`: nothing to
    // trim, comma and opening quote in place, closing quote last.
    let b = line.as_bytes();
    if b.len() >= 17 && b[14] == b',' && b[15] == b'\'' && b[b.len() - 1] == b'\'' {
        if let Some((block, num)) = parse_rubric_id(&line[..14]) {
            return LineKind::Rubric(RubricLine {
                block,
                num,
                value: &line[16..line.len() - 1],
                defects: Defects::default(),
            });
        }
    }
    let t = line.trim_ascii();
    if t.is_empty() {
        return LineKind::Blank;
    }
    if t.starts_with('#') {
        return LineKind::Comment;
    }
    let mut defects = Defects {
        spaces: t.len() != line.len(),
        ..Defects::default()
    };
    let Some(comma) = t.find(',') else {
        return LineKind::NoValue(t);
    };
    let rubric = t[..comma].trim_ascii_end();
    let rest = t[comma + 1..].trim_ascii_start();
    if rubric.len() != t[..comma].len() || rest.len() != t[comma + 1..].len() {
        defects.spaces = true;
    }
    let Some((block, num)) = parse_rubric_id(rubric) else {
        if let Some(block) = parse_block_id(rubric) {
            return LineKind::BlockHeader(block);
        }
        return LineKind::BadRubric(rubric);
    };
    let value = if let Some(inner) = rest.strip_prefix('\'') {
        match inner.rfind('\'') {
            Some(end) => {
                if !inner[end + 1..].trim_ascii().is_empty() {
                    defects.trailing_text = true;
                }
                &inner[..end]
            }
            None => {
                defects.unterminated = true;
                inner
            }
        }
    } else {
        defects.unquoted = true;
        rest
    };
    LineKind::Rubric(RubricLine {
        block,
        num,
        value,
        defects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rubric(line: &str) -> RubricLine<'_> {
        match parse_line(line) {
            LineKind::Rubric(r) => r,
            other => panic!("not a rubric: {other:?}"),
        }
    }

    #[test]
    fn value_runs_to_last_quote() {
        let r = rubric("S21.G00.30.002,'L'HERMITE'");
        assert_eq!(r.value, "L'HERMITE");
        assert_eq!((r.block, r.num), (BlockId::new(21, 0, 30), 2));
        assert_eq!(rubric("S21.G00.40.006,'a,'b'").value, "a,'b");
        assert_eq!(rubric("S21.G00.40.006,''").value, "");
        assert_eq!(r.defects, Defects::default());
    }

    #[test]
    fn fast_path_agrees_with_general_path() {
        // Same values whether or not the canonical fast path applies.
        for (fast, slow) in [
            ("S21.G00.30.002,'L'HERMITE'", " S21.G00.30.002,'L'HERMITE'"),
            ("S21.G00.40.006,'a,'b'", "S21.G00.40.006 ,'a,'b'"),
            ("S21.G00.40.006,''", "S21.G00.40.006, ''"),
        ] {
            assert_eq!(rubric(fast).value, rubric(slow).value);
            assert_eq!(rubric(fast).defects, Defects::default());
        }
        // Shapes that look canonical but are not rubrics fall through.
        assert_eq!(
            parse_line("S21.G00.30,'abcd'"),
            LineKind::BlockHeader(BlockId::new(21, 0, 30))
        );
        assert_eq!(
            parse_line("X21.G00.30.001,'1'"),
            LineKind::BadRubric("X21.G00.30.001")
        );
    }

    #[test]
    fn tolerated_defects() {
        let r = rubric("S21.G00.40.006,'abc");
        assert!(r.defects.unterminated);
        assert_eq!(r.value, "abc");
        let r = rubric("S21.G00.40.006,abc");
        assert!(r.defects.unquoted);
        let r = rubric("S21.G00.40.006,'abc' x");
        assert!(r.defects.trailing_text);
        assert_eq!(r.value, "abc");
        let r = rubric("  S21.G00.40.006 , 'abc'  ");
        assert!(r.defects.spaces);
        assert_eq!(r.value, "abc");
    }

    #[test]
    fn non_rubric_lines() {
        assert_eq!(parse_line("   "), LineKind::Blank);
        assert_eq!(parse_line("# comment"), LineKind::Comment);
        assert_eq!(
            parse_line("S21.G00.30,''"),
            LineKind::BlockHeader(BlockId::new(21, 0, 30))
        );
        assert_eq!(parse_line("X,'1'"), LineKind::BadRubric("X"));
        assert_eq!(
            parse_line("S21.G00.30.001"),
            LineKind::NoValue("S21.G00.30.001")
        );
    }

    #[test]
    fn decision_looks_ahead() {
        // A stray Latin-1 byte in a UTF-8 file: the following lines decide.
        let mut d = LineDecoder::new();
        assert_eq!(
            d.decide(b"SAINT-\xc9TIENNE", "été œ".as_bytes()),
            Encoding::Utf8
        );
        let mut d = LineDecoder::new();
        assert_eq!(d.decide(b"\xe9t\xe9", b"c\x9cur"), Encoding::Windows1252);
        // A cut sequence at the end of the look-ahead is not held against UTF-8.
        assert_eq!(utf8_votes(&"é".as_bytes()[..1]), (0, 0));
        assert_eq!(utf8_votes(b"a\xffb\xc3\xa9"), (1, 1));
    }

    #[test]
    fn cp1252_round_trip() {
        let bytes: Vec<u8> = (0x20..=0xFFu8)
            .filter(|b| !(0x7F..0xA0).contains(b))
            .collect();
        let s = decode_cp1252(&bytes);
        let back: Vec<u8> = s.chars().map(|c| encode_cp1252(c).unwrap()).collect();
        assert_eq!(back, bytes);
        assert_eq!(decode_cp1252(&[0x80, 0x9C, 0xE9]), "€œé");
        assert_eq!(encode_cp1252('\u{4E2D}'), None);
    }

    #[test]
    fn encoding_decided_on_first_non_ascii_line() {
        let mut d = LineDecoder::new();
        assert_eq!(d.decode(b"abc").1, None);
        let (s, ev) = d.decode(b"caf\xe9");
        assert_eq!(s, "café");
        assert_eq!(ev, Some(DecodeEvent::Decided(Encoding::Windows1252)));
        // Later valid-UTF-8-looking bytes stay cp1252.
        assert_eq!(d.decode("é".as_bytes()).0, "Ã©");

        let mut d = LineDecoder::new();
        assert_eq!(
            d.decode("é".as_bytes()).1,
            Some(DecodeEvent::Decided(Encoding::Utf8))
        );
        assert_eq!(d.encoding, Encoding::Utf8);
        let (s, ev) = d.decode(b"caf\xe9");
        assert_eq!(s, "café");
        assert_eq!(ev, Some(DecodeEvent::InvalidUtf8));
    }
}
