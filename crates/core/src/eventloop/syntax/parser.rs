//! The parser: tokens into the syntax tree, by recursive descent with one
//! function per level of precedence. Semicolons may be left out where
//! JavaScript inserts them (a line break, a `}` or the end); what the lab
//! does not support is refused where it is written, never run differently.

use std::rc::Rc;

use super::ast::*;
use super::lexer::{Tok, Token};
use super::{MAX_NESTING, Pos, error_at, not_supported};
use crate::error::ScenarioError;

type Result<T> = std::result::Result<T, ScenarioError>;

#[derive(Debug)]
pub struct Parser<'t> {
    tokens: &'t [Token],
    at: usize,
    /// How deep the parse is nested now (statements and expressions).
    depth: usize,
    /// Function nesting: whether `await` is allowed here (an async
    /// function, or the top level, as in a module).
    in_async: Vec<bool>,
    /// Loop and function nesting for `break`, `continue` and `return`.
    loops: usize,
    in_function: usize,
}

const RESERVED: [&str; 38] = [
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "new",
    "null",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "let",
];

pub fn is_reserved(word: &str) -> bool {
    RESERVED.contains(&word)
        || word == "await"
        || word == "static"
        || word == "implements"
        || word == "interface"
        || word == "package"
        || word == "private"
        || word == "protected"
        || word == "public"
}

impl<'t> Parser<'t> {
    pub fn new(tokens: &'t [Token]) -> Parser<'t> {
        Parser {
            tokens,
            at: 0,
            depth: 0,
            in_async: vec![true],
            loops: 0,
            in_function: 0,
        }
    }

    // ---- token helpers ----

    fn peek(&self) -> &Token {
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    fn peek_n(&self, n: usize) -> &Token {
        &self.tokens[(self.at + n).min(self.tokens.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let token = self.peek().clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        token
    }

    fn pos(&self) -> Pos {
        self.peek().start
    }

    /// Where the last consumed token ends.
    fn prev_end(&self) -> Pos {
        if self.at == 0 {
            return self.tokens[0].start;
        }
        self.tokens[self.at - 1].end
    }

    fn span_from(&self, start: Pos) -> Span {
        Span {
            start,
            end: self.prev_end(),
        }
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(&self.peek().tok, Tok::Punct(q) if *q == p)
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(w) if w == word)
    }

    fn word_at(&self, n: usize, word: &str) -> bool {
        matches!(&self.peek_n(n).tok, Tok::Ident(w) if w == word)
    }

    fn punct_at(&self, n: usize, p: &str) -> bool {
        matches!(&self.peek_n(n).tok, Tok::Punct(q) if *q == p)
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.is_punct(p) {
            self.next();
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if self.is_word(word) {
            self.next();
            true
        } else {
            false
        }
    }

    fn describe(token: &Token) -> String {
        match &token.tok {
            Tok::Ident(w) => format!("`{w}`"),
            Tok::Num(n) => format!("the number {n}"),
            Tok::Str(_) => "a string".into(),
            Tok::Template { .. } => "a template literal".into(),
            Tok::Punct(p) => format!("`{p}`"),
            Tok::Eof => "the end of the program".into(),
        }
    }

    fn expect(&mut self, p: &str) -> Result<()> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(error_at(
                self.pos(),
                format!("expected `{p}`, found {}", Self::describe(self.peek())),
            ))
        }
    }

    fn unexpected<T>(&self) -> Result<T> {
        Err(error_at(
            self.pos(),
            format!("unexpected {}", Self::describe(self.peek())),
        ))
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(error_at(
                self.pos(),
                format!("the program is nested more than {MAX_NESTING} deep here"),
            )
            .with_hint("split it into functions"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// The end of a statement: `;`, or a line break, `}` or the end of the
    /// program before the next token (automatic semicolon insertion).
    fn end_statement(&mut self) -> Result<()> {
        if self.eat(";") {
            return Ok(());
        }
        let next = self.peek();
        if next.newline_before
            || matches!(next.tok, Tok::Eof)
            || matches!(next.tok, Tok::Punct("}"))
        {
            return Ok(());
        }
        Err(error_at(
            next.start,
            format!(
                "expected `;` or a line break before {}",
                Self::describe(next)
            ),
        ))
    }

    fn identifier(&mut self) -> Result<(Rc<str>, Span)> {
        let token = self.peek().clone();
        match &token.tok {
            Tok::Ident(word) => {
                if is_reserved(word) {
                    return Err(error_at(
                        token.start,
                        format!("`{word}` is a reserved word"),
                    ));
                }
                self.next();
                Ok((
                    Rc::from(word.as_str()),
                    Span {
                        start: token.start,
                        end: token.end,
                    },
                ))
            }
            _ => Err(error_at(
                token.start,
                format!("expected a name, found {}", Self::describe(&token)),
            )),
        }
    }

    // ---- statements ----

    pub fn program(&mut self) -> Result<Vec<Stmt>> {
        let mut body = Vec::new();
        while !matches!(self.peek().tok, Tok::Eof) {
            body.push(self.statement()?);
        }
        Ok(body)
    }

    fn block_body(&mut self) -> Result<Vec<Stmt>> {
        self.expect("{")?;
        let mut body = Vec::new();
        while !self.is_punct("}") {
            if matches!(self.peek().tok, Tok::Eof) {
                return Err(error_at(self.pos(), "a `{` has no closing `}`"));
            }
            body.push(self.statement()?);
        }
        self.next();
        Ok(body)
    }

    fn statement(&mut self) -> Result<Stmt> {
        self.enter()?;
        let result = self.statement_inner();
        self.leave();
        result
    }

    fn statement_inner(&mut self) -> Result<Stmt> {
        let start = self.pos();
        // Each kind of statement is parsed in a function of its own: the
        // frames on the way down a nested program stay small.
        let word = match &self.peek().tok {
            Tok::Ident(word) => Some(word.clone()),
            _ => None,
        };
        let kind = match word.as_deref() {
            _ if self.is_punct("{") => StmtKind::Block(self.block_body()?),
            _ if self.is_punct(";") => {
                self.next();
                StmtKind::Empty
            }
            Some("let" | "const") => {
                let kind = self.declaration()?;
                self.end_statement()?;
                kind
            }
            Some("var") => {
                return Err(not_supported(start, "`var`")
                    .with_hint("use `let` (or `const` for a value that never changes)"));
            }
            Some("function") => StmtKind::Function(self.function(false, start, true)?),
            Some("async") if self.word_at(1, "function") && !self.peek_n(1).newline_before => {
                self.next();
                StmtKind::Function(self.function(true, start, true)?)
            }
            Some("return") => self.return_statement(start)?,
            Some("if") => self.if_statement()?,
            Some("while") => self.while_statement()?,
            Some("do") => self.do_while_statement()?,
            Some("for") => self.for_statement(start)?,
            Some(word @ ("break" | "continue")) => self.jump_statement(start, word == "break")?,
            Some("throw") => self.throw_statement()?,
            Some("try") => self.try_statement()?,
            Some("switch") => {
                return Err(not_supported(start, "`switch`").with_hint("use `if` and `else if`"));
            }
            Some("class") => {
                return Err(not_supported(start, "classes").with_hint("use functions and objects"));
            }
            Some("import" | "export") => {
                return Err(not_supported(start, "modules (`import`, `export`)"));
            }
            Some("with") => return Err(not_supported(start, "`with`")),
            Some("debugger") => return Err(not_supported(start, "`debugger`")),
            Some(word) if self.punct_at(1, ":") && !is_reserved(word) => {
                return Err(not_supported(start, "labels"));
            }
            _ => self.expression_statement()?,
        };
        Ok(Stmt {
            kind,
            span: self.span_from(start),
        })
    }

    fn expression_statement(&mut self) -> Result<StmtKind> {
        let expr = self.expression()?;
        self.end_statement()?;
        Ok(StmtKind::Expr(expr))
    }

    fn return_statement(&mut self, start: Pos) -> Result<StmtKind> {
        if self.in_function == 0 {
            return Err(error_at(start, "`return` outside a function"));
        }
        self.next();
        let next = self.peek();
        let value = if next.newline_before
            || matches!(next.tok, Tok::Eof | Tok::Punct(";") | Tok::Punct("}"))
        {
            None
        } else {
            Some(self.expression()?)
        };
        self.end_statement()?;
        Ok(StmtKind::Return(value))
    }

    fn if_statement(&mut self) -> Result<StmtKind> {
        self.next();
        self.expect("(")?;
        let test = self.expression()?;
        self.expect(")")?;
        let then = self.sub_statement()?;
        let otherwise = if self.eat_word("else") {
            Some(Box::new(self.sub_statement()?))
        } else {
            None
        };
        Ok(StmtKind::If(test, Box::new(then), otherwise))
    }

    fn while_statement(&mut self) -> Result<StmtKind> {
        self.next();
        self.expect("(")?;
        let test = self.expression()?;
        self.expect(")")?;
        let body = self.loop_body()?;
        Ok(StmtKind::While(test, Box::new(body)))
    }

    fn do_while_statement(&mut self) -> Result<StmtKind> {
        self.next();
        let body = self.loop_body()?;
        if !self.eat_word("while") {
            return Err(error_at(
                self.pos(),
                "expected `while` after the body of `do`",
            ));
        }
        self.expect("(")?;
        let test = self.expression()?;
        self.expect(")")?;
        self.eat(";");
        Ok(StmtKind::DoWhile(Box::new(body), test))
    }

    fn jump_statement(&mut self, start: Pos, is_break: bool) -> Result<StmtKind> {
        self.next();
        if self.loops == 0 {
            let word = if is_break { "break" } else { "continue" };
            return Err(error_at(start, format!("`{word}` outside a loop")));
        }
        if matches!(self.peek().tok, Tok::Ident(_)) && !self.peek().newline_before {
            return Err(not_supported(self.pos(), "labels"));
        }
        self.end_statement()?;
        Ok(if is_break {
            StmtKind::Break
        } else {
            StmtKind::Continue
        })
    }

    fn throw_statement(&mut self) -> Result<StmtKind> {
        self.next();
        if self.peek().newline_before {
            return Err(error_at(
                self.pos(),
                "`throw` needs its value on the same line",
            ));
        }
        let value = self.expression()?;
        self.end_statement()?;
        Ok(StmtKind::Throw(value))
    }

    /// The body of `if` or `else`: a declaration there needs braces.
    fn sub_statement(&mut self) -> Result<Stmt> {
        if self.is_word("let") || self.is_word("const") || self.is_word("function") {
            return Err(error_at(
                self.pos(),
                "a declaration here needs braces around it",
            ));
        }
        self.statement()
    }

    fn loop_body(&mut self) -> Result<Stmt> {
        self.loops += 1;
        let body = self.sub_statement();
        self.loops -= 1;
        body
    }

    fn declaration(&mut self) -> Result<StmtKind> {
        let constant = self.is_word("const");
        self.next();
        let mut decls = Vec::new();
        loop {
            let at = self.pos();
            let target = self.binding_pattern()?;
            let init = if self.eat("=") {
                Some(self.assignment()?)
            } else {
                None
            };
            if init.is_none() && (constant || !matches!(target, Pattern::Ident(..))) {
                return Err(error_at(
                    at,
                    if constant {
                        "a `const` needs a value (`const x = …`)"
                    } else {
                        "a destructuring declaration needs a value"
                    },
                ));
            }
            decls.push((target, init));
            if !self.eat(",") {
                break;
            }
        }
        Ok(StmtKind::Let { constant, decls })
    }

    fn for_statement(&mut self, start: Pos) -> Result<StmtKind> {
        self.next();
        if self.is_word("await") {
            return Err(not_supported(self.pos(), "`for await`"));
        }
        self.expect("(")?;
        // `for (… of …)` or `for (… in …)`: an `of` or `in` before the
        // first `;` at this depth.
        let mut depth = 0usize;
        let mut each = None;
        let mut n = 0;
        loop {
            let token = self.peek_n(n);
            match &token.tok {
                Tok::Punct("(" | "[" | "{") => depth += 1,
                Tok::Punct(")" | "]" | "}") => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                Tok::Punct(";") if depth == 0 => break,
                Tok::Ident(w) if depth == 0 && (w == "of" || w == "in") && n > 0 => {
                    each = Some(w == "in");
                    break;
                }
                Tok::Eof => break,
                _ => {}
            }
            n += 1;
        }
        if let Some(keys) = each {
            let declare = if self.is_word("let") || self.is_word("const") {
                let constant = self.is_word("const");
                self.next();
                Some(constant)
            } else if self.is_word("var") {
                return Err(not_supported(self.pos(), "`var`").with_hint("use `const` or `let`"));
            } else {
                None
            };
            let target = if declare.is_some() {
                self.binding_pattern()?
            } else {
                let expr = self.unary()?;
                self.to_pattern(expr, true)?
            };
            if self.is_punct("=") {
                return Err(error_at(
                    self.pos(),
                    "a `for … of` variable cannot have a default here",
                ));
            }
            self.next();
            let iterable = if keys {
                self.expression()?
            } else {
                self.assignment()?
            };
            self.expect(")")?;
            let body = self.loop_body()?;
            let _ = start;
            return Ok(StmtKind::ForOf {
                declare,
                target,
                iterable,
                body: Box::new(body),
                keys,
            });
        }
        let init = if self.is_punct(";") {
            None
        } else if self.is_word("let") || self.is_word("const") {
            let at = self.pos();
            let kind = self.declaration()?;
            Some(Box::new(Stmt {
                kind,
                span: self.span_from(at),
            }))
        } else if self.is_word("var") {
            return Err(not_supported(self.pos(), "`var`").with_hint("use `let`"));
        } else {
            let at = self.pos();
            let expr = self.expression()?;
            Some(Box::new(Stmt {
                kind: StmtKind::Expr(expr),
                span: self.span_from(at),
            }))
        };
        self.expect(";")?;
        let test = if self.is_punct(";") {
            None
        } else {
            Some(self.expression()?)
        };
        self.expect(";")?;
        let update = if self.is_punct(")") {
            None
        } else {
            Some(self.expression()?)
        };
        self.expect(")")?;
        let body = self.loop_body()?;
        Ok(StmtKind::For {
            init,
            test,
            update,
            body: Box::new(body),
        })
    }

    fn try_statement(&mut self) -> Result<StmtKind> {
        self.next();
        let block = self.block_body()?;
        let catch = if self.eat_word("catch") {
            let param = if self.eat("(") {
                let pattern = self.binding_pattern()?;
                self.expect(")")?;
                Some(pattern)
            } else {
                None
            };
            Some((param, self.block_body()?))
        } else {
            None
        };
        let finally = if self.eat_word("finally") {
            Some(self.block_body()?)
        } else {
            None
        };
        if catch.is_none() && finally.is_none() {
            return Err(error_at(
                self.pos(),
                "a `try` needs a `catch` or a `finally`",
            ));
        }
        Ok(StmtKind::Try {
            block,
            catch,
            finally,
        })
    }

    // ---- functions ----

    /// `function name(params) { body }`; the current token is `function`.
    fn function(&mut self, is_async: bool, start: Pos, declaration: bool) -> Result<Rc<Function>> {
        self.next();
        if self.is_punct("*") {
            return Err(not_supported(
                self.pos(),
                "generator functions (`function*`)",
            ));
        }
        let name = if matches!(self.peek().tok, Tok::Ident(_)) {
            Some(self.identifier()?.0)
        } else if declaration {
            return Err(error_at(self.pos(), "a function declaration needs a name"));
        } else {
            None
        };
        self.function_rest(name, is_async, false, start)
    }

    /// Parameters and body, from the `(`.
    fn function_rest(
        &mut self,
        name: Option<Rc<str>>,
        is_async: bool,
        is_arrow: bool,
        start: Pos,
    ) -> Result<Rc<Function>> {
        self.in_async.push(is_async);
        let params = self.params();
        let result = params.and_then(|params| {
            if is_arrow {
                if !self.is_punct("=>") {
                    return self.unexpected();
                }
                if self.peek().newline_before {
                    return Err(error_at(
                        self.pos(),
                        "`=>` must be on the same line as its parameters",
                    ));
                }
                self.next();
            }
            let body = self.function_body(is_arrow)?;
            Ok(Rc::new(Function {
                name,
                params,
                body,
                is_async,
                is_arrow,
                span: self.span_from(start),
            }))
        });
        self.in_async.pop();
        result
    }

    fn function_body(&mut self, is_arrow: bool) -> Result<Body> {
        let loops = std::mem::take(&mut self.loops);
        self.in_function += 1;
        let body = if is_arrow && !self.is_punct("{") {
            self.assignment().map(|e| Body::Expr(Box::new(e)))
        } else {
            self.block_body().map(Body::Block)
        };
        self.in_function -= 1;
        self.loops = loops;
        body
    }

    fn params(&mut self) -> Result<Vec<Param>> {
        self.expect("(")?;
        let mut params = Vec::new();
        while !self.is_punct(")") {
            if self.eat("...") {
                let pattern = self.binding_pattern()?;
                params.push(Param {
                    pattern,
                    default: None,
                    rest: true,
                });
                if !self.is_punct(")") {
                    return Err(error_at(
                        self.pos(),
                        "a rest parameter must be the last one",
                    ));
                }
                break;
            }
            let pattern = self.binding_pattern()?;
            let default = if self.eat("=") {
                Some(self.assignment()?)
            } else {
                None
            };
            params.push(Param {
                pattern,
                default,
                rest: false,
            });
            if !self.eat(",") {
                break;
            }
        }
        self.expect(")")?;
        Ok(params)
    }

    // ---- patterns ----

    fn binding_pattern(&mut self) -> Result<Pattern> {
        self.enter()?;
        let result = self.binding_pattern_inner();
        self.leave();
        result
    }

    fn binding_pattern_inner(&mut self) -> Result<Pattern> {
        let start = self.pos();
        if self.eat("[") {
            let mut elements = Vec::new();
            let mut rest = None;
            while !self.is_punct("]") {
                if self.eat(",") {
                    elements.push(None);
                    continue;
                }
                if self.eat("...") {
                    rest = Some(Box::new(self.binding_pattern()?));
                    break;
                }
                let target = self.binding_pattern()?;
                let default = if self.eat("=") {
                    Some(self.assignment()?)
                } else {
                    None
                };
                elements.push(Some(PatternElem { target, default }));
                if !self.is_punct("]") {
                    self.expect(",")?;
                }
            }
            self.expect("]")?;
            return Ok(Pattern::Array {
                elements,
                rest,
                span: self.span_from(start),
            });
        }
        if self.eat("{") {
            let mut props = Vec::new();
            let mut rest = None;
            while !self.is_punct("}") {
                if self.eat("...") {
                    let (name, span) = self.identifier()?;
                    rest = Some(Box::new(Pattern::Ident(name, span)));
                    break;
                }
                let key_start = self.pos();
                let key = self.property_key()?;
                let target = if self.eat(":") {
                    self.binding_pattern()?
                } else {
                    match &key {
                        PropKey::Name(name) if is_identifier_name(name) && !is_reserved(name) => {
                            Pattern::Ident(name.clone(), self.span_from(key_start))
                        }
                        _ => {
                            return Err(error_at(
                                key_start,
                                "expected `:` and a name after this key",
                            ));
                        }
                    }
                };
                let default = if self.eat("=") {
                    Some(self.assignment()?)
                } else {
                    None
                };
                props.push((key, PatternElem { target, default }));
                if !self.is_punct("}") {
                    self.expect(",")?;
                }
            }
            self.expect("}")?;
            return Ok(Pattern::Object {
                props,
                rest,
                span: self.span_from(start),
            });
        }
        let (name, span) = self.identifier()?;
        Ok(Pattern::Ident(name, span))
    }

    /// An expression on the left of `=` (or of `of`) as a pattern.
    fn to_pattern(&self, expr: Expr, destructure: bool) -> Result<Pattern> {
        let span = expr.span;
        match expr.kind {
            ExprKind::Ident(name) => {
                if &*name == "undefined" || &*name == "NaN" || &*name == "Infinity" {
                    return Err(error_at(
                        span.start,
                        format!("`{name}` cannot be assigned to"),
                    ));
                }
                Ok(Pattern::Ident(name, span))
            }
            ExprKind::Member {
                optional: false, ..
            }
            | ExprKind::Index {
                optional: false, ..
            } => Ok(Pattern::Member(Box::new(expr))),
            ExprKind::Array(items) if destructure => {
                let mut elements = Vec::new();
                let mut rest = None;
                let count = items.len();
                for (i, item) in items.into_iter().enumerate() {
                    match item {
                        ArrayElem::Spread(inner) => {
                            if i + 1 != count {
                                return Err(error_at(
                                    inner.span.start,
                                    "a rest element must be the last one",
                                ));
                            }
                            rest = Some(Box::new(self.to_pattern(inner, true)?));
                        }
                        ArrayElem::Item(inner) => elements.push(Some(self.to_elem(inner)?)),
                    }
                }
                Ok(Pattern::Array {
                    elements,
                    rest,
                    span,
                })
            }
            ExprKind::Object(props) if destructure => {
                let mut out = Vec::new();
                let mut rest = None;
                for prop in props {
                    match prop {
                        Prop::Value(key, value) => out.push((key, self.to_elem(value)?)),
                        Prop::Shorthand(name, span) => out.push((
                            PropKey::Name(name.clone()),
                            PatternElem {
                                target: Pattern::Ident(name, span),
                                default: None,
                            },
                        )),
                        Prop::ShorthandDefault(name, default, span) => out.push((
                            PropKey::Name(name.clone()),
                            PatternElem {
                                target: Pattern::Ident(name, span),
                                default: Some(default),
                            },
                        )),
                        Prop::Spread(inner) => {
                            rest = Some(Box::new(self.to_pattern(inner, false)?))
                        }
                        Prop::Method(..) => {
                            return Err(error_at(span.start, "a method cannot be assigned to"));
                        }
                    }
                }
                Ok(Pattern::Object {
                    props: out,
                    rest,
                    span,
                })
            }
            _ => Err(error_at(span.start, "this cannot be assigned to")),
        }
    }

    fn to_elem(&self, expr: Expr) -> Result<PatternElem> {
        if let ExprKind::Assign {
            op: AssignOp::Assign,
            target,
            value,
        } = expr.kind
        {
            return Ok(PatternElem {
                target: *target,
                default: Some(*value),
            });
        }
        Ok(PatternElem {
            target: self.to_pattern(expr, true)?,
            default: None,
        })
    }

    // ---- expressions ----

    pub fn expression(&mut self) -> Result<Expr> {
        let start = self.pos();
        let first = self.assignment()?;
        if !self.is_punct(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat(",") {
            items.push(self.assignment()?);
        }
        Ok(Expr {
            kind: ExprKind::Sequence(items),
            span: self.span_from(start),
        })
    }

    fn assignment(&mut self) -> Result<Expr> {
        self.enter()?;
        let result = self.assignment_inner();
        self.leave();
        result
    }

    fn assignment_inner(&mut self) -> Result<Expr> {
        let start = self.pos();
        if let Some(arrow) = self.try_arrow()? {
            return Ok(arrow);
        }
        if self.is_word("yield") {
            return Err(not_supported(start, "`yield` (generators)"));
        }
        let left = self.conditional()?;
        let op = match &self.peek().tok {
            Tok::Punct(p) => match *p {
                "=" => Some(AssignOp::Assign),
                "+=" => Some(AssignOp::Binary(BinaryOp::Add)),
                "-=" => Some(AssignOp::Binary(BinaryOp::Sub)),
                "*=" => Some(AssignOp::Binary(BinaryOp::Mul)),
                "/=" => Some(AssignOp::Binary(BinaryOp::Div)),
                "%=" => Some(AssignOp::Binary(BinaryOp::Rem)),
                "**=" => Some(AssignOp::Binary(BinaryOp::Exp)),
                "<<=" => Some(AssignOp::Binary(BinaryOp::Shl)),
                ">>=" => Some(AssignOp::Binary(BinaryOp::Shr)),
                ">>>=" => Some(AssignOp::Binary(BinaryOp::UShr)),
                "&=" => Some(AssignOp::Binary(BinaryOp::BitAnd)),
                "|=" => Some(AssignOp::Binary(BinaryOp::BitOr)),
                "^=" => Some(AssignOp::Binary(BinaryOp::BitXor)),
                "&&=" => Some(AssignOp::Logical(LogicalOp::And)),
                "||=" => Some(AssignOp::Logical(LogicalOp::Or)),
                "??=" => Some(AssignOp::Logical(LogicalOp::Nullish)),
                _ => None,
            },
            _ => None,
        };
        let Some(op) = op else {
            return Ok(left);
        };
        self.next();
        let target = self.to_pattern(left, op == AssignOp::Assign)?;
        let value = self.assignment()?;
        Ok(Expr {
            kind: ExprKind::Assign {
                op,
                target: Box::new(target),
                value: Box::new(value),
            },
            span: self.span_from(start),
        })
    }

    /// An arrow function, if one starts here.
    fn try_arrow(&mut self) -> Result<Option<Expr>> {
        let start = self.pos();
        let is_async = self.is_word("async")
            && !self.peek_n(1).newline_before
            && (matches!(self.peek_n(1).tok, Tok::Ident(_)) && self.punct_at(2, "=>")
                || self.punct_at(1, "(") && self.arrow_after_parens(1));
        let offset = usize::from(is_async);
        let single =
            matches!(self.peek_n(offset).tok, Tok::Ident(_)) && self.punct_at(offset + 1, "=>");
        let parens = self.punct_at(offset, "(") && self.arrow_after_parens(offset);
        if !(single || parens) {
            return Ok(None);
        }
        if is_async {
            self.next();
        }
        let function = if single {
            self.in_async.push(is_async);
            let param = self.identifier();
            self.in_async.pop();
            let (name, span) = param?;
            if self.peek().newline_before {
                return Err(error_at(
                    self.pos(),
                    "`=>` must be on the same line as its parameter",
                ));
            }
            self.next();
            self.in_async.push(is_async);
            let body = self.function_body(true);
            self.in_async.pop();
            Rc::new(Function {
                name: None,
                params: vec![Param {
                    pattern: Pattern::Ident(name, span),
                    default: None,
                    rest: false,
                }],
                body: body?,
                is_async,
                is_arrow: true,
                span: self.span_from(start),
            })
        } else {
            self.function_rest(None, is_async, true, start)?
        };
        Ok(Some(Expr {
            kind: ExprKind::Function(function),
            span: self.span_from(start),
        }))
    }

    /// Whether the `(` at `offset` closes with a `)` followed by `=>`.
    fn arrow_after_parens(&self, offset: usize) -> bool {
        let mut depth = 0usize;
        let mut n = offset;
        loop {
            match &self.peek_n(n).tok {
                Tok::Punct("(" | "[" | "{") => depth += 1,
                Tok::Punct(")" | "]" | "}") => {
                    depth -= 1;
                    if depth == 0 {
                        return self.punct_at(n + 1, "=>");
                    }
                }
                Tok::Eof => return false,
                _ => {}
            }
            n += 1;
        }
    }

    fn conditional(&mut self) -> Result<Expr> {
        let start = self.pos();
        let test = self.binary(0)?;
        if !self.eat("?") {
            return Ok(test);
        }
        let then = self.assignment()?;
        self.expect(":")?;
        let otherwise = self.assignment()?;
        Ok(Expr {
            kind: ExprKind::Cond(Box::new(test), Box::new(then), Box::new(otherwise)),
            span: self.span_from(start),
        })
    }

    fn binary_op(&self) -> Option<(u8, std::result::Result<BinaryOp, LogicalOp>)> {
        let token = self.peek();
        let op = match &token.tok {
            Tok::Punct(p) => match *p {
                "??" => (1, Err(LogicalOp::Nullish)),
                "||" => (2, Err(LogicalOp::Or)),
                "&&" => (3, Err(LogicalOp::And)),
                "|" => (4, Ok(BinaryOp::BitOr)),
                "^" => (5, Ok(BinaryOp::BitXor)),
                "&" => (6, Ok(BinaryOp::BitAnd)),
                "==" => (7, Ok(BinaryOp::Eq)),
                "!=" => (7, Ok(BinaryOp::NotEq)),
                "===" => (7, Ok(BinaryOp::StrictEq)),
                "!==" => (7, Ok(BinaryOp::StrictNotEq)),
                "<" => (8, Ok(BinaryOp::Lt)),
                ">" => (8, Ok(BinaryOp::Gt)),
                "<=" => (8, Ok(BinaryOp::LtEq)),
                ">=" => (8, Ok(BinaryOp::GtEq)),
                "<<" => (9, Ok(BinaryOp::Shl)),
                ">>" => (9, Ok(BinaryOp::Shr)),
                ">>>" => (9, Ok(BinaryOp::UShr)),
                "+" => (10, Ok(BinaryOp::Add)),
                "-" => (10, Ok(BinaryOp::Sub)),
                "*" => (11, Ok(BinaryOp::Mul)),
                "/" => (11, Ok(BinaryOp::Div)),
                "%" => (11, Ok(BinaryOp::Rem)),
                "**" => (12, Ok(BinaryOp::Exp)),
                _ => return None,
            },
            Tok::Ident(w) if w == "instanceof" => (8, Ok(BinaryOp::Instanceof)),
            Tok::Ident(w) if w == "in" => (8, Ok(BinaryOp::In)),
            _ => return None,
        };
        Some(op)
    }

    /// Binary operators of precedence above `min`, by precedence climbing.
    fn binary(&mut self, min: u8) -> Result<Expr> {
        self.enter()?;
        let result = self.binary_inner(min);
        self.leave();
        result
    }

    fn binary_inner(&mut self, min: u8) -> Result<Expr> {
        let start = self.pos();
        let unary_start = matches!(&self.peek().tok, Tok::Punct("-" | "+" | "!" | "~"))
            || self.is_word("typeof")
            || self.is_word("void")
            || self.is_word("delete");
        let mut left = self.unary()?;
        while let Some((prec, op)) = self.binary_op() {
            if prec <= min {
                break;
            }
            let op_pos = self.pos();
            self.next();
            if prec == 12 && unary_start && left.span.start == start {
                return Err(error_at(
                    op_pos,
                    "`**` after a unary operator needs parentheses, as in `(-x) ** 2`",
                ));
            }
            // `**` is right-associative: its right side may hold another `**`.
            let right = self.binary(if prec == 12 { prec - 1 } else { prec })?;
            let mixes = |e: &Expr, op: LogicalOp| matches!(&e.kind, ExprKind::Logical(inner, ..) if (*inner == LogicalOp::Nullish) != (op == LogicalOp::Nullish));
            left = match op {
                Ok(op) => Expr {
                    kind: ExprKind::Binary(op, Box::new(left), Box::new(right)),
                    span: self.span_from(start),
                },
                Err(op) => {
                    if mixes(&left, op) || mixes(&right, op) {
                        return Err(error_at(
                            op_pos,
                            "`??` cannot be mixed with `&&` or `||` without parentheses",
                        ));
                    }
                    Expr {
                        kind: ExprKind::Logical(op, Box::new(left), Box::new(right)),
                        span: self.span_from(start),
                    }
                }
            };
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr> {
        self.enter()?;
        let result = self.unary_inner();
        self.leave();
        result
    }

    fn unary_inner(&mut self) -> Result<Expr> {
        let start = self.pos();
        let op = match &self.peek().tok {
            Tok::Punct("!") => Some(UnaryOp::Not),
            Tok::Punct("-") => Some(UnaryOp::Neg),
            Tok::Punct("+") => Some(UnaryOp::Plus),
            Tok::Punct("~") => Some(UnaryOp::BitNot),
            Tok::Ident(w) if w == "typeof" => Some(UnaryOp::Typeof),
            Tok::Ident(w) if w == "void" => Some(UnaryOp::Void),
            Tok::Ident(w) if w == "delete" => Some(UnaryOp::Delete),
            _ => None,
        };
        if let Some(op) = op {
            self.next();
            let operand = self.unary()?;
            if op == UnaryOp::Delete
                && !matches!(
                    operand.kind,
                    ExprKind::Member { .. } | ExprKind::Index { .. }
                )
            {
                return Err(error_at(
                    start,
                    "`delete` works on a property (`delete o.x`)",
                ));
            }
            return Ok(Expr {
                kind: ExprKind::Unary(op, Box::new(operand)),
                span: self.span_from(start),
            });
        }
        if self.is_punct("++") || self.is_punct("--") {
            let increment = self.is_punct("++");
            self.next();
            let target = self.unary()?;
            self.check_update_target(&target)?;
            return Ok(Expr {
                kind: ExprKind::Update {
                    increment,
                    prefix: true,
                    target: Box::new(target),
                },
                span: self.span_from(start),
            });
        }
        if self.is_word("await") && self.in_async.last() == Some(&true) {
            self.next();
            let operand = self.unary()?;
            return Ok(Expr {
                kind: ExprKind::Await(Box::new(operand)),
                span: self.span_from(start),
            });
        }
        if self.is_word("await") {
            return Err(
                error_at(start, "`await` works only inside an `async` function")
                    .with_hint("mark the function `async`"),
            );
        }
        let expr = self.postfix()?;
        if (self.is_punct("++") || self.is_punct("--")) && !self.peek().newline_before {
            let increment = self.is_punct("++");
            self.check_update_target(&expr)?;
            self.next();
            return Ok(Expr {
                kind: ExprKind::Update {
                    increment,
                    prefix: false,
                    target: Box::new(expr),
                },
                span: self.span_from(start),
            });
        }
        Ok(expr)
    }

    fn check_update_target(&self, target: &Expr) -> Result<()> {
        match target.kind {
            ExprKind::Ident(_)
            | ExprKind::Member {
                optional: false, ..
            }
            | ExprKind::Index {
                optional: false, ..
            } => Ok(()),
            _ => Err(error_at(
                target.span.start,
                "`++` and `--` need a variable or a property",
            )),
        }
    }

    /// Calls, `new`, member access and optional chains.
    fn postfix(&mut self) -> Result<Expr> {
        let start = self.pos();
        let mut expr = if self.is_word("new") {
            self.new_expression()?
        } else {
            self.primary()?
        };
        let mut chained = false;
        loop {
            if self.eat(".") {
                let name = self.property_name()?;
                expr = Expr {
                    kind: ExprKind::Member {
                        object: Box::new(expr),
                        name,
                        optional: false,
                    },
                    span: self.span_from(start),
                };
            } else if self.is_punct("?.") {
                self.next();
                chained = true;
                if self.is_punct("(") {
                    let args = self.arguments()?;
                    expr = Expr {
                        kind: ExprKind::Call {
                            callee: Box::new(expr),
                            args,
                            optional: true,
                        },
                        span: self.span_from(start),
                    };
                } else if self.eat("[") {
                    let index = self.expression()?;
                    self.expect("]")?;
                    expr = Expr {
                        kind: ExprKind::Index {
                            object: Box::new(expr),
                            index: Box::new(index),
                            optional: true,
                        },
                        span: self.span_from(start),
                    };
                } else {
                    let name = self.property_name()?;
                    expr = Expr {
                        kind: ExprKind::Member {
                            object: Box::new(expr),
                            name,
                            optional: true,
                        },
                        span: self.span_from(start),
                    };
                }
            } else if self.eat("[") {
                let index = self.expression()?;
                self.expect("]")?;
                expr = Expr {
                    kind: ExprKind::Index {
                        object: Box::new(expr),
                        index: Box::new(index),
                        optional: false,
                    },
                    span: self.span_from(start),
                };
            } else if self.is_punct("(") {
                let args = self.arguments()?;
                expr = Expr {
                    kind: ExprKind::Call {
                        callee: Box::new(expr),
                        args,
                        optional: false,
                    },
                    span: self.span_from(start),
                };
            } else if matches!(self.peek().tok, Tok::Template { .. }) && !self.peek().newline_before
            {
                return Err(not_supported(self.pos(), "tagged templates"));
            } else {
                break;
            }
        }
        if chained {
            let span = expr.span;
            expr = Expr {
                kind: ExprKind::OptionalChain(Box::new(expr)),
                span,
            };
        }
        Ok(expr)
    }

    fn new_expression(&mut self) -> Result<Expr> {
        let start = self.pos();
        self.next();
        if self.is_punct(".") {
            return Err(not_supported(start, "`new.target`"));
        }
        // The callee: a name or a member chain, without calls.
        let mut callee = if self.is_word("new") {
            self.new_expression()?
        } else {
            self.primary()?
        };
        while self.eat(".") {
            let name = self.property_name()?;
            callee = Expr {
                kind: ExprKind::Member {
                    object: Box::new(callee),
                    name,
                    optional: false,
                },
                span: self.span_from(start),
            };
        }
        let args = if self.is_punct("(") {
            self.arguments()?
        } else {
            Vec::new()
        };
        Ok(Expr {
            kind: ExprKind::New {
                callee: Box::new(callee),
                args,
            },
            span: self.span_from(start),
        })
    }

    fn property_name(&mut self) -> Result<Rc<str>> {
        let token = self.peek().clone();
        match &token.tok {
            Tok::Ident(word) => {
                self.next();
                Ok(Rc::from(word.as_str()))
            }
            Tok::Punct("#") => Err(not_supported(token.start, "private names")),
            _ => Err(error_at(
                token.start,
                format!(
                    "expected a property name after `.`, found {}",
                    Self::describe(&token)
                ),
            )),
        }
    }

    fn arguments(&mut self) -> Result<Vec<ArrayElem>> {
        self.expect("(")?;
        let mut args = Vec::new();
        while !self.is_punct(")") {
            if self.eat("...") {
                args.push(ArrayElem::Spread(self.assignment()?));
            } else {
                args.push(ArrayElem::Item(self.assignment()?));
            }
            if !self.eat(",") {
                break;
            }
        }
        self.expect(")")?;
        Ok(args)
    }

    fn property_key(&mut self) -> Result<PropKey> {
        let token = self.next();
        match token.tok {
            Tok::Ident(word) => Ok(PropKey::Name(Rc::from(word.as_str()))),
            Tok::Str(text) => Ok(PropKey::Name(Rc::from(text.as_str()))),
            Tok::Num(n) => Ok(PropKey::Name(Rc::from(
                crate::eventloop::value::number_to_string(n).as_str(),
            ))),
            Tok::Punct("[") => {
                let key = self.assignment()?;
                self.expect("]")?;
                Ok(PropKey::Computed(key))
            }
            _ => Err(error_at(
                token.start,
                format!("expected a property name, found {}", Self::describe(&token)),
            )),
        }
    }

    fn primary(&mut self) -> Result<Expr> {
        let start = self.pos();
        let token = self.peek().clone();
        let kind = match token.tok {
            Tok::Num(n) => {
                self.next();
                ExprKind::Num(n)
            }
            Tok::Str(text) => {
                self.next();
                ExprKind::Str(Rc::from(text.as_str()))
            }
            Tok::Template { parts, subs } => {
                self.next();
                let mut exprs = Vec::new();
                for tokens in &subs {
                    let mut inner = Parser {
                        tokens,
                        at: 0,
                        depth: self.depth,
                        in_async: self.in_async.clone(),
                        loops: 0,
                        in_function: self.in_function,
                    };
                    if matches!(inner.peek().tok, Tok::Eof) {
                        return Err(error_at(
                            start,
                            "a `${}` in a template literal needs an expression",
                        ));
                    }
                    let expr = inner.expression()?;
                    if !matches!(inner.peek().tok, Tok::Eof) {
                        return inner.unexpected();
                    }
                    exprs.push(expr);
                }
                ExprKind::Template(parts.iter().map(|p| Rc::from(p.as_str())).collect(), exprs)
            }
            Tok::Punct("(") => {
                self.next();
                let inner = self.expression()?;
                self.expect(")")?;
                // Keep the parenthesised span: it marks `(a, b)` apart.
                return Ok(Expr {
                    kind: inner.kind,
                    span: self.span_from(start),
                });
            }
            Tok::Punct("[") => {
                self.next();
                let mut items = Vec::new();
                while !self.is_punct("]") {
                    if self.is_punct(",") {
                        let at = self.pos();
                        return Err(not_supported(at, "holes in array literals (`[1, , 2]`)")
                            .with_hint("write `undefined` where the hole is"));
                    }
                    if self.eat("...") {
                        items.push(ArrayElem::Spread(self.assignment()?));
                    } else {
                        items.push(ArrayElem::Item(self.assignment()?));
                    }
                    if !self.is_punct("]") {
                        self.expect(",")?;
                    }
                }
                self.next();
                ExprKind::Array(items)
            }
            Tok::Punct("{") => {
                self.next();
                ExprKind::Object(self.object_literal()?)
            }
            Tok::Ident(ref word) => match word.as_str() {
                "true" => {
                    self.next();
                    ExprKind::Bool(true)
                }
                "false" => {
                    self.next();
                    ExprKind::Bool(false)
                }
                "null" => {
                    self.next();
                    ExprKind::Null
                }
                "this" => {
                    self.next();
                    ExprKind::This
                }
                "function" => ExprKind::Function(self.function(false, start, false)?),
                "async" if self.word_at(1, "function") && !self.peek_n(1).newline_before => {
                    self.next();
                    ExprKind::Function(self.function(true, start, false)?)
                }
                "class" => {
                    return Err(
                        not_supported(start, "classes").with_hint("use functions and objects")
                    );
                }
                "super" => return Err(not_supported(start, "`super`")),
                "import" => return Err(not_supported(start, "`import`")),
                "yield" => return Err(not_supported(start, "`yield` (generators)")),
                "arguments" => {
                    return Err(not_supported(start, "`arguments`")
                        .with_hint("use a rest parameter: `(...args)`"));
                }
                _ => {
                    let (name, _) = self.identifier()?;
                    ExprKind::Ident(name)
                }
            },
            _ => return self.unexpected(),
        };
        Ok(Expr {
            kind,
            span: self.span_from(start),
        })
    }

    fn object_literal(&mut self) -> Result<Vec<Prop>> {
        let mut props = Vec::new();
        while !self.is_punct("}") {
            let start = self.pos();
            if self.eat("...") {
                props.push(Prop::Spread(self.assignment()?));
            } else if (self.is_word("get") || self.is_word("set"))
                && !self.punct_at(1, ",")
                && !self.punct_at(1, ":")
                && !self.punct_at(1, "(")
                && !self.punct_at(1, "}")
            {
                return Err(not_supported(start, "getters and setters")
                    .with_hint("write a method: `name() { … }`"));
            } else if self.is_word("async")
                && !self.punct_at(1, ",")
                && !self.punct_at(1, ":")
                && !self.punct_at(1, "(")
                && !self.punct_at(1, "}")
            {
                self.next();
                if self.is_punct("*") {
                    return Err(not_supported(self.pos(), "async generators"));
                }
                let key = self.property_key()?;
                let name = key_name(&key);
                let function = self.function_rest(name, true, false, start)?;
                props.push(Prop::Method(key, function));
            } else if self.is_punct("*") {
                return Err(not_supported(start, "generator methods"));
            } else {
                let key = self.property_key()?;
                if self.is_punct("(") {
                    let name = key_name(&key);
                    let function = self.function_rest(name, false, false, start)?;
                    props.push(Prop::Method(key, function));
                } else if self.eat(":") {
                    let value = self.assignment()?;
                    props.push(Prop::Value(key, value));
                } else {
                    match key {
                        PropKey::Name(name) if is_identifier_name(&name) && !is_reserved(&name) => {
                            if self.is_punct("=") {
                                // `{ a = 1 } = o`: only in a pattern.
                                self.next();
                                let default = self.assignment()?;
                                props.push(Prop::ShorthandDefault(
                                    name,
                                    default,
                                    self.span_from(start),
                                ));
                            } else {
                                props.push(Prop::Shorthand(name, self.span_from(start)));
                            }
                        }
                        _ => {
                            return Err(error_at(
                                self.pos(),
                                "expected `:` after this property name",
                            ));
                        }
                    }
                }
            }
            if !self.is_punct("}") {
                self.expect(",")?;
            }
        }
        self.next();
        Ok(props)
    }
}

fn key_name(key: &PropKey) -> Option<Rc<str>> {
    match key {
        PropKey::Name(name) => Some(name.clone()),
        PropKey::Computed(_) => None,
    }
}

pub fn is_identifier_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '$' || c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '$' || c == '_' || c.is_alphanumeric())
}
