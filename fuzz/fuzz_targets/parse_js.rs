//! Fuzzes the Event loop lab's JavaScript: any bytes give a program or a
//! located error, never a panic; a program that compiles runs to an ending
//! within small limits, and its record is consistent (steps in time order,
//! every console line printed at a recorded step, jobs one after another).
#![no_main]

use interleave_core::eventloop::{Limits, run_source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits {
        max_steps: 5_000,
        max_ops: 200_000,
        ..Limits::default()
    };
    let run = match run_source(text, limits) {
        Ok(run) => run,
        Err(err) => {
            assert!(!err.message.is_empty());
            assert_eq!(err.line.is_some(), err.column.is_some(), "{err:?}");
            return;
        }
    };
    assert!(!run.steps.is_empty());
    assert!(run.steps.windows(2).all(|w| w[0].time <= w[1].time));
    assert!(run.steps.windows(2).all(|w| w[0].console <= w[1].console));
    assert!(run.jobs.windows(2).all(|w| w[0].end <= w[1].start));
    assert!(run.console.iter().all(|line| (line.step as usize) < run.steps.len()));
    assert!(run.end >= run.steps.last().map_or(0, |s| s.time));
});
