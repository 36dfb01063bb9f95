//! What happens at the cursor, in plain words: what the event loop does
//! (and why this job now), what the statement is, and what the step
//! before it caused (a timer set, a promise settled, a function
//! suspended at `await`).

use crate::eventloop::compile::Program;
use crate::eventloop::record::{Ending, EventKind, Run, Source, StepKind};

/// The words for one step.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Narration {
    /// What happens now.
    pub now: String,
    /// Who caused the effects: "Line 8 did:" (empty when nothing did).
    pub effects_by: String,
    /// What the last step caused, a sentence each.
    pub effects: Vec<String>,
}

/// `12.003 ms`: virtual time as the page shows it.
pub fn ms(us: u64) -> String {
    let whole = us / 1000;
    let frac = us % 1000;
    if frac == 0 {
        format!("{whole} ms")
    } else {
        let text = format!("{whole}.{frac:03}");
        format!("{} ms", text.trim_end_matches('0'))
    }
}

fn code_at(source: &str, program: &Program, stmt: u32) -> String {
    let span = program.stmts[stmt as usize];
    let line = source
        .lines()
        .nth(span.start.line.saturating_sub(1) as usize)
        .unwrap_or("");
    let from: String = line
        .chars()
        .skip(span.start.column.saturating_sub(1) as usize)
        .collect();
    let text = if span.end.line == span.start.line {
        let width = span.end.column.saturating_sub(span.start.column) as usize;
        from.chars().take(width.max(1)).collect()
    } else {
        from
    };
    let text = text.trim().to_owned();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(59).collect::<String>())
    } else {
        text
    }
}

fn frame_name(name: &str) -> String {
    if name == "script" {
        "the script".to_owned()
    } else if name == "(anonymous)" {
        "an anonymous function".to_owned()
    } else {
        format!("{name}()")
    }
}

/// The narration at `step` of `run`.
pub fn narrate(run: &Run, program: &Program, source: &str, step: usize) -> Narration {
    let Some(current) = run.steps.get(step) else {
        return Narration::default();
    };
    let now = match current.kind {
        StepKind::Take => {
            let job = current.job.and_then(|j| run.jobs.get(j as usize));
            match job {
                None => String::new(),
                Some(job) => match job.source {
                    Source::Script => "The program starts: the script runs as the first task. Everything it queues waits until it is done.".to_owned(),
                    Source::Microtask => format!(
                        "The call stack is empty, so the event loop runs the next microtask, before any timer or frame: {}.",
                        job.label
                    ),
                    Source::Timer => {
                        let late = job.start.saturating_sub(job.queued);
                        let due_note = match run.queue.iter().find(|e| e.added as usize <= step && e.removed as usize == step) {
                            Some(entry) if job.start > entry.due + 1_000 => format!(
                                " It was due at {}: the thread was busy until {}.",
                                ms(entry.due),
                                ms(job.start)
                            ),
                            _ => String::new(),
                        };
                        let _ = late;
                        format!(
                            "No microtask is waiting, and a timer is due: the event loop runs {}.{due_note}",
                            job.label
                        )
                    }
                    Source::Io => format!(
                        "No microtask is waiting, and I/O has completed: the event loop's poll phase runs the callback of {}, which fulfils its promise.",
                        job.label
                    ),
                    Source::Frame => format!(
                        "A frame is due: before the browser draws it, the frame callbacks run: {}.",
                        job.label
                    ),
                },
            }
        }
        StepKind::Stmt(n) => {
            let frames = run.stack_at(step);
            let name = frames.last().map(|f| frame_name(&f.name)).unwrap_or_else(|| "the script".to_owned());
            let line = program.stmts[n as usize].start.line;
            format!("Line {line} runs next in {name}: `{}`.", code_at(source, program, n))
        }
        StepKind::Done => {
            let queues = run.queues_at(step);
            let next = if !queues.microtasks.is_empty() {
                let n = queues.microtasks.len();
                if n == 1 {
                    "1 microtask is waiting: it runs before anything else.".to_owned()
                } else {
                    format!("{n} microtasks are waiting: all of them run, in order, before anything else.")
                }
            } else {
                let timer = queues.timers.first().map(|t| (t.due, t.label.clone()));
                let io = queues.io.first().map(|i| (i.done, i.label.clone()));
                match [timer, io].into_iter().flatten().min_by_key(|(t, _)| *t) {
                    Some((at, label)) if at > current.time => {
                        format!("No microtask is waiting. The event loop waits until {}: {label}.", ms(at))
                    }
                    Some((_, label)) => format!("No microtask is waiting. Next: {label}."),
                    None if !queues.frames.is_empty() => {
                        "No microtask is waiting. The event loop waits for the next frame.".to_owned()
                    }
                    None => "Nothing else is queued.".to_owned(),
                }
            };
            format!("The job is done and the call stack is empty. {next}")
        }
        StepKind::End => match &run.ending {
            Ending::Finished => "The program is over: no job is queued, and no timer or I/O is pending. Node would exit now.".to_owned(),
            Ending::Uncaught { error, line } => format!(
                "An exception escaped its job{}: {error}. Node prints it and exits with code 1; nothing still queued runs.",
                if *line > 0 { format!(" at line {line}") } else { String::new() }
            ),
            Ending::Unhandled { reason } => format!(
                "A promise was rejected and no handler took it by the end of the microtasks: {reason}. Node exits here with code 1 (a browser would only log it)."
            ),
            Ending::Stopped { reason, line } => format!(
                "The lab stopped the run{}: {reason}. A real engine would go on.",
                if *line > 0 { format!(" at line {line}") } else { String::new() }
            ),
            Ending::Unsupported { reason, line } => format!(
                "The run stops{}: {reason}.",
                if *line > 0 { format!(" at line {line}") } else { String::new() }
            ),
        },
    };
    let mut effects = Vec::new();
    let from = run.events.partition_point(|e| (e.step as usize) < step);
    let to = run.events.partition_point(|e| e.step as usize <= step);
    for event in &run.events[from..to] {
        let sentence = match &event.kind {
            EventKind::Queued {
                source: Source::Microtask,
                label,
            } => format!("Queued a microtask: {label}."),
            EventKind::Queued { label, .. } => format!("Asked for the next frame: {label}."),
            EventKind::TimerSet {
                id,
                ms: delay,
                asked,
                repeat,
                ..
            } => {
                let due = event.time + (delay * 1000.0).round() as u64;
                if asked != delay {
                    // Where Node and browsers differ, the narration says so.
                    format!(
                        "Set {} {id} for {} ms: Node waits 1 ms instead (a browser may run it at once), so it is due at {}.",
                        if *repeat { "interval" } else { "timer" },
                        crate::eventloop::value::number_to_string(*asked),
                        ms(due)
                    )
                } else if *repeat {
                    format!(
                        "Set interval {id}: every {} ms, first due at {}.",
                        crate::eventloop::value::number_to_string(*delay),
                        ms(due)
                    )
                } else {
                    format!(
                        "Set timer {id} for {} ms: due at {}.",
                        crate::eventloop::value::number_to_string(*delay),
                        ms(due)
                    )
                }
            }
            EventKind::TimerCleared { id } => format!("Cleared timer {id}: it will not run."),
            EventKind::IoStarted { label, ms: delay } => {
                format!(
                    "Started I/O \"{label}\": it completes in {} ms.",
                    crate::eventloop::value::number_to_string(*delay)
                )
            }
            EventKind::Settled {
                promise,
                fulfilled,
                value,
                ..
            } => {
                if *fulfilled {
                    format!(
                        "Promise #{promise} is fulfilled with {value}: the callbacks waiting on it become microtasks."
                    )
                } else {
                    format!(
                        "Promise #{promise} is rejected with {value}: the callbacks waiting on it become microtasks."
                    )
                }
            }
            EventKind::Awaited {
                function,
                line,
                promise,
            } => {
                let who = frame_name(function);
                format!(
                    "{} suspended at the `await` on line {line}: its caller goes on, and the rest of it will run as a microtask once promise #{promise} settles.",
                    capitalise(&who)
                )
            }
            EventKind::Worked { ms: held } => format!(
                "work({}) held the call stack for {} ms: nothing else could run meanwhile.",
                crate::eventloop::value::number_to_string(*held),
                crate::eventloop::value::number_to_string(*held)
            ),
            EventKind::Unhandled { promise } => {
                format!("Promise #{promise} was rejected with no handler yet.")
            }
        };
        effects.push(sentence);
    }
    let printed = run.console.iter().filter(|l| l.step as usize + 1 == step);
    for line in printed {
        let text: String = line.text.chars().take(80).collect();
        effects.push(format!("Printed: {text}"));
    }
    let effects_by = if effects.is_empty() {
        String::new()
    } else {
        match step
            .checked_sub(1)
            .and_then(|s| run.steps.get(s))
            .map(|s| s.kind)
        {
            Some(StepKind::Stmt(n)) => {
                format!("What line {} did:", program.stmts[n as usize].start.line)
            }
            Some(StepKind::Take) => "The job did:".to_owned(),
            _ => "Meanwhile:".to_owned(),
        }
    };
    Narration {
        now,
        effects_by,
        effects,
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventloop::{compile_source, runtime};
    use std::rc::Rc;

    fn narrations(source: &str) -> Vec<Narration> {
        let program = Rc::new(compile_source(source).expect("compiles"));
        let run = runtime::run(program.clone(), Rc::from(source), Default::default());
        (0..run.steps.len())
            .map(|s| narrate(&run, &program, source, s))
            .collect()
    }

    #[test]
    fn the_await_and_the_queued_microtask_are_told_where_they_happen() {
        let all = narrations(
            "async function load() {\n  await null\n  console.log('back')\n}\nload()\nconsole.log('end')",
        );
        let text: Vec<String> = all
            .iter()
            .flat_map(|n| std::iter::once(n.now.clone()).chain(n.effects.clone()))
            .collect();
        let joined = text.join("\n");
        assert!(
            joined.contains("Load() suspended at the `await` on line 2"),
            "{joined}"
        );
        assert!(
            joined.contains("Line 6 runs next in the script: `console.log('end')`."),
            "{joined}"
        );
        assert!(joined.contains("the event loop runs the next microtask, before any timer or frame: load() resumes after await."), "{joined}");
        assert!(joined.contains("Printed: end"), "{joined}");
        let printed = all
            .iter()
            .find(|n| n.effects.iter().any(|e| e == "Printed: end"))
            .expect("printed");
        assert_eq!(printed.effects_by, "What line 6 did:");
        assert!(joined.ends_with("Node would exit now."), "{joined}");
    }

    #[test]
    fn a_late_timer_says_how_late_and_why() {
        let all = narrations("setTimeout(() => console.log('late'), 10)\nwork(50)");
        let text = all
            .iter()
            .map(|n| n.now.clone())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            text.contains("It was due at 10.002 ms: the thread was busy until 50.004 ms."),
            "{text}"
        );
        let effects = all
            .iter()
            .flat_map(|n| n.effects.clone())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            effects.contains("Set timer 1 for 10 ms: due at 10.002 ms."),
            "{effects}"
        );
        assert!(
            effects.contains("work(50) held the call stack for 50 ms"),
            "{effects}"
        );
    }

    #[test]
    fn a_zero_timeout_says_where_node_and_browsers_differ() {
        let all = narrations("setTimeout(() => {}, 0)");
        let effects = all
            .iter()
            .flat_map(|n| n.effects.clone())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            effects.contains("Set timer 1 for 0 ms: Node waits 1 ms instead (a browser may run it at once), so it is due at 1.002 ms."),
            "{effects}"
        );
    }

    #[test]
    fn times_print_in_milliseconds() {
        assert_eq!(ms(1_000), "1 ms");
        assert_eq!(ms(1_500), "1.5 ms");
        assert_eq!(ms(10_002), "10.002 ms");
        assert_eq!(ms(0), "0 ms");
    }
}
