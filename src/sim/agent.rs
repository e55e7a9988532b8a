//! Agent engine: one record per customer, simulated month by month for every arm of one
//! iteration in a single pass. Every random number is keyed by (iteration, customer, month,
//! purpose), so the arms share their random numbers by meaning (common random numbers): the
//! uniform deciding whether customer i churns in month t is the same in every arm. The pass
//! exploits it: a customer's record holds what the arms share (stream key, individual
//! multipliers, the arms it is active in) and its state in each arm; each customer-month's
//! random words, purchase count and spend draw are computed once and reused by every arm where
//! they are the same. Where arms differ (a programme keeps a customer the baseline loses, a
//! migration, a lift in frequency) each arm follows its own state, and the result is exactly what
//! a separate pass per arm gives (`tests/golden.rs` checks it bit for bit).
//!
//! Order of events for an active customer in month t (1-based), as in the reference workload:
//! 1. counted as one customer-month (active at the start of the month);
//! 2. churns with its probability (then leaves with its points: breakage);
//! 3. points expire (age or inactivity rule);
//! 4. makes Poisson purchases with Gamma spend; members earn points (base, bonus days, tier);
//! 5. a member holding at least one block redeems all whole blocks with the monthly probability;
//!    each voucher is then used or not (voucher non-use);
//! 6. rolling 12-month spend updates the tier; the customer may migrate to another segment.
//!
//! New customers arrive at the end of the month and are active from the next one.
//! All quantities are in *sample* units; the driver scales them by 1 / sample_share.

use super::basket::{BasketSampler, BetaSampler, GammaSampler};
use super::metrics::SegMonth;
use super::rng::{self, open01, poisson_inv, poisson_inv_small, purpose, two_open01};
use crate::model::response::{Effects, effects};
use crate::model::{Arm, Expiry, Programme, Segment, Simulation};
use serde::{Deserialize, Serialize};

/// Outcomes of the initial customers, by the segment they started in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    /// Initial customers (sample units until scaled).
    pub initial: f64,
    /// Still active after 12 months (start of month 13); 0 if the horizon is shorter.
    pub active_after_12: f64,
    /// Still active at the end of the horizon.
    pub active_at_horizon: f64,
    /// Bought at least once in months 1..W (W = repurchase window).
    pub bought_window1: f64,
    /// …and bought again in months W+1..2W.
    pub bought_both_windows: f64,
    /// Gross margin discounted to month 0 at the monthly rate (currency).
    pub discounted_margin: f64,
    /// Customer-months active (counted at the start of each month).
    pub active_months: f64,
}

impl Cohort {
    /// Every field, in one list, for the element-wise operations below.
    fn fields_mut(&mut self) -> [&mut f64; 7] {
        [
            &mut self.initial,
            &mut self.active_after_12,
            &mut self.active_at_horizon,
            &mut self.bought_window1,
            &mut self.bought_both_windows,
            &mut self.discounted_margin,
            &mut self.active_months,
        ]
    }

    fn scale(&mut self, w: f64) {
        self.fields_mut().into_iter().for_each(|v| *v *= w);
    }

    /// Add `other` field by field (totals over segments).
    pub fn add(&mut self, other: &Cohort) {
        let mut other = other.clone();
        for (v, o) in self.fields_mut().into_iter().zip(other.fields_mut()) {
            *v += *o;
        }
    }
}

/// Everything one arm of one iteration produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmOutcome {
    pub months: u32,
    pub n_segments: usize,
    /// `[month * n_segments + segment]`, month 0 = month 1 of the horizon.
    pub seg_months: Vec<SegMonth>,
    /// Members by tier at the start of each month: `[month * (n_tiers + 1) + k]`, k = 0 below
    /// the first tier, k = i + 1 in tier i.
    pub tier_members: Vec<f64>,
    pub n_tiers: usize,
    /// By starting segment.
    pub cohort: Vec<Cohort>,
    /// Points at the horizon in balances below one block (stranded), by segment.
    pub end_points_stranded: Vec<f64>,
    /// Points at the horizon in balances of at least one block (still redeemable), by segment.
    pub end_points_redeemable: Vec<f64>,
    /// Customer-months simulated (sample units, never scaled): the engine's work.
    pub customer_months: u64,
}

impl ArmOutcome {
    pub fn seg_month(&self, month: usize, segment: usize) -> &SegMonth {
        &self.seg_months[month * self.n_segments + segment]
    }

    /// Scale every count and amount by `w` (sample → population). `customer_months` stays.
    pub fn scale(&mut self, w: f64) {
        if w == 1.0 {
            return;
        }
        self.seg_months.iter_mut().for_each(|m| m.scale(w));
        self.tier_members.iter_mut().for_each(|v| *v *= w);
        self.cohort.iter_mut().for_each(|c| c.scale(w));
        self.end_points_stranded.iter_mut().for_each(|v| *v *= w);
        self.end_points_redeemable.iter_mut().for_each(|v| *v *= w);
    }
}

/// What the engine needs to run arms of one iteration. The arms share their random streams
/// (common random numbers) and are simulated in one pass over the customers; a single arm is a
/// one-element `arms` (`std::slice::from_ref`).
pub struct ArmsInput<'a> {
    pub segments: &'a [Segment<f64>],
    pub arms: &'a [Arm<f64>],
    pub horizon_months: u32,
    pub sample_share: f64,
    pub repurchase_window_months: u32,
    pub monthly_discount: f64,
    /// Key of the random streams, shared by every arm: the iteration key (or, for the
    /// independent-streams comparison, a key salted per arm, each arm then run alone).
    pub key: u64,
}

impl<'a> ArmsInput<'a> {
    /// `arms` on `segments` with the scenario's simulation settings.
    pub fn new(segments: &'a [Segment<f64>], arms: &'a [Arm<f64>], sim: &Simulation, key: u64) -> Self {
        ArmsInput {
            segments,
            arms,
            horizon_months: sim.horizon_months,
            sample_share: sim.sample_share,
            repurchase_window_months: sim.repurchase_window_months,
            monthly_discount: sim.monthly_discount(),
            key,
        }
    }
}

/// Arms simulated together in one pass. More arms are run in groups of this size (the results
/// do not depend on the grouping): each group size is a separately compiled loop whose
/// per-customer record has a fixed size.
pub const FUSED_ARMS: usize = 4;

const MEMBER: u8 = 1;
const BOUGHT_W1: u8 = 2;
const BOUGHT_W2: u8 = 4;
const NOT_INITIAL: u8 = u8::MAX;
const INIT_TAG: u64 = u64::MAX;
const VOUCHER_SALT: u64 = 0x766f_7563_6865_7273;

/// What every arm shares about a customer: its identity (the key of its random streams), its
/// individual multipliers drawn at arrival, and the arms it is still active in.
#[derive(Debug, Clone, Copy)]
struct Shared {
    key: u64,
    /// Bit a set: active in arm a.
    alive: u8,
    /// Individual purchase-rate multiplier (mean 1), kept across migrations.
    z: f32,
    /// Individual churn multiplier (mean 1), kept across migrations.
    cf: f32,
    seg0: u8,
}

/// A customer's state in one arm: one 40-byte record. The arms' records of a customer sit side
/// by side, so a month of a customer in every arm touches one or two cache lines.
#[derive(Debug, Clone, Copy, Default)]
struct Cust {
    /// Purchases per month without programme effects, and exp(−rate).
    rate: f64,
    exp_neg_rate: f64,
    churn: f64,
    points: f64,
    last_buy: u16,
    seg: u8,
    flags: u8,
    tier: u8,
}

/// One customer: what the arms share, and its state in each of the `N` arms (a default record
/// where it is not active). The monthly compaction moves this one value.
#[derive(Debug, Clone, Copy)]
struct Rec<const N: usize> {
    sh: Shared,
    c: [Cust; N],
}

/// Customers, in order of arrival. Those no longer active in any arm (activity mask 0) are
/// compacted out from time to time.
struct Pop<const N: usize> {
    r: Vec<Rec<N>>,
    /// Records no longer active in any arm, not yet compacted out.
    dead: usize,
}

/// Per-segment samplers built once per iteration (segments are shared by all arms).
struct SegModel {
    basket: BasketSampler,
    z: Option<GammaSampler>,
    churn_beta: Option<BetaSampler>,
    churn_mean: f64,
    rate_mean: f64,
    margin: f64,
    enrol: f64,
    has_migration: bool,
}

impl SegModel {
    fn new(s: &Segment<f64>) -> Self {
        let z = s.purchase_rate_shape.map(GammaSampler::new);
        let mu = s.churn_monthly;
        let churn_beta = match s.churn_concentration {
            Some(k) if mu > 0.0 && mu < 1.0 => Some(BetaSampler::new(mu * k, (1.0 - mu) * k)),
            _ => None,
        };
        SegModel {
            basket: BasketSampler::new(s.basket_mean, s.basket_cv),
            z,
            churn_beta,
            churn_mean: mu,
            rate_mean: s.purchases_per_month,
            margin: s.gross_margin,
            enrol: s.enrolment_share,
            has_migration: s.migration.iter().any(|&p| p > 0.0),
        }
    }
}

/// Cumulative migration row: targets and cumulative probabilities (renormalised if > 1).
fn migration_row(probs: &[f64], mult: &[f64], own: usize) -> Vec<(usize, f64)> {
    let raw: Vec<(usize, f64)> = probs
        .iter()
        .zip(mult)
        .enumerate()
        .filter(|&(j, (&p, _))| j != own && p > 0.0)
        .map(|(j, (&p, &m))| (j, p * m))
        .collect();
    let total: f64 = raw.iter().map(|x| x.1).sum();
    let norm = if total > 1.0 { 1.0 / total } else { 1.0 };
    let mut cum = 0.0;
    raw.into_iter()
        .map(|(j, p)| {
            cum += p * norm;
            (j, cum)
        })
        .collect()
}

/// What one arm's loop needs and does not change within a month.
struct ArmCtx {
    /// The programme with points in whole units; `None` for the baseline.
    prog: Option<Programme<f64>>,
    faciale: f64,
    threshold: f64,
    member_cost: f64,
    messages_per_member: f64,
    net_cost_share: f64,
    welcome: f64,
    /// Tier of a new member (the tiers a zero 12-month spend qualifies for).
    start_tier: u8,
    /// Number of tiers (0: no tiers, no 12-month spend ledger).
    n_tiers: usize,
    /// Months of age expiry (0: no points lots).
    lot_len: usize,
    /// This month's effects on members and their migration rows, per segment.
    eff: Vec<Effects>,
    mig_member: Vec<Vec<(usize, f64)>>,
}

/// What one arm's loop accumulates, plus its per-customer ledgers.
struct ArmRun {
    out: ArmOutcome,
    acc: Vec<SegMonth>,
    members_now: Vec<f64>,
    next_members: Vec<f64>,
    /// Points lots by month of issue (age expiry): `[i * e + month % e]`.
    lots: Vec<f64>,
    /// Spend of the last 12 months (tiers): `[i * 12 + month % 12]`, and their sum.
    ring: Vec<f64>,
    spend12: Vec<f64>,
}

/// Simulate several arms of one iteration on the same random streams, in one pass over the
/// customers: each customer-month's random words, purchase count and spend draw are computed
/// once and reused by every arm where they are the same (they are keyed by meaning, so this
/// is exactly what separate passes would compute). One outcome per arm, in order, in sample
/// units.
pub fn simulate_arms(inp: &ArmsInput) -> Vec<ArmOutcome> {
    fn group<const N: usize, const BASE0: bool>(inp: &ArmsInput, idx: &[usize]) -> Vec<ArmOutcome> {
        let arms: [&Arm<f64>; N] = std::array::from_fn(|j| &inp.arms[idx[j]]);
        simulate_group::<N, BASE0>(inp, arms).into()
    }
    // Groups: the first baseline with up to three programme arms, the other programme arms in
    // fours, any further baseline alone. In each group the baseline (if any) comes first, so
    // the loop knows at compile time which arm carries no programme.
    let (bases, progs): (Vec<usize>, Vec<usize>) = (0..inp.arms.len()).partition(|&i| inp.arms[i].programme.is_none());
    let mut groups: Vec<(bool, Vec<usize>)> = Vec::new();
    let mut progs = progs.as_slice();
    for &b in &bases {
        let take = if groups.is_empty() {
            progs.len().min(FUSED_ARMS - 1)
        } else {
            0
        };
        groups.push((true, std::iter::once(b).chain(progs[..take].iter().copied()).collect()));
        progs = &progs[take..];
    }
    groups.extend(progs.chunks(FUSED_ARMS).map(|c| (false, c.to_vec())));
    let mut out: Vec<Option<ArmOutcome>> = vec![None; inp.arms.len()];
    for (base0, idx) in &groups {
        let outcomes = match (idx.len(), *base0) {
            (1, true) => group::<1, true>(inp, idx),
            (2, true) => group::<2, true>(inp, idx),
            (3, true) => group::<3, true>(inp, idx),
            (_, true) => group::<FUSED_ARMS, true>(inp, idx),
            (1, false) => group::<1, false>(inp, idx),
            (2, false) => group::<2, false>(inp, idx),
            (3, false) => group::<3, false>(inp, idx),
            (_, false) => group::<FUSED_ARMS, false>(inp, idx),
        };
        for (&i, o) in idx.iter().zip(outcomes) {
            out[i] = Some(o);
        }
    }
    out.into_iter()
        .map(|o| o.unwrap_or_else(|| unreachable!("every arm is in one group")))
        .collect()
}

/// One group of arms in one pass. `BASE0`: arm 0 is the baseline and the others have a
/// programme; otherwise every arm has a programme.
fn simulate_group<const N: usize, const BASE0: bool>(inp: &ArmsInput, arms: [&Arm<f64>; N]) -> [ArmOutcome; N] {
    let segs = inp.segments;
    let ns = segs.len();
    let h = inp.horizon_months as usize;
    let models: Vec<SegModel> = segs.iter().map(SegModel::new).collect();
    let w_repurchase = inp.repurchase_window_months;
    let weight = 1.0 / inp.sample_share;

    let mut ctxs: [ArmCtx; N] = std::array::from_fn(|a| {
        let prog = arms[a].programme.as_ref().map(Programme::with_whole_points);
        let p = prog.as_ref();
        ArmCtx {
            faciale: p.map_or(0.0, |p| p.faciale()),
            threshold: p.map_or(f64::INFINITY, |p| p.redemption_threshold_points),
            member_cost: p.map_or(0.0, |p| {
                p.cost_per_member_monthly + p.messages_per_member_monthly * p.cost_per_message
            }),
            messages_per_member: p.map_or(0.0, |p| p.messages_per_member_monthly),
            net_cost_share: p.map_or(0.0, |p| p.net_cost_share()),
            welcome: p.map_or(0.0, |p| p.welcome_bonus_points),
            start_tier: p.map_or(0, |p| {
                p.tiers.iter().take_while(|t| t.min_spend_12m <= 0.0).count() as u8
            }),
            n_tiers: p.map_or(0, |p| p.tiers.len()),
            lot_len: match p.map(|p| p.expiry) {
                Some(Expiry::Age(e)) => e as usize,
                _ => 0,
            },
            eff: Vec::new(),
            mig_member: Vec::new(),
            prog,
        }
    });
    let mut runs: [ArmRun; N] = std::array::from_fn(|a| ArmRun {
        out: ArmOutcome {
            months: inp.horizon_months,
            n_segments: ns,
            seg_months: vec![SegMonth::default(); h * ns],
            tier_members: vec![0.0; h * (ctxs[a].n_tiers + 1)],
            n_tiers: ctxs[a].n_tiers,
            cohort: vec![Cohort::default(); ns],
            end_points_stranded: vec![0.0; ns],
            end_points_redeemable: vec![0.0; ns],
            customer_months: 0,
        },
        acc: vec![SegMonth::default(); ns],
        members_now: vec![0.0; ns],
        next_members: vec![0.0; ns],
        lots: Vec::new(),
        ring: Vec::new(),
        spend12: Vec::new(),
    });
    let mut pop = Pop::<N> { r: Vec::new(), dead: 0 };
    let spawner = Spawner {
        models: &models,
        segments: segs,
        key: inp.key,
    };
    let all_arms: u8 = ((1u32 << N) - 1) as u8;

    // Initial customers, active in every arm; members' welcome points are issued in month 1.
    for (s, seg) in segs.iter().enumerate() {
        let n0 = (seg.customers as f64 * inp.sample_share).round() as u64;
        for run in runs.iter_mut() {
            run.out.cohort[s].initial = n0 as f64;
        }
        for k in 0..n0 {
            let rec = spawner.spawn(&mut pop, &mut runs, &ctxs, s, 0, k, true, all_arms, 0);
            if h > 0 {
                for (run, c) in runs.iter_mut().zip(&rec.c) {
                    run.out.seg_months[s].points_issued += c.points;
                }
            }
        }
    }
    for rec in &pop.r {
        for (run, c) in runs.iter_mut().zip(&rec.c) {
            if c.flags & MEMBER != 0 {
                run.members_now[c.seg as usize] += 1.0;
            }
        }
    }

    let disc: Vec<f64> = (0..=h)
        .map(|t| (1.0 + inp.monthly_discount).powi(-(t as i32)))
        .collect();
    let neutral = vec![1.0; ns];
    let mig_base: Vec<Vec<(usize, f64)>> = (0..ns)
        .map(|s| migration_row(&segs[s].migration, &neutral, s))
        .collect();

    for t in 0..h {
        let month = (t + 1) as u32;
        // Effects of this month, per arm and segment, for members.
        for ((cx, run), &arm) in ctxs.iter_mut().zip(&mut runs).zip(&arms) {
            cx.eff = (0..ns)
                .map(|s| match cx.prog {
                    Some(_) => {
                        let members_pop = run.members_now[s] * weight;
                        let bpm = if members_pop > 0.0 {
                            arm.allocation[s] / members_pop
                        } else {
                            0.0
                        };
                        effects(&arm.response[s], cx.faciale, bpm, month)
                    }
                    None => Effects::neutral(ns),
                })
                .collect();
            cx.mig_member = (0..ns)
                .map(|s| migration_row(&segs[s].migration, &cx.eff[s].migration, s))
                .collect();
            run.acc.iter_mut().for_each(|a| *a = SegMonth::default());
            run.next_members.iter_mut().for_each(|m| *m = 0.0);
        }

        let n = pop.r.len();
        let mut w = 0usize;
        // Customers no longer active in any arm stay in place (skipped) until they are an
        // eighth of the records; then, in that month, the others move down to slot w with their
        // ledgers (in-place compaction, order kept).
        let compact = pop.dead * 8 > n;
        let mc = MonthCtx {
            t,
            month,
            disc: disc[t + 1],
            w_repurchase,
            models: &models,
            mig_base: &mig_base,
        };
        for idx in 0..n {
            let rec = &mut pop.r[idx];
            let sh = rec.sh;
            if sh.alive == 0 {
                continue;
            }
            let words = rng::MonthWords::new(sh.key, month);
            let (u_churn, u_buy) = two_open01(words.word(1));
            let mut d = Draws {
                words,
                u_churn,
                u_buy,
                word2: None,
                k_for: (u64::MAX, 0),
                spend_for: (0, 0, 0.0),
            };
            let mut alive = sh.alive;
            for a in 0..N {
                if alive & (1 << a) == 0 {
                    continue;
                }
                let still = if !(BASE0 && a == 0) {
                    customer_month::<true>(&mc, &ctxs[a], &mut runs[a], &mut rec.c[a], &sh, idx, &mut d)
                } else {
                    customer_month::<false>(&mc, &ctxs[a], &mut runs[a], &mut rec.c[a], &sh, idx, &mut d)
                };
                if !still {
                    alive &= !(1 << a);
                }
            }
            rec.sh.alive = alive;
            if alive == 0 {
                pop.dead += 1;
                continue;
            }
            if !compact {
                continue;
            }
            if idx != w {
                pop.r[w] = pop.r[idx];
                for (cx, run) in ctxs.iter().zip(runs.iter_mut()) {
                    if cx.lot_len > 0 {
                        let el = cx.lot_len;
                        run.lots.copy_within(idx * el..(idx + 1) * el, w * el);
                    }
                    if cx.n_tiers > 0 {
                        run.ring.copy_within(idx * 12..idx * 12 + 12, w * 12);
                        run.spend12[w] = run.spend12[idx];
                    }
                }
            }
            w += 1;
        }
        if compact {
            pop.r.truncate(w);
            pop.dead = 0;
            for (cx, run) in ctxs.iter().zip(runs.iter_mut()) {
                run.lots.truncate(w * cx.lot_len);
                if cx.n_tiers > 0 {
                    run.ring.truncate(w * 12);
                    run.spend12.truncate(w);
                }
            }
        }

        if month == 12 {
            count_active(&pop, &mut runs, |c| &mut c.active_after_12);
        }

        // Arrivals at the end of the month.
        // The same uniform decides the count in every arm (inversion is monotone in the rate),
        // so arrivals k < the no-programme count exist in every arm; the extra ones exist only
        // because the programme attracted them, and they join it.
        for s in 0..ns {
            let base_lambda = segs[s].acquisition_monthly * inp.sample_share;
            let lambdas: [f64; N] = std::array::from_fn(|a| {
                let cx = &ctxs[a];
                base_lambda * if cx.prog.is_some() { cx.eff[s].acquisition } else { 1.0 }
            });
            if lambdas.iter().all(|&l| l <= 0.0) {
                continue;
            }
            let mut r = rng::stream(rng::derive(
                rng::derive(inp.key, purpose::ACQUISITION),
                ((s as u64) << 32) | month as u64,
            ));
            let u = open01(&mut r);
            let mut base_count: Option<u64> = None;
            // (arrivals, index of the first one the programme attracted) per arm
            let counts: [(u64, u64); N] = std::array::from_fn(|a| {
                let lambda = lambdas[a];
                if lambda <= 0.0 {
                    (0, 0)
                } else if lambda > base_lambda {
                    let from = *base_count.get_or_insert_with(|| poisson_inv(u, base_lambda));
                    (poisson_inv(u, lambda), from)
                } else {
                    let count = poisson_inv(u, lambda);
                    (count, count)
                }
            });
            for (run, &(count, _)) in runs.iter_mut().zip(&counts) {
                run.acc[s].acquired += count as f64;
            }
            let max_count = counts.iter().map(|c| c.0).max().unwrap_or(0);
            for k in 0..max_count {
                let mut alive = 0u8;
                let mut attracted = 0u8;
                for (a, &(count, from)) in counts.iter().enumerate() {
                    if k < count {
                        alive |= 1 << a;
                        if k >= from {
                            attracted |= 1 << a;
                        }
                    }
                }
                let rec = spawner.spawn(&mut pop, &mut runs, &ctxs, s, month, k, false, alive, attracted);
                for (a, (run, c)) in runs.iter_mut().zip(&rec.c).enumerate() {
                    if alive & (1 << a) == 0 {
                        continue;
                    }
                    run.acc[s].points_issued += c.points;
                    if c.flags & MEMBER != 0 {
                        run.next_members[s] += 1.0;
                        run.acc[s].points_balance += c.points;
                    }
                }
            }
        }
        for (cx, run) in ctxs.iter().zip(runs.iter_mut()) {
            for s in 0..ns {
                let ac = &mut run.acc[s];
                // members counted at the start of the month carry the per-member costs
                ac.member_costs += ac.members * cx.member_cost;
                ac.messages = ac.members * cx.messages_per_member;
                run.out.customer_months += ac.active as u64;
                // welcome points of initial members were put in month 1 before the loop
                let pre = run.out.seg_months[t * ns + s].points_issued;
                run.out.seg_months[t * ns + s] = *ac;
                run.out.seg_months[t * ns + s].points_issued += pre;
            }
            std::mem::swap(&mut run.members_now, &mut run.next_members);
        }
    }

    count_active(&pop, &mut runs, |c| &mut c.active_at_horizon);
    for rec in &pop.r {
        let sh = &rec.sh;
        for (a, ((cx, run), c)) in ctxs.iter().zip(runs.iter_mut()).zip(&rec.c).enumerate() {
            if sh.alive & (1 << a) == 0 {
                continue;
            }
            fold_cohort(&mut run.out.cohort, sh.seg0, c.flags);
            if sh.seg0 != NOT_INITIAL {
                run.out.cohort[sh.seg0 as usize].active_months += h as f64;
            }
            if cx.prog.is_some() {
                let s = c.seg as usize;
                if c.points >= cx.threshold {
                    run.out.end_points_redeemable[s] += c.points;
                } else {
                    run.out.end_points_stranded[s] += c.points;
                }
            }
        }
    }
    runs.map(|r| r.out)
}

/// Draws of one customer-month shared by the arms, computed on first use: the churn and
/// purchase uniforms, the second word (redemption, migration), the purchase count for a rate,
/// and the spend for (count, segment).
struct Draws {
    words: rng::MonthWords,
    u_churn: f64,
    u_buy: f64,
    word2: Option<(f64, f64)>,
    k_for: (u64, u32),
    spend_for: (u32, usize, f64),
}

/// What every customer-month of a month shares.
struct MonthCtx<'a> {
    /// Month index from 0, and month number from 1.
    t: usize,
    month: u32,
    /// Discount factor of the month's cash flows.
    disc: f64,
    w_repurchase: u32,
    models: &'a [SegModel],
    mig_base: &'a [Vec<(usize, f64)>],
}

/// One month of one customer in one arm: steps 2–6 of the module documentation. Returns false
/// if the customer churned. `PROG`: the arm has a programme (compiled twice, so the baseline's
/// copy carries no member or ledger code).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn customer_month<const PROG: bool>(
    m: &MonthCtx,
    cx: &ArmCtx,
    run: &mut ArmRun,
    c: &mut Cust,
    sh: &Shared,
    idx: usize,
    d: &mut Draws,
) -> bool {
    let ArmRun {
        out,
        acc,
        next_members,
        lots,
        ring,
        spend12,
        ..
    } = run;
    let (t, month, models) = (m.t, m.month, m.models);
    let seg0 = sh.seg0;
    let s = c.seg as usize;
    let is_member = PROG && c.flags & MEMBER != 0;
    let prog = if is_member { cx.prog.as_ref() } else { None };
    let ac = &mut acc[s];
    ac.active += 1.0;
    let e = &cx.eff[s];

    if let Some(p) = prog {
        ac.members += 1.0;
        // Per-member costs and messages are added per segment after the loop.
        let tier = c.tier as usize;
        out.tier_members[t * (cx.n_tiers + 1) + tier] += 1.0;
        if tier > 0 {
            ac.member_costs += p.tiers[tier - 1].benefit_cost_monthly;
        }
    }

    // 2. churn
    let p_churn = if is_member { c.churn * e.churn } else { c.churn };
    if d.u_churn < p_churn {
        ac.churned += 1.0;
        if c.points > 0.0 {
            if c.points < cx.threshold {
                ac.points_lost_below_threshold += c.points;
            } else {
                ac.points_lost_with_blocks += c.points;
            }
        }
        fold_cohort(&mut out.cohort, seg0, c.flags);
        if seg0 != NOT_INITIAL {
            // active at the start of months 1..=month
            out.cohort[seg0 as usize].active_months += month as f64;
        }
        return false;
    }

    // 3. expiry (only members hold points)
    if let Some(p) = prog {
        match p.expiry {
            Expiry::Never => {}
            Expiry::Inactivity(months) => {
                if c.points > 0.0 && month.saturating_sub(c.last_buy as u32) > months {
                    ac.points_expired += c.points;
                    c.points = 0.0;
                }
            }
            Expiry::Age(_) => {
                let el = cx.lot_len;
                let slot = idx * el + month as usize % el;
                let lot = lots[slot];
                if lot > 0.0 {
                    ac.points_expired += lot;
                    c.points -= lot;
                    lots[slot] = 0.0;
                }
            }
        }
    }

    // 4. purchases and spend
    let k = if is_member && e.frequency != 1.0 {
        let rt = c.rate * e.frequency;
        if d.k_for.0 != rt.to_bits() {
            d.k_for = (rt.to_bits(), poisson_inv_small(d.u_buy, rt, (-rt).exp()));
        }
        d.k_for.1
    } else {
        if d.k_for.0 != c.rate.to_bits() {
            d.k_for = (c.rate.to_bits(), poisson_inv_small(d.u_buy, c.rate, c.exp_neg_rate));
        }
        d.k_for.1
    };
    let mut spend = 0.0;
    if k > 0 {
        if d.spend_for.0 != k || d.spend_for.1 != s {
            let v = models[s].basket.month_spend(k, &mut d.words.spend_stream());
            d.spend_for = (k, s, v);
        }
        spend = d.spend_for.2;
        if is_member {
            spend *= e.basket;
        }
        ac.purchases += k as f64;
        ac.buyers += 1.0;
        ac.revenue += spend;
        let margin = spend * models[s].margin;
        ac.gross_margin += margin;
        if seg0 != NOT_INITIAL {
            out.cohort[seg0 as usize].discounted_margin += margin * m.disc;
            if month <= m.w_repurchase {
                c.flags |= BOUGHT_W1;
            } else if month <= 2 * m.w_repurchase {
                c.flags |= BOUGHT_W2;
            }
        }
        c.last_buy = month as u16;
    }

    // 4b–5. earning and redemption
    if let Some(p) = prog {
        ac.member_revenue += spend;
        if spend > 0.0 {
            let base = spend * p.points_per_currency;
            let tier_mult = match c.tier as usize {
                0 => 1.0,
                k => p.tiers[k - 1].earn_multiplier,
            };
            let earned = p.points_for_spend(spend, tier_mult);
            ac.points_base += base;
            ac.points_issued += earned;
            c.points += earned;
            if cx.lot_len > 0 {
                lots[idx * cx.lot_len + month as usize % cx.lot_len] += earned;
            }
        }
        if c.points >= cx.threshold
            && d.word2.get_or_insert_with(|| two_open01(d.words.word(2))).0 < p.redemption_probability_monthly
        {
            let threshold = cx.threshold;
            let (blocks, converted) = p.vouchers_for(c.points);
            c.points -= converted;
            ac.points_redeemed += converted;
            if cx.lot_len > 0 {
                let el = cx.lot_len;
                consume_fifo(&mut lots[idx * el..(idx + 1) * el], month as usize, converted);
            }
            let voucher_face = threshold * p.point_value;
            let used = if p.voucher_non_use > 0.0 {
                let mut vr = rng::stream(rng::derive(sh.key ^ VOUCHER_SALT, month as u64));
                (0..blocks as u64)
                    .filter(|_| open01(&mut vr) >= p.voucher_non_use)
                    .count() as f64
            } else {
                blocks
            };
            ac.vouchers_used_face += used * voucher_face;
            ac.vouchers_unused_face += (blocks - used) * voucher_face;
            ac.points_voucher_unused += (blocks - used) * threshold;
            ac.reward_cost += used * voucher_face * cx.net_cost_share;
        }
        // 6a. tiers from rolling 12-month spend (applies from next month)
        if cx.n_tiers > 0 {
            let slot = idx * 12 + month as usize % 12;
            spend12[idx] += spend - ring[slot];
            ring[slot] = spend;
            let s12 = spend12[idx];
            c.tier = p
                .tiers
                .iter()
                .take_while(|tier| s12 >= tier.min_spend_12m - 1e-9)
                .count() as u8;
        }
    }

    // 6b. migration
    let mut s_new = s;
    if models[s].has_migration {
        let row = if is_member { &cx.mig_member[s] } else { &m.mig_base[s] };
        let u_migrate = d.word2.get_or_insert_with(|| two_open01(d.words.word(2))).1;
        if let Some(&(j, _)) = row.iter().find(|&&(_, cum)| u_migrate < cum) {
            s_new = j;
            acc[s].migrated_out += 1.0;
            acc[j].migrated_in += 1.0;
            c.seg = j as u8;
            c.rate = models[j].rate_mean * sh.z as f64;
            c.exp_neg_rate = (-c.rate).exp();
            c.churn = (models[j].churn_mean * sh.cf as f64).min(1.0);
        }
    }
    if is_member {
        next_members[s_new] += 1.0;
        acc[s_new].points_balance += c.points;
    }
    true
}

struct Spawner<'a> {
    models: &'a [SegModel],
    segments: &'a [Segment<f64>],
    key: u64,
}

impl Spawner<'_> {
    /// Add one customer, active in the arms of `alive` (one bit per arm), and return a copy of
    /// its record. Its attributes are drawn once from its own stream and shared by every arm;
    /// in each arm with a programme it joins if its enrolment draw is below the segment's
    /// enrolment share, or if the programme attracted it (`attracted`), and then receives the
    /// welcome bonus.
    #[allow(clippy::too_many_arguments)]
    fn spawn<const N: usize>(
        &self,
        pop: &mut Pop<N>,
        runs: &mut [ArmRun; N],
        ctxs: &[ArmCtx; N],
        s: usize,
        arrival_month: u32,
        k: u64,
        initial: bool,
        alive: u8,
        attracted: u8,
    ) -> Rec<N> {
        let uid = ((s as u64) << 56) | ((arrival_month as u64) << 32) | k;
        let key = rng::derive(self.key, uid);
        let mut r = rng::stream(rng::derive(key, INIT_TAG));
        let m = &self.models[s];
        let u_enrol = open01(&mut r);
        // Gamma(k, 1) / k: mean 1, shape k
        let z = m.z.as_ref().map_or(1.0, |g| g.sample(&mut r) / g.shape());
        let cf = match &m.churn_beta {
            Some(b) => b.sample(&mut r) / m.churn_mean,
            None => 1.0,
        };
        let rate = m.rate_mean * z;
        let exp_neg_rate = (-rate).exp();
        let churn = (self.segments[s].churn_monthly * cf).min(1.0);
        let rec = Rec {
            sh: Shared {
                key,
                alive,
                z: z as f32,
                cf: cf as f32,
                seg0: if initial { s as u8 } else { NOT_INITIAL },
            },
            c: std::array::from_fn(|a| {
                let cx = &ctxs[a];
                let live = alive & (1 << a) != 0;
                let member = live && cx.prog.is_some() && (attracted & (1 << a) != 0 || u_enrol < m.enrol);
                if !live {
                    return Cust::default();
                }
                Cust {
                    rate,
                    exp_neg_rate,
                    churn,
                    points: if member { cx.welcome } else { 0.0 },
                    last_buy: arrival_month as u16,
                    seg: s as u8,
                    flags: if member { MEMBER } else { 0 },
                    tier: if member { cx.start_tier } else { 0 },
                }
            }),
        };
        pop.r.push(rec);
        for ((cx, run), c) in ctxs.iter().zip(runs.iter_mut()).zip(&rec.c) {
            if cx.lot_len > 0 {
                let e = cx.lot_len;
                let start = run.lots.len();
                run.lots.resize(start + e, 0.0);
                run.lots[start + arrival_month as usize % e] = c.points;
            }
            if cx.n_tiers > 0 {
                run.ring.extend_from_slice(&[0.0; 12]);
                run.spend12.push(0.0);
            }
        }
        rec
    }
}

/// Add one to `field` of the starting segment's cohort for every initial customer still active,
/// in every arm.
fn count_active<const N: usize>(pop: &Pop<N>, runs: &mut [ArmRun; N], field: impl Fn(&mut Cohort) -> &mut f64) {
    for rec in &pop.r {
        let sh = &rec.sh;
        if sh.seg0 == NOT_INITIAL {
            continue;
        }
        for (a, run) in runs.iter_mut().enumerate() {
            if sh.alive & (1 << a) != 0 {
                *field(&mut run.out.cohort[sh.seg0 as usize]) += 1.0;
            }
        }
    }
}

fn fold_cohort(cohort: &mut [Cohort], seg0: u8, flags: u8) {
    if seg0 == NOT_INITIAL {
        return;
    }
    let c = &mut cohort[seg0 as usize];
    if flags & BOUGHT_W1 != 0 {
        c.bought_window1 += 1.0;
        if flags & BOUGHT_W2 != 0 {
            c.bought_both_windows += 1.0;
        }
    }
}

/// Remove `amount` points from age lots, oldest first. `lots[m % e]` holds month m's points; in
/// month `month` the oldest live lot is month − e + 1.
fn consume_fifo(lots: &mut [f64], month: usize, mut amount: f64) {
    let e = lots.len();
    for j in 1..=e {
        if amount <= 0.0 {
            break;
        }
        let slot = (month + j) % e;
        let take = lots[slot].min(amount);
        lots[slot] -= take;
        amount -= take;
    }
}
