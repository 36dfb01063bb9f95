//! Metrics computed from a trace: makespan, latency, where time went.

use serde::{Deserialize, Serialize};

use crate::trace::{EventKind, LaneKind, SpanKind, Time, Trace};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Time from 0 to the last completion.
    pub makespan: Time,
    /// Tasks completed per 1000 time units (per second when the unit is ms).
    pub throughput: f64,
    /// Share of core time spent running tasks, 0 to 1. Without modelled
    /// cores every thread has its own core.
    pub cpu_utilisation: f64,
    /// Completion minus arrival, over all tasks.
    pub latency: LatencyStats,
    /// Mean per task of the time spent in the task queue (no thread yet).
    pub mean_wait_for_thread: f64,
    /// Mean per task of the time its thread was ready but had no core.
    pub mean_wait_for_core: f64,
    /// Mean per task of the time spent waiting on I/O.
    pub mean_wait_on_io: f64,
    /// The most tasks started and not yet completed at one instant.
    pub max_concurrency: usize,
    pub context_switches: usize,
    pub tasks: Vec<TaskMetrics>,
    pub lanes: Vec<LaneMetrics>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyStats {
    pub mean: f64,
    /// Nearest-rank 95th percentile.
    pub p95: Time,
    pub max: Time,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskMetrics {
    pub name: String,
    pub arrival: Time,
    /// When the task's last segment ended.
    pub completion: Time,
    pub latency: Time,
    pub waiting_for_thread: Time,
    pub waiting_for_core: Time,
    pub waiting_on_io: Time,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaneMetrics {
    pub name: String,
    pub kind: LaneKind,
    pub running: Time,
    pub ready: Time,
    pub blocked: Time,
    pub switching: Time,
    pub idle: Time,
}

impl LaneMetrics {
    /// Share of the run this lane spent running tasks.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn utilisation(&self, makespan: Time) -> f64 {
        if makespan == 0 {
            0.0
        } else {
            self.running as f64 / makespan as f64
        }
    }
}

impl Metrics {
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn of(trace: &Trace) -> Self {
        let n_tasks = trace.tasks.len();
        let mut tasks: Vec<TaskMetrics> = trace
            .tasks
            .iter()
            .map(|task| TaskMetrics {
                name: task.name.clone(),
                arrival: 0,
                completion: 0,
                latency: 0,
                waiting_for_thread: 0,
                waiting_for_core: 0,
                waiting_on_io: 0,
            })
            .collect();
        // When each task last started waiting for a thread, or on I/O.
        let mut queued_since = vec![0; n_tasks];
        let mut io_since = vec![0; n_tasks];
        let mut in_progress = 0usize;
        let mut max_concurrency = 0;
        let mut context_switches = 0;
        for event in &trace.events {
            let Some(task) = event.task else { continue };
            let time = event.time;
            match event.kind {
                EventKind::Arrive => {
                    tasks[task].arrival = time;
                    queued_since[task] = time;
                }
                EventKind::Start | EventKind::Resume => {
                    tasks[task].waiting_for_thread += time - queued_since[task];
                    if event.kind == EventKind::Start {
                        in_progress += 1;
                        max_concurrency = max_concurrency.max(in_progress);
                    }
                }
                EventKind::Block | EventKind::Park => io_since[task] = time,
                EventKind::Unblock => tasks[task].waiting_on_io += time - io_since[task],
                EventKind::Ready => {
                    tasks[task].waiting_on_io += time - io_since[task];
                    queued_since[task] = time;
                }
                EventKind::Complete => {
                    if event.lane.is_none() {
                        // Completed at the end of a wait while parked.
                        tasks[task].waiting_on_io += time - io_since[task];
                    }
                    tasks[task].completion = time;
                    in_progress -= 1;
                }
                EventKind::Switch => context_switches += 1,
                EventKind::Preempt
                | EventKind::Acquire
                | EventKind::Release
                | EventKind::Fail
                | EventKind::Deadlock
                | EventKind::Reject
                | EventKind::TimeOut => {}
            }
        }
        for lane in trace
            .lanes
            .iter()
            .filter(|lane| lane.kind != LaneKind::Core)
        {
            for span in lane
                .spans
                .iter()
                .filter(|span| span.kind == SpanKind::Ready)
            {
                if let Some(task) = span.task {
                    tasks[task].waiting_for_core += span.duration();
                }
            }
        }
        for task in &mut tasks {
            task.latency = task.completion - task.arrival;
        }

        let makespan = trace.end;
        let lanes: Vec<LaneMetrics> = (0..trace.lanes.len())
            .map(|lane| LaneMetrics {
                name: trace.lanes[lane].name.clone(),
                kind: trace.lanes[lane].kind,
                running: trace.lane_total(lane, SpanKind::Running),
                ready: trace.lane_total(lane, SpanKind::Ready),
                blocked: trace.lane_total(lane, SpanKind::Blocked),
                switching: trace.lane_total(lane, SpanKind::Switching),
                idle: trace.lane_total(lane, SpanKind::Idle),
            })
            .collect();
        let core_lanes = lanes
            .iter()
            .filter(|lane| lane.kind == LaneKind::Core)
            .count();
        let n_cores = if core_lanes > 0 {
            core_lanes
        } else {
            lanes.len()
        };
        let running: Time = lanes
            .iter()
            .filter(|lane| lane.kind != LaneKind::Core)
            .map(|lane| lane.running)
            .sum();
        let capacity = makespan * n_cores as Time;
        let mean = |f: &dyn Fn(&TaskMetrics) -> Time| {
            if n_tasks == 0 {
                0.0
            } else {
                tasks.iter().map(f).sum::<Time>() as f64 / n_tasks as f64
            }
        };
        // A radix sort: the wasm's std is built for size, and its sort is
        // then a heapsort (`.cargo/config.toml`).
        let mut latencies: Vec<Time> = tasks.iter().map(|task| task.latency).collect();
        radsort::sort(&mut latencies);
        let p95 = if latencies.is_empty() {
            0
        } else {
            latencies[(latencies.len() * 95).div_ceil(100) - 1]
        };
        Metrics {
            makespan,
            throughput: if makespan == 0 {
                0.0
            } else {
                n_tasks as f64 * 1000.0 / makespan as f64
            },
            cpu_utilisation: if capacity == 0 {
                0.0
            } else {
                running as f64 / capacity as f64
            },
            latency: LatencyStats {
                mean: mean(&|task| task.latency),
                p95,
                max: latencies.last().copied().unwrap_or(0),
            },
            mean_wait_for_thread: mean(&|task| task.waiting_for_thread),
            mean_wait_for_core: mean(&|task| task.waiting_for_core),
            mean_wait_on_io: mean(&|task| task.waiting_on_io),
            max_concurrency,
            context_switches,
            tasks,
            lanes,
        }
    }

    /// A plain-text report, as the CLI prints it.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn to_text(&self, unit: &str) -> String {
        let mut out = String::new();
        out.push_str(&format!("makespan         {} {unit}\n", self.makespan));
        out.push_str(&format!(
            "throughput       {:.2} tasks per 1000 {unit}\n",
            self.throughput
        ));
        out.push_str(&format!(
            "cpu utilisation  {:.1} %\n",
            self.cpu_utilisation * 100.0
        ));
        out.push_str(&format!(
            "latency          mean {:.1}, p95 {}, max {} {unit}\n",
            self.latency.mean, self.latency.p95, self.latency.max
        ));
        out.push_str(&format!(
            "mean waits       for a thread {:.1}, for a core {:.1}, on I/O {:.1} {unit}\n",
            self.mean_wait_for_thread, self.mean_wait_for_core, self.mean_wait_on_io
        ));
        out.push_str(&format!(
            "concurrency      at most {} in progress at once; {} context switch{}\n",
            plural(self.max_concurrency, "task"),
            self.context_switches,
            if self.context_switches == 1 { "" } else { "es" }
        ));
        let name_width = self
            .tasks
            .iter()
            .map(|t| t.name.chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        out.push_str(&format!(
            "{:<name_width$}  arrives  completes  latency  thread-wait  core-wait  io-wait\n",
            "task"
        ));
        for task in &self.tasks {
            out.push_str(&format!(
                "{:<name_width$}  {:>7}  {:>9}  {:>7}  {:>11}  {:>9}  {:>7}\n",
                task.name,
                task.arrival,
                task.completion,
                task.latency,
                task.waiting_for_thread,
                task.waiting_for_core,
                task.waiting_on_io
            ));
        }
        let lane_width = self
            .lanes
            .iter()
            .map(|l| l.name.len())
            .max()
            .unwrap_or(4)
            .max(4);
        out.push_str(&format!(
            "{:<lane_width$}  running  ready  blocked  switching  idle  utilisation\n",
            "lane"
        ));
        for lane in &self.lanes {
            out.push_str(&format!(
                "{:<lane_width$}  {:>7}  {:>5}  {:>7}  {:>9}  {:>4}  {:>10.1} %\n",
                lane.name,
                lane.running,
                lane.ready,
                lane.blocked,
                lane.switching,
                lane.idle,
                lane.utilisation(self.makespan) * 100.0
            ));
        }
        out
    }
}

/// "1 task", "3 tasks".
#[cfg_attr(target_arch = "wasm32", optimize(speed))]
fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
