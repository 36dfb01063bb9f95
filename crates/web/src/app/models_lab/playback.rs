//! Playback: play/pause, speed, scrub, step between events, zoom; the
//! animation and the keyboard shortcuts.

use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::Interval;
use interleave_core::models::lab::snapshot::{next_event_time, previous_event_time};
use interleave_core::trace::Time;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

use crate::components::form;
use crate::url_state;

use super::Simulated;
use interleave_core::models::lab::Action;
use interleave_core::models::lab::session::{PLAY_MILLIS_AT_1X, PageAction, SPEEDS, Session};

use super::Dispatch;

const FRAME_MILLIS: u32 = 33;

/// Moves the cursor to `time`.
pub fn cursor_at(time: Time) -> PageAction {
    PageAction::Lab(Action::SetCursor(time))
}

/// The next (or previous) instant with an event in any configuration.
pub fn step_time(runs: &[Simulated], cursor: Time, forward: bool) -> Option<Time> {
    let times = runs.iter().filter_map(|run| {
        if forward {
            next_event_time(&run.trace, cursor)
        } else {
            previous_event_time(&run.trace, cursor)
        }
    });
    if forward { times.min() } else { times.max() }
}

/// Advances the cursor while playing, about 30 times a second.
#[hook]
pub fn use_playback(session: &Session, dispatch: Dispatch, end: Time) {
    let latest = use_mut_ref(|| (0.0f64, 0 as Time, 1.0f64));
    {
        let mut latest = latest.borrow_mut();
        if latest.1 != session.lab.cursor {
            latest.0 = session.lab.cursor as f64;
        }
        latest.1 = session.lab.cursor;
        latest.2 = session.lab.speed;
    }
    use_effect_with((session.playing, end), move |(playing, end)| {
        let end = *end;
        let interval = playing.then(|| {
            Interval::new(FRAME_MILLIS, move || {
                let (position, cursor) = {
                    let mut latest = latest.borrow_mut();
                    latest.0 += FRAME_MILLIS as f64 / PLAY_MILLIS_AT_1X * end as f64 * latest.2;
                    (latest.0, latest.1)
                };
                if position >= end as f64 {
                    dispatch.dispatch(cursor_at(end));
                    dispatch.dispatch(PageAction::Pause);
                } else if position as Time != cursor {
                    dispatch.dispatch(cursor_at(position as Time));
                }
            })
        });
        move || drop(interval)
    });
}

/// Space plays or pauses; arrows step between events (with Shift: one time
/// unit); Home and End jump; + and - zoom. Ignored while typing in a field.
#[hook]
pub fn use_keyboard(session: &Session, dispatch: Dispatch, runs: Rc<Vec<Simulated>>) {
    let latest = use_mut_ref(|| None::<(Time, bool, Time, Rc<Vec<Simulated>>)>);
    let end = runs
        .iter()
        .map(|run| run.trace.end)
        .max()
        .unwrap_or(1)
        .max(1);
    *latest.borrow_mut() = Some((session.lab.cursor, session.playing, end, runs));
    use_effect_with((), move |_| {
        let document = gloo::utils::document();
        let options = EventListenerOptions::enable_prevent_default();
        let listener =
            EventListener::new_with_options(&document, "keydown", options, move |event| {
                let Some(event) = event.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                if event.ctrl_key()
                    || event.meta_key()
                    || event.alt_key()
                    || typing(event)
                    || !url_state::shortcuts_enabled()
                    || modal_open()
                {
                    return;
                }
                let Some((cursor, playing, end, runs)) = latest.borrow().clone() else {
                    return;
                };
                let action = match event.key().as_str() {
                    " " | "k" => Some(if playing {
                        PageAction::Pause
                    } else {
                        PageAction::Play { end }
                    }),
                    "ArrowRight" if event.shift_key() => {
                        Some(cursor_at((cursor + 1).min(end)))
                    }
                    "ArrowLeft" if event.shift_key() => {
                        Some(cursor_at(cursor.saturating_sub(1)))
                    }
                    "ArrowRight" | "l" => step_time(&runs, cursor, true).map(cursor_at),
                    "ArrowLeft" | "j" => Some(cursor_at(
                        step_time(&runs, cursor, false).unwrap_or(0),
                    )),
                    "Home" => Some(cursor_at(0)),
                    "End" => Some(cursor_at(end)),
                    "+" | "=" => Some(PageAction::Zoom {
                        center: cursor,
                        factor: 0.5,
                        end,
                    }),
                    "-" => Some(PageAction::Zoom {
                        center: cursor,
                        factor: 2.0,
                        end,
                    }),
                    _ => None,
                };
                if let Some(action) = action {
                    event.prevent_default();
                    dispatch.dispatch(action);
                }
            });
        move || drop(listener)
    });
}

/// Whether a modal dialog is open (the page behind it takes no keys).
fn modal_open() -> bool {
    gloo::utils::document()
        .query_selector("dialog[open]")
        .ok()
        .flatten()
        .is_some()
}

/// Whether a key press belongs to a form control: any key in a field or a
/// select, Space and Enter on a button.
fn typing(event: &KeyboardEvent) -> bool {
    let Some(element) = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    match element.tag_name().as_str() {
        "INPUT" | "TEXTAREA" | "SELECT" => true,
        "BUTTON" => matches!(event.key().as_str(), " " | "Enter"),
        _ => false,
    }
}

#[derive(Properties)]
pub struct PlaybackBarProps {
    pub cursor: Time,
    pub end: Time,
    pub playing: bool,
    pub speed: f64,
    pub zoomed: bool,
    pub unit: AttrValue,
    /// What happens at the cursor in the selected run, in words: what a
    /// screen reader says as the cursor moves.
    pub narration: AttrValue,
    pub runs: Rc<Vec<Simulated>>,
    pub dispatch: Dispatch,
}

impl PartialEq for PlaybackBarProps {
    fn eq(&self, other: &Self) -> bool {
        self.cursor == other.cursor
            && self.end == other.end
            && self.playing == other.playing
            && self.speed == other.speed
            && self.zoomed == other.zoomed
            && self.unit == other.unit
            && self.narration == other.narration
            && Rc::ptr_eq(&self.runs, &other.runs)
    }
}

impl std::fmt::Debug for PlaybackBarProps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlaybackBarProps")
            .field("cursor", &self.cursor)
            .finish_non_exhaustive()
    }
}

#[function_component(PlaybackBar)]
pub fn playback_bar(props: &PlaybackBarProps) -> Html {
    let dispatch = props.dispatch.clone();
    let (cursor, end) = (props.cursor, props.end);
    let play = {
        let dispatch = dispatch.clone();
        let playing = props.playing;
        Callback::from(move |_| {
            dispatch.dispatch(if playing {
                PageAction::Pause
            } else {
                PageAction::Play { end }
            })
        })
    };
    let step = |forward: bool| {
        let dispatch = dispatch.clone();
        let runs = props.runs.clone();
        Callback::from(move |_| {
            let time = step_time(&runs, cursor, forward).unwrap_or(if forward { end } else { 0 });
            dispatch.dispatch(cursor_at(time));
        })
    };
    let on_scrub = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(time) =
                form::input_value(&event).and_then(|value| value.parse::<Time>().ok())
            {
                dispatch.dispatch(cursor_at(time));
            }
        })
    };
    let on_speed = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: Event| {
            if let Some(speed) =
                form::select_value(&event).and_then(|value| value.parse::<f64>().ok())
            {
                dispatch.dispatch(PageAction::Lab(Action::SetSpeed(speed)));
            }
        })
    };
    let zoom = |factor: f64| {
        let dispatch = dispatch.clone();
        Callback::from(move |_| {
            dispatch.dispatch(PageAction::Zoom {
                center: cursor,
                factor,
                end,
            })
        })
    };
    // Single-key shortcuts can be turned off (WCAG 2.1.4), remembered in
    // this browser.
    let shortcuts = use_state(url_state::shortcuts_enabled);
    let on_shortcuts = {
        let shortcuts = shortcuts.clone();
        Callback::from(move |event: Event| {
            let on = form::checked(&event);
            url_state::set_shortcuts_enabled(on);
            shortcuts.set(on);
        })
    };
    let speeds = SPEEDS.iter().map(|speed| {
        html! { <option value={speed.to_string()} selected={*speed == props.speed}>{ format!("{speed}×") }</option> }
    });
    html! {
        <div class="playback" role="group" aria-label="Playback">
            <button class="play" onclick={play} aria-label={if props.playing { "Pause" } else { "Play" }}
                title="Play or pause (Space)">{ if props.playing { "❚❚ Pause" } else { "▶ Play" } }</button>
            <button onclick={step(false)} aria-label="Previous event" title="Previous event (←)">{ "◀ event" }</button>
            <button onclick={step(true)} aria-label="Next event" title="Next event (→)">{ "event ▶" }</button>
            <input type="range" class="scrubber" min="0" max={end.to_string()} value={cursor.to_string()}
                aria-label="Time cursor" aria-valuetext={format!("{cursor} {}: {}", props.unit, props.narration)} oninput={on_scrub} />
            <output class="cursor-time" aria-live="off">{ format!("{cursor} / {end} {}", props.unit) }</output>
            <label class="speed">{ "speed " }<select onchange={on_speed} aria-label="Playback speed">{ for speeds }</select></label>
            <span class="zoom" role="group" aria-label="Zoom">
                <button onclick={zoom(0.5)} aria-label="Zoom in" title="Zoom in (+)">{ "+" }</button>
                <button onclick={zoom(2.0)} aria-label="Zoom out" title="Zoom out (−)">{ "−" }</button>
                <button onclick={dispatch.to_callback().reform(|_| PageAction::ZoomFit)} disabled={!props.zoomed}>{ "Fit" }</button>
            </span>
            <span class="keys">
                <label><input type="checkbox" checked={*shortcuts} onchange={on_shortcuts} data-testid="shortcuts" />{ " Key shortcuts" }</label>
                if *shortcuts {
                    <span aria-hidden="true">{ ": Space play · ←/→ events · Shift+←/→ 1 step · +/− zoom" }</span>
                }
            </span>
            // What happens at the cursor, in view of the timelines while
            // they play (the bar stays at the top of the window); the
            // details below say it to screen readers.
            <p class="playback-narration" aria-hidden="true" data-testid="playback-narration">{ props.narration.clone() }</p>
        </div>
    }
}
