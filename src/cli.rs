//! Command line (clap derive). Doc comments are the help text.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Plan loyalty programmes with Monte Carlo simulation: ROI, retention, breakage and generosity
/// per scenario and customer segment, with their uncertainty.
#[derive(Debug, Parser)]
#[command(name = "loyalsim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario file and print the summary (optionally write result files).
    Run(RunArgs),
    /// Check scenario files and report every problem, without simulating.
    Validate {
        /// Scenario files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    pub file: PathBuf,
    /// Monte Carlo iterations (overrides simulation.iterations).
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u32).range(1..))]
    pub iterations: Option<u32>,
    /// Random seed (overrides simulation.seed). Same seed ⇒ same results, for any --threads.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Does not change the results.
    #[arg(long, short = 'j', value_parser = at_least_one)]
    pub threads: Option<usize>,
    /// Write results.json, summary.csv, monthly.csv, liability.csv, tiers.csv and
    /// sensitivity.csv into this directory (created if needed; files replaced atomically).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Use the named allocation [allocations.NAME] instead of [allocation].
    #[arg(long)]
    pub allocation: Option<String>,
    /// Hold every uncertain assumption at its median (customer randomness only).
    #[arg(long)]
    pub central: bool,
    /// Give each arm its own random numbers instead of common random numbers (only to measure
    /// how much variance common random numbers remove).
    #[arg(long)]
    pub independent_streams: bool,
    /// No progress bar and no summary table (errors still go to stderr).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// A count of 1 or more (clap's ranged parsers do not cover `usize`).
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("{e}; give a whole number >= 1")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
