//! A kernel's run as it happened (`KernelRun`: every chunk's worker,
//! start and end), its timeline, and the median of several.

use serde::{Deserialize, Serialize};

use super::kernels::KernelSpec;
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
            unit: "µs".to_owned(),
            tasks,
            lanes,
            events: Vec::new(),
            end,
            kind_names: Vec::new(),
        }
    }
}

impl KernelRun {
    /// How many of the parallel part's chunks each worker computed (the
    /// serial part is not a chunk).
    pub fn chunks_per_worker(&self) -> Vec<usize> {
        let mut counts = vec![0usize; self.workers];
        for record in self.records.iter().filter(|record| record.chunk.is_some()) {
            if let Some(count) = counts.get_mut(record.worker) {
                *count += 1;
            }
        }
        counts
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

#[cfg(test)]
mod tests {
    use super::super::kernels::KernelKind;
    use super::*;

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
    fn the_median_run_is_reported() {
        let runs = vec![timed(2, 300.0), timed(2, 210.0), timed(2, 200.0)];
        assert_eq!(median_run(runs).unwrap().millis, 210.0);
        assert_eq!(median_run(Vec::new()), None);
    }
}
