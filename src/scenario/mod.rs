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
