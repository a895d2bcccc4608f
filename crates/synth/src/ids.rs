//! Identifiers: Luhn-valid SIREN/SIRET and obviously synthetic NIR/NTT.

/// Luhn check digit for `body` (digits only, without the check digit).
pub fn luhn_check_digit(body: &str) -> u8 {
    let mut sum = 0u32;
    // The check digit will sit at the rightmost position (not doubled), so the
    // rightmost body digit is doubled.
    for (i, c) in body.bytes().rev().enumerate() {
        let mut d = (c - b'0') as u32;
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    ((10 - sum % 10) % 10) as u8
}

/// True when `s` is all digits and passes the Luhn check.
pub fn luhn_valid(s: &str) -> bool {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let mut sum = 0u32;
    for (i, c) in s.bytes().rev().enumerate() {
        let mut d = (c - b'0') as u32;
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// A Luhn-valid SIREN from an 8-digit body (taken modulo 10^8; never all zeros).
pub fn make_siren(body: u32) -> String {
    let body = format!("{:08}", (body % 100_000_000).max(1));
    let c = luhn_check_digit(&body);
    format!("{body}{c}")
}

/// A Luhn-valid SIRET: `siren` + a NIC whose first four digits come from
/// `nic_body` (1..=9999) and whose fifth digit makes the 14 digits Luhn-valid.
pub fn make_siret(siren: &str, nic_body: u32) -> String {
    let body = format!("{siren}{:04}", (nic_body % 10_000).max(1));
    let c = luhn_check_digit(&body);
    format!("{body}{c}")
}

/// Codes used in the month field of synthetic NIRs: 20 and 30–42 are the
/// "fictitious month" values of the NIR (person whose birth month is unknown).
const NIR_MONTHS: [u8; 14] = [20, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42];

/// Slots per month code: commune 001–999 × order 001–999.
const NIR_SLOTS: u64 = 999 * 999;

/// Largest number of distinct synthetic NIRs.
pub const NIR_CAPACITY: u64 = NIR_SLOTS * NIR_MONTHS.len() as u64;

/// An obviously synthetic NIR (13 characters, no key) for person number `n`
/// (unique for `n < NIR_CAPACITY`).
///
/// Rule: `S YY MM 96 CCC OOO` with S the sex (1/2), YY the birth year, MM a
/// *fictitious* month code (20, 30–42) and the department **96**, a code no
/// longer assigned; CCC and OOO (001–999) enumerate persons. The value
/// matches the norm's `Identifiant_Nir_13` pattern but no real NIR combines a
/// fictitious month with department 96.
pub fn fake_nir(female: bool, birth_year: i32, n: u64) -> String {
    let n = n % NIR_CAPACITY;
    let month = NIR_MONTHS[(n / NIR_SLOTS) as usize];
    let rest = n % NIR_SLOTS;
    let commune = 1 + rest / 999;
    let order = 1 + rest % 999;
    let sex = if female { 2 } else { 1 };
    format!(
        "{sex}{:02}{month:02}96{commune:03}{order:03}",
        birth_year.rem_euclid(100)
    )
}

/// True when `nir` follows the synthetic rule of [`fake_nir`].
pub fn is_synthetic_nir(nir: &str) -> bool {
    let b = nir.as_bytes();
    nir.len() == 13
        && b.iter().all(u8::is_ascii_digit)
        && (b[0] == b'1' || b[0] == b'2')
        && NIR_MONTHS
            .iter()
            .any(|m| format!("{m:02}").as_bytes() == &b[3..5])
        && &b[5..7] == b"96"
        && &b[7..10] != b"000"
        && &b[10..13] != b"000"
}

/// A temporary technical identifier (NTT, S21.G00.30.020): sex digit, the
/// employer SIREN (positions 2–10, as the norm requires), then `T` and the
/// person number.
pub fn ntt(female: bool, siren: &str, n: u64) -> String {
    let sex = if female { 2 } else { 1 };
    format!("{sex}{siren}T{n:08}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_known_values() {
        // Published examples: SIREN 732 829 320 and 552 100 554 are Luhn-valid.
        assert!(luhn_valid("732829320"));
        assert!(luhn_valid("552100554"));
        assert!(!luhn_valid("732829321"));
        assert_eq!(luhn_check_digit("73282932"), 0);
        assert_eq!(luhn_check_digit("55210055"), 4);
        // 79927398713 is the textbook Luhn example.
        assert!(luhn_valid("79927398713"));
        assert_eq!(luhn_check_digit("7992739871"), 3);
    }

    #[test]
    fn made_identifiers_are_valid() {
        for i in 0..2000u32 {
            let siren = make_siren(i.wrapping_mul(2_654_435_761));
            assert_eq!(siren.len(), 9);
            assert!(luhn_valid(&siren), "{siren}");
            for nic in [1, 2, 17, 9999] {
                let siret = make_siret(&siren, nic);
                assert_eq!(siret.len(), 14);
                assert!(luhn_valid(&siret), "{siret}");
                assert!(siret.starts_with(&siren));
            }
        }
    }

    #[test]
    fn nir_rule() {
        let a = fake_nir(true, 1985, 0);
        assert_eq!(a, "2852096001001");
        assert!(is_synthetic_nir(&a));
        let b = fake_nir(false, 2003, 999 * 999 + 1000);
        assert_eq!(b, "1033096002002");
        assert!(is_synthetic_nir(&b));
        assert!(!is_synthetic_nir("1850375123456"));
        let mut seen = std::collections::HashSet::new();
        for n in (0..NIR_CAPACITY).step_by(9973) {
            assert!(seen.insert(fake_nir(true, 1990, n)));
        }
        assert_eq!(ntt(false, "732829320", 42), "1732829320T00000042");
    }
}
