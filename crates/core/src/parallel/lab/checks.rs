//! The Parallel lab's checks for challenges: predict Amdahl's bound for
//! the kernel's serial fraction (theory, the same everywhere), or the
//! speedup this machine measures on a number of workers (judged against
//! the learner's own measurement, with the teacher's tolerance).

use serde::{Deserialize, Serialize};

use super::{MAX_WORKERS, ParallelLab, figures};
use crate::challenges::{
    self, Answer, AnswerForm, Brief, Challenge, ChallengeSet, Checks, Judgement, Kind, Solution,
    Verdict,
};
use crate::error::ScenarioError;
use crate::parallel::amdahl;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// Predict: the most speedup Amdahl's law allows on `workers` with
    /// the kernel's serial fraction.
    Amdahl { workers: usize, tolerance: f64 },
    /// Predict: the speedup measured on `workers` against one worker, on
    /// the learner's machine; `tolerance` is a share (0.2 is 20 %).
    Speedup { workers: usize, tolerance: f64 },
}

fn speedup_text(value: f64) -> String {
    format!("{}×", challenges::number_text(value))
}

impl Checks for ParallelLab {
    type Check = Check;

    fn kind_of(_check: &Check) -> Kind {
        Kind::Predict
    }

    fn validate_check(check: &Check, _start: &ParallelLab) -> Result<(), ScenarioError> {
        let (Check::Amdahl { workers, tolerance } | Check::Speedup { workers, tolerance }) = check;
        if !(2..=MAX_WORKERS).contains(workers) {
            return Err(ScenarioError::at_path(
                "workers",
                format!("{workers} is outside 2..={MAX_WORKERS}"),
            ));
        }
        challenges::tolerance_fits(
            "tolerance",
            *tolerance,
            matches!(check, Check::Speedup { .. }),
        )
    }

    fn asks(check: &Check, start: &ParallelLab) -> String {
        match check {
            Check::Amdahl { workers, tolerance } => format!(
                "With {} % of the work serial, what is the most speedup {workers} workers can give? (within {})",
                challenges::number_text(start.spec.serial_fraction * 100.0),
                challenges::tolerance_text(*tolerance, false, "")
            ),
            Check::Speedup { workers, tolerance } => format!(
                "What speedup will this machine measure on {workers} workers against one? (within {}; judged against your own measurement)",
                challenges::tolerance_text(*tolerance, true, "")
            ),
        }
    }

    fn form(check: &Check, _start: &ParallelLab) -> Option<AnswerForm> {
        Some(match check {
            Check::Amdahl { tolerance, .. } => AnswerForm::Number {
                unit: "×".into(),
                tolerance: *tolerance,
                relative: false,
            },
            Check::Speedup { tolerance, .. } => AnswerForm::Number {
                unit: "×".into(),
                tolerance: *tolerance,
                relative: true,
            },
        })
    }

    fn judge(
        check: &Check,
        start: &ParallelLab,
        now: &ParallelLab,
        answer: Option<&Answer>,
    ) -> Judgement {
        let given = match answer {
            Some(Answer::Number(value)) => Some(*value),
            _ => None,
        };
        match check {
            Check::Amdahl { workers, tolerance } => {
                let serial = start.spec.serial_fraction;
                let bound = amdahl::speedup(serial, *workers as f64);
                let right =
                    given.is_some_and(|value| challenges::within(value, bound, *tolerance, false));
                Judgement {
                    verdict: if right { Verdict::Met } else { Verdict::NotMet },
                    computed: speedup_text(bound),
                    explanation: format!(
                        "Amdahl's law: 1 / (s + (1 - s) / n) = 1 / ({s} + {p} / {workers}) = {}. The serial part takes the same time on any number of workers, so it bounds the speedup (at most {} however many workers).",
                        challenges::number_text(bound),
                        if serial > 0.0 {
                            challenges::number_text(1.0 / serial)
                        } else {
                            "unbounded".into()
                        },
                        s = challenges::number_text(serial),
                        p = challenges::number_text(1.0 - serial),
                    ),
                    answer: Some(Answer::Number(bound)),
                }
            }
            Check::Speedup { workers, tolerance } => {
                let (base, at) = (
                    now.runs.iter().find(|run| run.workers == 1),
                    now.runs.iter().find(|run| run.workers == *workers),
                );
                let (Some(base), Some(at)) = (base, at) else {
                    return Judgement {
                        verdict: Verdict::Unknown,
                        computed: "not measured yet".into(),
                        explanation: format!(
                            "Measure the kernel on 1 and on {workers} workers (a sweep does both): your prediction is judged against this machine's measurement."
                        ),
                        answer: None,
                    };
                };
                if now.spec != start.spec {
                    return Judgement {
                        verdict: Verdict::Unknown,
                        computed: "another kernel was measured".into(),
                        explanation: "The prediction is about the challenge's kernel: put it back and measure again.".into(),
                        answer: None,
                    };
                }
                if !figures::checksums_match(&now.runs) {
                    return Judgement {
                        verdict: Verdict::Unknown,
                        computed: "the runs disagree".into(),
                        explanation: "The runs computed different results, so their times cannot be compared.".into(),
                        answer: None,
                    };
                }
                let measured = at.speedup(base.millis);
                let right = given
                    .is_some_and(|value| challenges::within(value, measured, *tolerance, true));
                Judgement {
                    verdict: if right { Verdict::Met } else { Verdict::NotMet },
                    computed: format!("{} measured here", speedup_text(measured)),
                    explanation: format!(
                        "This machine measured {} ms on one worker and {} ms on {workers}: {}. Amdahl's law allows {} with this serial fraction; another machine measures its own.",
                        challenges::number_text(base.millis),
                        challenges::number_text(at.millis),
                        speedup_text(measured),
                        speedup_text(amdahl::speedup(start.spec.serial_fraction, *workers as f64)),
                    ),
                    answer: Some(Answer::Number(measured)),
                }
            }
        }
    }

    fn brief(start: &ParallelLab) -> Brief {
        Brief {
            lines: vec![format!(
                "{}, size {}, {} % of it serial",
                start.spec.kind.title(),
                start.spec.size,
                challenges::number_text(start.spec.serial_fraction * 100.0)
            )],
            code: None,
        }
    }

    fn builtin_set() -> ChallengeSet {
        builtin_set()
    }

    fn measured(check: &Check) -> bool {
        matches!(check, Check::Speedup { .. })
    }

    fn offered(state: &ParallelLab) -> Vec<Check> {
        let workers = state.workers.max(2);
        vec![
            Check::Amdahl {
                workers,
                tolerance: 0.1,
            },
            Check::Speedup {
                workers,
                tolerance: 0.2,
            },
        ]
    }
}

/// The Parallel lab's built-in set.
pub fn builtin_set() -> ChallengeSet {
    let serial = |fraction: f64| {
        let mut lab = ParallelLab::default();
        lab.spec.serial_fraction = fraction;
        lab
    };
    let answer = |value: f64| Some(Solution::Answer(Answer::Number(value)));
    ChallengeSet::new(
        "Parallel: Amdahl's law and this machine",
        vec![
            Challenge::new("A tenth serial, four workers", &serial(0.1), &Check::Amdahl { workers: 4, tolerance: 0.1 }, answer(3.08))
                .with_texts(
                    "A tenth of the work cannot be split. What is the most speedup 4 workers can give?",
                    &["On one worker the run is 0.1 serial + 0.9 parallel = 1.", "On four, the parallel part takes 0.9 / 4; the serial part still 0.1."],
                    "1 / (0.1 + 0.9 / 4) ≈ 3.08: the serial tenth already costs almost a whole worker's worth.",
                ),
            Challenge::new("Half serial, sixteen workers", &serial(0.5), &Check::Amdahl { workers: 16, tolerance: 0.1 }, answer(1.88))
                .with_texts(
                    "Half the work is serial. How much faster can 16 workers make it?",
                    &["However many workers, the serial half still takes half the original time."],
                    "1 / (0.5 + 0.5 / 16) ≈ 1.88: never more than 2, whatever the number of workers.",
                ),
            Challenge::new("All parallel", &serial(0.0), &Check::Amdahl { workers: 8, tolerance: 0.1 }, answer(8.0))
                .with_texts(
                    "Nothing serial at all. What does Amdahl's law allow on 8 workers?",
                    &[],
                    "With no serial part the bound is the number of workers; measured runs fall short of it by their overheads.",
                ),
            Challenge::new("Five percent, a huge machine", &serial(0.05), &Check::Amdahl { workers: 256, tolerance: 0.5 }, answer(18.62))
                .with_texts(
                    "Only 5 % is serial, and there are 256 workers. What is the bound?",
                    &["The bound can never pass 1 / 0.05 = 20."],
                    "1 / (0.05 + 0.95 / 256) ≈ 18.6: a small serial part caps a big machine.",
                ),
            Challenge::new("Your machine, two workers", &serial(0.0), &Check::Speedup { workers: 2, tolerance: 0.25 }, None)
                .with_texts(
                    "Predict the speedup this machine measures on 2 workers against 1, for a kernel with no serial part. Then run the sweep.",
                    &["The ideal is 2; waking workers and sharing the machine cost a little."],
                    "Real speedup, measured on this machine's workers.",
                ),
            Challenge::new("Your machine, half serial", &serial(0.5), &Check::Speedup { workers: 4, tolerance: 0.25 }, None)
                .with_texts(
                    "Half the kernel is serial. Predict the speedup this machine measures on 4 workers. Then run the sweep.",
                    &["Amdahl's law allows 1 / (0.5 + 0.5 / 4) = 1.6."],
                    "The measurement stays under Amdahl's bound: the serial half runs on one worker while the others wait.",
                ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parallel::lab::Measured;

    fn lab(serial: f64) -> ParallelLab {
        let mut lab = ParallelLab::default();
        lab.spec.serial_fraction = serial;
        lab
    }

    fn run(workers: usize, millis: f64) -> Measured {
        Measured {
            workers,
            millis,
            checksum: 7,
            busy: vec![millis; workers],
            idle_tail: 0.0,
        }
    }

    #[test]
    fn amdahl_by_hand() {
        // s = 0.25 on 4 workers: 1 / (0.25 + 0.75 / 4) = 1 / 0.4375 = 2.2857...
        let check = Check::Amdahl {
            workers: 4,
            tolerance: 0.05,
        };
        let start = lab(0.25);
        let judge =
            |value| ParallelLab::judge(&check, &start, &start, Some(&Answer::Number(value)));
        assert_eq!(judge(2.29).computed, "2.29×");
        assert!(judge(2.3).met());
        assert!(judge(2.24).met());
        assert!(!judge(2.2).met());
        assert!(!judge(4.0).met());
    }

    #[test]
    fn a_measured_speedup_is_judged_against_this_machine_and_unknown_before() {
        let check = Check::Speedup {
            workers: 4,
            tolerance: 0.2,
        };
        let start = lab(0.0);
        let before = ParallelLab::judge(&check, &start, &start, Some(&Answer::Number(3.0)));
        assert_eq!(before.verdict, Verdict::Unknown);
        let mut now = start.clone();
        now.runs = vec![run(1, 400.0), run(4, 125.0)];
        // 400 / 125 = 3.2; 20 % of 3.2 is 0.64.
        let judge = |value| ParallelLab::judge(&check, &start, &now, Some(&Answer::Number(value)));
        assert_eq!(judge(3.0).computed, "3.2× measured here");
        assert!(judge(2.6).met());
        assert!(!judge(2.5).met());
        assert!(ParallelLab::measured(&check));
    }
}
