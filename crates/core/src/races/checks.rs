//! The Races lab's checks for challenges: a goal (the program's `goal`
//! line met by the schedule the learner stepped), a prediction of every
//! final value a variable can end with (over every interleaving, by the
//! explorer), and a target: a program no interleaving can break.

use std::collections::BTreeSet;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::explore::{Explorer, Options, Report, Shown};
use super::lab::{RacesLab, Session};
use super::machine::State;
use super::{Program, compile_source};
use crate::challenges::{
    self, Answer, AnswerForm, Brief, Challenge, ChallengeSet, Checks, Judgement, Kind, Solution,
    Verdict,
};
use crate::error::ScenarioError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// Goal: step the threads until the program's `goal` line is met;
    /// the program stays as given.
    Goal,
    /// Predict: every value `variable` can end with, over every
    /// interleaving.
    FinalValues { variable: String },
    /// Target: change the program until no interleaving fails (no
    /// assertion fails, no deadlock, no lost update, never two threads in
    /// the critical section), keeping each of `keep` in its text.
    Safe {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        keep: Vec<String>,
    },
}

/// The explorer's cap for a check: the lab's own.
fn explore(program: Program) -> Report {
    let program = Rc::new(program);
    let start = State::initial(&program);
    Explorer::new(program, start, Options::default()).run_to_end()
}

fn compiled(lab: &RacesLab, what: &str) -> Result<Program, ScenarioError> {
    compile_source(&lab.source).map_err(|err| err.inside(what))
}

/// Every final value of `variable` the search reached, or why it cannot say.
fn final_values(report: &Report, variable: &str) -> Result<BTreeSet<i64>, String> {
    if !report.complete {
        let why = report
            .stopped
            .map_or_else(|| "it stopped early".to_owned(), |stop| stop.text());
        return Err(format!(
            "the explorer did not see every interleaving: {why}"
        ));
    }
    report
        .reached()
        .map(|outcome| match outcome.shared.get(variable) {
            Some(Shown::Int(value)) => Ok(*value),
            Some(other) => Err(format!("{variable} ends as {other}, not a whole number")),
            None => Err(format!("there is no shared variable {variable}")),
        })
        .collect()
}

fn list(values: &BTreeSet<i64>) -> String {
    values
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Checks for RacesLab {
    type Check = Check;

    fn kind_of(check: &Check) -> Kind {
        match check {
            Check::Goal => Kind::Goal,
            Check::FinalValues { .. } => Kind::Predict,
            Check::Safe { .. } => Kind::Target,
        }
    }

    fn validate_start(start: &RacesLab) -> Result<(), ScenarioError> {
        compiled(start, "source").map(|_| ())
    }

    fn validate_check(check: &Check, start: &RacesLab) -> Result<(), ScenarioError> {
        let program = compiled(start, "")?;
        match check {
            Check::Goal => {
                if program.goal.is_none() {
                    return Err(ScenarioError::at_path(
                        "figure",
                        "a goal challenge's program needs a goal line",
                    )
                    .with_hint("end it with a goal line, e.g. goal assert or goal deadlock"));
                }
                Ok(())
            }
            Check::FinalValues { variable } => {
                challenges::items_fit("variable", std::slice::from_ref(variable), 1)?;
                if !program.shared.iter().any(|var| var.name == *variable) {
                    return Err(ScenarioError::at_path(
                        "variable",
                        format!("the program has no shared variable {variable:?}"),
                    ));
                }
                final_values(&explore(program), variable)
                    .map(|_| ())
                    .map_err(|why| ScenarioError::at_path("variable", why))
            }
            Check::Safe { keep } => {
                challenges::items_fit("keep", keep, 0)?;
                for (idx, text) in keep.iter().enumerate() {
                    if !start.source.contains(text.as_str()) {
                        return Err(ScenarioError::at_path(
                            format!("keep[{idx}]"),
                            format!("the program does not contain {text:?}"),
                        ));
                    }
                }
                Ok(())
            }
        }
    }

    fn asks(check: &Check, start: &RacesLab) -> String {
        match check {
            Check::Goal => {
                let goal = compile_source(&start.source)
                    .ok()
                    .and_then(|program| program.goal);
                match goal {
                    Some(goal) => format!(
                        "{} Step the threads; the program stays as given.",
                        goal.sentence()
                    ),
                    None => "Step the threads until the goal is met.".to_owned(),
                }
            }
            Check::FinalValues { variable } => {
                format!("Which values can {variable} end with, over every interleaving?")
            }
            Check::Safe { keep } if keep.is_empty() => {
                "Change the program so that no interleaving fails.".to_owned()
            }
            Check::Safe { keep } => format!(
                "Change the program so that no interleaving fails, keeping {}.",
                keep.iter()
                    .map(|text| format!("`{text}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        }
    }

    fn form(check: &Check, _start: &RacesLab) -> Option<AnswerForm> {
        matches!(check, Check::FinalValues { .. }).then_some(AnswerForm::Integers)
    }

    fn judge(
        check: &Check,
        start: &RacesLab,
        now: &RacesLab,
        answer: Option<&Answer>,
    ) -> Judgement {
        let unknown = |computed: &str, why: String| Judgement {
            verdict: Verdict::Unknown,
            computed: computed.to_owned(),
            explanation: why,
            answer: None,
        };
        match check {
            Check::Goal => {
                if now.source != start.source {
                    return Judgement {
                        verdict: Verdict::NotMet,
                        computed: "the program was changed".into(),
                        explanation: "This goal is met by choosing the order of the steps: put the program back as it was given and step its threads.".into(),
                        answer: None,
                    };
                }
                let session = Session::new(now.clone());
                match session.goal_met() {
                    Some(true) => Judgement {
                        verdict: Verdict::Met,
                        computed: format!("met after {} steps", session.lab.cursor),
                        explanation: "The schedule you chose meets the goal.".into(),
                        answer: None,
                    },
                    Some(false) => Judgement {
                        verdict: Verdict::NotMet,
                        computed: if session.lab.cursor == 0 {
                            "not met".to_owned()
                        } else {
                            format!("not met after {} steps", session.lab.cursor)
                        },
                        explanation: "Keep stepping, or go back and choose another thread.".into(),
                        answer: None,
                    },
                    None => unknown("no goal", "The program has no goal line.".into()),
                }
            }
            Check::FinalValues { variable } => {
                let program = match compiled(start, "") {
                    Ok(program) => program,
                    Err(err) => return unknown("the program does not compile", err.to_string()),
                };
                let report = explore(program);
                let values = match final_values(&report, variable) {
                    Ok(values) => values,
                    Err(why) => return unknown("unknown", why),
                };
                let given: Option<BTreeSet<i64>> = match answer {
                    Some(Answer::Integers(given)) => Some(given.iter().copied().collect()),
                    _ => None,
                };
                let right = given.as_ref() == Some(&values);
                let mut explanation = format!(
                    "Over every interleaving ({} explored), {variable} ends as {}.",
                    crate::count::text(report.interleavings),
                    list(&values)
                );
                if let Some(given) = given.filter(|_| !right) {
                    let missed: BTreeSet<i64> = values.difference(&given).copied().collect();
                    let extra: BTreeSet<i64> = given.difference(&values).copied().collect();
                    if !missed.is_empty() {
                        explanation.push_str(&format!(" You left out {}.", list(&missed)));
                    }
                    if !extra.is_empty() {
                        explanation
                            .push_str(&format!(" No interleaving ends with {}.", list(&extra)));
                    }
                }
                Judgement {
                    verdict: if right { Verdict::Met } else { Verdict::NotMet },
                    computed: list(&values),
                    explanation,
                    answer: Some(Answer::Integers(values.iter().copied().collect())),
                }
            }
            Check::Safe { keep } => {
                if let Some(gone) = keep.iter().find(|text| !now.source.contains(text.as_str())) {
                    return Judgement {
                        verdict: Verdict::NotMet,
                        computed: format!("`{gone}` was removed"),
                        explanation: format!(
                            "Keep `{gone}` in the program: the target is to make it hold, not to take it away."
                        ),
                        answer: None,
                    };
                }
                let program = match compiled(now, "") {
                    Ok(program) => program,
                    Err(err) => {
                        return Judgement {
                            verdict: Verdict::NotMet,
                            computed: "the program does not compile".into(),
                            explanation: err.to_string(),
                            answer: None,
                        };
                    }
                };
                let report = explore(program);
                if report.failing > 0 {
                    let example = report
                        .shortest_failing
                        .clone()
                        .unwrap_or_default()
                        .join(" ");
                    return Judgement {
                        verdict: Verdict::NotMet,
                        computed: format!(
                            "{} failing interleaving{}",
                            crate::count::text(report.failing),
                            if report.failing == 1 { "" } else { "s" }
                        ),
                        explanation: format!("This schedule still fails: {example}."),
                        answer: None,
                    };
                }
                if !report.complete {
                    let why = report
                        .stopped
                        .map_or_else(|| "it stopped early".to_owned(), |stop| stop.text());
                    return unknown(
                        "unknown",
                        format!(
                            "No failure found, but the explorer did not see every interleaving: {why}."
                        ),
                    );
                }
                Judgement {
                    verdict: Verdict::Met,
                    computed: "no failing interleaving".into(),
                    explanation: format!(
                        "The explorer saw every interleaving ({} states) and none fails.",
                        report.states
                    ),
                    answer: None,
                }
            }
        }
    }

    fn brief(start: &RacesLab) -> Brief {
        Brief {
            lines: Vec::new(),
            code: Some(start.source.clone()),
        }
    }

    fn builtin_set() -> ChallengeSet {
        builtin_set()
    }

    fn offered(state: &RacesLab) -> Vec<Check> {
        let Ok(program) = compile_source(&state.source) else {
            return Vec::new();
        };
        let mut offered = Vec::new();
        if program.goal.is_some() {
            offered.push(Check::Goal);
        }
        if let Some(var) = program.shared.first() {
            offered.push(Check::FinalValues {
                variable: var.name.clone(),
            });
        }
        let keep: Vec<String> = state
            .source
            .lines()
            .filter(|line| line.trim_start().starts_with("after"))
            .map(|line| line.trim().to_owned())
            .take(1)
            .collect();
        offered.push(Check::Safe { keep });
        offered
    }
}

/// A program as a lab, every step shown.
fn program(source: &str) -> RacesLab {
    RacesLab {
        source: source.to_owned(),
        lesson: None,
        schedule: Vec::new(),
        cursor: 0,
        expanded: true,
        challenges: None,
    }
}

const THREE_ADDERS: &str = "// Three threads add 1 to a shared counter.\nshared x = 0\n\nthread A {\n  x = x + 1\n}\n\nthread B {\n  x = x + 1\n}\n\nthread C {\n  x = x + 1\n}\n";

const ADD_AND_DOUBLE: &str = "// One thread adds 1, the other doubles.\nshared x = 1\n\nthread A {\n  x = x + 1\n}\n\nthread B {\n  x = x * 2\n}\n";

/// A schedule that meets each lesson's goal (thread names; for
/// starvation and livelock, a path into the cycle and once round it), as
/// the explorer found them: the reference solutions of the built-in set,
/// each proven by the set's test.
const GOAL_SOLUTIONS: [(&str, &str); 12] = [
    ("lost-update", "A A B A B B"),
    (
        "list-removal",
        "A A A A A A A A A A A A A A A B B B B B B B B B A B B B B B B B B B B B B B",
    ),
    ("critical-section", "A A B A A B B B"),
    ("deadlock", "A B"),
    ("philosophers", "P0 P1 P2"),
    (
        "bounded-buffer-if",
        "Consumer Consumer Consumer Consumer Consumer Consumer Consumer Consumer Consumer",
    ),
    ("phases-no-barrier", "A A A A A B B B B B"),
    ("spinlock-starve", "A B B A B B A B"),
    (
        "readers-writer-starve",
        "R1 R1 R1 R2 R2 R2 R1 R1 R2 R1 R1 R1 R2 R2 R2 R2",
    ),
    ("polite-livelock", "A A B B A B A A A B B B"),
    ("file-append", "P1 P1 P2 P2 P1 P2"),
    ("check-then-act", "P1 P1 P1 P1 P2 P2 P1 P2 P2 P2"),
];

/// The Races lab's built-in set: today's lessons with a goal, then
/// predictions and targets.
pub fn builtin_set() -> ChallengeSet {
    use super::lessons;
    let lesson = |id: &str| lessons::find(id).expect("a built-in lesson");
    let mut challenges: Vec<Challenge> = lessons::LESSONS
        .iter()
        .filter(|lesson| lesson.source.lines().any(|line| line.starts_with("goal ")))
        .map(|lesson| {
            let start = program(lesson.source);
            let solution =
                GOAL_SOLUTIONS
                    .iter()
                    .find(|(id, _)| *id == lesson.id)
                    .map(|(_, names)| {
                        let compiled = compile_source(lesson.source).expect("lessons compile");
                        let schedule: Vec<usize> = names
                            .split(' ')
                            .map(|name| {
                                compiled.thread_index(name).expect("a thread of the lesson")
                            })
                            .collect();
                        Solution::State(RacesLab {
                            cursor: schedule.len(),
                            schedule,
                            ..start.clone()
                        })
                    });
            Challenge::new(lesson.title, &start, &Check::Goal, solution).with_texts(
                lesson.intro,
                &[],
                lesson.takeaway,
            )
        })
        .collect();
    let values = |values: &[i64]| Some(Solution::Answer(Answer::Integers(values.to_vec())));
    challenges.extend([
        Challenge::new("Three adders", &program(THREE_ADDERS), &Check::FinalValues { variable: "x".into() }, values(&[1, 2, 3]))
            .with_texts(
                "Three threads each add 1 to x. Over every interleaving, which values can x end with?",
                &["x = x + 1 is a load, an add and a store.", "Each thread can lose the others' updates, or keep them."],
                "Anything from 1 (all three read 0) to 3 (one after another).",
            ),
        Challenge::new("Add or double", &program(ADD_AND_DOUBLE), &Check::FinalValues { variable: "x".into() }, values(&[2, 3, 4]))
            .with_texts(
                "x starts at 1. One thread adds 1, the other doubles it. Which values can x end with?",
                &["Run them one after the other, both ways.", "Then let both read 1 before either writes."],
                "(1 + 1) × 2 = 4, 1 × 2 + 1 = 3, and 2 when one write overwrites the other.",
            ),
        Challenge::new("A lock's promise", &program(lesson("counter-mutex").source), &Check::FinalValues { variable: "x".into() }, values(&[2]))
            .with_texts(
                "The same increments between lock(m) and unlock(m). Which values can x end with now?",
                &[],
                "Only 2: the lock makes each increment indivisible.",
            ),
        Challenge::new("Fix the lost update", &program(lesson("lost-update").source), &Check::Safe { keep: vec!["assert(x == 2)".into()] },
            Some(Solution::State(program(lesson("counter-mutex").source))))
            .with_texts(
                "Change the program so that no interleaving fails, keeping the check assert(x == 2). The explorer judges every interleaving.",
                &["Declare a mutex: mutex m.", "Put each increment between lock(m) and unlock(m)."],
                "Mutual exclusion: no interleaving can split an increment now.",
            ),
        Challenge::new("Fix the deadlock", &program(lesson("deadlock").source), &Check::Safe { keep: vec!["from_a = from_a - 1".into(), "from_b = from_b - 1".into()] },
            Some(Solution::State(program(lesson("deadlock-ordered").source))))
            .with_texts(
                "The two transfers can deadlock. Change the program so that no interleaving fails, keeping both transfers.",
                &["A deadlock needs a cycle: A holds a and waits for b while B holds b and waits for a.", "Take the locks in one global order."],
                "With one order for every lock, no cycle of waiting can form.",
            ),
    ]);
    ChallengeSet::new("Races: break it, predict it, fix it", challenges)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOST: &str = "shared x = 0\nthread A { x = x + 1 }\nthread B { x = x + 1 }\nafter { assert(x == 2) }\ngoal assert\n";
    const LOCKED: &str = "shared x = 0\nmutex m\nthread A { lock(m)\n x = x + 1\n unlock(m) }\nthread B { lock(m)\n x = x + 1\n unlock(m) }\nafter { assert(x == 2) }\ngoal assert\n";

    fn lab(source: &str) -> RacesLab {
        RacesLab {
            source: source.to_owned(),
            lesson: None,
            ..RacesLab::default()
        }
    }

    #[test]
    fn final_values_of_a_lost_update_are_one_and_two() {
        let check = Check::FinalValues {
            variable: "x".into(),
        };
        RacesLab::validate_check(&check, &lab(LOST)).unwrap();
        let judge = |values: Vec<i64>| {
            RacesLab::judge(
                &check,
                &lab(LOST),
                &lab(LOST),
                Some(&Answer::Integers(values)),
            )
        };
        // By hand: both read 0 then write 1 (x = 1), or one after the other (x = 2).
        assert!(judge(vec![2, 1]).met());
        assert_eq!(judge(vec![1, 2]).computed, "1, 2");
        let wrong = judge(vec![2]);
        assert!(!wrong.met());
        assert!(wrong.explanation.ends_with("You left out 1."), "{wrong:?}");
        assert!(
            judge(vec![0, 1, 2])
                .explanation
                .ends_with("No interleaving ends with 0.")
        );
        let missing = Check::FinalValues {
            variable: "y".into(),
        };
        assert_eq!(
            RacesLab::validate_check(&missing, &lab(LOST))
                .unwrap_err()
                .to_string(),
            "variable: the program has no shared variable \"y\""
        );
    }

    #[test]
    fn a_lock_meets_the_safety_target_and_keeping_the_check_is_required() {
        let check = Check::Safe {
            keep: vec!["assert(x == 2)".into()],
        };
        let start = lab(LOST);
        RacesLab::validate_check(&check, &start).unwrap();
        let broken = RacesLab::judge(&check, &start, &start, None);
        assert!(!broken.met());
        assert!(
            broken.computed.contains("failing interleaving"),
            "{broken:?}"
        );
        assert!(RacesLab::judge(&check, &start, &lab(LOCKED), None).met());
        let cheat = lab("shared x = 0\nthread A { x = x + 1 }\nthread B { x = x + 1 }\n");
        assert_eq!(
            RacesLab::judge(&check, &start, &cheat, None).computed,
            "`assert(x == 2)` was removed"
        );
    }

    #[test]
    fn a_goal_is_met_by_the_schedule_on_the_program_as_given() {
        let start = lab(LOST);
        let check = Check::Goal;
        assert!(!RacesLab::judge(&check, &start, &start, None).met());
        // A then B each read (load) before either stores: both store 1.
        let mut now = start.clone();
        now.schedule = vec![0, 1, 0, 0, 1, 1];
        now.cursor = now.schedule.len();
        let judged = RacesLab::judge(&check, &start, &now, None);
        assert!(judged.met(), "{judged:?}");
        let mut edited = now.clone();
        edited.source = edited.source.replace("== 2", "== 3");
        assert_eq!(
            RacesLab::judge(&check, &start, &edited, None).computed,
            "the program was changed"
        );
    }
}
