//! The Models lab's state and its one `apply(state, action) -> Result`
//! reducer.
//!
//! The web crate wraps [`ModelsLab`] as a Yew reducer; components emit
//! [`Action`]s. The state is plain data (serde), so a share link or the
//! autosave can hold all of it: the workload, the compared configurations,
//! the time cursor and the selection.

pub mod checks;
pub mod codegen;
pub mod narration;
pub mod presets;
pub mod session;
pub mod snapshot;

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;
use crate::labs::{Lab, LabId};
use crate::models::scenario::{
    MAX_SEGMENTS_PER_TASK, MAX_TASKS, Model, Scenario, Segment, TaskSpec, Time, WaitKind,
};
use presets::Preset;

/// The most configurations compared side by side.
pub const MAX_CONFIGS: usize = 4;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelsLab {
    /// Shared, so that cursor moves never copy the workload.
    pub scenario: Rc<Scenario>,
    /// The configurations compared on the workload, 1..=4.
    pub configs: Vec<Model>,
    /// The playback cursor, in the scenario's unit.
    #[serde(default)]
    pub cursor: Time,
    /// Which configuration the details (state, code) are about.
    #[serde(default)]
    pub selected: usize,
    /// The id of the built-in workload the lab's came from, if any (kept
    /// through edits, so the picker still names it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Playback speed: 1 crosses the time axis in
    /// `session::PLAY_MILLIS_AT_1X`; a link plays at its sender's.
    #[serde(default = "normal_speed", skip_serializing_if = "is_normal_speed")]
    pub speed: f64,
}

/// The playback speeds a lab may have.
pub const SPEED_RANGE: (f64, f64) = (0.05, 16.0);

fn normal_speed() -> f64 {
    1.0
}

fn is_normal_speed(speed: &f64) -> bool {
    *speed == 1.0
}

impl Default for ModelsLab {
    fn default() -> Self {
        ModelsLab::with_scenario(Scenario::default_models())
    }
}

/// Everything a user can do to the Models lab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Action {
    /// Back to the default workload and comparison.
    Reset,
    /// A built-in workload, by id (`web-requests`).
    LoadPreset(&'static str),
    /// Replaces the workload (an imported file); configurations stay.
    ReplaceScenario(Scenario),
    SetCursor(Time),
    SelectConfig(usize),
    AddConfig,
    RemoveConfig(usize),
    SetConfig(usize, Model),
    AddTask,
    RemoveTask(usize),
    DuplicateTask(usize),
    /// Moves a task one place up (-1) or down (+1).
    MoveTask(usize, isize),
    SetTaskName(usize, String),
    SetArrival(usize, Time),
    AddSegment(usize),
    RemoveSegment(usize, usize),
    MoveSegment(usize, usize, isize),
    SetSegment(usize, usize, Segment),
    SetWaitKind(usize, usize, WaitKind),
    /// The playback speed, within [`SPEED_RANGE`].
    SetSpeed(f64),
}

impl Action {
    /// Whether the action may change what is simulated (the workload or a
    /// configuration), which is checked against the work limit, and gives
    /// the timelines a new time axis; moving the cursor or choosing which
    /// configuration is detailed does not.
    pub fn changes_work(&self) -> bool {
        !matches!(
            self,
            Action::SetCursor(_) | Action::SelectConfig(_) | Action::SetSpeed(_)
        )
    }
}

impl ModelsLab {
    /// A lab on `scenario` with the default comparison: sync and async on
    /// 1 and on 4 threads.
    pub fn with_scenario(scenario: Scenario) -> Self {
        ModelsLab {
            scenario: Rc::new(scenario),
            configs: vec![
                Model::sync(1),
                Model::sync(4),
                Model::asynchronous(1),
                Model::asynchronous(4),
            ],
            cursor: 0,
            selected: 0,
            preset: None,
            speed: 1.0,
        }
    }

    /// A lab on a built-in workload, with the default comparison.
    pub fn from_preset(preset: &Preset) -> Self {
        ModelsLab {
            preset: Some(preset.id.to_owned()),
            ..ModelsLab::with_scenario(preset.scenario())
        }
    }

    /// The built-in workload, while the lab's is still exactly it: its
    /// lesson speaks of that workload, not of whatever it was edited into.
    pub fn unchanged_preset(&self) -> Option<&'static Preset> {
        self.preset()
            .filter(|preset| *self.scenario == preset.scenario())
    }

    /// The built-in workload the lab's came from: by id; for links and
    /// autosaves made before ids, by the workload's name.
    pub fn preset(&self) -> Option<&'static Preset> {
        match &self.preset {
            Some(id) => Preset::by_id(id).map(|(_, preset)| preset),
            None => presets::PRESETS
                .iter()
                .find(|preset| self.scenario.name.as_deref() == Some(preset.title)),
        }
    }
}

impl Lab for ModelsLab {
    const ID: LabId = LabId::Models;

    /// Checks a lab read from outside (a link, a saved file).
    fn validate(&self) -> Result<(), ScenarioError> {
        self.scenario.validate()?;
        if self.configs.is_empty() || self.configs.len() > MAX_CONFIGS {
            return Err(ScenarioError::at_path(
                "configs",
                format!(
                    "{} configurations is outside 1..={MAX_CONFIGS}",
                    self.configs.len()
                ),
            ));
        }
        for (idx, model) in self.configs.iter().enumerate() {
            model.validate(&format!("configs[{idx}]"))?;
        }
        self.check_work()?;
        if let Some(id) = &self.preset
            && Preset::by_id(id).is_none()
        {
            return Err(ScenarioError::at_path(
                "preset",
                format!("there is no built-in workload {id:?}"),
            ));
        }
        if self.selected >= self.configs.len() {
            return Err(ScenarioError::at_path(
                "selected",
                format!("configuration {} does not exist", self.selected),
            ));
        }
        check_speed(self.speed)?;
        Ok(())
    }

    fn at_start(&self) -> Option<Self> {
        Some(ModelsLab {
            cursor: 0,
            ..self.clone()
        })
    }
}

impl ModelsLab {
    /// Whether every configuration's run stays within the record limit
    /// (see [`Scenario::check_work`]), checked before anything simulates.
    pub fn check_work(&self) -> Result<(), ScenarioError> {
        self.scenario
            .check_work(&self.configs, |idx| format!("configs[{idx}]"))
    }
}

fn check_speed(speed: f64) -> Result<(), ScenarioError> {
    let (slowest, fastest) = SPEED_RANGE;
    if (slowest..=fastest).contains(&speed) {
        Ok(())
    } else {
        Err(ScenarioError::at_path(
            "speed",
            format!("{speed} is outside {slowest}..={fastest}"),
        ))
    }
}

/// The benchmark workload: `tasks` generated web requests (about three
/// segments each, Poisson arrivals), written out.
pub fn bench_workload(tasks: usize) -> Scenario {
    let generator = crate::models::generator::Generator::web_traffic(tasks, 1);
    Scenario {
        name: Some(format!("{tasks} generated web requests")),
        tasks: generator.generate(),
        ..Scenario::default_models()
    }
}

/// What the lab computes when a workload changes: every configuration's
/// trace and metrics. Returns the number of events, so the work is used.
pub fn simulate_comparison(scenario: &Scenario, configs: &[Model]) -> usize {
    configs
        .iter()
        .map(|model| {
            let trace = crate::models::simulate(scenario, *model);
            let metrics = crate::metrics::Metrics::of(&trace);
            trace.events.len() + metrics.max_concurrency
        })
        .sum()
}

/// The one reducer, with the shape every lab's has: applies `action`, or
/// refuses it, leaving `lab` exactly as it was, with an error that says
/// why (an unknown preset, a scenario or configuration that breaks a rule,
/// an edit after which some configuration's run would record more than
/// the limit: checked before anything simulates). An index that does not
/// exist changes nothing: the page only dispatches indices it shows.
pub fn apply(lab: &mut ModelsLab, action: Action) -> Result<(), ScenarioError> {
    match &action {
        Action::LoadPreset(id) if Preset::by_id(id).is_none() => {
            return Err(ScenarioError::at_path(
                "preset",
                format!("there is no built-in workload {id:?}"),
            ));
        }
        Action::ReplaceScenario(scenario) => scenario.validate()?,
        Action::SetConfig(_, model) => model.validate("config")?,
        Action::SetSpeed(speed) => check_speed(*speed)?,
        _ => {}
    }
    let before = action.changes_work().then(|| lab.clone());
    apply_unchecked(lab, action);
    if let Some(before) = before
        && let Err(error) = lab.check_work()
    {
        *lab = before;
        return Err(error);
    }
    Ok(())
}

fn apply_unchecked(lab: &mut ModelsLab, action: Action) {
    match action {
        Action::Reset => *lab = ModelsLab::default(),
        Action::LoadPreset(id) => {
            if let Some((_, preset)) = Preset::by_id(id) {
                lab.scenario = Rc::new(preset.scenario());
                lab.preset = Some(preset.id.to_owned());
                lab.cursor = 0;
            }
        }
        Action::ReplaceScenario(scenario) => {
            if scenario.validate().is_ok() {
                lab.scenario = Rc::new(scenario);
                // An imported file is not a built-in workload.
                lab.preset = None;
                lab.cursor = 0;
            }
        }
        Action::SetCursor(time) => lab.cursor = time,
        Action::SetSpeed(speed) => lab.speed = speed,
        Action::SelectConfig(idx) => {
            if idx < lab.configs.len() {
                lab.selected = idx;
            }
        }
        Action::AddConfig => {
            if lab.configs.len() < MAX_CONFIGS {
                let last = *lab.configs.last().expect("at least one configuration");
                lab.configs.push(last);
                lab.selected = lab.configs.len() - 1;
            }
        }
        Action::RemoveConfig(idx) => {
            if idx < lab.configs.len() && lab.configs.len() > 1 {
                lab.configs.remove(idx);
                lab.selected = lab.selected.min(lab.configs.len() - 1);
            }
        }
        Action::SetConfig(idx, model) => {
            if idx < lab.configs.len() && model.validate("config").is_ok() {
                lab.configs[idx] = model;
            }
        }
        edit => edit_workload(&mut Rc::make_mut(&mut lab.scenario).tasks, edit),
    }
}

/// The actions that change the workload.
fn edit_workload(tasks: &mut Vec<TaskSpec>, action: Action) {
    match action {
        Action::AddTask => {
            if tasks.len() < MAX_TASKS {
                tasks.push(TaskSpec {
                    name: None,
                    arrival: 0,
                    colour: None,
                    segments: vec![
                        Segment::Compute(10),
                        Segment::Wait {
                            duration: 30,
                            on: WaitKind::Database,
                        },
                        Segment::Compute(5),
                    ],
                });
            }
        }
        Action::RemoveTask(idx) => {
            if idx < tasks.len() && tasks.len() > 1 {
                tasks.remove(idx);
            }
        }
        Action::DuplicateTask(idx) => {
            if idx < tasks.len() && tasks.len() < MAX_TASKS {
                let mut copy = tasks[idx].clone();
                copy.name = copy.name.map(|name| format!("{name} copy"));
                tasks.insert(idx + 1, copy);
            }
        }
        Action::MoveTask(idx, delta) => {
            if let Some(to) = idx.checked_add_signed(delta)
                && idx < tasks.len()
                && to < tasks.len()
            {
                tasks.swap(idx, to);
            }
        }
        Action::SetTaskName(idx, name) => {
            if let Some(task) = tasks.get_mut(idx) {
                let name = name.trim();
                task.name = (!name.is_empty()).then(|| name.to_owned());
            }
        }
        Action::SetArrival(idx, time) => {
            if let Some(task) = tasks.get_mut(idx)
                && time <= crate::models::scenario::MAX_DURATION
            {
                task.arrival = time;
            }
        }
        Action::AddSegment(idx) => {
            if let Some(task) = tasks.get_mut(idx)
                && task.segments.len() < MAX_SEGMENTS_PER_TASK
            {
                task.segments.push(Segment::Compute(5));
            }
        }
        Action::RemoveSegment(idx, seg) => {
            if let Some(task) = tasks.get_mut(idx)
                && seg < task.segments.len()
                && task.segments.len() > 1
            {
                task.segments.remove(seg);
            }
        }
        Action::MoveSegment(idx, seg, delta) => {
            if let Some(task) = tasks.get_mut(idx)
                && let Some(to) = seg.checked_add_signed(delta)
                && seg < task.segments.len()
                && to < task.segments.len()
            {
                task.segments.swap(seg, to);
            }
        }
        Action::SetSegment(idx, seg, segment) => {
            let duration = segment.duration();
            if let Some(slot) = tasks
                .get_mut(idx)
                .and_then(|task| task.segments.get_mut(seg))
                && (1..=crate::models::scenario::MAX_DURATION).contains(&duration)
            {
                *slot = segment;
            }
        }
        Action::SetWaitKind(idx, seg, kind) => {
            if let Some(Segment::Wait { on, .. }) = tasks
                .get_mut(idx)
                .and_then(|task| task.segments.get_mut(seg))
            {
                *on = kind;
            }
        }
        Action::Reset
        | Action::LoadPreset(_)
        | Action::ReplaceScenario(_)
        | Action::SetCursor(_)
        | Action::SetSpeed(_)
        | Action::SelectConfig(_)
        | Action::AddConfig
        | Action::RemoveConfig(_)
        | Action::SetConfig(..) => unreachable!("handled by apply"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edited_preset_is_your_workload_not_the_preset() {
        let mut lab = ModelsLab::from_preset(&presets::PRESETS[1]);
        assert_eq!(
            lab.unchanged_preset().map(|p| p.id),
            Some(presets::PRESETS[1].id)
        );
        apply(&mut lab, Action::SetCursor(7)).unwrap();
        assert!(
            lab.unchanged_preset().is_some(),
            "moving the cursor edits nothing"
        );
        apply(&mut lab, Action::AddTask).unwrap();
        assert!(lab.unchanged_preset().is_none());
        assert_eq!(
            lab.preset().map(|p| p.id),
            Some(presets::PRESETS[1].id),
            "still edited from it"
        );
    }

    #[test]
    fn editing_actions_keep_the_scenario_valid() {
        let mut lab = ModelsLab::default();
        apply(&mut lab, Action::AddTask).unwrap();
        apply(&mut lab, Action::DuplicateTask(0)).unwrap();
        apply(&mut lab, Action::MoveTask(0, 1)).unwrap();
        apply(&mut lab, Action::SetSegment(0, 0, Segment::Compute(0))).unwrap();
        apply(&mut lab, Action::RemoveSegment(4, 0)).unwrap();
        for _ in 0..10 {
            apply(&mut lab, Action::RemoveTask(0)).unwrap();
        }
        assert_eq!(
            lab.scenario.tasks.len(),
            1,
            "the last task cannot be removed"
        );
        assert_eq!(lab.scenario.validate(), Ok(()));
    }

    #[test]
    fn duplicate_inserts_a_named_copy_after_the_original() {
        let mut lab = ModelsLab::default();
        apply(&mut lab, Action::DuplicateTask(1)).unwrap();
        let names: Vec<String> = (0..lab.scenario.tasks.len())
            .map(|idx| lab.scenario.task_name(idx))
            .collect();
        assert_eq!(names, ["A", "B", "B copy", "C"]);
    }

    #[test]
    fn presets_are_known_by_id_through_edits_and_not_after_an_import() {
        let mut lab = ModelsLab::default();
        // The default lab (and links made before ids) find theirs by name.
        assert_eq!(lab.preset().map(|preset| preset.id), Some("three-requests"));
        apply(&mut lab, Action::LoadPreset("web-requests")).unwrap();
        assert_eq!(lab.preset.as_deref(), Some("web-requests"));
        apply(&mut lab, Action::SetTaskName(0, "renamed".to_owned())).unwrap();
        assert_eq!(lab.preset().map(|preset| preset.id), Some("web-requests"));
        let refused = apply(&mut lab, Action::LoadPreset("no-such-preset")).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "preset: there is no built-in workload \"no-such-preset\""
        );
        assert_eq!(
            lab.preset.as_deref(),
            Some("web-requests"),
            "unknown ids change nothing"
        );
        let imported = Scenario {
            name: Some("Mine".to_owned()),
            ..Scenario::default_models()
        };
        apply(&mut lab, Action::ReplaceScenario(imported)).unwrap();
        assert!(lab.preset().is_none());
        let bad = ModelsLab {
            preset: Some("gone".to_owned()),
            ..ModelsLab::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "preset: there is no built-in workload \"gone\""
        );
    }

    #[test]
    fn configurations_stay_between_one_and_four() {
        let mut lab = ModelsLab::default();
        apply(&mut lab, Action::AddConfig).unwrap();
        assert_eq!(lab.configs.len(), 4);
        for _ in 0..5 {
            apply(&mut lab, Action::RemoveConfig(0)).unwrap();
        }
        assert_eq!(lab.configs.len(), 1);
        assert_eq!(lab.selected, 0);
        assert_eq!(lab.validate(), Ok(()));
    }

    #[test]
    fn segments_are_added_moved_and_given_a_wait_kind() {
        let mut lab = ModelsLab::default();
        // Task A: compute 10, wait 50 on the database, compute 10.
        let before = lab.scenario.tasks[0].segments.clone();
        apply(&mut lab, Action::AddSegment(0)).unwrap();
        let segments = &lab.scenario.tasks[0].segments;
        assert_eq!(segments.len(), before.len() + 1);
        assert_eq!(segments.last(), Some(&Segment::Compute(5)));
        // Move the wait one place down: it swaps with the compute after it.
        apply(&mut lab, Action::MoveSegment(0, 1, 1)).unwrap();
        let segments = &lab.scenario.tasks[0].segments;
        assert_eq!(segments[1], before[2]);
        assert_eq!(segments[2], before[1]);
        // Off either end, nothing moves.
        let now = lab.scenario.tasks[0].segments.clone();
        apply(&mut lab, Action::MoveSegment(0, 0, -1)).unwrap();
        apply(&mut lab, Action::MoveSegment(0, now.len() - 1, 1)).unwrap();
        apply(&mut lab, Action::MoveSegment(9, 0, 1)).unwrap();
        assert_eq!(lab.scenario.tasks[0].segments, now);
        // A wait's kind changes; a compute step has none to change.
        apply(&mut lab, Action::SetWaitKind(0, 2, WaitKind::Disk)).unwrap();
        assert!(matches!(
            lab.scenario.tasks[0].segments[2],
            Segment::Wait {
                on: WaitKind::Disk,
                ..
            }
        ));
        apply(&mut lab, Action::SetWaitKind(0, 0, WaitKind::Disk)).unwrap();
        assert!(matches!(
            lab.scenario.tasks[0].segments[0],
            Segment::Compute(_)
        ));
        assert_eq!(lab.scenario.validate(), Ok(()));
    }

    #[test]
    fn a_moved_wait_changes_what_the_simulation_computes() {
        // Sync on one thread: moving A's wait to the end keeps the total
        // (each task's segments add up the same) but async on one thread
        // overlaps differently, so its makespan changes.
        let mut lab = ModelsLab::default();
        let makespan = |lab: &ModelsLab| {
            crate::metrics::Metrics::of(&crate::models::simulate(
                &lab.scenario,
                Model::asynchronous(1),
            ))
            .makespan
        };
        let before = makespan(&lab);
        apply(&mut lab, Action::MoveSegment(0, 1, 1)).unwrap();
        assert_ne!(makespan(&lab), before);
    }

    #[test]
    fn config_edits_are_checked_and_selection_follows_removal() {
        let mut lab = ModelsLab::default();
        apply(
            &mut lab,
            Action::SetConfig(1, Model::asynchronous(3).on_cores(2)),
        )
        .unwrap();
        assert_eq!(lab.configs[1], Model::asynchronous(3).on_cores(2));
        // More cores than allowed or zero threads: refused, nothing changes.
        let refused = apply(&mut lab, Action::SetConfig(1, Model::sync(0))).unwrap_err();
        assert_eq!(refused.path, "config.threads");
        apply(&mut lab, Action::SetConfig(7, Model::sync(2))).unwrap();
        assert_eq!(lab.configs[1], Model::asynchronous(3).on_cores(2));
        apply(&mut lab, Action::SelectConfig(3)).unwrap();
        apply(&mut lab, Action::RemoveConfig(3)).unwrap();
        assert_eq!(lab.selected, 2);
        apply(&mut lab, Action::AddConfig).unwrap();
        assert_eq!(lab.configs.len(), 4);
        assert_eq!(
            lab.configs[3], lab.configs[2],
            "a new card copies the last one"
        );
        assert_eq!(lab.selected, 3);
    }

    #[test]
    fn an_edit_that_would_record_too_much_is_refused_and_changes_nothing() {
        // Two threads time-slicing one core with a 10 ms quantum: a step
        // of 10^9 ms would be 10^8 slices, gigabytes of spans.
        let mut lab = ModelsLab::default();
        apply(&mut lab, Action::SetConfig(1, Model::sync(2).on_cores(1))).unwrap();
        let before = lab.clone();
        let err = apply(
            &mut lab,
            Action::SetSegment(0, 0, Segment::Compute(1_000_000_000)),
        )
        .unwrap_err();
        assert_eq!(err.path, "configs[1].quantum");
        assert!(err.message.contains("the most is 4000000"), "{err}");
        assert_eq!(lab, before);
        // The same step with a core per thread is a single span: taken.
        apply(&mut lab, Action::SetConfig(1, Model::sync(2))).unwrap();
        assert_eq!(
            apply(
                &mut lab,
                Action::SetSegment(0, 0, Segment::Compute(1_000_000_000))
            ),
            Ok(())
        );
    }

    #[test]
    fn the_lab_round_trips_through_json() {
        let mut lab = ModelsLab::default();
        apply(&mut lab, Action::SetCursor(42)).unwrap();
        apply(&mut lab, Action::SelectConfig(2)).unwrap();
        let json = serde_json::to_string(&lab).unwrap();
        assert_eq!(serde_json::from_str::<ModelsLab>(&json).unwrap(), lab);
    }
}
