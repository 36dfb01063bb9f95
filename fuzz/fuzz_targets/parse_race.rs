//! Fuzzes the Races lab's language: any bytes give a program or a located
//! error, never a panic. A program that compiles steps with a valid trace,
//! and its exploration (with small caps) is consistent: the outcome counts
//! add up to the interleavings, and the shortest failing schedule replays
//! to a failure.
#![no_main]

use std::rc::Rc;

use interleave_core::races::explore::{Explorer, Options, Stop, Verdict, target_state};
use interleave_core::races::machine::State;
use interleave_core::races::{compile_source, schedule};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let program = match compile_source(text) {
        Ok(program) => program,
        Err(err) => {
            assert!(!err.message.is_empty());
            assert_eq!(err.line.is_some(), err.column.is_some(), "{err:?}");
            return;
        }
    };
    let program = Rc::new(program);
    let mut run = schedule::Run::new(&program);
    for step in 0..200 {
        let thread = step % program.threads.len();
        let _ = run.step(&program, thread);
    }
    assert_eq!(
        schedule::to_trace(&program, &run).check_invariants(),
        Ok(())
    );
    let options = Options {
        max_states: 2_000,
        max_depth: 300,
        ..Options::default()
    };
    let report = Explorer::new(program.clone(), State::initial(&program), options).run_to_end();
    let counted = report
        .outcomes
        .iter()
        .map(|o| o.count)
        .fold(0u64, u64::saturating_add);
    assert_eq!(counted, report.interleavings);
    assert!(report.failing <= report.interleavings);
    // Never a proof from a search that stopped early.
    assert_eq!(report.complete, report.stopped.is_none());
    if report.goal_reachable == Some(Verdict::Unreachable) {
        assert!(report.complete && report.shortest_failing.is_none());
    }
    if !report.complete && report.shortest_failing.is_none() {
        assert!(matches!(
            report.goal_reachable,
            None | Some(Verdict::Unknown)
        ));
        assert!(matches!(
            report.stopped,
            Some(Stop::StateCap { .. } | Stop::StepLimit { .. })
        ));
    }
    if let Some(names) = &report.shortest_failing {
        let steps: Vec<usize> = names
            .iter()
            .map(|name| {
                program
                    .threads
                    .iter()
                    .position(|code| &code.name == name)
                    .expect("a thread's name")
            })
            .collect();
        let replayed =
            schedule::replay(&program, &steps).expect("the shortest failing schedule replays");
        assert!(
            target_state(&program, replayed.last()),
            "{names:?} does not fail"
        );
    }
});
