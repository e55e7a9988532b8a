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
}

/// The candidate closest to a misspelt `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lc = word.to_lowercase();
    let len = word.chars().count();
    // A third of the letters at most, and never a complete rewrite of a short word.
    let limit = (len / 3).clamp(1, 3).min(len.saturating_sub(1));
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word_lc, &c.to_lowercase()), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_only() {
        let fields = ["point_value", "points_per_currency", "churn_monthly"];
        assert_eq!(did_you_mean("pointz_value", fields), Some("point_value"));
        assert_eq!(did_you_mean("churn_montly", fields), Some("churn_monthly"));
        assert_eq!(did_you_mean("Churn_Monthly", fields), Some("churn_monthly"));
        assert_eq!(did_you_mean("nosuchsegment", fields), None);
        assert_eq!(did_you_mean("x", ["y"]), None);
        assert_eq!(did_you_mean("regular", ["regulars", "occasionals"]), Some("regulars"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
