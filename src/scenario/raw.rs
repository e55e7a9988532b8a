//! Serde mirror of the scenario file. Nothing here is checked beyond types and field names
//! (`deny_unknown_fields`); `validate.rs` turns it into a typed `Scenario` or a list of problems.
//!
//! Programme, response and allocation tables are all-optional so that the same types describe
//! the base programme and the overrides of a generosity scenario.

use crate::model::dist::RawParam;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub simulation: RawSimulation,
    #[serde(default)]
    pub segments: Vec<RawSegment>,
    pub programme: Option<RawProgramme>,
    /// Behavioural response of members, by segment name.
    #[serde(default)]
    pub response: BTreeMap<String, RawResponse>,
    /// Budget per segment per month (currency), by segment name.
    #[serde(default)]
    pub allocation: BTreeMap<String, RawParam>,
    /// Named allocations that `--allocation NAME` can swap in for `[allocation]`.
    #[serde(default)]
    pub allocations: BTreeMap<String, BTreeMap<String, RawParam>>,
    #[serde(default)]
    pub scenarios: Vec<RawArm>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub horizon_months: Option<i64>,
    pub iterations: Option<i64>,
    pub seed: Option<i64>,
    pub discount_rate_annual: Option<f64>,
    pub currency: Option<String>,
    /// Share of customers simulated (0, 1]; results are scaled up by 1 / sample_share.
    pub sample_share: Option<f64>,
    pub repurchase_window_months: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSegment {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub customers: Option<i64>,
    pub purchases_per_month: Option<RawParam>,
    /// Gamma shape of the customer-level purchase rate (higher = more alike). Absent = all alike.
    pub purchase_rate_shape: Option<RawParam>,
    pub basket_mean: Option<RawParam>,
    /// Coefficient of variation of spend per purchase (Gamma).
    pub basket_cv: Option<RawParam>,
    pub churn_monthly: Option<RawParam>,
    /// Beta concentration (alpha + beta) of customer churn propensity. Absent = all alike.
    pub churn_concentration: Option<RawParam>,
    pub acquisition_monthly: Option<RawParam>,
    pub gross_margin: Option<RawParam>,
    pub enrolment_share: Option<RawParam>,
    /// Monthly probability of moving to another segment, by target name.
    #[serde(default)]
    pub migration: BTreeMap<String, RawParam>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawProgramme {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points_per_currency: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point_value: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redemption_threshold_points: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redemption_probability_monthly: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voucher_non_use: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry_months: Option<i64>,
    /// "inactivity" (default) or "age".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry_rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub welcome_bonus_points: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bonus_multiplier: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bonus_share_of_spend: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reward_cost_basis: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier_funding_share: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_redemption_rate: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup_cost: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_cost_monthly: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_per_member_monthly: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages_per_member_monthly: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_per_message: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub co2_grams_per_message: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<RawTier>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawTier {
    pub name: String,
    /// Spend over the rolling last 12 months (currency) from which the tier applies.
    pub min_spend_12m: f64,
    /// Multiplier on base points (1.0 = none).
    #[serde(default = "one")]
    pub earn_multiplier: f64,
    /// Cost of tier benefits per member in the tier per month (currency).
    #[serde(default)]
    pub benefit_cost_monthly: f64,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency_lift: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basket_lift: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub churn_reduction: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acquisition_lift: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ramp_up_months: Option<RawParam>,
    /// Faciale generosity (share of spend) at which the lifts reach half their maximum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generosity_half_effect: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generosity_hill: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_frequency_lift: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_basket_lift: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_churn_reduction: Option<RawParam>,
    /// Budget per member per month (currency) at which the budget effect is half its maximum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_half_effect_per_member: Option<RawParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_hill: Option<RawParam>,
    /// Relative change of the member's migration probability to each target segment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration_lift: Option<BTreeMap<String, RawParam>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawArm {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub programme: Option<RawProgramme>,
    #[serde(default)]
    pub response: BTreeMap<String, RawResponse>,
    #[serde(default)]
    pub allocation: BTreeMap<String, RawParam>,
    /// Use one of the named `[allocations.NAME]` instead of `[allocation]`.
    #[serde(default)]
    pub allocation_name: Option<String>,
}
