//! Reader throughput (not a test, no criterion): generates a synthetic monthly
//! DSN file with the writer, then times, on the same files in the same run:
//! `wc -l`; the reader single-threaded in its three modes — borrowed views
//! (`next_view`, what `ancrage dsn check` uses) with and without typed
//! validation, and owned `Declaration`s (the `Iterator`, what ingest uses);
//! and one reader per core in parallel.
//!
//! ```sh
//! CARGO_TARGET_DIR=/work/target-dsn DSN_BENCH_MB=1024 \
//!     cargo bench -p ancrage-dsn --bench read
//! ```
//! `DSN_BENCH_MB` (default 200) sizes the big file; a 200 000-line file is
//! also measured. `DSN_BENCH_DIR` keeps the files (default: a temp dir).
//! `DSN_BENCH_REPEAT` (default 3): runs per tool, interleaved, best kept.
//! `DSN_TOOLS`: path of PyPI `dsn-tools`, then timed on the 200 000-line file.
//! `DSN_BENCH_CHECK_BIN`: path of the `check` example, timed as a process
//! like `wc -l` (spawn included).

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

/// Peak resident memory of this process since the last [`reset_peak_rss`], in MB (Linux).
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

/// Reset the peak RSS counter (Linux: `5` to `/proc/self/clear_refs`).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Borrowed views, typed validation on: the normal mode of `dsn check`.
    View,
    /// Borrowed views, no validation.
    ViewNoValidation,
    /// Owned `Declaration`s (validation on): the ingest path.
    Owned,
}

impl Mode {
    const ALL: [Mode; 3] = [Mode::View, Mode::ViewNoValidation, Mode::Owned];

    fn label(self) -> &'static str {
        match self {
            Mode::View => "reader 1 thread, views, validation on",
            Mode::ViewNoValidation => "reader 1 thread, views, validation off",
            Mode::Owned => "reader 1 thread, owned model, validation on",
        }
    }
}

fn read_once(path: &Path, mode: Mode) -> (u64, u64) {
    let opts = ReaderOptions {
        validate_types: mode != Mode::ViewNoValidation,
        ..ReaderOptions::default()
    };
    let mut r = DsnReader::open_with(path, opts).unwrap();
    let mut individus = 0u64;
    if mode == Mode::Owned {
        for d in r.by_ref() {
            individus += d.individus.len() as u64;
        }
    } else {
        while let Some(d) = r.next_view() {
            individus += d.individus().len() as u64;
        }
    }
    (r.summary().rubric_lines, individus)
}

fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed().as_secs_f64())
}

/// CPU time of the calling thread so far, in seconds (Linux schedstat: time
/// on a CPU, whatever the load; NaN elsewhere).
fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}

/// [`time`], with the thread's CPU time: (value, wall, cpu).
fn time_cpu<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let c = thread_cpu();
    let (v, t) = time(f);
    (v, t, thread_cpu() - c)
}

/// Wall time of a command (spawn included, measured here), its CPU time
/// (user + system) and peak RSS in MB (both from `/usr/bin/time`); its
/// stdout is returned.
fn run_timed(cmd: &str, args: &[&str]) -> (f64, f64, f64, String) {
    let t = Instant::now();
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M %U %S"])
        .arg(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    let secs = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let f: Vec<f64> = stderr
        .lines()
        .last()
        .unwrap_or("")
        .split_whitespace()
        .map(|x| x.parse::<f64>().unwrap_or(f64::NAN))
        .collect();
    let rss = f.first().map_or(f64::NAN, |kb| kb / 1024.0);
    let cpu = match f.as_slice() {
        [_, u, s] => u + s,
        _ => f64::NAN,
    };
    (
        secs,
        cpu,
        rss,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Best and worst of the repeated measurements of one tool.
#[derive(Default)]
struct Runs {
    times: Vec<f64>,
    cpu: Vec<f64>,
    rss: f64,
}

impl Runs {
    fn add(&mut self, t: f64, cpu: f64, rss: f64) {
        self.times.push(t);
        self.cpu.push(cpu);
        self.rss = self.rss.max(rss);
    }
    fn best(&self) -> f64 {
        self.times.iter().copied().fold(f64::INFINITY, f64::min)
    }
    /// Least CPU time of the runs (10-ms resolution for processes).
    fn best_cpu(&self) -> f64 {
        self.cpu.iter().copied().fold(f64::INFINITY, f64::min)
    }
    fn worst(&self) -> f64 {
        self.times.iter().copied().fold(0.0, f64::max)
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn bench_file(path: &Path, label: &str, repeat: usize, dsn_tools: Option<&str>) {
    let bytes = std::fs::metadata(path).unwrap().len() as f64;
    let mb = bytes / 1e6;
    let p = path.to_str().unwrap();
    println!(
        "== {label}: {p} ({mb:.1} MB), load average {}",
        load_average()
    );
    // Warm the page cache so every run reads from memory.
    let (_, _, _, out) = run_timed("wc", &["-l", p]);
    let wc_lines = out.split_whitespace().next().unwrap_or("?").to_string();
    let check_bin = std::env::var("DSN_BENCH_CHECK_BIN").ok();
    let mut wc = Runs::default();
    let mut modes: Vec<Runs> = Mode::ALL.iter().map(|_| Runs::default()).collect();
    let mut check = Runs::default();
    let mut lines_read = (0, 0);
    // Interleaved, so that every tool sees the same load.
    for _ in 0..repeat {
        let (t, cpu, rss, _) = run_timed("wc", &["-l", p]);
        wc.add(t, cpu, rss);
        for (mode, runs) in Mode::ALL.iter().zip(&mut modes) {
            reset_peak_rss();
            let (n, t, cpu) = time_cpu(|| read_once(path, *mode));
            lines_read = n;
            runs.add(t, cpu, peak_rss_mb());
        }
        if let Some(bin) = &check_bin {
            let (t, cpu, rss, _) = run_timed(bin, &[p]);
            check.add(t, cpu, rss);
        }
    }
    let lines: f64 = wc_lines.parse().unwrap_or(f64::NAN);
    let row = |name: &str, r: &Runs, vs_wc: bool| {
        let pct = if vs_wc {
            // `/usr/bin/time` counts CPU time in 10-ms steps: too coarse
            // for the small file.
            let cpu = if wc.best_cpu() >= 0.05 {
                format!("{:.1} %", 100.0 * wc.best_cpu() / r.best_cpu())
            } else {
                "n/a".to_string()
            };
            format!(
                ", {:.1} % of wc -l (CPU {cpu})",
                100.0 * wc.best() / r.best()
            )
        } else {
            String::new()
        };
        println!(
            "{name:<46}: best {:8.4} s (worst {:8.4}) {:8.1} MB/s {:6.2} M lines/s; CPU {:8.4} s {:8.1} MB/s; peak RSS {:6.1} MB{pct}",
            r.best(),
            r.worst(),
            mb / r.best(),
            lines / r.best() / 1e6,
            r.best_cpu(),
            mb / r.best_cpu(),
            r.rss
        );
    };
    println!(
        "({repeat} runs each; {wc_lines} lines; reader saw {} rubric lines, {} individuals)",
        lines_read.0, lines_read.1
    );
    row("wc -l (process)", &wc, false);
    for (mode, runs) in Mode::ALL.iter().zip(&modes) {
        row(mode.label(), runs, true);
    }
    if check_bin.is_some() {
        row("check example (process: views + report)", &check, true);
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (_, t) = time(|| {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| read_once(path, Mode::View));
            }
        })
    });
    println!(
        "reader {threads} threads × 1 file each, views      : {t:8.4} s {:8.1} MB/s {:6.2} M lines/s aggregate",
        mb * threads as f64 / t,
        lines * threads as f64 / t / 1e6
    );
    if let Some(tool) = dsn_tools {
        let (t, cpu, rss, _) = run_timed(tool, &["--quiet", p]);
        let view = modes[0].best();
        println!(
            "dsn-tools --quiet (process)                   : {t:8.2} s {:8.3} MB/s {:6.3} M lines/s; CPU {cpu:8.2} s; peak RSS {rss:6.1} MB; \
             reader (views, validation on) is {:.0}x faster (CPU {:.0}x), owned model {:.0}x",
            mb / t,
            lines / t / 1e6,
            t / view,
            cpu / modes[0].best_cpu(),
            t / modes[2].best()
        );
    }
    println!("load average after: {}", load_average());
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
    let repeat: usize = std::env::var("DSN_BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dsn_tools = std::env::var("DSN_TOOLS").ok();
    bench_file(&small, "200k-line file", repeat, dsn_tools.as_deref());
    bench_file(&big, "big file", repeat, None);
    if std::env::var("DSN_BENCH_DIR").is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
