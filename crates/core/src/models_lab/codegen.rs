//! "Show as code": a configuration as short, runnable-looking code in
//! Ruby, JavaScript and Rust, generated from the scenario.
//!
//! Task names only ever appear inside string literals, escaped for the
//! target language; identifiers are generated (`task_1`).

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::scenario::{Model, ModelKind, Scenario, Segment, WaitKind};

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

/// The code for `model` running `scenario`'s workload.
pub fn code(scenario: &Scenario, model: Model, language: Language) -> String {
    let mut out = String::new();
    match language {
        Language::Ruby => ruby(&mut out, scenario, model),
        Language::JavaScript => javascript(&mut out, scenario, model),
        Language::Rust => rust(&mut out, scenario, model),
    }
    out
}

fn shown(scenario: &Scenario) -> usize {
    scenario.tasks.len().min(MAX_TASKS_SHOWN)
}

fn more_tasks(out: &mut String, scenario: &Scenario, comment: &str) {
    let hidden = scenario.tasks.len() - shown(scenario);
    if hidden > 0 {
        writeln!(out, "  {comment} ... and {hidden} more tasks like these").unwrap();
    }
}

fn cores_note(model: Model, comment: &str) -> String {
    match model.cores {
        Some(cores) if cores < model.threads => format!(
            "{comment} On {cores} core{}, the OS time-slices these {} threads: threads are not cores.\n",
            if cores == 1 { "" } else { "s" },
            model.threads
        ),
        _ => String::new(),
    }
}

fn header(model: Model, comment: &str) -> String {
    let what = match (model.kind, model.threads) {
        (ModelKind::Sync, 1) => "one thread takes each task and runs it to completion; while a task waits, the thread is blocked.".to_owned(),
        (ModelKind::Sync, n) => format!("{n} threads take tasks from one queue; a thread is blocked while its task waits."),
        (ModelKind::Async, 1) => "one event loop runs every task; a task that must wait is parked and the loop runs another.".to_owned(),
        (ModelKind::Async, n) => format!("{n} threads run tasks; a waiting task is parked and may resume on any free thread."),
    };
    format!(
        "{comment} {}: {what}\n{}",
        model.label(),
        cores_note(model, comment)
    )
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

fn steps(
    segments: &[Segment],
    compute: impl Fn(u64) -> String,
    wait: impl Fn(WaitKind, u64) -> String,
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

fn ruby(out: &mut String, scenario: &Scenario, model: Model) {
    out.push_str(&header(model, "#"));
    let asynchronous = model.kind == ModelKind::Async;
    if asynchronous {
        out.push_str("require 'async' # fibers on a scheduler: sleep parks the fiber\n");
    }
    out.push_str("\ndef compute(ms) # keeps the CPU busy\n  done = Process.clock_gettime(Process::CLOCK_MONOTONIC) + ms / 1000.0\n  nil while Process.clock_gettime(Process::CLOCK_MONOTONIC) < done\nend\n\n");
    if asynchronous {
        out.push_str(
            "def wait_for(what, ms) = sleep(ms / 1000.0) # parks this fiber, not the thread\n\n",
        );
    } else {
        out.push_str("def wait_for(what, ms) = sleep(ms / 1000.0) # blocks the whole thread\n\n");
    }
    out.push_str("TASKS = {\n");
    for (idx, task) in scenario.tasks.iter().take(shown(scenario)).enumerate() {
        let body = steps(
            &task.segments,
            |d| format!("compute({d})"),
            |on, d| format!("wait_for(:{}, {d})", wait_call(on)),
        );
        writeln!(
            out,
            "  {} => -> {{ {body} }},",
            ruby_string(&scenario.task_name(idx))
        )
        .unwrap();
    }
    more_tasks(out, scenario, "#");
    out.push_str("}\n\n");
    match (model.kind, model.threads) {
        (ModelKind::Async, 1) => {
            out.push_str("Async do |loop|\n  TASKS.map { |name, task| loop.async { task.call; puts \"#{name} done\" } }.each(&:wait)\nend\n");
        }
        (kind, threads) => {
            out.push_str("queue = Queue.new\nTASKS.each { |name, task| queue << [name, task] }\nqueue.close\n\n");
            if kind == ModelKind::Async {
                out.push_str("# Ruby fibers stay on the thread that started them: each thread runs its own event loop.\n");
                writeln!(out, "threads = {threads}.times.map do\n  Thread.new do\n    Async do |loop|\n      while (name, task = queue.pop)\n        loop.async {{ task.call; puts \"#{{name}} done\" }}\n      end\n    end\n  end\nend").unwrap();
            } else {
                writeln!(out, "threads = {threads}.times.map do\n  Thread.new do\n    while (name, task = queue.pop)\n      task.call\n      puts \"#{{name}} done\"\n    end\n  end\nend").unwrap();
            }
            out.push_str("threads.each(&:join)\n");
        }
    }
}

fn javascript(out: &mut String, scenario: &Scenario, model: Model) {
    out.push_str(&header(model, "//"));
    let asynchronous = model.kind == ModelKind::Async;
    let threaded = model.threads > 1;
    if threaded {
        out.push_str("import { Worker, isMainThread, parentPort } from \"node:worker_threads\";\n");
    }
    out.push_str("\nconst compute = (ms) => { const end = performance.now() + ms; while (performance.now() < end); }; // keeps the CPU busy\n");
    if asynchronous && threaded {
        out.push_str(
            "// Parks this task, and tells the main thread this thread is free for another task.\n",
        );
        out.push_str("const waitFor = (what, ms) => { parentPort.postMessage({ free: true }); return new Promise((resolve) => setTimeout(resolve, ms)); };\n\n");
    } else if asynchronous {
        out.push_str("const waitFor = (what, ms) => new Promise((resolve) => setTimeout(resolve, ms)); // parks this task\n\n");
    } else {
        out.push_str("const waitFor = (what, ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); // blocks the thread\n\n");
    }
    out.push_str("const tasks = {\n");
    for (idx, task) in scenario.tasks.iter().take(shown(scenario)).enumerate() {
        let body = if asynchronous {
            steps(
                &task.segments,
                |d| format!("compute({d})"),
                |on, d| format!("await waitFor(\"{}\", {d})", wait_call(on)),
            )
        } else {
            steps(
                &task.segments,
                |d| format!("compute({d})"),
                |on, d| format!("waitFor(\"{}\", {d})", wait_call(on)),
            )
        };
        let arrow = if asynchronous { "async () =>" } else { "() =>" };
        writeln!(
            out,
            "  {}: {arrow} {{ {body}; }},",
            js_string(&scenario.task_name(idx))
        )
        .unwrap();
    }
    more_tasks(out, scenario, "//");
    out.push_str("};\n\n");
    let run_all = if asynchronous {
        "await Promise.all(Object.entries(tasks).map(async ([name, task]) => { await task(); console.log(`${name} done`); }));"
    } else {
        "for (const [name, task] of Object.entries(tasks)) { task(); console.log(`${name} done`); }"
    };
    if !threaded {
        writeln!(out, "{run_all}").unwrap();
        return;
    }
    if asynchronous {
        out.push_str(
            "// Each worker thread has its own event loop: whenever its tasks are all parked or done,\n// it takes the next task from the queue, so it runs several tasks at once. (A parked task\n// resumes on the thread that started it: JavaScript cannot move it to another.)\n",
        );
        writeln!(
            out,
            "if (isMainThread) {{\n  const queue = Object.keys(tasks);\n  let left = queue.length;\n  const workers = [];\n  for (let i = 0; i < {}; i++) {{\n    const worker = new Worker(new URL(import.meta.url));\n    workers.push(worker);\n    worker.on(\"message\", ({{ done, free }}) => {{\n      if (done) console.log(`${{done}} done`);\n      if (done && --left === 0) workers.forEach((w) => w.terminate());\n      if (free && queue.length > 0) worker.postMessage(queue.shift());\n    }});\n  }}\n}} else {{\n  parentPort.on(\"message\", async (name) => {{ await tasks[name](); parentPort.postMessage({{ done: name, free: true }}); }});\n  parentPort.postMessage({{ free: true }});\n}}",
            model.threads
        )
        .unwrap();
        return;
    }
    writeln!(
        out,
        "if (isMainThread) {{\n  const queue = Object.keys(tasks);\n  for (let i = 0; i < {}; i++) {{\n    const worker = new Worker(new URL(import.meta.url));\n    worker.on(\"message\", (done) => {{\n      if (done) console.log(`${{done}} done`);\n      const next = queue.shift();\n      next === undefined ? worker.terminate() : worker.postMessage(next);\n    }});\n  }}\n}} else {{\n  parentPort.on(\"message\", (name) => {{ tasks[name](); parentPort.postMessage(name); }});\n  parentPort.postMessage(null);\n}}",
        model.threads
    )
    .unwrap();
}

fn rust(out: &mut String, scenario: &Scenario, model: Model) {
    out.push_str(&header(model, "//"));
    let asynchronous = model.kind == ModelKind::Async;
    if asynchronous {
        out.push_str("use std::time::{Duration, Instant};\n\n");
    } else {
        out.push_str("use std::collections::VecDeque;\nuse std::sync::{Arc, Mutex};\nuse std::thread;\nuse std::time::{Duration, Instant};\n\n");
    }
    out.push_str("/// Keeps the CPU busy.\nfn compute(ms: u64) {\n    let end = Instant::now() + Duration::from_millis(ms);\n    while Instant::now() < end {}\n}\n\n");
    if asynchronous {
        out.push_str("/// Parks this task; the runtime runs another meanwhile.\nasync fn wait_for(_what: &str, ms: u64) {\n    tokio::time::sleep(Duration::from_millis(ms)).await;\n}\n\n");
    } else {
        out.push_str("/// Blocks the whole thread.\nfn wait_for(_what: &str, ms: u64) {\n    thread::sleep(Duration::from_millis(ms));\n}\n\n");
    }
    let n = shown(scenario);
    for (idx, task) in scenario.tasks.iter().take(n).enumerate() {
        let body = if asynchronous {
            steps(
                &task.segments,
                |d| format!("compute({d})"),
                |on, d| format!("wait_for(\"{}\", {d}).await", wait_call(on)),
            )
        } else {
            steps(
                &task.segments,
                |d| format!("compute({d})"),
                |on, d| format!("wait_for(\"{}\", {d})", wait_call(on)),
            )
        };
        let keyword = if asynchronous { "async fn" } else { "fn" };
        writeln!(
            out,
            "// {:?}\n{keyword} task_{}() {{\n    {body};\n}}\n",
            scenario.task_name(idx),
            idx + 1
        )
        .unwrap();
    }
    let names: Vec<String> = (0..n)
        .map(|idx| format!("{:?}", scenario.task_name(idx)))
        .collect();
    if asynchronous {
        let builder = if model.threads == 1 {
            "tokio::runtime::Builder::new_current_thread()".to_owned()
        } else {
            format!(
                "tokio::runtime::Builder::new_multi_thread()\n        .worker_threads({})",
                model.threads
            )
        };
        writeln!(out, "fn main() {{\n    let runtime = {builder}\n        .enable_time()\n        .build()\n        .unwrap();\n    runtime.block_on(async {{\n        let handles = vec![").unwrap();
        for (idx, name) in names.iter().enumerate() {
            writeln!(out, "            tokio::spawn(async {{ task_{}().await; println!(\"{{}} done\", {name}) }}),", idx + 1).unwrap();
        }
        more_tasks(out, scenario, "          //");
        out.push_str("        ];\n        for handle in handles {\n            handle.await.unwrap();\n        }\n    });\n}\n");
    } else {
        out.push_str("fn main() {\n    let tasks: Vec<(&str, fn())> = vec![\n");
        for (idx, name) in names.iter().enumerate() {
            writeln!(out, "        ({name}, task_{}),", idx + 1).unwrap();
        }
        more_tasks(out, scenario, "      //");
        writeln!(out, "    ];\n    let queue = Arc::new(Mutex::new(VecDeque::from(tasks)));\n    let threads: Vec<_> = (0..{})\n        .map(|_| {{\n            let queue = Arc::clone(&queue);\n            thread::spawn(move || loop {{\n                let Some((name, task)) = queue.lock().unwrap().pop_front() else {{ break }};\n                task();\n                println!(\"{{name}} done\");\n            }})\n        }})\n        .collect();\n    for thread in threads {{\n        thread.join().unwrap();\n    }}\n}}", model.threads).unwrap();
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

            def compute(ms) # keeps the CPU busy
              done = Process.clock_gettime(Process::CLOCK_MONOTONIC) + ms / 1000.0
              nil while Process.clock_gettime(Process::CLOCK_MONOTONIC) < done
            end

            def wait_for(what, ms) = sleep(ms / 1000.0) # blocks the whole thread

            TASKS = {
              'A' => -> { compute(10); wait_for(:database, 50); compute(10) },
              'B' => -> { compute(10); wait_for(:database, 50); compute(10) },
              'C' => -> { compute(10); wait_for(:database, 50); compute(10) },
            }

            queue = Queue.new
            TASKS.each { |name, task| queue << [name, task] }
            queue.close

            threads = 4.times.map do
              Thread.new do
                while (name, task = queue.pop)
                  task.call
                  puts "#{name} done"
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

            const compute = (ms) => { const end = performance.now() + ms; while (performance.now() < end); }; // keeps the CPU busy
            const waitFor = (what, ms) => new Promise((resolve) => setTimeout(resolve, ms)); // parks this task

            const tasks = {
              "A": async () => { compute(10); await waitFor("database", 50); compute(10); },
              "B": async () => { compute(10); await waitFor("database", 50); compute(10); },
              "C": async () => { compute(10); await waitFor("database", 50); compute(10); },
            };

            await Promise.all(Object.entries(tasks).map(async ([name, task]) => { await task(); console.log(`${name} done`); }));
        "#]].assert_eq(&code(&Scenario::default_models(), Model::asynchronous(1), Language::JavaScript));
    }

    #[test]
    fn rust_async_on_two_threads_and_one_core() {
        expect![[r#"
            // async, 2 threads, 1 core: 2 threads run tasks; a waiting task is parked and may resume on any free thread.
            // On 1 core, the OS time-slices these 2 threads: threads are not cores.
            use std::time::{Duration, Instant};

            /// Keeps the CPU busy.
            fn compute(ms: u64) {
                let end = Instant::now() + Duration::from_millis(ms);
                while Instant::now() < end {}
            }

            /// Parks this task; the runtime runs another meanwhile.
            async fn wait_for(_what: &str, ms: u64) {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }

            // "A"
            async fn task_1() {
                compute(10); wait_for("database", 50).await; compute(10);
            }

            // "B"
            async fn task_2() {
                compute(10); wait_for("database", 50).await; compute(10);
            }

            // "C"
            async fn task_3() {
                compute(10); wait_for("database", 50).await; compute(10);
            }

            fn main() {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_time()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    let handles = vec![
                        tokio::spawn(async { task_1().await; println!("{} done", "A") }),
                        tokio::spawn(async { task_2().await; println!("{} done", "B") }),
                        tokio::spawn(async { task_3().await; println!("{} done", "C") }),
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
            assert!(ruby.contains(r##"'it\'s "#{`rm -rf`}" \\' =>"##), "{ruby}");
            let js = code(&scenario, model, Language::JavaScript);
            assert!(js.contains(r##""it's \"#{`rm -rf`}\" \\": "##), "{js}");
            let rust = code(&scenario, model, Language::Rust);
            assert!(rust.contains(r##"// "it's \"#{`rm -rf`}\" \\""##), "{rust}");
        }
    }
}
