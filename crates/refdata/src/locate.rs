//! Postcode + town name → INSEE commune.

use crate::normalize::keys;
use crate::{Alias, Commune};
use std::collections::{BTreeSet, HashMap};

/// How a commune was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LocateMethod {
    /// From the workplace commune code (S21.G00.85.011), followed to the current commune.
    WorkplaceCommune,
    /// The town name matches one commune (or a part of one) that has this postcode.
    PostcodeName,
    /// The town name is the beginning of exactly one commune name among those with this
    /// postcode: a truncation of at least 8 letters (`ST GERMAIN EN LA`), or its first
    /// words (`OISSEL` for `Oissel-sur-Seine`, a commune renamed since).
    PostcodeNamePrefix,
    /// The town name is one letter away (insertion, deletion, substitution) from exactly
    /// one commune name among those with this postcode, and has at least 6 letters
    /// (`WALDIGHOFEN` for `Waldighoffen`).
    PostcodeNameFuzzy,
    /// The postcode is not an ordinary one (CEDEX) or does not match, but the name matches
    /// exactly one commune of the département that the postcode points to.
    DepartementName,
}

/// A located establishment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Located {
    /// Current INSEE commune code.
    pub commune: String,
    /// How it was found.
    pub method: LocateMethod,
}

/// Why an establishment could not be located.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LocateReason {
    /// No postcode and no town name.
    Empty,
    /// The postcode is not five characters of digits.
    BadPostcode {
        /// As given.
        postcode: String,
    },
    /// No commune of that postcode (nor of its département) has that name.
    NameNotFound {
        /// As given.
        postcode: String,
        /// As given.
        town: String,
        /// Names of the communes having that postcode (empty for an unknown postcode).
        postcode_communes: Vec<String>,
    },
    /// Several communes match.
    Ambiguous {
        /// As given.
        postcode: String,
        /// As given.
        town: String,
        /// The matching commune codes.
        candidates: Vec<String>,
    },
    /// The workplace commune code is unknown, and the address did not resolve either.
    UnknownWorkplaceCommune {
        /// As given.
        code: String,
        /// Why the address did not resolve.
        address: Box<LocateReason>,
    },
}

/// Failure of [`crate::Refdata::locate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{}", describe(&self.reason))]
pub struct LocateError {
    /// Why.
    pub reason: LocateReason,
}

fn describe(r: &LocateReason) -> String {
    match r {
        LocateReason::Empty => "no postcode and no town".into(),
        LocateReason::BadPostcode { postcode } => format!("invalid postcode {postcode:?}"),
        LocateReason::NameNotFound {
            postcode,
            town,
            postcode_communes,
        } if postcode_communes.is_empty() => {
            format!(
                "unknown postcode {postcode:?} and no commune named {town:?} in its département"
            )
        }
        LocateReason::NameNotFound {
            postcode,
            town,
            postcode_communes,
        } => format!(
            "no commune named {town:?} with postcode {postcode} (it serves: {})",
            postcode_communes.join(", ")
        ),
        LocateReason::Ambiguous {
            postcode,
            town,
            candidates,
        } => format!(
            "{postcode} {town:?} is ambiguous: {}",
            candidates.join(", ")
        ),
        LocateReason::UnknownWorkplaceCommune { code, address } => {
            format!(
                "unknown workplace commune {code:?}; address: {}",
                describe(address)
            )
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    full: String,
    bare: String,
    /// Words without a leading article, separated by single spaces.
    words: String,
    commune: u32,
}

/// Index of names by postcode and by département prefix of the postcode.
#[derive(Debug, Clone, Default)]
pub(crate) struct Locator {
    codes: Vec<String>,
    names: Vec<String>,
    by_postcode: HashMap<String, Vec<Entry>>,
    by_dep: HashMap<String, Vec<Entry>>,
}

/// The département prefix of a postcode or of a département code: 2 digits, 3 for the DROM;
/// Corsica (`2A`, `2B`) is `20` like its postcodes.
fn dep_prefix(s: &str) -> String {
    if s.starts_with("97") || s.starts_with("98") {
        s.chars().take(3).collect()
    } else if s.starts_with("2A") || s.starts_with("2B") {
        "20".into()
    } else {
        s.chars().take(2).collect()
    }
}

/// The words of a name without a leading article, as in [`keys`].
fn bare_words(name: &str) -> String {
    let t = crate::normalize::name_tokens(name);
    let skip = usize::from(t.len() > 1 && crate::normalize::is_article(&t[0]));
    t[skip..].join(" ")
}

/// Whether two strings are at most one edit (insertion, deletion, substitution) apart.
fn one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if b.len() - a.len() > 1 {
        return false;
    }
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if p == a.len() {
        return true;
    }
    if a.len() == b.len() {
        a[p + 1..] == b[p + 1..]
    } else {
        a[p..] == b[p + 1..]
    }
}

impl Locator {
    pub(crate) fn new(communes: &[Commune], aliases: &[Alias]) -> Locator {
        let mut loc = Locator::default();
        let mut idx: HashMap<&str, u32> = HashMap::new();
        for (i, c) in communes.iter().enumerate() {
            idx.insert(&c.code, i as u32);
            loc.codes.push(c.code.clone());
            loc.names.push(c.name.clone());
        }
        let mut add = |name: &str, i: u32| {
            let c = &communes[i as usize];
            let (full, bare) = keys(name);
            let e = Entry {
                full,
                bare,
                words: bare_words(name),
                commune: i,
            };
            let mut deps: BTreeSet<String> = BTreeSet::new();
            deps.insert(dep_prefix(&c.dep));
            for pc in &c.postcodes {
                loc.by_postcode
                    .entry(pc.clone())
                    .or_default()
                    .push(e.clone());
                deps.insert(dep_prefix(pc));
            }
            for d in deps {
                loc.by_dep.entry(d).or_default().push(e.clone());
            }
        };
        for (i, c) in communes.iter().enumerate() {
            add(&c.name, i as u32);
        }
        for a in aliases {
            if let Some(&i) = idx.get(a.parent.as_str()) {
                add(&a.name, i);
            }
        }
        loc
    }

    /// Distinct communes of the entries satisfying `pred`.
    fn matching(entries: &[Entry], pred: impl Fn(&Entry) -> bool) -> BTreeSet<u32> {
        entries
            .iter()
            .filter(|e| pred(e))
            .map(|e| e.commune)
            .collect()
    }

    fn by_name(entries: &[Entry], full: &str, bare: &str) -> BTreeSet<u32> {
        let m = Self::matching(entries, |e| e.full == full);
        if !m.is_empty() {
            return m;
        }
        Self::matching(entries, |e| e.bare == bare || e.full == bare)
    }

    pub(crate) fn locate(&self, postcode: &str, town: &str) -> Result<super::Located, LocateError> {
        let pc: String = postcode.chars().filter(|c| !c.is_whitespace()).collect();
        let town_t = town.trim();
        let err = |reason| Err(LocateError { reason });
        if pc.is_empty() && town_t.is_empty() {
            return err(LocateReason::Empty);
        }
        if pc.len() != 5 || !pc.chars().all(|c| c.is_ascii_digit()) {
            return err(LocateReason::BadPostcode {
                postcode: postcode.to_string(),
            });
        }
        let (full, bare) = keys(town_t);
        let found = |set: BTreeSet<u32>, method| -> Option<Result<super::Located, LocateError>> {
            match set.len() {
                0 => None,
                1 => Some(Ok(super::Located {
                    commune: self.codes[*set.iter().next().expect("one") as usize].clone(),
                    method,
                })),
                _ => Some(Err(LocateError {
                    reason: LocateReason::Ambiguous {
                        postcode: pc.clone(),
                        town: town.to_string(),
                        candidates: set
                            .iter()
                            .map(|&i| self.codes[i as usize].clone())
                            .collect(),
                    },
                })),
            }
        };
        let empty = Vec::new();
        let in_pc = self.by_postcode.get(&pc).unwrap_or(&empty);
        if !full.is_empty() {
            if let Some(r) = found(
                Self::by_name(in_pc, &full, &bare),
                LocateMethod::PostcodeName,
            ) {
                return r;
            }
            let words = bare_words(town_t);
            let first_words = format!("{words} ");
            let meaningful = bare.len() >= 4
                && !matches!(words.as_str(), "SAINT" | "SAINTE" | "SAINTS" | "SAINTES");
            let m = Self::matching(in_pc, |e| {
                (full.len() >= 8 && (e.full.starts_with(&full) || e.bare.starts_with(&bare)))
                    || (meaningful && e.words.starts_with(&first_words))
            });
            if let Some(r) = found(m, LocateMethod::PostcodeNamePrefix) {
                return r;
            }
            if let Some(in_dep) = self.by_dep.get(&dep_prefix(&pc)) {
                if let Some(r) = found(
                    Self::by_name(in_dep, &full, &bare),
                    LocateMethod::DepartementName,
                ) {
                    return r;
                }
            }
            if bare.len() >= 6 {
                let m = Self::matching(in_pc, |e| one_edit(&e.bare, &bare));
                if let Some(r) = found(m, LocateMethod::PostcodeNameFuzzy) {
                    return r;
                }
            }
        }
        let names: BTreeSet<&str> = in_pc
            .iter()
            .map(|e| self.names[e.commune as usize].as_str())
            .collect();
        err(LocateReason::NameNotFound {
            postcode: pc.clone(),
            town: town.to_string(),
            postcode_communes: names.into_iter().map(str::to_string).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_distance() {
        assert!(one_edit("WALDIGHOFEN", "WALDIGHOFFEN"));
        assert!(one_edit("ETAUX", "ETEAUX"));
        assert!(one_edit("DOLAISON", "DOLAIZON"));
        assert!(one_edit("ABC", "ABC"));
        assert!(one_edit("ABC", "ABCD"));
        assert!(!one_edit("ABC", "ACBD"));
        assert!(!one_edit("SALERM", "SALHERN"));
    }

    #[test]
    fn dep_prefixes() {
        assert_eq!(dep_prefix("2A"), "20");
        assert_eq!(dep_prefix("20200"), "20");
        assert_eq!(dep_prefix("97411"), "974");
        assert_eq!(dep_prefix("01"), "01");
    }
}
