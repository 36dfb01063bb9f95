//! The Models lab's page session: the lab ([`ModelsLab`], what a link
//! holds) and how it is being watched (playing or not, the speed, the
//! zoomed window, the language of "show as code"), changed by one
//! [`apply`]. The page's playback timer and keyboard only dispatch
//! [`PageAction`]s.

use super::codegen::Language;
use super::{Action, ModelsLab};
use crate::error::ScenarioError;
use crate::labs::LabSession;
use crate::trace::{Time, Window};

/// At 1x, playback crosses the whole time axis in this many milliseconds.
pub const PLAY_MILLIS_AT_1X: f64 = 10_000.0;
/// The playback speeds offered (within `SPEED_RANGE`).
pub const SPEEDS: [f64; 5] = [0.25, 0.5, 1.0, 2.0, 4.0];
/// The narrowest zoomed window, in the scenario's unit.
pub const MIN_ZOOM_SPAN: Time = 4;

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub lab: ModelsLab,
    pub playing: bool,
    /// The visible time window; `None` shows everything.
    pub zoom: Option<(Time, Time)>,
    pub language: Language,
}

/// Everything a user (or the page's playback) does on the Models page.
#[derive(Debug, Clone, PartialEq)]
pub enum PageAction {
    /// A change to the lab: an edit of the workload or the comparison, or
    /// the cursor (zoomed in, the window pans with it).
    Lab(Action),
    /// Plays from the cursor (from the start when the cursor is at `end`,
    /// the end of the time axis).
    Play {
        end: Time,
    },
    Pause,
    /// Zooms by `factor` (< 1 zooms in) around `center`, on an axis that
    /// ends at `end`.
    Zoom {
        center: Time,
        factor: f64,
        end: Time,
    },
    ZoomFit,
    SetLanguage(Language),
}

impl LabSession for Session {
    type Lab = ModelsLab;
    type Action = PageAction;

    fn open(lab: ModelsLab) -> Session {
        Session {
            lab,
            playing: false,
            zoom: None,
            language: Language::JavaScript,
        }
    }

    fn lab(&self) -> &ModelsLab {
        &self.lab
    }

    fn apply(&mut self, action: PageAction) -> Result<(), ScenarioError> {
        apply(self, action)
    }

    /// What changes the lab is an edit (the cursor too: a link opens at
    /// it); watching it is not.
    fn is_edit(action: &PageAction) -> bool {
        matches!(action, PageAction::Lab(_))
    }
}

/// The one reducer of the page: applies `action`, or refuses it (an edit
/// the lab refuses, [`super::apply`]) leaving the session as it was.
pub fn apply(session: &mut Session, action: PageAction) -> Result<(), ScenarioError> {
    match action {
        PageAction::Lab(action) => {
            let cursor = match action {
                Action::SetCursor(time) => Some(time),
                _ => None,
            };
            let changes_work = action.changes_work();
            super::apply(&mut session.lab, action)?;
            if changes_work {
                // Another workload has another time axis.
                session.zoom = None;
            } else if let Some(time) = cursor {
                // Zoomed in, the timelines pan with the cursor.
                session.zoom = session.zoom.map(|(from, to)| {
                    let window = Window { from, to }.follow(time);
                    (window.from, window.to)
                });
            }
        }
        PageAction::Play { end } => {
            if session.lab.cursor >= end {
                session.lab.cursor = 0;
            }
            session.playing = true;
        }
        PageAction::Pause => session.playing = false,
        PageAction::Zoom {
            center,
            factor,
            end,
        } => {
            session.zoom =
                Window::or_whole(session.zoom, end).zoom(end, center, factor, MIN_ZOOM_SPAN);
        }
        PageAction::ZoomFit => session.zoom = None,
        PageAction::SetLanguage(language) => session.language = language,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session::open(ModelsLab::default())
    }

    #[test]
    fn zoomed_in_the_window_follows_the_cursor_and_an_edit_shows_everything() {
        let mut session = session();
        apply(
            &mut session,
            PageAction::Zoom {
                center: 20,
                factor: 0.25,
                end: 200,
            },
        )
        .unwrap();
        let (from, to) = session.zoom.unwrap();
        assert!(to - from <= 50, "{from}..{to}");
        apply(&mut session, PageAction::Lab(Action::SetCursor(150))).unwrap();
        let (from, to) = session.zoom.unwrap();
        assert!(
            (from..=to).contains(&150),
            "{from}..{to} pans to the cursor"
        );
        assert_eq!(session.lab.cursor, 150);
        apply(&mut session, PageAction::Lab(Action::AddTask)).unwrap();
        assert_eq!(session.zoom, None, "a new workload has a new time axis");
    }

    #[test]
    fn play_at_the_end_starts_again_and_speed_stays_in_range() {
        let mut session = session();
        apply(&mut session, PageAction::Lab(Action::SetCursor(90))).unwrap();
        apply(&mut session, PageAction::Play { end: 90 }).unwrap();
        assert!(session.playing);
        assert_eq!(session.lab.cursor, 0);
        apply(&mut session, PageAction::Lab(Action::SetSpeed(2.0))).unwrap();
        assert_eq!(session.lab.speed, 2.0, "a link plays at its sender's speed");
        let before = session.clone();
        assert!(apply(&mut session, PageAction::Lab(Action::SetSpeed(f64::NAN))).is_err());
        assert!(apply(&mut session, PageAction::Lab(Action::SetSpeed(100.0))).is_err());
        assert_eq!(session, before, "a refusal changes nothing");
        let link = crate::share::encode(&session.lab);
        assert_eq!(crate::share::decode::<ModelsLab>(&link).unwrap().speed, 2.0);
    }

    #[test]
    fn a_refused_edit_leaves_the_session_as_it_was() {
        let mut session = session();
        let before = session.clone();
        let error = apply(&mut session, PageAction::Lab(Action::LoadPreset("nope"))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "preset: there is no built-in workload \"nope\""
        );
        assert_eq!(session, before);
        assert!(Session::is_edit(&PageAction::Lab(Action::SetCursor(3))));
        assert!(!Session::is_edit(&PageAction::Play { end: 3 }));
    }
}
