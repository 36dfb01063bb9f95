//! One thread's code with its next step highlighted, what the thread is
//! doing, and its Step button; and the program's final check, beside the
//! threads, with its line numbers.

use std::rc::Rc;

use interleave_core::races::Program;
use interleave_core::races::lab::Action;
use interleave_core::races::machine::{Readiness, State, Status};
use interleave_core::races::program::{Code, Op};
use interleave_core::races::schedule::{thread_colour, why_not};
use yew::prelude::*;

use super::Dispatch;
use crate::components::form;

#[derive(Properties)]
pub struct CodePaneProps {
    pub program: Rc<Program>,
    pub state: Rc<State>,
    pub thread: usize,
    pub source: Rc<str>,
    pub expanded: bool,
    pub dispatch: Dispatch,
}

impl PartialEq for CodePaneProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.program, &other.program)
            && self.state.threads[self.thread] == other.state.threads[other.thread]
            && self.state.readiness(&self.program, self.thread)
                == other.state.readiness(&other.program, other.thread)
            && self.thread == other.thread
            && self.expanded == other.expanded
            && self.source == other.source
    }
}

/// The source lines `code` (a thread's, or the final check's) comes
/// from, in runs of nearby lines; a run inside a function starts at its
/// `fn` line.
fn line_runs(code: &Code, source: &str) -> Vec<(u32, u32)> {
    let mut lines: Vec<u32> = code.instrs.iter().map(|instr| instr.line).collect();
    lines.push(code.pos.line);
    lines.sort_unstable();
    lines.dedup();
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for line in lines {
        match runs.last_mut() {
            Some((_, end)) if line <= *end + 3 => *end = line,
            _ => runs.push((line, line)),
        }
    }
    // Show the closing brace after each run, and the header of a function
    // whose body a run starts in (`fn remove(list, v) {` above its lines).
    let lines: Vec<&str> = source.lines().collect();
    let mut shown_to = 0;
    for run in &mut runs {
        run.1 += 1;
        let header = (run.0.saturating_sub(2).max(shown_to + 1).max(1)..run.0).find(|&line| {
            lines
                .get(line as usize - 1)
                .is_some_and(|text| text.trim_start().starts_with("fn "))
        });
        if let Some(line) = header {
            run.0 = line;
            // ...and ends at the function's closing brace.
            let indent = |text: &str| text.len() - text.trim_start().len();
            let header_indent = indent(lines[line as usize - 1]);
            if let Some(close) = (run.1..=lines.len() as u32).find(|&l| {
                let text = lines[l as usize - 1];
                text.trim() == "}" && indent(text) == header_indent
            }) {
                run.1 = close;
            }
        }
        shown_to = run.1;
    }
    runs
}

#[function_component(CodePane)]
pub fn code_pane(props: &CodePaneProps) -> Html {
    let program = &props.program;
    let thread = props.thread;
    let code = &program.threads[thread];
    let me = &props.state.threads[thread];
    let readiness = props.state.readiness(program, thread);
    let ready = readiness == Readiness::Ready;
    let next_line = (me.status == Status::Running).then(|| code.instrs[me.pc as usize].line);
    let status = match (&me.status, &readiness) {
        (Status::Failed(failure), _) => format!("stopped: {failure}"),
        (Status::Done, _) => "finished".to_owned(),
        (_, Readiness::Ready) => format!("next: {}", code.describe(me.pc, program)),
        (_, other) => why_not(program, other),
    };
    let lines: Vec<&str> = props.source.lines().collect();
    let runs = line_runs(code, &props.source);
    let mut rows = Vec::new();
    for (run_idx, (first, last)) in runs.iter().enumerate() {
        if run_idx > 0 {
            rows.push(html! { <li class="gap" aria-hidden="true">{ "⋯" }</li> });
        }
        for line in *first..=*last {
            let Some(text) = lines.get(line as usize - 1) else {
                continue;
            };
            let current = next_line == Some(line);
            let steps = props.expanded.then(|| {
                code.instrs
                    .iter()
                    .enumerate()
                    .filter(|(_, instr)| instr.line == line && !matches!(instr.op, Op::Jump { .. }))
                    .map(|(pc, _)| {
                        let next = current && pc as u32 == me.pc;
                        html! {
                            <li class={classes!("step", next.then_some("next"))}>
                                { if next { "▶ " } else { "  " } }{ code.describe(pc as u32, program) }
                            </li>
                        }
                    })
                    .collect::<Html>()
            });
            rows.push(html! {
                <li class={classes!("line", current.then_some("current"))} aria-current={current.then_some("step")}>
                    <span class="line-no">{ line }</span>
                    <span class="line-text">{ text.to_string() }</span>
                    if let Some(steps) = steps {
                        <ul class="steps">{ steps }</ul>
                    }
                </li>
            });
        }
    }
    let on_step = {
        let dispatch = props.dispatch.clone();
        let expanded = props.expanded;
        Callback::from(move |_: MouseEvent| {
            dispatch.dispatch(if expanded {
                Action::Step(thread)
            } else {
                Action::StepLine(thread)
            })
        })
    };
    let failed = matches!(me.status, Status::Failed(_));
    html! {
        <div class={classes!("thread-pane", failed.then_some("failed"))} data-thread={code.name.clone()}>
            <div class="thread-head">
                <span class="swatch" style={format!("background:{}", thread_colour(thread))} />
                <strong>{ code.name.clone() }</strong>
                <button class="primary step-button" onclick={form::when_enabled(!(!ready), on_step)} aria-disabled={(!ready).to_string()}
                    aria-label={format!("Step {}", code.name)} data-testid={format!("step-{}", code.name)}>
                    { if props.expanded { "Step" } else { "Step line" } }
                </button>
            </div>
            <p class="thread-status" data-testid={format!("status-{}", code.name)}>{ status }</p>
            <ol class="code">{ for rows }</ol>
        </div>
    }
}

#[derive(Debug, Properties, PartialEq)]
pub struct AfterPaneProps {
    pub program: Rc<Program>,
    pub source: Rc<str>,
    /// What the check says at the step shown.
    pub status: AttrValue,
    pub failed: bool,
}

/// The `after { }` check: what must hold once every thread has finished.
#[function_component(AfterPane)]
pub fn after_pane(props: &AfterPaneProps) -> Html {
    let Some(code) = &props.program.after else {
        return Html::default();
    };
    let lines: Vec<&str> = props.source.lines().collect();
    // Shown from its `after {` line (the compiled check starts nowhere in
    // particular), with the functions it calls.
    let mut code = code.clone();
    if let Some(header) = lines.iter().position(|line| {
        let line = line.trim();
        line.starts_with("after") && line.ends_with('{')
    }) {
        code.pos.line = header as u32 + 1;
    }
    let rows = line_runs(&code, &props.source).into_iter().flat_map(|(first, last)| first..=last).filter_map(|line| {
        let text = lines.get(line as usize - 1)?;
        Some(html! {
            <li class="line">
                <span class="line-no">{ line }</span>
                <span class="line-text">{ text.to_string() }</span>
            </li>
        })
    });
    html! {
        <div class={classes!("thread-pane", "after-pane", props.failed.then_some("failed"))} data-testid="after-pane">
            <div class="thread-head"><strong>{ "Final check" }</strong></div>
            <p class="thread-status" data-testid="after-status">{ props.status.clone() }</p>
            <ol class="code">{ for rows }</ol>
        </div>
    }
}
