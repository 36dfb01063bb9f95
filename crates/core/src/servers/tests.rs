//! The engine against queueing theory, Little's law on every run, and the
//! rules of each model on small traces.

use proptest::prelude::*;

use super::engine::simulate;
use super::queueing::{mm1_mean_time, mmc_mean_time};
use super::scenario::*;
use crate::ascii;

fn scenario(json: &str) -> ServersScenario {
    ServersScenario::from_json(json).unwrap_or_else(|err| panic!("{err}"))
}

/// Poisson arrivals at `rate`/s, exponential CPU-only service with mean
/// `service_ms`, `workers` threads on as many cores, nothing refused.
fn markov(rate: f64, service_ms: f64, workers: u32, requests: u32, seed: u64) -> ServersScenario {
    scenario(&format!(
        r#"{{"lab": "servers", "model": "multi_threaded",
            "server": {{"threads": {workers}, "cores": {workers}}},
            "traffic": {{"arrival": "poisson", "rate": {rate}, "requests": {requests}, "seed": {seed}}},
            "mix": [{{"name": "job", "cpu_ms": {{"exponential": {service_ms}}}}}],
            "backlog": null}}"#
    ))
}

fn mean_time_ms(scenario: &ServersScenario, model: ServerModel) -> f64 {
    let metrics = simulate(scenario, model, false).metrics;
    assert_eq!(metrics.completed, scenario.traffic.requests);
    metrics.latency.mean
}

/// Mean over seeds, to keep one unlucky seed from deciding.
fn averaged(seeds: u64, run: impl Fn(u64) -> f64) -> f64 {
    (1..=seeds).map(run).sum::<f64>() / seeds as f64
}

#[test]
fn one_worker_agrees_with_m_m_1() {
    // lambda 70/s, mu 100/s: W = 1 / 30 s = 33.3 ms.
    let theory = mm1_mean_time(70.0, 100.0).unwrap() * 1000.0;
    for model in [
        ServerModel::MultiThreaded,
        ServerModel::Evented,
        ServerModel::MultiProcess,
    ] {
        let simulated = averaged(4, |seed| {
            let mut s = markov(70.0, 10.0, 1, 100_000, seed);
            s.server.processes = 1;
            mean_time_ms(&s, model)
        });
        let error = (simulated - theory).abs() / theory;
        assert!(
            error < 0.03,
            "{model:?}: {simulated:.2} ms vs {theory:.2} ms"
        );
    }
}

#[test]
fn c_workers_agree_with_m_m_c() {
    for (workers, rate) in [(2, 150.0), (4, 300.0), (8, 680.0)] {
        let theory = mmc_mean_time(workers, rate, 100.0).unwrap() * 1000.0;
        let simulated = averaged(4, |seed| {
            mean_time_ms(
                &markov(rate, 10.0, workers, 100_000, seed),
                ServerModel::MultiThreaded,
            )
        });
        let error = (simulated - theory).abs() / theory;
        assert!(
            error < 0.03,
            "c = {workers}: {simulated:.2} ms vs {theory:.2} ms"
        );
    }
}

#[test]
fn mixed_cpu_and_io_is_an_m_m_c_too_when_threads_do_not_share() {
    // 4 threads, 4 cores: a thread holds its request for CPU + I/O, so the
    // service time is their sum (exponential I/O, tiny fixed CPU part).
    let s = scenario(
        r#"{"lab": "servers", "model": "multi_threaded",
            "server": {"threads": 4, "cores": 4},
            "traffic": {"rate": 300, "requests": 100000, "seed": 3},
            "mix": [{"name": "db", "cpu_ms": 0, "io_ms": {"exponential": 10}}],
            "backlog": null}"#,
    );
    let theory = mmc_mean_time(4, 300.0, 100.0).unwrap() * 1000.0;
    let simulated = mean_time_ms(&s, ServerModel::MultiThreaded);
    assert!(
        (simulated - theory).abs() / theory < 0.05,
        "{simulated} vs {theory}"
    );
}

fn check_little(scenario: &ServersScenario, model: ServerModel) {
    let m = simulate(scenario, model, false).metrics;
    let little = m.little;
    let lambda_w = little.lambda * little.w_ms / 1000.0;
    let scale = little.l.max(1e-9);
    assert!(
        (little.l - lambda_w).abs() / scale < 1e-9,
        "{model:?}: L = {} but lambda W = {lambda_w}",
        little.l
    );
    // Every request offered is answered in time, answered late, dropped
    // or refused: nothing is counted twice, nothing left out.
    assert_eq!(m.timed_out, m.late + m.dropped, "{model:?}");
    assert_eq!(
        m.completed + m.late + m.dropped + m.rejected,
        m.requests,
        "{model:?}: every request is answered, answered late, dropped or refused"
    );
    // A late answer is one that came after the client's timeout.
    let outcome = simulate(scenario, model, true);
    let over = outcome
        .latencies
        .iter()
        .filter(|&&latency| {
            scenario
                .timeout_ms
                .is_some_and(|limit| latency > crate::servers::traffic::micros(limit))
        })
        .count() as u32;
    assert_eq!(over, m.late, "{model:?}: late answers");
    assert_eq!(
        outcome.latencies.len() as u32,
        m.completed + m.late,
        "{model:?}: every answer"
    );
}

#[test]
fn littles_law_holds_on_every_preset_and_model() {
    for preset in super::presets::PRESETS {
        for model in ServerModel::ALL {
            check_little(&preset.scenario(), model);
        }
    }
}

fn arb_scenario() -> impl Strategy<Value = ServersScenario> {
    (
        (1u32..5, 1u32..6, any::<bool>(), 0u32..3, 1u32..5, 0usize..3),
        (1.0f64..400.0, 1u32..400, any::<u64>(), 0usize..3, 1u32..20),
        prop::collection::vec((1u32..5, 0u32..30, 0u32..200, any::<bool>()), 1..4),
        (prop::option::of(0u32..30), prop::option::of(1u32..2000)),
    )
        .prop_map(
            |(
                (processes, threads, gil, offload, cores, balancer),
                (rate, requests, seed, arrival, burst),
                mix,
                (backlog, timeout),
            )| ServersScenario {
                lab: ServersTag::Servers,
                name: None,
                model: ServerModel::MultiProcess,
                server: ServerSettings {
                    processes,
                    threads,
                    gil,
                    offload,
                    balancer: [
                        Balancer::RoundRobin,
                        Balancer::LeastOutstanding,
                        Balancer::Random,
                    ][balancer],
                    cores,
                },
                traffic: Traffic {
                    arrival: [
                        ArrivalPattern::Constant,
                        ArrivalPattern::Poisson,
                        ArrivalPattern::Bursts,
                    ][arrival],
                    rate,
                    requests,
                    seed,
                    burst,
                },
                mix: mix
                    .into_iter()
                    .enumerate()
                    .map(|(idx, (weight, cpu, io, random))| RequestType {
                        name: format!("type {idx}"),
                        weight: weight as f64,
                        cpu_ms: if random {
                            Millis::Random(RandomMillis::Exponential(cpu as f64 + 0.5))
                        } else {
                            Millis::Fixed(cpu as f64 + 0.5)
                        },
                        io_ms: Millis::Fixed(io as f64),
                    })
                    .collect(),
                backlog,
                timeout_ms: timeout.map(f64::from),
                memory: MemoryModel::default(),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn littles_law_holds_on_every_run(scenario in arb_scenario()) {
        scenario.validate().unwrap();
        for model in ServerModel::ALL {
            check_little(&scenario, model);
        }
    }

    #[test]
    fn traces_keep_their_invariants_and_cores_are_never_shared(scenario in arb_scenario()) {
        for model in ServerModel::ALL {
            let outcome = simulate(&scenario, model, true);
            let trace = outcome.trace.unwrap();
            trace.check_invariants().unwrap();
            // A span per computing request on a core lane: the cores'
            // running time is exactly the CPU time of the started requests.
            let core_time: u64 = trace
                .lanes
                .iter()
                .filter(|lane| lane.kind == crate::trace::LaneKind::Core)
                .flat_map(|lane| &lane.spans)
                .map(|span| span.duration())
                .sum();
            let cpu_lanes: u64 = trace
                .lanes
                .iter()
                .filter(|lane| lane.kind != crate::trace::LaneKind::Core)
                .flat_map(|lane| &lane.spans)
                .filter(|span| span.kind == crate::trace::SpanKind::Running)
                .map(|span| span.duration())
                .sum();
            prop_assert_eq!(core_time, cpu_lanes);
            // Each started request of a thread or process model is blocked
            // on its own lane for exactly its I/O time.
            if model != ServerModel::Evented {
                let reqs = super::traffic::requests(&scenario);
                let mut blocked = vec![0u64; reqs.len()];
                for span in trace.lanes.iter().flat_map(|lane| &lane.spans) {
                    if span.kind == crate::trace::SpanKind::Blocked {
                        blocked[span.task.expect("a blocked span names its request")] += span.duration();
                    }
                }
                for event in &trace.events {
                    if event.kind == crate::trace::EventKind::Start {
                        let task = event.task.unwrap();
                        prop_assert_eq!(blocked[task], reqs[task].io, "request {}", task);
                    }
                }
            }
            // The same run without recording measures the same.
            prop_assert_eq!(simulate(&scenario, model, false).metrics, outcome.metrics);
        }
    }
}

const SMALL: &str = r#"{"lab": "servers",
    "server": {"processes": 2, "threads": 2, "cores": 2},
    "traffic": {"arrival": "constant", "rate": 100, "requests": 6},
    "mix": [{"name": "api", "cpu_ms": 4, "io_ms": 30}, {"name": "page", "cpu_ms": 12}],
    "backlog": 2}"#;

fn timeline(model: ServerModel) -> String {
    let outcome = simulate(&scenario(SMALL), model, true);
    let trace = outcome.trace.unwrap();
    let m = outcome.metrics;
    format!(
        "{}answered {} refused {} p50 {} ms p99 {} ms peak memory {:.2} MB\n",
        ascii::render(&trace, 60),
        m.completed,
        m.rejected,
        m.latency.p50,
        m.latency.p99,
        m.peak_memory
    )
}

#[test]
fn small_traces_show_each_model() {
    expect_test::expect_file!["../../tests/servers-small.txt"].assert_eq(
        &ServerModel::ALL
            .iter()
            .map(|&model| format!("== {}\n{}", model.id(), timeline(model)))
            .collect::<String>(),
    );
}

#[test]
fn the_same_scenario_gives_the_same_metrics() {
    let s = super::presets::Preset::by_id("long-io").unwrap().scenario();
    assert_eq!(super::compare(&s), super::compare(&s));
}

#[test]
fn bad_files_say_where_and_what() {
    let check = |json: &str, expected: expect_test::Expect| {
        expected.assert_eq(&ServersScenario::from_json(json).unwrap_err().to_string());
    };
    check(
        r#"{"lab": "servers", "traffic": {"rate": 10, "requests": 5}, "mix": [{"name": "a", "cpu_ms": "slow"}]}"#,
        expect_test::expect![[
            r#"1:92 mix[0].cpu_ms: data did not match any variant of untagged enum Millis (hint: a time is a number of milliseconds, {"exponential": mean} or {"uniform": [lo, hi]})"#
        ]],
    );
    check(
        r#"{"lab": "servers", "model": "forked", "traffic": {"rate": 10, "requests": 5}, "mix": []}"#,
        expect_test::expect![
            "1:29 model: unknown variant `forked`, expected one of `multi_process`, `multi_threaded`, `evented`, `hybrid` (hint: a model is multi_process, multi_threaded, evented or hybrid)"
        ],
    );
    check(
        r#"{"lab": "servers", "traffic": {"rate": 10, "requests": 5}, "mix": [{"name": "a"}]}"#,
        expect_test::expect![[r#"mix[0]: "a" takes no time (hint: give it some cpu_ms or io_ms)"#]],
    );
    check(
        r#"{"lab": "servers", "server": {"processes": 64, "threads": 64}, "traffic": {"rate": 10, "requests": 5}, "mix": [{"name": "a", "cpu_ms": 1}]}"#,
        expect_test::expect![[
            r#"server.threads: 64 processes x 64 threads is more than 1024 workers"#
        ]],
    );
    check(
        r#"{"lab": "servers", "traffic": {"rate": 0, "requests": 5}, "mix": [{"name": "a", "cpu_ms": 1}]}"#,
        expect_test::expect![[
            r#"traffic.rate: 0 is not a rate in (0, 100000] requests per second"#
        ]],
    );
    check(
        r#"{"lab": "servers", "traffic": {"rate": 1, "requests": 5}, "mix": [{"name": "a", "cpu_ms": -3}]}"#,
        expect_test::expect![[
            r#"mix[0].cpu_ms: -3.0 is not a time in 0..=600000 ms (hint: write a number of milliseconds, {"exponential": mean} or {"uniform": [lo, hi]})"#
        ]],
    );
}

#[test]
fn the_sweep_finds_each_model_breaking_where_the_fluid_limit_says() {
    // Long blocking I/O, 1,500 requests, clients give up after 10 s. Past
    // its capacity mu a model's queue grows, and the last request waits
    // about N (1/mu - 1/lambda): requests start timing out once that passes
    // the timeout T, at lambda* = 1 / (1/mu - T/N). The sweep's grid is
    // 50/s wide, so it first fails at the first grid point at or above
    // lambda* (hand-checked: multi-process mu = 18.4/s, lambda* = 20.9/s,
    // first fails at 50/s; multi-threaded mu = 73.5/s, lambda* = 144/s,
    // first fails at 150/s). Below its capacity no model fails at all.
    use super::presets::{Preset, capacity};
    let scenario = Preset::by_id("long-io").unwrap().scenario();
    let max = super::default_max_rate(&scenario);
    assert_eq!(max, 1000.0);
    let points = super::sweep(&scenario, max, 20, |_, _| true);
    let step = max / 20.0;
    let n = scenario.traffic.requests as f64;
    let timeout = scenario.timeout_ms.unwrap() / 1000.0;
    for (model, expected) in [
        (ServerModel::MultiProcess, 50.0),
        (ServerModel::MultiThreaded, 150.0),
    ] {
        let mu = capacity(&scenario, model).0;
        let fluid = 1.0 / (1.0 / mu - timeout / n);
        let grid = (fluid / step).ceil() * step;
        assert_eq!(grid, expected, "{model:?}: mu {mu}, lambda* {fluid}");
        assert_eq!(
            super::first_failing_rate(&points, model),
            Some(expected),
            "{model:?}"
        );
    }
    for model in ServerModel::ALL {
        let mu = capacity(&scenario, model).0;
        if let Some(rate) = super::first_failing_rate(&points, model) {
            assert!(
                rate > mu,
                "{model:?} failed at {rate}/s, below its capacity {mu}/s"
            );
        }
    }
    // A sweep stopped early keeps only whole points.
    let mut runs = 0;
    let partial = super::sweep(&scenario, max, 20, |_, _| {
        runs += 1;
        runs < 10
    });
    assert_eq!(partial.len(), 2);
    assert_eq!(partial[..], points[..2]);
    // Each whole point is handed over as it completes, in order.
    let mut handed = Vec::new();
    let all = super::sweep_with_points(&scenario, max, 20, |done, _, point| {
        if let Some(point) = point {
            assert_eq!(done % 4, 0, "a point completes with its fourth model");
            handed.push(point.clone());
        }
        true
    });
    assert_eq!(handed, all);
    assert_eq!(all, points);
}

#[test]
fn an_offload_pool_drops_expired_work_instead_of_computing_it() {
    // CPU-only requests of 10 ms at twice the capacity of 4 cores, clients
    // giving up after 200 ms. An evented server handing each request to 4
    // offload threads is then 4 servers on one queue, exactly like 4
    // threads: work that waited past its timeout is dropped when a thread
    // reaches it, never computed, so no answer comes later than the
    // timeout plus one CPU part (before the fix the offload pool computed
    // every expired request: answers came up to 6.3 s late).
    let scenario = ServersScenario::from_json(
        r#"{"lab": "servers",
            "server": {"threads": 4, "offload": 4, "cores": 4},
            "traffic": {"arrival": "constant", "rate": 800, "requests": 5000},
            "mix": [{"name": "cpu", "cpu_ms": 10}],
            "timeout_ms": 200}"#,
    )
    .unwrap();
    let threads = simulate(&scenario, ServerModel::MultiThreaded, false).metrics;
    let evented = simulate(&scenario, ServerModel::Evented, false).metrics;
    assert_eq!(evented.timed_out, threads.timed_out);
    assert!((evented.throughput - threads.throughput).abs() < 1e-9);
    assert!((evented.latency.max - threads.latency.max).abs() < 1e-9);
    assert!(
        evented.latency.max <= 200.0 + 10.0,
        "{}",
        evented.latency.max
    );
    assert!(
        evented.timed_out > 4000,
        "overloaded: {}",
        evented.timed_out
    );
}

#[test]
fn a_sweep_holds_whichever_model_is_shown_but_not_after_other_edits() {
    let base = markov(40.0, 20.0, 2, 200, 7);
    let mut shown = base.clone();
    shown.model = ServerModel::Evented;
    shown.name = Some("renamed".to_owned());
    assert!(
        super::same_sweep(&base, &shown),
        "the sweep ran every model"
    );
    let mut faster = base.clone();
    faster.traffic.rate = 80.0;
    assert!(!super::same_sweep(&base, &faster));
    let mut limited = base.clone();
    limited.timeout_ms = Some(500.0);
    assert!(!super::same_sweep(&base, &limited));
}
