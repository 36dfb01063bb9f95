//! The Races lab's thread language: lexer and parser into an [`Ast`].
//!
//! The text form is line based: a statement ends at the end of its line
//! (or at `;`), blocks are in braces, comments start with `//` or `#`.
//! Every error carries the line and column where it was found and, where
//! one helps, a hint.

use super::limits;
use crate::error::ScenarioError;

/// The goals a program may name, for hints.
pub const GOALS_HINT: &str = "goal assert, critical, deadlock, lost_update, starve or livelock";

/// A 1-based line and column in the program text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

pub(crate) fn error_at(pos: Pos, message: impl Into<String>) -> ScenarioError {
    ScenarioError {
        line: Some(pos.line as usize),
        column: Some(pos.column as usize),
        path: String::new(),
        message: message.into(),
        hint: None,
    }
}

/// A whole program: declarations, functions, threads, the final check.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ast {
    pub shared: Vec<SharedDecl>,
    pub mutexes: Vec<(String, Pos)>,
    /// `sem s = N`: counting semaphores and their starting counts.
    pub semaphores: Vec<(String, i64, Pos)>,
    /// `cond c`: condition variables.
    pub conds: Vec<(String, Pos)>,
    /// `rwlock r`: reader-writer locks.
    pub rwlocks: Vec<(String, Pos)>,
    /// `barrier b = N`: barriers and how many threads each waits for.
    pub barriers: Vec<(String, i64, Pos)>,
    /// `allow spurious_wakeups`: a thread waiting on a condition variable
    /// may wake up without a notify.
    pub spurious_wakeups: bool,
    pub files: Vec<FileDecl>,
    pub functions: Vec<FnDecl>,
    pub threads: Vec<ThreadDecl>,
    pub after: Option<Block>,
    pub goal: Option<(String, Pos)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SharedDecl {
    pub name: String,
    pub init: Init,
    pub pos: Pos,
}

/// The starting value of a shared variable.
#[derive(Debug, Clone, PartialEq)]
pub enum Init {
    Int(i64),
    Str(String),
    Null,
    /// `nodes(1, 2, 3)`: a linked list built on the heap; the variable
    /// points at its first node.
    Nodes(Vec<i64>),
    /// `shared buf[4]` (every element 0) or `shared buf[4] = 7`.
    Array {
        len: i64,
        fill: i64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileDecl {
    pub name: String,
    pub contents: String,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FnDecl {
    pub name: String,
    pub params: Vec<String>,
    pub body: Block,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThreadDecl {
    pub name: String,
    pub body: Block,
    pub pos: Pos,
}

pub type Block = Vec<Stmt>;

#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// `name = value` (a local, or a shared variable if declared shared).
    Assign {
        name: String,
        value: Expr,
    },
    /// `buf[i] = value` on a shared array.
    SetIndex {
        name: String,
        index: Expr,
        value: Expr,
    },
    /// `node.field = value`.
    SetField {
        node: Expr,
        field: Field,
        value: Expr,
    },
    If {
        cond: Expr,
        then: Block,
        otherwise: Block,
    },
    While {
        cond: Expr,
        body: Block,
    },
    /// `critical { ... }`: the critical section's markers around a block.
    Critical(Block),
    Assert(Expr),
    Return(Option<Expr>),
    /// A call for its effect: `lock(m)`, `remove(head, 2)`.
    Call(Expr),
    /// `progress`: the thread got somewhere (for starvation and livelock).
    Progress,
}

/// A node's fields on the heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Value,
    Next,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Value => "value",
            Field::Next => "next",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Str(String),
    Bool(bool),
    Null,
    Name(String),
    Field(Box<Expr>, Field),
    /// `buf[i]`: an element of a shared array.
    Index(String, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "||",
            BinOp::And => "&&",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
        }
    }
}

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(i64),
    Str(String),
    Ident(String),
    Punct(&'static str),
    Newline,
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: Pos,
}

const PUNCTS: [&str; 26] = [
    "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "(", ")", "{", "}", "[", "]", ",", ";", ".",
    "=", "<", ">", "+", "-", "*", "/", "%", "!",
];

fn lex(text: &str) -> Result<Vec<Token>, ScenarioError> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let (mut idx, mut line, mut column) = (0usize, 1u32, 1u32);
    let mut depth = 0usize;
    while idx < chars.len() {
        let ch = chars[idx];
        let pos = Pos { line, column };
        if ch == '\n' {
            if depth == 0
                && !matches!(
                    tokens.last(),
                    Some(Token {
                        tok: Tok::Newline,
                        ..
                    }) | None
                )
            {
                tokens.push(Token {
                    tok: Tok::Newline,
                    pos,
                });
            }
            idx += 1;
            line += 1;
            column = 1;
            continue;
        }
        if ch.is_whitespace() {
            idx += 1;
            column += 1;
            continue;
        }
        if ch == '#' || (ch == '/' && chars.get(idx + 1) == Some(&'/')) {
            while idx < chars.len() && chars[idx] != '\n' {
                idx += 1;
            }
            continue;
        }
        if ch.is_ascii_digit() {
            let start = idx;
            while idx < chars.len() && chars[idx].is_ascii_digit() {
                idx += 1;
            }
            let digits: String = chars[start..idx].iter().collect();
            let value = digits.parse::<i64>().map_err(|_| {
                error_at(pos, format!("the number {digits} is too large"))
                    .with_hint("numbers are 64-bit integers")
            })?;
            column += (idx - start) as u32;
            tokens.push(Token {
                tok: Tok::Int(value),
                pos,
            });
            continue;
        }
        if ch.is_alphabetic() || ch == '_' {
            let start = idx;
            while idx < chars.len() && (chars[idx].is_alphanumeric() || chars[idx] == '_') {
                idx += 1;
            }
            column += (idx - start) as u32;
            tokens.push(Token {
                tok: Tok::Ident(chars[start..idx].iter().collect()),
                pos,
            });
            continue;
        }
        if ch == '"' {
            let mut value = String::new();
            idx += 1;
            column += 1;
            loop {
                match chars.get(idx) {
                    None | Some('\n') => {
                        return Err(error_at(pos, "this string is not closed")
                            .with_hint("end it with \" on the same line"));
                    }
                    Some('"') => {
                        idx += 1;
                        column += 1;
                        break;
                    }
                    Some('\\') => {
                        let escaped = match chars.get(idx + 1) {
                            Some('n') => '\n',
                            Some('t') => '\t',
                            Some('"') => '"',
                            Some('\\') => '\\',
                            _ => {
                                return Err(error_at(
                                    Pos { line, column },
                                    "unknown escape in a string",
                                )
                                .with_hint("use \\n, \\t, \\\" or \\\\"));
                            }
                        };
                        value.push(escaped);
                        idx += 2;
                        column += 2;
                    }
                    Some(other) => {
                        value.push(*other);
                        idx += 1;
                        column += 1;
                    }
                }
            }
            tokens.push(Token {
                tok: Tok::Str(value),
                pos,
            });
            continue;
        }
        let rest: String = chars[idx..(idx + 2).min(chars.len())].iter().collect();
        let Some(punct) = PUNCTS.iter().find(|p| rest.starts_with(**p)) else {
            return Err(error_at(pos, format!("unexpected character '{ch}'")));
        };
        match *punct {
            "(" | "[" => depth += 1,
            ")" | "]" => depth = depth.saturating_sub(1),
            _ => {}
        }
        idx += punct.len();
        column += punct.len() as u32;
        tokens.push(Token {
            tok: Tok::Punct(punct),
            pos,
        });
    }
    tokens.push(Token {
        tok: Tok::Eof,
        pos: Pos { line, column },
    });
    Ok(tokens)
}

// ---------------------------------------------------------------- parser

const DECLARATIONS_HINT: &str =
    "start with shared, mutex, sem, cond, rwlock, barrier, file, allow, fn, thread, after or goal";

/// Words that cannot name a variable, function or thread.
pub const KEYWORDS: [&str; 16] = [
    "shared", "mutex", "file", "fn", "thread", "after", "goal", "if", "else", "while", "critical",
    "assert", "return", "true", "false", "null",
];

/// Parses a program's text.
pub fn parse(text: &str) -> Result<Ast, ScenarioError> {
    let tokens = lex(text)?;
    let mut parser = Parser {
        tokens,
        idx: 0,
        depth: 0,
    };
    parser.program()
}

struct Parser {
    tokens: Vec<Token>,
    idx: usize,
    /// How deep the tree under construction is: blocks, parentheses,
    /// unary operators and each operator of a chain (`1 + 2 + 3` nests).
    depth: usize,
}

impl Parser {
    /// One level deeper, refused past [`limits::MAX_NESTING`] (so no input
    /// can overflow the stack of the parser, the compiler or evaluation).
    fn enter(&mut self, pos: Pos) -> Result<(), ScenarioError> {
        self.depth += 1;
        if self.depth > limits::MAX_NESTING {
            return Err(error_at(
                pos,
                format!(
                    "this is nested more than {} levels deep",
                    limits::MAX_NESTING
                ),
            )
            .with_hint("split it into smaller expressions or blocks, with locals in between"));
        }
        Ok(())
    }

    fn leave(&mut self, levels: usize) {
        self.depth -= levels;
    }

    fn peek(&self) -> &Tok {
        &self.tokens[self.idx].tok
    }

    fn pos(&self) -> Pos {
        self.tokens[self.idx].pos
    }

    fn bump(&mut self) -> Token {
        let token = self.tokens[self.idx].clone();
        if self.idx + 1 < self.tokens.len() {
            self.idx += 1;
        }
        token
    }

    fn at_punct(&self, punct: &str) -> bool {
        matches!(self.peek(), Tok::Punct(p) if *p == punct)
    }

    fn at_word(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Ident(w) if w == word)
    }

    fn describe(tok: &Tok) -> String {
        match tok {
            Tok::Int(value) => format!("the number {value}"),
            Tok::Str(_) => "a string".into(),
            Tok::Ident(word) => format!("'{word}'"),
            Tok::Punct(p) => format!("'{p}'"),
            Tok::Newline => "the end of the line".into(),
            Tok::Eof => "the end of the program".into(),
        }
    }

    fn unexpected(&self, wanted: &str) -> ScenarioError {
        error_at(
            self.pos(),
            format!("expected {wanted}, found {}", Self::describe(self.peek())),
        )
    }

    fn expect_punct(&mut self, punct: &'static str) -> Result<Pos, ScenarioError> {
        if self.at_punct(punct) {
            Ok(self.bump().pos)
        } else {
            Err(self.unexpected(&format!("'{punct}'")))
        }
    }

    fn name(&mut self, what: &str) -> Result<(String, Pos), ScenarioError> {
        match self.peek().clone() {
            Tok::Ident(word) if KEYWORDS.contains(&word.as_str()) => Err(error_at(
                self.pos(),
                format!("'{word}' is a keyword and cannot be {what}"),
            )
            .with_hint("pick another name")),
            Tok::Ident(word) => {
                let pos = self.bump().pos;
                Ok((word, pos))
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Tok::Newline) || self.at_punct(";") {
            self.bump();
        }
    }

    /// The end of a statement or declaration: a newline, `;`, or a `}` or
    /// the end of the text that closes what contains it.
    fn end_of_statement(&mut self) -> Result<(), ScenarioError> {
        match self.peek() {
            Tok::Newline | Tok::Punct(";") => {
                self.bump();
                Ok(())
            }
            Tok::Punct("}") | Tok::Eof => Ok(()),
            _ => Err(self
                .unexpected("the end of the line")
                .with_hint("put one statement per line, or separate them with ';'")),
        }
    }

    fn program(&mut self) -> Result<Ast, ScenarioError> {
        let mut ast = Ast::default();
        self.skip_newlines();
        while !matches!(self.peek(), Tok::Eof) {
            let pos = self.pos();
            let Tok::Ident(word) = self.peek().clone() else {
                return Err(self
                    .unexpected("a declaration")
                    .with_hint(DECLARATIONS_HINT));
            };
            self.bump();
            match word.as_str() {
                "shared" => {
                    let (name, pos) = self.name("a shared variable's name")?;
                    let init = if self.at_punct("[") {
                        self.array_init()?
                    } else {
                        self.expect_punct("=")?;
                        self.init()?
                    };
                    ast.shared.push(SharedDecl { name, init, pos });
                }
                "mutex" => self.names("a mutex's name", &mut ast.mutexes)?,
                "file" => {
                    let (name, pos) = self.name("a file's name")?;
                    let contents = if self.at_punct("=") {
                        self.bump();
                        match self.bump().tok {
                            Tok::Str(text) => text,
                            _ => {
                                return Err(error_at(pos, "a file starts with a string")
                                    .with_hint("file log = \"\""));
                            }
                        }
                    } else {
                        String::new()
                    };
                    ast.files.push(FileDecl {
                        name,
                        contents,
                        pos,
                    });
                }
                "fn" => {
                    let (name, pos) = self.name("a function's name")?;
                    self.expect_punct("(")?;
                    let mut params = Vec::new();
                    while !self.at_punct(")") {
                        params.push(self.name("a parameter's name")?.0);
                        if !self.at_punct(",") {
                            break;
                        }
                        self.bump();
                    }
                    self.expect_punct(")")?;
                    let body = self.block()?;
                    ast.functions.push(FnDecl {
                        name,
                        params,
                        body,
                        pos,
                    });
                }
                "thread" => {
                    let (name, pos) = self.name("a thread's name")?;
                    let body = self.block()?;
                    ast.threads.push(ThreadDecl { name, body, pos });
                }
                "after" => {
                    if ast.after.is_some() {
                        return Err(error_at(pos, "a program has one 'after' block"));
                    }
                    ast.after = Some(self.block()?);
                }
                "goal" => {
                    let (goal, pos) = match self.bump() {
                        Token {
                            tok: Tok::Ident(goal),
                            pos,
                        } => (goal, pos),
                        token => {
                            return Err(
                                error_at(token.pos, "expected a goal").with_hint(GOALS_HINT)
                            );
                        }
                    };
                    ast.goal = Some((goal, pos));
                }
                "sem" => {
                    let (name, pos) = self.name("a semaphore's name")?;
                    let count = self.count_init("a semaphore", "sem s = 1", 0)?;
                    ast.semaphores.push((name, count, pos));
                }
                "barrier" => {
                    let (name, pos) = self.name("a barrier's name")?;
                    let count = self.count_init("a barrier", "barrier b = 2", 1)?;
                    ast.barriers.push((name, count, pos));
                }
                "cond" => self.names("a condition variable's name", &mut ast.conds)?,
                "rwlock" => self.names("a reader-writer lock's name", &mut ast.rwlocks)?,
                "allow" => {
                    let (what, at) = match self.bump() {
                        Token {
                            tok: Tok::Ident(what),
                            pos,
                        } => (what, pos),
                        token => (String::new(), token.pos),
                    };
                    if what != "spurious_wakeups" {
                        return Err(error_at(at, "expected what to allow")
                            .with_hint("allow spurious_wakeups"));
                    }
                    ast.spurious_wakeups = true;
                }
                other => {
                    return Err(error_at(pos, format!("unknown declaration '{other}'"))
                        .with_hint(DECLARATIONS_HINT));
                }
            }
            self.end_of_statement()?;
            self.skip_newlines();
        }
        Ok(ast)
    }

    /// `a, b, c`: one or more names of one kind.
    fn names(&mut self, what: &str, into: &mut Vec<(String, Pos)>) -> Result<(), ScenarioError> {
        loop {
            into.push(self.name(what)?);
            if !self.at_punct(",") {
                return Ok(());
            }
            self.bump();
        }
    }

    /// `= N` after a semaphore's or a barrier's name: a number at least `min`.
    fn count_init(&mut self, what: &str, example: &str, min: i64) -> Result<i64, ScenarioError> {
        let pos = self.pos();
        if !self.at_punct("=") {
            return Err(self
                .unexpected("'='")
                .with_hint(format!("{what} starts with a count: {example}")));
        }
        self.bump();
        match self.bump().tok {
            Tok::Int(count) if count >= min => Ok(count),
            _ => Err(error_at(
                pos,
                format!("{what} starts with a whole number, {min} or more"),
            )
            .with_hint(example.to_owned())),
        }
    }

    /// `[4]` or `[4] = 7` after a shared array's name.
    fn array_init(&mut self) -> Result<Init, ScenarioError> {
        self.expect_punct("[")?;
        let pos = self.pos();
        let Tok::Int(len) = self.bump().tok else {
            return Err(error_at(pos, "an array's length is a number").with_hint("shared buf[4]"));
        };
        self.expect_punct("]")?;
        let mut fill = 0;
        if self.at_punct("=") {
            self.bump();
            let pos = self.pos();
            fill = match self.init()? {
                Init::Int(value) => value,
                _ => {
                    return Err(error_at(pos, "an array's elements start as a number")
                        .with_hint("shared buf[4] = 0"));
                }
            };
        }
        Ok(Init::Array { len, fill })
    }

    fn init(&mut self) -> Result<Init, ScenarioError> {
        let pos = self.pos();
        let negative = if self.at_punct("-") {
            self.bump();
            true
        } else {
            false
        };
        match self.bump().tok {
            Tok::Int(value) => Ok(Init::Int(if negative { -value } else { value })),
            Tok::Str(text) if !negative => Ok(Init::Str(text)),
            Tok::Ident(word) if word == "null" && !negative => Ok(Init::Null),
            Tok::Ident(word) if word == "true" && !negative => Ok(Init::Int(1)),
            Tok::Ident(word) if word == "false" && !negative => Ok(Init::Int(0)),
            Tok::Ident(word) if word == "nodes" && !negative => {
                self.expect_punct("(")?;
                let mut values = Vec::new();
                while !self.at_punct(")") {
                    let pos = self.pos();
                    let sign = if self.at_punct("-") {
                        self.bump();
                        -1
                    } else {
                        1
                    };
                    match self.bump().tok {
                        Tok::Int(value) => values.push(sign * value),
                        _ => return Err(error_at(pos, "a node's value is a number")),
                    }
                    if !self.at_punct(",") {
                        break;
                    }
                    self.bump();
                }
                self.expect_punct(")")?;
                Ok(Init::Nodes(values))
            }
            _ => Err(error_at(
                pos,
                "a shared variable starts as a number, a string, null or nodes(...)",
            )
            .with_hint("shared x = 0, or shared head = nodes(1, 2, 3)")),
        }
    }

    fn block(&mut self) -> Result<Block, ScenarioError> {
        let pos = self.pos();
        self.expect_punct("{")?;
        self.enter(pos)?;
        let stmts = self.block_rest()?;
        self.leave(1);
        Ok(stmts)
    }

    fn block_rest(&mut self) -> Result<Block, ScenarioError> {
        let mut stmts = Vec::new();
        self.skip_newlines();
        while !self.at_punct("}") {
            if matches!(self.peek(), Tok::Eof) {
                return Err(self
                    .unexpected("'}'")
                    .with_hint("a block opened with '{' is not closed"));
            }
            stmts.push(self.statement()?);
            self.end_of_statement()?;
            self.skip_newlines();
        }
        self.bump();
        Ok(stmts)
    }

    fn statement(&mut self) -> Result<Stmt, ScenarioError> {
        let pos = self.pos();
        let kind = if self.at_word("if") {
            self.bump();
            self.if_rest()?
        } else if self.at_word("while") {
            self.bump();
            let cond = self.expr()?;
            let body = self.block()?;
            StmtKind::While { cond, body }
        } else if self.at_word("critical") {
            self.bump();
            StmtKind::Critical(self.block()?)
        } else if self.at_word("assert") {
            self.bump();
            self.expect_punct("(")?;
            let cond = self.expr()?;
            self.expect_punct(")")?;
            StmtKind::Assert(cond)
        } else if self.at_word("progress")
            && matches!(
                self.tokens.get(self.idx + 1).map(|token| &token.tok),
                Some(Tok::Newline | Tok::Eof | Tok::Punct(";" | "}"))
            )
        {
            self.bump();
            StmtKind::Progress
        } else if self.at_word("return") {
            self.bump();
            if matches!(self.peek(), Tok::Newline | Tok::Eof | Tok::Punct(";" | "}")) {
                StmtKind::Return(None)
            } else {
                StmtKind::Return(Some(self.expr()?))
            }
        } else {
            let target = self.expr()?;
            let op = match self.peek() {
                Tok::Punct(p @ ("=" | "+=" | "-=")) => Some(*p),
                _ => None,
            };
            match op {
                None => match target.kind {
                    ExprKind::Call(..) => StmtKind::Call(target),
                    _ => {
                        return Err(error_at(pos, "this line does nothing").with_hint(
                            "a statement is an assignment (x = ...) or a call (lock(m))",
                        ));
                    }
                },
                Some(op) => {
                    let op_pos = self.bump().pos;
                    let mut value = self.expr()?;
                    if op != "=" {
                        let bin = if op == "+=" { BinOp::Add } else { BinOp::Sub };
                        value = Expr {
                            kind: ExprKind::Binary(bin, Box::new(target.clone()), Box::new(value)),
                            pos: op_pos,
                        };
                    }
                    match target.kind {
                        ExprKind::Name(name) => {
                            if KEYWORDS.contains(&name.as_str()) {
                                return Err(error_at(pos, format!("cannot assign to '{name}'")));
                            }
                            StmtKind::Assign { name, value }
                        }
                        ExprKind::Field(node, field) => StmtKind::SetField {
                            node: *node,
                            field,
                            value,
                        },
                        ExprKind::Index(name, index) => StmtKind::SetIndex {
                            name,
                            index: *index,
                            value,
                        },
                        _ => {
                            return Err(error_at(
                                pos,
                                "only a variable, an array's element or a node's field can be assigned",
                            )
                            .with_hint("x = 1, buf[i] = 1, or node.next = other"));
                        }
                    }
                }
            }
        };
        Ok(Stmt { kind, pos })
    }

    fn if_rest(&mut self) -> Result<StmtKind, ScenarioError> {
        let cond = self.expr()?;
        let then = self.block()?;
        let otherwise = if self.at_word("else") {
            self.bump();
            if self.at_word("if") {
                let pos = self.bump().pos;
                // An `else if` chain nests one level per link.
                self.enter(pos)?;
                let kind = self.if_rest()?;
                self.leave(1);
                vec![Stmt { kind, pos }]
            } else {
                self.block()?
            }
        } else {
            Vec::new()
        };
        Ok(StmtKind::If {
            cond,
            then,
            otherwise,
        })
    }

    fn expr(&mut self) -> Result<Expr, ScenarioError> {
        self.binary(0)
    }

    fn binary(&mut self, level: usize) -> Result<Expr, ScenarioError> {
        const LEVELS: [&[(&str, BinOp)]; 5] = [
            &[("||", BinOp::Or)],
            &[("&&", BinOp::And)],
            &[
                ("==", BinOp::Eq),
                ("!=", BinOp::Ne),
                ("<=", BinOp::Le),
                (">=", BinOp::Ge),
                ("<", BinOp::Lt),
                (">", BinOp::Gt),
            ],
            &[("+", BinOp::Add), ("-", BinOp::Sub)],
            &[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Rem)],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        // Each operator of a chain nests the tree one level deeper.
        let mut chained = 0;
        loop {
            let found = LEVELS[level]
                .iter()
                .find(|(symbol, _)| self.at_punct(symbol));
            let Some((_, op)) = found else {
                self.leave(chained);
                return Ok(left);
            };
            let pos = self.bump().pos;
            self.enter(pos)?;
            chained += 1;
            let right = self.binary(level + 1)?;
            left = Expr {
                kind: ExprKind::Binary(*op, Box::new(left), Box::new(right)),
                pos,
            };
            if level == 2 {
                // Comparisons do not chain: `a < b < c` is a mistake.
                self.leave(chained);
                return Ok(left);
            }
        }
    }

    fn unary(&mut self) -> Result<Expr, ScenarioError> {
        let pos = self.pos();
        let op = if self.at_punct("!") {
            Some(UnOp::Not)
        } else if self.at_punct("-") {
            Some(UnOp::Neg)
        } else {
            None
        };
        if let Some(op) = op {
            self.bump();
            self.enter(pos)?;
            let inner = self.unary()?;
            self.leave(1);
            return Ok(Expr {
                kind: ExprKind::Unary(op, Box::new(inner)),
                pos,
            });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, ScenarioError> {
        let mut expr = self.primary()?;
        if self.at_punct("[") {
            let pos = self.bump().pos;
            let ExprKind::Name(name) = expr.kind else {
                return Err(error_at(pos, "only a shared array can be indexed")
                    .with_hint("shared buf[4], then buf[i]"));
            };
            self.enter(pos)?;
            let index = self.expr()?;
            self.leave(1);
            self.expect_punct("]")?;
            expr = Expr {
                kind: ExprKind::Index(name, Box::new(index)),
                pos: expr.pos,
            };
        }
        let mut fields = 0;
        while self.at_punct(".") {
            self.bump();
            let pos = self.pos();
            // `a.next.next` nests one level per field.
            self.enter(pos)?;
            fields += 1;
            let field = match self.peek() {
                Tok::Ident(word) if word == "value" => Field::Value,
                Tok::Ident(word) if word == "next" => Field::Next,
                _ => {
                    return Err(self
                        .unexpected("a field")
                        .with_hint("a node has two fields: value and next"));
                }
            };
            self.bump();
            expr = Expr {
                kind: ExprKind::Field(Box::new(expr), field),
                pos,
            };
        }
        self.leave(fields);
        Ok(expr)
    }

    fn primary(&mut self) -> Result<Expr, ScenarioError> {
        let pos = self.pos();
        let kind = match self.peek().clone() {
            Tok::Int(value) => {
                self.bump();
                ExprKind::Int(value)
            }
            Tok::Str(text) => {
                self.bump();
                ExprKind::Str(text)
            }
            Tok::Punct("(") => {
                self.bump();
                self.enter(pos)?;
                let inner = self.expr()?;
                self.leave(1);
                self.expect_punct(")")?;
                return Ok(inner);
            }
            Tok::Ident(word) => {
                self.bump();
                match word.as_str() {
                    "true" => ExprKind::Bool(true),
                    "false" => ExprKind::Bool(false),
                    "null" => ExprKind::Null,
                    _ if self.at_punct("(") => {
                        self.bump();
                        let mut args = Vec::new();
                        while !self.at_punct(")") {
                            args.push(self.expr()?);
                            if !self.at_punct(",") {
                                break;
                            }
                            self.bump();
                        }
                        self.expect_punct(")")?;
                        ExprKind::Call(word, args)
                    }
                    // `shared` also names a lock mode: flock(h, shared).
                    _ if KEYWORDS.contains(&word.as_str()) && word != "shared" => {
                        return Err(
                            error_at(pos, format!("'{word}' cannot start an expression"))
                                .with_hint("is a line break missing before it?"),
                        );
                    }
                    _ => ExprKind::Name(word),
                }
            }
            _ => return Err(self.unexpected("a value")),
        };
        Ok(Expr { kind, pos })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn parses_declarations_threads_and_statements() {
        let ast = parse(
            "shared x = 0\nmutex a, b\nfile log = \"hi\\n\"\n\
             fn bump(n) {\n  x = x + n\n  return x\n}\n\
             thread A {\n  lock(a); x += 1\n  if x > 1 { unlock(a) } else if x == 0 { assert(false) }\n}\n\
             after { assert(x == 1) }\ngoal assert\n",
        )
        .unwrap();
        assert_eq!(ast.shared[0].name, "x");
        assert_eq!(ast.mutexes.len(), 2);
        assert_eq!(ast.files[0].contents, "hi\n");
        assert_eq!(ast.functions[0].params, vec!["n".to_owned()]);
        assert_eq!(ast.threads[0].body.len(), 3);
        assert!(ast.after.is_some());
        assert_eq!(ast.goal.as_ref().unwrap().0, "assert");
    }

    #[test]
    fn errors_name_line_and_column() {
        assert_eq!(
            error("shared x = 0\nthread A {\n  x = = 1\n}\n"),
            "3:7: expected a value, found '='"
        );
        assert_eq!(
            error("thread A {\n  x = 1\n"),
            "3:1: expected '}', found the end of the program (hint: a block opened with '{' is not closed)"
        );
        assert_eq!(
            error("thread A { x = 1 y = 2 }"),
            "1:18: expected the end of the line, found 'y' (hint: put one statement per line, or separate them with ';')"
        );
        assert_eq!(
            error("thread while { }"),
            "1:8: 'while' is a keyword and cannot be a thread's name (hint: pick another name)"
        );
        assert_eq!(
            error("thread A { x = \"open\n}"),
            "1:16: this string is not closed (hint: end it with \" on the same line)"
        );
        assert!(error("thread A { p.prev = 1 }").contains("a node has two fields"));
        assert!(error("thread A { x }").contains("this line does nothing"));
    }

    #[test]
    fn comparisons_do_not_chain_and_operators_keep_precedence() {
        let ast = parse("thread A { y = 1 + 2 * 3 == 7 && !false }").unwrap();
        let StmtKind::Assign { value, .. } = &ast.threads[0].body[0].kind else {
            panic!("not an assignment");
        };
        let ExprKind::Binary(BinOp::And, left, _) = &value.kind else {
            panic!("&& binds loosest: {value:?}");
        };
        assert!(matches!(left.kind, ExprKind::Binary(BinOp::Eq, _, _)));
        assert!(error("thread A { y = 1 < 2 < 3 }").contains("expected the end of the line"));
    }
}
