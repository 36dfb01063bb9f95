//! The explorer panel: every interleaving from the state at the cursor,
//! computed in a worker (`web/lab-worker.js`, its own wasm instance) so
//! the page stays responsive; progress while it runs, cancel (the worker
//! is terminated), an outcome histogram, and the shortest failing schedule
//! loaded into the timeline with one click.

use std::rc::Rc;

use interleave_core::races::Program;
use interleave_core::races::explore::Report;
use interleave_core::races::limits;
use interleave_core::races_lab::Action;
use yew::prelude::*;

use super::RacesState;
use crate::components::form;
use crate::worker_job::{
    JobMessage, JobSlot, WorkerJob, arg_f64, cancel_callback, error_of, use_job_slot,
};

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

fn start(
    source: &str,
    prefix: &[usize],
    reduction: bool,
    status: UseStateHandle<Status>,
    running: JobSlot,
) -> Result<(), String> {
    let prefix_owned = prefix.to_vec();
    let schedule: Vec<u32> = prefix.iter().map(|&thread| thread as u32).collect();
    let args = js_sys::Array::of4(
        &source.into(),
        &js_sys::Uint32Array::from(schedule.as_slice()).into(),
        &reduction.into(),
        &(limits::DEFAULT_MAX_STATES as u32).into(),
    );
    let slot = running.clone();
    let job = WorkerJob::start("races_explore", args, move |message| match message {
        JobMessage::Progress(args) => status.set(Status::Running {
            states: arg_f64(&args, 0),
            outcomes: arg_f64(&args, 1),
            shortening: args.get(2).as_bool().unwrap_or(false),
        }),
        JobMessage::Done(json) => {
            status.set(match serde_json::from_str::<Report>(&json) {
                Ok(report) => Status::Done {
                    report: Rc::new(report),
                    prefix: prefix_owned.clone(),
                },
                Err(_) => Status::Failed(error_of(&json)),
            });
            slot.borrow_mut().take();
        }
    })?;
    *running.borrow_mut() = Some(job);
    Ok(())
}

#[function_component(ExplorerPanel)]
pub fn explorer_panel(props: &ExplorerPanelProps) -> Html {
    let status = use_state(|| Status::Idle);
    let running = use_job_slot();
    let reduction = use_state(|| true);
    let on_explore = {
        let status = status.clone();
        let running = running.clone();
        let source = props.source.clone();
        let prefix = props.prefix.clone();
        let reduction = *reduction;
        Callback::from(move |_: MouseEvent| {
            running.borrow_mut().take();
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
    let on_cancel = cancel_callback(&running, &status, Status::Cancelled);
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
