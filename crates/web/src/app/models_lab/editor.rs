//! The workload editor: presets, tasks and their segments.
//!
//! Every field validates as you type (see `NumberField`); only valid
//! values reach the reducer, so the timelines always show the last valid
//! workload and nothing typed is lost.

use std::rc::Rc;

use interleave_core::Scenario;
use interleave_core::models::lab::Action;
use interleave_core::models::lab::presets::PRESETS;
use interleave_core::models::scenario::{
    MAX_DURATION, MAX_NAME_CHARS, Segment, TaskSpec, WaitKind,
};
use yew::prelude::*;

use crate::components::form;

use interleave_core::models::lab::session::PageAction;

use super::Dispatch;
use crate::components::NumberField;
use crate::components::timeline::TASK_COLOURS;

/// Tasks the editor lists; larger workloads are edited as files.
const EDITABLE_TASKS: usize = 40;

#[derive(Properties)]
pub struct WorkloadEditorProps {
    pub scenario: Rc<Scenario>,
    /// The id of the built-in workload the scenario came from.
    pub preset: Option<&'static str>,
    pub dispatch: Dispatch,
}

impl PartialEq for WorkloadEditorProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.scenario, &other.scenario) && self.preset == other.preset
    }
}

impl std::fmt::Debug for WorkloadEditorProps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkloadEditorProps")
            .finish_non_exhaustive()
    }
}

fn lab(action: Action) -> PageAction {
    PageAction::Lab(action)
}

#[function_component(WorkloadEditor)]
pub fn workload_editor(props: &WorkloadEditorProps) -> Html {
    let scenario = &props.scenario;
    let dispatch = props.dispatch.clone();
    let on_preset = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: Event| {
            let chosen = form::select_value(&event)
                .and_then(|id| PRESETS.iter().find(|preset| preset.id == id));
            if let Some(preset) = chosen {
                dispatch.dispatch(lab(Action::LoadPreset(preset.id)));
            }
        })
    };
    let presets = PRESETS.iter().map(|preset| {
        html! { <option value={preset.id} selected={props.preset == Some(preset.id)}>{ preset.title }</option> }
    });
    let import_error = use_state(|| None::<String>);
    let on_import = {
        let dispatch = dispatch.clone();
        let import_error = import_error.clone();
        Callback::from(move |event: Event| {
            let Some(file) = form::take_file(&event) else {
                return;
            };
            let dispatch = dispatch.clone();
            let import_error = import_error.clone();
            wasm_bindgen_futures::spawn_local(async move {
                // Refused before reading when too big: a huge file never loads.
                let limit = interleave_core::input::MAX_INPUT_BYTES;
                let read = form::read_text(&file, limit, "a scenario").await;
                let scenario = read.and_then(|text| {
                    Scenario::from_json(&text).map_err(|error| format!("{}: {error}", file.name()))
                });
                match scenario {
                    Ok(scenario) => {
                        import_error.set(None);
                        dispatch.dispatch(lab(Action::ReplaceScenario(scenario)));
                    }
                    Err(message) => import_error.set(Some(message)),
                }
            });
        })
    };
    let on_export = {
        let scenario = scenario.clone();
        Callback::from(move |_| {
            crate::export::download_text("scenario.json", "application/json", &scenario.to_json())
        })
    };
    let count = scenario.tasks.len();
    let generated = scenario.generate.as_ref().map(|generator| generator.tasks);
    let tasks = scenario.tasks.iter().take(EDITABLE_TASKS).enumerate().map(|(idx, task)| {
        html! {
            <TaskEditor index={idx} name={scenario.task_name(idx)} task={task.clone()} count={count}
                unit={scenario.unit.symbol()} dispatch={dispatch.clone()} />
        }
    });
    html! {
        <aside class="editor" aria-label="Workload editor">
            <h3>{ "Workload" }</h3>
            <label class="preset-picker">
                { "Preset " }
                <select onchange={on_preset} aria-label="Load a preset workload">
                    if props.preset.is_none() { <option value="" selected=true>{ "Your workload" }</option> }
                    { for presets }
                </select>
            </label>
            <div class="file-tools">
                <label class="button">{ "Import JSON…" }
                    <input type="file" accept=".json,application/json" onchange={on_import} aria-label="Import a scenario file" />
                </label>
                <button onclick={on_export}>{ "Export JSON" }</button>
                <button onclick={dispatch.to_callback().reform(|_| lab(Action::Reset))} title="Back to the default workload and comparison">
                    { "Reset to default" }
                </button>
            </div>
            if let Some(message) = &*import_error {
                <p class="import-error" role="alert">
                    { "Not imported, your workload is unchanged: " }{ message.clone() }
                </p>
            }
            <ol class="tasks">{ for tasks }</ol>
            if let Some(generated) = generated {
                <p class="note">{ format!("plus {generated} generated tasks (seed {}); edit the generator in the scenario file",
                    scenario.generate.as_ref().map_or(0, |g| g.seed)) }</p>
            }
            if count > EDITABLE_TASKS {
                <p class="note">{ format!("and {} more tasks: edit larger workloads as a scenario file", count - EDITABLE_TASKS) }</p>
            }
            <button class="add-task" onclick={dispatch.to_callback().reform(|_| lab(Action::AddTask))}>{ "+ Add task" }</button>
        </aside>
    }
}

#[derive(Properties)]
struct TaskEditorProps {
    index: usize,
    name: AttrValue,
    task: TaskSpec,
    count: usize,
    unit: AttrValue,
    dispatch: Dispatch,
}

impl PartialEq for TaskEditorProps {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
            && self.name == other.name
            && self.task == other.task
            && self.count == other.count
            && self.unit == other.unit
    }
}

impl std::fmt::Debug for TaskEditorProps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskEditorProps")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

/// The option value of a segment's kind: `compute` or `wait:database`.
fn kind_value(segment: Segment) -> String {
    match segment {
        Segment::Compute(_) => "compute".to_owned(),
        Segment::Wait { on, .. } => format!("wait:{}", on.key()),
    }
}

#[function_component(TaskEditor)]
fn task_editor(props: &TaskEditorProps) -> Html {
    let idx = props.index;
    let dispatch = &props.dispatch;
    let name = props.name.clone();
    let on_name = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(name) = form::input_value(&event) {
                dispatch.dispatch(lab(Action::SetTaskName(idx, name)));
            }
        })
    };
    let on_arrival = dispatch
        .to_callback()
        .reform(move |time: u64| lab(Action::SetArrival(idx, time)));
    let segments = props.task.segments.iter().enumerate().map(|(seg, segment)| {
        let segment = *segment;
        let on_kind = {
            let dispatch = dispatch.clone();
            Callback::from(move |event: Event| {
                let Some(value) = form::select_value(&event) else {
                    return;
                };
                let duration = segment.duration();
                let new = match value.strip_prefix("wait:") {
                    Some(key) => Segment::Wait {
                        duration,
                        on: WaitKind::ALL.into_iter().find(|kind| kind.key() == key).unwrap_or_default(),
                    },
                    None => Segment::Compute(duration),
                };
                dispatch.dispatch(lab(Action::SetSegment(idx, seg, new)));
            })
        };
        let on_duration = dispatch.to_callback().reform(move |duration: u64| {
            let new = match segment {
                Segment::Compute(_) => Segment::Compute(duration),
                Segment::Wait { on, .. } => Segment::Wait { duration, on },
            };
            lab(Action::SetSegment(idx, seg, new))
        });
        let selected = kind_value(segment);
        let kinds = std::iter::once(("compute".to_owned(), "compute".to_owned()))
            .chain(WaitKind::ALL.iter().map(|kind| (format!("wait:{}", kind.key()), format!("wait for {}", kind.noun()))))
            .map(|(value, text)| html! { <option value={value.clone()} selected={value == selected}>{ text }</option> });
        let what = format!("{name}, step {}", seg + 1);
        html! {
            <li class={classes!("segment", if segment.is_compute() { "compute" } else { "wait" })}>
                <select onchange={on_kind} aria-label={format!("{what} kind")}>{ for kinds }</select>
                <NumberField value={segment.duration()} min={1} max={MAX_DURATION} unit={props.unit.clone()}
                    label={format!("{what} duration")} on_change={on_duration} />
                <span class="segment-tools">
                    <button onclick={dispatch.to_callback().reform(move |_| lab(Action::MoveSegment(idx, seg, -1)))} disabled={seg == 0}
                        aria-label={format!("Move {what} earlier")}>{ "←" }</button>
                    <button onclick={dispatch.to_callback().reform(move |_| lab(Action::MoveSegment(idx, seg, 1)))}
                        disabled={seg + 1 == props.task.segments.len()} aria-label={format!("Move {what} later")}>{ "→" }</button>
                    <button onclick={dispatch.to_callback().reform(move |_| lab(Action::RemoveSegment(idx, seg)))}
                        disabled={props.task.segments.len() == 1} aria-label={format!("Remove {what}")}>{ "×" }</button>
                </span>
            </li>
        }
    });
    let colour = props
        .task
        .colour
        .clone()
        .unwrap_or_else(|| TASK_COLOURS[idx % TASK_COLOURS.len()].to_owned());
    html! {
        <li class="task" data-task={idx.to_string()}>
            <div class="task-head">
                <span class="swatch" style={format!("background:{colour}")} aria-hidden="true"></span>
                <input class="task-name" type="text" value={props.name.clone()} maxlength={MAX_NAME_CHARS.to_string()}
                    aria-label={format!("Task {} name", idx + 1)} oninput={on_name} />
                <label class="arrival">{ "arrives at " }
                    <NumberField value={props.task.arrival} min={0} max={MAX_DURATION} unit={props.unit.clone()}
                        label={format!("{name} arrival time")} on_change={on_arrival} />
                </label>
                <span class="task-tools">
                    <button onclick={dispatch.to_callback().reform(move |_| lab(Action::MoveTask(idx, -1)))} disabled={idx == 0}
                        aria-label={format!("Move {name} up")}>{ "↑" }</button>
                    <button onclick={dispatch.to_callback().reform(move |_| lab(Action::MoveTask(idx, 1)))} disabled={idx + 1 == props.count}
                        aria-label={format!("Move {name} down")}>{ "↓" }</button>
                    <button onclick={dispatch.to_callback().reform(move |_| lab(Action::DuplicateTask(idx)))}
                        aria-label={format!("copy {name}")} title="Duplicate">{ "copy" }</button>
                    <button onclick={dispatch.to_callback().reform(move |_| lab(Action::RemoveTask(idx)))} disabled={props.count == 1}
                        aria-label={format!("Remove {name}")}>{ "×" }</button>
                </span>
            </div>
            <ol class="segments">{ for segments }</ol>
            <button class="add-segment" onclick={dispatch.to_callback().reform(move |_| lab(Action::AddSegment(idx)))}
                aria-label={format!("Add a step to {name}")}>{ "+ step" }</button>
        </li>
    }
}
