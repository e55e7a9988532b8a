//! Bundled-scenario checks: common random numbers on retail-fashion, determinism across thread
//! counts, and golden values pinned for a fixed seed.

use loyalsim::progress::NoProgress;
use loyalsim::results::{RunResult, kpi};
use loyalsim::sim::driver::{Coupling, RunOptions};
use loyalsim::{Scenario, ValidateOptions};
use statrs::distribution::{ContinuousCDF, FisherSnedecor};
use std::path::Path;

fn bundled(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
    loyalsim::scenario::load(&path, &ValidateOptions::default()).expect("bundled scenario is valid")
}

fn run(scn: &Scenario, opts: RunOptions) -> RunResult {
    loyalsim::run(scn, &opts, &NoProgress).expect("run")
}

/// Required variance reduction of common random numbers (issue: at least tenfold).
const MIN_VARIANCE_RATIO: f64 = 10.0;

/// Issue requirement: on retail-fashion with its assumptions at their central values, common
/// random numbers cut the Monte Carlo variance of incremental NPV at least tenfold compared with
/// independent streams per arm. The measured ratio must clear 10 × the 99.9 % F quantile, so the
/// test does not pass by luck. (Measured 92–180× with 60 iterations; README → Accuracy.)
#[test]
fn common_random_numbers_cut_variance_tenfold_on_retail_fashion() {
    const N: u32 = 40;
    let scn = bundled("retail-fashion.toml");
    let opts = |coupling| RunOptions {
        iterations: Some(N),
        central: true,
        coupling,
        ..RunOptions::default()
    };
    let common = run(&scn, opts(Coupling::Common));
    let independent = run(&scn, opts(Coupling::Independent));
    let f = FisherSnedecor::new((N - 1) as f64, (N - 1) as f64)
        .unwrap()
        .inverse_cdf(0.999);
    for sc in &common.scenarios {
        let sd_c = kpi(&sc.incremental, "npv").unwrap().sd;
        let sd_i = kpi(&independent.scenario(&sc.name).unwrap().incremental, "npv")
            .unwrap()
            .sd;
        let ratio = (sd_i / sd_c).powi(2);
        assert!(
            ratio >= MIN_VARIANCE_RATIO * f,
            "{}: variance ratio {ratio:.1} (sd {sd_c:.0} common vs {sd_i:.0} independent) below {MIN_VARIANCE_RATIO} × F {f:.2}",
            sc.name
        );
    }
}

fn without_performance(r: &RunResult) -> String {
    let mut v = serde_json::to_value(r).unwrap();
    v.as_object_mut().unwrap().remove("performance");
    serde_json::to_string(&v).unwrap()
}

/// 1 vs 4 threads: bit-identical results on a scenario with tiers, age expiry, migration and
/// uncertain inputs (more iterations than one parallel chunk).
#[test]
fn one_and_four_threads_are_bit_identical() {
    let scn = bundled("beauty-tiers.toml");
    let opts = |threads| RunOptions {
        iterations: Some(36),
        threads: Some(threads),
        ..RunOptions::default()
    };
    let one = run(&scn, opts(1));
    let four = run(&scn, opts(4));
    assert_eq!(without_performance(&one), without_performance(&four));
    assert_eq!(one.performance.customer_months, four.performance.customer_months);
}

/// Golden values: beauty-tiers, seed 11, 3 iterations. Any change to the random streams, the
/// sampling algorithms or the order of events changes these numbers; if the change is intended,
/// update them and say why in the commit (results of every scenario change with them).
#[test]
fn golden_values_for_a_fixed_seed() {
    let scn = bundled("beauty-tiers.toml");
    let r = run(
        &scn,
        RunOptions {
            iterations: Some(3),
            seed: Some(11),
            threads: Some(2),
            ..RunOptions::default()
        },
    );
    let arm = |name: &str, k: &str| kpi(&r.arm(name).unwrap().kpis, k).unwrap().mean;
    assert_eq!(r.performance.customer_months, 4_193_236);
    assert_eq!(arm("baseline", "revenue"), 67291925.61836982);
    assert_eq!(arm("current", "points_issued"), 57552658.333333336);
    assert_eq!(arm("current", "breakage_total"), 0.23783945463692693);
    assert_eq!(
        kpi(&r.scenario("current").unwrap().incremental, "npv").unwrap().mean,
        -11595.298614559242
    );
}

/// The engine simulates the arms of an iteration in one pass over the customers, sharing each
/// customer-month's draws, in groups of up to `FUSED_ARMS` arms. Every arm's outcome must be
/// exactly what a pass of its own gives, whatever the group size and wherever the baseline sits
/// in the group: arms that differ in effects on frequency, churn, migration and acquisition
/// (programme-attracted arrivals exist in some arms only), tiers and age expiry.
#[test]
fn one_pass_over_all_arms_equals_a_pass_per_arm() {
    use loyalsim::model::{Arm, Segment};
    use loyalsim::sim::agent::{ArmsInput, FUSED_ARMS, simulate_arms};
    use loyalsim::sim::rng;
    for name in ["retail-fashion.toml", "beauty-tiers.toml"] {
        let scn = bundled(name);
        let lhs = rng::latin_hypercube(7, 5, scn.uncertain.len());
        let draws = scn.draws(Some(&lhs[2]));
        let segs: Vec<Segment<f64>> = scn.segments.iter().map(|s| s.instantiate(&draws)).collect();
        let base: Vec<Arm<f64>> = scn.arms.iter().map(|a| a.instantiate(&draws)).collect();
        assert!(base.len() >= 3, "{name}: needs a baseline and two scenarios");
        // Groups of FUSED_ARMS and a remainder, with the baseline first, inside, and absent.
        let order = [1, 0, 2, base.len() - 1, 0, base.len() - 1, 1, 2, 1];
        let arms: Vec<Arm<f64>> = order.iter().map(|&i| base[i].clone()).collect();
        assert!(arms.len() > FUSED_ARMS);
        let sim = &scn.simulation;
        let all = ArmsInput {
            sample_share: 0.01,
            ..ArmsInput::new(&segs, &arms, sim, rng::iteration_key(sim.seed, 3))
        };
        let fused = simulate_arms(&all);
        assert_eq!(fused.len(), arms.len());
        for (i, arm) in arms.iter().enumerate() {
            let alone = simulate_arms(&ArmsInput {
                arms: std::slice::from_ref(arm),
                ..all
            })
            .remove(0);
            assert!(alone.customer_months > 0);
            assert!(
                fused[i] == alone,
                "{name}: arm {i} ({}) differs in the fused pass",
                arm.name
            );
        }
        // The programme changes behaviour, so arms really differ (the test is not vacuous).
        assert_ne!(fused[0].seg_months, fused[1].seg_months);
    }
}
