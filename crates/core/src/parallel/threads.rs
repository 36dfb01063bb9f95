//! The Parallel lab on threads of a rayon pool (the feature `rayon`: the
//! native CLI, and the page's shared-memory pool, wasm-bindgen-rayon):
//! a kernel's run, each worker a lane of the one scheduler
//! ([`super::schedule`]) computing in place, and the shared-counter race.
//! Every worker waits at a start barrier before its race loop, so the
//! loops really run at the same time: without it one worker can finish
//! its increments before the next one has started, and nothing is lost.
//! Each worker's loop start and end are taken on the caller's clock, so
//! the result says how long all the loops actually overlapped.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, AtomicUsize, Ordering};

use super::kernels::KernelSpec;
use super::race::{CounterMethod, RaceResult};
use super::run::KernelRun;
use super::schedule::{InPlace, Scheduler, ready};

/// What the caller gives a run: a clock in milliseconds, and a flag that
/// stops it at the next chunk.
#[derive(Clone, Copy)]
pub struct RunControl<'a> {
    pub clock: &'a (dyn Fn() -> f64 + Sync),
    pub cancel: &'a AtomicBool,
}

impl std::fmt::Debug for RunControl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunControl")
            .field("cancel", &self.cancel)
            .finish_non_exhaustive()
    }
}

/// Runs `spec` on `workers` workers of the current rayon pool (which must
/// have at least that many threads to run them all at once), each a lane
/// of the one [`Scheduler`] computing in place. Mandelbrot rows are stored
/// into `image` (`KernelSpec::new_image`).
pub fn run_kernel(
    spec: &KernelSpec,
    workers: usize,
    image: &[AtomicU16],
    control: RunControl<'_>,
) -> KernelRun {
    let RunControl { clock, cancel } = control;
    let origin = clock();
    let since = move || clock() - origin;
    let backend = InPlace {
        spec,
        image,
        clock: &since,
    };
    let scheduler = Scheduler::new(spec, workers);
    let computed = "computing in place cannot fail";
    ready(scheduler.serial(&backend, cancel)).expect(computed);
    rayon::scope(|scope| {
        for worker in 0..scheduler.workers() {
            let (scheduler, backend) = (&scheduler, &backend);
            scope.spawn(move |_| ready(scheduler.lane(worker, backend, cancel)).expect(computed));
        }
    });
    scheduler.finish(since())
}

/// How long a worker waits at the start barrier for the others before it
/// starts alone (a pool busy with other work, or fewer threads than
/// workers), in milliseconds of the caller's clock.
pub const BARRIER_PATIENCE_MILLIS: f64 = 2_000.0;

/// `workers` workers of the current rayon pool each add 1, `per_worker`
/// times, to one shared counter using `method`, all starting together.
#[cfg_attr(target_arch = "wasm32", optimize(speed))]
pub fn race(
    method: CounterMethod,
    workers: usize,
    per_worker: u64,
    clock: &(dyn Fn() -> f64 + Sync),
) -> RaceResult {
    race_with_patience(method, workers, per_worker, clock, BARRIER_PATIENCE_MILLIS)
}

#[cfg_attr(target_arch = "wasm32", optimize(speed))]
fn race_with_patience(
    method: CounterMethod,
    workers: usize,
    per_worker: u64,
    clock: &(dyn Fn() -> f64 + Sync),
    patience_millis: f64,
) -> RaceResult {
    let atomic = AtomicU64::new(0);
    let locked = Mutex::new(0u64);
    let arrived = AtomicUsize::new(0);
    let spans = Mutex::new(Vec::with_capacity(workers));
    let started = clock();
    rayon::scope(|scope| {
        for _ in 0..workers {
            let (atomic, locked, arrived, spans) = (&atomic, &locked, &arrived, &spans);
            scope.spawn(move |_| {
                let together = start_barrier(arrived, workers, clock, patience_millis);
                let begin = clock();
                increment(method, per_worker, atomic, locked);
                let end = clock();
                spans
                    .lock()
                    .expect("no worker panics")
                    .push((begin, end, together));
            });
        }
    });
    let millis = clock() - started;
    let actual = match method {
        CounterMethod::Mutex => locked.into_inner().expect("no worker panics"),
        _ => atomic.into_inner(),
    };
    let spans = spans.into_inner().expect("no worker panics");
    let latest_begin = spans.iter().map(|span| span.0).fold(f64::MIN, f64::max);
    let earliest_end = spans.iter().map(|span| span.1).fold(f64::MAX, f64::min);
    RaceResult {
        method,
        workers,
        per_worker,
        expected: workers as u64 * per_worker,
        actual,
        millis,
        overlap_millis: (earliest_end - latest_begin).max(0.0),
        started_together: spans.iter().all(|span| span.2),
    }
}

/// Spins until `workers` workers have arrived, or until the patience runs
/// out; true when all arrived.
#[cfg_attr(target_arch = "wasm32", optimize(speed))]
fn start_barrier(
    arrived: &AtomicUsize,
    workers: usize,
    clock: &(dyn Fn() -> f64 + Sync),
    patience_millis: f64,
) -> bool {
    arrived.fetch_add(1, Ordering::AcqRel);
    let since = clock();
    let mut spins = 0u32;
    while arrived.load(Ordering::Acquire) < workers {
        std::hint::spin_loop();
        spins = spins.wrapping_add(1);
        // Reading the clock is slow in a browser: look at it now and then.
        if spins.is_multiple_of(1024) && clock() - since > patience_millis {
            return false;
        }
    }
    true
}

/// One worker's loop.
#[cfg_attr(target_arch = "wasm32", optimize(speed))]
fn increment(method: CounterMethod, per_worker: u64, atomic: &AtomicU64, locked: &Mutex<u64>) {
    match method {
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
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::super::kernels::KernelKind;
    use super::*;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    #[test]
    fn results_are_identical_for_every_worker_count_up_to_the_ceiling() {
        for kind in KernelKind::ALL {
            let spec = KernelSpec {
                size: if kind == KernelKind::Mandelbrot {
                    90
                } else {
                    20_000
                },
                chunk: 9,
                serial_fraction: 0.1,
                kind,
                handout: Default::default(),
            };
            let started = Instant::now();
            let clock = move || started.elapsed().as_secs_f64() * 1000.0;
            let cancel = AtomicBool::new(false);
            let control = RunControl {
                clock: &clock,
                cancel: &cancel,
            };
            let pixels = |image: &[AtomicU16]| {
                image
                    .iter()
                    .map(|p| p.load(Ordering::Relaxed))
                    .collect::<Vec<u16>>()
            };
            let reference_image = spec.new_image();
            let reference = pool(1).install(|| run_kernel(&spec, 1, &reference_image, control));
            // Past this machine's cores the pool is oversubscribed: slower,
            // never different.
            for workers in [2, 3, 4, 16, crate::parallel::lab::WORKER_CEILING] {
                let image = spec.new_image();
                let run = pool(workers).install(|| run_kernel(&spec, workers, &image, control));
                assert_eq!(
                    run.checksum, reference.checksum,
                    "{kind:?} on {workers} workers"
                );
                assert_eq!(pixels(&image), pixels(&reference_image));
                assert_eq!(run.records.len(), spec.chunks().len() + 1);
                assert!(
                    run.records
                        .iter()
                        .all(|r| r.worker < workers && r.start <= r.end)
                );
                let trace = run.to_trace();
                assert_eq!(trace.check_invariants(), Ok(()));
                assert_eq!(trace.lanes.len(), workers);
            }
        }
    }

    #[test]
    fn a_cancelled_run_stops_taking_chunks() {
        let spec = KernelSpec {
            size: 100_000,
            chunk: 100,
            serial_fraction: 0.0,
            kind: KernelKind::HashChain,
            handout: Default::default(),
        };
        let started = Instant::now();
        let clock = move || started.elapsed().as_secs_f64() * 1000.0;
        let cancel = AtomicBool::new(true);
        let run = pool(2).install(|| {
            run_kernel(
                &spec,
                2,
                &[],
                RunControl {
                    clock: &clock,
                    cancel: &cancel,
                },
            )
        });
        assert!(run.cancelled);
        assert!(run.records.is_empty());
    }

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
        // The start barrier makes both loops run at once, so on two cores
        // the racy counter loses updates on nearly every try; a handful of
        // tries keeps a descheduled worker on a busy host from failing it.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cores < 2 {
            eprintln!(
                "skipped: read_then_write_loses_updates_on_two_cores needs 2 cores, this machine offers {cores}"
            );
            return;
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let started = Instant::now();
        let clock = move || started.elapsed().as_secs_f64() * 1000.0;
        let mut tries = Vec::new();
        for _ in 0..20 {
            let result = pool.install(|| race(CounterMethod::LoadStore, 2, 1_000_000, &clock));
            assert!(result.actual <= result.expected);
            tries.push(result);
            if result.lost() > 0 {
                break;
            }
        }
        let last = tries.last().unwrap();
        assert!(
            last.lost() > 0,
            "two racing workers lost nothing in {} tries: {tries:?}",
            tries.len()
        );
        assert!(last.started_together);
    }

    #[test]
    fn workers_start_together_and_overlap() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let started = Instant::now();
        let clock = move || started.elapsed().as_secs_f64() * 1000.0;
        let result = pool.install(|| race(CounterMethod::FetchAdd, 3, 200_000, &clock));
        assert!(result.started_together);
        assert!(result.overlap_millis <= result.millis);
        assert_eq!(result.actual, 600_000);
    }

    #[test]
    fn the_barrier_gives_up_when_the_pool_is_too_small() {
        // One thread cannot hold two workers at once: the first waits out
        // its patience, then both run one after the other and never overlap.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let started = Instant::now();
        let clock = move || started.elapsed().as_secs_f64() * 1000.0;
        let result =
            pool.install(|| race_with_patience(CounterMethod::LoadStore, 2, 10_000, &clock, 20.0));
        assert!(!result.started_together);
        assert_eq!(result.overlap_millis, 0.0);
        assert_eq!(
            result.actual, result.expected,
            "run one after the other, nothing is lost"
        );
    }

    fn pixels(image: &[AtomicU16]) -> Vec<u16> {
        image.iter().map(|p| p.load(Ordering::Relaxed)).collect()
    }

    #[test]
    fn the_rayon_pool_and_the_simulated_clock_agree_on_results() {
        for kind in KernelKind::ALL {
            let spec = KernelSpec {
                size: if kind == KernelKind::Mandelbrot {
                    60
                } else {
                    5_000
                },
                chunk: 3,
                serial_fraction: 0.05,
                kind,
                handout: Default::default(),
            };
            let image = spec.new_image();
            let per_item =
                |job: &super::super::schedule::Job| (job.items.end - job.items.start) as f64;
            let simulated = super::super::schedule::simulate(
                &spec,
                3,
                &image,
                &per_item,
                &AtomicBool::new(false),
            )
            .unwrap();
            let image = pixels(&image);
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(3)
                .build()
                .unwrap();
            let started = std::time::Instant::now();
            let clock = move || started.elapsed().as_secs_f64() * 1000.0;
            let real_image = spec.new_image();
            let cancel = AtomicBool::new(false);
            let real = pool.install(|| {
                run_kernel(
                    &spec,
                    3,
                    &real_image,
                    RunControl {
                        clock: &clock,
                        cancel: &cancel,
                    },
                )
            });
            assert_eq!(real.checksum, simulated.checksum);
            assert_eq!(pixels(&real_image), image);
            assert_eq!(real.records.len(), simulated.records.len());
        }
    }
}
