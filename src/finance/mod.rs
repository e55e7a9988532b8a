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

use crate::model::{Arm, Simulation};
use crate::sim::agent::{ArmOutcome, Cohort};
use crate::sim::metrics::SegMonth;
use serde::Serialize;

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
    point_value: f64,
    faciale: f64,
    cost_basis: f64,
    co2_grams: f64,
}

impl ArmCosts {
    fn of(arm: &Arm<f64>, segment: Option<usize>) -> Self {
        match &arm.programme {
            None => ArmCosts {
                budget_monthly: 0.0,
                fixed_monthly: 0.0,
                setup: 0.0,
                point_value: 0.0,
                faciale: 0.0,
                cost_basis: 0.0,
                co2_grams: 0.0,
            },
            Some(p) => ArmCosts {
                budget_monthly: match segment {
                    Some(s) => arm.allocation[s],
                    None => arm.allocation.iter().sum(),
                },
                fixed_monthly: if segment.is_none() { p.fixed_cost_monthly } else { 0.0 },
                setup: if segment.is_none() { p.setup_cost } else { 0.0 },
                point_value: p.point_value,
                faciale: p.faciale(),
                cost_basis: p.reward_cost_basis,
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
            for x in &o.cohort {
                c.initial += x.initial;
                c.active_after_12 += x.active_after_12;
                c.active_at_horizon += x.active_at_horizon;
                c.bought_window1 += x.bought_window1;
                c.bought_both_windows += x.bought_both_windows;
                c.discounted_margin += x.discounted_margin;
                c.active_months += x.active_months;
            }
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
    let g = |x: f64| {
        if is_prog {
            ratio(x, tot.member_revenue)
        } else {
            f64::NAN
        }
    };
    v.put("generosity_faciale", if is_prog { costs.faciale } else { f64::NAN });
    v.put("generosity_maximale", g(issued * costs.point_value));
    v.put("generosity_reelle", g(tot.vouchers_used_face));
    v.put("generosity_reelle_cost", g(tot.vouchers_used_face * costs.cost_basis));
    v.put("generosity_nette", g(tot.reward_cost));
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
