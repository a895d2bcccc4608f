//! Side files: `truth.csv`, `sirene.csv`, `manifest.json`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::emit::Anomaly;
use crate::setup::Estab;
use crate::territory::Territory;

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `truth.csv`: the latent traits planted in each establishment.
pub fn truth_csv(estabs: &[Estab], basins: &[String]) -> String {
    let mut s = String::from(
        "siret,siren,nic,basin,naf,kind,openness,cdi_propensity,cdd_length,separation,conversion,accident,engagement\n",
    );
    for e in estabs {
        let t = &e.traits;
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{:.4},{:.4},{:.4},{:.5},{:.4},{:.4},{:.4}",
            e.siret,
            e.siren,
            e.nic,
            basins[e.basin],
            e.naf,
            e.kind.as_str(),
            t.openness,
            t.cdi_propensity,
            t.cdd_length,
            t.separation,
            t.conversion,
            t.accident,
            e.engagement
        );
    }
    s
}

/// SIRENE `trancheEffectifsEtablissement` code for a headcount.
pub fn tranche_effectifs(n: f64) -> &'static str {
    let n = n.round() as u64;
    match n {
        0 => "00",
        1..=2 => "01",
        3..=5 => "02",
        6..=9 => "03",
        10..=19 => "11",
        20..=49 => "12",
        50..=99 => "21",
        100..=199 => "22",
        200..=249 => "31",
        250..=499 => "32",
        500..=999 => "41",
        1000..=1999 => "42",
        _ => "51",
    }
}

/// NAF code as SIRENE writes it (`5610A` → `56.10A`).
pub fn naf_dotted(code: &str) -> String {
    if code.len() == 5 {
        format!("{}.{}", &code[..2], &code[2..])
    } else {
        code.to_string()
    }
}

pub const SIRENE_HEADER: &str = "siren,nic,siret,trancheEffectifsEtablissement,activitePrincipaleEtablissement,nomenclatureActivitePrincipaleEtablissement,codeCommuneEtablissement,codePostalEtablissement,libelleCommuneEtablissement,etatAdministratifEtablissement,statutDiffusionEtablissement,denominationUsuelleEtablissement,enseigne1Etablissement,numeroVoieEtablissement,typeVoieEtablissement,libelleVoieEtablissement,longitude,latitude,geo_score,geo_type";

/// `sirene.csv`: a StockEtablissement / geo-SIRENE style extract. Partially
/// diffusible establishments (`P`) have street and coordinates blanked.
pub fn sirene_csv(estabs: &[Estab], territory: &Territory, years: u32) -> String {
    let mut s = String::from(SIRENE_HEADER);
    s.push('\n');
    for e in estabs {
        let c = &territory.communes[e.commune];
        let size = e.base_size * (1.0 + e.growth).powf(years as f64);
        let etat = if e.close_month.is_some() { "F" } else { "A" };
        let diff = if e.diffusible { "O" } else { "P" };
        let (no, tv, lv, lng, lat, score, gtype) = if e.diffusible {
            (
                e.street_no.to_string(),
                e.street_type.to_string(),
                e.street.to_uppercase(),
                format!("{:.6}", e.lng),
                format!("{:.6}", e.lat),
                format!("{:.2}", 0.55 + (e.street_no % 44) as f64 / 100.0),
                if e.street_no % 5 == 0 {
                    "street"
                } else {
                    "housenumber"
                }
                .to_string(),
            )
        } else {
            Default::default()
        };
        let fields = [
            e.siren.clone(),
            e.nic.clone(),
            e.siret.clone(),
            tranche_effectifs(size).to_string(),
            naf_dotted(&e.naf),
            "NAFRev2".into(),
            c.code.clone(),
            c.postcode.clone(),
            c.name.to_uppercase(),
            etat.into(),
            diff.into(),
            e.name.to_uppercase(),
            e.enseigne.clone().unwrap_or_default(),
            no,
            tv,
            lv,
            lng,
            lat,
            score,
            gtype,
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        s.push_str(&line.join(","));
        s.push('\n');
    }
    s
}

/// `manifest.json`.
#[derive(Serialize)]
pub struct Manifest<'a> {
    pub generator: &'static str,
    pub seed: u64,
    pub start: &'a str,
    pub months: u32,
    pub basins: &'a [String],
    pub establishments: usize,
    pub files: u64,
    pub bytes: u64,
    pub declarations: u64,
    pub nir_rule: &'static str,
    /// Anomalies that a reader must report as errors.
    pub injected_errors: Vec<&'a Anomaly>,
    pub anomaly_counts: BTreeMap<&'static str, u64>,
    pub anomalies: &'a [Anomaly],
}

pub const NIR_RULE: &str = "S YY MM 96 CCC OOO: sex, birth year, a fictitious month code (20, 30-42), department 96 (not assigned), then a person counter; valid for the Identifiant_Nir_13 pattern, never a real NIR";
