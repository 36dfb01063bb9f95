//! Recording a run as it goes: a step with the stack and the queues as
//! they are, the events between steps, the console, the jobs.

use std::rc::Rc;

use super::heap::Stream;
use super::machine::{Completion, EachOp, Entry, Machine, NativeFrame, Stop};
use super::record::{
    ConsoleLine, Event, EventKind, FRAME_US, FrameRecord, FrameView, JobRecord, QueueEntry,
    QueueKind, Source, StackNode, Step, StepKind,
};
use super::value::{ObjId, Value};

impl Machine {
    /// The line of the statement running now (0 between jobs).
    pub fn current_line(&self) -> u32 {
        for entry in self.stack.iter().rev() {
            if let Entry::Js(frame) = entry {
                return frame
                    .stmt
                    .map(|s| self.program.stmts[s as usize].start.line)
                    .unwrap_or(0);
            }
        }
        0
    }

    /// The frames now, bottom first, as the views name them.
    fn frame_views(&self) -> Vec<FrameView> {
        let mut frames = Vec::new();
        for entry in &self.stack {
            match entry {
                Entry::Js(frame) => frames.push(FrameView {
                    name: self.frame_name(frame),
                    line: frame
                        .stmt
                        .map(|s| self.program.stmts[s as usize].start.line)
                        .unwrap_or(0),
                    native: false,
                }),
                Entry::Native(native) => {
                    let name = match native {
                        NativeFrame::Job(_) => continue,
                        NativeFrame::Executor { .. } => "new Promise",
                        NativeFrame::Each(each) => match each.op {
                            EachOp::Map => "map",
                            EachOp::Filter => "filter",
                            EachOp::ForEach => "forEach",
                            EachOp::Reduce => "reduce",
                            EachOp::ReduceRight => "reduceRight",
                            EachOp::Find => "find",
                            EachOp::FindIndex => "findIndex",
                            EachOp::FindLast => "findLast",
                            EachOp::FindLastIndex => "findLastIndex",
                            EachOp::Some => "some",
                            EachOp::Every => "every",
                            EachOp::From => "Array.from",
                        },
                        NativeFrame::Sort(_) => "sort",
                        NativeFrame::Finally { .. } => "finally",
                    };
                    frames.push(FrameView {
                        name: Rc::from(name),
                        line: 0,
                        native: true,
                    });
                }
            }
        }
        frames
    }

    /// The recorded stack, made again only where it changed: the frames it
    /// shares with the last one are shared.
    fn stack_view(&mut self) -> Option<Rc<StackNode>> {
        if self.rec.frames_changed {
            let frames = self.frame_views();
            let keep = self
                .rec
                .stack_nodes
                .iter()
                .zip(&frames)
                .take_while(|(node, frame)| node.frame == **frame)
                .count();
            self.rec.stack_nodes.truncate(keep);
            for frame in frames.into_iter().skip(keep) {
                let below = self.rec.stack_nodes.last().cloned();
                self.rec
                    .stack_nodes
                    .push(Rc::new(StackNode { frame, below }));
            }
            self.rec.frames_changed = false;
        }
        self.rec.stack_nodes.last().cloned()
    }

    /// Something joins a queue; returns its entry, to mark when it leaves.
    pub fn queue_add(
        &mut self,
        queue: QueueKind,
        label: Rc<str>,
        line: u32,
        id: u32,
        due: u64,
        every: Option<u64>,
    ) -> u32 {
        let added = self.rec.steps.len() as u32;
        self.rec.queue.push(QueueEntry {
            queue,
            label,
            line,
            id,
            due,
            every,
            added,
            removed: u32::MAX,
        });
        (self.rec.queue.len() - 1) as u32
    }

    /// The entry leaves its queue (taken, or cleared).
    pub fn queue_remove(&mut self, entry: u32) {
        let removed = self.rec.steps.len() as u32;
        if let Some(e) = self.rec.queue.get_mut(entry as usize) {
            e.removed = e.removed.min(removed);
        }
    }

    pub fn record(&mut self, kind: StepKind) {
        let stack = self.stack_view();
        let step = Step {
            kind,
            time: self.clock,
            job: self.rec.current_job,
            stack,
            console: self.rec.console.len() as u32,
            events: self.rec.events.len() as u32,
        };
        self.rec.steps.push(step);
    }

    pub fn record_step(&mut self, stmt: Option<u32>) {
        match stmt {
            Some(n) => self.record(StepKind::Stmt(n)),
            None => self.record(StepKind::Take),
        }
    }

    pub fn event(&mut self, kind: EventKind) {
        let event = Event {
            step: self.rec.steps.len() as u32,
            time: self.clock,
            kind,
        };
        self.rec.events.push(event);
    }

    /// A short text of a value for the views (as Node prints it, cut at 60
    /// characters).
    pub fn preview(&mut self, v: &Value) -> String {
        let text = match v {
            Value::Str(s) => super::inspect::quote(s),
            v => self.inspect(v).unwrap_or_else(|_| "…".into()),
        };
        let text = text.replace('\n', " ");
        if text.chars().count() > 60 {
            let cut: String = text.chars().take(59).collect();
            format!("{cut}…")
        } else {
            text
        }
    }

    pub fn promise_number(&self, id: ObjId) -> (u32, u32) {
        match &self.obj(id).kind {
            super::heap::Kind::Promise(p) => (p.number, p.line),
            _ => (0, 0),
        }
    }

    pub fn note_settled(&mut self, promise: ObjId, fulfilled: bool, value: &Value) {
        let (number, line) = self.promise_number(promise);
        let value = self.preview(value);
        self.event(EventKind::Settled {
            promise: number,
            line,
            fulfilled,
            value,
        });
    }

    pub fn note_await(&mut self, promise: ObjId, function: Rc<str>, line: u32) {
        let (number, _) = self.promise_number(promise);
        self.event(EventKind::Awaited {
            function,
            line,
            promise: number,
        });
    }

    pub fn console_log(&mut self, stream: Stream, args: &[Value]) -> Completion<()> {
        if self.rec.console.len() >= self.limits.max_console {
            return Err(super::machine::Abrupt::Stop(Stop::Limit(format!(
                "stopped after {} lines of console output",
                self.limits.max_console
            ))));
        }
        let text = self.format_log(args)?;
        let stream = match stream {
            Stream::Log => "log",
            Stream::Info => "info",
            Stream::Debug => "debug",
            Stream::Warn => "warn",
            Stream::Error => "error",
        };
        let line = ConsoleLine {
            text,
            stream,
            time: self.clock,
            step: self.rec.steps.len().saturating_sub(1) as u32,
        };
        self.rec.console.push(line);
        Ok(())
    }

    /// The event loop takes a job: that costs a step's time too
    /// ([`super::machine::STEP_US`]), so every job has a width on the
    /// timeline.
    pub fn begin_job(&mut self, source: Source, label: Rc<str>, line: u32, queued: u64) {
        self.throw_line = 0;
        self.clock = self.clock.saturating_add(super::machine::STEP_US);
        let index = self.rec.jobs.len() as u32;
        self.rec.jobs.push(JobRecord {
            source,
            label,
            line,
            queued,
            start: self.clock,
            end: self.clock,
            first_step: self.rec.steps.len() as u32,
            end_step: self.rec.steps.len() as u32,
        });
        self.rec.current_job = Some(index);
        self.rec.frames_changed = true;
        self.record(StepKind::Take);
    }

    pub fn end_job(&mut self) {
        self.stack.clear();
        self.rec.frames_changed = true;
        if self.rec.current_job.is_some() {
            self.record(StepKind::Done);
        }
        if let Some(index) = self.rec.current_job.take() {
            let steps = self.rec.steps.len() as u32;
            let clock = self.clock;
            let job = &mut self.rec.jobs[index as usize];
            job.end = clock;
            job.end_step = steps;
        }
        self.stack.clear();
        self.rec.frames_changed = true;
    }

    /// The frames of the run: a deadline every [`FRAME_US`], missed when a
    /// job was running across it.
    pub fn frames(&self) -> Vec<FrameRecord> {
        let mut frames = Vec::new();
        let mut jobs = self.rec.jobs.iter().peekable();
        let mut deadline = FRAME_US;
        while deadline <= self.clock && frames.len() < 10_000 {
            while jobs.peek().is_some_and(|j| j.end <= deadline) {
                jobs.next();
            }
            let missed = jobs
                .peek()
                .is_some_and(|j| j.start < deadline && j.end > deadline);
            frames.push(FrameRecord { deadline, missed });
            deadline += FRAME_US;
        }
        frames
    }
}
