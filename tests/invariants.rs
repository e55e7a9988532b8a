//! Property-based invariants of the agent engine and of the finance layered on it.
//!
//! Random but valid segments (1–4, with migration), a random programme arm (expiry rules, tiers,
//! bonus days, voucher non-use, responses with migration and acquisition lifts, budgets) and a
//! random key are simulated directly with `simulate_arms`, one arm at a time; every case must satisfy the
//! accounting identities of customers, points, vouchers, breakage and the points liability,
//! and the engine must be deterministic. Populations are small so the whole file runs in
//! seconds.

use loyalsim::finance::liability::{LiabilityMonthInput, check_identities, roll_forward};
use loyalsim::finance::{ARM_KPIS, arm_kpis, months_of};
use loyalsim::model::{Arm, Expiry, Programme, Response, Segment, Tier};
use loyalsim::sim::agent::{ArmOutcome, ArmsInput, simulate_arms};
use loyalsim::sim::metrics::SegMonth;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

/// Cases per property.
const CASES: u32 = 128;
/// Relative tolerance of the points and currency identities (scaled by max(1, points issued)).
const REL_TOL: f64 = 1e-9;

fn config() -> ProptestConfig {
    ProptestConfig {
        // PROPTEST_CASES overrides the count for longer soak runs.
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(CASES),
        // Keep the source tree clean: minimised failures are printed, not written to files.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// One generated simulation: segments, the programme arm and the run settings.
#[derive(Debug, Clone)]
struct Case {
    segments: Vec<Segment<f64>>,
    arm: Arm<f64>,
    horizon: u32,
    sample_share: f64,
    repurchase_window: u32,
    monthly_discount: f64,
    key: u64,
    /// Accountant's expected redemption rate per month, in (0, 1] (liability property).
    redemption_rates: Vec<f64>,
}

impl Case {
    fn simulate(&self, arm: &Arm<f64>) -> ArmOutcome {
        simulate_arms(&ArmsInput {
            segments: &self.segments,
            arms: std::slice::from_ref(arm),
            horizon_months: self.horizon,
            sample_share: self.sample_share,
            repurchase_window_months: self.repurchase_window,
            monthly_discount: self.monthly_discount,
            key: self.key,
        })
        .remove(0)
    }

    fn baseline(&self) -> Arm<f64> {
        let n = self.segments.len();
        Arm {
            name: "baseline".into(),
            description: String::new(),
            programme: None,
            response: vec![Response::none(n).instantiate(&[]); n],
            allocation: vec![0.0; n],
            allocation_name: "default".into(),
        }
    }

    fn programme(&self) -> &Programme<f64> {
        self.arm.programme.as_ref().expect("generated arms have a programme")
    }
}

/// A value in `lo..hi`, or (one time in six) one of the `edges` such as 0 or 1 exactly.
fn edgy(lo: f64, hi: f64, edges: &'static [f64]) -> BoxedStrategy<f64> {
    prop_oneof![1 => proptest::sample::select(edges), 5 => lo..hi].boxed()
}

/// A migration row for segment `own` of `n`: random weights scaled to a random total ≤ 1, own
/// entry 0; or no migration at all.
fn migration_row(n: usize, own: usize) -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        Just(vec![0.0; n]),
        (vec(0.0..1.0f64, n), 0.0..=1.0f64).prop_map(move |(w, total)| {
            let sum: f64 = w.iter().enumerate().filter(|&(j, _)| j != own).map(|(_, x)| x).sum();
            w.iter()
                .enumerate()
                .map(|(j, &x)| {
                    if j == own || sum <= 0.0 {
                        0.0
                    } else {
                        // 0.999… keeps the row sum ≤ 1 after rounding
                        x / sum * total * 0.999_999
                    }
                })
                .collect()
        }),
    ]
}

fn segment(n: usize, own: usize) -> impl Strategy<Value = Segment<f64>> {
    (
        (
            0u64..300,
            edgy(0.0, 3.0, &[0.0]),
            option::of(0.05..20.0f64),
            1.0..200.0f64,
            edgy(0.0, 1.5, &[0.0]),
            edgy(0.0, 0.3, &[0.0]),
        ),
        (
            option::of(0.1..50.0f64),
            edgy(0.0, 30.0, &[0.0]),
            edgy(0.0, 1.0, &[0.0, 1.0]),
            edgy(0.0, 1.0, &[0.0, 1.0]),
            migration_row(n, own),
        ),
    )
        .prop_map(
            move |((customers, ppm, shape, basket, cv, churn), (conc, acq, margin, enrol, migration))| Segment {
                name: format!("s{own}"),
                description: String::new(),
                customers,
                purchases_per_month: ppm,
                purchase_rate_shape: shape,
                basket_mean: basket,
                basket_cv: cv,
                churn_monthly: churn,
                churn_concentration: conc,
                acquisition_monthly: acq,
                gross_margin: margin,
                enrolment_share: enrol,
                migration,
            },
        )
}

fn segments(n: usize) -> impl Strategy<Value = Vec<Segment<f64>>> {
    (0..n).map(|s| segment(n, s)).collect::<Vec<_>>()
}

fn expiry() -> impl Strategy<Value = Expiry> {
    prop_oneof![
        Just(Expiry::Never),
        (1u32..13).prop_map(Expiry::Inactivity),
        (1u32..25).prop_map(Expiry::Age),
    ]
}

/// 0–3 tiers with increasing spend thresholds and increasing earn multipliers (≥ 1).
fn tiers() -> impl Strategy<Value = Vec<Tier>> {
    vec((1.0..3000.0f64, 0.0..1.0f64, 0.0..5.0f64), 0..=3).prop_map(|steps| {
        let (mut spend, mut mult) = (0.0, 1.0);
        steps
            .into_iter()
            .enumerate()
            .map(|(i, (d_spend, d_mult, benefit))| {
                spend += d_spend;
                mult += d_mult;
                Tier {
                    name: format!("tier{i}"),
                    min_spend_12m: spend,
                    earn_multiplier: mult,
                    benefit_cost_monthly: benefit,
                }
            })
            .collect()
    })
}

fn programme() -> impl Strategy<Value = Programme<f64>> {
    (
        (
            edgy(0.0, 3.0, &[0.0, 1.0]),
            edgy(0.0, 0.05, &[0.0, 0.01]),
            edgy(1.0, 500.0, &[1.0, 100.0]),
            edgy(0.0, 1.0, &[0.0, 1.0]),
            edgy(0.0, 0.3, &[0.0]),
            expiry(),
            prop_oneof![Just(0.0), 0.0..200.0f64, (0u32..200).prop_map(f64::from)],
        ),
        (
            edgy(1.0, 3.0, &[1.0, 2.0]),
            edgy(0.0, 0.5, &[0.0]),
            0.0..=1.0f64,
            0.0..=1.0f64,
            option::of(0.0..=1.0f64),
        ),
        (
            0.0..10_000.0f64,
            0.0..1000.0f64,
            0.0..2.0f64,
            0.0..4.0f64,
            0.0..0.1f64,
            0.0..1.0f64,
            tiers(),
        ),
    )
        .prop_map(
            |(
                (ppc, pv, threshold, p_redeem, non_use, expiry, welcome),
                (bonus_mult, bonus_share, cost_basis, supplier, expected),
                (setup, fixed, per_member, msgs, per_msg, co2, tiers),
            )| Programme {
                points_per_currency: ppc,
                point_value: pv,
                redemption_threshold_points: threshold,
                redemption_probability_monthly: p_redeem,
                voucher_non_use: non_use,
                expiry,
                welcome_bonus_points: welcome,
                bonus_multiplier: bonus_mult,
                bonus_share_of_spend: bonus_share,
                reward_cost_basis: cost_basis,
                supplier_funding_share: supplier,
                expected_redemption_rate: expected,
                setup_cost: setup,
                fixed_cost_monthly: fixed,
                cost_per_member_monthly: per_member,
                messages_per_member_monthly: msgs,
                cost_per_message: per_msg,
                co2_grams_per_message: co2,
                tiers,
            },
        )
}

fn response(n: usize) -> impl Strategy<Value = Response<f64>> {
    (
        (
            -0.5..1.0f64,
            -0.5..1.0f64,
            -1.0..=1.0f64,
            -1.0..3.0f64,
            0.0..12.0f64,
            option::of(1e-4..0.1f64),
            0.5..3.0f64,
        ),
        (
            -0.5..1.0f64,
            -0.5..1.0f64,
            -1.0..=1.0f64,
            0.01..20.0f64,
            0.5..3.0f64,
            vec(-1.0..3.0f64, n),
        ),
    )
        .prop_map(
            |((freq, basket, churn, acq, ramp, half, hill), (b_freq, b_basket, b_churn, b_half, b_hill, mig))| {
                Response {
                    frequency_lift: freq,
                    basket_lift: basket,
                    churn_reduction: churn,
                    acquisition_lift: acq,
                    ramp_up_months: ramp,
                    generosity_half_effect: half,
                    generosity_hill: hill,
                    budget_frequency_lift: b_freq,
                    budget_basket_lift: b_basket,
                    budget_churn_reduction: b_churn,
                    budget_half_effect_per_member: b_half,
                    budget_hill: b_hill,
                    migration_lift: mig,
                }
            },
        )
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..=4).prop_flat_map(|n| {
        (
            segments(n),
            programme(),
            vec(response(n), n),
            vec(prop_oneof![Just(0.0), 0.0..1000.0f64], n),
            1u32..30,
            prop_oneof![Just(1.0), Just(0.5)],
            (1u32..=6, 0.0..0.01f64, any::<u64>()),
            vec(0.01..=1.0f64, 30),
        )
            .prop_map(
                |(segments, programme, response, allocation, horizon, sample_share, (window, disc, key), rates)| Case {
                    segments,
                    arm: Arm {
                        name: "programme".into(),
                        description: String::new(),
                        programme: Some(programme),
                        response,
                        allocation,
                        allocation_name: "default".into(),
                    },
                    horizon,
                    sample_share,
                    repurchase_window: window,
                    monthly_discount: disc,
                    key,
                    redemption_rates: rates,
                },
            )
    })
}

/// Whole-base monthly metrics.
fn whole(o: &ArmOutcome) -> Vec<SegMonth> {
    months_of(o, None)
}

/// Tolerance for a points identity after `issued` points were issued.
fn tol(issued: f64) -> f64 {
    REL_TOL * issued.max(1.0)
}

fn kpi(values: &[f64], name: &str) -> f64 {
    let i = ARM_KPIS
        .iter()
        .position(|k| k.name == name)
        .unwrap_or_else(|| panic!("no KPI {name}"));
    values[i]
}

/// The programme outcome in sample units and scaled to the population, as the driver does
/// (scaling by 2 is exact, so every identity holds in both).
fn outcomes(c: &Case) -> [ArmOutcome; 2] {
    let o = c.simulate(&c.arm);
    let mut scaled = o.clone();
    scaled.scale(1.0 / c.sample_share);
    [o, scaled]
}

const POINT_FLOWS: [&str; 6] = [
    "points_issued",
    "points_redeemed",
    "points_expired",
    "points_lost_below_threshold",
    "points_lost_with_blocks",
    "points_balance",
];

fn point_flows(m: &SegMonth) -> [f64; 6] {
    [
        m.points_issued,
        m.points_redeemed,
        m.points_expired,
        m.points_lost_below_threshold,
        m.points_lost_with_blocks,
        m.points_balance,
    ]
}

proptest! {
    #![proptest_config(config())]

    /// 1. Customers are conserved: whole base, per segment with migration, migration balances.
    #[test]
    fn customers_conserved(c in case()) {
        let [o, scaled] = outcomes(&c);
        let ns = c.segments.len();
        let h = c.horizon as usize;
        prop_assert_eq!(o.seg_months.len(), h * ns);
        let initial: f64 = c
            .segments
            .iter()
            .map(|s| (s.customers as f64 * c.sample_share).round())
            .sum();
        prop_assert_eq!(whole(&o)[0].active, initial, "month 1 starts with the initial customers");
        let months = whole(&o);
        prop_assert_eq!(o.customer_months as f64, months.iter().map(|m| m.active).sum::<f64>());
        for out in [&o, &scaled] {
            let w = whole(out);
            for t in 0..h {
                let m = &w[t];
                for (name, v) in SegMonth::NAMES.iter().zip(m.values()) {
                    // The points balance may carry float dust (see `age_expiry_balance_never_negative`);
                    // `points_roll_forward` checks it with a tolerance.
                    let floor = if *name == "points_balance" { -tol(m.points_issued) } else { 0.0 };
                    prop_assert!(v.is_finite() && v >= floor, "month {}: {} = {}", t + 1, name, v);
                }
                prop_assert_eq!(m.migrated_in, m.migrated_out, "month {}: migration in != out", t + 1);
                prop_assert!(m.members <= m.active && m.buyers <= m.active && m.churned <= m.active);
                prop_assert!(m.member_revenue <= m.revenue * (1.0 + 1e-12) + 1e-9);
                if t + 1 < h {
                    let next = w[t + 1].active;
                    prop_assert_eq!(
                        next,
                        m.active - m.churned + m.acquired,
                        "whole base, month {}: {} - {} + {}",
                        t + 1,
                        m.active,
                        m.churned,
                        m.acquired
                    );
                    for s in 0..ns {
                        let a = out.seg_month(t, s);
                        let expected = a.active - a.churned - a.migrated_out + a.migrated_in + a.acquired;
                        prop_assert_eq!(
                            out.seg_month(t + 1, s).active,
                            expected,
                            "segment {}, month {}: {:?}",
                            s,
                            t + 1,
                            a
                        );
                    }
                }
            }
        }
        // Active at the horizon (by starting segment) never exceeds the initial customers.
        for k in &o.cohort {
            prop_assert!(k.active_at_horizon <= k.initial);
        }
    }

    /// 2. Points roll forward month by month; balances and flows are never negative; every issued
    ///    point is redeemed, expired, lost or still held.
    #[test]
    fn points_roll_forward(c in case()) {
        for o in outcomes(&c) {
            let mut balance = 0.0;
            let mut issued = 0.0;
            let (mut redeemed, mut expired, mut lost) = (0.0, 0.0, 0.0);
            for (t, m) in whole(&o).iter().enumerate() {
                issued += m.points_issued;
                redeemed += m.points_redeemed;
                expired += m.points_expired;
                lost += m.points_lost_below_threshold + m.points_lost_with_blocks;
                // Flows are exactly non-negative; the balance within the tolerance, because a
                // customer's running balance can end a few ulps below zero under age expiry
                // (`age_expiry_balance_never_negative`, ignored until the engine is fixed).
                for (name, v) in POINT_FLOWS.iter().zip(point_flows(m)) {
                    let floor = if name == &"points_balance" { -tol(issued) } else { 0.0 };
                    prop_assert!(v >= floor, "month {}: {} = {} < 0", t + 1, name, v);
                }
                let expected = balance + m.points_issued
                    - m.points_redeemed
                    - m.points_expired
                    - m.points_lost_below_threshold
                    - m.points_lost_with_blocks;
                prop_assert!(
                    (m.points_balance - expected).abs() <= tol(issued),
                    "month {}: balance {} but roll-forward gives {} (diff {:e})",
                    t + 1,
                    m.points_balance,
                    expected,
                    m.points_balance - expected
                );
                balance = m.points_balance;
                let closure = redeemed + expired + lost + balance;
                prop_assert!(
                    (closure - issued).abs() <= tol(issued),
                    "month {}: redeemed {} + expired {} + lost {} + closing {} = {} != issued {}",
                    t + 1,
                    redeemed,
                    expired,
                    lost,
                    balance,
                    closure,
                    issued
                );
            }
            if c.programme().points_per_currency == 0.0 && c.programme().welcome_bonus_points == 0.0 {
                prop_assert_eq!(issued, 0.0);
            }
        }
    }

    /// 3. At the horizon, stranded + redeemable points equal the closing balance.
    #[test]
    fn horizon_points_split(c in case()) {
        for o in outcomes(&c) {
            let w = whole(&o);
            let issued: f64 = w.iter().map(|m| m.points_issued).sum();
            let closing = w.last().map_or(0.0, |m| m.points_balance);
            let stranded: f64 = o.end_points_stranded.iter().sum();
            let redeemable: f64 = o.end_points_redeemable.iter().sum();
            for s in 0..o.n_segments {
                let (st, re) = (o.end_points_stranded[s], o.end_points_redeemable[s]);
                // Stranded points within the tolerance (float dust, as for the balance).
                prop_assert!(st >= -tol(issued), "segment {}: stranded {}", s, st);
                prop_assert!(re >= 0.0, "segment {}: redeemable {}", s, re);
                // Per segment too: the last month's balance is held by the segment's members.
                let seg_closing = o.seg_month(w.len() - 1, s).points_balance;
                prop_assert!(
                    (st + re - seg_closing).abs() <= tol(issued),
                    "segment {}: stranded {} + redeemable {} != closing {}",
                    s,
                    st,
                    re,
                    seg_closing
                );
            }
            prop_assert!(
                (stranded + redeemable - closing).abs() <= tol(issued),
                "stranded {} + redeemable {} = {} != closing balance {}",
                stranded,
                redeemable,
                stranded + redeemable,
                closing
            );
        }
    }

    /// 4. Vouchers: used + unused face = points redeemed × point value; unused points ≤ redeemed.
    #[test]
    fn vouchers_balance(c in case()) {
        let p = c.programme();
        for o in outcomes(&c) {
            let mut issued = 0.0;
            for (t, m) in whole(&o).iter().enumerate() {
                issued += m.points_issued;
                let face = m.vouchers_used_face + m.vouchers_unused_face;
                let expected = m.points_redeemed * p.point_value;
                prop_assert!(
                    (face - expected).abs() <= REL_TOL * expected.max(1.0),
                    "month {}: used {} + unused {} != redeemed {} × {}",
                    t + 1,
                    m.vouchers_used_face,
                    m.vouchers_unused_face,
                    m.points_redeemed,
                    p.point_value
                );
                prop_assert!(m.vouchers_used_face >= 0.0 && m.vouchers_unused_face >= 0.0);
                prop_assert!(
                    m.points_voucher_unused <= m.points_redeemed + tol(issued),
                    "month {}: unused {} > redeemed {}",
                    t + 1,
                    m.points_voucher_unused,
                    m.points_redeemed
                );
                // reward cost = used face × net cost share
                let rc = m.vouchers_used_face * p.net_cost_share();
                prop_assert!((m.reward_cost - rc).abs() <= REL_TOL * rc.max(1.0));
                if p.voucher_non_use == 0.0 {
                    prop_assert_eq!(m.points_voucher_unused, 0.0);
                }
            }
        }
    }

    /// 5. Breakage shares are in [0, 1] and, with used and still-redeemable points, sum to 1.
    #[test]
    fn breakage_shares(c in case()) {
        for o in outcomes(&c) {
            let v = arm_kpis(&c.arm, &o, None);
            let issued = kpi(&v, "points_issued");
            if issued <= 0.0 {
                continue;
            }
            let names = [
                "breakage_threshold",
                "breakage_expiry",
                "breakage_voucher_non_use",
                "breakage_total",
                "points_used_share",
                "points_redeemable_at_horizon_share",
            ];
            for name in names {
                let x = kpi(&v, name);
                prop_assert!(
                    (-1e-9..=1.0 + 1e-9).contains(&x),
                    "{} = {} outside [0, 1] (issued {})",
                    name,
                    x,
                    issued
                );
            }
            let parts =
                kpi(&v, "breakage_threshold") + kpi(&v, "breakage_expiry") + kpi(&v, "breakage_voucher_non_use");
            prop_assert!((parts - kpi(&v, "breakage_total")).abs() <= 1e-9);
            let sum = kpi(&v, "breakage_total")
                + kpi(&v, "points_used_share")
                + kpi(&v, "points_redeemable_at_horizon_share");
            prop_assert!((sum - 1.0).abs() <= 1e-9, "breakage + used + redeemable = {} (diff {:e})", sum, sum - 1.0);
            // The liability at the horizon is the closing balance.
            let closing = whole(&o).last().map_or(0.0, |m| m.points_balance);
            prop_assert!((kpi(&v, "liability_points_at_horizon") - closing).abs() <= tol(issued));
            // Segment KPIs obey the same split when the segment issued points (no migration
            // moves points across segments).
            if c.segments.iter().all(|s| s.migration.iter().all(|&p| p == 0.0)) {
                for s in 0..o.n_segments {
                    let v = arm_kpis(&c.arm, &o, Some(s));
                    if kpi(&v, "points_issued") > 0.0 {
                        let sum = kpi(&v, "breakage_total")
                            + kpi(&v, "points_used_share")
                            + kpi(&v, "points_redeemable_at_horizon_share");
                        prop_assert!((sum - 1.0).abs() <= 1e-9, "segment {}: sum {}", s, sum);
                    }
                }
            }
        }
    }

    /// 6. The baseline (no programme) issues no points and has no member costs.
    #[test]
    fn baseline_has_no_programme(c in case()) {
        let base = c.baseline();
        let o = c.simulate(&base);
        for m in &o.seg_months {
            let zero = [
                m.members,
                m.member_revenue,
                m.points_base,
                m.points_issued,
                m.points_redeemed,
                m.points_expired,
                m.points_lost_below_threshold,
                m.points_lost_with_blocks,
                m.points_voucher_unused,
                m.vouchers_used_face,
                m.vouchers_unused_face,
                m.reward_cost,
                m.member_costs,
                m.messages,
                m.points_balance,
            ];
            prop_assert!(zero.iter().all(|&x| x == 0.0), "baseline has programme activity: {:?}", m);
        }
        prop_assert!(o.end_points_stranded.iter().chain(&o.end_points_redeemable).all(|&x| x == 0.0));
        prop_assert!(o.tier_members.iter().all(|&x| x == 0.0));
        let v = arm_kpis(&base, &o, None);
        prop_assert_eq!(kpi(&v, "points_issued"), 0.0);
        prop_assert_eq!(kpi(&v, "programme_cost"), 0.0);
        prop_assert_eq!(kpi(&v, "liability_points_at_horizon"), 0.0);
        // Common random numbers: the same initial customers in both arms.
        let prog = c.simulate(&c.arm);
        let first = |x: &ArmOutcome| x.seg_months[..x.n_segments].iter().map(|m| m.active).collect::<Vec<_>>();
        prop_assert_eq!(first(&o), first(&prog));
    }

    /// 7. The whole-base series rolls forward in the IFRS 15 liability and passes its identities.
    #[test]
    fn liability_identities(c in case()) {
        let p = c.programme();
        for o in outcomes(&c) {
            let w = whole(&o);
            let input: Vec<LiabilityMonthInput> = w
                .iter()
                .zip(&c.redemption_rates)
                .map(|(m, &r)| LiabilityMonthInput {
                    member_sales: m.member_revenue,
                    points_issued: m.points_issued,
                    points_redeemed: m.points_redeemed,
                    points_expired: m.points_expired + m.points_lost_below_threshold + m.points_lost_with_blocks,
                    expected_redemption_rate: p.expected_redemption_rate.filter(|&x| x > 0.0).unwrap_or(r),
                })
                .collect();
            let rows = roll_forward(&input, p.point_value, p.net_cost_share());
            prop_assert_eq!(rows.len(), w.len());
            if let Err(e) = check_identities(&rows) {
                prop_assert!(false, "liability identities fail: {}", e);
            }
            let mut issued = 0.0;
            for (r, m) in rows.iter().zip(&w) {
                issued += m.points_issued;
                prop_assert!(
                    (r.closing_points - m.points_balance).abs() <= tol(issued),
                    "month {}: liability closing {} != engine balance {}",
                    r.month,
                    r.closing_points,
                    m.points_balance
                );
                prop_assert!(r.deferred_closing >= -1e-9 * r.deferred_added.max(1.0));
                prop_assert!(r.closing_economic_cost <= r.closing_expected_value + 1e-9);
            }
        }
    }

    /// 8. The engine is deterministic: the same input gives the same outcome.
    #[test]
    fn deterministic(c in case()) {
        let a = c.simulate(&c.arm);
        let b = c.simulate(&c.arm);
        prop_assert_eq!(&a, &b);
        let base = c.baseline();
        prop_assert_eq!(c.simulate(&base), c.simulate(&base));
    }
}

/// The generator reaches every ledger path often enough for the properties to mean something.
#[test]
fn generator_exercises_every_ledger_path() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let names = [
        "points issued",
        "points redeemed",
        "points expired",
        "points lost below a block",
        "points lost with blocks",
        "vouchers unused",
        "redeemable at horizon",
        "migration",
        "acquisition",
        "upper tiers",
        "sample share 0.5",
    ];
    let mut seen = [0usize; 11];
    let n = 256;
    for _ in 0..n {
        let c = case().new_tree(&mut runner).expect("case").current();
        let o = c.simulate(&c.arm);
        let mut t = SegMonth::default();
        whole(&o).iter().for_each(|m| t.add(m));
        let upper_tiers = o
            .tier_members
            .chunks(o.n_tiers + 1)
            .any(|row| row[1..].iter().any(|&x| x > 0.0));
        let hit = [
            t.points_issued > 0.0,
            t.points_redeemed > 0.0,
            t.points_expired > 0.0,
            t.points_lost_below_threshold > 0.0,
            t.points_lost_with_blocks > 0.0,
            t.points_voucher_unused > 0.0,
            o.end_points_redeemable.iter().sum::<f64>() > 0.0,
            t.migrated_out > 0.0,
            t.acquired > 0.0,
            upper_tiers,
            c.sample_share < 1.0,
        ];
        for (k, &h) in hit.iter().enumerate() {
            seen[k] += usize::from(h);
        }
    }
    for (name, &k) in names.iter().zip(&seen) {
        assert!(k * 20 >= n, "only {k} of {n} generated cases reach '{name}'");
    }
}

/// A member who earns whole points on top of a fractional welcome bonus under age expiry.
fn age_expiry_dust_case() -> (Segment<f64>, Arm<f64>) {
    let seg = Segment {
        name: "s0".into(),
        description: String::new(),
        customers: 1,
        purchases_per_month: 1.0,
        purchase_rate_shape: None,
        basket_mean: 62.543023270032506,
        basket_cv: 0.0,
        churn_monthly: 0.0,
        churn_concentration: None,
        acquisition_monthly: 0.0,
        gross_margin: 0.5,
        enrolment_share: 1.0,
        migration: vec![0.0],
    };
    let programme = Programme {
        points_per_currency: 1.0,
        point_value: 0.01,
        redemption_threshold_points: 1000.0,
        redemption_probability_monthly: 0.0,
        voucher_non_use: 0.0,
        expiry: Expiry::Age(2),
        welcome_bonus_points: 7.7,
        bonus_multiplier: 1.0,
        bonus_share_of_spend: 0.0,
        reward_cost_basis: 1.0,
        supplier_funding_share: 0.0,
        expected_redemption_rate: None,
        setup_cost: 0.0,
        fixed_cost_monthly: 0.0,
        cost_per_member_monthly: 0.0,
        messages_per_member_monthly: 0.0,
        cost_per_message: 0.0,
        co2_grams_per_message: 0.0,
        tiers: vec![],
    };
    let arm = Arm {
        name: "programme".into(),
        description: String::new(),
        programme: Some(programme),
        response: vec![Response::none(1).instantiate(&[])],
        allocation: vec![0.0],
        allocation_name: "default".into(),
    };
    (seg, arm)
}

fn simulate_dust_case() -> ArmOutcome {
    let (seg, arm) = age_expiry_dust_case();
    simulate_arms(&ArmsInput {
        segments: std::slice::from_ref(&seg),
        arms: std::slice::from_ref(&arm),
        horizon_months: 4,
        sample_share: 1.0,
        repurchase_window_months: 1,
        monthly_discount: 0.0,
        key: 42,
    })
    .remove(0)
}

/// Engine finding (minimised from `horizon_points_split` / `points_roll_forward`): under age
/// expiry the running balance `c.points` and the per-month lots are updated separately, and
/// `(a + b) − a ≠ b` in floating point. Here the member gets 7.7 welcome points (month 0 lot),
/// earns 125 points in month 1 (two baskets of 62.54): balance 132.7; month 2 expires the 7.7 lot →
/// 124.99999999999999; month 3 expires the 125 lot → −1.4210854715202004e-14. The balance
/// stays negative and is reported as stranded points at the horizon. The identities still
/// hold to ~1e-16 relative. Fixed in the engine: points are whole (`Programme::with_whole_points`
/// floors the welcome bonus), so every ledger amount is an exact integer and this strict check
/// holds.
#[test]
fn age_expiry_balance_never_negative() {
    let o = simulate_dust_case();
    for (t, m) in o.seg_months.iter().enumerate() {
        assert!(
            m.points_balance >= 0.0,
            "month {}: balance {:e}",
            t + 1,
            m.points_balance
        );
    }
    assert!(
        o.end_points_stranded[0] >= 0.0,
        "stranded {:e}",
        o.end_points_stranded[0]
    );
}

/// The same case within tolerance: the dust is tiny and the ledger still closes.
#[test]
fn age_expiry_dust_is_within_tolerance() {
    let o = simulate_dust_case();
    let issued: f64 = o.seg_months.iter().map(|m| m.points_issued).sum();
    let out: f64 = o
        .seg_months
        .iter()
        .map(|m| m.points_redeemed + m.points_expired + m.points_lost_below_threshold + m.points_lost_with_blocks)
        .sum();
    let closing = o.seg_months.last().map_or(0.0, |m| m.points_balance);
    assert!((issued - out - closing).abs() <= tol(issued));
    assert!(closing.abs() <= tol(issued), "closing {closing:e}");
    assert!(o.end_points_stranded[0] >= -tol(issued));
}
