//! Golden scenarios: runs `interleave` on every `tests/data/<name>/` folder,
//! each folder its own test.
//!
//! Each folder holds `scenario.json`, optionally `args` (extra arguments,
//! default `--model sync,async`), and `expected.txt`: the exact stdout, or
//! for a failing run `exit code N` followed by the exact stderr (and
//! `--- stdout` and the stdout, where it printed any). A Races-lab
//! folder holds `program.race` instead (or `lesson`, a built-in lesson's
//! id, to run `crates/core/lessons/<id>.race`), and `args` is the whole
//! command line with `PROGRAM` for the program's path
//! (`explore PROGRAM --json`). An Event-loop-lab folder holds
//! `program.js` and `args` the same way (`run PROGRAM --json`), and a
//! challenge set's folder `set.json` (`check PROGRAM`); a folder with
//! `args` alone runs them as they are (`check --built-in`).
//! Set `UPDATE_EXPECT=1` to rewrite the expectations from the current output.

use std::path::{Path, PathBuf};
use std::process::Command;

use libtest_mimic::{Arguments, Failed, Trial};

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
    if is_race_case(&dir) {
        let args = std::fs::read_to_string(dir.join("args")).expect("a races case has args");
        let program = match std::fs::read_to_string(dir.join("lesson")) {
            Ok(lesson) => format!("crates/core/lessons/{}.race", lesson.trim()),
            Err(_) if dir.join("program.js").exists() => format!("tests/data/{name}/program.js"),
            Err(_) if dir.join("set.json").exists() => format!("tests/data/{name}/set.json"),
            Err(_) => format!("tests/data/{name}/program.race"),
        };
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
        let stdout = String::from_utf8(output.stdout).unwrap();
        format!(
            "exit code {}\n{}{}",
            output.status.code().unwrap_or(-1),
            String::from_utf8(output.stderr).unwrap(),
            if stdout.is_empty() {
                String::new()
            } else {
                format!("--- stdout\n{stdout}")
            }
        )
    }
}

/// A case whose `args` are the whole command line: a Races or an Event
/// loop program, a challenge set (`set.json`), or a folder with no
/// scenario at all (`check --built-in`).
fn is_race_case(dir: &Path) -> bool {
    ["program.race", "program.js", "lesson", "set.json"]
        .iter()
        .any(|file| dir.join(file).exists())
        || !dir.join("scenario.json").exists()
}

fn check_case(root: &Path, name: &str) -> Result<(), Failed> {
    let actual = run_case(root, name);
    let expected_path = root.join("tests/data").join(name).join("expected.txt");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&expected_path, &actual).map_err(|err| err.to_string())?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&expected_path)
        .map_err(|err| format!("{}: {err}", expected_path.display()))?;
    if actual == expected {
        Ok(())
    } else {
        Err(format!(
            "golden mismatch (UPDATE_EXPECT=1 to accept):\n--- {name}: expected\n{expected}\n--- {name}: actual\n{actual}"
        )
        .into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let root = workspace_root();
    let mut names: Vec<String> = std::fs::read_dir(root.join("tests/data"))
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.path().join("scenario.json").exists() || is_race_case(&entry.path()))
        .map(|entry| entry.file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(
        names.len() >= 20,
        "expected the golden scenarios in tests/data, found {names:?}"
    );
    let trials = names
        .into_iter()
        .map(|name| {
            let root = root.clone();
            Trial::test(format!("golden::{name}"), move || check_case(&root, &name))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
