//! The Event loop lab against real Node: every lesson and a corpus of
//! generated programs (timers, promises, `await`, microtasks, throws,
//! nested at random) run in Node and in the lab, and what they print must
//! be the same, line by line, with the same exit code.
//!
//! A generated program is kept only if its order cannot depend on real
//! time: two timers or I/O due within 4 ms of each other (unless they
//! have the same delay, where Node keeps the order they were set in) are
//! a race against the clock that real Node may run either way.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use interleave_core::eventloop::record::{Ending, Run};
use interleave_core::eventloop::{Limits, run_source};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg32;

/// Programs the test generates; at least [`MIN_KEPT`] must be timing-safe.
const CANDIDATES: u64 = 260;
const MIN_KEPT: usize = 150;
/// Due times closer than this (µs) race against the real clock: Node
/// starts a timer from libuv's coarse clock (seen up to 6 ms behind), and
/// on a loaded machine (the test runs several Node processes at once) a
/// script has been seen to take 14 ms between two timers it sets.
const MARGIN_US: u64 = 25_000;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct NodeResult {
    stdout: Vec<String>,
    code: Option<i32>,
    stderr: String,
}

fn run_node(dir: &Path, name: &str, source: &str) -> NodeResult {
    let file = dir.join(format!("{name}.mjs"));
    std::fs::write(&file, source).expect("write the program");
    let prelude = repo().join("tests/eventloop/node-prelude.mjs");
    let output = Command::new("node")
        .arg("--import")
        .arg(&prelude)
        .arg(&file)
        .output()
        .expect("Node runs (it is installed with the project's tools)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines: Vec<String> = stdout.split('\n').map(str::to_owned).collect();
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    NodeResult {
        stdout: lines,
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// What the lab's run printed on standard output (console.log, info, debug).
fn lab_stdout(run: &Run) -> Vec<String> {
    run.console
        .iter()
        .filter(|l| matches!(l.stream, "log" | "info" | "debug"))
        .flat_map(|l| l.text.split('\n').map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// Compares one program; `Err` says where it differs.
fn compare(dir: &Path, name: &str, source: &str) -> Result<(), String> {
    let run = run_source(source, Limits::default())
        .map_err(|e| format!("{name}: the lab refuses it: {e}"))?;
    let expected_code = match &run.ending {
        Ending::Finished => Some(0),
        Ending::Uncaught { .. } | Ending::Unhandled { .. } => Some(1),
        other => return Err(format!("{name}: the lab stopped it: {other:?}")),
    };
    let node = run_node(dir, name, source);
    let lab = lab_stdout(&run);
    if lab != node.stdout {
        let first = lab
            .iter()
            .zip(&node.stdout)
            .position(|(a, b)| a != b)
            .unwrap_or(lab.len().min(node.stdout.len()));
        return Err(format!(
            "{name}: differs at line {}:\n  lab:  {:?}\n  node: {:?}\n--- program ---\n{source}\n--- lab ---\n{}\n--- node ---\n{}\n{}",
            first + 1,
            lab.get(first),
            node.stdout.get(first),
            lab.join("\n"),
            node.stdout.join("\n"),
            node.stderr
        ));
    }
    if node.code != expected_code {
        return Err(format!(
            "{name}: Node exited with {:?}, the lab says {expected_code:?} ({:?})\n{source}\n{}",
            node.code, run.ending, node.stderr
        ));
    }
    Ok(())
}

/// Runs `programs` through Node on a few threads; every difference is reported.
fn check_all(set: &str, programs: Vec<(String, String)>) {
    let dir =
        std::env::temp_dir().join(format!("interleave-eventloop-{set}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp folder");
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 8);
    let chunks: Vec<Vec<(String, String)>> = {
        let mut chunks = vec![Vec::new(); threads];
        for (i, p) in programs.into_iter().enumerate() {
            chunks[i % threads].push(p);
        }
        chunks
    };
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let dir = dir.clone();
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|(name, source)| compare(&dir, name, source).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("no panic"))
            .collect()
    });
    let _ = std::fs::remove_dir_all(&dir);
    if !failures.is_empty() {
        let mut out = std::io::stderr();
        for failure in &failures {
            let _ = writeln!(out, "{failure}\n");
        }
        panic!(
            "{} program(s) print differently in the lab and in Node",
            failures.len()
        );
    }
}

// ---- the generator ----

struct Gen {
    rng: Pcg32,
    label: u32,
    /// Async functions declared so far (callable later).
    functions: Vec<String>,
    named: usize,
    fuel: i32,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen {
            rng: Pcg32::seed_from_u64(seed),
            label: 0,
            functions: Vec::new(),
            named: 0,
            fuel: 40,
        }
    }

    fn label(&mut self) -> String {
        self.label += 1;
        format!("L{}", self.label)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.rng.random_range(0..items.len())]
    }

    /// A timer's delay: far enough apart from each other and from the I/O
    /// times that real Node keeps the lab's order.
    fn delay(&mut self) -> u32 {
        *[0u32, 0, 30, 60, 90]
            .get(self.rng.random_range(0..5))
            .unwrap_or(&0)
    }

    fn io_ms(&mut self) -> u32 {
        *[15u32, 45, 75]
            .get(self.rng.random_range(0..3))
            .unwrap_or(&15)
    }

    fn value(&mut self) -> String {
        match self.rng.random_range(0..6) {
            0 => format!("{}", self.rng.random_range(0..100)),
            1 => format!("\"v{}\"", self.rng.random_range(0..10)),
            2 => format!(
                "[{}, {}]",
                self.rng.random_range(0..9),
                self.rng.random_range(0..9)
            ),
            3 => format!("{{ k: {}, s: \"x\" }}", self.rng.random_range(0..9)),
            4 => "null".into(),
            _ => "true".into(),
        }
    }

    fn log(&mut self, extra: Option<&str>) -> String {
        let label = self.label();
        match extra {
            Some(e) => format!("console.log(\"{label}\", {e});"),
            None => format!("console.log(\"{label}\");"),
        }
    }

    /// An expression that makes a promise.
    fn promise(&mut self, depth: u32) -> String {
        let choice = self.rng.random_range(0..9);
        match choice {
            0 => format!("Promise.resolve({})", self.value()),
            1 => {
                let name = self.pick(&["db", "file", "net"]);
                format!("io(\"{name}\", {})", self.io_ms())
            }
            2 => {
                let d = self.delay();
                let v = self.value();
                format!("new Promise((resolve) => setTimeout(() => resolve({v}), {d}))")
            }
            3 if depth > 0 => {
                let body = self.block(depth - 1, false);
                let v = self.value();
                format!("new Promise((resolve) => {{\n{body}\nresolve({v});\n}})")
            }
            4 => {
                let items: Vec<String> = (0..self.rng.random_range(0..4))
                    .map(|_| self.simple_promise())
                    .collect();
                let combinator = self.pick(&["all", "allSettled", "race", "any"]);
                if items.is_empty() && (combinator == "race") {
                    "Promise.all([])".to_string()
                } else {
                    format!("Promise.{combinator}([{}])", items.join(", "))
                }
            }
            5 if !self.functions.is_empty() => {
                let f = self.functions[self.rng.random_range(0..self.functions.len())].clone();
                format!("{f}()")
            }
            6 => format!("Promise.resolve().then(() => ({}))", self.value()),
            7 => {
                let v = self.value();
                format!("Promise.resolve({{ then(resolve) {{ resolve({v}); }} }})")
            }
            _ => format!("Promise.resolve({})", self.value()),
        }
    }

    fn simple_promise(&mut self) -> String {
        match self.rng.random_range(0..4) {
            0 => format!("Promise.resolve({})", self.rng.random_range(0..9)),
            1 => {
                let n = self.rng.random_range(0..9);
                format!("io(\"i{n}\", {})", self.io_ms())
            }
            2 => format!("{}", self.rng.random_range(0..9)),
            _ => {
                let d = self.delay();
                format!(
                    "new Promise((r) => setTimeout(() => r({}), {d}))",
                    self.rng.random_range(0..9)
                )
            }
        }
    }

    /// A `.then` / `.catch` / `.finally` chain on `promise`.
    fn chain(&mut self, promise: String, depth: u32, in_async: bool) -> String {
        let mut out = promise;
        let links = self.rng.random_range(1..4);
        for _ in 0..links {
            match self.rng.random_range(0..6) {
                0..=2 => {
                    let log = self.log(Some("v"));
                    let inner = if depth > 0 && self.rng.random_range(0..3) == 0 {
                        self.block(depth - 1, false)
                    } else {
                        String::new()
                    };
                    let ret = match self.rng.random_range(0..4) {
                        0 => format!("return {};", self.promise(0)),
                        1 => format!("return {};", self.value()),
                        2 => format!("throw new Error(\"{}\");", self.label()),
                        _ => String::new(),
                    };
                    out = format!("{out}.then((v) => {{\n{log}\n{inner}\n{ret}\n}})");
                }
                3 => {
                    let log = self.log(Some("e.message"));
                    out = format!("{out}.catch((e) => {{\n{log}\n}})");
                }
                4 => {
                    let log = self.log(None);
                    out = format!("{out}.finally(() => {{\n{log}\n}})");
                }
                _ => {
                    let log = self.log(Some("x"));
                    out = format!(
                        "{out}.then((x) => {{ {log} }}, (e) => {{ console.log(\"caught\", e.message); }})"
                    );
                }
            }
        }
        // Every chain ends handled, so that no rejection is left unhandled
        // unless the program means it.
        let _ = in_async;
        format!("{out}.catch((e) => console.log(\"end\", e.message));")
    }

    fn statement(&mut self, depth: u32, in_async: bool) -> String {
        self.fuel -= 1;
        if self.fuel <= 0 || depth == 0 {
            return self.log(None);
        }
        let choice = self.rng.random_range(0..14);
        match choice {
            0 | 1 => {
                let extra = self.value();
                self.log(Some(&extra))
            }
            2 => {
                let d = self.delay();
                let body = self.block(depth - 1, false);
                format!("setTimeout(() => {{\n{body}\n}}, {d});")
            }
            3 => {
                let body = self.block(depth - 1, false);
                format!("queueMicrotask(() => {{\n{body}\n}});")
            }
            4 | 5 => {
                let p = self.promise(depth - 1);
                self.chain(p, depth - 1, in_async)
            }
            6 => {
                let body = self.block(depth - 1, true);
                let log = self.log(Some("r"));
                format!(
                    "(async () => {{\n{body}\n}})().then((r) => {{ {log} }}).catch((e) => console.log(\"async failed\", e.message));"
                )
            }
            7 if in_async => {
                let p = self.promise(depth - 1);
                let log = self.log(Some("w"));
                format!("{{\nconst w = await {p};\n{log}\n}}")
            }
            8 if in_async => {
                let p = self.promise(depth - 1);
                let label = self.label();
                format!(
                    "try {{\nconst t = await {p};\nconsole.log(\"{label}\", t);\nthrow new Error(\"{label}x\");\n}} catch (e) {{\nconsole.log(\"caught\", e.message);\n}} finally {{\nconsole.log(\"finally {label}\");\n}}"
                )
            }
            9 => {
                let name = format!("f{}", self.named);
                self.named += 1;
                let body = self.block(depth - 1, true);
                let ret = match self.rng.random_range(0..3) {
                    0 => format!("return {};", self.promise(0)),
                    1 => format!("return {};", self.value()),
                    _ => String::new(),
                };
                self.functions.push(name.clone());
                let log = self.log(Some("r"));
                format!(
                    "async function {name}() {{\n{body}\n{ret}\n}}\n{name}().then((r) => {{ {log} }}).catch((e) => console.log(\"f failed\", e.message));"
                )
            }
            10 => {
                let label = self.label();
                format!(
                    "Promise.reject(new Error(\"{label}\")).catch((e) => console.log(\"rejected\", e.message));"
                )
            }
            11 if in_async => {
                let label = self.label();
                let n = self.rng.random_range(1..4);
                format!(
                    "for (let i = 0; i < {n}; i++) {{\nawait null;\nconsole.log(\"{label}\", i);\n}}"
                )
            }
            12 => {
                let label = self.label();
                let ms = self.pick(&["io(\"a\", 15)", "io(\"b\", 45)", "Promise.resolve(1)"]);
                format!("{ms}.then((v) => {{ console.log(\"{label}\", v); }});")
            }
            _ => {
                let extra = self.value();
                self.log(Some(&extra))
            }
        }
    }

    fn block(&mut self, depth: u32, in_async: bool) -> String {
        let n = self.rng.random_range(1..4);
        (0..n)
            .map(|_| self.statement(depth, in_async))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn program(&mut self) -> String {
        let mut lines = Vec::new();
        let n = self.rng.random_range(3..7);
        for _ in 0..n {
            lines.push(self.statement(3, true));
        }
        // Now and then, a program that ends badly on purpose.
        match self.rng.random_range(0..12) {
            0 => lines.push("setTimeout(() => { throw new Error(\"boom\"); }, 200);".into()),
            1 => lines.push(
                "setTimeout(() => { Promise.reject(new Error(\"nobody listens\")); }, 230);".into(),
            ),
            _ => {}
        }
        lines.join("\n") + "\n"
    }
}

/// Whether the program's order could depend on real time (see the module doc).
fn timing_sensitive(run: &Run) -> bool {
    // The scheduled due time of each timer/I/O job: from the events.
    let mut scheduled: Vec<(u64, f64)> = Vec::new();
    for event in &run.events {
        match &event.kind {
            interleave_core::eventloop::record::EventKind::TimerSet { ms, .. } => {
                let ms = if *ms < 1.0 { 1.0 } else { *ms };
                scheduled.push((event.time + (ms * 1000.0) as u64, ms));
            }
            interleave_core::eventloop::record::EventKind::IoStarted { ms, .. } => {
                scheduled.push((event.time + (ms * 1000.0) as u64, *ms));
            }
            _ => {}
        }
    }
    for (i, a) in scheduled.iter().enumerate() {
        for b in &scheduled[i + 1..] {
            let close = a.0.abs_diff(b.0) < MARGIN_US;
            if close && a.1 != b.1 {
                return true;
            }
        }
    }
    false
}

#[test]
fn generated_programs_print_what_node_prints() {
    let mut kept = Vec::new();
    for seed in 0..CANDIDATES {
        let source = Gen::new(seed).program();
        let run = match run_source(&source, Limits::default()) {
            Ok(run) => run,
            Err(error) => panic!("generated program {seed} does not compile: {error}\n{source}"),
        };
        if matches!(
            run.ending,
            Ending::Stopped { .. } | Ending::Unsupported { .. }
        ) {
            panic!(
                "generated program {seed} stopped: {:?}\n{source}",
                run.ending
            );
        }
        if !timing_sensitive(&run) {
            kept.push((format!("gen{seed}"), source));
        }
    }
    eprintln!(
        "{} of {CANDIDATES} generated programs are free of timing races",
        kept.len()
    );
    assert!(
        kept.len() >= MIN_KEPT,
        "only {} of {CANDIDATES} generated programs are free of timing races",
        kept.len()
    );
    check_all("generated", kept);
}

#[test]
fn every_lesson_prints_what_node_prints() {
    let lessons: Vec<(String, String)> = interleave_core::eventloop::lessons::LESSONS
        .iter()
        .filter(|lesson| !lesson.browser)
        .map(|lesson| (lesson.id.to_owned(), lesson.source.to_owned()))
        .collect();
    assert!(lessons.len() >= 10);
    check_all("lessons", lessons);
}

#[test]
fn hand_written_programs_print_what_node_prints() {
    let dir = repo().join("tests/eventloop/programs");
    let mut programs = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/eventloop/programs") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "js") {
            let name = path
                .file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            let source = std::fs::read_to_string(&path).expect("a program");
            programs.push((name, source));
        }
    }
    assert!(!programs.is_empty());
    check_all("programs", programs);
}

/// Every program of the Event loop lab's built-in challenge set, at its
/// start and as its reference solution: what a learner is told Node
/// prints is what Node prints.
#[test]
fn the_built_in_challenges_print_what_node_prints() {
    use interleave_core::eventloop::lab::EventLoopLab;
    let set = interleave_core::sets::builtin(interleave_core::labs::LabId::EventLoop);
    let mut programs = Vec::new();
    for (idx, challenge) in set.challenges.iter().enumerate() {
        let start: EventLoopLab = serde_json::from_value(challenge.state.clone()).expect("a state");
        programs.push((format!("challenge-{idx}"), start.source));
        if let Some(solution) = &challenge.solution
            && let Some(state) = solution.get("state")
        {
            let solved: EventLoopLab = serde_json::from_value(state.clone()).expect("a state");
            programs.push((format!("challenge-{idx}-solution"), solved.source));
        }
    }
    assert!(programs.len() >= 8, "{}", programs.len());
    check_all("challenges", programs);
}
