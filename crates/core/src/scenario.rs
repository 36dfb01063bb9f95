//! The Models-lab scenario: a workload of tasks and the model that runs it.
//!
//! Scenario files are JSON; the format is documented in
//! `docs/scenario-format.md`. [`Scenario::from_json`] returns a
//! [`ScenarioError`] naming the line:column or the field path of any problem.

use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;

/// Time in the scenario's unit (milliseconds unless `unit` says otherwise).
pub type Time = u64;

/// The most tasks one scenario may hold.
pub const MAX_TASKS: usize = 100_000;
/// The most segments one task may hold.
pub const MAX_SEGMENTS_PER_TASK: usize = 1_000;
/// The longest single segment (about eleven days in milliseconds).
pub const MAX_DURATION: Time = 1_000_000_000;
/// The most threads a model may use.
pub const MAX_THREADS: u32 = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Which lab the file is for; only `models` exists today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lab: Option<Lab>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The unit every duration is written in.
    #[serde(default)]
    pub unit: TimeUnit,
    /// The model `interleave run` uses when no `--model` is given.
    #[serde(default)]
    pub model: Model,
    pub tasks: Vec<TaskSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lab {
    Models,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    #[default]
    Ms,
    Us,
    S,
}

impl TimeUnit {
    pub fn symbol(self) -> &'static str {
        match self {
            TimeUnit::Ms => "ms",
            TimeUnit::Us => "us",
            TimeUnit::S => "s",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub segments: Vec<Segment>,
}

/// One step of a task: `{"compute": 10}` or `{"wait": 50}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Segment {
    /// Uses a CPU for this long.
    Compute(Time),
    /// Waits on I/O for this long, using no CPU.
    Wait(Time),
}

impl Segment {
    pub fn duration(self) -> Time {
        match self {
            Segment::Compute(d) | Segment::Wait(d) => d,
        }
    }
}

/// How tasks are run: `{"kind": "sync", "threads": 1}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    pub kind: ModelKind,
    #[serde(default = "one")]
    pub threads: u32,
}

fn one() -> u32 {
    1
}

impl Default for Model {
    fn default() -> Self {
        Model {
            kind: ModelKind::Sync,
            threads: 1,
        }
    }
}

impl Model {
    pub fn sync(threads: u32) -> Self {
        Model {
            kind: ModelKind::Sync,
            threads,
        }
    }

    pub fn asynchronous(threads: u32) -> Self {
        Model {
            kind: ModelKind::Async,
            threads,
        }
    }

    /// `sync, 1 thread`, `async, 4 threads`.
    pub fn label(self) -> String {
        let kind = match self.kind {
            ModelKind::Sync => "sync",
            ModelKind::Async => "async",
        };
        let plural = if self.threads == 1 { "" } else { "s" };
        format!("{kind}, {} thread{plural}", self.threads)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// A thread runs a task to completion, held while the task waits.
    Sync,
    /// A thread parks a waiting task and runs another ready one.
    Async,
}

impl Scenario {
    /// The page's default: three tasks, each compute 10, wait 50, compute 10.
    pub fn default_models() -> Self {
        let task = |name: &str| TaskSpec {
            name: Some(name.to_owned()),
            segments: vec![
                Segment::Compute(10),
                Segment::Wait(50),
                Segment::Compute(10),
            ],
        };
        Scenario {
            lab: Some(Lab::Models),
            name: Some("Three requests that each wait on a database".to_owned()),
            unit: TimeUnit::Ms,
            model: Model::default(),
            tasks: vec![task("A"), task("B"), task("C")],
        }
    }

    /// Parses and validates a scenario file, locating any problem.
    pub fn from_json(text: &str) -> Result<Self, ScenarioError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let scenario: Scenario =
            serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
                let path = err.path().to_string();
                let inner = err.into_inner();
                let message = strip_serde_position(&inner.to_string());
                let mut error =
                    ScenarioError::at_path(if path == "." { String::new() } else { path }, message);
                error.line = Some(inner.line());
                error.column = Some(inner.column().max(1));
                if let Some(hint) = hint_for(&error.message) {
                    error = error.with_hint(hint);
                }
                error
            })?;
        deserializer.end().map_err(|err| {
            let mut error = ScenarioError::at_path("", "unexpected text after the scenario");
            error.line = Some(err.line());
            error.column = Some(err.column().max(1));
            error
        })?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Pretty JSON that [`Scenario::from_json`] reads back unchanged.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serialises")
    }

    /// Checks the limits and rules that the JSON shape alone cannot express.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.tasks.is_empty() {
            return Err(ScenarioError::at_path("tasks", "the workload has no tasks")
                .with_hint("add at least one task, e.g. {\"segments\": [{\"compute\": 10}]}"));
        }
        if self.tasks.len() > MAX_TASKS {
            return Err(ScenarioError::at_path(
                "tasks",
                format!(
                    "{} tasks is more than the limit of {MAX_TASKS}",
                    self.tasks.len()
                ),
            ));
        }
        if self.model.threads == 0 || self.model.threads > MAX_THREADS {
            return Err(ScenarioError::at_path(
                "model.threads",
                format!(
                    "{} threads is outside 1..={MAX_THREADS}",
                    self.model.threads
                ),
            ));
        }
        for (task_idx, task) in self.tasks.iter().enumerate() {
            if task.segments.is_empty() {
                return Err(ScenarioError::at_path(
                    format!("tasks[{task_idx}].segments"),
                    "a task needs at least one segment",
                ));
            }
            if task.segments.len() > MAX_SEGMENTS_PER_TASK {
                return Err(ScenarioError::at_path(
                    format!("tasks[{task_idx}].segments"),
                    format!(
                        "{} segments is more than the limit of {MAX_SEGMENTS_PER_TASK}",
                        task.segments.len()
                    ),
                ));
            }
            for (segment_idx, segment) in task.segments.iter().enumerate() {
                let field = match segment {
                    Segment::Compute(_) => "compute",
                    Segment::Wait(_) => "wait",
                };
                let path = format!("tasks[{task_idx}].segments[{segment_idx}].{field}");
                let duration = segment.duration();
                if duration == 0 {
                    return Err(
                        ScenarioError::at_path(path, "a duration must be at least 1")
                            .with_hint("remove the segment instead of giving it zero length"),
                    );
                }
                if duration > MAX_DURATION {
                    return Err(ScenarioError::at_path(
                        path,
                        format!("{duration} is longer than the limit of {MAX_DURATION}"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The name of task `task_idx`: its own, or A, B, C, ... by position.
    pub fn task_name(&self, task_idx: usize) -> String {
        self.tasks[task_idx]
            .name
            .clone()
            .unwrap_or_else(|| default_task_name(task_idx))
    }
}

/// A, B, ..., Z, T27, T28, ...
pub fn default_task_name(task_idx: usize) -> String {
    if task_idx < 26 {
        char::from(b'A' + task_idx as u8).to_string()
    } else {
        format!("T{}", task_idx + 1)
    }
}

/// serde_json appends " at line L column C"; we report those separately.
fn strip_serde_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(idx) => message[..idx].to_owned(),
        None => message.to_owned(),
    }
}

fn hint_for(message: &str) -> Option<&'static str> {
    if message.contains("unknown variant") && message.contains("compute") {
        Some("a segment is {\"compute\": N} or {\"wait\": N}")
    } else if message.contains("invalid type") && message.contains("u64") {
        Some("durations are whole numbers, e.g. 10")
    } else if message.contains("invalid value") && message.contains("u64") {
        Some("durations are positive whole numbers")
    } else if message.contains("EOF") {
        Some("the file ends early: check for a missing } or ]")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    fn check_error(text: &str, expect: Expect) {
        let error = Scenario::from_json(text).expect_err("scenario should be rejected");
        expect.assert_eq(&error.to_string());
    }

    #[test]
    fn default_scenario_round_trips_through_json() {
        let scenario = Scenario::default_models();
        assert_eq!(Scenario::from_json(&scenario.to_json()).unwrap(), scenario);
    }

    #[test]
    fn minimal_file_takes_defaults() {
        let scenario =
            Scenario::from_json(r#"{"tasks": [{"segments": [{"compute": 5}]}]}"#).unwrap();
        assert_eq!(scenario.model, Model::sync(1));
        assert_eq!(scenario.unit, TimeUnit::Ms);
        assert_eq!(scenario.task_name(0), "A");
    }

    #[test]
    fn type_errors_name_line_column_and_field_path() {
        check_error(
            "{\"tasks\": [\n  {\"segments\": [{\"compute\": 10}, {\"wait\": \"fifty\"}]}\n]}",
            expect![[
                r#"2:49 tasks[0].segments[1].wait: invalid type: string "fifty", expected u64 (hint: durations are whole numbers, e.g. 10)"#
            ]],
        );
    }

    #[test]
    fn negative_durations_are_rejected_with_a_location() {
        check_error(
            r#"{"tasks": [{"segments": [{"compute": -3}]}]}"#,
            expect![[
                r#"1:39 tasks[0].segments[0].compute: invalid value: integer `-3`, expected u64 (hint: durations are positive whole numbers)"#
            ]],
        );
    }

    #[test]
    fn unknown_segment_kinds_get_a_hint() {
        check_error(
            r#"{"tasks": [{"segments": [{"sleep": 3}]}]}"#,
            expect![[
                r#"1:33 tasks[0].segments[0]: unknown variant `sleep`, expected `compute` or `wait` (hint: a segment is {"compute": N} or {"wait": N})"#
            ]],
        );
    }

    #[test]
    fn unknown_fields_are_rejected() {
        check_error(
            r#"{"tasks": [], "thread": 2}"#,
            expect![
                "1:22 thread: unknown field `thread`, expected one of `lab`, `name`, `unit`, `model`, `tasks`"
            ],
        );
    }

    #[test]
    fn truncated_files_say_where_they_end() {
        check_error(
            "{\"tasks\": [{\"segments\": [",
            expect![[
                r#"1:25 tasks[0].segments: EOF while parsing a list (hint: the file ends early: check for a missing } or ])"#
            ]],
        );
    }

    #[test]
    fn semantic_errors_name_the_field() {
        check_error(
            r#"{"tasks": []}"#,
            expect![[
                r#"tasks: the workload has no tasks (hint: add at least one task, e.g. {"segments": [{"compute": 10}]})"#
            ]],
        );
        check_error(
            r#"{"tasks": [{"segments": [{"compute": 1}, {"wait": 0}]}]}"#,
            expect![
                "tasks[0].segments[1].wait: a duration must be at least 1 (hint: remove the segment instead of giving it zero length)"
            ],
        );
        check_error(
            r#"{"model": {"kind": "async", "threads": 0}, "tasks": [{"segments": [{"compute": 1}]}]}"#,
            expect!["model.threads: 0 threads is outside 1..=64"],
        );
        check_error(
            r#"{"tasks": [{"segments": []}]}"#,
            expect!["tasks[0].segments: a task needs at least one segment"],
        );
        check_error(
            r#"{"tasks": [{"segments": [{"wait": 1000000001}]}]}"#,
            expect!["tasks[0].segments[0].wait: 1000000001 is longer than the limit of 1000000000"],
        );
    }

    #[test]
    fn trailing_text_is_an_error() {
        check_error(
            r#"{"tasks": [{"segments": [{"compute": 1}]}]} x"#,
            expect!["1:45: unexpected text after the scenario"],
        );
    }
}
