//! Golden scenarios: runs `interleave` on every `tests/data/<name>/` folder.
//!
//! Each folder holds `scenario.json`, optionally `args` (extra arguments,
//! default `--model sync,async`), and `expected.txt`: the exact stdout, or
//! for a failing run `exit code N` followed by the exact stderr. A Races-lab
//! folder holds `program.race` instead, and `args` is the whole command
//! line with `PROGRAM` for the program's path (`explore PROGRAM --json`).
//! Set `UPDATE_EXPECT=1` to rewrite the expectations from the current output.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn run_case(root: &Path, name: &str) -> String {
    let dir = root.join("tests/data").join(name);
    let mut command = Command::new(env!("CARGO_BIN_EXE_interleave"));
    command.current_dir(root);
    if dir.join("program.race").exists() {
        let args = std::fs::read_to_string(dir.join("args")).expect("a races case has args");
        let program = format!("tests/data/{name}/program.race");
        command.args(args.split_whitespace().map(|arg| {
            if arg == "PROGRAM" {
                program.as_str()
            } else {
                arg
            }
        }));
    } else {
        let args = std::fs::read_to_string(dir.join("args"))
            .unwrap_or_else(|_| "--model sync,async".to_owned());
        command
            .arg("run")
            .arg(format!("tests/data/{name}/scenario.json"))
            .args(args.split_whitespace());
    }
    let output = command.output().unwrap();
    if output.status.success() {
        String::from_utf8(output.stdout).unwrap()
    } else {
        format!(
            "exit code {}\n{}",
            output.status.code().unwrap_or(-1),
            String::from_utf8(output.stderr).unwrap()
        )
    }
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
fn golden_scenarios_print_their_expected_output() {
    let root = workspace_root();
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut names: Vec<String> = std::fs::read_dir(root.join("tests/data"))
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| {
            entry.path().join("scenario.json").exists()
                || entry.path().join("program.race").exists()
        })
        .map(|entry| entry.file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(
        names.len() >= 4,
        "expected golden scenarios in tests/data, found {names:?}"
    );
    let mut failures = Vec::new();
    for name in &names {
        let actual = run_case(&root, name);
        let expected_path = root.join("tests/data").join(name).join("expected.txt");
        if update {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "--- {name}: expected\n{expected}\n--- {name}: actual\n{actual}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatches (UPDATE_EXPECT=1 to accept):\n{}",
        failures.join("\n")
    );
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
    use interleave_core::races_lab::RacesLab;
    use interleave_core::share::{SharedState, encode};
    let lab = RacesLab {
        schedule: vec![0, 1],
        cursor: 2,
        ..RacesLab::default()
    };
    let link = format!(
        "https://example.org/#/races?s={}",
        encode(&SharedState::Races(lab))
    );
    let output = interleave(&["explore", "--link", &link]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("from the link's step 2: A B\n"), "{text}");
    // Both threads have read 0: every interleaving from here loses an update.
    assert!(text.contains("deadlocks: 0, failing: "), "{text}");
    assert!(!text.contains("x = 2"), "{text}");
}
