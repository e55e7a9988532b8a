//! Simulation: random streams, the agent engine and the Monte Carlo driver.

pub mod agent;
pub mod basket;
pub mod driver;
pub mod metrics;
pub mod rng;
