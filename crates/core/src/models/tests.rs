//! Golden timelines and properties of the Models-lab engines.

use expect_test::{Expect, expect};
use proptest::prelude::*;

use super::simulate;
use crate::ascii;
use crate::metrics::Metrics;
use crate::scenario::{Model, Scenario, Segment, TaskSpec};
use crate::trace::{EventKind, SpanKind};

fn scenario(tasks: &[&[Segment]]) -> Scenario {
    Scenario {
        tasks: tasks
            .iter()
            .map(|segments| TaskSpec {
                name: None,
                segments: segments.to_vec(),
            })
            .collect(),
        ..Scenario::default_models()
    }
}

fn check(scenario: &Scenario, model: Model, expect: Expect) {
    let trace = simulate(scenario, model);
    trace.check_invariants().unwrap();
    let metrics = Metrics::of(&trace);
    let text = format!(
        "{}\n{}{}",
        model.label(),
        ascii::render(&trace, 100),
        metrics.to_text(&trace.unit)
    );
    expect.assert_eq(&text);
}

use Segment::{Compute as C, Wait as W};

#[test]
fn default_scenario_sync_one_thread() {
    check(
        &Scenario::default_models(),
        Model::sync(1),
        expect![[r#"
            sync, 1 thread
            1 column = 5 ms
                      0         50        100       150       200
                      |         |         |         |         |
            thread 1  AAaaaaaaaaaaAABBbbbbbbbbbbBBCCccccccccccCC
                      A-Z running, a-z blocked on I/O, . idle
            makespan         210 ms
            cpu utilisation  28.6 %
            throughput       14.29 tasks per 1000 ms
            task  completes at
            A     70 ms
            B     140 ms
            C     210 ms
            lane      running  blocked  idle
            thread 1       60      150     0
        "#]],
    );
}

#[test]
fn default_scenario_async_one_thread() {
    check(
        &Scenario::default_models(),
        Model::asynchronous(1),
        expect![[r#"
            async, 1 thread
            1 column = 1 ms
                        0         10        20        30        40        50        60        70        80        90
                        |         |         |         |         |         |         |         |         |         |
            event loop  AAAAAAAAAABBBBBBBBBBCCCCCCCCCC..............................AAAAAAAAAABBBBBBBBBBCCCCCCCCCC
                        A-Z running, a-z blocked on I/O, . idle
            makespan         90 ms
            cpu utilisation  66.7 %
            throughput       33.33 tasks per 1000 ms
            task  completes at
            A     70 ms
            B     80 ms
            C     90 ms
            lane        running  blocked  idle
            event loop       60        0    30
        "#]],
    );
}

#[test]
fn sync_two_threads_share_one_queue() {
    check(
        &scenario(&[&[C(10), W(30)], &[C(20)], &[W(10), C(10)], &[C(5)]]),
        Model::sync(2),
        expect![[r#"
            sync, 2 threads
            1 column = 1 ms
                      0         10        20        30        40
                      |         |         |         |         |
            thread 1  AAAAAAAAAAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaDDDDD
            thread 2  BBBBBBBBBBBBBBBBBBBBccccccccccCCCCCCCCCC.....
                      A-Z running, a-z blocked on I/O, . idle
            makespan         45 ms
            cpu utilisation  50.0 %
            throughput       88.89 tasks per 1000 ms
            task  completes at
            A     40 ms
            B     20 ms
            C     40 ms
            D     45 ms
            lane      running  blocked  idle
            thread 1       15       30     0
            thread 2       30       10     5
        "#]],
    );
}

#[test]
fn async_two_threads_resume_on_any_free_thread() {
    check(
        &scenario(&[
            &[C(10), W(15), C(10)],
            &[C(30)],
            &[W(5), C(10), W(5), W(5)],
            &[C(5)],
        ]),
        Model::asynchronous(2),
        expect![[r#"
            async, 2 threads
            1 column = 1 ms
                      0         10        20        30
                      |         |         |         |
            thread 1  AAAAAAAAAADDDDDCCCCCCCCCCAAAAAAAAAA
            thread 2  BBBBBBBBBBBBBBBBBBBBBBBBBBBBBB.....
                      A-Z running, a-z blocked on I/O, . idle
            makespan         35 ms
            cpu utilisation  92.9 %
            throughput       114.29 tasks per 1000 ms
            task  completes at
            A     35 ms
            B     30 ms
            C     35 ms
            D     15 ms
            lane      running  blocked  idle
            thread 1       35        0     0
            thread 2       30        0     5
        "#]],
    );
}

#[test]
fn async_event_loop_is_stalled_by_long_compute() {
    check(
        &scenario(&[&[C(40)], &[C(2), W(10), C(2)], &[C(2), W(10), C(2)]]),
        Model::asynchronous(1),
        expect![[r#"
            async, 1 thread
            1 column = 1 ms
                        0         10        20        30        40        50
                        |         |         |         |         |         |
            event loop  AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABBCC........BBCC
                        A-Z running, a-z blocked on I/O, . idle
            makespan         56 ms
            cpu utilisation  85.7 %
            throughput       53.57 tasks per 1000 ms
            task  completes at
            A     40 ms
            B     54 ms
            C     56 ms
            lane        running  blocked  idle
            event loop       48        0     8
        "#]],
    );
}

#[test]
fn async_task_that_moves_threads_is_resumed_not_restarted() {
    let scenario = scenario(&[&[C(10), W(5), C(10)], &[C(12)], &[C(20)]]);
    let trace = simulate(&scenario, Model::asynchronous(2));
    let kinds: Vec<(EventKind, Option<usize>)> = trace
        .events
        .iter()
        .filter(|event| event.task == Some(0))
        .map(|event| (event.kind, event.lane))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (EventKind::Arrive, None),
            (EventKind::Start, Some(0)),
            (EventKind::Park, Some(0)),
            (EventKind::Ready, None),
            (EventKind::Resume, Some(1)),
            (EventKind::Complete, Some(1)),
        ]
    );
}

fn arb_segment() -> impl Strategy<Value = Segment> {
    prop_oneof![
        (1u64..40).prop_map(Segment::Compute),
        (1u64..80).prop_map(Segment::Wait)
    ]
}

fn arb_scenario() -> impl Strategy<Value = Scenario> {
    proptest::collection::vec(proptest::collection::vec(arb_segment(), 1..6), 1..9).prop_map(
        |tasks| Scenario {
            tasks: tasks
                .into_iter()
                .map(|segments| TaskSpec {
                    name: None,
                    segments,
                })
                .collect(),
            ..Scenario::default_models()
        },
    )
}

fn arb_model() -> impl Strategy<Value = Model> {
    (any::<bool>(), 1u32..5).prop_map(|(sync, threads)| {
        if sync {
            Model::sync(threads)
        } else {
            Model::asynchronous(threads)
        }
    })
}

fn total(scenario: &Scenario, compute: bool) -> u64 {
    scenario
        .tasks
        .iter()
        .flat_map(|task| &task.segments)
        .filter(|segment| matches!(segment, Segment::Compute(_)) == compute)
        .map(|segment| segment.duration())
        .sum()
}

proptest! {
    #[test]
    fn lanes_never_hold_overlapping_spans(scenario in arb_scenario(), model in arb_model()) {
        let trace = simulate(&scenario, model);
        prop_assert_eq!(trace.check_invariants(), Ok(()));
        for lane in &trace.lanes {
            // Spans cover the lane from 0 to the end without gaps.
            let covered: u64 = lane.spans.iter().map(|span| span.duration()).sum();
            prop_assert_eq!(covered, trace.end);
        }
    }

    #[test]
    fn compute_time_is_conserved_per_task(scenario in arb_scenario(), model in arb_model()) {
        let trace = simulate(&scenario, model);
        for (task_idx, task) in scenario.tasks.iter().enumerate() {
            let expected: u64 = task.segments.iter().filter(|s| matches!(s, Segment::Compute(_))).map(|s| s.duration()).sum();
            let ran: u64 = trace.lanes.iter().flat_map(|lane| &lane.spans)
                .filter(|span| span.kind == SpanKind::Running && span.task == Some(task_idx))
                .map(|span| span.duration()).sum();
            prop_assert_eq!(ran, expected, "task {}", task_idx);
        }
        prop_assert_eq!(Metrics::of(&trace).lanes.iter().map(|l| l.running).sum::<u64>(), total(&scenario, true));
    }

    #[test]
    fn every_task_completes_exactly_once(scenario in arb_scenario(), model in arb_model()) {
        let trace = simulate(&scenario, model);
        for task_idx in 0..scenario.tasks.len() {
            let completions = trace.events.iter().filter(|e| e.kind == EventKind::Complete && e.task == Some(task_idx)).count();
            prop_assert_eq!(completions, 1);
        }
    }

    #[test]
    fn sync_one_thread_makespan_is_the_sum_of_all_segments(scenario in arb_scenario()) {
        let trace = simulate(&scenario, Model::sync(1));
        prop_assert_eq!(trace.end, total(&scenario, true) + total(&scenario, false));
    }

    #[test]
    fn sync_thread_never_starts_a_task_while_its_task_is_blocked(scenario in arb_scenario(), threads in 1u32..5) {
        let trace = simulate(&scenario, Model::sync(threads));
        for lane in &trace.lanes {
            // On a sync lane, a task's spans are contiguous: once another
            // task's span starts, the earlier task never appears again.
            let mut seen = Vec::new();
            for span in lane.spans.iter().filter(|s| s.task.is_some()) {
                if seen.last() != span.task.as_ref() {
                    prop_assert!(!seen.contains(&span.task.unwrap()), "task resumed on a sync lane");
                    seen.push(span.task.unwrap());
                }
            }
        }
    }

    #[test]
    fn async_thread_never_idles_while_a_task_is_ready(scenario in arb_scenario(), threads in 1u32..5) {
        let trace = simulate(&scenario, Model::asynchronous(threads));
        // A task is ready from its Arrive/Ready event until its Start/Resume.
        let mut ready_since = vec![None; scenario.tasks.len()];
        let mut ready_intervals = Vec::new();
        for event in &trace.events {
            let task = event.task.unwrap();
            match event.kind {
                EventKind::Arrive | EventKind::Ready => ready_since[task] = Some(event.time),
                EventKind::Start | EventKind::Resume => {
                    let since = ready_since[task].take().unwrap();
                    if event.time > since { ready_intervals.push((since, event.time)); }
                }
                _ => {}
            }
        }
        for lane in &trace.lanes {
            for span in lane.spans.iter().filter(|s| s.kind == SpanKind::Idle) {
                for &(from, to) in &ready_intervals {
                    prop_assert!(span.end <= from || to <= span.start,
                        "idle {:?} while a task was ready in {}..{}", span, from, to);
                }
            }
        }
    }

    #[test]
    fn with_a_thread_per_task_sync_and_async_agree(scenario in arb_scenario()) {
        let threads = scenario.tasks.len() as u32;
        let sync = simulate(&scenario, Model::sync(threads));
        let asynchronous = simulate(&scenario, Model::asynchronous(threads));
        prop_assert_eq!(sync.end, asynchronous.end);
        prop_assert_eq!(Metrics::of(&sync).tasks, Metrics::of(&asynchronous).tasks);
    }

    #[test]
    fn async_is_never_slower_than_sync_on_one_thread(scenario in arb_scenario()) {
        // At every instant before the end the event loop either computes or
        // idles while some task is parked on a wait, so its makespan is at
        // most the sum of all segments, which is the sync makespan.
        let sync = simulate(&scenario, Model::sync(1));
        let asynchronous = simulate(&scenario, Model::asynchronous(1));
        prop_assert!(asynchronous.end <= sync.end);
    }
}
