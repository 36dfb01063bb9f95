//! The Models-lab scenario: a workload of tasks and the model that runs it.
//!
//! Scenario files are JSON; the format is documented in
//! `docs/scenario-format.md`. [`Scenario::from_json`] returns a
//! [`ScenarioError`] naming the line:column or the field path of any problem.

use serde::{Deserialize, Serialize};

use std::borrow::Cow;

pub use super::task::{
    MAX_DURATION, MAX_SEGMENTS_PER_TASK, MAX_TASKS, Segment, TaskSpec, Time, WaitKind,
};
use crate::error::ScenarioError;
use crate::input::parse_json;
use crate::models::generator::Generator;

pub const MAX_NAME_CHARS: usize = 60;
/// The most threads a model may use.
pub const MAX_THREADS: u32 = 64;
/// Segments in the whole workload, written and generated: checked before
/// the generator runs.
pub const MAX_TOTAL_SEGMENTS: usize = 1_000_000;
/// Spans and events one simulated run may record (about 100 bytes each):
/// checked, as an upper bound from the workload, before simulating.
pub const MAX_RECORDS: u64 = 4_000_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Tasks written out; may be empty when `generate` makes them.
    #[serde(default)]
    pub tasks: Vec<TaskSpec>,
    /// More tasks from a seeded generator, after the written-out ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generate: Option<Generator>,
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

/// How tasks are run: `{"kind": "sync", "threads": 4, "cores": 2}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    pub kind: ModelKind,
    #[serde(default = "one")]
    pub threads: u32,
    /// CPU cores the threads share; default: one core per thread. With
    /// fewer cores than runnable threads, cores are time-sliced round-robin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cores: Option<u32>,
    /// The longest a thread runs before a waiting thread gets its core.
    #[serde(
        default = "default_quantum",
        skip_serializing_if = "is_default_quantum"
    )]
    pub quantum: Time,
    /// Time a core spends switching from one thread to another.
    #[serde(
        default = "default_switch_cost",
        skip_serializing_if = "is_default_switch_cost"
    )]
    pub switch_cost: Time,
}

fn one() -> u32 {
    1
}

pub const DEFAULT_QUANTUM: Time = 10;
pub const DEFAULT_SWITCH_COST: Time = 1;

fn default_quantum() -> Time {
    DEFAULT_QUANTUM
}

fn is_default_quantum(value: &Time) -> bool {
    *value == DEFAULT_QUANTUM
}

fn default_switch_cost() -> Time {
    DEFAULT_SWITCH_COST
}

fn is_default_switch_cost(value: &Time) -> bool {
    *value == DEFAULT_SWITCH_COST
}

impl Default for Model {
    fn default() -> Self {
        Model::sync(1)
    }
}

impl Model {
    pub fn sync(threads: u32) -> Self {
        Model {
            kind: ModelKind::Sync,
            threads,
            cores: None,
            quantum: DEFAULT_QUANTUM,
            switch_cost: DEFAULT_SWITCH_COST,
        }
    }

    pub fn asynchronous(threads: u32) -> Self {
        Model {
            kind: ModelKind::Async,
            ..Model::sync(threads)
        }
    }

    pub fn on_cores(self, cores: u32) -> Self {
        Model {
            cores: Some(cores),
            ..self
        }
    }

    /// `sync, 1 thread`, `async, 4 threads, 2 cores`.
    pub fn label(self) -> String {
        let kind = match self.kind {
            ModelKind::Sync => "sync",
            ModelKind::Async => "async",
        };
        let plural = |n: u32| if n == 1 { "" } else { "s" };
        let mut label = format!("{kind}, {} thread{}", self.threads, plural(self.threads));
        if let Some(cores) = self.cores {
            label.push_str(&format!(", {cores} core{}", plural(cores)));
        }
        label
    }

    /// Checks the model's limits; `path` is where it sits in the file.
    pub fn validate(&self, path: &str) -> Result<(), ScenarioError> {
        if self.threads == 0 || self.threads > MAX_THREADS {
            return Err(ScenarioError::at_path(
                format!("{path}.threads"),
                format!("{} threads is outside 1..={MAX_THREADS}", self.threads),
            ));
        }
        if let Some(cores) = self.cores
            && (cores == 0 || cores > MAX_THREADS)
        {
            return Err(ScenarioError::at_path(
                format!("{path}.cores"),
                format!("{cores} cores is outside 1..={MAX_THREADS}"),
            ));
        }
        if self.quantum == 0 || self.quantum > MAX_DURATION {
            return Err(ScenarioError::at_path(
                format!("{path}.quantum"),
                format!(
                    "a quantum of {} is outside 1..={MAX_DURATION}",
                    self.quantum
                ),
            ));
        }
        if self.switch_cost > MAX_DURATION {
            return Err(ScenarioError::at_path(
                format!("{path}.switch_cost"),
                format!(
                    "a switch cost of {} is longer than {MAX_DURATION}",
                    self.switch_cost
                ),
            ));
        }
        Ok(())
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
            arrival: 0,
            colour: None,
            segments: vec![
                Segment::Compute(10),
                Segment::Wait {
                    duration: 50,
                    on: WaitKind::Database,
                },
                Segment::Compute(10),
            ],
        };
        Scenario {
            lab: Some(Lab::Models),
            name: Some("Three requests that each wait on a database".to_owned()),
            unit: TimeUnit::Ms,
            model: Model::default(),
            tasks: vec![task("A"), task("B"), task("C")],
            generate: None,
        }
    }

    /// Parses and validates a scenario file, locating any problem.
    pub fn from_json(text: &str) -> Result<Self, ScenarioError> {
        let scenario: Scenario = parse_json(text, hint_for)?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// Pretty JSON that [`Scenario::from_json`] reads back unchanged.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serialises")
    }

    /// Checks the limits and rules that the JSON shape alone cannot express.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if let Some(generator) = &self.generate {
            generator.validate("generate")?;
            if self.tasks.len() + generator.tasks > MAX_TASKS {
                return Err(ScenarioError::at_path(
                    "generate.tasks",
                    format!(
                        "{} written and {} generated tasks is more than the limit of {MAX_TASKS}",
                        self.tasks.len(),
                        generator.tasks
                    ),
                ));
            }
        } else if self.tasks.is_empty() {
            return Err(ScenarioError::at_path("tasks", "the workload has no tasks")
                .with_hint("add at least one task, e.g. {\"segments\": [{\"compute\": 10}]}"));
        }
        let generated = self.generate.as_ref().map_or(0, |generator| {
            generator.tasks.saturating_mul(generator.segments.len())
        });
        let written: usize = self.tasks.iter().map(|task| task.segments.len()).sum();
        if written.saturating_add(generated) > MAX_TOTAL_SEGMENTS {
            return Err(ScenarioError::at_path(
                if generated > 0 { "generate.tasks" } else { "tasks" },
                format!(
                    "{} segments in the workload ({written} written, {generated} generated) is more than the limit of {MAX_TOTAL_SEGMENTS}",
                    written.saturating_add(generated)
                ),
            )
            .with_hint("fewer tasks, or fewer segments per task"));
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
        self.model.validate("model")?;
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
            if let Some(name) = &task.name
                && name.chars().count() > MAX_NAME_CHARS
            {
                return Err(ScenarioError::at_path(
                    format!("tasks[{task_idx}].name"),
                    format!("a name is at most {MAX_NAME_CHARS} characters"),
                ));
            }
            if task.arrival > MAX_DURATION {
                return Err(ScenarioError::at_path(
                    format!("tasks[{task_idx}].arrival"),
                    format!("{} is later than the limit of {MAX_DURATION}", task.arrival),
                ));
            }
            if let Some(colour) = &task.colour
                && !is_hex_colour(colour)
            {
                return Err(ScenarioError::at_path(
                    format!("tasks[{task_idx}].colour"),
                    format!("{colour:?} is not a colour"),
                )
                .with_hint("write it as #rrggbb, e.g. #0072b2"));
            }
            for (segment_idx, segment) in task.segments.iter().enumerate() {
                let field = if segment.is_compute() {
                    "compute"
                } else {
                    "wait"
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
        // Last, since it generates the workload: the file's own model's run.
        self.check_work(&[self.model], |_| "model".to_owned())
    }

    /// The name of task `task_idx`: its own, or A, B, C, ... by position.
    pub fn task_name(&self, task_idx: usize) -> String {
        task_name(&self.tasks, task_idx)
    }

    /// Refuses, before any simulating, a run under any of `models` (the
    /// one at index i sits at `path(i)`) that could record more than
    /// [`MAX_RECORDS`] spans and events, naming what to change. The
    /// workload is generated once for all of them.
    pub fn check_work(
        &self,
        models: &[Model],
        path: impl Fn(usize) -> String,
    ) -> Result<(), ScenarioError> {
        let workload = self.workload();
        for (idx, &model) in models.iter().enumerate() {
            let bound = record_bound(&workload, model);
            if bound <= MAX_RECORDS {
                continue;
            }
            let sliced = model.cores.is_some_and(|cores| cores < model.threads);
            let unsliced = record_bound(
                &workload,
                Model {
                    cores: None,
                    ..model
                },
            );
            return Err(if sliced && unsliced <= MAX_RECORDS {
                ScenarioError::at_path(
                    format!("{}.quantum", path(idx)),
                    format!(
                        "{} threads time-sliced on {} core{} with a quantum of {} would record up to {bound} spans and events; the most is {MAX_RECORDS}",
                        model.threads,
                        model.cores.unwrap_or(model.threads),
                        if model.cores == Some(1) { "" } else { "s" },
                        model.quantum
                    ),
                )
                .with_hint("raise the quantum, give the threads more cores, or shorten the computing")
            } else {
                ScenarioError::at_path(
                    if self.generate.is_some() { "generate.tasks" } else { "tasks" },
                    format!("this workload would record up to {bound} spans and events; the most is {MAX_RECORDS}"),
                )
                .with_hint("fewer tasks, or fewer segments per task")
            });
        }
        Ok(())
    }

    /// Every task: the written-out ones, then the generated ones.
    pub fn workload(&self) -> Cow<'_, [TaskSpec]> {
        match &self.generate {
            None => Cow::Borrowed(&self.tasks),
            Some(generator) => {
                let mut tasks = self.tasks.clone();
                tasks.extend(generator.generate());
                Cow::Owned(tasks)
            }
        }
    }
}

/// An upper bound on the spans and events simulating `workload` under
/// `model` records: a few per task and per segment, and where threads share
/// fewer cores (time slicing), a few per quantum of computing.
fn record_bound(workload: &[TaskSpec], model: Model) -> u64 {
    let sliced = model.cores.is_some_and(|cores| cores < model.threads);
    let quantum = model.quantum.max(1);
    workload
        .iter()
        .map(|task| {
            4 + task
                .segments
                .iter()
                .map(|segment| match segment {
                    Segment::Compute(duration) if sliced => {
                        6 + 4 * (duration.div_ceil(quantum) + 1)
                    }
                    _ => 6,
                })
                .fold(0u64, u64::saturating_add)
        })
        .fold(0u64, u64::saturating_add)
}

/// The name of `tasks[task_idx]`: its own, or A, B, C, ... by position.
pub fn task_name(tasks: &[TaskSpec], task_idx: usize) -> String {
    tasks
        .get(task_idx)
        .and_then(|task| task.name.clone())
        .unwrap_or_else(|| default_task_name(task_idx))
}

/// `#rrggbb`.
pub fn is_hex_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].chars().all(|ch| ch.is_ascii_hexdigit())
}

/// A, B, ..., Z, T27, T28, ...
pub fn default_task_name(task_idx: usize) -> String {
    if task_idx < 26 {
        char::from(b'A' + task_idx as u8).to_string()
    } else {
        format!("T{}", task_idx + 1)
    }
}

fn hint_for(message: &str) -> Option<&'static str> {
    if message.contains("expected one of `compute`, `wait`, `on`") {
        Some("a segment is {\"compute\": N} or {\"wait\": N, \"on\": \"database\"}")
    } else if message.contains("unknown variant") && message.contains("`database`") {
        Some("a wait is on one of io, disk, database, http, input, timer")
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
    use crate::input::MAX_INPUT_BYTES;

    fn check_error(text: &str, expect: Expect) {
        let error = Scenario::from_json(text).expect_err("scenario should be rejected");
        expect.assert_eq(&error.to_string());
    }

    #[test]
    fn input_past_the_size_limit_is_refused_before_parsing() {
        let text = format!("{{\"name\": \"{}\"}}", "x".repeat(MAX_INPUT_BYTES));
        let err = Scenario::from_json(&text).unwrap_err();
        assert!(err.message.contains("the most is 2097152"), "{err}");
    }

    #[test]
    fn error_columns_count_characters_not_bytes() {
        // The same error after accented names: columns count characters,
        // as editors and people do (serde_json counts bytes).
        let column = |text: &str| Scenario::from_json(text).unwrap_err().column;
        let ascii = column(r#"{"name": "ete ete", "tasks": 5}"#);
        let accented = column(r#"{"name": "été été", "tasks": 5}"#);
        assert_eq!(accented, ascii);
        assert!(ascii.is_some());
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
                r#"2:43 tasks[0].segments[1].wait: invalid type: string "fifty", expected u64 (hint: durations are whole numbers, e.g. 10)"#
            ]],
        );
    }

    #[test]
    fn negative_durations_are_rejected_with_a_location() {
        check_error(
            r#"{"tasks": [{"segments": [{"compute": -3}]}]}"#,
            expect![
                "1:38 tasks[0].segments[0].compute: invalid value: integer `-3`, expected u64 (hint: durations are positive whole numbers)"
            ],
        );
    }

    #[test]
    fn unknown_segment_kinds_get_a_hint() {
        check_error(
            r#"{"tasks": [{"segments": [{"sleep": 3}]}]}"#,
            expect![[
                r#"1:27 tasks[0].segments[0].sleep: unknown field `sleep`, expected one of `compute`, `wait`, `on` (hint: a segment is {"compute": N} or {"wait": N, "on": "database"})"#
            ]],
        );
    }

    #[test]
    fn unknown_fields_are_rejected() {
        check_error(
            r#"{"tasks": [], "thread": 2}"#,
            expect![
                "1:15 thread: unknown field `thread`, expected one of `lab`, `name`, `unit`, `model`, `tasks`, `generate`"
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
    fn segments_take_exactly_one_of_compute_and_wait() {
        check_error(
            r#"{"tasks": [{"segments": [{"compute": 1, "wait": 2}]}]}"#,
            expect![[
                r#"1:26 tasks[0].segments[0]: a segment is either {"compute": N} or {"wait": N}, not both"#
            ]],
        );
        check_error(
            r#"{"tasks": [{"segments": [{"compute": 1, "on": "disk"}]}]}"#,
            expect!["1:26 tasks[0].segments[0]: `on` belongs to a wait, not to a compute segment"],
        );
        check_error(
            r#"{"tasks": [{"segments": [{"wait": 1, "on": "printer"}]}]}"#,
            expect![
                "1:44 tasks[0].segments[0].on: unknown variant `printer`, expected one of `io`, `disk`, `database`, `http`, `input`, `timer` (hint: a wait is on one of io, disk, database, http, input, timer)"
            ],
        );
    }

    #[test]
    fn waits_name_what_they_wait_on() {
        let scenario = Scenario::from_json(
            r#"{"tasks": [{"segments": [{"wait": 5, "on": "http"}, {"wait": 6}]}]}"#,
        )
        .unwrap();
        assert_eq!(
            scenario.tasks[0].segments,
            vec![
                Segment::Wait {
                    duration: 5,
                    on: WaitKind::Http
                },
                Segment::Wait {
                    duration: 6,
                    on: WaitKind::Io
                }
            ]
        );
        assert!(scenario.to_json().contains(r#""on": "http""#));
    }

    #[test]
    fn task_fields_are_checked() {
        check_error(
            r##"{"tasks": [{"colour": "blue", "segments": [{"compute": 1}]}]}"##,
            expect![[
                r#"tasks[0].colour: "blue" is not a colour (hint: write it as #rrggbb, e.g. #0072b2)"#
            ]],
        );
        check_error(
            r#"{"model": {"kind": "sync", "cores": 0}, "tasks": [{"segments": [{"compute": 1}]}]}"#,
            expect!["model.cores: 0 cores is outside 1..=64"],
        );
        check_error(
            r#"{"model": {"kind": "sync", "quantum": 0}, "tasks": [{"segments": [{"compute": 1}]}]}"#,
            expect!["model.quantum: a quantum of 0 is outside 1..=1000000000"],
        );
    }

    #[test]
    fn trailing_text_is_an_error() {
        check_error(
            r#"{"tasks": [{"segments": [{"compute": 1}]}]} x"#,
            expect!["1:45: unexpected text after the scenario"],
        );
    }

    #[test]
    fn a_repeated_key_is_an_error_where_it_repeats() {
        check_error(
            "{\"tasks\": [{\"segments\": [{\"compute\": 1}]}],\n \"name\": \"a\", \"name\": \"b\"}",
            expect!["2:15 name: duplicate field `name`"],
        );
    }
}
