//! Inputs describing where the simulated establishments live and what they do.
//!
//! These are plain data types so the crate does not depend on the reference
//! data crate: the CLI converts its communes (INSEE code, name, postcode,
//! population, centroid, zone d'emploi) into [`CommuneInput`]s.

use serde::{Deserialize, Serialize};

/// One commune of the simulated territory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommuneInput {
    /// INSEE commune code (COG), e.g. `56260`.
    pub code: String,
    pub name: String,
    /// Main postcode, e.g. `56000`.
    pub postcode: String,
    pub population: u64,
    pub lat: f64,
    pub lng: f64,
    /// Employment basin (zone d'emploi 2020 code, e.g. `5318`).
    pub basin: String,
}

/// The territory: communes grouped into basins by their `basin` field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Territory {
    pub communes: Vec<CommuneInput>,
}

/// One NAF rév. 2 sous-classe with its weight in the establishment mix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NafInput {
    /// Sous-classe code without dot, e.g. `5610A`.
    pub code: String,
    /// Short label used to build synthetic establishment names.
    pub label: String,
    /// Relative weight among establishments with staff.
    pub weight: f64,
}

impl Territory {
    /// Basin codes, ordered by decreasing total population (ties by code).
    pub fn basins_by_population(&self) -> Vec<(String, u64)> {
        let mut m: std::collections::BTreeMap<&str, u64> = Default::default();
        for c in &self.communes {
            *m.entry(c.basin.as_str()).or_default() += c.population;
        }
        let mut v: Vec<(String, u64)> = m.into_iter().map(|(k, p)| (k.to_string(), p)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// A tiny built-in territory for tests and offline use: three real
    /// employment basins of Brittany / Pays de la Loire (ZE 2020 codes 5318
    /// Vannes, 5309 Lorient, 5211 Laval) with six real communes each (INSEE
    /// code, main postcode, 2021 population, centroid).
    pub fn builtin() -> Self {
        #[rustfmt::skip]
        let rows: [(&str, &str, &str, u64, f64, f64, &str); 18] = [
            ("56260", "Vannes", "56000", 54420, 47.65769, -2.74845, "5318"),
            ("56206", "Saint-Avé", "56890", 11927, 47.70075, -2.74336, "5318"),
            ("56240", "Sarzeau", "56370", 8977, 47.52646, -2.75829, "5318"),
            ("56243", "Séné", "56860", 8944, 47.62265, -2.73942, "5318"),
            ("56251", "Theix-Noyalo", "56450", 8403, 47.63035, -2.64718, "5318"),
            ("56184", "Questembert", "56230", 8001, 47.66431, -2.43477, "5318"),
            ("56121", "Lorient", "56100", 57846, 47.74936, -3.38027, "5309"),
            ("56098", "Lanester", "56600", 23026, 47.76857, -3.32600, "5309"),
            ("56162", "Ploemeur", "56270", 18591, 47.73124, -3.44892, "5309"),
            ("56083", "Hennebont", "56700", 15746, 47.80539, -3.26940, "5309"),
            ("56078", "Guidel", "56520", 11947, 47.79378, -3.49063, "5309"),
            ("56185", "Quéven", "56530", 8790, 47.78712, -3.41717, "5309"),
            ("53130", "Laval", "53000", 49657, 48.05779, -0.76918, "5211"),
            ("53201", "Saint-Berthevin", "53940", 7353, 48.07391, -0.84622, "5211"),
            ("53054", "Changé", "53810", 6397, 48.11318, -0.79605, "5211"),
            ("53034", "Bonchamp-lès-Laval", "53960", 6211, 48.07150, -0.69965, "5211"),
            ("53096", "Ernée", "53500", 5576, 48.29542, -0.93164, "5211"),
            ("53119", "L'Huisserie", "53970", 4435, 48.01472, -0.77039, "5211"),
        ];
        Self {
            communes: rows
                .iter()
                .map(
                    |&(code, name, postcode, population, lat, lng, basin)| CommuneInput {
                        code: code.into(),
                        name: name.into(),
                        postcode: postcode.into(),
                        population,
                        lat,
                        lng,
                        basin: basin.into(),
                    },
                )
                .collect(),
        }
    }
}

/// NAF section letter of a sous-classe code (from its two-digit division);
/// `?` when the division is unknown.
pub fn naf_section(code: &str) -> char {
    code.get(0..2)
        .and_then(|s| s.parse::<u8>().ok())
        .and_then(ancrage_refdata::naf::section_of_division)
        .unwrap_or('?')
}

/// NAF sous-classe of temporary-work agencies (they declare interim missions).
pub const NAF_INTERIM: &str = "7820Z";

/// The default sector mix: real NAF rév. 2 sous-classes with a weight in the
/// number of establishments with staff (rough private-sector orders of
/// magnitude; sections add up to a plausible mix, not an official grid).
pub fn default_naf_mix() -> Vec<NafInput> {
    #[rustfmt::skip]
    let rows: &[(&str, &str, f64)] = &[
        ("0111Z", "Culture de céréales", 1.2),
        ("0150Z", "Culture et élevage associés", 1.0),
        ("0210Z", "Sylviculture", 0.3),
        ("1013A", "Préparation industrielle de viande", 0.5),
        ("1071C", "Boulangerie et boulangerie-pâtisserie", 3.5),
        ("1610A", "Sciage et rabotage du bois", 0.3),
        ("2229A", "Fabrication de pièces techniques en plastique", 0.4),
        ("2511Z", "Fabrication de structures métalliques", 0.6),
        ("2562B", "Mécanique industrielle", 0.9),
        ("3312Z", "Réparation de machines", 0.8),
        ("3511Z", "Production d'électricité", 0.2),
        ("3811Z", "Collecte des déchets non dangereux", 0.3),
        ("4120A", "Construction de maisons individuelles", 1.5),
        ("4312A", "Travaux de terrassement", 0.9),
        ("4321A", "Installation électrique", 2.5),
        ("4322A", "Installation d'eau et de gaz", 2.2),
        ("4332A", "Menuiserie bois et PVC", 1.6),
        ("4334Z", "Peinture et vitrerie", 1.4),
        ("4399C", "Maçonnerie générale", 2.6),
        ("4511Z", "Commerce de voitures", 1.4),
        ("4520A", "Entretien de véhicules automobiles", 2.4),
        ("4673A", "Commerce de gros de bois et matériaux", 0.6),
        ("4690Z", "Commerce de gros non spécialisé", 1.0),
        ("4711D", "Supermarché", 1.3),
        ("4711F", "Hypermarché", 0.3),
        ("4724Z", "Commerce de détail de pain", 0.8),
        ("4752A", "Quincaillerie", 0.7),
        ("4771Z", "Commerce de détail d'habillement", 2.6),
        ("4773Z", "Pharmacie", 2.0),
        ("4932Z", "Taxis", 0.5),
        ("4941A", "Transport routier de fret interurbain", 0.8),
        ("4941B", "Transport routier de fret de proximité", 0.9),
        ("5210B", "Entreposage non frigorifique", 0.3),
        ("5229A", "Messagerie et fret express", 0.3),
        ("5510Z", "Hôtellerie", 1.5),
        ("5610A", "Restauration traditionnelle", 6.5),
        ("5610C", "Restauration rapide", 3.5),
        ("5621Z", "Traiteur", 0.5),
        ("5630Z", "Débit de boissons", 1.5),
        ("5911A", "Production de films pour la télévision", 0.2),
        ("6201Z", "Programmation informatique", 0.7),
        ("6202A", "Conseil en systèmes informatiques", 0.8),
        ("6419Z", "Intermédiation monétaire", 1.2),
        ("6622Z", "Courtage d'assurances", 1.0),
        ("6831Z", "Agence immobilière", 1.5),
        ("6832A", "Administration d'immeubles", 0.6),
        ("6910Z", "Activités juridiques", 1.5),
        ("6920Z", "Activités comptables", 1.6),
        ("7022Z", "Conseil pour les affaires", 1.0),
        ("7112B", "Ingénierie et études techniques", 1.2),
        ("7500Z", "Activités vétérinaires", 0.5),
        ("7820Z", "Travail temporaire", 0.5),
        ("7830Z", "Mise à disposition de ressources humaines", 0.2),
        ("8010Z", "Sécurité privée", 0.4),
        ("8121Z", "Nettoyage courant des bâtiments", 1.2),
        ("8130Z", "Aménagement paysager", 1.0),
        ("8510Z", "Enseignement pré-primaire", 0.3),
        ("8553Z", "Enseignement de la conduite", 0.8),
        ("8559A", "Formation continue d'adultes", 1.0),
        ("8610Z", "Activités hospitalières", 0.3),
        ("8621Z", "Médecine générale", 1.2),
        ("8710A", "Hébergement médicalisé pour personnes âgées", 0.9),
        ("8720A", "Hébergement social pour handicapés mentaux", 0.4),
        ("8810A", "Aide à domicile", 1.3),
        ("8891A", "Accueil de jeunes enfants", 0.8),
        ("8899B", "Action sociale sans hébergement", 0.9),
        ("9001Z", "Arts du spectacle vivant", 0.4),
        ("9312Z", "Club de sport", 0.8),
        ("9329Z", "Activités récréatives et de loisirs", 0.3),
        ("9499Z", "Association", 1.5),
        ("9601B", "Blanchisserie-teinturerie de détail", 0.3),
        ("9602A", "Coiffure", 3.0),
        ("9609Z", "Services personnels", 0.4),
    ];
    rows.iter()
        .map(|&(code, label, weight)| NafInput {
            code: code.into(),
            label: label.into(),
            weight,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_of_known_codes() {
        assert_eq!(naf_section("5610A"), 'I');
        assert_eq!(naf_section("4399C"), 'F');
        assert_eq!(naf_section("8710A"), 'Q');
        assert_eq!(naf_section("7820Z"), 'N');
        assert_eq!(naf_section("1071C"), 'C');
    }

    #[test]
    fn builtin_territory_has_three_basins() {
        let t = Territory::builtin();
        let b = t.basins_by_population();
        assert_eq!(b.len(), 3);
        assert!(t
            .communes
            .iter()
            .all(|c| c.code.len() == 5 && c.postcode.len() == 5));
        assert!(default_naf_mix().iter().all(|n| n.code.len() == 5));
    }
}
