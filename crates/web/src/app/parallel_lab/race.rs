//! The real race on shared memory: each worker adds 1 to one counter,
//! by reading then writing (losing increments), with `fetch_add`, and
//! with a mutex; the table of what each kept. Off, saying why, where the
//! page cannot share memory.

use interleave_core::glossary;
use interleave_core::parallel::lab::narration;
use interleave_core::parallel::lab::session::{Busy, PageAction, Session};
use interleave_core::parallel::lab::{Action, MAX_RACE_COUNT};
use interleave_core::share::{Fragment, Route};
use interleave_core::labs::LabId;
use yew::prelude::*;

use super::Dispatch;
use crate::components::glossary::header;
use crate::components::{Glossary, NumberField, form};
use crate::url_state;

/// The race's section of the lab.
pub fn race_section(session: &Session, dispatch: &Dispatch) -> Html {
    let off = !session.ready() || session.running() || !session.shared_memory();
    let isolated_link = url_state::page_url(&Fragment {
        route: Route::Lab(LabId::Parallel),
        ..Fragment::default()
    });
    let rows = session.races.iter().map(|result| {
        html! {
            <tr data-method={format!("{:?}", result.method)} data-expected={result.expected.to_string()} data-actual={result.actual.to_string()}
                data-overlap-ms={format!("{:.2}", result.overlap_millis)} data-together={result.started_together.to_string()}>
                <th scope="row">{ result.method.title() }</th>
                <td data-label="expected">{ result.expected }</td>
                <td data-label="actual">{ result.actual }</td>
                <td data-label="lost" class={classes!((result.lost() > 0).then_some("lost"))}>{ result.lost() }</td>
                <td data-label="time">{ format!("{:.0} ms", result.millis) }</td>
                <td data-label="all loops at once">{ if result.started_together { format!("{:.0} ms", result.overlap_millis) } else { "no: too few free workers".to_owned() } }</td>
            </tr>
        }
    });
    html! {
        <section class="race" aria-labelledby="race-title" data-races={session.races_run.to_string()}>
            <h3 id="race-title">{ "A real race on shared memory" }</h3>
            <p>{ "Each worker adds 1 to one shared counter, many times. Reading the counter and then writing it back (two separate atomic steps, well-defined Rust) loses every increment another worker made in between; fetch_add and a mutex make the increment indivisible. Run it to see what each kept, and what each cost." }</p>
            <div class="parallel-controls">
                <label>{ "workers " }
                    <NumberField value={session.race_workers() as u64} min={1} max={session.max_workers() as u64} label="Race workers"
                        on_change={dispatch.reform(|n: u64| PageAction::Lab(Action::SetRaceWorkers(n as usize)))} />
                </label>
                <label>{ "increments per worker " }
                    <NumberField value={session.lab.race_count} min={1} max={MAX_RACE_COUNT} label="Increments per worker"
                        on_change={dispatch.reform(|n: u64| PageAction::Lab(Action::SetRaceCount(n)))} />
                </label>
                <button class="primary" onclick={form::when_enabled(!off, dispatch.on(PageAction::Race))} aria-disabled={off.to_string()}>{ "Run the race" }</button>
                if session.busy() == Some(Busy::Race) { <span class="status" aria-live="polite">{ "Racing…" }</span> }
            </div>
            if session.ready() && !session.shared_memory() {
                <p class="notice" data-mode="race-off">
                    { "This demo needs memory shared between workers, which browsers allow only on cross-origin isolated pages, and this one is not. " }
                    <a href={isolated_link} target="_blank" rel="noopener">{ "Open it in a new tab" }</a>
                    { " (isolated there when the site sends the isolation headers)." }
                </p>
            }
            if !session.races.is_empty() {
                <div class="table-scroll">
                <table class="metrics reflow race-table">
                    <thead><tr><th scope="col">{ "increment" }</th><th scope="col">{ "expected" }</th><th scope="col">{ "actual" }</th>
                        { header("lost", glossary::LOST) }<th scope="col">{ "time" }</th>{ header("all loops at once", glossary::ALL_LOOPS_AT_ONCE) }</tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
                </div>
                if let Some(story) = narration::race_story(&session.races) {
                    <p class="explanation" data-testid="race-story">{ story }</p>
                }
                <Glossary terms={vec![glossary::LOST, glossary::ALL_LOOPS_AT_ONCE]} />
            }
        </section>
    }
}
