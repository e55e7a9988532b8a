//! The binary end to end: exit codes (0 ok, 65 invalid scenario, 1 runtime failure, 2 usage),
//! where messages go (stderr) and what `run --output` writes.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const EXIT_RUNTIME: i32 = 1;
const EXIT_USAGE: i32 = 2;
const EXIT_INVALID: i32 = 65;

/// Small and fast (2,000 customers, 12 months) but with uncertainty, migration, named
/// allocations and two generosity scenarios.
const SMALL: &str = r#"
[simulation]
horizon_months = 12
iterations = 4
seed = 7

[[segments]]
name = "regulars"
customers = 1500
purchases_per_month = { dist = "triangular", min = 0.8, mode = 1.0, max = 1.3 }
purchase_rate_shape = 2.0
basket_mean = 40.0
basket_cv = 0.6
churn_monthly = 0.03
churn_concentration = 30
acquisition_monthly = 20
gross_margin = 0.3
enrolment_share = 0.6
migration = { occasionals = 0.02 }

[[segments]]
name = "occasionals"
customers = 500
purchases_per_month = 0.3
basket_mean = 30.0
churn_monthly = { dist = "pert", min = 0.04, mode = 0.06, max = 0.1 }
gross_margin = 0.3
enrolment_share = 0.3

[programme]
points_per_currency = 1.0
point_value = 0.01
redemption_threshold_points = 200
redemption_probability_monthly = 0.4
expiry_months = 12

[response.regulars]
frequency_lift = 0.03
churn_reduction = 0.1

[response.occasionals]
frequency_lift = 0.08

[allocation]
regulars = 200

[allocations.lean]
regulars = 50
occasionals = 50

[[scenarios]]
name = "standard"

[[scenarios]]
name = "generous"

[scenarios.programme]
point_value = 0.02
"#;

const ARTIFACTS: [&str; 6] = [
    "liability.csv",
    "monthly.csv",
    "results.json",
    "sensitivity.csv",
    "summary.csv",
    "tiers.csv",
];

fn loyalsim() -> Command {
    Command::cargo_bin("loyalsim").expect("the loyalsim binary is built")
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A temp dir holding `small.toml`.
fn small_scenario() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("small.toml");
    std::fs::write(&path, SMALL).expect("write small.toml");
    (dir, path)
}

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Out {
    let o = cmd.output().expect("the binary runs");
    Out {
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn sorted_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("list dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn validate_good_files_exits_0() {
    let (_dir, small) = small_scenario();
    let o = run(loyalsim()
        .arg("validate")
        .arg(&small)
        .arg(repo("scenarios/reference-workload.toml")));
    assert_eq!(o.code, Some(0), "stderr: {}", o.stderr);
    assert!(o.stdout.contains("small.toml: ok"), "{}", o.stdout);
    assert!(o.stdout.contains("reference-workload.toml: ok"), "{}", o.stdout);
    assert!(o.stderr.is_empty(), "{}", o.stderr);
}

/// Every file of the corpus through the binary: exit code, message on stderr, nothing on stdout.
#[test]
fn validate_bad_files_exits_65_with_the_message_on_stderr() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo("tests/bad"))
        .expect("tests/bad exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable");
        let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
        let exit = header
            .iter()
            .find_map(|l| l.strip_prefix("# expect-exit: "))
            .map_or(EXIT_INVALID, |c| c.trim().parse().expect("a number"));
        let o = run(loyalsim().arg("validate").arg(f));
        if o.code != Some(exit) {
            failures.push(format!("{}: exit {:?}, want {exit}", f.display(), o.code));
        }
        if !o.stdout.is_empty() {
            failures.push(format!("{}: stdout not empty: {}", f.display(), o.stdout));
        }
        if !o.stderr.starts_with("error: ") || !o.stderr.contains(&f.display().to_string()) {
            failures.push(format!("{}: stderr does not name the file: {}", f.display(), o.stderr));
        }
        for frag in header.iter().filter_map(|l| l.strip_prefix("# expect: ")) {
            if !o.stderr.contains(frag) {
                failures.push(format!("{}: `{frag}` not on stderr: {}", f.display(), o.stderr));
            }
        }
        if o.stderr.contains("panicked") {
            failures.push(format!("{}: panic: {}", f.display(), o.stderr));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn validate_checks_every_file_even_after_a_bad_one() {
    let (_dir, small) = small_scenario();
    let o = run(loyalsim()
        .arg("validate")
        .arg(repo("tests/bad/negative_seed.toml"))
        .arg(&small));
    assert_eq!(o.code, Some(EXIT_INVALID));
    assert!(o.stdout.contains("small.toml: ok"), "{}", o.stdout);
    assert!(o.stderr.contains("simulation.seed"), "{}", o.stderr);
}

#[test]
fn missing_file_exits_1_with_cannot_read() {
    for sub in ["validate", "run"] {
        let o = run(loyalsim().arg(sub).arg("no/such/scenario.toml"));
        assert_eq!(o.code, Some(EXIT_RUNTIME), "{sub}: {}", o.stderr);
        assert!(o.stderr.contains("cannot read scenario file"), "{sub}: {}", o.stderr);
        assert!(o.stderr.contains("no/such/scenario.toml"), "{sub}: {}", o.stderr);
        assert!(o.stdout.is_empty(), "{sub}: {}", o.stdout);
    }
}

#[test]
fn run_with_a_bad_scenario_exits_65_and_writes_nothing() {
    let out = tempfile::tempdir().expect("temp dir");
    let target = out.path().join("results");
    let o = run(loyalsim()
        .arg("run")
        .arg(repo("tests/bad/many_problems.toml"))
        .arg("--output")
        .arg(&target)
        .arg("--quiet"));
    assert_eq!(o.code, Some(EXIT_INVALID), "{}", o.stderr);
    assert!(o.stdout.is_empty(), "{}", o.stdout);
    assert!(o.stderr.contains("7 problems found"), "{}", o.stderr);
    assert!(
        !target.exists(),
        "an invalid scenario must not create the output directory"
    );
}

#[test]
fn unknown_allocation_name_is_rejected() {
    let (_dir, small) = small_scenario();
    let o = run(loyalsim().args(["run", "--quiet", "--allocation", "leen"]).arg(&small));
    assert_eq!(o.code, Some(EXIT_INVALID), "{}", o.stderr);
    assert!(o.stderr.contains("--allocation"), "{}", o.stderr);
    assert!(o.stderr.contains("did you mean \"lean\""), "{}", o.stderr);
    assert!(o.stderr.contains("available: lean"), "{}", o.stderr);
    assert!(o.stdout.is_empty());
}

#[test]
fn usage_errors_exit_2() {
    let (_dir, small) = small_scenario();
    let cases: [&[&str]; 5] = [
        &["run", "--no-such-flag"],
        &["validate"],
        &["frobnicate"],
        &["run", "-n", "0"],
        &["run", "--threads", "0"],
    ];
    for args in cases {
        let mut cmd = loyalsim();
        cmd.args(args);
        if args[0] == "run" {
            cmd.arg(&small);
        }
        let o = run(&mut cmd);
        assert_eq!(o.code, Some(EXIT_USAGE), "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains("error"), "{args:?}: {}", o.stderr);
        assert!(o.stdout.is_empty(), "{args:?}: {}", o.stdout);
    }
}

#[test]
fn output_into_an_existing_file_exits_1_and_leaves_nothing() {
    let (dir, small) = small_scenario();
    let file = dir.path().join("taken.txt");
    std::fs::write(&file, "keep me").expect("write");
    let before = sorted_names(dir.path());
    let o = run(loyalsim()
        .args(["run", "-n", "2", "--quiet", "--output"])
        .arg(&file)
        .arg(&small));
    assert_eq!(o.code, Some(EXIT_RUNTIME), "{}", o.stderr);
    assert!(o.stderr.contains("taken.txt"), "{}", o.stderr);
    assert!(o.stderr.contains("not a directory"), "{}", o.stderr);
    assert!(o.stdout.is_empty(), "{}", o.stdout);
    assert_eq!(std::fs::read_to_string(&file).expect("still there"), "keep me");
    assert_eq!(sorted_names(dir.path()), before, "nothing may be left behind");
}

#[test]
fn run_prints_a_table_with_roi() {
    let (_dir, small) = small_scenario();
    let o = run(loyalsim().args(["run", "-n", "2"]).arg(&small));
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(o.stdout.contains("ROI"), "{}", o.stdout);
    assert!(o.stdout.contains("generous"), "{}", o.stdout);
}

#[test]
fn quiet_run_writes_outputs_and_prints_nothing() {
    let (dir, small) = small_scenario();
    let out = dir.path().join("out");
    let o = run(loyalsim()
        .args(["run", "-n", "3", "--quiet", "--output"])
        .arg(&out)
        .arg(&small));
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(o.stdout.is_empty(), "--quiet printed: {}", o.stdout);
    assert_eq!(sorted_names(&out), ARTIFACTS, "exactly the artifacts, no temp files");
}

/// The 100k-customer reference workload, two iterations: the full set of outputs.
#[test]
fn reference_workload_writes_complete_outputs() {
    let out = tempfile::tempdir().expect("temp dir");
    let o = run(loyalsim()
        .args(["run", "-n", "2", "--quiet", "--output"])
        .arg(out.path())
        .arg(repo("scenarios/reference-workload.toml")));
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(o.stdout.is_empty(), "--quiet printed: {}", o.stdout);
    assert_eq!(
        sorted_names(out.path()),
        ARTIFACTS,
        "exactly the artifacts, no temp files"
    );

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("results.json")).expect("results.json"))
            .expect("results.json parses");
    assert!(
        json["schema_version"].is_u64(),
        "schema_version: {}",
        json["schema_version"]
    );
    let sha = json["provenance"]["scenario_sha256"]
        .as_str()
        .expect("provenance.scenario_sha256");
    assert_eq!(sha.len(), 64, "{sha}");
    let cm = json["performance"]["customer_months"]
        .as_u64()
        .expect("performance.customer_months");
    // 100,000 customers over 36 months, churn 4 % a month, 2,000 new a month, two iterations,
    // two arms: millions of customer-months at least.
    assert!(cm > 1_000_000, "{cm}");

    let summary = std::fs::read_to_string(out.path().join("summary.csv")).expect("summary.csv");
    assert!(summary.lines().count() > 10, "{summary}");
    let monthly = std::fs::read_to_string(out.path().join("monthly.csv")).expect("monthly.csv");
    let header = monthly.lines().next().expect("a header");
    assert_eq!(header, "scenario,segment,month,metric,mean,se,p5,p50,p95");
    assert!(
        monthly.lines().any(|l| l.starts_with("programme,all,36,")),
        "36 months of the programme arm"
    );
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let (dir, small) = small_scenario();
    let mut summaries = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("out{threads}"));
        let o = run(loyalsim()
            .args(["run", "-n", "5", "--quiet", "--threads", threads, "--output"])
            .arg(&out)
            .arg(&small));
        assert_eq!(o.code, Some(0), "{}", o.stderr);
        summaries.push(std::fs::read(out.join("summary.csv")).expect("summary.csv"));
    }
    assert!(!summaries[0].is_empty());
    assert!(
        summaries[0] == summaries[1],
        "summary.csv differs between --threads 1 and 2"
    );
}
