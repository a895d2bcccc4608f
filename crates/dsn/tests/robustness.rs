//! Arbitrary input never panics (the cargo-fuzz target in fuzz/ goes further),
//! the reader is Send for parallel reading, and memory stays bounded on
//! pathological lines.

use ancrage_dsn::{read_bytes, DsnReader, ReaderOptions, Severity};
use proptest::prelude::*;

const SEED: &[u8] = include_bytes!("fixtures/03_lot_two_envois_three_declarations.dsn");

#[test]
fn reader_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<DsnReader>();
    assert_send::<ancrage_dsn::Declaration>();
}

#[test]
fn second_lot_header_does_not_confuse_groups() {
    let text = "S05.G51.00.001,'V01R02'\nS06.G51.00.001,'DSNOK'\nS05.G51.00.001,'V01R02'\n\
                S10.G00.00.006,'P24V01'\nS96.G51.00.002,'1'\n";
    let r = read_bytes("x", text.as_bytes());
    assert!(r.diagnostics.iter().any(|d| d.code == "lot"));
}

#[test]
fn overlong_line_is_skipped_with_bounded_buffer() {
    let mut text = b"S10.G00.00.006,'P24V01'\nS21.G00.30.002,'".to_vec();
    text.extend(std::iter::repeat_n(b'A', 200_000));
    text.extend_from_slice(b"'\nS90.G00.90.001,'2'\n");
    let opts = ReaderOptions {
        max_line_bytes: 1000,
        ..ReaderOptions::default()
    };
    let mut r = DsnReader::with_options(&text[..], "long", opts);
    assert_eq!(r.by_ref().count(), 0);
    let d = r.diagnostics();
    assert!(d
        .iter()
        .any(|d| d.code == "line-too-long" && d.line == 2 && d.severity == Severity::Error));
    assert_eq!(r.summary().rubric_lines, 2);
}

#[test]
fn binary_garbage_is_fatal_not_a_panic() {
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i * 7919 % 251) as u8).collect();
    let r = read_bytes("bin", &bytes);
    assert!(r.declarations.is_empty());
    assert!(r.diagnostics.iter().any(|d| d.severity == Severity::Fatal));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let _ = read_bytes("arb", &bytes);
    }

    /// Real-looking input with lines dropped, duplicated, swapped or truncated.
    #[test]
    fn mutated_fixture_never_panics(
        ops in proptest::collection::vec((0usize..100, 0u8..4, 0usize..40), 1..12)
    ) {
        let mut lines: Vec<Vec<u8>> = SEED.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        for (i, op, cut) in ops {
            let n = lines.len();
            if n == 0 { break; }
            let i = i % n;
            match op {
                0 => { lines.remove(i); }
                1 => { let l = lines[i].clone(); lines.insert(i, l); }
                2 => lines.swap(i, (i + cut) % n),
                _ => { let c = cut.min(lines[i].len()); lines[i].truncate(c); }
            }
        }
        let text = lines.join(&b'\n');
        let r = read_bytes("mut", &text);
        // Whatever was kept still has its establishment.
        for d in &r.declarations {
            prop_assert!(d.entreprise.is_some() && d.etablissement.is_some());
        }
    }
}
