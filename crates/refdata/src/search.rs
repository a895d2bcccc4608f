//! Finding a basin from what a counselor types: a basin name or code, a
//! commune name, an INSEE code or a postcode.

use crate::normalize::tokens;
use crate::{Grid, Refdata};

/// One suggestion: the basin to filter on and the text to show.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceMatch {
    pub basin: String,
    pub basin_label: String,
    /// What matched, in French (`Villeurbanne (69266)`, or the basin itself).
    pub text: String,
}

struct Entry {
    /// Folded words of the name (`SAINT`, `ETIENNE`).
    words: Vec<String>,
    /// Codes that match exactly (INSEE code, postcodes, basin code).
    codes: Vec<String>,
    basin: String,
    /// What the suggestion shows.
    text: String,
    /// Larger first among equal matches (population; basins first).
    weight: u64,
}

/// An in-memory index of the basins of one grid and of the communes in them.
pub struct PlaceSearch {
    entries: Vec<Entry>,
    labels: std::collections::BTreeMap<String, String>,
}

impl PlaceSearch {
    pub fn new(refdata: &Refdata, grid: &Grid) -> Self {
        let mut entries: Vec<Entry> = grid
            .units
            .iter()
            .map(|(code, label)| Entry {
                words: tokens(label),
                codes: vec![code.to_ascii_uppercase()],
                basin: code.clone(),
                text: format!("Bassin {label} ({code})"),
                weight: u64::MAX,
            })
            .collect();
        for c in refdata.communes() {
            let Some(basin) = refdata.basin_of(&c.code, grid) else {
                continue;
            };
            let mut codes = vec![c.code.clone()];
            codes.extend(c.postcodes.iter().cloned());
            entries.push(Entry {
                words: tokens(&c.name),
                codes,
                basin: basin.to_string(),
                text: format!("{} ({})", c.name, c.code),
                weight: c.population,
            });
        }
        Self {
            entries,
            labels: grid.units.clone(),
        }
    }

    /// Up to `limit` suggestions for `query`: an exact code, or every word of
    /// the query starting a word of the name, in order (`st eti` finds
    /// Saint-Étienne). Basins come before communes, then larger communes.
    pub fn search(&self, query: &str, limit: usize) -> Vec<PlaceMatch> {
        let q = tokens(query);
        if q.is_empty() {
            return Vec::new();
        }
        let code = query.trim().to_ascii_uppercase();
        let mut hits: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.codes.contains(&code) || words_match(&q, &e.words))
            .collect();
        hits.sort_by(|a, b| b.weight.cmp(&a.weight).then_with(|| a.text.cmp(&b.text)));
        hits.into_iter()
            .take(limit)
            .map(|e| PlaceMatch {
                basin: e.basin.clone(),
                basin_label: self.labels.get(&e.basin).cloned().unwrap_or_default(),
                text: e.text.clone(),
            })
            .collect()
    }
}

/// Each query word is a prefix of a distinct name word, in the same order
/// (the last query word may be partial; the others too, which forgives typing).
fn words_match(query: &[String], words: &[String]) -> bool {
    let mut from = 0;
    for q in query {
        match words[from..].iter().position(|w| w.starts_with(q.as_str())) {
            Some(i) => from += i + 1,
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        tokens(s)
    }

    #[test]
    fn words_match_in_order_and_by_prefix() {
        let name = w("Saint-Étienne-de-Tinée");
        assert!(words_match(&w("st eti"), &name));
        assert!(words_match(&w("saint étienne"), &name));
        assert!(words_match(&w("tinee"), &name));
        assert!(!words_match(&w("etienne saint"), &name));
        assert!(!words_match(&w("lyon"), &name));
    }
}
