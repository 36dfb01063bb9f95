//! The Models lab page: edit a workload, compare up to four
//! configurations on one time axis, play it back, read what happens.

mod code_view;
mod config_card;
mod details;
mod editor;
mod playback;

use std::rc::Rc;

use interleave_core::metrics::Metrics;
use interleave_core::models::lab::session::{PageAction, Session};
use interleave_core::models::lab::{Action, ModelsLab};
use interleave_core::models::simulate;
use interleave_core::trace::{Time, Trace};
use yew::prelude::*;

use crate::app::lab::{LabDispatch, LabProps, use_lab};
use crate::components::{Bar, BarChart, Legend, MetricsTable, Run};
use playback::cursor_at;

/// What the lab's parts dispatch with.
pub type Dispatch = LabDispatch<Session>;

/// One simulated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulated {
    pub trace: Rc<Trace>,
    pub metrics: Rc<Metrics>,
}

#[function_component(ModelsLabView)]
pub fn models_lab_view(props: &LabProps<ModelsLab>) -> Html {
    let state = use_lab::<Session>(&props.initial, props.embed);
    let session = &state.session;
    let lab = &session.lab;
    let dispatch = state.dispatcher();
    // A link that plays on open plays, unless the user prefers reduced
    // motion: then it waits for Play, and says so.
    let reduced_motion = *use_memo((), |_| crate::web::reduced_motion());
    let autoplay_held = props.autoplay && reduced_motion;
    let runs = use_memo(
        (lab.scenario.clone(), lab.configs.clone()),
        |(scenario, configs)| {
            configs
                .iter()
                .map(|model| {
                    let trace = simulate(scenario, *model);
                    let metrics = Metrics::of(&trace);
                    Simulated {
                        trace: Rc::new(trace),
                        metrics: Rc::new(metrics),
                    }
                })
                .collect::<Vec<_>>()
        },
    );
    let axis_end: Time = runs
        .iter()
        .map(|run| run.trace.end)
        .max()
        .unwrap_or(1)
        .max(1);
    let window = session.zoom.unwrap_or((0, axis_end));
    let unit = lab.scenario.unit.symbol();
    {
        let dispatch = dispatch.clone();
        let play = props.autoplay && !reduced_motion;
        use_effect_with((), move |_| {
            if play {
                dispatch.dispatch(PageAction::Play { end: axis_end });
            }
        });
    }

    playback::use_playback(session, dispatch.clone(), axis_end);
    playback::use_keyboard(session, dispatch.clone(), runs.clone());

    let on_scrub = {
        let dispatch = dispatch.clone();
        Callback::from(move |time: Time| dispatch.dispatch(cursor_at(time)))
    };
    let cards = lab.configs.iter().enumerate().map(|(idx, model)| {
        html! {
            <config_card::ConfigCard index={idx} model={*model} run={runs[idx].clone()}
                selected={idx == lab.selected} removable={lab.configs.len() > 1}
                window={window} cursor={lab.cursor} on_scrub={on_scrub.clone()}
                dispatch={dispatch.clone()} unit={unit} />
        }
    });

    let selected = &runs[lab.selected.min(runs.len() - 1)];
    let labels: Vec<String> = lab.configs.iter().map(|model| model.label()).collect();
    let bars = |value: &dyn Fn(&Metrics) -> f64, text: &dyn Fn(&Metrics) -> String| -> Vec<Bar> {
        runs.iter()
            .zip(&labels)
            .map(|(run, label)| Bar {
                label: label.clone().into(),
                value: value(&run.metrics),
                text: text(&run.metrics).into(),
            })
            .collect()
    };
    let table_runs: Vec<Run> = runs
        .iter()
        .zip(&labels)
        .map(|(run, label)| Run {
            label: label.clone().into(),
            metrics: run.metrics.clone(),
        })
        .collect();
    let preset = lab.preset();

    html! {
        <section class="lab models-lab" id="models" aria-labelledby="models-title">
            <div class="lab-head">
                <h2 id="models-title">{ "Synchronous vs asynchronous, on 1..N threads and C cores" }</h2>
                <p class="lead">
                    { "A synchronous thread takes a task and finishes it before the next; while the task waits, the thread is blocked (hatched). " }
                    { "An asynchronous thread parks a waiting task and runs another. Threads are a separate axis, and threads are not cores." }
                </p>
                if let Some(preset) = lab.unchanged_preset() {
                    <p class="lesson" data-testid="models-lesson"><strong>{ "What to look for: " }</strong>{ preset.lesson }</p>
                } else if let Some(preset) = preset {
                    <p class="lesson" data-testid="models-lesson">
                        { format!("Your workload, edited from \u{201c}{}\u{201d}: what that preset shows may no longer hold here. Play it and see what does.", preset.title) }
                    </p>
                }
                <crate::app::ShareButton<ModelsLab> state={lab.clone()}
                    title="Interleave: synchronous vs asynchronous" playable=true />
                <crate::components::LabFile<ModelsLab> state={lab.clone()} />
            </div>
            if let Some(refusal) = &state.refused {
                // Pinned to the bottom of the window: on a phone the field
                // being edited is far from the top of the lab.
                <p class="notice error toast" role="alert" data-testid="work-refusal">
                    { format!("Not applied: {refusal} The last accepted workload is still shown. ") }
                    <button onclick={{ let dispatch = dispatch.clone(); Callback::from(move |_| dispatch.dismiss_refusal()) }}>{ "Dismiss" }</button>
                </p>
            }
            if autoplay_held && !session.playing && lab.cursor == 0 {
                <p class="notice" role="status" data-testid="autoplay-held">
                    { "This link plays on open, but your system asks for reduced motion: press Play when you are ready." }
                </p>
            }
            // The run and its playback come first for the keyboard and for
            // screen readers; on wide screens the editor is drawn on the left.
            <div class="lab-body">
                <div class="lab-main">
                    <playback::PlaybackBar cursor={lab.cursor} end={axis_end} playing={session.playing}
                        speed={lab.speed} zoomed={session.zoom.is_some()} unit={unit} runs={runs.clone()}
                        narration={details::narration_text(&selected.trace, lab.cursor)}
                        dispatch={dispatch.clone()} />
                    <div class="configs">{ for cards }</div>
                    if lab.configs.len() < interleave_core::models::lab::MAX_CONFIGS {
                        <button class="add-config" onclick={dispatch.to_callback().reform(|_| PageAction::Lab(Action::AddConfig))}>
                            { "+ Compare another configuration" }
                        </button>
                    }
                    <Legend trace={runs[0].trace.clone()} />
                    <details::CursorDetails trace={selected.trace.clone()} cursor={lab.cursor} playing={session.playing}
                        label={labels[lab.selected.min(labels.len() - 1)].clone()} />
                    <h3>{ "Metrics" }</h3>
                    <div class="charts">
                        <BarChart title={format!("Makespan ({unit})")} selected={Some(lab.selected)}
                            bars={bars(&|m| m.makespan as f64, &|m| format!("{} {unit}", m.makespan))} />
                        <BarChart title={format!("Mean latency ({unit})")} selected={Some(lab.selected)}
                            bars={bars(&|m| m.latency.mean, &|m| format!("{:.1} {unit}", m.latency.mean))} />
                        <BarChart title="CPU utilisation" max={Some(1.0)} selected={Some(lab.selected)}
                            bars={bars(&|m| m.cpu_utilisation, &|m| format!("{:.0} %", m.cpu_utilisation * 100.0))} />
                    </div>
                    <MetricsTable runs={table_runs} unit={unit} selected={Some(lab.selected)} />
                    <code_view::CodeView scenario={lab.scenario.clone()} model={lab.configs[lab.selected.min(lab.configs.len() - 1)]}
                        language={session.language} dispatch={dispatch.clone()} />
                </div>
                <editor::WorkloadEditor scenario={lab.scenario.clone()} preset={lab.unchanged_preset().map(|preset| preset.id)} dispatch={dispatch.clone()} />
            </div>
        </section>
    }
}
