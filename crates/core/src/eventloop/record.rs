//! What a run leaves behind for the lab to show: a step per statement
//! (and one where the event loop takes each job), each with the call
//! stack and the queues as they were; the jobs with their times; the
//! console; the events between steps (what was queued, what settled);
//! the frames. Views are shared between steps while they do not change,
//! so a long run stays small.

use std::rc::Rc;

use serde::Serialize;

/// Where a job came from: the lab colours jobs by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Script,
    Microtask,
    Timer,
    Io,
    Frame,
}

impl Source {
    pub const ALL: [Source; 5] = [
        Source::Script,
        Source::Microtask,
        Source::Timer,
        Source::Io,
        Source::Frame,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Source::Script => "script",
            Source::Microtask => "microtask",
            Source::Timer => "timer",
            Source::Io => "I/O",
            Source::Frame => "frame",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameView {
    pub name: Rc<str>,
    /// The line the frame is at (for the top frame, the step's line).
    pub line: u32,
    /// A built-in running the program's code (`forEach`, `new Promise`).
    pub native: bool,
}

/// One frame of a recorded call stack, linked to the frame below it:
/// steps share the frames they have in common.
#[derive(Debug, Clone, PartialEq)]
pub struct StackNode {
    pub frame: FrameView,
    pub below: Option<Rc<StackNode>>,
}

/// The frames of a recorded stack, bottom first.
pub fn frames_of(top: &Option<Rc<StackNode>>) -> Vec<FrameView> {
    let mut out = Vec::new();
    let mut node = top.as_deref();
    while let Some(n) = node {
        out.push(n.frame.clone());
        node = n.below.as_deref();
    }
    out.reverse();
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueKind {
    Microtask,
    Timer,
    Io,
    Frame,
}

/// Something that waited in a queue, and for which steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueEntry {
    pub queue: QueueKind,
    pub label: Rc<str>,
    pub line: u32,
    /// A timer's id.
    pub id: u32,
    /// When a timer is due or an I/O completes (µs).
    pub due: u64,
    /// An interval's period (µs).
    pub every: Option<u64>,
    /// The first step that sees it waiting, and the first that does not.
    pub added: u32,
    pub removed: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueuedView {
    pub label: Rc<str>,
    pub source: Source,
    pub line: u32,
    /// The event loop takes this one next (as the run went on).
    pub next: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimerView {
    pub id: u32,
    pub label: Rc<str>,
    /// When it is due, in µs of virtual time.
    pub due: u64,
    /// An interval's period in µs.
    pub every: Option<u64>,
    pub line: u32,
    /// The event loop takes this one next (as the run went on).
    pub next: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IoView {
    pub label: Rc<str>,
    /// When it completes, in µs.
    pub done: u64,
    pub line: u32,
    /// The event loop takes this one next (as the run went on).
    pub next: bool,
}

/// Every queue at one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueuesView {
    pub microtasks: Vec<QueuedView>,
    /// Pending timers, soonest first.
    pub timers: Vec<TimerView>,
    /// I/O in progress, soonest first.
    pub io: Vec<IoView>,
    /// `requestAnimationFrame` callbacks waiting for the next frame.
    pub frames: Vec<QueuedView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// The event loop takes the next job.
    Take,
    /// A statement (`program.stmts[n]`) starts.
    Stmt(u32),
    /// The job is over: the call stack is empty again.
    Done,
    /// The program is over.
    End,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub kind: StepKind,
    /// µs of virtual time.
    pub time: u64,
    /// The job it belongs to.
    pub job: Option<u32>,
    /// The call stack, top first (shared with the steps around it).
    #[serde(skip)]
    pub stack: Option<Rc<StackNode>>,
    /// Console lines printed before this step.
    pub console: u32,
    /// Events before this step.
    pub events: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobRecord {
    pub source: Source,
    pub label: Rc<str>,
    pub line: u32,
    /// When it was queued (µs).
    pub queued: u64,
    pub start: u64,
    pub end: u64,
    pub first_step: u32,
    /// One past its last step.
    pub end_step: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsoleLine {
    pub text: String,
    pub stream: &'static str,
    pub time: u64,
    /// The step that printed it.
    pub step: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// A job joins a queue (a microtask, a frame callback).
    Queued {
        source: Source,
        label: Rc<str>,
    },
    TimerSet {
        id: u32,
        label: Rc<str>,
        /// The delay Node uses: below 1 ms (or not a number) is 1 ms.
        ms: f64,
        /// The delay the program asked for.
        asked: f64,
        repeat: bool,
    },
    TimerCleared {
        id: u32,
    },
    IoStarted {
        label: Rc<str>,
        ms: f64,
    },
    /// A promise settles (`value`: what it holds, as Node would print it).
    Settled {
        promise: u32,
        line: u32,
        fulfilled: bool,
        value: String,
    },
    /// An `await` suspends a function until `promise` settles.
    Awaited {
        function: Rc<str>,
        line: u32,
        promise: u32,
    },
    /// `work(ms)` holds the call stack.
    Worked {
        ms: f64,
    },
    /// A promise was rejected with no handler yet.
    Unhandled {
        promise: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// The step it happened before.
    pub step: u32,
    pub time: u64,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// A frame's deadline (60 Hz) and what became of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FrameRecord {
    pub deadline: u64,
    /// The main thread was running a job at the deadline: the frame could
    /// not be drawn on time.
    pub missed: bool,
}

/// The microseconds between frames at 60 Hz (16.667 ms).
pub const FRAME_US: u64 = 16_667;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ending {
    /// Nothing was left to run.
    Finished,
    /// An exception nothing caught: Node prints it and exits with code 1.
    Uncaught { error: String, line: u32 },
    /// A rejection nothing handled: Node exits with code 1.
    Unhandled { reason: String },
    /// A limit of the lab stopped the run.
    Stopped { reason: String, line: u32 },
    /// The program used what the lab does not model.
    Unsupported { reason: String, line: u32 },
}

/// Everything a run recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    pub steps: Vec<Step>,
    pub jobs: Vec<JobRecord>,
    pub console: Vec<ConsoleLine>,
    pub events: Vec<Event>,
    pub frames: Vec<FrameRecord>,
    /// Everything that waited in a queue.
    pub queue: Vec<QueueEntry>,
    pub ending: Ending,
    /// µs of virtual time when it ended.
    pub end: u64,
}

impl Run {
    /// What Node's exit code would be: 0, or 1 after an uncaught error;
    /// `None` when the lab stopped the run.
    pub fn exit_code(&self) -> Option<u8> {
        match self.ending {
            Ending::Finished => Some(0),
            Ending::Uncaught { .. } | Ending::Unhandled { .. } => Some(1),
            Ending::Stopped { .. } | Ending::Unsupported { .. } => None,
        }
    }

    /// The lines printed, as a terminal shows them.
    pub fn console_text(&self) -> Vec<&str> {
        self.console.iter().map(|l| l.text.as_str()).collect()
    }

    /// Every queue as it is at `step`.
    pub fn queues_at(&self, step: usize) -> QueuesView {
        let step = step as u32;
        // Entries are recorded in the order they were added.
        let seen = self.queue.partition_point(|e| e.added <= step);
        // The step at which the event loop next takes a job: the entry
        // that leaves its queue then is the one taken next.
        let next_take = self.steps[(step as usize + 1).min(self.steps.len())..]
            .iter()
            .position(|s| s.kind == StepKind::Take)
            .map(|at| step + 1 + at as u32);
        let mut view = QueuesView::default();
        for entry in self.queue[..seen].iter().filter(|e| e.removed > step) {
            let next = next_take == Some(entry.removed);
            match entry.queue {
                QueueKind::Microtask => view.microtasks.push(QueuedView {
                    label: entry.label.clone(),
                    source: Source::Microtask,
                    line: entry.line,
                    next,
                }),
                QueueKind::Frame => view.frames.push(QueuedView {
                    label: entry.label.clone(),
                    source: Source::Frame,
                    line: entry.line,
                    next,
                }),
                QueueKind::Timer => view.timers.push(TimerView {
                    id: entry.id,
                    label: entry.label.clone(),
                    due: entry.due,
                    every: entry.every,
                    line: entry.line,
                    next,
                }),
                QueueKind::Io => view.io.push(IoView {
                    label: entry.label.clone(),
                    done: entry.due,
                    line: entry.line,
                    next,
                }),
            }
        }
        view.timers.sort_by_key(|t| (t.due, t.id));
        view.io.sort_by_key(|i| i.done);
        view
    }

    /// The call stack at `step`, bottom first.
    pub fn stack_at(&self, step: usize) -> Vec<FrameView> {
        self.steps
            .get(step)
            .map(|s| frames_of(&s.stack))
            .unwrap_or_default()
    }
}

#[derive(Debug, Default)]
pub struct Recorder {
    pub steps: Vec<Step>,
    pub jobs: Vec<JobRecord>,
    pub console: Vec<ConsoleLine>,
    pub events: Vec<Event>,
    pub queue: Vec<QueueEntry>,
    /// The call stack changed since the last step.
    pub frames_changed: bool,
    /// The recorded stack now, bottom first (its nodes are shared).
    pub stack_nodes: Vec<Rc<StackNode>>,
    pub current_job: Option<u32>,
}
