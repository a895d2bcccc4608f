//! Read a generated directory back through the DSN reader and count
//! diagnostics by severity and code:
//! `cargo run --release -p ancrage-synth --example readback -- DIR`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).expect("directory"));
    let mut stack = vec![root.join("dsn")];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let t0 = Instant::now();
    let (mut bytes, mut decls) = (0u64, 0u64);
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    let mut examples: BTreeMap<String, String> = BTreeMap::new();
    for f in &files {
        let r = ancrage_dsn::read_file(f).expect("read");
        bytes += r.summary.bytes;
        decls += r.declarations.len() as u64;
        for d in r.diagnostics {
            let k = format!("{} {}", d.severity, d.code);
            *codes.entry(k.clone()).or_default() += 1;
            examples.entry(k).or_insert_with(|| d.to_string());
        }
    }
    let s = t0.elapsed().as_secs_f64();
    println!(
        "{} files, {decls} declarations, {:.1} MB in {s:.1} s ({:.1} MB/s)",
        files.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / s
    );
    for (k, n) in &codes {
        println!("{n:>9}  {k}  e.g. {}", examples[k]);
    }
}
