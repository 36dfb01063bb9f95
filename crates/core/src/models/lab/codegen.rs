//! "Show as code": a configuration as a short program in Ruby, JavaScript
//! and Rust, generated from the scenario, that runs the workload the way
//! the timeline shows it.
//!
//! Every program prints one line per event, so that a run can be set
//! beside the simulated trace:
//!
//! ```text
//! 10.1 block A
//! ```
//!
//! the milliseconds since the program started, the event (`start`;
//! `block` and `unblock` around a synchronous wait, `park` and `resume`
//! around an asynchronous one; `finish`) and the task's name (the rest of
//! the line). Tasks are listed in order of arrival (ties in file order, as
//! the simulation queues them) and wait for their arrival before they
//! start. The test `crates/core/tests/codegen_runs.rs` runs the programs
//! with Node, Ruby and Rust (tokio) and compares their lines with the
//! simulation.
//!
//! Task names only ever appear inside string literals, escaped for the
//! target language; identifiers are generated (`task_1`).

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::models::scenario::{
    Model, ModelKind, Scenario, Segment, TaskSpec, Time, TimeUnit, WaitKind,
};

/// Tasks written out in full; the rest are summarised in a comment.
const MAX_TASKS_SHOWN: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Ruby,
    JavaScript,
    Rust,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Ruby, Language::JavaScript, Language::Rust];

    pub fn title(self) -> &'static str {
        match self {
            Language::Ruby => "Ruby",
            Language::JavaScript => "JavaScript",
            Language::Rust => "Rust",
        }
    }
}

/// The Cargo.toml dependency lines of `model`'s Rust program: a thread's
/// CPU clock (std has none), and tokio for the asynchronous models.
pub fn dependencies(model: Model) -> Vec<&'static str> {
    let mut lines = vec![r#"cpu-time = "1""#];
    if model.kind == ModelKind::Async {
        lines.push(r#"tokio = { version = "1", features = ["rt", "time"] }"#);
    }
    lines
}

/// How to run a generated program at home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunNote {
    /// What to install and where to put the code.
    pub setup: String,
    /// The command that runs it.
    pub command: &'static str,
}

impl RunNote {
    /// What the program prints, to say after the command.
    pub const PRINTS: &'static str = "It prints a line per event (milliseconds since it started, the event, the task) to set beside the timeline.";
}

impl std::fmt::Display for RunNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, and run: {}. {}",
            self.setup,
            self.command,
            Self::PRINTS
        )
    }
}

/// How to run `model`'s program in `language` at home: the runtime, the
/// file and the command.
pub fn run_it_yourself(model: Model, language: Language) -> RunNote {
    let asynchronous = model.kind == ModelKind::Async;
    let (setup, command) = match language {
        Language::Ruby if asynchronous => (
            "Install Ruby 3.1 or later and the async gem (gem install async), save this as tasks.rb".to_owned(),
            "ruby tasks.rb",
        ),
        Language::Ruby => (
            "Install Ruby 3.1 or later, save this as tasks.rb".to_owned(),
            "ruby tasks.rb",
        ),
        Language::JavaScript => (
            "Install Node 18 or later, save this as tasks.mjs".to_owned(),
            "node tasks.mjs",
        ),
        Language::Rust => (
            format!(
                "Make a project with Rust 1.80 or later (cargo new tasks), put this in src/main.rs, add {} under [dependencies] in Cargo.toml",
                dependencies(model).join(" and ")
            ),
            "cargo run --release",
        ),
    };
    RunNote { setup, command }
}

/// The code for `model` running `scenario`'s workload.
pub fn code(scenario: &Scenario, model: Model, language: Language) -> String {
    let workload = scenario.workload();
    let program = Program::new(scenario, &workload, model);
    let mut out = String::new();
    match language {
        Language::Ruby => program.ruby(&mut out),
        Language::JavaScript => program.javascript(&mut out),
        Language::Rust => program.rust(&mut out),
    }
    out
}

/// One task as the programs list it.
struct Shown<'a> {
    name: String,
    arrival: Time,
    segments: &'a [Segment],
}

struct Program<'a> {
    model: Model,
    unit: TimeUnit,
    /// The first tasks in order of arrival.
    tasks: Vec<Shown<'a>>,
    /// How many more the workload has.
    hidden: usize,
}

impl<'a> Program<'a> {
    fn new(scenario: &Scenario, workload: &'a [TaskSpec], model: Model) -> Self {
        // The simulation's queue order: by arrival, ties in file order.
        let mut order: Vec<usize> = (0..workload.len()).collect();
        order.sort_by_key(|&idx| workload[idx].arrival);
        let tasks = order
            .iter()
            .take(MAX_TASKS_SHOWN)
            .map(|&idx| Shown {
                name: crate::models::scenario::task_name(workload, idx),
                arrival: workload[idx].arrival,
                segments: &workload[idx].segments,
            })
            .collect();
        Program {
            model,
            unit: scenario.unit,
            tasks,
            hidden: workload.len().saturating_sub(MAX_TASKS_SHOWN),
        }
    }

    fn asynchronous(&self) -> bool {
        self.model.kind == ModelKind::Async
    }

    /// The header comment: the model in a sentence, and time slicing.
    fn header(&self, comment: &str) -> String {
        let model = self.model;
        let what = match (model.kind, model.threads) {
            (ModelKind::Sync, 1) => "one thread takes each task and runs it to completion; while a task waits, the thread is blocked.".to_owned(),
            (ModelKind::Sync, n) => format!("{n} threads take tasks from one queue; a thread is blocked while its task waits."),
            (ModelKind::Async, 1) => "one event loop runs every task; a task that must wait is parked and the loop runs another.".to_owned(),
            (ModelKind::Async, n) => format!("one event loop runs the tasks and {n} threads their computing; a waiting task is parked and resumes on whichever thread is free."),
        };
        let mut out = format!("{comment} {}: {what}\n", model.label());
        if let Some(cores) = model.cores.filter(|&cores| cores < model.threads) {
            writeln!(
                out,
                "{comment} On {cores} core{}, the OS time-slices these {} threads: threads are not cores.",
                plural(cores),
                model.threads
            )
            .unwrap();
        }
        out
    }

    fn events_note(&self, comment: &str) -> String {
        let (wait, end) = if self.asynchronous() {
            ("park", "resume")
        } else {
            ("block", "unblock")
        };
        format!(
            "{comment} Prints a line per event: milliseconds since the start, the event (start, {wait}, {end}, finish), the task.\n"
        )
    }

    /// The digits after the point in printed milliseconds.
    fn digits(&self) -> usize {
        if self.unit == TimeUnit::Us { 3 } else { 1 }
    }

    /// `time` (in the scenario's unit) as a literal number of milliseconds.
    fn ms(&self, time: Time) -> String {
        match self.unit {
            TimeUnit::Ms => time.to_string(),
            TimeUnit::S => time.saturating_mul(1000).to_string(),
            TimeUnit::Us => {
                let fraction = format!("{:03}", time % 1000);
                let fraction = fraction.trim_end_matches('0');
                if fraction.is_empty() {
                    (time / 1000).to_string()
                } else {
                    format!("{}.{fraction}", time / 1000)
                }
            }
        }
    }

    fn more_tasks(&self, out: &mut String, indent: &str, comment: &str) {
        if self.hidden > 0 {
            writeln!(
                out,
                "{indent}{comment} ... and {} more tasks like these",
                self.hidden
            )
            .unwrap();
        }
    }

    /// The tasks as a list of `[name, arrives (ms), work]` rows (Ruby and
    /// JavaScript share the syntax); `work` is `open`, the calls, `}`.
    fn table(
        &self,
        out: &mut String,
        comment: &str,
        string: fn(&str) -> String,
        open: &str,
        compute: impl Fn(Time) -> String,
        wait: impl Fn(WaitKind, Time) -> String,
    ) {
        let (constant, end) = if comment == "#" {
            ("TASKS", "]")
        } else {
            ("const tasks", "];")
        };
        // JavaScript statements end with a semicolon, Ruby's do not.
        let last = if comment == "#" { "" } else { ";" };
        writeln!(
            out,
            "{comment} In order of arrival: name, arrives (ms), work.\n{constant} = ["
        )
        .unwrap();
        for task in &self.tasks {
            let body = Self::steps(task.segments, &compute, &wait);
            writeln!(
                out,
                "  [{}, {}, {open} {body}{last} }}],",
                string(&task.name),
                self.ms(task.arrival)
            )
            .unwrap();
        }
        self.more_tasks(out, "  ", comment);
        writeln!(out, "{end}\n").unwrap();
    }

    /// A task's segments as calls, `compute(...)` and `wait(on, d)`.
    fn steps(
        segments: &[Segment],
        compute: impl Fn(Time) -> String,
        wait: impl Fn(WaitKind, Time) -> String,
    ) -> String {
        segments
            .iter()
            .map(|segment| match *segment {
                Segment::Compute(d) => compute(d),
                Segment::Wait { duration, on } => wait(on, duration),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The call that stands in for a wait in each language.
fn wait_call(on: WaitKind) -> &'static str {
    match on {
        WaitKind::Io => "io",
        WaitKind::Disk => "disk",
        WaitKind::Database => "database",
        WaitKind::Http => "http",
        WaitKind::Input => "user_input",
        WaitKind::Timer => "timer",
    }
}

fn ruby_string(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn js_string(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialise")
}

fn rust_string(text: &str) -> String {
    format!("{text:?}")
}

impl Program<'_> {
    fn ruby(&self, out: &mut String) {
        out.push_str(&self.header("#"));
        let threads = self.model.threads;
        if threads > 1 {
            out.push_str("# In CRuby one lock, the GVL, lets one thread run Ruby code at a time: these threads\n# overlap their waits but take turns to compute, as if on one core.\n");
        }
        out.push_str(&self.events_note("#"));
        if self.asynchronous() {
            out.push_str("require 'async' # fibers on a scheduler: sleep parks the fiber\n");
        }
        writeln!(
            out,
            "\nSTARTED = Process.clock_gettime(Process::CLOCK_MONOTONIC)\ndef elapsed = (Process.clock_gettime(Process::CLOCK_MONOTONIC) - STARTED) * 1000 # milliseconds\ndef log(event, name) = print(\"#{{format('%.{}f', elapsed)}} #{{event}} #{{name}}\\n\")\n",
            self.digits()
        )
        .unwrap();
        // Async on several threads: the event loop runs the tasks on the
        // main thread, and the threads do the computing.
        let pool = self.asynchronous() && threads > 1;
        out.push_str("def cpu_ms = Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID, :float_millisecond)\n\n# Keeps a core busy for ms of this thread's CPU time: a thread that waits for a core finishes later.\n");
        let name = if pool { "spin" } else { "compute" };
        if threads > 1 {
            writeln!(out, "def {name}(ms)\n  while ms > 0\n    started = cpu_ms\n    nil while cpu_ms < started + 1 # a millisecond of work\n    ms -= cpu_ms - started\n    # Passing the GVL lets a thread whose wait has ended in at once (CRuby would\n    # make it wait up to 100 ms).\n    Thread.pass\n  end\nend\n").unwrap();
        } else {
            writeln!(
                out,
                "def {name}(ms)\n  done = cpu_ms + ms\n  nil while cpu_ms < done\nend\n"
            )
            .unwrap();
        }
        if pool {
            writeln!(out, "# The event loop runs the tasks on this thread. Each computation goes to one of {threads} threads,\n# whichever is free (in order of asking): a parked task resumes on any thread, as on the timeline.\nCOMPUTING = Queue.new\n{threads}.times do\n  Thread.new do\n    while (ms, done = COMPUTING.pop)\n      spin(ms)\n      done << ms\n    end\n  end\nend\n\ndef compute(ms) # parks this fiber until a thread has computed\n  done = Queue.new\n  COMPUTING << [ms, done]\n  done.pop\nend\n").unwrap();
        }
        let (comment, wait, end) = if self.asynchronous() {
            ("parks this fiber, not the thread", "park", "resume")
        } else {
            ("blocks the whole thread", "block", "unblock")
        };
        writeln!(out, "def wait_for(name, what, ms) # {comment}\n  log('{wait}', name)\n  sleep(ms / 1000.0)\n  log('{end}', name)\nend\n").unwrap();
        out.push_str(
            "def arrive(ms) = sleep([ms - elapsed, 0].max / 1000.0) # until the task arrives\n\n",
        );
        self.table(
            out,
            "#",
            ruby_string,
            "->(name) {",
            |d| format!("compute({})", self.ms(d)),
            |on, d| format!("wait_for(name, :{}, {})", wait_call(on), self.ms(d)),
        );
        const RUN: &str = "log('start', name); work.call(name); log('finish', name)";
        match (self.model.kind, threads) {
            (ModelKind::Async, _) => {
                writeln!(out, "Async do |event_loop|\n  TASKS.map do |name, arrives, work|\n    event_loop.async {{ arrive(arrives); {RUN} }}\n  end.each(&:wait)\nend").unwrap();
            }
            (ModelKind::Sync, threads) => {
                out.push_str(
                    "queue = Queue.new\nTASKS.each { |task| queue << task }\nqueue.close\n\n",
                );
                writeln!(out, "threads = {threads}.times.map do\n  Thread.new do\n    loop do\n      name, arrives, work = queue.pop\n      break unless name # the queue is closed and empty\n      arrive(arrives)\n      {RUN}\n    end\n  end\nend").unwrap();
                out.push_str("threads.each(&:join)\n");
            }
        }
    }
}

impl Program<'_> {
    fn javascript(&self, out: &mut String) {
        out.push_str(&self.header("//"));
        out.push_str(&self.events_note("//"));
        let asynchronous = self.asynchronous();
        let threads = self.model.threads;
        let threaded = threads > 1;
        // Async on several threads: the main thread's event loop runs the
        // tasks, and worker threads do the computing.
        let pool = asynchronous && threaded;
        if threaded {
            out.push_str("import { Worker, isMainThread, parentPort, workerData } from \"node:worker_threads\";\n");
        }
        const START_WORKERS: &str = "// Worker threads running this file, once they are ready (loading takes tens of milliseconds).\nconst startWorkers = (count) => Promise.all(Array.from({ length: count }, () => new Promise((ready) => {\n  const worker = new Worker(new URL(import.meta.url), { workerData: { loopsPerMs } });\n  worker.once(\"message\", () => ready(worker));\n})));\n";
        out.push_str("\nconst now = () => performance.timeOrigin + performance.now(); // the same clock on every thread\n");
        out.push_str("// Computing is work done, not a clock watched: a thread that waits for a core finishes later.\nconst spin = (n) => { let x = 0; for (let i = 0; i < n; i++) x = ((x ^ i) * 3) % 1000003; return x; };\nconst measure = () => { spin(1e6); const t = now(); spin(1e7); return 1e7 / (now() - t); }; // loops per millisecond\n");
        if threaded {
            out.push_str("const loopsPerMs = isMainThread ? measure() : workerData.loopsPerMs;\nlet started; // once every thread is ready\n");
        } else {
            out.push_str("const loopsPerMs = measure();\nconst started = now();\n");
        }
        writeln!(out, "const log = (event, name) => console.log(`${{(now() - started).toFixed({})}} ${{event}} ${{name}}`);", self.digits()).unwrap();
        if threaded {
            out.push_str(START_WORKERS);
        }
        if pool {
            writeln!(out, "\n// The main thread's event loop runs the tasks. Each computation goes to a free worker thread,\n// whichever is free (in order of asking): a parked task resumes on any thread, as on the timeline.\nif (!isMainThread) {{\n  parentPort.on(\"message\", (ms) => {{ spin(ms * loopsPerMs); parentPort.postMessage(ms); }});\n  parentPort.postMessage(\"ready\");\n}}\nconst free = isMainThread ? await startWorkers({threads}) : [];\nstarted = now();\nconst asked = []; // computations waiting for a free thread\nconst handOut = () => {{\n  while (free.length > 0 && asked.length > 0) {{\n    const worker = free.shift();\n    const [ms, done] = asked.shift();\n    worker.once(\"message\", () => {{ free.push(worker); done(); handOut(); }});\n    worker.postMessage(ms);\n  }}\n}};\nconst compute = (ms) => new Promise((done) => {{ asked.push([ms, done]); handOut(); }}); // parks the task until computed").unwrap();
        } else {
            out.push_str("const compute = (ms) => spin(ms * loopsPerMs); // keeps a core busy\n");
        }
        if asynchronous {
            out.push_str("const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)); // parks this task\nconst waitFor = async (name, what, ms) => { log(\"park\", name); await sleep(ms); log(\"resume\", name); };\n");
        } else {
            out.push_str("const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, ms)); // blocks the thread\nconst waitFor = (name, what, ms) => { log(\"block\", name); sleep(ms); log(\"unblock\", name); };\n");
        }
        out.push('\n');
        let (arrow, wait, compute) = match (asynchronous, pool) {
            (false, _) => ("(name) => {", "waitFor", "compute"),
            (true, false) => ("async (name) => {", "await waitFor", "compute"),
            (true, true) => ("async (name) => {", "await waitFor", "await compute"),
        };
        self.table(
            out,
            "//",
            js_string,
            arrow,
            |d| format!("{compute}({})", self.ms(d)),
            |on, d| format!("{wait}(name, \"{}\", {})", wait_call(on), self.ms(d)),
        );
        const ARRIVE: &str = "(arrives - (now() - started)); // until the task arrives";
        const RUN_ALL: &str = "await Promise.all(tasks.map(async ([name, arrives, work]) => {\n  await sleep(arrives - (now() - started)); // until the task arrives\n  log(\"start\", name); await work(name); log(\"finish\", name);\n}));";
        match (asynchronous, threaded) {
            (false, false) => writeln!(
                out,
                "for (const [name, arrives, work] of tasks) {{\n  sleep{ARRIVE}\n  log(\"start\", name); work(name); log(\"finish\", name);\n}}"
            ),
            (true, false) => writeln!(out, "{RUN_ALL}"),
            (false, true) => writeln!(
                out,
                "// The main thread hands out the tasks in order; each worker thread runs one at a time.\nif (isMainThread) {{\n  const workers = await startWorkers({threads});\n  started = now();\n  let next = 0;\n  for (const worker of workers) {{\n    const handOut = () => worker.postMessage(next < tasks.length ? {{ index: next++, started }} : null);\n    worker.on(\"message\", handOut);\n    handOut();\n  }}\n}} else {{\n  parentPort.on(\"message\", (message) => {{\n    if (message === null) return parentPort.close(); // no tasks left\n    started = message.started;\n    const [name, arrives, work] = tasks[message.index];\n    sleep{ARRIVE}\n    log(\"start\", name); work(name); log(\"finish\", name);\n    parentPort.postMessage(\"free\");\n  }});\n  parentPort.postMessage(\"ready\");\n}}"
            ),
            (true, true) => writeln!(
                out,
                "if (isMainThread) {{\n{}\n  for (const worker of free) worker.terminate();\n}}",
                RUN_ALL
                    .lines()
                    .map(|line| format!("  {line}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        }
        .unwrap();
    }
}

impl Program<'_> {
    /// The parameter name and `Duration` constructor for the unit.
    fn rust_unit(&self) -> (&'static str, &'static str) {
        match self.unit {
            TimeUnit::Ms => ("ms", "from_millis"),
            TimeUnit::Us => ("us", "from_micros"),
            TimeUnit::S => ("s", "from_secs"),
        }
    }

    fn rust(&self, out: &mut String) {
        out.push_str(&self.header("//"));
        out.push_str(&self.events_note("//"));
        let asynchronous = self.asynchronous();
        let (unit, from) = self.rust_unit();
        writeln!(
            out,
            "// Cargo.toml, [dependencies]: {}",
            dependencies(self.model).join(", ")
        )
        .unwrap();
        if asynchronous {
            out.push_str("use std::sync::LazyLock;\nuse std::time::{Duration, Instant};\n\nuse cpu_time::ThreadTime;\n\n");
        } else {
            out.push_str("use std::collections::VecDeque;\nuse std::sync::{Arc, LazyLock, Mutex};\nuse std::thread;\nuse std::time::{Duration, Instant};\n\nuse cpu_time::ThreadTime;\n\n");
        }
        writeln!(out, "static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);\n\nfn log(event: &str, name: &str) {{\n    println!(\"{{:.{}}} {{event}} {{name}}\", STARTED.elapsed().as_secs_f64() * 1000.0);\n}}\n", self.digits()).unwrap();
        let threads = self.model.threads;
        // Async on several threads: the event loop runs the tasks on the
        // main thread, and the runtime's blocking threads do the computing.
        let pool = asynchronous && threads > 1;
        writeln!(out, "/// Keeps a core busy for `{unit}` of this thread's CPU time: a thread that\n/// waits for a core finishes later.\nfn {}({unit}: u64) {{\n    let started = ThreadTime::now();\n    while started.elapsed() < Duration::{from}({unit}) {{}}\n}}\n", if pool { "spin" } else { "compute" }).unwrap();
        if pool {
            writeln!(out, "/// Parks this task until one of the {threads} computing threads, whichever is free\n/// (in order of asking), has computed for it: a parked task resumes on any\n/// thread, as on the timeline.\nasync fn compute({unit}: u64) {{\n    tokio::task::spawn_blocking(move || spin({unit})).await.unwrap();\n}}\n").unwrap();
        }
        if asynchronous {
            writeln!(out, "/// Parks this task; the event loop runs another meanwhile.\nasync fn wait_for(name: &str, _what: &str, {unit}: u64) {{\n    log(\"park\", name);\n    tokio::time::sleep(Duration::{from}({unit})).await;\n    log(\"resume\", name);\n}}\n\n/// Parks this task until it arrives.\nasync fn arrive({unit}: u64) {{\n    tokio::time::sleep_until((*STARTED + Duration::{from}({unit})).into()).await;\n}}\n").unwrap();
        } else {
            writeln!(out, "/// Blocks the whole thread.\nfn wait_for(name: &str, _what: &str, {unit}: u64) {{\n    log(\"block\", name);\n    thread::sleep(Duration::{from}({unit}));\n    log(\"unblock\", name);\n}}\n").unwrap();
        }
        for (idx, task) in self.tasks.iter().enumerate() {
            let awaited = if asynchronous { ".await" } else { "" };
            let computed = if pool { ".await" } else { "" };
            let body = Self::steps(
                task.segments,
                |d| format!("compute({d}){computed}"),
                |on, d| format!("wait_for(name, \"{}\", {d}){awaited}", wait_call(on)),
            );
            let keyword = if asynchronous { "async fn" } else { "fn" };
            writeln!(
                out,
                "// {}\n{keyword} task_{}(name: &str) {{\n    {body};\n}}\n",
                rust_string(&task.name),
                idx + 1
            )
            .unwrap();
        }
        if asynchronous {
            let builder = if pool {
                format!(
                    "    // The event loop runs the tasks on this thread; {threads} threads do their computing.\n    let runtime = tokio::runtime::Builder::new_current_thread()\n        .max_blocking_threads({threads})"
                )
            } else {
                "    let runtime = tokio::runtime::Builder::new_current_thread()".to_owned()
            };
            writeln!(out, "fn main() {{\n    LazyLock::force(&STARTED);\n{builder}\n        .enable_time()\n        .build()\n        .unwrap();\n    runtime.block_on(async {{\n        // In order of arrival.\n        let handles = [").unwrap();
            for (idx, task) in self.tasks.iter().enumerate() {
                let name = rust_string(&task.name);
                writeln!(out, "            tokio::spawn(async {{ arrive({}).await; log(\"start\", {name}); task_{}({name}).await; log(\"finish\", {name}) }}),", task.arrival, idx + 1).unwrap();
            }
            self.more_tasks(out, "            ", "//");
            out.push_str("        ];\n        for handle in handles {\n            handle.await.unwrap();\n        }\n    });\n}\n");
        } else {
            writeln!(out, "fn main() {{\n    LazyLock::force(&STARTED);\n    // In order of arrival: name, arrives ({unit}), work.\n    let tasks: Vec<(&str, u64, fn(&str))> = vec![").unwrap();
            for (idx, task) in self.tasks.iter().enumerate() {
                writeln!(
                    out,
                    "        ({}, {}, task_{}),",
                    rust_string(&task.name),
                    task.arrival,
                    idx + 1
                )
                .unwrap();
            }
            self.more_tasks(out, "        ", "//");
            writeln!(out, "    ];\n    let queue = Arc::new(Mutex::new(VecDeque::from(tasks)));\n    let threads: Vec<_> = (0..{})\n        .map(|_| {{\n            let queue = Arc::clone(&queue);\n            thread::spawn(move || loop {{\n                let Some((name, arrives, work)) = queue.lock().unwrap().pop_front() else {{ break }};\n                // Until the task arrives.\n                thread::sleep((*STARTED + Duration::{from}(arrives)).saturating_duration_since(Instant::now()));\n                log(\"start\", name);\n                work(name);\n                log(\"finish\", name);\n            }})\n        }})\n        .collect();\n    for thread in threads {{\n        thread.join().unwrap();\n    }}\n}}", self.model.threads).unwrap();
        }
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;

    #[test]
    fn ruby_sync_on_four_threads() {
        expect![[r##"
            # sync, 4 threads: 4 threads take tasks from one queue; a thread is blocked while its task waits.
            # In CRuby one lock, the GVL, lets one thread run Ruby code at a time: these threads
            # overlap their waits but take turns to compute, as if on one core.
            # Prints a line per event: milliseconds since the start, the event (start, block, unblock, finish), the task.

            STARTED = Process.clock_gettime(Process::CLOCK_MONOTONIC)
            def elapsed = (Process.clock_gettime(Process::CLOCK_MONOTONIC) - STARTED) * 1000 # milliseconds
            def log(event, name) = print("#{format('%.1f', elapsed)} #{event} #{name}\n")

            def cpu_ms = Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID, :float_millisecond)

            # Keeps a core busy for ms of this thread's CPU time: a thread that waits for a core finishes later.
            def compute(ms)
              while ms > 0
                started = cpu_ms
                nil while cpu_ms < started + 1 # a millisecond of work
                ms -= cpu_ms - started
                # Passing the GVL lets a thread whose wait has ended in at once (CRuby would
                # make it wait up to 100 ms).
                Thread.pass
              end
            end

            def wait_for(name, what, ms) # blocks the whole thread
              log('block', name)
              sleep(ms / 1000.0)
              log('unblock', name)
            end

            def arrive(ms) = sleep([ms - elapsed, 0].max / 1000.0) # until the task arrives

            # In order of arrival: name, arrives (ms), work.
            TASKS = [
              ['A', 0, ->(name) { compute(10); wait_for(name, :database, 50); compute(10) }],
              ['B', 0, ->(name) { compute(10); wait_for(name, :database, 50); compute(10) }],
              ['C', 0, ->(name) { compute(10); wait_for(name, :database, 50); compute(10) }],
            ]

            queue = Queue.new
            TASKS.each { |task| queue << task }
            queue.close

            threads = 4.times.map do
              Thread.new do
                loop do
                  name, arrives, work = queue.pop
                  break unless name # the queue is closed and empty
                  arrive(arrives)
                  log('start', name); work.call(name); log('finish', name)
                end
              end
            end
            threads.each(&:join)
        "##]].assert_eq(&code(&Scenario::default_models(), Model::sync(4), Language::Ruby));
    }

    #[test]
    fn javascript_event_loop() {
        expect![[r#"
            // async, 1 thread: one event loop runs every task; a task that must wait is parked and the loop runs another.
            // Prints a line per event: milliseconds since the start, the event (start, park, resume, finish), the task.

            const now = () => performance.timeOrigin + performance.now(); // the same clock on every thread
            // Computing is work done, not a clock watched: a thread that waits for a core finishes later.
            const spin = (n) => { let x = 0; for (let i = 0; i < n; i++) x = ((x ^ i) * 3) % 1000003; return x; };
            const measure = () => { spin(1e6); const t = now(); spin(1e7); return 1e7 / (now() - t); }; // loops per millisecond
            const loopsPerMs = measure();
            const started = now();
            const log = (event, name) => console.log(`${(now() - started).toFixed(1)} ${event} ${name}`);
            const compute = (ms) => spin(ms * loopsPerMs); // keeps a core busy
            const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)); // parks this task
            const waitFor = async (name, what, ms) => { log("park", name); await sleep(ms); log("resume", name); };

            // In order of arrival: name, arrives (ms), work.
            const tasks = [
              ["A", 0, async (name) => { compute(10); await waitFor(name, "database", 50); compute(10); }],
              ["B", 0, async (name) => { compute(10); await waitFor(name, "database", 50); compute(10); }],
              ["C", 0, async (name) => { compute(10); await waitFor(name, "database", 50); compute(10); }],
            ];

            await Promise.all(tasks.map(async ([name, arrives, work]) => {
              await sleep(arrives - (now() - started)); // until the task arrives
              log("start", name); await work(name); log("finish", name);
            }));
        "#]].assert_eq(&code(&Scenario::default_models(), Model::asynchronous(1), Language::JavaScript));
    }

    #[test]
    fn rust_async_on_two_threads_and_one_core() {
        expect![[r#"
            // async, 2 threads, 1 core: one event loop runs the tasks and 2 threads their computing; a waiting task is parked and resumes on whichever thread is free.
            // On 1 core, the OS time-slices these 2 threads: threads are not cores.
            // Prints a line per event: milliseconds since the start, the event (start, park, resume, finish), the task.
            // Cargo.toml, [dependencies]: cpu-time = "1", tokio = { version = "1", features = ["rt", "time"] }
            use std::sync::LazyLock;
            use std::time::{Duration, Instant};

            use cpu_time::ThreadTime;

            static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);

            fn log(event: &str, name: &str) {
                println!("{:.1} {event} {name}", STARTED.elapsed().as_secs_f64() * 1000.0);
            }

            /// Keeps a core busy for `ms` of this thread's CPU time: a thread that
            /// waits for a core finishes later.
            fn spin(ms: u64) {
                let started = ThreadTime::now();
                while started.elapsed() < Duration::from_millis(ms) {}
            }

            /// Parks this task until one of the 2 computing threads, whichever is free
            /// (in order of asking), has computed for it: a parked task resumes on any
            /// thread, as on the timeline.
            async fn compute(ms: u64) {
                tokio::task::spawn_blocking(move || spin(ms)).await.unwrap();
            }

            /// Parks this task; the event loop runs another meanwhile.
            async fn wait_for(name: &str, _what: &str, ms: u64) {
                log("park", name);
                tokio::time::sleep(Duration::from_millis(ms)).await;
                log("resume", name);
            }

            /// Parks this task until it arrives.
            async fn arrive(ms: u64) {
                tokio::time::sleep_until((*STARTED + Duration::from_millis(ms)).into()).await;
            }

            // "A"
            async fn task_1(name: &str) {
                compute(10).await; wait_for(name, "database", 50).await; compute(10).await;
            }

            // "B"
            async fn task_2(name: &str) {
                compute(10).await; wait_for(name, "database", 50).await; compute(10).await;
            }

            // "C"
            async fn task_3(name: &str) {
                compute(10).await; wait_for(name, "database", 50).await; compute(10).await;
            }

            fn main() {
                LazyLock::force(&STARTED);
                // The event loop runs the tasks on this thread; 2 threads do their computing.
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .max_blocking_threads(2)
                    .enable_time()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    // In order of arrival.
                    let handles = [
                        tokio::spawn(async { arrive(0).await; log("start", "A"); task_1("A").await; log("finish", "A") }),
                        tokio::spawn(async { arrive(0).await; log("start", "B"); task_2("B").await; log("finish", "B") }),
                        tokio::spawn(async { arrive(0).await; log("start", "C"); task_3("C").await; log("finish", "C") }),
                    ];
                    for handle in handles {
                        handle.await.unwrap();
                    }
                });
            }
        "#]].assert_eq(&code(
            &Scenario::default_models(),
            Model::asynchronous(2).on_cores(1),
            Language::Rust,
        ));
    }

    #[test]
    fn names_are_escaped_string_literals_in_every_language() {
        let mut scenario = Scenario::default_models();
        scenario.tasks[0].name = Some(r##"it's "#{`rm -rf`}" \"##.to_owned());
        for model in [
            Model::sync(1),
            Model::sync(3),
            Model::asynchronous(1),
            Model::asynchronous(2),
        ] {
            let ruby = code(&scenario, model, Language::Ruby);
            assert!(
                ruby.contains(r##"  ['it\'s "#{`rm -rf`}" \\', 0, "##),
                "{ruby}"
            );
            let js = code(&scenario, model, Language::JavaScript);
            assert!(
                js.contains(r##"  ["it's \"#{`rm -rf`}\" \\", 0, "##),
                "{js}"
            );
            let rust = code(&scenario, model, Language::Rust);
            assert!(rust.contains(r##"// "it's \"#{`rm -rf`}\" \\""##), "{rust}");
        }
    }

    #[test]
    fn tasks_are_listed_in_order_of_arrival_and_times_in_milliseconds() {
        let scenario = Scenario::from_json(
            r#"{"unit": "us", "tasks": [
                {"name": "late", "arrival": 2500, "segments": [{"compute": 1500}]},
                {"name": "early", "arrival": 0, "segments": [{"wait": 250, "on": "disk"}]},
                {"name": "tie", "arrival": 2500, "segments": [{"compute": 3000}]}
            ]}"#,
        )
        .unwrap();
        let js = code(&scenario, Model::sync(1), Language::JavaScript);
        let early = js.find(r#"["early", 0, "#).expect("early");
        let late = js
            .find(r#"["late", 2.5, (name) => { compute(1.5); }]"#)
            .expect("late");
        let tie = js
            .find(r#"["tie", 2.5, (name) => { compute(3); }]"#)
            .expect("tie");
        assert!(early < late && late < tie, "{js}");
        assert!(js.contains(r#"waitFor(name, "disk", 0.25)"#), "{js}");
        assert!(js.contains(".toFixed(3)"), "microseconds need digits: {js}");
        let ruby = code(&scenario, Model::asynchronous(1), Language::Ruby);
        assert!(
            ruby.contains("['late', 2.5, ->(name) { compute(1.5) }]"),
            "{ruby}"
        );
        let rust = code(&scenario, Model::sync(2), Language::Rust);
        assert!(rust.contains("fn compute(us: u64)"), "{rust}");
        assert!(rust.contains("(\"late\", 2500, task_2)"), "{rust}");
        let seconds = Scenario {
            unit: TimeUnit::S,
            ..scenario
        };
        let js = code(&seconds, Model::sync(1), Language::JavaScript);
        assert!(
            js.contains(r#"["late", 2500000, (name) => { compute(1500000); }]"#),
            "{js}"
        );
        let rust = code(&seconds, Model::sync(1), Language::Rust);
        assert!(rust.contains("Duration::from_secs(s)"), "{rust}");
    }

    #[test]
    fn generated_tasks_are_in_the_code_and_the_rest_are_counted() {
        let scenario = Scenario {
            generate: Some(crate::models::generator::Generator::web_traffic(20, 3)),
            ..Scenario::default_models()
        };
        for language in Language::ALL {
            let text = code(&scenario, Model::asynchronous(4), language);
            assert!(text.contains("... and 15 more tasks like these"), "{text}");
        }
    }

    #[test]
    fn run_it_yourself_names_the_runtime_and_the_command() {
        let note = |model, language| run_it_yourself(model, language).to_string();
        assert!(note(Model::sync(1), Language::JavaScript).contains("node tasks.mjs"));
        assert!(note(Model::asynchronous(2), Language::Ruby).contains("gem install async"));
        assert!(!note(Model::sync(2), Language::Ruby).contains("async"));
        let rust = note(Model::asynchronous(1), Language::Rust);
        assert!(
            rust.contains("cargo run --release") && rust.contains("tokio = "),
            "{rust}"
        );
        assert!(!note(Model::sync(1), Language::Rust).contains("tokio"));
    }
}
