//! Run a preset on the built-in territory and print the calibration report:
//! `cargo run --release -p ancrage-synth --example synth -- demo|region|tiny|FILE.toml /tmp/out [seed] [establishments]`.

use std::path::PathBuf;

use ancrage_synth::{calibration_report, generate, SynthConfig, Territory};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let preset = args.get(1).map_or("demo", String::as_str);
    let out = PathBuf::from(args.get(2).map_or("/tmp/ancrage-synth", String::as_str));
    let mut cfg = if preset.ends_with(".toml") {
        SynthConfig::from_toml(&std::fs::read_to_string(preset).expect("config file"))
            .expect("config")
    } else {
        SynthConfig::preset(preset).expect("preset")
    };
    if let Some(seed) = args.get(3) {
        cfg.seed = seed.parse().expect("seed");
    }
    if let Some(n) = args.get(4) {
        cfg.establishments = n.parse().expect("establishments");
    }
    let summary = generate(&cfg, &Territory::builtin(), &out, &|_| {}).expect("generate");
    println!(
        "{} establishments, {} persons, {} contract-months, {} files, {:.1} MB, {:.1} s ({:.1} MB/s, {:.0} contract-months/s)",
        summary.establishments,
        summary.persons,
        summary.contract_months,
        summary.files,
        summary.bytes as f64 / 1e6,
        summary.seconds,
        summary.bytes as f64 / 1e6 / summary.seconds,
        summary.contract_months as f64 / summary.seconds
    );
    println!("anomalies: {:?}", summary.anomalies);
    print!("{}", calibration_report(&summary).render());
}
