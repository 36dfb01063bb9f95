//! The queues of the event loop: microtasks, timers, I/O in progress and
//! frame callbacks, as data (the event loop in `runtime.rs` runs them).

use std::collections::VecDeque;
use std::rc::Rc;

use super::heap::Reaction;
use super::value::{ObjId, Value};

/// A job waiting in the microtask queue.
#[derive(Debug, Clone)]
pub enum Job {
    /// A promise reaction (NewPromiseReactionJob).
    Reaction {
        reaction: Reaction,
        argument: Value,
        rejected: bool,
    },
    /// Resolving a promise with a thenable (NewPromiseResolveThenableJob).
    Thenable {
        promise: ObjId,
        thenable: Value,
        then: Value,
    },
    /// `queueMicrotask(f)`.
    Callback { f: Value },
}

#[derive(Debug, Clone)]
pub struct Queued {
    /// Its entry in the run's record of the queues.
    pub entry: u32,
    pub job: Job,
    pub label: Rc<str>,
    pub line: u32,
    pub at: u64,
}

#[derive(Debug, Clone)]
pub struct Timer {
    /// Its entry in the run's record of the queues.
    pub entry: u32,
    pub id: u32,
    pub due: u64,
    pub seq: u64,
    pub f: Value,
    pub args: Vec<Value>,
    /// An interval's period (µs).
    pub every: Option<u64>,
    pub label: Rc<str>,
    pub line: u32,
    pub set_at: u64,
}

#[derive(Debug, Clone)]
pub struct PendingIo {
    /// Its entry in the run's record of the queues.
    pub entry: u32,
    pub done: u64,
    pub seq: u64,
    pub promise: ObjId,
    pub value: Value,
    pub label: Rc<str>,
    pub line: u32,
    pub started: u64,
}

#[derive(Debug, Clone)]
pub struct FrameRequest {
    /// Its entry in the run's record of the queues.
    pub entry: u32,
    pub id: u32,
    pub f: Value,
    pub label: Rc<str>,
    pub line: u32,
    pub at: u64,
}

#[derive(Debug, Clone, Default)]
pub struct LoopState {
    pub microtasks: VecDeque<Queued>,
    pub timers: Vec<Timer>,
    pub io: Vec<PendingIo>,
    pub raf: Vec<FrameRequest>,
    /// Promises rejected while no handler was attached, in order.
    pub maybe_unhandled: Vec<ObjId>,
    pub next_timer: u32,
    pub next_frame_id: u32,
    pub seq: u64,
    /// The last frame deadline whose callbacks ran.
    pub rendered_deadline: u64,
    /// Timers cleared while the current timer's callback ran.
    pub cleared: Vec<u32>,
    /// The script's own promise (a module's): its rejection is an
    /// uncaught exception, not an unhandled rejection.
    pub script_promise: Option<ObjId>,
}

impl LoopState {
    pub fn cleared_during(&self, id: u32) -> bool {
        self.cleared.contains(&id)
    }
}
