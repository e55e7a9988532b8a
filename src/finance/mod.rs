//! Finance of one iteration: KPIs per arm and per segment, and the programme's incremental
//! effect against the baseline (paired within the iteration), following DOMAIN.md §3:
//!
//! ```text
//! ΔGM_t   = gross margin of the programme arm − gross margin of the baseline arm
//! costs_t = reward cost (used vouchers × cost basis × (1 − supplier funding))
//!         + member costs (per member, messages, tier benefits) + segment budgets + fixed cost
//! NCF_t   = ΔGM_t − costs_t ;  NPV = −setup + Σ_t NCF_t / (1 + d_m)^t
//! ROI     = (Σ NCF_t − setup) / (setup + Σ costs_t)      (undiscounted; discounted variant too)
//! payback = first month where −setup + Σ_{k≤t} NCF_k ≥ 0
//! ```
//! Rewards are paid on all member spend (cannibalisation): the reward cost is what members
//! redeem, while margin is gained only on the incremental spend.

pub mod liability;
pub mod markov;

use crate::model::{Arm, Programme, Simulation};
use crate::sim::agent::{ArmOutcome, Cohort};
use crate::sim::metrics::SegMonth;
use serde::Serialize;

/// Generosity levels of DOMAIN.md §1, as shares of member spend.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Generosity {
    /// What the base rule promises: points per currency × point value.
    pub faciale: f64,
    /// Every point issued (base, bonus days, tiers, welcome) at face value ÷ spend.
    pub maximale: f64,
    /// Face value of the vouchers actually used ÷ spend (after all breakage).
    pub reelle: f64,
    /// The same rewards at what they cost the firm (× reward cost basis).
    pub reelle_cost: f64,
    /// After supplier / partner funding.
    pub nette: f64,
}

impl Generosity {
    /// From the members' ledger totals: spend, points issued, face value of vouchers used.
    pub fn from_ledger(p: &Programme<f64>, member_spend: f64, points_issued: f64, vouchers_used_face: f64) -> Self {
        let reelle_cost = ratio(vouchers_used_face * p.reward_cost_basis, member_spend);
        Generosity {
            faciale: p.faciale(),
            maximale: ratio(points_issued * p.point_value, member_spend),
            reelle: ratio(vouchers_used_face, member_spend),
            reelle_cost,
            nette: reelle_cost * (1.0 - p.supplier_funding_share),
        }
    }
}

/// Definition of a reported indicator.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Kpi {
    pub name: &'static str,
    pub unit: &'static str,
    pub description: &'static str,
}

const fn k(name: &'static str, unit: &'static str, description: &'static str) -> Kpi {
    Kpi {
        name,
        unit,
        description,
    }
}

/// Indicators of one arm (whole base, or one segment).
pub const ARM_KPIS: &[Kpi] = &[
    k(
        "customers_start",
        "customers",
        "customers at month 0 (by starting segment)",
    ),
    k(
        "customers_at_horizon",
        "customers",
        "active customers at the end of the horizon (by current segment)",
    ),
    k(
        "members_at_horizon",
        "customers",
        "programme members at the start of the last month",
    ),
    k(
        "customer_months",
        "customer-months",
        "active customer-months over the horizon",
    ),
    k("acquired", "customers", "new customers over the horizon"),
    k(
        "acquisition_rate_monthly",
        "share",
        "new customers per month ÷ average active customers",
    ),
    k("churned", "customers", "customers lost over the horizon"),
    k(
        "retention_12m",
        "share",
        "share of month-0 customers still active after 12 months",
    ),
    k(
        "retention_horizon",
        "share",
        "share of month-0 customers still active at the horizon",
    ),
    k(
        "repurchase_rate",
        "share",
        "share of month-0 customers who bought in months 1..W that bought again in W+1..2W",
    ),
    k("purchases", "purchases", "transactions over the horizon"),
    k("revenue", "currency", "sales over the horizon"),
    k("member_revenue", "currency", "sales to programme members"),
    k("gross_margin", "currency", "gross margin on sales"),
    k(
        "points_issued",
        "points",
        "all points issued (base, bonus days, tiers, welcome)",
    ),
    k("points_redeemed", "points", "points converted into vouchers"),
    k("points_expired", "points", "points removed by the expiry rule"),
    k("vouchers_used_face", "currency", "face value of vouchers used"),
    k(
        "reward_cost",
        "currency",
        "cost to the firm of used vouchers, net of supplier funding",
    ),
    k("member_costs", "currency", "per-member, message and tier-benefit costs"),
    k("budget_cost", "currency", "segment budgets spent (allocation)"),
    k("fixed_cost", "currency", "fixed monthly costs (whole base only)"),
    k("setup_cost", "currency", "set-up cost at month 0 (whole base only)"),
    k(
        "programme_cost",
        "currency",
        "member costs + budgets + fixed + set-up (rewards excluded)",
    ),
    k(
        "net_cash_flow",
        "currency",
        "gross margin − reward cost − programme cost (undiscounted)",
    ),
    k("messages", "messages", "marketing messages sent"),
    k("co2_kg", "kg CO2e", "CO2 of the messages"),
    k(
        "generosity_faciale",
        "share of spend",
        "headline rate: points per currency × point value",
    ),
    k(
        "generosity_maximale",
        "share of member spend",
        "all points issued × point value ÷ member spend",
    ),
    k(
        "generosity_reelle",
        "share of member spend",
        "face value of vouchers used ÷ member spend",
    ),
    k(
        "generosity_reelle_cost",
        "share of member spend",
        "vouchers used at cost basis ÷ member spend",
    ),
    k(
        "generosity_nette",
        "share of member spend",
        "reward cost after supplier funding ÷ member spend",
    ),
    k(
        "breakage_threshold",
        "share of points issued",
        "points that never reached a block: stranded below the threshold at the horizon or lost on churn",
    ),
    k(
        "breakage_expiry",
        "share of points issued",
        "points expired, or whole blocks abandoned on churn",
    ),
    k(
        "breakage_voucher_non_use",
        "share of points issued",
        "points converted into vouchers never used",
    ),
    k(
        "breakage_total",
        "share of points issued",
        "sum of the three breakage parts",
    ),
    k(
        "points_used_share",
        "share of points issued",
        "points turned into vouchers that were used",
    ),
    k(
        "points_redeemable_at_horizon_share",
        "share of points issued",
        "points in balances of at least one block at the horizon (fate still open)",
    ),
    k(
        "liability_points_at_horizon",
        "points",
        "points outstanding at the horizon",
    ),
    k(
        "cohort_value_per_customer",
        "currency",
        "discounted gross margin per month-0 customer (by starting segment)",
    ),
    k(
        "cohort_active_months_per_customer",
        "months",
        "active months per month-0 customer within the horizon",
    ),
];

/// Incremental indicators of a scenario against the baseline (whole base, or one segment).
pub const INCREMENTAL_KPIS: &[Kpi] = &[
    k(
        "incremental_revenue",
        "currency",
        "sales of the scenario − sales of the baseline",
    ),
    k(
        "incremental_gross_margin",
        "currency",
        "gross margin of the scenario − of the baseline",
    ),
    k(
        "reward_cost",
        "currency",
        "cost of used vouchers, net of supplier funding",
    ),
    k(
        "programme_cost",
        "currency",
        "member costs + budgets + fixed + set-up (segments: member costs + budget)",
    ),
    k("total_cost", "currency", "reward cost + programme cost"),
    k(
        "net_cash_flow",
        "currency",
        "incremental gross margin − total cost (undiscounted)",
    ),
    k(
        "npv",
        "currency",
        "net present value of the incremental cash flows at the scenario's discount rate",
    ),
    k(
        "roi",
        "ratio",
        "net cash flow ÷ total cost (undiscounted); 0.30 = +30 %",
    ),
    k("roi_discounted", "ratio", "NPV ÷ discounted total cost"),
    k(
        "payback_month",
        "month",
        "first month where cumulative net cash flow ≥ 0 (NaN = not within the horizon)",
    ),
    k(
        "paid_back",
        "share",
        "1 if paid back within the horizon, else 0 (its mean is the probability)",
    ),
    k(
        "retention_12m_change",
        "share points",
        "retention after 12 months, scenario − baseline",
    ),
    k(
        "retention_horizon_change",
        "share points",
        "retention at the horizon, scenario − baseline",
    ),
    k(
        "repurchase_rate_change",
        "share points",
        "repurchase rate, scenario − baseline",
    ),
    k(
        "incremental_customers_at_horizon",
        "customers",
        "active customers at the horizon, scenario − baseline",
    ),
    k(
        "incremental_acquired",
        "customers",
        "new customers, scenario − baseline",
    ),
];

/// Monthly series of an arm (whole base): engine metrics then derived ones.
pub const MONTHLY_EXTRA: &[&str] = &[
    "budget_cost",
    "fixed_cost",
    "programme_cost",
    "net_cash_flow",
    "incremental_gross_margin",
    "incremental_net_cash_flow",
    "cumulative_incremental_net_cash_flow",
];

/// Names of the monthly metrics, in storage order.
pub fn monthly_names() -> Vec<&'static str> {
    SegMonth::NAMES
        .iter()
        .copied()
        .chain(MONTHLY_EXTRA.iter().copied())
        .collect()
}

/// Fill a vector of KPI values by name, checking that every KPI was set once.
struct KpiVec<'a> {
    defs: &'a [Kpi],
    values: Vec<f64>,
    set: Vec<bool>,
}

impl<'a> KpiVec<'a> {
    fn new(defs: &'a [Kpi]) -> Self {
        KpiVec {
            defs,
            values: vec![f64::NAN; defs.len()],
            set: vec![false; defs.len()],
        }
    }
    fn put(&mut self, name: &str, v: f64) {
        let i = self
            .defs
            .iter()
            .position(|k| k.name == name)
            .unwrap_or_else(|| panic!("unknown KPI {name}"));
        debug_assert!(!self.set[i], "KPI {name} set twice");
        self.values[i] = v;
        self.set[i] = true;
    }
    fn done(self) -> Vec<f64> {
        debug_assert!(self.set.iter().all(|&b| b), "KPI not set: {:?}", {
            self.defs
                .iter()
                .zip(&self.set)
                .filter(|(_, s)| !**s)
                .map(|(k, _)| k.name)
                .collect::<Vec<_>>()
        });
        self.values
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b != 0.0 { a / b } else { f64::NAN }
}

/// Population-level costs of an arm that are not per customer.
struct ArmCosts {
    budget_monthly: f64,
    fixed_monthly: f64,
    setup: f64,
    co2_grams: f64,
}

impl ArmCosts {
    fn of(arm: &Arm<f64>, segment: Option<usize>) -> Self {
        match &arm.programme {
            None => ArmCosts {
                budget_monthly: 0.0,
                fixed_monthly: 0.0,
                setup: 0.0,
                co2_grams: 0.0,
            },
            Some(p) => ArmCosts {
                budget_monthly: match segment {
                    Some(s) => arm.allocation[s],
                    None => arm.allocation.iter().sum(),
                },
                fixed_monthly: if segment.is_none() { p.fixed_cost_monthly } else { 0.0 },
                setup: if segment.is_none() { p.setup_cost } else { 0.0 },
                co2_grams: p.co2_grams_per_message,
            },
        }
    }
}

/// Monthly metrics of one arm restricted to a segment (`Some(s)`) or summed over all.
pub fn months_of(o: &ArmOutcome, segment: Option<usize>) -> Vec<SegMonth> {
    (0..o.months as usize)
        .map(|t| match segment {
            Some(s) => *o.seg_month(t, s),
            None => {
                let mut m = SegMonth::default();
                for s in 0..o.n_segments {
                    m.add(o.seg_month(t, s));
                }
                m
            }
        })
        .collect()
}

fn cohort_of(o: &ArmOutcome, segment: Option<usize>) -> Cohort {
    match segment {
        Some(s) => o.cohort[s].clone(),
        None => {
            let mut c = Cohort::default();
            o.cohort.iter().for_each(|x| c.add(x));
            c
        }
    }
}

fn end_points(o: &ArmOutcome, segment: Option<usize>) -> (f64, f64) {
    match segment {
        Some(s) => (o.end_points_stranded[s], o.end_points_redeemable[s]),
        None => (o.end_points_stranded.iter().sum(), o.end_points_redeemable.iter().sum()),
    }
}

/// KPIs of one arm for the whole base (`None`) or one segment, in `ARM_KPIS` order.
pub fn arm_kpis(arm: &Arm<f64>, o: &ArmOutcome, segment: Option<usize>) -> Vec<f64> {
    let months = months_of(o, segment);
    let mut tot = SegMonth::default();
    months.iter().for_each(|m| tot.add(m));
    let c = cohort_of(o, segment);
    let costs = ArmCosts::of(arm, segment);
    let h = months.len() as f64;
    let last = months.last().copied().unwrap_or_default();
    let (stranded, redeemable) = end_points(o, segment);
    let budget = costs.budget_monthly * h;
    let fixed = costs.fixed_monthly * h;
    let programme_cost = tot.member_costs + budget + fixed + costs.setup;
    let issued = tot.points_issued;
    let mut v = KpiVec::new(ARM_KPIS);
    v.put("customers_start", c.initial);
    v.put(
        "customers_at_horizon",
        last.active - last.churned - last.migrated_out + last.migrated_in + last.acquired,
    );
    v.put("members_at_horizon", last.members);
    v.put("customer_months", tot.active);
    v.put("acquired", tot.acquired);
    v.put("acquisition_rate_monthly", ratio(tot.acquired / h, tot.active / h));
    v.put("churned", tot.churned);
    v.put(
        "retention_12m",
        if o.months >= 12 {
            ratio(c.active_after_12, c.initial)
        } else {
            f64::NAN
        },
    );
    v.put("retention_horizon", ratio(c.active_at_horizon, c.initial));
    v.put("repurchase_rate", ratio(c.bought_both_windows, c.bought_window1));
    v.put("purchases", tot.purchases);
    v.put("revenue", tot.revenue);
    v.put("member_revenue", tot.member_revenue);
    v.put("gross_margin", tot.gross_margin);
    v.put("points_issued", issued);
    v.put("points_redeemed", tot.points_redeemed);
    v.put("points_expired", tot.points_expired);
    v.put("vouchers_used_face", tot.vouchers_used_face);
    v.put("reward_cost", tot.reward_cost);
    v.put("member_costs", tot.member_costs);
    v.put("budget_cost", budget);
    v.put("fixed_cost", fixed);
    v.put("setup_cost", costs.setup);
    v.put("programme_cost", programme_cost);
    v.put("net_cash_flow", tot.gross_margin - tot.reward_cost - programme_cost);
    v.put("messages", tot.messages);
    v.put("co2_kg", tot.messages * costs.co2_grams / 1000.0);
    let is_prog = arm.programme.is_some();
    let levels = match &arm.programme {
        Some(p) => Generosity::from_ledger(p, tot.member_revenue, issued, tot.vouchers_used_face),
        None => Generosity {
            faciale: f64::NAN,
            maximale: f64::NAN,
            reelle: f64::NAN,
            reelle_cost: f64::NAN,
            nette: f64::NAN,
        },
    };
    v.put("generosity_faciale", levels.faciale);
    v.put("generosity_maximale", levels.maximale);
    v.put("generosity_reelle", levels.reelle);
    v.put("generosity_reelle_cost", levels.reelle_cost);
    v.put("generosity_nette", levels.nette);
    let b = |x: f64| if is_prog { ratio(x, issued) } else { f64::NAN };
    let thr = stranded + tot.points_lost_below_threshold;
    let exp = tot.points_expired + tot.points_lost_with_blocks;
    let unused = tot.points_voucher_unused;
    v.put("breakage_threshold", b(thr));
    v.put("breakage_expiry", b(exp));
    v.put("breakage_voucher_non_use", b(unused));
    v.put("breakage_total", b(thr + exp + unused));
    v.put("points_used_share", b(tot.points_redeemed - unused));
    v.put("points_redeemable_at_horizon_share", b(redeemable));
    v.put(
        "liability_points_at_horizon",
        if is_prog { stranded + redeemable } else { 0.0 },
    );
    v.put("cohort_value_per_customer", ratio(c.discounted_margin, c.initial));
    v.put("cohort_active_months_per_customer", ratio(c.active_months, c.initial));
    v.done()
}

/// Monthly cash flows of an arm: (gross margin, reward cost + programme cost) per month, with
/// set-up returned separately.
fn cash_lines(arm: &Arm<f64>, months: &[SegMonth], segment: Option<usize>) -> (Vec<f64>, Vec<f64>, f64) {
    let costs = ArmCosts::of(arm, segment);
    let gm = months.iter().map(|m| m.gross_margin).collect();
    let cost = months
        .iter()
        .map(|m| m.reward_cost + m.member_costs + costs.budget_monthly + costs.fixed_monthly)
        .collect();
    (gm, cost, costs.setup)
}

/// Incremental KPIs of `arm` against `base`, for the whole base or one segment.
pub fn incremental_kpis(
    sim: &Simulation,
    base_arm: &Arm<f64>,
    base: &ArmOutcome,
    arm: &Arm<f64>,
    o: &ArmOutcome,
    segment: Option<usize>,
) -> Vec<f64> {
    let d = sim.monthly_discount();
    let (gm_b, _, _) = cash_lines(base_arm, &months_of(base, segment), segment);
    let months = months_of(o, segment);
    let (gm, cost, setup) = cash_lines(arm, &months, segment);
    let mut npv = -setup;
    let mut disc_cost = setup;
    let mut cum = -setup;
    let mut payback = f64::NAN;
    let (mut sum_ncf, mut sum_cost) = (0.0, 0.0);
    for t in 0..gm.len() {
        let df = (1.0 + d).powi(-((t + 1) as i32));
        let ncf = gm[t] - gm_b[t] - cost[t];
        npv += ncf * df;
        disc_cost += cost[t] * df;
        sum_ncf += ncf;
        sum_cost += cost[t];
        cum += ncf;
        if payback.is_nan() && cum >= 0.0 {
            payback = (t + 1) as f64;
        }
    }
    let a = arm_kpis(arm, o, segment);
    let b = arm_kpis(base_arm, base, segment);
    let get = |v: &[f64], name: &str| v[ARM_KPIS.iter().position(|k| k.name == name).expect("kpi")];
    let reward: f64 = months.iter().map(|m| m.reward_cost).sum();
    let mut v = KpiVec::new(INCREMENTAL_KPIS);
    v.put("incremental_revenue", get(&a, "revenue") - get(&b, "revenue"));
    v.put(
        "incremental_gross_margin",
        gm.iter().sum::<f64>() - gm_b.iter().sum::<f64>(),
    );
    v.put("reward_cost", reward);
    v.put("programme_cost", sum_cost - reward + setup);
    v.put("total_cost", sum_cost + setup);
    v.put("net_cash_flow", sum_ncf - setup);
    v.put("npv", npv);
    v.put("roi", ratio(sum_ncf - setup, sum_cost + setup));
    v.put("roi_discounted", ratio(npv, disc_cost));
    v.put("payback_month", payback);
    v.put("paid_back", if payback.is_nan() { 0.0 } else { 1.0 });
    v.put(
        "retention_12m_change",
        get(&a, "retention_12m") - get(&b, "retention_12m"),
    );
    v.put(
        "retention_horizon_change",
        get(&a, "retention_horizon") - get(&b, "retention_horizon"),
    );
    v.put(
        "repurchase_rate_change",
        get(&a, "repurchase_rate") - get(&b, "repurchase_rate"),
    );
    v.put(
        "incremental_customers_at_horizon",
        get(&a, "customers_at_horizon") - get(&b, "customers_at_horizon"),
    );
    v.put("incremental_acquired", get(&a, "acquired") - get(&b, "acquired"));
    v.done()
}

/// Monthly series of an arm for the whole base: `[month][metric]` in `monthly_names()` order.
pub fn monthly_series(base: &ArmOutcome, arm: &Arm<f64>, o: &ArmOutcome) -> Vec<Vec<f64>> {
    let months = months_of(o, None);
    let base_months = months_of(base, None);
    let costs = ArmCosts::of(arm, None);
    let is_base = arm.programme.is_none();
    let mut cum = -costs.setup;
    months
        .iter()
        .zip(&base_months)
        .map(|(m, mb)| {
            let programme_cost = m.member_costs + costs.budget_monthly + costs.fixed_monthly;
            let ncf = m.gross_margin - m.reward_cost - programme_cost;
            let inc_gm = m.gross_margin - mb.gross_margin;
            let inc_ncf = inc_gm - m.reward_cost - programme_cost;
            let mut row = m.values();
            if is_base {
                row.extend([0.0, 0.0, 0.0, ncf, 0.0, 0.0, 0.0]);
            } else {
                cum += inc_ncf;
                row.extend([
                    costs.budget_monthly,
                    costs.fixed_monthly,
                    programme_cost,
                    ncf,
                    inc_gm,
                    inc_ncf,
                    cum,
                ]);
            }
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Expiry, Response, Tier};
    use crate::sim::agent::Cohort;

    const EUR: f64 = 0.005; // half a cent
    const SHARE: f64 = 5e-5; // 0.005 percentage point

    fn programme() -> Programme<f64> {
        Programme {
            points_per_currency: 1.0,
            point_value: 0.05,
            redemption_threshold_points: 200.0,
            redemption_probability_monthly: 1.0,
            voucher_non_use: 0.08,
            expiry: Expiry::Inactivity(12),
            welcome_bonus_points: 100.0,
            bonus_multiplier: 2.0,
            bonus_share_of_spend: 0.10,
            reward_cost_basis: 0.65,
            supplier_funding_share: 0.30,
            expected_redemption_rate: None,
            setup_cost: 0.0,
            fixed_cost_monthly: 0.0,
            cost_per_member_monthly: 0.0,
            messages_per_member_monthly: 0.0,
            cost_per_message: 0.0,
            co2_grams_per_message: 0.3,
            tiers: vec![Tier {
                name: "silver".into(),
                min_spend_12m: 0.0,
                earn_multiplier: 1.05,
                benefit_cost_monthly: 0.0,
            }],
        }
    }

    /// DOMAIN.md §1 worked example, one deterministic member, through the engine's own earning
    /// and conversion rules: €600 spend → 790 points (600 base + 60 double points + 30 tier +
    /// 100 welcome) → 3 vouchers of €10, 190 points expire, 8 % of vouchers unused → €27.60.
    #[test]
    fn generosity_worked_example() {
        let p = programme();
        let earned = p.points_for_spend(600.0, p.tiers[0].earn_multiplier);
        assert_eq!(earned, 690.0);
        let issued = earned + p.welcome_bonus_points;
        assert_eq!(issued, 790.0);
        let (vouchers, converted) = p.vouchers_for(issued);
        assert_eq!((vouchers, converted), (3.0, 600.0));
        assert_eq!(issued - converted, 190.0, "points left to expire");
        let face = converted * p.point_value;
        assert!((face - 30.0).abs() < EUR);
        let used_face = face * (1.0 - p.voucher_non_use);
        assert!((used_face - 27.60).abs() < EUR);
        let g = Generosity::from_ledger(&p, 600.0, issued, used_face);
        assert!((g.faciale - 0.0500).abs() < SHARE, "{g:?}");
        assert!((g.maximale - 0.0658).abs() < SHARE, "{g:?}");
        assert!((g.reelle - 0.0460).abs() < SHARE, "{g:?}");
        assert!((g.reelle_cost - 0.0299).abs() < SHARE, "{g:?}");
        assert!((g.nette - 0.0209).abs() < SHARE, "{g:?}");
        // breakage multiplies: G_rea = G_max · (1 − b)
        let b = 1.0 - g.reelle / g.maximale;
        assert!((b - (1.0 - 27.6 / 39.5)).abs() < 1e-12);
    }

    fn sim() -> Simulation {
        Simulation {
            horizon_months: 12,
            iterations: 1,
            seed: 1,
            discount_rate_annual: 0.0,
            currency: "EUR".into(),
            sample_share: 1.0,
            repurchase_window_months: 6,
        }
    }

    fn arm(programme: Option<Programme<f64>>) -> Arm<f64> {
        Arm {
            name: "x".into(),
            description: String::new(),
            programme,
            response: vec![Response::none(1).instantiate(&[])],
            allocation: vec![0.0],
            allocation_name: "default".into(),
        }
    }

    fn outcome(margin_year: f64, reward_year: f64, member_costs_year: f64) -> ArmOutcome {
        let m = SegMonth {
            gross_margin: margin_year / 12.0,
            revenue: margin_year / 12.0 / 0.3,
            reward_cost: reward_year / 12.0,
            member_costs: member_costs_year / 12.0,
            ..SegMonth::default()
        };
        ArmOutcome {
            months: 12,
            n_segments: 1,
            seg_months: vec![m; 12],
            tier_members: vec![0.0; 12],
            n_tiers: 0,
            cohort: vec![Cohort::default()],
            end_points_stranded: vec![0.0],
            end_points_redeemable: vec![0.0],
            customer_months: 0,
        }
    }

    /// DOMAIN.md §3 worked case: 40,000 members, €500/yr, margin 30 %, G_fac 2 % on all spend,
    /// breakage 25 %, rewards at cost ×0.70, fixed €140,000 + 24 emails × €0.002 per member.
    /// Lift +4 % ⇒ net −€120,320 (ROI −33 %); lift +8 % ⇒ net +€111,280 (ROI +30 %).
    #[test]
    fn roi_worked_case() {
        let (n, spend, m) = (40_000.0, 500.0, 0.30);
        let base = outcome(n * spend * m, 0.0, 0.0);
        let mut p = programme();
        p.fixed_cost_monthly = 140_000.0 / 12.0;
        let emails = n * 24.0 * 0.002;
        for (lift, net, roi) in [(0.04, -120_320.0, -0.334), (0.08, 111_280.0, 0.302)] {
            let rewards = n * spend * (1.0 + lift) * 0.02 * (1.0 - 0.25) * 0.70;
            let o = outcome(n * spend * (1.0 + lift) * m, rewards, emails);
            let k = incremental_kpis(&sim(), &arm(None), &base, &arm(Some(p.clone())), &o, None);
            let get = |name: &str| k[INCREMENTAL_KPIS.iter().position(|x| x.name == name).unwrap()];
            assert!((get("incremental_gross_margin") - n * spend * lift * m).abs() < 1e-6);
            assert!(
                (get("net_cash_flow") - net).abs() < 1e-6,
                "lift {lift}: {}",
                get("net_cash_flow")
            );
            assert!((get("npv") - net).abs() < 1e-6, "no discounting, no set-up: NPV = net");
            assert!((get("roi") - roi).abs() < 0.0005, "lift {lift}: ROI {}", get("roi"));
            assert!((get("total_cost") - (rewards + 141_920.0)).abs() < 1e-6);
        }
    }

    /// Set-up at month 0, discounting and payback on a hand-made cash-flow line.
    #[test]
    fn npv_payback_and_setup() {
        let mut s = sim();
        s.discount_rate_annual = 0.10;
        let base = outcome(1_200_000.0, 0.0, 0.0);
        let o = outcome(1_200_000.0 + 120_000.0, 0.0, 0.0); // +10,000 a month
        let mut p = programme();
        p.setup_cost = 50_000.0;
        let k = incremental_kpis(&s, &arm(None), &base, &arm(Some(p)), &o, None);
        let get = |name: &str| k[INCREMENTAL_KPIS.iter().position(|x| x.name == name).unwrap()];
        let d = s.monthly_discount();
        let npv: f64 = -50_000.0 + (1..=12).map(|t| 10_000.0 / (1.0 + d).powi(t)).sum::<f64>();
        assert!((get("npv") - npv).abs() < 1e-6);
        assert_eq!(get("payback_month"), 5.0, "−50,000 + 5 × 10,000 = 0 at month 5");
        assert_eq!(get("paid_back"), 1.0);
        assert!((get("roi") - 70_000.0 / 50_000.0).abs() < 1e-12);
    }
}
