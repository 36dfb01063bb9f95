//! "Show as code" runs: every preset's program under every default
//! configuration, in JavaScript (Node), Ruby (with the async gem) and Rust
//! (tokio), run for real and set beside the simulation. Each task's finish
//! must come in the simulated order and near the simulated time.
//!
//! The workloads are scaled up (1 unit = [`SCALE`] ms) so that start-up
//! and timer noise are small beside them. Where the machine has fewer
//! cores than a configuration has threads, the simulation it is compared
//! with has the machine's cores; Ruby's threads take turns to compute (its
//! global VM lock), so Ruby is compared with one core.
//!
//! The runtimes are installed by `scripts/setup.sh`; a missing one fails
//! the test, naming it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use interleave_core::Scenario;
use interleave_core::metrics::Metrics;
use interleave_core::models::lab::ModelsLab;
use interleave_core::models::lab::codegen::{Language, code};
use interleave_core::models::lab::presets::PRESETS;
use interleave_core::models::scenario::{Model, Segment};
use interleave_core::models::simulate;
use interleave_core::trace::EventKind;

/// Milliseconds per unit of the presets' workloads.
const SCALE: u64 = 20;
/// A finish may be this share of its simulated time early or late...
const TOLERANCE: f64 = 0.25;
/// ... give or take this many milliseconds (a runtime's start-up: Node's
/// worker threads take tens of milliseconds to load).
const SLACK_MS: f64 = 60.0;
/// Linux's time slice for threads sharing a core, about. (Ruby's programs
/// pass their global VM lock at every turn of a computing loop: as fine.)
const OS_QUANTUM_MS: u64 = 5;

/// One program at a time: they measure time, and compete for cores.
static MACHINE: Mutex<()> = Mutex::new(());

fn machine() -> std::sync::MutexGuard<'static, ()> {
    MACHINE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

/// Where the programs are written: outside the repository, whose cargo
/// configuration (build-std, for the wasm build) is not for them.
fn work_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("interleave-codegen-runs")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `scenario` with every time multiplied by `scale`, and task names made
/// unique (the printed lines name tasks).
fn scaled(scenario: &Scenario, scale: u64) -> Scenario {
    let mut scenario = scenario.clone();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for idx in 0..scenario.tasks.len() {
        let name = scenario.task_name(idx);
        let count = seen.entry(name.clone()).or_default();
        *count += 1;
        let task = &mut scenario.tasks[idx];
        if *count > 1 {
            task.name = Some(format!("{name} ({count})"));
        }
        task.arrival *= scale;
        for segment in &mut task.segments {
            match segment {
                Segment::Compute(duration) | Segment::Wait { duration, .. } => *duration *= scale,
            }
        }
    }
    scenario
}

/// One program: a preset under one configuration.
struct Case {
    id: String,
    scenario: Scenario,
    model: Model,
}

fn cases() -> Vec<Case> {
    PRESETS
        .iter()
        .flat_map(|preset| {
            let scenario = scaled(&preset.scenario(), SCALE);
            ModelsLab::with_scenario(scenario.clone())
                .configs
                .into_iter()
                .enumerate()
                .map(move |(idx, model)| Case {
                    id: format!("{}_{idx}", preset.id.replace('-', "_")),
                    scenario: scenario.clone(),
                    model,
                })
        })
        .collect()
}

/// What the simulation says of each task, by name: start and finish.
fn simulated(scenario: &Scenario, model: Model) -> BTreeMap<String, (f64, f64)> {
    let trace = simulate(scenario, model);
    let mut times: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for event in &trace.events {
        let Some(task) = event.task else { continue };
        let name = trace.tasks[task].name.clone();
        let entry = times.entry(name).or_insert((f64::NAN, f64::NAN));
        match event.kind {
            EventKind::Start => entry.0 = event.time as f64,
            EventKind::Complete => entry.1 = event.time as f64,
            _ => {}
        }
    }
    times
}

/// How much a real run's times wander: timers fire late, computing takes a
/// little longer. Tasks whose finishing order this much jitter can change
/// are ties.
const JITTER_MS: u64 = 5;

/// Pairs `(a, b)`: tasks the simulation finishes `a` first, more than
/// [`JITTER_MS`] apart, in the plain run and in runs with every segment up
/// to [`JITTER_MS`] longer (seeded, reproducible). Equal tasks ready at the
/// same instant finish in whatever order the runtime picks; these pairs
/// have an order a run must keep. (Arrivals keep their order: the programs
/// list the tasks in the simulation's queue order.)
fn firm_order(scenario: &Scenario, model: Model) -> Vec<(String, String)> {
    let mut runs = vec![simulated(scenario, model)];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut jitter = || {
        // xorshift64: enough to spread the jitter, and the same every run.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % (JITTER_MS + 1)
    };
    for _ in 0..32 {
        let mut jittered = scenario.clone();
        for task in &mut jittered.tasks {
            for segment in &mut task.segments {
                match segment {
                    Segment::Compute(duration) | Segment::Wait { duration, .. } => {
                        *duration += jitter();
                    }
                }
            }
        }
        runs.push(simulated(&jittered, model));
    }
    let names: Vec<&String> = runs[0].keys().collect();
    let mut pairs = Vec::new();
    for a in &names {
        for b in &names {
            let before =
                |run: &BTreeMap<String, (f64, f64)>| run[*a].1 + (JITTER_MS as f64) < run[*b].1;
            if runs.iter().all(before) {
                pairs.push(((*a).clone(), (*b).clone()));
            }
        }
    }
    pairs
}

/// The program's lines, `MS EVENT NAME`, as start and finish by name.
fn parse(stdout: &str) -> Result<BTreeMap<String, (f64, f64)>, String> {
    let mut times: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for line in stdout.lines() {
        let parsed = line.split_once(' ').and_then(|(ms, rest)| {
            let (event, name) = rest.split_once(' ')?;
            Some((ms.parse::<f64>().ok()?, event, name))
        });
        let Some((ms, event, name)) = parsed else {
            return Err(format!("not `MS EVENT NAME`: {line:?}"));
        };
        let entry = times.entry(name.to_owned()).or_insert((f64::NAN, f64::NAN));
        match event {
            "start" => entry.0 = ms,
            "finish" => entry.1 = ms,
            "park" | "resume" | "block" | "unblock" => {}
            _ => return Err(format!("unknown event in {line:?}")),
        }
    }
    Ok(times)
}

/// The simulation a run on this machine is compared with.
fn machine_model(model: Model, language: Language) -> Model {
    let (cores, quantum) = match language {
        Language::Ruby if model.threads > 1 => (1, OS_QUANTUM_MS),
        _ => (cores(), OS_QUANTUM_MS),
    };
    if model.threads <= cores {
        return model;
    }
    Model {
        quantum,
        switch_cost: 0,
        ..model.on_cores(cores)
    }
}

/// Runs `command`, returning its standard output.
fn run(mut command: Command) -> String {
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("{command:?} did not start: {err}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Runs every case in `language` with `command(case)` and compares each
/// run with the simulation; fails listing every disagreement.
fn check_language(language: Language, mut command: impl FnMut(&Case) -> Command) {
    let _machine = machine();
    let mut problems = Vec::new();
    for case in cases() {
        let model = machine_model(case.model, language);
        let title = format!("{} {} ({})", language.title(), case.id, case.model.label());
        let stdout = run(command(&case));
        match parse(&stdout) {
            Ok(measured) => problems.extend(compare(&title, &case.scenario, model, &measured)),
            Err(err) => problems.push(format!("{title}: {err}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What disagrees between a run's start and finish times and the
/// simulation of `scenario` under `model`; prints both side by side.
fn compare(
    title: &str,
    scenario: &Scenario,
    model: Model,
    measured: &BTreeMap<String, (f64, f64)>,
) -> Vec<String> {
    let expected = simulated(scenario, model);
    let order = firm_order(scenario, model);
    println!(
        "\n{title}, compared with {} ({} pairs in a firm order):\n{:<16} {:>9} {:>9} {:>9} {:>9}",
        model.label(),
        order.len(),
        "task",
        "start",
        "sim",
        "finish",
        "sim"
    );
    let mut problems = Vec::new();
    for (name, &(start, finish)) in &expected {
        let (run_start, run_finish) = measured.get(name).copied().unwrap_or((f64::NAN, f64::NAN));
        println!("{name:<16} {run_start:>9.1} {start:>9.0} {run_finish:>9.1} {finish:>9.0}");
        if run_finish.is_nan() {
            problems.push(format!("{title}: {name:?} never finished"));
        }
    }
    // Finish times by rank: the k-th task to finish near the simulated
    // k-th. (Tasks that tie, like equal tasks started together, finish in
    // whatever order the runtime picks; where the order is firm it is
    // checked below, by name.)
    let by_rank = |times: &BTreeMap<String, (f64, f64)>| {
        let mut finishes: Vec<(f64, String)> = times
            .iter()
            .map(|(name, &(_, finish))| (finish, name.clone()))
            .collect();
        finishes.sort_by(|a, b| a.0.total_cmp(&b.0));
        finishes
    };
    for (rank, ((finish, name), (run_finish, run_name))) in by_rank(&expected)
        .into_iter()
        .zip(by_rank(measured))
        .enumerate()
    {
        let close = (run_finish - finish).abs() <= TOLERANCE * finish + SLACK_MS;
        if !close {
            problems.push(format!(
                "{title}: finish {} ({run_name:?}) at {run_finish:.1} ms; simulated {finish} ms ({name:?})",
                rank + 1
            ));
        }
    }
    if measured.len() != expected.len() {
        problems.push(format!(
            "{title}: printed {} tasks, simulated {}",
            measured.len(),
            expected.len()
        ));
    }
    for (a, b) in order {
        let (Some(&(_, a_run)), Some(&(_, b_run))) = (measured.get(&a), measured.get(&b)) else {
            continue;
        };
        if a_run >= b_run {
            problems.push(format!(
                "{title}: {a:?} finished after {b:?} ({a_run:.1} ms, {b_run:.1} ms), simulated before ({} ms, {} ms)",
                expected[&a].1, expected[&b].1
            ));
        }
    }
    problems
}

#[test]
fn the_comparison_fails_a_run_that_is_not_the_simulated_one() {
    // Runs that did what another model simulates: sync where the timeline
    // is async, one thread where it has four. Each is caught, by its times
    // or its order.
    let mut wrong_runs = 0;
    for case in cases() {
        for other in [
            Model::sync(case.model.threads),
            Model::asynchronous(case.model.threads),
            Model::sync(1),
        ] {
            let other_run = simulated(&case.scenario, other);
            let makespan = |run: &BTreeMap<String, (f64, f64)>| {
                run.values().map(|&(_, finish)| finish).fold(0.0, f64::max)
            };
            if makespan(&other_run) > 1.5 * makespan(&simulated(&case.scenario, case.model)) {
                let problems = compare(&case.id, &case.scenario, case.model, &other_run);
                assert!(
                    !problems.is_empty(),
                    "{} passed as {}",
                    other.label(),
                    case.model.label()
                );
                wrong_runs += 1;
            }
        }
        // The right run, to the millisecond, passes; one task missing fails.
        let mut right = simulated(&case.scenario, case.model);
        assert_eq!(
            compare(&case.id, &case.scenario, case.model, &right),
            Vec::<String>::new()
        );
        right.pop_first();
        assert!(!compare(&case.id, &case.scenario, case.model, &right).is_empty());
    }
    println!("{wrong_runs} wrong runs caught");
    assert!(wrong_runs >= 15, "only {wrong_runs} wrong runs tried");
}

/// Writes `source` to `dir/name` and returns the path.
fn write(dir: &Path, name: &str, source: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, source).unwrap();
    path
}

/// Runs every case's program in `language` with `interpreter FILE`.
fn check_interpreted(language: Language, interpreter: &str, extension: &str) {
    let dir = work_dir(interpreter);
    check_language(language, |case| {
        let path = write(
            &dir,
            &format!("{}.{extension}", case.id),
            &code(&case.scenario, case.model, language),
        );
        let mut command = Command::new(interpreter);
        command.arg(path);
        command
    });
}

#[test]
fn javascript_programs_run_with_node_as_simulated() {
    check_interpreted(Language::JavaScript, "node", "mjs");
}

#[test]
fn ruby_programs_run_as_simulated() {
    let probe = Command::new("ruby")
        .args(["-e", "require 'async'"])
        .output();
    assert!(
        probe.is_ok_and(|output| output.status.success()),
        "Ruby with the async gem is needed (Debian: ruby, ruby-async): run scripts/setup.sh"
    );
    check_interpreted(Language::Ruby, "ruby", "rb");
}

#[test]
fn rust_programs_run_with_tokio_as_simulated() {
    // One cargo project holds every program, built once.
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/codegen-rust");
    let dir = work_dir("rust");
    for file in ["Cargo.toml", "Cargo.lock"] {
        std::fs::copy(project.join(file), dir.join(file)).unwrap();
    }
    let bins = dir.join("src/bin");
    let _ = std::fs::remove_dir_all(&bins);
    std::fs::create_dir_all(&bins).unwrap();
    std::fs::copy(project.join("src/main.rs"), dir.join("src/main.rs")).unwrap();
    for case in cases() {
        write(
            &bins,
            &format!("{}.rs", case.id),
            &code(&case.scenario, case.model, Language::Rust),
        );
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = Command::new(cargo);
    build
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"));
    {
        let _machine = machine();
        run(build);
    }
    check_language(Language::Rust, |case| {
        Command::new(dir.join("target/release").join(&case.id))
    });
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
    let path = write(
        &work_dir("node"),
        &format!(
            "copies_{}_{copies}.mjs",
            model.label().replace([',', ' '], "_")
        ),
        &code(&scenario, model, Language::JavaScript),
    );
    let mut command = Command::new("node");
    command.arg(path);
    let stdout = {
        let _machine = machine();
        run(command)
    };
    let times = parse(&stdout).unwrap();
    assert_eq!(times.len(), copies, "every task runs: {stdout}");
    let millis = times
        .values()
        .map(|&(_, finish)| finish)
        .fold(0.0, f64::max);
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
