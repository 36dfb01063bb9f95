//! The Event loop lab's state and its one `apply(session, action)`.
//!
//! [`EventLoopLab`] is what a link, a lab file and the autosave hold: the
//! program text (kept even when it does not compile), the lesson it came
//! from, the step shown, the timeline's zoom and the playback speed.
//! [`Session`] adds what follows: the compiled program and its whole run,
//! recorded step by step, so going back and forth is free; and the
//! result of running the same text for real in this browser, when the
//! learner asked for it.

pub mod checks;
pub mod narration;
pub mod real;
pub mod timeline;

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::compile::Program;
use super::lessons::{self, Lesson};
use super::record::{Run, StepKind};
use super::syntax::MAX_SOURCE_BYTES;
use super::{Limits, compile_source, runtime};
use crate::error::ScenarioError;
use crate::labs::{Lab, LabId, LabSession};

/// The playback speeds offered, in steps per second.
pub const SPEEDS: [f64; 5] = [2.0, 5.0, 10.0, 25.0, 60.0];
/// The speed a new lab plays at.
pub const DEFAULT_SPEED: f64 = 5.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventLoopLab {
    /// The program text, as typed.
    pub source: String,
    /// The built-in lesson the text came from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<String>,
    /// The step shown (an index into the run's steps).
    #[serde(default)]
    pub cursor: usize,
    /// The timeline's visible window (µs), when zoomed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<(u64, u64)>,
    /// Playback speed, in steps per second (one of [`SPEEDS`]).
    #[serde(default = "default_speed", skip_serializing_if = "is_default_speed")]
    pub speed: f64,
}

fn default_speed() -> f64 {
    DEFAULT_SPEED
}

fn is_default_speed(speed: &f64) -> bool {
    *speed == DEFAULT_SPEED
}

impl Default for EventLoopLab {
    fn default() -> Self {
        EventLoopLab::from_lesson(&lessons::LESSONS[0])
    }
}

impl EventLoopLab {
    pub fn from_lesson(lesson: &Lesson) -> Self {
        EventLoopLab {
            source: lesson.source.to_owned(),
            lesson: Some(lesson.id.to_owned()),
            cursor: 0,
            view: None,
            speed: DEFAULT_SPEED,
        }
    }
}

impl Lab for EventLoopLab {
    const ID: LabId = LabId::EventLoop;

    /// Checks what a link can hold (the program itself may not compile:
    /// the page shows why; it never runs before it is checked).
    fn validate(&self) -> Result<(), ScenarioError> {
        if self.source.len() > MAX_SOURCE_BYTES {
            return Err(ScenarioError::at_path(
                "source",
                format!(
                    "the program is {} bytes; the most this lab reads is {MAX_SOURCE_BYTES}",
                    self.source.len()
                ),
            ));
        }
        if let Some(lesson) = &self.lesson
            && lessons::find(lesson).is_none()
        {
            return Err(ScenarioError::at_path(
                "lesson",
                format!("there is no lesson {lesson:?}"),
            ));
        }
        if self.cursor > Limits::default().max_steps as usize * 4 {
            return Err(ScenarioError::at_path(
                "cursor",
                "the step is past any run's end",
            ));
        }
        if let Some((from, to)) = self.view
            && from >= to
        {
            return Err(ScenarioError::at_path(
                "view",
                "the view ends before it starts",
            ));
        }
        if !SPEEDS.contains(&self.speed) {
            return Err(ScenarioError::at_path(
                "speed",
                format!(
                    "the speed is one of {SPEEDS:?} steps per second, not {}",
                    self.speed
                ),
            ));
        }
        Ok(())
    }

    fn at_start(&self) -> Option<Self> {
        Some(EventLoopLab {
            cursor: 0,
            ..self.clone()
        })
    }
}

/// Everything a user (or the page) can do to the lab.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    LoadLesson(String),
    /// New program text: compiled and run at once; the cursor is kept
    /// where the new run allows.
    Edit(String),
    SetCursor(usize),
    Forward,
    Back,
    /// To the first step of the next job (the event loop's next turn).
    NextJob,
    /// To the first step of this job, or of the one before.
    PreviousJob,
    ToStart,
    ToEnd,
    /// The timeline's window; `None` shows the whole run.
    SetView(Option<(u64, u64)>),
    SetSpeed(f64),
    /// The same program ran for real in this browser: what it printed.
    RealRunDone(real::RealRun),
}

/// The lab plus what follows from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub lab: EventLoopLab,
    /// The last program that compiled (shown while the text has an error).
    pub program: Option<Rc<Program>>,
    /// The text `program` was compiled from.
    pub compiled: Rc<str>,
    /// The run of `program`.
    pub run: Option<Rc<Run>>,
    /// Why the current text does not compile.
    pub error: Option<ScenarioError>,
    /// The real run of `compiled`, if the learner asked for one.
    pub real: Option<Rc<real::RealRun>>,
}

impl Session {
    pub fn new(lab: EventLoopLab) -> Session {
        let cursor = lab.cursor;
        let mut session = Session {
            lab: EventLoopLab { cursor: 0, ..lab },
            program: None,
            compiled: Rc::from(""),
            run: None,
            error: None,
            real: None,
        };
        let source = session.lab.source.clone();
        session.recompile(source);
        session.lab.cursor = cursor.min(session.last_step());
        session
    }

    /// Compiles and runs `source`; on an error keeps the last good run.
    fn recompile(&mut self, source: String) {
        self.lab.source = source;
        match compile_source(&self.lab.source) {
            Ok(program) => {
                let program = Rc::new(program);
                let run = runtime::run(
                    program.clone(),
                    Rc::from(self.lab.source.as_str()),
                    Limits::default(),
                );
                self.error = None;
                self.program = Some(program);
                self.compiled = Rc::from(self.lab.source.as_str());
                self.run = Some(Rc::new(run));
                self.real = None;
                self.lab.cursor = self.lab.cursor.min(self.last_step());
                self.lab.view = self.lab.view.filter(|&(from, _)| from < self.end_time());
            }
            Err(error) => self.error = Some(error),
        }
    }

    /// The index of the run's last step.
    pub fn last_step(&self) -> usize {
        self.run
            .as_ref()
            .map_or(0, |run| run.steps.len().saturating_sub(1))
    }

    pub fn end_time(&self) -> u64 {
        self.run.as_ref().map_or(0, |run| run.end)
    }

    pub fn lesson(&self) -> Option<&'static Lesson> {
        self.lab.lesson.as_deref().and_then(lessons::find)
    }

    /// The lesson while its program is unedited (its words are about that
    /// program).
    pub fn unchanged_lesson(&self) -> Option<&'static Lesson> {
        self.lesson()
            .filter(|lesson| lesson.source == self.lab.source)
    }

    /// The job at the cursor.
    pub fn job_at_cursor(&self) -> Option<u32> {
        let run = self.run.as_ref()?;
        run.steps.get(self.lab.cursor)?.job
    }

    /// The source line of the statement at the cursor.
    pub fn line_at_cursor(&self) -> Option<u32> {
        let run = self.run.as_ref()?;
        let program = self.program.as_ref()?;
        match run.steps.get(self.lab.cursor)?.kind {
            StepKind::Stmt(n) => Some(program.stmts[n as usize].start.line),
            _ => None,
        }
    }

    /// The real run's verdict against the lab's run.
    pub fn comparison(&self) -> Option<real::Comparison> {
        let real = self.real.as_ref()?;
        let run = self.run.as_ref()?;
        Some(real::compare(run, real))
    }
}

impl LabSession for Session {
    type Lab = EventLoopLab;
    type Action = Action;

    fn open(lab: EventLoopLab) -> Session {
        Session::new(lab)
    }

    fn lab(&self) -> &EventLoopLab {
        &self.lab
    }

    fn apply(&mut self, action: Action) -> Result<(), ScenarioError> {
        apply(self, action)
    }

    /// What the learner does is written to the link; a real run's result
    /// is not (a link's code runs only when its visitor asks).
    fn is_edit(action: &Action) -> bool {
        !matches!(action, Action::RealRunDone(_))
    }
}

/// The one reducer: applies `action`, or refuses it with the reason,
/// leaving the session as it was.
pub fn apply(session: &mut Session, action: Action) -> Result<(), ScenarioError> {
    let refused = |why: &str| Err(ScenarioError::at_path("", why));
    match action {
        Action::LoadLesson(id) => {
            let Some(lesson) = lessons::find(&id) else {
                return Err(ScenarioError::at_path(
                    "lesson",
                    format!("there is no lesson {id:?}"),
                ));
            };
            let speed = session.lab.speed;
            *session = Session::new(EventLoopLab {
                speed,
                ..EventLoopLab::from_lesson(lesson)
            });
        }
        Action::Edit(source) => {
            if source.len() > MAX_SOURCE_BYTES {
                return Err(ScenarioError::at_path(
                    "source",
                    format!(
                        "the program is {} bytes; the most this lab reads is {MAX_SOURCE_BYTES}",
                        source.len()
                    ),
                ));
            }
            if source != session.lab.source {
                session.recompile(source);
            }
        }
        Action::SetCursor(step) => session.lab.cursor = step.min(session.last_step()),
        Action::Forward => session.lab.cursor = (session.lab.cursor + 1).min(session.last_step()),
        Action::Back => session.lab.cursor = session.lab.cursor.saturating_sub(1),
        Action::ToStart => session.lab.cursor = 0,
        Action::ToEnd => session.lab.cursor = session.last_step(),
        Action::NextJob | Action::PreviousJob => {
            let Some(run) = session.run.clone() else {
                return refused("the program does not compile yet");
            };
            let cursor = session.lab.cursor;
            let target = if action == Action::NextJob {
                run.jobs
                    .iter()
                    .map(|job| job.first_step as usize)
                    .find(|&first| first > cursor)
                    .unwrap_or(session.last_step())
            } else {
                run.jobs
                    .iter()
                    .map(|job| job.first_step as usize)
                    .rfind(|&first| first < cursor)
                    .unwrap_or(0)
            };
            session.lab.cursor = target;
        }
        Action::SetView(view) => {
            if let Some((from, to)) = view
                && from >= to
            {
                return refused("the view ends before it starts");
            }
            session.lab.view = view;
        }
        Action::SetSpeed(speed) => {
            if !SPEEDS.contains(&speed) {
                return refused("that speed is not one of the lab's");
            }
            session.lab.speed = speed;
        }
        Action::RealRunDone(real) => {
            if *real.source != *session.compiled {
                return refused("that real run was of another program");
            }
            session.real = Some(Rc::new(real));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
