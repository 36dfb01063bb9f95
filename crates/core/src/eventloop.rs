//! The Event loop lab: JavaScript's call stack, microtasks, timers, I/O
//! and frames, one statement at a time, on a virtual clock.
//!
//! A program in the lab's JavaScript subset ([`syntax`]) is compiled
//! ([`compile`]) and run by a machine ([`machine`]) with ECMAScript's
//! promise jobs ([`promise`]) and Node's event loop ([`runtime`]); the run
//! is recorded step by step ([`record`]) for the lab's views. What the
//! program prints is what Node prints ([`inspect`]): the tests compare
//! every lesson and a corpus of generated programs with real Node.

pub mod builtins;
pub mod compile;
pub mod heap;
pub mod inspect;
pub mod lab;
pub mod lessons;
pub mod machine;
pub mod promise;
pub mod queues;
pub mod record;
pub mod recorder;
pub mod runtime;
pub mod syntax;
pub mod value;

use std::rc::Rc;

use crate::error::ScenarioError;

pub use machine::Limits;
pub use record::Run;

/// Reads and compiles a program; errors name the line and column.
pub fn compile_source(source: &str) -> Result<compile::Program, ScenarioError> {
    let body = syntax::parse(source)?;
    compile::compile(&body, source)
}

/// Compiles and runs a program with `limits`.
pub fn run_source(source: &str, limits: Limits) -> Result<Run, ScenarioError> {
    let program = compile_source(source)?;
    Ok(runtime::run(Rc::new(program), Rc::from(source), limits))
}

#[cfg(test)]
mod tests;
