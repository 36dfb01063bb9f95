//! The explorer panel: every interleaving from the state at the cursor,
//! computed in a worker (`web/races-worker.js`, its own wasm instance) so
//! the page stays responsive; progress while it runs, cancel (the worker
//! is terminated), an outcome histogram, and the shortest failing schedule
//! loaded into the timeline with one click.

use std::cell::RefCell;
use std::rc::Rc;

use interleave_core::races::Program;
use interleave_core::races::explore::Report;
use interleave_core::races::limits;
use interleave_core::races_lab::Action;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use super::RacesState;
use crate::components::form;
use crate::web::main_js_url;

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Idle,
    Running {
        states: f64,
        outcomes: f64,
        shortening: bool,
    },
    Done {
        report: Rc<Report>,
        /// The steps taken before the explored state.
        prefix: Vec<usize>,
    },
    Cancelled,
    Failed(String),
}

#[derive(Properties)]
pub struct ExplorerPanelProps {
    pub program: Rc<Program>,
    pub source: String,
    pub prefix: Vec<usize>,
    pub dispatch: UseReducerDispatcher<RacesState>,
    pub takeaway: Option<&'static str>,
}

impl PartialEq for ExplorerPanelProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.program, &other.program)
            && self.source == other.source
            && self.prefix == other.prefix
            && self.takeaway == other.takeaway
    }
}

/// The worker running now, and its message handler (kept alive with it).
type Running = Option<(web_sys::Worker, Closure<dyn FnMut(web_sys::MessageEvent)>)>;

fn field(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn start(
    source: &str,
    prefix: &[usize],
    reduction: bool,
    status: UseStateHandle<Status>,
    running: Rc<RefCell<Running>>,
) -> Result<(), String> {
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options("./races-worker.js", &options)
        .map_err(|err| format!("{err:?}"))?;
    let prefix_owned = prefix.to_vec();
    let on_message = {
        let running = running.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let data = event.data();
            match field(&data, "type").as_string().as_deref() {
                Some("progress") => status.set(Status::Running {
                    states: field(&data, "states").as_f64().unwrap_or(0.0),
                    outcomes: field(&data, "outcomes").as_f64().unwrap_or(0.0),
                    shortening: field(&data, "shortening").as_bool().unwrap_or(false),
                }),
                Some("done") => {
                    let json = field(&data, "json").as_string().unwrap_or_default();
                    let next = match serde_json::from_str::<Report>(&json) {
                        Ok(report) => Status::Done {
                            report: Rc::new(report),
                            prefix: prefix_owned.clone(),
                        },
                        Err(_) => {
                            let error = serde_json::from_str::<serde_json::Value>(&json)
                                .ok()
                                .and_then(|value| value["error"].as_str().map(str::to_owned))
                                .unwrap_or(json);
                            Status::Failed(error)
                        }
                    };
                    status.set(next);
                    if let Some((worker, _)) = running.borrow_mut().take() {
                        worker.terminate();
                    }
                }
                _ => {}
            }
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let message = js_sys::Object::new();
    let schedule = js_sys::Array::new();
    for thread in prefix {
        schedule.push(&JsValue::from(*thread as u32));
    }
    let fields: [(&str, JsValue); 6] = [
        ("mainJS", main_js_url().into()),
        ("module", wasm_bindgen::module()),
        ("source", source.into()),
        ("schedule", schedule.into()),
        ("reduction", reduction.into()),
        ("maxStates", (limits::DEFAULT_MAX_STATES as u32).into()),
    ];
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&message, &key.into(), &value);
    }
    worker
        .post_message(&message)
        .map_err(|err| format!("{err:?}"))?;
    *running.borrow_mut() = Some((worker, on_message));
    Ok(())
}

#[function_component(ExplorerPanel)]
pub fn explorer_panel(props: &ExplorerPanelProps) -> Html {
    let status = use_state(|| Status::Idle);
    let running: Rc<RefCell<Running>> = use_mut_ref(|| None);
    let reduction = use_state(|| true);
    {
        let running = running.clone();
        use_effect_with((), move |_| {
            move || {
                if let Some((worker, _)) = running.borrow_mut().take() {
                    worker.terminate();
                }
            }
        });
    }
    let on_explore = {
        let status = status.clone();
        let running = running.clone();
        let source = props.source.clone();
        let prefix = props.prefix.clone();
        let reduction = *reduction;
        Callback::from(move |_: MouseEvent| {
            if let Some((worker, _)) = running.borrow_mut().take() {
                worker.terminate();
            }
            status.set(Status::Running {
                states: 0.0,
                outcomes: 0.0,
                shortening: false,
            });
            if let Err(error) = start(&source, &prefix, reduction, status.clone(), running.clone())
            {
                status.set(Status::Failed(format!(
                    "This browser could not start a worker for the explorer ({error})."
                )));
            }
        })
    };
    let on_cancel = {
        let status = status.clone();
        let running = running.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some((worker, _)) = running.borrow_mut().take() {
                worker.terminate();
            }
            status.set(Status::Cancelled);
        })
    };
    let on_reduction = {
        let reduction = reduction.clone();
        Callback::from(move |event: Event| reduction.set(form::checked(&event)))
    };
    let program = &props.program;
    let load = |prefix: &[usize], names: &[String]| {
        let mut schedule = prefix.to_vec();
        schedule.extend(names.iter().filter_map(|name| program.thread_index(name)));
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            dispatch.dispatch(Action::LoadSchedule(schedule.clone()))
        })
    };
    let is_running = matches!(*status, Status::Running { .. });
    let body = match &*status {
        Status::Idle => html! {
            <p class="note">{ "The explorer runs every possible interleaving from the step shown (your steps so far stay fixed) and groups them by final state." }</p>
        },
        Status::Running {
            states,
            outcomes,
            shortening,
        } => html! {
            <p class="status" role="status" data-testid="explore-progress">
                { if *shortening { "Looking for the shortest failing schedule… " } else { "Exploring… " } }
                { format!("{states:.0} states, {outcomes:.0} outcomes so far") }
            </p>
        },
        Status::Cancelled => html! { <p class="status" role="status">{ "Cancelled." }</p> },
        Status::Failed(error) => {
            html! { <p class="notice error" role="alert">{ error.clone() }</p> }
        }
        Status::Done { report, prefix } => {
            let most = report.most_common_count();
            let rows = report.outcomes.iter().map(|outcome| {
                let share = outcome.count as f64 / most as f64 * 100.0;
                html! {
                    <li class={classes!("outcome", outcome.outcome.failing.then_some("failing"))}>
                        <div class="outcome-head">
                            <code class="outcome-values">{ outcome.outcome.values_text() }</code>
                            <span class="outcome-count">{ format!("{} schedule{}", outcome.count, if outcome.count == 1 { "" } else { "s" }) }</span>
                            if outcome.outcome.failing { <span class="badge fail">{ "fails" }</span> }
                            <button class="link-button" onclick={load(prefix, &outcome.example)}>{ "Show one" }</button>
                        </div>
                        <div class="outcome-bar" style={format!("width:{share:.1}%")} />
                        <p class="outcome-result">{ outcome.outcome.result.clone() }</p>
                    </li>
                }
            });
            let stale = *prefix != props.prefix;
            html! {
                <div data-testid="explore-result">
                    <p class="explore-summary">
                        <strong>{ format!("{} interleavings", report.interleavings) }</strong>
                        { format!(
                            " from step {}, {} states visited ({}).",
                            prefix.len(),
                            report.states,
                            if report.reduction { "equal states merged, independent steps taken in one order" } else { "every schedule, no reduction" }
                        ) }
                        if !report.complete {
                            <strong class="warn">{ format!(" Stopped at the cap of {} states: this is part of the whole.", limits::DEFAULT_MAX_STATES) }</strong>
                        }
                        if report.cycles { { " Some schedules can loop forever (spinning); those are not counted." } }
                        if stale { <em>{ " The run has moved since: explore again for the step shown." }</em> }
                    </p>
                    <p class="explore-verdicts">
                        { format!("Deadlocks: {} · failing schedules: {}", report.deadlocks, report.failing) }
                        if let Some(reachable) = report.goal_reachable {
                            { if reachable { " · the goal can be met" } else { " · the goal cannot be met" } }
                        }
                    </p>
                    <ul class="outcomes" data-testid="outcomes">{ for rows }</ul>
                    if report.shortest_failing.as_ref().is_some_and(Vec::is_empty) {
                        <p class="shortest">{ "The state shown has already failed." }</p>
                    } else if let Some(shortest) = &report.shortest_failing {
                        <p class="shortest">
                            { format!("Shortest failing schedule ({} steps): ", shortest.len()) }
                            <code data-testid="shortest">{ shortest.join(" ") }</code>{ " " }
                            <button class="primary" onclick={load(prefix, shortest)} data-testid="load-shortest">{ "Load into the timeline" }</button>
                        </p>
                    } else {
                        <p class="shortest">{ "No schedule fails." }</p>
                    }
                    if let Some(takeaway) = props.takeaway {
                        <p class="takeaway">{ takeaway }</p>
                    }
                </div>
            }
        }
    };
    html! {
        <div class="explorer">
            <h3>{ "Explore every interleaving" }</h3>
            <div class="explorer-controls">
                <button class="primary" onclick={on_explore} disabled={is_running} data-testid="explore">{ "Explore" }</button>
                if is_running {
                    <button onclick={on_cancel} data-testid="cancel-explore">{ "Cancel" }</button>
                }
                <label><input type="checkbox" checked={*reduction} onchange={on_reduction} />{ " merge equal states and reorder independent steps (faster)" }</label>
            </div>
            { body }
        </div>
    }
}
