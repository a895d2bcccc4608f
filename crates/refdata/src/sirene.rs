//! Optional SIRENE enrichment: a StockEtablissement or geo-SIRENE CSV extract, with the
//! real column names, gives names, enseigne, address, exact coordinates and headcount band
//! by SIRET.
//!
//! Privacy rule: an establishment whose `statutDiffusionEtablissement` is not `O`
//! (partially diffusible `P`, or the former `N`) keeps its figures, but its name, enseigne,
//! address and exact point are hidden everywhere: [`SireneEstablishment::public`] keeps
//! only the commune, the NAF code and the headcount band.

use crate::RefdataError;
use std::collections::HashMap;
use std::path::Path;

/// One establishment of the extract.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SireneEstablishment {
    /// 14 digits.
    pub siret: String,
    /// `statutDiffusionEtablissement == "O"`.
    pub diffusible: bool,
    /// `etatAdministratifEtablissement == "A"` (active).
    pub active: bool,
    /// `denominationUsuelleEtablissement`.
    pub name: Option<String>,
    /// `enseigne1Etablissement`.
    pub enseigne: Option<String>,
    /// Number, street type and street name.
    pub address: Option<String>,
    /// `codePostalEtablissement`.
    pub postcode: Option<String>,
    /// `codeCommuneEtablissement` (INSEE code).
    pub commune: Option<String>,
    /// `activitePrincipaleEtablissement` (e.g. `62.01Z`).
    pub naf: Option<String>,
    /// `trancheEffectifsEtablissement` (INSEE band code, e.g. `12` for 20–49).
    pub headcount_band: Option<String>,
    /// geo-SIRENE `longitude`, `latitude`.
    pub point: Option<[f64; 2]>,
}

impl SireneEstablishment {
    /// What may be shown: everything when diffusible; otherwise the name, enseigne,
    /// address, postcode and exact point are removed (only the commune remains as place).
    pub fn public(&self) -> SireneEstablishment {
        if self.diffusible {
            return self.clone();
        }
        SireneEstablishment {
            name: None,
            enseigne: None,
            address: None,
            postcode: None,
            point: None,
            ..self.clone()
        }
    }
}

/// Reads a StockEtablissement / geo-SIRENE CSV (`,` or `;`). Only `siret` is required;
/// the other columns are read when present. Returns the establishments by SIRET.
pub fn read_sirene(path: &Path) -> Result<HashMap<String, SireneEstablishment>, RefdataError> {
    let file = std::fs::File::open(path).map_err(|e| RefdataError::io(path, e))?;
    let mut head = String::new();
    {
        use std::io::BufRead;
        std::io::BufReader::new(&file)
            .read_line(&mut head)
            .map_err(|e| RefdataError::io(path, e))?;
    }
    let delim = if head.matches(';').count() > head.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .from_path(path)
        .map_err(|e| RefdataError::format(path, e.to_string()))?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| RefdataError::format(path, e.to_string()))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let siret_col = col("siret").ok_or_else(|| RefdataError::format(path, "no siret column"))?;
    let c = |name: &str| col(name);
    let (statut, etat, denom, enseigne) = (
        c("statutDiffusionEtablissement"),
        c("etatAdministratifEtablissement"),
        c("denominationUsuelleEtablissement"),
        c("enseigne1Etablissement"),
    );
    let (num, typ, voie) = (
        c("numeroVoieEtablissement"),
        c("typeVoieEtablissement"),
        c("libelleVoieEtablissement"),
    );
    let (cp, commune, naf, tranche) = (
        c("codePostalEtablissement"),
        c("codeCommuneEtablissement"),
        c("activitePrincipaleEtablissement"),
        c("trancheEffectifsEtablissement"),
    );
    let (lng, lat) = (c("longitude"), c("latitude"));
    let mut out = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| RefdataError::format(path, e.to_string()))?;
        let get = |i: Option<usize>| -> Option<String> {
            i.and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty() && *v != "[ND]")
                .map(str::to_string)
        };
        let Some(siret) = get(Some(siret_col)) else {
            continue;
        };
        let address: Vec<String> = [get(num), get(typ), get(voie)]
            .into_iter()
            .flatten()
            .collect();
        let point = match (
            get(lng).and_then(|v| v.parse::<f64>().ok()),
            get(lat).and_then(|v| v.parse::<f64>().ok()),
        ) {
            (Some(x), Some(y)) => Some([x, y]),
            _ => None,
        };
        let e = SireneEstablishment {
            siret: siret.clone(),
            // Unknown status is treated as not diffusible.
            diffusible: get(statut).as_deref() == Some("O"),
            active: get(etat).as_deref() != Some("F"),
            name: get(denom),
            enseigne: get(enseigne),
            address: (!address.is_empty()).then(|| address.join(" ")),
            postcode: get(cp),
            commune: get(commune),
            naf: get(naf),
            headcount_band: get(tranche),
            point,
        };
        out.insert(siret, e);
    }
    Ok(out)
}

/// Label of an INSEE headcount band code (`trancheEffectifsEtablissement`).
pub fn headcount_band_label(code: &str) -> Option<&'static str> {
    Some(match code {
        "NN" => "Unité non employeuse",
        "00" => "0 salarié",
        "01" => "1 ou 2 salariés",
        "02" => "3 à 5 salariés",
        "03" => "6 à 9 salariés",
        "11" => "10 à 19 salariés",
        "12" => "20 à 49 salariés",
        "21" => "50 à 99 salariés",
        "22" => "100 à 199 salariés",
        "31" => "200 à 249 salariés",
        "32" => "250 à 499 salariés",
        "41" => "500 à 999 salariés",
        "42" => "1 000 à 1 999 salariés",
        "51" => "2 000 à 4 999 salariés",
        "52" => "5 000 à 9 999 salariés",
        "53" => "10 000 salariés et plus",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_extract_and_hides_non_diffusible() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("geo_siret_69.csv");
        std::fs::write(
            &path,
            "siren,nic,siret,statutDiffusionEtablissement,trancheEffectifsEtablissement,activitePrincipaleEtablissement,etatAdministratifEtablissement,denominationUsuelleEtablissement,enseigne1Etablissement,numeroVoieEtablissement,typeVoieEtablissement,libelleVoieEtablissement,codePostalEtablissement,codeCommuneEtablissement,longitude,latitude,geo_score,geo_type\n\
             123456789,00012,12345678900012,O,12,62.01Z,A,ATELIER NORD,LA FABRIQUE,12,RUE,DE LA REPUBLIQUE,69002,69382,4.8357,45.7578,0.95,housenumber\n\
             987654321,00021,98765432100021,P,03,56.10A,A,[ND],[ND],[ND],[ND],[ND],69003,69383,[ND],[ND],,\n\
             111111111,00015,11111111100015,O,NN,47.11B,F,,EPICERIE,,,,69001,69381,,,,\n",
        )
        .unwrap();
        let m = read_sirene(&path).expect("read");
        assert_eq!(m.len(), 3);
        let a = &m["12345678900012"];
        assert!(a.diffusible && a.active);
        assert_eq!(a.address.as_deref(), Some("12 RUE DE LA REPUBLIQUE"));
        assert_eq!(a.point, Some([4.8357, 45.7578]));
        assert_eq!(a.public(), *a);
        let b = &m["98765432100021"];
        assert!(!b.diffusible);
        assert_eq!(b.name, None, "[ND] is not a value");
        let c = &m["11111111100015"];
        assert!(!c.active);
        let hidden = SireneEstablishment {
            name: Some("X".into()),
            address: Some("Y".into()),
            point: Some([1.0, 2.0]),
            ..b.clone()
        }
        .public();
        assert_eq!(
            (hidden.name, hidden.address, hidden.point),
            (None, None, None)
        );
        assert_eq!(hidden.commune.as_deref(), Some("69383"));
        assert_eq!(hidden.headcount_band.as_deref(), Some("03"));
        assert_eq!(headcount_band_label("12"), Some("20 à 49 salariés"));
    }
}
