//! One compared configuration: its settings and its timeline.

use interleave_core::models::lab::Action;
use interleave_core::models::scenario::{MAX_THREADS, Model, ModelKind};
use interleave_core::trace::Time;
use yew::prelude::*;

use crate::components::form;

use super::Simulated;
use interleave_core::models::lab::session::PageAction;

use super::Dispatch;
use crate::components::{NumberField, Timeline};

#[derive(Properties)]
pub struct ConfigCardProps {
    pub index: usize,
    pub model: Model,
    pub run: Simulated,
    pub selected: bool,
    pub removable: bool,
    pub window: (Time, Time),
    pub cursor: Time,
    pub on_scrub: Callback<Time>,
    pub dispatch: Dispatch,
    pub unit: AttrValue,
}

impl PartialEq for ConfigCardProps {
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index
            && self.model == other.model
            && self.run == other.run
            && self.selected == other.selected
            && self.removable == other.removable
            && self.window == other.window
            && self.cursor == other.cursor
            && self.unit == other.unit
    }
}

impl std::fmt::Debug for ConfigCardProps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigCardProps")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

#[function_component(ConfigCard)]
pub fn config_card(props: &ConfigCardProps) -> Html {
    let idx = props.index;
    let model = props.model;
    let set = {
        let dispatch = props.dispatch.clone();
        move |model: Model| dispatch.dispatch(PageAction::Lab(Action::SetConfig(idx, model)))
    };
    let on_kind = {
        let set = set.clone();
        Callback::from(move |event: Event| {
            let kind = match form::select_value(&event).as_deref() {
                Some("async") => ModelKind::Async,
                _ => ModelKind::Sync,
            };
            set(Model { kind, ..model });
        })
    };
    let on_threads = {
        let set = set.clone();
        Callback::from(move |threads: u64| {
            set(Model {
                threads: threads as u32,
                ..model
            })
        })
    };
    let on_cores = {
        let set = set.clone();
        Callback::from(move |event: Event| {
            let cores = form::select_value(&event).and_then(|value| value.parse::<u32>().ok());
            set(Model { cores, ..model });
        })
    };
    let select = props
        .dispatch
        .to_callback()
        .reform(move |_| PageAction::Lab(Action::SelectConfig(idx)));
    let remove = props
        .dispatch
        .to_callback()
        .reform(move |_| PageAction::Lab(Action::RemoveConfig(idx)));
    let core_options = [1u32, 2, 4, 8, 16].into_iter().map(|cores| {
        html! { <option value={cores.to_string()} selected={model.cores == Some(cores)}>{ format!("{cores} core{}", if cores == 1 { "" } else { "s" }) }</option> }
    });
    let card = use_node_ref();
    let metrics = &props.run.metrics;
    let label = model.label();
    html! {
        <article ref={card.clone()} class={classes!("config", props.selected.then_some("selected"))} data-model={label.clone()}
            data-spans={props.run.trace.lanes.iter().map(|lane| lane.spans.len()).sum::<usize>().to_string()}
            aria-label={format!("Configuration {}: {label}", idx + 1)}>
            <header class="config-head">
                <button class="select-config" onclick={select} aria-pressed={props.selected.to_string()}
                    title="Show this configuration's details and code">{ format!("#{}", idx + 1) }</button>
                <select onchange={on_kind} aria-label={format!("Configuration {} model", idx + 1)}>
                    <option value="sync" selected={model.kind == ModelKind::Sync}>{ "synchronous" }</option>
                    <option value="async" selected={model.kind == ModelKind::Async}>{ "asynchronous" }</option>
                </select>
                <label class="field">
                    <NumberField value={model.threads as u64} min={1} max={MAX_THREADS as u64}
                        label={format!("Configuration {} threads", idx + 1)} on_change={on_threads} />
                    { if model.threads == 1 { " thread" } else { " threads" } }
                </label>
                <select onchange={on_cores} aria-label={format!("Configuration {} cores", idx + 1)}>
                    <option value="" selected={model.cores.is_none()}>{ "a core per thread" }</option>
                    { for core_options }
                </select>
                <span class="makespan-badge" title="When the last task completes">
                    { format!("done at {} {}", metrics.makespan, props.unit) }
                </span>
                <crate::components::TimelineDownloads timeline={card.clone()}
                    file={format!("interleave-{}", label.replace(", ", "-").replace(' ', "-"))}
                    traces={vec![(format!("{label}: done at {} {}", metrics.makespan, props.unit), props.run.trace.clone())]} />
                if props.removable {
                    <button class="remove" onclick={remove} aria-label={format!("Remove configuration {}", idx + 1)}>{ "×" }</button>
                }
            </header>
            <Timeline trace={props.run.trace.clone()} window={Some(props.window)} cursor={Some(props.cursor)}
                on_scrub={props.on_scrub.clone()} label={label} />
        </article>
    }
}
