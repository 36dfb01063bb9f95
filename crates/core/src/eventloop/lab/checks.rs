//! The Event loop lab's checks for challenges: a goal (make the console
//! print given lines in a given order) and a prediction (put the lines a
//! program prints in the order Node prints them).

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::EventLoopLab;
use crate::challenges::{
    self, Answer, AnswerForm, Brief, Challenge, ChallengeSet, Checks, Judgement, Kind, Solution,
    Verdict,
};
use crate::error::ScenarioError;
use crate::eventloop::record::Ending;
use crate::eventloop::{Limits, compile_source, runtime};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// Goal: change the program until the console prints exactly
    /// `lines`, in this order, keeping each of `keep` in its text.
    Console {
        lines: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        keep: Vec<String>,
    },
    /// Predict: the order the program prints its lines in.
    Order,
}

/// The lines `lab`'s program prints, as Node prints them, or why not.
fn console(lab: &EventLoopLab) -> Result<Vec<String>, String> {
    let program = compile_source(&lab.source).map_err(|err| err.to_string())?;
    let run = runtime::run(
        Rc::new(program),
        Rc::from(lab.source.as_str()),
        Limits::default(),
    );
    if let Ending::Stopped { reason, .. } | Ending::Unsupported { reason, .. } = &run.ending {
        return Err(reason.clone());
    }
    Ok(run.console_text().into_iter().map(str::to_owned).collect())
}

/// The lines in an order that tells nothing: sorted, then turned so the
/// first printed line is not first.
fn shuffled(lines: &[String]) -> Vec<String> {
    let mut out = lines.to_vec();
    out.sort();
    if out == lines && out.len() > 1 {
        out.rotate_left(1);
    }
    out
}

impl Checks for EventLoopLab {
    type Check = Check;

    fn kind_of(check: &Check) -> Kind {
        match check {
            Check::Console { .. } => Kind::Goal,
            Check::Order => Kind::Predict,
        }
    }

    fn validate_start(start: &EventLoopLab) -> Result<(), ScenarioError> {
        compile_source(&start.source)
            .map(|_| ())
            .map_err(|err| err.inside("source"))
    }

    fn validate_check(check: &Check, start: &EventLoopLab) -> Result<(), ScenarioError> {
        match check {
            Check::Console { lines, keep } => {
                challenges::items_fit("lines", lines, 1)?;
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
            Check::Order => {
                let lines = console(start).map_err(|why| {
                    ScenarioError::at_path("", format!("the program does not run: {why}"))
                })?;
                if lines.len() < 2 {
                    return Err(ScenarioError::at_path(
                        "figure",
                        "the program prints fewer than 2 lines: there is no order to predict",
                    ));
                }
                challenges::items_fit("figure", &lines, 2).map_err(|err| {
                    ScenarioError::at_path(
                        "figure",
                        format!("the program's console: {}", err.message),
                    )
                })
            }
        }
    }

    fn asks(check: &Check, _start: &EventLoopLab) -> String {
        match check {
            Check::Console { lines, keep } => {
                let quoted: Vec<String> = lines.iter().map(|line| format!("{line:?}")).collect();
                let mut asks = format!(
                    "Make the console print {}, in this order",
                    quoted.join(", then ")
                );
                if !keep.is_empty() {
                    asks.push_str(&format!(
                        ", keeping {}",
                        keep.iter()
                            .map(|text| format!("`{text}`"))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ));
                }
                asks.push('.');
                asks
            }
            Check::Order => "In what order does the console print these lines?".to_owned(),
        }
    }

    fn form(check: &Check, start: &EventLoopLab) -> Option<AnswerForm> {
        match check {
            Check::Console { .. } => None,
            Check::Order => Some(AnswerForm::Order {
                lines: shuffled(&console(start).unwrap_or_default()),
            }),
        }
    }

    fn judge(
        check: &Check,
        start: &EventLoopLab,
        now: &EventLoopLab,
        answer: Option<&Answer>,
    ) -> Judgement {
        match check {
            Check::Console { lines, keep } => {
                if let Some(gone) = keep.iter().find(|text| !now.source.contains(text.as_str())) {
                    return Judgement {
                        verdict: Verdict::NotMet,
                        computed: format!("`{gone}` was removed"),
                        explanation: format!("Keep `{gone}` in the program."),
                        answer: None,
                    };
                }
                let printed = match console(now) {
                    Ok(printed) => printed,
                    Err(why) => {
                        return Judgement {
                            verdict: Verdict::NotMet,
                            computed: "the program does not run".into(),
                            explanation: why,
                            answer: None,
                        };
                    }
                };
                let met = printed == *lines;
                let differs = printed.iter().zip(lines).position(|(a, b)| a != b);
                Judgement {
                    verdict: if met { Verdict::Met } else { Verdict::NotMet },
                    computed: printed.join(", "),
                    explanation: if met {
                        "The console prints exactly these lines, in this order.".into()
                    } else if let Some(at) = differs {
                        format!(
                            "Line {} prints {:?} where {:?} is wanted.",
                            at + 1,
                            printed[at],
                            lines[at]
                        )
                    } else {
                        format!(
                            "It prints {} lines; {} are wanted.",
                            printed.len(),
                            lines.len()
                        )
                    },
                    answer: None,
                }
            }
            Check::Order => {
                let printed = match console(start) {
                    Ok(printed) => printed,
                    Err(why) => {
                        return Judgement {
                            verdict: Verdict::Unknown,
                            computed: "the program does not run".into(),
                            explanation: why,
                            answer: None,
                        };
                    }
                };
                let right = matches!(answer, Some(Answer::Lines(given)) if *given == printed);
                let mut explanation = format!("Node prints: {}.", printed.join(", then "));
                if let Some(Answer::Lines(given)) = answer
                    && let Some(at) = given.iter().zip(&printed).position(|(a, b)| a != b)
                {
                    explanation.push_str(&format!(
                        " Your order differs at line {}: {:?} comes there, not {:?}. Step through it to see which queue each line waited in.",
                        at + 1,
                        printed[at],
                        given[at]
                    ));
                }
                Judgement {
                    verdict: if right { Verdict::Met } else { Verdict::NotMet },
                    computed: printed.join(", "),
                    explanation,
                    answer: Some(Answer::Lines(printed.clone())),
                }
            }
        }
    }

    fn brief(start: &EventLoopLab) -> Brief {
        Brief {
            lines: Vec::new(),
            code: Some(start.source.clone()),
        }
    }

    fn builtin_set() -> ChallengeSet {
        builtin_set()
    }

    fn offered(state: &EventLoopLab) -> Vec<Check> {
        let mut offered = Vec::new();
        if let Ok(lines) = console(state) {
            if lines.len() >= 2 && lines.len() <= challenges::MAX_ITEMS {
                offered.push(Check::Order);
            }
            if !lines.is_empty() && lines.len() <= challenges::MAX_ITEMS {
                let mut wanted = lines;
                wanted.reverse();
                offered.push(Check::Console {
                    lines: wanted,
                    keep: Vec::new(),
                });
            }
        }
        offered
    }
}

/// A program of the built-in set, as a lab.
fn program(source: &str) -> EventLoopLab {
    EventLoopLab {
        source: source.to_owned(),
        lesson: None,
        ..EventLoopLab::default()
    }
}

const TIMEOUT_OR_THEN: &str = "setTimeout(() => console.log(\"timeout\"), 0);\nPromise.resolve().then(() => console.log(\"then\"));\nconsole.log(\"script\");\n";

const ASYNC_AT_ONCE: &str = "async function load() {\n  console.log(\"load starts\");\n  await null;\n  console.log(\"load resumes\");\n}\n\nconsole.log(\"before\");\nload();\nconsole.log(\"after\");\n";

const AWAIT_YIELDS: &str = "async function a() {\n  console.log(\"A1\");\n  await 42;\n  console.log(\"A2\");\n}\n\nasync function b() {\n  console.log(\"B1\");\n  await Promise.resolve();\n  console.log(\"B2\");\n}\n\na();\nb();\nconsole.log(\"end\");\n";

const TIMERS_AND_MICROTASKS: &str = "setTimeout(() => console.log(\"timer 1\"), 10);\nsetTimeout(() => {\n  console.log(\"timer 2\");\n  Promise.resolve().then(() => console.log(\"microtask in timer 2\"));\n}, 0);\nqueueMicrotask(() => console.log(\"microtask\"));\nconsole.log(\"script\");\n";

const RACING_TASKS: &str = "async function task(name, ms) {\n  await io(name, ms);\n  console.log(name);\n}\n\ntask(\"slow\", 100);\ntask(\"fast\", 50);\n";

/// The Event loop lab's built-in set.
pub fn builtin_set() -> ChallengeSet {
    let lines = |texts: &[&str]| {
        texts
            .iter()
            .map(|text| (*text).to_owned())
            .collect::<Vec<_>>()
    };
    let order = |texts: &[&str]| Some(Solution::Answer(Answer::Lines(lines(texts))));
    ChallengeSet::new(
        "Event loop: which runs first?",
        vec![
            Challenge::new("A timer of 0 ms or a then?", &program(TIMEOUT_OR_THEN), &Check::Order, order(&["script", "then", "timeout"]))
                .with_texts(
                    "Put the three lines in the order Node prints them.",
                    &["The script runs to its end before anything else.", "A then callback is a microtask; a timer's callback is a task."],
                    "Microtasks run as soon as the script ends, before the event loop takes any task; a 0 ms timer waits at least 1 ms in Node.",
                ),
            Challenge::new("An async function runs at once", &program(ASYNC_AT_ONCE), &Check::Order, order(&["before", "load starts", "after", "load resumes"]))
                .with_texts(
                    "`load` is async. In what order are the four lines printed?",
                    &["Calling an async function runs its body right away.", "At `await` it stops, and the caller goes on."],
                    "An async function's body runs synchronously up to its first await; the rest is a microtask.",
                ),
            Challenge::new("await of a value already there", &program(AWAIT_YIELDS), &Check::Order, order(&["A1", "B1", "end", "A2", "B2"]))
                .with_texts(
                    "Both functions await something already settled. Order the lines.",
                    &["Does `await 42` suspend the function?"],
                    "await always suspends, even for a plain value: each continuation is a microtask, taken in the order they were queued.",
                ),
            Challenge::new("Timers and microtasks", &program(TIMERS_AND_MICROTASKS), &Check::Order, order(&["script", "microtask", "timer 2", "microtask in timer 2", "timer 1"]))
                .with_texts(
                    "Two timers, a microtask queued directly and one queued inside a timer. Order the five lines.",
                    &["Timers run in order of when they are due.", "After every task, Node empties the microtask queue before the next task."],
                    "The microtask queue is emptied after every job, so the microtask queued by timer 2 runs before timer 1.",
                ),
            Challenge::new("then after timeout", &program(TIMEOUT_OR_THEN), &Check::Console { lines: lines(&["script", "timeout", "then"]), keep: lines(&["console.log(\"then\")"]) },
                Some(Solution::State(program("setTimeout(() => console.log(\"timeout\"), 0);\nsetTimeout(() => Promise.resolve().then(() => console.log(\"then\")), 1);\nconsole.log(\"script\");\n"))))
                .with_texts(
                    "Change the program so that it prints script, timeout, then, in that order, still printing \"then\" with `console.log(\"then\")`.",
                    &["A microtask queued by the script runs before any timer.", "Queue the promise's callback later: from a task that runs after the first timer."],
                    "A microtask runs when the job that queued it ends: queued from a later timer, it runs after the first timer's line.",
                ),
            Challenge::new("Slow first", &program(RACING_TASKS), &Check::Console { lines: lines(&["slow", "fast"]), keep: lines(&["task(\"slow\", 100)", "task(\"fast\", 50)"]) },
                Some(Solution::State(program("async function task(name, ms) {\n  await io(name, ms);\n  console.log(name);\n}\n\nasync function main() {\n  await task(\"slow\", 100);\n  await task(\"fast\", 50);\n}\n\nmain();\n"))))
                .with_texts(
                    "Two tasks wait on I/O; the fast one prints first. Make slow print first, keeping both calls as they are written.",
                    &["The two waits overlap: both start at once.", "await the first call before starting the second."],
                    "Awaiting one call before the next makes them sequential: 150 ms instead of 100, but in the order you asked.",
                ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROGRAM: &str = "setTimeout(() => console.log(\"timeout\"), 0);\nPromise.resolve().then(() => console.log(\"then\"));\nconsole.log(\"sync\");\n";

    fn lab(source: &str) -> EventLoopLab {
        EventLoopLab {
            source: source.to_owned(),
            lesson: None,
            ..EventLoopLab::default()
        }
    }

    fn lines(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|text| (*text).to_owned()).collect()
    }

    #[test]
    fn the_order_is_nodes_and_the_lines_come_shuffled() {
        let start = lab(PROGRAM);
        EventLoopLab::validate_check(&Check::Order, &start).unwrap();
        let Some(AnswerForm::Order { lines: given }) = EventLoopLab::form(&Check::Order, &start)
        else {
            panic!("an order form");
        };
        assert_ne!(given, lines(&["sync", "then", "timeout"]));
        let judge = |order: &[&str]| {
            EventLoopLab::judge(
                &Check::Order,
                &start,
                &start,
                Some(&Answer::Lines(lines(order))),
            )
        };
        assert!(judge(&["sync", "then", "timeout"]).met());
        let wrong = judge(&["sync", "timeout", "then"]);
        assert!(!wrong.met());
        assert!(wrong.explanation.contains("differs at line 2"), "{wrong:?}");
    }

    #[test]
    fn a_console_goal_is_met_by_a_program_that_prints_it_keeping_what_it_must() {
        let check = Check::Console {
            lines: lines(&["sync", "timeout", "then"]),
            keep: lines(&["console.log(\"then\")"]),
        };
        let start = lab(PROGRAM);
        EventLoopLab::validate_check(&check, &start).unwrap();
        assert!(!EventLoopLab::judge(&check, &start, &start, None).met());
        let solved = lab(
            "setTimeout(() => console.log(\"timeout\"), 0);\nsetTimeout(() => Promise.resolve().then(() => console.log(\"then\")), 1);\nconsole.log(\"sync\");\n",
        );
        let judged = EventLoopLab::judge(&check, &start, &solved, None);
        assert!(judged.met(), "{judged:?}");
        let cheat = lab("console.log(\"sync\"); console.log(\"timeout\"); console.log('then');");
        assert!(!EventLoopLab::judge(&check, &start, &cheat, None).met());
    }
}
