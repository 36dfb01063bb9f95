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
}

impl Goal {
    pub fn parse(word: &str) -> Option<Goal> {
        match word {
            "assert" => Some(Goal::Assert),
            "critical" => Some(Goal::Critical),
            "deadlock" => Some(Goal::Deadlock),
            "lost_update" => Some(Goal::LostUpdate),
            _ => None,
        }
    }

    pub fn sentence(self) -> &'static str {
        match self {
            Goal::Assert => "Make an assertion fail.",
            Goal::Critical => "Put two threads in the critical section at once.",
            Goal::Deadlock => "Reach a deadlock: every thread still running is blocked.",
            Goal::LostUpdate => "Make a thread overwrite an update it never saw (a lost update).",
        }
    }
}

/// A whole compiled program.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub shared: Vec<SharedVar>,
    pub heap: Vec<Node>,
    pub mutexes: Vec<String>,
    pub files: Vec<FileInit>,
    pub threads: Vec<Code>,
    /// The check run once every thread has finished.
    pub after: Option<Code>,
    pub goal: Option<Goal>,
}

impl Program {
    pub fn thread_index(&self, name: &str) -> Option<usize> {
        self.threads.iter().position(|code| code.name == name)
    }
}
