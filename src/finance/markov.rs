//! Closed forms for customer value under a Markov chain of segments.
//!
//! Timing of [`SegmentChain`] (matches the simulation): a customer active at the start of
//! month `t` (t = 1..) churns with probability `churn[s]` and earns nothing from then on;
//! otherwise it earns `margin[s]` in month `t`, discounted by `(1+d)^-t`, and then migrates
//! to `j` with probability `migration[s][j]` (the row remainder stays in `s`).
//!
//! The free functions are the generic textbook forms for a full row-stochastic `P`.

use serde::{Deserialize, Serialize};

/// Tolerance on off-diagonal migration row sums exceeding 1 (rounding in inputs).
const ROW_SUM_TOL: f64 = 1e-9;
/// Relative pivot size below which a matrix is treated as singular.
const SINGULAR_TOL: f64 = 1e-12;

/// Transient-state chain: `churn[s]` monthly churn probability, `migration[s][j]` monthly
/// probability of moving s→j given survival (diagonal ignored; the row remainder stays),
/// `margin[s]` expected margin per surviving customer-month in state s (currency).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentChain {
    pub churn: Vec<f64>,
    pub migration: Vec<Vec<f64>>,
    pub margin: Vec<f64>,
}

fn is_prob(x: f64) -> bool {
    x.is_finite() && (0.0..=1.0).contains(&x)
}

fn check_discount(d: f64) -> Result<f64, String> {
    if d.is_finite() && d > -1.0 {
        Ok(1.0 / (1.0 + d))
    } else {
        Err(format!("monthly discount must be finite and > -1, got {d}"))
    }
}

/// One affine step `c + β · m · v` (square `m`, column vector `v`).
fn affine(m: &[Vec<f64>], v: &[f64], beta: f64, c: &[f64]) -> Vec<f64> {
    let dot = |row: &Vec<f64>| row.iter().zip(v).map(|(a, b)| a * b).sum::<f64>();
    m.iter().zip(c).map(|(row, ci)| ci + beta * dot(row)).collect()
}

/// `I − β·m`.
fn identity_minus(m: &[Vec<f64>], beta: f64) -> Vec<Vec<f64>> {
    m.iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, &x)| f64::from(u8::from(i == j)) - beta * x)
                .collect()
        })
        .collect()
}

impl SegmentChain {
    /// Validates sizes, probabilities in [0,1], row sums of migration ≤ 1 (off-diagonal),
    /// finite margins. The diagonal of `migration` is ignored.
    pub fn new(churn: Vec<f64>, migration: Vec<Vec<f64>>, margin: Vec<f64>) -> Result<Self, String> {
        let n = churn.len();
        if n == 0 || migration.len() != n || margin.len() != n {
            return Err(format!(
                "need ≥ 1 state and equal lengths: churn {n}, migration {}, margin {}",
                migration.len(),
                margin.len()
            ));
        }
        if let Some((s, c)) = churn.iter().enumerate().find(|(_, c)| !is_prob(**c)) {
            return Err(format!("churn[{s}] = {c} is not a probability"));
        }
        if let Some((s, m)) = margin.iter().enumerate().find(|(_, m)| !m.is_finite()) {
            return Err(format!("margin[{s}] = {m} is not finite"));
        }
        for (s, row) in migration.iter().enumerate() {
            if row.len() != n {
                return Err(format!("migration row {s} length {} != {n}", row.len()));
            }
            let off = row.iter().enumerate().filter(|&(j, _)| j != s);
            if let Some((j, p)) = off.clone().find(|(_, p)| !is_prob(**p)) {
                return Err(format!("migration[{s}][{j}] = {p} is not a probability"));
            }
            let sum: f64 = off.map(|(_, p)| p).sum();
            if sum > 1.0 + ROW_SUM_TOL {
                return Err(format!("migration row {s} off-diagonal sum {sum} > 1"));
            }
        }
        Ok(Self {
            churn,
            migration,
            margin,
        })
    }

    fn len(&self) -> usize {
        self.churn.len()
    }

    /// Q: transient-to-transient one-month transition matrix, Q[s][j] = (1 − churn[s]) · T[s][j],
    /// where T is the migration matrix with its diagonal set to 1 − Σ off-diagonal.
    pub fn transient_matrix(&self) -> Vec<Vec<f64>> {
        self.migration
            .iter()
            .enumerate()
            .map(|(s, row)| {
                let off: f64 = (0..row.len()).filter(|&j| j != s).map(|j| row[j]).sum();
                let keep = 1.0 - self.churn[s];
                (0..row.len())
                    .map(|j| keep * if j == s { (1.0 - off).max(0.0) } else { row[j] })
                    .collect()
            })
            .collect()
    }

    /// Expected margin earned in a month by a customer in state j at its start: (1 − c_j) m_j.
    fn month_reward(&self) -> Vec<f64> {
        let it = self.churn.iter().zip(&self.margin);
        it.map(|(c, m)| (1.0 - c) * m).collect()
    }

    /// Expected discounted margin over months 1..=horizon by starting state:
    /// V[s] = Σ_{t=1..H} (1+d)^−t Σ_j [Q^{t−1}]_{sj} (1−churn_j) margin_j.
    ///
    /// # Panics
    /// If `monthly_discount` is not finite or ≤ −1.
    pub fn discounted_margin(&self, monthly_discount: f64, horizon_months: u32) -> Vec<f64> {
        let beta = check_discount(monthly_discount).unwrap_or_else(|e| panic!("{e}"));
        let (q, n) = (self.transient_matrix(), self.len());
        let br: Vec<f64> = self.month_reward().iter().map(|r| beta * r).collect();
        // Backward recursion V_h = β r + β Q V_{h−1}, V_0 = 0.
        (0..horizon_months).fold(vec![0.0; n], |v, _| affine(&q, &v, beta, &br))
    }

    /// Infinite-horizon [`Self::discounted_margin`]: solves (I − βQ) V = β r, β = 1/(1+d).
    pub fn discounted_margin_infinite(&self, monthly_discount: f64) -> Result<Vec<f64>, String> {
        let beta = check_discount(monthly_discount)?;
        let a = identity_minus(&self.transient_matrix(), beta);
        let b: Vec<f64> = self.month_reward().iter().map(|r| beta * r).collect();
        solve(&a, &b)
    }

    /// Expected number of months a customer starting in s is active at the start of a month
    /// (counting the first month), before churning: N·1 with N = (I − Q)^−1.
    /// Err when some state can never be left (zero churn reachable forever).
    pub fn expected_lifetime_months(&self) -> Result<Vec<f64>, String> {
        let a = identity_minus(&self.transient_matrix(), 1.0);
        solve(&a, &vec![1.0; self.len()])
    }

    /// Expected active-month count within a finite horizon: Σ_{t=0..H−1} Q^t · 1.
    pub fn expected_active_months(&self, horizon_months: u32) -> Vec<f64> {
        let (q, ones) = (self.transient_matrix(), vec![1.0; self.len()]);
        // A_h = 1 + Q A_{h−1}, A_0 = 0.
        (0..horizon_months).fold(vec![0.0; self.len()], |a, _| affine(&q, &a, 1.0, &ones))
    }

    /// Probability of still being active at the start of month t+1 (after `months` months),
    /// by starting state: Q^t · 1.
    pub fn survival(&self, months: u32) -> Vec<f64> {
        let (q, zero) = (self.transient_matrix(), vec![0.0; self.len()]);
        (0..months).fold(vec![1.0; self.len()], |s, _| affine(&q, &s, 1.0, &zero))
    }

    /// Expected counts per (non-lost) state after `months` months from an initial
    /// distribution (counts allowed): x_t = x_0 Q^t as a row vector.
    ///
    /// # Panics
    /// If `initial.len()` differs from the number of states.
    pub fn state_counts(&self, initial: &[f64], months: u32) -> Vec<f64> {
        assert_eq!(initial.len(), self.len(), "initial length mismatch");
        let q = self.transient_matrix();
        let mut x = initial.to_vec();
        for _ in 0..months {
            x = (0..x.len())
                .map(|j| x.iter().zip(&q).map(|(xi, row)| xi * row[j]).sum())
                .collect();
        }
        x
    }
}

/// Textbook finite-horizon value V_T = Σ_{t=0..T} [(1+d)^−1 P]^t R for a full
/// row-stochastic P (may include an absorbing state) and reward vector R.
///
/// # Panics
/// On a non-square `p`, a `reward` of the wrong length, or a discount ≤ −1.
pub fn value_finite(p: &[Vec<f64>], reward: &[f64], monthly_discount: f64, periods: u32) -> Vec<f64> {
    let beta = check_discount(monthly_discount).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        p.len() == reward.len() && p.iter().all(|r| r.len() == reward.len()),
        "value_finite: dimension mismatch"
    );
    // V_k = R + β P V_{k−1}, V_{−1} = 0, iterated T+1 times.
    (0..=periods).fold(vec![0.0; reward.len()], |v, _| affine(p, &v, beta, reward))
}

/// V_∞ = [I − (1+d)^−1 P]^−1 R.
pub fn value_infinite(p: &[Vec<f64>], reward: &[f64], monthly_discount: f64) -> Result<Vec<f64>, String> {
    let beta = check_discount(monthly_discount)?;
    solve(&identity_minus(p, beta), reward)
}

/// CLV with constant retention r, margin M per period at period end: M · r / (1 + d − r).
pub fn clv_constant_retention(margin_per_period: f64, retention: f64, discount: f64) -> f64 {
    margin_per_period * retention / (1.0 + discount - retention)
}

/// Dense linear solve (Gaussian elimination with partial pivoting); Err on a singular
/// matrix (pivot below `SINGULAR_TOL` relative to the largest entry) or bad dimensions.
pub fn solve(a: &[Vec<f64>], b: &[f64]) -> Result<Vec<f64>, String> {
    let n = b.len();
    if a.len() != n || a.iter().any(|r| r.len() != n) {
        return Err(format!("solve: expected a {n}x{n} matrix"));
    }
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .zip(b)
        .map(|(r, &bi)| r.iter().copied().chain([bi]).collect())
        .collect();
    let scale = a.iter().flatten().fold(0.0_f64, |acc, x| acc.max(x.abs()));
    if !scale.is_finite() || b.iter().any(|x| !x.is_finite()) {
        return Err("solve: non-finite input".into());
    }
    for k in 0..n {
        let piv = (k..n)
            .max_by(|&i, &j| m[i][k].abs().total_cmp(&m[j][k].abs()))
            .unwrap_or(k);
        if m[piv][k].abs() <= SINGULAR_TOL * scale.max(f64::MIN_POSITIVE) {
            return Err("solve: matrix is singular".into());
        }
        m.swap(k, piv);
        let (top, bottom) = m.split_at_mut(k + 1);
        let pivot_row = &top[k];
        for row in bottom {
            let f = row[k] / pivot_row[k];
            for (x, p) in row[k..].iter_mut().zip(&pivot_row[k..]) {
                *x -= f * p;
            }
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|j| m[i][j] * x[j]).sum();
        x[i] = (m[i][n] - s) / m[i][i];
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOL: f64 = 1e-10;
    /// Tolerance for long propagations / truncated series compared with closed forms.
    const SERIES_TOL: f64 = 1e-8;

    fn close(a: &[f64], b: &[f64], tol: f64) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{a:?} vs {b:?}");
        }
    }

    fn three_segments() -> SegmentChain {
        let mig = vec![vec![0.0, 0.10, 0.05], vec![0.03, 0.0, 0.0], vec![0.20, 0.05, 0.0]];
        SegmentChain::new(vec![0.05, 0.02, 0.10], mig, vec![10.0, 25.0, 4.0]).unwrap()
    }

    /// Brute force, independent of `transient_matrix`: propagates the probability of being
    /// active in each state at the start of each month, with the simulation's timing.
    /// Returns (Σ_t P(active at start of t), Σ_t (1+d)^-t · expected margin of month t).
    fn propagate(ch: &SegmentChain, start: usize, d: f64, months: u32) -> (f64, f64) {
        let n = ch.churn.len();
        let mut pi = vec![0.0; n];
        pi[start] = 1.0;
        let (mut active, mut value) = (0.0, 0.0);
        for t in 1..=months {
            active += pi.iter().sum::<f64>();
            let mut next = vec![0.0; n];
            for (i, p_i) in pi.iter().enumerate() {
                let alive = p_i * (1.0 - ch.churn[i]);
                value += alive * ch.margin[i] / (1.0 + d).powi(t as i32);
                let mut stay = alive;
                for (j, nj) in next.iter_mut().enumerate().filter(|&(j, _)| j != i) {
                    *nj += alive * ch.migration[i][j];
                    stay -= alive * ch.migration[i][j];
                }
                next[i] += stay;
            }
            pi = next;
        }
        (active, value)
    }

    #[test]
    fn solve_known_and_singular() {
        let a = vec![vec![2.0, 1.0, -1.0], vec![-3.0, -1.0, 2.0], vec![-2.0, 1.0, 2.0]];
        close(&solve(&a, &[8.0, -11.0, -3.0]).unwrap(), &[2.0, 3.0, -1.0], TOL);
        let sing = vec![vec![1.0, 2.0, 3.0], vec![2.0, 4.0, 6.0], vec![1.0, 0.0, 1.0]];
        assert!(solve(&sing, &[1.0, 2.0, 3.0]).is_err());
    }

    #[test]
    fn one_state_matches_clv_formula() {
        let (c, m, d) = (0.04, 12.0, 0.01);
        let ch = SegmentChain::new(vec![c], vec![vec![0.0]], vec![m]).unwrap();
        let inf = ch.discounted_margin_infinite(d).unwrap()[0];
        let geom = m * (1.0 - c) / (1.0 + d) / (1.0 - (1.0 - c) / (1.0 + d));
        assert!((inf - geom).abs() < TOL);
        assert!((inf - m * (1.0 - c) / (d + c)).abs() < TOL);
        assert!((inf - clv_constant_retention(m, 1.0 - c, d)).abs() < TOL);
        let h1 = ch.discounted_margin(d, 1)[0];
        assert!((h1 - m * (1.0 - c) / (1.0 + d)).abs() < TOL);
        let (h10, h100) = (ch.discounted_margin(d, 10)[0], ch.discounted_margin(d, 100)[0]);
        assert!(h1 < h10 && h10 < h100 && h100 < inf);
        assert!((ch.discounted_margin(d, 2_000)[0] - inf).abs() < SERIES_TOL);
        assert!(ch.discounted_margin(d, 0)[0] == 0.0);
    }

    #[test]
    fn lifetime_one_and_two_states() {
        let c = 0.08;
        let one = SegmentChain::new(vec![c], vec![vec![0.0]], vec![1.0]).unwrap();
        assert!((one.expected_lifetime_months().unwrap()[0] - 1.0 / c).abs() < TOL);

        let mig = vec![vec![0.0, 0.2], vec![0.1, 0.0]];
        let two = SegmentChain::new(vec![0.05, 0.12], mig, vec![1.0, 2.0]).unwrap();
        let closed = two.expected_lifetime_months().unwrap();
        for (s, n_s) in closed.iter().enumerate() {
            assert!((propagate(&two, s, 0.0, 2_000).0 - n_s).abs() < SERIES_TOL);
        }
        close(&two.expected_active_months(2_000), &closed, SERIES_TOL);
        let stuck = SegmentChain::new(vec![0.0], vec![vec![0.0]], vec![1.0]).unwrap();
        assert!(stuck.expected_lifetime_months().is_err(), "never churns: N undefined");
    }

    #[test]
    fn textbook_finite_and_infinite_agree() {
        // Two segments plus absorbing lost state (index 2, reward 0).
        let p = vec![vec![0.80, 0.15, 0.05], vec![0.10, 0.85, 0.05], vec![0.0, 0.0, 1.0]];
        let (r, d) = ([5.0, 9.0, 0.0], 0.01);
        let inf = value_infinite(&p, &r, d).unwrap();
        close(&value_finite(&p, &r, d, 5_000), &inf, SERIES_TOL);
        close(&value_finite(&p, &r, d, 0), &r, TOL);
        let v1 = [
            5.0 + (0.80 * 5.0 + 0.15 * 9.0) / (1.0 + d),
            9.0 + (0.10 * 5.0 + 0.85 * 9.0) / (1.0 + d),
            0.0,
        ];
        close(&value_finite(&p, &r, d, 1), &v1, TOL); // T = 1: R + βPR
        assert!(inf[2].abs() < TOL);
        // Undiscounted, with reward in a recurrent class: I − P is singular.
        assert!(value_infinite(&p, &[0.0, 0.0, 1.0], 0.0).is_err());
    }

    #[test]
    fn discounted_margin_matches_probability_propagation() {
        let ch = three_segments();
        let (d, h) = (0.008, 60);
        let v = ch.discounted_margin(d, h);
        for (s, v_s) in v.iter().enumerate() {
            let (active, value) = propagate(&ch, s, d, h);
            assert!((v_s - value).abs() < TOL * (1.0 + value));
            assert!((ch.expected_active_months(h)[s] - active).abs() < TOL * active);
        }
        let inf = ch.discounted_margin_infinite(d).unwrap();
        close(&ch.discounted_margin(d, 5_000), &inf, SERIES_TOL);
    }

    #[test]
    fn state_counts_conserve_survivors() {
        let ch = three_segments();
        let init = [100.0, 40.0, 250.0];
        for months in [0, 1, 7, 36] {
            let counts: f64 = ch.state_counts(&init, months).iter().sum();
            let surv = ch.survival(months);
            let expected: f64 = init.iter().zip(&surv).map(|(a, b)| a * b).sum();
            assert!((counts - expected).abs() < TOL * expected);
        }
        close(&ch.survival(0), &[1.0; 3], TOL);
    }

    #[test]
    fn new_rejects_bad_input() {
        let new = SegmentChain::new;
        let ok = || vec![vec![0.0, 0.5], vec![0.5, 0.0]];
        assert!(new(vec![0.1, 0.1], ok(), vec![1.0, 1.0]).is_ok());
        assert!(
            new(vec![0.1], vec![vec![7.0]], vec![1.0]).is_ok(),
            "diagonal is ignored"
        );
        let over = vec![vec![0.0, 0.6, 0.5], vec![0.0; 3], vec![0.0; 3]];
        assert!(new(vec![0.1; 3], over, vec![1.0; 3]).is_err());
        let neg = vec![vec![0.0, -0.1], vec![0.0, 0.0]];
        assert!(new(vec![0.1, 0.1], neg, vec![1.0, 1.0]).is_err());
        assert!(new(vec![-0.1, 0.1], ok(), vec![1.0, 1.0]).is_err());
        assert!(new(vec![0.1, 0.1], ok(), vec![1.0]).is_err());
        assert!(new(vec![0.1], ok(), vec![1.0]).is_err());
        let ragged = vec![vec![0.0, 0.5], vec![0.5]];
        assert!(new(vec![0.1, 0.1], ragged, vec![1.0, 1.0]).is_err());
        assert!(new(vec![0.1, 0.1], ok(), vec![1.0, f64::NAN]).is_err());
        assert!(new(vec![], vec![], vec![]).is_err());
    }
}
