//! Schedules: which thread takes each step. A schedule replays exactly,
//! reads and writes as text (`A B B A`), narrates each step and becomes a
//! [`Trace`] for the shared timeline.

use super::limits;
use super::machine::{
    Effects, FieldKey, Loc, Phase, Readiness, State, Status, eval_on, target_var_on,
};
use super::program::{AtomicKind, Op, Program, Pure, Value};
use crate::error::ScenarioError;
use crate::trace::{Event, EventKind, Lane, LaneKind, PALETTE, Span, SpanKind, TaskInfo, Trace};

/// Reads `A B B A` (names, separated by spaces or commas; `A*3` repeats).
pub fn parse(program: &Program, text: &str) -> Result<Vec<usize>, ScenarioError> {
    let mut schedule = Vec::new();
    for (idx, token) in text
        .split(|ch: char| ch.is_whitespace() || ch == ',')
        .filter(|token| !token.is_empty())
        .enumerate()
    {
        let (name, times) = match token.split_once('*') {
            Some((name, times)) => {
                let times = times
                    .parse::<usize>()
                    .ok()
                    .filter(|&n| n >= 1)
                    .ok_or_else(|| {
                        ScenarioError::at_path(
                            format!("schedule[{idx}]"),
                            format!("'{token}': the count after * is not a positive number"),
                        )
                    })?;
                (name, times)
            }
            None => (token, 1),
        };
        let thread = program.thread_index(name).ok_or_else(|| {
            let names: Vec<&str> = program
                .threads
                .iter()
                .map(|code| code.name.as_str())
                .collect();
            ScenarioError::at_path(
                format!("schedule[{idx}]"),
                format!("there is no thread '{name}'"),
            )
            .with_hint(format!("the threads are {}", names.join(", ")))
        })?;
        if schedule.len() + times > limits::MAX_RUN_STEPS {
            return Err(ScenarioError::at_path(
                "schedule",
                format!("a schedule has at most {} steps", limits::MAX_RUN_STEPS),
            ));
        }
        schedule.extend(std::iter::repeat_n(thread, times));
    }
    Ok(schedule)
}

/// `A B B A`.
pub fn to_text(program: &Program, schedule: &[usize]) -> String {
    schedule
        .iter()
        .map(|&thread| program.threads[thread].name.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// One executed step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    pub thread: usize,
    pub pc: u32,
    pub line: u32,
    /// The step as code: `t1 ← x`.
    pub text: String,
    /// The step in words, with values: `A reads x (0) into t1.`
    pub narration: String,
    pub effects: Effects,
}

/// A replayed schedule: the state before each step and after the last.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// `states[i]` is the state after `i` steps.
    pub states: Vec<State>,
    pub steps: Vec<StepRecord>,
}

/// Why `thread` cannot take a step from `state`, reached after `steps`
/// steps; `None` when it can.
pub fn refusal(program: &Program, state: &State, steps: usize, thread: usize) -> Option<String> {
    let Some(code) = program.threads.get(thread) else {
        return Some(format!("there is no thread number {thread}"));
    };
    if steps >= limits::MAX_RUN_STEPS {
        return Some(format!(
            "the run stopped at the step limit ({} steps)",
            limits::MAX_RUN_STEPS
        ));
    }
    match state.readiness(program, thread) {
        Readiness::Ready => None,
        reason => Some(format!("{} {}", code.name, why_not(program, &reason))),
    }
}

impl Run {
    pub fn new(program: &Program) -> Run {
        Run {
            states: vec![State::initial(program)],
            steps: Vec::new(),
        }
    }

    pub fn last(&self) -> &State {
        self.states.last().expect("the initial state")
    }

    /// Steps `thread`, or says why it cannot.
    pub fn step(&mut self, program: &Program, thread: usize) -> Result<(), String> {
        let before = self.last();
        if let Some(why) = refusal(program, before, self.steps.len(), thread) {
            return Err(why);
        }
        let mut after = before.clone();
        let effects = after.step(program, thread);
        let pc = before.threads[thread].pc;
        let code = &program.threads[thread];
        let record = StepRecord {
            thread,
            pc,
            line: code.instrs[pc as usize].line,
            text: code.describe(pc, program),
            narration: narrate(program, before, &after, thread, effects),
            effects,
        };
        self.steps.push(record);
        self.states.push(after);
        Ok(())
    }
}

/// Why a thread cannot step, as the end of a sentence.
pub fn why_not(program: &Program, readiness: &Readiness) -> String {
    match readiness {
        Readiness::Ready => "can step".into(),
        Readiness::WaitsForMutex { mutex, owner } => format!(
            "waits for {} (held by {})",
            program.mutexes[*mutex as usize], program.threads[*owner as usize].name
        ),
        Readiness::WaitsForFile { file } => format!(
            "waits for a lock on {} that another thread holds",
            program.files[*file as usize].name
        ),
        Readiness::WaitsForSemaphore { sem } => format!(
            "waits for {} (its count is 0)",
            program.semaphores[*sem as usize].name
        ),
        Readiness::WaitsForNotify { cond } => {
            format!("waits to be notified on {}", program.conds[*cond as usize])
        }
        Readiness::WaitsForRwLock {
            lock,
            writer,
            readers,
        } => {
            let names = |bits: u32| -> Vec<&str> {
                (0..program.threads.len())
                    .filter(|thread| bits & (1 << thread) != 0)
                    .map(|thread| program.threads[thread].name.as_str())
                    .collect()
            };
            let held = match writer {
                Some(writer) => format!("written by {}", program.threads[*writer as usize].name),
                None => format!("read by {}", names(*readers).join(" and ")),
            };
            format!("waits for {} ({held})", program.rwlocks[*lock as usize])
        }
        Readiness::WaitsAtBarrier { barrier, arrived } => {
            let info = &program.barriers[*barrier as usize];
            format!(
                "waits at {} ({arrived} of {} arrived)",
                info.name, info.count
            )
        }
        Readiness::Finished => "has finished".into(),
    }
}

/// Replays `schedule` from the initial state.
pub fn replay(program: &Program, schedule: &[usize]) -> Result<Run, ScenarioError> {
    let mut run = Run::new(program);
    for (idx, &thread) in schedule.iter().enumerate() {
        run.step(program, thread).map_err(|message| {
            ScenarioError::at_path(
                format!("schedule[{idx}]"),
                format!("step {}: {message}", idx + 1),
            )
        })?;
    }
    Ok(run)
}

/// A shared location as the learner names it: `x`, or `the next of node 2`.
pub fn loc_text(program: &Program, state: &State, loc: Loc) -> String {
    match loc {
        Loc::Var(var) => program.shared[var as usize].name.clone(),
        Loc::Field(node, field) => {
            let field = match field {
                FieldKey::Value => "value",
                FieldKey::Next => "next",
            };
            match state.world.heap.get(node as usize) {
                Some(cell) => format!("the {field} of node {}", cell.value),
                None => format!("a node's {field}"),
            }
        }
    }
}

/// A value a thread holds at a state: a local, or a temporary (a value
/// read or computed by one indivisible step and not yet used by the next,
/// as in `t1 ← x` then `x ← t1 + 1`), with the shared things it was
/// read from and those another thread wrote since: a stale value, the
/// stuff of lost updates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// `t1`, `count`, `v (remove)` for a function's local.
    pub name: String,
    pub value: String,
    pub temporary: bool,
    /// The shared things its value was read from: `x`.
    pub read_from: Vec<String>,
    /// Who wrote one of them since: `A wrote x`.
    pub stale: Vec<String>,
}

/// What `thread` holds at `state`: its locals, then the temporaries that
/// hold a value (a used temporary is empty again).
pub fn held(program: &Program, state: &State, thread: usize) -> Vec<Held> {
    let code = &program.threads[thread];
    let now = &state.threads[thread];
    let mut locals = Vec::new();
    let mut temporaries = Vec::new();
    for (slot, info) in code.slots.iter().enumerate() {
        let value = &now.locals[slot];
        let deps = now.deps.get(slot).map_or(&[][..], Vec::as_slice);
        if info.temp && *value == Value::Null && deps.is_empty() {
            continue;
        }
        let mut read_from: Vec<String> = deps
            .iter()
            .map(|dep| loc_text(program, state, dep.loc))
            .collect();
        read_from.dedup();
        let mut stale: Vec<String> = deps
            .iter()
            .filter_map(|dep| {
                let (writer, _) = dep.overwritten?;
                Some(format!(
                    "{} wrote {}",
                    program.threads[writer as usize].name,
                    loc_text(program, state, dep.loc)
                ))
            })
            .collect();
        stale.dedup();
        let held = Held {
            name: match &info.function {
                Some(function) => format!("{} ({function})", info.name),
                None => info.name.clone(),
            },
            value: value.to_string(),
            temporary: info.temp,
            read_from,
            stale,
        };
        if info.temp {
            temporaries.push(held);
        } else {
            locals.push(held);
        }
    }
    locals.extend(temporaries);
    locals
}

/// One step in words, from the states before and after it.
pub fn narrate(
    program: &Program,
    before: &State,
    after: &State,
    thread: usize,
    effects: Effects,
) -> String {
    let code = &program.threads[thread];
    let name = &code.name;
    let pc = before.threads[thread].pc;
    let slot = |slot: &u16| code.slot_name(*slot).to_owned();
    let now = |slot: &u16| after.threads[thread].locals[*slot as usize].to_string();
    let node_name = |node: &super::program::Pure| {
        eval_on(&before.threads[thread].locals, node)
            .map_or_else(|_| "a node".to_owned(), |value| value.to_string())
    };
    let mut text = match &code.instrs[pc as usize].op {
        Op::LoadIndex { dst, array, index } => format!(
            "{name} reads {} ({}) into {}.",
            element(program, &before.threads[thread].locals, *array, index),
            now(dst),
            slot(dst)
        ),
        Op::StoreIndex { array, index, src } => format!(
            "{name} writes {} to {}.",
            eval_on(&before.threads[thread].locals, src)
                .map_or_else(|err| err, |value| value.to_string()),
            element(program, &before.threads[thread].locals, *array, index),
        ),
        Op::Atomic { dst, target, kind } => {
            let locals = &before.threads[thread].locals;
            let var = target_var_on(locals, program, target).ok().map(usize::from);
            let gives = dst.map_or_else(String::new, |dst| {
                format!(" {} = {}.", slot(&dst), now(&dst))
            });
            let text = match var {
                // The step failed (an index out of bounds): the thread's
                // stop is told below.
                None => format!("{name} runs {}.", code.describe(pc, program)),
                Some(var) => {
                    let place = &program.shared[var].name;
                    let (was, is) = (&before.world.shared[var], &after.world.shared[var]);
                    let verb = match kind {
                        AtomicKind::FetchAdd(_) => "adds to",
                        AtomicKind::Exchange(_) => "exchanges",
                        AtomicKind::TestAndSet => "tests and sets",
                        AtomicKind::CompareAndSwap { .. } => "compares and swaps",
                    };
                    match kind {
                        AtomicKind::CompareAndSwap { expected, .. }
                            if eval_on(locals, expected).as_ref() != Ok(was) =>
                        {
                            format!(
                                "{name} compares and swaps {place}: it holds {was}, not the value expected, so nothing is written."
                            )
                        }
                        _ => format!("{name} {verb} {place}: {was} → {is}, in one step."),
                    }
                }
            };
            format!("{text}{gives}")
        }
        Op::Acquire(sem) => format!(
            "{name} acquires {} (now {}).",
            program.semaphores[*sem as usize].name, after.world.semaphores[*sem as usize]
        ),
        Op::Release(sem) => format!(
            "{name} releases {} (now {}).",
            program.semaphores[*sem as usize].name, after.world.semaphores[*sem as usize]
        ),
        Op::CondWait { cond, mutex } => format!(
            "{name} releases {} and waits on {}.",
            program.mutexes[*mutex as usize], program.conds[*cond as usize]
        ),
        Op::CondReacquire { cond, mutex } => {
            let spurious = before.world.conds[*cond as usize].contains(&(thread as u8));
            format!(
                "{name} {} and takes {} again.",
                if spurious {
                    "wakes up without a notify (a spurious wake-up)"
                } else {
                    "was notified"
                },
                program.mutexes[*mutex as usize]
            )
        }
        Op::Notify { cond, all } => {
            let queue = &before.world.conds[*cond as usize];
            let woken: Vec<&str> = queue
                .iter()
                .take(if *all { queue.len() } else { 1 })
                .map(|&waiter| program.threads[waiter as usize].name.as_str())
                .collect();
            let what = if *all { "notifies all on" } else { "notifies" };
            let cond = &program.conds[*cond as usize];
            if woken.is_empty() {
                format!("{name} {what} {cond}, but nobody waits: the notify is lost.")
            } else {
                format!("{name} {what} {cond}: {} may go on.", woken.join(" and "))
            }
        }
        Op::ReadLock(lock) => format!(
            "{name} takes {} for reading.",
            program.rwlocks[*lock as usize]
        ),
        Op::ReadUnlock(lock) => {
            format!("{name} stops reading {}.", program.rwlocks[*lock as usize])
        }
        Op::WriteLock(lock) => format!(
            "{name} takes {} for writing.",
            program.rwlocks[*lock as usize]
        ),
        Op::WriteUnlock(lock) => {
            format!("{name} stops writing {}.", program.rwlocks[*lock as usize])
        }
        Op::Arrive(barrier) => {
            let info = &program.barriers[*barrier as usize];
            if after.world.barriers[*barrier as usize] == 0 {
                format!(
                    "{name} arrives at {}, the last of {}: every thread there may go on.",
                    info.name, info.count
                )
            } else {
                format!(
                    "{name} arrives at {} ({} of {}).",
                    info.name,
                    after.world.barriers[*barrier as usize].count_ones(),
                    info.count
                )
            }
        }
        Op::Progress => format!("{name} makes progress."),
        Op::PassBarrier(barrier) => format!(
            "{name} goes on past {}.",
            program.barriers[*barrier as usize].name
        ),
        Op::Load { dst, var } => format!(
            "{name} reads {} ({}) into {}.",
            program.shared[*var as usize].name,
            now(dst),
            slot(dst)
        ),
        Op::Store { var, .. } => format!(
            "{name} writes {} to {}.",
            after.world.shared[*var as usize], program.shared[*var as usize].name
        ),
        Op::LoadField { dst, field, node } => format!(
            "{name} reads {}'s {} ({}) into {}.",
            node_name(node),
            field.name(),
            now(dst),
            slot(dst)
        ),
        Op::StoreField { field, node, src } => format!(
            "{name} sets {}'s {} to {}.",
            node_name(node),
            field.name(),
            eval_on(&before.threads[thread].locals, src)
                .map_or_else(|err| err, |value| value.to_string())
        ),
        Op::Compute { dst, expr } if expr.is_simple() => {
            format!("{name} sets {} to {}.", slot(dst), now(dst))
        }
        Op::Compute { dst, expr } => format!(
            "{name} computes {} = {} into {}.",
            code.pure_text(expr),
            now(dst),
            slot(dst)
        ),
        Op::Branch { cond, .. } => {
            let holds = eval_on(&before.threads[thread].locals, cond).map(|value| value.truthy());
            let word = match holds {
                Ok(true) => "true",
                Ok(false) => "false",
                Err(_) => "an error",
            };
            format!("{name} tests {}: {word}.", code.pure_text(cond))
        }
        Op::Jump { .. } => format!("{name} jumps."),
        Op::Lock(m) => format!("{name} takes {}.", program.mutexes[*m as usize]),
        Op::Unlock(m) => format!("{name} releases {}.", program.mutexes[*m as usize]),
        Op::TryLock { dst, mutex } => {
            let got = after.threads[thread].locals[*dst as usize] == Value::Int(1);
            format!(
                "{name} tries {}: {}.",
                program.mutexes[*mutex as usize],
                if got {
                    "it was free, now held"
                } else {
                    "it is held, so no"
                }
            )
        }
        Op::LockAll(ms) => format!(
            "{name} takes {} at once.",
            ms.iter()
                .map(|m| program.mutexes[*m as usize].as_str())
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        Op::EnterCritical => format!("{name} enters the critical section."),
        Op::ExitCritical => format!("{name} leaves the critical section."),
        Op::Assert { text, .. } => match after.threads[thread].status {
            Status::Failed(_) => format!("{name} checks {text}: it fails!"),
            _ => format!("{name} checks {text}: it holds."),
        },
        Op::New { dst, .. } => format!("{name} allocates {} into {}.", now(dst), slot(dst)),
        Op::Open { dst, file } => {
            format!(
                "{name} opens {} as {}.",
                program.files[*file as usize].name,
                slot(dst)
            )
        }
        Op::Read { dst, .. } => format!("{name} reads the file: {}.", now(dst)),
        Op::SeekEnd { handle } => format!(
            "{name} moves {} to the end of the file ({}).",
            slot(handle),
            now(handle)
        ),
        Op::Write { handle, .. } => format!(
            "{name} writes through {} (now {}).",
            slot(handle),
            now(handle)
        ),
        Op::Flock { exclusive, .. } => format!(
            "{name} takes a {} file lock.",
            if *exclusive { "exclusive" } else { "shared" }
        ),
        Op::Funlock { .. } => format!("{name} releases its file lock."),
    };
    if let Some(lost) = effects.lost_update {
        let other = &program.threads[lost.overwriter as usize];
        let place = loc_text(program, after, lost.loc);
        text.push_str(&format!(
            " It computed that value from its read of {place} at line {}, but {} wrote {place} at line {} in between: {}'s update is lost!",
            code.instrs[lost.read_pc as usize].line,
            other.name,
            other.instrs[lost.overwrite_pc as usize].line,
            other.name,
        ));
    }
    if effects.broke_mutual_exclusion {
        text.push_str(" Another thread is already inside: mutual exclusion is broken!");
    }
    match &after.threads[thread].status {
        Status::Failed(failure) if !matches!(code.instrs[pc as usize].op, Op::Assert { .. }) => {
            text.push_str(&format!(" {name} stops: {failure}."));
        }
        Status::Done => text.push_str(&format!(" {name} has finished.")),
        _ => {}
    }
    if after.phase(program) == Phase::Deadlock {
        text.push_str(&format!(
            " Now no thread can go on: {}.",
            deadlock_text(program, after)
        ));
    }
    text
}

/// An array element as a step names it, `buf[2]`, its index evaluated on
/// the thread's locals before the step.
fn element(program: &Program, locals: &[Value], array: u8, index: &Pure) -> String {
    let name = &program.arrays[array as usize].name;
    match eval_on(locals, index) {
        Ok(at) => format!("{name}[{at}]"),
        Err(_) => format!("{name}[?]"),
    }
}

/// The colour of a thread's steps on the timeline.
pub fn thread_colour(thread: usize) -> &'static str {
    PALETTE[thread % PALETTE.len()]
}

/// The run on the shared timeline: a lane per thread, a span per step
/// (time is the step number), hatched spans while a thread waits for a
/// lock, and events for locks, failures and deadlock.
pub fn to_trace(program: &Program, run: &Run) -> Trace {
    let mut trace = Trace {
        unit: "step".into(),
        lanes: program
            .threads
            .iter()
            .map(|code| Lane {
                name: code.name.clone(),
                kind: LaneKind::Thread,
                spans: Vec::new(),
            })
            .collect(),
        end: run.steps.len() as u64,
        ..Trace::default()
    };
    let mut waiting: Vec<Option<(String, usize)>> = vec![None; program.threads.len()];
    for (idx, step) in run.steps.iter().enumerate() {
        let time = idx as u64;
        trace.tasks.push(TaskInfo {
            name: format!(
                "{}: {} (line {})",
                program.threads[step.thread].name, step.text, step.line
            ),
            colour: Some(thread_colour(step.thread).to_owned()),
        });
        trace.lanes[step.thread].spans.push(Span {
            start: time,
            end: time + 1,
            kind: SpanKind::Running,
            task: Some(trace.tasks.len() - 1),
            other: None,
        });
        let before = &run.states[idx];
        let after = &run.states[idx + 1];
        // Taking or giving back a mutex, a semaphore's unit or a
        // reader-writer lock is an acquire or release on the thread's lane.
        let mut changes: Vec<bool> = Vec::new();
        for (was, now) in before.world.mutexes.iter().zip(&after.world.mutexes) {
            if was != now {
                changes.push(now.is_some());
            }
        }
        for (was, now) in before.world.semaphores.iter().zip(&after.world.semaphores) {
            if was != now {
                changes.push(now < was);
            }
        }
        for (was, now) in before.world.rwlocks.iter().zip(&after.world.rwlocks) {
            if was != now {
                changes.push(
                    now.writer.is_some() || now.readers.count_ones() > was.readers.count_ones(),
                );
            }
        }
        for acquire in changes {
            trace.events.push(Event {
                time,
                kind: if acquire {
                    EventKind::Acquire
                } else {
                    EventKind::Release
                },
                task: None,
                lane: Some(step.thread),
                other: None,
                wait: None,
            });
        }
        if before.threads[step.thread].status == Status::Running
            && matches!(after.threads[step.thread].status, Status::Failed(_))
        {
            trace.events.push(Event {
                time: time + 1,
                kind: EventKind::Fail,
                task: None,
                lane: Some(step.thread),
                other: None,
                wait: None,
            });
        }
        for (thread, slot) in waiting.iter_mut().enumerate() {
            let readiness = before.readiness(program, thread);
            let reason = readiness.is_waiting().then(|| why_not(program, &readiness));
            let same = matches!((&*slot, &reason), (Some((open, _)), Some(now)) if open == now);
            if !same {
                if let Some((why, start)) = slot.take() {
                    close_wait(&mut trace, program, thread, why, start, time);
                }
                if let Some(why) = reason {
                    *slot = Some((why, idx));
                }
            }
        }
    }
    let end = run.steps.len() as u64;
    for (thread, slot) in waiting.into_iter().enumerate() {
        if let Some((why, start)) = slot {
            close_wait(&mut trace, program, thread, why, start, end);
        }
    }
    for lane in &mut trace.lanes {
        lane.spans.sort_by_key(|span| span.start);
    }
    if run.last().phase(program) == Phase::Deadlock {
        trace.events.push(Event {
            time: end,
            kind: EventKind::Deadlock,
            task: None,
            lane: None,
            other: None,
            wait: None,
        });
    }
    trace.events.sort_by_key(|event| event.time);
    trace
}

fn close_wait(
    trace: &mut Trace,
    program: &Program,
    thread: usize,
    why: String,
    start: usize,
    end: u64,
) {
    let name = &program.threads[thread].name;
    if end <= start as u64 {
        return;
    }
    trace.tasks.push(TaskInfo {
        name: format!("{name} {why}"),
        colour: Some(thread_colour(thread).to_owned()),
    });
    trace.lanes[thread].spans.push(Span {
        start: start as u64,
        end,
        kind: SpanKind::Waiting,
        task: Some(trace.tasks.len() - 1),
        other: None,
    });
}

/// `deadlock: A waits for b (held by B); B waits for a (held by A)`.
pub fn deadlock_text(program: &Program, state: &State) -> String {
    let waits: Vec<String> = (0..state.threads.len())
        .filter_map(|thread| {
            let name = &program.threads[thread].name;
            match state.readiness(program, thread) {
                Readiness::WaitsForMutex { mutex, owner } => Some(format!(
                    "{name} waits for {} (held by {})",
                    program.mutexes[mutex as usize], program.threads[owner as usize].name
                )),
                Readiness::WaitsForFile { file } => Some(format!(
                    "{name} waits for a lock on {}",
                    program.files[file as usize].name
                )),
                readiness @ (Readiness::WaitsForSemaphore { .. }
                | Readiness::WaitsForNotify { .. }
                | Readiness::WaitsForRwLock { .. }
                | Readiness::WaitsAtBarrier { .. }) => {
                    Some(format!("{name} {}", why_not(program, &readiness)))
                }
                _ => None,
            }
        })
        .collect();
    format!("deadlock: {}", waits.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::races::compile_source;

    const COUNTER: &str = "shared x = 0\nthread A { x = x + 1 }\nthread B { x = x + 1 }\n";

    #[test]
    fn a_thread_holds_its_temporaries_and_says_when_they_are_stale() {
        let program = compile_source(COUNTER).unwrap();
        // B reads x into its temporary, then A increments x.
        let run = replay(&program, &[1, 0, 0, 0]).unwrap();
        let b = held(&program, run.last(), 1);
        assert_eq!(b.len(), 1, "{b:?}");
        assert_eq!((b[0].value.as_str(), b[0].temporary), ("0", true));
        assert_eq!(b[0].read_from, ["x"]);
        assert_eq!(b[0].stale, ["A wrote x"]);
        assert!(b[0].name.starts_with('t'), "{}", b[0].name);
        // A used its temporaries: it holds nothing.
        assert_eq!(held(&program, run.last(), 0), []);
    }

    #[test]
    fn schedules_read_names_and_repeats_and_say_what_is_wrong() {
        let program = compile_source(COUNTER).unwrap();
        assert_eq!(
            parse(&program, "A, B A*2  B*2").unwrap(),
            vec![0, 1, 0, 0, 1, 1]
        );
        assert_eq!(to_text(&program, &[0, 1, 1]), "A B B");
        assert_eq!(
            parse(&program, "A C").unwrap_err().to_string(),
            "schedule[1]: there is no thread 'C' (hint: the threads are A, B)"
        );
        assert_eq!(
            replay(&program, &[0, 0, 0, 0]).unwrap_err().to_string(),
            "schedule[3]: step 4: A has finished"
        );
    }

    #[test]
    fn narration_tells_the_lost_update() {
        let program = compile_source(COUNTER).unwrap();
        let run = replay(&program, &[0, 1, 0, 0, 1, 1]).unwrap();
        let lines: Vec<&str> = run
            .steps
            .iter()
            .map(|step| step.narration.as_str())
            .collect();
        assert_eq!(
            lines,
            vec![
                "A reads x (0) into t1.",
                "B reads x (0) into t1.",
                "A computes t1 + 1 = 1 into t2.",
                "A writes 1 to x. A has finished.",
                "B computes t1 + 1 = 1 into t2.",
                "B writes 1 to x. It computed that value from its read of x at line 3, but A wrote x at line 2 in between: A's update is lost! B has finished.",
            ]
        );
    }

    #[test]
    fn the_trace_has_a_span_per_step_and_hatched_waits() {
        let program = compile_source(
            "mutex m\nthread A { lock(m); unlock(m) }\nthread B { lock(m); unlock(m) }\n",
        )
        .unwrap();
        let run = replay(&program, &[0, 0, 1, 1]).unwrap();
        let trace = to_trace(&program, &run);
        trace.check_invariants().unwrap();
        assert_eq!(trace.lanes[0].spans.len(), 2);
        let mut run = Run::new(&program);
        run.step(&program, 0).unwrap();
        assert_eq!(
            run.step(&program, 1).unwrap_err(),
            "B waits for m (held by A)"
        );
        run.step(&program, 0).unwrap();
        run.step(&program, 1).unwrap();
        let trace = to_trace(&program, &run);
        let waits: Vec<_> = trace.lanes[1]
            .spans
            .iter()
            .filter(|span| span.kind == SpanKind::Waiting)
            .map(|span| (span.start, span.end))
            .collect();
        assert_eq!(waits, vec![(1, 2)]);
    }
}
