//! Fuzzes the Races lab's language: any bytes give a program or a located
//! error, never a panic; a program that compiles steps and explores
//! (with small caps) without panicking.
#![no_main]

use std::rc::Rc;

use interleave_core::races::explore::{Explorer, Options};
use interleave_core::races::machine::State;
use interleave_core::races::{compile_source, schedule};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(program) = compile_source(text) else { return };
    let program = Rc::new(program);
    let mut run = schedule::Run::new(&program);
    for step in 0..200 {
        let thread = step % program.threads.len();
        let _ = run.step(&program, thread);
    }
    let _ = schedule::to_trace(&program, &run).check_invariants();
    let options = Options {
        max_states: 2_000,
        max_depth: 300,
        ..Options::default()
    };
    let _ = Explorer::new(program.clone(), State::initial(&program), options).run_to_end();
});
