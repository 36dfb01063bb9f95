//! The Servers lab's built-in scenarios, each making one claim of the seed
//! visible, and the narration: which models hold, which break, and why.

use super::engine::ServerMetrics;
use super::scenario::{
    ArrivalPattern, Balancer, MemoryModel, Millis, RequestType, ServerModel, ServerSettings,
    ServersScenario, ServersTag, Traffic,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub id: &'static str,
    pub title: &'static str,
    /// What to look at, shown before the run.
    pub intro: &'static str,
    /// Why the winners win, shown after the measured sentence.
    pub why: &'static str,
}

pub const PRESETS: [Preset; 4] = [
    Preset {
        id: "long-io",
        title: "Long blocking I/O",
        intro: "A quarter of the requests call an HTTP API that takes 800 ms to answer. Watch the four processes of the multi-process server.",
        why: "Each process serves one request at a time, so an 800 ms API call holds a whole process while it only waits. Threads and the event loop wait on I/O without holding anything the next request needs.",
    },
    Preset {
        id: "cpu-heavy",
        title: "CPU-heavy requests",
        intro: "Half the requests render a page for 30 ms of pure CPU. Watch the event loop's lane.",
        why: "The event loop computes on one thread: while it renders, no other request moves, not even one whose database answer is back. Processes and threads spread the CPU work over the four cores. Give the evented server an offload pool to see it recover.",
    },
    Preset {
        id: "gil",
        title: "A global interpreter lock",
        intro: "Threads with a GIL, as in CPython or CRuby: only one thread per process computes at a time.",
        why: "Threads help with I/O (a thread waiting on the database lets go of the lock) but not with CPU: under the GIL one process computes on one core at a time. Processes each have their own interpreter and lock, so the hybrid uses every core.",
    },
    Preset {
        id: "burst",
        title: "A burst beyond the backlog",
        intro: "Bursts of 300 requests arrive at once; the listen backlog holds 100.",
        why: "A request that finds the backlog full is refused at once (503). What a server takes in during a burst is its free workers plus the backlog, so more workers take more, but only a bigger backlog or spreading the burst avoids the refusals.",
    },
];

fn request(name: &str, weight: f64, cpu_ms: f64, io_ms: f64) -> RequestType {
    RequestType {
        name: name.to_owned(),
        weight,
        cpu_ms: Millis::Fixed(cpu_ms),
        io_ms: Millis::Fixed(io_ms),
    }
}

fn base(name: &str, rate: f64, requests: u32, mix: Vec<RequestType>) -> ServersScenario {
    ServersScenario {
        lab: ServersTag::Servers,
        name: Some(name.to_owned()),
        model: ServerModel::MultiProcess,
        server: ServerSettings::default(),
        traffic: Traffic {
            arrival: ArrivalPattern::Poisson,
            rate,
            requests,
            seed: 1,
            burst: 50,
        },
        mix,
        backlog: Some(1024),
        timeout_ms: Some(10_000.0),
        memory: MemoryModel::default(),
    }
}

impl Preset {
    pub fn by_id(id: &str) -> Option<Preset> {
        PRESETS.into_iter().find(|preset| preset.id == id)
    }

    pub fn scenario(&self) -> ServersScenario {
        match self.id {
            "long-io" => base(
                self.title,
                40.0,
                1500,
                vec![
                    request("call an HTTP API", 1.0, 5.0, 800.0),
                    request("database read", 3.0, 2.0, 20.0),
                ],
            ),
            "cpu-heavy" => {
                let mut scenario = base(
                    self.title,
                    70.0,
                    1500,
                    vec![
                        request("render a page", 1.0, 30.0, 0.0),
                        request("database read", 1.0, 2.0, 20.0),
                    ],
                );
                scenario.model = ServerModel::Evented;
                scenario
            }
            "gil" => {
                let mut scenario = base(
                    self.title,
                    120.0,
                    2000,
                    vec![
                        request("build a report", 1.0, 20.0, 0.0),
                        request("database read", 1.0, 2.0, 20.0),
                    ],
                );
                scenario.model = ServerModel::MultiThreaded;
                scenario.server.gil = true;
                scenario.server.threads = 8;
                scenario
            }
            _ => {
                let mut scenario = base(
                    self.title,
                    50.0,
                    1200,
                    vec![request("database read", 1.0, 2.0, 20.0)],
                );
                scenario.model = ServerModel::MultiThreaded;
                scenario.traffic.arrival = ArrivalPattern::Bursts;
                scenario.traffic.burst = 300;
                scenario.backlog = Some(100);
                scenario.server.balancer = Balancer::LeastOutstanding;
                scenario
            }
        }
    }
}

/// What bounds a model's throughput.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    /// Every worker is held for the request's whole CPU and I/O time.
    Workers { count: u32, hold_ms: f64 },
    /// The cores compute the CPU parts.
    Cores { count: u32, cpu_ms: f64 },
    /// One thread per process computes at a time.
    Gil { processes: u32, cpu_ms: f64 },
    /// One event loop computes every CPU part.
    EventLoop { cpu_ms: f64 },
}

/// The highest rate a model can sustain (requests per second) and what
/// sets it, from the mix's mean CPU and I/O time.
pub fn capacity(scenario: &ServersScenario, model: ServerModel) -> (f64, Limit) {
    let (cpu, io) = scenario.mean_demand_ms();
    let s = scenario.server;
    let per_second = |count: u32, ms: f64| {
        if ms <= 0.0 {
            f64::INFINITY
        } else {
            count as f64 * 1000.0 / ms
        }
    };
    let mut limits = vec![(
        per_second(s.cores, cpu),
        Limit::Cores {
            count: s.cores,
            cpu_ms: cpu,
        },
    )];
    let gil = s.gil && matches!(model, ServerModel::MultiThreaded | ServerModel::Hybrid);
    match model {
        ServerModel::MultiProcess => limits.push((
            per_second(s.processes, cpu + io),
            Limit::Workers {
                count: s.processes,
                hold_ms: cpu + io,
            },
        )),
        ServerModel::MultiThreaded => limits.push((
            per_second(s.threads, cpu + io),
            Limit::Workers {
                count: s.threads,
                hold_ms: cpu + io,
            },
        )),
        ServerModel::Hybrid => limits.push((
            per_second(s.processes * s.threads, cpu + io),
            Limit::Workers {
                count: s.processes * s.threads,
                hold_ms: cpu + io,
            },
        )),
        ServerModel::Evented if s.offload == 0 => {
            limits.push((per_second(1, cpu), Limit::EventLoop { cpu_ms: cpu }));
        }
        ServerModel::Evented => limits.push((
            per_second(s.offload, cpu),
            Limit::Workers {
                count: s.offload,
                hold_ms: cpu,
            },
        )),
    }
    if gil {
        let processes = if model == ServerModel::Hybrid {
            s.processes
        } else {
            1
        };
        limits.push((
            per_second(processes, cpu),
            Limit::Gil {
                processes,
                cpu_ms: cpu,
            },
        ));
    }
    limits
        .into_iter()
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .expect("at least the cores limit")
}

fn limit_sentence(limit: Limit) -> String {
    match limit {
        Limit::Workers { count, hold_ms } => format!(
            "{count} workers, each held {} per request",
            ms_text(hold_ms)
        ),
        Limit::Cores { count, cpu_ms } => {
            format!("{count} cores for {} of CPU per request", ms_text(cpu_ms))
        }
        Limit::Gil { processes, cpu_ms } => format!(
            "the GIL lets {processes} thread{} compute at a time, {} per request",
            if processes == 1 { "" } else { "s" },
            ms_text(cpu_ms)
        ),
        Limit::EventLoop { cpu_ms } => {
            format!("one event loop computing {} per request", ms_text(cpu_ms))
        }
    }
}

/// `12 ms`, `0.8 ms`, `2.4 s`.
pub fn ms_text(ms: f64) -> String {
    if ms >= 10_000.0 {
        format!("{:.0} s", ms / 1000.0)
    } else if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

/// Whether a model kept up: nothing refused or timed out, and its p99
/// within twice the best one's (plus 20 ms).
fn holds(metrics: &ServerMetrics, best_p99: f64) -> bool {
    metrics.rejected == 0 && metrics.timed_out == 0 && metrics.latency.p99 <= best_p99 * 2.0 + 20.0
}

/// Two or three sentences on a comparison (metrics in
/// [`ServerModel::ALL`] order): which models hold and which break, with
/// the numbers and what limits each one that breaks.
pub fn narrate(scenario: &ServersScenario, metrics: &[ServerMetrics]) -> String {
    let best_p99 = metrics
        .iter()
        .filter(|m| m.rejected == 0 && m.timed_out == 0)
        .map(|m| m.latency.p99)
        .fold(f64::INFINITY, f64::min);
    let (held, broke): (Vec<&ServerMetrics>, Vec<&ServerMetrics>) =
        metrics.iter().partition(|m| holds(m, best_p99));
    let names = |list: &[&ServerMetrics]| -> String {
        let titles: Vec<&str> = list.iter().map(|m| m.model.title()).collect();
        match titles.as_slice() {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    };
    let rate = scenario.traffic.rate;
    let mut out = String::new();
    if held.is_empty() {
        out.push_str(&format!("At {rate:.0} requests/s no model keeps up. "));
    } else {
        let worst_held = held.iter().map(|m| m.latency.p99).fold(0.0, f64::max);
        out.push_str(&format!(
            "{} {} at {rate:.0} requests/s (p99 {}). ",
            names(&held),
            if held.len() == 1 { "holds" } else { "hold" },
            ms_text(worst_held)
        ));
    }
    for m in &broke {
        let (capacity, limit) = capacity(scenario, m.model);
        let mut harm = vec![format!("p99 {}", ms_text(m.latency.p99))];
        if m.rejected > 0 {
            harm.push(format!("{} refused", m.rejected));
        }
        if m.late > 0 {
            harm.push(format!("{} answered late", m.late));
        }
        if m.dropped > 0 {
            harm.push(format!("{} dropped", m.dropped));
        }
        let bound = if capacity < rate {
            format!(
                ": it can serve about {capacity:.0}/s ({})",
                limit_sentence(limit)
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{} breaks ({}){bound}. ",
            m.model.title(),
            harm.join(", ")
        ));
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::servers::compare;

    fn by_model(metrics: &[ServerMetrics], model: ServerModel) -> &ServerMetrics {
        metrics.iter().find(|m| m.model == model).unwrap()
    }

    #[test]
    fn every_preset_validates_and_round_trips() {
        for preset in PRESETS {
            let scenario = preset.scenario();
            scenario.validate().unwrap();
            let back = ServersScenario::from_json(&scenario.to_json()).unwrap();
            assert_eq!(back, scenario, "{}", preset.id);
        }
    }

    #[test]
    fn long_io_breaks_multi_process_and_not_threads_or_evented() {
        let metrics = compare(&Preset::by_id("long-io").unwrap().scenario());
        let mp = by_model(&metrics, ServerModel::MultiProcess);
        assert!(mp.timed_out + mp.rejected > 100, "{mp:?}");
        for model in [
            ServerModel::MultiThreaded,
            ServerModel::Evented,
            ServerModel::Hybrid,
        ] {
            let m = by_model(&metrics, model);
            assert_eq!(m.timed_out + m.rejected, 0, "{model:?}");
            assert!(m.latency.p99 < 1000.0, "{model:?} {:?}", m.latency);
        }
    }

    #[test]
    fn cpu_heavy_stalls_the_event_loop() {
        let metrics = compare(&Preset::by_id("cpu-heavy").unwrap().scenario());
        let evented = by_model(&metrics, ServerModel::Evented);
        for model in [
            ServerModel::MultiProcess,
            ServerModel::MultiThreaded,
            ServerModel::Hybrid,
        ] {
            let other = by_model(&metrics, model);
            assert!(
                evented.latency.p99 > 10.0 * other.latency.p99,
                "{model:?}: {} vs {}",
                evented.latency.p99,
                other.latency.p99
            );
        }
    }

    #[test]
    fn the_gil_limits_threads_but_not_processes() {
        let scenario = Preset::by_id("gil").unwrap().scenario();
        let metrics = compare(&scenario);
        let threaded = by_model(&metrics, ServerModel::MultiThreaded);
        let hybrid = by_model(&metrics, ServerModel::Hybrid);
        assert!(threaded.latency.p99 > 10.0 * hybrid.latency.p99);
        // Without the GIL the same threads keep up.
        let mut free = scenario.clone();
        free.server.gil = false;
        let free_threads = by_model(&compare(&free), ServerModel::MultiThreaded).clone();
        assert!(free_threads.latency.p99 < threaded.latency.p99 / 10.0);
        let text = narrate(&scenario, &metrics);
        assert!(text.contains("Multi-threaded breaks"), "{text}");
        assert!(
            text.contains("the GIL lets 1 thread compute at a time"),
            "{text}"
        );
    }

    #[test]
    fn a_burst_beyond_the_backlog_is_refused_by_every_model() {
        let metrics = compare(&Preset::by_id("burst").unwrap().scenario());
        for m in &metrics {
            assert!(m.rejected > 0, "{:?}", m.model);
        }
        // More workers take more of the burst in.
        assert!(
            by_model(&metrics, ServerModel::Hybrid).rejected
                < by_model(&metrics, ServerModel::MultiProcess).rejected
        );
    }

    #[test]
    fn narration_names_who_holds_and_who_breaks() {
        let scenario = Preset::by_id("long-io").unwrap().scenario();
        let text = narrate(&scenario, &compare(&scenario));
        expect_test::expect!["Multi-threaded, Evented and Hybrid hold at 40 requests/s (p99 833 ms). Multi-process breaks (p99 11 s, 119 answered late, 568 dropped): it can serve about 18/s (4 workers, each held 218 ms per request)."]
        .assert_eq(&text);
    }
}
