//! What the Servers lab says in words: each model with the scenario's
//! numbers, the arrivals, the workers' and cores' busy shares, and the
//! state of the server at a time of the run (the cursor's sentence).

use crate::servers::scenario::{ArrivalPattern, Balancer};
use crate::servers::{QueuePoint, ServerMetrics, ServerModel, ServersScenario};
use crate::trace::{LaneKind, SpanKind, Time, Trace};

/// What the model is, with this scenario's numbers, in one sentence.
pub fn describe_model(model: ServerModel, scenario: &ServersScenario) -> String {
    let s = scenario.server;
    match model {
        ServerModel::MultiProcess => format!(
            "{} single-threaded processes behind a load balancer ({}): each serves one request at a time, start to finish.",
            s.processes,
            describe_balancer(scenario)
        ),
        ServerModel::MultiThreaded => format!(
            "One process, {} threads taking requests from one queue{}.",
            s.threads,
            if s.gil {
                "; a GIL lets one thread compute at a time"
            } else {
                ""
            }
        ),
        ServerModel::Evented => {
            if s.offload > 0 {
                format!(
                    "One event-loop thread with non-blocking I/O; CPU work goes to an offload pool of {} threads.",
                    s.offload
                )
            } else {
                "One event-loop thread with non-blocking I/O: it computes every request's CPU part itself.".to_owned()
            }
        }
        ServerModel::Hybrid => format!(
            "{} processes × {} threads behind a load balancer ({}){}.",
            s.processes,
            s.threads,
            describe_balancer(scenario),
            if s.gil { ", a GIL per process" } else { "" }
        ),
    }
}

/// The balancer's name in prose.
pub fn describe_balancer(scenario: &ServersScenario) -> &'static str {
    match scenario.server.balancer {
        Balancer::RoundRobin => "round robin",
        Balancer::LeastOutstanding => "least outstanding",
        Balancer::Random => "random",
    }
}

/// How requests arrive, in a few words.
pub fn describe_arrival(scenario: &ServersScenario) -> String {
    match scenario.traffic.arrival {
        ArrivalPattern::Constant => "evenly spaced".to_owned(),
        ArrivalPattern::Poisson => format!("Poisson, seed {}", scenario.traffic.seed),
        ArrivalPattern::Bursts => format!("in bursts of {}", scenario.traffic.burst),
    }
}

/// Busy shares of the workers (mean and range) and of each core.
pub fn describe_utilisation(m: &ServerMetrics) -> String {
    let workers = &m.worker_utilisation;
    let mean = workers.iter().sum::<f64>() / workers.len().max(1) as f64;
    let (lo, hi) = workers
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), &u| {
            (lo.min(u), hi.max(u))
        });
    let cores = m
        .core_utilisation
        .iter()
        .map(|u| format!("{:.0} %", u * 100.0))
        .collect::<Vec<_>>()
        .join(", ");
    let range = if workers.len() > 1 {
        format!(" (from {:.0} % to {:.0} %)", lo * 100.0, hi * 100.0)
    } else {
        String::new()
    };
    format!(
        "Busy: {} worker{} {:.0} % of the run on average{range}; cores {cores}.",
        workers.len(),
        if workers.len() == 1 { "" } else { "s" },
        mean * 100.0
    )
}

/// What became of every request offered to one model (the four add up
/// to what was offered), and what its latency percentiles are over.
pub fn describe_outcomes(m: &ServerMetrics, scenario: &ServersScenario) -> String {
    let plural = |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = vec![format!("{} answered in time", m.completed)];
    if let Some(timeout) = scenario.timeout_ms {
        let timeout = crate::servers::presets::ms_text(timeout);
        parts.push(format!(
            "{} after the client's {timeout} timeout (late: the client had already given up)",
            plural(m.late, "answered", "answered")
        ));
        parts.push(format!(
            "{} past the timeout and dropped unanswered",
            plural(m.dropped, "waited", "waited")
        ));
    }
    parts.push(format!("{} refused at once (503)", m.rejected));
    let last = parts.pop().expect("at least one part");
    let mut text = format!(
        "{}: of {} offered, {} and {last}.",
        m.model.title(),
        plural(m.requests, "request", "requests"),
        parts.join(", ")
    );
    if let Some(timeout) = scenario.timeout_ms
        && m.late > 0
    {
        text.push_str(&format!(
            " Latency percentiles are over every answer, late ones included{}.",
            if m.latency.p99 > timeout {
                ", which is why the p99 is above the timeout"
            } else {
                ""
            }
        ));
    }
    text
}

/// The server at one time of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    /// Requests in the backlog, not yet taken by a worker.
    pub waiting: u32,
    /// Requests in the server: waiting or in service.
    pub in_system: u32,
    /// Workers computing, and workers blocked on I/O.
    pub computing: u32,
    pub blocked: u32,
}

impl Snapshot {
    /// The server at `time` of the run drawn as `trace`, whose backlog
    /// over time is `queue`.
    pub fn at(trace: &Trace, queue: &[QueuePoint], time: Time) -> Snapshot {
        let idx = queue.partition_point(|point| point.time <= time);
        let (waiting, in_system) = idx
            .checked_sub(1)
            .map_or((0, 0), |i| (queue[i].waiting, queue[i].in_system));
        let (mut computing, mut blocked) = (0, 0);
        for (lane_idx, lane) in trace.lanes.iter().enumerate() {
            if lane.kind == LaneKind::Core {
                continue;
            }
            match trace.span_at(lane_idx, time).map(|span| span.kind) {
                Some(SpanKind::Running) => computing += 1,
                Some(SpanKind::Blocked) => blocked += 1,
                _ => {}
            }
        }
        Snapshot {
            waiting,
            in_system,
            computing,
            blocked,
        }
    }

    /// The cursor's sentence: "At 1.2 s: 3 waiting in the backlog, …".
    pub fn sentence(&self, trace: &Trace, time: Time) -> String {
        let Snapshot {
            waiting,
            in_system,
            computing,
            blocked,
        } = self;
        format!(
            "At {}: {waiting} waiting in the backlog, {in_system} in the server; {computing} computing, {blocked} blocked on I/O.",
            trace.time_text(time)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::servers::presets::{PRESETS, Preset};
    use crate::trace::{Lane, Span};

    #[test]
    fn each_model_is_described_with_the_scenarios_numbers() {
        let mut scenario = Preset::by_id("gil").unwrap().scenario();
        scenario.server.processes = 3;
        scenario.server.threads = 8;
        scenario.server.gil = true;
        scenario.server.offload = 0;
        scenario.server.balancer = Balancer::LeastOutstanding;
        let said = |model| describe_model(model, &scenario);
        assert_eq!(
            said(ServerModel::MultiProcess),
            "3 single-threaded processes behind a load balancer (least outstanding): each serves one request at a time, start to finish."
        );
        assert_eq!(
            said(ServerModel::MultiThreaded),
            "One process, 8 threads taking requests from one queue; a GIL lets one thread compute at a time."
        );
        assert_eq!(
            said(ServerModel::Evented),
            "One event-loop thread with non-blocking I/O: it computes every request's CPU part itself."
        );
        assert_eq!(
            said(ServerModel::Hybrid),
            "3 processes × 8 threads behind a load balancer (least outstanding), a GIL per process."
        );
        scenario.server.offload = 4;
        assert!(
            describe_model(ServerModel::Evented, &scenario).contains("offload pool of 4 threads")
        );
        scenario.traffic.arrival = ArrivalPattern::Bursts;
        scenario.traffic.burst = 25;
        assert_eq!(describe_arrival(&scenario), "in bursts of 25");
    }

    #[test]
    fn the_cursors_sentence_counts_what_the_server_does_at_that_time() {
        let span = |start, end, kind| Span {
            start,
            end,
            kind,
            task: Some(0),
            other: None,
        };
        let lane = |kind, spans| Lane {
            name: String::new(),
            kind,
            spans,
        };
        let trace = Trace {
            unit: "us".to_owned(),
            tasks: vec![crate::trace::TaskInfo {
                name: "r".to_owned(),
                colour: None,
            }],
            lanes: vec![
                lane(
                    LaneKind::Worker,
                    vec![
                        span(0, 100, SpanKind::Running),
                        span(100, 300, SpanKind::Blocked),
                    ],
                ),
                lane(LaneKind::Worker, vec![span(50, 250, SpanKind::Running)]),
                // A core's lane is the same work again: not counted twice.
                lane(LaneKind::Core, vec![span(0, 300, SpanKind::Running)]),
            ],
            events: Vec::new(),
            end: 300,
            kind_names: Vec::new(),
        };
        let queue = [
            QueuePoint {
                time: 0,
                waiting: 0,
                in_system: 1,
            },
            QueuePoint {
                time: 50,
                waiting: 2,
                in_system: 4,
            },
            QueuePoint {
                time: 260,
                waiting: 0,
                in_system: 1,
            },
        ];
        let at = |time| Snapshot::at(&trace, &queue, time);
        assert_eq!(
            at(60),
            Snapshot {
                waiting: 2,
                in_system: 4,
                computing: 2,
                blocked: 0
            }
        );
        assert_eq!(
            at(150),
            Snapshot {
                waiting: 2,
                in_system: 4,
                computing: 1,
                blocked: 1
            }
        );
        assert_eq!(
            at(270),
            Snapshot {
                waiting: 0,
                in_system: 1,
                computing: 0,
                blocked: 1
            }
        );
        assert_eq!(
            at(150).sentence(&trace, 150),
            format!(
                "At {}: 2 waiting in the backlog, 4 in the server; 1 computing, 1 blocked on I/O.",
                trace.time_text(150)
            )
        );
    }

    #[test]
    fn the_outcomes_add_up_to_what_was_offered_and_late_answers_are_named() {
        // The long-I/O preset overloads the multi-process server: some
        // requests time out.
        let scenario = PRESETS
            .iter()
            .map(|preset| preset.scenario())
            .find(|scenario| scenario.timeout_ms.is_some())
            .expect("a preset with a timeout");
        for model in ServerModel::ALL {
            let m = crate::servers::simulate(&scenario, model, false).metrics;
            let text = describe_outcomes(&m, &scenario);
            assert!(
                text.contains(&format!(
                    "of {} requests offered, {} answered in time",
                    m.requests, m.completed
                )),
                "{text}"
            );
            assert!(
                text.contains(&format!("{} refused at once (503).", m.rejected)),
                "{text}"
            );
            assert!(
                text.contains(&format!("{} answered after the client's", m.late)),
                "{text}"
            );
            assert!(
                text.contains(&format!("{} waited past the timeout", m.dropped)),
                "{text}"
            );
            assert_eq!(m.completed + m.late + m.dropped + m.rejected, m.requests);
        }
    }
}
