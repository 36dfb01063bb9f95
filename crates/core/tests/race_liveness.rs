//! Starvation and livelock on the cases theory settles: a test-and-set
//! spin lock can starve a thread, Peterson's algorithm cannot, two polite
//! threads that back off for each other can livelock; and every lasso
//! found replays to a real, fair cycle.

use std::rc::Rc;

use interleave_core::races::explore::{Explorer, Options, Report, Verdict};
use interleave_core::races::liveness::Lasso;
use interleave_core::races::machine::{State, Status};
use interleave_core::races::program::{Goal, Op, Program};
use interleave_core::races::{compile_source, lessons, schedule};

fn lesson(id: &str) -> &'static str {
    lessons::find(id).unwrap().source
}

fn explore_with(text: &str, options: Options) -> (Program, Report) {
    let program = compile_source(text).unwrap_or_else(|err| panic!("{err}\n{text}"));
    let shared = Rc::new(program.clone());
    let report = Explorer::new(shared, State::initial(&program), options).run_to_end();
    (program, report)
}

fn explore(text: &str) -> (Program, Report) {
    explore_with(text, Options::default())
}

/// The program with another goal.
fn with_goal(text: &str, goal: &str) -> String {
    let body = text.rsplit_once("goal ").map_or(text, |(body, _)| body);
    format!("{body}goal {goal}\n")
}

fn threads(program: &Program, names: &[String]) -> Vec<usize> {
    schedule::parse(program, &names.join(" ")).unwrap()
}

/// The lasso's cycle starts and ends in the same state; the starving
/// thread (or, for a livelock, every thread) makes no progress in it;
/// for a starvation another thread does; and the cycle is fair: every
/// thread takes a step in it or cannot step at some state of it.
fn check_lasso(program: &Program, lasso: &Lasso) {
    let prefix = threads(program, &lasso.prefix);
    let cycle = threads(program, &lasso.cycle);
    assert!(!cycle.is_empty(), "{lasso:?}");
    let run = schedule::replay(
        program,
        &[prefix.clone(), cycle.clone(), cycle.clone()].concat(),
    )
    .unwrap_or_else(|err| panic!("{err}: {lasso:?}"));
    let entry = &run.states[prefix.len()];
    assert_eq!(entry, &run.states[prefix.len() + cycle.len()], "{lasso:?}");
    assert_eq!(entry, run.last(), "the cycle repeats: {lasso:?}");
    let starving = lasso
        .thread
        .as_ref()
        .map(|name| program.thread_index(name).unwrap());
    let mut someone_progressed = false;
    let mut stepped = vec![false; program.threads.len()];
    let mut idle = vec![false; program.threads.len()];
    for (at, &thread) in cycle.iter().enumerate() {
        let before = &run.states[prefix.len() + at];
        let after = &run.states[prefix.len() + at + 1];
        for (other, idle) in idle.iter_mut().enumerate() {
            *idle |= !before.can_step(program, other);
        }
        stepped[thread] = true;
        let op = &program.threads[thread].instrs[before.threads[thread].pc as usize].op;
        let progress =
            matches!(op, Op::Progress) || after.threads[thread].status != Status::Running;
        if starving.is_none() || starving == Some(thread) {
            assert!(
                !progress,
                "{} progressed in the cycle: {lasso:?}",
                program.threads[thread].name
            );
        } else {
            someone_progressed |= progress;
        }
    }
    if starving.is_some() {
        assert!(someone_progressed, "nobody else progressed: {lasso:?}");
    }
    for thread in 0..program.threads.len() {
        assert!(
            stepped[thread] || idle[thread],
            "unfair to {}: {lasso:?}",
            program.threads[thread].name
        );
    }
}

#[test]
fn a_test_and_set_spin_lock_can_starve_either_thread_but_never_livelocks() {
    let (program, report) = explore(lesson("spinlock-starve"));
    assert_eq!(report.goal_reachable, Some(Verdict::Reached));
    let liveness = report.liveness.as_ref().unwrap();
    assert!(liveness.complete);
    let starving: Vec<_> = liveness
        .starvation
        .iter()
        .map(|l| l.thread.clone().unwrap())
        .collect();
    assert_eq!(starving, ["A", "B"]);
    liveness
        .starvation
        .iter()
        .for_each(|lasso| check_lasso(&program, lasso));
    assert_eq!(liveness.livelock, None);
    let (_, report) = explore(&with_goal(lesson("spinlock-starve"), "livelock"));
    assert_eq!(report.goal_reachable, Some(Verdict::Unreachable));
}

#[test]
fn petersons_algorithm_neither_starves_nor_livelocks() {
    let (_, report) = explore(&with_goal(lesson("peterson-fair"), "starve"));
    assert_eq!(report.goal_reachable, Some(Verdict::Unreachable));
    let liveness = report.liveness.unwrap();
    assert!(liveness.complete && liveness.starvation.is_empty() && liveness.livelock.is_none());
    assert!(liveness.states > 20, "{}", liveness.states);
    let (_, report) = explore(&with_goal(lesson("peterson-fair"), "livelock"));
    assert_eq!(report.goal_reachable, Some(Verdict::Unreachable));
}

#[test]
fn two_polite_threads_livelock() {
    let (program, report) = explore(lesson("polite-livelock"));
    assert_eq!(report.goal_reachable, Some(Verdict::Reached));
    let lasso = report.liveness.as_ref().unwrap().livelock.clone().unwrap();
    assert_eq!(lasso.thread, None);
    check_lasso(&program, &lasso);
    // One of them can also get through again and again while the other
    // keeps backing off.
    for lasso in &report.liveness.unwrap().starvation {
        check_lasso(&program, lasso);
    }
}

#[test]
fn a_thread_waiting_for_a_notify_nobody_sends_starves_while_another_goes_on() {
    let text = "mutex m\ncond c\nthread A {\n  while true {\n    progress\n  }\n}\n\
                thread B {\n  lock(m)\n  wait(c, m)\n  unlock(m)\n}\ngoal starve\n";
    let (program, report) = explore(text);
    assert_eq!(report.goal_reachable, Some(Verdict::Reached));
    let liveness = report.liveness.unwrap();
    assert_eq!(liveness.starvation.len(), 1);
    assert_eq!(liveness.starvation[0].thread.as_deref(), Some("B"));
    check_lasso(&program, &liveness.starvation[0]);
    assert_eq!(liveness.livelock, None);
}

#[test]
fn a_scheduler_that_ignores_a_ready_thread_is_not_a_finding() {
    // B could run at every state of A's loop: a cycle without B is unfair.
    let text = "shared x = 0\nthread A {\n  while true {\n    progress\n  }\n}\n\
                thread B {\n  x = 1\n}\ngoal starve\n";
    let (_, report) = explore(text);
    assert_eq!(report.goal_reachable, Some(Verdict::Unreachable));
}

#[test]
fn a_writer_starves_while_readers_keep_overlapping() {
    let (program, report) = explore(lesson("readers-writer-starve"));
    assert_eq!(report.goal_reachable, Some(Verdict::Reached));
    let liveness = report.liveness.unwrap();
    let starving: Vec<_> = liveness
        .starvation
        .iter()
        .map(|l| l.thread.clone().unwrap())
        .collect();
    assert_eq!(starving, ["W"]);
    check_lasso(&program, &liveness.starvation[0]);
    assert_eq!(liveness.livelock, None);
}

#[test]
fn lessons_without_a_liveness_goal_neither_starve_nor_livelock() {
    // Spurious wake-ups (the bounded buffer) are taken finitely often.
    for lesson in &lessons::LESSONS {
        let goal = compile_source(lesson.source).unwrap().goal;
        if goal.is_some_and(Goal::is_liveness) {
            continue;
        }
        let (_, report) = explore(lesson.source);
        if let Some(liveness) = report.liveness {
            assert!(liveness.complete, "{}", lesson.id);
            assert_eq!(liveness.starvation, [], "{}", lesson.id);
            assert_eq!(liveness.livelock, None, "{}", lesson.id);
        }
    }
}

#[test]
fn the_verdicts_do_not_depend_on_the_reduction() {
    for (id, goal) in [
        ("spinlock-starve", "starve"),
        ("peterson-fair", "starve"),
        ("polite-livelock", "livelock"),
        ("readers-writer-starve", "starve"),
    ] {
        let text = with_goal(lesson(id), goal);
        let (_, reduced) = explore(&text);
        let (_, full) = explore_with(
            &text,
            Options {
                partial_order: false,
                ..Options::default()
            },
        );
        assert_eq!(reduced.goal_reachable, full.goal_reachable, "{goal}");
        assert_eq!(reduced.liveness, full.liveness, "{goal}");
    }
}

#[test]
fn a_liveness_search_stopped_at_the_state_cap_says_unknown() {
    let (_, report) = explore_with(
        &with_goal(lesson("peterson-fair"), "starve"),
        Options {
            max_states: 30,
            ..Options::default()
        },
    );
    assert_eq!(report.goal_reachable, Some(Verdict::Unknown));
    let (_, whole) = explore(&with_goal(lesson("peterson-fair"), "starve"));
    assert_eq!(whole.goal_reachable, Some(Verdict::Unreachable));
}

#[test]
fn a_learner_wins_a_liveness_goal_by_stepping_round_the_cycle_by_hand() {
    use interleave_core::races::lab::{Action, RacesLab, Session, apply};
    for id in [
        "spinlock-starve",
        "readers-writer-starve",
        "polite-livelock",
    ] {
        let (program, report) = explore(lesson(id));
        let liveness = report.liveness.unwrap();
        let lasso = liveness
            .livelock
            .as_ref()
            .filter(|_| id == "polite-livelock")
            .unwrap_or(&liveness.starvation[0]);
        let mut session = Session::new(RacesLab {
            source: lesson(id).to_owned(),
            ..RacesLab::default()
        });
        let prefix = threads(&program, &lasso.prefix);
        apply(&mut session, Action::LoadSchedule(prefix.clone())).unwrap();
        assert_eq!(
            session.goal_met(),
            Some(false),
            "{id}: not before the cycle"
        );
        assert_eq!(session.loop_start(), None, "{id}");
        let whole = [prefix, threads(&program, &lasso.cycle)].concat();
        apply(&mut session, Action::LoadSchedule(whole)).unwrap();
        assert_eq!(session.goal_met(), Some(true), "{id}: {lasso:?}");
        // The page's Play goes round it again from there.
        let start = session.loop_start().expect("the run ends on a cycle");
        assert!(start >= lasso.prefix.len(), "{id}");
        assert_eq!(session.run.states[start], *session.run.last());
    }
}
