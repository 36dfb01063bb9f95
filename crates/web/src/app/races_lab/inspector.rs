//! The state at the cursor: shared variables, locks (owner and waiters),
//! each thread's locals, the heap as boxes and arrows, and the files.

use std::rc::Rc;

use interleave_core::races::Program;
use interleave_core::races::machine::{Readiness, State};
use interleave_core::races::program::Value;
use yew::prelude::*;

use super::heap::HeapDiagram;

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub program: Rc<Program>,
    pub state: Rc<State>,
}

/// A value as the inspector shows it: lists for node pointers.
pub fn shown(state: &State, value: &Value) -> String {
    match value {
        Value::Node(_) => format!("{value} → list {}", state.list_text(value)),
        other => other.to_string(),
    }
}

#[function_component(Inspector)]
pub fn inspector(props: &InspectorProps) -> Html {
    let program = &props.program;
    let state = &props.state;
    let name_of = |thread: u8| program.threads[thread as usize].name.clone();
    let shared = program.shared.iter().zip(&state.world.shared).map(|(var, value)| {
        html! { <tr><th scope="row">{ var.name.clone() }</th><td data-testid={format!("var-{}", var.name)}>{ shown(state, value) }</td></tr> }
    });
    let locks = program.mutexes.iter().enumerate().map(|(m, name)| {
        let owner = state.world.mutexes[m].map(name_of);
        let waiters: Vec<String> = (0..program.threads.len())
            .filter(|&thread| {
                matches!(state.readiness(program, thread), Readiness::WaitsForMutex { mutex, .. } if mutex as usize == m)
            })
            .map(|thread| program.threads[thread].name.clone())
            .collect();
        html! {
            <tr>
                <th scope="row">{ name.clone() }</th>
                <td>{ owner.map_or_else(|| "free".to_owned(), |owner| format!("held by {owner}")) }</td>
                <td>{ if waiters.is_empty() { "—".to_owned() } else { waiters.join(", ") } }</td>
            </tr>
        }
    });
    let locals = program.threads.iter().zip(&state.threads).map(|(code, thread)| {
        let items: Vec<Html> = code
            .slots
            .iter()
            .zip(&thread.locals)
            .filter(|(slot, _)| !slot.temp)
            .map(|(slot, value)| {
                let name = match &slot.function {
                    Some(function) => format!("{} ({function})", slot.name),
                    None => slot.name.clone(),
                };
                html! { <li><code>{ name }</code>{ " = " }{ value.to_string() }</li> }
            })
            .collect();
        html! {
            <div class="locals">
                <strong>{ code.name.clone() }</strong>
                if items.is_empty() { <span class="note">{ " no locals" }</span> } else { <ul>{ for items }</ul> }
            </div>
        }
    });
    let files = program.files.iter().zip(&state.world.files).map(|(file, now)| {
        let mut holders: Vec<String> = Vec::new();
        if let Some(owner) = now.exclusive {
            holders.push(format!("exclusive: {}", name_of(owner)));
        }
        let shared: Vec<String> = (0..program.threads.len())
            .filter(|thread| now.shared & (1 << thread) != 0)
            .map(|thread| program.threads[thread].name.clone())
            .collect();
        if !shared.is_empty() {
            holders.push(format!("shared: {}", shared.join(", ")));
        }
        html! {
            <tr>
                <th scope="row">{ file.name.clone() }</th>
                <td><pre class="file-contents" data-testid={format!("file-{}", file.name)}>{ now.contents.clone() }</pre></td>
                <td>{ if holders.is_empty() { "unlocked".to_owned() } else { holders.join("; ") } }</td>
            </tr>
        }
    });
    html! {
        <div class="inspector">
            if !program.shared.is_empty() {
                <div class="inspector-box">
                    <h3>{ "Shared variables" }</h3>
                    <table class="metrics"><tbody>{ for shared }</tbody></table>
                </div>
            }
            if !program.mutexes.is_empty() {
                <div class="inspector-box">
                    <h3>{ "Locks" }</h3>
                    <table class="metrics">
                        <thead><tr><th>{ "mutex" }</th><th>{ "owner" }</th><th>{ "waiting" }</th></tr></thead>
                        <tbody>{ for locks }</tbody>
                    </table>
                </div>
            }
            <div class="inspector-box">
                <h3>{ "Locals" }</h3>
                { for locals }
            </div>
            if !state.world.heap.is_empty() {
                <div class="inspector-box heap-box">
                    <h3>{ "Heap" }</h3>
                    <HeapDiagram program={program.clone()} state={state.clone()} />
                </div>
            }
            if !program.files.is_empty() {
                <div class="inspector-box">
                    <h3>{ "Files" }</h3>
                    <table class="metrics">
                        <thead><tr><th>{ "file" }</th><th>{ "contents" }</th><th>{ "locks" }</th></tr></thead>
                        <tbody>{ for files }</tbody>
                    </table>
                </div>
            }
        </div>
    }
}
