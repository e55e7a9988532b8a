//! Uncertain assumptions. Any numeric field of a scenario may be a number or a distribution
//! table such as `{ dist = "triangular", min = 0.01, mode = 0.03, max = 0.06 }`. Distributions are
//! sampled by inversion of a Latin-hypercube uniform, once per iteration.

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use statrs::distribution::{Beta, ContinuousCDF, LogNormal, Normal};
use std::fmt;

/// A numeric field as written in the scenario file: a number or a distribution table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RawParam {
    Value(f64),
    Dist(RawDist),
}

/// Distribution tables of the scenario file (tag `dist`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum RawDist {
    Fixed {
        value: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Pert {
        min: f64,
        mode: f64,
        max: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    Lognormal {
        mean: f64,
        sd: f64,
    },
    Beta {
        alpha: f64,
        beta: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
}

impl<'de> Deserialize<'de> for RawParam {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawParam;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number or a distribution table such as \
                     { dist = \"triangular\", min = 0.01, mode = 0.02, max = 0.04 }",
                )
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawParam, E> {
                Ok(RawParam::Value(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawParam, E> {
                Ok(RawParam::Value(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawParam, E> {
                Ok(RawParam::Value(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawParam, A::Error> {
                // Read the table first and check it by hand: serde's own messages for an
                // internally tagged enum ("missing field `max`") do not say which distribution
                // wanted the key nor how a correct table looks.
                let mut entries: Vec<(String, Scalar)> = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    let v = map.next_value::<Scalar>()?;
                    entries.push((k, v));
                }
                dist_from_entries(&entries)
                    .map(RawParam::Dist)
                    .map_err(de::Error::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A value inside a distribution table, kept loose so that wrong types get a tailored message.
enum Scalar {
    Number(f64),
    Text(String),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a string")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Scalar, E> {
                Ok(Scalar::Other("a boolean"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
                while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other("a table"))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other("an array"))
            }
        }
        d.deserialize_any(V)
    }
}

/// Names of the distributions, their required and optional keys, and an example table.
const DISTS: &[(&str, &[&str], &[&str], &str)] = &[
    ("fixed", &["value"], &[], "{ dist = \"fixed\", value = 0.03 }"),
    (
        "uniform",
        &["min", "max"],
        &[],
        "{ dist = \"uniform\", min = 0.02, max = 0.04 }",
    ),
    (
        "triangular",
        &["min", "mode", "max"],
        &[],
        "{ dist = \"triangular\", min = 0.01, mode = 0.03, max = 0.06 }",
    ),
    (
        "pert",
        &["min", "mode", "max"],
        &[],
        "{ dist = \"pert\", min = 0.01, mode = 0.03, max = 0.06 }",
    ),
    (
        "normal",
        &["mean", "sd"],
        &["min", "max"],
        "{ dist = \"normal\", mean = 0.03, sd = 0.01 } (optional min and max truncate it)",
    ),
    (
        "lognormal",
        &["mean", "sd"],
        &[],
        "{ dist = \"lognormal\", mean = 40, sd = 8 }",
    ),
    (
        "beta",
        &["alpha", "beta"],
        &["min", "max"],
        "{ dist = \"beta\", alpha = 2, beta = 48 } (optional min and max rescale it, default [0, 1])",
    ),
];

fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [init @ .., last] => format!(
            "{} and `{last}`",
            init.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Check a distribution table key by key and build it, with messages that show a correct table.
fn dist_from_entries(entries: &[(String, Scalar)]) -> Result<RawDist, String> {
    let names: Vec<&str> = DISTS.iter().map(|d| d.0).collect();
    let known = names.join(", ");
    let name = match entries.iter().find(|(k, _)| k == "dist") {
        None => {
            return Err(format!(
                "a distribution table needs `dist = \"NAME\"` (one of {known}), e.g. {}",
                DISTS[2].3
            ));
        }
        Some((_, Scalar::Text(t))) => t.as_str(),
        Some(_) => {
            return Err(format!(
                "`dist` must be a string naming the distribution (one of {known}), e.g. dist = \"triangular\""
            ));
        }
    };
    let Some(&(name, required, optional, example)) = DISTS.iter().find(|d| d.0 == name) else {
        let hint = crate::error::did_you_mean(name, names.iter().copied())
            .map(|s| format!("did you mean \"{s}\"? "))
            .unwrap_or_default();
        return Err(format!("unknown distribution \"{name}\"; {hint}use one of {known}"));
    };
    let mut errs = Vec::new();
    let mut values: Vec<(&str, f64)> = Vec::new();
    for (k, v) in entries {
        if k == "dist" {
            continue;
        }
        if !required.contains(&k.as_str()) && !optional.contains(&k.as_str()) {
            let allowed: Vec<&str> = required.iter().chain(optional).copied().collect();
            let hint = crate::error::did_you_mean(k, allowed.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            errs.push(format!(
                "`{k}` is not a parameter of a {name} distribution{hint}; it takes {}",
                and_list(&allowed)
            ));
            continue;
        }
        match v {
            Scalar::Number(x) => values.push((k.as_str(), *x)),
            Scalar::Text(t) => {
                let fix = if t.trim().parse::<f64>().is_ok() {
                    "; remove the quotes"
                } else {
                    ""
                };
                errs.push(format!(
                    "`{k}` of a {name} distribution must be a number, got the string \"{t}\"{fix}"
                ))
            }
            Scalar::Other(what) => errs.push(format!("`{k}` of a {name} distribution must be a number, got {what}")),
        }
    }
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|r| !entries.iter().any(|(k, _)| k == r))
        .collect();
    if !missing.is_empty() {
        errs.push(format!(
            "a {name} distribution needs {}; {} missing (e.g. {example})",
            and_list(required),
            if missing.len() == 1 {
                format!("{} is", and_list(&missing))
            } else {
                format!("{} are", and_list(&missing))
            }
        ));
    }
    if !errs.is_empty() {
        return Err(errs.join("; "));
    }
    let get = |k: &str| values.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    let req = |k: &str| get(k).unwrap_or(f64::NAN);
    Ok(match name {
        "fixed" => RawDist::Fixed { value: req("value") },
        "uniform" => RawDist::Uniform {
            min: req("min"),
            max: req("max"),
        },
        "triangular" => RawDist::Triangular {
            min: req("min"),
            mode: req("mode"),
            max: req("max"),
        },
        "pert" => RawDist::Pert {
            min: req("min"),
            mode: req("mode"),
            max: req("max"),
        },
        "normal" => RawDist::Normal {
            mean: req("mean"),
            sd: req("sd"),
            min: get("min"),
            max: get("max"),
        },
        "lognormal" => RawDist::Lognormal {
            mean: req("mean"),
            sd: req("sd"),
        },
        _ => RawDist::Beta {
            alpha: req("alpha"),
            beta: req("beta"),
            min: get("min"),
            max: get("max"),
        },
    })
}

impl From<f64> for RawParam {
    fn from(v: f64) -> Self {
        RawParam::Value(v)
    }
}

/// A validated distribution, ready to sample by inversion.
#[derive(Debug, Clone)]
pub enum Dist {
    Fixed(f64),
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// PERT as a scaled Beta on [min, max].
    Pert {
        min: f64,
        max: f64,
        beta: Beta,
        mode: f64,
    },
    /// Normal truncated to [lo, hi] (the user's bounds intersected with the field's domain).
    Normal {
        normal: Normal,
        lo: f64,
        hi: f64,
        cdf_lo: f64,
        cdf_hi: f64,
    },
    /// Lognormal given by the mean and sd of the variable itself (not of its log).
    LogNormal {
        dist: LogNormal,
        mean: f64,
        sd: f64,
    },
    /// Beta(alpha, beta) scaled to [min, max] (default [0, 1]).
    Beta {
        dist: Beta,
        min: f64,
        max: f64,
    },
}

/// Shape parameters a Beta distribution may take (see `RawParam::build`).
const BETA_SHAPE_MIN: f64 = 0.001;
const BETA_SHAPE_MAX: f64 = 1e6;

/// The domain a field accepts: closed bounds, used to reject or truncate distributions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Domain {
    pub min: f64,
    pub max: f64,
}

impl Domain {
    pub const PROBABILITY: Domain = Domain { min: 0.0, max: 1.0 };
    pub const NON_NEGATIVE: Domain = Domain {
        min: 0.0,
        max: f64::INFINITY,
    };
    pub const ANY: Domain = Domain {
        min: f64::NEG_INFINITY,
        max: f64::INFINITY,
    };
    pub fn contains(&self, x: f64) -> bool {
        x >= self.min && x <= self.max
    }
    fn describe(&self) -> String {
        match (self.min.is_finite(), self.max.is_finite()) {
            (true, true) => format!("in [{}, {}]", self.min, self.max),
            (true, false) => format!(">= {}", self.min),
            (false, true) => format!("<= {}", self.max),
            _ => "any real number".into(),
        }
    }
}

/// "must be in [0, 1], got 3", with a hint when a share looks like a percentage.
fn out_of_range(v: f64, domain: Domain) -> String {
    let mut m = format!("must be {}, got {v}", domain.describe());
    if domain == Domain::PROBABILITY && v > 1.0 && v <= 100.0 {
        let fraction = (v / 100.0 * 1e9).round() / 1e9;
        m.push_str(&format!(
            "; shares and probabilities are fractions (if you meant {v} %, write {fraction})"
        ));
    } else if domain.min >= 0.0 && v < 0.0 {
        m.push_str("; it cannot be negative");
    }
    m
}

fn finite(name: &str, v: f64, errs: &mut Vec<String>) {
    if !v.is_finite() {
        errs.push(format!("`{name}` must be a finite number, got {v}"));
    }
}

impl RawParam {
    /// Validate against the field's domain and build the distribution. Errors are messages
    /// without the field path (the caller adds it).
    pub fn build(&self, domain: Domain) -> Result<Dist, Vec<String>> {
        let mut errs = Vec::new();
        let out_of_domain = |what: &str, lo: f64, hi: f64| {
            format!(
                "{what} [{lo}, {hi}] goes outside the allowed range (the value must be {}); narrow it",
                domain.describe()
            )
        };
        let dist = match *self {
            RawParam::Value(v) | RawParam::Dist(RawDist::Fixed { value: v }) => {
                if !v.is_finite() {
                    errs.push(format!("must be a finite number, got {v}"));
                } else if !domain.contains(v) {
                    errs.push(out_of_range(v, domain));
                }
                Dist::Fixed(v)
            }
            RawParam::Dist(RawDist::Uniform { min, max }) => {
                finite("min", min, &mut errs);
                finite("max", max, &mut errs);
                if errs.is_empty() && min >= max {
                    errs.push(format!("uniform needs min < max, got min {min}, max {max}"));
                }
                if errs.is_empty() && !(domain.contains(min) && domain.contains(max)) {
                    errs.push(out_of_domain("uniform support", min, max));
                }
                Dist::Uniform { min, max }
            }
            RawParam::Dist(RawDist::Triangular { min, mode, max })
            | RawParam::Dist(RawDist::Pert { min, mode, max }) => {
                let is_pert = matches!(self, RawParam::Dist(RawDist::Pert { .. }));
                let name = if is_pert { "pert" } else { "triangular" };
                finite("min", min, &mut errs);
                finite("mode", mode, &mut errs);
                finite("max", max, &mut errs);
                if errs.is_empty() && !(min <= mode && mode <= max && min < max) {
                    errs.push(format!(
                        "{name} needs min <= mode <= max and min < max, got {min}, {mode}, {max}"
                    ));
                }
                if errs.is_empty() && !(domain.contains(min) && domain.contains(max)) {
                    errs.push(out_of_domain(&format!("{name} support"), min, max));
                }
                if !errs.is_empty() {
                    return Err(errs);
                }
                if is_pert {
                    let w = max - min;
                    let a = 1.0 + 4.0 * (mode - min) / w;
                    let b = 1.0 + 4.0 * (max - mode) / w;
                    let beta = Beta::new(a, b).map_err(|e| vec![format!("pert: {e}")])?;
                    Dist::Pert { min, max, beta, mode }
                } else {
                    Dist::Triangular { min, mode, max }
                }
            }
            RawParam::Dist(RawDist::Normal { mean, sd, min, max }) => {
                finite("mean", mean, &mut errs);
                finite("sd", sd, &mut errs);
                // Infinite bounds mean "no bound"; NaN is a mistake (f64::max would ignore it).
                for (k, b) in [("min", min), ("max", max)] {
                    if b.is_some_and(f64::is_nan) {
                        errs.push(format!("`{k}` must be a number, got NaN"));
                    }
                }
                if errs.is_empty() && sd <= 0.0 {
                    errs.push(format!("normal needs sd > 0, got {sd}"));
                }
                let lo = min.unwrap_or(f64::NEG_INFINITY).max(domain.min);
                let hi = max.unwrap_or(f64::INFINITY).min(domain.max);
                if errs.is_empty() && lo >= hi {
                    errs.push(format!(
                        "normal truncation bounds leave nothing: [{lo}, {hi}] within {}",
                        domain.describe()
                    ));
                }
                if !errs.is_empty() {
                    return Err(errs);
                }
                let normal = Normal::new(mean, sd).map_err(|e| vec![format!("normal: {e}")])?;
                let (cdf_lo, cdf_hi) = (normal.cdf(lo), normal.cdf(hi));
                if cdf_hi - cdf_lo < 1e-9 {
                    return Err(vec![format!(
                        "normal(mean {mean}, sd {sd}) has almost no mass in [{lo}, {hi}]; move the mean or widen the bounds"
                    )]);
                }
                Dist::Normal {
                    normal,
                    lo,
                    hi,
                    cdf_lo,
                    cdf_hi,
                }
            }
            RawParam::Dist(RawDist::Lognormal { mean, sd }) => {
                finite("mean", mean, &mut errs);
                finite("sd", sd, &mut errs);
                if errs.is_empty() && (mean <= 0.0 || sd <= 0.0) {
                    errs.push(format!("lognormal needs mean > 0 and sd > 0, got mean {mean}, sd {sd}"));
                }
                // Support (0, inf): fits a field bounded below by 0 (or a tiny positive floor)
                // and unbounded above.
                if errs.is_empty() && (domain.min > 1e-9 || domain.max.is_finite()) {
                    errs.push(format!(
                        "lognormal takes any value in (0, inf); this field must be {} — use pert, triangular, uniform or beta",
                        domain.describe()
                    ));
                }
                if !errs.is_empty() {
                    return Err(errs);
                }
                let s2 = (1.0 + sd * sd / (mean * mean)).ln();
                let mu = mean.ln() - s2 / 2.0;
                let dist = LogNormal::new(mu, s2.sqrt()).map_err(|e| vec![format!("lognormal: {e}")])?;
                Dist::LogNormal { dist, mean, sd }
            }
            RawParam::Dist(RawDist::Beta { alpha, beta, min, max }) => {
                finite("alpha", alpha, &mut errs);
                finite("beta", beta, &mut errs);
                let (lo, hi) = (min.unwrap_or(0.0), max.unwrap_or(1.0));
                // Outside this range statrs' inverse CDF can search for minutes (measured: 1e8
                // hangs) and such shapes are point masses in practice anyway.
                let shape_ok = |x: f64| (BETA_SHAPE_MIN..=BETA_SHAPE_MAX).contains(&x);
                if errs.is_empty() && !(shape_ok(alpha) && shape_ok(beta)) {
                    errs.push(format!(
                        "beta needs alpha and beta between {BETA_SHAPE_MIN} and {BETA_SHAPE_MAX}, got {alpha}, {beta}"
                    ));
                }
                if errs.is_empty() && !(lo.is_finite() && hi.is_finite() && lo < hi) {
                    errs.push(format!("beta needs finite min < max, got [{lo}, {hi}]"));
                }
                if errs.is_empty() && !(domain.contains(lo) && domain.contains(hi)) {
                    errs.push(out_of_domain("beta support", lo, hi));
                }
                if !errs.is_empty() {
                    return Err(errs);
                }
                let dist = Beta::new(alpha, beta).map_err(|e| vec![format!("beta: {e}")])?;
                Dist::Beta { dist, min: lo, max: hi }
            }
        };
        if errs.is_empty() { Ok(dist) } else { Err(errs) }
    }
}

impl Dist {
    /// Value at cumulative probability `u` in (0, 1).
    pub fn inverse_cdf(&self, u: f64) -> f64 {
        match self {
            Dist::Fixed(v) => *v,
            Dist::Uniform { min, max } => min + u * (max - min),
            Dist::Triangular { min, mode, max } => {
                let (a, c, b) = (*min, *mode, *max);
                let f = (c - a) / (b - a);
                if u < f {
                    a + (u * (b - a) * (c - a)).sqrt()
                } else {
                    b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
                }
            }
            Dist::Pert { min, max, beta, .. } => min + (max - min) * beta.inverse_cdf(u),
            Dist::Normal {
                normal,
                lo,
                hi,
                cdf_lo,
                cdf_hi,
            } => normal.inverse_cdf(cdf_lo + u * (cdf_hi - cdf_lo)).clamp(*lo, *hi),
            Dist::LogNormal { dist, .. } => dist.inverse_cdf(u),
            Dist::Beta { dist, min, max } => min + (max - min) * dist.inverse_cdf(u),
        }
    }

    /// Central value used when assumptions are held fixed: the median.
    pub fn central(&self) -> f64 {
        self.inverse_cdf(0.5)
    }

    pub fn is_fixed(&self) -> bool {
        matches!(self, Dist::Fixed(_))
    }

    /// Short human description, e.g. `triangular(0.01, 0.03, 0.06)`.
    pub fn describe(&self) -> String {
        match self {
            Dist::Fixed(v) => format!("{v}"),
            Dist::Uniform { min, max } => format!("uniform({min}, {max})"),
            Dist::Triangular { min, mode, max } => format!("triangular({min}, {mode}, {max})"),
            Dist::Pert { min, mode, max, .. } => format!("pert({min}, {mode}, {max})"),
            Dist::Normal { normal, lo, hi, .. } => {
                use statrs::statistics::Distribution as _;
                let (m, s) = (normal.mean().unwrap_or(f64::NAN), normal.std_dev().unwrap_or(f64::NAN));
                if lo.is_finite() || hi.is_finite() {
                    format!("normal({m}, {s}) truncated to [{lo}, {hi}]")
                } else {
                    format!("normal({m}, {s})")
                }
            }
            Dist::LogNormal { mean, sd, .. } => format!("lognormal(mean {mean}, sd {sd})"),
            Dist::Beta { dist, min, max } => {
                format!("beta({}, {}) on [{min}, {max}]", dist.shape_a(), dist.shape_b())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> RawParam {
        #[derive(Deserialize)]
        struct W {
            x: RawParam,
        }
        toml::from_str::<W>(&format!("x = {s}")).unwrap().x
    }

    #[test]
    fn numbers_and_tables_parse() {
        assert_eq!(parse("3"), RawParam::Value(3.0));
        assert_eq!(parse("0.25"), RawParam::Value(0.25));
        assert!(matches!(
            parse("{ dist = \"uniform\", min = 1, max = 2 }"),
            RawParam::Dist(RawDist::Uniform { .. })
        ));
    }

    #[test]
    fn bad_tables_are_rejected_with_messages() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct W {
            x: RawParam,
        }
        let e = toml::from_str::<W>("x = { dist = \"trianglar\", min = 1, max = 2 }").unwrap_err();
        assert!(e.to_string().contains("unknown distribution \"trianglar\""), "{e}");
        assert!(e.to_string().contains("did you mean \"triangular\""), "{e}");
        let e = toml::from_str::<W>("x = { dist = \"uniform\", min = 1, maxx = 2 }").unwrap_err();
        assert!(e.to_string().contains("maxx"), "{e}");
        assert!(e.to_string().contains("did you mean `max`"), "{e}");
        let e = toml::from_str::<W>("x = { dist = \"uniform\", min = 1 }").unwrap_err();
        assert!(e.to_string().contains("`max` is missing"), "{e}");
        let e = toml::from_str::<W>("x = { dist = \"pert\", min = 1, mode = \"2\", max = 3 }").unwrap_err();
        assert!(e.to_string().contains("remove the quotes"), "{e}");
        let e = toml::from_str::<W>("x = { min = 1, max = 3 }").unwrap_err();
        assert!(e.to_string().contains("needs `dist"), "{e}");
        let e = toml::from_str::<W>("x = \"high\"").unwrap_err();
        assert!(e.to_string().contains("distribution table"), "{e}");
    }

    #[test]
    fn domains_are_enforced() {
        assert!(RawParam::Value(1.2).build(Domain::PROBABILITY).is_err());
        assert!(
            parse("{ dist = \"uniform\", min = 0.5, max = 1.5 }")
                .build(Domain::PROBABILITY)
                .is_err()
        );
        assert!(
            parse("{ dist = \"lognormal\", mean = 0.5, sd = 0.1 }")
                .build(Domain::PROBABILITY)
                .is_err()
        );
        assert!(RawParam::Value(f64::NAN).build(Domain::ANY).is_err());
        // lognormal suits positive unbounded fields (a basket mean), not bounded ones
        let ln = parse("{ dist = \"lognormal\", mean = 40, sd = 8 }");
        assert!(
            ln.build(Domain {
                min: 1e-12,
                max: f64::INFINITY
            })
            .is_ok()
        );
        assert!(ln.build(Domain::NON_NEGATIVE).is_ok());
        assert!(
            ln.build(Domain {
                min: 1.0,
                max: f64::INFINITY
            })
            .is_err()
        );
        // NaN truncation bounds are errors, not silently ignored
        let n = RawParam::Dist(RawDist::Normal {
            mean: 0.0,
            sd: 1.0,
            min: Some(f64::NAN),
            max: None,
        });
        assert!(n.build(Domain::ANY).is_err());
        // extreme beta shapes are rejected (statrs' inverse CDF would not terminate)
        assert!(
            parse("{ dist = \"beta\", alpha = 1e-300, beta = 1e300 }")
                .build(Domain::PROBABILITY)
                .is_err()
        );
        assert!(
            parse("{ dist = \"beta\", alpha = 0.001, beta = 1e6 }")
                .build(Domain::PROBABILITY)
                .is_ok()
        );
        // normal is truncated to the domain instead of rejected
        let d = parse("{ dist = \"normal\", mean = 0.02, sd = 0.05 }")
            .build(Domain::PROBABILITY)
            .unwrap();
        for k in 1..100 {
            let x = d.inverse_cdf(k as f64 / 100.0);
            assert!((0.0..=1.0).contains(&x));
        }
    }

    #[test]
    fn inverse_cdfs_match_known_quantiles() {
        const TOL: f64 = 1e-9;
        let tri = parse("{ dist = \"triangular\", min = 0, mode = 1, max = 2 }")
            .build(Domain::ANY)
            .unwrap();
        assert!((tri.inverse_cdf(0.5) - 1.0).abs() < TOL);
        assert!((tri.inverse_cdf(0.125) - 0.5).abs() < TOL);
        let uni = parse("{ dist = \"uniform\", min = 2, max = 4 }")
            .build(Domain::ANY)
            .unwrap();
        assert!((uni.inverse_cdf(0.25) - 2.5).abs() < TOL);
        let pert = parse("{ dist = \"pert\", min = 0, mode = 0.5, max = 1 }")
            .build(Domain::ANY)
            .unwrap();
        assert!((pert.central() - 0.5).abs() < 1e-6);
        let ln = parse("{ dist = \"lognormal\", mean = 10, sd = 2 }")
            .build(Domain::NON_NEGATIVE)
            .unwrap();
        // mean of the lognormal by numerical integration over quantiles
        let n = 20_000;
        let m: f64 = (0..n).map(|k| ln.inverse_cdf((k as f64 + 0.5) / n as f64)).sum::<f64>() / n as f64;
        assert!((m - 10.0).abs() < 0.01, "{m}");
        let b = parse("{ dist = \"beta\", alpha = 2, beta = 2 }")
            .build(Domain::PROBABILITY)
            .unwrap();
        assert!((b.central() - 0.5).abs() < 1e-9);
    }
}
