//! The compiler: the syntax tree into code for the machine, one
//! [`FuncProto`] per function (the script is function 0).
//!
//! Names are resolved here: a variable is a slot in an environment so many
//! scopes out (`hops`), and only names no scope declares are looked up
//! among the built-ins at run time. `let` and `const` get a fresh
//! environment per block (and per loop iteration, so closures in a loop
//! each see their own `i`). A `finally` block is copied onto every way out
//! of its `try` (normal end, `return`, `break`, `continue`, a throw).
//! Each statement starts with a [`Op::Stmt`]: one step of the lab.

use std::collections::HashMap;
use std::rc::Rc;

use super::syntax::ast::*;
use super::syntax::{Pos, error_at, not_supported};
use crate::error::ScenarioError;

type Result<T> = std::result::Result<T, ScenarioError>;

/// One instruction. Stack effects are written `before -> after`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// A step: statement `stmts[n]` starts.
    Stmt(u32),
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    /// `names[n]` as a string.
    Str(u32),
    Pop,
    Dup,
    /// `a b -> a b a b`.
    Dup2,
    Swap,
    /// `a b c -> b c a`: brings the third value up to the top.
    Rot3,
    /// Reads a variable; throws before its declaration ran.
    GetVar {
        hops: u16,
        slot: u16,
    },
    /// `v -> v`: assigns; throws for a constant or before declaration.
    SetVar {
        hops: u16,
        slot: u16,
    },
    /// `v ->`: the declaration runs.
    InitVar {
        hops: u16,
        slot: u16,
    },
    GetGlobal(u32),
    /// `v -> v`.
    SetGlobal(u32),
    /// `typeof name` for a name no scope declares: no error if missing.
    TypeofGlobal(u32),
    /// A new environment of `scopes[n]` (its names), inside the current one.
    PushScope(u32),
    PopScope,
    /// A copy of the current environment in its place (a loop's next
    /// iteration).
    CopyScope,
    This,
    /// `obj -> obj.names[n]`.
    GetProp(u32),
    /// `obj v -> v`.
    SetProp(u32),
    /// `obj key -> obj[key]`.
    GetIndex,
    /// `obj key v -> v`.
    SetIndex,
    /// `obj -> bool`.
    DeleteProp(u32),
    /// `obj key -> bool`.
    DeleteIndex,
    /// `v1 … vn -> array`.
    NewArray(u32),
    /// `array v -> array`.
    ArrayPush,
    /// `array iterable -> array`.
    ArraySpread,
    NewObject,
    /// `obj v -> obj`.
    DefineProp(u32),
    /// `obj key v -> obj`.
    DefineIndex,
    /// `obj source -> obj`.
    ObjectSpread,
    /// A closure of `funcs[func]` over the current environment.
    Closure {
        func: u32,
    },
    /// `v1 … vn -> text`: a template literal's parts joined.
    Template(u32),
    Binary(BinaryOp),
    Not,
    Neg,
    Plus,
    BitNot,
    /// `v -> typeof v`.
    Typeof,
    /// `v -> ToNumeric(v)` (for `++` and `--`).
    ToNumber,
    /// `obj -> old or new`: `obj.names[n]++` and its kin.
    UpdateProp {
        name: u32,
        increment: bool,
        prefix: bool,
    },
    /// `obj key -> old or new`: `obj[key]++` and its kin.
    UpdateIndex {
        increment: bool,
        prefix: bool,
    },
    Jump(u32),
    /// Pops; jumps when false.
    JumpIfFalse(u32),
    /// Pops; jumps when true.
    JumpIfTrue(u32),
    /// Keeps the value; jumps when false (`&&`).
    JumpIfFalseKeep(u32),
    /// Keeps the value; jumps when true (`||`).
    JumpIfTrueKeep(u32),
    /// Keeps the value; jumps when it is neither null nor undefined (`??`).
    JumpIfNotNullishKeep(u32),
    /// Keeps the value; jumps when it is not undefined (defaults).
    JumpIfNotUndefinedKeep(u32),
    /// Optional chain: when the top is null or undefined, pops `depth`
    /// values, pushes undefined and jumps to `target`.
    OptionalCheck {
        target: u32,
        depth: u16,
    },
    /// `this f a1 … an -> result`; `text` names the callee in errors.
    Call {
        argc: u16,
        text: u32,
    },
    /// `this f args -> result`.
    CallSpread {
        text: u32,
    },
    /// `f a1 … an -> object`.
    New {
        argc: u16,
        text: u32,
    },
    /// `f args -> object`.
    NewSpread {
        text: u32,
    },
    /// `v ->`: the function returns `v`.
    Return,
    /// `v -> result`: suspends the async function until `v` settles.
    Await,
    /// `v ->`: throws `v`.
    Throw,
    /// Until [`Op::PopHandler`], a throw here lands at `pc` with the
    /// exception pushed.
    EnterTry(u32),
    PopHandler,
    /// `iterable -> iterator` (over keys for `for … in`); `text` names
    /// the iterable in errors.
    IterStart {
        keys: bool,
        text: Option<u32>,
    },
    /// `iterator -> iterator value`, or pops the iterator and jumps to
    /// `end` when done.
    IterNext(u32),
    /// `v -> v`: throws unless `v` can be destructured as an array
    /// (`names[n]` is its source text, or empty).
    RequireIterable(u32),
    /// `v -> v`: throws when `v` is null or undefined (destructuring;
    /// `names[n]` is the first property taken, or empty).
    RequireObject(u32),
    /// `v -> rest`: the elements of `v` from index `n` on, as an array.
    ArrayRest(u32),
    /// `v -> rest`: the own properties of `v` but those named in
    /// `name_lists[n]`.
    ObjectRest(u32),
    /// `array -> array`: the function's own parameters from index `n` on
    /// (`...rest`), taken from the arguments.
    RestArgs(u32),
    /// `-> argument n` (or undefined).
    Arg(u32),
}

/// A compiled function.
#[derive(Debug, Clone, PartialEq)]
pub struct FuncProto {
    /// As written or as inferred from `const f = () => …`; empty when
    /// anonymous.
    pub name: Rc<str>,
    pub is_async: bool,
    pub is_arrow: bool,
    /// `f.length`: parameters before the first default or rest.
    pub length: u32,
    pub code: Vec<Op>,
    pub span: Span,
}

/// A compiled program: the script is `funcs[0]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub funcs: Vec<FuncProto>,
    /// Property names, string literals and global names.
    pub names: Vec<Rc<str>>,
    /// Where each step is: the statement (or loop test) it runs.
    pub stmts: Vec<Span>,
    /// The names in each scope, by slot.
    pub scopes: Vec<ScopeInfo>,
    /// Property names left out of an object rest pattern.
    pub name_lists: Vec<Vec<Rc<str>>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScopeInfo {
    pub names: Vec<Rc<str>>,
    pub constants: Vec<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Let,
    Const,
    Function,
    Param,
}

struct Scope {
    names: Vec<(Rc<str>, Kind)>,
    /// Whether a runtime environment exists for it (it declares a name).
    has_env: bool,
    /// A function's own scope: names beyond it belong to enclosing
    /// functions (still reachable through the closure's environment).
    function_top: bool,
}

/// What a `break`, `continue` or `return` must undo on its way out.
enum Exit<'a> {
    Scope,
    Try {
        finally: Option<&'a [Stmt]>,
        scopes_len: usize,
    },
    Loop {
        breaks: Vec<usize>,
        continues: Vec<usize>,
        /// Values the loop keeps on the stack (a `for … of` iterator).
        on_stack: u16,
    },
}

struct Builder<'s> {
    source: &'s str,
    /// The byte offset where each line starts.
    line_starts: Vec<usize>,
    funcs: Vec<Option<FuncProto>>,
    names: Vec<Rc<str>>,
    name_index: HashMap<Rc<str>, u32>,
    stmts: Vec<Span>,
    scopes: Vec<ScopeInfo>,
    name_lists: Vec<Vec<Rc<str>>>,
}

impl Builder<'_> {
    fn offset(&self, pos: Pos) -> usize {
        let Some(&start) = self.line_starts.get(pos.line.saturating_sub(1) as usize) else {
            return self.source.len();
        };
        self.source[start..]
            .char_indices()
            .nth(pos.column.saturating_sub(1) as usize)
            .map_or(self.source.len(), |(i, _)| start + i)
    }

    /// The source text of `span` as V8 names an expression in an error:
    /// white space folded, call arguments shown as `(...)`.
    fn text(&mut self, span: Span) -> u32 {
        let from = self.offset(span.start);
        let to = self.offset(span.end).max(from);
        let raw = &self.source[from..to];
        let mut out = String::new();
        let mut depth = 0usize;
        let mut prev: Option<char> = None;
        for c in raw.chars() {
            if depth > 0 {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            out.push_str("...)");
                        }
                    }
                    _ => {}
                }
                continue;
            }
            if c == '('
                && prev.is_some_and(|p| {
                    p.is_alphanumeric() || p == ')' || p == ']' || p == '_' || p == '$'
                })
            {
                out.push('(');
                depth = 1;
                prev = Some('(');
                continue;
            }
            if c.is_whitespace() {
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
            } else {
                out.push(c);
            }
            prev = Some(c);
        }
        let out = out.trim().replace(" .", ".").replace(". ", ".");
        let out: String = if out.chars().count() > 80 {
            out.chars().take(80).collect()
        } else {
            out
        };
        self.name(&out)
    }

    fn name(&mut self, text: &str) -> u32 {
        if let Some(&n) = self.name_index.get(text) {
            return n;
        }
        let rc: Rc<str> = Rc::from(text);
        let n = self.names.len() as u32;
        self.names.push(rc.clone());
        self.name_index.insert(rc, n);
        n
    }
}

/// Compiles a parsed program.
pub fn compile(body: &[Stmt], source: &str) -> Result<Program> {
    let mut line_starts = vec![0];
    line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
    let mut builder = Builder {
        source,
        line_starts,
        funcs: vec![None],
        names: Vec::new(),
        name_index: HashMap::new(),
        stmts: Vec::new(),
        scopes: Vec::new(),
        name_lists: Vec::new(),
    };
    let span = Span {
        start: body.first().map(|s| s.span.start).unwrap_or_default(),
        end: body.last().map(|s| s.span.end).unwrap_or_default(),
    };
    let mut compiler = FnCompiler {
        b: &mut builder,
        code: Vec::new(),
        scopes: Vec::new(),
        exits: Vec::new(),
        chain_checks: Vec::new(),
        iter_text: None,
    };
    compiler.function_scope(&[], body)?;
    compiler.statements(body)?;
    compiler.emit(Op::Undefined);
    compiler.emit(Op::Return);
    let code = std::mem::take(&mut compiler.code);
    builder.funcs[0] = Some(FuncProto {
        name: Rc::from(""),
        is_async: true,
        is_arrow: false,
        length: 0,
        code,
        span,
    });
    Ok(Program {
        funcs: builder
            .funcs
            .into_iter()
            .map(|f| f.expect("every function compiled"))
            .collect(),
        names: builder.names,
        stmts: builder.stmts,
        scopes: builder.scopes,
        name_lists: builder.name_lists,
    })
}

struct FnCompiler<'b, 'a> {
    b: &'b mut Builder<'a>,
    code: Vec<Op>,
    scopes: Vec<Scope>,
    exits: Vec<Exit<'a>>,
    /// The `OptionalCheck`s of the optional chains being compiled, to be
    /// pointed at the end of their chain.
    chain_checks: Vec<usize>,
    /// The source text of the value a pattern is about to destructure.
    iter_text: Option<u32>,
}

/// The names a pattern binds, in order.
fn bound_names(pattern: &Pattern, out: &mut Vec<(Rc<str>, Span)>) {
    match pattern {
        Pattern::Ident(name, span) => out.push((name.clone(), *span)),
        Pattern::Array { elements, rest, .. } => {
            for elem in elements.iter().flatten() {
                bound_names(&elem.target, out);
            }
            if let Some(rest) = rest {
                bound_names(rest, out);
            }
        }
        Pattern::Object { props, rest, .. } => {
            for (_, elem) in props {
                bound_names(&elem.target, out);
            }
            if let Some(rest) = rest {
                bound_names(rest, out);
            }
        }
        Pattern::Member(_) => {}
    }
}

/// The `let`, `const` and function declarations directly in `body`.
fn declarations(body: &[Stmt]) -> Vec<(Rc<str>, Kind, Span)> {
    let mut out = Vec::new();
    for stmt in body {
        match &stmt.kind {
            StmtKind::Let { constant, decls } => {
                let kind = if *constant { Kind::Const } else { Kind::Let };
                let mut names = Vec::new();
                for (pattern, _) in decls {
                    bound_names(pattern, &mut names);
                }
                out.extend(names.into_iter().map(|(n, s)| (n, kind, s)));
            }
            StmtKind::Function(f) => {
                if let Some(name) = &f.name {
                    out.push((name.clone(), Kind::Function, stmt.span));
                }
            }
            _ => {}
        }
    }
    out
}

impl<'b, 'a> FnCompiler<'b, 'a> {
    fn emit(&mut self, op: Op) -> usize {
        self.code.push(op);
        self.code.len() - 1
    }

    fn here(&self) -> u32 {
        self.code.len() as u32
    }

    fn patch(&mut self, at: usize) {
        let target = self.here();
        self.patch_to(at, target);
    }

    fn patch_to(&mut self, at: usize, target: u32) {
        match &mut self.code[at] {
            Op::Jump(t)
            | Op::JumpIfFalse(t)
            | Op::JumpIfTrue(t)
            | Op::JumpIfFalseKeep(t)
            | Op::JumpIfTrueKeep(t)
            | Op::JumpIfNotNullishKeep(t)
            | Op::JumpIfNotUndefinedKeep(t)
            | Op::EnterTry(t)
            | Op::IterNext(t)
            | Op::OptionalCheck { target: t, .. } => *t = target,
            other => unreachable!("patching {other:?}"),
        }
    }

    fn step(&mut self, span: Span) {
        let n = self.b.stmts.len() as u32;
        self.b.stmts.push(span);
        self.emit(Op::Stmt(n));
    }

    /// Opens a scope for `decls`; a runtime environment only if it has any.
    fn open_scope(&mut self, decls: Vec<(Rc<str>, Kind, Span)>, function_top: bool) -> Result<()> {
        let mut names: Vec<(Rc<str>, Kind)> = Vec::new();
        for (name, kind, span) in decls {
            if names.iter().any(|(n, _)| *n == name) {
                return Err(error_at(
                    span.start,
                    format!("`{name}` is declared twice in the same scope"),
                ));
            }
            names.push((name, kind));
        }
        let has_env = !names.is_empty() || function_top;
        if has_env {
            let info = ScopeInfo {
                names: names.iter().map(|(n, _)| n.clone()).collect(),
                constants: names.iter().map(|(_, k)| *k == Kind::Const).collect(),
            };
            let n = self.b.scopes.len() as u32;
            self.b.scopes.push(info);
            self.emit(Op::PushScope(n));
            self.exits.push(Exit::Scope);
        }
        self.scopes.push(Scope {
            names,
            has_env,
            function_top,
        });
        Ok(())
    }

    fn close_scope(&mut self) {
        let scope = self.scopes.pop().expect("a scope to close");
        if scope.has_env {
            self.emit(Op::PopScope);
            self.exits.pop();
        }
    }

    /// A function's scope: its parameters and the declarations of its body.
    fn function_scope(&mut self, params: &'a [Param], body: &'a [Stmt]) -> Result<()> {
        let mut decls = Vec::new();
        for param in params {
            let mut names = Vec::new();
            bound_names(&param.pattern, &mut names);
            for (name, span) in names {
                if decls.iter().any(|(n, _, _)| *n == name) {
                    return Err(error_at(
                        span.start,
                        format!("the parameter `{name}` is named twice"),
                    ));
                }
                decls.push((name, Kind::Param, span));
            }
        }
        for (name, kind, span) in declarations(body) {
            if decls
                .iter()
                .any(|(n, k, _)| *n == name && *k == Kind::Param)
            {
                return Err(error_at(
                    span.start,
                    format!("`{name}` is already a parameter of this function"),
                ));
            }
            decls.push((name, kind, span));
        }
        self.open_scope(decls, true)?;
        self.hoist_functions(body)
    }

    fn hoist_functions(&mut self, body: &'a [Stmt]) -> Result<()> {
        for stmt in body {
            if let StmtKind::Function(f) = &stmt.kind {
                let name = f.name.clone().expect("declarations have names");
                self.closure(f, Some(name.clone()))?;
                let (hops, slot) = self.resolve(&name).expect("hoisted names are declared");
                self.emit(Op::InitVar { hops, slot });
            }
        }
        Ok(())
    }

    fn resolve(&self, name: &str) -> Option<(u16, u16)> {
        let mut hops = 0u16;
        for scope in self.scopes.iter().rev() {
            if let Some(slot) = scope.names.iter().position(|(n, _)| &**n == name) {
                return Some((hops, slot as u16));
            }
            if scope.has_env {
                hops += 1;
            }
        }
        None
    }

    fn global(&mut self, name: &str, at: Pos) -> Result<u32> {
        if let Some(hint) = unsupported_global(name) {
            return Err(not_supported(at, &format!("`{name}`")).with_hint(hint));
        }
        Ok(self.b.name(name))
    }

    fn get_name(&mut self, name: &str, at: Pos) -> Result<()> {
        match self.resolve(name) {
            Some((hops, slot)) => {
                self.emit(Op::GetVar { hops, slot });
            }
            None => {
                let n = self.global(name, at)?;
                self.emit(Op::GetGlobal(n));
            }
        }
        Ok(())
    }

    /// `v -> v`: assigns to a name.
    fn set_name(&mut self, name: &str, at: Pos) -> Result<()> {
        match self.resolve(name) {
            Some((hops, slot)) => {
                self.emit(Op::SetVar { hops, slot });
            }
            None => {
                let n = self.global(name, at)?;
                self.emit(Op::SetGlobal(n));
            }
        }
        Ok(())
    }

    // ---- statements ----

    fn statements(&mut self, body: &'a [Stmt]) -> Result<()> {
        for stmt in body {
            self.statement(stmt)?;
        }
        Ok(())
    }

    /// A block with its own scope.
    fn block(&mut self, body: &'a [Stmt]) -> Result<()> {
        self.open_scope(declarations(body), false)?;
        self.hoist_functions(body)?;
        self.statements(body)?;
        self.close_scope();
        Ok(())
    }

    fn head(stmt: &Stmt, until: Option<&Expr>) -> Span {
        Span {
            start: stmt.span.start,
            end: until.map_or(stmt.span.end, |e| Pos {
                line: e.span.end.line,
                column: e.span.end.column + 1,
            }),
        }
    }

    fn statement(&mut self, stmt: &'a Stmt) -> Result<()> {
        match &stmt.kind {
            StmtKind::Empty | StmtKind::Function(_) => {}
            StmtKind::Block(body) => self.block(body)?,
            StmtKind::Expr(expr) => {
                self.step(stmt.span);
                self.expr(expr)?;
                self.emit(Op::Pop);
            }
            StmtKind::Let { decls, .. } => {
                self.step(stmt.span);
                for (pattern, init) in decls {
                    match init {
                        Some(init) => {
                            self.named_value(init, pattern_name(pattern))?;
                            self.iter_text = Some(self.b.text(init.span));
                        }
                        None => {
                            self.emit(Op::Undefined);
                        }
                    }
                    self.bind(pattern, true)?;
                }
            }
            StmtKind::Return(value) => {
                self.step(stmt.span);
                match value {
                    Some(value) => self.expr(value)?,
                    None => {
                        self.emit(Op::Undefined);
                    }
                }
                self.exit_all()?;
                self.emit(Op::Return);
            }
            StmtKind::If(test, then, otherwise) => {
                self.step(Self::head(stmt, Some(test)));
                self.expr(test)?;
                let skip = self.emit(Op::JumpIfFalse(0));
                self.statement(then)?;
                if let Some(otherwise) = otherwise {
                    let over = self.emit(Op::Jump(0));
                    self.patch(skip);
                    self.statement(otherwise)?;
                    self.patch(over);
                } else {
                    self.patch(skip);
                }
            }
            StmtKind::While(test, body) => {
                let top = self.here();
                self.step(Self::head(stmt, Some(test)));
                self.expr(test)?;
                let out = self.emit(Op::JumpIfFalse(0));
                self.loop_body(body, top, 0)?;
                self.emit(Op::Jump(top));
                self.patch(out);
                self.end_loop(top);
            }
            StmtKind::DoWhile(body, test) => {
                let top = self.here();
                self.exits.push(Exit::Loop {
                    breaks: Vec::new(),
                    continues: Vec::new(),
                    on_stack: 0,
                });
                self.statement(body)?;
                let continue_at = self.here();
                self.step(Span {
                    start: test.span.start,
                    end: test.span.end,
                });
                self.expr(test)?;
                self.emit(Op::JumpIfTrue(top));
                self.end_loop(continue_at);
            }
            StmtKind::For {
                init,
                test,
                update,
                body,
            } => self.for_loop(stmt, init.as_deref(), test.as_ref(), update.as_ref(), body)?,
            StmtKind::ForOf {
                declare,
                target,
                iterable,
                body,
                keys,
            } => {
                let head = Self::head(stmt, Some(iterable));
                self.step(head);
                self.expr(iterable)?;
                let text = Some(self.b.text(iterable.span));
                self.emit(Op::IterStart { keys: *keys, text });
                let first = self.emit(Op::Jump(0));
                // Each further iteration is a step at the loop's head.
                let top = self.here();
                self.step(head);
                self.patch(first);
                let next = self.emit(Op::IterNext(0));
                self.exits.push(Exit::Loop {
                    breaks: Vec::new(),
                    continues: Vec::new(),
                    on_stack: 1,
                });
                match declare {
                    Some(constant) => {
                        let kind = if *constant { Kind::Const } else { Kind::Let };
                        let mut names = Vec::new();
                        bound_names(target, &mut names);
                        self.open_scope(
                            names.into_iter().map(|(n, s)| (n, kind, s)).collect(),
                            false,
                        )?;
                        self.bind(target, true)?;
                        self.statement(body)?;
                        self.close_scope();
                    }
                    None => {
                        self.bind(target, false)?;
                        self.statement(body)?;
                    }
                }
                self.emit(Op::Jump(top));
                // The iterator is popped by IterNext when it is done.
                self.patch(next);
                self.end_loop(top);
            }
            StmtKind::Break | StmtKind::Continue => {
                self.step(stmt.span);
                let is_break = matches!(stmt.kind, StmtKind::Break);
                self.jump_out_of_loop(is_break)?;
            }
            StmtKind::Throw(value) => {
                self.step(stmt.span);
                self.expr(value)?;
                self.emit(Op::Throw);
            }
            StmtKind::Try {
                block,
                catch,
                finally,
            } => self.try_statement(block, catch.as_ref(), finally.as_deref())?,
        }
        Ok(())
    }

    fn loop_body(&mut self, body: &'a Stmt, _top: u32, on_stack: u16) -> Result<()> {
        self.exits.push(Exit::Loop {
            breaks: Vec::new(),
            continues: Vec::new(),
            on_stack,
        });
        self.statement(body)
    }

    /// Closes the innermost loop: `continue` goes to `continue_at`,
    /// `break` to here.
    fn end_loop(&mut self, continue_at: u32) {
        let Some(Exit::Loop {
            breaks, continues, ..
        }) = self.exits.pop()
        else {
            unreachable!("a loop to end");
        };
        for at in continues {
            self.patch_to(at, continue_at);
        }
        for at in breaks {
            self.patch(at);
        }
    }

    fn for_loop(
        &mut self,
        stmt: &'a Stmt,
        init: Option<&'a Stmt>,
        test: Option<&'a Expr>,
        update: Option<&'a Expr>,
        body: &'a Stmt,
    ) -> Result<()> {
        // The loop's own scope holds its `let` variables, copied per iteration.
        let decls = init
            .map(|s| declarations(std::slice::from_ref(s)))
            .unwrap_or_default();
        let per_iteration = !decls.is_empty();
        self.open_scope(decls, false)?;
        if let Some(init) = init {
            self.statement(init)?;
        }
        let top = self.here();
        let head_end = test.or(update);
        self.step(Self::head(stmt, head_end));
        let out = match test {
            Some(test) => {
                self.expr(test)?;
                Some(self.emit(Op::JumpIfFalse(0)))
            }
            None => None,
        };
        self.exits.push(Exit::Loop {
            breaks: Vec::new(),
            continues: Vec::new(),
            on_stack: 0,
        });
        self.statement(body)?;
        let continue_at = self.here();
        if per_iteration {
            self.emit(Op::CopyScope);
        }
        if let Some(update) = update {
            self.expr(update)?;
            self.emit(Op::Pop);
        }
        self.emit(Op::Jump(top));
        if let Some(out) = out {
            self.patch(out);
        }
        self.end_loop(continue_at);
        self.close_scope();
        Ok(())
    }

    /// Undoes what lies between here and the innermost loop (`Some`) or
    /// the function's top (`None`): leaves environments, pops handlers and
    /// runs `finally` blocks, innermost first. Returns the index of the
    /// loop's exit. The compile-time scopes are as before afterwards.
    fn unwind(&mut self, to_loop: bool) -> Result<Option<usize>> {
        let mut saved: Vec<Scope> = Vec::new();
        let mut i = self.exits.len();
        let mut found = None;
        while i > 0 {
            i -= 1;
            match &self.exits[i] {
                Exit::Scope => {
                    self.emit(Op::PopScope);
                    // The compile-time scopes follow the runtime ones.
                    while let Some(scope) = self.scopes.pop() {
                        let had_env = scope.has_env;
                        saved.push(scope);
                        if had_env {
                            break;
                        }
                    }
                }
                Exit::Try {
                    finally,
                    scopes_len,
                } => {
                    let finally = *finally;
                    let scopes_len = *scopes_len;
                    self.emit(Op::PopHandler);
                    if let Some(finally) = finally {
                        while self.scopes.len() > scopes_len {
                            saved.push(self.scopes.pop().expect("scope"));
                        }
                        // A `break` inside the finally block belongs to the
                        // loops around the try.
                        let tail = self.exits.split_off(i);
                        let result = self.block(finally);
                        self.exits.extend(tail);
                        result?;
                    }
                }
                Exit::Loop { .. } if to_loop => {
                    found = Some(i);
                    break;
                }
                Exit::Loop { .. } => {}
            }
        }
        while let Some(scope) = saved.pop() {
            self.scopes.push(scope);
        }
        Ok(found)
    }

    fn jump_out_of_loop(&mut self, is_break: bool) -> Result<()> {
        let i = self
            .unwind(true)?
            .expect("the parser checks break is in a loop");
        let Exit::Loop { on_stack, .. } = &self.exits[i] else {
            unreachable!()
        };
        if is_break {
            for _ in 0..*on_stack {
                self.emit(Op::Pop);
            }
        }
        let at = self.emit(Op::Jump(0));
        if let Exit::Loop {
            breaks, continues, ..
        } = &mut self.exits[i]
        {
            if is_break {
                breaks.push(at);
            } else {
                continues.push(at);
            }
        }
        Ok(())
    }

    /// Before a `return`: every `finally` between here and the function's
    /// top runs.
    fn exit_all(&mut self) -> Result<()> {
        self.unwind(false).map(|_| ())
    }

    fn try_statement(
        &mut self,
        block: &'a [Stmt],
        catch: Option<&'a (Option<Pattern>, Vec<Stmt>)>,
        finally: Option<&'a [Stmt]>,
    ) -> Result<()> {
        let scopes_len = self.scopes.len();
        let enter = self.emit(Op::EnterTry(0));
        self.exits.push(Exit::Try {
            finally,
            scopes_len,
        });
        self.block(block)?;
        self.exits.pop();
        self.emit(Op::PopHandler);
        if let Some(finally) = finally {
            self.block(finally)?;
        }
        let mut ends = vec![self.emit(Op::Jump(0))];
        // A throw in the block lands here, the exception on the stack.
        self.patch(enter);
        match catch {
            Some((param, body)) => {
                let inner = finally.map(|_| self.emit(Op::EnterTry(0)));
                if finally.is_some() {
                    self.exits.push(Exit::Try {
                        finally,
                        scopes_len,
                    });
                }
                let mut names = Vec::new();
                if let Some(param) = param {
                    bound_names(param, &mut names);
                }
                self.open_scope(
                    names.into_iter().map(|(n, s)| (n, Kind::Let, s)).collect(),
                    false,
                )?;
                match param {
                    Some(param) => self.bind(param, true)?,
                    None => {
                        self.emit(Op::Pop);
                    }
                }
                self.block(body)?;
                self.close_scope();
                if let Some(inner) = inner {
                    self.exits.pop();
                    self.emit(Op::PopHandler);
                    self.block(finally.expect("finally"))?;
                    ends.push(self.emit(Op::Jump(0)));
                    // A throw in the catch block: run finally, throw again.
                    self.patch(inner);
                    self.rethrow_after(finally.expect("finally"))?;
                }
            }
            None => self.rethrow_after(finally.expect("a try has catch or finally"))?,
        }
        for end in ends {
            self.patch(end);
        }
        Ok(())
    }

    /// The exception is on the stack: runs `finally`, then throws it again.
    fn rethrow_after(&mut self, finally: &'a [Stmt]) -> Result<()> {
        self.block(finally)?;
        self.emit(Op::Throw);
        Ok(())
    }

    // ---- binding ----

    /// `v ->`: stores the value into a pattern (declaring, or assigning).
    fn bind(&mut self, pattern: &'a Pattern, declare: bool) -> Result<()> {
        match pattern {
            Pattern::Ident(name, span) => {
                if declare {
                    let (hops, slot) = self.resolve(name).expect("declared names resolve");
                    self.emit(Op::InitVar { hops, slot });
                } else {
                    self.set_name(name, span.start)?;
                    self.emit(Op::Pop);
                }
            }
            Pattern::Member(target) => {
                // v -> (obj v) -> store
                match &target.kind {
                    ExprKind::Member { object, name, .. } => {
                        self.expr(object)?;
                        self.emit(Op::Swap);
                        let n = self.b.name(name);
                        self.emit(Op::SetProp(n));
                        self.emit(Op::Pop);
                    }
                    ExprKind::Index { object, index, .. } => {
                        self.expr(object)?;
                        self.expr(index)?;
                        self.emit(Op::Rot3);
                        self.emit(Op::SetIndex);
                        self.emit(Op::Pop);
                    }
                    _ => return Err(error_at(target.span.start, "this cannot be assigned to")),
                }
            }
            Pattern::Array { elements, rest, .. } => {
                let text = match self.iter_text.take() {
                    Some(text) => text,
                    None => self.b.name(""),
                };
                self.emit(Op::RequireIterable(text));
                for (i, elem) in elements.iter().enumerate() {
                    let Some(elem) = elem else { continue };
                    self.emit(Op::Dup);
                    self.emit(Op::Num(i as f64));
                    self.emit(Op::GetIndex);
                    self.default_value(elem.default.as_ref(), pattern_name(&elem.target))?;
                    self.bind(&elem.target, declare)?;
                }
                if let Some(rest) = rest {
                    self.emit(Op::ArrayRest(elements.len() as u32));
                    self.bind(rest, declare)?;
                } else {
                    self.emit(Op::Pop);
                }
            }
            Pattern::Object { props, rest, .. } => {
                self.iter_text = None;
                let first = match props.first() {
                    Some((PropKey::Name(name), _)) => name.clone(),
                    _ => Rc::from(""),
                };
                let first = self.b.name(&first);
                self.emit(Op::RequireObject(first));
                let mut used = Vec::new();
                for (key, elem) in props {
                    self.emit(Op::Dup);
                    match key {
                        PropKey::Name(name) => {
                            used.push(name.clone());
                            let n = self.b.name(name);
                            self.emit(Op::GetProp(n));
                        }
                        PropKey::Computed(expr) => {
                            if rest.is_some() {
                                return Err(not_supported(
                                    expr.span.start,
                                    "computed keys beside a rest pattern",
                                ));
                            }
                            self.expr(expr)?;
                            self.emit(Op::GetIndex);
                        }
                    }
                    self.default_value(elem.default.as_ref(), pattern_name(&elem.target))?;
                    self.bind(&elem.target, declare)?;
                }
                if let Some(rest) = rest {
                    let n = self.b.name_lists.len() as u32;
                    self.b.name_lists.push(used);
                    self.emit(Op::ObjectRest(n));
                    self.bind(rest, declare)?;
                } else {
                    self.emit(Op::Pop);
                }
            }
        }
        Ok(())
    }

    /// `v -> v or default`.
    fn default_value(&mut self, default: Option<&'a Expr>, name: Option<Rc<str>>) -> Result<()> {
        if let Some(default) = default {
            let skip = self.emit(Op::JumpIfNotUndefinedKeep(0));
            self.emit(Op::Pop);
            self.named_value(default, name)?;
            self.patch(skip);
        }
        Ok(())
    }

    // ---- functions ----

    /// `-> closure`: compiles `f` as a function of its own.
    fn closure(&mut self, f: &'a Function, inferred: Option<Rc<str>>) -> Result<()> {
        let index = self.b.funcs.len();
        self.b.funcs.push(None);
        let name = f.name.clone().or(inferred).unwrap_or_else(|| Rc::from(""));
        let length = f
            .params
            .iter()
            .take_while(|p| p.default.is_none() && !p.rest)
            .count() as u32;
        let mut inner = FnCompiler {
            b: &mut *self.b,
            code: Vec::new(),
            scopes: Vec::new(),
            exits: Vec::new(),
            chain_checks: Vec::new(),
            iter_text: None,
        };
        // The enclosing scopes stay visible (one hop further out).
        let outer: Vec<Scope> = self
            .scopes
            .iter()
            .map(|s| Scope {
                names: s.names.clone(),
                has_env: s.has_env,
                function_top: s.function_top,
            })
            .collect();
        inner.scopes = outer;
        let body_stmts: &'a [Stmt] = match &f.body {
            Body::Block(stmts) => stmts,
            Body::Expr(_) => &[],
        };
        inner.function_scope(&f.params, body_stmts)?;
        for (i, param) in f.params.iter().enumerate() {
            if param.rest {
                inner.emit(Op::NewArray(0));
                inner.emit(Op::RestArgs(i as u32));
            } else {
                inner.emit(Op::Arg(i as u32));
                inner.default_value(param.default.as_ref(), pattern_name(&param.pattern))?;
            }
            inner.bind(&param.pattern, true)?;
        }
        match &f.body {
            Body::Block(stmts) => {
                inner.statements(stmts)?;
                inner.emit(Op::Undefined);
                inner.emit(Op::Return);
            }
            Body::Expr(expr) => {
                inner.step(expr.span);
                inner.expr(expr)?;
                inner.emit(Op::Return);
            }
        }
        let code = inner.code;
        self.b.funcs[index] = Some(FuncProto {
            name,
            is_async: f.is_async,
            is_arrow: f.is_arrow,
            length,
            code,
            span: f.span,
        });
        self.emit(Op::Closure { func: index as u32 });
        Ok(())
    }

    /// An expression whose value may name an anonymous function
    /// (`const f = () => …` makes a function named `f`).
    fn named_value(&mut self, expr: &'a Expr, name: Option<Rc<str>>) -> Result<()> {
        match &expr.kind {
            ExprKind::Function(f) if f.name.is_none() => self.closure(f, name),
            _ => self.expr(expr),
        }
    }

    // ---- expressions ----

    fn expr(&mut self, expr: &'a Expr) -> Result<()> {
        match &expr.kind {
            ExprKind::Num(n) => {
                self.emit(Op::Num(*n));
            }
            ExprKind::Str(s) => {
                let n = self.b.name(s);
                self.emit(Op::Str(n));
            }
            ExprKind::Template(parts, exprs) => {
                let mut count = 0;
                for (i, part) in parts.iter().enumerate() {
                    if !part.is_empty() {
                        let n = self.b.name(part);
                        self.emit(Op::Str(n));
                        count += 1;
                    }
                    if let Some(e) = exprs.get(i) {
                        self.expr(e)?;
                        count += 1;
                    }
                }
                self.emit(Op::Template(count));
            }
            ExprKind::Bool(b) => {
                self.emit(Op::Bool(*b));
            }
            ExprKind::Null => {
                self.emit(Op::Null);
            }
            ExprKind::Ident(name) => self.get_name(name, expr.span.start)?,
            ExprKind::This => {
                self.emit(Op::This);
            }
            ExprKind::Array(items) => self.array(items)?,
            ExprKind::Object(props) => {
                self.emit(Op::NewObject);
                for prop in props {
                    match prop {
                        Prop::Value(key, value) => match key {
                            PropKey::Name(name) => {
                                self.named_value(value, Some(name.clone()))?;
                                let n = self.b.name(name);
                                self.emit(Op::DefineProp(n));
                            }
                            PropKey::Computed(k) => {
                                self.expr(k)?;
                                self.expr(value)?;
                                self.emit(Op::DefineIndex);
                            }
                        },
                        Prop::Shorthand(name, span) => {
                            self.get_name(name, span.start)?;
                            let n = self.b.name(name);
                            self.emit(Op::DefineProp(n));
                        }
                        Prop::Method(key, f) => match key {
                            PropKey::Name(name) => {
                                self.closure(f, Some(name.clone()))?;
                                let n = self.b.name(name);
                                self.emit(Op::DefineProp(n));
                            }
                            PropKey::Computed(k) => {
                                self.expr(k)?;
                                self.closure(f, None)?;
                                self.emit(Op::DefineIndex);
                            }
                        },
                        Prop::Spread(source) => {
                            self.expr(source)?;
                            self.emit(Op::ObjectSpread);
                        }
                        Prop::ShorthandDefault(_, _, span) => {
                            return Err(error_at(
                                span.start,
                                "`{ name = value }` works only on the left of `=` (destructuring)",
                            ));
                        }
                    }
                }
            }
            ExprKind::Function(f) => self.closure(f, None)?,
            ExprKind::Unary(op, operand) => match op {
                UnaryOp::Typeof => {
                    if let ExprKind::Ident(name) = &operand.kind
                        && self.resolve(name).is_none()
                    {
                        let n = self.global(name, operand.span.start)?;
                        self.emit(Op::TypeofGlobal(n));
                        return Ok(());
                    }
                    self.expr(operand)?;
                    self.emit(Op::Typeof);
                }
                UnaryOp::Delete => match &operand.kind {
                    ExprKind::Member { object, name, .. } => {
                        self.expr(object)?;
                        let n = self.b.name(name);
                        self.emit(Op::DeleteProp(n));
                    }
                    ExprKind::Index { object, index, .. } => {
                        self.expr(object)?;
                        self.expr(index)?;
                        self.emit(Op::DeleteIndex);
                    }
                    _ => return Err(error_at(expr.span.start, "`delete` works on a property")),
                },
                UnaryOp::Void => {
                    self.expr(operand)?;
                    self.emit(Op::Pop);
                    self.emit(Op::Undefined);
                }
                _ => {
                    self.expr(operand)?;
                    self.emit(match op {
                        UnaryOp::Not => Op::Not,
                        UnaryOp::Neg => Op::Neg,
                        UnaryOp::Plus => Op::Plus,
                        UnaryOp::BitNot => Op::BitNot,
                        UnaryOp::Typeof | UnaryOp::Delete | UnaryOp::Void => unreachable!(),
                    });
                }
            },
            ExprKind::Update {
                increment,
                prefix,
                target,
            } => self.update(target, *increment, *prefix)?,
            ExprKind::Binary(op, left, right) => {
                self.expr(left)?;
                self.expr(right)?;
                self.emit(Op::Binary(*op));
            }
            ExprKind::Logical(op, left, right) => {
                self.expr(left)?;
                let jump = self.emit(match op {
                    LogicalOp::And => Op::JumpIfFalseKeep(0),
                    LogicalOp::Or => Op::JumpIfTrueKeep(0),
                    LogicalOp::Nullish => Op::JumpIfNotNullishKeep(0),
                });
                self.emit(Op::Pop);
                self.expr(right)?;
                self.patch(jump);
            }
            ExprKind::Assign { op, target, value } => self.assign(*op, target, value)?,
            ExprKind::Cond(test, then, otherwise) => {
                self.expr(test)?;
                let skip = self.emit(Op::JumpIfFalse(0));
                self.expr(then)?;
                let over = self.emit(Op::Jump(0));
                self.patch(skip);
                self.expr(otherwise)?;
                self.patch(over);
            }
            ExprKind::Call {
                callee,
                args,
                optional,
            } => self.call(callee, args, *optional)?,
            ExprKind::New { callee, args } => {
                self.expr(callee)?;
                let text = self.b.text(callee.span);
                if args.iter().any(|a| matches!(a, ArrayElem::Spread(_))) {
                    self.array(args)?;
                    self.emit(Op::NewSpread { text });
                } else {
                    for arg in args {
                        if let ArrayElem::Item(e) = arg {
                            self.expr(e)?;
                        }
                    }
                    self.emit(Op::New {
                        argc: args.len() as u16,
                        text,
                    });
                }
            }
            ExprKind::Member {
                object,
                name,
                optional,
            } => {
                self.expr(object)?;
                if *optional {
                    self.optional_check(1);
                }
                let n = self.b.name(name);
                self.emit(Op::GetProp(n));
            }
            ExprKind::Index {
                object,
                index,
                optional,
            } => {
                self.expr(object)?;
                if *optional {
                    self.optional_check(1);
                }
                self.expr(index)?;
                self.emit(Op::GetIndex);
            }
            ExprKind::OptionalChain(inner) => {
                let before = self.chain_checks.len();
                self.expr(inner)?;
                let checks = self.chain_checks.split_off(before);
                for at in checks {
                    self.patch(at);
                }
            }
            ExprKind::Await(operand) => {
                self.expr(operand)?;
                self.emit(Op::Await);
            }
            ExprKind::Sequence(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.expr(item)?;
                    if i + 1 < items.len() {
                        self.emit(Op::Pop);
                    }
                }
            }
        }
        Ok(())
    }

    fn array(&mut self, items: &'a [ArrayElem]) -> Result<()> {
        if items.iter().all(|i| matches!(i, ArrayElem::Item(_))) {
            for item in items {
                if let ArrayElem::Item(e) = item {
                    self.expr(e)?;
                }
            }
            self.emit(Op::NewArray(items.len() as u32));
            return Ok(());
        }
        self.emit(Op::NewArray(0));
        for item in items {
            match item {
                ArrayElem::Item(e) => {
                    self.expr(e)?;
                    self.emit(Op::ArrayPush);
                }
                ArrayElem::Spread(e) => {
                    self.expr(e)?;
                    self.emit(Op::ArraySpread);
                }
            }
        }
        Ok(())
    }

    fn optional_check(&mut self, depth: u16) {
        let at = self.emit(Op::OptionalCheck { target: 0, depth });
        self.chain_checks.push(at);
    }

    fn call(&mut self, callee: &'a Expr, args: &'a [ArrayElem], optional: bool) -> Result<()> {
        match &callee.kind {
            ExprKind::Member {
                object,
                name,
                optional: member_optional,
            } => {
                self.expr(object)?;
                if *member_optional {
                    self.optional_check(1);
                }
                self.emit(Op::Dup);
                let n = self.b.name(name);
                self.emit(Op::GetProp(n));
            }
            ExprKind::Index {
                object,
                index,
                optional: member_optional,
            } => {
                self.expr(object)?;
                if *member_optional {
                    self.optional_check(1);
                }
                self.emit(Op::Dup);
                self.expr(index)?;
                self.emit(Op::GetIndex);
            }
            _ => {
                self.emit(Op::Undefined);
                self.expr(callee)?;
            }
        }
        if optional {
            self.optional_check(2);
        }
        let text = self.b.text(callee.span);
        if args.iter().any(|a| matches!(a, ArrayElem::Spread(_))) {
            self.array(args)?;
            self.emit(Op::CallSpread { text });
        } else {
            for arg in args {
                if let ArrayElem::Item(e) = arg {
                    self.expr(e)?;
                }
            }
            self.emit(Op::Call {
                argc: args.len() as u16,
                text,
            });
        }
        Ok(())
    }

    fn update(&mut self, target: &'a Expr, increment: bool, prefix: bool) -> Result<()> {
        match &target.kind {
            ExprKind::Ident(name) => {
                self.get_name(name, target.span.start)?;
                self.emit(Op::ToNumber);
                if !prefix {
                    self.emit(Op::Dup);
                }
                self.emit(Op::Num(1.0));
                self.emit(Op::Binary(if increment {
                    BinaryOp::Add
                } else {
                    BinaryOp::Sub
                }));
                self.set_name(name, target.span.start)?;
                if !prefix {
                    self.emit(Op::Pop);
                }
            }
            ExprKind::Member { object, name, .. } => {
                self.expr(object)?;
                let name = self.b.name(name);
                self.emit(Op::UpdateProp {
                    name,
                    increment,
                    prefix,
                });
            }
            ExprKind::Index { object, index, .. } => {
                self.expr(object)?;
                self.expr(index)?;
                self.emit(Op::UpdateIndex { increment, prefix });
            }
            _ => {
                return Err(error_at(
                    target.span.start,
                    "`++` and `--` need a variable or a property",
                ));
            }
        }
        Ok(())
    }

    fn assign(&mut self, op: AssignOp, target: &'a Pattern, value: &'a Expr) -> Result<()> {
        match (op, target) {
            (AssignOp::Assign, Pattern::Ident(name, span)) => {
                self.named_value(value, Some(name.clone()))?;
                self.set_name(name, span.start)?;
            }
            (AssignOp::Assign, Pattern::Member(member)) => match &member.kind {
                ExprKind::Member { object, name, .. } => {
                    self.expr(object)?;
                    self.expr(value)?;
                    let n = self.b.name(name);
                    self.emit(Op::SetProp(n));
                }
                ExprKind::Index { object, index, .. } => {
                    self.expr(object)?;
                    self.expr(index)?;
                    self.expr(value)?;
                    self.emit(Op::SetIndex);
                }
                _ => return Err(error_at(member.span.start, "this cannot be assigned to")),
            },
            (AssignOp::Assign, pattern) => {
                self.expr(value)?;
                self.emit(Op::Dup);
                self.bind(pattern, false)?;
            }
            (AssignOp::Binary(bop), Pattern::Ident(name, span)) => {
                self.get_name(name, span.start)?;
                self.expr(value)?;
                self.emit(Op::Binary(bop));
                self.set_name(name, span.start)?;
            }
            (AssignOp::Binary(bop), Pattern::Member(member)) => match &member.kind {
                ExprKind::Member { object, name, .. } => {
                    self.expr(object)?;
                    self.emit(Op::Dup);
                    let n = self.b.name(name);
                    self.emit(Op::GetProp(n));
                    self.expr(value)?;
                    self.emit(Op::Binary(bop));
                    self.emit(Op::SetProp(n));
                }
                ExprKind::Index { object, index, .. } => {
                    self.expr(object)?;
                    self.expr(index)?;
                    self.emit(Op::Dup2);
                    self.emit(Op::GetIndex);
                    self.expr(value)?;
                    self.emit(Op::Binary(bop));
                    self.emit(Op::SetIndex);
                }
                _ => return Err(error_at(member.span.start, "this cannot be assigned to")),
            },
            (AssignOp::Logical(lop), Pattern::Ident(name, span)) => {
                self.get_name(name, span.start)?;
                let short = self.emit(logical_jump(lop));
                self.emit(Op::Pop);
                self.named_value(value, Some(name.clone()))?;
                self.set_name(name, span.start)?;
                self.patch(short);
            }
            (AssignOp::Logical(lop), Pattern::Member(member)) => match &member.kind {
                ExprKind::Member { object, name, .. } => {
                    self.expr(object)?;
                    self.emit(Op::Dup);
                    let n = self.b.name(name);
                    self.emit(Op::GetProp(n));
                    let short = self.emit(logical_jump(lop));
                    self.emit(Op::Pop);
                    self.expr(value)?;
                    self.emit(Op::SetProp(n));
                    let end = self.emit(Op::Jump(0));
                    self.patch(short);
                    self.emit(Op::Swap);
                    self.emit(Op::Pop);
                    self.patch(end);
                }
                ExprKind::Index { object, index, .. } => {
                    self.expr(object)?;
                    self.expr(index)?;
                    self.emit(Op::Dup2);
                    self.emit(Op::GetIndex);
                    let short = self.emit(logical_jump(lop));
                    self.emit(Op::Pop);
                    self.expr(value)?;
                    self.emit(Op::SetIndex);
                    let end = self.emit(Op::Jump(0));
                    self.patch(short);
                    self.emit(Op::Rot3);
                    self.emit(Op::Pop);
                    self.emit(Op::Swap);
                    self.emit(Op::Pop);
                    self.patch(end);
                }
                _ => return Err(error_at(member.span.start, "this cannot be assigned to")),
            },
            (_, pattern) => {
                return Err(error_at(
                    pattern.span().start,
                    "this cannot be assigned to with this operator",
                ));
            }
        }
        Ok(())
    }
}

fn logical_jump(op: LogicalOp) -> Op {
    match op {
        LogicalOp::And => Op::JumpIfFalseKeep(0),
        LogicalOp::Or => Op::JumpIfTrueKeep(0),
        LogicalOp::Nullish => Op::JumpIfNotNullishKeep(0),
    }
}

fn pattern_name(pattern: &Pattern) -> Option<Rc<str>> {
    match pattern {
        Pattern::Ident(name, _) => Some(name.clone()),
        _ => None,
    }
}

/// Globals JavaScript has that this lab does not, with what to use instead.
pub fn unsupported_global(name: &str) -> Option<&'static str> {
    Some(match name {
        "fetch" | "XMLHttpRequest" => {
            "use io(\"name\", ms) for simulated I/O that takes ms milliseconds"
        }
        "setImmediate" | "clearImmediate" => "use setTimeout(f, 0) (setImmediate is Node only)",
        "process" | "require" | "module" | "exports" | "Buffer" | "__dirname" | "__filename" => {
            "this lab runs plain JavaScript without Node's modules"
        }
        "document" | "window" | "self" | "navigator" | "location" | "alert" | "prompt"
        | "confirm" | "localStorage" | "sessionStorage" | "Event" | "EventTarget"
        | "MessageChannel" | "Worker" | "AbortController" | "TextEncoder" | "TextDecoder"
        | "crypto" | "structuredClone" => {
            "this lab has no page to script; use console.log to see what happens"
        }
        "globalThis" | "eval" | "Function" | "Proxy" | "Reflect" | "Intl" | "WeakRef" => {
            "keep to plain functions, objects and arrays"
        }
        "Symbol" | "Map" | "Set" | "WeakMap" | "WeakSet" | "BigInt" | "RegExp" | "ArrayBuffer"
        | "SharedArrayBuffer" | "Atomics" | "DataView" | "Uint8Array" | "Int32Array"
        | "Float64Array" => "use objects and arrays",
        _ => return None,
    })
}
