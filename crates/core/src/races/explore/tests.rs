//! The explorer against what must be true of every interleaving.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use proptest::prelude::*;

use super::*;
use crate::races::compile_source;
use crate::races::lessons;
use crate::races::machine::State;
use crate::races::schedule;

fn explore(text: &str, reduction: bool) -> Report {
    explore_with(
        text,
        Options {
            reduction,
            ..Options::default()
        },
    )
}

/// Explores `text` from its start to the end of the search.
fn explore_with(text: &str, options: Options) -> Report {
    let program = Rc::new(compile_source(text).unwrap());
    let start = State::initial(&program);
    Explorer::new(program, start, options).run_to_end()
}

/// Explores `text` as the page does, stopping at `max_states`.
fn explore_capped(text: &str, max_states: usize) -> Report {
    explore_with(
        text,
        Options {
            max_states,
            ..Options::default()
        },
    )
}

/// A lesson explored as the page does.
pub(super) fn explore_lesson(id: &str) -> Report {
    explore(lesson(id), true)
}

fn lesson(id: &str) -> &'static str {
    lessons::find(id).unwrap().source
}

fn values(report: &Report, name: &str) -> BTreeSet<String> {
    report
        .reached()
        .map(|o| o.shared[name].to_string())
        .collect()
}

fn binomial(n: u64, k: u64) -> u64 {
    (1..=k).fold(1, |acc, i| acc * (n - k + i) / i)
}

#[test]
fn without_reduction_two_threads_of_n_and_m_steps_have_n_plus_m_choose_n_interleavings() {
    for (n, m) in [(1, 1), (2, 3), (4, 4), (5, 3)] {
        let steps = |count: usize| "  a = 1\n".repeat(count);
        let text = format!("thread A {{\n{}}}\nthread B {{\n{}}}\n", steps(n), steps(m));
        let report = explore(&text, false);
        assert_eq!(
            report.interleavings,
            binomial((n + m) as u64, n as u64),
            "n={n} m={m}"
        );
        assert!(report.complete);
    }
}

#[test]
fn unlocked_increments_end_with_one_or_two_and_locked_ones_with_two() {
    for reduction in [false, true] {
        let report = explore(lesson("lost-update"), reduction);
        assert_eq!(
            values(&report, "x"),
            BTreeSet::from(["1".into(), "2".into()])
        );
        assert_eq!(report.goal_reachable, Some(Verdict::Reached));
        let report = explore(lesson("counter-mutex"), reduction);
        assert_eq!(values(&report, "x"), BTreeSet::from(["2".into()]));
        assert_eq!(report.failing, 0);
    }
    let report = explore(lesson("lost-update"), false);
    assert_eq!(report.interleavings, 20);
    let lost = report
        .outcomes
        .iter()
        .find(|o| o.outcome.shared["x"] == Shown::Int(1))
        .unwrap();
    assert!(lost.outcome.lost_update && lost.outcome.assert_failed);
}

#[test]
fn the_shortest_failing_schedule_replays_to_the_failure() {
    let text = lesson("lost-update");
    let report = explore(text, true);
    let shortest = report.shortest_failing.clone().unwrap();
    assert_eq!(shortest.len(), 6);
    let program = compile_source(text).unwrap();
    let schedule = schedule::parse(&program, &shortest.join(" ")).unwrap();
    let run = schedule::replay(&program, &schedule).unwrap();
    assert!(target_state(&program, run.last()));
}

#[test]
fn adjacent_removals_can_leave_a_removed_node_in_the_list_but_not_with_a_lock() {
    for reduction in [false, true] {
        let report = explore(lesson("list-removal"), reduction);
        let lists = values(&report, "head");
        assert!(lists.contains("[0, 1, 4]"), "{lists:?}");
        assert!(
            lists.contains("[0, 1, 3, 4]"),
            "node 3 stays reachable: {lists:?}"
        );
        assert_eq!(report.goal_reachable, Some(Verdict::Reached));
        let report = explore(lesson("list-removal-mutex"), reduction);
        assert_eq!(
            values(&report, "head"),
            BTreeSet::from(["[0, 1, 4]".into()])
        );
        assert_eq!(report.failing, 0);
    }
}

#[test]
fn opposite_lock_orders_can_deadlock_and_the_fixes_cannot() {
    for reduction in [false, true] {
        let report = explore(lesson("deadlock"), reduction);
        assert!(report.deadlocks > 0);
        let deadlock = report.outcomes.iter().find(|o| o.outcome.deadlock).unwrap();
        assert_eq!(
            deadlock.outcome.result,
            "deadlock: A waits for b (held by B), B waits for a (held by A)"
        );
        for fixed in ["deadlock-ordered", "deadlock-lock-all"] {
            let report = explore(lesson(fixed), reduction);
            assert_eq!(report.deadlocks, 0, "{fixed}");
            assert_eq!(report.failing, 0, "{fixed}");
        }
    }
}

#[test]
fn the_home_made_lock_lets_two_threads_in_and_the_mutex_does_not() {
    let report = explore(lesson("critical-section"), true);
    assert_eq!(report.goal_reachable, Some(Verdict::Reached));
    assert!(report.cycles, "the spin loop can go round forever");
    let report = explore(lesson("critical-section-mutex"), true);
    assert!(report.outcomes.iter().all(|o| !o.outcome.critical));
}

#[test]
fn file_lessons_lose_a_line_without_a_lock_and_never_with_flock() {
    let report = explore(lesson("file-append"), true);
    assert_eq!(report.goal_reachable, Some(Verdict::Reached));
    let logs: BTreeSet<&str> = report
        .outcomes
        .iter()
        .map(|o| o.outcome.files["log"].as_str())
        .collect();
    assert!(
        logs.contains("P2 was here\n") || logs.contains("P1 was here\n"),
        "{logs:?}"
    );
    let report = explore(lesson("file-append-flock"), true);
    assert_eq!(report.failing, 0);
    let report = explore(lesson("check-then-act"), true);
    assert_eq!(report.goal_reachable, Some(Verdict::Reached));
}

#[test]
fn every_lesson_compiles_and_explores_completely() {
    for lesson in &lessons::LESSONS {
        let report = explore(lesson.source, true);
        assert!(report.complete, "{}", lesson.id);
        // Threads that loop for ever end in no outcome: the liveness
        // search looks at their cycles.
        assert!(
            report.interleavings > 0 || report.liveness.is_some(),
            "{}",
            lesson.id
        );
        let program = compile_source(lesson.source).unwrap();
        if let Some(goal) = program.goal {
            assert_eq!(
                report.goal_reachable,
                Some(Verdict::Reached),
                "{}: {goal:?}",
                lesson.id
            );
        }
    }
}

#[test]
fn the_state_cap_stops_the_search_and_says_so() {
    let text = "shared x = 0\nthread A { while true { x = x + 1 } }\nthread B { while true { x = x - 1 } }\n";
    let report = explore_capped(text, 1_000);
    assert!(!report.complete);
}

#[test]
fn a_runaway_thread_stops_at_the_step_limit() {
    let text = "thread A {\n  i = 0\n  while true {\n    i = i + 1\n  }\n}\n";
    let report = explore(text, true);
    assert!(report.outcomes.iter().any(|o| o.outcome.runaway));
}

/// Small random programs: two or three threads of straight-line shared
/// accesses and locks, no loops, so the unreduced search is finite.
fn program_strategy() -> impl Strategy<Value = String> {
    let statement = prop_oneof![
        Just("x = x + 1".to_owned()),
        Just("y = x".to_owned()),
        Just("x = y + 1".to_owned()),
        Just("t = y".to_owned()),
        Just("t = t + 1".to_owned()),
        Just("lock(m)\n  x = x * 2\n  unlock(m)".to_owned()),
        Just("if x > 0 { y = y + 1 }".to_owned()),
        Just("lock(m)\n  lock(n)\n  unlock(n)\n  unlock(m)".to_owned()),
        Just("lock(n)\n  lock(m)\n  unlock(m)\n  unlock(n)".to_owned()),
        Just("critical { y = 1 }".to_owned()),
    ];
    // Small enough that the unreduced tree stays in the tens of thousands.
    let two = prop::collection::vec(prop::collection::vec(statement.clone(), 1..=2), 2);
    let three = prop::collection::vec(prop::collection::vec(statement, 1), 3);
    prop_oneof![two, three]
        .prop_map(|threads| with_threads("shared x = 0\nshared y = 0\nmutex m, n\n", &threads))
}

/// A program: `head` (declarations), then a thread `T0`, `T1`, ... per body.
fn with_threads(head: &str, threads: &[Vec<String>]) -> String {
    let mut text = head.to_owned();
    for (idx, body) in threads.iter().enumerate() {
        text.push_str(&format!("thread T{idx} {{\n  {}\n}}\n", body.join("\n  ")));
    }
    text
}

fn outcome_set(report: &Report) -> BTreeSet<String> {
    report
        .reached()
        .map(|o| format!("{} | {} | {}", o.values_text(), o.result, o.failing))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn reduction_never_changes_the_set_of_final_outcomes(text in program_strategy()) {
        let reduced = explore(&text, true);
        let full = explore(&text, false);
        prop_assert!(full.complete);
        prop_assert_eq!(outcome_set(&reduced), outcome_set(&full));
        prop_assert_eq!(reduced.deadlocks > 0, full.deadlocks > 0);
        prop_assert!(reduced.states <= full.states);
    }
}

/// What two programs must share to behave alike: the final values, and
/// whether each ended in a deadlock, a failure or a broken critical section.
fn behaviour(report: &Report) -> BTreeSet<String> {
    report
        .reached()
        .map(|o| {
            let (deadlock, failing, critical) = (o.deadlock, o.failing, o.critical);
            format!(
                "{} deadlock={deadlock} failing={failing} critical={critical}",
                o.values_text()
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_semaphore_starting_at_one_behaves_as_a_mutex(text in program_strategy()) {
        let with_semaphores = text
            .replace("mutex m, n", "sem m = 1\nsem n = 1")
            .replace("unlock(", "release(")
            .replace("lock(", "acquire(");
        let mutexes = explore(&text, false);
        let semaphores = explore(&with_semaphores, false);
        prop_assert!(mutexes.complete && semaphores.complete);
        prop_assert_eq!(behaviour(&mutexes), behaviour(&semaphores), "{}", with_semaphores);
        prop_assert_eq!(mutexes.interleavings, semaphores.interleavings);
    }
}

/// Explores without partial-order reduction, stopping at `max_states`:
/// every schedule one by one, or (`dedup`) every state once with the
/// counts carried, which is exact too.
fn explore_exact(text: &str, dedup: bool, max_states: usize) -> Report {
    explore_with(
        text,
        Options {
            reduction: dedup,
            partial_order: false,
            max_states,
            ..Options::default()
        },
    )
}

/// What a reduced and an exact search must agree on when both are complete.
fn assert_same_verdicts(name: &str, reduced: &Report, exact: &Report) {
    assert!(reduced.complete && exact.complete, "{name}");
    assert_eq!(outcome_set(reduced), outcome_set(exact), "{name}");
    assert_eq!(reduced.deadlocks > 0, exact.deadlocks > 0, "{name}");
    assert_eq!(reduced.failing > 0, exact.failing > 0, "{name}");
    assert_eq!(reduced.goal_reachable, exact.goal_reachable, "{name}");
    assert_eq!(reduced.cycles, exact.cycles, "{name}");
    assert!(reduced.states <= exact.states, "{name}");
}

#[test]
fn deduplication_alone_counts_every_interleaving_exactly() {
    for id in [
        "lost-update",
        "counter-mutex",
        "deadlock",
        "file-append",
        "check-then-act",
    ] {
        let full = explore_exact(lesson(id), false, 3_000_000);
        let dedup = explore_exact(lesson(id), true, 3_000_000);
        assert!(full.complete, "{id}");
        assert_eq!(dedup.interleavings, full.interleavings, "{id}");
        assert_eq!(dedup.deadlocks, full.deadlocks, "{id}");
        assert_eq!(dedup.failing, full.failing, "{id}");
        assert_eq!(outcome_set(&dedup), outcome_set(&full), "{id}");
        assert!(dedup.states < full.states, "{id}");
    }
}

#[test]
fn partial_order_reduction_agrees_with_the_exact_search_on_every_lesson() {
    for lesson in &lessons::LESSONS {
        // Deduplication alone is exact and finite even for the spinning
        // flag lock (its cycles are states already on the stack).
        let exact = explore_exact(lesson.source, true, 3_000_000);
        let reduced = explore(lesson.source, true);
        assert_same_verdicts(lesson.id, &reduced, &exact);
    }
}

/// Small random programs with what the lessons use: bounded loops over a
/// local counter, files (open, append, read, flock), a linked list (field
/// reads and writes, `new`), locks and `try_lock`. Two threads, so the
/// unreduced tree stays small enough to search whole.
fn rich_program_strategy() -> impl Strategy<Value = String> {
    let statement = prop_oneof![
        Just("x = x + 1".to_owned()),
        Just("i = 0\n  while i < 2 {\n    x = x + 1\n    i = i + 1\n  }".to_owned()),
        Just("lock(m)\n  x = x + 1\n  unlock(m)".to_owned()),
        Just("if try_lock(m) {\n    y = 1\n    unlock(m)\n  }".to_owned()),
        Just("h = open(log)\n  append(h, \"a\")".to_owned()),
        Just("h = open(log)\n  flock(h, exclusive)\n  append(h, \"b\")\n  funlock(h)".to_owned()),
        Just("h = open(log)\n  t = read(h)\n  y = len(t)".to_owned()),
        Just("n = head.next\n  if n != null {\n    head.next = n.next\n  }".to_owned()),
        Just("c = new(7)\n  c.next = head.next\n  head.next = c".to_owned()),
        Just("n = head.next\n  while n != null {\n    n = n.next\n  }".to_owned()),
    ];
    prop::collection::vec(prop::collection::vec(statement, 1..=2), 2).prop_map(|threads| {
        with_threads(
            "shared x = 0\nshared y = 0\nshared head = nodes(0, 1, 2)\nmutex m\nfile log = \"\"\n",
            &threads,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn reduction_agrees_with_the_exact_search_on_programs_with_loops_files_and_lists(
        text in rich_program_strategy()
    ) {
        // Deduplication alone is exact: where the one-by-one search is
        // small enough to finish, their counts agree.
        let dedup = explore_exact(&text, true, 400_000);
        prop_assert!(dedup.complete);
        let full = explore_exact(&text, false, 30_000);
        if full.complete {
            prop_assert_eq!(dedup.interleavings, full.interleavings);
            prop_assert_eq!(outcome_set(&dedup), outcome_set(&full));
        }
        let reduced = explore(&text, true);
        prop_assert!(reduced.complete);
        prop_assert_eq!(outcome_set(&reduced), outcome_set(&dedup), "{}", text);
        prop_assert_eq!(reduced.deadlocks > 0, dedup.deadlocks > 0);
        prop_assert_eq!(reduced.failing > 0, dedup.failing > 0);
        prop_assert_eq!(reduced.cycles, dedup.cycles);
        prop_assert!(reduced.states <= dedup.states);
    }
}

/// Random programs over the synchronisation primitives (atomics,
/// semaphores, condition variables with and without spurious wake-ups,
/// reader-writer locks, barriers, arrays): two threads, no loops.
fn primitives_program_strategy() -> impl Strategy<Value = String> {
    let statement = prop_oneof![
        Just("fetch_add(x, 1)".to_owned()),
        Just("v = x\n  ok = compare_and_swap(x, v, v + 2)".to_owned()),
        Just("old = exchange(x, 5)".to_owned()),
        Just("buf[x % 2] = 1".to_owned()),
        Just("v = buf[1]\n  x = v".to_owned()),
        Just("acquire(s)\n  x = x + 1\n  release(s)".to_owned()),
        Just("release(s)".to_owned()),
        Just("lock(m)\n  notify(c)\n  unlock(m)".to_owned()),
        Just("lock(m)\n  if x == 0 {\n    wait(c, m)\n  }\n  unlock(m)".to_owned()),
        Just("read_lock(r)\n  v = x\n  read_unlock(r)".to_owned()),
        Just("write_lock(r)\n  x = 7\n  write_unlock(r)".to_owned()),
        Just("arrive_and_wait(b)".to_owned()),
    ];
    (
        prop::collection::vec(prop::collection::vec(statement, 1..=3), 2),
        any::<bool>(),
    )
        .prop_map(|(threads, spurious)| {
            let head = "shared x = 0\nshared buf[2]\nsem s = 1\nmutex m\ncond c\nrwlock r\nbarrier b = 2\n";
            let spurious = if spurious { "allow spurious_wakeups\n" } else { "" };
            with_threads(&format!("{head}{spurious}"), &threads)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn reduction_never_changes_a_verdict_with_the_new_steps(text in primitives_program_strategy()) {
        let exact = explore_exact(&text, true, 2_000_000);
        let reduced = explore(&text, true);
        prop_assert!(exact.complete && reduced.complete);
        prop_assert_eq!(outcome_set(&reduced), outcome_set(&exact), "{}", text);
        prop_assert_eq!(reduced.deadlocks > 0, exact.deadlocks > 0);
        prop_assert_eq!(reduced.failing > 0, exact.failing > 0);
        prop_assert_eq!(reduced.cycles, exact.cycles);
        prop_assert!(reduced.states <= exact.states);
    }
}

const PETERSON: &str = include_str!("../../../tests/races/peterson.race");
const PETERSON_NO_TURN: &str = include_str!("../../../tests/races/peterson-no-turn.race");

#[test]
fn correct_mutual_exclusion_never_reports_a_lost_update() {
    // Peterson's blind writes (`turn = 1`, `flag_a = 0`) overwrite, but
    // lose nothing the writer computed from: no lost update, and the
    // critical section is never shared.
    let report = explore(PETERSON, true);
    assert!(report.complete);
    assert_eq!(report.failing, 0, "{:?}", outcome_set(&report));
    assert!(report.outcomes.iter().all(|o| !o.outcome.lost_update));
    assert_eq!(report.goal_reachable, Some(Verdict::Unreachable));
    for id in [
        "counter-mutex",
        "list-removal-mutex",
        "deadlock-lock-all",
        "critical-section-mutex",
    ] {
        let report = explore(lesson(id), true);
        assert!(
            report.outcomes.iter().all(|o| !o.outcome.lost_update),
            "{id}"
        );
    }
}

#[test]
fn the_home_made_lock_fails_by_its_goal_not_by_a_lost_update() {
    // `busy = 1` is a blind write: the lesson fails because two threads
    // get into the critical section, and the schedule shown does that.
    let text = lesson("critical-section");
    let report = explore(text, true);
    assert_eq!(report.goal_reachable, Some(Verdict::Reached));
    assert!(report.outcomes.iter().all(|o| !o.outcome.lost_update));
    let program = compile_source(text).unwrap();
    let names = report.shortest_failing.unwrap();
    let steps = schedule::parse(&program, &names.join(" ")).unwrap();
    let run = schedule::replay(&program, &steps).unwrap();
    assert!(run.last().world.flags.critical);
    assert!(!run.last().world.flags.lost_update);
}

#[test]
fn an_incomplete_search_says_unknown_and_why() {
    // Without reduction the spinning loops cut schedules and the state cap
    // stops the search before it meets the goal: no proof either way.
    let program = Rc::new(compile_source(PETERSON_NO_TURN).unwrap());
    let options = Options {
        reduction: false,
        max_states: 20_000,
        ..Options::default()
    };
    let report = Explorer::new(program.clone(), State::initial(&program), options).run_to_end();
    assert!(!report.complete);
    assert_eq!(report.stopped, Some(Stop::StateCap { max_states: 20_000 }));
    assert_eq!(report.goal_reachable, Some(Verdict::Unknown));
    // The full search (deduplicated) proves it reachable; so do random
    // schedules, which only ever find.
    let reduced = explore(PETERSON_NO_TURN, true);
    assert_eq!(reduced.goal_reachable, Some(Verdict::Reached));
    assert!(reduced.complete);
}

/// Programs like the rich ones, each with a goal.
fn goal_program_strategy() -> impl Strategy<Value = String> {
    (
        rich_program_strategy(),
        prop_oneof![
            Just("assert"),
            Just("critical"),
            Just("deadlock"),
            Just("lost_update")
        ],
    )
        .prop_map(|(text, goal)| format!("{text}goal {goal}\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn a_search_that_stopped_early_never_claims_a_goal_is_unreachable(
        text in goal_program_strategy(),
        cap in 1usize..200,
        reduction in any::<bool>(),
    ) {
        let program = Rc::new(compile_source(&text).unwrap());
        let options = Options { reduction, max_states: cap, ..Options::default() };
        let report = Explorer::new(program.clone(), State::initial(&program), options).run_to_end();
        prop_assert_eq!(report.complete, report.stopped.is_none());
        if !report.complete {
            prop_assert_ne!(report.goal_reachable, Some(Verdict::Unreachable));
        }
        // A goal reached always comes with a schedule that reaches it.
        if report.goal_reachable == Some(Verdict::Reached) {
            let names = report.shortest_failing.clone().unwrap();
            let steps = schedule::parse(&program, &names.join(" ")).unwrap();
            let run = schedule::replay(&program, &steps).unwrap();
            prop_assert!(target_state(&program, run.last()), "{}", text);
        }
        // Complete searches agree with and without reduction.
        let exact = explore_exact(&text, true, 400_000);
        let reduced = explore(&text, true);
        prop_assert!(exact.complete && reduced.complete);
        prop_assert_eq!(exact.goal_reachable, reduced.goal_reachable);
        if report.complete {
            prop_assert_eq!(report.goal_reachable, reduced.goal_reachable);
        }
        let full = explore_exact(&text, false, 30_000);
        if full.complete {
            prop_assert_eq!(full.goal_reachable, reduced.goal_reachable, "{}", text);
        }
    }

    #[test]
    fn every_lost_update_names_its_stale_read_and_the_write_in_between(
        text in rich_program_strategy()
    ) {
        let program = compile_source(&text).unwrap();
        let report = explore(&text, true);
        for outcome in report.outcomes.iter().filter(|o| o.outcome.lost_update) {
            let steps = schedule::parse(&program, &outcome.example.join(" ")).unwrap();
            let run = schedule::replay(&program, &steps).unwrap();
            let (at, lost) = run
                .steps
                .iter()
                .enumerate()
                .find_map(|(at, step)| step.effects.lost_update.map(|lost| (at, lost)))
                .expect("the schedule replays to the lost update");
            let writer = run.steps[at].thread;
            // The stale read: an earlier step of the same thread, at that pc.
            let read = (0..at)
                .rev()
                .find(|&i| run.steps[i].thread == writer && run.steps[i].pc == lost.read_pc)
                .expect("the read that went stale");
            // The other thread's write of the same location, in between.
            let overwrite = (read + 1..at).find(|&i| {
                run.steps[i].thread == lost.overwriter as usize && run.steps[i].pc == lost.overwrite_pc
            });
            prop_assert!(overwrite.is_some(), "{}: {:?}", text, lost);
            prop_assert_ne!(lost.overwriter as usize, writer);
            // And the narration says so.
            prop_assert!(run.steps[at].narration.contains("update is lost"));
        }
    }
}

/// Seven threads of four increments each: 28! / (4!)^7, about 6.6 ×
/// 10^19 schedules, over 5^7 = 78,125 states. The count
/// saturates and says so; it is never shown as 18446744073709551615.
#[test]
fn a_count_past_two_to_the_64_is_said_to_be_more_not_a_number() {
    let threads: String = "ABCDEFG"
        .chars()
        .map(|name| {
            format!(
                "thread {name} {{\n  fetch_add(x, 1)\n  fetch_add(x, 1)\n  fetch_add(x, 1)\n  fetch_add(x, 1)\n}}\n"
            )
        })
        .collect();
    let report = explore(&format!("shared x = 0\n{threads}"), true);
    assert!(report.complete, "{:?}", report.stopped);
    assert_eq!(report.interleavings, crate::count::SATURATED);
    assert!(
        report.saturated.contains(&"interleavings".to_owned()),
        "{:?}",
        report.saturated
    );
    assert!(report.saturated.contains(&"outcomes[0].count".to_owned()));
    assert_eq!(
        crate::count::counted(report.interleavings, "interleaving", "interleavings"),
        "more than 1.8 × 10^19 interleavings"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["saturated"][0], "interleavings");
    // Nothing fails here: that count is exact.
    assert_eq!(report.failing, 0);
}

/// The outcomes' counts by their final values.
fn counts_by_outcome(
    report: &Report,
    count: impl Fn(&OutcomeCount) -> Option<u64>,
) -> BTreeMap<String, Option<u64>> {
    report
        .outcomes
        .iter()
        .map(|o| {
            (
                format!("{} / {}", o.outcome.values_text(), o.outcome.result),
                count(o),
            )
        })
        .collect()
}

#[test]
fn the_lost_update_has_six_essentially_different_orders_and_twenty_schedules() {
    let report = explore(lesson("lost-update"), true);
    assert!(report.classes);
    assert_eq!((report.interleavings, report.schedules), (6, Some(20)));
    let one = report
        .outcomes
        .iter()
        .find(|o| o.outcome.values_text() == "x = 1")
        .unwrap();
    assert_eq!((one.count, one.schedules), (4, Some(18)));
    assert_eq!(report.failing, 4);
    // Without the reduction the counts are schedules already.
    let full = explore_exact(lesson("lost-update"), false, 3_000_000);
    assert!(!full.classes);
    assert_eq!((full.interleavings, full.schedules), (20, Some(20)));
}

#[test]
fn a_reduced_search_gives_the_exact_number_of_schedules_per_outcome_on_every_lesson() {
    for lesson in &lessons::LESSONS {
        let reduced = explore(lesson.source, true);
        let exact = explore_exact(lesson.source, true, 3_000_000);
        assert!(exact.complete, "{}", lesson.id);
        if exact.cycles {
            // A loop: infinitely many schedules, never a number.
            assert_eq!(reduced.schedules, None, "{}", lesson.id);
            assert!(
                reduced
                    .schedules_unknown
                    .as_deref()
                    .is_some_and(|why| why.contains("infinitely many")),
                "{}: {:?}",
                lesson.id,
                reduced.schedules_unknown
            );
            assert!(
                reduced.outcomes.iter().all(|o| o.schedules.is_none()),
                "{}",
                lesson.id
            );
            continue;
        }
        assert_eq!(
            reduced.schedules,
            Some(exact.interleavings),
            "{}",
            lesson.id
        );
        assert_eq!(
            counts_by_outcome(&reduced, |o| o.schedules),
            counts_by_outcome(&exact, |o| Some(o.count)),
            "{}",
            lesson.id
        );
    }
    // Where every schedule can be enumerated one by one, the same numbers.
    for id in [
        "lost-update",
        "counter-mutex",
        "deadlock",
        "file-append",
        "check-then-act",
    ] {
        let reduced = explore(lesson(id), true);
        let full = explore_exact(lesson(id), false, 3_000_000);
        assert_eq!(reduced.schedules, Some(full.interleavings), "{id}");
        assert_eq!(
            counts_by_outcome(&reduced, |o| o.schedules),
            counts_by_outcome(&full, |o| Some(o.count)),
            "{id}"
        );
    }
}

#[test]
fn a_count_that_stopped_gives_no_number_of_schedules() {
    let report = explore_capped(lesson("philosophers"), 50);
    assert!(!report.complete);
    assert_eq!(report.schedules, None);
    assert_eq!(
        report.schedules_unknown.as_deref(),
        Some("the search stopped early")
    );
}
