//! The load sweep: p99 latency of every model at 20 offered loads, run in
//! a worker (`web/worker.js`, its own wasm instance) so the page stays
//! responsive, with progress and cancel. Each load point comes back as it
//! completes, so a cancelled sweep still shows the loads it reached.

use std::rc::Rc;

use interleave_core::servers::jobs::{Done, Job, Progress, ServersJobs};
use interleave_core::servers::lab::Action;
use interleave_core::servers::scenario::MAX_RATE;
use interleave_core::servers::{self, ServersScenario, SweepPoint};
use yew::prelude::*;

use super::Dispatch;
use super::charts::SweepChart;
use crate::components::{DecimalField, form};
use crate::workers::{JobSlot, start_in, use_job_slot};

/// Load points per sweep.
const POINTS: u32 = servers::SWEEP_POINTS as u32;

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Idle,
    Running {
        done: f64,
        total: f64,
    },
    Done {
        points: Rc<Vec<SweepPoint>>,
        /// The scenario the sweep ran on.
        of: Rc<ServersScenario>,
        millis: f64,
    },
    /// Stopped by the user: the whole load points computed before.
    Cancelled {
        points: Rc<Vec<SweepPoint>>,
        max_rate: f64,
    },
    Failed(String),
}

#[derive(Properties)]
pub struct SweepPanelProps {
    pub scenario: Rc<ServersScenario>,
    pub sweep_max: Option<f64>,
    pub dispatch: Dispatch,
}

impl PartialEq for SweepPanelProps {
    fn eq(&self, other: &Self) -> bool {
        self.scenario == other.scenario && self.sweep_max == other.sweep_max
    }
}

#[function_component(SweepPanel)]
pub fn sweep_panel(props: &SweepPanelProps) -> Html {
    let status = use_state(|| Status::Idle);
    let running: JobSlot<ServersJobs> = use_job_slot();
    // The load points of the sweep in progress, as they arrive.
    let partial = use_mut_ref(Vec::<SweepPoint>::new);
    let max_rate = props
        .sweep_max
        .unwrap_or_else(|| servers::default_max_rate(&props.scenario));
    let on_sweep = {
        let status = status.clone();
        let running = running.clone();
        let scenario = props.scenario.clone();
        let partial = partial.clone();
        Callback::from(move |_: MouseEvent| {
            running.borrow_mut().take();
            partial.borrow_mut().clear();
            status.set(Status::Running {
                done: 0.0,
                total: (POINTS * 4) as f64,
            });
            let started = crate::web::performance_now();
            let (progress, status_in) = (status.clone(), status.clone());
            let of = scenario.clone();
            let partial_in = partial.clone();
            let sweep = Job::Sweep {
                scenario: scenario.to_json(),
                max_rate,
                points: POINTS as usize,
            };
            let job = start_in(
                &running,
                sweep,
                move |Progress::Sweep { done, total, point }| {
                    partial_in.borrow_mut().extend(point);
                    progress.set(Status::Running {
                        done: done as f64,
                        total: total as f64,
                    })
                },
                move |answer| {
                    status_in.set(match answer {
                        Ok(Done::Swept { points }) => Status::Done {
                            points: Rc::new(points),
                            of,
                            millis: crate::web::performance_now() - started,
                        },
                        Err(message) => Status::Failed(message),
                    })
                },
            );
            if let Err(error) = job {
                status.set(Status::Failed(format!(
                    "This browser could not start a worker for the sweep ({error})."
                )));
            }
        })
    };
    let on_cancel = {
        let (running, status, partial) = (running.clone(), status.clone(), partial.clone());
        Callback::from(move |_: MouseEvent| {
            running.borrow_mut().take();
            status.set(Status::Cancelled {
                points: Rc::new(std::mem::take(&mut *partial.borrow_mut())),
                max_rate,
            });
        })
    };
    let on_max = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |max: f64| dispatch.dispatch(Action::SetSweepMax(Some(max))))
    };
    let is_running = matches!(*status, Status::Running { .. });
    let body = match &*status {
        Status::Idle => html! {
            <p class="note">{ format!("Runs all four models at {POINTS} loads from {:.0} to {max_rate:.0} requests/s ({} requests each) and draws the p99 latency of each.", max_rate / POINTS as f64, props.scenario.traffic.requests) }</p>
        },
        Status::Running { done, total } => html! {
            <p class="status" role="status" data-testid="sweep-progress">
                <progress max={total.to_string()} value={done.to_string()} />
                { format!(" {done:.0} of {total:.0} runs") }
            </p>
        },
        Status::Cancelled { points, max_rate } => html! {
            <div>
                <p class="status" role="status" data-testid="sweep-cancelled">
                    { format!("Cancelled after {} of {POINTS} loads", points.len()) }
                    { if points.is_empty() { "." } else { ": the chart shows the loads it reached." } }
                </p>
                if !points.is_empty() {
                    <SweepChart points={points.clone()} rate={props.scenario.traffic.rate} max_rate={*max_rate} />
                }
            </div>
        },
        Status::Failed(error) => {
            html! { <p class="notice error" role="alert">{ error.clone() }</p> }
        }
        Status::Done { points, of, millis } => {
            let stale = !interleave_core::servers::same_sweep(of, &props.scenario);
            html! {
                <div data-testid="sweep-result">
                    <SweepChart points={points.clone()} rate={props.scenario.traffic.rate} max_rate={max_rate} />
                    <p class="note">{ format!("{} runs of {} requests in {:.0} ms, off the page's main thread.", points.len() * 4, of.traffic.requests, millis) }
                        if stale { <em>{ " The scenario has changed since: sweep again to update." }</em> }
                    </p>
                </div>
            }
        }
    };
    html! {
        <div class="sweep">
            <h3>{ "Where does each model break? p99 latency against load" }</h3>
            <div class="explorer-controls">
                <button class="primary" onclick={form::when_enabled(!(is_running), on_sweep)} aria-disabled={(is_running).to_string()} data-testid="sweep">{ "Sweep the load" }</button>
                if is_running {
                    <button onclick={on_cancel} data-testid="cancel-sweep">{ "Cancel" }</button>
                }
                <label>{ "up to " }
                    <DecimalField value={max_rate} min={0.01} max={MAX_RATE} label="Sweep up to" unit="requests/s" on_change={on_max} />
                </label>
            </div>
            { body }
        </div>
    }
}
