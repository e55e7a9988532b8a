//! Exporters, one per format: each turns a `RunResult` into bytes. `write_outputs` writes every
//! file of `--output DIR` to temporary files first and renames them into place only when all are
//! ready, so a failure never leaves a partial set.

pub mod csv;
pub mod json;
pub mod terminal;

use crate::error::RunError;
use crate::results::RunResult;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One output file: its name inside the output directory and its bytes.
pub struct Artifact {
    pub name: &'static str,
    pub bytes: Vec<u8>,
}

/// Every file written by `--output`.
pub fn artifacts(r: &RunResult) -> Result<Vec<Artifact>, RunError> {
    Ok(vec![
        Artifact {
            name: "results.json",
            bytes: json::render(r)?,
        },
        Artifact {
            name: "summary.csv",
            bytes: csv::summary(r)?,
        },
        Artifact {
            name: "monthly.csv",
            bytes: csv::monthly(r)?,
        },
        Artifact {
            name: "liability.csv",
            bytes: csv::liability(r)?,
        },
        Artifact {
            name: "tiers.csv",
            bytes: csv::tiers(r)?,
        },
        Artifact {
            name: "sensitivity.csv",
            bytes: csv::sensitivity(r)?,
        },
    ])
}

/// Make sure `dir` exists and is writable, before a long run (fail early on a bad path).
pub fn prepare_output_dir(dir: &Path) -> Result<(), RunError> {
    let err = |source| RunError::Write {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    Ok(())
}

/// Write all artifacts atomically into `dir`; returns the paths written.
pub fn write_outputs(r: &RunResult, dir: &Path) -> Result<Vec<PathBuf>, RunError> {
    prepare_output_dir(dir)?;
    let files = artifacts(r)?;
    let mut staged = Vec::new();
    for f in &files {
        let path = dir.join(f.name);
        let err = |source| RunError::Write {
            path: path.clone(),
            source,
        };
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
        // Temporary files are private (0600); results are ordinary files (0644).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))
                .map_err(err)?;
        }
        tmp.write_all(&f.bytes).map_err(err)?;
        tmp.as_file().sync_all().map_err(err)?;
        staged.push((tmp, path));
    }
    let mut written = Vec::new();
    for (tmp, path) in staged {
        tmp.persist(&path).map_err(|e| RunError::Write {
            path: path.clone(),
            source: e.error,
        })?;
        written.push(path);
    }
    Ok(written)
}
