//! The syntax tree of the lab's JavaScript subset, as the parser makes it
//! and the compiler reads it. Every statement and expression keeps where
//! it was written.

use std::rc::Rc;

use super::Pos;

/// Where a piece of the program is: from `start` up to (not including) `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    Expr(Expr),
    /// `let` or `const` (`constant`) with one or more declarators.
    Let {
        constant: bool,
        decls: Vec<(Pattern, Option<Expr>)>,
    },
    Function(Rc<Function>),
    Return(Option<Expr>),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    While(Expr, Box<Stmt>),
    DoWhile(Box<Stmt>, Expr),
    For {
        init: Option<Box<Stmt>>,
        test: Option<Expr>,
        update: Option<Expr>,
        body: Box<Stmt>,
    },
    /// `for (const x of xs)` or, `keys`, `for (const k in o)`.
    ForOf {
        /// `Some(constant)` for a declaration; `None` assigns to an
        /// existing target.
        declare: Option<bool>,
        target: Pattern,
        iterable: Expr,
        body: Box<Stmt>,
        keys: bool,
    },
    Break,
    Continue,
    Throw(Expr),
    Try {
        block: Vec<Stmt>,
        catch: Option<(Option<Pattern>, Vec<Stmt>)>,
        finally: Option<Vec<Stmt>>,
    },
    Block(Vec<Stmt>),
    Empty,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub name: Option<Rc<str>>,
    pub params: Vec<Param>,
    pub body: Body,
    pub is_async: bool,
    pub is_arrow: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Block(Vec<Stmt>),
    /// An arrow function's expression body.
    Expr(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub pattern: Pattern,
    pub default: Option<Expr>,
    pub rest: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    Ident(Rc<str>, Span),
    Array {
        elements: Vec<Option<PatternElem>>,
        rest: Option<Box<Pattern>>,
        span: Span,
    },
    Object {
        props: Vec<(PropKey, PatternElem)>,
        rest: Option<Box<Pattern>>,
        span: Span,
    },
    /// An assignment target that is not a name: `o.x`, `a[i]`.
    Member(Box<Expr>),
}

impl Pattern {
    pub fn span(&self) -> Span {
        match self {
            Pattern::Ident(_, span)
            | Pattern::Array { span, .. }
            | Pattern::Object { span, .. } => *span,
            Pattern::Member(expr) => expr.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatternElem {
    pub target: Pattern,
    pub default: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PropKey {
    Name(Rc<str>),
    Computed(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Num(f64),
    Str(Rc<str>),
    Template(Vec<Rc<str>>, Vec<Expr>),
    Bool(bool),
    Null,
    Ident(Rc<str>),
    This,
    Array(Vec<ArrayElem>),
    Object(Vec<Prop>),
    Function(Rc<Function>),
    Unary(UnaryOp, Box<Expr>),
    Update {
        increment: bool,
        prefix: bool,
        target: Box<Expr>,
    },
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Logical(LogicalOp, Box<Expr>, Box<Expr>),
    Assign {
        op: AssignOp,
        target: Box<Pattern>,
        value: Box<Expr>,
    },
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Call {
        callee: Box<Expr>,
        args: Vec<ArrayElem>,
        optional: bool,
    },
    New {
        callee: Box<Expr>,
        args: Vec<ArrayElem>,
    },
    Member {
        object: Box<Expr>,
        name: Rc<str>,
        optional: bool,
    },
    Index {
        object: Box<Expr>,
        index: Box<Expr>,
        optional: bool,
    },
    /// The top of a chain with `?.` in it: where a short circuit lands.
    OptionalChain(Box<Expr>),
    Await(Box<Expr>),
    Sequence(Vec<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ArrayElem {
    Item(Expr),
    Spread(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Prop {
    Value(PropKey, Expr),
    /// `{ x }`.
    Shorthand(Rc<str>, Span),
    Method(PropKey, Rc<Function>),
    Spread(Expr),
    /// `{ x = 1 }`: valid only as a pattern (`({ x = 1 } = o)`); the
    /// compiler refuses it anywhere else.
    ShorthandDefault(Rc<str>, Expr, Span),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
    Plus,
    BitNot,
    Typeof,
    Void,
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Exp,
    Eq,
    NotEq,
    StrictEq,
    StrictNotEq,
    Lt,
    Gt,
    LtEq,
    GtEq,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    UShr,
    In,
    Instanceof,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogicalOp {
    And,
    Or,
    Nullish,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Assign,
    Binary(BinaryOp),
    Logical(LogicalOp),
}
