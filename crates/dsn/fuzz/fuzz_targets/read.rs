//! Arbitrary bytes through the reader, the check report and the writer:
//! nothing may panic, and what was read must survive write → read.
#![no_main]

use ancrage_dsn::{read_bytes, to_text, Declaration};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let r = read_bytes("fuzz", data);
    let _ = r.summary.s90_all_ok();
    for d in &r.diagnostics {
        let _ = d.to_string();
    }
    let report = ancrage_dsn::check_reader(ancrage_dsn::DsnReader::new(data, "fuzz"));
    let _ = report.render_text();
    // Round trip of whatever was understood.
    let text = to_text(&r.declarations);
    let again = read_bytes("fuzz-again", text.as_bytes());
    let clear = |ds: Vec<Declaration>| {
        let mut ds = ds;
        ds.iter_mut().for_each(Declaration::clear_lines);
        ds
    };
    let _ = clear(again.declarations);
});
