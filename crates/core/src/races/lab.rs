//! The Races lab's state and its one `apply(session, action)` reducer.
//!
//! [`RacesLab`] is what a link or the autosave holds: the program text
//! (kept even when it does not compile), the lesson it came from, the
//! schedule stepped so far and the cursor into it. [`Session`] adds what
//! follows from it: the compiled program and the replayed run, with every
//! state, so going back and forth (time travel) is free, and stepping from
//! an earlier point branches there.

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;
use crate::labs::{Lab, LabId, LabSession};
use crate::races::challenges::ChallengeSet;
use crate::races::explore::failing_state;
use crate::races::lessons::{self, Lesson};
use crate::races::machine::{State, Status};
use crate::races::schedule::{self, Run};
use crate::races::{self, Program, limits};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RacesLab {
    /// The program text, as typed.
    pub source: String,
    /// The built-in lesson the text came from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<String>,
    /// Thread numbers, one per step taken.
    #[serde(default)]
    pub schedule: Vec<usize>,
    /// Steps shown: the state after `cursor` steps of `schedule`.
    #[serde(default)]
    pub cursor: usize,
    /// Show every indivisible step (load, compute, store) instead of lines.
    #[serde(default)]
    pub expanded: bool,
    /// A challenge set of version 1 being played, as links made before
    /// challenges came to every lab hold it: the page plays it as a set
    /// of today ([`RacesLab::legacy_set`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenges: Option<Playing>,
}

/// A challenge set in play: which challenge, and how many of its hints
/// are shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Playing {
    pub set: ChallengeSet,
    pub at: usize,
    #[serde(default)]
    pub hints: usize,
}

impl Playing {
    pub fn challenge(&self) -> &crate::races::challenges::Challenge {
        &self.set.challenges[self.at]
    }
}

impl Default for RacesLab {
    fn default() -> Self {
        RacesLab::from_lesson(&lessons::LESSONS[0])
    }
}

impl RacesLab {
    pub fn from_lesson(lesson: &Lesson) -> Self {
        RacesLab {
            source: lesson.source.to_owned(),
            lesson: Some(lesson.id.to_owned()),
            schedule: Vec::new(),
            cursor: 0,
            expanded: true,
            challenges: None,
        }
    }

    /// The version 1 set an old link plays, as a set file's text, and
    /// which of its challenges: the page opens it as challenges are
    /// opened today.
    pub fn legacy_set(&self) -> Option<(String, usize)> {
        let playing = self.challenges.as_ref()?;
        let text = serde_json::to_string(&playing.set).expect("a set serialises");
        Some((text, playing.at))
    }
}

impl Lab for RacesLab {
    const ID: LabId = LabId::Races;

    /// Checks what a link can hold (the program itself may not compile:
    /// the page shows why).
    fn validate(&self) -> Result<(), ScenarioError> {
        if self.source.len() > limits::MAX_SOURCE_BYTES {
            return Err(ScenarioError::at_path(
                "source",
                format!(
                    "the program is longer than {} bytes",
                    limits::MAX_SOURCE_BYTES
                ),
            ));
        }
        if self.schedule.len() > limits::MAX_RUN_STEPS {
            return Err(ScenarioError::at_path(
                "schedule",
                format!("a schedule has at most {} steps", limits::MAX_RUN_STEPS),
            ));
        }
        if self.cursor > self.schedule.len() {
            return Err(ScenarioError::at_path(
                "cursor",
                "the cursor is past the end of the schedule",
            ));
        }
        if let Some(playing) = &self.challenges {
            playing
                .set
                .validate()
                .map_err(|err| err.within("challenges.set"))?;
            if playing.at >= playing.set.challenges.len() {
                return Err(ScenarioError::at_path(
                    "challenges.at",
                    format!(
                        "the set has {} challenges; there is no challenge {}",
                        playing.set.challenges.len(),
                        playing.at + 1
                    ),
                ));
            }
            if playing.hints > playing.challenge().hints.len() {
                return Err(ScenarioError::at_path(
                    "challenges.hints",
                    "more hints shown than the challenge has",
                ));
            }
        }
        Ok(())
    }

    fn at_start(&self) -> Option<Self> {
        Some(RacesLab {
            cursor: 0,
            ..self.clone()
        })
    }
}

/// Everything a user can do to the Races lab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    LoadLesson(String),
    /// New program text: compiled at once; the schedule is kept as far as
    /// it still replays.
    Edit(String),
    /// One indivisible step of a thread at the cursor (branching there).
    Step(usize),
    /// Steps a thread until it reaches another source line, blocks or ends.
    StepLine(usize),
    SetCursor(usize),
    Back,
    Forward,
    /// Back to the initial state, forgetting the schedule.
    Restart,
    /// Replaces the schedule (an explorer result) and moves to its end.
    LoadSchedule(Vec<usize>),
    SetExpanded(bool),
}

/// The lab plus what follows from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub lab: RacesLab,
    /// The last program that compiled (shown while the text has an error).
    pub program: Option<Rc<Program>>,
    /// The text `program` was compiled from: its line numbers are this
    /// text's, not the edited text's.
    pub compiled: Rc<str>,
    /// The schedule replayed on `program`.
    pub run: Rc<Run>,
    /// Why the current text does not compile.
    pub error: Option<ScenarioError>,
    /// A one-off message: why a step could not be taken, or what part of
    /// a schedule no longer replays.
    pub notice: Option<String>,
}

impl Session {
    pub fn new(lab: RacesLab) -> Session {
        let mut session = Session {
            lab: RacesLab {
                schedule: Vec::new(),
                cursor: 0,
                ..lab.clone()
            },
            program: None,
            compiled: Rc::from(""),
            run: Rc::new(Run {
                states: Vec::new(),
                steps: Vec::new(),
            }),
            error: None,
            notice: None,
        };
        session.recompile(lab.source, lab.schedule);
        session.lab.cursor = lab.cursor.min(session.lab.schedule.len());
        session
    }

    /// Compiles `source`; on success replays as much of `schedule` as fits.
    fn recompile(&mut self, source: String, schedule: Vec<usize>) {
        self.lab.source = source;
        match races::compile_source(&self.lab.source) {
            Ok(program) => {
                self.error = None;
                let mut run = Run::new(&program);
                let mut kept = Vec::new();
                for (idx, &thread) in schedule.iter().enumerate() {
                    if let Err(why) = run.step(&program, thread) {
                        self.notice = Some(format!(
                            "The schedule no longer replays from step {}: {why}. Kept the first {idx} steps.",
                            idx + 1
                        ));
                        break;
                    }
                    kept.push(thread);
                }
                self.lab.cursor = self.lab.cursor.min(kept.len());
                self.lab.schedule = kept;
                self.program = Some(Rc::new(program));
                self.compiled = Rc::from(self.lab.source.as_str());
                self.run = Rc::new(run);
            }
            Err(error) => self.error = Some(error),
        }
    }

    /// The state at the cursor.
    pub fn state(&self) -> Option<&State> {
        self.program.as_ref()?;
        self.run.states.get(self.lab.cursor)
    }

    pub fn lesson(&self) -> Option<&'static Lesson> {
        self.lab.lesson.as_deref().and_then(lessons::find)
    }

    /// The lesson, while its program is unedited: its takeaway speaks of
    /// that program, not of whatever the learner wrote instead.
    pub fn unchanged_lesson(&self) -> Option<&'static Lesson> {
        self.lesson()
            .filter(|lesson| lesson.source == self.lab.source)
    }

    /// Where the run's end repeats an earlier state (it ends by going
    /// round a cycle, as a loaded lasso does): the step to play the cycle
    /// again from.
    pub fn loop_start(&self) -> Option<usize> {
        let end = self.lab.schedule.len();
        let last = self.run.states.get(end)?;
        (0..end).rev().find(|&at| self.run.states[at] == *last)
    }

    /// Whether the program's goal is met at the cursor.
    pub fn goal_met(&self) -> Option<bool> {
        let program = self.program.as_ref()?;
        let goal = program.goal?;
        let state = self.state()?;
        Some(if goal.is_liveness() {
            crate::races::liveness::closes_cycle(program, &self.run, self.lab.cursor, goal)
        } else {
            crate::races::explore::goal_met(program, state, goal)
        })
    }

    /// Whether something has gone wrong at the cursor.
    pub fn failing(&self) -> bool {
        match (self.program.as_ref(), self.state()) {
            (Some(program), Some(state)) => failing_state(program, state),
            _ => false,
        }
    }
}

impl LabSession for Session {
    type Lab = RacesLab;
    type Action = Action;

    fn open(lab: RacesLab) -> Session {
        Session::new(lab)
    }

    fn lab(&self) -> &RacesLab {
        &self.lab
    }

    fn apply(&mut self, action: Action) -> Result<(), ScenarioError> {
        apply(self, action)
    }

    /// Every action changes what the link holds (the cursor too).
    fn is_edit(_: &Action) -> bool {
        true
    }
}

/// The one reducer, with the shape every lab's has: applies `action`, or
/// refuses it, leaving the session as it was, with an error that says why
/// (an unknown lesson, a thread that cannot step, a program that does not
/// compile). A text that does not compile is kept, not refused: the
/// session shows its error and keeps the last program that compiled.
pub fn apply(session: &mut Session, action: Action) -> Result<(), ScenarioError> {
    let refused = |why: String| Err(ScenarioError::at_path("", why));
    match action {
        Action::LoadLesson(id) => {
            let Some(lesson) = lessons::find(&id) else {
                return Err(ScenarioError::at_path(
                    "lesson",
                    format!("there is no lesson {id:?}"),
                ));
            };
            let expanded = session.lab.expanded;
            *session = Session::new(RacesLab {
                expanded,
                ..RacesLab::from_lesson(lesson)
            });
        }
        Action::Edit(source) => {
            session.notice = None;
            if source != session.lab.source {
                let schedule = session.lab.schedule.clone();
                session.recompile(source, schedule);
            }
        }
        Action::Step(thread) | Action::StepLine(thread) => {
            let Some(program) = session.program.clone() else {
                return refused("the program does not compile yet".to_owned());
            };
            let cursor = session.lab.cursor;
            let at = &session.run.states[cursor];
            if let Some(why) = schedule::refusal(&program, at, cursor, thread) {
                return refused(why);
            }
            session.notice = None;
            step(
                session,
                &program,
                thread,
                matches!(action, Action::StepLine(_)),
            );
        }
        Action::SetCursor(cursor) => session.lab.cursor = cursor.min(session.lab.schedule.len()),
        Action::Back => session.lab.cursor = session.lab.cursor.saturating_sub(1),
        Action::Forward => {
            session.lab.cursor = (session.lab.cursor + 1).min(session.lab.schedule.len())
        }
        Action::Restart => {
            session.notice = None;
            let source = session.lab.source.clone();
            session.lab.cursor = 0;
            session.recompile(source, Vec::new());
        }
        Action::LoadSchedule(schedule) => {
            session.notice = None;
            let source = session.lab.source.clone();
            session.lab.cursor = usize::MAX;
            session.recompile(source, schedule);
            session.lab.cursor = session.lab.schedule.len();
        }
        Action::SetExpanded(expanded) => session.lab.expanded = expanded,
    }
    Ok(())
}

/// Steps at the cursor, which `thread` can, cutting off the steps after it
/// (a new branch); a line step goes on while the thread stays on its line.
fn step(session: &mut Session, program: &Program, thread: usize, whole_line: bool) {
    let cursor = session.lab.cursor;
    if cursor < session.lab.schedule.len() {
        session.lab.schedule.truncate(cursor);
        let run = Rc::make_mut(&mut session.run);
        run.states.truncate(cursor + 1);
        run.steps.truncate(cursor);
    }
    let run = Rc::make_mut(&mut session.run);
    let start_line = run
        .last()
        .threads
        .get(thread)
        .and_then(|state| program.threads[thread].instrs.get(state.pc as usize))
        .map(|instr| instr.line);
    let mut taken = 0;
    while run.step(program, thread).is_ok() {
        session.lab.schedule.push(thread);
        taken += 1;
        if !whole_line || taken >= 200 {
            break;
        }
        let next = &run.last().threads[thread];
        let next_line = program.threads[thread]
            .instrs
            .get(next.pc as usize)
            .map(|i| i.line);
        if next.status != Status::Running
            || next_line != start_line
            || !run.last().can_step(program, thread)
        {
            break;
        }
    }
    session.lab.cursor = session.lab.schedule.len();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepping_back_then_stepping_again_branches_the_schedule() {
        let mut session = Session::new(RacesLab::default());
        for thread in [0, 0, 0] {
            apply(&mut session, Action::Step(thread)).unwrap();
        }
        assert_eq!(session.lab.schedule, vec![0, 0, 0]);
        apply(&mut session, Action::Back).unwrap();
        apply(&mut session, Action::Back).unwrap();
        assert_eq!(session.lab.cursor, 1);
        apply(&mut session, Action::Step(1)).unwrap();
        assert_eq!(session.lab.schedule, vec![0, 1]);
        assert_eq!(session.run.states.len(), 3);
    }

    #[test]
    fn a_line_step_runs_the_whole_increment_and_meets_the_goal_when_updates_are_lost() {
        let mut session = Session::new(RacesLab::default());
        apply(&mut session, Action::Step(0)).unwrap();
        apply(&mut session, Action::Step(1)).unwrap();
        assert_eq!(session.goal_met(), Some(false));
        apply(&mut session, Action::StepLine(0)).unwrap();
        apply(&mut session, Action::StepLine(1)).unwrap();
        assert_eq!(session.lab.schedule, vec![0, 1, 0, 0, 1, 1]);
        assert_eq!(session.goal_met(), Some(true));
    }

    #[test]
    fn a_bad_edit_keeps_the_text_and_the_last_good_program() {
        let mut session = Session::new(RacesLab::default());
        apply(&mut session, Action::Step(0)).unwrap();
        let good = session.program.clone();
        let good_text = session.lab.source.clone();
        assert_eq!(&*session.compiled, good_text);
        apply(&mut session, Action::Edit("thread A {".into())).unwrap();
        assert_eq!(session.lab.source, "thread A {");
        assert!(session.error.is_some());
        assert_eq!(session.program, good);
        // The program shown is drawn from the text it was compiled from.
        assert_eq!(&*session.compiled, good_text);
        assert_eq!(session.lab.schedule, vec![0]);
    }

    #[test]
    fn an_edit_keeps_the_schedule_as_far_as_it_replays() {
        let mut session = Session::new(RacesLab::default());
        for thread in [0, 0, 0, 1] {
            apply(&mut session, Action::Step(thread)).unwrap();
        }
        apply(
            &mut session,
            Action::Edit("shared x = 0\nthread A { x = x + 1 }\nthread B { x = 5 }\n".into()),
        )
        .unwrap();
        assert_eq!(session.lab.schedule, vec![0, 0, 0, 1]);
        apply(
            &mut session,
            Action::Edit("shared x = 0\nthread A { x = 1 }\nthread B { x = 5 }\n".into()),
        )
        .unwrap();
        assert_eq!(session.lab.schedule, vec![0]);
        assert!(session.notice.as_deref().unwrap().contains("from step 2"));
    }

    #[test]
    fn a_lessons_takeaway_belongs_to_its_unedited_program_only() {
        let mut session = Session::new(RacesLab::default());
        assert!(session.unchanged_lesson().is_some());
        apply(
            &mut session,
            Action::Edit("shared x = 0\nthread A { x = 1 }\n".into()),
        )
        .unwrap();
        assert!(session.lesson().is_some(), "still picked in the menu");
        assert_eq!(session.unchanged_lesson(), None);
    }

    #[test]
    fn a_blocked_thread_does_not_step_and_says_why() {
        let mut session = Session::new(RacesLab::from_lesson(
            lessons::find("counter-mutex").unwrap(),
        ));
        apply(&mut session, Action::Step(0)).unwrap();
        let before = session.clone();
        let refused = apply(&mut session, Action::Step(1)).unwrap_err();
        assert_eq!(refused.message, "B waits for m (held by A)");
        assert_eq!(session, before, "a refused step changes nothing");
        apply(&mut session, Action::Back).unwrap();
        let refused = apply(&mut session, Action::LoadLesson("nope".into())).unwrap_err();
        assert_eq!(refused.to_string(), "lesson: there is no lesson \"nope\"");
    }
}
