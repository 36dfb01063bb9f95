//! The Event loop lab page: a JavaScript program stepped one statement at
//! a time (or one job at a time), with the call stack, the microtask
//! queue, the timers, the I/O in progress, the frames and the console at
//! every step; the run on the shared timeline; what happens in plain words;
//! and the same program run for real in this browser, compared line by
//! line.

mod code;
mod panels;
mod real_run;

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use interleave_core::eventloop::lab::narration::{self, ms};
use interleave_core::eventloop::lab::{Action, EventLoopLab, SPEEDS, Session, timeline};
use interleave_core::eventloop::lessons::LESSONS;
use interleave_core::glossary;
use interleave_core::trace::Time;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::app::lab::{LabDispatch, LabProps, use_lab};
use crate::components::{Glossary, Legend, Timeline, TimelineDownloads, form, prose};

/// What the lab's parts dispatch with.
pub type Dispatch = LabDispatch<Session>;

#[function_component(EventLoopLabView)]
pub fn event_loop_lab_view(props: &LabProps<EventLoopLab>) -> Html {
    let state = use_lab::<Session>(&props.initial, props.embed);
    let session = &state.session;
    let lab = &session.lab;
    let dispatch = state.dispatcher();
    let timeline_ref = use_node_ref();
    let trace = use_memo(session.run.clone(), |run| {
        run.as_ref().map(|run| Rc::new(timeline::trace(run)))
    });

    // Play: a step at the lab's speed, until the end.
    let playing = use_state(|| props.autoplay);
    let last = session.last_step();
    {
        let (playing, dispatch) = (playing.clone(), dispatch.clone());
        use_effect_with((*playing, lab.cursor, last, lab.speed), move |&(on, cursor, last, speed)| {
            let timer = on.then(|| {
                Timeout::new((1000.0 / speed) as u32, move || {
                    if cursor < last {
                        dispatch.dispatch(Action::Forward);
                    } else {
                        playing.set(false);
                    }
                })
            });
            move || drop(timer)
        });
    }
    let on_play = {
        let playing = playing.clone();
        Callback::from(move |_: MouseEvent| playing.set(!*playing))
    };
    let on_lesson = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: Event| {
            if let Some(id) = form::select_value(&event) {
                dispatch.dispatch(Action::LoadLesson(id));
            }
        })
    };
    let on_edit = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(area) = form::target::<HtmlTextAreaElement>(&event) {
                dispatch.dispatch(Action::Edit(area.value()));
            }
        })
    };
    let on_slider = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(step) = form::input_value(&event).and_then(|v| v.parse::<usize>().ok()) {
                dispatch.dispatch(Action::SetCursor(step));
            }
        })
    };
    let on_speed = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: Event| {
            if let Some(speed) = form::select_value(&event).and_then(|v| v.parse::<f64>().ok()) {
                dispatch.dispatch(Action::SetSpeed(speed));
            }
        })
    };
    let act = |action: Action| dispatch.on::<MouseEvent>(action);

    let lesson = session.lesson();
    let lessons = LESSONS.iter().map(|candidate| {
        html! {
            <option value={candidate.id} selected={lesson.is_some_and(|l| l.id == candidate.id)}>{ candidate.title }</option>
        }
    });
    let error = session.error.as_ref().map(|error| {
        html! { <p class="field-error" role="alert" data-testid="program-error">{ format!("Line {error}") }</p> }
    });

    let cursor = lab.cursor;
    let body = match (&session.program, &session.run, trace.as_ref()) {
        (Some(program), Some(run), Some(trace)) => {
            let step = &run.steps[cursor.min(run.steps.len() - 1)];
            let told = narration::narrate(run, program, &session.compiled, cursor);
            let on_scrub = {
                let (dispatch, run) = (dispatch.clone(), run.clone());
                Callback::from(move |time: Time| {
                    let at = run.steps.partition_point(|s| s.time <= time).saturating_sub(1);
                    dispatch.dispatch(Action::SetCursor(at));
                })
            };
            let position = format!(
                "step {cursor} of {last} · {} · {}",
                ms(step.time),
                step.job.map_or_else(|| "between jobs".to_owned(), |job| format!("job {} of {}", job + 1, run.jobs.len()))
            );
            let speeds = SPEEDS.iter().map(|speed| {
                html! { <option value={speed.to_string()} selected={*speed == lab.speed}>{ format!("{speed} steps/s") }</option> }
            });
            let window = lab.view.or(Some((0, trace.end.max(1))));
            html! {
                <>
                    <div class="eventloop-controls playback" role="group" aria-label="Step through the run">
                        <button onclick={form::when_enabled(cursor > 0, act(Action::ToStart))} aria-disabled={(cursor == 0).to_string()} title="To the start" data-testid="to-start">{ "|◀ Start" }</button>
                        <button onclick={form::when_enabled(cursor > 0, act(Action::PreviousJob))} aria-disabled={(cursor == 0).to_string()} data-testid="previous-job">{ "◀ Job" }</button>
                        <button onclick={form::when_enabled(cursor > 0, act(Action::Back))} aria-disabled={(cursor == 0).to_string()} data-testid="back">{ "◀ Step" }</button>
                        <button class="play" onclick={form::when_enabled(cursor < last, on_play)} aria-disabled={(cursor >= last).to_string()} data-testid="play">
                            { if *playing { "❚❚ Pause" } else { "▶ Play" } }
                        </button>
                        <button onclick={form::when_enabled(cursor < last, act(Action::Forward))} aria-disabled={(cursor >= last).to_string()} data-testid="forward">{ "Step ▶" }</button>
                        <button onclick={form::when_enabled(cursor < last, act(Action::NextJob))} aria-disabled={(cursor >= last).to_string()} data-testid="next-job">{ "Job ▶" }</button>
                        <button onclick={form::when_enabled(cursor < last, act(Action::ToEnd))} aria-disabled={(cursor >= last).to_string()} title="To the end" data-testid="to-end">{ "End ▶|" }</button>
                        <label class="speed">{ "Speed " }<select onchange={on_speed} data-testid="speed">{ for speeds }</select></label>
                        <input class="scrubber" type="range" min="0" max={last.to_string()} value={cursor.to_string()}
                            oninput={on_slider} aria-label="Step" aria-valuetext={format!("{position}: {}", told.now)} data-testid="scrubber" />
                        <span class="cursor-time" data-testid="position">{ position }</span>
                    </div>
                    <div class="narration eventloop-narration" aria-live="polite" data-testid="narration">
                        <p>{ prose::with_code(&told.now) }</p>
                        if !told.effects.is_empty() {
                            <p class="effects-by">{ told.effects_by.clone() }</p>
                            <ul class="effects" data-testid="effects">
                                { for told.effects.iter().map(|e| html! { <li>{ prose::with_code(e) }</li> }) }
                            </ul>
                        }
                    </div>
                    if session.error.is_some() {
                        <p class="notice" data-testid="stale">{ "The text has an error: what follows is the last version that ran." }</p>
                    }
                    if let Some(refused) = &state.refused {
                        <p class="notice" role="status">{ refused.clone() }</p>
                    }
                    <div class="eventloop-grid">
                        <code::CodePane program={program.clone()} source={session.compiled.clone()} run={run.clone()} cursor={cursor} />
                        <panels::StackAndQueues run={run.clone()} cursor={cursor} />
                        <panels::Console run={run.clone()} cursor={cursor} />
                    </div>
                    <figure class="eventloop-timeline" ref={timeline_ref.clone()}>
                        <Timeline trace={trace.clone()} window={window} cursor={Some(step.time)}
                            on_scrub={on_scrub} label="The run: the main thread, a span per job, and the frames" />
                        <figcaption>
                            <Legend trace={trace.clone()} />
                            <p class="note">{ "Frames: a mark every 16.7 ms; hatched where a job was running across it (a missed frame)." }</p>
                        </figcaption>
                        <TimelineDownloads file="interleave-event-loop" timeline={timeline_ref.clone()}
                            traces={vec![(lesson.map_or_else(|| "Your program".to_owned(), |l| l.title.to_owned()), trace.clone())]} />
                    </figure>
                    if session.error.is_none() {
                        <real_run::RealRunPanel run={run.clone()} source={session.compiled.clone()}
                            real={session.real.clone()} comparison={session.comparison()} dispatch={dispatch.clone()} />
                    }
                    if let Some(lesson) = session.unchanged_lesson() {
                        <p class="takeaway" data-testid="takeaway"><strong>{ "What it shows: " }</strong>{ prose::with_code(lesson.takeaway) }</p>
                        if let Some((label, link)) = lesson.see_also {
                            <p class="see-also"><a href={link}>{ label }</a></p>
                        }
                    }
                    <Glossary terms={vec![glossary::CALL_STACK, glossary::TASK, glossary::MICROTASK, glossary::FRAME, glossary::VIRTUAL_TIME]} />
                </>
            }
        }
        _ => html! { <p class="notice error">{ "The program does not compile yet: fix the error above to run it." }</p> },
    };

    html! {
        <section class="lab eventloop-lab" id="eventloop" aria-labelledby="eventloop-title">
            <div class="lab-head">
                <h2 id="eventloop-title">{ "Event loop: JavaScript, one job at a time" }</h2>
                <p class="lead">{ "The call stack, the microtask queue, timers, I/O and frames at every step of a real JavaScript program, on a virtual clock that runs as Node does." }</p>
            </div>
            <div class="eventloop-top">
                <label class="preset-picker">{ "Lesson " }
                    <select onchange={on_lesson} data-testid="lesson">
                        if lesson.is_none() { <option selected=true>{ "Your program" }</option> }
                        { for lessons }
                    </select>
                </label>
                if let Some(lesson) = lesson {
                    <p class="lesson-intro" data-testid="lesson-intro">{ prose::with_code(lesson.intro) }</p>
                }
                <crate::app::ShareButton<EventLoopLab> state={lab.clone()}
                    title={format!("Interleave: {}", lesson.map_or("the event loop", |l| l.title))} />
                <crate::components::LabFile<EventLoopLab> state={lab.clone()} />
            </div>
            <details class="program-editor" open={session.error.is_some()}>
                <summary>{ "Edit the program" }</summary>
                <p class="note">
                    { prose::with_code("JavaScript as a lecture writes it, plus two simulated helpers: `io(name, ms)` completes after ms of virtual time, `work(ms)` keeps the thread busy for ms. ") }
                    <a href="eventloop-language.md" target="_blank" rel="noopener" data-testid="language-link">{ "What the lab runs, and how it differs from Node and browsers" }</a>
                    { ". The program runs again as you type." }
                </p>
                <textarea class="program-text" spellcheck="false" rows="18" value={lab.source.clone()} oninput={on_edit}
                    aria-label="Program" data-testid="program" />
                { for error }
            </details>
            { body }
        </section>
    }
}
