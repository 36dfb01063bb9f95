//! The Models-lab engines: synchronous and asynchronous on T threads.
//!
//! A deterministic discrete-event simulation. All tasks arrive at time 0 in
//! file order and join one FIFO ready queue. At each instant, first the
//! pending events of that instant are handled in the order they were
//! scheduled, then free threads (lowest index first) take ready tasks.
//!
//! - Synchronous: a thread takes a task and runs every segment of it; during
//!   a wait the thread is blocked (held, doing nothing).
//! - Asynchronous: a thread runs a task's compute segments until the task
//!   must wait, parks it and takes the next ready task; when the wait ends
//!   the task rejoins the back of the ready queue and any free thread may
//!   resume it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::scenario::{Model, ModelKind, Scenario, Segment, Time};
use crate::trace::{Event, EventKind, Lane, LaneKind, Span, SpanKind, TaskId, TaskInfo, Trace};

/// Runs `scenario`'s workload under `model` and returns the trace.
///
/// The scenario must be valid ([`Scenario::validate`]) and
/// `model.threads` at least 1.
pub fn simulate(scenario: &Scenario, model: Model) -> Trace {
    assert!(model.threads >= 1, "a model needs at least one thread");
    let mut sim = Simulation::new(scenario, model);
    sim.run();
    sim.finish()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Pending {
    /// The thread has finished what it was doing and may take a task.
    ThreadFree(usize),
    /// The task's current wait segment ends (asynchronous model).
    WaitDone(TaskId),
}

struct Simulation<'a> {
    scenario: &'a Scenario,
    model: Model,
    now: Time,
    seq: u64,
    pending: BinaryHeap<Reverse<(Time, u64, Pending)>>,
    ready: VecDeque<TaskId>,
    thread_free: Vec<bool>,
    /// Index of each task's next segment.
    next_segment: Vec<usize>,
    started: Vec<bool>,
    lanes: Vec<Lane>,
    events: Vec<Event>,
}

impl<'a> Simulation<'a> {
    fn new(scenario: &'a Scenario, model: Model) -> Self {
        let n_threads = model.threads as usize;
        let event_loop = model.kind == ModelKind::Async && n_threads == 1;
        let lanes = (0..n_threads)
            .map(|idx| Lane {
                name: if event_loop {
                    "event loop".to_owned()
                } else {
                    format!("thread {}", idx + 1)
                },
                kind: if event_loop {
                    LaneKind::EventLoop
                } else {
                    LaneKind::Thread
                },
                spans: Vec::new(),
            })
            .collect();
        let n_tasks = scenario.tasks.len();
        Simulation {
            scenario,
            model,
            now: 0,
            seq: 0,
            pending: BinaryHeap::new(),
            ready: VecDeque::with_capacity(n_tasks),
            thread_free: vec![true; n_threads],
            next_segment: vec![0; n_tasks],
            started: vec![false; n_tasks],
            lanes,
            events: Vec::with_capacity(n_tasks * 4),
        }
    }

    fn schedule(&mut self, time: Time, what: Pending) {
        self.seq += 1;
        self.pending.push(Reverse((time, self.seq, what)));
    }

    fn event(&mut self, time: Time, kind: EventKind, task: TaskId, lane: Option<usize>) {
        self.events.push(Event {
            time,
            kind,
            task: Some(task),
            lane,
        });
    }

    fn run(&mut self) {
        for task in 0..self.scenario.tasks.len() {
            self.event(0, EventKind::Arrive, task, None);
            self.ready.push_back(task);
        }
        self.dispatch();
        while let Some(&Reverse((time, _, _))) = self.pending.peek() {
            self.now = time;
            while let Some(&Reverse((t, _, what))) = self.pending.peek() {
                if t != time {
                    break;
                }
                self.pending.pop();
                self.handle(what);
            }
            self.dispatch();
        }
    }

    fn handle(&mut self, what: Pending) {
        match what {
            Pending::ThreadFree(thread) => self.thread_free[thread] = true,
            Pending::WaitDone(task) => {
                self.next_segment[task] += 1;
                let segments = &self.scenario.tasks[task].segments;
                match segments.get(self.next_segment[task]) {
                    None => self.event(self.now, EventKind::Complete, task, None),
                    Some(Segment::Wait(duration)) => {
                        let done = self.now + duration;
                        self.schedule(done, Pending::WaitDone(task));
                    }
                    Some(Segment::Compute(_)) => {
                        self.event(self.now, EventKind::Ready, task, None);
                        self.ready.push_back(task);
                    }
                }
            }
        }
    }

    fn dispatch(&mut self) {
        for thread in 0..self.thread_free.len() {
            while self.thread_free[thread] {
                let Some(task) = self.ready.pop_front() else {
                    return;
                };
                match self.model.kind {
                    ModelKind::Sync => self.run_to_completion(thread, task),
                    ModelKind::Async => self.run_until_wait(thread, task),
                }
            }
        }
    }

    /// Synchronous: the thread runs every segment, blocked during waits.
    fn run_to_completion(&mut self, thread: usize, task: TaskId) {
        let mut time = self.now;
        self.event(time, EventKind::Start, task, Some(thread));
        for segment in &self.scenario.tasks[task].segments {
            let (kind, duration) = match *segment {
                Segment::Compute(d) => (SpanKind::Running, d),
                Segment::Wait(d) => (SpanKind::Blocked, d),
            };
            if kind == SpanKind::Blocked {
                self.events.push(Event {
                    time,
                    kind: EventKind::Block,
                    task: Some(task),
                    lane: Some(thread),
                });
            }
            self.lanes[thread].spans.push(Span {
                start: time,
                end: time + duration,
                kind,
                task: Some(task),
            });
            time += duration;
            if kind == SpanKind::Blocked {
                self.events.push(Event {
                    time,
                    kind: EventKind::Unblock,
                    task: Some(task),
                    lane: Some(thread),
                });
            }
        }
        self.next_segment[task] = self.scenario.tasks[task].segments.len();
        self.event(time, EventKind::Complete, task, Some(thread));
        self.thread_free[thread] = false;
        self.schedule(time, Pending::ThreadFree(thread));
    }

    /// Asynchronous: the thread runs compute segments until the task must
    /// wait (then parks it) or ends.
    fn run_until_wait(&mut self, thread: usize, task: TaskId) {
        let kind = if self.started[task] {
            EventKind::Resume
        } else {
            EventKind::Start
        };
        self.started[task] = true;
        self.event(self.now, kind, task, Some(thread));
        let segments = &self.scenario.tasks[task].segments;
        let mut time = self.now;
        while let Some(Segment::Compute(duration)) = segments.get(self.next_segment[task]) {
            self.lanes[thread].spans.push(Span {
                start: time,
                end: time + duration,
                kind: SpanKind::Running,
                task: Some(task),
            });
            time += duration;
            self.next_segment[task] += 1;
        }
        match segments.get(self.next_segment[task]) {
            None => self.event(time, EventKind::Complete, task, Some(thread)),
            Some(Segment::Wait(duration)) => {
                self.event(time, EventKind::Park, task, Some(thread));
                let done = time + duration;
                self.schedule(done, Pending::WaitDone(task));
            }
            Some(Segment::Compute(_)) => unreachable!("the loop above ran every compute segment"),
        }
        if time > self.now {
            self.thread_free[thread] = false;
            self.schedule(time, Pending::ThreadFree(thread));
        }
    }

    fn finish(mut self) -> Trace {
        // Synchronous runs record future events when a task is taken; put
        // every event in time order, keeping the order of simultaneous ones.
        self.events.sort_by_key(|event| event.time);
        let end = self.events.last().map_or(0, |event| event.time);
        for lane in &mut self.lanes {
            lane.spans = with_idle_gaps(std::mem::take(&mut lane.spans), end);
        }
        let tasks = (0..self.scenario.tasks.len())
            .map(|idx| TaskInfo {
                name: self.scenario.task_name(idx),
            })
            .collect();
        Trace {
            unit: self.scenario.unit.symbol().to_owned(),
            tasks,
            lanes: self.lanes,
            events: self.events,
            end,
        }
    }
}

/// Fills every gap between 0 and `end` with an idle span.
fn with_idle_gaps(spans: Vec<Span>, end: Time) -> Vec<Span> {
    let mut out = Vec::with_capacity(spans.len() * 2 + 1);
    let mut time = 0;
    for span in spans {
        if span.start > time {
            out.push(idle(time, span.start));
        }
        time = span.end;
        out.push(span);
    }
    if end > time {
        out.push(idle(time, end));
    }
    out
}

fn idle(start: Time, end: Time) -> Span {
    Span {
        start,
        end,
        kind: SpanKind::Idle,
        task: None,
    }
}

#[cfg(test)]
mod tests;
