//! The Parallel lab page: real kernels on 1..N real web workers, the
//! speedup against Amdahl's law, the last run on the shared timeline, and
//! a real race on shared memory.
//!
//! A view over the core's session (`parallel::lab::session`), as every
//! lab is: the session decides what runs and what is kept, `runner`
//! obtains the workers (`pool`: the one interface to the shared-memory
//! pool and the message-passing workers) and carries out its orders, and
//! the parts here render it: the badge (`status`), the results
//! (`tables`), the race (`race`), the image (`mandelbrot_canvas`).

mod mandelbrot_canvas;
mod pool;
mod race;
mod runner;
mod status;
mod tables;

use std::rc::Rc;
use std::sync::Arc;

use interleave_core::parallel::kernels::{Handout, KernelKind, KernelSpec};
use interleave_core::parallel::lab::session::{Busy, PageAction, Session};
use interleave_core::parallel::lab::{Action, ParallelLab, figures, narration};
use interleave_core::trace::Trace;
use yew::prelude::*;

use crate::app::lab::{LabDispatch, LabProps, use_lab};
use crate::components::{NumberField, SpeedupChart, Timeline, form};
use crate::web;

/// What the lab's parts dispatch with.
pub type Dispatch = LabDispatch<Session>;

#[function_component(ParallelLabView)]
pub fn parallel_lab_view(props: &LabProps<ParallelLab>) -> Html {
    let state = use_lab::<Session>(&props.initial, props.embed);
    let session = &state.session;
    let lab = &session.lab;
    let spec = lab.spec;
    let dispatch = state.dispatcher();
    // The image the workers fill (and the canvas paints): page memory,
    // shared with the workers; a fresh one for a new kernel.
    let image = use_state(|| Arc::new(spec.new_image()));
    {
        let image = image.clone();
        use_effect_with(spec, move |spec| {
            if image.len() != spec.pixels() {
                image.set(Arc::new(spec.new_image()));
            }
        });
    }
    runner::use_pool(&dispatch);
    runner::use_orders(session.order(), &dispatch, &image);

    let (ready, running) = (session.ready(), session.running());
    let max_workers = session.max_workers();
    let chosen = session.chosen_workers();
    let busy = session.busy();
    let kernel_busy = matches!(busy, Some(Busy::Kernel { .. }));
    let weak_refusal = session.weak_refusal();
    let set_spec = dispatch.reform(|spec| PageAction::Lab(Action::SetSpec(spec)));
    let lab_action = |make: fn(u64) -> Action| dispatch.reform(move |n: u64| PageAction::Lab(make(n)));
    let on_kind = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: Event| {
            let kind = form::select_value(&event)
                .and_then(|value| KernelKind::ALL.into_iter().find(|kind| kind.title() == value));
            if let Some(kind) = kind {
                dispatch.dispatch(PageAction::Lab(Action::SetKind(kind)));
            }
        })
    };
    let on_handout = {
        let set_spec = set_spec.clone();
        Callback::from(move |event: Event| {
            let handout = match form::select_value(&event).as_deref() {
                Some("guided") => Handout::Guided,
                _ => Handout::Fixed,
            };
            set_spec.emit(KernelSpec { handout, ..spec });
        })
    };
    let kinds = KernelKind::ALL.iter().map(|kind| {
        html! { <option value={kind.title()} selected={*kind == spec.kind}>{ kind.title() }</option> }
    });
    let (size_min, size_max) = spec.kind.size_range();
    let button = |label: String, enabled: bool, action: PageAction| {
        html! {
            <button class="primary" onclick={form::when_enabled(enabled, dispatch.on(action))} aria-disabled={(!enabled).to_string()}>{ label }</button>
        }
    };

    // Results: computed in the core from the lab's runs.
    let runs = &lab.runs;
    let checksums_match = figures::checksums_match(runs);
    let explanation = narration::explain(runs, spec.serial_fraction);
    let weak_rows = lab.weak_rows();
    let last = session.last.as_ref();
    let trace: Option<Rc<Trace>> = last.map(|run| Rc::new(run.to_trace()));
    let worker_chunks = last.map(|run| {
        run.chunks_per_worker()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    });
    let timeline = use_node_ref();
    let live_paint = session.paint_while_running();

    html! {
        <section class="lab parallel-lab" id="parallel" aria-labelledby="parallel-title">
            <div class="lab-head">
                <h2 id="parallel-title">{ "Real parallelism" }</h2>
                <p class="lead">
                    { "Splitting CPU work over cores gives real speedup: here a kernel runs on real web workers of your own machine, on one and on several. " }
                    { "The serial part and the overheads (handing out chunks, imbalance, the idle tail) are why the speedup stays below the number of workers." }
                </p>
            </div>
            { status::pool_badge(&session.pool) }
            <div class="parallel-controls" role="group" aria-label="Kernel settings">
                <label>{ "kernel " }<select onchange={on_kind} aria-label="Kernel" disabled={running}>{ for kinds }</select></label>
                <label>{ format!("{} ", spec.kind.size_label()) }
                    <NumberField value={spec.size} min={size_min} max={size_max} label="Kernel size"
                        on_change={set_spec.reform(move |size| KernelSpec { size, ..spec })} />
                </label>
                <label>{ "chunk " }
                    <NumberField value={spec.chunk} min={1} max={spec.items().max(1)} label="Items per chunk"
                        on_change={set_spec.reform(move |chunk| KernelSpec { chunk, ..spec })} />
                </label>
                <label>{ "hand-out " }
                    <select aria-label="Chunk hand-out" disabled={running} onchange={on_handout}>
                        <option value="fixed" selected={spec.handout == Handout::Fixed}>{ "every chunk the same" }</option>
                        <option value="guided" selected={spec.handout == Handout::Guided}>{ "smaller toward the end" }</option>
                    </select>
                </label>
                <label>{ "serial part " }
                    <NumberField value={(spec.serial_fraction * 100.0).round() as u64} min={0} max={95} unit="%" label="Serial part, percent"
                        on_change={set_spec.reform(move |percent: u64| KernelSpec { serial_fraction: percent as f64 / 100.0, ..spec })} />
                </label>
                <label>{ "workers " }
                    <NumberField value={chosen as u64} min={1} max={max_workers as u64} label="Workers"
                        on_change={lab_action(|n| Action::SetWorkers(n as usize))} />
                    { format!(" of {max_workers}") }
                </label>
                if let Some(note) = narration::ceiling_note(web::hardware_concurrency()) {
                    <p class="note" data-testid="worker-ceiling">{ note }</p>
                }
                <crate::app::ShareButton<ParallelLab> state={lab.clone()} title="Interleave: real parallelism"
                    note="The link holds the kernel, its settings and your measured runs: whoever opens it sees your runs beside their own. Nothing is stored on a server." />
                <crate::components::LabFile<ParallelLab> state={lab.clone()} />
            </div>
            if let Some(refused) = &state.refused {
                <p class="notice error" role="alert">{ refused.clone() }</p>
            }
            <div class="parallel-actions">
                { button(format!("Run on {chosen} worker{}", if chosen == 1 { "" } else { "s" }), ready && !running, PageAction::Run) }
                { button(format!("Sweep 1 to {max_workers} workers"), ready && !running, PageAction::Sweep) }
                <button onclick={form::when_enabled(ready && !running && weak_refusal.is_none(), dispatch.on(PageAction::WeakSweep))}
                    aria-disabled={(!ready || running || weak_refusal.is_some()).to_string()}
                    title="Grow the problem with the workers (the parallel part n times, the serial part as it is) and see whether the time stays flat">
                    { "Weak-scaling sweep" }
                </button>
                <button onclick={form::when_enabled(kernel_busy, dispatch.on(PageAction::Cancel))} aria-disabled={(!kernel_busy).to_string()}>{ "Cancel" }</button>
                if let Some(busy) = busy.filter(|_| kernel_busy) {
                    <span class="status" aria-live="polite">{ narration::busy(busy) }</span>
                }
                if session.cancelled && !running {
                    <span class="status cancelled" aria-live="polite">{ "Cancelled." }</span>
                }
            </div>
            if let Some(failure) = &session.failure {
                <p class="notice error" role="alert" data-testid="run-failure">{ narration::failure(failure) }</p>
            }
            <div class="parallel-results" data-sweeps={session.sweeps.to_string()} data-checksums-match={checksums_match.to_string()}>
                if spec.kind == KernelKind::Mandelbrot && ready {
                    <mandelbrot_canvas::MandelbrotCanvas image={(*image).clone()} width={spec.width()} height={spec.height()} running={kernel_busy} live={live_paint} />
                    if kernel_busy && !live_paint {
                        <p class="note">{ "Every core is computing, so the image is drawn when the run ends: drawing it now would take a core from the workers and spoil the measurement." }</p>
                    }
                }
                if let Some(trace) = trace {
                    <h3 class="last-run" data-worker-chunks={worker_chunks}>{ format!("The last run, chunk by chunk ({} workers)", trace.lanes.len()) }</h3>
                    <div ref={timeline.clone()}>
                        <Timeline trace={trace.clone()} label={format!("{} on {} workers", spec.kind.title(), trace.lanes.len())} />
                    </div>
                    <crate::components::TimelineDownloads file="interleave-parallel-run" timeline={timeline.clone()}
                        traces={vec![(format!("{} on {} workers (measured)", spec.kind.title(), trace.lanes.len()), trace.clone())]} />
                }
                if !runs.is_empty() {
                    <div class="speedup">
                        <SpeedupChart points={figures::points(runs)} max_workers={max_workers} serial_fraction={spec.serial_fraction}
                            fitted={figures::fitted(runs)} prediction={figures::prediction(runs)} />
                        <div>
                            { tables::speedup_table(runs, spec.serial_fraction, "own-table") }
                            <p class="note">{ narration::sweep_note(max_workers) }</p>
                            <p class="checksums">{ if checksums_match { "The results are identical on every worker count." } else { "The results DIFFER between worker counts: this is a bug." } }</p>
                            if let Some(text) = explanation { <p class="explanation">{ text }</p> }
                        </div>
                    </div>
                }
                if let Some(refusal) = &weak_refusal {
                    <p class="note" data-testid="weak-refusal">{ format!("Weak scaling is off for this kernel: {refusal}.") }</p>
                }
                if !weak_rows.is_empty() {
                    { tables::weak_scaling(&weak_rows, max_workers, spec.serial_fraction, lab.scaling_story()) }
                }
            </div>
            { tables::their_runs(lab, &dispatch) }
            { race::race_section(session, &dispatch) }
        </section>
    }
}
