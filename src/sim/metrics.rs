//! Per-segment monthly metrics of one arm. One list of fields drives the struct, the field names
//! (used as metric names in CSV/JSON) and element-wise arithmetic, so adding a metric is one line.

use serde::{Deserialize, Serialize};

macro_rules! metrics {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// Metrics of one segment in one month of one arm (counts, points or currency).
        #[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
        pub struct SegMonth {
            $( $(#[$doc])* pub $name: f64, )*
        }

        impl SegMonth {
            /// Metric names, in field order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name)),*];

            /// Values in field order.
            pub fn values(&self) -> Vec<f64> {
                vec![$(self.$name),*]
            }

            /// Apply `f` to every field.
            pub fn map_mut(&mut self, mut f: impl FnMut(&mut f64)) {
                $( f(&mut self.$name); )*
            }

            /// Add `other` field by field.
            pub fn add(&mut self, other: &SegMonth) {
                $( self.$name += other.$name; )*
            }
        }
    };
}

metrics! {
    /// Customers active at the start of the month.
    active,
    /// Programme members among them.
    members,
    /// Customers lost during the month.
    churned,
    /// New customers arriving at the end of the month.
    acquired,
    /// Customers moving into the segment at the end of the month.
    migrated_in,
    /// Customers moving out of the segment at the end of the month.
    migrated_out,
    /// Purchases (transactions).
    purchases,
    /// Customers who bought at least once in the month.
    buyers,
    /// Sales (currency).
    revenue,
    /// Sales to programme members (currency): what rewards are earned on.
    member_revenue,
    /// Gross margin on sales (currency).
    gross_margin,
    /// Points issued at the base rate only.
    points_base,
    /// All points issued: base + bonus days + tier multiplier + welcome bonus.
    points_issued,
    /// Points converted into vouchers (they leave the balance).
    points_redeemed,
    /// Points removed by the expiry rule.
    points_expired,
    /// Points lost when their holder churned with less than one block.
    points_lost_below_threshold,
    /// Points lost when their holder churned holding at least one block.
    points_lost_with_blocks,
    /// Points converted into vouchers that were never used.
    points_voucher_unused,
    /// Face value of vouchers used (currency).
    vouchers_used_face,
    /// Face value of vouchers issued but never used (currency).
    vouchers_unused_face,
    /// Cost to the firm of used vouchers: face × cost basis × (1 − supplier funding) (currency).
    reward_cost,
    /// Member running costs: per member, messages and tier benefits (currency).
    member_costs,
    /// Marketing messages sent.
    messages,
    /// Points held by the segment's members at the end of the month.
    points_balance,
}

impl SegMonth {
    /// Multiply every field by `w` (sample → population).
    pub fn scale(&mut self, w: f64) {
        self.map_mut(|v| *v *= w);
    }
}
