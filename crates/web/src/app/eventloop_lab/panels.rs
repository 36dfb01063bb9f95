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
    let microtasks: Vec<Html> = queues
        .microtasks
        .iter()
        .map(|q| {
            let on = q.next;
            html! { <li class={classes!(on.then_some("next"))}><span>{ q.label.to_string() }</span>{ for tag(on) }</li> }
        })
        .collect();
    let timers: Vec<Html> = queues
        .timers
        .iter()
        .map(|t| {
            let when = if t.due > now { format!("in {}", ms(t.due - now)) } else { format!("due {} ago", ms(now - t.due)) };
            let on = t.next;
            html! {
                <li class={classes!(on.then_some("next"))}><span>{ t.label.to_string() }</span><span class="where">{ when }</span>{ for tag(on) }</li>
            }
        })
        .collect();
    let io: Vec<Html> = queues
        .io
        .iter()
        .map(|i| {
            let when = if i.done > now { format!("done in {}", ms(i.done - now)) } else { "done: waits for the poll phase".to_owned() };
            let on = i.next;
            html! { <li class={classes!(on.then_some("next"))}><span>{ i.label.to_string() }</span><span class="where">{ when }</span>{ for tag(on) }</li> }
        })
        .collect();
    let raf: Vec<Html> = queues
        .frames
        .iter()
        .map(|q| html! { <li class={classes!(q.next.then_some("next"))}><span>{ q.label.to_string() }</span>{ for tag(q.next) }</li> })
        .collect();
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
                    if microtasks.is_empty() { { empty("Empty.") } } else { { for microtasks } }
                </ol>
            </section>
            <section aria-labelledby="timers-title" data-testid="timers">
                <h3 id="timers-title">{ "Timers" }<span class="count">{ queues.timers.len() }</span></h3>
                <ol class="queue">
                    if timers.is_empty() { { empty("None pending.") } } else { { for timers } }
                </ol>
            </section>
            <section aria-labelledby="io-title" data-testid="io">
                <h3 id="io-title">{ "I/O in progress" }<span class="count">{ queues.io.len() }</span></h3>
                <ol class="queue">
                    if io.is_empty() { { empty("None.") } } else { { for io } }
                </ol>
            </section>
            <section aria-labelledby="frames-title" data-testid="frames">
                <h3 id="frames-title">{ "Frames" }</h3>
                <p class="frames-summary">{ format!("{drawn} drawn, {missed} missed so far (60 Hz).") }</p>
                if !raf.is_empty() {
                    <p class="note">{ "Waiting for the next frame:" }</p>
                    <ol class="queue">{ for raf }</ol>
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
    let lines = run.console[..printed].iter().map(|line| {
        html! { <li class={classes!("console-line", line.stream)}><pre>{ line.text.clone() }</pre></li> }
    });
    html! {
        <section class="panel console-panel" aria-labelledby="console-title" data-testid="console">
            <h3 id="console-title">{ "Console" }<span class="count">{ printed }</span></h3>
            <ol class="console">
                if printed == 0 { { empty("Nothing printed yet.") } } else { { for lines } }
            </ol>
        </section>
    }
}
