//! Scenario files: parse (`raw`) → validate (`validate`) → `Scenario`, the only form later stages
//! accept.

pub mod raw;
pub mod validate;

use crate::model::{Arm, Param, Segment, Simulation, UncertainInput};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub use validate::{ValidateOptions, load, parse_str};

/// Where a scenario came from: for provenance in every output.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
}

impl Source {
    pub fn new(path: &Path, text: &str) -> Self {
        let digest = Sha256::digest(text.as_bytes());
        let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect();
        Source {
            path: path.to_path_buf(),
            sha256,
        }
    }
}

/// A validated scenario: typed, checked, distributions built.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub source: Source,
    pub simulation: Simulation,
    pub segments: Vec<Segment<Param>>,
    /// Arm 0 is the baseline (no programme); then one arm per generosity scenario.
    pub arms: Vec<Arm<Param>>,
    /// Uncertain inputs, indexed by `Param::Uncertain`.
    pub uncertain: Vec<UncertainInput>,
}

impl Scenario {
    /// Which uncertain inputs an arm depends on: the segments' and the arm's own (programme,
    /// response, allocation). Found by walking the serialised parameters, so a new field can
    /// never be forgotten here.
    pub fn inputs_used_by(&self, arm: usize) -> Vec<bool> {
        fn walk(v: &serde_json::Value, used: &mut [bool]) {
            match v {
                serde_json::Value::Object(m) => {
                    if let (1, Some(serde_json::Value::Number(n))) = (m.len(), m.get("Uncertain")) {
                        if let Some(i) = n.as_u64().and_then(|i| used.get_mut(i as usize)) {
                            *i = true;
                        }
                    } else {
                        m.values().for_each(|x| walk(x, used));
                    }
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, used)),
                _ => {}
            }
        }
        let mut used = vec![false; self.uncertain.len()];
        for v in [
            serde_json::to_value(&self.segments),
            serde_json::to_value(&self.arms[arm]),
        ]
        .into_iter()
        .flatten()
        {
            walk(&v, &mut used);
        }
        used
    }

    /// Values of the uncertain inputs for one iteration from its Latin-hypercube row, or their
    /// central values (medians) when `central` is set.
    pub fn draws(&self, lhs_row: Option<&[f64]>) -> Vec<f64> {
        self.uncertain
            .iter()
            .enumerate()
            .map(|(j, u)| match lhs_row {
                Some(row) => u.dist.inverse_cdf(row[j]),
                None => u.dist.central(),
            })
            .collect()
    }
}
