//! The machine at the cursor: the call stack, the microtask queue, the
//! timers and I/O still to come (with the virtual time left), the frame
//! callbacks waiting, and the console so far.

use std::rc::Rc;

use interleave_core::eventloop::lab::narration::ms;
use interleave_core::eventloop::record::{Run, StepKind};
use yew::prelude::*;

#[derive(Debug, Properties)]
pub struct RunAtProps {
    pub run: Rc<Run>,
    pub cursor: usize,
}

impl PartialEq for RunAtProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.run, &other.run) && self.cursor == other.cursor
    }
}

fn empty(text: &str) -> Html {
    html! { <li class="empty">{ text.to_owned() }</li> }
}

/// How many entries of a queue are drawn: a program with a thousand
/// timers steps at the frame rate, and the count says how many there are.
const SHOWN: usize = 25;
/// How many of the console's last lines are drawn.
const CONSOLE_SHOWN: usize = 200;

/// The first [`SHOWN`] of `total` items, then how many more there are.
fn capped(items: impl Iterator<Item = Html>, total: usize) -> Html {
    let more = total.saturating_sub(SHOWN);
    html! {
        <>
            { for items.take(SHOWN) }
            if more > 0 { <li class="empty">{ format!("and {more} more") }</li> }
        </>
    }
}

#[function_component(StackAndQueues)]
pub fn stack_and_queues(props: &RunAtProps) -> Html {
    let run = &props.run;
    let cursor = props.cursor.min(run.steps.len() - 1);
    let step = &run.steps[cursor];
    let now = step.time;
    let queues = run.queues_at(cursor);
    let frames = run.stack_at(cursor);
    let top_line = match step.kind {
        StepKind::Stmt(_) => frames.last().map(|f| f.line),
        _ => None,
    };
    let stack: Vec<Html> = frames
        .iter()
        .enumerate()
        .rev()
        .map(|(i, frame)| {
            let line = if i + 1 == frames.len() { top_line.unwrap_or(frame.line) } else { frame.line };
            let name = if &*frame.name == "script" { "script (the main module)".to_owned() } else { frame.name.to_string() };
            html! {
                <li class={classes!(frame.native.then_some("native"), (i + 1 == frames.len()).then_some("top"))}>
                    <span class="frame-name">{ name }</span>
                    if line > 0 && !frame.native { <span class="where">{ format!("line {line}") }</span> }
                    if frame.native { <span class="where">{ "built-in" }</span> }
                </li>
            }
        })
        .collect();
    // The job the event loop takes next (the recorded run says which).
    let tag = |on: bool| on.then(|| html! { <span class="next-tag">{ "next" }</span> });
    let microtasks = queues
        .microtasks
        .iter().take(SHOWN)
        .map(|q| {
            let on = q.next;
            html! { <li class={classes!(on.then_some("next"))}><span>{ q.label.to_string() }</span>{ for tag(on) }</li> }
        })
        .collect::<Vec<Html>>();
    let timers = queues
        .timers
        .iter().take(SHOWN)
        .map(|t| {
            let when = if t.due > now { format!("in {}", ms(t.due - now)) } else { format!("due {} ago", ms(now - t.due)) };
            let on = t.next;
            html! {
                <li class={classes!(on.then_some("next"))}><span>{ t.label.to_string() }</span><span class="where">{ when }</span>{ for tag(on) }</li>
            }
        })
        .collect::<Vec<Html>>();
    let io = queues
        .io
        .iter().take(SHOWN)
        .map(|i| {
            let when = if i.done > now { format!("done in {}", ms(i.done - now)) } else { "done: waits for the poll phase".to_owned() };
            let on = i.next;
            html! { <li class={classes!(on.then_some("next"))}><span>{ i.label.to_string() }</span><span class="where">{ when }</span>{ for tag(on) }</li> }
        })
        .collect::<Vec<Html>>();
    let raf = queues
        .frames
        .iter().take(SHOWN)
        .map(|q| html! { <li class={classes!(q.next.then_some("next"))}><span>{ q.label.to_string() }</span>{ for tag(q.next) }</li> })
        .collect::<Vec<Html>>();
    let drawn = run.frames.iter().filter(|f| f.deadline <= now && !f.missed).count();
    let missed = run.frames.iter().filter(|f| f.deadline <= now && f.missed).count();
    html! {
        <div class="panel machine-panel">
            <section aria-labelledby="stack-title" data-testid="call-stack">
                <h3 id="stack-title">{ "Call stack" }<span class="count">{ frames.len() }</span></h3>
                <ol class="stack">
                    if stack.is_empty() { { empty("Empty: the event loop is between jobs.") } } else { { for stack } }
                </ol>
            </section>
            <section aria-labelledby="micro-title" data-testid="microtasks">
                <h3 id="micro-title">{ "Microtask queue" }<span class="count">{ queues.microtasks.len() }</span></h3>
                <ol class="queue">
                    if queues.microtasks.is_empty() { { empty("Empty.") } } else { { capped(microtasks.into_iter(), queues.microtasks.len()) } }
                </ol>
            </section>
            <section aria-labelledby="timers-title" data-testid="timers">
                <h3 id="timers-title">{ "Timers" }<span class="count">{ queues.timers.len() }</span></h3>
                <ol class="queue">
                    if queues.timers.is_empty() { { empty("None pending.") } } else { { capped(timers.into_iter(), queues.timers.len()) } }
                </ol>
            </section>
            <section aria-labelledby="io-title" data-testid="io">
                <h3 id="io-title">{ "I/O in progress" }<span class="count">{ queues.io.len() }</span></h3>
                <ol class="queue">
                    if queues.io.is_empty() { { empty("None.") } } else { { capped(io.into_iter(), queues.io.len()) } }
                </ol>
            </section>
            <section aria-labelledby="frames-title" data-testid="frames">
                <h3 id="frames-title">{ "Frames" }</h3>
                <p class="frames-summary">{ format!("{drawn} drawn, {missed} missed so far (60 Hz).") }</p>
                if !queues.frames.is_empty() {
                    <p class="note">{ "Waiting for the next frame:" }</p>
                    <ol class="queue">{ capped(raf.into_iter(), queues.frames.len()) }</ol>
                }
            </section>
        </div>
    }
}

#[function_component(Console)]
pub fn console(props: &RunAtProps) -> Html {
    let run = &props.run;
    let cursor = props.cursor.min(run.steps.len() - 1);
    let printed = run.steps[cursor].console as usize;
    let first = printed.saturating_sub(CONSOLE_SHOWN);
    let lines = run.console[first..printed].iter().map(|line| {
        html! { <li class={classes!("console-line", line.stream)}><pre>{ line.text.clone() }</pre></li> }
    });
    html! {
        <section class="panel console-panel" aria-labelledby="console-title" data-testid="console">
            <h3 id="console-title">{ "Console" }<span class="count">{ printed }</span></h3>
            if first > 0 {
                <p class="note">{ format!("The last {CONSOLE_SHOWN} of {printed} lines (the real-run comparison below has them all).") }</p>
            }
            <ol class="console" start={(first + 1).to_string()}>
                if printed == 0 { { empty("Nothing printed yet.") } } else { { for lines } }
            </ol>
        </section>
    }
}
