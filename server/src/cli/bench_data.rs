//! `ancrage bench-data` (hidden, for benchmarks): a published store of N
//! establishments built from a real, smaller one.
//!
//! Generating DSN for 100 000 establishments is far too expensive for a load
//! test. Instead, the establishments of a published store (typically the one
//! `ancrage demo` ingested) are used as templates: copy `i` of template
//! `i mod len` gets a new SIRET and is moved to a commune drawn in proportion
//! to its population, with a jittered point, so the copies cover the basins of
//! the whole grid. The rows then go through the product's own
//! [`PublishedStore::publish`], which derives the filter columns and computes
//! the basin summaries as for a real ingest. Only places, SIRETs and names
//! change; every figure of a copy is its template's (already secret-safe).

use std::path::PathBuf;

use ancrage_published::{EstablishmentDetail, ListFilter};
use ancrage_refdata::Refdata;
use ancrage_store::PublishedStore;
use anyhow::Context;
use rand::{Rng, SeedableRng};

#[derive(Debug, clap::Args)]
pub struct BenchDataArgs {
    /// Published store whose establishments are the templates (e.g. the demo's).
    #[arg(long)]
    pub from: String,
    /// Number of establishments to publish into `--database-url`.
    #[arg(short, long, default_value_t = 100_000)]
    pub count: usize,
    /// Seed of the places drawn.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Reference data (communes and the default basin grid).
    #[arg(long, env = "ANCRAGE_REFDATA", default_value = "data/refdata")]
    pub refdata: PathBuf,
}

/// Where a copy may be put: a commune of the grid, with its basin.
#[derive(Clone, Debug, PartialEq)]
pub struct Spot {
    pub commune: String,
    pub commune_name: String,
    pub postcode: Option<String>,
    pub basin: String,
    pub basin_label: String,
    pub lat: f64,
    pub lng: f64,
    /// Relative chance of being drawn (population, at least 1).
    pub weight: u64,
}

/// `count` copies of `templates` spread over `spots` (drawn by weight), with
/// SIRETs `99` followed by the copy number on 12 digits (not real SIRETs).
pub fn replicate(
    templates: &[EstablishmentDetail],
    spots: &[Spot],
    count: usize,
    seed: u64,
) -> Vec<EstablishmentDetail> {
    assert!(!templates.is_empty() && !spots.is_empty());
    let mut cumulative = Vec::with_capacity(spots.len());
    let mut total = 0u64;
    for s in spots {
        total += s.weight.max(1);
        cumulative.push(total);
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..count)
        .map(|i| {
            let mut d = templates[i % templates.len()].clone();
            let r = rng.gen_range(0..total);
            let spot = &spots[cumulative.partition_point(|&c| c <= r)];
            let s = &mut d.summary;
            s.siret = format!("99{i:012}");
            s.name = s.name.take().map(|n| format!("{n} {}", i + 1));
            s.commune = Some(spot.commune.clone());
            s.commune_name = Some(spot.commune_name.clone());
            s.postcode = spot.postcode.clone();
            s.basin = Some(spot.basin.clone());
            s.basin_label = Some(spot.basin_label.clone());
            s.lat = Some(spot.lat + rng.gen_range(-0.02..0.02));
            s.lng = Some(spot.lng + rng.gen_range(-0.03..0.03));
            d
        })
        .collect()
}

/// Every commune of the default grid that has a basin.
fn spots(refdata: &Refdata) -> anyhow::Result<Vec<Spot>> {
    let grid = refdata.default_grid()?;
    Ok(refdata
        .communes()
        .iter()
        .filter_map(|c| {
            let basin = refdata.basin_of(&c.code, &grid)?;
            Some(Spot {
                commune: c.code.clone(),
                commune_name: c.name.clone(),
                postcode: c.postcodes.first().cloned(),
                basin: basin.to_string(),
                basin_label: grid.units.get(basin).cloned().unwrap_or_default(),
                lat: c.lat,
                lng: c.lng,
                weight: c.population.max(1),
            })
        })
        .collect())
}

pub async fn run(database_url: &str, args: &BenchDataArgs) -> anyhow::Result<()> {
    let source = PublishedStore::open(&args.from)
        .await
        .with_context(|| format!("opening {}", args.from))?;
    let mut templates = Vec::new();
    for s in source.list_all(&ListFilter::default()).await? {
        templates.extend(source.detail(&s.siret).await?);
    }
    anyhow::ensure!(!templates.is_empty(), "{} publishes nothing", args.from);
    let refdata = Refdata::load(&args.refdata)
        .with_context(|| format!("reference data {}", args.refdata.display()))?;
    let spots = spots(&refdata)?;
    anyhow::ensure!(!spots.is_empty(), "the default grid places no commune");
    let rows = replicate(&templates, &spots, args.count, args.seed);
    let start = std::time::Instant::now();
    let target = PublishedStore::open(database_url)
        .await
        .with_context(|| format!("opening {database_url}"))?;
    target.publish(&rows).await?;
    let basins = target.basins().await?.len();
    println!(
        "{} établissements publiés ({} modèles, {} bassins) en {:.1} s",
        rows.len(),
        templates.len(),
        basins,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ancrage_published::EstablishmentSummary;

    /// A small published row (also used by the response cache's tests).
    pub(crate) fn template(siret: &str) -> EstablishmentDetail {
        EstablishmentDetail {
            summary: EstablishmentSummary {
                siret: siret.into(),
                name: Some("Atelier".into()),
                address: None,
                naf: Some("8810A".into()),
                naf_label: None,
                commune: Some("69123".into()),
                commune_name: Some("Lyon".into()),
                postcode: Some("69001".into()),
                basin: Some("691".into()),
                basin_label: Some("Lyon".into()),
                lat: Some(45.7),
                lng: Some(4.8),
                headcount: Some(12),
                hires: Some(7),
                women_share: Some(0.5),
                cdi_share: None,
                score: Some(61.0),
                band: "engagee".into(),
                division_label: None,
                size_band: None,
                strengths: Vec::new(),
            },
            first_month: None,
            last_month: None,
            hires_women: Some(3),
            hires_cdi: None,
            hires_cdd: None,
            hires_priority: None,
            peer_group: None,
            dimensions: Vec::new(),
            components: Vec::new(),
            by_year: Vec::new(),
        }
    }

    fn spot(code: &str, basin: &str, weight: u64) -> Spot {
        Spot {
            commune: code.into(),
            commune_name: format!("Commune {code}"),
            postcode: None,
            basin: basin.into(),
            basin_label: format!("Bassin {basin}"),
            lat: 48.0,
            lng: 2.0,
            weight,
        }
    }

    #[test]
    fn copies_keep_figures_and_move_to_drawn_places() {
        let templates = [template("11111111111111"), template("22222222222222")];
        // A weight of 0 counts as 1, so the three spots get 1/4, 1/4, 2/4 of the copies.
        let spots = [
            spot("01001", "A", 0),
            spot("01002", "B", 1),
            spot("75056", "C", 2),
        ];
        let rows = replicate(&templates, &spots, 4000, 7);
        assert_eq!(rows.len(), 4000);
        assert_eq!(rows[0].summary.siret, "99000000000000");
        assert_eq!(rows[3999].summary.siret, "99000000003999");
        let mut sirets: Vec<_> = rows.iter().map(|r| r.summary.siret.clone()).collect();
        sirets.sort();
        sirets.dedup();
        assert_eq!(sirets.len(), 4000);
        let in_c = rows
            .iter()
            .filter(|r| r.summary.basin.as_deref() == Some("C"))
            .count();
        assert!((1800..2200).contains(&in_c), "{in_c} copies in C");
        for r in &rows {
            let s = &r.summary;
            let place = spots
                .iter()
                .find(|p| Some(&p.basin) == s.basin.as_ref())
                .unwrap();
            assert_eq!(s.commune.as_ref(), Some(&place.commune));
            assert_eq!(s.basin_label.as_ref(), Some(&place.basin_label));
            assert!((s.lat.unwrap() - 48.0).abs() <= 0.02);
            assert!((s.lng.unwrap() - 2.0).abs() <= 0.03);
            assert_eq!(s.score, Some(61.0));
            assert_eq!(s.hires, Some(7));
            assert_eq!(r.hires_women, Some(3));
        }
        assert_eq!(rows[1].summary.name.as_deref(), Some("Atelier 2"));
    }
}
