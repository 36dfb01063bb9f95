//! Metrics computed from a trace: makespan, completion times, utilisation.

use serde::{Deserialize, Serialize};

use crate::trace::{EventKind, SpanKind, Time, Trace};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Time from the first arrival (0) to the last completion.
    pub makespan: Time,
    /// Tasks completed per 1000 time units.
    pub throughput: f64,
    /// Share of lane time spent running tasks on a CPU, 0 to 1.
    pub cpu_utilisation: f64,
    pub tasks: Vec<TaskMetrics>,
    pub lanes: Vec<LaneMetrics>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskMetrics {
    pub name: String,
    /// When the task's last segment ended.
    pub completion: Time,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaneMetrics {
    pub name: String,
    pub running: Time,
    pub blocked: Time,
    pub idle: Time,
}

impl Metrics {
    pub fn of(trace: &Trace) -> Self {
        let mut completion = vec![0; trace.tasks.len()];
        for event in &trace.events {
            if event.kind == EventKind::Complete
                && let Some(task) = event.task
            {
                completion[task] = event.time;
            }
        }
        let makespan = trace.end;
        let lanes: Vec<LaneMetrics> = (0..trace.lanes.len())
            .map(|lane| LaneMetrics {
                name: trace.lanes[lane].name.clone(),
                running: trace.lane_total(lane, SpanKind::Running),
                blocked: trace.lane_total(lane, SpanKind::Blocked),
                idle: trace.lane_total(lane, SpanKind::Idle),
            })
            .collect();
        let running: Time = lanes.iter().map(|lane| lane.running).sum();
        let capacity = makespan * trace.lanes.len() as Time;
        Metrics {
            makespan,
            throughput: if makespan == 0 {
                0.0
            } else {
                trace.tasks.len() as f64 * 1000.0 / makespan as f64
            },
            cpu_utilisation: if capacity == 0 {
                0.0
            } else {
                running as f64 / capacity as f64
            },
            tasks: trace
                .tasks
                .iter()
                .zip(completion)
                .map(|(task, completion)| TaskMetrics {
                    name: task.name.clone(),
                    completion,
                })
                .collect(),
            lanes,
        }
    }

    /// A plain-text table, as the CLI prints it.
    pub fn to_text(&self, unit: &str) -> String {
        let mut out = String::new();
        out.push_str(&format!("makespan         {} {unit}\n", self.makespan));
        out.push_str(&format!(
            "cpu utilisation  {:.1} %\n",
            self.cpu_utilisation * 100.0
        ));
        out.push_str(&format!(
            "throughput       {:.2} tasks per 1000 {unit}\n",
            self.throughput
        ));
        let name_width = self
            .tasks
            .iter()
            .map(|t| t.name.len())
            .max()
            .unwrap_or(4)
            .max(4);
        out.push_str(&format!("{:<name_width$}  completes at\n", "task"));
        for task in &self.tasks {
            out.push_str(&format!(
                "{:<name_width$}  {} {unit}\n",
                task.name, task.completion
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
            "{:<lane_width$}  running  blocked  idle\n",
            "lane"
        ));
        for lane in &self.lanes {
            out.push_str(&format!(
                "{:<lane_width$}  {:>7}  {:>7}  {:>4}\n",
                lane.name, lane.running, lane.blocked, lane.idle
            ));
        }
        out
    }
}
