//! The Servers lab's checks for challenges: predict a model's p99 at the
//! scenario's load, or which model first turns requests away as the load
//! grows; reach a target such as "every request answered within 300 ms
//! at 40 requests/s with at most 512 MB" on the challenge's own traffic.

use serde::{Deserialize, Serialize};

use super::ServersLab;
use crate::challenges::{
    self, Answer, AnswerForm, Brief, Challenge, ChallengeSet, Checks, Judgement, Kind, Solution,
    Verdict,
};
use crate::error::ScenarioError;
use crate::servers::{self, ServerModel, ServersScenario};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// Predict: `model`'s 99th-percentile latency at the scenario's load.
    P99 {
        model: ServerModel,
        /// Either side, in ms.
        tolerance: f64,
    },
    /// Predict: which model first refuses or times out a request as the
    /// load grows, over the page's sweep.
    BreaksFirst,
    /// Target: the model shown answers every request of the challenge's
    /// traffic in time, with p99 and peak memory at most these.
    Serve {
        p99_at_most: f64,
        memory_at_most: f64,
    },
}

/// The sweep's top load, as the page's sweep uses it.
fn sweep_top(lab: &ServersLab) -> f64 {
    lab.sweep_max
        .unwrap_or_else(|| servers::default_max_rate(&lab.scenario))
}

/// Each model's first failing load over the page's sweep, in
/// [`ServerModel::ALL`] order.
fn breaking_points(lab: &ServersLab) -> Vec<Option<f64>> {
    let points = servers::sweep(
        &lab.scenario,
        sweep_top(lab),
        servers::SWEEP_POINTS,
        |_, _| true,
    );
    ServerModel::ALL
        .iter()
        .map(|&model| servers::first_failing_rate(&points, model))
        .collect()
}

fn same_traffic(a: &ServersScenario, b: &ServersScenario) -> bool {
    a.traffic == b.traffic && a.mix == b.mix && a.timeout_ms == b.timeout_ms
}

fn rate(value: f64) -> String {
    challenges::number_text(value)
}

impl Checks for ServersLab {
    type Check = Check;

    fn kind_of(check: &Check) -> Kind {
        match check {
            Check::P99 { .. } | Check::BreaksFirst => Kind::Predict,
            Check::Serve { .. } => Kind::Target,
        }
    }

    fn validate_check(check: &Check, start: &ServersLab) -> Result<(), ScenarioError> {
        match check {
            Check::P99 { tolerance, .. } => {
                challenges::tolerance_fits("tolerance", *tolerance, false)
            }
            Check::BreaksFirst => {
                if breaking_points(start).iter().all(Option::is_none) {
                    return Err(ScenarioError::at_path(
                        "figure",
                        format!(
                            "no model turns a request away up to {} requests/s: nothing breaks first",
                            rate(sweep_top(start))
                        ),
                    )
                    .with_hint("raise the sweep's top load or lower the backlog or timeout"));
                }
                Ok(())
            }
            Check::Serve {
                p99_at_most,
                memory_at_most,
            } => {
                for (path, value) in [
                    ("p99_at_most", p99_at_most),
                    ("memory_at_most", memory_at_most),
                ] {
                    if !(value.is_finite() && *value > 0.0 && *value <= 1e9) {
                        return Err(ScenarioError::at_path(
                            path,
                            format!("{value} is not a positive amount"),
                        ));
                    }
                }
                Ok(())
            }
        }
    }

    fn asks(check: &Check, start: &ServersLab) -> String {
        match check {
            Check::P99 { model, tolerance } => format!(
                "What is the {} server's p99 latency at {} requests/s? (within {})",
                model.title(),
                rate(start.scenario.traffic.rate),
                challenges::tolerance_text(*tolerance, false, "ms")
            ),
            Check::BreaksFirst => format!(
                "As the load grows to {} requests/s, which model turns a request away (refused or too late) first?",
                rate(sweep_top(start))
            ),
            Check::Serve {
                p99_at_most,
                memory_at_most,
            } => format!(
                "Answer every request within its time at {} requests/s with p99 at most {} ms and at most {} MB.",
                rate(start.scenario.traffic.rate),
                rate(*p99_at_most),
                rate(*memory_at_most)
            ),
        }
    }

    fn form(check: &Check, _start: &ServersLab) -> Option<AnswerForm> {
        match check {
            Check::P99 { tolerance, .. } => Some(AnswerForm::Number {
                unit: "ms".into(),
                tolerance: *tolerance,
                relative: false,
            }),
            Check::BreaksFirst => Some(AnswerForm::Choice {
                options: ServerModel::ALL
                    .iter()
                    .map(|model| model.title().to_owned())
                    .collect(),
            }),
            Check::Serve { .. } => None,
        }
    }

    fn judge(
        check: &Check,
        start: &ServersLab,
        now: &ServersLab,
        answer: Option<&Answer>,
    ) -> Judgement {
        match check {
            Check::P99 { model, tolerance } => {
                let metrics = servers::simulate(&start.scenario, *model, false).metrics;
                let p99 = metrics.latency.p99;
                let right = matches!(answer, Some(Answer::Number(value)) if challenges::within(*value, p99, *tolerance, false));
                Judgement {
                    verdict: if right { Verdict::Met } else { Verdict::NotMet },
                    computed: format!("p99 {} ms", rate(p99)),
                    explanation: format!(
                        "99 requests in 100 were answered within {} ms (median {} ms): {} of {} answered in time, {} refused, {} too late.",
                        rate(p99),
                        rate(metrics.latency.p50),
                        metrics.completed,
                        metrics.requests,
                        metrics.rejected,
                        metrics.timed_out
                    ),
                    answer: Some(Answer::Number(p99)),
                }
            }
            Check::BreaksFirst => {
                let breaks = breaking_points(start);
                let first = breaks
                    .iter()
                    .flatten()
                    .copied()
                    .fold(f64::INFINITY, f64::min);
                let firsts: Vec<&str> = ServerModel::ALL
                    .iter()
                    .zip(&breaks)
                    .filter(|(_, at)| **at == Some(first))
                    .map(|(model, _)| model.title())
                    .collect();
                let right = matches!(answer, Some(Answer::Choice(choice)) if firsts.contains(&choice.as_str()));
                let each = ServerModel::ALL
                    .iter()
                    .zip(&breaks)
                    .map(|(model, at)| match at {
                        Some(at) => format!("{} at {} requests/s", model.title(), rate(*at)),
                        None => {
                            format!("{} never, up to {}", model.title(), rate(sweep_top(start)))
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                Judgement {
                    verdict: if right { Verdict::Met } else { Verdict::NotMet },
                    computed: format!("{} (at {} requests/s)", firsts.join(" and "), rate(first)),
                    explanation: format!(
                        "First refused or late request, over the sweep's {} loads: {each}.",
                        servers::SWEEP_POINTS
                    ),
                    answer: firsts
                        .first()
                        .map(|title| Answer::Choice((*title).to_owned())),
                }
            }
            Check::Serve {
                p99_at_most,
                memory_at_most,
            } => {
                if !same_traffic(&now.scenario, &start.scenario) {
                    return Judgement {
                        verdict: Verdict::NotMet,
                        computed: "the traffic was changed".into(),
                        explanation: "The target is about the challenge's traffic: change the server, not the requests, the mix or the timeout.".into(),
                        answer: None,
                    };
                }
                let model = now.scenario.model;
                let metrics = servers::simulate(&now.scenario, model, false).metrics;
                let mut misses = Vec::new();
                if metrics.completed < metrics.requests {
                    misses.push(format!(
                        "{} of {} requests were refused or too late",
                        metrics.requests - metrics.completed,
                        metrics.requests
                    ));
                }
                if metrics.latency.p99 > *p99_at_most {
                    misses.push(format!(
                        "p99 is {} ms, over {} ms",
                        rate(metrics.latency.p99),
                        rate(*p99_at_most)
                    ));
                }
                if metrics.peak_memory > *memory_at_most {
                    misses.push(format!(
                        "peak memory is {} MB, over {} MB",
                        rate(metrics.peak_memory),
                        rate(*memory_at_most)
                    ));
                }
                Judgement {
                    verdict: if misses.is_empty() {
                        Verdict::Met
                    } else {
                        Verdict::NotMet
                    },
                    computed: format!(
                        "{}: {} of {} answered in time, p99 {} ms, peak memory {} MB",
                        model.title(),
                        metrics.completed,
                        metrics.requests,
                        rate(metrics.latency.p99),
                        rate(metrics.peak_memory)
                    ),
                    explanation: if misses.is_empty() {
                        format!("The {} server meets the target.", model.title())
                    } else {
                        format!(
                            "The {} server misses: {}.",
                            model.title(),
                            misses.join("; ")
                        )
                    },
                    answer: None,
                }
            }
        }
    }

    fn brief(start: &ServersLab) -> Brief {
        let scenario = &start.scenario;
        let server = &scenario.server;
        let total: f64 = scenario.mix.iter().map(|kind| kind.weight).sum();
        let mut lines = vec![format!(
            "{} requests at {} requests/s ({:?} arrivals)",
            scenario.traffic.requests,
            rate(scenario.traffic.rate),
            scenario.traffic.arrival
        )];
        lines.extend(scenario.mix.iter().map(|kind| {
            format!(
                "{} % {}: {} ms of CPU, {} ms of I/O (means)",
                rate(100.0 * kind.weight / total.max(f64::MIN_POSITIVE)),
                kind.name,
                rate(kind.cpu_ms.mean()),
                rate(kind.io_ms.mean())
            )
        }));
        lines.push(format!(
            "Server: {} processes of {} threads on {} cores{}{}",
            server.processes,
            server.threads,
            server.cores,
            if server.gil {
                ", a global interpreter lock"
            } else {
                ""
            },
            if server.offload > 0 {
                format!(", an offload pool of {}", server.offload)
            } else {
                String::new()
            }
        ));
        if let Some(backlog) = scenario.backlog {
            lines.push(format!("A backlog of {backlog} waiting requests"));
        }
        if let Some(timeout) = scenario.timeout_ms {
            lines.push(format!("Clients give up after {} ms", rate(timeout)));
        }
        lines.push(format!(
            "Memory: {} MB a process, {} MB a thread, {} KB a connection",
            rate(scenario.memory.process_mb),
            rate(scenario.memory.thread_mb),
            rate(scenario.memory.connection_kb)
        ));
        Brief { lines, code: None }
    }

    fn builtin_set() -> ChallengeSet {
        builtin_set()
    }

    fn offered(state: &ServersLab) -> Vec<Check> {
        let metrics = servers::simulate(&state.scenario, state.scenario.model, false).metrics;
        let p99 = metrics.latency.p99;
        let mut offered = vec![Check::P99 {
            model: state.scenario.model,
            tolerance: (p99 * 0.1).round().max(1.0),
        }];
        offered.push(Check::BreaksFirst);
        offered.push(Check::Serve {
            p99_at_most: (p99 * 1.1).ceil().max(1.0),
            memory_at_most: metrics.peak_memory.ceil().max(1.0),
        });
        offered
    }
}

/// The Servers lab's built-in set.
pub fn builtin_set() -> ChallengeSet {
    let preset = |id: &str, model: ServerModel| {
        let mut lab =
            ServersLab::from_preset(&super::Preset::by_id(id).expect("a built-in preset"));
        lab.scenario.model = model;
        lab
    };
    let showing = |lab: &ServersLab, model: ServerModel| {
        let mut lab = lab.clone();
        lab.scenario.model = model;
        Some(Solution::State(lab))
    };
    let long_io = preset("long-io", ServerModel::MultiProcess);
    let cpu_heavy = preset("cpu-heavy", ServerModel::Evented);
    ChallengeSet::new(
        "Servers: where each one breaks",
        vec![
            Challenge::new(
                "Threads and a slow API",
                &preset("long-io", ServerModel::MultiThreaded),
                &Check::P99 { model: ServerModel::MultiThreaded, tolerance: 100.0 },
                Some(Solution::Answer(Answer::Number(833.0))),
            )
            .with_texts(
                "A quarter of the requests call an HTTP API that takes 800 ms. At 40 requests/s, what is the multi-threaded server's p99: the time 99 requests in 100 are answered within?",
                &["More than 1 request in 100 calls the slow API.", "A thread waiting on the API holds no core: the others go on."],
                "The slow quarter sets the p99: about the API's 800 ms plus a little work. The threads wait on I/O without holding up the rest.",
            ),
            Challenge::new(
                "Slow I/O: which breaks first?",
                &long_io,
                &Check::BreaksFirst,
                Some(Solution::Answer(Answer::Choice("Multi-process".into()))),
            )
            .with_texts(
                "Same traffic, more and more of it. Which model is the first to refuse a request or answer too late?",
                &["Which model holds a whole worker for the 800 ms of an API call?"],
                "Each process serves one request at a time, so four processes are four requests in progress: an 800 ms wait holds a whole process.",
            ),
            Challenge::new(
                "Heavy CPU: which breaks first?",
                &cpu_heavy,
                &Check::BreaksFirst,
                Some(Solution::Answer(Answer::Choice("Evented".into()))),
            )
            .with_texts(
                "Half the requests render a page for 30 ms of pure CPU. As the load grows, which model fails first?",
                &["Which model computes on one thread only?"],
                "The event loop computes on one thread: while it renders, nothing else moves. The others spread the work over four cores.",
            ),
            Challenge::new(
                "A GIL under load",
                &preset("gil", ServerModel::MultiThreaded),
                &Check::BreaksFirst,
                Some(Solution::Answer(Answer::Choice("Evented".into()))),
            )
            .with_texts(
                "Threads under a global interpreter lock, as in CPython. Which model fails first as the load grows?",
                &["Under the lock, one thread per process computes at a time; an event loop is one thread anyway.", "Which model has the least CPU: one core's worth?"],
                "The event loop and the GIL-bound threads each compute on one core at a time; the event loop also waits for the database in the same thread's turns, and breaks first. Processes each have their own lock.",
            ),
            Challenge::new(
                "Serve the slow API",
                &long_io,
                &Check::Serve { p99_at_most: 900.0, memory_at_most: 128.0 },
                showing(&long_io, ServerModel::Evented),
            )
            .with_texts(
                "Four processes time out on this traffic. Pick the server (not the traffic) so that every request is answered in time, with p99 at most 900 ms and at most 128 MB.",
                &["Which models wait on I/O without holding a worker?", "Processes cost memory: look at the memory figure."],
                "Threads or an event loop keep the API calls in flight without a process each, in a fraction of the memory.",
            ),
            Challenge::new(
                "Render without blocking",
                &cpu_heavy,
                &Check::Serve { p99_at_most: 60.0, memory_at_most: 128.0 },
                showing(&cpu_heavy, ServerModel::MultiThreaded),
            )
            .with_texts(
                "The event loop's p99 is seconds here. Make every request answered with p99 at most 60 ms and at most 128 MB.",
                &["The CPU work must spread over the cores.", "Processes would do it, but each costs memory."],
                "Threads share one process's memory and spread the rendering over the cores.",
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::servers::presets::PRESETS;

    fn lab() -> ServersLab {
        ServersLab::from_preset(&PRESETS[0])
    }

    #[test]
    fn a_p99_prediction_is_judged_against_the_engine_within_its_tolerance() {
        let start = lab();
        let model = start.scenario.model;
        let p99 = servers::simulate(&start.scenario, model, false)
            .metrics
            .latency
            .p99;
        let check = Check::P99 {
            model,
            tolerance: 10.0,
        };
        let at =
            |value: f64| ServersLab::judge(&check, &start, &start, Some(&Answer::Number(value)));
        assert!(at(p99 + 10.0).met());
        assert!(at(p99 - 10.0).met());
        assert!(!at(p99 + 10.5).met());
        assert_eq!(at(p99).computed, format!("p99 {} ms", rate(p99)));
    }

    #[test]
    fn which_breaks_first_agrees_with_the_sweep() {
        let start = lab();
        let check = Check::BreaksFirst;
        ServersLab::validate_check(&check, &start).unwrap();
        let breaks = breaking_points(&start);
        let (idx, _) = breaks
            .iter()
            .enumerate()
            .filter_map(|(idx, at)| at.map(|at| (idx, at)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        let first = ServerModel::ALL[idx].title().to_owned();
        let judged = ServersLab::judge(&check, &start, &start, Some(&Answer::Choice(first)));
        assert!(judged.met(), "{judged:?}");
    }

    #[test]
    fn a_target_holds_on_the_challenge_traffic_only() {
        let start = lab();
        let metrics = servers::simulate(&start.scenario, start.scenario.model, false).metrics;
        let check = Check::Serve {
            p99_at_most: metrics.latency.p99,
            memory_at_most: metrics.peak_memory,
        };
        let judged = ServersLab::judge(&check, &start, &start, None);
        assert_eq!(
            judged.verdict == Verdict::Met,
            metrics.completed == metrics.requests,
            "{judged:?}"
        );
        let tight = Check::Serve {
            p99_at_most: metrics.latency.p99 - 1.0,
            memory_at_most: metrics.peak_memory,
        };
        let judged = ServersLab::judge(&tight, &start, &start, None);
        assert!(!judged.met());
        assert!(judged.explanation.contains("p99 is"), "{judged:?}");
        let mut fewer = start.clone();
        fewer.scenario.traffic.rate /= 2.0;
        assert_eq!(
            ServersLab::judge(&check, &start, &fewer, None).computed,
            "the traffic was changed"
        );
    }
}
