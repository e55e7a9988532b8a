//! Raw scenario → validated `Scenario`, reporting every problem with its field path.

use super::raw::*;
use super::{Scenario, Source};
use crate::error::{Problem, ScenarioError, did_you_mean};
use crate::model::dist::{Domain, RawParam};
use crate::model::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Options applied while validating (they change which inputs are used, not the file).
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// Use `[allocations.NAME]` as the base allocation instead of `[allocation]`.
    pub allocation: Option<String>,
}

const LIFT: Domain = Domain { min: -1.0, max: 10.0 };
const REDUCTION: Domain = Domain { min: -1.0, max: 1.0 };
const POSITIVE: Domain = Domain {
    min: 1e-12,
    max: f64::INFINITY,
};
const HILL: Domain = Domain { min: 0.05, max: 20.0 };
const MAX_SIMULATED_CUSTOMERS: f64 = 50_000_000.0;
/// The engine stores a segment index in one byte (255 is reserved).
const MAX_SEGMENTS: usize = 200;
/// Tiers are stored in one byte as well.
const MAX_TIERS: usize = 50;
const MAX_CUSTOMERS: i64 = 1_000_000_000;

/// Collects problems and uncertain inputs while walking the raw scenario.
struct Ctx {
    problems: Vec<Problem>,
    uncertain: Vec<UncertainInput>,
}

impl Ctx {
    fn problem(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Build a parameter from its raw form, registering it as an uncertain input if needed.
    fn build(&mut self, path: &str, raw: &RawParam, domain: Domain) -> Param {
        match raw.build(domain) {
            Ok(dist) if dist.is_fixed() => Param::Fixed(dist.central()),
            Ok(dist) => {
                self.uncertain.push(UncertainInput {
                    path: path.to_string(),
                    dist,
                });
                Param::Uncertain(self.uncertain.len() - 1)
            }
            Err(msgs) => {
                for m in msgs {
                    self.problem(path, m);
                }
                Param::Fixed(f64::NAN)
            }
        }
    }

    /// A field that may be given here, inherited from the base, or defaulted; else it is missing.
    fn field(
        &mut self,
        path: &str,
        raw: Option<&RawParam>,
        inherited: Option<Param>,
        default: Option<f64>,
        domain: Domain,
    ) -> Param {
        match (raw, inherited, default) {
            (Some(r), _, _) => self.build(path, r, domain),
            (None, Some(p), _) => p,
            (None, None, Some(d)) => Param::Fixed(d),
            (None, None, None) => {
                self.problem(path, "is missing; add it (a number or a distribution table)");
                Param::Fixed(f64::NAN)
            }
        }
    }

    fn optional(
        &mut self,
        path: &str,
        raw: Option<&RawParam>,
        inherited: Option<Param>,
        domain: Domain,
    ) -> Option<Param> {
        match raw {
            Some(r) => Some(self.build(path, r, domain)),
            None => inherited,
        }
    }

    /// The upper end of a parameter's range (for checks such as migration row sums).
    fn upper(&self, p: Param) -> f64 {
        match p {
            Param::Fixed(v) => v,
            Param::Uncertain(i) => self.uncertain[i].dist.inverse_cdf(1.0 - 1e-9),
        }
    }

    fn central(&self, p: Param) -> f64 {
        match p {
            Param::Fixed(v) => v,
            Param::Uncertain(i) => self.uncertain[i].dist.central(),
        }
    }
}

/// Read, parse and validate a scenario file.
pub fn load(path: &Path, opts: &ValidateOptions) -> Result<Scenario, ScenarioError> {
    let bytes = std::fs::read(path).map_err(|source| ScenarioError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| ScenarioError::Syntax {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: format!(
            "the file is not valid UTF-8 text (byte {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        ),
    })?;
    parse_str(&text, path, opts)
}

/// Parse and validate scenario text; `path` is used in messages and provenance.
pub fn parse_str(text: &str, path: &Path, opts: &ValidateOptions) -> Result<Scenario, ScenarioError> {
    let raw: RawScenario = toml::from_str(text).map_err(|e| {
        let span = e.span();
        let (line, column) = span.as_ref().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        // An empty span at 0 or one over the whole document means the top level.
        let place = span
            .filter(|s| !(s.start == 0 && (s.end == 0 || s.end >= text.trim_end().len())))
            .and_then(|s| toml_path_at(text, s.start));
        ScenarioError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message: explain_toml(e.message(), place.as_deref()),
        }
    })?;
    let source = Source::new(path, text);
    validate(raw, source, opts)
}

/// The text before `offset`, backed off to a character boundary (never panics).
fn prefix(text: &str, offset: usize) -> &str {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o -= 1;
    }
    &text[..o]
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = prefix(text, offset);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, column)
}

/// A table header line: its dotted keys and whether it is an array of tables (`[[...]]`).
fn header(line: &str) -> Option<(Vec<String>, bool)> {
    let l = line.trim();
    let l = match l.find('#') {
        Some(i) => l[..i].trim_end(),
        None => l,
    };
    let (inner, is_array) = if let Some(x) = l.strip_prefix("[[").and_then(|x| x.strip_suffix("]]")) {
        (x, true)
    } else if let Some(x) = l.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        (x, false)
    } else {
        return None;
    };
    let keys: Vec<String> = inner
        .split('.')
        .map(|k| k.trim().trim_matches('"').trim_matches('\'').to_string())
        .collect();
    let keyish = |k: &String| !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || "_- ".contains(c));
    keys.iter().all(keyish).then_some((keys, is_array))
}

/// Best-effort field path (`segments[1].customers`) of the key or table at a byte offset, from
/// the table headers above it; used to make serde's type and field errors point at a field.
fn toml_path_at(text: &str, offset: usize) -> Option<String> {
    let before = prefix(text, offset);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut current: Vec<String> = Vec::new();
    for l in text[..line_end].lines() {
        if let Some((keys, is_array)) = header(l) {
            if is_array {
                let name = keys.join(".");
                *counts.entry(name.clone()).or_default() += 1;
                // A new element of an array starts its own nested arrays.
                let nested = format!("{name}.");
                counts.retain(|k, _| !k.starts_with(&nested));
            }
            current = keys;
        }
    }
    let mut path = String::new();
    for (i, k) in current.iter().enumerate() {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(k);
        if let Some(c) = counts.get(&current[..=i].join(".")) {
            path.push_str(&format!("[{}]", c - 1));
        }
    }
    if header(line).is_none()
        && let Some((key, _)) = line.split_once('=')
    {
        let key = key.trim().trim_matches('"');
        if !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || "_-.".contains(c)) {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
        }
    }
    (!path.is_empty()).then_some(path)
}

/// The names between backticks in a serde message (`a`, `b` → [a, b]).
fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

/// Rephrase serde/TOML messages for people: Rust type names out, a fix in.
fn explain_toml(msg: &str, place: Option<&str>) -> String {
    let msg = msg.trim();
    let at = place.map(|p| format!("{p}: ")).unwrap_or_default();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let (field, tail) = rest.split_once('`').unwrap_or((rest, ""));
        let allowed = backticked(tail);
        let hint = did_you_mean(field, allowed.iter().copied())
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        let list = if allowed.is_empty() {
            "this table takes no fields".to_string()
        } else {
            format!("the fields allowed here are {}", allowed.join(", "))
        };
        format!("{at}unknown field `{field}`; {hint}{list} (see the scenario reference in README.md)")
    } else if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let rest = rest
            .replace("expected i64", "expected a whole number (no decimal point, no quotes)")
            .replace(
                "expected u64",
                "expected a whole number >= 0 (no decimal point, no quotes)",
            )
            .replace(
                "expected u32",
                "expected a whole number >= 0 (no decimal point, no quotes)",
            )
            .replace("expected f64", "expected a number (no quotes)")
            .replace("floating point", "number")
            .replace("expected a sequence", "expected an array");
        let rest = match rest.strip_prefix("map,") {
            Some(tail) => format!("a table,{tail}"),
            None => rest,
        };
        let fix = if rest.starts_with("a table, expected an array") {
            "write each entry as its own [[...]] table (double brackets)"
        } else {
            "write the value as the field expects (see README.md)"
        };
        format!("{at}wrong type: found {rest}; {fix}")
    } else if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        match (field, place) {
            ("simulation", None) => {
                "the [simulation] table is missing; add it with at least `horizon_months = 36`".to_string()
            }
            (f, Some(p)) => format!("{p}: the required field `{f}` is missing; add `{f} = ...` to this table"),
            (f, None) => format!("the required field `{f}` is missing; add it"),
        }
    } else if msg.starts_with("duplicate key") {
        format!("{at}{msg}: this key or table is defined twice; keep one")
    } else {
        format!("{at}{msg}")
    }
}

fn validate(raw: RawScenario, source: Source, opts: &ValidateOptions) -> Result<Scenario, ScenarioError> {
    let mut ctx = Ctx {
        problems: Vec::new(),
        uncertain: Vec::new(),
    };
    let simulation = simulation(&mut ctx, &raw.simulation);

    // Segments: names first, so that references can be checked.
    if raw.segments.is_empty() {
        ctx.problem("segments", "no segment defined; add at least one [[segments]] table");
    }
    if raw.segments.len() > MAX_SEGMENTS {
        ctx.problem(
            "segments",
            format!(
                "{} segments defined; at most {MAX_SEGMENTS} are supported; merge similar segments",
                raw.segments.len()
            ),
        );
    }
    let names: Vec<String> = raw.segments.iter().map(|s| s.name.clone()).collect();
    let mut seen = BTreeMap::new();
    for (i, n) in names.iter().enumerate() {
        if n.trim().is_empty() {
            ctx.problem(format!("segments[{i}].name"), "is empty; give the segment a name");
        } else if !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            ctx.problem(
                format!("segments[{i}].name"),
                format!("\"{n}\" may only use letters, digits, '_' and '-'"),
            );
        }
        if let Some(j) = seen.insert(n.clone(), i) {
            ctx.problem(
                format!("segments[{i}].name"),
                format!("\"{n}\" is also the name of segments[{j}]; names must be unique"),
            );
        }
    }
    let index: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let segments: Vec<Segment<Param>> = raw
        .segments
        .iter()
        .enumerate()
        .map(|(i, s)| segment(&mut ctx, i, s, &index))
        .collect();

    // Population size sanity: memory grows with simulated customers.
    let total_customers: f64 = segments.iter().map(|s| s.customers as f64).sum();
    let acquired: f64 = segments
        .iter()
        .map(|s| ctx.upper(s.acquisition_monthly).max(0.0))
        .sum::<f64>()
        * simulation.horizon_months as f64;
    let simulated = (total_customers + acquired) * simulation.sample_share;
    if simulated > MAX_SIMULATED_CUSTOMERS {
        ctx.problem(
            "simulation.sample_share",
            format!(
                "the run would simulate about {simulated:.0} customers; set sample_share so that at most {MAX_SIMULATED_CUSTOMERS:.0} are simulated (results are scaled back up)"
            ),
        );
    }
    // Only when every count was readable: a rejected count would read as 0 here.
    let counts_ok = raw
        .segments
        .iter()
        .all(|s| s.customers.is_some_and(|c| (0..=MAX_CUSTOMERS).contains(&c)));
    if counts_ok && !segments.is_empty() && total_customers == 0.0 && acquired == 0.0 {
        ctx.problem(
            "segments",
            "every segment has 0 customers and no acquisition; there is nobody to simulate",
        );
    }

    // Base programme, response and allocation.
    let n = segments.len();
    let base_programme = raw
        .programme
        .as_ref()
        .map(|p| programme(&mut ctx, "programme", p, None));
    let base_response = responses(&mut ctx, "response", &raw.response, None, &index, n);
    let named: BTreeMap<String, Vec<Param>> = raw
        .allocations
        .iter()
        .map(|(name, a)| {
            (
                name.clone(),
                allocation(&mut ctx, &format!("allocations.{name}"), a, None, &index, n),
            )
        })
        .collect();
    // `[allocation]` is checked even when `--allocation` replaces it: the file must stay valid.
    let default_allocation = allocation(&mut ctx, "allocation", &raw.allocation, None, &index, n);
    let (base_allocation, base_alloc_name) = match &opts.allocation {
        Some(name) => match named.get(name) {
            Some(a) => (a.clone(), name.clone()),
            None => {
                let hint = did_you_mean(name, raw.allocations.keys().map(String::as_str))
                    .map(|s| format!("did you mean \"{s}\"? "))
                    .unwrap_or_default();
                ctx.problem(
                    "--allocation",
                    format!(
                        "\"{name}\" names no [allocations.{name}] table in this file; {hint}available: {}",
                        list(raw.allocations.keys())
                    ),
                );
                (default_allocation, "default".to_string())
            }
        },
        None => (default_allocation, "default".to_string()),
    };

    // Arms: baseline, then each generosity scenario (or the base programme alone).
    let mut arms = vec![Arm {
        name: "baseline".into(),
        description: "No programme: the counterfactual".into(),
        programme: None,
        response: vec![Response::none(n); n],
        allocation: vec![Param::Fixed(0.0); n],
        allocation_name: "none".into(),
    }];
    if raw.scenarios.is_empty() {
        match &base_programme {
            Some(p) => arms.push(Arm {
                name: "programme".into(),
                description: "The [programme] table as written".into(),
                programme: Some(p.clone()),
                response: base_response.clone(),
                allocation: base_allocation.clone(),
                allocation_name: base_alloc_name.clone(),
            }),
            None => ctx.problem(
                "programme",
                "no [programme] and no [[scenarios]]: there is nothing to evaluate; add a [programme] table",
            ),
        }
    }
    let mut arm_names = BTreeMap::new();
    for (k, a) in raw.scenarios.iter().enumerate() {
        let prefix = if a.name.trim().is_empty() {
            format!("scenarios[{k}]")
        } else {
            format!("scenarios[\"{}\"]", a.name)
        };
        if a.name.trim().is_empty() {
            ctx.problem(
                format!("scenarios[{k}].name"),
                "is empty; name the scenario (e.g. \"standard\")",
            );
        }
        if a.name == "baseline" {
            ctx.problem(
                format!("{prefix}.name"),
                "\"baseline\" is reserved for the no-programme arm; choose another name",
            );
        }
        if let Some(j) = arm_names.insert(a.name.clone(), k) {
            ctx.problem(
                format!("scenarios[{k}].name"),
                format!(
                    "\"{}\" is also the name of scenarios[{j}]; names must be unique",
                    a.name
                ),
            );
        }
        let programme = match (&a.programme, &base_programme) {
            (Some(o), base) => Some(programme(&mut ctx, &format!("{prefix}.programme"), o, base.as_ref())),
            (None, Some(b)) => Some(b.clone()),
            (None, None) => {
                ctx.problem(
                    format!("{prefix}.programme"),
                    "no programme: add [scenarios.programme] or a base [programme] table",
                );
                None
            }
        };
        let response = responses(
            &mut ctx,
            &format!("{prefix}.response"),
            &a.response,
            Some(&base_response),
            &index,
            n,
        );
        let (alloc_base, alloc_name) = match &a.allocation_name {
            Some(name) => match named.get(name) {
                Some(al) => (al.clone(), name.clone()),
                None => {
                    let hint = did_you_mean(name, raw.allocations.keys().map(String::as_str))
                        .map(|s| format!("did you mean \"{s}\"? "))
                        .unwrap_or_default();
                    ctx.problem(
                        format!("{prefix}.allocation_name"),
                        format!(
                            "no [allocations.{name}] table; {hint}available: {}",
                            list(raw.allocations.keys())
                        ),
                    );
                    (base_allocation.clone(), base_alloc_name.clone())
                }
            },
            None => (base_allocation.clone(), base_alloc_name.clone()),
        };
        let alloc = allocation(
            &mut ctx,
            &format!("{prefix}.allocation"),
            &a.allocation,
            Some(&alloc_base),
            &index,
            n,
        );
        let alloc_name = if a.allocation.is_empty() {
            alloc_name
        } else {
            format!("{alloc_name}+overrides")
        };
        arms.push(Arm {
            name: a.name.clone(),
            description: a.description.clone(),
            programme,
            response,
            allocation: alloc,
            allocation_name: alloc_name,
        });
    }

    if !ctx.problems.is_empty() {
        return Err(ScenarioError::Invalid {
            path: source.path.clone(),
            problems: ctx.problems,
        });
    }
    Ok(Scenario {
        source,
        simulation,
        segments,
        arms,
        uncertain: ctx.uncertain,
    })
}

/// "no segment named ..." with the known names and, for a likely typo, the intended one.
fn unknown_segment(name: &str, index: &BTreeMap<&str, usize>) -> String {
    let known = index.keys().copied().collect::<Vec<_>>();
    let hint = did_you_mean(name, known.iter().copied())
        .map(|s| format!("did you mean \"{s}\"? "))
        .unwrap_or_default();
    let known = if known.is_empty() {
        "none defined".to_string()
    } else {
        known.join(", ")
    };
    format!("no segment named \"{name}\"; {hint}known segments: {known}")
}

fn list<'a>(keys: impl Iterator<Item = &'a String>) -> String {
    let v: Vec<&str> = keys.map(|s| s.as_str()).collect();
    if v.is_empty() { "none".into() } else { v.join(", ") }
}

/// A whole number in `[lo, hi]`; `None` (after reporting) when it is missing or out of range.
fn int_in(
    ctx: &mut Ctx,
    path: &str,
    v: Option<i64>,
    default: Option<i64>,
    lo: i64,
    hi: i64,
    hint: &str,
) -> Option<i64> {
    match v.or(default) {
        None => {
            ctx.problem(path, format!("is missing; add it ({hint})"));
            None
        }
        Some(x) if x < lo || x > hi => {
            let range = if hi == i64::MAX {
                format!("must be >= {lo}")
            } else {
                format!("must be between {lo} and {hi}")
            };
            ctx.problem(path, format!("{range} ({hint}), got {x}"));
            None
        }
        Some(x) => Some(x),
    }
}

fn simulation(ctx: &mut Ctx, s: &RawSimulation) -> Simulation {
    let horizon = int_in(
        ctx,
        "simulation.horizon_months",
        s.horizon_months,
        None,
        1,
        600,
        "months simulated, e.g. 36",
    );
    let iterations = int_in(
        ctx,
        "simulation.iterations",
        s.iterations,
        Some(500),
        1,
        10_000_000,
        "Monte Carlo iterations, e.g. 500",
    )
    .unwrap_or(1);
    let seed = int_in(
        ctx,
        "simulation.seed",
        s.seed,
        Some(1),
        0,
        i64::MAX,
        "a non-negative whole number; the same seed gives the same results",
    )
    .unwrap_or(0);
    let d = s.discount_rate_annual.unwrap_or(0.08);
    if !d.is_finite() || !(0.0..=1.0).contains(&d) {
        ctx.problem(
            "simulation.discount_rate_annual",
            format!("must be in [0, 1] (0.08 = 8 % a year), got {d}"),
        );
    }
    let currency = s.currency.clone().unwrap_or_else(|| "EUR".into());
    if currency.trim().is_empty() || currency.len() > 8 {
        ctx.problem(
            "simulation.currency",
            format!("must be a short currency label such as \"EUR\", got \"{currency}\""),
        );
    }
    let share = s.sample_share.unwrap_or(1.0);
    if !share.is_finite() || share <= 0.0 || share > 1.0 {
        ctx.problem(
            "simulation.sample_share",
            format!("must be in (0, 1] (0.1 = simulate one customer in ten), got {share}"),
        );
    }
    // Without a valid horizon the window cannot be checked against it (no follow-on error).
    let max_w = horizon.map_or(300, |h| (h / 2).max(1));
    let default_w = max_w.clamp(1, 12);
    let w = int_in(
        ctx,
        "simulation.repurchase_window_months",
        s.repurchase_window_months,
        Some(default_w),
        1,
        max_w,
        "twice the window must fit in horizon_months",
    )
    .unwrap_or(1);
    let horizon = horizon.unwrap_or(1);
    Simulation {
        horizon_months: horizon as u32,
        iterations: iterations as u32,
        seed: seed as u64,
        discount_rate_annual: d,
        currency,
        sample_share: share,
        repurchase_window_months: w as u32,
    }
}

fn segment(ctx: &mut Ctx, i: usize, s: &RawSegment, index: &BTreeMap<&str, usize>) -> Segment<Param> {
    let p = |f: &str| format!("segments[{i}].{f}");
    let customers = match s.customers {
        None => {
            ctx.problem(p("customers"), "is missing; add the number of customers at the start (0 for a segment fed only by acquisition or migration)");
            0
        }
        Some(c) if c < 0 => {
            ctx.problem(
                p("customers"),
                format!("must be a count >= 0 (customers at the start), got {c}"),
            );
            0
        }
        Some(c) if c > MAX_CUSTOMERS => {
            ctx.problem(
                p("customers"),
                format!(
                    "must be at most 1,000,000,000, got {c}; check for extra zeros (simulation.sample_share simulates a sample of a large base)"
                ),
            );
            0
        }
        Some(c) => c as u64,
    };
    let dom_rate = Domain { min: 0.0, max: 100.0 };
    let mut migration = vec![Param::Fixed(0.0); index.len()];
    for (target, raw) in &s.migration {
        match index.get(target.as_str()) {
            Some(&j) if j == i => ctx.problem(
                p(&format!("migration.{target}")),
                "a segment cannot migrate to itself; the remainder of the row stays automatically",
            ),
            Some(&j) => migration[j] = ctx.build(&p(&format!("migration.{target}")), raw, Domain::PROBABILITY),
            None => ctx.problem(p(&format!("migration.{target}")), unknown_segment(target, index)),
        }
    }
    let row_max: f64 = migration.iter().map(|m| ctx.upper(*m)).sum();
    if row_max > 1.0 + 1e-9 {
        ctx.problem(
            p("migration"),
            format!("probabilities can sum to {row_max:.4} > 1; the row must sum to at most 1 (the remainder stays)"),
        );
    }
    let seg = Segment {
        name: s.name.clone(),
        description: s.description.clone(),
        customers,
        purchases_per_month: ctx.field(
            &p("purchases_per_month"),
            s.purchases_per_month.as_ref(),
            None,
            None,
            dom_rate,
        ),
        purchase_rate_shape: ctx.optional(
            &p("purchase_rate_shape"),
            s.purchase_rate_shape.as_ref(),
            None,
            Domain { min: 0.05, max: 1e6 },
        ),
        basket_mean: ctx.field(&p("basket_mean"), s.basket_mean.as_ref(), None, None, POSITIVE),
        basket_cv: ctx.field(
            &p("basket_cv"),
            s.basket_cv.as_ref(),
            None,
            Some(0.0),
            Domain { min: 0.0, max: 10.0 },
        ),
        churn_monthly: ctx.field(
            &p("churn_monthly"),
            s.churn_monthly.as_ref(),
            None,
            None,
            Domain::PROBABILITY,
        ),
        churn_concentration: ctx.optional(
            &p("churn_concentration"),
            s.churn_concentration.as_ref(),
            None,
            Domain { min: 0.1, max: 1e6 },
        ),
        acquisition_monthly: ctx.field(
            &p("acquisition_monthly"),
            s.acquisition_monthly.as_ref(),
            None,
            Some(0.0),
            Domain { min: 0.0, max: 1e8 },
        ),
        gross_margin: ctx.field(
            &p("gross_margin"),
            s.gross_margin.as_ref(),
            None,
            None,
            Domain::PROBABILITY,
        ),
        enrolment_share: ctx.field(
            &p("enrolment_share"),
            s.enrolment_share.as_ref(),
            None,
            None,
            Domain::PROBABILITY,
        ),
        migration,
    };
    if ctx.central(seg.churn_monthly) >= 1.0 && seg.churn_concentration.is_some() {
        ctx.problem(
            p("churn_monthly"),
            "a churn of 1 leaves no room for heterogeneity; lower it or drop churn_concentration",
        );
    }
    seg
}

/// Build a programme from raw fields, inheriting unspecified fields from `base`.
fn programme(ctx: &mut Ctx, prefix: &str, r: &RawProgramme, base: Option<&Programme<Param>>) -> Programme<Param> {
    macro_rules! f {
        ($name:ident, $default:expr, $dom:expr) => {
            ctx.field(
                &format!("{prefix}.{}", stringify!($name)),
                r.$name.as_ref(),
                base.map(|b| b.$name),
                $default,
                $dom,
            )
        };
    }
    let expiry = match (r.expiry_months, r.expiry_rule.as_deref(), base) {
        (None, None, Some(b)) => b.expiry,
        (months, rule, b) => {
            let months = match months {
                Some(m) if !(0..=600).contains(&m) => {
                    ctx.problem(
                        format!("{prefix}.expiry_months"),
                        format!("must be between 0 (never) and 600, got {m}"),
                    );
                    0
                }
                Some(m) => m as u32,
                None => match b.map(|b| b.expiry) {
                    Some(Expiry::Inactivity(m)) | Some(Expiry::Age(m)) => m,
                    _ => 0,
                },
            };
            let rule = rule.map(str::to_string).unwrap_or_else(|| match b.map(|b| b.expiry) {
                Some(Expiry::Age(_)) => "age".into(),
                _ => "inactivity".into(),
            });
            match (rule.as_str(), months) {
                (_, 0) if rule == "inactivity" || rule == "age" => Expiry::Never,
                ("inactivity", m) => Expiry::Inactivity(m),
                ("age", m) => Expiry::Age(m),
                (other, _) => {
                    ctx.problem(
                        format!("{prefix}.expiry_rule"),
                        format!("\"{other}\" is not a rule; use \"inactivity\" or \"age\""),
                    );
                    Expiry::Never
                }
            }
        }
    };
    let tiers = match (&r.tiers, base) {
        (Some(t), _) => tiers(ctx, &format!("{prefix}.tiers"), t),
        (None, Some(b)) => b.tiers.clone(),
        (None, None) => Vec::new(),
    };
    Programme {
        points_per_currency: f!(points_per_currency, None, Domain { min: 0.0, max: 1e4 }),
        point_value: f!(point_value, None, Domain::NON_NEGATIVE),
        redemption_threshold_points: f!(redemption_threshold_points, None, Domain { min: 1.0, max: 1e9 }),
        redemption_probability_monthly: f!(redemption_probability_monthly, None, Domain::PROBABILITY),
        voucher_non_use: f!(voucher_non_use, Some(0.0), Domain::PROBABILITY),
        expiry,
        welcome_bonus_points: f!(welcome_bonus_points, Some(0.0), Domain { min: 0.0, max: 1e9 }),
        bonus_multiplier: f!(bonus_multiplier, Some(1.0), Domain { min: 1.0, max: 100.0 }),
        bonus_share_of_spend: f!(bonus_share_of_spend, Some(0.0), Domain::PROBABILITY),
        reward_cost_basis: f!(reward_cost_basis, Some(1.0), Domain::PROBABILITY),
        supplier_funding_share: f!(supplier_funding_share, Some(0.0), Domain::PROBABILITY),
        expected_redemption_rate: ctx.optional(
            &format!("{prefix}.expected_redemption_rate"),
            r.expected_redemption_rate.as_ref(),
            base.and_then(|b| b.expected_redemption_rate),
            Domain::PROBABILITY,
        ),
        setup_cost: f!(setup_cost, Some(0.0), Domain::NON_NEGATIVE),
        fixed_cost_monthly: f!(fixed_cost_monthly, Some(0.0), Domain::NON_NEGATIVE),
        cost_per_member_monthly: f!(cost_per_member_monthly, Some(0.0), Domain::NON_NEGATIVE),
        messages_per_member_monthly: f!(messages_per_member_monthly, Some(0.0), Domain { min: 0.0, max: 1000.0 }),
        cost_per_message: f!(cost_per_message, Some(0.0), Domain::NON_NEGATIVE),
        co2_grams_per_message: f!(co2_grams_per_message, Some(0.3), Domain { min: 0.0, max: 1000.0 }),
        tiers,
    }
}

fn tiers(ctx: &mut Ctx, prefix: &str, raw: &[RawTier]) -> Vec<Tier> {
    let mut out: Vec<Tier> = Vec::new();
    if raw.len() > MAX_TIERS {
        ctx.problem(
            prefix,
            format!("{} tiers defined; at most {MAX_TIERS} are supported", raw.len()),
        );
    }
    for (k, t) in raw.iter().enumerate() {
        let p = format!("{prefix}[{k}]");
        if t.name.trim().is_empty() {
            ctx.problem(format!("{p}.name"), "is empty; name the tier");
        }
        if out.iter().any(|o| o.name == t.name) {
            ctx.problem(
                format!("{p}.name"),
                format!("\"{}\" is used twice; tier names must be unique", t.name),
            );
        }
        if !t.min_spend_12m.is_finite() || t.min_spend_12m < 0.0 {
            ctx.problem(
                format!("{p}.min_spend_12m"),
                format!(
                    "must be a spend >= 0 (currency over 12 months), got {}",
                    t.min_spend_12m
                ),
            );
        }
        if let Some(prev) = out.last()
            && t.min_spend_12m <= prev.min_spend_12m
        {
            ctx.problem(
                format!("{p}.min_spend_12m"),
                format!(
                    "tiers must be listed by increasing threshold; {} <= {} of \"{}\"",
                    t.min_spend_12m, prev.min_spend_12m, prev.name
                ),
            );
        }
        if !t.earn_multiplier.is_finite() || !(0.0..=100.0).contains(&t.earn_multiplier) {
            ctx.problem(
                format!("{p}.earn_multiplier"),
                format!("must be in [0, 100] (1 = base rate), got {}", t.earn_multiplier),
            );
        }
        if !t.benefit_cost_monthly.is_finite() || t.benefit_cost_monthly < 0.0 {
            ctx.problem(
                format!("{p}.benefit_cost_monthly"),
                format!(
                    "must be >= 0 (currency per member per month), got {}",
                    t.benefit_cost_monthly
                ),
            );
        }
        out.push(Tier {
            name: t.name.clone(),
            min_spend_12m: t.min_spend_12m,
            earn_multiplier: t.earn_multiplier,
            benefit_cost_monthly: t.benefit_cost_monthly,
        });
    }
    out
}

fn responses(
    ctx: &mut Ctx,
    prefix: &str,
    raw: &BTreeMap<String, RawResponse>,
    base: Option<&[Response<Param>]>,
    index: &BTreeMap<&str, usize>,
    n: usize,
) -> Vec<Response<Param>> {
    let mut out: Vec<Response<Param>> = match base {
        Some(b) => b.to_vec(),
        None => vec![Response::none(n); n],
    };
    for (name, r) in raw {
        let Some(&s) = index.get(name.as_str()) else {
            ctx.problem(format!("{prefix}.{name}"), unknown_segment(name, index));
            continue;
        };
        let b = out[s].clone();
        let pre = format!("{prefix}.{name}");
        macro_rules! f {
            ($name:ident, $dom:expr) => {
                ctx.field(
                    &format!("{pre}.{}", stringify!($name)),
                    r.$name.as_ref(),
                    Some(b.$name),
                    None,
                    $dom,
                )
            };
        }
        let mut migration_lift = b.migration_lift.clone();
        if let Some(m) = &r.migration_lift {
            for (target, raw) in m {
                match index.get(target.as_str()) {
                    Some(&j) => migration_lift[j] = ctx.build(&format!("{pre}.migration_lift.{target}"), raw, LIFT),
                    None => ctx.problem(format!("{pre}.migration_lift.{target}"), unknown_segment(target, index)),
                }
            }
        }
        out[s] = Response {
            frequency_lift: f!(frequency_lift, LIFT),
            basket_lift: f!(basket_lift, LIFT),
            churn_reduction: f!(churn_reduction, REDUCTION),
            acquisition_lift: f!(acquisition_lift, LIFT),
            ramp_up_months: f!(ramp_up_months, Domain { min: 0.0, max: 240.0 }),
            generosity_half_effect: ctx.optional(
                &format!("{pre}.generosity_half_effect"),
                r.generosity_half_effect.as_ref(),
                b.generosity_half_effect,
                Domain { min: 1e-6, max: 1.0 },
            ),
            generosity_hill: f!(generosity_hill, HILL),
            budget_frequency_lift: f!(budget_frequency_lift, LIFT),
            budget_basket_lift: f!(budget_basket_lift, LIFT),
            budget_churn_reduction: f!(budget_churn_reduction, REDUCTION),
            budget_half_effect_per_member: f!(budget_half_effect_per_member, POSITIVE),
            budget_hill: f!(budget_hill, HILL),
            migration_lift,
        };
    }
    out
}

fn allocation(
    ctx: &mut Ctx,
    prefix: &str,
    raw: &BTreeMap<String, RawParam>,
    base: Option<&[Param]>,
    index: &BTreeMap<&str, usize>,
    n: usize,
) -> Vec<Param> {
    let mut out = base.map(|b| b.to_vec()).unwrap_or_else(|| vec![Param::Fixed(0.0); n]);
    for (name, r) in raw {
        match index.get(name.as_str()) {
            Some(&s) => out[s] = ctx.build(&format!("{prefix}.{name}"), r, Domain::NON_NEGATIVE),
            None => ctx.problem(format!("{prefix}.{name}"), unknown_segment(name, index)),
        }
    }
    out
}
