//! A kernel's run as it happened (`KernelRun`: every chunk's worker,
//! start and end), its timeline, and, behind the `parallel` feature, the
//! rayon driver: exactly `workers` threads of the current pool, each a lane
//! of the one scheduler ([`super::schedule`]).

#[cfg(feature = "parallel")]
use std::sync::atomic::{AtomicBool, AtomicU16};

use serde::{Deserialize, Serialize};

use super::kernels::KernelSpec;
#[cfg(feature = "parallel")]
use super::schedule::{InPlace, Scheduler, ready};
use crate::trace::{Lane, LaneKind, Span, SpanKind, TaskInfo, Time, Trace};

/// One chunk as it ran.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChunkRecord {
    /// Index in `KernelSpec::chunks`, or `None` for the serial part.
    pub chunk: Option<usize>,
    /// Which of the run's workers (0-based) ran it.
    pub worker: usize,
    /// Milliseconds since the run started.
    pub start: f64,
    pub end: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KernelRun {
    pub spec: KernelSpec,
    pub workers: usize,
    pub checksum: u64,
    /// Wall time of the whole run, serial part included.
    pub millis: f64,
    pub records: Vec<ChunkRecord>,
    /// Whether the run stopped early because it was cancelled.
    pub cancelled: bool,
}

/// What the caller gives a run: a clock in milliseconds, and a flag that
/// stops it at the next chunk.
#[cfg(feature = "parallel")]
#[derive(Clone, Copy)]
pub struct RunControl<'a> {
    pub clock: &'a (dyn Fn() -> f64 + Sync),
    pub cancel: &'a AtomicBool,
}

#[cfg(feature = "parallel")]
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
#[cfg(feature = "parallel")]
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

impl KernelRun {
    /// The run as a trace: a lane per worker, a span per chunk (times in
    /// microseconds), idle time between.
    pub fn to_trace(&self) -> Trace {
        let micros = |ms: f64| (ms * 1000.0).round().max(0.0) as Time;
        let n_chunks = self
            .records
            .iter()
            .filter_map(|r| r.chunk)
            .max()
            .map_or(0, |max| max + 1);
        let mut tasks: Vec<TaskInfo> = (0..n_chunks)
            .map(|idx| TaskInfo {
                name: format!("chunk {}", idx + 1),
                colour: None,
            })
            .collect();
        tasks.push(TaskInfo {
            name: "serial part".to_owned(),
            colour: Some("#3b3f46".to_owned()),
        });
        let serial_task = tasks.len() - 1;
        let end = micros(self.millis).max(
            self.records
                .iter()
                .map(|r| micros(r.end))
                .max()
                .unwrap_or(0),
        );
        let lanes = (0..self.workers)
            .map(|worker| {
                let mut spans = Vec::new();
                let mut time = 0;
                for record in self.records.iter().filter(|r| r.worker == worker) {
                    let (start, stop) = (micros(record.start).max(time), micros(record.end));
                    if start > time {
                        spans.push(Span {
                            start: time,
                            end: start,
                            kind: SpanKind::Idle,
                            task: None,
                            other: None,
                        });
                        time = start;
                    }
                    if stop > start {
                        spans.push(Span {
                            start,
                            end: stop,
                            kind: SpanKind::Running,
                            task: Some(record.chunk.unwrap_or(serial_task)),
                            other: None,
                        });
                        time = stop;
                    }
                }
                if end > time {
                    spans.push(Span {
                        start: time,
                        end,
                        kind: SpanKind::Idle,
                        task: None,
                        other: None,
                    });
                }
                Lane {
                    name: format!("worker {}", worker + 1),
                    kind: LaneKind::Worker,
                    spans,
                }
            })
            .collect();
        Trace {
            unit: "us".to_owned(),
            tasks,
            lanes,
            events: Vec::new(),
            end,
        }
    }
}

/// The run among `runs` (the same spec on the same worker count) with the
/// median time: what a measurement should report, since the slowest runs
/// pay for things outside the work (a first run's compilation and page
/// faults, another program) and the fastest are lucky.
pub fn median_run(mut runs: Vec<KernelRun>) -> Option<KernelRun> {
    runs.sort_by(|a, b| a.millis.total_cmp(&b.millis));
    let mid = runs.len().checked_sub(1)? / 2;
    Some(runs.swap_remove(mid))
}

#[cfg(all(test, feature = "parallel"))]
mod tests {
    use std::sync::atomic::Ordering;
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

    fn timed(workers: usize, millis: f64) -> KernelRun {
        KernelRun {
            spec: KernelSpec::default_for(KernelKind::Primes),
            workers,
            checksum: 0,
            millis,
            records: (0..workers)
                .map(|worker| ChunkRecord {
                    chunk: Some(worker),
                    worker,
                    start: 0.0,
                    end: millis,
                })
                .collect(),
            cancelled: false,
        }
    }

    #[test]
    fn a_runs_summary_has_each_workers_busy_time_and_the_idle_tail() {
        let record = |chunk, worker, start, end| ChunkRecord {
            chunk,
            worker,
            start,
            end,
        };
        let run = KernelRun {
            records: vec![
                record(None, 0, 0.0, 10.0),
                record(Some(0), 0, 10.0, 40.0),
                record(Some(1), 1, 10.0, 30.0),
            ],
            ..timed(2, 45.0)
        };
        let summary = crate::parallel::lab::Measured::from(&run);
        assert_eq!(summary.busy, [40.0, 20.0]);
        assert_eq!(summary.idle_tail, 5.0 + 15.0);
        assert_eq!((summary.workers, summary.millis), (2, 45.0));
    }

    #[test]
    fn the_median_run_is_reported() {
        let runs = vec![timed(2, 300.0), timed(2, 210.0), timed(2, 200.0)];
        assert_eq!(median_run(runs).unwrap().millis, 210.0);
        assert_eq!(median_run(Vec::new()), None);
    }
}
