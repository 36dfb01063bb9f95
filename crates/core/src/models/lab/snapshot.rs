//! What every lane, queue and task is doing at the playback cursor.

use crate::trace::{EventKind, LaneId, LaneKind, SpanKind, TaskId, Time, Trace, WaitKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub time: Time,
    pub lanes: Vec<LaneState>,
    /// Tasks waiting for a thread, front of the queue first.
    pub queue: Vec<TaskId>,
    /// Tasks parked on a wait (asynchronous model), oldest first.
    pub parked: Vec<(TaskId, WaitKind)>,
    pub not_arrived: usize,
    pub completed: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneState {
    Idle,
    Running {
        task: TaskId,
        other: Option<LaneId>,
    },
    Blocked {
        task: TaskId,
        on: WaitKind,
    },
    /// The thread has work but waits for a core.
    Ready {
        task: TaskId,
    },
    /// The core is switching to a thread.
    Switching {
        to: Option<LaneId>,
    },
}

impl Snapshot {
    /// The state just after every event at `time` has happened.
    pub fn at(trace: &Trace, time: Time) -> Snapshot {
        let n_tasks = trace.tasks.len();
        // Per task: when (in event order) it joined the queue or parked, if
        // it is there now. Linear in the events, whatever the queue length.
        let mut queued_at: Vec<Option<usize>> = vec![None; n_tasks];
        let mut parked_at: Vec<Option<(usize, WaitKind)>> = vec![None; n_tasks];
        let mut blocked_on: Vec<WaitKind> = vec![WaitKind::Io; trace.lanes.len()];
        let mut arrived = 0;
        let mut completed = 0;
        for (seq, event) in trace
            .events
            .iter()
            .take_while(|event| event.time <= time)
            .enumerate()
        {
            let Some(task) = event.task else { continue };
            match event.kind {
                EventKind::Arrive => {
                    arrived += 1;
                    queued_at[task] = Some(seq);
                }
                EventKind::Ready => {
                    parked_at[task] = None;
                    queued_at[task] = Some(seq);
                }
                EventKind::Start | EventKind::Resume => queued_at[task] = None,
                EventKind::Park => parked_at[task] = Some((seq, event.wait.unwrap_or_default())),
                EventKind::Block => {
                    if let Some(lane) = event.lane {
                        blocked_on[lane] = event.wait.unwrap_or_default();
                    }
                }
                EventKind::Complete => {
                    completed += 1;
                    parked_at[task] = None;
                }
                EventKind::Unblock
                | EventKind::Preempt
                | EventKind::Switch
                | EventKind::Acquire
                | EventKind::Release
                | EventKind::Fail
                | EventKind::Deadlock
                | EventKind::Reject
                | EventKind::TimeOut => {}
            }
        }
        let mut queue: Vec<(usize, TaskId)> = queued_at
            .iter()
            .enumerate()
            .filter_map(|(task, seq)| seq.map(|seq| (seq, task)))
            .collect();
        queue.sort_unstable();
        let queue: Vec<TaskId> = queue.into_iter().map(|(_, task)| task).collect();
        let mut parked: Vec<(usize, TaskId, WaitKind)> = parked_at
            .iter()
            .enumerate()
            .filter_map(|(task, entry)| entry.map(|(seq, on)| (seq, task, on)))
            .collect();
        parked.sort_unstable_by_key(|(seq, _, _)| *seq);
        let parked: Vec<(TaskId, WaitKind)> =
            parked.into_iter().map(|(_, task, on)| (task, on)).collect();
        let lanes = (0..trace.lanes.len())
            .map(|lane| match trace.span_at(lane, time) {
                None => LaneState::Idle,
                Some(span) => match (span.kind, span.task) {
                    (SpanKind::Running, Some(task)) => LaneState::Running {
                        task,
                        other: span.other,
                    },
                    (SpanKind::Blocked, Some(task)) => LaneState::Blocked {
                        task,
                        on: blocked_on[lane],
                    },
                    (SpanKind::Ready, Some(task)) => LaneState::Ready { task },
                    (SpanKind::Switching, _) => LaneState::Switching { to: span.other },
                    _ => LaneState::Idle,
                },
            })
            .collect();
        Snapshot {
            time,
            lanes,
            queue,
            parked,
            not_arrived: n_tasks - arrived,
            completed,
        }
    }

    /// "running A", "blocked: A waits for the database", ...
    pub fn describe_lane(&self, trace: &Trace, lane: LaneId) -> String {
        let name = |task: TaskId| trace.tasks[task].name.as_str();
        let lane_name = |lane: LaneId| trace.lanes[lane].name.as_str();
        let is_core = trace.lanes[lane].kind == LaneKind::Core;
        match self.lanes[lane] {
            LaneState::Idle => "idle".to_owned(),
            LaneState::Running { task, other } => match (is_core, other) {
                (true, Some(thread)) => format!("runs {} ({})", lane_name(thread), name(task)),
                (false, Some(core)) => format!("running {} on {}", name(task), lane_name(core)),
                _ => format!("running {}", name(task)),
            },
            LaneState::Blocked { task, on } => {
                format!("blocked: {} waits for {}", name(task), on.noun())
            }
            LaneState::Ready { task } => format!("ready: {} waits for a core", name(task)),
            LaneState::Switching { to } => match to {
                Some(thread) => format!("switching to {}", lane_name(thread)),
                None => "switching".to_owned(),
            },
        }
    }
}

/// The time of the first event after `time`, if any.
pub fn next_event_time(trace: &Trace, time: Time) -> Option<Time> {
    let idx = trace.events.partition_point(|event| event.time <= time);
    trace.events.get(idx).map(|event| event.time)
}

/// The time of the last event before `time`, if any.
pub fn previous_event_time(trace: &Trace, time: Time) -> Option<Time> {
    let idx = trace.events.partition_point(|event| event.time < time);
    idx.checked_sub(1).map(|idx| trace.events[idx].time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;
    use crate::models::scenario::Model;
    use crate::models::simulate;

    #[test]
    fn async_snapshot_shows_parked_tasks_and_the_queue() {
        let trace = simulate(&Scenario::default_models(), Model::asynchronous(1));
        let at_15 = Snapshot::at(&trace, 15);
        assert_eq!(
            at_15.lanes,
            vec![LaneState::Running {
                task: 1,
                other: None
            }]
        );
        assert_eq!(at_15.parked, vec![(0, WaitKind::Database)]);
        assert_eq!(at_15.queue, vec![2]);
        let at_40 = Snapshot::at(&trace, 40);
        assert_eq!(at_40.lanes, vec![LaneState::Idle]);
        assert_eq!(at_40.parked.len(), 3);
        assert_eq!(at_40.describe_lane(&trace, 0), "idle");
        let at_end = Snapshot::at(&trace, 90);
        assert_eq!(at_end.completed, 3);
        assert!(at_end.parked.is_empty() && at_end.queue.is_empty());
    }

    #[test]
    fn sync_snapshot_says_what_a_blocked_thread_waits_for() {
        let trace = simulate(&Scenario::default_models(), Model::sync(1));
        let snapshot = Snapshot::at(&trace, 20);
        assert_eq!(
            snapshot.describe_lane(&trace, 0),
            "blocked: A waits for the database"
        );
        assert_eq!(snapshot.queue, vec![1, 2]);
    }

    #[test]
    fn stepping_visits_event_times_in_order() {
        let trace = simulate(&Scenario::default_models(), Model::asynchronous(1));
        let mut times = vec![0];
        while let Some(next) = next_event_time(&trace, *times.last().unwrap()) {
            times.push(next);
        }
        assert_eq!(times, [0, 10, 20, 30, 60, 70, 80, 90]);
        assert_eq!(previous_event_time(&trace, 60), Some(30));
        assert_eq!(previous_event_time(&trace, 0), None);
    }
}
