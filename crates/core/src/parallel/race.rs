//! A real race on shared memory: workers increment one counter.
//!
//! `LoadStore` reads then writes with two separate atomic operations:
//! well-defined Rust, yet increments between the read and the write are
//! lost. `FetchAdd` makes the increment one indivisible step; `Mutex` makes
//! the read-modify-write a critical section.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

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
}

impl RaceResult {
    pub fn lost(&self) -> u64 {
        self.expected.saturating_sub(self.actual)
    }
}

/// `workers` workers of the current rayon pool each add 1, `per_worker`
/// times, to one shared counter using `method`.
pub fn race(
    method: CounterMethod,
    workers: usize,
    per_worker: u64,
    clock: &(dyn Fn() -> f64 + Sync),
) -> RaceResult {
    let atomic = AtomicU64::new(0);
    let locked = Mutex::new(0u64);
    let started = clock();
    rayon::scope(|scope| {
        for _ in 0..workers {
            let (atomic, locked) = (&atomic, &locked);
            scope.spawn(move |_| match method {
                CounterMethod::LoadStore => {
                    for _ in 0..per_worker {
                        let value = atomic.load(Ordering::Relaxed);
                        atomic.store(value + 1, Ordering::Relaxed);
                    }
                }
                CounterMethod::FetchAdd => {
                    for _ in 0..per_worker {
                        atomic.fetch_add(1, Ordering::Relaxed);
                    }
                }
                CounterMethod::Mutex => {
                    for _ in 0..per_worker {
                        *locked.lock().expect("no worker panics") += 1;
                    }
                }
            });
        }
    });
    let millis = clock() - started;
    let actual = match method {
        CounterMethod::Mutex => locked.into_inner().expect("no worker panics"),
        _ => atomic.into_inner(),
    };
    RaceResult {
        method,
        workers,
        per_worker,
        expected: workers as u64 * per_worker,
        actual,
        millis,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    #[test]
    fn fixed_counters_never_lose_updates() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let started = Instant::now();
        let clock = move || started.elapsed().as_secs_f64() * 1000.0;
        for method in [CounterMethod::FetchAdd, CounterMethod::Mutex] {
            let result = pool.install(|| race(method, 4, 100_000, &clock));
            assert_eq!(result.actual, result.expected, "{method:?}");
        }
    }

    #[test]
    fn read_then_write_loses_updates_on_two_cores() {
        // Needs two workers really running at once: the machine has at
        // least two cores. Fewer than expected, never a fixed number.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let started = Instant::now();
        let clock = move || started.elapsed().as_secs_f64() * 1000.0;
        let lost = (0..5).any(|_| {
            pool.install(|| race(CounterMethod::LoadStore, 2, 2_000_000, &clock))
                .lost()
                > 0
        });
        assert!(
            lost,
            "two racing workers should lose at least one update in five tries"
        );
    }
}
