//! Agent engine: one record per customer (struct of arrays), simulated month by month for one arm
//! of one iteration. Every random number is keyed by (iteration, customer, month, purpose), so
//! arms run separately yet share their random numbers by meaning (common random numbers): the
//! uniform deciding whether customer i churns in month t is the same in every arm.
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
use crate::model::{Arm, Expiry, Programme, Segment};
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

/// What the engine needs to run one arm of one iteration.
pub struct ArmInput<'a> {
    pub segments: &'a [Segment<f64>],
    pub arm: &'a Arm<f64>,
    pub horizon_months: u32,
    pub sample_share: f64,
    pub repurchase_window_months: u32,
    pub monthly_discount: f64,
    /// Key of the random streams: the iteration key (shared by all arms under common random
    /// numbers, or salted per arm for the independent-streams comparison).
    pub key: u64,
}

const MEMBER: u8 = 1;
const BOUGHT_W1: u8 = 2;
const BOUGHT_W2: u8 = 4;
const NOT_INITIAL: u8 = u8::MAX;
const INIT_TAG: u64 = u64::MAX;
const VOUCHER_SALT: u64 = 0x766f_7563_6865_7273;

/// One customer: one 56-byte record, so the monthly compaction moves a single value. (A struct
/// of arrays was measured slower here: every field of a customer is touched every month.)
#[derive(Debug, Clone, Copy)]
struct Cust {
    key: u64,
    /// Purchases per month without programme effects, and exp(−rate).
    rate: f64,
    exp_neg_rate: f64,
    churn: f64,
    points: f64,
    /// Individual purchase-rate multiplier (mean 1), kept across migrations.
    z: f32,
    /// Individual churn multiplier (mean 1), kept across migrations.
    cf: f32,
    last_buy: u16,
    seg: u8,
    seg0: u8,
    flags: u8,
    tier: u8,
}

/// Active customers, plus the optional per-customer ledgers. Churned customers are compacted
/// out each month.
#[derive(Default)]
struct Pop {
    c: Vec<Cust>,
    /// Points lots by month of issue (age expiry): `[i * e + month % e]`.
    lots: Vec<f64>,
    lot_len: usize,
    /// Spend of the last 12 months (tiers): `[i * 12 + month % 12]`, and their sum.
    ring: Vec<f64>,
    spend12: Vec<f64>,
    tiers_on: bool,
}

impl Pop {
    fn len(&self) -> usize {
        self.c.len()
    }
}

/// Per-segment samplers built once per arm.
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

struct Spawner<'a> {
    models: &'a [SegModel],
    segments: &'a [Segment<f64>],
    programme: Option<&'a Programme<f64>>,
    key: u64,
}

impl Spawner<'_> {
    /// Add one customer; returns welcome points issued (0 for non-members). `attracted`: the
    /// customer came because of the programme (acquisition lift) and joins it.
    fn spawn(&self, pop: &mut Pop, s: usize, arrival_month: u32, k: u64, initial: bool, attracted: bool) -> f64 {
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
        let member = self.programme.is_some() && (attracted || u_enrol < m.enrol);
        let welcome = match (member, self.programme) {
            (true, Some(p)) => p.welcome_bonus_points,
            _ => 0.0,
        };
        let rate = m.rate_mean * z;
        pop.c.push(Cust {
            key,
            rate,
            exp_neg_rate: (-rate).exp(),
            churn: (self.segments[s].churn_monthly * cf).min(1.0),
            points: welcome,
            z: z as f32,
            cf: cf as f32,
            last_buy: arrival_month as u16,
            seg: s as u8,
            seg0: if initial { s as u8 } else { NOT_INITIAL },
            flags: if member { MEMBER } else { 0 },
            // a new member starts in the tier that a zero 12-month spend qualifies for
            tier: match (member, self.programme) {
                (true, Some(p)) => p.tiers.iter().take_while(|t| t.min_spend_12m <= 0.0).count() as u8,
                _ => 0,
            },
        });
        if pop.lot_len > 0 {
            let e = pop.lot_len;
            let start = pop.lots.len();
            pop.lots.resize(start + e, 0.0);
            pop.lots[start + arrival_month as usize % e] = welcome;
        }
        if pop.tiers_on {
            pop.ring.extend_from_slice(&[0.0; 12]);
            pop.spend12.push(0.0);
        }
        welcome
    }
}

/// Simulate one arm of one iteration. Quantities are in sample units (see `ArmOutcome::scale`).
pub fn simulate_arm(inp: &ArmInput) -> ArmOutcome {
    // Two compiled copies of the loop: the baseline's carries no member or ledger code.
    if inp.arm.programme.is_some() {
        simulate::<true>(inp)
    } else {
        simulate::<false>(inp)
    }
}

fn simulate<const PROGRAMME: bool>(inp: &ArmInput) -> ArmOutcome {
    let segs = inp.segments;
    let ns = segs.len();
    let h = inp.horizon_months as usize;
    let whole = inp.arm.programme.as_ref().map(Programme::with_whole_points);
    let prog = whole.as_ref();
    let models: Vec<SegModel> = segs.iter().map(SegModel::new).collect();
    let n_tiers = prog.map_or(0, |p| p.tiers.len());
    let weight = 1.0 / inp.sample_share;
    let w_repurchase = inp.repurchase_window_months;

    let mut pop = Pop {
        lot_len: match prog.map(|p| p.expiry) {
            Some(Expiry::Age(e)) => e as usize,
            _ => 0,
        },
        tiers_on: n_tiers > 0,
        ..Pop::default()
    };
    let spawner = Spawner {
        models: &models,
        segments: segs,
        programme: prog,
        key: inp.key,
    };

    let mut out = ArmOutcome {
        months: inp.horizon_months,
        n_segments: ns,
        seg_months: vec![SegMonth::default(); h * ns],
        tier_members: vec![0.0; h * (n_tiers + 1)],
        n_tiers,
        cohort: vec![Cohort::default(); ns],
        end_points_stranded: vec![0.0; ns],
        end_points_redeemable: vec![0.0; ns],
        customer_months: 0,
    };

    // Initial customers; members' welcome points are issued in month 1.
    let mut members_now = vec![0.0f64; ns];
    for (s, seg) in segs.iter().enumerate() {
        let n0 = (seg.customers as f64 * inp.sample_share).round() as u64;
        out.cohort[s].initial = n0 as f64;
        for k in 0..n0 {
            let welcome = spawner.spawn(&mut pop, s, 0, k, true, false);
            if h > 0 {
                out.seg_months[s].points_issued += welcome;
            }
        }
    }
    for c in &pop.c {
        if c.flags & MEMBER != 0 {
            members_now[c.seg as usize] += 1.0;
        }
    }

    let disc: Vec<f64> = (0..=h)
        .map(|t| (1.0 + inp.monthly_discount).powi(-(t as i32)))
        .collect();
    let faciale = prog.map_or(0.0, |p| p.faciale());
    let mut acc = vec![SegMonth::default(); ns];

    for t in 0..h {
        let month = (t + 1) as u32;
        // Effects of this month, per segment, for members.
        let eff: Vec<Effects> = (0..ns)
            .map(|s| match prog {
                Some(_) => {
                    let members_pop = members_now[s] * weight;
                    let bpm = if members_pop > 0.0 {
                        inp.arm.allocation[s] / members_pop
                    } else {
                        0.0
                    };
                    effects(&inp.arm.response[s], faciale, bpm, month)
                }
                None => Effects::neutral(ns),
            })
            .collect();
        let neutral = vec![1.0; ns];
        let mig_base: Vec<Vec<(usize, f64)>> = (0..ns)
            .map(|s| migration_row(&segs[s].migration, &neutral, s))
            .collect();
        let mig_member: Vec<Vec<(usize, f64)>> = (0..ns)
            .map(|s| migration_row(&segs[s].migration, &eff[s].migration, s))
            .collect();

        for a in acc.iter_mut() {
            *a = SegMonth::default();
        }
        let tier_row = &mut out.tier_members[t * (n_tiers + 1)..(t + 1) * (n_tiers + 1)];
        let mut next_members = vec![0.0f64; ns];
        let n = pop.len();
        out.customer_months += n as u64;
        let threshold = prog.map_or(f64::INFINITY, |p| p.redemption_threshold_points);
        let member_cost = prog.map_or(0.0, |p| {
            p.cost_per_member_monthly + p.messages_per_member_monthly * p.cost_per_message
        });
        let net_cost_share = prog.map_or(0.0, |p| p.net_cost_share());
        let mut w = 0usize;
        let Pop {
            c: custs,
            lots,
            lot_len,
            ring,
            spend12,
            tiers_on,
        } = &mut pop;
        let (lot_len, tiers_on) = (*lot_len, *tiers_on);
        // In-place compaction: survivors move down to slot w; the optional ledgers follow.
        for idx in 0..n {
            let c = &mut custs[idx];
            let s = c.seg as usize;
            let is_member = PROGRAMME && c.flags & MEMBER != 0;
            let a = &mut acc[s];
            a.active += 1.0;
            let seg0 = c.seg0;
            // Fixed draws first (same positions in every arm), then spend.
            let words = rng::MonthWords::new(c.key, month);
            let (u_churn, u_buy) = two_open01(words.word(1));
            let e = &eff[s];

            if is_member {
                a.members += 1.0;
                // Per-member costs and messages are added per segment after the loop.
                if let Some(p) = prog {
                    let tier = c.tier as usize;
                    tier_row[tier] += 1.0;
                    if tier > 0 {
                        a.member_costs += p.tiers[tier - 1].benefit_cost_monthly;
                    }
                }
            }

            // 2. churn
            let p_churn = if is_member { c.churn * e.churn } else { c.churn };
            if u_churn < p_churn {
                a.churned += 1.0;
                if c.points > 0.0 {
                    if c.points < threshold {
                        a.points_lost_below_threshold += c.points;
                    } else {
                        a.points_lost_with_blocks += c.points;
                    }
                }
                fold_cohort(&mut out.cohort, seg0, c.flags);
                if seg0 != NOT_INITIAL {
                    // active at the start of months 1..=month
                    out.cohort[seg0 as usize].active_months += month as f64;
                }
                continue;
            }

            // 3. expiry (only members hold points)
            if is_member && let Some(p) = prog {
                match p.expiry {
                    Expiry::Never => {}
                    Expiry::Inactivity(months) => {
                        if c.points > 0.0 && month.saturating_sub(c.last_buy as u32) > months {
                            a.points_expired += c.points;
                            c.points = 0.0;
                        }
                    }
                    Expiry::Age(_) => {
                        let el = lot_len;
                        let slot = idx * el + month as usize % el;
                        let lot = lots[slot];
                        if lot > 0.0 {
                            a.points_expired += lot;
                            c.points -= lot;
                            lots[slot] = 0.0;
                        }
                    }
                }
            }

            // 4. purchases and spend
            let k = if is_member && e.frequency != 1.0 {
                let rt = c.rate * e.frequency;
                poisson_inv_small(u_buy, rt, (-rt).exp())
            } else {
                poisson_inv_small(u_buy, c.rate, c.exp_neg_rate)
            };
            let mut spend = 0.0;
            if k > 0 {
                spend = models[s].basket.month_spend(k, &mut words.spend_stream());
                if is_member {
                    spend *= e.basket;
                }
                a.purchases += k as f64;
                a.buyers += 1.0;
                a.revenue += spend;
                let margin = spend * models[s].margin;
                a.gross_margin += margin;
                if seg0 != NOT_INITIAL {
                    out.cohort[seg0 as usize].discounted_margin += margin * disc[t + 1];
                    if month <= w_repurchase {
                        c.flags |= BOUGHT_W1;
                    } else if month <= 2 * w_repurchase {
                        c.flags |= BOUGHT_W2;
                    }
                }
                c.last_buy = month as u16;
            }

            // 4b–5. earning and redemption
            if is_member && let Some(p) = prog {
                a.member_revenue += spend;
                if spend > 0.0 {
                    let base = spend * p.points_per_currency;
                    let tier_mult = match c.tier as usize {
                        0 => 1.0,
                        k => p.tiers[k - 1].earn_multiplier,
                    };
                    let earned = p.points_for_spend(spend, tier_mult);
                    a.points_base += base;
                    a.points_issued += earned;
                    c.points += earned;
                    if lot_len > 0 {
                        lots[idx * lot_len + month as usize % lot_len] += earned;
                    }
                }
                if c.points >= threshold && two_open01(words.word(2)).0 < p.redemption_probability_monthly {
                    let (blocks, converted) = p.vouchers_for(c.points);
                    c.points -= converted;
                    a.points_redeemed += converted;
                    if lot_len > 0 {
                        consume_fifo(&mut lots[idx * lot_len..(idx + 1) * lot_len], month as usize, converted);
                    }
                    let voucher_face = threshold * p.point_value;
                    let used = if p.voucher_non_use > 0.0 {
                        let mut vr = rng::stream(rng::derive(c.key ^ VOUCHER_SALT, month as u64));
                        (0..blocks as u64)
                            .filter(|_| open01(&mut vr) >= p.voucher_non_use)
                            .count() as f64
                    } else {
                        blocks
                    };
                    a.vouchers_used_face += used * voucher_face;
                    a.vouchers_unused_face += (blocks - used) * voucher_face;
                    a.points_voucher_unused += (blocks - used) * threshold;
                    a.reward_cost += used * voucher_face * net_cost_share;
                }
                // 6a. tiers from rolling 12-month spend (applies from next month)
                if tiers_on {
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
                let row = if is_member { &mig_member[s] } else { &mig_base[s] };
                let u_migrate = two_open01(words.word(2)).1;
                if let Some(&(j, _)) = row.iter().find(|&&(_, cum)| u_migrate < cum) {
                    s_new = j;
                    acc[s].migrated_out += 1.0;
                    acc[j].migrated_in += 1.0;
                    c.seg = j as u8;
                    c.rate = models[j].rate_mean * c.z as f64;
                    c.exp_neg_rate = (-c.rate).exp();
                    c.churn = (models[j].churn_mean * c.cf as f64).min(1.0);
                }
            }
            if is_member {
                next_members[s_new] += 1.0;
                acc[s_new].points_balance += c.points;
            }
            if idx != w {
                custs[w] = custs[idx];
                if lot_len > 0 {
                    lots.copy_within(idx * lot_len..(idx + 1) * lot_len, w * lot_len);
                }
                if tiers_on {
                    ring.copy_within(idx * 12..idx * 12 + 12, w * 12);
                    spend12[w] = spend12[idx];
                }
            }
            w += 1;
        }
        custs.truncate(w);
        lots.truncate(w * lot_len);
        if tiers_on {
            ring.truncate(w * 12);
            spend12.truncate(w);
        }

        if month == 12 {
            count_active(&pop, &mut out.cohort, |c| &mut c.active_after_12);
        }

        // Arrivals at the end of the month.
        // The same uniform decides the count in every arm (inversion is monotone in the rate),
        // so arrivals k < the no-programme count exist in every arm; the extra ones exist only
        // because the programme attracted them, and they join it.
        for s in 0..ns {
            let base_lambda = segs[s].acquisition_monthly * inp.sample_share;
            let lambda = base_lambda * if prog.is_some() { eff[s].acquisition } else { 1.0 };
            if lambda <= 0.0 {
                continue;
            }
            let mut r = rng::stream(rng::derive(
                rng::derive(inp.key, purpose::ACQUISITION),
                ((s as u64) << 32) | month as u64,
            ));
            let u = open01(&mut r);
            let count = poisson_inv(u, lambda);
            let attracted_from = if lambda > base_lambda {
                poisson_inv(u, base_lambda)
            } else {
                count
            };
            acc[s].acquired += count as f64;
            for k in 0..count {
                let welcome = spawner.spawn(&mut pop, s, month, k, false, k >= attracted_from);
                acc[s].points_issued += welcome;
                if pop.c[pop.len() - 1].flags & MEMBER != 0 {
                    next_members[s] += 1.0;
                    acc[s].points_balance += welcome;
                }
            }
        }
        let messages_per_member = prog.map_or(0.0, |p| p.messages_per_member_monthly);
        for s in 0..ns {
            // members counted at the start of the month carry the per-member costs
            acc[s].member_costs += acc[s].members * member_cost;
            acc[s].messages = acc[s].members * messages_per_member;
            // welcome points of initial members were put in month 1 before the loop
            let pre = out.seg_months[t * ns + s].points_issued;
            out.seg_months[t * ns + s] = acc[s];
            out.seg_months[t * ns + s].points_issued += pre;
        }
        members_now = next_members;
    }

    count_active(&pop, &mut out.cohort, |c| &mut c.active_at_horizon);
    for c in &pop.c {
        fold_cohort(&mut out.cohort, c.seg0, c.flags);
        if c.seg0 != NOT_INITIAL {
            out.cohort[c.seg0 as usize].active_months += h as f64;
        }
        if let Some(p) = prog {
            let s = c.seg as usize;
            if c.points >= p.redemption_threshold_points {
                out.end_points_redeemable[s] += c.points;
            } else {
                out.end_points_stranded[s] += c.points;
            }
        }
    }
    out
}

fn count_active(pop: &Pop, cohort: &mut [Cohort], field: impl Fn(&mut Cohort) -> &mut f64) {
    for c in &pop.c {
        if c.seg0 != NOT_INITIAL {
            *field(&mut cohort[c.seg0 as usize]) += 1.0;
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
