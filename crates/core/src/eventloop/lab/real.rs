//! The same program, run for real in the learner's browser, against the
//! lab's run: what it printed, and the first line where the two differ.
//!
//! The page runs the text in a sandboxed frame with no access to the
//! page (an opaque origin), only after a click, stopped after a few
//! seconds. There `io(label, ms)` is a timer and `work(ms)` a busy loop;
//! values print as Node prints them, except a promise, whose state a page
//! cannot read: both sides are compared as `Promise { … }`.

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::eventloop::record::{Ending, Run};

/// What a real run printed and how it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RealRun {
    /// The program text that ran.
    pub source: Rc<str>,
    /// Each console call's text, in order.
    pub lines: Vec<String>,
    pub ending: RealEnding,
    /// The engine it ran on, as the browser names itself (`Chrome/156`).
    pub engine: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RealEnding {
    /// Nothing was left to run.
    Finished,
    /// An exception escaped, or a rejection went unhandled: Node would exit
    /// here, so the real run stops listening too.
    Threw { error: String },
    /// It was still running when the time limit stopped it.
    TimedOut { seconds: u32 },
    /// It could not run at all (the sandbox failed to start, or refused it).
    Failed { why: String },
}

/// The verdict of a real run against the lab's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparison {
    /// Every line the same, in the same order.
    Same { lines: usize },
    /// The first line that differs (1-based), and what each side printed
    /// there (`None`: that side printed no such line).
    Differs {
        line: usize,
        lab: Option<String>,
        real: Option<String>,
    },
    /// The real run did not finish (timed out or failed); `lines` of it
    /// agree with the lab so far.
    Unfinished { lines: usize, why: String },
}

/// A printed line as the two runs can both know it: a promise's state is
/// not visible to a page, so `Promise { … }` stands for any.
pub fn comparable(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("Promise {") {
        out.push_str(&rest[..at]);
        out.push_str("Promise { … }");
        let after = &rest[at + "Promise {".len()..];
        // Skip to the brace that closes this one.
        let mut depth = 1usize;
        let mut end = after.len();
        for (i, c) in after.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Compares the lines in order; then how each run ended.
pub fn compare(run: &Run, real: &RealRun) -> Comparison {
    let lab: Vec<String> = run.console.iter().map(|l| comparable(&l.text)).collect();
    let other: Vec<String> = real.lines.iter().map(|l| comparable(l)).collect();
    let same = lab.iter().zip(&other).take_while(|(a, b)| a == b).count();
    let unfinished = match &real.ending {
        RealEnding::TimedOut { seconds } => Some(format!("it was stopped after {seconds} s")),
        RealEnding::Failed { why } => Some(why.clone()),
        _ => None,
    };
    if same < lab.len().min(other.len()) || (unfinished.is_none() && lab.len() != other.len()) {
        return Comparison::Differs {
            line: same + 1,
            lab: run.console.get(same).map(|l| l.text.clone()),
            real: real.lines.get(same).cloned(),
        };
    }
    if let Some(why) = unfinished {
        if other.len() > lab.len() {
            return Comparison::Differs {
                line: same + 1,
                lab: None,
                real: real.lines.get(same).cloned(),
            };
        }
        return Comparison::Unfinished { lines: same, why };
    }
    let _ = matches!(run.ending, Ending::Finished);
    Comparison::Same { lines: same }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventloop::{Limits, run_source};

    fn real(source: &str, lines: &[&str], ending: RealEnding) -> RealRun {
        RealRun {
            source: Rc::from(source),
            lines: lines.iter().map(|l| (*l).to_owned()).collect(),
            ending,
            engine: "test".into(),
        }
    }

    #[test]
    fn the_same_lines_in_the_same_order_are_the_same() {
        let source =
            "console.log(1)\nsetTimeout(() => console.log('t'))\nconsole.log(Promise.resolve(2))";
        let run = run_source(source, Limits::default()).expect("runs");
        let verdict = compare(
            &run,
            &real(source, &["1", "Promise { … }", "t"], RealEnding::Finished),
        );
        assert_eq!(verdict, Comparison::Same { lines: 3 });
    }

    #[test]
    fn the_first_line_that_differs_is_named_with_both_sides() {
        let source = "console.log('a')\nconsole.log('b')";
        let run = run_source(source, Limits::default()).expect("runs");
        let verdict = compare(&run, &real(source, &["a", "c"], RealEnding::Finished));
        assert_eq!(
            verdict,
            Comparison::Differs {
                line: 2,
                lab: Some("b".into()),
                real: Some("c".into())
            }
        );
        let shorter = compare(&run, &real(source, &["a"], RealEnding::Finished));
        assert_eq!(
            shorter,
            Comparison::Differs {
                line: 2,
                lab: Some("b".into()),
                real: None
            }
        );
    }

    #[test]
    fn a_run_stopped_early_agrees_only_so_far() {
        let source = "console.log('a')\nconsole.log('b')";
        let run = run_source(source, Limits::default()).expect("runs");
        let verdict = compare(
            &run,
            &real(source, &["a"], RealEnding::TimedOut { seconds: 5 }),
        );
        assert_eq!(
            verdict,
            Comparison::Unfinished {
                lines: 1,
                why: "it was stopped after 5 s".into()
            }
        );
    }

    #[test]
    fn promises_compare_without_their_state() {
        assert_eq!(comparable("x Promise { <pending> } y"), "x Promise { … } y");
        assert_eq!(
            comparable("[ Promise { { a: 1 } }, 2 ]"),
            "[ Promise { … }, 2 ]"
        );
    }
}
