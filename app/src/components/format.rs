//! French formatting of figures and links that keep the current filters.

use leptos_router::params::ParamsMap;

/// `0.4237` → `42 %`; absent → `—`.
pub fn pct(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{:.0} %", x * 100.0),
        None => "—".to_string(),
    }
}

/// A count, or "< 5" when it is not diffusible (fewer than 5 people).
pub fn count(v: Option<i64>) -> String {
    match v {
        Some(n) => n.to_string(),
        None => "< 5".to_string(),
    }
}

/// Score on 100, or "non calculable".
pub fn score(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{x:.0}"),
        None => "n.c.".to_string(),
    }
}

/// The query string of `params` with `key` set to `value` (or removed when
/// `None`), always starting with `?`. Keys are kept in a stable order.
pub fn query_with(params: &ParamsMap, changes: &[(&str, Option<&str>)]) -> String {
    let mut pairs: Vec<(String, String)> = params
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .collect();
    for (k, v) in changes {
        if let Some(v) = v {
            pairs.push((k.to_string(), v.to_string()));
        }
    }
    pairs.sort();
    let body: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("?{}", body.join("&"))
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_and_absent_values_show_a_dash() {
        assert_eq!(pct(Some(0.4237)), "42 %");
        assert_eq!(pct(Some(1.0)), "100 %");
        assert_eq!(pct(None), "—");
        assert_eq!(score(Some(71.6)), "72");
        assert_eq!(score(None), "n.c.");
    }

    #[test]
    fn query_keeps_filters_and_replaces_keys() {
        let mut p = ParamsMap::new();
        p.insert("section", "Q".to_string());
        p.insert("etab", "1".to_string());
        assert_eq!(
            query_with(&p, &[("etab", Some("12345678900012"))]),
            "?etab=12345678900012&section=Q"
        );
        assert_eq!(query_with(&p, &[("etab", None)]), "?section=Q");
        assert_eq!(
            query_with(&p, &[("bassin", Some("a b"))]),
            "?bassin=a%20b&etab=1&section=Q"
        );
    }
}
