//! Scenario validation through the library: the corpus of bad files in `tests/bad/` (each names
//! the message fragments it must produce in `# expect:` comment lines), the "all problems at
//! once" rule, NaN/inf, a no-panic sweep, and the bundled scenarios staying valid.

use loyalsim::scenario::{self, Scenario};
use loyalsim::{ScenarioError, ValidateOptions};
use std::path::{Path, PathBuf};

/// A small valid scenario that the tests below break one field at a time.
const BASE: &str = r#"
[simulation]
horizon_months = 12
iterations = 10
seed = 1
discount_rate_annual = 0.08
sample_share = 1.0

[[segments]]
name = "regulars"
customers = 1000
purchases_per_month = 1.0
basket_mean = 40.0
churn_monthly = 0.03
gross_margin = 0.3
enrolment_share = 0.6
migration = { occasionals = 0.02 }

[[segments]]
name = "occasionals"
customers = 2000
purchases_per_month = 0.3
basket_mean = 30.0
churn_monthly = { dist = "uniform", min = 0.04, max = 0.06 }
gross_margin = 0.3
enrolment_share = 0.4

[programme]
points_per_currency = 1.0
point_value = 0.01
redemption_threshold_points = 500
redemption_probability_monthly = 0.4

[[programme.tiers]]
name = "silver"
min_spend_12m = 1000
earn_multiplier = 1.5

[response.regulars]
frequency_lift = 0.05

[allocation]
regulars = 100

[allocations.lean]
regulars = 50

[[scenarios]]
name = "standard"
"#;

fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    scenario::parse_str(text, Path::new("mem.toml"), &ValidateOptions::default())
}

fn files_in(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

/// What a corpus file says about itself in its leading comment lines.
struct Expect {
    fragments: Vec<String>,
    exit: i32,
}

fn expectations(path: &Path) -> Expect {
    let text = std::fs::read_to_string(path).expect("corpus file is readable");
    let mut e = Expect {
        fragments: Vec::new(),
        exit: 65,
    };
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(f) = line.strip_prefix("# expect: ") {
            e.fragments.push(f.to_string());
        } else if let Some(c) = line.strip_prefix("# expect-exit: ") {
            e.exit = c.trim().parse().expect("expect-exit is a number");
        }
    }
    e
}

/// A field path such as `segments[1].churn_monthly` or `scenarios["generous"].programme`.
fn looks_like_field_path(s: &str) -> bool {
    let first = s.chars().next();
    (first.is_some_and(|c| c.is_ascii_lowercase()) || s.starts_with("--"))
        && !s.contains(' ')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "_-.[]\"".contains(c))
}

/// `path:line:column: ...` at the start of a syntax error's Display.
fn has_line_column(msg: &str, path: &Path) -> bool {
    let Some(rest) = msg.strip_prefix(&format!("{}:", path.display())) else {
        return false;
    };
    let mut parts = rest.splitn(3, ':');
    let line = parts.next().unwrap_or("");
    let col = parts.next().unwrap_or("");
    !line.is_empty()
        && !col.is_empty()
        && line.chars().all(|c| c.is_ascii_digit())
        && col.chars().all(|c| c.is_ascii_digit())
}

#[test]
fn every_bad_file_is_rejected_with_its_messages() {
    let corpus = files_in("tests/bad");
    assert!(corpus.len() >= 25, "the corpus has only {} files", corpus.len());
    let mut failures = Vec::new();
    for path in &corpus {
        let expect = expectations(path);
        if expect.fragments.is_empty() {
            failures.push(format!("{}: no `# expect:` line", path.display()));
            continue;
        }
        let err = match scenario::load(path, &ValidateOptions::default()) {
            Ok(_) => {
                failures.push(format!("{}: accepted, but it is invalid", path.display()));
                continue;
            }
            Err(e) => e,
        };
        let msg = err.to_string();
        if !msg.contains(&path.display().to_string()) {
            failures.push(format!("{}: message does not name the file:\n{msg}", path.display()));
        }
        for f in &expect.fragments {
            if !msg.contains(f.as_str()) {
                failures.push(format!("{}: missing `{f}` in:\n{msg}", path.display()));
            }
        }
        match &err {
            ScenarioError::Io { .. } => failures.push(format!("{}: read error: {msg}", path.display())),
            ScenarioError::Syntax { line, column, .. } => {
                if *line == 0 || *column == 0 || !has_line_column(&msg, path) {
                    failures.push(format!("{}: no line:column in: {msg}", path.display()));
                }
            }
            ScenarioError::Invalid { problems, .. } => {
                for p in problems {
                    if !looks_like_field_path(&p.field) {
                        failures.push(format!("{}: `{}` is not a field path", path.display(), p.field));
                    }
                    if !msg.contains(&format!("{}: {}", p.field, p.message)) {
                        failures.push(format!("{}: problem not shown as `field: message`", path.display()));
                    }
                }
            }
        }
        if expect.exit != 65 {
            failures.push(format!("{}: validation errors exit with 65", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn field_errors_name_the_field_path() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad/probability_above_one.toml");
    match scenario::load(&path, &ValidateOptions::default()) {
        Err(ScenarioError::Invalid { problems, .. }) => {
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].field, "segments[1].churn_monthly");
            assert!(problems[0].message.contains("1.3"), "{}", problems[0].message);
        }
        other => panic!("expected a field problem, got {other:?}"),
    }
}

/// The line and 1-based column where `needle` first appears in the file.
fn position_of(path: &Path, needle: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(path).expect("readable");
    for (i, l) in text.lines().enumerate() {
        if l.starts_with('#') {
            continue;
        }
        if let Some(c) = l.find(needle) {
            return (i + 1, c + 1);
        }
    }
    panic!("`{needle}` not in {}", path.display());
}

#[test]
fn syntax_and_type_errors_give_line_and_column() {
    // (file, text at the reported position); an unclosed string is reported where the line
    // ends, the other errors at the start of the key or value.
    let cases = [
        ("syntax_unclosed_string", "\"regulars"),
        ("unknown_field_segment", "churn_montly"),
        ("unknown_field_override", "pointz_value"),
        ("wrong_type", "\"many\""),
        ("float_for_integer", "12.5"),
        ("dist_missing_key", "{ dist = \"uniform\""),
        ("dist_unknown", "{ dist = \"trianglar\""),
        ("missing_segment_name", "[[segments]]"),
    ];
    for (name, needle) in cases {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/bad/{name}.toml"));
        let (want_line, mut want_col) = position_of(&path, needle);
        if name == "syntax_unclosed_string" {
            want_col += needle.chars().count();
        }
        match scenario::load(&path, &ValidateOptions::default()) {
            Err(e @ ScenarioError::Syntax { .. }) => {
                let ScenarioError::Syntax { line, column, .. } = &e else {
                    unreachable!()
                };
                assert_eq!(
                    (*line, *column),
                    (want_line, want_col),
                    "{name}: position of `{needle}`; message: {e}"
                );
                let prefix = format!("{}:{want_line}:{want_col}: ", path.display());
                assert!(e.to_string().starts_with(&prefix), "{e}");
            }
            other => panic!("{name}: expected a syntax error, got {other:?}"),
        }
    }
}

#[test]
fn all_semantic_problems_are_reported_at_once() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad/many_problems.toml");
    let Err(ScenarioError::Invalid { problems, .. }) = scenario::load(&path, &ValidateOptions::default()) else {
        panic!("many_problems.toml must fail validation");
    };
    let mut fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "programme.expiry_rule",
            "programme.redemption_threshold_points",
            "scenarios[\"generous\"].response.nosuchsegment",
            "segments[0].churn_monthly",
            "segments[0].gross_margin",
            "segments[0].migration.champions",
            "simulation.horizon_months",
        ],
        "{problems:#?}"
    );

    // The same from text broken in three unrelated places.
    let text = BASE
        .replace("seed = 1", "seed = -1")
        .replace(
            "gross_margin = 0.3\nenrolment_share = 0.4",
            "gross_margin = 0.3\nenrolment_share = 4",
        )
        .replace("min_spend_12m = 1000", "min_spend_12m = -5");
    let Err(ScenarioError::Invalid { problems, .. }) = parse(&text) else {
        panic!("three mistakes must fail validation");
    };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    for f in [
        "simulation.seed",
        "segments[1].enrolment_share",
        "programme.tiers[0].min_spend_12m",
    ] {
        assert!(fields.contains(&f), "{f} not in {fields:?}");
    }
    assert_eq!(problems.len(), 3, "no follow-on problems: {problems:#?}");
}

#[test]
fn the_base_of_these_tests_is_valid() {
    let s = parse(BASE).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.segments.len(), 2);
    assert_eq!(s.arms.len(), 2);
}

#[test]
fn nan_and_infinity_are_rejected() {
    // (original text, replacement, field path of the problem)
    let cases = [
        ("basket_mean = 40.0", "basket_mean = nan", "segments[0].basket_mean"),
        ("basket_mean = 40.0", "basket_mean = -nan", "segments[0].basket_mean"),
        (
            "churn_monthly = 0.03",
            "churn_monthly = inf",
            "segments[0].churn_monthly",
        ),
        ("basket_mean = 30.0", "basket_mean = +inf", "segments[1].basket_mean"),
        (
            "purchases_per_month = 1.0",
            "purchases_per_month = -inf",
            "segments[0].purchases_per_month",
        ),
        (
            "discount_rate_annual = 0.08",
            "discount_rate_annual = nan",
            "simulation.discount_rate_annual",
        ),
        ("sample_share = 1.0", "sample_share = inf", "simulation.sample_share"),
        ("sample_share = 1.0", "sample_share = nan", "simulation.sample_share"),
        (
            "min_spend_12m = 1000",
            "min_spend_12m = nan",
            "programme.tiers[0].min_spend_12m",
        ),
        (
            "earn_multiplier = 1.5",
            "earn_multiplier = inf",
            "programme.tiers[0].earn_multiplier",
        ),
        (
            "min = 0.04, max = 0.06",
            "min = nan, max = 0.06",
            "segments[1].churn_monthly",
        ),
        (
            "min = 0.04, max = 0.06",
            "min = 0.04, max = inf",
            "segments[1].churn_monthly",
        ),
        (
            "{ dist = \"uniform\", min = 0.04, max = 0.06 }",
            "{ dist = \"normal\", mean = 0.05, sd = 0.01, min = nan }",
            "segments[1].churn_monthly",
        ),
        (
            "{ dist = \"uniform\", min = 0.04, max = 0.06 }",
            "{ dist = \"beta\", alpha = nan, beta = 40 }",
            "segments[1].churn_monthly",
        ),
        ("point_value = 0.01", "point_value = nan", "programme.point_value"),
        ("regulars = 100", "regulars = inf", "allocation.regulars"),
        (
            "occasionals = 0.02",
            "occasionals = nan",
            "segments[0].migration.occasionals",
        ),
        (
            "frequency_lift = 0.05",
            "frequency_lift = nan",
            "response.regulars.frequency_lift",
        ),
    ];
    for (from, to, field) in cases {
        assert!(BASE.contains(from), "`{from}` not in BASE");
        let text = BASE.replacen(from, to, 1);
        match parse(&text) {
            Err(ScenarioError::Invalid { problems, .. }) => {
                let p = problems
                    .iter()
                    .find(|p| p.field == field)
                    .unwrap_or_else(|| panic!("{to}: no problem at {field}: {problems:#?}"));
                let m = p.message.to_lowercase();
                assert!(
                    m.contains("finite") || m.contains("nan") || m.contains("inf"),
                    "{to}: message does not say why: {}",
                    p.message
                );
            }
            other => panic!("{to}: expected an invalid scenario, got {other:?}"),
        }
    }
}

#[test]
fn unknown_allocation_option_is_reported_with_the_choices() {
    let opts = ValidateOptions {
        allocation: Some("leen".into()),
    };
    let Err(e) = scenario::parse_str(BASE, Path::new("mem.toml"), &opts) else {
        panic!("--allocation leen must be rejected");
    };
    let msg = e.to_string();
    assert!(msg.contains("--allocation"), "{msg}");
    assert!(msg.contains("did you mean \"lean\""), "{msg}");
    assert!(msg.contains("available: lean"), "{msg}");

    // A known name is accepted; the [allocation] table is still checked.
    let opts = ValidateOptions {
        allocation: Some("lean".into()),
    };
    assert!(scenario::parse_str(BASE, Path::new("mem.toml"), &opts).is_ok());
    let broken = BASE.replace("[allocation]\nregulars = 100", "[allocation]\nregulars = -100");
    let Err(ScenarioError::Invalid { problems, .. }) = scenario::parse_str(&broken, Path::new("mem.toml"), &opts)
    else {
        panic!("a negative [allocation] budget must be rejected even with --allocation");
    };
    assert_eq!(problems[0].field, "allocation.regulars");
}

#[test]
fn unreadable_files_say_cannot_read() {
    let path = Path::new("tests/bad/does-not-exist.toml");
    let Err(e @ ScenarioError::Io { .. }) = scenario::load(path, &ValidateOptions::default()) else {
        panic!("a missing file is a read error");
    };
    let msg = e.to_string();
    assert!(msg.contains("cannot read scenario file"), "{msg}");
    assert!(msg.contains("does-not-exist.toml"), "{msg}");

    let dir = tempfile::tempdir().expect("temp dir");
    let latin1 = dir.path().join("latin1.toml");
    std::fs::write(&latin1, b"[simulation]\ncurrency = \"\xe9\"\n").expect("write");
    let Err(e @ ScenarioError::Syntax { .. }) = scenario::load(&latin1, &ValidateOptions::default()) else {
        panic!("non-UTF-8 bytes are a syntax error");
    };
    assert!(e.to_string().contains("UTF-8"), "{e}");
}

#[test]
fn lognormal_fits_positive_unbounded_fields() {
    let text = BASE.replace(
        "basket_mean = 40.0",
        "basket_mean = { dist = \"lognormal\", mean = 40, sd = 8 }",
    );
    let s = parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.uncertain.len(), 2);
}

#[test]
fn follow_on_problems_are_not_reported() {
    // A rejected horizon must not also make a valid repurchase window look wrong.
    let text = BASE.replace(
        "horizon_months = 12",
        "horizon_months = 0\nrepurchase_window_months = 6",
    );
    let Err(ScenarioError::Invalid { problems, .. }) = parse(&text) else {
        panic!("horizon 0 must be rejected");
    };
    assert_eq!(problems.len(), 1, "{problems:#?}");
    // A rejected customer count must not also say "nobody to simulate".
    let text = BASE
        .replace("customers = 1000", "customers = -1")
        .replace("customers = 2000", "customers = 0");
    let Err(ScenarioError::Invalid { problems, .. }) = parse(&text) else {
        panic!("negative customers must be rejected");
    };
    assert_eq!(problems.len(), 1, "{problems:#?}");
}

/// Replace the value of every `key = value` line in turn by odd values: validation may accept
/// or reject, but never panic.
#[test]
fn odd_values_never_panic() {
    let odd = [
        "-1",
        "0",
        "1e308",
        "-1e308",
        "nan",
        "inf",
        "9223372036854775807",
        "-9223372036854775808",
        "\"x\"",
        "\"\"",
        "true",
        "[]",
        "{}",
        "{ dist = \"normal\", mean = 0, sd = 1e-300 }",
        "{ dist = \"pert\", min = 0, mode = 0, max = 0 }",
        "{ dist = \"beta\", alpha = 1e-300, beta = 1e300 }",
        "{ dist = \"lognormal\", mean = 1e300, sd = 1e300 }",
        "{ dist = \"uniform\", min = -1e308, max = 1e308 }",
    ];
    let lines: Vec<&str> = BASE.lines().collect();
    let mut checked = 0;
    for (i, line) in lines.iter().enumerate() {
        let Some((key, _)) = line.split_once(" = ") else {
            continue;
        };
        for v in odd {
            let mut edited = lines.clone();
            let replaced = format!("{key} = {v}");
            edited[i] = &replaced;
            let text = edited.join("\n");
            let outcome = std::panic::catch_unwind(|| {
                let _ = parse(&text);
            });
            assert!(outcome.is_ok(), "panic on line {}: `{replaced}`", i + 1);
            checked += 1;
        }
    }
    assert!(checked > 300, "{checked}");
}

#[test]
fn bundled_scenarios_are_valid() {
    let files = files_in("scenarios");
    assert!(!files.is_empty(), "no bundled scenarios found");
    for path in files {
        if let Err(e) = scenario::load(&path, &ValidateOptions::default()) {
            panic!("bundled scenario {} is invalid:\n{e}", path.display());
        }
    }
}
