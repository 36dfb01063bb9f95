//! The machine's behaviour on small programs, the limits of a run, and
//! what the recording holds. What programs print is checked against live
//! Node in `crates/core/tests/eventloop_node.rs`; the outputs here were
//! read off Node 20 as well.

use super::record::{Ending, Source, StepKind};
use super::*;

fn run(source: &str) -> Run {
    run_source(source, Limits::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn console(source: &str) -> Vec<String> {
    run(source).console.iter().map(|l| l.text.clone()).collect()
}

fn stopped(source: &str) -> String {
    match run(source).ending {
        Ending::Stopped { reason, .. } => reason,
        other => panic!("{source}: ended {other:?}"),
    }
}

#[test]
fn microtasks_run_before_the_next_timer_and_async_functions_run_until_their_first_await() {
    let lines = console(
        "setTimeout(() => console.log('timeout'), 0)\n\
         Promise.resolve().then(() => console.log('then'))\n\
         async function f() { console.log('f starts'); await null; console.log('f resumes') }\n\
         f()\n\
         console.log('script ends')",
    );
    assert_eq!(
        lines,
        ["f starts", "script ends", "then", "f resumes", "timeout"]
    );
}

#[test]
fn a_program_that_never_ends_stops_after_the_step_limit() {
    assert_eq!(stopped("while (true) {}"), "stopped after 100000 steps");
    assert_eq!(stopped("for (;;);"), "stopped after 100000 steps");
    assert_eq!(
        stopped("function again() { queueMicrotask(again) }\nagain()"),
        "stopped after 100000 steps"
    );
    assert_eq!(
        stopped("while (true) queueMicrotask(() => {})"),
        "stopped: more than 10000 microtasks waiting"
    );
}

#[test]
fn timers_that_never_stop_stop_at_the_time_limit_or_the_queue_limit() {
    let limits = Limits {
        max_steps: 10_000_000,
        ..Limits::default()
    };
    let run = run_source("setInterval(() => {}, 100)", limits).expect("compiles");
    assert!(
        matches!(&run.ending, Ending::Stopped { reason, .. } if reason == "stopped at 60 s of virtual time"),
        "{:?}",
        run.ending
    );
    assert_eq!(
        stopped("for (let i = 0; i < 20000; i++) setTimeout(() => {}, 1000)"),
        "stopped: more than 10000 timers waiting"
    );
    assert_eq!(
        stopped("function bomb() { setTimeout(bomb, 0); setTimeout(bomb, 0) }\nbomb()"),
        "stopped: more than 10000 timers waiting"
    );
}

#[test]
fn strings_arrays_and_nesting_stop_at_their_limits() {
    assert_eq!(
        stopped("let s = 'x'\nwhile (true) s += s"),
        "a string grew past 1000000 characters"
    );
    assert_eq!(
        stopped("const a = [1]\nwhile (true) a.push(...a)"),
        "an array grew past 100000 elements"
    );
    assert_eq!(
        stopped("'ab'.repeat(2000000)"),
        "a string grew past 1000000 characters"
    );
    assert_eq!(
        stopped("let a = []\nfor (let i = 0; i < 1000; i++) a = [a]\nString(a)"),
        "stopped: arrays nested more than 200 deep were turned into text"
    );
    assert_eq!(
        stopped("let o = {}\nfor (let i = 0; i < 1000; i++) o = { o }\nJSON.stringify(o)"),
        "stopped: `JSON.stringify` went more than 200 objects deep"
    );
}

#[test]
fn deep_recursion_is_a_range_error_the_program_can_catch() {
    let lines = console(
        "function f(n) { return f(n + 1) }\ntry { f(0) } catch (e) { console.log(e.name, e.message) }",
    );
    assert_eq!(lines, ["RangeError Maximum call stack size exceeded"]);
    let ended = run("function f() { f() }\nf()").ending;
    assert!(
        matches!(&ended, Ending::Uncaught { error, .. } if error == "RangeError: Maximum call stack size exceeded"),
        "{ended:?}"
    );
}

#[test]
fn a_cyclic_array_joins_as_javascript_joins_it() {
    assert_eq!(
        console("const a = [1, 2]\na.push(a)\nconsole.log(String(a), a.join('-'))"),
        ["1,2, 1-2-"]
    );
}

#[test]
fn what_the_lab_does_not_model_stops_the_run_with_where() {
    for (source, words) in [
        ("Math.random()", "`Math.random` is not supported"),
        ("new Array(3)", "`new Array(n)` makes empty slots"),
        (
            "const f = () => 1\nString(f)",
            "turning a function into text",
        ),
        (
            "function F() {}\nnew F()",
            "`new` with the program's own functions",
        ),
        ("[1].flatMap(x => x)", "`.flatMap` is not supported"),
        ("'a'.match('a')", "`.match` is not supported"),
        (
            "console.log('%o', 1)",
            "`%o` in console.log is not supported",
        ),
    ] {
        match run(source).ending {
            Ending::Unsupported { reason, line } => {
                assert!(reason.contains(words), "{source}: {reason}");
                assert!(line >= 1, "{source}: no line");
            }
            other => panic!("{source}: {other:?}"),
        }
    }
    let error = compile_source("fetch('/x')").expect_err("refused");
    assert_eq!(error.line, Some(1));
    assert!(
        error
            .to_string()
            .contains("`fetch`: not supported in this lab"),
        "{error}"
    );
}

#[test]
fn the_recording_has_a_step_per_statement_and_one_where_each_job_is_taken() {
    let run = run("console.log(1)\nsetTimeout(() => {\n  console.log(2)\n}, 5)");
    let kinds: Vec<StepKind> = run.steps.iter().map(|s| s.kind).collect();
    assert_eq!(kinds.first(), Some(&StepKind::Take));
    assert_eq!(kinds.last(), Some(&StepKind::End));
    assert_eq!(
        kinds.iter().filter(|k| **k == StepKind::Done).count(),
        2,
        "one as each job ends"
    );
    let sources: Vec<Source> = run.jobs.iter().map(|j| j.source).collect();
    assert_eq!(sources, [Source::Script, Source::Timer]);
    // The timer ran 5 ms after it was set (taking a job takes 1 µs, as a
    // statement does).
    let timer = &run.jobs[1];
    assert_eq!(timer.start, timer.queued + 5_000 + machine::STEP_US);
    // Each statement is a step: two in the script, one in the timer.
    let statements = kinds
        .iter()
        .filter(|k| matches!(k, StepKind::Stmt(_)))
        .count();
    assert_eq!(statements, 3);
    // When the script is done, the timer waits: the queues say so.
    let waiting = run.jobs[0].end_step as usize - 1;
    assert_eq!(run.steps[waiting].kind, StepKind::Done);
    let queues = run.queues_at(waiting);
    assert_eq!(queues.timers.len(), 1);
    assert_eq!(queues.timers[0].due + machine::STEP_US, timer.start);
    assert!(
        run.queues_at(timer.first_step as usize).timers.is_empty(),
        "taken when its job starts"
    );
    // In the callback, the stack holds the arrow function.
    let inside = run.stack_at(timer.first_step as usize + 1);
    assert_eq!(&*inside.last().expect("a frame").name, "(anonymous)");
}

#[test]
fn a_long_job_misses_the_frames_that_fall_inside_it() {
    let run = run("work(100)");
    let missed = run.frames.iter().filter(|f| f.missed).count();
    assert_eq!(
        run.frames.len() as u64,
        run.end / record::FRAME_US,
        "a deadline every 16.667 ms"
    );
    let job = &run.jobs[0];
    let inside = run
        .frames
        .iter()
        .filter(|f| f.deadline > job.start && f.deadline < job.end)
        .count();
    assert_eq!(missed, inside, "every deadline inside the work is missed");
    assert!(missed >= 5);
    let chunked = self::run("for (let i = 0; i < 5; i++) setTimeout(() => work(10), i * 20)");
    assert!(
        chunked.frames.iter().any(|f| !f.missed),
        "{:?}",
        chunked.frames
    );
}

#[test]
fn frame_callbacks_run_at_the_next_frame_after_a_job() {
    let lines = console(
        "requestAnimationFrame(() => console.log('frame'))\n\
         setTimeout(() => console.log('timer 1'), 1)\n\
         setTimeout(() => console.log('timer 30'), 30)",
    );
    assert_eq!(lines, ["timer 1", "frame", "timer 30"]);
}

#[test]
fn a_thousand_jobs_run_in_well_under_a_second() {
    let started = std::time::Instant::now();
    let run = run(
        "for (let i = 0; i < 1000; i++) setTimeout(() => { Promise.resolve(i).then((v) => v * 2) }, i)",
    );
    assert!(run.jobs.len() > 2_000, "{}", run.jobs.len());
    assert!(matches!(run.ending, Ending::Finished));
    assert!(
        started.elapsed().as_secs_f64() < 5.0,
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_script_is_on_the_stack_while_it_runs() {
    let run =
        run("console.log(1);\nsetTimeout(() => {\n  console.log(2);\n}, 0);\nconsole.log(3);");
    for (i, step) in run.steps.iter().enumerate() {
        let names: Vec<String> = run.stack_at(i).iter().map(|f| f.name.to_string()).collect();
        match (step.kind, step.job) {
            (StepKind::Stmt(_), Some(0)) => assert_eq!(names, ["script"], "step {i}"),
            (StepKind::Stmt(_), Some(1)) => assert_eq!(names, ["(anonymous)"], "step {i}"),
            _ => assert!(
                names.is_empty(),
                "step {i}: between statements the stack is empty"
            ),
        }
    }
}

#[test]
fn the_queues_mark_the_job_the_event_loop_takes_next() {
    // The I/O is due first; the microtask runs before both; the timer last.
    let run = run("setTimeout(() => {}, 20);\nio('db', 5);\nqueueMicrotask(() => {});");
    let done = run.jobs[0].end_step as usize - 1;
    let queues = run.queues_at(done);
    assert!(queues.microtasks[0].next);
    assert!(!queues.timers[0].next && !queues.io[0].next);
    let after_microtask = run.jobs[1].end_step as usize - 1;
    let queues = run.queues_at(after_microtask);
    assert!(queues.io[0].next, "{queues:?}");
    assert!(!queues.timers[0].next);
}
