//! The Races lab: a small thread language, a step machine that runs one
//! indivisible step of one thread at a time (the learner is the
//! scheduler), and an explorer that visits every interleaving.
//!
//! Data flows: program text -> [`syntax::parse`] -> [`compile::compile`]
//! -> [`program::Program`] -> [`machine::State`] (stepped by hand or by a
//! [`schedule`]) and [`explore::Explorer`] -> [`explore::Report`].
//! The language is documented in `docs/races-language.md`.

pub mod bench;
pub mod challenges;
pub mod checks;
pub mod compile;
pub mod explore;
pub mod jobs;
pub mod lab;
pub mod lessons;
pub mod liveness;
pub mod machine;
pub mod program;
pub mod sample;
pub mod schedule;
pub mod syntax;

use crate::error::ScenarioError;

pub use program::Program;

/// The limits every program and run keeps (documented in
/// `docs/races-language.md`).
pub mod limits {
    /// The longest program text.
    pub const MAX_SOURCE_BYTES: usize = 20_000;
    pub const MAX_THREADS: usize = 8;
    pub const MAX_SHARED: usize = 32;
    /// Mutexes; and, each kind on its own, semaphores, condition
    /// variables, reader-writer locks and barriers.
    pub const MAX_MUTEXES: usize = 16;
    /// Shared arrays (their elements count as shared variables).
    pub const MAX_ARRAYS: usize = 8;
    pub const MAX_FILES: usize = 8;
    /// Nodes on the heap, initial and allocated with `new`.
    pub const MAX_NODES: usize = 64;
    pub const MAX_FILE_BYTES: usize = 4_096;
    /// Steps of one thread's compiled code (functions are inlined).
    pub const MAX_STEPS_PER_THREAD: usize = 4_000;
    /// Steps the final check may take.
    pub const MAX_AFTER_STEPS: usize = 10_000;
    /// The longest schedule: a run stops here (an infinite loop, say).
    pub const MAX_RUN_STEPS: usize = 5_000;
    /// How deeply blocks, parentheses and operators may nest.
    pub const MAX_NESTING: usize = 200;
    /// The longest string a program may build while it runs.
    pub const MAX_STRING_CHARS: usize = 4_096;
    /// States the explorer visits before it stops and says so.
    pub const DEFAULT_MAX_STATES: usize = 500_000;
}

/// Parses and compiles a program's text.
pub fn compile_source(text: &str) -> Result<Program, ScenarioError> {
    if text.len() > limits::MAX_SOURCE_BYTES {
        return Err(ScenarioError::at_path(
            "",
            format!(
                "the program is {} bytes; the most is {}",
                text.len(),
                limits::MAX_SOURCE_BYTES
            ),
        ));
    }
    compile::compile(&syntax::parse(text)?)
}
