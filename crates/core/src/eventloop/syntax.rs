//! The Event loop lab's JavaScript: the subset a lecture writes, read into
//! a syntax tree ([`ast`]) with every error placed at its line and column.
//!
//! The program is read as a module is (strict mode, `await` allowed at the
//! top level). What the lab does not support (classes, generators,
//! regular expressions, `var`, `switch`, labels, getters and setters, …)
//! is refused where it is written with "… is not supported in this lab",
//! never run differently.

pub mod ast;
pub mod lexer;
pub mod parser;

use crate::error::ScenarioError;

/// The longest program the lab reads, in bytes.
pub const MAX_SOURCE_BYTES: usize = 50_000;
/// How deep statements, expressions and patterns may nest.
pub const MAX_NESTING: usize = 100;

/// A 1-based line and column in the program text (columns count
/// characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
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

/// "`what` is not supported in this lab", at `pos`.
pub(crate) fn not_supported(pos: Pos, what: &str) -> ScenarioError {
    error_at(pos, format!("{what}: not supported in this lab"))
}

/// Reads a whole program. The size is checked before anything is read.
pub fn parse(source: &str) -> Result<Vec<ast::Stmt>, ScenarioError> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(ScenarioError::at_path(
            "",
            format!(
                "the program is {} bytes; the most this lab reads is {MAX_SOURCE_BYTES}",
                source.len()
            ),
        ));
    }
    let tokens = lexer::tokenize(source)?;
    parser::Parser::new(&tokens).program()
}

#[cfg(test)]
mod tests;
