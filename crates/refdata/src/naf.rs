//! NAF rév. 2: the fixed section ranges and code parsing.

/// The 21 sections of NAF rév. 2 with their first and last division and their official
/// INSEE label.
pub const SECTIONS: [(char, u8, u8, &str); 21] = [
    ('A', 1, 3, "Agriculture, sylviculture et pêche"),
    ('B', 5, 9, "Industries extractives"),
    ('C', 10, 33, "Industrie manufacturière"),
    (
        'D',
        35,
        35,
        "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné",
    ),
    (
        'E',
        36,
        39,
        "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution",
    ),
    ('F', 41, 43, "Construction"),
    ('G', 45, 47, "Commerce ; réparation d'automobiles et de motocycles"),
    ('H', 49, 53, "Transports et entreposage"),
    ('I', 55, 56, "Hébergement et restauration"),
    ('J', 58, 63, "Information et communication"),
    ('K', 64, 66, "Activités financières et d'assurance"),
    ('L', 68, 68, "Activités immobilières"),
    ('M', 69, 75, "Activités spécialisées, scientifiques et techniques"),
    ('N', 77, 82, "Activités de services administratifs et de soutien"),
    ('O', 84, 84, "Administration publique"),
    ('P', 85, 85, "Enseignement"),
    ('Q', 86, 88, "Santé humaine et action sociale"),
    ('R', 90, 93, "Arts, spectacles et activités récréatives"),
    ('S', 94, 96, "Autres activités de services"),
    (
        'T',
        97,
        98,
        "Activités des ménages en tant qu'employeurs ; activités indifférenciées des ménages en tant que producteurs de biens et services pour usage propre",
    ),
    ('U', 99, 99, "Activités extra-territoriales"),
];

/// The section of a division number (1–99), if the division exists in a section range.
pub fn section_of_division(division: u8) -> Option<char> {
    SECTIONS
        .iter()
        .find(|(_, lo, hi, _)| (*lo..=*hi).contains(&division))
        .map(|(c, ..)| *c)
}

/// Canonical form of a NAF code as found in DSN or Sirene: `6201Z`, `62.01Z`, `62.01z`,
/// ` 62 01 Z ` all give `62.01Z`; `62` gives `62`, `620` gives `62.0`, `6201` gives `62.01`.
pub fn canonical(code: &str) -> Option<String> {
    let s: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = &s[digits.len()..];
    if digits.len() < 2 || digits.len() > 4 || rest.len() > 1 {
        return None;
    }
    if !rest.is_empty() && digits.len() != 4 {
        return None;
    }
    let mut out = digits[..2].to_string();
    if digits.len() > 2 {
        out.push('.');
        out.push_str(&digits[2..]);
    }
    out.push_str(rest);
    Some(out)
}

/// Level of a canonical NAF code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NafLevel {
    /// `A`–`U`.
    Section,
    /// `62`.
    Division,
    /// `62.0`.
    Group,
    /// `62.01`.
    Class,
    /// `62.01Z`.
    SousClasse,
}

impl NafLevel {
    /// The level of a canonical code (as produced by [`canonical`]) or a section letter.
    pub fn of(code: &str) -> Option<NafLevel> {
        match code.len() {
            1 if code.chars().all(|c| c.is_ascii_uppercase()) => Some(NafLevel::Section),
            2 => Some(NafLevel::Division),
            4 => Some(NafLevel::Group),
            5 => Some(NafLevel::Class),
            6 => Some(NafLevel::SousClasse),
            _ => None,
        }
    }

    /// Name used in the `naf.tsv` asset.
    pub fn as_str(self) -> &'static str {
        match self {
            NafLevel::Section => "section",
            NafLevel::Division => "division",
            NafLevel::Group => "groupe",
            NafLevel::Class => "classe",
            NafLevel::SousClasse => "sous-classe",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical("6201Z").as_deref(), Some("62.01Z"));
        assert_eq!(canonical("62.01z").as_deref(), Some("62.01Z"));
        assert_eq!(canonical("62").as_deref(), Some("62"));
        assert_eq!(canonical("620").as_deref(), Some("62.0"));
        assert_eq!(canonical("62Z"), None);
        assert_eq!(canonical("X"), None);
    }

    #[test]
    fn section_ranges() {
        assert_eq!(section_of_division(1), Some('A'));
        assert_eq!(section_of_division(4), None);
        assert_eq!(section_of_division(33), Some('C'));
        assert_eq!(section_of_division(62), Some('J'));
        assert_eq!(section_of_division(99), Some('U'));
        let total: u32 = SECTIONS.iter().map(|s| u32::from(s.2 - s.1 + 1)).sum();
        // NAF rév. 2 has 88 divisions and the ranges leave no gap inside a section.
        assert_eq!(total, 88);
    }
}
