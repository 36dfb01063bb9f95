//! The generated JavaScript, run with Node: the program does what the
//! timeline says. (Node is on every machine of this project: the setup
//! script needs it for npm.)

use std::process::Command;
use std::time::Instant;

use interleave_core::Scenario;
use interleave_core::metrics::Metrics;
use interleave_core::models::simulate;
use interleave_core::models_lab::codegen::{Language, code};
use interleave_core::scenario::Model;

/// Wall time of `node FILE` for `source`, less Node's own start-up.
fn node_millis(source: &str) -> (f64, String) {
    // One folder per program: the tests run in parallel.
    let dir = std::env::temp_dir().join(format!(
        "interleave-codegen-{}-{:x}",
        std::process::id(),
        source.len() ^ source.bytes().map(usize::from).sum::<usize>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("program.mjs");
    std::fs::write(&file, source).unwrap();
    let time = |args: &[&str]| {
        let started = Instant::now();
        let output = Command::new("node").args(args).output().expect("node runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        (
            started.elapsed().as_secs_f64() * 1000.0,
            String::from_utf8(output.stdout).unwrap(),
        )
    };
    let (empty, _) = time(&["-e", ""]);
    let (total, stdout) = time(&[file.to_str().unwrap()]);
    (total - empty, stdout)
}

/// What running `copies` copies of `task` (JSON) as `model`'s JavaScript
/// gave, next to the simulated async and sync makespans on its threads.
struct Measured {
    millis: f64,
    asynchronous: f64,
    synchronous: f64,
}

fn run_copies(task: &str, copies: usize, model: Model) -> Measured {
    let tasks = vec![task; copies].join(", ");
    let scenario = Scenario::from_json(&format!(r#"{{"tasks": [{tasks}]}}"#)).unwrap();
    let makespan = |model| Metrics::of(&simulate(&scenario, model)).makespan as f64;
    let (millis, stdout) = node_millis(&code(&scenario, model, Language::JavaScript));
    let done = stdout
        .lines()
        .filter(|line| line.ends_with(" done"))
        .count();
    assert_eq!(done, copies, "every task finishes: {stdout}");
    let measured = Measured {
        millis,
        asynchronous: makespan(Model::asynchronous(model.threads)),
        synchronous: makespan(Model::sync(model.threads)),
    };
    println!(
        "{}: measured {millis:.0} ms; simulated async {} ms, sync {} ms",
        model.label(),
        measured.asynchronous,
        measured.synchronous
    );
    measured
}

#[test]
fn async_javascript_on_two_threads_takes_a_new_task_while_the_others_wait() {
    // 8 tasks of 10 ms computing, 300 ms waiting, 10 ms computing, on 2
    // threads (mostly waiting, so a busy machine barely changes the
    // times). Async, a thread parks a waiting task and takes the next: the
    // simulation says the run ends long before sync's, where each thread
    // is blocked through every wait.
    let task = r#"{"segments": [{"compute": 10}, {"wait": 300, "on": "http"}, {"compute": 10}]}"#;
    let run = run_copies(task, 8, Model::asynchronous(2));
    assert!(run.asynchronous * 2.0 < run.synchronous);
    assert!(
        run.millis < (run.asynchronous + run.synchronous) / 2.0,
        "the async program took {:.0} ms: closer to sync's {} ms than async's {} ms",
        run.millis,
        run.synchronous,
        run.asynchronous
    );
}

#[test]
fn sync_javascript_on_two_threads_blocks_each_thread_through_its_waits() {
    let task = r#"{"segments": [{"compute": 10}, {"wait": 100, "on": "disk"}, {"compute": 10}]}"#;
    let run = run_copies(task, 6, Model::sync(2));
    assert!(
        run.millis > (run.asynchronous + run.synchronous) / 2.0,
        "the sync program took {:.0} ms: closer to async's {} ms than sync's {} ms",
        run.millis,
        run.asynchronous,
        run.synchronous
    );
}
