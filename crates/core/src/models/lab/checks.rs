//! The Models lab's checks for challenges: predict a configuration's
//! makespan or which configuration finishes first; reach a target such
//! as "every task done by 120 ms with at most 2 threads" on the
//! challenge's own workload.

use serde::{Deserialize, Serialize};

use super::ModelsLab;
use crate::challenges::{
    self, Answer, AnswerForm, Brief, Challenge, ChallengeSet, Checks, Judgement, Kind, Solution,
    Verdict,
};
use crate::error::ScenarioError;
use crate::metrics::Metrics;
use crate::models::scenario::{MAX_THREADS, Model, Segment, Time};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// Predict: when configuration `config` finishes the last task.
    Makespan {
        config: usize,
        /// Either side, in the workload's unit.
        tolerance: f64,
    },
    /// Predict: which configuration finishes first.
    FirstToFinish,
    /// Target: on the challenge's workload, some configuration with at
    /// most `max_threads` threads finishes every task by `by`.
    FinishBy { by: Time, max_threads: u32 },
}

fn makespan(lab: &ModelsLab, model: Model) -> Time {
    Metrics::of(&crate::models::simulate(&lab.scenario, model)).makespan
}

fn unit(lab: &ModelsLab) -> &'static str {
    lab.scenario.unit.symbol()
}

impl Checks for ModelsLab {
    type Check = Check;

    fn kind_of(check: &Check) -> Kind {
        match check {
            Check::Makespan { .. } | Check::FirstToFinish => Kind::Predict,
            Check::FinishBy { .. } => Kind::Target,
        }
    }

    fn validate_check(check: &Check, start: &ModelsLab) -> Result<(), ScenarioError> {
        match check {
            Check::Makespan { config, tolerance } => {
                if *config >= start.configs.len() {
                    return Err(ScenarioError::at_path(
                        "config",
                        format!(
                            "the lab compares {} configurations; there is no configuration {config}",
                            start.configs.len()
                        ),
                    )
                    .with_hint("configurations count from 0"));
                }
                challenges::tolerance_fits("tolerance", *tolerance, false)
            }
            Check::FirstToFinish => {
                if start.configs.len() < 2 {
                    return Err(ScenarioError::at_path(
                        "figure",
                        "which configuration finishes first needs two configurations at least",
                    ));
                }
                Ok(())
            }
            Check::FinishBy { by, max_threads } => {
                if *max_threads == 0 || *max_threads > MAX_THREADS {
                    return Err(ScenarioError::at_path(
                        "max_threads",
                        format!("{max_threads} is outside 1..={MAX_THREADS}"),
                    ));
                }
                if *by == 0 {
                    return Err(ScenarioError::at_path("by", "a time after 0"));
                }
                Ok(())
            }
        }
    }

    fn asks(check: &Check, start: &ModelsLab) -> String {
        match check {
            Check::Makespan { config, tolerance } => format!(
                "When does {} finish the last task? (within {})",
                start.configs[*config].label(),
                challenges::tolerance_text(*tolerance, false, unit(start))
            ),
            Check::FirstToFinish => "Which configuration finishes every task first?".to_owned(),
            Check::FinishBy { by, max_threads } => format!(
                "Finish every task by {by} {} with at most {max_threads} thread{}, on this workload.",
                unit(start),
                if *max_threads == 1 { "" } else { "s" }
            ),
        }
    }

    fn form(check: &Check, start: &ModelsLab) -> Option<AnswerForm> {
        match check {
            Check::Makespan { tolerance, .. } => Some(AnswerForm::Number {
                unit: unit(start).to_owned(),
                tolerance: *tolerance,
                relative: false,
            }),
            Check::FirstToFinish => Some(AnswerForm::Choice {
                options: start.configs.iter().map(|model| model.label()).collect(),
            }),
            Check::FinishBy { .. } => None,
        }
    }

    fn judge(
        check: &Check,
        start: &ModelsLab,
        now: &ModelsLab,
        answer: Option<&Answer>,
    ) -> Judgement {
        let unit = unit(start);
        match check {
            Check::Makespan { config, tolerance } => {
                let model = start.configs[*config];
                let computed = makespan(start, model);
                let right = matches!(answer, Some(Answer::Number(value))
                    if challenges::within(*value, computed as f64, *tolerance, false));
                Judgement {
                    answer: Some(Answer::Number(computed as f64)),
                    verdict: if right { Verdict::Met } else { Verdict::NotMet },
                    computed: format!("{computed} {unit}"),
                    explanation: format!(
                        "{} finishes its last task at {computed} {unit}: {}",
                        model.label(),
                        why_makespan(model)
                    ),
                }
            }
            Check::FirstToFinish => {
                let spans: Vec<(String, Time)> = start
                    .configs
                    .iter()
                    .map(|&model| (model.label(), makespan(start, model)))
                    .collect();
                let best = spans.iter().map(|(_, time)| *time).min().unwrap_or(0);
                let first: Vec<&str> = spans
                    .iter()
                    .filter(|(_, time)| *time == best)
                    .map(|(label, _)| label.as_str())
                    .collect();
                let right = matches!(answer, Some(Answer::Choice(choice)) if first.contains(&choice.as_str()));
                let all = spans
                    .iter()
                    .map(|(label, time)| format!("{label}: {time} {unit}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                Judgement {
                    verdict: if right { Verdict::Met } else { Verdict::NotMet },
                    computed: if first.len() == 1 {
                        format!("{} ({best} {unit})", first[0])
                    } else {
                        format!("a tie: {} ({best} {unit})", first.join(" and "))
                    },
                    explanation: format!("Makespans: {all}."),
                    answer: first
                        .first()
                        .map(|label| Answer::Choice((*label).to_owned())),
                }
            }
            Check::FinishBy { by, max_threads } => {
                if now.scenario != start.scenario {
                    return Judgement {
                        verdict: Verdict::NotMet,
                        computed: "the workload was changed".to_owned(),
                        explanation: "The target is about the challenge's workload: change the configurations, not the tasks.".to_owned(),
                        answer: None,
                    };
                }
                let best = now
                    .configs
                    .iter()
                    .filter(|model| model.threads <= *max_threads)
                    .map(|&model| (makespan(now, model), model))
                    .min_by_key(|(time, _)| *time);
                match best {
                    None => Judgement {
                        verdict: Verdict::NotMet,
                        computed: format!("no configuration has at most {max_threads} threads"),
                        explanation: format!(
                            "Add or change a configuration to use at most {max_threads} threads."
                        ),
                        answer: None,
                    },
                    Some((time, model)) => Judgement {
                        verdict: if time <= *by {
                            Verdict::Met
                        } else {
                            Verdict::NotMet
                        },
                        computed: format!("{}: every task done at {time} {unit}", model.label()),
                        explanation: if time <= *by {
                            format!(
                                "{} finishes at {time} {unit}, by {by} {unit}.",
                                model.label()
                            )
                        } else {
                            format!(
                                "The best configuration with at most {max_threads} threads, {}, finishes at {time} {unit}, {} {unit} too late.",
                                model.label(),
                                time - by
                            )
                        },
                        answer: None,
                    },
                }
            }
        }
    }

    fn brief(start: &ModelsLab) -> Brief {
        let unit = unit(start);
        let mut lines: Vec<String> = start
            .scenario
            .tasks
            .iter()
            .enumerate()
            .map(|(idx, task)| {
                let name = task
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("Task {}", idx + 1));
                let steps: Vec<String> = task
                    .segments
                    .iter()
                    .map(|segment| match segment {
                        Segment::Compute(time) => format!("compute {time} {unit}"),
                        Segment::Wait { duration, on } => {
                            format!("wait {duration} {unit} for {}", on.noun())
                        }
                    })
                    .collect();
                format!(
                    "{name} arrives at {} {unit}: {}",
                    task.arrival,
                    steps.join(", then ")
                )
            })
            .collect();
        if start.scenario.generate.is_some() {
            lines.push("and more tasks from the workload's generator".to_owned());
        }
        lines.push(format!(
            "Configurations: {}",
            start
                .configs
                .iter()
                .map(|model| model.label())
                .collect::<Vec<_>>()
                .join("; ")
        ));
        Brief { lines, code: None }
    }

    fn builtin_set() -> ChallengeSet {
        builtin_set()
    }

    fn offered(state: &ModelsLab) -> Vec<Check> {
        let selected = state.selected.min(state.configs.len().saturating_sub(1));
        let span = makespan(state, state.configs[selected]);
        let threads = state.configs[selected].threads;
        let mut offered = vec![Check::Makespan {
            config: selected,
            tolerance: (span as f64 * 0.1).round().max(1.0),
        }];
        if state.configs.len() >= 2 {
            offered.push(Check::FirstToFinish);
        }
        offered.push(Check::FinishBy {
            by: span,
            max_threads: threads,
        });
        offered
    }
}

/// The Models lab's built-in set.
pub fn builtin_set() -> ChallengeSet {
    let preset = |id: &str, configs: Vec<Model>| ModelsLab {
        configs,
        ..ModelsLab::from_preset(
            super::presets::Preset::by_id(id)
                .expect("a built-in workload")
                .1,
        )
    };
    let three = preset(
        "three-requests",
        vec![Model::sync(1), Model::asynchronous(1)],
    );
    let solved = |lab: &ModelsLab, configs: Vec<Model>| {
        Some(Solution::State(ModelsLab {
            configs,
            ..lab.clone()
        }))
    };
    let downloads = preset("downloads", vec![Model::sync(2)]);
    let batch = preset("cpu-batch", vec![Model::asynchronous(1)]);
    ChallengeSet::new(
        "Models: predict, then run",
        vec![
            Challenge::new(
                "One blocking thread",
                &three,
                &Check::Makespan { config: 0, tolerance: 10.0 },
                Some(Solution::Answer(Answer::Number(210.0))),
            )
            .with_texts(
                "Three requests each compute a little, then wait on a database. Read the tasks' segments, then predict when one synchronous thread finishes the last of them.",
                &["A synchronous thread holds a task through its wait: nothing else runs meanwhile.", "So the tasks run one after another: add up every compute and every wait."],
                "One synchronous thread is a queue: every wait is time the thread spends holding a task and doing nothing.",
            ),
            Challenge::new(
                "One event loop",
                &three,
                &Check::Makespan { config: 1, tolerance: 10.0 },
                Some(Solution::Answer(Answer::Number(90.0))),
            )
            .with_texts(
                "The same three requests on one asynchronous thread. When is the last one done?",
                &["While a task waits, the thread runs the next task's compute.", "The waits overlap: the end is about the computes before the last wait, plus that wait."],
                "The asynchronous thread overlaps the three waits, so it finishes in less than half the time, on the same one thread.",
            ),
            Challenge::new(
                "Four threads or one event loop?",
                &preset("web-requests", vec![Model::sync(4), Model::asynchronous(1)]),
                &Check::FirstToFinish,
                Some(Solution::Answer(Answer::Choice("async, 1 thread".into()))),
            )
            .with_texts(
                "Eight web requests, each mostly waiting on the database. Which finishes every request first: four synchronous threads, or one asynchronous thread?",
                &["Count how many requests each keeps in progress at once.", "Four blocking threads hold at most four requests; one event loop holds all eight while they wait."],
                "When tasks mostly wait, one event loop keeps more requests in progress than a few blocking threads.",
            ),
            Challenge::new(
                "When nothing waits",
                &preset("cpu-batch", vec![Model::sync(2), Model::asynchronous(1)]),
                &Check::FirstToFinish,
                Some(Solution::Answer(Answer::Choice("sync, 2 threads".into()))),
            )
            .with_texts(
                "A batch of pure computation, no waits. Two synchronous threads on two cores, or one asynchronous thread?",
                &["An asynchronous thread gains only by running something else while a task waits."],
                "Asynchrony overlaps waits; only more threads on more cores speed up computation.",
            ),
            Challenge::new(
                "Downloads on two threads",
                &downloads,
                &Check::FinishBy { by: 185, max_threads: 2 },
                solved(&downloads, vec![Model::asynchronous(2)]),
            )
            .with_texts(
                "Two synchronous threads take 296 ms for these downloads. Change the configuration (not the downloads) so that every download is done by 185 ms, with at most 2 threads.",
                &["A download is almost all waiting on the network.", "Try the asynchronous model."],
                "An asynchronous thread starts the next download while the others wait: two threads, all downloads in flight.",
            ),
            Challenge::new(
                "A batch by 80 ms",
                &batch,
                &Check::FinishBy { by: 80, max_threads: 2 },
                solved(&batch, vec![Model::sync(2)]),
            )
            .with_texts(
                "One asynchronous thread takes 160 ms for this CPU batch. Finish it by 80 ms with at most 2 threads.",
                &["Nothing here waits, so asynchrony has nothing to overlap.", "Each thread gets its own core unless you say otherwise."],
                "Computation is sped up by cores, not by asynchrony: two threads on two cores halve it.",
            ),
        ],
    )
}

fn why_makespan(model: Model) -> &'static str {
    match model.kind {
        crate::models::scenario::ModelKind::Sync => {
            "a synchronous thread holds each task to its end, waits included"
        }
        crate::models::scenario::ModelKind::Async => {
            "an asynchronous thread runs another task while one waits"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::challenges::prove;
    use crate::models::scenario::{Scenario, Segment, TaskSpec, WaitKind};

    /// Two tasks of 10 ms compute then 20 ms I/O, both at 0: by hand,
    /// sync on 1 thread ends at 60 (10+20, then 10+20); async on 1
    /// thread at 40 (compute A 0-10, B 10-20, B's wait ends at 40).
    fn lab() -> ModelsLab {
        let task = |name: &str| TaskSpec {
            name: Some(name.to_owned()),
            arrival: 0,
            colour: None,
            segments: vec![
                Segment::Compute(10),
                Segment::Wait {
                    duration: 20,
                    on: WaitKind::default(),
                },
            ],
        };
        let scenario = Scenario {
            tasks: vec![task("A"), task("B")],
            ..Scenario::default_models()
        };
        ModelsLab {
            configs: vec![Model::sync(1), Model::asynchronous(1)],
            ..ModelsLab::with_scenario(scenario)
        }
    }

    fn judge(check: &Check, now: &ModelsLab, answer: Option<Answer>) -> Judgement {
        ModelsLab::judge(check, &lab(), now, answer.as_ref())
    }

    #[test]
    fn a_makespan_prediction_is_right_within_its_tolerance_only() {
        let check = Check::Makespan {
            config: 0,
            tolerance: 5.0,
        };
        let at = |value| judge(&check, &lab(), Some(Answer::Number(value)));
        assert_eq!(at(60.0).computed, "60 ms");
        assert!(at(60.0).met());
        assert!(at(55.0).met());
        assert!(at(65.0).met());
        assert!(!at(54.0).met());
        assert!(!at(66.0).met());
        let asynchronous = Check::Makespan {
            config: 1,
            tolerance: 0.0,
        };
        assert_eq!(
            judge(&asynchronous, &lab(), Some(Answer::Number(40.0))).verdict,
            Verdict::Met
        );
    }

    #[test]
    fn which_finishes_first_names_the_configuration() {
        let check = Check::FirstToFinish;
        let right = judge(
            &check,
            &lab(),
            Some(Answer::Choice("async, 1 thread".into())),
        );
        assert!(right.met(), "{right:?}");
        assert_eq!(right.computed, "async, 1 thread (40 ms)");
        assert!(
            !judge(
                &check,
                &lab(),
                Some(Answer::Choice("sync, 1 thread".into()))
            )
            .met()
        );
    }

    #[test]
    fn a_target_on_the_workload_as_given() {
        let check = Check::FinishBy {
            by: 45,
            max_threads: 1,
        };
        let mut now = lab();
        now.configs = vec![Model::sync(1)];
        assert!(!judge(&check, &now, None).met());
        now.configs = vec![Model::sync(2)];
        let too_many = judge(&check, &now, None);
        assert_eq!(too_many.computed, "no configuration has at most 1 threads");
        now.configs = vec![Model::asynchronous(1)];
        assert!(judge(&check, &now, None).met());
        // Shortening the tasks is not allowed.
        let mut shorter = now.clone();
        let mut scenario = (*shorter.scenario).clone();
        scenario.tasks.pop();
        shorter.scenario = std::rc::Rc::new(scenario);
        assert_eq!(
            judge(&check, &shorter, None).computed,
            "the workload was changed"
        );
    }

    #[test]
    fn a_challenge_goes_through_a_set_file_and_is_proven() {
        let mut solved = lab();
        solved.configs = vec![Model::asynchronous(1)];
        let mut start = lab();
        start.configs = vec![Model::sync(1)];
        let challenge = Challenge::new(
            "One thread is enough",
            &start,
            &Check::FinishBy {
                by: 45,
                max_threads: 1,
            },
            Some(Solution::State(solved)),
        );
        let set = ChallengeSet {
            format: challenges::FORMAT.into(),
            title: "t".into(),
            challenges: vec![challenge],
        };
        let text = set.to_file();
        let read = ChallengeSet::parse(&text).unwrap();
        let posed = read.challenges[0]
            .pose::<ModelsLab>(0, Some(&text))
            .unwrap();
        let proof = prove(&posed, "challenges[0]").unwrap();
        assert_eq!(proof.solution, "won by its solution");
        // A bad check says where.
        let bad = text.replace("\"max_threads\": 1", "\"max_threads\": 0");
        let set = ChallengeSet::parse(&bad).unwrap();
        assert_eq!(
            set.challenges[0]
                .pose::<ModelsLab>(0, Some(&bad))
                .unwrap_err()
                .to_string(),
            "55:26 challenges[0].check.finish_by.max_threads: 0 is outside 1..=64"
        );
    }
}
