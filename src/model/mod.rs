//! The validated model: segments, programme rules, behavioural response and budget allocation.
//!
//! Each type is generic over the numeric slot `T`: a `Scenario` holds `T = Param` (a fixed number
//! or an uncertain input), and each Monte Carlo iteration instantiates `T = f64` from its
//! Latin-hypercube draws. The engine only ever sees `f64` values.

pub mod dist;
pub mod response;

use dist::Dist;
use serde::Serialize;

/// A numeric slot of the scenario: fixed, or the index of an uncertain input.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Param {
    Fixed(f64),
    Uncertain(usize),
}

impl Param {
    /// Value in one iteration, given the draws of all uncertain inputs.
    #[inline]
    pub fn at(&self, draws: &[f64]) -> f64 {
        match *self {
            Param::Fixed(v) => v,
            Param::Uncertain(i) => draws[i],
        }
    }
}

/// One uncertain input: where it was declared and its distribution.
#[derive(Debug, Clone)]
pub struct UncertainInput {
    /// Field path in the scenario file, e.g. `response.regulars.frequency_lift`.
    pub path: String,
    pub dist: Dist,
}

/// Simulation settings.
#[derive(Debug, Clone, Serialize)]
pub struct Simulation {
    pub horizon_months: u32,
    pub iterations: u32,
    pub seed: u64,
    pub discount_rate_annual: f64,
    pub currency: String,
    /// Share of customers simulated; every count and amount is scaled by `1 / sample_share`.
    pub sample_share: f64,
    /// Window W (months) of the repurchase rate: bought in months 1..W and again in W+1..2W.
    pub repurchase_window_months: u32,
}

impl Simulation {
    /// Monthly discount rate equivalent to the annual one: (1 + d)^(1/12) − 1.
    pub fn monthly_discount(&self) -> f64 {
        (1.0 + self.discount_rate_annual).powf(1.0 / 12.0) - 1.0
    }
}

/// A customer segment.
#[derive(Debug, Clone, Serialize)]
pub struct Segment<T> {
    pub name: String,
    pub description: String,
    /// Customers at month 0 (before sampling).
    pub customers: u64,
    /// Mean purchases per active customer per month.
    pub purchases_per_month: T,
    /// Gamma shape of the customer purchase rate; `None` = every customer has the mean rate.
    pub purchase_rate_shape: Option<T>,
    /// Mean spend per purchase (currency).
    pub basket_mean: T,
    /// Coefficient of variation of spend per purchase (Gamma distributed).
    pub basket_cv: T,
    /// Mean probability that an active customer leaves in a month.
    pub churn_monthly: T,
    /// Beta concentration (alpha + beta) of individual churn propensities; `None` = all alike.
    pub churn_concentration: Option<T>,
    /// Mean new customers per month (Poisson), entering this segment.
    pub acquisition_monthly: T,
    /// Gross margin as a share of revenue.
    pub gross_margin: T,
    /// Share of customers (initial and new) who join the programme when it exists.
    pub enrolment_share: T,
    /// Monthly migration probability to each segment (index = segment; own entry 0).
    pub migration: Vec<T>,
}

/// Points expiry rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", content = "months", rename_all = "lowercase")]
pub enum Expiry {
    Never,
    /// The whole balance expires after this many months without a purchase.
    Inactivity(u32),
    /// Each month's points expire this many months after they were earned (first in, first out).
    Age(u32),
}

/// A tier: rolling 12-month spend threshold, earn multiplier and benefit cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier {
    pub name: String,
    pub min_spend_12m: f64,
    pub earn_multiplier: f64,
    pub benefit_cost_monthly: f64,
}

/// Programme rules and costs.
#[derive(Debug, Clone, Serialize)]
pub struct Programme<T> {
    pub points_per_currency: T,
    /// Value of one point when redeemed (currency).
    pub point_value: T,
    /// Points per voucher; points convert in whole blocks.
    pub redemption_threshold_points: T,
    /// Probability that a member with at least one block redeems in a month.
    pub redemption_probability_monthly: T,
    /// Probability that an issued voucher is never used.
    pub voucher_non_use: T,
    pub expiry: Expiry,
    pub welcome_bonus_points: T,
    /// Earn multiplier on bonus days (e.g. 2 = double points).
    pub bonus_multiplier: T,
    /// Share of spend made on bonus days.
    pub bonus_share_of_spend: T,
    /// Share of face value the firm pays to honour a reward (goods at cost, partner price).
    pub reward_cost_basis: T,
    /// Share of reward cost funded by suppliers or partners.
    pub supplier_funding_share: T,
    /// Accountant's expected redemption rate for the liability; `None` = taken from the run.
    pub expected_redemption_rate: Option<T>,
    pub setup_cost: T,
    pub fixed_cost_monthly: T,
    pub cost_per_member_monthly: T,
    pub messages_per_member_monthly: T,
    pub cost_per_message: T,
    pub co2_grams_per_message: T,
    /// Tiers sorted by threshold (empty = no tiers).
    pub tiers: Vec<Tier>,
}

impl Programme<f64> {
    /// Générosité faciale: what the base rule promises, points per currency × value per point.
    pub fn faciale(&self) -> f64 {
        self.points_per_currency * self.point_value
    }
    /// Share of face value that the firm finally pays: cost basis × (1 − supplier funding).
    pub fn net_cost_share(&self) -> f64 {
        self.reward_cost_basis * (1.0 - self.supplier_funding_share)
    }

    /// The rules with whole points: welcome bonus floored, threshold rounded (at least 1). The
    /// engine uses this, so every ledger amount is an exactly representable integer and
    /// balances, lots and roll-forwards add up exactly (no negative float dust).
    pub fn with_whole_points(&self) -> Self {
        Programme {
            welcome_bonus_points: self.welcome_bonus_points.max(0.0).floor(),
            redemption_threshold_points: self.redemption_threshold_points.round().max(1.0),
            ..self.clone()
        }
    }

    /// Whole points earned on a month's spend: base `e·S`, plus bonus days
    /// `e·S·share·(multiplier − 1)`, plus the tier's extra `e·S·(tier multiplier − 1)`, floored.
    #[inline]
    pub fn points_for_spend(&self, spend: f64, tier_multiplier: f64) -> f64 {
        let base = spend * self.points_per_currency;
        let factor = 1.0 + self.bonus_share_of_spend * (self.bonus_multiplier - 1.0) + (tier_multiplier - 1.0);
        crate::sim::rng::floor_pos(base * factor)
    }

    /// Whole vouchers a balance converts into, and the points they take.
    #[inline]
    pub fn vouchers_for(&self, balance: f64) -> (f64, f64) {
        let blocks = crate::sim::rng::floor_pos(balance / self.redemption_threshold_points);
        (blocks, blocks * self.redemption_threshold_points)
    }
}

/// Behavioural response of a segment's members to the programme and to its budget.
#[derive(Debug, Clone, Serialize)]
pub struct Response<T> {
    /// Maximum relative lift in purchase frequency from the programme's generosity.
    pub frequency_lift: T,
    pub basket_lift: T,
    /// Maximum relative reduction of churn probability.
    pub churn_reduction: T,
    /// Relative lift of acquisition into the segment.
    pub acquisition_lift: T,
    /// Months for the effects to ramp linearly up to full strength.
    pub ramp_up_months: T,
    /// Faciale generosity at which lifts are half their maximum; `None` = no saturation.
    pub generosity_half_effect: Option<T>,
    pub generosity_hill: T,
    pub budget_frequency_lift: T,
    pub budget_basket_lift: T,
    pub budget_churn_reduction: T,
    /// Budget per member per month at which budget effects are half their maximum.
    pub budget_half_effect_per_member: T,
    pub budget_hill: T,
    /// Relative change of migration probability to each segment (index = segment).
    pub migration_lift: Vec<T>,
}

/// One arm of the simulation: the baseline (no programme) or a generosity scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Arm<T> {
    pub name: String,
    pub description: String,
    /// `None` for the baseline.
    pub programme: Option<Programme<T>>,
    /// Per segment (index = segment).
    pub response: Vec<Response<T>>,
    /// Budget per segment per month (currency), index = segment.
    pub allocation: Vec<T>,
    /// Name of the allocation used (`[allocation]` = "default").
    pub allocation_name: String,
}

fn opt(p: &Option<Param>, d: &[f64]) -> Option<f64> {
    p.as_ref().map(|p| p.at(d))
}

impl Segment<Param> {
    pub fn instantiate(&self, d: &[f64]) -> Segment<f64> {
        Segment {
            name: self.name.clone(),
            description: self.description.clone(),
            customers: self.customers,
            purchases_per_month: self.purchases_per_month.at(d),
            purchase_rate_shape: opt(&self.purchase_rate_shape, d),
            basket_mean: self.basket_mean.at(d),
            basket_cv: self.basket_cv.at(d),
            churn_monthly: self.churn_monthly.at(d),
            churn_concentration: opt(&self.churn_concentration, d),
            acquisition_monthly: self.acquisition_monthly.at(d),
            gross_margin: self.gross_margin.at(d),
            enrolment_share: self.enrolment_share.at(d),
            migration: self.migration.iter().map(|p| p.at(d)).collect(),
        }
    }
}

impl Programme<Param> {
    pub fn instantiate(&self, d: &[f64]) -> Programme<f64> {
        Programme {
            points_per_currency: self.points_per_currency.at(d),
            point_value: self.point_value.at(d),
            redemption_threshold_points: self.redemption_threshold_points.at(d),
            redemption_probability_monthly: self.redemption_probability_monthly.at(d),
            voucher_non_use: self.voucher_non_use.at(d),
            expiry: self.expiry,
            welcome_bonus_points: self.welcome_bonus_points.at(d),
            bonus_multiplier: self.bonus_multiplier.at(d),
            bonus_share_of_spend: self.bonus_share_of_spend.at(d),
            reward_cost_basis: self.reward_cost_basis.at(d),
            supplier_funding_share: self.supplier_funding_share.at(d),
            expected_redemption_rate: opt(&self.expected_redemption_rate, d),
            setup_cost: self.setup_cost.at(d),
            fixed_cost_monthly: self.fixed_cost_monthly.at(d),
            cost_per_member_monthly: self.cost_per_member_monthly.at(d),
            messages_per_member_monthly: self.messages_per_member_monthly.at(d),
            cost_per_message: self.cost_per_message.at(d),
            co2_grams_per_message: self.co2_grams_per_message.at(d),
            tiers: self.tiers.clone(),
        }
    }
}

impl Response<Param> {
    pub fn instantiate(&self, d: &[f64]) -> Response<f64> {
        Response {
            frequency_lift: self.frequency_lift.at(d),
            basket_lift: self.basket_lift.at(d),
            churn_reduction: self.churn_reduction.at(d),
            acquisition_lift: self.acquisition_lift.at(d),
            ramp_up_months: self.ramp_up_months.at(d),
            generosity_half_effect: opt(&self.generosity_half_effect, d),
            generosity_hill: self.generosity_hill.at(d),
            budget_frequency_lift: self.budget_frequency_lift.at(d),
            budget_basket_lift: self.budget_basket_lift.at(d),
            budget_churn_reduction: self.budget_churn_reduction.at(d),
            budget_half_effect_per_member: self.budget_half_effect_per_member.at(d),
            budget_hill: self.budget_hill.at(d),
            migration_lift: self.migration_lift.iter().map(|p| p.at(d)).collect(),
        }
    }

    /// No response at all (baseline arm, or a segment the scenario does not mention).
    pub fn none(n_segments: usize) -> Self {
        let z = Param::Fixed(0.0);
        Response {
            frequency_lift: z,
            basket_lift: z,
            churn_reduction: z,
            acquisition_lift: z,
            ramp_up_months: z,
            generosity_half_effect: None,
            generosity_hill: Param::Fixed(1.0),
            budget_frequency_lift: z,
            budget_basket_lift: z,
            budget_churn_reduction: z,
            budget_half_effect_per_member: Param::Fixed(1.0),
            budget_hill: Param::Fixed(1.0),
            migration_lift: vec![z; n_segments],
        }
    }
}

impl Arm<Param> {
    pub fn instantiate(&self, d: &[f64]) -> Arm<f64> {
        Arm {
            name: self.name.clone(),
            description: self.description.clone(),
            programme: self.programme.as_ref().map(|p| p.instantiate(d)),
            response: self.response.iter().map(|r| r.instantiate(d)).collect(),
            allocation: self.allocation.iter().map(|p| p.at(d)).collect(),
            allocation_name: self.allocation_name.clone(),
        }
    }
}
