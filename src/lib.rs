//! loyalsim — Monte Carlo planning of loyalty programmes.
//!
//! A scenario file describes customer segments, programme rules, generosity scenarios, budgets
//! per segment and the uncertainty of every assumption. The engine simulates customers month by
//! month for a no-programme baseline and every scenario on common random numbers, so differences
//! are the programme's incremental effect. Results carry Monte Carlo standard errors.
//!
//! The library never prints; progress is reported through [`progress::Progress`].
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod error;
pub mod finance;
pub mod model;
pub mod progress;
pub mod report;
pub mod results;
pub mod scenario;
pub mod sim;
pub mod stats;

pub use error::{Problem, RunError, ScenarioError};
pub use scenario::{Scenario, ValidateOptions};
pub use sim::driver::{RunOptions, run};
