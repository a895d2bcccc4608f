//! Property tests: invariance to file order and splitting, shrinkage
//! monotonic in evidence, small samples never outrank large ones on balance.

mod common;

use std::path::Path;

use ancrage_dsn::{read_bytes, read_file, writer::to_text, Declaration};
use ancrage_engine::score::{BetaPrior, GammaPrior};
use ancrage_engine::{
    compute, partition, run, score_all, EstablishmentIndicators, Ingest, Pseudonymiser, ScoreConfig,
};
use proptest::prelude::*;

fn fixture_files() -> Vec<Vec<Declaration>> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut paths = Vec::new();
    for sub in ["monthly", "hand"] {
        for e in std::fs::read_dir(base.join(sub)).unwrap() {
            paths.push(e.unwrap().path());
        }
    }
    paths.sort();
    paths
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "dsn"))
        .map(|p| read_file(p).unwrap().declarations)
        .collect()
}

fn ingest_all<'a>(decls: impl IntoIterator<Item = &'a Declaration>) -> ancrage_engine::Dataset {
    let mut ingest = Ingest::new(Pseudonymiser::new(b"property key"));
    for d in decls {
        ingest.add(d);
    }
    ingest.finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Shuffle every declaration, cut the sequence into random files, write
    /// them as DSN text, read them back: same dataset, same scores.
    #[test]
    fn invariant_to_file_order_and_splitting(
        seed in any::<u64>(),
        cuts in prop::collection::vec(1usize..40, 1..8),
    ) {
        let files = fixture_files();
        let all: Vec<Declaration> = files.iter().flatten().cloned().collect();
        let reference = ingest_all(&all);
        let cfg = ScoreConfig::default();
        let ref_scores = run(&reference, &cfg);

        // Fisher–Yates with a small LCG driven by the seed.
        let mut order: Vec<usize> = (0..all.len()).collect();
        let mut x = seed | 1;
        for i in (1..order.len()).rev() {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (x >> 33) as usize % (i + 1));
        }
        let shuffled: Vec<Declaration> = order.iter().map(|i| all[*i].clone()).collect();
        // Split into files of the given sizes (cycling), rewrite as text, re-read.
        let mut reread = Vec::new();
        let mut pos = 0;
        let mut c = 0;
        while pos < shuffled.len() {
            let len = cuts[c % cuts.len()].min(shuffled.len() - pos);
            let text = to_text(&shuffled[pos..pos + len]);
            let r = read_bytes("chunk.dsn", text.as_bytes());
            prop_assert_eq!(r.declarations.len(), len);
            reread.extend(r.declarations);
            pos += len;
            c += 1;
        }
        let ds = ingest_all(&reread);
        prop_assert_eq!(&ds, &reference);
        prop_assert_eq!(run(&ds, &cfg), ref_scores);
    }

    /// The partitioned computation (one group of person buckets at a time, as
    /// the working store runs it, with NTT-only observations moved to their
    /// person's group) gives exactly the indicators of a single partition,
    /// whatever the number of buckets, the group size and the file order.
    #[test]
    fn partitioned_equals_single_partition(
        seed in any::<u64>(),
        buckets in 1u32..24,
        budget in 0u64..4_000,
    ) {
        let files = fixture_files();
        let mut all: Vec<Declaration> = files.iter().flatten().cloned().collect();
        let single = compute(&ingest_all(&all));
        let mut x = seed | 1;
        for i in (1..all.len()).rev() {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            all.swap(i, (x >> 33) as usize % (i + 1));
        }
        let mut ingest = Ingest::with_buckets(Pseudonymiser::new(b"property key"), buckets);
        for d in &all {
            ingest.add(d);
        }
        let (parted, report) = partition::indicators(&mut ingest, budget).unwrap();
        prop_assert_eq!(parted, single);
        // P3 was declared with her NTT only before her NIR: moved.
        prop_assert!(report.moved >= 1);
        prop_assert!(report.groups >= 1);
    }

    /// For a fixed prior, more evidence at the same observed rate moves the
    /// shrunk rate monotonically from the prior mean toward the observed rate.
    #[test]
    fn beta_shrinkage_monotonic_in_evidence(
        alpha in 0.1f64..50.0,
        beta in 0.1f64..50.0,
        x in 0u32..20,
        extra in 0u32..20,
        k1 in 1u32..10,
        dk in 1u32..10,
    ) {
        let n = x + extra;
        prop_assume!(n > 0);
        let prior = BetaPrior { alpha, beta };
        let (mu, p) = (prior.mean(), x as f64 / n as f64);
        let k2 = k1 + dk;
        let s1 = prior.shrink((k1 * x) as f64, (k1 * n) as f64);
        let s2 = prior.shrink((k2 * x) as f64, (k2 * n) as f64);
        let eps = 1e-12;
        // Both between μ and p.
        prop_assert!(s1 >= mu.min(p) - eps && s1 <= mu.max(p) + eps);
        prop_assert!(s2 >= mu.min(p) - eps && s2 <= mu.max(p) + eps);
        // More evidence: closer to p.
        prop_assert!((s2 - p).abs() <= (s1 - p).abs() + eps);
    }

    /// Same for accidents per employee-year (gamma–Poisson).
    #[test]
    fn gamma_shrinkage_monotonic_in_evidence(
        shape in 0.01f64..20.0,
        rate in 0.5f64..200.0,
        x in 0u32..30,
        e in 1.0f64..100.0,
        k1 in 1u32..10,
        dk in 1u32..10,
    ) {
        let prior = GammaPrior { shape, rate };
        let (mu, r) = (shape / rate, x as f64 / e);
        let k2 = (k1 + dk) as f64;
        let k1 = k1 as f64;
        let s1 = prior.shrink(k1 * x as f64, k1 * e);
        let s2 = prior.shrink(k2 * x as f64, k2 * e);
        let eps = 1e-12;
        prop_assert!(s1 >= mu.min(r) - eps && s1 <= mu.max(r) + eps);
        prop_assert!((s2 - r).abs() <= (s1 - r).abs() + eps);
    }

    /// A firm with 2 women among 2 hires never outranks one with 40 among 80
    /// on gender balance, whatever the peers.
    #[test]
    fn two_of_two_never_outranks_forty_of_eighty(
        peers in prop::collection::vec((1u32..60, 0.0f64..=1.0), 0..40),
        all_men in any::<bool>(),
    ) {
        let mk = |siret: usize, hires: u32, women: u32| EstablishmentIndicators {
            siret: format!("{siret:014}"),
            naf: Some("5610A".into()),
            headcount: 20,
            hires,
            hires_women: women,
            hires_cdi: hires,
            ..Default::default()
        };
        let mut inds: Vec<EstablishmentIndicators> = peers
            .iter()
            .enumerate()
            .map(|(i, (n, share))| mk(i + 2, *n, (*n as f64 * share).round() as u32))
            .collect();
        inds.push(mk(0, 2, if all_men { 0 } else { 2 }));
        inds.push(mk(1, 80, 40));
        let scored = score_all(inds, &ScoreConfig::default());
        let pos = |siret: &str| {
            scored
                .iter()
                .find(|s| s.indicators.siret == siret)
                .unwrap()
                .components
                .iter()
                .find(|c| c.key == "gender_balance")
                .unwrap()
                .position
                .unwrap()
        };
        prop_assert!(pos("00000000000000") <= pos("00000000000001"));
    }
}

#[test]
fn fixture_split_is_not_trivial() {
    // The property above only means something if files hold several
    // declarations and several establishments.
    let files = fixture_files();
    assert!(files.len() > 50);
    let sirets: std::collections::BTreeSet<String> =
        files.iter().flatten().filter_map(|d| d.siret()).collect();
    assert_eq!(sirets.len(), 3);
    let _ = common::month_date(1);
}
