//! The page: the Models comparison and the Parallel panel.

use std::rc::Rc;

use interleave_core::Scenario;
use interleave_core::metrics::Metrics;
use interleave_core::models::simulate;
use interleave_core::scenario::{Model, Segment};
use interleave_core::trace::Trace;
use yew::prelude::*;

use crate::components::{Legend, MetricsTable, Run, Timeline};

mod parallel_panel;

use parallel_panel::ParallelPanel;

#[function_component(App)]
pub fn app() -> Html {
    html! {
        <>
            <header class="site-header">
                <h1>{ "Interleave" }</h1>
                <p class="tagline">{ "See and feel concurrency: every run below is simulated or measured right here in your browser." }</p>
            </header>
            <main>
                <ModelsComparison />
                <ParallelPanel />
            </main>
        </>
    }
}

struct ComparedRun {
    model: Model,
    trace: Rc<Trace>,
    metrics: Metrics,
}

#[function_component(ModelsComparison)]
fn models_comparison() -> Html {
    let scenario = use_memo((), |_| Scenario::default_models());
    let runs = use_memo(scenario.clone(), |scenario| {
        [Model::sync(1), Model::asynchronous(1)]
            .into_iter()
            .map(|model| {
                let trace = simulate(scenario, model);
                let metrics = Metrics::of(&trace);
                ComparedRun {
                    model,
                    trace: Rc::new(trace),
                    metrics,
                }
            })
            .collect::<Vec<_>>()
    });
    let axis_end = runs.iter().map(|run| run.trace.end).max();
    let unit = runs[0].trace.unit.clone();
    let timelines = runs.iter().map(|run| {
        let heading = match run.model.kind {
            interleave_core::scenario::ModelKind::Sync => "Synchronous, 1 thread",
            interleave_core::scenario::ModelKind::Async => "Asynchronous, 1 thread (an event loop)",
        };
        html! {
            <section class="run" data-model={run.model.label()}>
                <h3>{ heading }<span class="makespan-badge">{ format!("done at {} {unit}", run.metrics.makespan) }</span></h3>
                <Timeline trace={run.trace.clone()} axis_end={axis_end} label={run.model.label()} />
            </section>
        }
    });
    let table_runs: Vec<Run> = runs
        .iter()
        .map(|run| Run {
            label: run.model.label().into(),
            metrics: run.metrics.clone(),
        })
        .collect();
    html! {
        <section class="lab" id="models" aria-labelledby="models-title">
            <h2 id="models-title">{ "Synchronous vs asynchronous" }</h2>
            <p class="lead">
                { "The same three requests, each computing, waiting on a database, then computing again. " }
                { "The synchronous thread is held while a request waits (hatched); the event loop parks the waiting request and runs the next one, so the waits overlap." }
            </p>
            <p class="workload">{ describe(&scenario) }</p>
            { for timelines }
            <Legend trace={runs[0].trace.clone()} />
            <MetricsTable runs={table_runs} unit={unit.clone()} />
        </section>
    }
}

/// "A, B, C: compute 10 ms, wait 50 ms, compute 10 ms".
fn describe(scenario: &Scenario) -> String {
    let unit = scenario.unit.symbol();
    let steps = |segments: &[Segment]| {
        segments
            .iter()
            .map(|segment| match segment {
                Segment::Compute(d) => format!("compute {d} {unit}"),
                Segment::Wait { duration, on } => {
                    format!("wait {duration} {unit} on {}", on.noun())
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    scenario
        .tasks
        .iter()
        .enumerate()
        .map(|(idx, task)| format!("{}: {}", scenario.task_name(idx), steps(&task.segments)))
        .collect::<Vec<_>>()
        .join(" · ")
}
