//! The state at the cursor: shared variables and arrays, every
//! synchronisation object (mutexes, semaphores, condition variables,
//! reader-writer locks, barriers) with its state and its waiters, each
//! thread's locals, the heap as boxes and arrows, and the files.

use std::rc::Rc;

use interleave_core::races::Program;
use interleave_core::races::machine::{Readiness, State};
use interleave_core::races::program::Value;
use interleave_core::races::schedule;
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
    // A shared array is one row, its elements in order.
    let shared = program.shared.iter().enumerate().filter_map(|(var, info)| {
        let (name, text) = match program.arrays.iter().find(|array| array.vars().contains(&var)) {
            Some(array) if array.first as usize != var => return None,
            Some(array) => {
                let values: Vec<String> = state.world.shared[array.vars()]
                    .iter()
                    .map(|value| shown(state, value))
                    .collect();
                (array.name.clone(), format!("[{}]", values.join(", ")))
            }
            None => (info.name.clone(), shown(state, &state.world.shared[var])),
        };
        Some(html! { <tr><th scope="row">{ name.clone() }</th><td data-testid={format!("var-{name}")}>{ text }</td></tr> })
    });
    let bits = |set: u32| -> Vec<String> {
        (0..program.threads.len())
            .filter(|thread| set & (1 << thread) != 0)
            .map(|thread| program.threads[thread].name.clone())
            .collect()
    };
    // The threads `blocked` says wait for this object.
    let waiting = |blocked: &dyn Fn(&Readiness) -> bool| -> String {
        let names: Vec<String> = (0..program.threads.len())
            .filter(|&thread| blocked(&state.readiness(program, thread)))
            .map(|thread| program.threads[thread].name.clone())
            .collect();
        if names.is_empty() {
            "—".to_owned()
        } else {
            names.join(", ")
        }
    };
    let row = |name: &str, kind: &str, now: String, waiters: String| {
        html! {
            <tr data-testid={format!("sync-{name}")}>
                <th scope="row">{ name.to_owned() }<span class="note sync-kind">{ kind.to_owned() }</span></th>
                <td>{ now }</td>
                <td>{ waiters }</td>
            </tr>
        }
    };
    let mut sync: Vec<Html> = Vec::new();
    for (m, name) in program.mutexes.iter().enumerate() {
        let owner = state.world.mutexes[m].map(name_of);
        let waiters = waiting(
            &|readiness| matches!(readiness, Readiness::WaitsForMutex { mutex, .. } if *mutex as usize == m),
        );
        let now = owner.map_or_else(|| "free".to_owned(), |owner| format!("held by {owner}"));
        sync.push(row(name, "mutex", now, waiters));
    }
    for (s, sem) in program.semaphores.iter().enumerate() {
        let waiters = waiting(
            &|readiness| matches!(readiness, Readiness::WaitsForSemaphore { sem } if *sem as usize == s),
        );
        let now = format!("count {}", state.world.semaphores[s]);
        sync.push(row(&sem.name, "semaphore", now, waiters));
    }
    for (c, name) in program.conds.iter().enumerate() {
        // The queue in order: a notify wakes the first.
        let queue: Vec<String> = state.world.conds[c]
            .iter()
            .map(|&waiter| name_of(waiter))
            .collect();
        let now = if queue.is_empty() {
            "nobody waits".to_owned()
        } else {
            format!("queue: {} (a notify wakes {})", queue.join(", "), queue[0])
        };
        let waiters = waiting(
            &|readiness| matches!(readiness, Readiness::WaitsForNotify { cond } if *cond as usize == c),
        );
        sync.push(row(name, "condition variable", now, waiters));
    }
    for (r, name) in program.rwlocks.iter().enumerate() {
        let lock = state.world.rwlocks[r];
        let now = match lock.writer {
            Some(writer) => format!("written by {}", name_of(writer)),
            None if lock.readers == 0 => "free".to_owned(),
            None => format!("read by {}", bits(lock.readers).join(", ")),
        };
        let waiters = waiting(
            &|readiness| matches!(readiness, Readiness::WaitsForRwLock { lock, .. } if *lock as usize == r),
        );
        sync.push(row(name, "reader-writer lock", now, waiters));
    }
    for (b, barrier) in program.barriers.iter().enumerate() {
        let arrived = bits(state.world.barriers[b]);
        let now = if arrived.is_empty() {
            format!("0 of {} arrived", barrier.count)
        } else {
            format!(
                "{} of {} arrived: {}",
                arrived.len(),
                barrier.count,
                arrived.join(", ")
            )
        };
        let waiters = waiting(
            &|readiness| matches!(readiness, Readiness::WaitsAtBarrier { barrier, .. } if *barrier as usize == b),
        );
        sync.push(row(&barrier.name, "barrier", now, waiters));
    }
    let locals = program.threads.iter().enumerate().map(|(thread, code)| {
        let items: Vec<Html> = schedule::held(program, state, thread)
            .into_iter()
            .map(|held| {
                let from = (!held.read_from.is_empty())
                    .then(|| format!("read from {}", held.read_from.join(", ")));
                let stale = (!held.stale.is_empty())
                    .then(|| format!("stale: {} since", held.stale.join(", ")));
                let note: Vec<String> = [
                    held.temporary.then(|| "temporary".to_owned()),
                    from,
                    stale.clone(),
                ]
                .into_iter()
                .flatten()
                .collect();
                html! {
                    <li class={classes!(held.temporary.then_some("temporary"), stale.is_some().then_some("stale"))}
                        data-testid={format!("local-{}-{}", code.name, held.name)}>
                        <code>{ held.name }</code>{ " = " }{ held.value }
                        if !note.is_empty() { <span class="note">{ format!(" ({})", note.join("; ")) }</span> }
                    </li>
                }
            })
            .collect();
        html! {
            <div class="locals">
                <strong>{ code.name.clone() }</strong>
                if items.is_empty() { <span class="note">{ " holds nothing yet" }</span> } else { <ul>{ for items }</ul> }
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
            if !sync.is_empty() {
                <div class="inspector-box">
                    <h3>{ "Locks and synchronisation" }</h3>
                    <table class="metrics">
                        <thead><tr><th>{ "name" }</th><th>{ "state" }</th><th>{ "waiting" }</th></tr></thead>
                        <tbody>{ for sync }</tbody>
                    </table>
                </div>
            }
            <div class="inspector-box">
                <h3>{ "Locals and temporaries" }</h3>
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
