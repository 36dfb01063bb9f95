//! The Servers lab's settings: the server, the traffic, the request mix,
//! the backlog and timeout, the memory model, and the whole scenario as
//! JSON. Fields validate as you type and keep what was typed; an edit the
//! scenario refuses (e.g. too many workers) is shown and changes nothing.

use std::rc::Rc;

use interleave_core::servers::lab::{Action, Edit};
use interleave_core::servers::scenario::{
    ArrivalPattern, MAX_BACKLOG, MAX_CORES, MAX_DURATION_MS, MAX_OFFLOAD, MAX_PROCESSES, MAX_RATE,
    MAX_REQUESTS, MAX_THREADS, MAX_TIMEOUT_MS, MAX_TYPES, Millis, RandomMillis, ServersScenario,
};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::Dispatch;
use crate::components::{DecimalField, NumberField, form};

#[derive(Properties)]
pub struct SettingsProps {
    pub scenario: Rc<ServersScenario>,
    /// The JSON editor's text (the draft when there is one).
    pub json: String,
    pub draft_error: Option<String>,
    /// The last form edit's problem.
    pub error: Option<String>,
    pub dispatch: Dispatch,
}

impl PartialEq for SettingsProps {
    fn eq(&self, other: &Self) -> bool {
        self.scenario == other.scenario
            && self.json == other.json
            && self.draft_error == other.draft_error
            && self.error == other.error
    }
}

/// `Callback<T>` that dispatches the edit `make(value)`: the core makes it
/// on the scenario as it is then.
fn editor<T: 'static>(props: &SettingsProps, make: impl Fn(T) -> Edit + 'static) -> Callback<T> {
    let dispatch = props.dispatch.clone();
    Callback::from(move |value: T| dispatch.dispatch(Action::Set(make(value))))
}

/// A checkbox's `onchange` that dispatches the edit of its state.
fn checkbox_editor(
    props: &SettingsProps,
    make: impl Fn(bool) -> Edit + 'static,
) -> Callback<Event> {
    let edit = editor(props, make);
    Callback::from(move |event: Event| edit.emit(form::checked(&event)))
}

/// A `<select>`'s `onchange` whose option values are the field's names in
/// files (`round_robin`, `poisson`).
fn select_editor<T: serde::de::DeserializeOwned + 'static>(
    props: &SettingsProps,
    make: impl Fn(T) -> Edit + 'static,
) -> Callback<Event> {
    let edit = editor(props, make);
    Callback::from(move |event: Event| {
        // The option's name as a JSON string, read by core's one decoder.
        let json =
            form::select_value(&event).map(|name| serde_json::Value::String(name).to_string());
        if let Some(parsed) = json.and_then(|json| interleave_core::input::read_json(&json).ok()) {
            edit.emit(parsed);
        }
    })
}

/// A unit enum's name in files, for `<option value>`.
fn serde_id(value: impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn millis_field(props: &SettingsProps, idx: usize, label: String, value: Millis, io: bool) -> Html {
    let on_mean = editor(props, move |mean: f64| Edit::RequestMean { idx, io, mean });
    let on_kind = editor(props, move |exponential: bool| Edit::RequestRandom {
        idx,
        io,
        exponential,
    });
    let exponential = matches!(value, Millis::Random(RandomMillis::Exponential(_)));
    let on_select = Callback::from(move |event: Event| {
        on_kind.emit(form::select_value(&event).as_deref() == Some("exponential"))
    });
    if let Millis::Random(RandomMillis::Uniform([lo, hi])) = value {
        return html! { <span class="note">{ format!("uniform {lo}–{hi} ms (edit as JSON)") }</span> };
    }
    html! {
        <span class="millis">
            <DecimalField value={value.mean()} min={0.0} max={MAX_DURATION_MS} label={label.clone()} unit="ms" on_change={on_mean} />
            <select aria-label={format!("{label}: fixed or random")} onchange={on_select}>
                <option value="fixed" selected={!exponential}>{ "fixed" }</option>
                <option value="exponential" selected={exponential}>{ "exp. mean" }</option>
            </select>
        </span>
    }
}

#[function_component(Settings)]
pub fn settings(props: &SettingsProps) -> Html {
    let s = &props.scenario;
    let server = s.server;
    let traffic = s.traffic;

    let mix_rows = s.mix.iter().enumerate().map(|(idx, kind)| {
        let on_name = editor(props, move |name: String| Edit::RequestName(idx, name));
        let on_name_input = Callback::from(move |event: InputEvent| {
            if let Some(input) = form::target::<HtmlInputElement>(&event) {
                on_name.emit(input.value());
            }
        });
        let on_weight = editor(props, move |weight: f64| Edit::RequestWeight(idx, weight));
        let on_remove = editor(props, move |_: MouseEvent| Edit::RemoveRequestType(idx));
        html! {
            <li class="request-type">
                <div class="task-head">
                    <input class="task-name" value={kind.name.clone()} oninput={on_name_input}
                        aria-label={format!("Request type {} name", idx + 1)} />
                    <label>{ "weight " }
                        <DecimalField value={kind.weight} min={0.001} max={1e6} label={format!("{} weight", kind.name)} on_change={on_weight} />
                    </label>
                    <span class="task-tools">
                        <button onclick={on_remove} disabled={s.mix.len() == 1} aria-label={format!("Remove {}", kind.name)}>{ "✕" }</button>
                    </span>
                </div>
                <div class="segment">{ "CPU " }{ millis_field(props, idx, format!("{} CPU time", kind.name), kind.cpu_ms, false) }</div>
                <div class="segment wait">{ "I/O " }{ millis_field(props, idx, format!("{} I/O time", kind.name), kind.io_ms, true) }</div>
            </li>
        }
    });
    let on_add = editor(props, |_: MouseEvent| Edit::AddRequestType);

    // Number fields are bounded to the field's range before they dispatch.
    let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    let on_processes = editor(props, move |n: u64| Edit::Processes(count(n)));
    let on_threads = editor(props, move |n: u64| Edit::Threads(count(n)));
    let on_offload = editor(props, move |n: u64| Edit::Offload(count(n)));
    let on_cores = editor(props, move |n: u64| Edit::Cores(count(n)));
    let on_gil = checkbox_editor(props, Edit::Gil);
    let on_balancer = select_editor(props, Edit::Balancer);
    let on_arrival = select_editor(props, Edit::Arrival);
    let on_rate = editor(props, Edit::Rate);
    let on_requests = editor(props, move |n: u64| Edit::Requests(count(n)));
    let on_burst = editor(props, move |n: u64| Edit::Burst(count(n)));
    let on_seed = editor(props, Edit::Seed);
    let on_backlog_limit = checkbox_editor(props, |on| Edit::Backlog(on.then_some(1024)));
    let on_backlog = editor(props, move |n: u64| Edit::Backlog(Some(count(n))));
    let on_timeout_limit = checkbox_editor(props, |on| Edit::Timeout(on.then_some(10_000.0)));
    let on_timeout = editor(props, |ms: f64| Edit::Timeout(Some(ms)));
    let on_process_mb = editor(props, Edit::ProcessMb);
    let on_thread_mb = editor(props, Edit::ThreadMb);
    let on_connection_kb = editor(props, Edit::ConnectionKb);
    // What the user typed stays as typed while it means the scenario shown
    // (no reformatting under the cursor); an edit from elsewhere replaces it.
    let typed = use_state(|| None::<String>);
    let json_shown = match &*typed {
        Some(text)
            if ServersScenario::from_json(text).is_ok_and(|parsed| parsed == **s)
                || props.draft_error.is_some() && props.json == *text =>
        {
            text.clone()
        }
        _ => props.json.clone(),
    };
    let on_json = {
        let dispatch = props.dispatch.clone();
        let typed = typed.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(area) = form::target::<HtmlTextAreaElement>(&event) {
                typed.set(Some(area.value()));
                dispatch.dispatch(Action::EditJson(area.value()));
            }
        })
    };
    let on_discard = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::DiscardDraft))
    };
    let balancer = serde_id(server.balancer);
    let arrival = serde_id(traffic.arrival);

    html! {
        <div class="servers-settings">
            <h3>{ "Server" }</h3>
            if let Some(error) = &props.error {
                <p class="field-error" role="alert" data-testid="settings-error">{ format!("Not applied: {error}") }</p>
            }
            <div class="form-grid">
                <label>{ "Processes (P)" }</label>
                <NumberField value={server.processes as u64} min={1} max={MAX_PROCESSES as u64} label="Processes" on_change={on_processes} />
                <label>{ "Threads (T)" }</label>
                <NumberField value={server.threads as u64} min={1} max={MAX_THREADS as u64} label="Threads" on_change={on_threads} />
                <label for="gil">{ "GIL" }</label>
                <span><input id="gil" type="checkbox" checked={server.gil} onchange={on_gil} />{ " one thread per process computes at a time" }</span>
                <label>{ "Offload pool" }</label>
                <NumberField value={server.offload as u64} min={0} max={MAX_OFFLOAD as u64} label="Evented offload threads" unit="threads (evented)" on_change={on_offload} />
                <label>{ "Load balancer" }</label>
                <select aria-label="Load balancer" onchange={on_balancer}>
                    <option value="round_robin" selected={balancer == "round_robin"}>{ "round robin" }</option>
                    <option value="least_outstanding" selected={balancer == "least_outstanding"}>{ "least outstanding" }</option>
                    <option value="random" selected={balancer == "random"}>{ "random" }</option>
                </select>
                <label>{ "Cores" }</label>
                <NumberField value={server.cores as u64} min={1} max={MAX_CORES as u64} label="Cores" on_change={on_cores} />
            </div>
            <h3>{ "Traffic" }</h3>
            <div class="form-grid">
                <label>{ "Arrivals" }</label>
                <select aria-label="Arrivals" onchange={on_arrival}>
                    <option value="poisson" selected={arrival == "poisson"}>{ "Poisson (random)" }</option>
                    <option value="constant" selected={arrival == "constant"}>{ "evenly spaced" }</option>
                    <option value="bursts" selected={arrival == "bursts"}>{ "bursts" }</option>
                </select>
                <label>{ "Rate" }</label>
                <DecimalField value={traffic.rate} min={0.01} max={MAX_RATE} label="Arrival rate" unit="requests/s" on_change={on_rate} />
                <label>{ "Requests" }</label>
                <NumberField value={traffic.requests as u64} min={1} max={MAX_REQUESTS as u64} label="Requests" on_change={on_requests} />
                if traffic.arrival == ArrivalPattern::Bursts {
                    <label>{ "Burst size" }</label>
                    <NumberField value={traffic.burst as u64} min={1} max={MAX_REQUESTS as u64} label="Burst size" on_change={on_burst} />
                }
                <label>{ "Seed" }</label>
                <NumberField value={traffic.seed} min={0} max={u32::MAX as u64} label="Seed" on_change={on_seed} />
                <label for="backlog-on">{ "Backlog" }</label>
                <span>
                    <input id="backlog-on" type="checkbox" checked={s.backlog.is_some()} onchange={on_backlog_limit} aria-label="Limit the backlog" />
                    if let Some(backlog) = s.backlog {
                        <NumberField value={backlog as u64} min={0} max={MAX_BACKLOG as u64} label="Backlog capacity" unit="waiting" on_change={on_backlog} />
                    } else { { " no limit" } }
                </span>
                <label for="timeout-on">{ "Timeout" }</label>
                <span>
                    <input id="timeout-on" type="checkbox" checked={s.timeout_ms.is_some()} onchange={on_timeout_limit} aria-label="Clients time out" />
                    if let Some(timeout) = s.timeout_ms {
                        <DecimalField value={timeout} min={0.001} max={MAX_TIMEOUT_MS} label="Timeout" unit="ms" on_change={on_timeout} />
                    } else { { " none" } }
                </span>
            </div>
            <h3>{ "Request mix" }</h3>
            <p class="note">{ "Each request computes (CPU), then waits on blocking I/O." }</p>
            <ul class="tasks">{ for mix_rows }</ul>
            <button class="add-task" onclick={on_add} disabled={s.mix.len() >= MAX_TYPES}>{ "+ Add a request type" }</button>
            <h3>{ "Memory model" }</h3>
            <div class="form-grid">
                <label>{ "Per process" }</label>
                <DecimalField value={s.memory.process_mb} min={0.0} max={1e6} label="Memory per process" unit="MB" on_change={on_process_mb} />
                <label>{ "Per thread" }</label>
                <DecimalField value={s.memory.thread_mb} min={0.0} max={1e6} label="Memory per thread" unit="MB" on_change={on_thread_mb} />
                <label>{ "Per connection" }</label>
                <DecimalField value={s.memory.connection_kb} min={0.0} max={1e6} label="Memory per connection" unit="KB" on_change={on_connection_kb} />
            </div>
            <details class="json-editor" open={props.draft_error.is_some()}>
                <summary>{ "Scenario as JSON" }</summary>
                <textarea aria-label="Scenario JSON" spellcheck="false" rows="16" value={json_shown} oninput={on_json} data-testid="servers-json" />
                if let Some(error) = &props.draft_error {
                    <p class="field-error" role="alert" data-testid="json-error">{ format!("Not applied: {error}. The last valid scenario is still shown.") }</p>
                    <button onclick={on_discard}>{ "Discard my edits" }</button>
                }
                <p class="note">{ "The format is in docs/servers-format.md; the same file runs with " }<code>{ "interleave run" }</code>{ "." }</p>
            </details>
        </div>
    }
}
