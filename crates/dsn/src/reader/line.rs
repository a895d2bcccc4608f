//! One line at a time: the canonical `Sxx.Gyy.zz.nnn,'value'` ASCII line
//! takes a short path (fixed offsets, no decoding, no copy); everything else
//! (first line, non-ASCII text, spaces, missing quotes, comments…) goes
//! through decoding and the tolerant parser. Both end in [`Core::rubric`]:
//! norm status, type validation, block instances and the record.

use std::borrow::Cow;

use super::raw::{RawBlock, RawField, Text};
use super::Core;
use crate::decode::{
    parse_line, rubric_id_bytes, DecodeEvent, Defects, Encoding, LineKind, RubricLine,
};
use crate::diag::Severity;
use crate::model::{ids, BlockId};
use crate::norm;

impl Core {
    /// Handle the line `text.buf[start..start + len]` (without `\n`); `next`
    /// is where the following line starts; `ascii`: the line is all ASCII.
    #[inline]
    pub(super) fn line(
        &mut self,
        text: Text<'_>,
        start: usize,
        len: usize,
        next: usize,
        ascii: bool,
    ) {
        if len > self.opts.max_line_bytes {
            self.too_long_line();
            return;
        }
        self.line_no = self.line_no.saturating_add(1);
        self.summary.lines += 1;
        let mut l = &text.buf[start..start + len];
        if let [rest @ .., b'\r'] = l {
            l = rest;
            self.summary.crlf_lines += 1;
        }
        let n = l.len();
        if ascii
            && n >= 17
            && l[14] == b','
            && l[15] == b'\''
            && l[n - 1] == b'\''
            && self.line_no > 1
        {
            if let Some((block, num)) = self.rubric_id(l) {
                // SAFETY: `l` is ASCII (`ascii`), hence valid UTF-8.
                let value = unsafe { std::str::from_utf8_unchecked(&l[16..n - 1]) };
                let r = RubricLine {
                    block,
                    num,
                    value,
                    defects: Defects::default(),
                };
                let at = text.base + (start + 16) as u64;
                self.rubric(text, r, Some(at), text.base + start as u64, true);
                self.update_fast_ok();
                return;
            }
        }
        self.general_line(text, start, n, next);
        self.update_fast_ok();
    }

    /// The line that starts a block, when [`Core::line`] would read it as a
    /// canonical ASCII rubric line of an S21 block, a rubric of the norm
    /// with a valid value (when checked) that opens a new block instance:
    /// does exactly what [`Core::line`] does, without the general parse.
    /// False (nothing done) for any other line. Only call when `fast_ok`
    /// and the line is ASCII. `text.buf[start..end]` is the line without
    /// its `\n`.
    pub(super) fn block_line(&mut self, text: Text<'_>, start: usize, end: usize) -> bool {
        /// `S21.G00.` as a little-endian `u64`.
        const S21: u64 = u64::from_le_bytes(*b"S21.G00.");
        let l = &text.buf[start..end];
        let crlf = matches!(l, [.., b'\r']);
        let n = l.len() - usize::from(crlf);
        if n < 18 || l.len() > self.opts.max_line_bytes {
            return false;
        }
        let head = u64::from_le_bytes(l[..8].try_into().unwrap_or_default());
        let tail = u64::from_le_bytes(l[8..16].try_into().unwrap_or_default());
        // Bytes 8..16: two digits, `.`, three digits, `,'`.
        const SHAPE: u64 = 0xFFFF_0000_00FF_0000;
        const PUNCT: u64 = u64::from_le_bytes([0, 0, b'.', 0, 0, 0, b',', b'\'']);
        const DIGITS: u64 = 0x0000_FFFF_FF00_FFFF;
        const ZEROS: u64 = 0x3030_3030_3030_3030 & DIGITS;
        const HI: u64 = 0xF0F0_F0F0_F0F0_F0F0 & DIGITS;
        if head != S21
            || tail & SHAPE != PUNCT
            || tail & HI != ZEROS
            || (tail & DIGITS).wrapping_add(0x0606_0606_0606_0606 & DIGITS) & HI != ZEROS
            || l[n - 1] != b'\''
        {
            return false;
        }
        let t = tail.wrapping_sub(ZEROS);
        let digit = |i: u32| (t >> (8 * i)) as u8;
        let b = digit(0) * 10 + digit(1);
        let num = u16::from(digit(3)) * 100 + u16::from(digit(4)) * 10 + u16::from(digit(5));
        let block = BlockId::new(21, 0, b);
        // A block instance goes on: a line the fast path refused.
        if self.cur_open && self.cur_id == block && self.cur_last < num {
            return false;
        }
        let qrow = if block == self.row_block {
            self.qrow
        } else {
            self.rows.get(block)
        };
        let q = match qrow.get(usize::from(num)) {
            Some(q) if q.ty1 != 0 => q,
            _ => return false,
        };
        let value = &l[16..n - 1];
        if self.opts.validate_types && !q.valid(value) {
            return false;
        }
        // What `line`, `rubric_id` and `rubric` do for this line.
        self.line_no = self.line_no.saturating_add(1);
        let line_no = self.line_no;
        self.summary.lines += 1;
        self.summary.crlf_lines += u64::from(crlf);
        self.summary.rubric_lines += 1;
        self.prefix = (head, tail & 0xFF_FFFF, block);
        self.row_block = block;
        self.qrow = qrow;
        // `new_block` for an S21 block while a block is open (`fast_ok`),
        // placing an open S21 block without the dispatch of `place`.
        if self.cur_id == block && num != 1 {
            self.instance_split(block, num, line_no);
        }
        self.cur_open = false;
        match self.work.blocks.len().checked_sub(1) {
            Some(bi) if self.cur_id.s == 21 && self.cur_id.g == 0 => self.place_s21(bi as u32),
            _ => self.place(text),
        }
        self.push_block(block, line_no, text.base + start as u64);
        self.cur_id = block;
        if let Some(e) = &mut self.envoi {
            e.lines += 1;
        }
        let w = &mut self.work;
        w.fields.push(RawField {
            start: text.base + (start + 16) as u64,
            len: value.len() as u32,
            line: line_no,
            num,
            decoded: false,
        });
        if let Some(b) = w.blocks.last_mut() {
            b.end = w.fields.len() as u32;
        }
        self.cur_last = num;
        // `update_fast_ok`: the open block is `block`, of the prefix and the
        // row, not S10 (and the fast path is on, as it led here).
        self.fast_ok = true;
        true
    }

    /// Whether the next line may take the fast path (`scan::Run::take`).
    #[inline]
    fn update_fast_ok(&mut self) {
        #[cfg(test)]
        if super::scan::NO_FAST_PATH.with(std::cell::Cell::get) {
            self.fast_ok = false;
            return;
        }
        self.fast_ok = self.cur_open
            && self.cur_id == self.prefix.2
            && self.row_block == self.cur_id
            && self.cur_id != ids::ENVOI;
    }

    /// The rubric identifier at the start of `l` (at least 16 bytes). A line
    /// starting like the previous one (`Sxx.Gyy.zz.`) is in the same block:
    /// only its rubric number is read.
    #[inline]
    fn rubric_id(&mut self, l: &[u8]) -> Option<(BlockId, u16)> {
        let head = u64::from_le_bytes(l[..8].try_into().ok()?);
        let tail = u64::from_le_bytes(l[8..16].try_into().ok()?) & 0xFF_FFFF;
        if head == self.prefix.0 && tail == self.prefix.1 {
            let d = &l[11..14];
            if !d.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let num = d.iter().fold(0u16, |n, &c| n * 10 + u16::from(c - b'0'));
            return Some((self.prefix.2, num));
        }
        let (block, num) = rubric_id_bytes(&l[..14])?;
        self.prefix = (head, tail, block);
        Some((block, num))
    }

    /// A line over the length limit, skipped.
    pub(super) fn too_long_line(&mut self) {
        self.line_no = self.line_no.saturating_add(1);
        self.summary.lines += 1;
        let l = self.line_no;
        let max = self.opts.max_line_bytes;
        self.diag(
            Severity::Error,
            "line-too-long",
            l,
            None,
            format!("line longer than {max} bytes skipped"),
        );
    }

    /// Any line the short path does not take (`len` without `\r`).
    #[cold]
    fn general_line(&mut self, text: Text<'_>, mut start: usize, mut len: usize, next: usize) {
        let line_no = self.line_no;
        if line_no == 1 {
            let b = &text.buf[start..start + len];
            if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
                start += 3;
                len -= 3;
                self.summary.bom = true;
                self.decoder.encoding = Encoding::Utf8;
                self.diag(
                    Severity::Info,
                    "bom",
                    1,
                    None,
                    "UTF-8 byte order mark skipped; file read as UTF-8",
                );
            } else if b.starts_with(&[0xFF, 0xFE]) || b.starts_with(&[0xFE, 0xFF]) {
                self.diag(
                    Severity::Fatal,
                    "utf16",
                    1,
                    None,
                    "UTF-16 input is not supported (convert to Latin-1 or UTF-8)",
                );
                self.halted = true;
                return;
            }
        }
        let bytes = &text.buf[start..start + len];
        let ascii = bytes.is_ascii();
        if self.decoder.encoding == Encoding::Ascii && !ascii {
            let lookahead = &text.buf[next.min(text.buf.len())..];
            let enc = self.decoder.decide(bytes, lookahead);
            self.diag(
                Severity::Info,
                "encoding",
                line_no,
                None,
                format!("first non-ASCII line: file read as {enc}"),
            );
        }
        let (line, ev) = self.decoder.decode(bytes);
        match ev {
            Some(DecodeEvent::Decided(enc)) => {
                self.diag(
                    Severity::Info,
                    "encoding",
                    line_no,
                    None,
                    format!("first non-ASCII line: file read as {enc}"),
                );
            }
            Some(DecodeEvent::InvalidUtf8) => {
                self.diag(
                    Severity::Warning,
                    "invalid-utf8",
                    line_no,
                    None,
                    "invalid UTF-8 in a UTF-8 file; line decoded as Windows-1252",
                );
            }
            None => {}
        }
        self.summary.encoding = self.decoder.encoding;
        if !ascii && line.contains('\u{FFFD}') {
            self.summary.replacement_chars += line.matches('\u{FFFD}').count() as u64;
            let rubric = line.split(',').next().map(|s| s.trim().to_string());
            self.diag(
                Severity::Warning,
                "replacement-char",
                line_no,
                rubric,
                "U+FFFD replacement character: text damaged by an earlier lossy conversion",
            );
        }
        match parse_line(&line) {
            LineKind::Blank => self.summary.blank_lines += 1,
            LineKind::Comment => self.diag(
                Severity::Warning,
                "comment",
                line_no,
                None,
                "comment line ignored",
            ),
            LineKind::BlockHeader(b) => self.diag(
                Severity::Warning,
                "block-header-line",
                line_no,
                Some(b.to_string()),
                "block header line without rubric number ignored",
            ),
            LineKind::BadRubric(r) => {
                let r = truncate(r, 40);
                self.diag(
                    Severity::Error,
                    "bad-rubric",
                    line_no,
                    None,
                    format!("not a rubric identifier: {r:?}; line skipped"),
                );
            }
            LineKind::NoValue(r) => {
                let r = truncate(r, 40);
                self.diag(
                    Severity::Error,
                    "no-value",
                    line_no,
                    None,
                    format!("no ,'value' after {r:?}; line skipped"),
                );
            }
            LineKind::Rubric(r) => {
                // A value still in the buffer is recorded by its offset there.
                let at = match &line {
                    Cow::Borrowed(_) => {
                        let off = r.value.as_ptr() as usize - text.buf.as_ptr() as usize;
                        Some(text.base + off as u64)
                    }
                    Cow::Owned(_) => None,
                };
                self.rubric(text, r, at, text.base + start as u64, false);
            }
        }
    }

    /// A rubric line: `at` is the stream offset of its value when the value
    /// is in the buffer as is (else it is copied), `line_at` that of the
    /// line; `ascii`: the value is known to be ASCII.
    #[inline]
    fn rubric(
        &mut self,
        text: Text<'_>,
        r: RubricLine<'_>,
        at: Option<u64>,
        line_at: u64,
        ascii: bool,
    ) {
        let line_no = self.line_no;
        self.summary.rubric_lines += 1;
        let d = r.defects;
        if d.spaces || d.unquoted || d.unterminated || d.trailing_text || r.value.is_empty() {
            self.report_defects(&r, line_no);
        }
        if r.block == ids::ENVOI && r.num == 6 {
            self.later_norm = r.value > norm::TABLE_NORM;
        }
        if r.block != self.row_block {
            self.row_block = r.block;
            self.qrow = self.rows.get(r.block);
        }
        match norm::rubric_status_in(self.qrow, r.block, r.num) {
            norm::RubricStatus::Known(ty) => {
                // The version rubric itself is not judged by an older table.
                let version_rubric = r.block == ids::ENVOI && r.num == 6 && self.later_norm;
                if self.opts.validate_types && !r.value.is_empty() && !version_rubric {
                    let fail = match self.qrow.get(usize::from(r.num)) {
                        Some(q) if ascii => q.check(self.checks, r.value),
                        _ => norm::check_in(self.checks, ty, r.value, ascii),
                    };
                    if let Some(fail) = fail {
                        self.invalid_value(&r, ty, fail, line_no);
                    }
                }
            }
            norm::RubricStatus::Newer => {
                if !self.later_norm {
                    self.newer_rubric(&r, line_no);
                }
            }
            norm::RubricStatus::Unknown => self.non_norm_rubric(&r, line_no),
            norm::RubricStatus::Lot => {}
        }
        // Block instance: a new one starts when the block changes or the
        // rubric number does not increase.
        if !(self.cur_open && self.cur_id == r.block && self.cur_last < r.num) {
            self.new_block(text, r.block, r.num, line_no, line_at);
        }
        if let Some(e) = &mut self.envoi {
            e.lines += 1;
        }
        let w = &mut self.work;
        let (start, decoded) = match at {
            Some(s) => (s, false),
            None => {
                let s = w.decoded.len() as u64;
                w.decoded.push_str(r.value);
                (s, true)
            }
        };
        w.fields.push(RawField {
            start,
            len: r.value.len() as u32,
            line: line_no,
            num: r.num,
            decoded,
        });
        if let Some(b) = w.blocks.last_mut() {
            b.end = w.fields.len() as u32;
        }
        self.cur_last = r.num;
    }

    /// Close the open block (placing it in the tree) and open one for `block`.
    /// Open `block` at line `line_no` (stream offset `offset`): its records
    /// start at the next field.
    #[inline(always)]
    fn push_block(&mut self, block: BlockId, line_no: u32, offset: u64) {
        let w = &mut self.work;
        w.blocks.push(RawBlock {
            id: block,
            line: line_no,
            first: w.fields.len() as u32,
            end: w.fields.len() as u32,
            decoded_start: w.decoded.len() as u32,
            offset,
        });
        self.cur_open = true;
    }

    fn new_block(&mut self, text: Text<'_>, block: BlockId, num: u16, line_no: u32, line_at: u64) {
        if self.cur_open && self.cur_id == block && num != 1 {
            self.instance_split(block, num, line_no);
        }
        if self.cur_open {
            self.cur_open = false;
            self.place(text);
        }
        if block == ids::ENVOI && num >= 1 {
            // Counting starts at the envoi's first line: open it now.
            self.start_envoi(line_no);
        }
        self.push_block(block, line_no, line_at);
        self.cur_id = block;
    }

    /// Two instances of one block in a row, the second not starting at
    /// .001: legal only for optional first rubrics, often a sign of
    /// rubrics written out of order.
    #[cold]
    #[inline(never)]
    fn instance_split(&mut self, block: BlockId, num: u16, line_no: u32) {
        let msg = format!(
            "rubric number goes down inside {block}: read as a new block instance (rubrics out of order?)"
        );
        let rid = rubric_id(block, num);
        self.diag(Severity::Warning, "instance-split", line_no, Some(rid), msg);
    }

    #[cold]
    #[inline(never)]
    fn invalid_value(
        &mut self,
        r: &RubricLine<'_>,
        ty: norm::TypeRef,
        fail: norm::Fail,
        line: u32,
    ) {
        let e = fail.invalid(ty, r.value);
        // Later norms add codes: only informative there.
        let sev = if e.code_list && self.later_norm {
            Severity::Info
        } else {
            Severity::Warning
        };
        let rid = rubric_id(r.block, r.num);
        self.diag(sev, "invalid-value", line, Some(rid), e.message);
    }

    #[cold]
    #[inline(never)]
    fn newer_rubric(&mut self, r: &RubricLine<'_>, line: u32) {
        let rid = rubric_id(r.block, r.num);
        let msg = format!(
            "rubric introduced after {}, in an envoi of that norm or older; kept",
            norm::TABLE_NORM
        );
        self.diag(Severity::Warning, "later-norm-rubric", line, Some(rid), msg);
    }

    #[cold]
    #[inline(never)]
    fn non_norm_rubric(&mut self, r: &RubricLine<'_>, line: u32) {
        self.summary.non_norm_rubrics += 1;
        let rid = rubric_id(r.block, r.num);
        self.diag(
            Severity::Warning,
            "non-norm-rubric",
            line,
            Some(rid),
            "rubric not in the norm (platform rubric or newer norm); kept",
        );
    }

    #[cold]
    #[inline(never)]
    fn report_defects(&mut self, r: &RubricLine<'_>, line_no: u32) {
        let rid = rubric_id(r.block, r.num);
        let d = r.defects;
        let defects = [
            (
                d.unquoted,
                Severity::Warning,
                "unquoted",
                "value not between quotes; kept as written",
            ),
            (
                d.unterminated,
                Severity::Warning,
                "unterminated",
                "missing closing quote; value runs to end of line",
            ),
            (
                d.trailing_text,
                Severity::Warning,
                "trailing-text",
                "text after the closing quote ignored",
            ),
            (
                d.spaces,
                Severity::Info,
                "spaces",
                "spaces around rubric or value ignored",
            ),
            (
                r.value.is_empty(),
                Severity::Warning,
                "empty-value",
                "empty value (absent data should be an omitted line)",
            ),
        ];
        for (_, severity, code, message) in defects.into_iter().filter(|x| x.0) {
            self.diag(severity, code, line_no, Some(rid.clone()), message);
        }
    }
}

fn rubric_id(block: BlockId, num: u16) -> String {
    format!("{block}.{num:03}")
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
