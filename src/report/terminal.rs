//! Terminal summary: what a strategist reads first. One row per scenario with ROI percentiles,
//! NPV ± standard error, P(loss), retention and payback; then generosity and breakage; then the
//! ROI of each segment.

use crate::results::{NamedSummary, RunResult, kpi};
use crate::stats::Summary;

/// Format a number with thousands separators and `decimals` decimals.
pub fn thousands(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if x < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("-{out}")
    } else {
        out
    }
}

/// Percentage with `decimals` decimals, e.g. `12.3%`.
pub fn pct(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{:.*}%", decimals, 100.0 * x)
    } else {
        "n/a".into()
    }
}

/// Signed percentage points, e.g. `+1.2 pt`.
pub fn pts(x: f64) -> String {
    if x.is_finite() {
        format!("{:+.1} pt", 100.0 * x)
    } else {
        "n/a".into()
    }
}

/// A plain text table with left-aligned first column and right-aligned others.
pub fn table(header: &[String], rows: &[Vec<String>]) -> String {
    let n = header.len();
    let mut width = vec![0; n];
    for r in std::iter::once(header).chain(rows.iter().map(|r| r.as_slice())) {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let line = |r: &[String]| {
        r.iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = width[i] - c.chars().count();
                if i == 0 {
                    format!("{c}{}", " ".repeat(pad))
                } else {
                    format!("{}{c}", " ".repeat(pad))
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    let mut out = line(header);
    out.push('\n');
    out.push_str(&width.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().join("  "));
    out.push('\n');
    for r in rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

fn get(list: &[NamedSummary], name: &str) -> Summary {
    *kpi(list, name).unwrap_or_else(|| panic!("missing KPI {name}"))
}

/// Render the terminal summary.
pub fn render(r: &RunResult) -> String {
    let cur = &r.settings.currency;
    let mut out = String::new();
    let sha = &r.provenance.scenario_sha256[..12.min(r.provenance.scenario_sha256.len())];
    out.push_str(&format!(
        "loyalsim {} — {} (sha256 {sha}…)\nseed {}, {} iterations, horizon {} months, discount {} a year, amounts in {cur}\n",
        r.provenance.tool_version,
        r.provenance.scenario_path,
        r.settings.seed,
        r.settings.iterations,
        r.settings.horizon_months,
        pct(r.settings.discount_rate_annual, 1),
    ));
    if r.settings.sample_share < 1.0 {
        out.push_str(&format!(
            "Simulated a sample of {} of customers; each stands for {} (uncertainty includes the sampling).\n",
            pct(r.settings.sample_share, 1),
            thousands(r.settings.customer_weight, 1)
        ));
    }
    if r.settings.central_assumptions {
        out.push_str(
            "Uncertain assumptions held at their medians (--central): spread shows customer randomness only.\n",
        );
    }
    out.push('\n');

    let base = &r.arms[0];
    let base_ret = get(&base.kpis, "retention_12m");
    let ret_name = if base_ret.n > 0 {
        "retention_12m"
    } else {
        "retention_horizon"
    };
    let ret_label = if base_ret.n > 0 {
        "Retention 12m"
    } else {
        "Retention (horizon)"
    };
    let header: Vec<String> = [
        "Scenario",
        &format!("NPV mean ± SE ({cur})"),
        "ROI P5",
        "ROI P50",
        "ROI P95",
        "P(loss)",
        ret_label,
        "Payback (median)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut rows = vec![vec![
        "baseline".to_string(),
        "—".into(),
        "—".into(),
        "—".into(),
        "—".into(),
        "—".into(),
        pct(get(&base.kpis, ret_name).mean, 1),
        "—".into(),
    ]];
    for sc in &r.scenarios {
        let npv = get(&sc.incremental, "npv");
        let roi = get(&sc.incremental, "roi");
        let arm = r.arm(&sc.name).expect("arm of scenario");
        let ret = get(&arm.kpis, ret_name);
        let dret = get(&sc.incremental, &format!("{ret_name}_change"));
        let payback = get(&sc.incremental, "payback_month");
        let paid = get(&sc.incremental, "paid_back");
        rows.push(vec![
            sc.name.clone(),
            format!("{} ± {}", thousands(npv.mean, 0), thousands(npv.se, 0)),
            pct(roi.p5, 0),
            pct(roi.p50, 0),
            pct(roi.p95, 0),
            pct(sc.p_loss, 1),
            format!("{} ({})", pct(ret.mean, 1), pts(dret.mean)),
            if payback.n > 0 {
                format!("month {:.0} ({} of runs)", payback.p50, pct(paid.mean, 0))
            } else {
                "not within horizon".into()
            },
        ]);
    }
    out.push_str(&table(&header, &rows));
    out.push_str(&format!(
        "ROI = incremental net cash flow ÷ total cost (rewards + running costs + budgets + set-up), on margin, over {} months.\nP(loss) = P(NPV < 0).\n\n",
        r.settings.horizon_months
    ));

    // Generosity and breakage.
    let header: Vec<String> = [
        "Scenario",
        "Faciale",
        "Maximale",
        "Réelle",
        "Réelle at cost",
        "Nette",
        "Breakage",
        "  thr/exp/voucher",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows: Vec<Vec<String>> = r
        .arms
        .iter()
        .skip(1)
        .map(|a| {
            let g = |n: &str| pct(get(&a.kpis, n).mean, 2);
            vec![
                a.name.clone(),
                g("generosity_faciale"),
                g("generosity_maximale"),
                g("generosity_reelle"),
                g("generosity_reelle_cost"),
                g("generosity_nette"),
                pct(get(&a.kpis, "breakage_total").mean, 1),
                format!(
                    "{} / {} / {}",
                    pct(get(&a.kpis, "breakage_threshold").mean, 1),
                    pct(get(&a.kpis, "breakage_expiry").mean, 1),
                    pct(get(&a.kpis, "breakage_voucher_non_use").mean, 1)
                ),
            ]
        })
        .collect();
    out.push_str("Generosity (share of member spend) and breakage (share of points issued)\n");
    out.push_str(&table(&header, &rows));
    out.push('\n');

    // ROI per segment.
    let mut header = vec!["ROI P50 by segment".to_string()];
    header.extend(r.segments.iter().cloned());
    let rows: Vec<Vec<String>> = r
        .scenarios
        .iter()
        .map(|sc| {
            let mut row = vec![sc.name.clone()];
            row.extend(sc.segments.iter().map(|s| pct(get(&s.kpis, "roi").p50, 0)));
            row
        })
        .collect();
    out.push_str(&table(&header, &rows));
    out.push_str("Segment ROI counts the segment's rewards, member costs and budget; fixed and set-up costs are whole-base only.\n\n");

    // Points liability, segment mix and tier mix at the horizon.
    let h = r.settings.horizon_months;
    let mut rows = Vec::new();
    for l in &r.liability {
        if let Some(last) = l.rows.last() {
            rows.push(vec![
                l.arm.clone(),
                thousands(last.closing_points, 0),
                thousands(last.closing_face_value, 0),
                format!(
                    "{} ({} {})",
                    thousands(last.closing_expected_value, 0),
                    pct(l.expected_redemption_rate, 0),
                    l.expected_redemption_rate_source
                ),
                thousands(last.closing_economic_cost, 0),
                thousands(last.deferred_closing, 0),
            ]);
        }
    }
    let header: Vec<String> = [
        &format!("Liability at month {h}"),
        "Points",
        &format!("Face ({cur})"),
        &format!("At expected redemption ({cur})"),
        &format!("Economic cost ({cur})"),
        &format!("Deferred revenue ({cur})"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    out.push_str(&table(&header, &rows));
    out.push('\n');

    let active_at = |arm: &str, seg: &str| {
        r.monthly
            .iter()
            .find(|m| m.arm == arm && m.segment == seg && m.month == h && m.metric == "active")
            .map_or(f64::NAN, |m| m.mean)
    };
    let mut header = vec![format!("Segment mix, month {h} (active)")];
    header.extend(r.segments.iter().cloned());
    let rows: Vec<Vec<String>> = r
        .arms
        .iter()
        .map(|a| {
            let counts: Vec<f64> = r.segments.iter().map(|s| active_at(&a.name, s)).collect();
            let total: f64 = counts.iter().sum();
            let mut row = vec![a.name.clone()];
            row.extend(
                counts
                    .iter()
                    .map(|c| format!("{} ({})", thousands(*c, 0), pct(c / total, 0))),
            );
            row
        })
        .collect();
    out.push_str(&table(&header, &rows));
    out.push('\n');

    if !r.tiers.is_empty() {
        let mut header = vec![format!("Tier mix, month {h} (members)")];
        header.extend(r.tiers.iter().cloned());
        let rows: Vec<Vec<String>> = r
            .arms
            .iter()
            .skip(1)
            .map(|a| {
                let mut row = vec![a.name.clone()];
                row.extend(r.tiers.iter().map(|t| {
                    r.tier_mix
                        .iter()
                        .find(|x| x.arm == a.name && x.month == h && &x.tier == t)
                        .map_or("—".to_string(), |x| thousands(x.members, 0))
                }));
                row
            })
            .collect();
        out.push_str(&table(&header, &rows));
        out.push('\n');
    }

    for c in &r.convergence {
        out.push_str(&format!(
            "{}: mean NPV {} ± {} (95 % CI half-width, {} of |mean|)\n",
            c.scenario,
            thousands(c.npv_mean, 0),
            thousands(c.npv_ci95_half_width, 0),
            pct(c.npv_ci95_relative, 1)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_formats() {
        assert_eq!(thousands(1234567.891, 0), "1,234,568");
        assert_eq!(thousands(-1234.5, 1), "-1,234.5");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(-0.2, 0), "0");
        assert_eq!(thousands(f64::NAN, 0), "n/a");
    }
}
