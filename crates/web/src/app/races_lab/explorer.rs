//! The explorer panel: every interleaving from the state at the cursor,
//! computed in a worker (`web/worker.js`, its own wasm instance) so
//! the page stays responsive; progress while it runs, cancel (the worker
//! is terminated), an outcome histogram, the shortest failing schedule
//! loaded into the timeline with one click, and starvation and livelock
//! as lassos (a schedule, then a cycle that can repeat for ever).

use std::rc::Rc;

use interleave_core::count;
use interleave_core::races::Program;
use interleave_core::races::explore::{self, Verdict};
use interleave_core::races::jobs::{Done, Job, Progress, RacesJobs};
use interleave_core::races::lab::Action;
use interleave_core::races::limits;
use interleave_core::races::liveness::{Lasso, Liveness};
use interleave_core::races::sample::{SampleOptions, SampleReport};
use yew::prelude::*;

use super::Dispatch;
use crate::components::form;
use crate::workers::{JobSlot, cancel_callback, start_in, use_job_slot};

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Idle,
    Running {
        states: f64,
        outcomes: f64,
        shortening: bool,
        liveness: bool,
    },
    Done {
        report: Rc<explore::Report>,
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
    pub dispatch: Dispatch,
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
    running: JobSlot<RacesJobs>,
) -> Result<(), String> {
    let prefix_owned = prefix.to_vec();
    let explore = Job::Explore {
        source: source.to_owned(),
        schedule: prefix.to_vec(),
        options: explore::Options {
            reduction,
            max_states: limits::DEFAULT_MAX_STATES,
            ..explore::Options::default()
        },
    };
    let progress = status.clone();
    start_in(
        &running,
        explore,
        move |at| {
            if let Progress::Explore(at) = at {
                progress.set(Status::Running {
                    states: at.states as f64,
                    outcomes: at.outcomes as f64,
                    shortening: at.shortening,
                    liveness: at.liveness,
                })
            }
        },
        move |answer| {
            status.set(match answer {
                Ok(Done::Explored(report)) => Status::Done {
                    report: Rc::new(*report),
                    prefix: prefix_owned,
                },
                Ok(_) => Status::Failed("the worker answered another job".to_owned()),
                Err(message) => Status::Failed(message),
            })
        },
    )?;
    Ok(())
}

#[function_component(ExplorerPanel)]
pub fn explorer_panel(props: &ExplorerPanelProps) -> Html {
    let status = use_state(|| Status::Idle);
    let running: JobSlot<RacesJobs> = use_job_slot();
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
                liveness: false,
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
            liveness,
        } => html! {
            <p class="status" role="status" data-testid="explore-progress">
                { if *liveness {
                    "Looking for starvation and livelock in the whole state graph… "
                } else if *shortening {
                    "Looking for the shortest failing schedule… "
                } else {
                    "Exploring… "
                } }
                { format!("{states:.0} states, {outcomes:.0} outcomes so far") }
            </p>
        },
        Status::Cancelled => html! { <p class="status" role="status">{ "Cancelled." }</p> },
        Status::Failed(error) => {
            html! { <p class="notice error" role="alert">{ error.clone() }</p> }
        }
        Status::Done { report, prefix } => {
            let has_goal = report.goal_reachable.is_some();
            let liveness_goal = program.goal.is_some_and(|goal| goal.is_liveness());
            let most = report.most_bar_count();
            let rows = report.outcomes.iter().map(|outcome| {
                let share = count::share(report.bar_count(outcome), most, 1000) as f64 / 10.0;
                html! {
                    <li class={classes!("outcome", outcome.outcome.failing.then_some("failing"))}>
                        <div class="outcome-head">
                            <code class="outcome-values">{ outcome.outcome.values_text() }</code>
                            <span class="outcome-count" data-orders={outcome.count.to_string()}
                                data-schedules={outcome.schedules.map(|n| n.to_string()).unwrap_or_default()}>{ report.outcome_counts_text(outcome) }</span>
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
                        <strong data-testid="explore-counts">{ report.counts_text() }</strong>
                        { format!(
                            " from step {}, {} states visited ({}).",
                            prefix.len(),
                            report.states,
                            if report.reduction { "equal states merged, independent steps taken in one order" } else { "every schedule, no reduction" }
                        ) }
                        if let Some(stop) = report.stopped {
                            <strong class="warn" data-testid="explore-stopped">{ format!(" Stopped early: {}. This is part of the whole, so it proves nothing about the rest.", stop.text()) }</strong>
                        }
                        if report.cycles { { " Some schedules can loop for ever: they end in no outcome, so they are not counted here; starvation and livelock are looked for below." } }
                        if stale { <em>{ " The run has moved since: explore again for the step shown." }</em> }
                    </p>
                    if let Some(meaning) = report.counts_meaning() {
                        <p class="note" data-testid="counts-meaning">{ meaning }</p>
                    }
                    <p class="explore-verdicts">
                        { format!("Deadlocks: {} · failing: {}", report.failing_text(true), report.failing_text(false)) }
                        if let Some(verdict) = report.goal_reachable {
                            <span data-testid="goal-verdict" data-verdict={format!("{verdict:?}").to_ascii_lowercase()}>{ match verdict {
                                Verdict::Reached => " · the goal can be met".to_owned(),
                                Verdict::Unreachable => " · the goal cannot be met: every reachable state was explored".to_owned(),
                                Verdict::Unknown => format!(" · the goal: unknown (not met in the {} states searched)", report.states),
                            } }</span>
                        }
                    </p>
                    <ul class="outcomes" data-testid="outcomes">{ for rows }</ul>
                    if liveness_goal {
                        // Met by a cycle, not an end: the lassos below.
                    } else if report.shortest_failing.as_ref().is_some_and(Vec::is_empty) {
                        <p class="shortest">{ "The state shown has already failed." }</p>
                    } else if let Some(shortest) = &report.shortest_failing {
                        <p class="shortest">
                            { format!("Shortest {} ({} steps): ", if has_goal { "schedule that meets the goal" } else { "failing schedule" }, shortest.len()) }
                            <code data-testid="shortest">{ shortest.join(" ") }</code>{ " " }
                            <button class="primary" onclick={load(prefix, shortest)} data-testid="load-shortest">{ "Load into the timeline" }</button>
                        </p>
                    } else if !report.complete {
                        <p class="shortest">{ if has_goal { "No schedule that meets the goal in the part searched." } else { "No failing schedule in the part searched." } }</p>
                    } else {
                        <p class="shortest good" data-testid="no-failure">{ report.nothing_fails_text(has_goal) }</p>
                    }
                    if let Some(liveness) = &report.liveness {
                        { liveness_view(liveness, &load, prefix) }
                    }
                    if report.stopped.is_some() {
                        <SamplePanel source={props.source.clone()} prefix={prefix.clone()}
                            program={props.program.clone()} dispatch={props.dispatch.clone()} has_goal={has_goal} />
                    }
                    if let Some(takeaway) = props.takeaway {
                        <p class="takeaway">{ crate::components::prose::with_code(takeaway) }</p>
                    }
                </div>
            }
        }
    };
    html! {
        <div class="explorer">
            <h3>{ "Explore every interleaving" }</h3>
            <div class="explorer-controls">
                <button class="primary" onclick={form::when_enabled(!(is_running), on_explore)} aria-disabled={(is_running).to_string()} data-testid="explore">{ "Explore" }</button>
                if is_running {
                    <button onclick={on_cancel} data-testid="cancel-explore">{ "Cancel" }</button>
                }
                <label><input type="checkbox" checked={*reduction} onchange={on_reduction} />{ " merge equal states and reorder independent steps (faster)" }</label>
            </div>
            { body }
        </div>
    }
}

/// Makes the callback that loads steps (after the explored state's prefix)
/// into the timeline.
type Loader<'a> = &'a dyn Fn(&[usize], &[String]) -> Callback<MouseEvent>;

/// How many times a loaded lasso's cycle is played.
const LASSO_ROUNDS: usize = 3;

/// Starvation and livelock, each with its lasso and a button that loads
/// it with the cycle played a few times.
fn liveness_view(liveness: &Liveness, load: Loader<'_>, prefix: &[usize]) -> Html {
    let lasso_row = |label: String, lasso: &Lasso, testid: String| {
        let mut steps = lasso.prefix.clone();
        for _ in 0..LASSO_ROUNDS {
            steps.extend(lasso.cycle.iter().cloned());
        }
        html! {
            <li class="lasso" data-testid={testid}>
                <strong>{ label }</strong>{ " " }
                <code>{ lasso.prefix.join(" ") }</code>
                { if lasso.prefix.is_empty() { "then for ever: " } else { " then for ever: " } }
                <code class="lasso-cycle">{ format!("( {} )", lasso.cycle.join(" ")) }</code>{ " " }
                <button class="link-button" onclick={load(prefix, &steps)}>
                    { format!("Load, the loop {LASSO_ROUNDS} times") }
                </button>
            </li>
        }
    };
    let rows = liveness
        .starvation
        .iter()
        .map(|lasso| {
            let thread = lasso.thread.clone().unwrap_or_default();
            lasso_row(
                format!("Starvation: {thread} never makes progress while others do:"),
                lasso,
                format!("starve-{thread}"),
            )
        })
        .chain(liveness.livelock.iter().map(|lasso| {
            lasso_row(
                "Livelock: the threads keep running and none makes progress:".to_owned(),
                lasso,
                "livelock".to_owned(),
            )
        }))
        .collect::<Vec<_>>();
    html! {
        <div class="liveness" data-testid="liveness">
            if rows.is_empty() {
                <p class="note">{ if liveness.complete {
                    format!("No starvation and no livelock: no fair cycle of steps leaves a thread without progress ({} states searched; progress is a progress line or finishing).", liveness.states)
                } else {
                    format!("No starvation or livelock found in the {} states searched, but the search stopped at its cap: that proves nothing.", liveness.states)
                } }</p>
            } else {
                <ul class="lassos">{ for rows }</ul>
            }
        </div>
    }
}

/// How many random schedules one click runs.
const SAMPLE_RUNS: u64 = 20_000;
/// PCT's bug depth: enough for the lessons' races (two or three orderings).
const SAMPLE_DEPTH: u32 = 3;

#[derive(Debug, Clone, PartialEq)]
enum SampleStatus {
    Idle,
    Running { tried: f64, failing: f64 },
    Done(Rc<SampleReport>),
    Cancelled,
    Failed(String),
}

#[derive(Properties)]
struct SamplePanelProps {
    source: String,
    prefix: Vec<usize>,
    program: Rc<Program>,
    dispatch: Dispatch,
    has_goal: bool,
}

impl PartialEq for SamplePanelProps {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
            && self.prefix == other.prefix
            && self.has_goal == other.has_goal
    }
}

/// When the explorer stopped early: random schedules (PCT) from the same
/// step, which can find a failure (with its schedule) but never prove
/// there is none. Each click samples with the next seed.
#[function_component(SamplePanel)]
fn sample_panel(props: &SamplePanelProps) -> Html {
    let status = use_state(|| SampleStatus::Idle);
    let running: JobSlot<RacesJobs> = use_job_slot();
    let seed = use_mut_ref(|| 0u64);
    let on_sample = {
        let (status, running, seed) = (status.clone(), running.clone(), seed.clone());
        let (source, prefix) = (props.source.clone(), props.prefix.clone());
        Callback::from(move |_: MouseEvent| {
            running.borrow_mut().take();
            *seed.borrow_mut() += 1;
            status.set(SampleStatus::Running {
                tried: 0.0,
                failing: 0.0,
            });
            let sample = Job::Sample {
                source: source.to_string(),
                schedule: prefix.to_vec(),
                options: SampleOptions {
                    runs: SAMPLE_RUNS,
                    seed: *seed.borrow(),
                    depth: SAMPLE_DEPTH,
                },
            };
            let (progress, status_in) = (status.clone(), status.clone());
            let job = start_in(
                &running,
                sample,
                move |at| {
                    if let Progress::Sample { tried, failing } = at {
                        progress.set(SampleStatus::Running {
                            tried: tried as f64,
                            failing: failing as f64,
                        })
                    }
                },
                move |answer| {
                    status_in.set(match answer {
                        Ok(Done::Sampled(report)) => SampleStatus::Done(Rc::new(report)),
                        Ok(_) => SampleStatus::Failed("the worker answered another job".to_owned()),
                        Err(message) => SampleStatus::Failed(message),
                    })
                },
            );
            if let Err(error) = job {
                status.set(SampleStatus::Failed(format!(
                    "This browser could not start a worker for random schedules ({error})."
                )));
            }
        })
    };
    let on_cancel = cancel_callback(&running, &status, SampleStatus::Cancelled);
    let target = if props.has_goal {
        "met the goal"
    } else {
        "failed"
    };
    let body = match &*status {
        SampleStatus::Idle => html! {},
        SampleStatus::Running { tried, failing } => html! {
            <p class="status" role="status" data-testid="sample-progress">
                { format!("Random schedules: {tried:.0} of {SAMPLE_RUNS} tried, {failing:.0} {target}…") }
            </p>
        },
        SampleStatus::Cancelled => html! { <p class="status" role="status">{ "Cancelled." }</p> },
        SampleStatus::Failed(error) => {
            html! { <p class="notice error" role="alert">{ error.clone() }</p> }
        }
        SampleStatus::Done(report) => {
            let found = report.first_failure.as_ref().map(|names| {
                let mut schedule = props.prefix.clone();
                schedule.extend(names.iter().filter_map(|name| props.program.thread_index(name)));
                let dispatch = props.dispatch.clone();
                let load = Callback::from(move |_: MouseEvent| {
                    dispatch.dispatch(Action::LoadSchedule(schedule.clone()))
                });
                html! {
                    <p class="shortest">
                        { format!("First found in run {} ({} steps): ", report.first_failure_run.unwrap_or(0), names.len()) }
                        <code data-testid="sample-schedule">{ names.join(" ") }</code>{ " " }
                        <button class="primary" onclick={load} data-testid="load-sample">{ "Load into the timeline" }</button>
                    </p>
                }
            });
            html! {
                <div data-testid="sample-result" data-tried={report.tried.to_string()} data-failing={report.failing.to_string()}>
                    <p>{ format!("{} random schedules (PCT, depth {}, seed {}): {} {target}.", report.tried, report.depth, report.seed, report.failing) }</p>
                    if let Some(found) = found { { found } } else {
                        <p class="note">{ "None found. Random schedules can only find a failure, never prove there is none: this says nothing about the schedules not tried." }</p>
                    }
                </div>
            }
        }
    };
    let is_running = matches!(*status, SampleStatus::Running { .. });
    html! {
        <div class="sampler">
            <p class="note">{ "The search stopped before the end. Random schedules, each with random thread priorities that change a few times (PCT), often find a failure in such programs quickly." }</p>
            <div class="explorer-controls">
                <button onclick={form::when_enabled(!(is_running), on_sample)} aria-disabled={(is_running).to_string()} data-testid="sample">{ "Keep looking with random schedules" }</button>
                if is_running {
                    <button onclick={on_cancel} data-testid="cancel-sample">{ "Cancel" }</button>
                }
            </div>
            { body }
        </div>
    }
}
