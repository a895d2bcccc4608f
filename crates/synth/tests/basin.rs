//! `generate_basin` writes one basin's DSN files exactly as `generate` does.

use std::path::{Path, PathBuf};

use ancrage_synth::{generate, generate_basin, SynthConfig, Territory};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "dsn") {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn one_basin_is_the_same_bytes_as_in_the_whole_run() {
    let mut cfg = SynthConfig::preset("tiny").unwrap();
    cfg.establishments = 40;
    cfg.years = 1;
    let t = Territory::builtin();
    let whole = tempfile::tempdir().unwrap();
    let summary = generate(&cfg, &t, whole.path(), &|_| {}).unwrap();
    assert_eq!(summary.basins.len(), 2);
    let one = tempfile::tempdir().unwrap();
    let (contract_months, n, _) = generate_basin(&cfg, &t, 1, one.path()).unwrap();
    let mine = files(one.path());
    assert_eq!(mine.len() as u64, n);
    let code = &summary.basins[1];
    let theirs: Vec<PathBuf> = files(whole.path())
        .into_iter()
        .filter(|p| p.starts_with(Path::new("dsn").join(code)))
        .collect();
    assert_eq!(mine, theirs);
    for p in &mine {
        assert_eq!(
            std::fs::read(one.path().join(p)).unwrap(),
            std::fs::read(whole.path().join(p)).unwrap(),
            "{}",
            p.display()
        );
    }
    assert!(contract_months > 0 && contract_months < summary.contract_months);
    assert!(generate_basin(&cfg, &t, 2, one.path()).is_err());
}
