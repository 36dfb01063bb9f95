//! The Models-lab engines: synchronous and asynchronous on T threads and
//! C cores.
//!
//! A deterministic discrete-event simulation. Tasks join one FIFO task
//! queue when they arrive (ties in file order). At each instant, first the
//! pending events of that instant are handled in the order they were
//! scheduled; then free threads, lowest number first, take tasks from the
//! queue; then free cores, lowest number first, take runnable threads from
//! the run queue.
//!
//! - Synchronous: a thread runs every segment of its task; during a wait
//!   the thread is blocked (held, doing nothing, using no core).
//! - Asynchronous: a thread runs a task's compute segments until the task
//!   must wait, parks it and takes the next ready task; when the wait ends
//!   the task rejoins the back of the task queue and any free thread may
//!   resume it.
//! - Cores: without `cores`, every thread has its own core. With `cores`,
//!   a thread with compute to do needs a core: it waits in a FIFO run
//!   queue (ready but not running), runs for at most `quantum`, and is
//!   preempted when its quantum ends while another thread waits (its
//!   quantum carries over from one segment or task to the next). A core
//!   that changes thread spends `switch_cost` switching. A thread that goes
//!   straight from one task's compute to another's keeps its core.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::models::scenario::{Model, ModelKind, Scenario, Segment, TaskSpec, Time, task_name};
use crate::trace::{
    Event, EventKind, Lane, LaneId, LaneKind, Span, SpanKind, TaskId, TaskInfo, Trace, WaitKind,
};

/// Runs `scenario`'s workload under `model` and returns the trace.
///
/// The scenario and model must be valid ([`Scenario::validate`]).
#[cfg_attr(target_arch = "wasm32", optimize(speed))]
pub fn simulate(scenario: &Scenario, model: Model) -> Trace {
    assert!(
        model.threads >= 1 && model.quantum >= 1,
        "validate the model first"
    );
    let mut sim = Simulation::new(scenario, model);
    sim.run();
    sim.finish()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Pending {
    Arrive(TaskId),
    /// The slice a core is running ends (segment done or quantum used).
    SliceEnd(usize),
    /// The core has switched to its new thread.
    SwitchDone(usize),
    /// A synchronous thread's wait ends.
    Unblock(usize),
    /// A parked task's wait ends (asynchronous model).
    WaitDone(TaskId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ThreadState {
    /// No task (it may still hold its core until the end of the instant).
    Free,
    /// Has compute to do, waits in the run queue for a core.
    Runnable,
    /// A core is switching to it.
    Switching,
    Running,
    /// Held by a task that waits (synchronous model).
    Blocked,
}

#[derive(Debug)]
struct ThreadRt {
    state: ThreadState,
    task: Option<TaskId>,
    core: Option<usize>,
}

#[derive(Debug)]
struct CoreRt {
    thread: Option<usize>,
    last_thread: Option<usize>,
    /// Length of the slice running now.
    slice: Time,
    /// How much of its quantum the current thread has used.
    used: Time,
}

#[derive(Debug, Clone, Copy)]
struct TaskRt {
    next_segment: usize,
    /// Compute left in the current compute segment.
    remaining: Time,
    started: bool,
}

/// The span a lane is in now, closed when the lane changes state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OpenSpan {
    start: Time,
    kind: SpanKind,
    task: Option<TaskId>,
    other: Option<LaneId>,
}

struct Simulation<'a> {
    scenario: &'a Scenario,
    /// The whole workload, generated tasks included.
    workload: Cow<'a, [TaskSpec]>,
    model: Model,
    /// Whether cores are modelled (and drawn as lanes).
    cores_limited: bool,
    now: Time,
    seq: u64,
    pending: BinaryHeap<Reverse<(Time, u64, Pending)>>,
    task_queue: VecDeque<TaskId>,
    run_queue: VecDeque<usize>,
    threads: Vec<ThreadRt>,
    cores: Vec<CoreRt>,
    tasks: Vec<TaskRt>,
    lanes: Vec<Lane>,
    open: Vec<OpenSpan>,
    events: Vec<Event>,
}

impl<'a> Simulation<'a> {
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn new(scenario: &'a Scenario, model: Model) -> Self {
        let n_threads = model.threads as usize;
        let cores_limited = model.cores.is_some();
        let n_cores = model.cores.map_or(n_threads, |cores| cores as usize);
        let event_loop = model.kind == ModelKind::Async && n_threads == 1;
        let mut lanes: Vec<Lane> = (0..n_threads)
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
        if cores_limited {
            lanes.extend((0..n_cores).map(|idx| Lane {
                name: format!("core {}", idx + 1),
                kind: LaneKind::Core,
                spans: Vec::new(),
            }));
        }
        let idle = OpenSpan {
            start: 0,
            kind: SpanKind::Idle,
            task: None,
            other: None,
        };
        let workload = scenario.workload();
        let n_tasks = workload.len();
        Simulation {
            scenario,
            workload,
            model,
            cores_limited,
            now: 0,
            seq: 0,
            pending: BinaryHeap::with_capacity(n_tasks + n_cores),
            task_queue: VecDeque::new(),
            run_queue: VecDeque::new(),
            threads: (0..n_threads)
                .map(|_| ThreadRt {
                    state: ThreadState::Free,
                    task: None,
                    core: None,
                })
                .collect(),
            cores: (0..n_cores)
                .map(|_| CoreRt {
                    thread: None,
                    last_thread: None,
                    slice: 0,
                    used: 0,
                })
                .collect(),
            tasks: vec![
                TaskRt {
                    next_segment: 0,
                    remaining: 0,
                    started: false,
                };
                n_tasks
            ],
            open: vec![idle; lanes.len()],
            lanes,
            events: Vec::with_capacity(n_tasks * 6),
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn core_lane(&self, core: usize) -> LaneId {
        self.threads.len() + core
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn schedule(&mut self, time: Time, what: Pending) {
        self.seq += 1;
        self.pending.push(Reverse((time, self.seq, what)));
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn event(&mut self, kind: EventKind, task: Option<TaskId>, lane: Option<LaneId>) {
        self.events.push(Event {
            time: self.now,
            kind,
            task,
            lane,
            other: None,
            wait: None,
        });
    }

    /// Puts `lane` in a new state from now on, closing its current span.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn set_lane(
        &mut self,
        lane: LaneId,
        kind: SpanKind,
        task: Option<TaskId>,
        other: Option<LaneId>,
    ) {
        let open = self.open[lane];
        if open.kind == kind && open.task == task && open.other == other {
            return;
        }
        if self.now > open.start {
            self.lanes[lane].spans.push(Span {
                start: open.start,
                end: self.now,
                kind: open.kind,
                task: open.task,
                other: open.other,
            });
        }
        self.open[lane] = OpenSpan {
            start: self.now,
            kind,
            task,
            other,
        };
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn set_thread(&mut self, thread: usize, state: ThreadState) {
        self.threads[thread].state = state;
        let task = self.threads[thread].task;
        let (kind, other) = match state {
            ThreadState::Free => (SpanKind::Idle, None),
            ThreadState::Runnable | ThreadState::Switching => (SpanKind::Ready, None),
            ThreadState::Running => (
                SpanKind::Running,
                self.threads[thread]
                    .core
                    .filter(|_| self.cores_limited)
                    .map(|core| self.core_lane(core)),
            ),
            ThreadState::Blocked => (SpanKind::Blocked, None),
        };
        let task = if state == ThreadState::Free {
            None
        } else {
            task
        };
        self.set_lane(thread, kind, task, other);
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn set_core(&mut self, core: usize, kind: SpanKind) {
        if !self.cores_limited {
            return;
        }
        let thread = self.cores[core].thread;
        let task = thread.and_then(|thread| self.threads[thread].task);
        let (task, other) = match kind {
            SpanKind::Idle => (None, None),
            SpanKind::Switching => (None, thread),
            _ => (task, thread),
        };
        let lane = self.core_lane(core);
        self.set_lane(lane, kind, task, other);
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn run(&mut self) {
        for task in 0..self.workload.len() {
            self.schedule(self.workload[task].arrival, Pending::Arrive(task));
        }
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

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn handle(&mut self, what: Pending) {
        match what {
            Pending::Arrive(task) => {
                self.event(EventKind::Arrive, Some(task), None);
                self.task_queue.push_back(task);
            }
            Pending::SliceEnd(core) => self.slice_end(core),
            Pending::SwitchDone(core) => {
                let thread = self.cores[core]
                    .thread
                    .expect("a switching core has a thread");
                self.start_slice(thread, core);
            }
            Pending::Unblock(thread) => {
                let task = self.threads[thread]
                    .task
                    .expect("a blocked thread has a task");
                self.event(EventKind::Unblock, Some(task), Some(thread));
                self.tasks[task].next_segment += 1;
                self.advance(thread);
            }
            Pending::WaitDone(task) => {
                let on = self.wait_kind(task);
                self.tasks[task].next_segment += 1;
                match self.segment(task) {
                    None => self.lane_less(EventKind::Complete, task, on),
                    Some(Segment::Wait { duration, .. }) => {
                        self.schedule(self.now + duration, Pending::WaitDone(task))
                    }
                    Some(Segment::Compute(_)) => {
                        self.lane_less(EventKind::Ready, task, on);
                        self.task_queue.push_back(task);
                    }
                }
            }
        }
    }

    /// What the task's current segment waits on.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn wait_kind(&self, task: TaskId) -> WaitKind {
        match self.segment(task) {
            Some(Segment::Wait { on, .. }) => on,
            _ => WaitKind::Io,
        }
    }

    /// An event with no lane, about the end of the task's wait on `on`.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn lane_less(&mut self, kind: EventKind, task: TaskId, on: WaitKind) {
        self.events.push(Event {
            time: self.now,
            kind,
            task: Some(task),
            lane: None,
            other: None,
            wait: Some(on),
        });
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn segment(&self, task: TaskId) -> Option<Segment> {
        self.workload[task]
            .segments
            .get(self.tasks[task].next_segment)
            .copied()
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn dispatch(&mut self) {
        // Free threads take tasks.
        for thread in 0..self.threads.len() {
            while self.threads[thread].state == ThreadState::Free {
                let Some(task) = self.task_queue.pop_front() else {
                    break;
                };
                self.begin(thread, task);
            }
        }
        // Threads left without work give their core back.
        for thread in 0..self.threads.len() {
            if self.threads[thread].state == ThreadState::Free
                && let Some(core) = self.threads[thread].core.take()
            {
                self.cores[core].thread = None;
                self.set_core(core, SpanKind::Idle);
            }
        }
        // Free cores take runnable threads.
        for core in 0..self.cores.len() {
            if self.cores[core].thread.is_some() {
                continue;
            }
            let Some(thread) = self.run_queue.pop_front() else {
                break;
            };
            self.assign(core, thread);
        }
    }

    /// The thread takes `task` (first time or after a park).
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn begin(&mut self, thread: usize, task: TaskId) {
        let kind = if self.tasks[task].started {
            EventKind::Resume
        } else {
            EventKind::Start
        };
        self.tasks[task].started = true;
        self.threads[thread].task = Some(task);
        self.event(kind, Some(task), Some(thread));
        self.advance(thread);
    }

    /// Runs the thread's task from its current segment: asks for a core,
    /// blocks, parks or completes.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn advance(&mut self, thread: usize) {
        let task = self.threads[thread].task.expect("advance needs a task");
        match self.segment(task) {
            Some(Segment::Compute(duration)) => {
                self.tasks[task].remaining = duration;
                match self.threads[thread].core {
                    Some(core) => self.start_slice(thread, core),
                    None => self.request_core(thread),
                }
            }
            Some(Segment::Wait { duration, on }) => {
                match self.model.kind {
                    ModelKind::Sync => {
                        self.release_core(thread);
                        self.wait_event(EventKind::Block, task, thread, on);
                        self.set_thread(thread, ThreadState::Blocked);
                        self.schedule(self.now + duration, Pending::Unblock(thread));
                    }
                    ModelKind::Async => {
                        // The thread keeps its core if it takes another
                        // task with compute this instant (see dispatch).
                        self.wait_event(EventKind::Park, task, thread, on);
                        self.threads[thread].task = None;
                        self.set_thread(thread, ThreadState::Free);
                        self.schedule(self.now + duration, Pending::WaitDone(task));
                    }
                }
            }
            None => {
                self.event(EventKind::Complete, Some(task), Some(thread));
                self.threads[thread].task = None;
                self.set_thread(thread, ThreadState::Free);
            }
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn wait_event(&mut self, kind: EventKind, task: TaskId, thread: usize, on: WaitKind) {
        self.events.push(Event {
            time: self.now,
            kind,
            task: Some(task),
            lane: Some(thread),
            other: None,
            wait: Some(on),
        });
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn request_core(&mut self, thread: usize) {
        if self.cores_limited {
            self.set_thread(thread, ThreadState::Runnable);
            self.run_queue.push_back(thread);
        } else {
            // Every thread has its own core.
            self.cores[thread].thread = Some(thread);
            self.cores[thread].used = 0;
            self.threads[thread].core = Some(thread);
            self.start_slice(thread, thread);
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn release_core(&mut self, thread: usize) {
        if let Some(core) = self.threads[thread].core.take() {
            self.cores[core].thread = None;
            self.set_core(core, SpanKind::Idle);
        }
    }

    /// A free core takes a runnable thread, switching to it first if it
    /// last ran another thread.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn assign(&mut self, core: usize, thread: usize) {
        self.cores[core].thread = Some(thread);
        self.cores[core].used = 0;
        self.threads[thread].core = Some(core);
        let previous = self.cores[core].last_thread;
        if previous.is_some() && previous != Some(thread) {
            let lane = self.core_lane(core);
            self.events.push(Event {
                time: self.now,
                kind: EventKind::Switch,
                task: self.threads[thread].task,
                lane: Some(lane),
                other: Some(thread),
                wait: None,
            });
            if self.model.switch_cost > 0 {
                self.set_thread(thread, ThreadState::Switching);
                self.set_core(core, SpanKind::Switching);
                self.schedule(self.now + self.model.switch_cost, Pending::SwitchDone(core));
                return;
            }
        }
        self.start_slice(thread, core);
    }

    /// Runs the thread's current compute on `core` for one slice; a thread
    /// whose quantum is used up gives the core to a waiting thread first.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn start_slice(&mut self, thread: usize, core: usize) {
        let task = self.threads[thread]
            .task
            .expect("a running thread has a task");
        let slice = if self.cores_limited {
            if self.cores[core].used >= self.model.quantum {
                if !self.run_queue.is_empty() {
                    self.event(EventKind::Preempt, Some(task), Some(thread));
                    self.release_core(thread);
                    self.set_thread(thread, ThreadState::Runnable);
                    self.run_queue.push_back(thread);
                    return;
                }
                self.cores[core].used = 0;
            }
            self.tasks[task]
                .remaining
                .min(self.model.quantum - self.cores[core].used)
        } else {
            self.tasks[task].remaining
        };
        self.cores[core].slice = slice;
        self.cores[core].last_thread = Some(thread);
        self.set_thread(thread, ThreadState::Running);
        self.set_core(core, SpanKind::Running);
        self.schedule(self.now + slice, Pending::SliceEnd(core));
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn slice_end(&mut self, core: usize) {
        let thread = self.cores[core]
            .thread
            .expect("a running core has a thread");
        let task = self.threads[thread]
            .task
            .expect("a running thread has a task");
        let slice = self.cores[core].slice;
        self.tasks[task].remaining -= slice;
        self.cores[core].used += slice;
        if self.tasks[task].remaining == 0 {
            self.tasks[task].next_segment += 1;
            self.advance(thread);
        } else {
            self.start_slice(thread, core);
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn finish(mut self) -> Trace {
        let end = self.events.last().map_or(0, |event| event.time);
        self.now = end;
        for lane in 0..self.lanes.len() {
            // Closing with a state no lane is in flushes the open span.
            self.set_lane(lane, SpanKind::Idle, Some(usize::MAX), None);
        }
        let tasks = (0..self.workload.len())
            .map(|idx| TaskInfo {
                name: task_name(&self.workload, idx),
                colour: self.workload[idx].colour.clone(),
            })
            .collect();
        Trace {
            unit: self.scenario.unit.symbol().to_owned(),
            tasks,
            lanes: self.lanes,
            events: self.events,
            end,
            kind_names: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
