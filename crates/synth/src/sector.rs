//! Sector priors (by NAF section, with a few sous-classe overrides), from
//! `docs/synth.md` §Calibration (sources in the team's refdata note §5).

/// Behaviour of a sector before establishment traits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SectorParams {
    /// Share of women among hires and staff.
    pub women: f64,
    /// Work accidents with time off per 1 000 employee-years.
    pub accidents: f64,
    /// Share of core (non-short) hires made on CDI.
    pub cdi_base: f64,
    /// Multiplier on the short-CDD rate.
    pub short_factor: f64,
    /// Share of single-day contracts among short CDDs.
    pub one_day: f64,
    /// Median length (days) of core CDDs beyond the first month.
    pub long_cdd_median: f64,
    /// Multiplier on interim missions used at this site.
    pub interim_factor: f64,
    /// Seasonal sector (summer peak).
    pub seasonal: bool,
    /// Conventional status mostly ouvrier (07) rather than employé (06).
    pub blue_collar: bool,
    /// Multiplier on the drawn establishment size (hospitals are big,
    /// hairdressers small).
    pub size_factor: f64,
}

/// Parameters for a NAF sous-classe.
pub fn sector_params(naf: &str) -> SectorParams {
    let section = crate::territory::naf_section(naf);
    let mut p = SectorParams {
        women: 0.5,
        accidents: 20.0,
        cdi_base: 0.5,
        short_factor: 1.0,
        one_day: 0.28,
        long_cdd_median: 170.0,
        interim_factor: 0.4,
        seasonal: false,
        blue_collar: false,
        size_factor: 1.0,
    };
    match section {
        'A' => {
            p.women = 0.30;
            p.accidents = 35.0;
            p.short_factor = 1.2;
            p.seasonal = true;
            p.blue_collar = true;
        }
        'B' | 'C' | 'D' | 'E' => {
            p.women = if section == 'C' { 0.28 } else { 0.25 };
            p.accidents = if section == 'E' { 45.0 } else { 32.0 };
            p.cdi_base = 0.62;
            p.short_factor = 0.22;
            p.one_day = 0.22;
            p.interim_factor = 2.2;
            p.blue_collar = true;
            p.size_factor = 1.6;
        }
        'F' => {
            p.women = 0.11;
            p.accidents = 55.0;
            p.cdi_base = 0.68;
            p.short_factor = 0.16;
            p.one_day = 0.20;
            p.interim_factor = 2.6;
            p.blue_collar = true;
            p.size_factor = 0.6;
        }
        'G' => {
            p.women = 0.47;
            p.accidents = 25.0;
            p.short_factor = 0.9;
            p.interim_factor = 0.6;
        }
        'H' => {
            p.women = 0.25;
            p.accidents = 40.0;
            p.cdi_base = 0.6;
            p.short_factor = 0.5;
            p.interim_factor = 2.0;
            p.blue_collar = true;
        }
        'I' => {
            p.women = 0.50;
            p.accidents = 35.0;
            p.cdi_base = 0.40;
            p.short_factor = 2.6;
            p.one_day = 0.36;
            p.seasonal = true;
        }
        'J' => {
            p.women = 0.33;
            p.accidents = 6.0;
            p.cdi_base = 0.75;
            p.short_factor = 0.25;
        }
        'K' => {
            p.women = 0.57;
            p.accidents = 5.0;
            p.cdi_base = 0.72;
            p.short_factor = 0.25;
        }
        'L' => {
            p.women = 0.55;
            p.accidents = 10.0;
            p.cdi_base = 0.62;
            p.short_factor = 0.3;
        }
        'M' => {
            p.women = 0.50;
            p.accidents = 7.0;
            p.cdi_base = 0.66;
            p.short_factor = 0.3;
        }
        'N' => {
            p.women = 0.42;
            p.accidents = 50.0;
            p.short_factor = 1.2;
            p.interim_factor = 0.3;
            p.blue_collar = true;
        }
        'O' => {
            p.women = 0.55;
            p.accidents = 20.0;
        }
        'P' => {
            p.women = 0.70;
            p.accidents = 15.0;
            p.short_factor = 1.6;
        }
        'Q' => {
            p.women = 0.78;
            p.accidents = 75.0;
            p.size_factor = 1.6;
            p.cdi_base = 0.45;
            p.short_factor = 1.7;
            p.one_day = 0.36;
        }
        'R' => {
            p.women = 0.45;
            p.accidents = 25.0;
            p.cdi_base = 0.35;
            p.short_factor = 2.6;
            p.one_day = 0.40;
            p.seasonal = true;
        }
        'S' => {
            p.women = 0.62;
            p.accidents = 20.0;
            p.short_factor = 0.8;
            p.size_factor = 0.6;
        }
        'T' => {
            p.women = 0.90;
            p.accidents = 20.0;
        }
        _ => {}
    }
    match naf {
        // Residential care and home help: the highest accident frequency and
        // the most very short CDDs.
        "8710A" | "8810A" => {
            p.accidents = 95.0;
            p.short_factor = 3.0;
            p.one_day = 0.40;
        }
        "8621Z" | "7500Z" => {
            p.accidents = 12.0;
            p.short_factor = 0.5;
        }
        // Audiovisual and live performance: "CDD d'usage", very short.
        "5911A" | "9001Z" => {
            p.short_factor = 6.0;
            p.one_day = 0.50;
            p.accidents = 20.0;
        }
        "7820Z" | "7830Z" => {
            p.short_factor = 0.3;
            p.interim_factor = 0.0;
        }
        "8610Z" => {
            p.size_factor = 6.0;
        }
        "4711F" => {
            p.size_factor = 6.0;
        }
        "4711D" => {
            p.size_factor = 2.5;
        }
        "4773Z" => {
            p.women = 0.80;
            p.accidents = 8.0;
        }
        "9602A" => {
            p.women = 0.66;
            p.accidents = 10.0;
        }
        "8121Z" => {
            p.women = 0.60;
        }
        "8130Z" | "8010Z" => {
            p.women = 0.25;
        }
        _ => {}
    }
    p
}

/// PCS-ESE code and job label for a hire, by section and status.
pub fn job(naf: &str, blue_collar: bool, cadre: bool) -> (&'static str, &'static str) {
    let section = crate::territory::naf_section(naf);
    if cadre {
        return match section {
            'J' => ("388a", "Ingénieur informaticien"),
            'Q' => ("344a", "Médecin"),
            _ => ("375a", "Cadre commercial"),
        };
    }
    match (section, blue_collar) {
        ('F', _) => ("624a", "Maçon qualifié"),
        ('C', _) => ("673c", "Ouvrier de production"),
        ('H', _) => ("641a", "Conducteur routier"),
        ('A', _) => ("691b", "Ouvrier agricole"),
        ('I', _) => ("561d", "Serveur de restaurant"),
        ('G', _) => ("554a", "Vendeur"),
        ('Q', _) => ("526a", "Aide-soignant"),
        ('P', _) => ("422d", "Formateur"),
        ('S', _) => ("562a", "Employé des services à la personne"),
        ('N', _) => ("684a", "Agent de nettoyage"),
        ('R', _) => ("465c", "Animateur"),
        ('K' | 'L' | 'M' | 'J', _) => ("543d", "Employé administratif"),
        (_, true) => ("676a", "Manutentionnaire"),
        _ => ("546a", "Employé"),
    }
}
