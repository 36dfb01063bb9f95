//! The Races lab page: the learner is the scheduler. A code pane and a
//! step button per thread, back/forward/scrub through the run, the run on
//! the shared timeline (Play steps through it, and goes round again when
//! the run ends on a cycle), an inspector of variables, locks, the heap (drawn
//! as boxes and arrows) and files, and an explorer that runs every
//! interleaving in a worker.

mod code_pane;
mod explorer;
mod heap;
mod inspector;

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use interleave_core::races::lab::{Action, RacesLab, Session};
use interleave_core::races::lessons;
use interleave_core::races::machine::Phase;
use interleave_core::races::schedule;
use interleave_core::trace::Time;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::app::lab::{LabDispatch, LabProps, use_lab};
use crate::components::{Timeline, form, prose};

/// What the lab's parts dispatch with.
pub type Dispatch = LabDispatch<Session>;

/// A key for a program's text: a part keyed by it starts afresh when the
/// program changes.
fn program_key(source: &str) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut hasher = DefaultHasher::new();
    source.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

#[function_component(RacesLabView)]
pub fn races_lab_view(props: &LabProps<RacesLab>) -> Html {
    let state = use_lab::<Session>(&props.initial, props.embed);
    let session = &state.session;
    let lab = &session.lab;
    let dispatch = state.dispatcher();
    // A link made before challenges came to every lab plays a version 1
    // set inside the lab's state: it opens as sets open today.
    {
        let legacy = props.initial.legacy_set();
        use_effect_with((), move |_| {
            if let Some((text, at)) = legacy
                && let Ok(set) = interleave_core::challenges::ChallengeSet::parse(&text)
            {
                let at = at.min(set.challenges.len().saturating_sub(1));
                crate::url_state::go_to(crate::app::challenges::fragment_of(&set, &set.to_link(), at));
            }
        });
    }
    let timeline = use_node_ref();
    let trace = use_memo(
        (session.program.clone(), session.run.clone()),
        |(program, run)| {
            program
                .as_ref()
                .map(|program| Rc::new(schedule::to_trace(program, run)))
        },
    );

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
    let on_expand = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: Event| {
            dispatch.dispatch(Action::SetExpanded(form::checked(&event)))
        })
    };
    let act = |action: Action| {
        let dispatch = dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(action.clone()))
    };
    let on_scrub = {
        let dispatch = dispatch.clone();
        Callback::from(move |time: Time| dispatch.dispatch(Action::SetCursor(time as usize)))
    };
    let on_slider = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(value) = form::input_value(&event).and_then(|v| v.parse::<usize>().ok()) {
                dispatch.dispatch(Action::SetCursor(value));
            }
        })
    };

    // Play: a step every 400 ms; a run that ends by going round a cycle
    // (a loaded lasso) plays the cycle again and again.
    let playing = use_state(|| false);
    let loop_start = session.loop_start();
    {
        let (playing, dispatch) = (playing.clone(), dispatch.clone());
        let total = lab.schedule.len();
        use_effect_with(
            (*playing, lab.cursor, total, loop_start),
            move |&(on, cursor, total, loop_start)| {
                let timer = on.then(|| {
                    Timeout::new(400, move || {
                        if cursor < total {
                            dispatch.dispatch(Action::Forward);
                        } else if let Some(start) = loop_start {
                            dispatch.dispatch(Action::SetCursor(start));
                        } else {
                            playing.set(false);
                        }
                    })
                });
                move || drop(timer)
            },
        );
    }
    let on_play = {
        let playing = playing.clone();
        Callback::from(move |_: MouseEvent| playing.set(!*playing))
    };

    let lesson = session.lesson();
    let lessons = lessons::by_idea().into_iter().map(|(idea, group)| {
        let options = group.into_iter().map(|candidate| {
            html! {
                <option value={candidate.id} selected={lesson.is_some_and(|l| l.id == candidate.id)}>{ candidate.title }</option>
            }
        });
        html! { <optgroup label={idea}>{ for options }</optgroup> }
    });
    let error = session.error.as_ref().map(|error| {
        html! { <p class="field-error" role="alert" data-testid="program-error">{ format!("Line {error}") }</p> }
    });

    let total = lab.schedule.len();
    let cursor = lab.cursor;
    let body = match (&session.program, session.state()) {
        (Some(program), Some(now)) => {
            let panes = (0..program.threads.len()).map(|thread| {
                html! {
                    <code_pane::CodePane program={program.clone()} state={Rc::new(now.clone())} thread={thread}
                        source={session.compiled.clone()} expanded={lab.expanded}
                        dispatch={dispatch.clone()} />
                }
            });
            let phase = now.phase(program);
            let narration = if cursor == 0 {
                "Nothing has run yet. Press a thread's Step button: you are the scheduler."
                    .to_owned()
            } else {
                session.run.steps[cursor - 1].narration.clone()
            };
            let status_line = match phase {
                Phase::Running => None,
                Phase::Finished => {
                    let outcome = interleave_core::races::explore::outcome_of(program, now, false);
                    Some(format!(
                        "All threads have finished. {}: {}.",
                        outcome.values_text(),
                        outcome.result
                    ))
                }
                Phase::Deadlock => {
                    Some(interleave_core::races::schedule::deadlock_text(program, now))
                }
            };
            // The final check, beside the threads: what it says now.
            let (after_status, after_failed) = match phase {
                Phase::Running => ("It runs once every thread has finished.".to_owned(), false),
                Phase::Finished => {
                    let outcome = interleave_core::races::explore::outcome_of(program, now, false);
                    if outcome.assert_failed {
                        (format!("Failed with {}: {}.", outcome.values_text(), outcome.result), true)
                    } else {
                        (format!("Passed with {}.", outcome.values_text()), false)
                    }
                }
                Phase::Deadlock => ("It never runs: the threads are stuck.".to_owned(), false),
            };
            let goal = program.goal.map(|goal| {
                let met = session.goal_met() == Some(true);
                html! {
                    <p class={classes!("goal", met.then_some("met"))} data-testid="goal">
                        if met { <strong>{ "Goal met! " }</strong>{ goal.sentence() }{ " You found the bug: now ask the explorer how often it happens." } }
                        else { <strong>{ "Goal: " }</strong>{ goal.sentence() } }
                    </p>
                }
            });
            html! {
                <>
                    { for goal }
                    <div class="races-controls playback" role="group" aria-label="Time travel">
                        <button onclick={form::when_enabled(total > 0, act(Action::Restart))} aria-disabled={(total == 0).to_string()} title="Back to the start, forgetting the schedule">{ "Restart" }</button>
                        <button onclick={form::when_enabled(cursor > 0, act(Action::Back))} aria-disabled={(cursor == 0).to_string()} data-testid="back">{ "◀ Back" }</button>
                        <button onclick={form::when_enabled(cursor < total, act(Action::Forward))} aria-disabled={(cursor >= total).to_string()} data-testid="forward">{ "Forward ▶" }</button>
                        <input class="scrubber" type="range" min="0" max={total.to_string()} value={cursor.to_string()}
                            oninput={on_slider} aria-label="Step" disabled={total == 0}
                            aria-valuetext={format!("step {cursor} of {total}: {narration}")} />
                        <button onclick={form::when_enabled(total > 0, on_play.clone())} aria-disabled={(total == 0).to_string()} data-testid="play">
                            { if *playing { "Pause" } else { "Play" } }
                        </button>
                        <span class="cursor-time" data-testid="step-count">{ format!("step {cursor} of {total}") }</span>
                        if let Some(start) = loop_start {
                            <span class="note" data-testid="loop">{ format!("steps {}–{total} go round a cycle: Play repeats it", start + 1) }</span>
                        }
                        <label class="expand"><input type="checkbox" checked={lab.expanded} onchange={on_expand} />{ " show every indivisible step" }</label>
                    </div>
                    <p class="narration" aria-live="polite" data-testid="narration">{ narration }</p>
                    if let Some(line) = status_line {
                        <p class={classes!("run-status", (phase == Phase::Deadlock || session.failing()).then_some("failing"))} data-testid="run-status">{ line }</p>
                    }
                    if let Some(notice) = state.refused.as_ref().or(session.notice.as_ref()) {
                        <p class="notice" role="status">{ notice.clone() }</p>
                    }
                    <div class="thread-panes">
                        { for panes }
                        <code_pane::AfterPane program={program.clone()} source={session.compiled.clone()}
                            status={after_status} failed={after_failed} />
                    </div>
                    if let Some(trace) = trace.as_ref() {
                        if total > 0 {
                            <div class="races-timeline" ref={timeline.clone()}>
                                <Timeline trace={trace.clone()} window={Some((0, (total as Time).max(1)))} cursor={Some(cursor as Time)}
                                    on_scrub={on_scrub} label="The run: one span per step" />
                                <crate::components::TimelineDownloads file="interleave-race" timeline={timeline.clone()}
                                    traces={vec![(format!("{}: {cursor} of {total} steps", lesson.map_or("A race", |l| l.title)), trace.clone())]} />
                            </div>
                        }
                    }
                    <inspector::Inspector program={program.clone()} state={Rc::new(now.clone())} />
                    // Keyed by the program: results belong to the program
                    // they were computed for, and go when it changes (a
                    // moved cursor keeps them, marked as from another step).
                    <explorer::ExplorerPanel key={program_key(&session.compiled)} program={program.clone()} source={session.compiled.to_string()}
                        prefix={lab.schedule[..cursor].to_vec()} dispatch={dispatch.clone()}
                        takeaway={session.unchanged_lesson().map(|l| l.takeaway)} />
                </>
            }
        }
        _ => {
            html! { <p class="notice error">{ "The program does not compile yet: fix the error above to run it." }</p> }
        }
    };

    html! {
        <section class="lab races-lab" id="races" aria-labelledby="races-title">
            <div class="lab-head">
                <h2 id="races-title">{ "Races: be the scheduler" }</h2>
                <p class="lead">{ "Threads share variables, a linked list and files. Step them one indivisible step at a time, rewind, and ask the explorer for every possible outcome." }</p>
            </div>
            <div class="races-top">
                <label class="preset-picker">{ "Lesson " }
                    <select onchange={on_lesson} data-testid="lesson">
                        if lesson.is_none() { <option selected=true>{ "Your program" }</option> }
                        { for lessons }
                    </select>
                </label>
                if let Some(lesson) = lesson {
                    <p class="lesson-intro" data-testid="lesson-intro">{ prose::with_code(lesson.intro) }</p>
                }
                <crate::app::ShareButton<RacesLab> state={lab.clone()}
                    title={format!("Interleave: {}", lesson.map_or("a race", |l| l.title))} />
                <crate::components::LabFile<RacesLab> state={lab.clone()} />
            </div>
            <details class="program-editor" open={session.error.is_some()}>
                <summary>{ "Edit the program" }</summary>
                <p class="note">
                    { "Shared variables and arrays, mutexes, semaphores, condition variables, reader-writer locks, barriers, atomics, files, functions, threads, an after { } check and a goal: " }
                    <a href="races-language.md" target="_blank" rel="noopener" data-testid="language-link">{ "the language, its limits and the lessons" }</a>
                    { ". Edits apply as you type; the schedule is kept as far as it still runs." }
                </p>
                <textarea class="program-text" spellcheck="false" rows="18" value={lab.source.clone()} oninput={on_edit}
                    aria-label="Program" data-testid="program" />
                { for error }
            </details>
            { body }
        </section>
    }
}
