//! Print the check report of DSN files (what `ancrage dsn check` shows).
//!
//! `cargo run -p ancrage-dsn --example check -- FILE... [--json]`

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if files.is_empty() {
        eprintln!("usage: check FILE... [--json]");
        return ExitCode::from(2);
    }
    let mut fatal = false;
    let mut reports = Vec::new();
    for f in files {
        let r = ancrage_dsn::check_file(f);
        fatal |= r.has_fatal();
        if json {
            reports.push(r);
        } else {
            print!("{}", r.render_text());
        }
    }
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&reports).expect("report serialises")
        );
    }
    if fatal {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
