//! Establishments: identifiers, sector, size, place, name and latent traits.

use std::collections::HashSet;

use rand::Rng;
use serde::Serialize;

use crate::config::SynthConfig;
use crate::ids::{make_siren, make_siret};
use crate::rng::{cumulative, normal, phi, pick_cumulative, stream, SimRng};
use crate::sector::{sector_params, SectorParams};
use crate::territory::{naf_section, NafInput, Territory, NAF_INTERIM};
use crate::Error;

/// Insertion / adapted structure kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Kind {
    Regular,
    /// Temporary-work agency (declares missions, nature 03).
    Agency,
    /// Atelier et chantier d'insertion (CDDI, complément 02).
    Aci,
    /// Entreprise d'insertion (CDDI, complément 04).
    Ei,
    /// Association intermédiaire (CDDI, complément 03).
    Ai,
    /// Entreprise de travail temporaire d'insertion (missions, complément 05).
    Etti,
    /// Entreprise adaptée (complément 01, mostly BOETH staff).
    Ea,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Regular => "regular",
            Kind::Agency => "agency",
            Kind::Aci => "aci",
            Kind::Ei => "ei",
            Kind::Ai => "ai",
            Kind::Etti => "etti",
            Kind::Ea => "ea",
        }
    }
    pub fn is_agency(self) -> bool {
        matches!(self, Kind::Agency | Kind::Etti)
    }
    pub fn is_iae(self) -> bool {
        matches!(self, Kind::Aci | Kind::Ei | Kind::Ai | Kind::Etti)
    }
    /// S21.G00.40.073 value for aided posts.
    pub fn complement(self) -> Option<&'static str> {
        match self {
            Kind::Ea => Some("01"),
            Kind::Aci => Some("02"),
            Kind::Ai => Some("03"),
            Kind::Ei => Some("04"),
            Kind::Etti => Some("05"),
            _ => None,
        }
    }
}

/// Latent behaviour of an establishment (what `truth.csv` reveals).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Traits {
    /// Openness to people far from employment, in [0, 1].
    pub openness: f64,
    /// Probability that a core hire is a CDI.
    pub cdi_propensity: f64,
    /// Multiplier on CDD lengths (> 1: longer CDDs, fewer very short ones).
    pub cdd_length: f64,
    /// Monthly separation hazard of core contracts.
    pub separation: f64,
    /// Probability that a core CDD reaching its term becomes a CDI.
    pub conversion: f64,
    /// Multiplier on the sector's work-accident frequency.
    pub accident: f64,
}

/// One simulated establishment (static description).
#[derive(Clone, Debug)]
pub struct Estab {
    pub basin: usize,
    pub siren: String,
    pub nic: String,
    pub siret: String,
    pub head_nic: String,
    pub naf: String,
    pub section: char,
    pub params: SectorParams,
    pub commune: usize,
    pub name: String,
    pub enseigne: Option<String>,
    pub street_no: u32,
    pub street_type: &'static str,
    pub street: String,
    pub lat: f64,
    pub lng: f64,
    pub diffusible: bool,
    pub base_size: f64,
    pub growth: f64,
    pub open_month: u32,
    pub close_month: Option<u32>,
    pub kind: Kind,
    pub traits: Traits,
    pub engagement: f64,
    /// Index (in the global list) of the payroll bureau sending its DSN.
    pub bureau: Option<usize>,
}

/// A basin: its code and the communes (indices into the territory) in it.
#[derive(Clone, Debug)]
pub struct Basin {
    pub code: String,
    pub communes: Vec<usize>,
    pub population: u64,
}

const STREETS: [(&str, &str); 12] = [
    ("RUE", "de la Gare"),
    ("AV", "de la République"),
    ("RUE", "Victor Hugo"),
    ("BD", "Jean Jaurès"),
    ("RUE", "du Moulin"),
    ("ZA", "des Landes"),
    ("RUE", "de l'Industrie"),
    ("PL", "du Marché"),
    ("RTE", "de Nantes"),
    ("RUE", "Pasteur"),
    ("ALL", "des Tilleuls"),
    ("IMP", "des Artisans"),
];

const NAME_SUFFIX: [&str; 8] = [
    "",
    "Services",
    "et Fils",
    "Ouest",
    "Atlantique",
    "Conseil",
    "Plus",
    "Avenir",
];

/// Choose the basins of the run.
pub fn choose_basins(cfg: &SynthConfig, territory: &Territory) -> Result<Vec<Basin>, Error> {
    let ranked = territory.basins_by_population();
    let codes: Vec<(String, u64)> = if cfg.basins.is_empty() {
        ranked.into_iter().take(cfg.max_basins as usize).collect()
    } else {
        cfg.basins
            .iter()
            .map(|b| {
                ranked
                    .iter()
                    .find(|(c, _)| c == b)
                    .cloned()
                    .ok_or_else(|| Error::Config(format!("basin `{b}` not in the territory")))
            })
            .collect::<Result<_, _>>()?
    };
    if codes.is_empty() {
        return Err(Error::Config("the territory has no commune".into()));
    }
    Ok(codes
        .into_iter()
        .map(|(code, population)| {
            let communes = territory
                .communes
                .iter()
                .enumerate()
                .filter(|(_, c)| c.basin == code && c.population > 0)
                .map(|(i, _)| i)
                .collect();
            Basin {
                code,
                communes,
                population,
            }
        })
        .collect())
}

fn draw_size(rng: &mut SimRng, cfg: &SynthConfig) -> f64 {
    let band = pick_cumulative(rng, &cumulative(cfg.size_mix));
    let (lo, hi): (f64, f64) = match band {
        0 => (1.0, 9.0),
        1 => (10.0, 49.0),
        2 => (50.0, 249.0),
        _ => (250.0, 1500.0),
    };
    let hi = hi.min(cfg.size_max as f64).max(1.0);
    let lo = lo.min(hi);
    // Log-uniform inside the band.
    (lo.ln() + rng.gen::<f64>() * (hi.ln() - lo.ln())).exp()
}

/// Map a standard normal to a value in (0, 1), correlated with engagement.
fn trait_u(rng: &mut SimRng, z_e: f64, rho: f64) -> f64 {
    phi(rho * z_e + (1.0 - rho * rho).sqrt() * normal(rng))
}

fn draw_traits(
    rng: &mut SimRng,
    cfg: &SynthConfig,
    params: &SectorParams,
    kind: Kind,
) -> (Traits, f64) {
    let z_e = normal(rng);
    let engagement = phi(z_e);
    let rho = cfg.behaviour.trait_loading;
    let u_open = trait_u(rng, z_e, rho);
    let u_cdi = trait_u(rng, z_e, rho);
    let u_len = trait_u(rng, z_e, rho);
    let u_sep = trait_u(rng, z_e, rho);
    let u_conv = trait_u(rng, z_e, rho);
    let u_acc = trait_u(rng, z_e, rho);
    let mut t = Traits {
        openness: u_open,
        cdi_propensity: (params.cdi_base * (0.35 + 1.3 * u_cdi)).clamp(0.02, 0.97),
        cdd_length: ((u_len - 0.5) * 1.4).exp(),
        // Mean of exp(-2.2 (u - 0.5)) over u ~ U(0, 1) is about 1.21.
        separation: cfg.behaviour.separation_mean * (-(u_sep - 0.5) * 2.2).exp() / 1.21,
        conversion: 0.04 + 0.56 * u_conv,
        // Mean of exp(-1.6 (u - 0.5)) is about 1.11.
        accident: (-(u_acc - 0.5) * 1.6).exp() / 1.11,
    };
    if kind.is_iae() || kind == Kind::Ea {
        t.openness = 0.8 + 0.2 * t.openness;
    }
    (t, engagement)
}

fn ascii_upper(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' => 'A',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' => 'E',
            'î' | 'ï' => 'I',
            'ô' | 'ö' => 'O',
            'ù' | 'û' | 'ü' => 'U',
            'ç' => 'C',
            '-' | '\'' => ' ',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// The localité as the norm wants it (`[A-Za-z0-9\s]+`).
pub fn localite(name: &str) -> String {
    ascii_upper(name)
}

/// Build every establishment of the run, basin by basin (deterministic).
pub fn build_establishments(
    cfg: &SynthConfig,
    territory: &Territory,
    basins: &[Basin],
    naf: &[NafInput],
    months: u32,
) -> Result<Vec<Estab>, Error> {
    if naf.is_empty() {
        return Err(Error::Config("empty NAF list".into()));
    }
    let mut rng = stream(cfg.seed, 0xE57A, 0);
    let naf_cum = cumulative(naf.iter().map(|n| n.weight));
    let total_pop: u64 = basins.iter().map(|b| b.population).sum::<u64>().max(1);
    // Largest-remainder allocation of establishments to basins.
    let n = cfg.establishments as u64;
    let mut alloc: Vec<u64> = basins
        .iter()
        .map(|b| n * b.population / total_pop)
        .collect();
    let mut rest: Vec<(usize, u64)> = basins
        .iter()
        .enumerate()
        .map(|(i, b)| (i, (n * b.population) % total_pop))
        .collect();
    rest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let missing = n - alloc.iter().sum::<u64>();
    for &(i, _) in rest.iter().take(missing as usize) {
        alloc[i] += 1;
    }

    let mut sirens: HashSet<String> = HashSet::new();
    let mut out: Vec<Estab> = Vec::with_capacity(n as usize);
    for (bi, basin) in basins.iter().enumerate() {
        if basin.communes.is_empty() {
            continue;
        }
        let com_cum = cumulative(
            basin
                .communes
                .iter()
                .map(|&c| territory.communes[c].population as f64),
        );
        let target = alloc[bi] as usize;
        let first = out.len();
        let mut agencies = 0;
        while out.len() - first < target {
            // A company: one NAF, one or several sites.
            let mut ni = pick_cumulative(&mut rng, &naf_cum);
            let remaining = target - (out.len() - first);
            // Guarantee two temporary-work agencies per basin.
            if agencies < 2 && remaining <= 2 - agencies {
                if let Some(i) = naf.iter().position(|x| x.code == NAF_INTERIM) {
                    ni = i;
                }
            }
            let nafi = &naf[ni];
            let sites = if rng.gen::<f64>() < cfg.multi_site_share {
                rng.gen_range(2..=4usize).min(remaining)
            } else {
                1
            };
            let siren = loop {
                let s = make_siren(rng.gen_range(10_000_000..99_999_999));
                if sirens.insert(s.clone()) {
                    break s;
                }
            };
            let params = sector_params(&nafi.code);
            let section = naf_section(&nafi.code);
            let mut kind = if nafi.code == NAF_INTERIM {
                Kind::Agency
            } else {
                Kind::Regular
            };
            let iae_roll: f64 = rng.gen();
            kind = match nafi.code.as_str() {
                "8899B" | "9499Z" if iae_roll < cfg.iae_share => Kind::Aci,
                "8130Z" | "8121Z" if iae_roll < cfg.iae_share => Kind::Ei,
                "7830Z" if iae_roll < cfg.iae_share * 3.0 => Kind::Ai,
                "7820Z" if iae_roll < cfg.iae_share => Kind::Etti,
                _ if kind == Kind::Regular
                    && matches!(section, 'C' | 'N' | 'S')
                    && iae_roll > 1.0 - cfg.ea_share * 8.0 =>
                {
                    Kind::Ea
                }
                _ => kind,
            };
            if kind.is_agency() {
                agencies += 1;
            }
            let company_size =
                (draw_size(&mut rng, cfg) * params.size_factor).clamp(1.0, cfg.size_max as f64);
            let (company_traits, company_eng) = draw_traits(&mut rng, cfg, &params, kind);
            let created = rng.gen::<f64>() < cfg.creation_share && months > 12;
            let closes = !created && rng.gen::<f64>() < cfg.closure_share && months > 12;
            let mut nic_body = 1u32;
            let head_nic = make_siret(&siren, nic_body)[9..].to_string();
            for s in 0..sites {
                let ci = basin.communes[pick_cumulative(&mut rng, &com_cum)];
                let commune = &territory.communes[ci];
                if s > 0 {
                    nic_body += rng.gen_range(1..=40);
                }
                let siret = make_siret(&siren, nic_body);
                let nic = siret[9..].to_string();
                // Sites of a company share its traits, with some local noise.
                let (mut traits, mut engagement) = (company_traits, company_eng);
                if s > 0 {
                    let (t2, e2) = draw_traits(&mut rng, cfg, &params, kind);
                    traits = Traits {
                        openness: 0.7 * traits.openness + 0.3 * t2.openness,
                        cdi_propensity: 0.7 * traits.cdi_propensity + 0.3 * t2.cdi_propensity,
                        cdd_length: 0.7 * traits.cdd_length + 0.3 * t2.cdd_length,
                        separation: 0.7 * traits.separation + 0.3 * t2.separation,
                        conversion: 0.7 * traits.conversion + 0.3 * t2.conversion,
                        accident: 0.7 * traits.accident + 0.3 * t2.accident,
                    };
                    engagement = 0.7 * engagement + 0.3 * e2;
                }
                let base_size = if kind.is_agency() {
                    company_size.clamp(2.0, 15.0)
                } else if sites > 1 {
                    (company_size / sites as f64).max(1.0)
                } else {
                    company_size
                };
                let (st, street) = STREETS[rng.gen_range(0..STREETS.len())];
                let short = nafi
                    .label
                    .split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ");
                let suffix = NAME_SUFFIX[rng.gen_range(0..NAME_SUFFIX.len())];
                let name = format!(
                    "{short} {}{}{}",
                    commune.name,
                    if suffix.is_empty() { "" } else { " " },
                    suffix
                );
                let enseigne = if rng.gen::<f64>() < 0.4 {
                    let initials: String = nafi
                        .label
                        .split_whitespace()
                        .filter(|w| w.len() > 3)
                        .filter_map(|w| w.chars().next())
                        .collect::<String>()
                        .to_uppercase();
                    Some(format!("{initials} {}", ascii_upper(&commune.name)))
                } else {
                    None
                };
                let open_month = if created {
                    rng.gen_range(1..months - 6)
                } else {
                    0
                };
                let close_month = if closes {
                    Some(rng.gen_range(12..months))
                } else {
                    None
                };
                // Position: within about 2 km of the commune point.
                let lat = commune.lat + normal(&mut rng) * 0.008;
                let lng = commune.lng + normal(&mut rng) * 0.011;
                out.push(Estab {
                    basin: bi,
                    siren: siren.clone(),
                    nic,
                    siret,
                    head_nic: head_nic.clone(),
                    naf: nafi.code.clone(),
                    section,
                    params,
                    commune: ci,
                    name,
                    enseigne,
                    street_no: rng.gen_range(1..120),
                    street_type: st,
                    street: street.into(),
                    lat,
                    lng,
                    diffusible: rng.gen::<f64>() >= 0.03,
                    base_size,
                    growth: 0.01 + 0.04 * normal(&mut rng),
                    open_month,
                    close_month,
                    kind,
                    traits,
                    engagement,
                    bureau: None,
                });
            }
        }
        // Payroll bureaus: up to two accounting firms of the basin (any
        // establishment if none) send the DSN of a share of the others.
        let idx: Vec<usize> = (first..out.len()).collect();
        let mut bureaus: Vec<usize> = idx
            .iter()
            .copied()
            .filter(|&i| out[i].naf == "6920Z")
            .take(2)
            .collect();
        if bureaus.is_empty() {
            bureaus.extend(idx.iter().copied().find(|&i| out[i].kind == Kind::Regular));
        }
        for &i in &idx {
            if !bureaus.contains(&i)
                && !out[i].kind.is_agency()
                && rng.gen::<f64>() < cfg.output.bureau_share
            {
                out[i].bureau = Some(bureaus[rng.gen_range(0..bureaus.len())]);
            }
        }
    }
    Ok(out)
}
