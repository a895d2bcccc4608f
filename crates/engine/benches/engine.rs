//! Engine benchmark on generated data: person-months per second and peak memory.
//!
//! `CARGO_TARGET_DIR=/work/target-engine cargo bench -p ancrage-engine --bench engine -- [establishments] [seed]`
//!
//! A small simulation plants a latent engagement z ∈ [0, 1] in each
//! establishment (more CDI, longer CDDs, fewer exits and accidents, more
//! young/senior/BOETH/aided hires, balanced sexes when z is high), streams
//! its monthly declarations one at a time into [`Ingest`] (nothing but the
//! engine's compact observations is kept), then computes indicators and
//! scores. It also prints the validation figures (AUC for the top quartile of
//! z, Spearman's ρ, band stability under ±20 % weights) as a sanity check of
//! the score; the official validation runs on the synth crate's presets.

use std::sync::Arc;
use std::time::Instant;

use ancrage_dsn::{format_date, ids, Block, Contrat, Declaration, EnvoiHeader, Individu};
use ancrage_engine::{
    auc, compute, score_all, spearman, weight_stability, Ingest, Pseudonymiser, ScoreConfig,
};
use chrono::{Datelike, Duration, NaiveDate};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    fn f(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }
    fn poisson(&mut self, lambda: f64) -> u32 {
        let l = (-lambda).exp();
        let (mut k, mut p) = (0, 1.0);
        loop {
            p *= self.f();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }
}

#[derive(Clone)]
struct PersonGen {
    id: u64,
    female: bool,
    birth: NaiveDate,
}

struct Active {
    person: PersonGen,
    number: String,
    start: NaiveDate,
    cdi: bool,
    dispositif: &'static str,
    boeth: bool,
    planned_end: Option<NaiveDate>,
    /// Leaves at the end of this month (CDI exit).
    leaving: Option<NaiveDate>,
    silent: bool,
    arret: Option<(NaiveDate, NaiveDate)>,
}

struct EstabGen {
    siren: String,
    naf: &'static str,
    size: f64,
    z: f64,
    active: Vec<Active>,
    next_number: u32,
}

const NAFS: [&str; 6] = ["5610A", "4711D", "8810A", "4120A", "6202A", "8621Z"];

fn month_start(m: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020 + m / 12, (m % 12) as u32 + 1, 1).unwrap()
}

fn month_end(m: i32) -> NaiveDate {
    month_start(m + 1) - Duration::days(1)
}

/// Declarations handed to the engine at a time (timing granularity).
const BATCH: usize = 256;

/// Feed a batch of declarations, timing wall and CPU time of the engine only.
fn feed(ingest: &mut Ingest, batch: &mut Vec<Declaration>, wall: &mut f64, cpu: &mut f64) {
    let (t, c) = (Instant::now(), cpu_secs());
    for d in batch.drain(..) {
        ingest.add(&d);
    }
    *wall += t.elapsed().as_secs_f64();
    *cpu += cpu_secs() - c;
}

/// CPU time of this thread in seconds (Linux schedstat), 0 elsewhere. The
/// machine is shared, so CPU time is the fairer throughput measure.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

/// A field of /proc/self/status in kB (Linux), 0 elsewhere.
fn rss_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let n_estab: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1500);
    let seed: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(7);
    let months = 60;
    let mut rng = Rng(seed);
    let mut next_person = 1u64;
    let mut pool: Vec<PersonGen> = Vec::new();
    let new_person = |rng: &mut Rng, z: f64, next: &mut u64| {
        let female = rng.chance(if z > 0.5 { 0.5 } else { 0.2 });
        let u = rng.f();
        let age = if u < 0.1 + 0.25 * z {
            18 + (rng.f() * 7.0) as i32
        } else if u < 0.2 + 0.4 * z {
            50 + (rng.f() * 12.0) as i32
        } else {
            26 + (rng.f() * 23.0) as i32
        };
        *next += 1;
        PersonGen {
            id: *next,
            female,
            birth: NaiveDate::from_ymd_opt(2022 - age, 1 + (rng.f() * 12.0) as u32 % 12, 10)
                .unwrap(),
        }
    };
    let mut estabs: Vec<EstabGen> = (0..n_estab)
        .map(|i| {
            let size = (1.0 / (1.0 - rng.f() * 0.97)).powf(1.3).min(400.0);
            EstabGen {
                siren: format!("{:09}", 100_000_000 + i),
                naf: NAFS[i % NAFS.len()],
                size,
                z: rng.f(),
                active: Vec::new(),
                next_number: 0,
            }
        })
        .collect();
    // Initial stock: CDIs started before the data.
    for e in &mut estabs {
        for _ in 0..e.size.round() as u32 {
            let person = new_person(&mut rng, e.z, &mut next_person);
            e.next_number += 1;
            e.active.push(Active {
                person,
                number: format!("C{}", e.next_number),
                start: NaiveDate::from_ymd_opt(2015, 1, 1).unwrap(),
                cdi: true,
                dispositif: "99",
                boeth: false,
                planned_end: None,
                leaving: None,
                silent: false,
                arret: None,
            });
        }
    }

    let envoi = Arc::new(EnvoiHeader {
        blocks: vec![Block::new(ids::ENVOI).with(6, "P24V01")],
        line: 0,
    });
    let mut ingest = Ingest::new(Pseudonymiser::new(b"bench key"));
    let mut person_months = 0u64;
    let mut declarations = 0u64;
    let t0 = Instant::now();
    let mut ingest_secs = 0.0;
    let mut ingest_cpu = 0.0;
    let mut batch: Vec<Declaration> = Vec::with_capacity(BATCH);
    for m in 0..months {
        let (ms, me) = (month_start(m), month_end(m));
        for e in &mut estabs {
            let z = e.z;
            // Hires this month.
            let hires = rng.poisson(e.size * (0.015 + 0.045 * (1.0 - z)));
            for _ in 0..hires {
                let person = if !pool.is_empty() && rng.chance(0.5) {
                    let k = (rng.next() % pool.len() as u64) as usize;
                    pool.swap_remove(k)
                } else {
                    new_person(&mut rng, z, &mut next_person)
                };
                let start = ms + Duration::days((rng.f() * 27.0) as i64);
                let cdi = rng.chance(0.15 + 0.6 * z);
                let days = 10.0 + rng.f() * (30.0 + 330.0 * z);
                e.next_number += 1;
                e.active.push(Active {
                    person,
                    number: format!("C{}", e.next_number),
                    start,
                    cdi,
                    dispositif: if rng.chance(0.02 + 0.1 * z) {
                        "21"
                    } else if rng.chance(0.03) {
                        "64"
                    } else {
                        "99"
                    },
                    boeth: rng.chance(0.01 + 0.08 * z),
                    planned_end: (!cdi).then(|| start + Duration::days(days as i64)),
                    leaving: None,
                    silent: false,
                    arret: None,
                });
            }
            // CDI exits and accidents.
            for a in &mut e.active {
                if a.cdi && a.leaving.is_none() && rng.chance(0.005 + 0.035 * (1.0 - z)) {
                    a.leaving = Some((ms + Duration::days((rng.f() * 27.0) as i64)).max(a.start));
                    a.silent = rng.chance(0.03);
                }
                if a.arret.is_none() && rng.chance(0.0005 + 0.004 * (1.0 - z)) {
                    let last = ms + Duration::days((rng.f() * 20.0) as i64);
                    a.arret = Some((last, last + Duration::days(5 + (rng.f() * 30.0) as i64)));
                }
            }
            // The declaration of this month.
            let mut d = Declaration::new(
                envoi.clone(),
                Block::new(ids::DECLARATION)
                    .with(1, "01")
                    .with(2, "01")
                    .with(3, "11")
                    .with(4, "1")
                    .with(5, format_date(ms)),
            );
            d.entreprise = Some(
                Block::new(ids::ENTREPRISE)
                    .with(1, e.siren.clone())
                    .with(3, e.naf),
            );
            d.etablissement = Some(
                Block::new(ids::ETABLISSEMENT)
                    .with(1, "00018")
                    .with(2, e.naf)
                    .with(4, "75001")
                    .with(5, "PARIS"),
            );
            let mut keep = Vec::with_capacity(e.active.len());
            let mut converted = Vec::new();
            for a in e.active.drain(..) {
                if a.start > me {
                    keep.push(a);
                    continue;
                }
                person_months += 1;
                let end = if a.cdi { a.leaving } else { a.planned_end }.filter(|x| *x <= me);
                let mut c = Contrat::new(
                    Block::new(ids::CONTRAT)
                        .with(1, format_date(a.start))
                        .with(7, if a.cdi { "01" } else { "02" })
                        .with(8, a.dispositif)
                        .with(9, a.number.clone()),
                );
                if let Some(p) = a.planned_end {
                    c.block = c.block.with(10, format_date(p));
                }
                if a.boeth {
                    c.block = c.block.with(72, "01");
                }
                if let Some((last, resume)) = a.arret {
                    if last >= ms && last <= me {
                        c.arrets.push(
                            Block::new(ids::ARRET)
                                .with(1, "06")
                                .with(2, format_date(last))
                                .with(10, format_date(resume)),
                        );
                    }
                }
                if let (Some(x), false) = (end, a.silent) {
                    c.fin = Some(
                        Block::new(ids::FIN_CONTRAT)
                            .with(1, format_date(x))
                            .with(2, if a.cdi { "059" } else { "031" }),
                    );
                }
                d.individus.push(Individu {
                    block: Block::new(ids::INDIVIDU)
                        .with(
                            1,
                            format!("{}{:012}", if a.person.female { 2 } else { 1 }, a.person.id),
                        )
                        .with(5, if a.person.female { "02" } else { "01" })
                        .with(6, format_date(a.person.birth)),
                    contrats: vec![c],
                    other: Vec::new(),
                });
                match end {
                    Some(x) => {
                        if !a.cdi && rng.chance(0.6 * z) {
                            converted.push((a.person.clone(), x + Duration::days(1)));
                        } else {
                            pool.push(a.person.clone());
                        }
                    }
                    None => keep.push(a),
                }
            }
            for (person, start) in converted {
                e.next_number += 1;
                keep.push(Active {
                    person,
                    number: format!("C{}", e.next_number),
                    start,
                    cdi: true,
                    dispositif: "99",
                    boeth: false,
                    planned_end: None,
                    leaving: None,
                    silent: false,
                    arret: None,
                });
            }
            e.active = keep;
            batch.push(d);
            declarations += 1;
            if batch.len() == BATCH {
                feed(&mut ingest, &mut batch, &mut ingest_secs, &mut ingest_cpu);
            }
        }
        let _ = me.day();
        feed(&mut ingest, &mut batch, &mut ingest_secs, &mut ingest_cpu);
    }
    let total_gen = t0.elapsed().as_secs_f64();
    let rss_before_finish = rss_kb("VmRSS:");
    let (t, c) = (Instant::now(), cpu_secs());
    let ds = ingest.finish();
    let finish_secs = t.elapsed().as_secs_f64();
    let finish_cpu = cpu_secs() - c;
    let peak_after_finish = rss_kb("VmHWM:");
    let (t, c) = (Instant::now(), cpu_secs());
    let inds = compute(&ds);
    let compute_secs = t.elapsed().as_secs_f64();
    let compute_cpu = cpu_secs() - c;
    let cfg = ScoreConfig::default();
    let (t, c) = (Instant::now(), cpu_secs());
    let scored = score_all(inds.clone(), &cfg);
    let score_secs = t.elapsed().as_secs_f64();
    let score_cpu = cpu_secs() - c;
    let engine_secs = ingest_secs + finish_secs + compute_secs + score_secs;
    let engine_cpu = ingest_cpu + finish_cpu + compute_cpu + score_cpu;

    let peak_kb = rss_kb("VmHWM:");

    println!("establishments        {n_estab}");
    println!("declarations          {declarations}");
    println!("person-months         {person_months}");
    println!("persons               {}", ds.persons.len());
    println!("contracts             {}", ds.contracts.len());
    println!("generation + ingest   {total_gen:.2} s (generator included)");
    println!("ingest.add            {ingest_secs:.2} s wall, {ingest_cpu:.2} s CPU");
    println!("finish                {finish_secs:.2} s wall, {finish_cpu:.2} s CPU");
    println!("compute               {compute_secs:.2} s wall, {compute_cpu:.2} s CPU");
    println!("score                 {score_secs:.2} s wall, {score_cpu:.2} s CPU");
    println!(
        "engine throughput     {:.0} person-months/s wall, {:.0} per CPU-second",
        person_months as f64 / engine_secs,
        person_months as f64 / engine_cpu
    );
    println!(
        "RSS before finish     {:.1} MB (generator state + ingest observations)",
        rss_before_finish as f64 / 1024.0
    );
    println!(
        "peak RSS after finish {:.1} MB",
        peak_after_finish as f64 / 1024.0
    );
    println!("peak RSS (VmHWM)      {:.1} MB", peak_kb as f64 / 1024.0);

    // Validation on the planted engagement.
    let z: Vec<f64> = estabs.iter().map(|e| e.z).collect();
    let eligible: Vec<(f64, f64)> = scored
        .iter()
        .filter(|s| s.calculable && s.indicators.hires >= 10)
        .map(|s| {
            let i: usize = s.indicators.siret[..9].parse::<usize>().unwrap() - 100_000_000;
            (s.score.unwrap(), z[i])
        })
        .collect();
    let mut zs: Vec<f64> = eligible.iter().map(|p| p.1).collect();
    zs.sort_by(f64::total_cmp);
    let q3 = zs[(zs.len() * 3) / 4];
    let pos: Vec<f64> = eligible.iter().filter(|p| p.1 >= q3).map(|p| p.0).collect();
    let neg: Vec<f64> = eligible.iter().filter(|p| p.1 < q3).map(|p| p.0).collect();
    let (a, b): (Vec<f64>, Vec<f64>) = eligible.iter().copied().unzip();
    let calculable = scored.iter().filter(|s| s.calculable).count();
    println!("calculable            {calculable} / {}", scored.len());
    println!("eligible (≥ 10 hires) {}", eligible.len());
    println!("AUC top quartile z    {:.3}", auc(&pos, &neg));
    println!("Spearman ρ            {:.3}", spearman(&a, &b));
    let t = Instant::now();
    let ws = weight_stability(&inds, &cfg, 10);
    println!(
        "band changes ±20 %    mean {:.3}, max {:.3} over {} perturbations ({:.1} s)",
        ws.mean,
        ws.max,
        ws.perturbations.len(),
        t.elapsed().as_secs_f64()
    );
    let mut bands = std::collections::BTreeMap::new();
    for s in &scored {
        *bands.entry(s.band.code()).or_insert(0) += 1;
    }
    println!("bands                 {bands:?}");
}
