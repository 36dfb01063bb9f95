//! The Parallel lab's results: the speedup table (this page's runs or
//! the ones a link carried), the weak-scaling table with its chart, and
//! the sender's runs beside this machine's. Every figure is the core's
//! (`parallel::lab::figures`), every sentence too (`narration`).

use interleave_core::parallel::lab::figures::{self, WeakRow};
use interleave_core::parallel::lab::narration;
use interleave_core::parallel::lab::session::PageAction;
use interleave_core::parallel::lab::{Action, Measured, ParallelLab};
use interleave_core::glossary;
use yew::prelude::*;

use super::Dispatch;
use crate::components::glossary::header;
use crate::components::{Glossary, SpeedupChart};

/// The speedup table of `runs` (this page's, `own-table`, or theirs,
/// `their-table`). Parts of the lab's view are functions, not
/// components: each component costs the module its own lifecycle code.
pub fn speedup_table(runs: &[Measured], serial_fraction: f64, class: &'static str) -> Html {
    let rows = figures::rows(runs, serial_fraction).into_iter().map(|row| {
        let n = row.workers;
        html! {
            <tr data-workers={n.to_string()} data-ms={format!("{:.2}", row.millis)}
                data-speedup={row.speedup.map(|s| format!("{s:.3}")).unwrap_or_default()} data-checksum={format!("{:016x}", row.checksum)}>
                <th scope="row">{ n }</th>
                <td data-label="time">{ format!("{:.0} ms", row.millis) }</td>
                <td data-label="speedup">{ row.speedup.map(|s| format!("{s:.2}×")).unwrap_or_else(|| "–".to_owned()) }</td>
                <td data-label="efficiency">{ row.efficiency.map(|e| format!("{:.0} %", e * 100.0)).unwrap_or_else(|| "–".to_owned()) }</td>
                <td data-label="Amdahl">{ format!("{:.2}×", row.amdahl) }</td>
                <td data-label="checksum"><code>{ format!("{:016x}", row.checksum) }</code></td>
            </tr>
        }
    });
    html! {
        <div class="table-scroll">
            <table class={classes!("metrics", "reflow", "speedup-table", class)}>
                <thead><tr><th scope="col">{ "workers" }</th><th scope="col">{ "time" }</th>{ header("speedup", glossary::SPEEDUP) }
                    { header("efficiency", glossary::EFFICIENCY) }{ header("Amdahl", glossary::AMDAHL) }{ header("checksum", glossary::CHECKSUM) }</tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            if let Some(note) = narration::missing_base(runs) {
                <p class="note" data-testid="missing-base">{ note }</p>
            }
            <Glossary terms={vec![glossary::SPEEDUP, glossary::EFFICIENCY, glossary::AMDAHL, glossary::CHECKSUM]} />
        </div>
    }
}

/// Weak scaling: the scaled speedups against Gustafson's law, and the
/// story of both scalings.
pub fn weak_scaling(weak: &[WeakRow], max_workers: usize, serial_fraction: f64, story: Option<String>) -> Html {
    let rows = weak.iter().map(|row| {
        html! {
            <tr data-workers={row.workers.to_string()} data-size={row.size.to_string()} data-gustafson={row.gustafson.to_string()}>
                <td data-label="workers">{ row.workers }</td><td data-label="size">{ row.size }</td><td data-label="time">{ format!("{:.0} ms", row.millis) }</td>
                <td data-label="scaled">{ format!("{:.2}×", row.scaled_speedup) }</td><td data-label="Gustafson">{ format!("{:.2}×", row.gustafson) }</td>
            </tr>
        }
    });
    html! {
        <section class="weak-scaling" aria-labelledby="weak-title" data-testid="weak-scaling">
            <h3 id="weak-title">{ "Weak scaling: the problem grows with the workers" }</h3>
            <div class="speedup">
                <SpeedupChart points={weak.iter().map(|row| (row.workers, row.scaled_speedup)).collect::<Vec<_>>()}
                    max_workers={max_workers} serial_fraction={serial_fraction} fitted={None::<f64>} gustafson=true />
                <div class="table-scroll">
                    <table class="metrics reflow weak-table">
                        <thead><tr><th scope="col">{ "workers" }</th><th scope="col">{ "size" }</th><th scope="col">{ "time" }</th>
                            <th scope="col" title="scaled speedup: the grown work per unit of time, against one worker on the original">{ "scaled" }</th>
                            <th scope="col" title="Gustafson's law: s + n (1 − s)">{ "Gustafson" }</th></tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
            </div>
            if let Some(story) = story { <p class="explanation" data-testid="scaling-story">{ story }</p> }
        </section>
    }
}

/// The runs a link carried, read-only, beside this machine's.
pub fn their_runs(lab: &ParallelLab, dispatch: &Dispatch) -> Html {
    let Some(theirs) = &lab.theirs else {
        return Html::default();
    };
    html! {
        <section class="theirs" aria-labelledby="theirs-title" data-testid="their-runs">
            <h3 id="theirs-title">{ format!("Shared with you: their runs ({})", theirs.machine.describe()) }</h3>
            <p class="comparison" data-testid="comparison">{ lab.comparison().unwrap_or_default() }</p>
            { speedup_table(&theirs.runs, theirs.spec.serial_fraction, "their-table") }
            <p class="note">{ "Measured on the sender's machine and carried in the link: read-only. Run or sweep here to set your machine beside theirs." }</p>
            <button onclick={dispatch.on(PageAction::Lab(Action::DismissTheirs))}>{ "Hide their runs" }</button>
        </section>
    }
}
