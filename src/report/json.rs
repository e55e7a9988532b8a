//! `results.json`: the whole `RunResult`, with `schema_version` and provenance. NaN (e.g. a
//! payback never reached) is written as `null`.

use crate::error::RunError;
use crate::results::RunResult;

pub fn render(r: &RunResult) -> Result<Vec<u8>, RunError> {
    let mut v = serde_json::to_vec_pretty(r).map_err(|e| RunError::Encode {
        what: "results.json".into(),
        message: e.to_string(),
    })?;
    v.push(b'\n');
    Ok(v)
}
