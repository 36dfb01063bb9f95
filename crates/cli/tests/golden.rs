//! The CLI's behaviour beyond the golden folders (those are in
//! `golden_cases.rs`): JSON shapes, links, exit codes and options.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs `interleave` in the workspace root and asserts it succeeds.
fn interleave(args: &[&str]) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_interleave"))
        .current_dir(workspace_root())
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn json_output_has_trace_and_metrics() {
    let output = interleave(&[
        "run",
        "tests/data/default/scenario.json",
        "--json",
        "--model",
        "async",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["metrics"]["makespan"], 90);
    let utilisation = json["metrics"]["cpu_utilisation"].as_f64().unwrap();
    assert!((utilisation - 60.0 / 90.0).abs() < 1e-9);
    assert_eq!(json["trace"]["lanes"][0]["name"], "event loop");
    assert!(json["trace"]["events"].as_array().unwrap().len() >= 9);
}

#[test]
fn missing_files_exit_with_code_2() {
    let output = Command::new(env!("CARGO_BIN_EXE_interleave"))
        .args(["run", "no/such/file.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: no/such/file.json: cannot read the file"),
        "{stderr}"
    );
}

#[test]
fn share_links_run_like_the_page() {
    let link = std::fs::read_to_string(
        workspace_root().join("crates/core/tests/links/v1-three-requests.txt"),
    )
    .unwrap();
    let url = format!("https://example.org/interleave/#/models?s={}", link.trim());
    let output = interleave(&["run", "--link", &url]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let titles: Vec<&str> = stdout
        .lines()
        .filter(|line| line.starts_with("Three requests"))
        .collect();
    assert_eq!(
        titles,
        [
            "Three requests that each wait on a database - sync, 1 thread",
            "Three requests that each wait on a database - sync, 4 threads, 2 cores",
            "Three requests that each wait on a database - async, 1 thread",
            "Three requests that each wait on a database - async, 4 threads",
        ]
    );

    let broken = Command::new(env!("CARGO_BIN_EXE_interleave"))
        .args(["run", "--link", &url[..url.len() - 30]])
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        String::from_utf8(broken.stderr)
            .unwrap()
            .starts_with("error: --link: this link is damaged")
    );
}

#[test]
fn a_parallel_link_says_which_command_runs_its_kernel() {
    let link = std::fs::read_to_string(
        workspace_root().join("crates/core/tests/links/v1-parallel-runs.txt"),
    )
    .unwrap();
    let url = format!(
        "https://example.org/interleave/#/parallel?s={}",
        link.trim()
    );
    let output = Command::new(env!("CARGO_BIN_EXE_interleave"))
        .args(["run", "--link", &url])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap().trim(),
        "error: --link: this is a Parallel lab link: run its kernel natively with `interleave bench-par --kernel primes --size 3000000 --chunk 50000 --serial 0.05`"
    );
}

#[test]
fn servers_json_has_the_metrics_and_links_run_like_the_page() {
    let link = std::fs::read_to_string(
        workspace_root().join("crates/core/tests/links/v1-servers-cpu-heavy.txt"),
    )
    .unwrap();
    let url = format!("https://example.org/#/servers?s={}", link.trim());
    let output = interleave(&["run", "--link", &url, "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["model"], "evented");
    let metrics = &json["metrics"];
    for key in ["throughput", "rejected", "peak_memory", "timed_out"] {
        assert!(metrics[key].is_number(), "metrics.{key}");
    }
    let latency = &metrics["latency"];
    let [mean, p50, p95, p99] = ["mean", "p50", "p95", "p99"].map(|k| latency[k].as_f64().unwrap());
    assert!(mean > 0.0 && p50 <= p95 && p95 <= p99, "{latency}");
    // The event loop is the bottleneck of this preset: p99 in seconds.
    assert!(p99 > 1000.0, "{p99}");

    let all = interleave(&["run", "--link", &url, "--model", "all"]);
    let stdout = String::from_utf8(all.stdout).unwrap();
    assert!(stdout.contains("Evented breaks"), "{stdout}");
    let wrong = Command::new(env!("CARGO_BIN_EXE_interleave"))
        .args(["run", "--link", &url, "--model", "sync"])
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        String::from_utf8(wrong.stderr)
            .unwrap()
            .contains("this is a Servers-lab scenario")
    );
}

#[test]
fn explore_json_has_interleavings_outcomes_deadlocks_and_the_shortest_failing_schedule() {
    let output = interleave(&[
        "explore",
        "crates/core/lessons/lost-update.race",
        "--json",
        "--no-reduction",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["interleavings"], 20);
    assert_eq!(json["deadlocks"], 0);
    let mut finals: Vec<(i64, u64)> = json["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["shared"]["x"].as_i64().unwrap(),
                o["count"].as_u64().unwrap(),
            )
        })
        .collect();
    finals.sort();
    assert_eq!(finals, vec![(1, 18), (2, 2)]);
    assert_eq!(json["shortest_failing"].as_array().unwrap().len(), 6);
}

#[test]
fn explore_opens_a_races_share_link_at_its_step() {
    use interleave_core::races::lab::RacesLab;
    use interleave_core::share::encode;
    let lab = RacesLab {
        schedule: vec![0, 1],
        cursor: 2,
        ..RacesLab::default()
    };
    let link = format!("https://example.org/#/races?s={}", encode(&lab));
    let output = interleave(&["explore", "--link", &link]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("from the link's step 2: A B\n"), "{text}");
    // Both threads have read 0: every interleaving from here loses an update.
    assert!(text.contains("deadlocks: 0, failing: "), "{text}");
    assert!(!text.contains("x = 2"), "{text}");
}

fn json_of(args: &[&str]) -> serde_json::Value {
    serde_json::from_slice(&interleave(args).stdout).unwrap()
}

#[test]
fn threads_and_cores_override_every_model_in_the_file() {
    let json = json_of(&[
        "run",
        "tests/data/default/scenario.json",
        "--model",
        "sync",
        "--threads",
        "2",
        "--cores",
        "1",
        "--json",
    ]);
    let lanes: Vec<&str> = json["trace"]["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|lane| lane["name"].as_str().unwrap())
        .collect();
    assert_eq!(lanes, ["thread 1", "thread 2", "core 1"]);
    // Two threads time-share one core: slower than on two cores, faster
    // than on one thread (210 ms).
    let one_core = json["metrics"]["makespan"].as_u64().unwrap();
    let two_cores = json_of(&[
        "run",
        "tests/data/default/scenario.json",
        "--model",
        "sync",
        "--threads",
        "2",
        "--json",
    ])["metrics"]["makespan"]
        .as_u64()
        .unwrap();
    assert!(
        two_cores < one_core && one_core < 210,
        "{two_cores} {one_core}"
    );
    let refused = Command::new(env!("CARGO_BIN_EXE_interleave"))
        .args(["run", "tests/data/default/scenario.json", "--threads", "0"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--threads"));
}

#[test]
fn max_states_stops_the_search_and_says_it_is_incomplete() {
    let args = ["explore", "crates/core/lessons/list-removal.race", "--json"];
    let whole = json_of(&args);
    assert_eq!(whole["complete"], true);
    let capped = json_of(&[&args[..], &["--max-states", "50"]].concat());
    assert_eq!(capped["complete"], false);
    assert!(capped["states"].as_u64().unwrap() <= 51);
    assert!(capped["interleavings"].as_u64().unwrap() < whole["interleavings"].as_u64().unwrap());
    let text = String::from_utf8(
        interleave(&[
            "explore",
            "crates/core/lessons/list-removal.race",
            "--max-states",
            "50",
        ])
        .stdout,
    )
    .unwrap();
    assert!(
        text.contains("51 states")
            && text.contains("STOPPED early (it reached its cap of 50 states)"),
        "{text}"
    );
    // Not found in the part searched is not a proof: the goal is unknown.
    assert!(
        text.contains("no schedule that meets the goal found in the part searched"),
        "{text}"
    );
    assert!(
        text.contains("goal: Make an assertion fail. Unknown: not found in the 51 states searched"),
        "{text}"
    );
    assert_eq!(capped["goal_reachable"], "unknown");
    assert_eq!(capped["stopped"]["reason"], "state_cap");
    assert_eq!(capped["stopped"]["max_states"], 50);
    assert_eq!(whole["goal_reachable"], "reached");
}

#[test]
fn sample_finds_what_a_capped_search_cannot_prove() {
    let program = "crates/core/tests/races/peterson-no-turn.race";
    let capped = json_of(&[
        "explore",
        program,
        "--no-reduction",
        "--max-states",
        "20000",
        "--json",
    ]);
    assert_eq!(capped["goal_reachable"], "unknown");
    let sample = json_of(&["sample", program, "--runs", "2000", "--seed", "3", "--json"]);
    assert_eq!(sample["tried"], 2000);
    assert_eq!(sample["seed"], 3);
    assert!(sample["failing"].as_u64().unwrap() > 0, "{sample}");
    let schedule: Vec<&str> = sample["first_failure"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    // The schedule replays to two threads in the critical section.
    let mut args = vec!["replay", program];
    args.extend(&schedule);
    let replay = String::from_utf8(interleave(&args).stdout).unwrap();
    assert!(replay.contains("mutual exclusion is broken"), "{replay}");
    // The same seed gives the same runs.
    let again = json_of(&["sample", program, "--runs", "2000", "--seed", "3", "--json"]);
    assert_eq!(again, sample);
}

#[test]
fn bench_commands_print_json_of_their_documented_shape() {
    let models = json_of(&["bench-models", "--tasks", "100", "--runs", "2"]);
    assert_eq!(models["tasks"], 100);
    assert_eq!(models["runs_ms"].as_array().unwrap().len(), 2);
    for key in ["configs", "events", "segments", "median_ms"] {
        assert!(models[key].is_number(), "bench-models {key}: {models}");
    }

    let par = json_of(&[
        "bench-par",
        "--kernel",
        "primes,hash-chain",
        "--threads",
        "1,2",
        "--size",
        "20000",
        "--chunk",
        "1000",
        "--runs",
        "1",
        "--json",
    ]);
    assert!(par["cores"].as_u64().unwrap() >= 1);
    let kernels = par["kernels"].as_array().unwrap();
    assert_eq!(kernels.len(), 2);
    for kernel in kernels {
        let runs = kernel["runs"].as_array().unwrap();
        let threads: Vec<u64> = runs
            .iter()
            .map(|run| run["threads"].as_u64().unwrap())
            .collect();
        assert_eq!(threads, [1, 2]);
        // The same result on any number of threads.
        assert_eq!(runs[0]["checksum"], runs[1]["checksum"]);
        assert_eq!(runs[0]["speedup"], 1.0);
        for key in ["median_ms", "speedup", "efficiency", "amdahl"] {
            assert!(runs[1][key].is_number(), "bench-par {key}: {kernel}");
        }
        assert!(kernel["fitted_serial_fraction"].is_number());
        assert_eq!(kernel["spec"]["size"], 20000);
    }

    // Weak scaling: the problem grows with the threads (g = s + n (1 - s)
    // = 0.2 + 2 x 0.8 = 1.8: 18,000 of the 10,000-item chain on 2).
    let weak = json_of(&[
        "bench-par",
        "--kernel",
        "hash-chain",
        "--weak",
        "--serial",
        "0.2",
        "--threads",
        "1,2",
        "--size",
        "10000",
        "--chunk",
        "500",
        "--runs",
        "1",
        "--json",
    ]);
    let runs = weak["kernels"][0]["runs"].as_array().unwrap();
    assert_eq!(weak["kernels"][0]["weak"], true);
    assert_eq!(
        (runs[0]["size"].as_u64(), runs[1]["size"].as_u64()),
        (Some(10000), Some(18000))
    );
    assert_eq!(
        (runs[0]["gustafson"].as_f64(), runs[1]["gustafson"].as_f64()),
        (Some(1.0), Some(1.8))
    );
    assert!(runs[1]["scaled_speedup"].is_number() && runs[1]["median_ms"].is_number());
    let primes = with_stdin(
        &["bench-par", "--kernel", "primes", "--weak"],
        std::process::Stdio::null(),
    );
    assert_eq!(primes.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&primes.stderr)
            .starts_with("error: primes: kind: counting primes costs more per number"),
        "{}",
        String::from_utf8_lossy(&primes.stderr)
    );

    let races = json_of(&["bench-races", "--runs", "1"]);
    let cases = races["cases"].as_array().unwrap();
    assert!(cases.len() >= 3);
    for case in cases {
        for key in ["interleavings", "states", "median_ms", "states_per_s"] {
            assert!(case[key].is_number(), "bench-races {key}: {case}");
        }
    }

    let servers = json_of(&[
        "bench-servers",
        "--points",
        "2",
        "--requests",
        "100",
        "--runs",
        "1",
    ]);
    assert_eq!(servers["points"], 2);
    assert_eq!(servers["requests"], 100);
    assert_eq!(servers["models"], 4);
    assert!(servers["checksum"].is_number() && servers["median_ms"].is_number());
}

/// Runs `interleave` with `stdin` as its standard input.
fn with_stdin(args: &[&str], stdin: std::process::Stdio) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_interleave"))
        .current_dir(workspace_root())
        .args(args)
        .stdin(stdin)
        .output()
        .unwrap()
}

#[test]
fn standard_input_reads_a_scenario_once() {
    let file =
        std::fs::File::open(workspace_root().join("tests/data/default/scenario.json")).unwrap();
    let output = with_stdin(&["run", "-", "--model", "async", "--json"], file.into());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["metrics"]["makespan"], 90);
}

#[test]
fn endless_input_is_refused_at_the_size_limit_without_reading_it_all() {
    let started = std::time::Instant::now();
    let output = with_stdin(&["run", "/dev/zero"], std::process::Stdio::null());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("the file is larger than 2097152 bytes"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn a_syntax_error_in_a_servers_file_gives_its_line_and_column() {
    let dir = std::env::temp_dir().join(format!("interleave-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("trailing-comma.json");
    std::fs::write(
        &path,
        "{\"lab\": \"servers\",\n \"traffic\": {\"rate\": 5,},\n \"mix\": [{\"name\": \"a\", \"cpu_ms\": 1}]}",
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let output = with_stdin(&["run", path], std::process::Stdio::null());
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim_end(),
        format!("error: {path}:2:24: traffic: trailing comma")
    );
}

/// The trace file `--trace` wrote: its events by phase (`X` spans, `i`
/// instants, `M` names), and the process names.
fn trace_file(path: &Path) -> (usize, usize, Vec<String>) {
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let events = file["traceEvents"].as_array().unwrap();
    let count = |ph: &str| events.iter().filter(|e| e["ph"] == ph).count();
    let processes = events
        .iter()
        .filter(|e| e["name"] == "process_name")
        .map(|e| e["args"]["name"].as_str().unwrap().to_owned())
        .collect();
    (count("X"), count("i"), processes)
}

#[test]
fn trace_files_for_perfetto() {
    let dir = std::env::temp_dir().join(format!("interleave-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let models = dir.join("models.json");
    interleave(&[
        "run",
        "tests/data/default/scenario.json",
        "--model",
        "sync:1,async:1",
        "--trace",
        models.to_str().unwrap(),
    ]);
    // By hand: sync, 1 thread has 3 x (running, blocked, running) and 3 x
    // (arrive, start, block, unblock, complete); async, 1 thread has 3 x
    // 2 running spans (idle is not drawn) and 3 x (arrive, start, park,
    // ready, resume, complete).
    assert_eq!(
        trace_file(&models),
        (
            9 + 6,
            15 + 18,
            vec![
                "Three requests that each wait on a database - sync, 1 thread".to_owned(),
                "Three requests that each wait on a database - async, 1 thread".to_owned()
            ]
        )
    );
    let race = dir.join("race.json");
    let program = workspace_root().join("tests/data/race-deadlock-json/program.race");
    interleave(&[
        "replay",
        program.to_str().unwrap(),
        "A",
        "B",
        "--trace",
        race.to_str().unwrap(),
    ]);
    let (spans, _, processes) = trace_file(&race);
    assert_eq!((spans, processes.len()), (2, 1), "one span a step");
    // A file that cannot be written: exit 2, naming the option and file.
    let output = Command::new(env!("CARGO_BIN_EXE_interleave"))
        .current_dir(workspace_root())
        .args([
            "run",
            "tests/data/default/scenario.json",
            "--trace",
            "/nonexistent/dir/t.json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .starts_with("error: --trace /nonexistent/dir/t.json: cannot write the file"),
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
