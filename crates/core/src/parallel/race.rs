//! A real race on shared memory: workers increment one counter, and how
//! many increments survive.
//!
//! `LoadStore` reads then writes with two separate atomic operations:
//! well-defined Rust, yet increments between the read and the write are
//! lost. `FetchAdd` makes the increment one indivisible step; `Mutex` makes
//! the read-modify-write a critical section. The race itself runs on the
//! threads of a rayon pool (`threads::race`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CounterMethod {
    LoadStore,
    FetchAdd,
    Mutex,
}

impl CounterMethod {
    pub const ALL: [CounterMethod; 3] = [
        CounterMethod::LoadStore,
        CounterMethod::FetchAdd,
        CounterMethod::Mutex,
    ];

    /// `the mutex`, `fetch_add`, `the racy loop`: as a sentence names it.
    pub fn short_name(self) -> &'static str {
        match self {
            CounterMethod::LoadStore => "the racy loop",
            CounterMethod::FetchAdd => "fetch_add",
            CounterMethod::Mutex => "the mutex",
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn title(self) -> &'static str {
        match self {
            CounterMethod::LoadStore => "read, then write (racy)",
            CounterMethod::FetchAdd => "atomic fetch_add",
            CounterMethod::Mutex => "mutex",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RaceResult {
    pub method: CounterMethod,
    pub workers: usize,
    pub per_worker: u64,
    pub expected: u64,
    pub actual: u64,
    pub millis: f64,
    /// How long every worker was inside its loop at once, in milliseconds
    /// (0 when the loops never ran together).
    #[serde(default)]
    pub overlap_millis: f64,
    /// Whether every worker passed the start barrier together (false when
    /// the pool had too few free threads and the barrier gave up waiting).
    #[serde(default)]
    pub started_together: bool,
}

impl RaceResult {
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn lost(&self) -> u64 {
        self.expected.saturating_sub(self.actual)
    }
}
