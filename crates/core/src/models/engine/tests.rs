//! Golden timelines and properties of the Models-lab engines.

use expect_test::{Expect, expect};
use proptest::prelude::*;

use super::simulate;
use crate::ascii;
use crate::metrics::Metrics;
use crate::models::scenario::{Model, Scenario, Segment, TaskSpec, WaitKind};
use crate::trace::{EventKind, LaneKind, SpanKind};

fn scenario(tasks: &[&[Segment]]) -> Scenario {
    Scenario {
        tasks: tasks
            .iter()
            .map(|segments| TaskSpec {
                name: None,
                arrival: 0,
                colour: None,
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

use Segment::Compute as C;

#[allow(non_snake_case)]
fn W(duration: u64) -> Segment {
    Segment::wait(duration)
}

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
            throughput       14.29 tasks per 1000 ms
            cpu utilisation  28.6 %
            latency          mean 140.0, p95 210, max 210 ms
            mean waits       for a thread 70.0, for a core 0.0, on I/O 50.0 ms
            concurrency      at most 1 task in progress at once; 0 context switches
            task  arrives  completes  latency  thread-wait  core-wait  io-wait
            A           0         70       70            0          0       50
            B           0        140      140           70          0       50
            C           0        210      210          140          0       50
            lane      running  ready  blocked  switching  idle  utilisation
            thread 1       60      0      150          0     0        28.6 %
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
            throughput       33.33 tasks per 1000 ms
            cpu utilisation  66.7 %
            latency          mean 80.0, p95 90, max 90 ms
            mean waits       for a thread 10.0, for a core 0.0, on I/O 50.0 ms
            concurrency      at most 3 tasks in progress at once; 0 context switches
            task  arrives  completes  latency  thread-wait  core-wait  io-wait
            A           0         70       70            0          0       50
            B           0         80       80           10          0       50
            C           0         90       90           20          0       50
            lane        running  ready  blocked  switching  idle  utilisation
            event loop       60      0        0          0    30        66.7 %
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
            throughput       88.89 tasks per 1000 ms
            cpu utilisation  50.0 %
            latency          mean 36.2, p95 45, max 45 ms
            mean waits       for a thread 15.0, for a core 0.0, on I/O 10.0 ms
            concurrency      at most 2 tasks in progress at once; 0 context switches
            task  arrives  completes  latency  thread-wait  core-wait  io-wait
            A           0         40       40            0          0       30
            B           0         20       20            0          0        0
            C           0         40       40           20          0       10
            D           0         45       45           40          0        0
            lane      running  ready  blocked  switching  idle  utilisation
            thread 1       15      0       30          0     0        33.3 %
            thread 2       30      0       10          0     5        66.7 %
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
            throughput       114.29 tasks per 1000 ms
            cpu utilisation  92.9 %
            latency          mean 28.8, p95 35, max 35 ms
            mean waits       for a thread 5.0, for a core 0.0, on I/O 7.5 ms
            concurrency      at most 4 tasks in progress at once; 0 context switches
            task  arrives  completes  latency  thread-wait  core-wait  io-wait
            A           0         35       35            0          0       15
            B           0         30       30            0          0        0
            C           0         35       35           10          0       15
            D           0         15       15           10          0        0
            lane      running  ready  blocked  switching  idle  utilisation
            thread 1       35      0        0          0     0       100.0 %
            thread 2       30      0        0          0     5        85.7 %
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
            throughput       53.57 tasks per 1000 ms
            cpu utilisation  85.7 %
            latency          mean 50.0, p95 56, max 56 ms
            mean waits       for a thread 27.3, for a core 0.0, on I/O 6.7 ms
            concurrency      at most 2 tasks in progress at once; 0 context switches
            task  arrives  completes  latency  thread-wait  core-wait  io-wait
            A           0         40       40            0          0        0
            B           0         54       54           40          0       10
            C           0         56       56           42          0       10
            lane        running  ready  blocked  switching  idle  utilisation
            event loop       48      0        0          0     8        85.7 %
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
        (1u64..80, 0usize..6).prop_map(|(duration, kind)| Segment::Wait {
            duration,
            on: WaitKind::ALL[kind]
        })
    ]
}

/// Small workloads; with `arrivals`, tasks arrive at random times.
fn arb_workload(arrivals: bool) -> impl Strategy<Value = Scenario> {
    let max_arrival: u64 = if arrivals { 60 } else { 1 };
    proptest::collection::vec(
        (
            proptest::collection::vec(arb_segment(), 1..6),
            0..max_arrival,
        ),
        1..9,
    )
    .prop_map(|tasks| Scenario {
        tasks: tasks
            .into_iter()
            .map(|(segments, arrival)| TaskSpec {
                name: None,
                arrival,
                colour: None,
                segments,
            })
            .collect(),
        ..Scenario::default_models()
    })
}

fn arb_scenario() -> impl Strategy<Value = Scenario> {
    any::<bool>().prop_flat_map(arb_workload)
}

fn arb_model() -> impl Strategy<Value = Model> {
    (
        any::<bool>(),
        1u32..5,
        proptest::option::of(1u32..4),
        1u64..15,
        0u64..3,
    )
        .prop_map(|(sync, threads, cores, quantum, switch_cost)| Model {
            cores,
            quantum,
            switch_cost,
            ..if sync {
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
        .filter(|segment| segment.is_compute() == compute)
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
            let expected: u64 = task.segments.iter().filter(|s| s.is_compute()).map(|s| s.duration()).sum();
            let ran: u64 = trace.lanes.iter().filter(|lane| lane.kind != LaneKind::Core).flat_map(|lane| &lane.spans)
                .filter(|span| span.kind == SpanKind::Running && span.task == Some(task_idx))
                .map(|span| span.duration()).sum();
            prop_assert_eq!(ran, expected, "task {}", task_idx);
        }
        let metrics = Metrics::of(&trace);
        let thread_running: u64 = metrics.lanes.iter().filter(|l| l.kind != LaneKind::Core).map(|l| l.running).sum();
        let core_running: u64 = metrics.lanes.iter().filter(|l| l.kind == LaneKind::Core).map(|l| l.running).sum();
        prop_assert_eq!(thread_running, total(&scenario, true));
        if model.cores.is_some() {
            prop_assert_eq!(core_running, thread_running);
        }
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
    fn sync_one_thread_makespan_is_the_sum_of_all_segments(scenario in arb_workload(false)) {
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
    fn async_is_never_slower_than_sync_on_one_thread(scenario in arb_workload(false)) {
        // At every instant before the end the event loop either computes or
        // idles while some task is parked on a wait, so its makespan is at
        // most the sum of all segments, which is the sync makespan.
        let sync = simulate(&scenario, Model::sync(1));
        let asynchronous = simulate(&scenario, Model::asynchronous(1));
        prop_assert!(asynchronous.end <= sync.end);
    }
}

#[test]
fn more_runnable_threads_than_cores_are_time_sliced() {
    // Three CPU-bound tasks on three threads but one core: round-robin in
    // 10 ms quanta, 1 ms per context switch.
    check(
        &scenario(&[&[C(25)], &[C(25)], &[C(10)]]),
        Model::sync(3).on_cores(1),
        expect![[r#"
            sync, 3 threads, 1 core
            1 column = 1 ms
                      0         10        20        30        40        50        60
                      |         |         |         |         |         |         |
            thread 1  AAAAAAAAAA-----------------------AAAAAAAAAA------------AAAAA......
            thread 2  -----------BBBBBBBBBB-----------------------BBBBBBBBBB-------BBBBB
            thread 3  ----------------------CCCCCCCCCC..................................
            core 1    AAAAAAAAAA*BBBBBBBBBB*CCCCCCCCCC*AAAAAAAAAA*BBBBBBBBBB*AAAAA*BBBBB
                      A-Z running, a-z blocked on I/O, - ready (waiting for a core), * context switch, . idle
            makespan         66 ms
            throughput       45.45 tasks per 1000 ms
            cpu utilisation  90.9 %
            latency          mean 52.7, p95 66, max 66 ms
            mean waits       for a thread 0.0, for a core 32.7, on I/O 0.0 ms
            concurrency      at most 3 tasks in progress at once; 6 context switches
            task  arrives  completes  latency  thread-wait  core-wait  io-wait
            A           0         60       60            0         35        0
            B           0         66       66            0         41        0
            C           0         32       32            0         22        0
            lane      running  ready  blocked  switching  idle  utilisation
            thread 1       25     35        0          0     6        37.9 %
            thread 2       25     41        0          0     0        37.9 %
            thread 3       10     22        0          0    34        15.2 %
            core 1         60      0        0          6     0        90.9 %
        "#]],
    );
}

#[test]
fn waiting_threads_free_their_core_for_others() {
    // Two cores, four sync threads: blocked threads use no core, so the
    // cores go to threads with compute to do.
    check(
        &scenario(&[
            &[C(10), W(30), C(10)],
            &[C(10), W(30), C(10)],
            &[C(20)],
            &[C(20)],
        ]),
        Model::sync(4).on_cores(2),
        expect![[r#"
            sync, 4 threads, 2 cores
            1 column = 1 ms
                      0         10        20        30        40        50
                      |         |         |         |         |         |
            thread 1  AAAAAAAAAAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-AAAAAAAAAA
            thread 2  BBBBBBBBBBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-BBBBBBBBBB
            thread 3  -----------CCCCCCCCCCCCCCCCCCCC....................
            thread 4  -----------DDDDDDDDDDDDDDDDDDDD....................
            core 1    AAAAAAAAAA*CCCCCCCCCCCCCCCCCCCC.........*AAAAAAAAAA
            core 2    BBBBBBBBBB*DDDDDDDDDDDDDDDDDDDD.........*BBBBBBBBBB
                      A-Z running, a-z blocked on I/O, - ready (waiting for a core), * context switch, . idle
            makespan         51 ms
            throughput       78.43 tasks per 1000 ms
            cpu utilisation  78.4 %
            latency          mean 41.0, p95 51, max 51 ms
            mean waits       for a thread 0.0, for a core 6.0, on I/O 15.0 ms
            concurrency      at most 4 tasks in progress at once; 4 context switches
            task  arrives  completes  latency  thread-wait  core-wait  io-wait
            A           0         51       51            0          1       30
            B           0         51       51            0          1       30
            C           0         31       31            0         11        0
            D           0         31       31            0         11        0
            lane      running  ready  blocked  switching  idle  utilisation
            thread 1       20      1       30          0     0        39.2 %
            thread 2       20      1       30          0     0        39.2 %
            thread 3       20     11        0          0    20        39.2 %
            thread 4       20     11        0          0    20        39.2 %
            core 1         40      0        0          2     9        78.4 %
            core 2         40      0        0          2     9        78.4 %
        "#]],
    );
}

#[test]
fn async_threads_on_fewer_cores_keep_their_core_between_tasks() {
    check(
        &scenario(&[
            &[C(5), W(20), C(5)],
            &[C(5), W(20), C(5)],
            &[C(15)],
            &[C(15)],
        ]),
        Model::asynchronous(2).on_cores(1),
        expect![[r#"
            async, 2 threads, 1 core
            1 column = 1 ms
                      0         10        20        30        40        50
                      |         |         |         |         |         |
            thread 1  AAAAACCCCC------------CCCCCCCCCC------------AAAAA......
            thread 2  -----------BBBBBDDDDD------------DDDDDDDDDD-------BBBBB
            core 1    AAAAACCCCC*BBBBBDDDDD*CCCCCCCCCC*DDDDDDDDDD*AAAAA*BBBBB
                      A-Z running, a-z blocked on I/O, - ready (waiting for a core), * context switch, . idle
            makespan         55 ms
            throughput       72.73 tasks per 1000 ms
            cpu utilisation  90.9 %
            latency          mean 44.8, p95 55, max 55 ms
            mean waits       for a thread 8.8, for a core 13.5, on I/O 10.0 ms
            concurrency      at most 4 tasks in progress at once; 5 context switches
            task  arrives  completes  latency  thread-wait  core-wait  io-wait
            A           0         49       49            7         12       20
            B           0         55       55            7         18       20
            C           0         32       32            5         12        0
            D           0         43       43           16         12        0
            lane      running  ready  blocked  switching  idle  utilisation
            thread 1       25     24        0          0     6        45.5 %
            thread 2       25     30        0          0     0        45.5 %
            core 1         50      0        0          5     0        90.9 %
        "#]],
    );
}

#[test]
fn late_arrivals_wait_in_the_queue_only_from_their_arrival() {
    let mut scenario = scenario(&[&[C(30)], &[C(10)], &[C(10)]]);
    scenario.tasks[1].arrival = 5;
    scenario.tasks[2].arrival = 50;
    check(
        &scenario,
        Model::sync(1),
        expect![[r#"
        sync, 1 thread
        1 column = 1 ms
                  0         10        20        30        40        50        60
                  |         |         |         |         |         |         |
        thread 1  AAAAAAAAAAAAAAAAAAAAAAAAAAAAAABBBBBBBBBB..........CCCCCCCCCC
                  A-Z running, a-z blocked on I/O, . idle
        makespan         60 ms
        throughput       50.00 tasks per 1000 ms
        cpu utilisation  83.3 %
        latency          mean 25.0, p95 35, max 35 ms
        mean waits       for a thread 8.3, for a core 0.0, on I/O 0.0 ms
        concurrency      at most 1 task in progress at once; 0 context switches
        task  arrives  completes  latency  thread-wait  core-wait  io-wait
        A           0         30       30            0          0        0
        B           5         40       35           25          0        0
        C          50         60       10            0          0        0
        lane      running  ready  blocked  switching  idle  utilisation
        thread 1       50      0        0          0    10        83.3 %
    "#]],
    );
}
