//! Finding lines: the buffer is looked at 64 bytes at a time, giving one
//! bitmask of its newlines and whether any of its bytes is not ASCII; the
//! ends of up to [`BATCH`] lines are collected (a `trailing_zeros` each),
//! then the lines are handled, the commonest ones by a short path with its
//! state in locals ([`Run`]). This costs a few instructions per line, where
//! a `memchr` call per line costs tens.

use super::raw::{RawField, Text};
use super::Core;
use crate::norm::Quick;

#[cfg(test)]
thread_local! {
    /// Tests: every line takes the general path (`Core::line`), to compare
    /// with the fast one.
    pub(super) static NO_FAST_PATH: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Bit `i` set when `b[i]` is `\n`; and a value that is not zero when some
/// byte of `b[..64]` is not ASCII (`b.len() >= 64`).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn masks64(b: &[u8]) -> (u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let b = &b[..64];
    let p = b.as_ptr().cast::<__m128i>();
    // SAFETY: SSE2 is part of the x86_64 baseline; the four unaligned
    // 16-byte loads read b[0..64], which is in bounds.
    unsafe {
        let nl = _mm_set1_epi8(b'\n' as i8);
        let mut n = 0u64;
        let mut high = _mm_set1_epi8(0);
        for i in 0..4 {
            let v = _mm_loadu_si128(p.add(i));
            n |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)) as u16) << (16 * i);
            high = _mm_or_si128(high, v);
        }
        (n, u64::from(_mm_movemask_epi8(high) as u16))
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn masks64(b: &[u8]) -> (u64, u64) {
    masks_short(&b[..64])
}

/// [`masks64`] for the last, shorter block of the buffer (the second value
/// has bit `i` set when `b[i]` is not ASCII).
fn masks_short(b: &[u8]) -> (u64, u64) {
    let (mut n, mut a) = (0u64, 0u64);
    for (i, &c) in b.iter().enumerate().take(64) {
        n |= u64::from(c == b'\n') << i;
        a |= u64::from(c >= 0x80) << i;
    }
    (n, a)
}

#[inline(always)]
fn masks(buf: &[u8], at: usize) -> (u64, u64) {
    if buf.len() - at >= 64 {
        masks64(&buf[at..])
    } else {
        masks_short(&buf[at..])
    }
}

/// Line ends found at a time, before the lines are handled.
const BATCH: usize = 64;

/// The ends (`\n` offsets) of up to [`BATCH`] lines starting at `from`, with
/// whether every byte looked at is ASCII (then so is each line found; when
/// not, some line may still be). Returns the number of ends found.
#[inline(always)]
fn line_ends(buf: &[u8], from: usize, ends: &mut [usize; BATCH]) -> (usize, bool) {
    let mut count = 0;
    let mut na_any = 0;
    let mut blk = from;
    while blk < buf.len() {
        let (mut nl, na) = masks(buf, blk);
        na_any |= na;
        while nl != 0 {
            if count == BATCH {
                return (count, na_any == 0);
            }
            ends[count] = blk + nl.trailing_zeros() as usize;
            count += 1;
            nl &= nl - 1;
        }
        blk += 64;
    }
    (count, na_any == 0)
}

/// Bytes 8..16 of a line, as a little-endian `u64`, that must match the
/// open block's identifier (bytes 8..11) and the `,'` after the rubric number
/// (bytes 14..16); bytes 11..14 are the rubric number.
const TAIL_MASK: u64 = 0xFFFF_0000_00FF_FFFF;
const COMMA_QUOTE: u64 = (b',' as u64) << 48 | (b'\'' as u64) << 56;

/// What the fast path needs, copied out of [`Core`] for a run of lines so
/// that it stays in registers; the counters of the lines taken are added to
/// the core's in one go ([`Core::sync`]) before any other line is handled.
struct Run {
    /// [`Core::fast_ok`].
    ok: bool,
    /// Bytes 0..8 of the open block's lines ([`Core::prefix`]); when not
    /// `ok`, all 0xFF bytes, which no ASCII line matches.
    head: u64,
    /// Bytes 8..16 of them under [`TAIL_MASK`].
    tail: u64,
    /// Rubric number of the last line taken ([`Core::cur_last`]).
    last: u16,
    qrow: &'static [Quick],
    line_no: u32,
    /// Records when the run started: the lines taken are those after.
    fields0: usize,
    /// Lines taken that end in `\r\n`.
    crlf: u64,
}

impl Run {
    fn new(core: &Core) -> Run {
        Run {
            ok: core.fast_ok,
            head: if core.fast_ok {
                core.prefix.0
            } else {
                u64::MAX
            },
            tail: core.prefix.1 | COMMA_QUOTE,
            last: core.cur_last,
            qrow: core.qrow,
            line_no: core.line_no,
            fields0: core.work.fields.len(),
            crlf: 0,
        }
    }

    /// The commonest line, taken whole when it can be: ASCII (the caller's
    /// condition), canonical (`Sxx.Gyy.zz.nnn,'value'`, value not empty), in
    /// the open block (same identifier as the line before) with a higher
    /// rubric number, a rubric of the norm, and a value that its record
    /// alone finds valid ([`Quick::valid`]) when values are checked. Records
    /// it as [`Core::line`] would; false (nothing done) for any other line,
    /// which then takes the general path. `buf[start..end]` is the line
    /// without its `\n`.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn take(
        &mut self,
        buf: &[u8],
        base: u64,
        start: usize,
        end: usize,
        max_line: usize,
        validate: bool,
        fields: &mut Vec<RawField>,
    ) -> bool {
        let l = &buf[start..end];
        if l.len() < 18 || l.len() > max_line {
            return false;
        }
        let head = u64::from_le_bytes(l[..8].try_into().unwrap_or_default());
        let tail = u64::from_le_bytes(l[8..16].try_into().unwrap_or_default());
        if head != self.head || tail & TAIL_MASK != self.tail {
            return false;
        }
        // The closing quote, before a `\r` or not.
        let crlf = l[l.len() - 1] == b'\r';
        let n = l.len() - usize::from(crlf);
        if n < 18 || l[n - 1] != b'\'' {
            return false;
        }
        // Bytes 11..14: three ASCII digits (high nibble 3, low nibble < 10).
        let d = (tail >> 24) as u32 & 0xFF_FFFF;
        if d & 0xF0_F0F0 != 0x30_3030 || (d + 0x06_0606) & 0xF0_F0F0 != 0x30_3030 {
            return false;
        }
        // Digit values x0, x1, x2 in bytes 0, 1, 2; byte 0 of `d * 10 + (d >> 8)`
        // is x0 * 10 + x1 (at most 99: no carry into byte 1).
        let d = d - 0x30_3030;
        let num = ((d * 10 + (d >> 8)) & 0xFF) as u16 * 10 + (d >> 16) as u16;
        if num <= self.last {
            return false;
        }
        let q = match self.qrow.get(usize::from(num)) {
            Some(q) if q.ty1 != 0 => q,
            _ => return false,
        };
        let value = &l[16..n - 1];
        if validate && !q.valid(value) {
            return false;
        }
        self.line_no = self.line_no.saturating_add(1);
        self.crlf += u64::from(crlf);
        fields.push(RawField {
            start: base + (start + 16) as u64,
            len: value.len() as u32,
            line: self.line_no,
            num,
            decoded: false,
        });
        self.last = num;
        true
    }
}

impl Core {
    /// Add the lines taken by `run` to the counters and the open block.
    #[inline]
    fn sync(&mut self, run: &mut Run) {
        let w = &mut self.work;
        let lines = (w.fields.len() - run.fields0) as u64;
        if lines == 0 {
            return;
        }
        if let Some(b) = w.blocks.last_mut() {
            b.end = w.fields.len() as u32;
        }
        run.fields0 = w.fields.len();
        self.line_no = run.line_no;
        self.cur_last = run.last;
        self.summary.lines += lines;
        self.summary.rubric_lines += lines;
        self.summary.crlf_lines += run.crlf;
        if let Some(e) = &mut self.envoi {
            e.lines += lines;
        }
        run.crlf = 0;
    }

    /// Handle every complete line of `text` from `*pos` on; true as soon as
    /// a declaration is ready (then `*pos` is just after the line that
    /// completed it).
    pub(super) fn scan(&mut self, text: Text<'_>, pos: &mut usize) -> bool {
        let buf = text.buf;
        if !self.ready.is_empty() || self.halted {
            return !self.ready.is_empty();
        }
        let max_line = self.opts.max_line_bytes;
        let validate = self.opts.validate_types;
        let mut ends = [0; BATCH];
        let mut at = *pos;
        loop {
            let (count, ascii_all) = line_ends(buf, at, &mut ends);
            if count == 0 {
                *pos = at;
                return false;
            }
            let mut run = Run::new(self);
            for &end in &ends[..count] {
                let start = at;
                at = end + 1;
                let ascii = ascii_all || buf[start..end].is_ascii();
                if ascii
                    && run.take(
                        buf,
                        text.base,
                        start,
                        end,
                        max_line,
                        validate,
                        &mut self.work.fields,
                    )
                {
                    continue;
                }
                self.sync(&mut run);
                if !(ascii && run.ok && self.block_line(text, start, end)) {
                    self.line(text, start, end - start, end + 1, ascii);
                }
                // Only a line of the general path can complete a
                // declaration or halt.
                if !self.ready.is_empty() || self.halted {
                    *pos = at;
                    return !self.ready.is_empty();
                }
                run = Run::new(self);
            }
            self.sync(&mut run);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::{read_bytes, FileRead};

    fn read(bytes: &[u8], fast: bool) -> FileRead {
        NO_FAST_PATH.with(|c| c.set(!fast));
        let r = read_bytes("t.dsn", bytes);
        NO_FAST_PATH.with(|c| c.set(false));
        r
    }

    fn assert_same(bytes: &[u8], what: &str) {
        let (a, b) = (read(bytes, true), read(bytes, false));
        assert_eq!(a.declarations, b.declarations, "{what}: declarations");
        assert_eq!(a.diagnostics, b.diagnostics, "{what}: diagnostics");
        assert_eq!(a.summary, b.summary, "{what}: summary");
    }

    fn inputs() -> Vec<(String, Vec<u8>)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "dsn"))
            .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
            .collect();
        v.sort();
        assert!(v.len() >= 15, "fixtures found: {}", v.len());
        v
    }

    /// The fast path changes nothing: same declarations, diagnostics and
    /// summary as the general path, on every fixture and on mutants of them
    /// (bytes replaced, removed or duplicated where the fast path decides:
    /// digits, quotes, commas, line ends, non-ASCII).
    #[test]
    fn fast_path_reads_like_the_general_path() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut rnd = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        const BYTES: &[u8] = b"0159.,' \r\n\xE9S";
        for (name, bytes) in inputs() {
            assert_same(&bytes, &name);
            for m in 0..30 {
                let mut b = bytes.clone();
                for _ in 0..1 + m % 4 {
                    let i = rnd(b.len());
                    match rnd(3) {
                        0 => b[i] = BYTES[rnd(BYTES.len())],
                        1 => {
                            b.remove(i);
                        }
                        _ => {
                            let j = (i + rnd(40)).min(b.len());
                            let dup = b[i..j].to_vec();
                            b.splice(i..i, dup);
                        }
                    }
                }
                assert_same(&b, &format!("{name} mutant {m}"));
            }
            // Rubric identifiers exchanged between lines: blocks that start
            // anywhere, in or out of norm order, rubric numbers that go down,
            // rubrics of other blocks, values of other types.
            let starts: Vec<usize> = std::iter::once(0)
                .chain(
                    bytes
                        .iter()
                        .enumerate()
                        .filter(|x| *x.1 == b'\n')
                        .map(|x| x.0 + 1),
                )
                .filter(|&i| bytes.len() >= i + 14)
                .collect();
            for m in 0..30 {
                let mut b = bytes.clone();
                for _ in 0..1 + m % 6 {
                    let (i, j) = (starts[rnd(starts.len())], starts[rnd(starts.len())]);
                    let (from, to) = if m % 2 == 0 { (8, 14) } else { (4, 11) };
                    let id: Vec<u8> = bytes[j + from..j + to].to_vec();
                    b[i + from..i + to].copy_from_slice(&id);
                }
                assert_same(&b, &format!("{name} identifier mutant {m}"));
            }
        }
    }

    #[test]
    fn line_ends_agree_with_bytes() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for round in 0..300 {
            let len = round * 7 % 700;
            let b: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    match seed % 50 {
                        0..=4 => b'\n',
                        5 if round % 3 == 0 => 0xE9,
                        _ => b'A' + (seed >> 8) as u8 % 26,
                    }
                })
                .collect();
            for from in [0, 1, 5, 63, 64, 65, 200].into_iter().filter(|&f| f <= len) {
                let mut ends = [0; BATCH];
                let (count, ascii) = line_ends(&b, from, &mut ends);
                let want: Vec<usize> = (from..len).filter(|&i| b[i] == b'\n').take(BATCH).collect();
                assert_eq!(&ends[..count], &want[..], "round {round} from {from}");
                if ascii {
                    let last = want.last().map_or(from, |&e| e);
                    assert!(b[from..last].is_ascii(), "round {round} from {from}");
                }
            }
        }
    }

    #[test]
    fn masks_agree_with_bytes() {
        let mut b: Vec<u8> = (0..200u32).map(|i| (i * 37 % 256) as u8).collect();
        let mut ascii: Vec<u8> = (0..200u32).map(|i| (i * 37 % 128) as u8).collect();
        ascii[170] = 0xE9;
        for b in [&mut b, &mut ascii] {
            b[5] = b'\n';
            b[63] = b'\n';
            b[64] = b'\n';
        }
        for (b, at) in [0, 1, 7, 64, 100, 136, 150, 199]
            .into_iter()
            .flat_map(|at| [(&b, at), (&ascii, at)])
        {
            let (n, a) = masks(b, at);
            let block = &b[at..b.len().min(at + 64)];
            for (i, &c) in block.iter().enumerate() {
                assert_eq!(n >> i & 1 == 1, c == b'\n', "nl {at}+{i}");
            }
            assert_eq!(a != 0, !block.is_ascii(), "na {at}");
        }
    }
}
