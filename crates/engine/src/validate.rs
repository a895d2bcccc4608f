//! Validation helpers for `ancrage validate --truth truth.csv`.

use serde::{Deserialize, Serialize};

use crate::indicators::EstablishmentIndicators;
use crate::score::{score_all, ScoreConfig, DIMENSIONS};

/// Area under the ROC curve of scores separating positives from negatives
/// (Mann–Whitney: share of (positive, negative) pairs ranked the right way,
/// ties counting one half). `NaN` when either side is empty.
pub fn auc(scores_pos: &[f64], scores_neg: &[f64]) -> f64 {
    if scores_pos.is_empty() || scores_neg.is_empty() {
        return f64::NAN;
    }
    let mut neg = scores_neg.to_vec();
    neg.sort_by(f64::total_cmp);
    let mut wins = 0.0;
    for &p in scores_pos {
        let below = neg.partition_point(|x| *x < p);
        let upto = neg.partition_point(|x| *x <= p);
        wins += below as f64 + 0.5 * (upto - below) as f64;
    }
    wins / (scores_pos.len() as f64 * neg.len() as f64)
}

/// Ranks 1..n with ties given their average rank.
pub fn average_ranks(xs: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.sort_by(|a, b| xs[*a].total_cmp(&xs[*b]));
    let mut ranks = vec![0.0; xs.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && xs[idx[j + 1]] == xs[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for k in &idx[i..=j] {
            ranks[*k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// Spearman's rank correlation (Pearson on average ranks). `NaN` when the
/// lengths differ, fewer than 2 pairs, or a constant side.
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() || a.len() < 2 {
        return f64::NAN;
    }
    let (ra, rb) = (average_ranks(a), average_ranks(b));
    let n = a.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(&rb) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    if saa == 0.0 || sbb == 0.0 {
        return f64::NAN;
    }
    sab / (saa * sbb).sqrt()
}

/// Band changes when one weight moves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightPerturbation {
    /// `dimension:ouverture` or `component:young`.
    pub weight: String,
    /// 0.8 or 1.2.
    pub factor: f64,
    /// Share of the included establishments whose band changed.
    pub changed_share: f64,
}

/// Rank stability under ±20 % weight changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightStability {
    /// Establishments included (calculable with at least `min_hires` hires).
    pub n: usize,
    pub perturbations: Vec<WeightPerturbation>,
    /// Mean and max of `changed_share` over the perturbations.
    pub mean: f64,
    pub max: f64,
}

/// Share of establishments changing band when each weight (the three
/// dimension weights and every positive component weight) is multiplied by
/// 0.8 and by 1.2, one at a time. Included: calculable establishments with
/// at least `min_hires` person-level hires under the base configuration.
pub fn weight_stability(
    indicators: &[EstablishmentIndicators],
    cfg: &ScoreConfig,
    min_hires: u32,
) -> WeightStability {
    let base = score_all(indicators.to_vec(), cfg);
    let included: Vec<usize> = base
        .iter()
        .enumerate()
        .filter(|(_, s)| s.calculable && s.indicators.hires >= min_hires)
        .map(|(i, _)| i)
        .collect();
    let mut perturbations = Vec::new();
    let mut variants: Vec<(String, ScoreConfig, f64)> = Vec::new();
    for factor in [0.8, 1.2] {
        for d in DIMENSIONS {
            let mut c = cfg.clone();
            if let Some(w) = c.dimensions.get_mut(d) {
                *w *= factor;
            }
            variants.push((format!("dimension:{d}"), c, factor));
        }
        for (k, comp) in cfg.components.iter().enumerate() {
            if comp.weight > 0.0 {
                let mut c = cfg.clone();
                c.components[k].weight *= factor;
                variants.push((format!("component:{}", comp.key), c, factor));
            }
        }
    }
    for (name, c, factor) in variants {
        let scored = score_all(indicators.to_vec(), &c);
        let changed = included
            .iter()
            .filter(|i| scored[**i].band != base[**i].band)
            .count();
        perturbations.push(WeightPerturbation {
            weight: name,
            factor,
            changed_share: if included.is_empty() {
                0.0
            } else {
                changed as f64 / included.len() as f64
            },
        });
    }
    let shares: Vec<f64> = perturbations.iter().map(|p| p.changed_share).collect();
    WeightStability {
        n: included.len(),
        mean: if shares.is_empty() {
            0.0
        } else {
            shares.iter().sum::<f64>() / shares.len() as f64
        },
        max: shares.iter().copied().fold(0.0, f64::max),
        perturbations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_by_hand() {
        // Pairs (p, n): (3,1) win, (3,2) win, (1,1) tie ½, (1,2) loss → 2.5/4.
        assert_eq!(auc(&[3.0, 1.0], &[1.0, 2.0]), 0.625);
        assert_eq!(auc(&[5.0, 6.0], &[1.0, 2.0]), 1.0);
        assert_eq!(auc(&[1.0], &[2.0]), 0.0);
        assert!(auc(&[], &[1.0]).is_nan());
    }

    #[test]
    fn spearman_by_hand() {
        assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        // Ranks a = 1,2,3,4; b = 2,1,4,3: d² = 1+1+1+1 = 4; ρ = 1 − 6·4/(4·15) = 0.6.
        assert!((spearman(&[1.0, 2.0, 3.0, 4.0], &[2.0, 1.0, 4.0, 3.0]) - 0.6).abs() < 1e-12);
        assert_eq!(average_ranks(&[5.0, 1.0, 5.0]), vec![2.5, 1.0, 2.5]);
        assert!(spearman(&[1.0, 1.0], &[1.0, 2.0]).is_nan());
    }

    #[test]
    fn weight_stability_by_hand() {
        // The four firms of score::tests::positions_and_score_by_hand: scores
        // 20 + 0.6·q for q = 12.5, 37.5, 62.5, 87.5 → 27.5, 42.5, 57.5, 72.5.
        // With en_progres_score = 42, firm b (42.5) sits just above a threshold.
        // Ouverture × 0.8: (0.32·50 + 0.3·37.5 + 0.3·37.5)/0.92 = 38.5/0.92 =
        // 41.85 < 42 → b drops to peu engagée. Every other move leaves all bands
        // (ouverture × 1.2: 43.06; qualité or durabilité × 0.8: 42.82, × 1.2:
        // 42.22; component weights: each dimension has a single distinct
        // component or all-equal positions). So 1 of 36 perturbations
        // (2 factors × (3 dimensions + 15 components)) changes 1 firm of 4.
        let firm = |s: &str, cdi: u32| EstablishmentIndicators {
            siret: s.into(),
            naf: Some("5610A".into()),
            headcount: 12,
            hires: 10,
            hires_cdi: cdi,
            hires_cdd: 10 - cdi,
            hires_cdd_month: 10 - cdi,
            ..Default::default()
        };
        let inds = vec![firm("a", 1), firm("b", 3), firm("c", 5), firm("d", 7)];
        let mut cfg = ScoreConfig::default();
        cfg.bands.en_progres_score = 42.0;
        let ws = weight_stability(&inds, &cfg, 10);
        assert_eq!(ws.n, 4);
        assert_eq!(ws.perturbations.len(), 36);
        assert_eq!(ws.max, 0.25);
        assert!((ws.mean - 0.25 / 36.0).abs() < 1e-12);
        let moved: Vec<_> = ws
            .perturbations
            .iter()
            .filter(|p| p.changed_share > 0.0)
            .map(|p| (p.weight.as_str(), p.factor))
            .collect();
        assert_eq!(moved, vec![("dimension:ouverture", 0.8)]);
        // Nobody included with a 20-hire minimum.
        assert_eq!(weight_stability(&inds, &cfg, 20).n, 0);
    }
}
