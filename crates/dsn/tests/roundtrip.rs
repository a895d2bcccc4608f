//! Writer tests: write → read gives back the same model, and the public sample
//! is reproduced byte for byte (minus its lot envelope).

use std::path::PathBuf;
use std::sync::Arc;

use ancrage_dsn::{
    ids, read_bytes, to_text, write_declarations, Block, BlockId, Contrat, Declaration,
    EnvoiHeader, Individu, LineEnding, OutputEncoding, WriterOptions,
};
use proptest::prelude::*;

fn cleared(mut ds: Vec<Declaration>) -> Vec<Declaration> {
    ds.iter_mut().for_each(Declaration::clear_lines);
    ds
}

#[test]
fn public_sample_is_rewritten_identically() {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/dsn-samples/open-neodes_sample_dsn_P25V01_fctu_lot.dsn");
    let Ok(bytes) = std::fs::read(&p) else {
        eprintln!("note: {} absent, test skipped", p.display());
        return;
    };
    let text = String::from_utf8(bytes.clone()).unwrap();
    let r = read_bytes("sample", &bytes);
    // Lines 8..=430 are the three envois (S10…S90), outside the lot envelope.
    let envois: Vec<&str> = text.lines().skip(7).take(430 - 7).collect();
    let expected = envois.join("\n") + "\n";
    assert_eq!(to_text(&r.declarations), expected);
}

#[test]
fn s90_totals_count_lines_and_declarations() {
    let env = Arc::new(EnvoiHeader {
        blocks: vec![Block::new(ids::ENVOI).with(6, "P26V01")],
        line: 0,
    });
    let mut d = Declaration::new(env.clone(), Block::new(ids::DECLARATION).with(1, "01"));
    d.entreprise = Some(Block::new(ids::ENTREPRISE).with(1, "123456789"));
    d.etablissement = Some(Block::new(ids::ETABLISSEMENT).with(1, "00012"));
    let text = to_text(&[d.clone(), d]);
    // 1 S10 line + 2 × 3 declaration lines + 2 S90 lines = 9.
    assert!(
        text.ends_with("S90.G00.90.001,'9'\nS90.G00.90.002,'2'\n"),
        "{text}"
    );
}

#[test]
fn latin1_crlf_output_and_unencodable_chars() {
    let env = Arc::new(EnvoiHeader {
        blocks: vec![Block::new(ids::ENVOI).with(6, "P24V01")],
        line: 0,
    });
    let mut d = Declaration::new(env, Block::new(ids::DECLARATION).with(1, "01"));
    d.entreprise = Some(Block::new(ids::ENTREPRISE).with(1, "123456789"));
    d.etablissement = Some(
        Block::new(ids::ETABLISSEMENT)
            .with(1, "00012")
            .with(5, "Cœur d'Été 中"),
    );
    let mut out = Vec::new();
    let opts = WriterOptions {
        encoding: OutputEncoding::Latin1,
        line_ending: LineEnding::CrLf,
    };
    let stats = write_declarations(&mut out, &[d], opts).unwrap();
    assert_eq!(stats.unencodable_chars, 1);
    assert_eq!(stats.lines, 7);
    let expected_value: &[u8] = b"S21.G00.11.005,'C\x9Cur d'\xC9t\xE9 ?'\r\n";
    assert!(out
        .windows(expected_value.len())
        .any(|w| w == expected_value));
    let back = read_bytes("x", &out);
    assert_eq!(back.summary.crlf_lines, 7);
    assert_eq!(back.declarations[0].town(), Some("Cœur d'Été ?"));
}

// ---- property test over generated declarations ----

/// Values as the norm allows them: printable, no line breaks, at least one
/// character, may contain quotes and commas; Latin-1 range plus œ and €.
fn value() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[A-Za-z0-9 ',.éèàçÉœ€/-]{1,12}")
        .unwrap()
        .prop_filter("no blank value", |s| !s.trim().is_empty())
        .prop_map(|s| s.trim().to_string())
}

/// A block with strictly increasing rubric numbers starting at 001.
///
/// The format has no instance marker: two consecutive instances of one block
/// are told apart only because the rubric number goes down. Real repeated
/// blocks always carry their mandatory first rubric (.001), which is what
/// this generator does; an instance made only of higher rubrics following
/// one ending lower would legitimately read back merged.
fn block(id: BlockId) -> impl Strategy<Value = Block> {
    (
        value(),
        proptest::collection::btree_map(2u16..=40, value(), 0..4),
    )
        .prop_map(move |(first, m)| {
            m.into_iter()
                .fold(Block::new(id).with(1, first), |b, (n, v)| b.with(n, v))
        })
}

/// An individual identified by NIR (.001) or only by NTT (.020).
fn individu_block() -> impl Strategy<Value = Block> {
    (block(ids::INDIVIDU), any::<bool>(), value()).prop_map(|(b, ntt_only, ntt)| {
        if ntt_only {
            Block::new(ids::INDIVIDU).with(2, "NOM").with(20, ntt)
        } else {
            b
        }
    })
}

fn b21(n: u8) -> BlockId {
    BlockId::new(21, 0, n)
}

fn contrat() -> impl Strategy<Value = Contrat> {
    (
        block(ids::CONTRAT),
        proptest::collection::vec(block(ids::CHANGEMENT_CONTRAT), 0..2),
        proptest::collection::vec(block(ids::ARRET), 0..3),
        proptest::option::of(block(ids::FIN_CONTRAT)),
        proptest::collection::vec(block(ids::AUTRE_SUSPENSION), 0..2),
        proptest::collection::vec(block(b21(71)), 0..2),
    )
        .prop_map(|(b, ch, ar, fin, su, other)| {
            let mut c = Contrat::new(b);
            c.changements = ch;
            c.arrets = ar;
            c.fin = fin;
            c.suspensions = su;
            c.other = other;
            c
        })
}

fn individu() -> impl Strategy<Value = Individu> {
    (
        individu_block(),
        // The norm requires at least one contract per individual.
        proptest::collection::vec(contrat(), 1..3),
        proptest::collection::vec(block(b21(50)), 0..2),
    )
        .prop_map(|(block, contrats, other)| Individu {
            block,
            contrats,
            other,
        })
}

fn declaration(env: Arc<EnvoiHeader>) -> impl Strategy<Value = Declaration> {
    (
        block(ids::DECLARATION),
        proptest::collection::vec(block(BlockId::new(20, 0, 7)), 0..2),
        block(ids::ENTREPRISE),
        block(ids::ETABLISSEMENT),
        proptest::collection::vec(block(b21(15)), 0..2),
        proptest::collection::vec(individu(), 0..4),
        proptest::collection::vec(block(ids::LIEU_TRAVAIL), 0..2),
    )
        .prop_map(move |(h, ho, en, et, eo, inds, lieux)| {
            let mut d = Declaration::new(env.clone(), h);
            d.header_other = ho;
            d.entreprise = Some(en);
            d.etablissement = Some(et);
            d.etablissement_other = eo;
            d.individus = inds;
            d.lieux_travail = lieux;
            d
        })
}

fn envoi_with_declarations() -> impl Strategy<Value = Vec<Declaration>> {
    (block(ids::ENVOI), block(ids::EMETTEUR)).prop_flat_map(|(e, em)| {
        let env = Arc::new(EnvoiHeader {
            blocks: vec![e, em],
            line: 0,
        });
        proptest::collection::vec(declaration(env), 1..4)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn write_then_read_gives_the_same_model(
        envois in proptest::collection::vec(envoi_with_declarations(), 1..3),
        latin1 in any::<bool>(),
        crlf in any::<bool>(),
    ) {
        let decls: Vec<Declaration> = envois.into_iter().flatten().collect();
        let opts = WriterOptions {
            encoding: if latin1 { OutputEncoding::Latin1 } else { OutputEncoding::Utf8 },
            line_ending: if crlf { LineEnding::CrLf } else { LineEnding::Lf },
        };
        let mut out = Vec::new();
        write_declarations(&mut out, &decls, opts).unwrap();
        let back = read_bytes("generated", &out);
        prop_assert!(back.summary.s90_all_ok());
        prop_assert_eq!(back.summary.declarations_skipped, 0);
        prop_assert_eq!(cleared(back.declarations), decls);
    }
}
