//! The input buffer: large reads straight into one growable buffer, lines
//! found with `memchr` and handled in place. Bytes stay in the buffer as long
//! as a declaration still points at them, so rubric values are never copied;
//! the buffer is compacted (or grown, for a declaration larger than half of
//! it) only when more input is needed.

use std::io::{self, Read};

/// Bytes asked from the source per read.
const CHUNK: usize = 256 * 1024;

pub(super) struct Input {
    pub(super) buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    pub(super) base: u64,
    /// First byte not yet handled.
    pub(super) pos: usize,
    /// Bytes of `buf` holding input.
    pub(super) end: usize,
    pub(super) eof: bool,
    /// Inside a line longer than the limit: its bytes are dropped until its end.
    pub(super) skipping: bool,
}

impl Input {
    pub(super) fn new() -> Self {
        Input {
            buf: Vec::new(),
            base: 0,
            pos: 0,
            end: 0,
            eof: false,
            skipping: false,
        }
    }

    /// Stream offset of the first byte not yet handled.
    pub(super) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Read more input, keeping the bytes from stream offset `keep` on.
    pub(super) fn refill<R: Read>(&mut self, src: &mut R, keep: u64) -> io::Result<()> {
        let keep = keep.clamp(self.base, self.offset());
        let drop = (keep - self.base) as usize;
        let kept = self.end - drop;
        // Move the kept bytes to the front when that frees at least half of
        // the buffer; otherwise grow it (amortised: each byte moves O(1) times).
        if drop > 0 && kept <= self.buf.len() / 2 {
            self.buf.copy_within(drop..self.end, 0);
            self.base += drop as u64;
            self.pos -= drop;
            self.end = kept;
        }
        if self.buf.len() - self.end < CHUNK {
            let len = (self.buf.len() * 2).max(self.end + CHUNK);
            self.buf.resize(len, 0);
        }
        let lim = self.buf.len().min(self.end + CHUNK);
        loop {
            match src.read(&mut self.buf[self.end..lim]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            return Ok(());
        }
    }
}
