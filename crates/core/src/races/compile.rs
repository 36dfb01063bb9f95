//! Compiles a parsed race program into indivisible steps.
//!
//! Every access to shared state (a shared variable, a node's field, a lock,
//! a file) is a step of its own; computations over a thread's own values
//! are one step each; jumps are never steps. So `x = x + 1` on a shared `x`
//! becomes three steps: `t1 ← x`, `t2 ← t1 + 1`, `x ← t2`. Functions are
//! inlined at each call (no recursion); their locals live in the calling
//! thread's frame.

use std::collections::{HashMap, HashSet};

use super::limits;
use super::program::{
    Access, ArrayInfo, AtomicKind, Code, Counted, FileInit, Goal, Instr, Node, Op, Program, Pure,
    SharedVar, Slot, SlotInfo, Target, Value,
};
use super::syntax::{
    Ast, BinOp, Block, Expr, ExprKind, FnDecl, Init, Pos, Stmt, StmtKind, UnOp, error_at,
};
use crate::error::ScenarioError;

/// Built-ins that give no value: a call is a statement of its own.
const STATEMENTS: [&str; 18] = [
    "lock",
    "unlock",
    "lock_all",
    "write",
    "append",
    "flock",
    "funlock",
    "acquire",
    "release",
    "wait",
    "notify",
    "notify_all",
    "read_lock",
    "read_unlock",
    "write_lock",
    "write_unlock",
    "arrive_and_wait",
    "len",
];

/// Built-ins that give a value.
const VALUES: [&str; 4] = ["try_lock", "open", "read", "new"];

/// Atomic read-modify-writes: each gives a value, and may be a statement.
const ATOMICS: [&str; 4] = ["fetch_add", "compare_and_swap", "exchange", "test_and_set"];

/// A built-in operation: no function may take its name.
pub fn is_builtin(name: &str) -> bool {
    [&STATEMENTS[..], &VALUES, &ATOMICS]
        .iter()
        .any(|names| names.contains(&name))
}

/// The largest count a semaphore may start with.
const MAX_SEMAPHORE_START: i64 = 1_000;

/// Compiles a parsed program.
pub fn compile(ast: &Ast) -> Result<Program, ScenarioError> {
    let mut env = Env::default();
    let mut taken: HashMap<String, &'static str> = HashMap::new();
    let mut claim = |name: &str, what: &'static str, pos: Pos| -> Result<(), ScenarioError> {
        if let Some(before) = taken.insert(name.to_owned(), what) {
            return Err(
                error_at(pos, format!("'{name}' is already declared as a {before}"))
                    .with_hint("give each shared variable, lock, file and function its own name"),
            );
        }
        Ok(())
    };
    let mut program = Program {
        shared: Vec::new(),
        arrays: Vec::new(),
        heap: Vec::new(),
        mutexes: Vec::new(),
        semaphores: Vec::new(),
        conds: Vec::new(),
        rwlocks: Vec::new(),
        barriers: Vec::new(),
        spurious_wakeups: ast.spurious_wakeups,
        files: Vec::new(),
        threads: Vec::new(),
        after: None,
        goal: None,
    };
    for decl in &ast.shared {
        claim(&decl.name, "shared variable", decl.pos)?;
        if let Init::Array { len, fill } = decl.init {
            let first = program.shared.len();
            if len < 1 || first as i64 + len > limits::MAX_SHARED as i64 {
                return Err(error_at(
                    decl.pos,
                    format!(
                        "an array has 1 or more elements, and the shared variables and array elements together are at most {}",
                        limits::MAX_SHARED
                    ),
                ));
            }
            if program.arrays.len() >= limits::MAX_ARRAYS {
                return Err(error_at(
                    decl.pos,
                    format!("at most {} shared arrays", limits::MAX_ARRAYS),
                ));
            }
            for idx in 0..len {
                program.shared.push(SharedVar {
                    name: format!("{}[{idx}]", decl.name),
                    init: Value::Int(fill),
                });
            }
            env.arrays.insert(
                decl.name.clone(),
                (program.arrays.len() as u8, first as u16, len as u16),
            );
            program.arrays.push(ArrayInfo {
                name: decl.name.clone(),
                first: first as u16,
                len: len as u16,
            });
            continue;
        }
        let init = match &decl.init {
            Init::Int(value) => Value::Int(*value),
            Init::Str(text) => Value::Str(text.as_str().into()),
            Init::Null => Value::Null,
            Init::Nodes(values) => {
                let first = program.heap.len();
                if first + values.len() > limits::MAX_NODES {
                    return Err(error_at(
                        decl.pos,
                        format!("the heap holds at most {} nodes", limits::MAX_NODES),
                    ));
                }
                for (idx, value) in values.iter().enumerate() {
                    let next = if idx + 1 < values.len() {
                        Value::Node((first + idx + 1) as u16)
                    } else {
                        Value::Null
                    };
                    program.heap.push(Node {
                        value: Value::Int(*value),
                        next,
                    });
                }
                if values.is_empty() {
                    Value::Null
                } else {
                    Value::Node(first as u16)
                }
            }
            Init::Array { .. } => unreachable!("arrays are declared above"),
        };
        env.shared
            .insert(decl.name.clone(), program.shared.len() as u16);
        program.shared.push(SharedVar {
            name: decl.name.clone(),
            init,
        });
    }
    for (name, pos) in &ast.mutexes {
        claim(name, "mutex", *pos)?;
        env.mutexes
            .insert(name.clone(), program.mutexes.len() as u8);
        program.mutexes.push(name.clone());
    }
    for (name, count, pos) in &ast.semaphores {
        claim(name, "semaphore", *pos)?;
        if *count > MAX_SEMAPHORE_START {
            return Err(error_at(
                *pos,
                format!("a semaphore starts at {MAX_SEMAPHORE_START} or less"),
            ));
        }
        env.semaphores
            .insert(name.clone(), program.semaphores.len() as u8);
        program.semaphores.push(Counted {
            name: name.clone(),
            count: *count as u32,
        });
    }
    for (name, pos) in &ast.conds {
        claim(name, "condition variable", *pos)?;
        env.conds.insert(name.clone(), program.conds.len() as u8);
        program.conds.push(name.clone());
    }
    for (name, pos) in &ast.rwlocks {
        claim(name, "reader-writer lock", *pos)?;
        env.rwlocks
            .insert(name.clone(), program.rwlocks.len() as u8);
        program.rwlocks.push(name.clone());
    }
    for (name, count, pos) in &ast.barriers {
        claim(name, "barrier", *pos)?;
        if *count > limits::MAX_THREADS as i64 {
            return Err(error_at(
                *pos,
                format!(
                    "a barrier waits for at most {} threads",
                    limits::MAX_THREADS
                ),
            ));
        }
        env.barriers
            .insert(name.clone(), program.barriers.len() as u8);
        program.barriers.push(Counted {
            name: name.clone(),
            count: *count as u32,
        });
    }
    for decl in &ast.files {
        claim(&decl.name, "file", decl.pos)?;
        env.files
            .insert(decl.name.clone(), program.files.len() as u8);
        program.files.push(FileInit {
            name: decl.name.clone(),
            contents: decl.contents.clone(),
        });
    }
    for decl in &ast.functions {
        if is_builtin(&decl.name) {
            return Err(
                error_at(decl.pos, format!("'{}' is a built-in operation", decl.name))
                    .with_hint("give your function another name"),
            );
        }
        claim(&decl.name, "function", decl.pos)?;
        env.functions.insert(decl.name.clone(), decl.clone());
    }
    let checks = [
        (program.shared.len(), limits::MAX_SHARED, "shared variables"),
        (program.mutexes.len(), limits::MAX_MUTEXES, "mutexes"),
        (program.semaphores.len(), limits::MAX_MUTEXES, "semaphores"),
        (
            program.conds.len(),
            limits::MAX_MUTEXES,
            "condition variables",
        ),
        (
            program.rwlocks.len(),
            limits::MAX_MUTEXES,
            "reader-writer locks",
        ),
        (program.barriers.len(), limits::MAX_MUTEXES, "barriers"),
        (program.files.len(), limits::MAX_FILES, "files"),
        (ast.threads.len(), limits::MAX_THREADS, "threads"),
    ];
    for (count, max, what) in checks {
        if count > max {
            return Err(error_at(
                Pos { line: 1, column: 1 },
                format!("at most {max} {what}, found {count}"),
            ));
        }
    }
    if ast.threads.is_empty() {
        return Err(error_at(
            Pos { line: 1, column: 1 },
            "a program needs at least one thread",
        )
        .with_hint("thread A { x = x + 1 }"));
    }
    let mut thread_names = HashSet::new();
    for thread in &ast.threads {
        if !thread_names.insert(thread.name.as_str()) {
            return Err(error_at(
                thread.pos,
                format!("two threads are named '{}'", thread.name),
            ));
        }
        program.threads.push(compile_code(
            &env,
            &program,
            &thread.name,
            &thread.body,
            thread.pos,
        )?);
    }
    if let Some(after) = &ast.after {
        program.after = Some(compile_code(
            &env,
            &program,
            "after",
            after,
            Pos::default(),
        )?);
    }
    if let Some((word, pos)) = &ast.goal {
        program.goal = Some(Goal::parse(word).ok_or_else(|| {
            error_at(*pos, format!("unknown goal '{word}'")).with_hint(super::syntax::GOALS_HINT)
        })?);
    }
    Ok(program)
}

#[derive(Default)]
struct Env {
    shared: HashMap<String, u16>,
    /// Each shared array's index, first element and length.
    arrays: HashMap<String, (u8, u16, u16)>,
    mutexes: HashMap<String, u8>,
    semaphores: HashMap<String, u8>,
    conds: HashMap<String, u8>,
    rwlocks: HashMap<String, u8>,
    barriers: HashMap<String, u8>,
    files: HashMap<String, u8>,
    functions: HashMap<String, FnDecl>,
}

#[derive(Clone)]
enum Binding {
    Slot(Slot),
    /// A parameter the function never assigns: the argument itself.
    Alias(Pure),
}

struct Frame {
    function: Option<String>,
    locals: HashMap<String, Binding>,
    /// Where `return value` puts the value; `None` when it is unused.
    ret: Option<Slot>,
    /// Jumps to the end of the function or thread, patched at the end.
    returns: Vec<usize>,
    critical_depth: u32,
    temp_base: u32,
}

struct Builder<'a> {
    env: &'a Env,
    instrs: Vec<Instr>,
    slots: Vec<SlotInfo>,
    named: HashMap<(Option<String>, String), Slot>,
    temps: HashMap<u32, Slot>,
    next_temp: u32,
    frames: Vec<Frame>,
    line: u32,
    /// Function calls inlined so far in this thread.
    inlined: usize,
}

fn compile_code(
    env: &Env,
    program: &Program,
    name: &str,
    body: &Block,
    pos: Pos,
) -> Result<Code, ScenarioError> {
    let mut builder = Builder {
        env,
        instrs: Vec::new(),
        slots: Vec::new(),
        named: HashMap::new(),
        temps: HashMap::new(),
        next_temp: 0,
        frames: Vec::new(),
        line: pos.line,
        inlined: 0,
    };
    let mut locals = HashMap::new();
    for local in assigned_names(body) {
        if !env.shared.contains_key(&local) {
            let slot = builder.named_slot(None, &local);
            locals.insert(local, Binding::Slot(slot));
        }
    }
    builder.frames.push(Frame {
        function: None,
        locals,
        ret: None,
        returns: Vec::new(),
        critical_depth: 0,
        temp_base: 0,
    });
    builder.block(body)?;
    let frame = builder.frames.pop().expect("the thread's frame");
    let end = builder.instrs.len() as u32;
    for idx in frame.returns {
        builder.instrs[idx].op = Op::Jump { to: end };
    }
    if builder.instrs.len() > limits::MAX_STEPS_PER_THREAD {
        return Err(error_at(
            pos,
            format!(
                "'{name}' compiles to {} steps; the most is {}",
                builder.instrs.len(),
                limits::MAX_STEPS_PER_THREAD
            ),
        )
        .with_hint("call fewer functions, or make them shorter"));
    }
    let access = access(&builder.instrs, program);
    Ok(Code {
        name: name.to_owned(),
        instrs: builder.instrs,
        slots: builder.slots,
        pos,
        access,
    })
}

/// Every name a block assigns (`x = ...`), in nested blocks too.
fn assigned_names(block: &Block) -> Vec<String> {
    fn walk(block: &Block, out: &mut Vec<String>) {
        for stmt in block {
            match &stmt.kind {
                StmtKind::Assign { name, .. } if !out.contains(name) => out.push(name.clone()),
                StmtKind::If {
                    then, otherwise, ..
                } => {
                    walk(then, out);
                    walk(otherwise, out);
                }
                StmtKind::While { body, .. } | StmtKind::Critical(body) => walk(body, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(block, &mut out);
    out
}

fn has_call(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Call(..) => true,
        ExprKind::Field(inner, _) | ExprKind::Unary(_, inner) | ExprKind::Index(_, inner) => {
            has_call(inner)
        }
        ExprKind::Binary(_, left, right) => has_call(left) || has_call(right),
        _ => false,
    }
}

/// The source text of an expression, for assertion messages.
pub fn expr_text(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Int(value) => value.to_string(),
        ExprKind::Str(text) => format!("{text:?}"),
        ExprKind::Bool(value) => value.to_string(),
        ExprKind::Null => "null".into(),
        ExprKind::Name(name) => name.clone(),
        ExprKind::Field(inner, field) => format!("{}.{}", expr_text(inner), field.name()),
        ExprKind::Index(name, index) => format!("{name}[{}]", expr_text(index)),
        ExprKind::Unary(UnOp::Not, inner) => format!("!{}", expr_text(inner)),
        ExprKind::Unary(UnOp::Neg, inner) => format!("-{}", expr_text(inner)),
        ExprKind::Binary(op, left, right) => {
            let side = |side: &Expr| match side.kind {
                ExprKind::Binary(..) => format!("({})", expr_text(side)),
                _ => expr_text(side),
            };
            format!("{} {} {}", side(left), op.symbol(), side(right))
        }
        ExprKind::Call(name, args) => format!(
            "{name}({})",
            args.iter().map(expr_text).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn access(instrs: &[Instr], program: &Program) -> Access {
    let mut access = Access {
        reads: vec![false; program.shared.len()],
        writes: vec![false; program.shared.len()],
        mutexes: vec![false; program.mutexes.len()],
        semaphores: vec![false; program.semaphores.len()],
        conds: vec![false; program.conds.len()],
        rwlocks: vec![false; program.rwlocks.len()],
        barriers: vec![false; program.barriers.len()],
        ..Access::default()
    };
    let elements = |array: &u8| program.element_vars(*array);
    for instr in instrs {
        match &instr.op {
            Op::Load { var, .. } => access.reads[*var as usize] = true,
            Op::Store { var, .. } => access.writes[*var as usize] = true,
            Op::LoadIndex { array, .. } => elements(array).for_each(|var| access.reads[var] = true),
            Op::StoreIndex { array, .. } => {
                elements(array).for_each(|var| access.writes[var] = true)
            }
            Op::Atomic { target, .. } => {
                let vars = match target {
                    Target::Var(var) => *var as usize..*var as usize + 1,
                    Target::Element { array, .. } => elements(array),
                };
                for var in vars {
                    access.reads[var] = true;
                    access.writes[var] = true;
                }
            }
            Op::Acquire(sem) | Op::Release(sem) => access.semaphores[*sem as usize] = true,
            Op::CondWait { cond, mutex } | Op::CondReacquire { cond, mutex } => {
                access.conds[*cond as usize] = true;
                access.mutexes[*mutex as usize] = true;
            }
            Op::Notify { cond, .. } => access.conds[*cond as usize] = true,
            Op::ReadLock(lock)
            | Op::ReadUnlock(lock)
            | Op::WriteLock(lock)
            | Op::WriteUnlock(lock) => access.rwlocks[*lock as usize] = true,
            Op::Arrive(barrier) | Op::PassBarrier(barrier) => {
                access.barriers[*barrier as usize] = true
            }
            Op::LoadField { .. } | Op::StoreField { .. } | Op::New { .. } => access.heap = true,
            Op::Lock(m) | Op::Unlock(m) | Op::TryLock { mutex: m, .. } => {
                access.mutexes[*m as usize] = true
            }
            Op::LockAll(ms) => {
                for m in ms {
                    access.mutexes[*m as usize] = true;
                }
            }
            Op::EnterCritical | Op::ExitCritical => access.critical = true,
            Op::Open { .. }
            | Op::Read { .. }
            | Op::SeekEnd { .. }
            | Op::Write { .. }
            | Op::Flock { .. }
            | Op::Funlock { .. } => access.files = true,
            Op::Compute { .. }
            | Op::Branch { .. }
            | Op::Jump { .. }
            | Op::Assert { .. }
            | Op::Progress => {}
        }
    }
    access
}

impl Builder<'_> {
    fn frame(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("a frame")
    }

    fn emit(&mut self, op: Op) -> usize {
        self.instrs.push(Instr {
            op,
            line: self.line,
        });
        self.instrs.len() - 1
    }

    fn named_slot(&mut self, function: Option<String>, name: &str) -> Slot {
        let key = (function.clone(), name.to_owned());
        if let Some(slot) = self.named.get(&key) {
            return *slot;
        }
        let slot = self.slots.len() as Slot;
        self.slots.push(SlotInfo {
            name: name.to_owned(),
            temp: false,
            function,
        });
        self.named.insert(key, slot);
        slot
    }

    fn temp(&mut self) -> Slot {
        self.next_temp += 1;
        let number = self.next_temp;
        if let Some(slot) = self.temps.get(&number) {
            return *slot;
        }
        let slot = self.slots.len() as Slot;
        self.slots.push(SlotInfo {
            name: format!("t{number}"),
            temp: true,
            function: None,
        });
        self.temps.insert(number, slot);
        slot
    }

    fn block(&mut self, block: &Block) -> Result<(), ScenarioError> {
        for stmt in block {
            self.statement(stmt)?;
        }
        Ok(())
    }

    fn statement(&mut self, stmt: &Stmt) -> Result<(), ScenarioError> {
        self.line = stmt.pos.line;
        let base = self.frames.last().map_or(0, |frame| frame.temp_base);
        self.next_temp = base;
        match &stmt.kind {
            StmtKind::Assign { name, value } => {
                let binding = self
                    .frames
                    .last()
                    .and_then(|frame| frame.locals.get(name).cloned());
                match binding {
                    Some(Binding::Slot(slot)) => self.lower_into(value, slot)?,
                    Some(Binding::Alias(_)) => unreachable!("assigned parameters are slots"),
                    None => {
                        let var = *self.env.shared.get(name).ok_or_else(|| {
                            error_at(stmt.pos, format!("'{name}' cannot be assigned"))
                                .with_hint("assign a local or a shared variable")
                        })?;
                        let src = self.lower(value)?;
                        let src = self.simple(src);
                        self.emit(Op::Store { var, src });
                    }
                }
            }
            StmtKind::SetIndex { name, index, value } => {
                let (array, index) = self.element(name, index, stmt.pos)?;
                let src = self.lower(value)?;
                let src = self.simple(src);
                match index {
                    Ok(var) => self.emit(Op::Store { var, src }),
                    Err(index) => self.emit(Op::StoreIndex { array, index, src }),
                };
            }
            StmtKind::SetField { node, field, value } => {
                let node = self.lower(node)?;
                let node = self.simple(node);
                let src = self.lower(value)?;
                let src = self.simple(src);
                self.emit(Op::StoreField {
                    node,
                    field: *field,
                    src,
                });
            }
            StmtKind::If {
                cond,
                then,
                otherwise,
            } => {
                let cond = self.lower(cond)?;
                let branch = self.emit(Op::Branch { cond, if_false: 0 });
                self.block(then)?;
                if otherwise.is_empty() {
                    let end = self.instrs.len() as u32;
                    self.set_target(branch, end);
                } else {
                    let jump = self.emit(Op::Jump { to: 0 });
                    let else_start = self.instrs.len() as u32;
                    self.set_target(branch, else_start);
                    self.block(otherwise)?;
                    let end = self.instrs.len() as u32;
                    self.instrs[jump].op = Op::Jump { to: end };
                }
            }
            StmtKind::While { cond, body } => {
                let top = self.instrs.len() as u32;
                self.line = stmt.pos.line;
                self.next_temp = base;
                let cond = self.lower(cond)?;
                let branch = self.emit(Op::Branch { cond, if_false: 0 });
                self.block(body)?;
                self.line = stmt.pos.line;
                self.emit(Op::Jump { to: top });
                let end = self.instrs.len() as u32;
                self.set_target(branch, end);
            }
            StmtKind::Critical(body) => {
                self.emit(Op::EnterCritical);
                self.frame().critical_depth += 1;
                self.block(body)?;
                self.frame().critical_depth -= 1;
                self.line = last_line(body).unwrap_or(stmt.pos.line);
                self.emit(Op::ExitCritical);
            }
            StmtKind::Progress => {
                self.emit(Op::Progress);
            }
            StmtKind::Assert(cond) => {
                let text = expr_text(cond);
                let cond = self.lower(cond)?;
                self.emit(Op::Assert { cond, text });
            }
            StmtKind::Return(value) => {
                let ret = self.frames.last().and_then(|frame| frame.ret);
                match (value, ret) {
                    (Some(value), Some(slot)) => self.lower_into(value, slot)?,
                    (Some(value), None) if has_call(value) => {
                        let pure = self.lower(value)?;
                        if let Pure::Temp(slot) = pure {
                            // Nobody reads it: clear it so states stay comparable.
                            self.emit(Op::Compute {
                                dst: slot,
                                expr: Pure::Temp(slot),
                            });
                        }
                    }
                    _ => {}
                }
                for _ in 0..self.frame().critical_depth {
                    self.emit(Op::ExitCritical);
                }
                let jump = self.emit(Op::Jump { to: 0 });
                self.frame().returns.push(jump);
            }
            StmtKind::Call(expr) => {
                let ExprKind::Call(name, args) = &expr.kind else {
                    unreachable!("the parser makes call statements of calls only")
                };
                self.call_statement(name, args, expr.pos)?;
            }
        }
        Ok(())
    }

    fn set_target(&mut self, branch: usize, target: u32) {
        if let Op::Branch { if_false, .. } = &mut self.instrs[branch].op {
            *if_false = target;
        }
    }

    /// Makes a value usable by a store: a constant, a local or a temporary.
    fn simple(&mut self, pure: Pure) -> Pure {
        if pure.is_simple() {
            return pure;
        }
        let slot = self.temp();
        self.emit(Op::Compute {
            dst: slot,
            expr: pure,
        });
        Pure::Temp(slot)
    }

    fn mutex(&self, arg: Option<&Expr>, call: &str, pos: Pos) -> Result<u8, ScenarioError> {
        declared(&self.env.mutexes, arg, call, pos, ("a mutex", "mutex", "m"))
    }

    /// An element of a shared array: the array, and either the element's
    /// variable (a constant index, checked here) or the index to evaluate.
    fn element(
        &mut self,
        name: &str,
        index: &Expr,
        pos: Pos,
    ) -> Result<(u8, Result<u16, Pure>), ScenarioError> {
        let Some(&(array, first, len)) = self.env.arrays.get(name) else {
            return Err(error_at(pos, format!("'{name}' is not a shared array"))
                .with_hint(format!("declare it with: shared {name}[4]")));
        };
        match self.lower(index)? {
            Pure::Const(Value::Int(at)) if (0..i64::from(len)).contains(&at) => {
                Ok((array, Ok(first + at as u16)))
            }
            Pure::Const(value) => Err(error_at(
                index.pos,
                format!("{name}[{value}] is out of bounds: {name} has {len} elements"),
            )),
            pure => Ok((array, Err(pure))),
        }
    }

    /// The location an atomic operation works on: a shared variable or an
    /// element of a shared array.
    fn target(&mut self, arg: &Expr, call: &str) -> Result<Target, ScenarioError> {
        match &arg.kind {
            ExprKind::Name(name) if !self.is_local(name) && self.env.shared.contains_key(name) => {
                Ok(Target::Var(self.env.shared[name]))
            }
            ExprKind::Index(name, index) => Ok(match self.element(name, index, arg.pos)? {
                (_, Ok(var)) => Target::Var(var),
                (array, Err(index)) => Target::Element { array, index },
            }),
            other => {
                let name = match other {
                    ExprKind::Name(name) => name.as_str(),
                    _ => "x",
                };
                Err(error_at(
                    arg.pos,
                    format!("{call} works on a shared variable or an array's element"),
                )
                .with_hint(format!("shared {name} = 0, then {call}({name}, ...)")))
            }
        }
    }

    /// An atomic read-modify-write, its result in `dst` when used.
    fn atomic(
        &mut self,
        name: &str,
        args: &[Expr],
        pos: Pos,
        dst: Option<Slot>,
    ) -> Result<(), ScenarioError> {
        let count = match name {
            "test_and_set" => 1,
            "compare_and_swap" => 3,
            _ => 2,
        };
        self.arity(name, args, count, pos)?;
        let target = self.target(&args[0], name)?;
        let kind = match name {
            "fetch_add" => AtomicKind::FetchAdd(self.lower(&args[1])?),
            "exchange" => AtomicKind::Exchange(self.lower(&args[1])?),
            "test_and_set" => AtomicKind::TestAndSet,
            _ => AtomicKind::CompareAndSwap {
                expected: self.lower(&args[1])?,
                new: self.lower(&args[2])?,
            },
        };
        self.emit(Op::Atomic { dst, target, kind });
        Ok(())
    }

    fn handle(&self, arg: Option<&Expr>, call: &str, pos: Pos) -> Result<Slot, ScenarioError> {
        if let Some(ExprKind::Name(name)) = arg.map(|arg| &arg.kind)
            && let Some(Binding::Slot(slot)) = self.frames.last().and_then(|f| f.locals.get(name))
        {
            return Ok(*slot);
        }
        Err(
            error_at(pos, format!("{call} takes a file handle held in a local"))
                .with_hint("h = open(log), then use h"),
        )
    }

    fn arity(
        &self,
        name: &str,
        args: &[Expr],
        count: usize,
        pos: Pos,
    ) -> Result<(), ScenarioError> {
        if args.len() != count {
            return Err(error_at(
                pos,
                format!(
                    "{name} takes {count} argument{}, found {}",
                    if count == 1 { "" } else { "s" },
                    args.len()
                ),
            ));
        }
        Ok(())
    }

    fn call_statement(&mut self, name: &str, args: &[Expr], pos: Pos) -> Result<(), ScenarioError> {
        match name {
            "lock" | "unlock" => {
                self.arity(name, args, 1, pos)?;
                let m = self.mutex(args.first(), name, pos)?;
                self.emit(if name == "lock" {
                    Op::Lock(m)
                } else {
                    Op::Unlock(m)
                });
            }
            "lock_all" => {
                if args.is_empty() {
                    return Err(error_at(pos, "lock_all takes one or more mutexes"));
                }
                let mut ms = Vec::new();
                for arg in args {
                    let m = self.mutex(Some(arg), name, arg.pos)?;
                    if ms.contains(&m) {
                        return Err(error_at(arg.pos, "lock_all names this mutex twice"));
                    }
                    ms.push(m);
                }
                self.emit(Op::LockAll(ms));
            }
            "write" | "append" => {
                self.arity(name, args, 2, pos)?;
                let handle = self.handle(args.first(), name, pos)?;
                let src = self.lower(&args[1])?;
                let src = self.simple(src);
                if name == "append" {
                    self.emit(Op::SeekEnd { handle });
                }
                self.emit(Op::Write { handle, src });
            }
            "flock" => {
                self.arity(name, args, 2, pos)?;
                let handle = self.handle(args.first(), name, pos)?;
                let exclusive = match &args[1].kind {
                    ExprKind::Name(mode) if mode == "exclusive" => true,
                    ExprKind::Name(mode) if mode == "shared" => false,
                    _ => {
                        return Err(error_at(args[1].pos, "flock's mode is shared or exclusive")
                            .with_hint("flock(h, exclusive)"));
                    }
                };
                self.emit(Op::Flock { handle, exclusive });
            }
            "funlock" => {
                self.arity(name, args, 1, pos)?;
                let handle = self.handle(args.first(), name, pos)?;
                self.emit(Op::Funlock { handle });
            }
            "acquire" | "release" => {
                self.arity(name, args, 1, pos)?;
                let sem = declared(
                    &self.env.semaphores,
                    args.first(),
                    name,
                    pos,
                    ("a semaphore", "sem", "s"),
                )?;
                self.emit(if name == "acquire" {
                    Op::Acquire(sem)
                } else {
                    Op::Release(sem)
                });
            }
            "wait" => {
                self.arity(name, args, 2, pos)?;
                let kind = ("a condition variable", "cond", "c, m");
                let cond = declared(&self.env.conds, args.first(), name, pos, kind)?;
                let mutex = self.mutex(args.get(1), name, pos)?;
                self.emit(Op::CondWait { cond, mutex });
                self.emit(Op::CondReacquire { cond, mutex });
            }
            "notify" | "notify_all" => {
                self.arity(name, args, 1, pos)?;
                let kind = ("a condition variable", "cond", "c");
                let cond = declared(&self.env.conds, args.first(), name, pos, kind)?;
                self.emit(Op::Notify {
                    cond,
                    all: name == "notify_all",
                });
            }
            "read_lock" | "read_unlock" | "write_lock" | "write_unlock" => {
                self.arity(name, args, 1, pos)?;
                let kind = ("a reader-writer lock", "rwlock", "r");
                let lock = declared(&self.env.rwlocks, args.first(), name, pos, kind)?;
                self.emit(match name {
                    "read_lock" => Op::ReadLock(lock),
                    "read_unlock" => Op::ReadUnlock(lock),
                    "write_lock" => Op::WriteLock(lock),
                    _ => Op::WriteUnlock(lock),
                });
            }
            "arrive_and_wait" => {
                self.arity(name, args, 1, pos)?;
                let kind = ("a barrier", "barrier", "b");
                let barrier = declared(&self.env.barriers, args.first(), name, pos, kind)?;
                self.emit(Op::Arrive(barrier));
                self.emit(Op::PassBarrier(barrier));
            }
            _ if ATOMICS.contains(&name) => self.atomic(name, args, pos, None)?,
            "try_lock" | "open" | "read" | "new" | "len" => {
                return Err(
                    error_at(pos, format!("{name}(...) gives a value that is not used"))
                        .with_hint(format!("assign it: v = {name}(...)")),
                );
            }
            _ => {
                self.inline(name, args, pos, None)?;
            }
        }
        Ok(())
    }

    /// Lowers `expr` and puts its value in `dst`, in as few steps as
    /// possible: a shared read or a call result lands in `dst` directly.
    fn lower_into(&mut self, expr: &Expr, dst: Slot) -> Result<(), ScenarioError> {
        match &expr.kind {
            ExprKind::Name(name) if !self.is_local(name) && self.env.shared.contains_key(name) => {
                let var = self.env.shared[name];
                self.emit(Op::Load { dst, var });
            }
            ExprKind::Field(node, field) => {
                let node = self.lower(node)?;
                self.emit(Op::LoadField {
                    dst,
                    node,
                    field: *field,
                });
            }
            ExprKind::Index(name, index) => {
                let (array, index) = self.element(name, index, expr.pos)?;
                self.emit(match index {
                    Ok(var) => Op::Load { dst, var },
                    Err(index) => Op::LoadIndex { dst, array, index },
                });
            }
            ExprKind::Call(name, args) if !STATEMENTS.contains(&name.as_str()) => {
                self.call_value(name, args, expr.pos, dst)?;
            }
            _ => {
                let pure = self.lower(expr)?;
                if pure != Pure::Local(dst) {
                    self.emit(Op::Compute { dst, expr: pure });
                }
            }
        }
        Ok(())
    }

    /// What a synchronisation object other than a mutex is, by its name.
    fn sync_kind(&self, name: &str) -> Option<&'static str> {
        if self.env.semaphores.contains_key(name) {
            Some("a semaphore")
        } else if self.env.conds.contains_key(name) {
            Some("a condition variable")
        } else if self.env.rwlocks.contains_key(name) {
            Some("a reader-writer lock")
        } else if self.env.barriers.contains_key(name) {
            Some("a barrier")
        } else {
            None
        }
    }

    fn is_local(&self, name: &str) -> bool {
        self.frames
            .last()
            .is_some_and(|frame| frame.locals.contains_key(name))
    }

    fn call_value(
        &mut self,
        name: &str,
        args: &[Expr],
        pos: Pos,
        dst: Slot,
    ) -> Result<(), ScenarioError> {
        match name {
            "try_lock" => {
                self.arity(name, args, 1, pos)?;
                let mutex = self.mutex(args.first(), name, pos)?;
                self.emit(Op::TryLock { dst, mutex });
            }
            "open" => {
                self.arity(name, args, 1, pos)?;
                let file = match &args[0].kind {
                    ExprKind::Name(file) => self.env.files.get(file).copied(),
                    _ => None,
                }
                .ok_or_else(|| {
                    error_at(pos, "open takes a file declared with `file`")
                        .with_hint("file log = \"\", then h = open(log)")
                })?;
                self.emit(Op::Open { dst, file });
            }
            "read" => {
                self.arity(name, args, 1, pos)?;
                let handle = self.handle(args.first(), name, pos)?;
                self.emit(Op::Read { dst, handle });
            }
            "new" => {
                self.arity(name, args, 1, pos)?;
                let value = self.lower(&args[0])?;
                self.emit(Op::New { dst, value });
            }
            _ if ATOMICS.contains(&name) => self.atomic(name, args, pos, Some(dst))?,
            _ => {
                self.inline(name, args, pos, Some(dst))?;
            }
        }
        Ok(())
    }

    fn inline(
        &mut self,
        name: &str,
        args: &[Expr],
        pos: Pos,
        ret: Option<Slot>,
    ) -> Result<(), ScenarioError> {
        if is_builtin(name) {
            return Err(error_at(pos, format!("{name}(...) gives no value"))
                .with_hint("call it on a line of its own"));
        }
        let Some(decl) = self.env.functions.get(name).cloned() else {
            return Err(error_at(pos, format!("unknown function '{name}'"))
                .with_hint(format!("define it with: fn {name}(...) {{ ... }}")));
        };
        if self
            .frames
            .iter()
            .any(|frame| frame.function.as_deref() == Some(name))
        {
            return Err(error_at(pos, format!("'{name}' calls itself")).with_hint(
                "functions are inlined, so recursion is not supported; use a while loop",
            ));
        }
        // Checked before each inlining, not after the thread is built: a
        // function calling the previous one twice, 26 deep, would otherwise
        // grow to 2^26 copies before any limit was looked at.
        self.inlined += 1;
        if self.instrs.len() > limits::MAX_STEPS_PER_THREAD
            || self.inlined > limits::MAX_STEPS_PER_THREAD
        {
            return Err(error_at(
                pos,
                format!(
                    "inlining '{name}' here takes this thread past {} steps (or {} calls): functions are copied into each caller",
                    limits::MAX_STEPS_PER_THREAD,
                    limits::MAX_STEPS_PER_THREAD
                ),
            )
            .with_hint("call fewer functions, or make them shorter"));
        }
        self.arity(name, args, decl.params.len(), pos)?;
        let assigned = assigned_names(&decl.body);
        let mut locals = HashMap::new();
        for (param, arg) in decl.params.iter().zip(args) {
            let alias = match &arg.kind {
                ExprKind::Int(value) => Some(Pure::Const(Value::Int(*value))),
                ExprKind::Str(text) => Some(Pure::Const(Value::Str(text.as_str().into()))),
                ExprKind::Bool(value) => Some(Pure::Const(Value::Int(i64::from(*value)))),
                ExprKind::Null => Some(Pure::Const(Value::Null)),
                ExprKind::Name(local) => match self.frames.last().and_then(|f| f.locals.get(local))
                {
                    Some(Binding::Slot(slot)) => Some(Pure::Local(*slot)),
                    Some(Binding::Alias(pure)) => Some(pure.clone()),
                    None => None,
                },
                _ => None,
            };
            match alias {
                Some(pure) if !assigned.contains(param) => {
                    locals.insert(param.clone(), Binding::Alias(pure));
                }
                _ => {
                    let slot = self.named_slot(Some(decl.name.clone()), param);
                    self.lower_into(arg, slot)?;
                    locals.insert(param.clone(), Binding::Slot(slot));
                }
            }
        }
        for local in assigned {
            if !locals.contains_key(&local) && !self.env.shared.contains_key(&local) {
                let slot = self.named_slot(Some(decl.name.clone()), &local);
                locals.insert(local, Binding::Slot(slot));
            }
        }
        let saved_temp = self.next_temp;
        let saved_line = self.line;
        self.frames.push(Frame {
            function: Some(decl.name.clone()),
            locals,
            ret,
            returns: Vec::new(),
            critical_depth: 0,
            temp_base: saved_temp,
        });
        self.block(&decl.body)?;
        let frame = self.frames.pop().expect("the function's frame");
        let end = self.instrs.len() as u32;
        for idx in frame.returns {
            self.instrs[idx].op = Op::Jump { to: end };
        }
        self.next_temp = saved_temp;
        self.line = saved_line;
        Ok(())
    }

    fn lower(&mut self, expr: &Expr) -> Result<Pure, ScenarioError> {
        Ok(match &expr.kind {
            ExprKind::Int(value) => Pure::Const(Value::Int(*value)),
            ExprKind::Str(text) => Pure::Const(Value::Str(text.as_str().into())),
            ExprKind::Bool(value) => Pure::Const(Value::Int(i64::from(*value))),
            ExprKind::Null => Pure::Const(Value::Null),
            ExprKind::Name(name) => {
                if let Some(binding) = self.frames.last().and_then(|f| f.locals.get(name)) {
                    match binding {
                        Binding::Slot(slot) => Pure::Local(*slot),
                        Binding::Alias(pure) => pure.clone(),
                    }
                } else if let Some(var) = self.env.shared.get(name).copied() {
                    let dst = self.temp();
                    self.emit(Op::Load { dst, var });
                    Pure::Temp(dst)
                } else if self.env.arrays.contains_key(name) {
                    return Err(
                        error_at(expr.pos, format!("'{name}' is an array, not a value"))
                            .with_hint(format!("read one element: {name}[0] or {name}[i]")),
                    );
                } else if let Some(what) = self.sync_kind(name) {
                    return Err(
                        error_at(expr.pos, format!("'{name}' is {what}, not a value"))
                            .with_hint("pass it to its operations, as the language guide lists"),
                    );
                } else if self.env.mutexes.contains_key(name) {
                    return Err(
                        error_at(expr.pos, format!("'{name}' is a mutex, not a value"))
                            .with_hint(format!("lock({name}), unlock({name}) or try_lock({name})")),
                    );
                } else if self.env.files.contains_key(name) {
                    return Err(
                        error_at(expr.pos, format!("'{name}' is a file, not a value"))
                            .with_hint(format!("h = open({name}), then read(h)")),
                    );
                } else {
                    return Err(error_at(expr.pos, format!("unknown name '{name}'"))
                        .with_hint(format!("assign it first, or declare it: shared {name} = 0")));
                }
            }
            ExprKind::Index(..) => {
                let dst = self.temp();
                self.lower_into(expr, dst)?;
                Pure::Temp(dst)
            }
            ExprKind::Field(node, field) => {
                let node = self.lower(node)?;
                let dst = self.temp();
                self.emit(Op::LoadField {
                    dst,
                    node,
                    field: *field,
                });
                Pure::Temp(dst)
            }
            ExprKind::Unary(op, inner) => Pure::Unary(*op, Box::new(self.lower(inner)?)),
            ExprKind::Binary(op @ (BinOp::And | BinOp::Or), left, right) => {
                let left = self.lower(left)?;
                let mark = self.instrs.len();
                let temp_mark = self.next_temp;
                let right_pure = self.lower(right)?;
                if self.instrs.len() == mark {
                    return Ok(Pure::Binary(*op, Box::new(left), Box::new(right_pure)));
                }
                // The right side touches shared state or calls: evaluate it
                // only when needed, as the language promises.
                self.instrs.truncate(mark);
                self.next_temp = temp_mark;
                let result = self.temp();
                let cond = if *op == BinOp::And {
                    left
                } else {
                    Pure::Unary(UnOp::Not, Box::new(left))
                };
                let branch = self.emit(Op::Branch { cond, if_false: 0 });
                let right_pure = self.lower(right)?;
                self.emit(Op::Compute {
                    dst: result,
                    expr: right_pure,
                });
                let jump = self.emit(Op::Jump { to: 0 });
                let short = self.instrs.len() as u32;
                self.set_target(branch, short);
                self.emit(Op::Compute {
                    dst: result,
                    expr: Pure::Const(Value::Int(i64::from(*op == BinOp::Or))),
                });
                let end = self.instrs.len() as u32;
                self.instrs[jump].op = Op::Jump { to: end };
                Pure::Temp(result)
            }
            ExprKind::Binary(op, left, right) => {
                let left = self.lower(left)?;
                let right = self.lower(right)?;
                Pure::Binary(*op, Box::new(left), Box::new(right))
            }
            ExprKind::Call(name, args) if name == "len" => {
                self.arity(name, args, 1, expr.pos)?;
                Pure::Len(Box::new(self.lower(&args[0])?))
            }
            ExprKind::Call(name, args) => {
                let dst = self.temp();
                self.call_value(name, args, expr.pos, dst)?;
                Pure::Temp(dst)
            }
        })
    }
}

/// A declared synchronisation object named by a call's argument; `kind`
/// is how to say it ("a mutex"), the declaring word and an example name.
fn declared(
    names: &HashMap<String, u8>,
    arg: Option<&Expr>,
    call: &str,
    pos: Pos,
    (what, word, example): (&str, &str, &str),
) -> Result<u8, ScenarioError> {
    match arg.map(|arg| &arg.kind) {
        Some(ExprKind::Name(name)) => names.get(name).copied().ok_or_else(|| {
            error_at(pos, format!("{call}: '{name}' is not {what}")).with_hint(format!(
                "declare it with: {word} {name}{}",
                match word {
                    "sem" => " = 1",
                    "barrier" => " = 2",
                    _ => "",
                }
            ))
        }),
        _ => {
            Err(error_at(pos, format!("{call} takes {what}"))
                .with_hint(format!("{call}({example})")))
        }
    }
}

fn last_line(block: &Block) -> Option<u32> {
    block.last().map(|stmt| stmt.pos.line)
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::races::syntax::parse;

    fn check(text: &str, expect: Expect) {
        let program = compile(&parse(text).unwrap()).unwrap();
        let mut out = String::new();
        for code in &program.threads {
            out.push_str(&format!("{}:\n", code.name));
            for (pc, instr) in code.instrs.iter().enumerate() {
                if matches!(instr.op, Op::Jump { .. }) {
                    out.push_str(&format!("{pc} L{} {:?}\n", instr.line, instr.op));
                } else {
                    out.push_str(&format!(
                        "{pc} L{} {}\n",
                        instr.line,
                        code.describe(pc as u32, &program)
                    ));
                }
            }
        }
        expect.assert_eq(&out);
    }

    fn error(text: &str) -> String {
        compile(&parse(text).unwrap()).unwrap_err().to_string()
    }

    #[test]
    fn an_increment_is_load_compute_store() {
        check(
            "shared x = 0\nthread A {\n  x = x + 1\n}\n",
            expect![[r#"
                A:
                0 L3 t1 ← x
                1 L3 t2 ← t1 + 1
                2 L3 x ← t2
            "#]],
        );
    }

    #[test]
    fn functions_are_inlined_and_and_short_circuits() {
        check(
            "shared head = nodes(1, 2)\n\
             fn find(list, v) {\n  cur = list\n  while cur != null && cur.value != v {\n    cur = cur.next\n  }\n  return cur\n}\n\
             thread A {\n  n = find(head, 2)\n}\n",
            expect![[r#"
                A:
                0 L10 list ← head
                1 L3 cur ← list
                2 L4 test cur != null
                3 L4 t2 ← cur.value
                4 L4 t1 ← t2 != 2
                5 L4 Jump { to: 7 }
                6 L4 t1 ← 0
                7 L4 test t1
                8 L5 cur ← cur.next
                9 L4 Jump { to: 2 }
                10 L7 n ← cur
                11 L7 Jump { to: 12 }
            "#]],
        );
    }

    #[test]
    fn bad_programs_get_located_errors() {
        assert_eq!(
            error("thread A {\n  y = x + 1\n}"),
            "2:7: unknown name 'x' (hint: assign it first, or declare it: shared x = 0)"
        );
        assert_eq!(
            error("mutex m\nthread A {\n  lock(n)\n}"),
            "3:3: lock: 'n' is not a mutex (hint: declare it with: mutex n)"
        );
        assert_eq!(
            error("fn f() { f() }\nthread A { f() }"),
            "1:10: 'f' calls itself (hint: functions are inlined, so recursion is not supported; use a while loop)"
        );
        assert_eq!(
            error("shared x = 0\nmutex x\nthread A { }"),
            "2:7: 'x' is already declared as a shared variable (hint: give each shared variable, lock, file and function its own name)"
        );
        assert_eq!(
            error("shared x = 0\n"),
            "1:1: a program needs at least one thread (hint: thread A { x = x + 1 })"
        );
        assert!(error("thread A { try_lock(m) }").contains("gives a value that is not used"));
        assert!(error("thread A { }\ngoal win").contains("unknown goal 'win'"));
    }
}
