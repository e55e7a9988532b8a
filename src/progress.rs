//! Progress reporting. The library calls these hooks; the binary draws them (indicatif on
//! stderr). Every method has a no-op default, so the core never depends on a UI.

/// Observer of a run's progress. Must be `Sync`: iterations finish on several threads.
pub trait Progress: Sync {
    /// The run starts with `total` iterations.
    fn start(&self, _total: u64) {}
    /// `n` more iterations finished.
    fn advance(&self, _n: u64) {}
    /// The simulation is done (reduction and reporting may follow).
    fn finish(&self) {}
}

/// Reports nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}
