//! The Servers lab page: four I/O concurrency models serve the same
//! traffic. A preset picker with narration (who holds, who breaks, why),
//! a comparison of all four models, the chosen model's workers and cores
//! on the shared timeline, the backlog over time, a latency histogram, the
//! settings (form and JSON), and a load sweep computed in a worker.

mod charts;
mod settings;
mod sweep;

use std::rc::Rc;

use interleave_core::glossary;
use interleave_core::servers::lab::narration::{
    Snapshot, describe_arrival, describe_model, describe_outcomes, describe_utilisation,
};
use interleave_core::servers::lab::{Action, ServersLab};
use interleave_core::servers::presets::{PRESETS, capacity, ms_text, narrate};
use interleave_core::servers::{self, QueuePoint, ServerMetrics, ServerModel, ServersScenario};
use interleave_core::trace::{Time, Trace};
use yew::prelude::*;

use crate::app::lab::{LabDispatch, LabProps, use_lab};
use crate::components::glossary::header;
use crate::components::{Glossary, Timeline, form};

/// What the lab's parts dispatch with: the lab is its own session.
pub type Dispatch = LabDispatch<ServersLab>;

/// The chosen model's run, drawn: its series shared by reference, so a
/// cursor move re-renders without copying them.
#[derive(Debug, PartialEq)]
struct Shown {
    trace: Rc<Trace>,
    queue: Rc<Vec<QueuePoint>>,
    latencies: Rc<Vec<u64>>,
    metrics: ServerMetrics,
}

#[function_component(ServersLabView)]
pub fn servers_lab_view(props: &LabProps<ServersLab>) -> Html {
    let state = use_lab::<ServersLab>(&props.initial, props.embed);
    let lab = &state.session;
    let dispatch = state.dispatcher();
    let scenario = &lab.scenario;

    // All four models on the same requests (the model shown does not matter).
    let comparison: Rc<Vec<ServerMetrics>> = use_memo(
        ServersScenario {
            model: ServerModel::MultiProcess,
            ..scenario.clone()
        },
        servers::compare,
    );
    let shown: Rc<Shown> = use_memo(scenario.clone(), |scenario| {
        let outcome = servers::simulate(scenario, scenario.model, true);
        Shown {
            trace: Rc::new(outcome.trace.expect("recorded")),
            queue: Rc::new(outcome.queue),
            latencies: Rc::new(outcome.latencies),
            metrics: outcome.metrics,
        }
    });
    // The cursor and the view are the lab's (a link keeps them; another
    // run starts afresh).
    let (window, cursor) = (lab.zoom, lab.cursor);
    let timeline = use_node_ref();

    let on_preset = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: Event| {
            if let Some(preset) = form::select_value(&event)
                .and_then(|id| PRESETS.iter().find(|preset| preset.id == id))
            {
                dispatch.dispatch(Action::LoadPreset(preset.id));
            }
        })
    };
    let preset = lab
        .preset
        .as_deref()
        .and_then(|id| PRESETS.iter().find(|p| p.id == id));
    let unchanged = lab.unchanged_preset();
    let presets = PRESETS.iter().map(|candidate| {
        html! { <option value={candidate.id} selected={preset.is_some_and(|p| p.id == candidate.id)}>{ candidate.title }</option> }
    });

    let narration = narrate(scenario, &comparison);
    let trace = shown.trace.clone();
    let end = trace.end.max(1);
    let (from, to) = window.unwrap_or((0, end));
    let zoom = |factor: f64| {
        let center = cursor.unwrap_or((from + to) / 2);
        dispatch.on(Action::Zoom {
            center,
            factor,
            end,
        })
    };
    // By keyboard: the slider's arrows move the cursor a 200th of the
    // view, Page Up and Down a tenth (WCAG 2.1.1).
    let step = ((to - from) / 200).max(1);
    let on_slider = dispatch.reform(move |event: InputEvent| {
        let time = form::input_value(&event)
            .and_then(|value| value.parse::<Time>().ok())
            .unwrap_or(0);
        Action::SetCursor(time.min(end))
    });
    let on_scrub = {
        let dispatch = dispatch.clone();
        Callback::from(move |time: Time| dispatch.dispatch(Action::SetCursor(time)))
    };
    let at_cursor =
        cursor.map(|time| Snapshot::at(&trace, &shown.queue, time).sentence(&trace, time));

    let metrics = &shown.metrics;
    let rows = comparison.iter().map(|m| {
        let (cap, _) = capacity(scenario, m.model);
        let selected = m.model == scenario.model;
        let dispatch = dispatch.clone();
        let model = m.model;
        let cores = if m.core_utilisation.is_empty() {
            0.0
        } else {
            m.core_utilisation.iter().sum::<f64>() / m.core_utilisation.len() as f64
        };
        html! {
            <tr class={classes!(selected.then_some("selected"))} data-model={m.model.id()}>
                <th scope="row">
                    <button class="link-button" aria-pressed={selected.to_string()}
                        onclick={Callback::from(move |_: MouseEvent| dispatch.dispatch(Action::ShowModel(model)))}>
                        { m.model.title() }
                    </button>
                </th>
                <td data-label="Capacity">{ format!("{cap:.0}/s") }</td>
                <td data-label="Throughput">{ format!("{:.1}/s", m.throughput) }</td>
                <td data-label="p50">{ ms_text(m.latency.p50) }</td>
                <td data-label="p95">{ ms_text(m.latency.p95) }</td>
                <td data-label="p99" data-testid="p99">{ ms_text(m.latency.p99) }</td>
                <td data-label="Answered in time" data-testid="answered">{ m.completed }</td>
                <td data-label="Late" class={classes!((m.late > 0).then_some("bad"))} data-testid="late">{ m.late }</td>
                <td data-label="Dropped" class={classes!((m.dropped > 0).then_some("bad"))} data-testid="dropped">{ m.dropped }</td>
                <td data-label="Refused (503)" class={classes!((m.rejected > 0).then_some("bad"))} data-testid="rejected">{ m.rejected }</td>
                <td data-label="Peak memory">{ format!("{:.0} MB", m.peak_memory) }</td>
                <td data-label="Cores busy">{ format!("{:.0} %", cores * 100.0) }</td>
            </tr>
        }
    });
    let title = lab
        .scenario
        .name
        .clone()
        .unwrap_or_else(|| "a server scenario".to_owned());

    html! {
        <section class="lab servers-lab" id="servers" aria-labelledby="servers-title">
            <div class="lab-head">
                <h2 id="servers-title">{ "Servers: I/O concurrency under load" }</h2>
                <p class="lead">{ "The same traffic, four ways to serve it: processes, threads, an event loop, or processes of threads. Find where each one breaks." }</p>
                <crate::app::ShareButton<ServersLab> state={lab.clone()}
                    title={format!("Interleave: {title}")} />
                <crate::components::LabFile<ServersLab> state={lab.clone()} />
            </div>
            <div class="servers-story">
                <label class="preset-picker">{ "Scenario " }
                    <select onchange={on_preset} data-testid="servers-preset">
                        if preset.is_none() { <option selected=true disabled=true>{ "Your own scenario" }</option> }
                        { for presets }
                    </select>
                </label>
                if let Some(preset) = preset {
                    <p class="lesson">{ preset.intro }
                        if unchanged.is_none() { <em>{ " (edited)" }</em> }
                    </p>
                }
                <p class="narration" role="status" data-testid="servers-narration">{ narration }</p>
                if let Some(preset) = unchanged {
                    <p class="takeaway">{ preset.why }</p>
                }
            </div>
            <div class="table-scroll">
            <table class="metrics reflow servers-compare" data-testid="servers-compare">
                <caption>{ format!("{} requests offered at {} requests/s ({}); the row picked is drawn below.",
                    scenario.traffic.requests, scenario.traffic.rate, describe_arrival(scenario)) }</caption>
                <thead><tr>
                    <th scope="col">{ "Model" }</th>{ header("Capacity", glossary::CAPACITY) }{ header("Throughput", glossary::THROUGHPUT) }
                    { header("p50", glossary::PERCENTILES) }{ header("p95", glossary::PERCENTILES) }{ header("p99", glossary::PERCENTILES) }
                    { header("Answered in time", glossary::ANSWERED) }{ header("Late", glossary::LATE) }{ header("Dropped", glossary::DROPPED) }
                    { header("Refused (503)", glossary::REFUSED) }
                    { header("Peak memory", glossary::PEAK_MEMORY) }{ header("Cores busy", glossary::CORES_BUSY) }
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            </div>
            if let Some(shown) = comparison.iter().find(|m| m.model == scenario.model) {
                <p class="note" data-testid="outcomes-sentence">{ describe_outcomes(shown, scenario) }</p>
            }
            <Glossary terms={vec![glossary::CAPACITY, glossary::THROUGHPUT, glossary::PERCENTILES, glossary::ANSWERED,
                glossary::LATE, glossary::DROPPED, glossary::REFUSED, glossary::PEAK_MEMORY, glossary::CORES_BUSY, glossary::LITTLES_LAW]} />
            <div class="lab-body">
                <aside class="editor">
                    <settings::Settings scenario={Rc::new(scenario.clone())} json={lab.json_text()}
                        draft_error={lab.draft_error().map(|error| error.to_string())}
                        error={state.refused.clone()} dispatch={dispatch.clone()} />
                </aside>
                <div class="lab-main">
                    <h3>{ format!("{} lanes", scenario.model.title()) }</h3>
                    <p class="note" data-testid="model-blurb">{ describe_model(scenario.model, scenario) }</p>
                    <div class="timeline-tools">
                        <button onclick={zoom(0.5)} aria-label="Zoom in">{ "Zoom in" }</button>
                        <button onclick={zoom(2.0)} aria-label="Zoom out" disabled={window.is_none()}>{ "Zoom out" }</button>
                        <input type="range" class="scrubber" min="0" max={end.to_string()} step={step.to_string()}
                            value={cursor.unwrap_or(from).to_string()} oninput={on_slider} aria-label="Time cursor" data-testid="servers-cursor"
                            data-view-from={from.to_string()} data-view-to={to.to_string()}
                            aria-valuetext={at_cursor.clone().unwrap_or_else(|| "no cursor yet".to_owned())} />
                        <span class="note">{ format!("Showing {} of {}. Click the lanes, or move the slider, to put the cursor there.", trace.range_text(from, to), trace.time_text(trace.end)) }</span>
                        <crate::components::TimelineDownloads file={format!("interleave-servers-{}", scenario.model.title().to_ascii_lowercase().replace(' ', "-"))}
                            timeline={timeline.clone()}
                            traces={vec![(format!("{}: {} serving {} requests", scenario.name.clone().unwrap_or_else(|| "Servers".to_owned()), scenario.model.title(), scenario.traffic.requests), trace.clone())]} />
                    </div>
                    <div ref={timeline.clone()}>
                        <Timeline trace={trace.clone()} window={Some((from, to))} cursor={cursor} on_scrub={on_scrub}
                            label={format!("{} serving {} requests", scenario.model.title(), scenario.traffic.requests)} />
                    </div>
                    <charts::ServerLegend types={scenario.mix.iter().map(|kind| kind.name.clone()).collect::<Vec<_>>()} />
                    if let Some(line) = at_cursor { <p class="status" data-testid="at-cursor">{ line }</p> }
                    <h3>{ "Backlog and requests in the server" }</h3>
                    <charts::QueueChart points={shown.queue.clone()} window={(from, to)}
                        cursor={cursor} backlog={scenario.backlog} />
                    <h3>{ "Latency" }</h3>
                    <charts::LatencyHistogram latencies={shown.latencies.clone()}
                        latency={metrics.latency} timeout_ms={scenario.timeout_ms} />
                    <p class="note">{ format!(
                        "Little's law holds: L = {:.2} requests in the server on average = λW = {:.2}/s × {}. Peak memory {:.0} MB ({:.0} MB for processes and threads).",
                        metrics.little.l, metrics.little.lambda, ms_text(metrics.little.w_ms), metrics.peak_memory, metrics.base_memory
                    ) }</p>
                    <p class="note" data-testid="utilisation">{ describe_utilisation(metrics) }</p>
                    <sweep::SweepPanel scenario={Rc::new(scenario.clone())} sweep_max={lab.sweep_max} dispatch={dispatch.clone()} />
                </div>
            </div>
        </section>
    }
}
