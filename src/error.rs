//! Error types, one enum per layer. Messages say where (file, line/column or field path), what is
//! wrong and how to fix it.

use std::fmt;
use std::path::PathBuf;

/// One problem found while validating a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Field path, e.g. `segments[2].churn_monthly` or `scenarios["generous"].programme.point_value`.
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Why a scenario file could not be turned into a `Scenario`.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: {} problem{} found:\n{}", path.display(), problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid { path: PathBuf, problems: Vec<Problem> },
}

/// Failures while running or writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("invalid run option: {0}")]
    Options(String),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot encode {what}: {message}")]
    Encode { what: String, message: String },
    #[error("cannot start the thread pool: {0}")]
    ThreadPool(String),
    #[error("cannot read results {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
}
