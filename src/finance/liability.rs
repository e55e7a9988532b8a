//! Points liability of a loyalty programme on an IFRS 15 / ASC 606 basis.
//!
//! Points that give a material right are a separate performance obligation. Part of
//! the transaction price is allocated to them on relative stand-alone selling price
//! (SSP), deferred as a contract liability and recognised as revenue as points are
//! redeemed (cumulative method, estimate changes caught up in the period of change).
//!
//! Two values are reported for the outstanding points balance: the accounting
//! liability (face value × expected redemption rate) and the economic cost of
//! honouring it (accounting liability × reward cost share). They are not the same.

use serde::{Deserialize, Serialize};

/// Relative tolerance used by [`check_identities`] (with an absolute floor of the same
/// size for values near zero).
pub const IDENTITY_REL_TOL: f64 = 1e-6;

/// Inputs for one month of the roll-forward (all in points or currency units, as named).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LiabilityMonthInput {
    /// Sales to members in the month that earned the points (currency), i.e. the transaction price.
    pub member_sales: f64,
    /// Points issued (earned by members) this month (points).
    pub points_issued: f64,
    /// Points converted into rewards/vouchers this month (they leave the balance) (points).
    pub points_redeemed: f64,
    /// Points expired this month (they leave the balance) (points).
    pub points_expired: f64,
    /// Redemption rate expected by the accountant at this month end: share of all points issued
    /// that will eventually be redeemed (1 − expected breakage), in [0, 1] (dimensionless).
    pub expected_redemption_rate: f64,
}

/// One month of the points and deferred-revenue roll-forward.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LiabilityRow {
    /// Month index, 1-based.
    pub month: u32,
    /// Points balance at the start of the month (points).
    pub opening_points: f64,
    /// Points issued in the month (points).
    pub issued_points: f64,
    /// Points redeemed in the month (points).
    pub redeemed_points: f64,
    /// Points expired in the month (points).
    pub expired_points: f64,
    /// Points balance at month end: opening + issued − redeemed − expired (points).
    pub closing_points: f64,
    /// Face value of the closing balance: closing_points × point_value (currency).
    pub closing_face_value: f64,
    /// Accounting liability at the expected redemption rate:
    /// closing_points × point_value × expected_redemption_rate (currency).
    pub closing_expected_value: f64,
    /// Economic cost of honouring the closing balance: closing_expected_value × reward_cost_share (currency).
    pub closing_economic_cost: f64,
    /// Deferred revenue (contract liability) at the start of the month (currency).
    pub deferred_opening: f64,
    /// Transaction price allocated to the points issued this month (currency).
    pub deferred_added: f64,
    /// Revenue recognised this month; negative when a rising redemption estimate
    /// reverses revenue recognised earlier (cumulative catch-up) (currency).
    pub revenue_recognised: f64,
    /// Deferred revenue at month end: cumulative allocated − cumulative recognised (currency).
    pub deferred_closing: f64,
}

/// Relative stand-alone selling price allocation of one sale between goods and points.
/// Returns the amount of `price` (currency) allocated to the points (deferred). Goods SSP = price.
///
/// `points` in points, `point_value` in currency per point, `expected_redemption_rate` in [0, 1].
/// `SSP_points = points · point_value · expected_redemption_rate`;
/// `allocated = price · SSP_points / (price + SSP_points)`. Returns 0 when the SSP sum is not positive.
pub fn allocate_to_points(price: f64, points: f64, point_value: f64, expected_redemption_rate: f64) -> f64 {
    let ssp_points = points * point_value * expected_redemption_rate;
    let ssp_total = price + ssp_points;
    if ssp_total > 0.0 {
        price * ssp_points / ssp_total
    } else {
        0.0
    }
}

/// Monthly roll-forward of the points balance and of the deferred revenue.
///
/// `point_value` is the face value of one point (currency per point). `reward_cost_share`
/// = what the firm pays per unit of face value (cost basis × (1 − supplier funding)), dimensionless.
///
/// Each month's sales are allocated once, at that month's expected redemption rate (the
/// allocation at inception is not re-opened). Cumulative recognised revenue is
/// `A_t · clamp(cum_redeemed_t / (r_t · cum_issued_t), 0, 1)` (0 if `cum_issued_t` or `r_t` is 0),
/// and the month's revenue is its change, so estimate changes are caught up cumulatively.
pub fn roll_forward(months: &[LiabilityMonthInput], point_value: f64, reward_cost_share: f64) -> Vec<LiabilityRow> {
    let mut rows = Vec::with_capacity(months.len());
    let mut opening_points = 0.0;
    let mut cum_issued = 0.0;
    let mut cum_redeemed = 0.0;
    let mut cum_allocated = 0.0;
    let mut cum_recognised = 0.0;
    let mut deferred_opening = 0.0;

    for (i, m) in months.iter().enumerate() {
        let r = m.expected_redemption_rate;
        let closing_points = opening_points + m.points_issued - m.points_redeemed - m.points_expired;
        let closing_face_value = closing_points * point_value;
        let closing_expected_value = closing_face_value * r;

        let allocated = allocate_to_points(m.member_sales, m.points_issued, point_value, r);
        cum_allocated += allocated;
        cum_issued += m.points_issued;
        cum_redeemed += m.points_redeemed;
        let expected_total_redeemed = r * cum_issued;
        let progress = if cum_issued != 0.0 && r != 0.0 {
            (cum_redeemed / expected_total_redeemed).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let recognised_to_date = cum_allocated * progress;
        let revenue_recognised = recognised_to_date - cum_recognised;
        // Equals deferred_opening + allocated − revenue_recognised up to rounding, without
        // accumulating drift over long horizons.
        let deferred_closing = cum_allocated - recognised_to_date;

        rows.push(LiabilityRow {
            month: u32::try_from(i + 1).unwrap_or(u32::MAX),
            opening_points,
            issued_points: m.points_issued,
            redeemed_points: m.points_redeemed,
            expired_points: m.points_expired,
            closing_points,
            closing_face_value,
            closing_expected_value,
            closing_economic_cost: closing_expected_value * reward_cost_share,
            deferred_opening,
            deferred_added: allocated,
            revenue_recognised,
            deferred_closing,
        });

        opening_points = closing_points;
        cum_recognised = recognised_to_date;
        deferred_opening = deferred_closing;
    }
    rows
}

/// `a ≈ b` within [`IDENTITY_REL_TOL`] relative to the largest magnitude in `scale` (floor 1).
fn close(a: f64, b: f64, scale: &[f64]) -> bool {
    let mag = scale.iter().fold(1.0_f64, |acc, x| acc.max(x.abs()));
    (a - b).abs() <= IDENTITY_REL_TOL * mag
}

/// Verifies the points roll-forward (opening + issued − redeemed − expired = closing), the
/// deferred-revenue roll-forward (opening + added − recognised = closing), and that the
/// openings of row t equal the closings of row t−1, within [`IDENTITY_REL_TOL`] relative
/// tolerance (absolute for magnitudes below 1). Non-finite values are errors.
pub fn check_identities(rows: &[LiabilityRow]) -> Result<(), String> {
    let mut prev: Option<&LiabilityRow> = None;
    for r in rows {
        let values = [
            r.opening_points,
            r.issued_points,
            r.redeemed_points,
            r.expired_points,
            r.closing_points,
            r.deferred_opening,
            r.deferred_added,
            r.revenue_recognised,
            r.deferred_closing,
        ];
        if values.iter().any(|v| !v.is_finite()) {
            return Err(format!("month {}: non-finite value", r.month));
        }
        let m = r.month;
        let pts = r.opening_points + r.issued_points - r.redeemed_points - r.expired_points;
        if !close(pts, r.closing_points, &values[..5]) {
            let c = r.closing_points;
            return Err(format!("month {m}: points roll-forward gives {pts}, closing is {c}"));
        }
        let def = r.deferred_opening + r.deferred_added - r.revenue_recognised;
        if !close(def, r.deferred_closing, &values[5..]) {
            let c = r.deferred_closing;
            return Err(format!("month {m}: deferred roll-forward gives {def}, closing is {c}"));
        }
        if let Some(p) = prev {
            let (o, c) = (r.opening_points, p.closing_points);
            if !close(o, c, &[o, c]) {
                return Err(format!("month {m}: opening points {o} != previous closing {c}"));
            }
            let (o, c) = (r.deferred_opening, p.deferred_closing);
            if !close(o, c, &[o, c]) {
                return Err(format!("month {m}: deferred opening {o} != previous closing {c}"));
            }
        }
        prev = Some(r);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Half a cent: figures quoted to 2 decimals.
    const CENT_TOL: f64 = 0.005;
    /// Figures quoted to whole currency units (IFRS 15 IE 52).
    const UNIT_TOL: f64 = 1.0;
    /// Exact arithmetic on small hand-made numbers.
    const EXACT_TOL: f64 = 1e-9;

    fn month(sales: f64, issued: f64, redeemed: f64, expired: f64, r: f64) -> LiabilityMonthInput {
        LiabilityMonthInput {
            member_sales: sales,
            points_issued: issued,
            points_redeemed: redeemed,
            points_expired: expired,
            expected_redemption_rate: r,
        }
    }

    #[test]
    fn textbook_allocation() {
        let to_points = allocate_to_points(1000.0, 100.0, 1.0, 0.8);
        assert!((to_points - 74.07).abs() < CENT_TOL, "{to_points}");
        assert!((1000.0 - to_points - 925.93).abs() < CENT_TOL);
        assert_eq!(allocate_to_points(0.0, 0.0, 1.0, 0.8), 0.0);
    }

    #[test]
    fn ifrs15_example_52_recognition_and_catch_up() {
        let rows = roll_forward(
            &[
                month(100_000.0, 10_000.0, 4_500.0, 0.0, 0.95),
                month(0.0, 0.0, 4_000.0, 0.0, 0.97),
            ],
            1.0,
            1.0,
        );
        check_identities(&rows).unwrap();
        let (y1, y2) = (rows[0], rows[1]);
        assert!((y1.deferred_added - 8_676.0).abs() < UNIT_TOL);
        assert!((y1.revenue_recognised - 4_110.0).abs() < UNIT_TOL);
        assert!((y1.revenue_recognised + y2.revenue_recognised - 7_603.0).abs() < UNIT_TOL);
        assert!((y2.revenue_recognised - 3_493.0).abs() < UNIT_TOL);
        assert!((y2.deferred_closing - (8_676.0 - 7_603.0)).abs() < UNIT_TOL);
        assert_eq!(y2.deferred_added, 0.0);
    }

    #[test]
    fn points_identity_non_negative_and_expiry_leaves_balance() {
        let seqs: [&[LiabilityMonthInput]; 3] = [
            &[
                month(500.0, 100.0, 0.0, 0.0, 0.8),
                month(300.0, 50.0, 60.0, 10.0, 0.8),
                month(0.0, 0.0, 30.0, 50.0, 0.7),
            ],
            &[month(0.0, 0.0, 0.0, 0.0, 0.9); 4],
            &[month(1000.0, 200.0, 0.0, 200.0, 0.5), month(10.0, 1.0, 1.0, 0.0, 0.5)],
        ];
        for seq in seqs {
            let rows = roll_forward(seq, 0.01, 0.6);
            assert_eq!(rows.len(), seq.len());
            check_identities(&rows).unwrap();
            for (i, r) in rows.iter().enumerate() {
                assert_eq!(r.month as usize, i + 1);
                assert!(r.closing_points >= 0.0 && r.deferred_closing >= -EXACT_TOL);
                assert!(r.closing_face_value >= r.closing_expected_value);
                assert!(r.closing_expected_value >= r.closing_economic_cost);
                let expected = r.closing_points * 0.01 * seq[i].expected_redemption_rate;
                assert!((r.closing_expected_value - expected).abs() < EXACT_TOL);
                assert!((r.closing_economic_cost - expected * 0.6).abs() < EXACT_TOL);
            }
            assert_eq!(rows[0].opening_points, 0.0);
        }
        // Expired points leave the balance: 100 + 50 − 60 − 10 = 80, then 80 − 30 − 50 = 0.
        let rows = roll_forward(seqs[0], 0.01, 0.6);
        assert!((rows[1].closing_points - 80.0).abs() < EXACT_TOL);
        assert!(rows[2].closing_points.abs() < EXACT_TOL);
        let rows = roll_forward(seqs[2], 0.01, 0.6);
        assert!(rows[0].closing_points.abs() < EXACT_TOL);
    }

    #[test]
    fn rising_estimate_reverses_revenue() {
        let rows = roll_forward(
            &[
                month(10_000.0, 1_000.0, 400.0, 0.0, 0.5),
                month(0.0, 0.0, 0.0, 0.0, 0.9),
                month(0.0, 0.0, 500.0, 0.0, 0.9),
            ],
            1.0,
            0.5,
        );
        check_identities(&rows).unwrap();
        assert!(rows[0].revenue_recognised > 0.0);
        assert!(rows[1].revenue_recognised < 0.0, "{:?}", rows[1]);
        // 900 of 900 expected redeemed: everything allocated is recognised.
        assert!(rows[2].deferred_closing.abs() < EXACT_TOL * rows[0].deferred_added);
        let total: f64 = rows.iter().map(|r| r.revenue_recognised).sum();
        assert!((total - rows[0].deferred_added).abs() < EXACT_TOL * total);
    }

    #[test]
    fn tampered_rows_are_rejected() {
        let rows = roll_forward(
            &[month(1000.0, 100.0, 20.0, 5.0, 0.8), month(500.0, 50.0, 30.0, 0.0, 0.8)],
            1.0,
            0.5,
        );
        check_identities(&rows).unwrap();
        let mut bad = rows.clone();
        bad[1].closing_points += 1.0;
        assert!(check_identities(&bad).is_err());
        let mut bad = rows.clone();
        bad[0].revenue_recognised += 0.5;
        assert!(check_identities(&bad).is_err());
        let mut bad = rows.clone();
        bad[1].opening_points += 1.0;
        bad[1].closing_points += 1.0;
        assert!(check_identities(&bad).is_err());
        let mut bad = rows;
        bad[1].deferred_opening = f64::NAN;
        assert!(check_identities(&bad).is_err());
    }
}
