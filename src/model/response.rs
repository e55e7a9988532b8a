//! Behavioural response curves: how a programme's generosity and a segment's budget change member
//! behaviour in a given month.
//!
//! ```text
//! hill(x; ec, h)   = x^h / (x^h + ec^h)                  saturating curve, 0 at x = 0, 1/2 at x = ec
//! ramp(t)          = min(1, t / ramp_up_months)          months 1, 2, … (1 if ramp_up_months = 0)
//! g                = hill(faciale; generosity_half_effect, generosity_hill)   (1 if no half effect)
//! b                = hill(budget per member; budget_half_effect_per_member, budget_hill)
//! frequency ×      = 1 + ramp · (g · frequency_lift + b · budget_frequency_lift)
//! basket ×         = 1 + ramp · (g · basket_lift + b · budget_basket_lift)
//! churn ×          = max(0, 1 − ramp · (g · churn_reduction + b · budget_churn_reduction))
//! acquisition ×    = 1 + ramp · g · acquisition_lift
//! migration s→j ×  = max(0, 1 + ramp · g · migration_lift[j])
//! ```

use super::Response;

/// Hill curve `x^h / (x^h + ec^h)`; 0 for x ≤ 0.
#[inline]
pub fn hill(x: f64, ec: f64, h: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if ec <= 0.0 {
        return 1.0;
    }
    let xh = (x / ec).powf(h);
    xh / (xh + 1.0)
}

/// Linear ramp-up: share of the full effect reached in month `month` (1-based).
#[inline]
pub fn ramp(month: u32, ramp_up_months: f64) -> f64 {
    if ramp_up_months <= 0.0 {
        1.0
    } else {
        (month as f64 / ramp_up_months).min(1.0)
    }
}

/// Multipliers applied to a member's behaviour in one month.
#[derive(Debug, Clone, PartialEq)]
pub struct Effects {
    pub frequency: f64,
    pub basket: f64,
    pub churn: f64,
    pub acquisition: f64,
    pub migration: Vec<f64>,
}

impl Effects {
    pub fn neutral(n_segments: usize) -> Self {
        Effects {
            frequency: 1.0,
            basket: 1.0,
            churn: 1.0,
            acquisition: 1.0,
            migration: vec![1.0; n_segments],
        }
    }
}

/// Generosity factor `g` of the response for a faciale generosity (share of spend).
pub fn generosity_factor(r: &Response<f64>, faciale: f64) -> f64 {
    match r.generosity_half_effect {
        Some(ec) => hill(faciale, ec, r.generosity_hill),
        None => 1.0,
    }
}

/// Effects of the programme in `month` for a segment's members.
pub fn effects(r: &Response<f64>, faciale: f64, budget_per_member: f64, month: u32) -> Effects {
    let rp = ramp(month, r.ramp_up_months);
    let g = generosity_factor(r, faciale);
    let b = hill(budget_per_member, r.budget_half_effect_per_member, r.budget_hill);
    Effects {
        frequency: (1.0 + rp * (g * r.frequency_lift + b * r.budget_frequency_lift)).max(0.0),
        basket: (1.0 + rp * (g * r.basket_lift + b * r.budget_basket_lift)).max(0.0),
        churn: (1.0 - rp * (g * r.churn_reduction + b * r.budget_churn_reduction)).max(0.0),
        acquisition: (1.0 + rp * g * r.acquisition_lift).max(0.0),
        migration: r.migration_lift.iter().map(|l| (1.0 + rp * g * l).max(0.0)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hill_shape() {
        assert_eq!(hill(0.0, 1.0, 2.0), 0.0);
        assert!((hill(1.0, 1.0, 2.0) - 0.5).abs() < 1e-12);
        assert!(hill(10.0, 1.0, 2.0) > 0.99);
        assert!(hill(2.0, 1.0, 1.0) < hill(3.0, 1.0, 1.0));
    }

    #[test]
    fn ramp_reaches_one() {
        assert_eq!(ramp(1, 0.0), 1.0);
        assert!((ramp(3, 6.0) - 0.5).abs() < 1e-12);
        assert_eq!(ramp(12, 6.0), 1.0);
    }

    #[test]
    fn effects_combine_generosity_and_budget() {
        let mut r = Response::none(2).instantiate(&[]);
        r.frequency_lift = 0.10;
        r.churn_reduction = 0.20;
        r.generosity_half_effect = Some(0.02);
        r.generosity_hill = 1.0;
        r.budget_frequency_lift = 0.05;
        r.budget_half_effect_per_member = 1.0;
        let e = effects(&r, 0.02, 1.0, 1);
        assert!((e.frequency - (1.0 + 0.5 * 0.10 + 0.5 * 0.05)).abs() < 1e-12);
        assert!((e.churn - (1.0 - 0.5 * 0.20)).abs() < 1e-12);
        let none = effects(&Response::none(2).instantiate(&[]), 0.05, 0.0, 5);
        assert_eq!(none, Effects::neutral(2));
    }
}
