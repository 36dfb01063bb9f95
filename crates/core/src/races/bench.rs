//! The explorer's benchmark workloads, timed natively by
//! `interleave bench-races` and in wasm by the bench page.

use std::rc::Rc;

use super::explore::{Explorer, Options, Report};
use super::machine::State;
use super::{compile_source, lessons};

/// `(name, program)` for every benchmark case (each is explored fully,
/// with reduction; the bound is 1 s each in wasm).
pub fn cases() -> Vec<(&'static str, String)> {
    let increments = "  x = x + 1\n".repeat(3);
    // 8 steps each: read, add, write x; read, add, write y; read x; write x.
    let eight = "  x = x + 1\n  y = y + 1\n  z = x\n  x = z\n";
    let lesson = |id: &str| lessons::find(id).expect("the lesson").source.to_owned();
    vec![
        ("list-removal", lesson("list-removal")),
        // Three philosophers, three forks: the deadlocks found.
        ("philosophers-3", lesson("philosophers")),
        // Condition variables with spurious wake-ups: the explorer, then
        // the liveness search over the whole graph (its cycles).
        ("bounded-buffer", lesson("bounded-buffer-while")),
        (
            "increments-2x3",
            format!("shared x = 0\nthread A {{\n{increments}}}\nthread B {{\n{increments}}}\n"),
        ),
        (
            "threads-3x8",
            format!(
                "shared x = 0\nshared y = 0\nthread A {{\n{eight}}}\nthread B {{\n{eight}}}\nthread C {{\n{eight}}}\n"
            ),
        ),
    ]
}

/// Explores one case fully with the default options.
pub fn explore_case(source: &str) -> Report {
    let program = Rc::new(compile_source(source).expect("benchmark programs compile"));
    let start = State::initial(&program);
    Explorer::new(program, start, Options::default()).run_to_end()
}
