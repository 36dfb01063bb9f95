//! The lab's reducer: lessons, edits, the cursor, jobs, and links.

use super::*;
use crate::share;

fn session() -> Session {
    Session::new(EventLoopLab::default())
}

#[test]
fn a_lesson_opens_at_its_first_step_with_its_whole_run() {
    let session = session();
    assert_eq!(session.lab.lesson.as_deref(), Some("timeout-vs-then"));
    assert_eq!(session.lab.cursor, 0);
    let run = session.run.as_ref().expect("it runs");
    assert!(run.steps.len() > 5);
    assert!(session.unchanged_lesson().is_some());
}

#[test]
fn next_job_and_previous_job_move_between_the_starts_of_jobs() {
    let mut session = session();
    let run = session.run.clone().expect("runs");
    apply(&mut session, Action::NextJob).expect("moves");
    assert_eq!(session.lab.cursor, run.jobs[1].first_step as usize);
    apply(&mut session, Action::Forward).expect("moves");
    apply(&mut session, Action::PreviousJob).expect("moves");
    assert_eq!(session.lab.cursor, run.jobs[1].first_step as usize);
    apply(&mut session, Action::ToEnd).expect("moves");
    assert_eq!(session.lab.cursor, run.steps.len() - 1);
    apply(&mut session, Action::Forward).expect("stays");
    assert_eq!(session.lab.cursor, run.steps.len() - 1);
}

#[test]
fn an_edit_that_does_not_compile_keeps_the_last_run_and_says_why() {
    let mut session = session();
    let before = session.run.clone();
    apply(&mut session, Action::Edit("console.log(".into())).expect("kept, not refused");
    assert!(session.error.is_some());
    assert_eq!(session.run, before);
    assert_eq!(session.lab.source, "console.log(");
    apply(&mut session, Action::Edit("console.log(1)".into())).expect("compiles");
    assert!(session.error.is_none());
    assert!(
        session.unchanged_lesson().is_none(),
        "an edited lesson is the learner's program"
    );
}

#[test]
fn a_real_run_of_another_text_is_refused() {
    let mut session = session();
    let other = real::RealRun {
        source: "console.log(2)".into(),
        lines: vec!["2".into()],
        ending: real::RealEnding::Finished,
        engine: "test".into(),
    };
    assert!(apply(&mut session, Action::RealRunDone(other)).is_err());
    assert!(session.real.is_none());
    assert!(!Session::is_edit(&Action::RealRunDone(real::RealRun {
        source: "".into(),
        lines: Vec::new(),
        ending: real::RealEnding::Finished,
        engine: String::new(),
    })));
}

#[test]
fn a_link_keeps_the_program_the_step_and_the_view_exactly() {
    let mut session = session();
    apply(
        &mut session,
        Action::Edit("setTimeout(() => console.log('hi'), 20)".into()),
    )
    .expect("edits");
    apply(&mut session, Action::SetCursor(3)).expect("moves");
    apply(&mut session, Action::SetView(Some((1_000, 30_000)))).expect("zooms");
    apply(&mut session, Action::SetSpeed(25.0)).expect("speeds");
    let state = share::encode(&session.lab);
    let back = share::decode::<EventLoopLab>(&state).expect("decodes");
    assert_eq!(back, session.lab);
    let reopened = Session::new(back);
    assert_eq!(reopened.lab.cursor, 3);
}

#[test]
fn states_from_outside_are_checked() {
    for lab in [
        EventLoopLab {
            speed: 3.0,
            ..Default::default()
        },
        EventLoopLab {
            lesson: Some("no-such-lesson".into()),
            ..Default::default()
        },
        EventLoopLab {
            source: "x".repeat(MAX_SOURCE_BYTES + 1),
            ..Default::default()
        },
        EventLoopLab {
            view: Some((5, 5)),
            ..Default::default()
        },
    ] {
        assert!(lab.validate().is_err(), "{lab:?}");
    }
}
