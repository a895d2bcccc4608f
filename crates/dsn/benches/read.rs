//! Reader throughput (not a test, no criterion): generates a synthetic monthly
//! DSN file with the writer, then times the reader single-threaded (with and
//! without typed validation), several readers in parallel, and `wc -l`.
//!
//! ```sh
//! CARGO_TARGET_DIR=/work/target-dsn DSN_BENCH_MB=1024 \
//!     cargo bench -p ancrage-dsn --bench read
//! ```
//! `DSN_BENCH_MB` (default 200) sizes the big file; a 200 000-line file is
//! also measured. `DSN_BENCH_DIR` keeps the files (default: a temp dir).

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use ancrage_dsn::{
    ids, Block, BlockId, Contrat, Declaration, DsnReader, DsnWriter, EnvoiHeader, Individu,
    ReaderOptions, WriterOptions,
};

fn b21(n: u8) -> BlockId {
    BlockId::new(21, 0, n)
}

/// A plausible individual: identity, one contract, pension, pay and contributions.
fn individu(i: u64) -> Individu {
    let nir = format!(
        "{}{:02}{:02}75{:03}{:03}",
        1 + i % 2,
        60 + i % 40,
        1 + i % 12,
        i % 997 + 1,
        i % 991 + 1
    );
    let block = Block::new(ids::INDIVIDU)
        .with(1, nir)
        .with(2, "DUPONT")
        .with(4, "MARIE CLAIRE")
        .with(5, if i.is_multiple_of(2) { "01" } else { "02" })
        .with(6, "15031985")
        .with(7, "LYON")
        .with(8, "3 RUE DE LA REPUBLIQUE")
        .with(9, "69001")
        .with(10, "LYON")
        .with(14, "69")
        .with(15, "FR")
        .with(19, format!("{i:05}"));
    let mut c = Contrat::new(
        Block::new(ids::CONTRAT)
            .with(1, "01012020")
            .with(2, "06")
            .with(3, "04")
            .with(4, "526a")
            .with(6, "Agent d'entretien")
            .with(7, "01")
            .with(8, "99")
            .with(9, format!("{i:05}"))
            .with(11, "10")
            .with(12, "151.67")
            .with(13, "151.67")
            .with(14, "10")
            .with(16, "99")
            .with(17, "1516")
            .with(18, "200")
            .with(19, "12345678900012")
            .with(20, "200")
            .with(24, "99")
            .with(26, "99"),
    );
    c.other.push(Block::new(b21(71)).with(2, "RETA"));
    let mut other = vec![
        Block::new(b21(50))
            .with(1, "31032024")
            .with(2, "1523.45")
            .with(3, "01")
            .with(4, "0.00")
            .with(6, "0.00"),
        Block::new(b21(51))
            .with(1, "01032024")
            .with(2, "31032024")
            .with(10, format!("{i:05}"))
            .with(11, "001")
            .with(13, "1950.00"),
        Block::new(b21(53))
            .with(1, "01")
            .with(2, "151.67")
            .with(3, "10"),
    ];
    for code in ["02", "03", "07"] {
        other.push(
            Block::new(b21(78))
                .with(1, code)
                .with(2, "01032024")
                .with(3, "31032024")
                .with(4, "1950.00"),
        );
        other.push(
            Block::new(b21(81))
                .with(1, "076")
                .with(3, "1950.00")
                .with(4, "-84.50"),
        );
    }
    Individu {
        block,
        contrats: vec![c],
        other,
    }
}

enum Target {
    Lines(u64),
    Bytes(u64),
}

fn generate(path: &Path, target: Target) -> (u64, u64) {
    let env = Arc::new(EnvoiHeader {
        blocks: vec![
            Block::new(ids::ENVOI)
                .with(1, "BENCH")
                .with(2, "ANCRAGE")
                .with(3, "1")
                .with(5, "01")
                .with(6, "P24V01")
                .with(7, "01")
                .with(8, "01"),
            Block::new(ids::EMETTEUR)
                .with(1, "123456789")
                .with(2, "00012"),
        ],
        line: 0,
    });
    let mut w = DsnWriter::new(
        BufWriter::with_capacity(1 << 20, File::create(path).unwrap()),
        WriterOptions::default(),
    );
    let mut i = 0u64;
    let mut decl_no = 0u64;
    let mut done = false;
    while !done {
        w.begin_envoi(&env).unwrap();
        for _ in 0..10 {
            decl_no += 1;
            let mut d = Declaration::new(
                env.clone(),
                Block::new(ids::DECLARATION)
                    .with(1, "01")
                    .with(2, "01")
                    .with(3, "11")
                    .with(4, decl_no.to_string())
                    .with(5, "01032024"),
            );
            d.entreprise = Some(
                Block::new(ids::ENTREPRISE)
                    .with(1, "123456789")
                    .with(3, "8121Z"),
            );
            d.etablissement = Some(
                Block::new(ids::ETABLISSEMENT)
                    .with(1, format!("{:05}", decl_no % 99999 + 1))
                    .with(2, "8121Z")
                    .with(4, "69001")
                    .with(5, "LYON"),
            );
            // About 52 lines per individual; 2 lines of S90 to come.
            for _ in 0..50 {
                if let Target::Lines(n) = target {
                    if w.stats().lines + 60 > n {
                        break;
                    }
                }
                i += 1;
                d.individus.push(individu(i));
            }
            w.write_declaration(&d).unwrap();
            done = match target {
                Target::Lines(n) => w.stats().lines + 60 > n,
                Target::Bytes(n) => std::fs::metadata(path).map_or(0, |m| m.len()) >= n,
            };
            if done {
                break;
            }
        }
        w.end_envoi().unwrap();
    }
    let (_, stats) = w.finish().unwrap();
    (std::fs::metadata(path).unwrap().len(), stats.lines)
}

/// Peak resident memory of this process, in MB (Linux).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn read_once(path: &Path, validate: bool) -> (u64, u64) {
    let opts = ReaderOptions {
        validate_types: validate,
        ..ReaderOptions::default()
    };
    let mut r = DsnReader::open_with(path, opts).unwrap();
    let mut individus = 0u64;
    for d in r.by_ref() {
        individus += d.individus.len() as u64;
    }
    (r.summary().rubric_lines, individus)
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed().as_secs_f64())
}

fn bench_file(path: &Path, label: &str) {
    let bytes = std::fs::metadata(path).unwrap().len() as f64;
    let mb = bytes / 1e6;
    println!("== {label}: {} ({mb:.1} MB)", path.display());
    // Warm the page cache so every run reads from memory.
    let (out, wc) = time(|| {
        std::process::Command::new("wc")
            .arg("-l")
            .arg(path)
            .output()
            .unwrap()
    });
    let (_, wc) = (out, wc);
    let (out, wc2) = time(|| {
        std::process::Command::new("wc")
            .arg("-l")
            .arg(path)
            .output()
            .unwrap()
    });
    let wc = wc.min(wc2);
    let wc_lines = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_string();
    println!(
        "wc -l                      : {wc:8.3} s {:9.1} MB/s ({wc_lines} lines)",
        mb / wc
    );
    for validate in [true, false] {
        let ((lines, inds), t) = time(|| read_once(path, validate));
        println!(
            "reader 1 thread, validate={validate:<5}: {t:8.3} s {:9.1} MB/s ({lines} rubric lines, {inds} individuals, {:.0}% of wc -l)",
            mb / t,
            100.0 * wc / t
        );
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (_, t) = time(|| {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| read_once(path, true));
            }
        })
    });
    println!(
        "reader {threads} threads × 1 file each : {t:8.3} s {:9.1} MB/s aggregate",
        mb * threads as f64 / t
    );
    println!("peak RSS so far            : {:.1} MB", peak_rss_mb());
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` too: only run when benching.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let target_mb: u64 = std::env::var("DSN_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let tmp;
    let dir: PathBuf = match std::env::var("DSN_BENCH_DIR") {
        Ok(d) => d.into(),
        Err(_) => {
            tmp = std::env::temp_dir().join(format!("dsn-bench-{}", std::process::id()));
            std::fs::create_dir_all(&tmp).unwrap();
            tmp
        }
    };
    std::fs::create_dir_all(&dir).unwrap();
    let small = dir.join("bench-200k-lines.dsn");
    let big = dir.join(format!("bench-{target_mb}MB.dsn"));
    if !small.exists() {
        let ((b, l), t) = time(|| generate(&small, Target::Lines(200_000)));
        println!(
            "generated {} ({b} bytes, {l} lines) in {t:.1} s",
            small.display()
        );
    }
    if !big.exists() {
        let ((b, l), t) = time(|| generate(&big, Target::Bytes(target_mb * 1_000_000)));
        println!(
            "generated {} ({b} bytes, {l} lines) in {t:.1} s",
            big.display()
        );
    }
    bench_file(&small, "200k-line file");
    bench_file(&big, "big file");
    if std::env::var("DSN_BENCH_DIR").is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
