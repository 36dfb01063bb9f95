//! A compiled race program: values, the indivisible steps each thread runs,
//! and what each thread may touch (for the explorer's reduction).

use std::fmt;
use std::rc::Rc;

use super::syntax::{BinOp, Field, Pos, UnOp};

/// A slot in a thread's frame: a named local or a temporary.
pub type Slot = u16;

/// A value held by a variable, a node field or a temporary.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Value {
    Int(i64),
    #[default]
    Null,
    /// A heap node, by index into the heap.
    Node(u16),
    Str(Rc<str>),
    /// An open file: which file and where the next write goes.
    Handle {
        file: u8,
        offset: u32,
    },
}

impl Value {
    pub fn truthy(&self) -> bool {
        match self {
            Value::Int(value) => *value != 0,
            Value::Null => false,
            Value::Str(text) => !text.is_empty(),
            Value::Node(_) | Value::Handle { .. } => true,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Int(_) => "a number",
            Value::Null => "null",
            Value::Node(_) => "a node",
            Value::Str(_) => "a string",
            Value::Handle { .. } => "a file handle",
        }
    }
}

/// `5`, `null`, `node 2`, `"text"`, `handle@3`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(value) => write!(f, "{value}"),
            Value::Null => write!(f, "null"),
            Value::Node(node) => write!(f, "node {node}"),
            Value::Str(text) => write!(f, "{text:?}"),
            Value::Handle { offset, .. } => write!(f, "handle@{offset}"),
        }
    }
}

/// A pure computation over a thread's own slots: no shared access, so it
/// is never a scheduling point of its own.
#[derive(Debug, Clone, PartialEq)]
pub enum Pure {
    Const(Value),
    /// A named local, read without changing it.
    Local(Slot),
    /// A temporary, read once (reading clears it).
    Temp(Slot),
    Unary(UnOp, Box<Pure>),
    Binary(BinOp, Box<Pure>, Box<Pure>),
    /// `len(s)`: a string's length.
    Len(Box<Pure>),
}

impl Pure {
    pub fn is_simple(&self) -> bool {
        matches!(self, Pure::Const(_) | Pure::Local(_) | Pure::Temp(_))
    }
}

/// The shared location an atomic operation works on.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Var(u16),
    /// `buf[i]`: an element of a shared array, by the array's index.
    Element {
        array: u8,
        index: Pure,
    },
}

/// What an atomic read-modify-write does, in one indivisible step.
#[derive(Debug, Clone, PartialEq)]
pub enum AtomicKind {
    /// Adds to the location; gives the value before.
    FetchAdd(Pure),
    /// Writes `new` if the location holds `expected`; gives 1 if it did,
    /// else 0.
    CompareAndSwap { expected: Pure, new: Pure },
    /// Writes the value; gives the value before.
    Exchange(Pure),
    /// Writes 1; gives the value before.
    TestAndSet,
}

/// One indivisible step (or a jump, which is never a step of its own).
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Reads a shared variable.
    Load {
        dst: Slot,
        var: u16,
    },
    /// Writes a shared variable.
    Store {
        var: u16,
        src: Pure,
    },
    /// Reads an element of a shared array.
    LoadIndex {
        dst: Slot,
        array: u8,
        index: Pure,
    },
    /// Writes an element of a shared array.
    StoreIndex {
        array: u8,
        index: Pure,
        src: Pure,
    },
    /// An atomic read-modify-write; `dst` gets what it gives, if used.
    Atomic {
        dst: Option<Slot>,
        target: Target,
        kind: AtomicKind,
    },
    LoadField {
        dst: Slot,
        node: Pure,
        field: Field,
    },
    StoreField {
        node: Pure,
        field: Field,
        src: Pure,
    },
    Compute {
        dst: Slot,
        expr: Pure,
    },
    /// Goes on if `cond` holds, else jumps.
    Branch {
        cond: Pure,
        if_false: u32,
    },
    Jump {
        to: u32,
    },
    Lock(u8),
    Unlock(u8),
    TryLock {
        dst: Slot,
        mutex: u8,
    },
    /// Takes every mutex at once, or waits until all are free.
    LockAll(Vec<u8>),
    /// P: takes one from a semaphore, waiting while it is 0.
    Acquire(u8),
    /// V: gives one back to a semaphore.
    Release(u8),
    /// The first half of `wait(c, m)`: releases `m` and joins `c`'s queue.
    CondWait {
        cond: u8,
        mutex: u8,
    },
    /// The second half of `wait(c, m)`: once notified (or woken spuriously,
    /// when the program allows it), takes `m` again.
    CondReacquire {
        cond: u8,
        mutex: u8,
    },
    /// Wakes the longest waiter of a condition variable, or all of them.
    Notify {
        cond: u8,
        all: bool,
    },
    ReadLock(u8),
    ReadUnlock(u8),
    WriteLock(u8),
    WriteUnlock(u8),
    /// The first half of `arrive_and_wait(b)`: counts this thread in.
    Arrive(u8),
    /// The second half: goes on once the barrier's count is complete.
    PassBarrier(u8),
    /// A `progress` line: the thread got somewhere (for the liveness search).
    Progress,
    EnterCritical,
    ExitCritical,
    Assert {
        cond: Pure,
        text: String,
    },
    New {
        dst: Slot,
        value: Pure,
    },
    Open {
        dst: Slot,
        file: u8,
    },
    Read {
        dst: Slot,
        handle: Slot,
    },
    /// The first half of an append: moves the handle to the file's end.
    SeekEnd {
        handle: Slot,
    },
    Write {
        handle: Slot,
        src: Pure,
    },
    Flock {
        handle: Slot,
        exclusive: bool,
    },
    Funlock {
        handle: Slot,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instr {
    pub op: Op,
    /// The source line the step comes from.
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlotInfo {
    pub name: String,
    pub temp: bool,
    /// The function whose local this is; `None` for the thread's own.
    pub function: Option<String>,
}

/// What a thread's code may touch, for the explorer's reduction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Access {
    pub reads: Vec<bool>,
    pub writes: Vec<bool>,
    pub heap: bool,
    pub mutexes: Vec<bool>,
    pub semaphores: Vec<bool>,
    pub conds: Vec<bool>,
    pub rwlocks: Vec<bool>,
    pub barriers: Vec<bool>,
    pub files: bool,
    pub critical: bool,
}

/// A thread's compiled code (or the final check's).
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    pub name: String,
    pub instrs: Vec<Instr>,
    pub slots: Vec<SlotInfo>,
    pub pos: Pos,
    pub access: Access,
}

impl Code {
    /// The first step at or after `pc`, following jumps.
    pub fn settle(&self, mut pc: u32) -> u32 {
        let mut hops = 0;
        while let Some(Instr {
            op: Op::Jump { to },
            ..
        }) = self.instrs.get(pc as usize)
        {
            pc = *to;
            hops += 1;
            if hops > self.instrs.len() {
                break;
            }
        }
        pc
    }

    pub fn slot_name(&self, slot: Slot) -> &str {
        &self.slots[slot as usize].name
    }

    /// A step as text, e.g. `t1 ← x`, `t2 ← t1 + 1`, `x ← t2`.
    pub fn describe(&self, pc: u32, program: &Program) -> String {
        let Some(instr) = self.instrs.get(pc as usize) else {
            return "finished".into();
        };
        let slot = |slot: &Slot| self.slot_name(*slot).to_owned();
        let pure = |expr: &Pure| self.pure_text(expr);
        match &instr.op {
            Op::Load { dst, var } => {
                format!("{} ← {}", slot(dst), program.shared[*var as usize].name)
            }
            Op::Store { var, src } => {
                format!("{} ← {}", program.shared[*var as usize].name, pure(src))
            }
            Op::LoadIndex { dst, array, index } => format!(
                "{} ← {}[{}]",
                slot(dst),
                program.arrays[*array as usize].name,
                pure(index)
            ),
            Op::StoreIndex { array, index, src } => format!(
                "{}[{}] ← {}",
                program.arrays[*array as usize].name,
                pure(index),
                pure(src)
            ),
            Op::Atomic { dst, target, kind } => {
                let place = match target {
                    Target::Var(var) => program.shared[*var as usize].name.clone(),
                    Target::Element { array, index } => {
                        format!("{}[{}]", program.arrays[*array as usize].name, pure(index))
                    }
                };
                let call = match kind {
                    AtomicKind::FetchAdd(delta) => format!("fetch_add({place}, {})", pure(delta)),
                    AtomicKind::CompareAndSwap { expected, new } => format!(
                        "compare_and_swap({place}, {}, {})",
                        pure(expected),
                        pure(new)
                    ),
                    AtomicKind::Exchange(value) => format!("exchange({place}, {})", pure(value)),
                    AtomicKind::TestAndSet => format!("test_and_set({place})"),
                };
                match dst {
                    Some(dst) => format!("{} ← {call}", slot(dst)),
                    None => call,
                }
            }
            Op::LoadField { dst, node, field } => {
                format!("{} ← {}.{}", slot(dst), pure(node), field.name())
            }
            Op::StoreField { node, field, src } => {
                format!("{}.{} ← {}", pure(node), field.name(), pure(src))
            }
            Op::Compute { dst, expr } => format!("{} ← {}", slot(dst), pure(expr)),
            Op::Branch { cond, .. } => format!("test {}", pure(cond)),
            Op::Jump { .. } => "jump".into(),
            Op::Lock(m) => format!("lock({})", program.mutexes[*m as usize]),
            Op::Unlock(m) => format!("unlock({})", program.mutexes[*m as usize]),
            Op::TryLock { dst, mutex } => {
                format!(
                    "{} ← try_lock({})",
                    slot(dst),
                    program.mutexes[*mutex as usize]
                )
            }
            Op::LockAll(ms) => format!(
                "lock_all({})",
                ms.iter()
                    .map(|m| program.mutexes[*m as usize].as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Op::Acquire(sem) => format!("acquire({})", program.semaphores[*sem as usize].name),
            Op::Release(sem) => format!("release({})", program.semaphores[*sem as usize].name),
            Op::CondWait { cond, mutex } => format!(
                "wait({}, {}): release {1} and wait",
                program.conds[*cond as usize], program.mutexes[*mutex as usize]
            ),
            Op::CondReacquire { cond, mutex } => format!(
                "wait({}, {}): woken, take {1} again",
                program.conds[*cond as usize], program.mutexes[*mutex as usize]
            ),
            Op::Notify { cond, all } => format!(
                "{}({})",
                if *all { "notify_all" } else { "notify" },
                program.conds[*cond as usize]
            ),
            Op::ReadLock(lock) => format!("read_lock({})", program.rwlocks[*lock as usize]),
            Op::ReadUnlock(lock) => format!("read_unlock({})", program.rwlocks[*lock as usize]),
            Op::WriteLock(lock) => format!("write_lock({})", program.rwlocks[*lock as usize]),
            Op::WriteUnlock(lock) => format!("write_unlock({})", program.rwlocks[*lock as usize]),
            Op::Arrive(barrier) => format!(
                "arrive_and_wait({}): arrive",
                program.barriers[*barrier as usize].name
            ),
            Op::PassBarrier(barrier) => format!(
                "arrive_and_wait({}): go on",
                program.barriers[*barrier as usize].name
            ),
            Op::Progress => "progress".into(),
            Op::EnterCritical => "enter the critical section".into(),
            Op::ExitCritical => "leave the critical section".into(),
            Op::Assert { text, .. } => format!("assert({text})"),
            Op::New { dst, value } => format!("{} ← new({})", slot(dst), pure(value)),
            Op::Open { dst, file } => {
                format!(
                    "{} ← open({})",
                    slot(dst),
                    program.files[*file as usize].name
                )
            }
            Op::Read { dst, handle } => format!("{} ← read({})", slot(dst), slot(handle)),
            Op::SeekEnd { handle } => format!("seek {} to the end", slot(handle)),
            Op::Write { handle, src } => format!("write({}, {})", slot(handle), pure(src)),
            Op::Flock { handle, exclusive } => format!(
                "flock({}, {})",
                slot(handle),
                if *exclusive { "exclusive" } else { "shared" }
            ),
            Op::Funlock { handle } => format!("funlock({})", slot(handle)),
        }
    }

    pub fn pure_text(&self, expr: &Pure) -> String {
        match expr {
            Pure::Const(value) => value.to_string(),
            Pure::Local(slot) | Pure::Temp(slot) => self.slot_name(*slot).to_owned(),
            Pure::Unary(UnOp::Not, inner) => format!("!{}", self.pure_text(inner)),
            Pure::Unary(UnOp::Neg, inner) => format!("-{}", self.pure_text(inner)),
            Pure::Binary(op, left, right) => format!(
                "{} {} {}",
                self.pure_text(left),
                op.symbol(),
                self.pure_text(right)
            ),
            Pure::Len(inner) => format!("len({})", self.pure_text(inner)),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SharedVar {
    pub name: String,
    pub init: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Node {
    pub value: Value,
    pub next: Value,
}

/// A semaphore's starting count, or how many threads a barrier waits for.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    pub name: String,
    pub count: u32,
}

/// A shared array: its elements are the shared variables `first ..
/// first + len`, named `name[0]`, `name[1]`, ...
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayInfo {
    pub name: String,
    pub first: u16,
    pub len: u16,
}

impl ArrayInfo {
    /// The shared variables that are its elements.
    pub fn vars(&self) -> std::ops::Range<usize> {
        self.first as usize..(self.first + self.len) as usize
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileInit {
    pub name: String,
    pub contents: String,
}

/// What a challenge asks the learner to make happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// An assertion fails (in a thread or in the final check).
    Assert,
    /// Two threads are in the critical section at once.
    Critical,
    Deadlock,
    LostUpdate,
    /// A thread waits for ever while others make progress.
    Starve,
    /// The threads run for ever and none makes progress.
    Livelock,
}

impl Goal {
    pub fn parse(word: &str) -> Option<Goal> {
        match word {
            "assert" => Some(Goal::Assert),
            "critical" => Some(Goal::Critical),
            "deadlock" => Some(Goal::Deadlock),
            "lost_update" => Some(Goal::LostUpdate),
            "starve" => Some(Goal::Starve),
            "livelock" => Some(Goal::Livelock),
            _ => None,
        }
    }

    pub fn sentence(self) -> &'static str {
        match self {
            Goal::Assert => "Make an assertion fail.",
            Goal::Critical => "Put two threads in the critical section at once.",
            Goal::Deadlock => "Reach a deadlock: every thread still running is blocked.",
            Goal::LostUpdate => "Make a thread overwrite an update it never saw (a lost update).",
            Goal::Starve => {
                "Make a thread wait for ever while the others keep making progress (starvation)."
            }
            Goal::Livelock => {
                "Make the threads run for ever with none of them making progress (a livelock)."
            }
        }
    }

    /// A goal about what can go on for ever, found by the liveness search.
    pub fn is_liveness(self) -> bool {
        matches!(self, Goal::Starve | Goal::Livelock)
    }
}

/// A whole compiled program.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub shared: Vec<SharedVar>,
    pub arrays: Vec<ArrayInfo>,
    pub heap: Vec<Node>,
    pub mutexes: Vec<String>,
    pub semaphores: Vec<Counted>,
    pub conds: Vec<String>,
    pub rwlocks: Vec<String>,
    /// Barriers, each with the number of threads it waits for.
    pub barriers: Vec<Counted>,
    /// A thread waiting on a condition variable may wake without a notify.
    pub spurious_wakeups: bool,
    pub files: Vec<FileInit>,
    pub threads: Vec<Code>,
    /// The check run once every thread has finished.
    pub after: Option<Code>,
    pub goal: Option<Goal>,
}

impl Program {
    /// The shared variables that are `array`'s elements.
    pub fn element_vars(&self, array: u8) -> std::ops::Range<usize> {
        self.arrays[array as usize].vars()
    }

    pub fn thread_index(&self, name: &str) -> Option<usize> {
        self.threads.iter().position(|code| code.name == name)
    }
}
