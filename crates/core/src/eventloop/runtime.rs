//! The event loop, as Node runs it, on a virtual clock.
//!
//! 1. The script runs as one job (a module: it may `await` at the top).
//! 2. After every job, the microtask queue runs until it is empty
//!    (promise reactions, `await` continuations, `queueMicrotask`), jobs
//!    queued meanwhile included; then a rejection that no handler took
//!    ends the program, as Node's default does.
//! 3. Then the loop turns: the timers phase runs every timer that is due
//!    (soonest first, ties in the order they were set), each followed by
//!    the microtasks; the poll phase runs the I/O that has completed, or
//!    waits for the next I/O or timer, whichever comes first. An interval
//!    is set again from the time its callback started.
//! 4. Frames, as in a browser tab: a deadline every 16.667 ms. After a job,
//!    if a deadline has passed and `requestAnimationFrame` callbacks wait,
//!    they run (each followed by the microtasks). A deadline that falls
//!    while a job runs is a missed frame.
//! 5. The program ends when nothing is left: no job queued, no timer, no
//!    I/O, no frame callback. An exception that escapes a job ends it at
//!    once, as Node does.
//!
//! Time passes only through statements (1 µs each), `work(ms)` and the
//! waits between jobs. `setTimeout(f, 0)` waits 1 ms, as in Node (a
//! browser waits 0 to 4 ms).

use std::rc::Rc;

use super::builtins;
use super::compile::Program;
use super::heap::{Env, Handler, Kind, Native};
use super::machine::{
    Abrupt, AsyncState, Completion, Entry, Frame, JobBase, Limits, Machine, NativeFrame, Stop,
};
use super::queues::{FrameRequest, Job, LoopState, PendingIo, Queued, Timer};
use super::record::{Ending, EventKind, FRAME_US, QueueKind, Recorder, Run, Source, StepKind};
use super::value::{ObjId, Value};

fn to_stop(abrupt: Abrupt) -> Stop {
    match abrupt {
        Abrupt::Stop(stop) => stop,
        Abrupt::Throw(value) => Stop::Uncaught(value),
    }
}

/// Runs a compiled program to its end (or to a limit) and returns what it did.
pub fn run(program: Rc<Program>, source: Rc<str>, limits: Limits) -> Run {
    let mut machine = Machine {
        throw_line: 0,
        program,
        source,
        objs: Vec::new(),
        envs: vec![Env {
            slots: Vec::new(),
            parent: None,
            scope: u32::MAX,
        }],
        globals: Vec::new(),
        stack: Vec::new(),
        suspended: Vec::new(),
        limits,
        steps: 0,
        ops: 0,
        clock: 0,
        loop_state: LoopState {
            next_timer: 1,
            next_frame_id: 1,
            ..LoopState::default()
        },
        rec: Recorder::default(),
        method_fns: Vec::new(),
        promises_made: 0,
        join_stack: Vec::new(),
    };
    let result = machine.main();
    machine.finish(result)
}

impl Machine {
    fn main(&mut self) -> Result<(), Stop> {
        builtins::install(self).map_err(to_stop)?;
        let promise = self.new_promise().map_err(to_stop)?;
        self.loop_state.script_promise = Some(promise);
        self.begin_job(Source::Script, Rc::from("main script"), 1, 0);
        self.stack
            .push(Entry::Native(NativeFrame::Job(JobBase::Callback)));
        self.stack.push(Entry::Js(Frame {
            func: 0,
            pc: 0,
            stack: Vec::new(),
            env: 0,
            this: Value::Undefined,
            args: Vec::new(),
            handlers: Vec::new(),
            async_state: Some(AsyncState {
                promise,
                caller_waiting: true,
            }),
            stmt: None,
        }));
        self.rec.frames_changed = true;
        self.run()?;
        self.end_job();
        self.after_task()?;
        loop {
            self.timers_phase()?;
            if !self.poll_phase()? {
                return Ok(());
            }
        }
    }

    /// After a task: every microtask, then the rendering step if due.
    fn after_task(&mut self) -> Result<(), Stop> {
        self.checkpoint()?;
        self.render_if_due()
    }

    /// Runs the microtask queue until it is empty; then a rejection that
    /// no handler took ends the program.
    fn checkpoint(&mut self) -> Result<(), Stop> {
        while let Some(queued) = self.loop_state.microtasks.pop_front() {
            self.queue_remove(queued.entry);
            self.begin_job(Source::Microtask, queued.label, queued.line, queued.at);
            let result = match queued.job {
                Job::Reaction {
                    reaction,
                    argument,
                    rejected,
                } => self.run_reaction(reaction, argument, rejected),
                Job::Thenable {
                    promise,
                    thenable,
                    then,
                } => self.run_thenable(promise, thenable, then),
                Job::Callback { f } => {
                    self.call_job(JobBase::Callback, &f, Value::Undefined, Vec::new())
                }
            };
            self.end_job();
            result?;
        }
        let pending = std::mem::take(&mut self.loop_state.maybe_unhandled);
        for promise in pending {
            if let Kind::Promise(p) = &self.obj(promise).kind
                && !p.handled
                && let super::heap::PromiseState::Rejected(reason) = &p.state
            {
                // The script's own rejection is its uncaught exception.
                if Some(promise) == self.loop_state.script_promise {
                    return Err(Stop::Uncaught(reason.clone()));
                }
                return Err(Stop::Unhandled(reason.clone()));
            }
        }
        Ok(())
    }

    /// The timers phase: every timer due by now, soonest first.
    fn timers_phase(&mut self) -> Result<(), Stop> {
        loop {
            let due = self
                .loop_state
                .timers
                .iter()
                .enumerate()
                .filter(|(_, t)| t.due <= self.clock)
                .min_by_key(|(_, t)| (t.due, t.seq))
                .map(|(i, _)| i);
            let Some(index) = due else { return Ok(()) };
            let timer = self.loop_state.timers.remove(index);
            self.queue_remove(timer.entry);
            let started = self.clock;
            self.loop_state.cleared.clear();
            self.begin_job(Source::Timer, timer.label.clone(), timer.line, timer.set_at);
            let result = self.call_job(
                JobBase::Callback,
                &timer.f,
                Value::Undefined,
                timer.args.clone(),
            );
            self.end_job();
            result?;
            if let Some(every) = timer.every {
                // Set again from when the callback started, unless it was
                // cleared meanwhile (its id no longer live).
                if !self.loop_state.cleared_during(timer.id) {
                    self.loop_state.seq += 1;
                    let seq = self.loop_state.seq;
                    let due = started + every;
                    let entry = self.queue_add(
                        QueueKind::Timer,
                        timer.label.clone(),
                        timer.line,
                        timer.id,
                        due,
                        Some(every),
                    );
                    self.loop_state.timers.push(Timer {
                        due,
                        seq,
                        set_at: started,
                        entry,
                        ..timer
                    });
                }
            }
            self.loop_state.cleared.clear();
            self.after_task()?;
        }
    }

    /// The poll phase: runs the I/O that has completed, or waits for what
    /// comes next. `false` when nothing is left.
    fn poll_phase(&mut self) -> Result<bool, Stop> {
        let mut ready = self.ready_io();
        if ready.is_empty() {
            let next_timer = self.loop_state.timers.iter().map(|t| t.due).min();
            let next_io = self.loop_state.io.iter().map(|i| i.done).min();
            let next_frame = (!self.loop_state.raf.is_empty()).then(|| self.next_deadline());
            let Some(wake) = [next_timer, next_io, next_frame]
                .into_iter()
                .flatten()
                .min()
            else {
                return Ok(false);
            };
            self.idle_until(wake)?;
            if next_io == Some(wake) && next_timer.is_none_or(|t| wake <= t) {
                ready = self.ready_io();
            } else {
                self.render_if_due()?;
                return Ok(true);
            }
        }
        for io in ready {
            self.begin_job(Source::Io, io.label.clone(), io.line, io.started);
            let result = self
                .resolve_promise(io.promise, io.value.clone())
                .map_err(to_stop);
            self.end_job();
            result?;
            self.after_task()?;
        }
        Ok(true)
    }

    fn ready_io(&mut self) -> Vec<PendingIo> {
        let clock = self.clock;
        let (mut ready, waiting): (Vec<PendingIo>, Vec<PendingIo>) =
            std::mem::take(&mut self.loop_state.io)
                .into_iter()
                .partition(|i| i.done <= clock);
        self.loop_state.io = waiting;
        for io in &ready {
            self.queue_remove(io.entry);
        }
        ready.sort_by_key(|i| (i.done, i.seq));
        ready
    }

    /// The first frame deadline after the last one rendered, and not before now.
    fn next_deadline(&self) -> u64 {
        let after = self
            .loop_state
            .rendered_deadline
            .max(self.clock.saturating_sub(1));
        (after / FRAME_US + 1) * FRAME_US
    }

    /// The rendering step: when a frame deadline has passed since the
    /// last one rendered, the waiting frame callbacks run.
    fn render_if_due(&mut self) -> Result<(), Stop> {
        if self.loop_state.raf.is_empty() {
            return Ok(());
        }
        let latest = self.clock / FRAME_US * FRAME_US;
        if latest == 0 || latest <= self.loop_state.rendered_deadline {
            return Ok(());
        }
        self.loop_state.rendered_deadline = latest;
        let callbacks = std::mem::take(&mut self.loop_state.raf);
        for request in callbacks {
            self.queue_remove(request.entry);
            self.begin_job(
                Source::Frame,
                request.label.clone(),
                request.line,
                request.at,
            );
            let time = Value::Num(self.clock as f64 / 1000.0);
            let result = self.call_job(JobBase::Callback, &request.f, Value::Undefined, vec![time]);
            self.end_job();
            result?;
            self.checkpoint()?;
        }
        Ok(())
    }

    /// Nothing runs until `until`.
    fn idle_until(&mut self, until: u64) -> Result<(), Stop> {
        if until > self.clock {
            self.advance(until - self.clock).map_err(to_stop)?;
        }
        Ok(())
    }

    fn finish(mut self, result: Result<(), Stop>) -> Run {
        let line = self.current_line();
        if self.rec.current_job.is_some() {
            self.end_job();
        }
        let ending = match result {
            Ok(()) => Ending::Finished,
            Err(Stop::Uncaught(value)) => Ending::Uncaught {
                error: self.uncaught_text(&value),
                line: if self.throw_line > 0 {
                    self.throw_line
                } else {
                    line
                },
            },
            Err(Stop::Unhandled(value)) => Ending::Unhandled {
                reason: self.uncaught_text(&value),
            },
            Err(Stop::Limit(reason)) => Ending::Stopped { reason, line },
            Err(Stop::Unsupported(reason)) => Ending::Unsupported { reason, line },
        };
        self.rec.frames_changed = true;
        self.record(StepKind::End);
        let frames = self.frames();
        Run {
            steps: self.rec.steps,
            jobs: self.rec.jobs,
            console: self.rec.console,
            events: self.rec.events,
            frames,
            queue: self.rec.queue,
            ending,
            end: self.clock,
        }
    }

    /// An uncaught value as Node reports it (`Error: boom`, `42`).
    fn uncaught_text(&mut self, value: &Value) -> String {
        match value {
            Value::Obj(id) => match &self.obj(*id).kind {
                Kind::Error { stack, .. } => stack.to_string(),
                _ => self.inspect(value).unwrap_or_else(|_| "an object".into()),
            },
            v => self.inspect(v).unwrap_or_default(),
        }
    }

    // ---- queueing ----

    fn check_queue(&self, len: usize, what: &str) -> Completion<()> {
        if len >= self.limits.max_queue {
            return Err(Abrupt::Stop(Stop::Limit(format!(
                "stopped: more than {} {what} waiting",
                self.limits.max_queue
            ))));
        }
        Ok(())
    }

    /// A function's name for labels, and the line it was written on.
    pub fn describe_fn(&self, f: &Value) -> (String, u32) {
        match f {
            Value::Obj(id) => match &self.obj(*id).kind {
                Kind::Closure { func, .. } => {
                    let proto = &self.program.funcs[*func as usize];
                    let name = if proto.name.is_empty() {
                        "anonymous function".to_owned()
                    } else {
                        format!("{}()", proto.name)
                    };
                    (name, proto.span.start.line)
                }
                Kind::Native(native) => (
                    match native {
                        Native::Resolve { .. } => "resolve()".into(),
                        Native::Reject { .. } => "reject()".into(),
                        Native::Element { .. } => "a Promise combinator's bookkeeping".into(),
                        Native::ThenFinally(f) | Native::CatchFinally(f) => {
                            format!("finally: {}", self.describe_fn(f).0)
                        }
                        Native::ValueThunk(_) | Native::Thrower(_) => {
                            "finally: pass on the outcome".into()
                        }
                        n => format!("{}()", super::heap::native_name(n)),
                    },
                    0,
                ),
                Kind::Bound { target, .. } => self.describe_fn(target),
                _ => ("a function".into(), 0),
            },
            _ => ("a function".into(), 0),
        }
    }

    pub fn enqueue_microtask(&mut self, job: Job) -> Completion<()> {
        self.check_queue(self.loop_state.microtasks.len(), "microtasks")?;
        let (label, line) = match &job {
            Job::Reaction {
                reaction, rejected, ..
            } => match &reaction.handler {
                Handler::Function(f) => {
                    let (name, line) = self.describe_fn(f);
                    let how = if *rejected { "rejected" } else { "fulfilled" };
                    (format!("{name} (promise {how})"), line)
                }
                Handler::PassThrough => (
                    if *rejected {
                        "pass the rejection on (no handler)".to_owned()
                    } else {
                        "pass the value on (no handler)".to_owned()
                    },
                    self.current_line(),
                ),
                Handler::Resume(id) => {
                    let frame = self.suspended[*id as usize].as_ref();
                    let (name, line) = frame
                        .map(|f| {
                            (
                                self.frame_name(f),
                                f.stmt
                                    .map(|s| self.program.stmts[s as usize].start.line)
                                    .unwrap_or(0),
                            )
                        })
                        .unwrap_or((Rc::from("?"), 0));
                    let name = if &*name == "script" {
                        "the script".to_owned()
                    } else {
                        format!("{name}()")
                    };
                    (format!("{name} resumes after await"), line)
                }
            },
            Job::Thenable { thenable, .. } => {
                let what = match self.is_promise(thenable) {
                    Some(p) => format!("promise #{}", self.promise_number(p).0),
                    None => "a thenable".to_owned(),
                };
                (format!("adopt the state of {what}"), self.current_line())
            }
            Job::Callback { f } => {
                let (name, line) = self.describe_fn(f);
                (format!("{name} (queueMicrotask)"), line)
            }
        };
        let label: Rc<str> = Rc::from(label.as_str());
        self.event(EventKind::Queued {
            source: Source::Microtask,
            label: label.clone(),
        });
        let entry = self.queue_add(QueueKind::Microtask, label.clone(), line, 0, 0, None);
        self.loop_state.microtasks.push_back(Queued {
            job,
            label,
            line,
            at: self.clock,
            entry,
        });
        Ok(())
    }

    pub fn queue_microtask(&mut self, f: Value) -> Completion<()> {
        self.enqueue_microtask(Job::Callback { f })
    }

    pub fn set_timer(
        &mut self,
        f: Value,
        delay: f64,
        args: Vec<Value>,
        repeat: bool,
    ) -> Completion<u32> {
        self.check_queue(self.loop_state.timers.len(), "timers")?;
        // Node: a delay below 1 ms (or not a number) is 1 ms.
        let ms = if (1.0..=2_147_483_647.0).contains(&delay) {
            delay
        } else {
            1.0
        };
        let us = (ms * 1000.0).round() as u64;
        let id = self.loop_state.next_timer;
        self.loop_state.next_timer += 1;
        self.loop_state.seq += 1;
        let (name, _) = self.describe_fn(&f);
        let label: Rc<str> = if repeat {
            Rc::from(
                format!(
                    "{name} (setInterval, every {} ms)",
                    super::value::number_to_string(ms)
                )
                .as_str(),
            )
        } else {
            Rc::from(
                format!(
                    "{name} (setTimeout, {} ms)",
                    super::value::number_to_string(ms)
                )
                .as_str(),
            )
        };
        let line = self.current_line();
        self.event(EventKind::TimerSet {
            id,
            label: label.clone(),
            ms,
            asked: delay,
            repeat,
        });
        let due = self.clock.saturating_add(us);
        let entry = self.queue_add(
            QueueKind::Timer,
            label.clone(),
            line,
            id,
            due,
            repeat.then_some(us),
        );
        self.loop_state.timers.push(Timer {
            entry,
            id,
            due,
            seq: self.loop_state.seq,
            f,
            args,
            every: repeat.then_some(us),
            label,
            line,
            set_at: self.clock,
        });
        Ok(id)
    }

    pub fn clear_timer(&mut self, id: f64) {
        if id.fract() != 0.0 || id < 1.0 || id >= self.loop_state.next_timer as f64 {
            return;
        }
        let id = id as u32;
        let entries: Vec<u32> = self
            .loop_state
            .timers
            .iter()
            .filter(|t| t.id == id)
            .map(|t| t.entry)
            .collect();
        for entry in entries {
            self.queue_remove(entry);
        }
        self.loop_state.timers.retain(|t| t.id != id);
        self.loop_state.cleared.push(id);
        self.event(EventKind::TimerCleared { id });
    }

    pub fn request_frame(&mut self, f: Value) -> Completion<u32> {
        self.check_queue(self.loop_state.raf.len(), "frame callbacks")?;
        let id = self.loop_state.next_frame_id;
        self.loop_state.next_frame_id += 1;
        let (name, line) = self.describe_fn(&f);
        let label: Rc<str> = Rc::from(format!("{name} (requestAnimationFrame)").as_str());
        self.event(EventKind::Queued {
            source: Source::Frame,
            label: label.clone(),
        });
        let entry = self.queue_add(QueueKind::Frame, label.clone(), line, id, 0, None);
        self.loop_state.raf.push(FrameRequest {
            entry,
            id,
            f,
            label,
            line,
            at: self.clock,
        });
        Ok(id)
    }

    pub fn cancel_frame(&mut self, id: f64) {
        let entries: Vec<u32> = self
            .loop_state
            .raf
            .iter()
            .filter(|r| r.id as f64 == id)
            .map(|r| r.entry)
            .collect();
        for entry in entries {
            self.queue_remove(entry);
        }
        self.loop_state.raf.retain(|r| r.id as f64 != id);
    }

    /// `io(label, ms, value)`: a promise that the poll phase fulfils with
    /// `value` after `ms` of virtual time.
    pub fn start_io(&mut self, label: Rc<str>, ms: f64, value: Value) -> Completion<ObjId> {
        self.check_queue(self.loop_state.io.len(), "I/O operations")?;
        let promise = self.new_promise()?;
        let us = (ms * 1000.0).round() as u64;
        self.loop_state.seq += 1;
        let line = self.current_line();
        let shown: Rc<str> = Rc::from(format!("io(\"{label}\") done").as_str());
        self.event(EventKind::IoStarted {
            label: label.clone(),
            ms,
        });
        let done = self.clock.saturating_add(us);
        let entry = self.queue_add(QueueKind::Io, shown.clone(), line, 0, done, None);
        self.loop_state.io.push(PendingIo {
            entry,
            done,
            seq: self.loop_state.seq,
            promise,
            value,
            label: shown,
            line,
            started: self.clock,
        });
        Ok(promise)
    }

    /// `work(ms)`: the call stack is held for `ms` of virtual time.
    pub fn work(&mut self, ms: f64) -> Completion<()> {
        self.event(EventKind::Worked { ms });
        self.advance((ms * 1000.0).round() as u64)
    }
}
