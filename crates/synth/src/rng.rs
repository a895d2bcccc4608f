//! Small deterministic random helpers on top of ChaCha (no extra crates).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub type SimRng = ChaCha8Rng;

/// SplitMix64 finaliser: mixes a seed with stream labels.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A ChaCha stream for `(seed, a, b)`.
pub fn stream(seed: u64, a: u64, b: u64) -> SimRng {
    SimRng::seed_from_u64(mix(mix(seed ^ mix(a)) ^ mix(b.wrapping_add(0x5151))))
}

/// Standard normal (Box–Muller).
pub fn normal<R: Rng>(r: &mut R) -> f64 {
    let u1: f64 = r.gen::<f64>().max(1e-300);
    let u2: f64 = r.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

pub fn lognormal<R: Rng>(r: &mut R, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(r)).exp()
}

/// Poisson draw (Knuth below 30, rounded normal above).
pub fn poisson<R: Rng>(r: &mut R, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 30.0 {
        let x = lambda + lambda.sqrt() * normal(r);
        return x.round().max(0.0) as u32;
    }
    let l = (-lambda).exp();
    let mut k = 0u32;
    let mut p = 1.0;
    loop {
        p *= r.gen::<f64>();
        if p <= l {
            return k;
        }
        k += 1;
    }
}

/// Standard normal CDF (Abramowitz–Stegun 7.1.26, error < 1.5e-7).
pub fn phi(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let y = 1.0
        - (((((1.061_405_429 * t - 1.453_152_027) * t) + 1.421_413_741) * t - 0.284_496_736) * t
            + 0.254_829_592)
            * t
            * (-z * z).exp();
    if x >= 0.0 {
        0.5 * (1.0 + y)
    } else {
        0.5 * (1.0 - y)
    }
}

/// Gumbel(0, 1) noise for soft-max choices.
pub fn gumbel<R: Rng>(r: &mut R) -> f64 {
    let u: f64 = r.gen::<f64>().clamp(1e-12, 1.0 - 1e-12);
    -(-u.ln()).ln()
}

/// Index drawn with probability proportional to `weights` (cumulative sums).
pub fn pick_cumulative<R: Rng>(r: &mut R, cumulative: &[f64]) -> usize {
    let total = *cumulative.last().unwrap_or(&0.0);
    let x = r.gen::<f64>() * total;
    cumulative
        .partition_point(|&c| c <= x)
        .min(cumulative.len() - 1)
}

pub fn cumulative(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .into_iter()
        .map(|w| {
            acc += w.max(0.0);
            acc
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phi_known_values() {
        assert!((phi(0.0) - 0.5).abs() < 1e-7);
        assert!((phi(1.959_964) - 0.975).abs() < 1e-5);
        assert!((phi(-1.0) - 0.158_655).abs() < 1e-5);
    }

    #[test]
    fn poisson_mean() {
        let mut r = stream(1, 2, 3);
        let n = 20_000;
        let s: u64 = (0..n).map(|_| poisson(&mut r, 3.0) as u64).sum();
        let mean = s as f64 / n as f64;
        assert!((mean - 3.0).abs() < 0.08, "{mean}");
    }
}
