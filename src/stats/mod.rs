//! Summary statistics of Monte Carlo outputs across iterations.
//!
//! This module owns everything that turns per-iteration values (already reduced
//! sequentially, in iteration order) into reported figures: moments, standard
//! errors, confidence intervals, percentiles, tail probabilities, CVaR, Spearman
//! rank correlations and iteration-count planning. All reductions are sequential
//! and sorting uses `f64::total_cmp`, so identical input order gives
//! bit-identical output.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Standard normal 0.975 quantile.
const Z975: f64 = 1.959_963_984_540_054;
/// From this many d.o.f. on, statrs' t inverse CDF loses accuracy (error ~7e-6 at 1e5,
/// 1.83 at 1e7, no answer within 60 s at 1e9), so a Cornish–Fisher expansion is used instead.
const T_EXPANSION_MIN_DOF: f64 = 2000.0;

/// 0.975 quantile of Student's t with `dof` degrees of freedom (dof ≥ 1).
fn t975(dof: f64) -> f64 {
    if dof >= T_EXPANSION_MIN_DOF {
        // Cornish–Fisher expansion in 1/dof; truncation error < 1e-13 here.
        let (z, v) = (Z975, dof);
        let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
        return z
            + (z3 + z) / (4.0 * v)
            + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
            + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v * v * v);
    }
    StudentsT::new(0.0, 1.0, dof)
        .map(|d| d.inverse_cdf(0.975))
        .ok()
        .filter(|t| t.is_finite())
        .unwrap_or(Z975)
}

/// Monte Carlo summary of one output across iterations. All fields in the unit of the output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of non-NaN iterations summarised.
    pub n: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Monte Carlo standard error of the mean: sd / sqrt(n) (0 when n < 2).
    pub se: f64,
    /// Sample standard deviation (n − 1 denominator; 0 when n < 2).
    pub sd: f64,
    /// Half-width of the 95 % confidence interval of the mean (Student t, n − 1 d.o.f., × se; 0 when n < 2).
    pub ci95_half_width: f64,
    /// 5th percentile (type 7).
    pub p5: f64,
    /// 10th percentile (type 7).
    pub p10: f64,
    /// 25th percentile (type 7).
    pub p25: f64,
    /// Median (type 7).
    pub p50: f64,
    /// 75th percentile (type 7).
    pub p75: f64,
    /// 90th percentile (type 7).
    pub p90: f64,
    /// 95th percentile (type 7).
    pub p95: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// Copies the non-NaN values and sorts them ascending with `f64::total_cmp`.
fn sorted_non_nan(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Summarises one output. NaN values are ignored and not counted; an empty (or
/// all-NaN) input gives `Summary::default()` (all zeros, n = 0). Infinite values
/// are kept, so moments may then be non-finite.
pub fn summarize(values: &[f64]) -> Summary {
    let clean: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    let n = clean.len();
    if n == 0 {
        return Summary::default();
    }
    let (mean, var) = mean_var(&clean);
    let (sd, se, ci) = if n < 2 {
        (0.0, 0.0, 0.0)
    } else {
        let sd = var.sqrt();
        let se = sd / (n as f64).sqrt();
        (sd, se, t975((n - 1) as f64) * se)
    };
    let mut sorted = clean;
    sorted.sort_by(f64::total_cmp);
    let q = |p: f64| quantile_sorted(&sorted, p);
    Summary {
        n,
        mean,
        se,
        sd,
        ci95_half_width: ci,
        p5: q(0.05),
        p10: q(0.10),
        p25: q(0.25),
        p50: q(0.50),
        p75: q(0.75),
        p90: q(0.90),
        p95: q(0.95),
        min: sorted[0],
        max: sorted[n - 1],
    }
}

/// Percentile with linear interpolation between order statistics (Hyndman–Fan
/// type 7, as numpy's default), q in [0, 1] (clamped); `sorted` ascending without NaN.
/// Returns NaN for an empty slice or a NaN `q`.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 || q.is_nan() {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = (h.floor() as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    let frac = h - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    if frac == 0.0 || a == b { a } else { a + frac * (b - a) }
}

/// Share of values strictly below `threshold` (e.g. P(NPV < 0)), with its binomial
/// standard error sqrt(p(1−p)/n). NaN values are ignored; no values gives (0, 0).
pub fn prob_below(values: &[f64], threshold: f64) -> (f64, f64) {
    let (mut n, mut below) = (0usize, 0usize);
    for &v in values.iter().filter(|v| !v.is_nan()) {
        n += 1;
        below += usize::from(v < threshold);
    }
    if n == 0 {
        return (0.0, 0.0);
    }
    let p = below as f64 / n as f64;
    (p, (p * (1.0 - p) / n as f64).sqrt())
}

/// Conditional value at risk of the lower tail: mean of the worst ⌈alpha·n⌉ values
/// (at least 1, at most n), alpha in (0, 1] (values outside are clamped). NaN values
/// are ignored; no values gives 0. `alpha·n` within 1e-9 of an integer is treated
/// as that integer so that e.g. 0.07·100 counts 7 values, not 8.
pub fn cvar_lower(values: &[f64], alpha: f64) -> f64 {
    let sorted = sorted_non_nan(values);
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    let x = if alpha.is_nan() { 0.0 } else { alpha.clamp(0.0, 1.0) } * n as f64;
    let k = if (x - x.round()).abs() <= 1e-9 * x.max(1.0) {
        x.round()
    } else {
        x.ceil()
    };
    let k = (k as usize).clamp(1, n);
    sorted[..k].iter().sum::<f64>() / k as f64
}

/// Spearman rank correlation with average ranks for ties; 0 if either side is
/// constant or n < 3. Pairs where either value is NaN are dropped; the slices must
/// have equal length (debug-asserted; otherwise the shorter length is used).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    debug_assert_eq!(x.len(), y.len(), "spearman: length mismatch");
    let (xs, ys): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(&a, &b)| (a, b))
        .unzip();
    if xs.len() < 3 {
        return 0.0;
    }
    let (rx, ry) = (ranks(&xs), ranks(&ys));
    let (mx, _) = mean_var(&rx);
    let (my, _) = mean_var(&ry);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return 0.0;
    }
    (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
}

/// Average ranks (1-based) with ties averaged. Order is `f64::total_cmp`; values
/// comparing equal with `==` (including −0.0 and 0.0) are ties; NaNs never tie.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; n];
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && values[idx[j]] == values[idx[i]] {
            j += 1;
        }
        // positions i..j (0-based) share ranks i+1..=j, whose average is (i + 1 + j) / 2.
        let avg = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            out[k] = avg;
        }
        i = j;
    }
    out
}

/// Welford-free two-pass mean and sample variance (deterministic order). Uses the
/// corrected two-pass formula (Σd² − (Σd)²/n)/(n − 1). Empty gives (0, 0); one
/// value gives (x, 0). NaN propagates (callers filter first).
pub fn mean_var(values: &[f64]) -> (f64, f64) {
    let n = values.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let (mut s, mut ss) = (0.0, 0.0);
    for &v in values {
        let d = v - mean;
        s += d;
        ss += d * d;
    }
    let var = (ss - s * s / n as f64) / (n - 1) as f64;
    (mean, var.max(0.0))
}

/// Number of iterations needed so that the 95 % CI half-width of the mean falls below
/// `target_half_width`, from a pilot sample's sd: ceil((1.96·sd/target)^2), at least 1.
/// Returns None if target ≤ 0 or NaN, sd is negative or not finite, or the count overflows.
pub fn iterations_for_half_width(sd: f64, target_half_width: f64) -> Option<u64> {
    if !sd.is_finite() || sd < 0.0 || target_half_width.is_nan() || target_half_width <= 0.0 {
        return None;
    }
    let n = (1.96 * sd / target_half_width).powi(2).ceil();
    (n.is_finite() && n < u64::MAX as f64).then(|| (n as u64).max(1))
}

/// Streaming-free helper to summarise many series at once: `columns[k]` holds the
/// per-iteration values of output k; result k is `summarize(&columns[k])`.
pub fn summarize_columns(columns: &[Vec<f64>]) -> Vec<Summary> {
    columns.iter().map(|c| summarize(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXACT: f64 = 1e-12;
    const TABLE: f64 = 1e-5; // hand/table values quoted to ~6 significant digits

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    /// (sorted input, q, numpy.quantile default result)
    #[rustfmt::skip]
    const QUANTILE_CASES: &[(&[f64], f64, f64)] = &[
        (&[1.0, 2.0, 3.0, 4.0], 0.5, 2.5), (&[1.0, 2.0, 3.0, 4.0], 0.05, 1.15),
        (&[1.0, 2.0, 3.0, 4.0], 0.95, 3.85), (&[1.0, 2.0, 3.0, 4.0], 0.25, 1.75),
        (&[1.0, 2.0, 3.0, 4.0], 0.0, 1.0), (&[1.0, 2.0, 3.0, 4.0], 1.0, 4.0),
        (&[7.0], 0.0, 7.0), (&[7.0], 0.37, 7.0), (&[7.0], 1.0, 7.0),
        (&[10.0, 20.0, 30.0, 40.0, 50.0], 0.9, 46.0),
        (&[f64::NEG_INFINITY, 1.0, 1.0, f64::INFINITY], 0.5, 1.0),
    ];

    #[test]
    fn quantile_matches_numpy_type7() {
        for &(s, q, want) in QUANTILE_CASES {
            let got = quantile_sorted(s, q);
            assert!(close(got, want, EXACT), "{s:?} q={q}: {got} != {want}");
        }
        assert!(quantile_sorted(&[], 0.5).is_nan());
    }

    #[test]
    fn summarize_moments_and_edges() {
        let s = summarize(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        let sd = (32.0f64 / 7.0).sqrt(); // 2.138089...
        assert_eq!(s.n, 8);
        assert!(close(s.mean, 5.0, EXACT) && close(s.sd, sd, EXACT));
        assert!(close(s.se, sd / 8f64.sqrt(), EXACT));
        assert!(close(s.ci95_half_width, 2.364624 * sd / 8f64.sqrt(), TABLE)); // t(0.975, 7)
        assert_eq!((s.min, s.max, s.p50), (2.0, 9.0, 4.5));

        let one = summarize(&[3.5]);
        assert_eq!(
            (one.n, one.mean, one.se, one.sd, one.ci95_half_width),
            (1, 3.5, 0.0, 0.0, 0.0)
        );
        assert_eq!((one.p5, one.p95, one.min, one.max), (3.5, 3.5, 3.5, 3.5));

        assert_eq!(summarize(&[]), Summary::default());
        assert_eq!(summarize(&[f64::NAN]).n, 0);
        assert_eq!(summarize(&[1.0, f64::NAN, 3.0]), summarize(&[1.0, 3.0]));

        let cols = summarize_columns(&[vec![1.0, 3.0], vec![]]);
        assert_eq!(cols, vec![summarize(&[1.0, 3.0]), Summary::default()]);
    }

    /// (dof, 0.975 quantile of Student's t computed with mpmath at 40 digits)
    #[rustfmt::skip]
    const T975_CASES: [(f64, f64); 9] = [
        (1.0, 12.7062047362), (7.0, 2.36462425159), (30.0, 2.04227245630),
        (1999.0, 1.96115142017), (2000.0, 1.96115082610), (3e4, 1.96004306338),
        (1e5, 1.95998770753), (1e6, 1.95996635681), (1e9, 1.95996398691),
    ];

    #[test]
    fn t975_matches_reference() {
        for (dof, want) in T975_CASES {
            assert!(close(t975(dof), want, 1e-10), "dof {dof}: {}", t975(dof));
        }
    }

    #[test]
    fn prob_below_and_se() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        let cases = [(3.0, 0.2), (0.0, 0.0), (11.0, 1.0), (5.5, 0.5)];
        for (thr, p) in cases {
            let (got, se) = prob_below(&v, thr);
            assert!(close(got, p, EXACT), "thr {thr}");
            assert!(close(se, (p * (1.0 - p) / 10.0).sqrt(), EXACT), "thr {thr}");
        }
        assert_eq!(prob_below(&[1.0, f64::NAN], 2.0), (1.0, 0.0));
        assert_eq!(prob_below(&[], 0.0), (0.0, 0.0));
    }

    #[test]
    fn cvar_lower_cases() {
        let v: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let cases = [(0.05, 3.0), (0.07, 4.0), (0.001, 1.0), (1.0, 50.5)];
        for (alpha, want) in cases.into_iter().chain([(0.015, 1.5)]) {
            assert!(close(cvar_lower(&v, alpha), want, EXACT), "alpha {alpha}");
        }
        assert_eq!(cvar_lower(&[], 0.05), 0.0);
    }

    #[test]
    fn spearman_cases() {
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        let mono: Vec<f64> = x.iter().map(|v| v.powi(3) + v.exp()).collect();
        let rev: Vec<f64> = x.iter().map(|v| -v.exp()).collect();
        assert!(close(spearman(&x, &mono), 1.0, EXACT));
        assert!(close(spearman(&x, &rev), -1.0, EXACT));
        // ranks x = [1, 2.5, 2.5, 4], y = [1, 3, 2, 4] → r = 4.5 / sqrt(4.5·5) = sqrt(0.9)
        let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]);
        assert!(close(r, 0.9f64.sqrt(), EXACT), "{r}");
        assert_eq!(spearman(&x, &[5.0; 10]), 0.0);
        assert_eq!(spearman(&[1.0, 2.0], &[2.0, 1.0]), 0.0);
        assert_eq!(
            ranks(&[3.0, 1.0, 3.0, 2.0, -0.0, 0.0]),
            vec![5.5, 3.0, 5.5, 4.0, 1.5, 1.5]
        );
    }

    #[test]
    fn mean_var_and_iterations() {
        assert_eq!(mean_var(&[]), (0.0, 0.0));
        assert_eq!(mean_var(&[4.0]), (4.0, 0.0));
        let (m, v) = mean_var(&[1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0]);
        assert!(close(m, 1e9 + 10.0, EXACT) && close(v, 30.0, 1e-9));
        // (1.96 · 10 / 1)^2 = 384.16 → 385
        assert_eq!(iterations_for_half_width(10.0, 1.0), Some(385));
        assert_eq!(iterations_for_half_width(0.0, 1.0), Some(1));
        assert_eq!(iterations_for_half_width(10.0, 0.0), None);
        assert_eq!(iterations_for_half_width(f64::NAN, 1.0), None);
        assert_eq!(iterations_for_half_width(f64::INFINITY, 1.0), None);
    }

    #[test]
    fn permutation_leaves_quantiles_unchanged() {
        let base: Vec<f64> = (0..23).map(|i| ((i * i) as f64).sin() * 100.0).collect();
        let perm: Vec<f64> = (0..23).map(|i| base[(i * 7 + 3) % 23]).collect(); // 7 coprime to 23
        let (a, b) = (summarize(&base), summarize(&perm));
        let qa = [a.p5, a.p10, a.p25, a.p50, a.p75, a.p90, a.p95, a.min, a.max];
        let qb = [b.p5, b.p10, b.p25, b.p50, b.p75, b.p90, b.p95, b.min, b.max];
        assert_eq!(qa.map(f64::to_bits), qb.map(f64::to_bits));
        assert!(close(a.mean, b.mean, EXACT) && close(a.sd, b.sd, EXACT));
        assert_eq!(summarize(&base), summarize(&base)); // deterministic
    }
}
