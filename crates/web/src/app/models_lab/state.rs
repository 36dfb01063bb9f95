//! The lab's Yew reducer: the core's `ModelsLab` plus playback and view
//! state that never leaves the page.

use std::rc::Rc;

use interleave_core::models::lab::codegen::Language;
use interleave_core::models::lab::{self as models_lab, Action, ModelsLab};
use interleave_core::trace::{Time, Window};
use yew::prelude::*;

/// At 1x, playback crosses the whole time axis in this many milliseconds.
pub const PLAY_MILLIS_AT_1X: f64 = 10_000.0;

#[derive(Debug, Clone, PartialEq)]
pub struct LabState {
    pub lab: ModelsLab,
    pub playing: bool,
    pub speed: f64,
    /// The visible time window; `None` shows everything.
    pub zoom: Option<(Time, Time)>,
    pub language: Language,
    /// Whether the user changed anything since the page opened: only then
    /// is the state written to the address and the autosave.
    pub edited: bool,
    /// Why the last edit was refused (it would simulate too much).
    pub refusal: Option<String>,
}

impl LabState {
    pub fn new(lab: ModelsLab, playing: bool) -> Self {
        LabState {
            lab,
            playing,
            speed: 1.0,
            zoom: None,
            language: Language::JavaScript,
            edited: false,
            refusal: None,
        }
    }
}

impl Default for LabState {
    fn default() -> Self {
        LabState::new(ModelsLab::default(), false)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum LabAction {
    Lab(Action),
    SetCursor(Time),
    Play {
        end: Time,
    },
    Pause,
    SetSpeed(f64),
    /// Zooms by `factor` (< 1 zooms in) around `center`.
    Zoom {
        center: Time,
        factor: f64,
        end: Time,
    },
    ZoomFit,
    SetLanguage(Language),
    /// Hides the notice of a refused edit.
    DismissRefusal,
}

impl Reducible for LabState {
    type Action = LabAction;

    fn reduce(self: Rc<Self>, action: LabAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            LabAction::Lab(action) => {
                next.edited = true;
                let workload_changes = !matches!(
                    action,
                    Action::SetCursor(_) | Action::SelectConfig(_) | Action::SetConfig(..)
                );
                // A refused edit leaves the lab as it was and says why.
                next.refusal = models_lab::apply(&mut next.lab, action)
                    .err()
                    .map(|error| format!("Not applied: {error}"));
                if workload_changes {
                    next.zoom = None;
                }
            }
            LabAction::SetCursor(time) => {
                if time == self.lab.cursor {
                    return self;
                }
                next.lab.cursor = time;
                next.edited = true;
                // Zoomed in, the timelines pan with the cursor.
                next.zoom = next.zoom.map(|(from, to)| {
                    let window = Window { from, to }.follow(time);
                    (window.from, window.to)
                });
            }
            LabAction::Play { end } => {
                if next.lab.cursor >= end {
                    next.lab.cursor = 0;
                }
                next.playing = true;
            }
            LabAction::Pause => next.playing = false,
            LabAction::SetSpeed(speed) => next.speed = speed.clamp(0.05, 16.0),
            LabAction::Zoom {
                center,
                factor,
                end,
            } => {
                next.zoom = Window::or_whole(next.zoom, end).zoom(end, center, factor, 4);
            }
            LabAction::ZoomFit => next.zoom = None,
            LabAction::SetLanguage(language) => next.language = language,
            LabAction::DismissRefusal => next.refusal = None,
        }
        Rc::new(next)
    }
}
