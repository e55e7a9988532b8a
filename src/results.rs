//! Results of a run: plain data, serialisable, consumed by the exporters in `report`.
//! `SCHEMA_VERSION` changes whenever a field is renamed or removed.

use crate::finance::Kpi;
use crate::finance::liability::LiabilityRow;
use crate::stats::Summary;
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

/// Where the numbers come from.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    pub tool: &'static str,
    pub tool_version: &'static str,
    pub scenario_path: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub iterations: u32,
    /// Key crates whose algorithms produce the numbers.
    pub crates: Vec<(&'static str, &'static str)>,
}

/// Settings the run used (after command-line overrides).
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub horizon_months: u32,
    pub iterations: u32,
    pub seed: u64,
    pub discount_rate_annual: f64,
    pub discount_rate_monthly: f64,
    pub currency: String,
    pub sample_share: f64,
    /// Every simulated customer stands for this many real ones.
    pub customer_weight: f64,
    pub repurchase_window_months: u32,
    /// True when uncertain assumptions were held at their medians (`--central`).
    pub central_assumptions: bool,
    /// "common" (common random numbers across arms) or "independent".
    pub random_numbers: &'static str,
}

/// One uncertain assumption.
#[derive(Debug, Clone, Serialize)]
pub struct Assumption {
    pub path: String,
    pub distribution: String,
    pub median: f64,
}

/// A KPI summary with its name and unit.
#[derive(Debug, Clone, Serialize)]
pub struct NamedSummary {
    pub name: &'static str,
    pub unit: &'static str,
    #[serde(flatten)]
    pub summary: Summary,
}

/// KPIs of one segment.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentKpis {
    pub segment: String,
    pub kpis: Vec<NamedSummary>,
}

/// Results of one arm (baseline or scenario) on its own.
#[derive(Debug, Clone, Serialize)]
pub struct ArmResult {
    pub name: String,
    pub description: String,
    pub allocation: String,
    pub kpis: Vec<NamedSummary>,
    pub segments: Vec<SegmentKpis>,
}

/// A scenario against the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    pub name: String,
    /// P(NPV < 0) and its binomial standard error.
    pub p_loss: f64,
    pub p_loss_se: f64,
    /// Mean NPV of the worst 5 % of iterations (currency).
    pub cvar5_npv: f64,
    pub incremental: Vec<NamedSummary>,
    pub segments: Vec<SegmentKpis>,
}

/// One row of the monthly long table. Percentiles are given for the whole base (`segment` =
/// "all"); segment rows carry mean and standard error only.
#[derive(Debug, Clone, Serialize)]
pub struct MonthlyRow {
    pub arm: String,
    pub segment: String,
    pub month: u32,
    pub metric: &'static str,
    pub mean: f64,
    pub se: f64,
    pub p5: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
}

/// Mean members per tier at the start of each month.
#[derive(Debug, Clone, Serialize)]
pub struct TierRow {
    pub arm: String,
    pub month: u32,
    pub tier: String,
    pub members: f64,
}

/// IFRS 15 points liability roll-forward of a scenario (means across iterations).
#[derive(Debug, Clone, Serialize)]
pub struct LiabilityResult {
    pub arm: String,
    /// Expected redemption rate used (share of points issued that will be redeemed).
    pub expected_redemption_rate: f64,
    /// "scenario" if given in the file, "estimated" if derived from the run.
    pub expected_redemption_rate_source: &'static str,
    pub point_value: f64,
    pub rows: Vec<LiabilityRow>,
}

/// Rank correlation of a scenario's NPV with one uncertain input.
#[derive(Debug, Clone, Serialize)]
pub struct SensitivityRow {
    pub scenario: String,
    pub input: String,
    pub spearman_npv: f64,
    pub spearman_roi: f64,
}

/// How precise the means are.
#[derive(Debug, Clone, Serialize)]
pub struct Convergence {
    pub scenario: String,
    pub npv_mean: f64,
    pub npv_ci95_half_width: f64,
    /// Half-width relative to |mean NPV| (NaN when the mean is 0).
    pub npv_ci95_relative: f64,
    /// Iterations for a half-width of 5 % of |mean NPV| (from this run's standard deviation).
    pub iterations_for_5pct: Option<u64>,
}

/// Work done by the engine (the only place with timings, so other outputs stay reproducible).
#[derive(Debug, Clone, Serialize)]
pub struct Performance {
    /// Customer-months simulated, all arms, in sample units.
    pub customer_months: u64,
    pub engine_seconds: f64,
    pub customer_months_per_second: f64,
    pub threads: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct KpiDefinitions {
    pub arm: &'static [Kpi],
    pub incremental: &'static [Kpi],
}

/// Everything a run produces.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub schema_version: u32,
    pub provenance: Provenance,
    pub settings: Settings,
    pub segments: Vec<String>,
    pub tiers: Vec<String>,
    pub assumptions: Vec<Assumption>,
    pub kpi_definitions: KpiDefinitions,
    pub arms: Vec<ArmResult>,
    pub scenarios: Vec<ScenarioResult>,
    pub convergence: Vec<Convergence>,
    pub sensitivity: Vec<SensitivityRow>,
    pub liability: Vec<LiabilityResult>,
    pub tier_mix: Vec<TierRow>,
    pub monthly: Vec<MonthlyRow>,
    pub performance: Performance,
}

impl RunResult {
    pub fn arm(&self, name: &str) -> Option<&ArmResult> {
        self.arms.iter().find(|a| a.name == name)
    }
    pub fn scenario(&self, name: &str) -> Option<&ScenarioResult> {
        self.scenarios.iter().find(|s| s.name == name)
    }
}

/// Find a KPI summary by name.
pub fn kpi<'a>(list: &'a [NamedSummary], name: &str) -> Option<&'a Summary> {
    list.iter().find(|k| k.name == name).map(|k| &k.summary)
}
