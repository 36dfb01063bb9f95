//! Every parser of outside input, fed arbitrary text: never a panic, always
//! a value or an error that says where (a line and column inside the text,
//! or a field path) and what.

use interleave_core::races::{compile_source, lessons};
use interleave_core::servers::ServersScenario;
use interleave_core::{Scenario, ScenarioError};
use proptest::prelude::*;

/// The golden scenario files, Models and Servers alike.
fn scenario_files() -> Vec<String> {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data");
    let mut files: Vec<String> = std::fs::read_dir(data)
        .unwrap()
        .filter_map(|entry| {
            std::fs::read_to_string(entry.unwrap().path().join("scenario.json")).ok()
        })
        .collect();
    files.sort();
    assert!(files.len() >= 10, "found {} scenario files", files.len());
    files
}

/// A located error: a position inside the text, or a field path, and a
/// message; or (for limits on the whole input) a message alone that says
/// what the limit is.
fn assert_located(text: &str, err: &ScenarioError) {
    assert!(!err.message.trim().is_empty(), "empty message for {text:?}");
    if let (Some(line), Some(column)) = (err.line, err.column) {
        let lines: Vec<&str> = text.split('\n').collect();
        assert!(
            line >= 1 && line <= lines.len() + 1,
            "line {line} outside {text:?}: {err}"
        );
        let width = lines.get(line - 1).map_or(0, |l| l.chars().count());
        assert!(
            column >= 1 && column <= width + 2,
            "column {column} outside line {line} of {text:?}: {err}"
        );
    } else {
        assert!(
            err.line.is_none() && err.column.is_none(),
            "half a position: {err:?}"
        );
    }
}

fn check_models(text: &str) {
    if let Err(err) = Scenario::from_json(text) {
        assert_located(text, &err);
    }
}

fn check_servers(text: &str) {
    if let Err(err) = ServersScenario::from_json(text) {
        assert_located(text, &err);
    }
}

fn check_race(text: &str) {
    if let Err(err) = compile_source(text) {
        assert_located(text, &err);
    }
}

/// Edits a valid input: cut a range, insert a piece, or repeat a range.
fn mutated(seeds: Vec<String>, pieces: &'static [&'static str]) -> impl Strategy<Value = String> {
    (
        0..seeds.len(),
        prop::collection::vec(
            (
                0usize..4,
                any::<prop::sample::Index>(),
                any::<prop::sample::Index>(),
                0..pieces.len(),
            ),
            1..4,
        ),
    )
        .prop_map(move |(seed, edits)| {
            let mut text: Vec<char> = seeds[seed].chars().collect();
            for (kind, at, len, piece) in edits {
                let start = at.index(text.len() + 1);
                let end = (start + len.index(12)).min(text.len());
                match kind {
                    0 => {
                        text.drain(start..end);
                    }
                    1 => {
                        let piece: Vec<char> = pieces[piece].chars().collect();
                        text.splice(start..start, piece);
                    }
                    2 => {
                        let copy: Vec<char> = text[start..end].to_vec();
                        text.splice(end..end, copy);
                    }
                    _ => {
                        if start < text.len() {
                            text[start] = pieces[piece].chars().next().unwrap_or(' ');
                        }
                    }
                }
            }
            text.into_iter().collect()
        })
}

const JSON_PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "null",
    "true",
    "-1",
    "0",
    "1e308",
    "18446744073709551616",
    "4294967296",
    "0.5",
    "NaN",
    "\"tasks\"",
    "\"segments\"",
    "\"compute\"",
    "\"wait\"",
    "\"on\"",
    "\"model\"",
    "\"threads\"",
    "\"cores\"",
    "\"generate\"",
    "\"count\"",
    "\"lab\"",
    "\"servers\"",
    "\"traffic\"",
    "\"rate\"",
    "\"requests\"",
    "\"mix\"",
    "\"server\"",
    "\"processes\"",
    "\"é\"",
    "\u{0}",
    "\\u0000",
    "\n",
];

const RACE_PIECES: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "\n",
    "=",
    "==",
    "!",
    "+",
    "-",
    "*",
    "/",
    "%",
    "<",
    "&&",
    "||",
    ",",
    ".",
    "\"",
    "thread T {",
    "shared",
    "mutex",
    "file",
    "fn f(a) {",
    "f(x)",
    "return",
    "while",
    "if",
    "else",
    "lock(m)",
    "unlock(m)",
    "try_lock(m)",
    "lock_all(m)",
    "critical",
    "assert(",
    "new(1)",
    "nodes(0, 1)",
    "open(log)",
    "read(h)",
    "write(h, \"a\")",
    "append(h, \"b\")",
    "flock(h, shared)",
    "funlock(h)",
    "after {",
    "goal",
    "null",
    "true",
    "9223372036854775807",
    "-9223372036854775808",
    ".next",
    ".value",
    "len(",
    "é",
    "\u{0}",
];

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn models_scenario_text_gives_a_scenario_or_a_located_error(text in mutated(scenario_files(), JSON_PIECES)) {
        check_models(&text);
    }

    #[test]
    fn servers_scenario_text_gives_a_scenario_or_a_located_error(text in mutated(scenario_files(), JSON_PIECES)) {
        check_servers(&text);
    }

    #[test]
    fn race_program_text_gives_a_program_or_a_located_error(
        text in mutated(lessons::LESSONS.iter().map(|l| l.source.to_owned()).collect(), RACE_PIECES)
    ) {
        check_race(&text);
    }

    #[test]
    fn any_text_gives_a_value_or_a_located_error_in_every_parser(text in "\\PC{0,300}") {
        check_models(&text);
        check_servers(&text);
        check_race(&text);
    }
}
