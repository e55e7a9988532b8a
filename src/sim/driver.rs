//! Monte Carlo driver: one work unit = one iteration. Iterations run in parallel (rayon) in
//! fixed-size chunks; each chunk is collected in order and reduced sequentially, so results are
//! bit-identical for any thread count.

use super::agent::{ArmOutcome, ArmsInput, simulate_arms};
use super::rng::{self, purpose};
use crate::error::RunError;
use crate::finance::{self, ARM_KPIS, INCREMENTAL_KPIS, liability};
use crate::model::{Arm, Segment};
use crate::progress::Progress;
use crate::results::*;
use crate::scenario::Scenario;
use crate::stats::{self, Summary};
use rayon::prelude::*;
use std::time::Instant;

/// How the arms share random numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Coupling {
    /// Common random numbers coupled by meaning (the default, and the right choice).
    #[default]
    Common,
    /// Each arm draws its own streams: only to measure what coupling buys.
    Independent,
}

/// Options of a run; `None` keeps the scenario's value.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub iterations: Option<u32>,
    pub seed: Option<u64>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Hold every uncertain assumption at its median (process noise only).
    pub central: bool,
    pub coupling: Coupling,
}

/// What one iteration returns: small, already reduced to KPIs and series.
struct IterOut {
    draws: Vec<f64>,
    /// `[arm][kpi]`
    arm_kpis: Vec<Vec<f64>>,
    /// `[arm][segment][kpi]`
    arm_seg_kpis: Vec<Vec<Vec<f64>>>,
    /// `[scenario][kpi]` (scenario = arm ≥ 1)
    inc_kpis: Vec<Vec<f64>>,
    /// `[scenario][segment][kpi]`
    inc_seg_kpis: Vec<Vec<Vec<f64>>>,
    /// `[arm][month][metric]` whole base
    monthly: Vec<Vec<Vec<f64>>>,
    /// `[arm]` flat `[segment][month][metric]` (engine metrics only)
    seg_monthly: Vec<Vec<f64>>,
    /// `[arm]` flat `[month][tier]`
    tiers: Vec<Vec<f64>>,
    customer_months: u64,
}

/// Run the scenario: simulate every iteration, reduce and summarise.
pub fn run(scn: &Scenario, opts: &RunOptions, progress: &dyn Progress) -> Result<RunResult, RunError> {
    let iterations = opts.iterations.unwrap_or(scn.simulation.iterations);
    if iterations == 0 {
        return Err(RunError::Options("--iterations must be at least 1".into()));
    }
    let seed = opts.seed.unwrap_or(scn.simulation.seed);
    let threads = opts
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if threads == 0 {
        return Err(RunError::Options("--threads must be at least 1".into()));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::ThreadPool(e.to_string()))?;

    let lhs = if opts.central {
        Vec::new()
    } else {
        rng::latin_hypercube(seed, iterations as usize, scn.uncertain.len())
    };
    let mut acc = Acc::new(scn);
    progress.start(iterations as u64);
    let started = Instant::now();
    let chunk = (threads * 8).max(32);
    pool.install(|| {
        let mut start = 0u32;
        while start < iterations {
            let end = (start + chunk as u32).min(iterations);
            let outs: Vec<IterOut> = (start..end)
                .into_par_iter()
                .map(|i| {
                    let row = (!opts.central).then(|| lhs[i as usize].as_slice());
                    let out = iteration(scn, seed, i, row, opts.coupling);
                    progress.advance(1);
                    out
                })
                .collect();
            for o in outs {
                acc.push(o);
            }
            start = end;
        }
    });
    let engine_seconds = started.elapsed().as_secs_f64();
    progress.finish();
    Ok(acc.finish(scn, opts, iterations, seed, threads, engine_seconds))
}

/// Simulate every arm of one iteration and reduce it to KPIs.
fn iteration(scn: &Scenario, seed: u64, i: u32, lhs_row: Option<&[f64]>, coupling: Coupling) -> IterOut {
    let draws = scn.draws(lhs_row);
    let sim = &scn.simulation;
    let segs: Vec<Segment<f64>> = scn.segments.iter().map(|s| s.instantiate(&draws)).collect();
    let arms: Vec<Arm<f64>> = scn.arms.iter().map(|a| a.instantiate(&draws)).collect();
    let ik = rng::iteration_key(seed, i as u64);
    let all = ArmsInput::new(&segs, &arms, sim, ik);
    // Common random numbers: every arm in one pass on the iteration's streams. Independent
    // streams (the variance comparison): each arm alone on its own salted key.
    let mut outcomes: Vec<ArmOutcome> = match coupling {
        Coupling::Common => simulate_arms(&all),
        Coupling::Independent => arms
            .iter()
            .enumerate()
            .flat_map(|(a, arm)| {
                let key = rng::derive(ik, purpose::ARM ^ ((a as u64) << 8));
                simulate_arms(&ArmsInput {
                    arms: std::slice::from_ref(arm),
                    key,
                    ..all
                })
            })
            .collect(),
    };
    outcomes.iter_mut().for_each(|o| o.scale(1.0 / sim.sample_share));
    let ns = segs.len();
    let customer_months = outcomes.iter().map(|o| o.customer_months).sum();
    let base = &outcomes[0];
    let arm_kpis = arms
        .iter()
        .zip(&outcomes)
        .map(|(a, o)| finance::arm_kpis(a, o, None))
        .collect();
    let arm_seg_kpis = arms
        .iter()
        .zip(&outcomes)
        .map(|(a, o)| (0..ns).map(|s| finance::arm_kpis(a, o, Some(s))).collect())
        .collect();
    let inc_kpis = (1..arms.len())
        .map(|a| finance::incremental_kpis(sim, &arms[0], base, &arms[a], &outcomes[a], None))
        .collect();
    let inc_seg_kpis = (1..arms.len())
        .map(|a| {
            (0..ns)
                .map(|s| finance::incremental_kpis(sim, &arms[0], base, &arms[a], &outcomes[a], Some(s)))
                .collect()
        })
        .collect();
    let monthly = arms
        .iter()
        .zip(&outcomes)
        .map(|(a, o)| finance::monthly_series(base, a, o))
        .collect();
    let seg_monthly = outcomes
        .iter()
        .map(|o| {
            let mut v = Vec::with_capacity(ns * o.months as usize * crate::sim::metrics::SegMonth::NAMES.len());
            for s in 0..ns {
                for t in 0..o.months as usize {
                    v.extend(o.seg_month(t, s).values());
                }
            }
            v
        })
        .collect();
    let tiers = outcomes.iter().map(|o| o.tier_members.clone()).collect();
    IterOut {
        draws,
        arm_kpis,
        arm_seg_kpis,
        inc_kpis,
        inc_seg_kpis,
        monthly,
        seg_monthly,
        tiers,
        customer_months,
    }
}

/// Summary of the finite values; every field NaN (JSON `null`) when there are none, so an
/// undefined KPI (e.g. ROI with no cost) is never shown as 0.
fn summarize_or_nan(values: &[f64]) -> Summary {
    let s = stats::summarize(values);
    if s.n > 0 {
        s
    } else {
        Summary {
            n: 0,
            mean: f64::NAN,
            se: f64::NAN,
            sd: f64::NAN,
            ci95_half_width: f64::NAN,
            p5: f64::NAN,
            p10: f64::NAN,
            p25: f64::NAN,
            p50: f64::NAN,
            p75: f64::NAN,
            p90: f64::NAN,
            p95: f64::NAN,
            min: f64::NAN,
            max: f64::NAN,
        }
    }
}

/// Sequential accumulator: per-iteration values in iteration order, and running sums.
struct Acc {
    n: usize,
    draws: Vec<Vec<f64>>,
    /// `[arm][kpi][iter]`
    arm_kpis: Vec<Vec<Vec<f64>>>,
    arm_seg_kpis: Vec<Vec<Vec<Vec<f64>>>>,
    inc_kpis: Vec<Vec<Vec<f64>>>,
    inc_seg_kpis: Vec<Vec<Vec<Vec<f64>>>>,
    /// `[arm][month][metric][iter]`
    monthly: Vec<Vec<Vec<Vec<f64>>>>,
    seg_sum: Vec<Vec<f64>>,
    seg_sumsq: Vec<Vec<f64>>,
    tier_sum: Vec<Vec<f64>>,
    customer_months: u64,
}

fn cols(n: usize) -> Vec<Vec<f64>> {
    vec![Vec::new(); n]
}

impl Acc {
    fn new(scn: &Scenario) -> Self {
        let na = scn.arms.len();
        let ns = scn.segments.len();
        let h = scn.simulation.horizon_months as usize;
        let nm = finance::monthly_names().len();
        Acc {
            n: 0,
            draws: Vec::new(),
            arm_kpis: (0..na).map(|_| cols(ARM_KPIS.len())).collect(),
            arm_seg_kpis: (0..na)
                .map(|_| (0..ns).map(|_| cols(ARM_KPIS.len())).collect())
                .collect(),
            inc_kpis: (1..na).map(|_| cols(INCREMENTAL_KPIS.len())).collect(),
            inc_seg_kpis: (1..na)
                .map(|_| (0..ns).map(|_| cols(INCREMENTAL_KPIS.len())).collect())
                .collect(),
            monthly: (0..na).map(|_| (0..h).map(|_| cols(nm)).collect()).collect(),
            seg_sum: Vec::new(),
            seg_sumsq: Vec::new(),
            tier_sum: Vec::new(),
            customer_months: 0,
        }
    }

    fn push(&mut self, o: IterOut) {
        fn push_into(dst: &mut [Vec<f64>], src: &[f64]) {
            for (d, &v) in dst.iter_mut().zip(src) {
                d.push(v);
            }
        }
        fn add_into(dst: &mut Vec<f64>, src: &[f64], sq: bool) {
            if dst.is_empty() {
                dst.resize(src.len(), 0.0);
            }
            for (d, &v) in dst.iter_mut().zip(src) {
                *d += if sq { v * v } else { v };
            }
        }
        self.n += 1;
        for (a, v) in o.arm_kpis.iter().enumerate() {
            push_into(&mut self.arm_kpis[a], v);
        }
        for (a, segs) in o.arm_seg_kpis.iter().enumerate() {
            for (s, v) in segs.iter().enumerate() {
                push_into(&mut self.arm_seg_kpis[a][s], v);
            }
        }
        for (a, v) in o.inc_kpis.iter().enumerate() {
            push_into(&mut self.inc_kpis[a], v);
        }
        for (a, segs) in o.inc_seg_kpis.iter().enumerate() {
            for (s, v) in segs.iter().enumerate() {
                push_into(&mut self.inc_seg_kpis[a][s], v);
            }
        }
        for (a, months) in o.monthly.iter().enumerate() {
            for (t, v) in months.iter().enumerate() {
                push_into(&mut self.monthly[a][t], v);
            }
        }
        self.seg_sum.resize(o.seg_monthly.len(), Vec::new());
        self.seg_sumsq.resize(o.seg_monthly.len(), Vec::new());
        self.tier_sum.resize(o.tiers.len(), Vec::new());
        for (a, v) in o.seg_monthly.iter().enumerate() {
            add_into(&mut self.seg_sum[a], v, false);
            add_into(&mut self.seg_sumsq[a], v, true);
        }
        for (a, v) in o.tiers.iter().enumerate() {
            add_into(&mut self.tier_sum[a], v, false);
        }
        self.draws.push(o.draws);
        self.customer_months += o.customer_months;
    }

    fn finish(
        self,
        scn: &Scenario,
        opts: &RunOptions,
        iterations: u32,
        seed: u64,
        threads: usize,
        engine_seconds: f64,
    ) -> RunResult {
        let sim = &scn.simulation;
        let n = self.n as f64;
        let seg_names: Vec<String> = scn.segments.iter().map(|s| s.name.clone()).collect();
        let named = |defs: &'static [finance::Kpi], cols: &[Vec<f64>]| -> Vec<NamedSummary> {
            defs.iter()
                .zip(cols)
                .map(|(k, c)| NamedSummary {
                    name: k.name,
                    unit: k.unit,
                    summary: summarize_or_nan(c),
                })
                .collect()
        };
        let arms: Vec<ArmResult> = scn
            .arms
            .iter()
            .enumerate()
            .map(|(a, arm)| ArmResult {
                name: arm.name.clone(),
                description: arm.description.clone(),
                allocation: arm.allocation_name.clone(),
                kpis: named(ARM_KPIS, &self.arm_kpis[a]),
                segments: seg_names
                    .iter()
                    .enumerate()
                    .map(|(s, name)| SegmentKpis {
                        segment: name.clone(),
                        kpis: named(ARM_KPIS, &self.arm_seg_kpis[a][s]),
                    })
                    .collect(),
            })
            .collect();
        let npv_idx = INCREMENTAL_KPIS.iter().position(|k| k.name == "npv").expect("npv");
        let roi_idx = INCREMENTAL_KPIS.iter().position(|k| k.name == "roi").expect("roi");
        let mut scenarios = Vec::new();
        let mut convergence = Vec::new();
        let mut sensitivity = Vec::new();
        for (k, arm) in scn.arms.iter().enumerate().skip(1) {
            let inc = &self.inc_kpis[k - 1];
            let npv = &inc[npv_idx];
            let (p_loss, p_loss_se) = stats::prob_below(npv, 0.0);
            scenarios.push(ScenarioResult {
                name: arm.name.clone(),
                p_loss,
                p_loss_se,
                cvar5_npv: stats::cvar_lower(npv, 0.05),
                incremental: named(INCREMENTAL_KPIS, inc),
                segments: seg_names
                    .iter()
                    .enumerate()
                    .map(|(s, name)| SegmentKpis {
                        segment: name.clone(),
                        kpis: named(INCREMENTAL_KPIS, &self.inc_seg_kpis[k - 1][s]),
                    })
                    .collect(),
            });
            let s: Summary = stats::summarize(npv);
            convergence.push(Convergence {
                scenario: arm.name.clone(),
                npv_mean: s.mean,
                npv_ci95_half_width: s.ci95_half_width,
                npv_ci95_relative: if s.mean != 0.0 {
                    s.ci95_half_width / s.mean.abs()
                } else {
                    f64::NAN
                },
                iterations_for_5pct: stats::iterations_for_half_width(s.sd, 0.05 * s.mean.abs()),
            });
            if !opts.central {
                let used = scn.inputs_used_by(k);
                let mut rows: Vec<SensitivityRow> = scn
                    .uncertain
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| used[j])
                    .map(|(j, u)| {
                        let x: Vec<f64> = self.draws.iter().map(|d| d[j]).collect();
                        SensitivityRow {
                            scenario: arm.name.clone(),
                            input: u.path.clone(),
                            spearman_npv: stats::spearman(&x, npv),
                            spearman_roi: stats::spearman(&x, &inc[roi_idx]),
                        }
                    })
                    .collect();
                rows.sort_by(|a, b| b.spearman_npv.abs().total_cmp(&a.spearman_npv.abs()));
                sensitivity.extend(rows);
            }
        }

        // Monthly long table: whole base with percentiles, segments with mean ± se.
        let names = finance::monthly_names();
        let seg_names_metrics = crate::sim::metrics::SegMonth::NAMES;
        let h = sim.horizon_months as usize;
        let mut monthly = Vec::new();
        for (a, arm) in scn.arms.iter().enumerate() {
            for t in 0..h {
                for (m, metric) in names.iter().enumerate() {
                    let s = stats::summarize(&self.monthly[a][t][m]);
                    monthly.push(MonthlyRow {
                        arm: arm.name.clone(),
                        segment: "all".into(),
                        month: (t + 1) as u32,
                        metric,
                        mean: s.mean,
                        se: s.se,
                        p5: Some(s.p5),
                        p50: Some(s.p50),
                        p95: Some(s.p95),
                    });
                }
            }
            let nm = seg_names_metrics.len();
            for (s, seg) in seg_names.iter().enumerate() {
                for t in 0..h {
                    for (m, metric) in seg_names_metrics.iter().enumerate() {
                        let idx = (s * h + t) * nm + m;
                        let mean = self.seg_sum[a][idx] / n;
                        let var = if n > 1.0 {
                            ((self.seg_sumsq[a][idx] / n - mean * mean) * n / (n - 1.0)).max(0.0)
                        } else {
                            0.0
                        };
                        monthly.push(MonthlyRow {
                            arm: arm.name.clone(),
                            segment: seg.clone(),
                            month: (t + 1) as u32,
                            metric,
                            mean,
                            se: (var / n).sqrt(),
                            p5: None,
                            p50: None,
                            p95: None,
                        });
                    }
                }
            }
        }

        // Tier mix and liability from mean series, with central programme values.
        let central = scn.draws(None);
        let mut tier_names = Vec::new();
        let mut tier_mix = Vec::new();
        let mut liab = Vec::new();
        let idx = |name: &str| names.iter().position(|n| *n == name).expect("metric");
        for (a, arm) in scn.arms.iter().enumerate() {
            let Some(p) = arm.programme.as_ref().map(|p| p.instantiate(&central)) else {
                continue;
            };
            let nt = p.tiers.len();
            if nt > 0 {
                let labels: Vec<String> = std::iter::once("no tier".to_string())
                    .chain(p.tiers.iter().map(|t| t.name.clone()))
                    .collect();
                for l in &labels {
                    if !tier_names.contains(l) {
                        tier_names.push(l.clone());
                    }
                }
                for t in 0..h {
                    for (k, l) in labels.iter().enumerate() {
                        tier_mix.push(TierRow {
                            arm: arm.name.clone(),
                            month: (t + 1) as u32,
                            tier: l.clone(),
                            members: self.tier_sum[a][t * (nt + 1) + k] / n,
                        });
                    }
                }
            }
            // Mean monthly series of one metric (the series hold no NaN, so this is the same
            // mean as the monthly table's, without sorting for percentiles).
            let mean_series = |name: &str| -> Vec<f64> {
                (0..h)
                    .map(|t| stats::mean_var(&self.monthly[a][t][idx(name)]).0)
                    .collect()
            };
            let member_sales = mean_series("member_revenue");
            let issued_m = mean_series("points_issued");
            let redeemed_m = mean_series("points_redeemed");
            let expired_m = mean_series("points_expired");
            let lost_below_m = mean_series("points_lost_below_threshold");
            let lost_blocks_m = mean_series("points_lost_with_blocks");
            let issued: f64 = issued_m.iter().sum();
            let redeemed: f64 = redeemed_m.iter().sum();
            let redeemable = stats::summarize(
                &self.arm_kpis[a][ARM_KPIS
                    .iter()
                    .position(|k| k.name == "points_redeemable_at_horizon_share")
                    .expect("kpi")],
            )
            .mean
                * issued;
            let (rate, source) = match p.expected_redemption_rate {
                Some(r) => (r, "scenario"),
                None => {
                    let decided = issued - redeemable;
                    (
                        if decided > 0.0 {
                            (redeemed / decided).clamp(0.0, 1.0)
                        } else {
                            1.0
                        },
                        "estimated",
                    )
                }
            };
            let inputs: Vec<liability::LiabilityMonthInput> = (0..h)
                .map(|t| liability::LiabilityMonthInput {
                    member_sales: member_sales[t],
                    points_issued: issued_m[t],
                    points_redeemed: redeemed_m[t],
                    points_expired: expired_m[t] + lost_below_m[t] + lost_blocks_m[t],
                    expected_redemption_rate: rate,
                })
                .collect();
            liab.push(LiabilityResult {
                arm: arm.name.clone(),
                expected_redemption_rate: rate,
                expected_redemption_rate_source: source,
                point_value: p.point_value,
                rows: liability::roll_forward(&inputs, p.point_value, p.net_cost_share()),
            });
        }

        RunResult {
            schema_version: SCHEMA_VERSION,
            provenance: Provenance {
                tool: env!("CARGO_PKG_NAME"),
                tool_version: env!("CARGO_PKG_VERSION"),
                scenario_path: scn.source.path.display().to_string(),
                scenario_sha256: scn.source.sha256.clone(),
                seed,
                iterations,
                crates: vec![
                    ("rand", "0.10"),
                    ("rand_distr", "0.6"),
                    ("rand_xoshiro", "0.8"),
                    ("statrs", "0.19"),
                ],
            },
            settings: Settings {
                horizon_months: sim.horizon_months,
                iterations,
                seed,
                discount_rate_annual: sim.discount_rate_annual,
                discount_rate_monthly: sim.monthly_discount(),
                currency: sim.currency.clone(),
                sample_share: sim.sample_share,
                customer_weight: 1.0 / sim.sample_share,
                repurchase_window_months: sim.repurchase_window_months,
                central_assumptions: opts.central,
                random_numbers: match opts.coupling {
                    Coupling::Common => "common",
                    Coupling::Independent => "independent",
                },
            },
            segments: seg_names,
            tiers: tier_names,
            assumptions: scn
                .uncertain
                .iter()
                .map(|u| Assumption {
                    path: u.path.clone(),
                    distribution: u.dist.describe(),
                    median: u.dist.central(),
                })
                .collect(),
            kpi_definitions: KpiDefinitions {
                arm: ARM_KPIS,
                incremental: INCREMENTAL_KPIS,
            },
            arms,
            scenarios,
            convergence,
            sensitivity,
            liability: liab,
            tier_mix,
            monthly,
            performance: Performance {
                customer_months: self.customer_months,
                engine_seconds,
                customer_months_per_second: self.customer_months as f64 / engine_seconds.max(1e-9),
                threads,
            },
        }
    }
}
