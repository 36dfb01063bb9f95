//! The program beside the run: line numbers, the statement at the cursor
//! marked, and the lines where the frames below it are waiting for a call
//! to return.

use std::rc::Rc;

use interleave_core::eventloop::compile::Program;
use interleave_core::eventloop::record::{Run, StepKind};
use yew::prelude::*;

#[derive(Debug, Properties)]
pub struct CodePaneProps {
    pub program: Rc<Program>,
    /// The text the program was compiled from (its line numbers).
    pub source: Rc<str>,
    pub run: Rc<Run>,
    pub cursor: usize,
}

impl PartialEq for CodePaneProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.program, &other.program) && Rc::ptr_eq(&self.run, &other.run) && self.cursor == other.cursor
    }
}

#[function_component(CodePane)]
pub fn code_pane(props: &CodePaneProps) -> Html {
    let run = &props.run;
    let step = &run.steps[props.cursor.min(run.steps.len() - 1)];
    let (current, span) = match step.kind {
        StepKind::Stmt(n) => {
            let span = props.program.stmts[n as usize];
            (Some(span.start.line), Some(span))
        }
        _ => (None, None),
    };
    let stack = run.stack_at(props.cursor);
    // Lines where an outer frame waits for the call it made.
    let waiting: Vec<u32> = stack.iter().rev().skip(1).filter(|f| !f.native && f.line > 0).map(|f| f.line).collect();
    let lines = props.source.lines().enumerate().map(|(i, text)| {
        let number = i as u32 + 1;
        let is_current = current == Some(number);
        let class = classes!(
            "code-line",
            is_current.then_some("current"),
            waiting.contains(&number).then_some("waiting")
        );
        let body = match span.filter(|_| is_current) {
            Some(span) => {
                // The statement's own columns, emphasised.
                let chars: Vec<char> = text.chars().collect();
                let from = (span.start.column.saturating_sub(1) as usize).min(chars.len());
                let to = if span.end.line == number {
                    (span.end.column.saturating_sub(1) as usize).clamp(from, chars.len())
                } else {
                    chars.len()
                };
                let before: String = chars[..from].iter().collect();
                let inside: String = chars[from..to].iter().collect();
                let after: String = chars[to..].iter().collect();
                html! { <>{ before }<mark>{ inside }</mark>{ after }</> }
            }
            None => html! { { text.to_owned() } },
        };
        html! {
            <div class={class} aria-current={is_current.then_some("step")} data-line={number.to_string()}>
                <span class="line-number" aria-hidden="true">{ number }</span>
                <code>{ body }</code>
            </div>
        }
    });
    html! {
        <section class="panel code-panel" aria-label="The program">
            <h3>{ "Program" }</h3>
            <div class="code-lines" data-testid="code">{ for lines }</div>
        </section>
    }
}
