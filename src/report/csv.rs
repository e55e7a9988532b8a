//! CSV exporters, long format, one flat row struct per file (columns documented in README.md).

use crate::error::RunError;
use crate::results::{NamedSummary, RunResult};
use serde::Serialize;

fn write_rows<T: Serialize>(what: &str, rows: impl IntoIterator<Item = T>) -> Result<Vec<u8>, RunError> {
    let enc = |e: csv::Error| RunError::Encode {
        what: what.into(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(enc)?;
    }
    w.into_inner().map_err(|e| RunError::Encode {
        what: what.into(),
        message: e.to_string(),
    })
}

/// Empty cell for NaN so spreadsheets do not choke on "NaN".
fn num(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

#[derive(Serialize)]
struct SummaryRow<'a> {
    /// "arm" (an arm on its own) or "incremental" (scenario − baseline).
    kind: &'static str,
    scenario: &'a str,
    segment: &'a str,
    kpi: &'a str,
    unit: &'a str,
    n: usize,
    mean: Option<f64>,
    se: Option<f64>,
    ci95_half_width: Option<f64>,
    p5: Option<f64>,
    p50: Option<f64>,
    p95: Option<f64>,
}

fn summary_rows<'a>(
    kind: &'static str,
    scenario: &'a str,
    segment: &'a str,
    list: &'a [NamedSummary],
) -> impl Iterator<Item = SummaryRow<'a>> {
    list.iter().map(move |k| SummaryRow {
        kind,
        scenario,
        segment,
        kpi: k.name,
        unit: k.unit,
        n: k.summary.n,
        mean: num(k.summary.mean),
        se: num(k.summary.se),
        ci95_half_width: num(k.summary.ci95_half_width),
        p5: num(k.summary.p5),
        p50: num(k.summary.p50),
        p95: num(k.summary.p95),
    })
}

/// `summary.csv`: every KPI of every arm and every scenario's incremental KPIs, whole base and
/// per segment, plus P(loss) and CVaR rows.
pub fn summary(r: &RunResult) -> Result<Vec<u8>, RunError> {
    let mut rows: Vec<SummaryRow> = Vec::new();
    for a in &r.arms {
        rows.extend(summary_rows("arm", &a.name, "all", &a.kpis));
        for s in &a.segments {
            rows.extend(summary_rows("arm", &a.name, &s.segment, &s.kpis));
        }
    }
    for sc in &r.scenarios {
        rows.extend(summary_rows("incremental", &sc.name, "all", &sc.incremental));
        let n = sc.incremental.first().map_or(0, |k| k.summary.n);
        rows.push(SummaryRow {
            kind: "incremental",
            scenario: &sc.name,
            segment: "all",
            kpi: "p_loss",
            unit: "probability",
            n,
            mean: num(sc.p_loss),
            se: num(sc.p_loss_se),
            ci95_half_width: num(1.96 * sc.p_loss_se),
            p5: None,
            p50: None,
            p95: None,
        });
        rows.push(SummaryRow {
            kind: "incremental",
            scenario: &sc.name,
            segment: "all",
            kpi: "cvar5_npv",
            unit: "currency",
            n,
            mean: num(sc.cvar5_npv),
            se: None,
            ci95_half_width: None,
            p5: None,
            p50: None,
            p95: None,
        });
        for s in &sc.segments {
            rows.extend(summary_rows("incremental", &sc.name, &s.segment, &s.kpis));
        }
    }
    write_rows("summary.csv", rows)
}

#[derive(Serialize)]
struct MonthlyCsv<'a> {
    scenario: &'a str,
    segment: &'a str,
    month: u32,
    metric: &'a str,
    mean: Option<f64>,
    se: Option<f64>,
    p5: Option<f64>,
    p50: Option<f64>,
    p95: Option<f64>,
}

/// `monthly.csv`: long format, one row per (scenario, segment, month, metric).
pub fn monthly(r: &RunResult) -> Result<Vec<u8>, RunError> {
    write_rows(
        "monthly.csv",
        r.monthly.iter().map(|m| MonthlyCsv {
            scenario: &m.arm,
            segment: &m.segment,
            month: m.month,
            metric: m.metric,
            mean: num(m.mean),
            se: num(m.se),
            p5: m.p5.and_then(num),
            p50: m.p50.and_then(num),
            p95: m.p95.and_then(num),
        }),
    )
}

#[derive(Serialize)]
struct LiabilityCsv<'a> {
    scenario: &'a str,
    month: u32,
    expected_redemption_rate: f64,
    opening_points: f64,
    issued_points: f64,
    redeemed_points: f64,
    expired_points: f64,
    closing_points: f64,
    closing_face_value: f64,
    closing_expected_value: f64,
    closing_economic_cost: f64,
    deferred_opening: f64,
    deferred_added: f64,
    revenue_recognised: f64,
    deferred_closing: f64,
}

/// `liability.csv`: monthly points liability roll-forward per scenario (means).
pub fn liability(r: &RunResult) -> Result<Vec<u8>, RunError> {
    let rows = r.liability.iter().flat_map(|l| {
        l.rows.iter().map(move |x| LiabilityCsv {
            scenario: &l.arm,
            month: x.month,
            expected_redemption_rate: l.expected_redemption_rate,
            opening_points: x.opening_points,
            issued_points: x.issued_points,
            redeemed_points: x.redeemed_points,
            expired_points: x.expired_points,
            closing_points: x.closing_points,
            closing_face_value: x.closing_face_value,
            closing_expected_value: x.closing_expected_value,
            closing_economic_cost: x.closing_economic_cost,
            deferred_opening: x.deferred_opening,
            deferred_added: x.deferred_added,
            revenue_recognised: x.revenue_recognised,
            deferred_closing: x.deferred_closing,
        })
    });
    write_rows("liability.csv", rows)
}

/// `tiers.csv`: mean members per tier at the start of each month.
pub fn tiers(r: &RunResult) -> Result<Vec<u8>, RunError> {
    #[derive(Serialize)]
    struct Header<'a> {
        scenario: &'a str,
        month: u32,
        tier: &'a str,
        members: f64,
    }
    let mut bytes = write_rows(
        "tiers.csv",
        r.tier_mix.iter().map(|t| Header {
            scenario: &t.arm,
            month: t.month,
            tier: &t.tier,
            members: t.members,
        }),
    )?;
    if bytes.is_empty() {
        bytes = b"scenario,month,tier,members\n".to_vec();
    }
    Ok(bytes)
}

/// `sensitivity.csv`: Spearman rank correlation of NPV and ROI with each uncertain input.
pub fn sensitivity(r: &RunResult) -> Result<Vec<u8>, RunError> {
    let mut bytes = write_rows("sensitivity.csv", r.sensitivity.iter())?;
    if bytes.is_empty() {
        bytes = b"scenario,input,spearman_npv,spearman_roi\n".to_vec();
    }
    Ok(bytes)
}
