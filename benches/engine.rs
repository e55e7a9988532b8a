//! Engine throughput in customer-months per second (criterion `Throughput::Elements`).
//!
//! - `agent/reference_workload_arm`: the programme arm alone, one iteration of the reference
//!   workload (scenarios/reference-workload.toml, the model of ../shared/peer), on the calling
//!   thread.
//! - `agent/reference_workload_iteration`: both arms of one iteration (baseline + programme) in
//!   the engine's single pass, as the driver runs them; customer-months of both arms.
//! - `driver/threads_N`: a full run (baseline + programme arms, 4 iterations) with N threads,
//!   to measure the speed-up from 1 to 2 threads.
//!
//! Run: `cargo bench --bench engine`. Compare with the numpy peer: `benches/compare_peer.sh`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use loyalsim::model::{Arm, Segment};
use loyalsim::progress::NoProgress;
use loyalsim::sim::agent::{ArmsInput, simulate_arms};
use loyalsim::sim::driver::RunOptions;
use loyalsim::sim::rng;
use loyalsim::{Scenario, ValidateOptions};
use std::hint::black_box;
use std::path::Path;

fn reference() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/reference-workload.toml");
    loyalsim::scenario::load(&path, &ValidateOptions::default()).expect("bundled scenario is valid")
}

fn agent(c: &mut Criterion) {
    let scn = reference();
    let draws = scn.draws(None);
    let segs: Vec<Segment<f64>> = scn.segments.iter().map(|s| s.instantiate(&draws)).collect();
    let arm: Arm<f64> = scn.arms[1].instantiate(&draws);
    let sim = &scn.simulation;
    let key = rng::iteration_key(sim.seed, 0);
    let input = ArmsInput::new(&segs, std::slice::from_ref(&arm), sim, key);
    let cm = simulate_arms(&input)[0].customer_months;
    let mut g = c.benchmark_group("agent");
    g.throughput(Throughput::Elements(cm));
    g.sample_size(10);
    g.bench_function("reference_workload_arm", |b| {
        b.iter(|| black_box(simulate_arms(black_box(&input))))
    });
    let arms: Vec<Arm<f64>> = scn.arms.iter().map(|a| a.instantiate(&draws)).collect();
    let all = ArmsInput::new(&segs, &arms, sim, key);
    let cm: u64 = simulate_arms(&all).iter().map(|o| o.customer_months).sum();
    g.throughput(Throughput::Elements(cm));
    g.bench_function("reference_workload_iteration", |b| {
        b.iter(|| black_box(simulate_arms(black_box(&all))))
    });
    g.finish();
}

fn driver(c: &mut Criterion) {
    let scn = reference();
    let opts = |threads| RunOptions {
        iterations: Some(4),
        threads: Some(threads),
        ..RunOptions::default()
    };
    let cm = loyalsim::run(&scn, &opts(1), &NoProgress)
        .expect("run")
        .performance
        .customer_months;
    let mut g = c.benchmark_group("driver");
    g.throughput(Throughput::Elements(cm));
    g.sample_size(10);
    for threads in [1, 2] {
        g.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| black_box(loyalsim::run(&scn, &opts(threads), &NoProgress).expect("run")))
        });
    }
    g.finish();
}

criterion_group!(benches, agent, driver);
criterion_main!(benches);
