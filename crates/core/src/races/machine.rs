//! The step machine: the full state of a race program and one step of one
//! thread at a time.
//!
//! A [`State`] holds every thread's program counter and locals, the shared
//! variables, the heap, each mutex's owner, the files and their locks.
//! [`State::step`] runs one indivisible step of one thread; which threads
//! can step is [`State::readiness`]. The machine also watches for the
//! lessons' failures: two threads in the critical section, and lost
//! updates.
//!
//! A lost update is what textbooks mean by it: a write whose value was
//! computed from a read of the same location, when another thread wrote
//! that location between the read and the write. Every local value carries
//! the shared reads it was computed from ([`Dep`]), through temporaries,
//! locals and arithmetic; a write of an unrelated value (Peterson's
//! `turn = other`, a flag lock's `busy = 1`) overwrites, but loses nothing
//! the writer had computed from.

use std::fmt::Write as _;
use std::rc::Rc;

use super::limits;
use super::program::{AtomicKind, Code, Node, Op, Program, Pure, Slot, Target, Value};
use super::syntax::{BinOp, Field, UnOp};

/// A shared location a thread can read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Loc {
    Var(u16),
    Field(u16, FieldKey),
}

/// [`Field`] with an order, for sorted location lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldKey {
    Value,
    Next,
}

impl From<Field> for FieldKey {
    fn from(field: Field) -> Self {
        match field {
            Field::Value => FieldKey::Value,
            Field::Next => FieldKey::Next,
        }
    }
}

/// A shared read a local value was computed from: where, by which step,
/// and (once another thread wrote that location since) that write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Dep {
    pub loc: Loc,
    /// The reading step's instruction index.
    pub read_pc: u32,
    /// The other thread that wrote the location after the read, and its
    /// writing step's instruction index.
    pub overwritten: Option<(u8, u32)>,
}

/// A lost update: the step that lost it wrote `loc` with a value computed
/// from its read at `read_pc`, but `overwriter` wrote `loc` at
/// `overwrite_pc` in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LostUpdate {
    pub loc: Loc,
    pub read_pc: u32,
    pub overwriter: u8,
    pub overwrite_pc: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Status {
    Running,
    Done,
    Failed(Failure),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Failure {
    Assert { line: u32, text: Rc<str> },
    Error { line: u32, message: Rc<str> },
}

impl Failure {
    pub fn line(&self) -> u32 {
        match self {
            Failure::Assert { line, .. } | Failure::Error { line, .. } => *line,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Assert { line, text } => write!(f, "assert({text}) failed at line {line}"),
            Failure::Error { line, message } => write!(f, "error at line {line}: {message}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThreadState {
    pub pc: u32,
    pub status: Status,
    pub locals: Vec<Value>,
    /// For each local slot, the shared reads its value was computed from,
    /// sorted (empty for most).
    pub deps: Vec<Vec<Dep>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FileState {
    pub contents: String,
    pub exclusive: Option<u8>,
    /// Threads holding a shared lock, as bits.
    pub shared: u32,
}

/// A reader-writer lock: its writer, or its readers (as bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RwState {
    pub writer: Option<u8>,
    pub readers: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Flags {
    /// Two threads were in the critical section at once.
    pub critical: bool,
    /// A thread wrote a value computed from a stale read (see [`LostUpdate`]).
    pub lost_update: bool,
}

/// Everything shared between threads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct World {
    pub shared: Vec<Value>,
    pub heap: Vec<Node>,
    pub mutexes: Vec<Option<u8>>,
    /// Each semaphore's count.
    pub semaphores: Vec<u32>,
    /// Each condition variable's waiting threads, longest waiting first.
    pub conds: Vec<Vec<u8>>,
    pub rwlocks: Vec<RwState>,
    /// Each barrier's threads that have arrived in this round, as bits.
    pub barriers: Vec<u32>,
    pub files: Vec<FileState>,
    /// Threads inside the critical section, as bits.
    pub critical: u32,
    pub flags: Flags,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct State {
    pub threads: Vec<ThreadState>,
    pub world: World,
}

/// Whether a thread can step now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Waiting for a mutex held by another thread.
    WaitsForMutex {
        mutex: u8,
        owner: u8,
    },
    /// Waiting for a file lock held by another thread.
    WaitsForFile {
        file: u8,
    },
    /// Waiting for a semaphore whose count is 0.
    WaitsForSemaphore {
        sem: u8,
    },
    /// In a condition variable's queue, waiting for a notify.
    WaitsForNotify {
        cond: u8,
    },
    /// Waiting for a reader-writer lock that others hold.
    WaitsForRwLock {
        lock: u8,
        writer: Option<u8>,
        /// The other threads reading, as bits.
        readers: u32,
    },
    /// Arrived at a barrier; waiting until the rest arrive.
    WaitsAtBarrier {
        barrier: u8,
        arrived: u8,
    },
    Finished,
}

impl Readiness {
    /// Blocked: waiting for another thread to do something.
    pub fn is_waiting(&self) -> bool {
        !matches!(self, Readiness::Ready | Readiness::Finished)
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Some thread can step.
    Running,
    /// Every thread has finished (done or failed).
    Finished,
    /// No thread can step but some have not finished: every live thread
    /// is blocked.
    Deadlock,
}

/// What a step did that the lessons care about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Effects {
    /// This step wrote a value computed from a stale read: another
    /// thread's update is lost.
    pub lost_update: Option<LostUpdate>,
    /// This step entered the critical section while another thread was in it.
    pub broke_mutual_exclusion: bool,
}

/// How the check after all threads went.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AfterResult {
    Passed,
    Failed(Failure),
    /// The check did not finish within the step limit.
    Runaway,
}

fn bit(thread: usize) -> u32 {
    1 << thread
}

impl ThreadState {
    fn new(code: &Code) -> Self {
        ThreadState {
            pc: code.settle(0),
            status: if code.instrs.is_empty() {
                Status::Done
            } else {
                Status::Running
            },
            locals: vec![Value::Null; code.slots.len()],
            deps: vec![Vec::new(); code.slots.len()],
        }
    }

    /// The shared reads `expr`'s value comes from; the temporaries it
    /// reads are used up, so their reads are forgotten.
    fn take_deps(&mut self, expr: &Pure) -> Vec<Dep> {
        let mut out = Vec::new();
        self.collect_deps(expr, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    fn collect_deps(&mut self, expr: &Pure, out: &mut Vec<Dep>) {
        match expr {
            Pure::Const(_) => {}
            Pure::Local(slot) => out.extend_from_slice(&self.deps[*slot as usize]),
            Pure::Temp(slot) => out.append(&mut self.deps[*slot as usize]),
            Pure::Unary(_, inner) | Pure::Len(inner) => self.collect_deps(inner, out),
            Pure::Binary(_, left, right) => {
                self.collect_deps(left, out);
                self.collect_deps(right, out);
            }
        }
    }

    /// Another thread wrote `loc` at `pc`: reads of it are stale now.
    fn overwritten(&mut self, loc: Loc, writer: u8, pc: u32) {
        for dep in self.deps.iter_mut().flatten() {
            if dep.loc == loc && dep.overwritten.is_none() {
                dep.overwritten = Some((writer, pc));
            }
        }
    }
}

/// The first stale read of `loc` among `deps`: a write of a value built
/// from it loses the other thread's update.
fn stale_read(deps: &[Dep], loc: Loc) -> Option<LostUpdate> {
    deps.iter().find_map(|dep| {
        let (overwriter, overwrite_pc) = dep.overwritten?;
        (dep.loc == loc).then_some(LostUpdate {
            loc,
            read_pc: dep.read_pc,
            overwriter,
            overwrite_pc,
        })
    })
}

impl State {
    pub fn initial(program: &Program) -> State {
        State {
            threads: program.threads.iter().map(ThreadState::new).collect(),
            world: World {
                shared: program.shared.iter().map(|var| var.init.clone()).collect(),
                heap: program.heap.clone(),
                mutexes: vec![None; program.mutexes.len()],
                semaphores: program.semaphores.iter().map(|sem| sem.count).collect(),
                conds: vec![Vec::new(); program.conds.len()],
                rwlocks: vec![RwState::default(); program.rwlocks.len()],
                barriers: vec![0; program.barriers.len()],
                files: program
                    .files
                    .iter()
                    .map(|file| FileState {
                        contents: file.contents.clone(),
                        exclusive: None,
                        shared: 0,
                    })
                    .collect(),
                critical: 0,
                flags: Flags::default(),
            },
        }
    }

    pub fn readiness(&self, program: &Program, thread: usize) -> Readiness {
        let state = &self.threads[thread];
        if state.status != Status::Running {
            return Readiness::Finished;
        }
        let code = &program.threads[thread];
        let me = thread as u8;
        match &code.instrs[state.pc as usize].op {
            Op::Lock(m) => match self.world.mutexes[*m as usize] {
                Some(owner) if owner != me => Readiness::WaitsForMutex { mutex: *m, owner },
                _ => Readiness::Ready,
            },
            Op::LockAll(ms) => {
                for m in ms {
                    if let Some(owner) = self.world.mutexes[*m as usize]
                        && owner != me
                    {
                        return Readiness::WaitsForMutex { mutex: *m, owner };
                    }
                }
                Readiness::Ready
            }
            Op::Acquire(sem) if self.world.semaphores[*sem as usize] == 0 => {
                Readiness::WaitsForSemaphore { sem: *sem }
            }
            Op::CondReacquire { cond, mutex } => {
                let queued = self.world.conds[*cond as usize].contains(&me);
                match self.world.mutexes[*mutex as usize] {
                    _ if queued && !program.spurious_wakeups => {
                        Readiness::WaitsForNotify { cond: *cond }
                    }
                    Some(owner) if owner != me => Readiness::WaitsForMutex {
                        mutex: *mutex,
                        owner,
                    },
                    _ => Readiness::Ready,
                }
            }
            Op::ReadLock(lock) | Op::WriteLock(lock) => {
                let rw = self.world.rwlocks[*lock as usize];
                let writer = rw.writer.filter(|&writer| writer != me);
                let readers = rw.readers & !bit(thread);
                let writing = matches!(code.instrs[state.pc as usize].op, Op::WriteLock(_));
                if writer.is_some() || (writing && readers != 0) {
                    Readiness::WaitsForRwLock {
                        lock: *lock,
                        writer,
                        readers,
                    }
                } else {
                    Readiness::Ready
                }
            }
            Op::PassBarrier(barrier)
                if self.world.barriers[*barrier as usize] & bit(thread) != 0 =>
            {
                Readiness::WaitsAtBarrier {
                    barrier: *barrier,
                    arrived: self.world.barriers[*barrier as usize].count_ones() as u8,
                }
            }
            Op::Flock { handle, exclusive } => {
                let Value::Handle { file, .. } = state.locals[*handle as usize] else {
                    return Readiness::Ready;
                };
                let lock = &self.world.files[file as usize];
                let others_exclusive = lock.exclusive.is_some_and(|owner| owner != me);
                let others_shared = lock.shared & !bit(thread) != 0;
                if others_exclusive || (*exclusive && others_shared) {
                    Readiness::WaitsForFile { file }
                } else {
                    Readiness::Ready
                }
            }
            _ => Readiness::Ready,
        }
    }

    pub fn can_step(&self, program: &Program, thread: usize) -> bool {
        self.readiness(program, thread) == Readiness::Ready
    }

    pub fn phase(&self, program: &Program) -> Phase {
        let mut live = false;
        for thread in 0..self.threads.len() {
            match self.readiness(program, thread) {
                Readiness::Ready => return Phase::Running,
                Readiness::Finished => {}
                _ => live = true,
            }
        }
        if live {
            Phase::Deadlock
        } else {
            Phase::Finished
        }
    }

    /// Runs one step of `thread`, which must be ready.
    pub fn step(&mut self, program: &Program, thread: usize) -> Effects {
        let code = &program.threads[thread];
        let (threads, world) = (&mut self.threads, &mut self.world);
        let mut effects = Effects::default();
        let pc = threads[thread].pc;
        let written = exec(
            world,
            &mut threads[thread],
            thread,
            code,
            program,
            &mut effects,
        );
        if let Some(loc) = written {
            for (other, state) in threads.iter_mut().enumerate() {
                if other != thread {
                    state.overwritten(loc, thread as u8, pc);
                }
            }
        }
        effects
    }

    /// Runs the program's final check on this (finished) state.
    pub fn run_after(&self, program: &Program) -> AfterResult {
        let Some(code) = &program.after else {
            return AfterResult::Passed;
        };
        let mut world = self.world.clone();
        let mut state = ThreadState::new(code);
        let mut effects = Effects::default();
        for _ in 0..limits::MAX_AFTER_STEPS {
            match &state.status {
                Status::Done => return AfterResult::Passed,
                Status::Failed(failure) => return AfterResult::Failed(failure.clone()),
                Status::Running => {}
            }
            if let Op::Lock(_)
            | Op::LockAll(_)
            | Op::Flock { .. }
            | Op::Acquire(_)
            | Op::CondWait { .. }
            | Op::ReadLock(_)
            | Op::WriteLock(_)
            | Op::Arrive(_) = code.instrs[state.pc as usize].op
            {
                // The check runs alone; a lock still held by a finished thread
                // would make it wait forever, and nobody is left to notify it
                // or to arrive at a barrier.
                let line = code.instrs[state.pc as usize].line;
                return AfterResult::Failed(Failure::Error {
                    line,
                    message: "the final check takes no locks and waits for nothing".into(),
                });
            }
            exec(
                &mut world,
                &mut state,
                limits::MAX_THREADS,
                code,
                program,
                &mut effects,
            );
        }
        AfterResult::Runaway
    }

    /// The values of a node list starting at `value`, as `[1, 2, 3]`
    /// (with `…` if it loops).
    pub fn list_text(&self, value: &Value) -> String {
        let mut out = String::from("[");
        let mut cur = value.clone();
        let mut hops = 0;
        while let Value::Node(node) = cur {
            if hops > 0 {
                out.push_str(", ");
            }
            if hops > self.world.heap.len() {
                out.push('…');
                break;
            }
            let node = &self.world.heap[node as usize];
            let _ = write!(out, "{}", node.value);
            cur = node.next.clone();
            hops += 1;
        }
        out.push(']');
        out
    }
}

fn error(line: u32, message: String) -> Failure {
    Failure::Error {
        line,
        message: message.into(),
    }
}

/// Evaluates a pure expression on a copy of a thread's locals.
pub fn eval_on(locals: &[Value], expr: &Pure) -> Result<Value, String> {
    eval(&mut locals.to_vec(), expr)
}

fn eval(locals: &mut [Value], expr: &Pure) -> Result<Value, String> {
    Ok(match expr {
        Pure::Const(value) => value.clone(),
        Pure::Local(slot) => locals[*slot as usize].clone(),
        Pure::Temp(slot) => std::mem::take(&mut locals[*slot as usize]),
        Pure::Unary(UnOp::Not, inner) => Value::Int(i64::from(!eval(locals, inner)?.truthy())),
        Pure::Unary(UnOp::Neg, inner) => match eval(locals, inner)? {
            Value::Int(value) => Value::Int(value.checked_neg().ok_or("the number overflows")?),
            other => return Err(format!("cannot negate {}", other.type_name())),
        },
        Pure::Len(inner) => match eval(locals, inner)? {
            Value::Str(text) => Value::Int(text.chars().count() as i64),
            other => return Err(format!("len takes a string, not {}", other.type_name())),
        },
        Pure::Binary(op, left, right) => {
            let left = eval(locals, left)?;
            let right = eval(locals, right)?;
            binary(*op, left, right)?
        }
    })
}

/// `a + b` for strings, refused (before it is built) past the longest
/// string a program may hold.
fn joined(a: &str, b: &str) -> Result<Value, String> {
    let chars = a.chars().count() + b.chars().count();
    if chars > limits::MAX_STRING_CHARS {
        return Err(format!(
            "the string would be {chars} characters; the most is {}",
            limits::MAX_STRING_CHARS
        ));
    }
    Ok(Value::Str(format!("{a}{b}").into()))
}

fn binary(op: BinOp, left: Value, right: Value) -> Result<Value, String> {
    let flag = |value: bool| Value::Int(i64::from(value));
    Ok(match (op, &left, &right) {
        (BinOp::Or, _, _) => flag(left.truthy() || right.truthy()),
        (BinOp::And, _, _) => flag(left.truthy() && right.truthy()),
        (BinOp::Eq, _, _) => flag(left == right),
        (BinOp::Ne, _, _) => flag(left != right),
        (BinOp::Add, Value::Str(a), Value::Str(b)) => joined(a, b)?,
        (BinOp::Add, Value::Str(a), Value::Int(b)) => joined(a, &b.to_string())?,
        (_, Value::Int(a), Value::Int(b)) => {
            let (a, b) = (*a, *b);
            let overflow = || "the number overflows".to_owned();
            match op {
                BinOp::Lt => flag(a < b),
                BinOp::Le => flag(a <= b),
                BinOp::Gt => flag(a > b),
                BinOp::Ge => flag(a >= b),
                BinOp::Add => Value::Int(a.checked_add(b).ok_or_else(overflow)?),
                BinOp::Sub => Value::Int(a.checked_sub(b).ok_or_else(overflow)?),
                BinOp::Mul => Value::Int(a.checked_mul(b).ok_or_else(overflow)?),
                BinOp::Div | BinOp::Rem if b == 0 => return Err("division by zero".into()),
                BinOp::Div => Value::Int(a.checked_div(b).ok_or_else(overflow)?),
                BinOp::Rem => Value::Int(a.checked_rem(b).ok_or_else(overflow)?),
                BinOp::Or | BinOp::And | BinOp::Eq | BinOp::Ne => unreachable!("handled above"),
            }
        }
        _ => {
            return Err(format!(
                "cannot apply {} to {} and {}",
                op.symbol(),
                left.type_name(),
                right.type_name()
            ));
        }
    })
}

fn node_of(value: Value, field: Field) -> Result<u16, String> {
    match value {
        Value::Node(node) => Ok(node),
        other => Err(format!(
            "reading .{} of {}",
            field.name(),
            other.type_name()
        )),
    }
}

/// The shared variable an array element or an atomic's target is, its
/// index evaluated (and checked) now.
fn element_var(
    locals: &mut [Value],
    program: &Program,
    array: u8,
    index: &Pure,
) -> Result<u16, String> {
    let info = &program.arrays[array as usize];
    match eval(locals, index)? {
        Value::Int(at) if (0..i64::from(info.len)).contains(&at) => Ok(info.first + at as u16),
        Value::Int(at) => Err(format!(
            "{}[{at}] is out of bounds: {} has {} elements",
            info.name, info.name, info.len
        )),
        other => Err(format!(
            "an index into {} is a number, not {}",
            info.name,
            other.type_name()
        )),
    }
}

/// The shared variable an atomic's target is, its index evaluated on a
/// copy of a thread's locals (for narration).
pub fn target_var_on(locals: &[Value], program: &Program, target: &Target) -> Result<u16, String> {
    target_var(&mut locals.to_vec(), program, target)
}

fn target_var(locals: &mut [Value], program: &Program, target: &Target) -> Result<u16, String> {
    match target {
        Target::Var(var) => Ok(*var),
        Target::Element { array, index } => element_var(locals, program, *array, index),
    }
}

/// One atomic read-modify-write of `world.shared[var]`: what it gives, and
/// whether it wrote.
fn atomic(
    locals: &mut [Value],
    old: &Value,
    kind: &AtomicKind,
    name: &str,
) -> Result<(Value, Option<Value>), String> {
    Ok(match kind {
        AtomicKind::FetchAdd(delta) => {
            let delta = eval(locals, delta)?;
            let (Value::Int(now), Value::Int(delta)) = (old, &delta) else {
                return Err(format!(
                    "fetch_add adds numbers: {name} is {} and the amount {}",
                    old.type_name(),
                    delta.type_name()
                ));
            };
            let sum = now.checked_add(*delta).ok_or("the number overflows")?;
            (old.clone(), Some(Value::Int(sum)))
        }
        AtomicKind::CompareAndSwap { expected, new } => {
            let expected = eval(locals, expected)?;
            let new = eval(locals, new)?;
            let swap = *old == expected;
            (Value::Int(i64::from(swap)), swap.then_some(new))
        }
        AtomicKind::Exchange(value) => (old.clone(), Some(eval(locals, value)?)),
        AtomicKind::TestAndSet => (old.clone(), Some(Value::Int(1))),
    })
}

fn handle_of(locals: &[Value], slot: Slot) -> Result<(u8, u32), String> {
    match locals[slot as usize] {
        Value::Handle { file, offset } => Ok((file, offset)),
        ref other => Err(format!(
            "expected a file handle, found {}",
            other.type_name()
        )),
    }
}

/// Runs one step of `code` on `state` (thread number `thread`); returns
/// the shared location written, if any.
fn exec(
    world: &mut World,
    state: &mut ThreadState,
    thread: usize,
    code: &Code,
    program: &Program,
    effects: &mut Effects,
) -> Option<Loc> {
    let pc = state.pc;
    let instr = &code.instrs[pc as usize];
    let mut next = pc + 1;
    let mut written = None;
    let me = thread as u8;
    // The shared reads behind the value this step puts in a local, and
    // behind the value it writes (taken before `eval` uses up temporaries).
    let (dst_deps, value_deps) = step_deps(state, &instr.op);
    let mut lost = None;
    let mut read = None;
    let result: Result<(), String> = (|| {
        let locals = &mut state.locals;
        match &instr.op {
            Op::Load { dst, var } => {
                locals[*dst as usize] = world.shared[*var as usize].clone();
                read = Some(Loc::Var(*var));
            }
            Op::Store { var, src } => {
                let value = eval(locals, src)?;
                world.shared[*var as usize] = value;
                let loc = Loc::Var(*var);
                lost = stale_read(&value_deps, loc);
                written = Some(loc);
            }
            Op::LoadIndex { dst, array, index } => {
                let var = element_var(locals, program, *array, index)?;
                locals[*dst as usize] = world.shared[var as usize].clone();
                read = Some(Loc::Var(var));
            }
            Op::StoreIndex { array, index, src } => {
                let var = element_var(locals, program, *array, index)?;
                world.shared[var as usize] = eval(locals, src)?;
                let loc = Loc::Var(var);
                lost = stale_read(&value_deps, loc);
                written = Some(loc);
            }
            Op::Atomic { dst, target, kind } => {
                let var = target_var(locals, program, target)?;
                let name = &program.shared[var as usize].name;
                let (gives, writes) = atomic(locals, &world.shared[var as usize], kind, name)?;
                let loc = Loc::Var(var);
                read = Some(loc);
                if let Some(value) = writes {
                    world.shared[var as usize] = value;
                    lost = stale_read(&value_deps, loc);
                    written = Some(loc);
                }
                if let Some(dst) = dst {
                    locals[*dst as usize] = gives;
                }
            }
            Op::LoadField { dst, node, field } => {
                let node = node_of(eval(locals, node)?, *field)?;
                let cell = &world.heap[node as usize];
                locals[*dst as usize] = match field {
                    Field::Value => cell.value.clone(),
                    Field::Next => cell.next.clone(),
                };
                read = Some(Loc::Field(node, (*field).into()));
            }
            Op::StoreField { node, field, src } => {
                let node = node_of(eval(locals, node)?, *field)
                    .map_err(|err| err.replace("reading", "writing"))?;
                let value = eval(locals, src)?;
                let cell = &mut world.heap[node as usize];
                match field {
                    Field::Value => cell.value = value,
                    Field::Next => cell.next = value,
                }
                let loc = Loc::Field(node, (*field).into());
                lost = stale_read(&value_deps, loc);
                written = Some(loc);
            }
            Op::Compute { dst, expr } => {
                locals[*dst as usize] = eval(locals, expr)?;
            }
            Op::Branch { cond, if_false } => {
                if !eval(locals, cond)?.truthy() {
                    next = *if_false;
                }
            }
            Op::Jump { to } => next = *to,
            Op::Lock(m) => {
                let owner = &mut world.mutexes[*m as usize];
                if *owner == Some(me) {
                    return Err(format!(
                        "this thread already holds {}: locking it again waits forever",
                        program.mutexes[*m as usize]
                    ));
                }
                *owner = Some(me);
            }
            Op::Unlock(m) => {
                let owner = &mut world.mutexes[*m as usize];
                if *owner != Some(me) {
                    return Err(format!(
                        "unlock({}) by a thread that does not hold it",
                        program.mutexes[*m as usize]
                    ));
                }
                *owner = None;
            }
            Op::TryLock { dst, mutex } => {
                let owner = &mut world.mutexes[*mutex as usize];
                let took = owner.is_none();
                if took {
                    *owner = Some(me);
                }
                locals[*dst as usize] = Value::Int(i64::from(took));
            }
            Op::LockAll(ms) => {
                for m in ms {
                    if world.mutexes[*m as usize] == Some(me) {
                        return Err(format!(
                            "this thread already holds {}",
                            program.mutexes[*m as usize]
                        ));
                    }
                }
                for m in ms {
                    world.mutexes[*m as usize] = Some(me);
                }
            }
            Op::Acquire(sem) => world.semaphores[*sem as usize] -= 1,
            Op::Release(sem) => {
                let count = &mut world.semaphores[*sem as usize];
                *count = count
                    .checked_add(1)
                    .ok_or("the semaphore's count overflows")?;
            }
            Op::CondWait { cond, mutex } => {
                if world.mutexes[*mutex as usize] != Some(me) {
                    return Err(format!(
                        "wait({}, {}) by a thread that does not hold {1}",
                        program.conds[*cond as usize], program.mutexes[*mutex as usize]
                    ));
                }
                world.mutexes[*mutex as usize] = None;
                world.conds[*cond as usize].push(me);
            }
            Op::CondReacquire { cond, mutex } => {
                // Still queued only when the wake-up is spurious.
                world.conds[*cond as usize].retain(|&waiter| waiter != me);
                world.mutexes[*mutex as usize] = Some(me);
            }
            Op::Notify { cond, all } => {
                let queue = &mut world.conds[*cond as usize];
                if *all {
                    queue.clear();
                } else if !queue.is_empty() {
                    queue.remove(0);
                }
            }
            Op::ReadLock(lock) | Op::WriteLock(lock) => {
                let name = &program.rwlocks[*lock as usize];
                let rw = &mut world.rwlocks[*lock as usize];
                if rw.writer == Some(me) {
                    return Err(format!("this thread already holds {name} for writing"));
                }
                if rw.readers & bit(thread) != 0 {
                    return Err(format!(
                        "this thread already holds {name} for reading (read_unlock it first)"
                    ));
                }
                if matches!(instr.op, Op::WriteLock(_)) {
                    rw.writer = Some(me);
                } else {
                    rw.readers |= bit(thread);
                }
            }
            Op::ReadUnlock(lock) => {
                let rw = &mut world.rwlocks[*lock as usize];
                if rw.readers & bit(thread) == 0 {
                    return Err(format!(
                        "read_unlock({}) by a thread that is not reading it",
                        program.rwlocks[*lock as usize]
                    ));
                }
                rw.readers &= !bit(thread);
            }
            Op::WriteUnlock(lock) => {
                let rw = &mut world.rwlocks[*lock as usize];
                if rw.writer != Some(me) {
                    return Err(format!(
                        "write_unlock({}) by a thread that is not writing it",
                        program.rwlocks[*lock as usize]
                    ));
                }
                rw.writer = None;
            }
            Op::Arrive(barrier) => {
                let arrived = &mut world.barriers[*barrier as usize];
                *arrived |= bit(thread);
                if arrived.count_ones() >= program.barriers[*barrier as usize].count {
                    // The last one in: this round is complete, all go on.
                    *arrived = 0;
                }
            }
            Op::PassBarrier(_) | Op::Progress => {}
            Op::EnterCritical => {
                if world.critical & !bit(thread) != 0 {
                    world.flags.critical = true;
                    effects.broke_mutual_exclusion = true;
                }
                world.critical |= bit(thread);
            }
            Op::ExitCritical => world.critical &= !bit(thread),
            Op::Assert { cond, text } => {
                if !eval(locals, cond)?.truthy() {
                    state.status = Status::Failed(Failure::Assert {
                        line: instr.line,
                        text: text.as_str().into(),
                    });
                }
            }
            Op::New { dst, value } => {
                let value = eval(locals, value)?;
                if world.heap.len() >= limits::MAX_NODES {
                    return Err(format!("the heap is full ({} nodes)", limits::MAX_NODES));
                }
                world.heap.push(Node {
                    value,
                    next: Value::Null,
                });
                locals[*dst as usize] = Value::Node((world.heap.len() - 1) as u16);
            }
            Op::Open { dst, file } => {
                locals[*dst as usize] = Value::Handle {
                    file: *file,
                    offset: 0,
                };
            }
            Op::Read { dst, handle } => {
                let (file, _) = handle_of(locals, *handle)?;
                locals[*dst as usize] =
                    Value::Str(world.files[file as usize].contents.as_str().into());
            }
            Op::SeekEnd { handle } => {
                let (file, _) = handle_of(locals, *handle)?;
                let end = world.files[file as usize].contents.chars().count() as u32;
                locals[*handle as usize] = Value::Handle { file, offset: end };
            }
            Op::Write { handle, src } => {
                let (file, offset) = handle_of(locals, *handle)?;
                let text = match eval(locals, src)? {
                    Value::Str(text) => text.to_string(),
                    Value::Int(value) => value.to_string(),
                    other => return Err(format!("cannot write {} to a file", other.type_name())),
                };
                let contents = &mut world.files[file as usize].contents;
                let mut chars: Vec<char> = contents.chars().collect();
                let start = (offset as usize).min(chars.len());
                let written_chars: Vec<char> = text.chars().collect();
                let end = (start + written_chars.len()).min(chars.len());
                chars.splice(start..end, written_chars.iter().copied());
                if contents.len() + text.len() > limits::MAX_FILE_BYTES {
                    return Err(format!(
                        "files hold at most {} bytes",
                        limits::MAX_FILE_BYTES
                    ));
                }
                *contents = chars.into_iter().collect();
                locals[*handle as usize] = Value::Handle {
                    file,
                    offset: start as u32 + written_chars.len() as u32,
                };
            }
            Op::Flock { handle, exclusive } => {
                let (file, _) = handle_of(locals, *handle)?;
                let lock = &mut world.files[file as usize];
                if *exclusive {
                    lock.exclusive = Some(me);
                    lock.shared &= !bit(thread);
                } else {
                    if lock.exclusive == Some(me) {
                        lock.exclusive = None;
                    }
                    lock.shared |= bit(thread);
                }
            }
            Op::Funlock { handle } => {
                let (file, _) = handle_of(locals, *handle)?;
                let lock = &mut world.files[file as usize];
                if lock.exclusive != Some(me) && lock.shared & bit(thread) == 0 {
                    return Err(format!(
                        "funlock on {} without flock",
                        program.files[file as usize].name
                    ));
                }
                if lock.exclusive == Some(me) {
                    lock.exclusive = None;
                }
                lock.shared &= !bit(thread);
            }
        }
        Ok(())
    })();
    if let Err(message) = result {
        state.status = Status::Failed(error(instr.line, message));
        return None;
    }
    if let Some((dst, deps)) = dst_deps {
        state.deps[dst as usize] = match (deps, read) {
            (DstDeps::Computed(deps), _) => deps,
            (DstDeps::FreshRead, Some(loc)) => vec![Dep {
                loc,
                read_pc: pc,
                overwritten: None,
            }],
            (DstDeps::FreshRead, None) => Vec::new(),
        };
    }
    if let Some(lost) = lost {
        world.flags.lost_update = true;
        effects.lost_update = Some(lost);
    }
    if state.status == Status::Running {
        state.pc = code.settle(next);
        if state.pc as usize >= code.instrs.len() {
            state.status = Status::Done;
        }
    }
    if state.status != Status::Running {
        state.deps.iter_mut().for_each(Vec::clear);
    }
    written
}

/// What a step's destination local is computed from.
enum DstDeps {
    /// The shared reads behind an expression.
    Computed(Vec<Dep>),
    /// A fresh read of the shared location the step reads.
    FreshRead,
}

/// The dependences of a step, taken before it runs: its destination
/// local's, and those of the value it writes to shared memory. Every
/// temporary the step reads is used up.
fn step_deps(state: &mut ThreadState, op: &Op) -> (Option<(Slot, DstDeps)>, Vec<Dep>) {
    match op {
        Op::Load { dst, .. } => (Some((*dst, DstDeps::FreshRead)), Vec::new()),
        Op::LoadField { dst, node, .. } => {
            // The pointer's own reads do not flow into the field's value.
            state.take_deps(node);
            (Some((*dst, DstDeps::FreshRead)), Vec::new())
        }
        Op::LoadIndex { dst, index, .. } => {
            state.take_deps(index);
            (Some((*dst, DstDeps::FreshRead)), Vec::new())
        }
        Op::StoreIndex { index, src, .. } => {
            state.take_deps(index);
            (None, state.take_deps(src))
        }
        Op::Atomic { dst, target, kind } => {
            if let Target::Element { index, .. } = target {
                state.take_deps(index);
            }
            // What an exchange writes may come from a stale read; a fetch_add
            // adds to the value it reads, and a compare_and_swap writes only
            // over the value it expects, so neither loses an update.
            let (dst_deps, value_deps) = match kind {
                AtomicKind::FetchAdd(delta) => {
                    state.take_deps(delta);
                    (DstDeps::FreshRead, Vec::new())
                }
                AtomicKind::CompareAndSwap { expected, new } => {
                    state.take_deps(expected);
                    state.take_deps(new);
                    (DstDeps::Computed(Vec::new()), Vec::new())
                }
                AtomicKind::Exchange(value) => (DstDeps::FreshRead, state.take_deps(value)),
                AtomicKind::TestAndSet => (DstDeps::FreshRead, Vec::new()),
            };
            (dst.map(|dst| (dst, dst_deps)), value_deps)
        }
        Op::Store { src, .. } => (None, state.take_deps(src)),
        Op::StoreField { node, src, .. } => {
            state.take_deps(node);
            (None, state.take_deps(src))
        }
        Op::Compute { dst, expr } => {
            let deps = state.take_deps(expr);
            (Some((*dst, DstDeps::Computed(deps))), Vec::new())
        }
        Op::Branch { cond: expr, .. }
        | Op::Assert { cond: expr, .. }
        | Op::Write { src: expr, .. } => {
            state.take_deps(expr);
            (None, Vec::new())
        }
        Op::New { dst, value } => {
            state.take_deps(value);
            (Some((*dst, DstDeps::Computed(Vec::new()))), Vec::new())
        }
        Op::TryLock { dst, .. } | Op::Open { dst, .. } | Op::Read { dst, .. } => {
            (Some((*dst, DstDeps::Computed(Vec::new()))), Vec::new())
        }
        Op::Jump { .. }
        | Op::Lock(_)
        | Op::Unlock(_)
        | Op::LockAll(_)
        | Op::EnterCritical
        | Op::ExitCritical
        | Op::SeekEnd { .. }
        | Op::Flock { .. }
        | Op::Funlock { .. }
        | Op::Acquire(_)
        | Op::Release(_)
        | Op::CondWait { .. }
        | Op::CondReacquire { .. }
        | Op::Notify { .. }
        | Op::ReadLock(_)
        | Op::ReadUnlock(_)
        | Op::WriteLock(_)
        | Op::WriteUnlock(_)
        | Op::Arrive(_)
        | Op::PassBarrier(_)
        | Op::Progress => (None, Vec::new()),
    }
}

/// A state's fingerprint: the explorer and the liveness search store
/// states by it.
pub(super) fn hash_of(state: &State) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    state.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::races::compile_source;

    fn run(text: &str, schedule: &[usize]) -> (Program, State) {
        let program = compile_source(text).unwrap();
        let mut state = State::initial(&program);
        for &thread in schedule {
            assert!(
                state.can_step(&program, thread),
                "thread {thread} cannot step"
            );
            state.step(&program, thread);
        }
        (program, state)
    }

    const COUNTER: &str = "shared x = 0\nthread A { x = x + 1 }\nthread B { x = x + 1 }\n";

    #[test]
    fn interleaved_increments_lose_an_update_and_the_machine_sees_it() {
        let (program, state) = run(COUNTER, &[0, 1, 0, 0, 1, 1]);
        assert_eq!(state.world.shared, vec![Value::Int(1)]);
        assert!(state.world.flags.lost_update);
        assert_eq!(state.phase(&program), Phase::Finished);
        let (_, state) = run(COUNTER, &[0, 0, 0, 1, 1, 1]);
        assert_eq!(state.world.shared, vec![Value::Int(2)]);
        assert!(!state.world.flags.lost_update);
    }

    #[test]
    fn a_held_mutex_blocks_and_opposite_orders_deadlock() {
        let text = "mutex a, b\nthread A { lock(a); lock(b); unlock(b); unlock(a) }\n\
                    thread B { lock(b); lock(a); unlock(a); unlock(b) }\n";
        let (program, state) = run(text, &[0, 1]);
        assert_eq!(
            state.readiness(&program, 0),
            Readiness::WaitsForMutex { mutex: 1, owner: 1 }
        );
        assert_eq!(state.phase(&program), Phase::Deadlock);
    }

    #[test]
    fn runtime_errors_stop_the_thread_with_a_message() {
        let (_, state) = run("mutex m\nthread A {\n  unlock(m)\n}\n", &[0]);
        assert_eq!(
            state.threads[0].status,
            Status::Failed(Failure::Error {
                line: 3,
                message: "unlock(m) by a thread that does not hold it".into()
            })
        );
    }

    #[test]
    fn append_without_a_lock_can_overwrite_another_append() {
        let text = "file log = \"\"\nthread A { h = open(log); append(h, \"A\") }\n\
                    thread B { h = open(log); append(h, \"B\") }\n";
        let (_, state) = run(text, &[0, 1, 0, 1, 0, 1]);
        assert_eq!(state.world.files[0].contents, "B");
        let (_, state) = run(text, &[0, 0, 0, 1, 1, 1]);
        assert_eq!(state.world.files[0].contents, "AB");
    }

    #[test]
    fn the_final_check_runs_on_the_finished_state() {
        let text = format!("{COUNTER}after {{ assert(x == 2) }}\n");
        let (program, state) = run(&text, &[0, 1, 0, 0, 1, 1]);
        assert_eq!(
            state.run_after(&program),
            AfterResult::Failed(Failure::Assert {
                line: 4,
                text: "x == 2".into()
            })
        );
    }
}
