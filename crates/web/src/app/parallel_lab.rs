//! The Parallel lab: real kernels on 1..N real web workers, the speedup
//! against Amdahl's law, the run on the shared timeline, and a real race on
//! shared memory.

mod mandelbrot_canvas;

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use interleave_core::parallel::kernels::{Handout, KernelKind, KernelSpec};
use interleave_core::parallel::lab::{
    self as parallel_lab, Action, Machine, Measured, ParallelLab, PoolMode, WORKER_CEILING, apply,
    browser_name, pool_size, sweep_counts,
};
use interleave_core::parallel::race::{CounterMethod, RaceResult};
use interleave_core::parallel::run::{KernelRun, median_run};
use interleave_core::share::{Fragment, Route, SharedState};
use interleave_core::trace::Trace;
use yew::prelude::*;

use crate::components::form;

use crate::components::{NumberField, SpeedupChart, Timeline};
use crate::message_pool::MessagePool;
use crate::parallel;
use crate::{url_state, web};

/// The worker pool: started once per page (wasm-bindgen-rayon builds one
/// global pool), so its state lives in the app, not in the lab.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Pool {
    /// Not asked for yet.
    #[default]
    Idle,
    /// Not cross-origin isolated and no workers either: one thread.
    NoWorkers,
    Starting {
        workers: usize,
    },
    /// Cross-origin isolated: a wasm-bindgen-rayon pool sharing memory.
    Ready {
        workers: usize,
        start_millis: f64,
    },
    /// Not isolated: message-passing workers, each with its own memory.
    MessagePassing {
        workers: usize,
        start_millis: f64,
        pool: Rc<MessagePool>,
    },
    Failed(String),
}

#[derive(Debug, Properties, PartialEq)]
pub struct ParallelLabProps {
    pub pool: UseStateHandle<Pool>,
    /// The opening state: a link's (the sender's runs are theirs), the
    /// autosave, or the default.
    pub initial: ParallelLab,
    #[prop_or_default]
    pub embed: bool,
}

/// The page's reducer: the core's lab, whether the user changed anything
/// (only then is the state written to the address and autosave), and why
/// the last setting was refused.
#[derive(Debug, Clone, PartialEq)]
pub struct ParallelState {
    pub lab: ParallelLab,
    pub edited: bool,
    pub refused: Option<String>,
}

impl Reducible for ParallelState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        // The page telling the lab its machine is not an edit.
        let edit = !matches!(action, Action::SetMachine(_));
        match apply(&mut next.lab, action) {
            Ok(()) => {
                next.refused = None;
                next.edited |= edit;
            }
            Err(err) => next.refused = Some(err.to_string()),
        }
        if next == *self { self } else { Rc::new(next) }
    }
}

/// Pause between the runs of a sweep, for the page to draw.
const SETTLE_MILLIS: u64 = 120;
/// Runs per worker count in a sweep (after one warm-up run): the median
/// is reported.
const SWEEP_REPEATS: usize = 3;

/// What is running now.
#[derive(Debug, Clone, PartialEq)]
enum Busy {
    Kernel { workers: usize },
    Race,
}

/// The speedup table of `runs` (the page's own, or theirs).
fn speedup_table(runs: &[Measured], serial_fraction: f64, class: &'static str) -> Html {
    let rows = parallel_lab::rows(runs, serial_fraction).into_iter().map(|row| {
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
                <thead><tr><th scope="col">{ "workers" }</th><th scope="col">{ "time" }</th><th scope="col">{ "speedup" }</th>
                    <th scope="col">{ "efficiency" }</th><th scope="col">{ "Amdahl" }</th><th scope="col">{ "checksum" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
        </div>
    }
}

#[function_component(ParallelLabView)]
pub fn parallel_lab_view(props: &ParallelLabProps) -> Html {
    let pool = props.pool.clone();
    {
        let pool = pool.clone();
        use_effect_with((), move |_| {
            let (workers, _) = pool_size(web::hardware_concurrency());
            let has_workers =
                js_sys::Reflect::has(&js_sys::global(), &"Worker".into()).unwrap_or(false);
            if *pool != Pool::Idle {
                // Started already: the pool outlives this page.
            } else if web::cross_origin_isolated() {
                pool.set(Pool::Starting { workers });
                wasm_bindgen_futures::spawn_local(async move {
                    match parallel::start_pool(workers).await {
                        Ok(start_millis) => pool.set(Pool::Ready {
                            workers,
                            start_millis,
                        }),
                        Err(message) => pool.set(Pool::Failed(message)),
                    }
                });
            } else if has_workers {
                pool.set(Pool::Starting { workers });
                wasm_bindgen_futures::spawn_local(async move {
                    let started = web::performance_now();
                    match MessagePool::start(workers).await {
                        Ok(message_pool) => pool.set(Pool::MessagePassing {
                            workers,
                            start_millis: web::performance_now() - started,
                            pool: Rc::new(message_pool),
                        }),
                        Err(message) => pool.set(Pool::Failed(message)),
                    }
                });
            } else {
                pool.set(Pool::NoWorkers);
            }
        });
    }
    let pool_workers = match &*pool {
        Pool::Ready { workers, .. } | Pool::MessagePassing { workers, .. } => Some(*workers),
        _ => None,
    };
    let shared_memory = matches!(*pool, Pool::Ready { .. });

    let state = {
        let initial = props.initial.clone();
        use_reducer(move || ParallelState {
            lab: initial,
            edited: false,
            refused: None,
        })
    };
    let lab = &state.lab;
    crate::url_state::use_address_and_autosave(
        SharedState::Parallel(lab.clone()),
        state.edited,
        props.embed,
    );
    let dispatch = state.dispatcher();
    // The machine the runs are measured on: runs from another (an
    // autosave of another mode) are forgotten.
    {
        let dispatch = dispatch.clone();
        let mode = match &*pool {
            Pool::Ready { .. } => Some(PoolMode::SharedMemory),
            Pool::MessagePassing { .. } => Some(PoolMode::MessagePassing),
            _ => None,
        };
        use_effect_with(mode, move |mode| {
            if let Some(mode) = *mode {
                dispatch.dispatch(Action::SetMachine(Machine {
                    cores: web::hardware_concurrency() as u32,
                    browser: browser_name(&web::user_agent()),
                    mode,
                }));
            }
        });
    }

    let spec = lab.spec;
    // The last run, chunk by chunk, and the image it drew: page state, not
    // the lab's (a link carries the measurements, not the records).
    let last = use_state(|| None::<Rc<KernelRun>>);
    let sweeps = use_state(|| 0u32);
    let busy = use_state(|| None::<Busy>);
    let cancel = use_mut_ref(|| Arc::new(AtomicBool::new(false)));
    let timeline = use_node_ref();
    let image = use_state(|| Arc::new(spec.new_image()));
    {
        // A new spec: a fresh image, and the old run's timeline goes.
        let (image, last) = (image.clone(), last.clone());
        use_effect_with(spec, move |spec| {
            if image.len() != spec.pixels() || last.as_ref().is_some_and(|run| run.spec != *spec) {
                image.set(Arc::new(spec.new_image()));
                last.set(None);
            }
        });
    }
    let race_results = use_state(Vec::<RaceResult>::new);
    // Completed races, so a test (or a screen reader) can tell a new
    // result from the last one.
    let races_run = use_state(|| 0u32);

    let max_workers = pool_workers.unwrap_or(1);
    let chosen_workers = lab.workers.clamp(1, max_workers);
    let race_workers = lab.race_workers.clamp(1, max_workers);
    let act = {
        let dispatch = dispatch.clone();
        move |make: fn(u64) -> Action| dispatch.to_callback().reform(move |n: u64| make(n))
    };
    let set_spec = dispatch.to_callback().reform(Action::SetSpec);

    // Runs the kernel on each worker count in `counts`, one after another,
    // each with its spec (a weak-scaling sweep grows it with the workers).
    let run_counts = {
        let (last, busy, cancel, image, sweeps, dispatch) = (
            last.clone(),
            busy.clone(),
            cancel.clone(),
            image.clone(),
            sweeps.clone(),
            dispatch.clone(),
        );
        let pool = pool.clone();
        move |counts: Vec<(usize, KernelSpec)>, repeats: usize, weak: bool| {
            let mode = (*pool).clone();
            let (last, busy, image, sweeps, dispatch) = (
                last.clone(),
                busy.clone(),
                image.clone(),
                sweeps.clone(),
                dispatch.clone(),
            );
            let flag = Arc::new(AtomicBool::new(false));
            *cancel.borrow_mut() = flag.clone();
            wasm_bindgen_futures::spawn_local(async move {
                // A sweep first runs once unmeasured on the most workers:
                // the first run pays for compiling the kernel, touching
                // memory and waking the workers.
                let warm_up = (repeats > 1)
                    .then(|| counts.iter().copied().max_by_key(|(workers, _)| *workers))
                    .flatten();
                'counts: for ((workers, run_spec), measure) in warm_up
                    .map(|count| (count, false))
                    .into_iter()
                    .chain(counts.into_iter().map(|count| (count, true)))
                {
                    let mut tries = Vec::new();
                    for _ in 0..if measure { repeats } else { 1 } {
                        if flag.load(Ordering::Relaxed) {
                            break 'counts;
                        }
                        busy.set(Some(Busy::Kernel { workers }));
                        let fresh = Arc::new(run_spec.new_image());
                        // A grown image is not the one the canvas shows.
                        if !weak {
                            image.set(fresh.clone());
                        }
                        // Let the page finish drawing (the previous run,
                        // the cleared image) before the next run starts: on
                        // a machine with as many workers as cores, page
                        // work during a run slows the workers down.
                        yew::platform::time::sleep(std::time::Duration::from_millis(SETTLE_MILLIS))
                            .await;
                        let run = match &mode {
                            Pool::MessagePassing { pool, .. } => {
                                match pool
                                    .clone()
                                    .run(run_spec, workers, fresh, flag.clone())
                                    .await
                                {
                                    Ok(run) => run,
                                    Err(_) => break 'counts,
                                }
                            }
                            _ => {
                                parallel::run_on_workers(run_spec, workers, fresh, flag.clone())
                                    .await
                            }
                        };
                        if run.cancelled {
                            last.set(Some(Rc::new(run)));
                            break 'counts;
                        }
                        tries.push(run);
                    }
                    if !measure {
                        continue;
                    }
                    // Each worker count's time is the median of its runs.
                    if let Some(run) = median_run(tries) {
                        let run_measured = Measured::from(&run);
                        dispatch.dispatch(if weak {
                            Action::MeasuredWeak {
                                spec,
                                run: run_measured,
                            }
                        } else {
                            Action::Measured {
                                spec,
                                run: run_measured,
                            }
                        });
                        last.set(Some(Rc::new(run)));
                    }
                }
                sweeps.set(*sweeps + 1);
                busy.set(None);
            });
        }
    };
    let on_run = {
        let run_counts = run_counts.clone();
        Callback::from(move |_| run_counts(vec![(chosen_workers, spec)], 1, false))
    };
    let on_sweep = {
        let run_counts = run_counts.clone();
        Callback::from(move |_| {
            let counts = sweep_counts(max_workers)
                .into_iter()
                .map(|workers| (workers, spec))
                .collect();
            run_counts(counts, SWEEP_REPEATS, false)
        })
    };
    // Weak scaling: every grown problem is checked before any runs; the
    // first refusal (a kernel that cannot grow evenly, a size past the
    // limit) says why the button is off.
    let grown: Result<Vec<(usize, KernelSpec)>, String> = sweep_counts(max_workers)
        .into_iter()
        .map(|workers| {
            spec.scaled(workers)
                .map(|grown| (workers, grown))
                .map_err(|error| error.message)
        })
        .collect();
    let weak_refusal = grown.as_ref().err().cloned();
    let on_weak_sweep = {
        let run_counts = run_counts.clone();
        let grown = grown.unwrap_or_default();
        Callback::from(move |_: MouseEvent| run_counts(grown.clone(), SWEEP_REPEATS, true))
    };
    let on_cancel = {
        let cancel = cancel.clone();
        Callback::from(move |_| cancel.borrow().store(true, Ordering::Relaxed))
    };
    let on_race = {
        let (busy, race_results, races_run) =
            (busy.clone(), race_results.clone(), races_run.clone());
        let race_count = lab.race_count;
        Callback::from(move |_| {
            let (busy, race_results, races_run) =
                (busy.clone(), race_results.clone(), races_run.clone());
            busy.set(Some(Busy::Race));
            race_results.set(Vec::new());
            wasm_bindgen_futures::spawn_local(async move {
                let mut results = Vec::new();
                for method in CounterMethod::ALL {
                    results.push(parallel::race_on_workers(method, race_workers, race_count).await);
                    race_results.set(results.clone());
                }
                races_run.set(*races_run + 1);
                busy.set(None);
            });
        })
    };
    let status = match &*pool {
        Pool::Idle => html! {},
        Pool::NoWorkers => html! {
            <p class="notice" data-mode="single-thread">{ "This browser offers no web workers here, so everything runs on one thread and there is no parallel run to measure." }</p>
        },
        Pool::MessagePassing {
            workers,
            start_millis,
            ..
        } => html! {
            <div>
            <p class="status mode-badge" data-mode="message-passing" data-workers={workers.to_string()} data-pool-start-ms={format!("{start_millis:.1}")}>
                <strong>{ "Message passing" }</strong>
                { format!(": {workers} web worker{}, each with its own copy of the program and its own memory, started in {start_millis:.0} ms. This page is not cross-origin isolated (as in most course-site frames), so workers cannot share memory; chunks go out and results come back as messages.", if *workers == 1 { "" } else { "s" }) }
            </p>
                if web::isolation_on_reload() {
                    <p class="note" data-mode="reload-for-isolation">
                        { "This site sends no isolation headers, but Interleave's service worker can add them: " }
                        <button onclick={Callback::from(|_| web::reload())}>{ "Reload with shared memory" }</button>
                    </p>
                }
            </div>
        },
        Pool::Starting { workers } => {
            html! { <p class="status" data-mode="starting">{ format!("Starting {workers} web workers…") }</p> }
        }
        Pool::Ready {
            workers,
            start_millis,
        } => html! {
            <p class="status mode-badge" data-mode="isolated" data-workers={workers.to_string()} data-pool-start-ms={format!("{start_millis:.1}")}>
                <strong>{ "Shared memory" }</strong>
                { format!(": a pool of {workers} web worker{} sharing one wasm memory, started in {start_millis:.0} ms (the page is cross-origin isolated).", if *workers == 1 { "" } else { "s" }) }
            </p>
        },
        Pool::Failed(message) => {
            html! { <p class="notice error" data-mode="failed">{ format!("The worker pool could not start: {message}") }</p> }
        }
    };

    let ready = pool_workers.is_some();
    let isolated_link = url_state::page_url(&Fragment {
        route: Route::Parallel,
        ..Fragment::default()
    });
    let running = busy.is_some();
    // Paint while the workers fill the image only if a core is left over.
    let live_paint =
        matches!(*busy, Some(Busy::Kernel { workers }) if workers < web::hardware_concurrency());
    let on_kind = {
        let dispatch = dispatch.clone();
        Callback::from(move |event: Event| {
            let kind = form::select_value(&event).and_then(|value| {
                KernelKind::ALL
                    .into_iter()
                    .find(|kind| kind.title() == value)
            });
            if let Some(kind) = kind {
                dispatch.dispatch(Action::SetKind(kind));
            }
        })
    };
    let kinds = KernelKind::ALL.iter().map(|kind| {
        html! { <option value={kind.title()} selected={*kind == spec.kind}>{ kind.title() }</option> }
    });
    let size_label = match spec.kind {
        KernelKind::Mandelbrot => "image width (px)",
        KernelKind::Primes => "count primes below",
        KernelKind::HashChain => "items",
    };
    let (size_min, size_max) = match spec.kind {
        KernelKind::Mandelbrot => (16, 4096),
        _ => (100, 200_000_000),
    };

    // Results: computed in the core from the lab's runs.
    let runs = &lab.runs;
    let points = parallel_lab::points(runs);
    let fitted = parallel_lab::fitted(runs);
    let checksums_match = parallel_lab::checksums_match(runs);
    let explanation = parallel_lab::explain(runs, spec.serial_fraction);
    let weak_rows = lab.weak_rows();
    let trace: Option<Rc<Trace>> = last.as_ref().map(|run| Rc::new(run.to_trace()));
    // Parallel chunks each worker of the last run computed (the serial
    // part is not a chunk), for tests and readers.
    let worker_chunks = last
        .as_ref()
        .map(|run| {
            let mut counts = vec![0usize; run.workers];
            for record in run.records.iter().filter(|record| record.chunk.is_some()) {
                counts[record.worker] += 1;
            }
            counts
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();

    let race_rows = race_results.iter().map(|result| {
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
    let theirs = lab.theirs.as_ref().map(|theirs| {
        html! {
            <section class="theirs" aria-labelledby="theirs-title" data-testid="their-runs">
                <h3 id="theirs-title">{ format!("Shared with you: their runs ({})", theirs.machine.describe()) }</h3>
                <p class="comparison" data-testid="comparison">{ lab.comparison().unwrap_or_default() }</p>
                { speedup_table(&theirs.runs, theirs.spec.serial_fraction, "their-table") }
                <p class="note">{ "Measured on the sender's machine and carried in the link: read-only. Run or sweep here to set your machine beside theirs." }</p>
                <button onclick={dispatch.to_callback().reform(|_| Action::DismissTheirs)}>{ "Hide their runs" }</button>
            </section>
        }
    });
    let lab_state = SharedState::Parallel(lab.clone());
    let lab_state_file = lab_state.clone();

    html! {
        <section class="lab parallel-lab" id="parallel" aria-labelledby="parallel-title">
            <div class="lab-head">
                <h2 id="parallel-title">{ "Real parallelism" }</h2>
                <p class="lead">
                    { "Splitting CPU work over cores gives real speedup: here a kernel runs on real web workers of your own machine, on one and on several. " }
                    { "The serial part and the overheads (handing out chunks, imbalance, the idle tail) are why the speedup stays below the number of workers." }
                </p>
            </div>
            { status }
            <div class="parallel-controls" role="group" aria-label="Kernel settings">
                <label>{ "kernel " }<select onchange={on_kind} aria-label="Kernel" disabled={running}>{ for kinds }</select></label>
                <label>{ format!("{size_label} ") }
                    <NumberField value={spec.size} min={size_min} max={size_max} label="Kernel size"
                        on_change={set_spec.reform(move |size| KernelSpec { size, ..spec })} />
                </label>
                <label>{ "chunk " }
                    <NumberField value={spec.chunk} min={1} max={spec.items().max(1)} label="Items per chunk"
                        on_change={set_spec.reform(move |chunk| KernelSpec { chunk, ..spec })} />
                </label>
                <label>{ "hand-out " }
                    <select aria-label="Chunk hand-out" disabled={running}
                        onchange={{
                            let set_spec = set_spec.clone();
                            Callback::from(move |event: Event| {
                                let handout = if form::select_value(&event).as_deref() == Some("guided") { Handout::Guided } else { Handout::Fixed };
                                set_spec.emit(KernelSpec { handout, ..spec });
                            })
                        }}>
                        <option value="fixed" selected={spec.handout == Handout::Fixed}>{ "every chunk the same" }</option>
                        <option value="guided" selected={spec.handout == Handout::Guided}>{ "smaller toward the end" }</option>
                    </select>
                </label>
                <label>{ "serial part " }
                    <NumberField value={(spec.serial_fraction * 100.0).round() as u64} min={0} max={95} unit="%" label="Serial part, percent"
                        on_change={set_spec.reform(move |percent: u64| KernelSpec { serial_fraction: percent as f64 / 100.0, ..spec })} />
                </label>
                <label>{ "workers " }
                    <NumberField value={chosen_workers as u64} min={1} max={max_workers as u64} label="Workers"
                        on_change={act(|n| Action::SetWorkers(n as usize))} />
                    { format!(" of {max_workers}") }
                </label>
                if pool_size(web::hardware_concurrency()).1 {
                    <p class="note" data-testid="worker-ceiling">{ format!(
                        "This machine reports {} hardware threads; the lab starts at most {WORKER_CEILING} workers (each takes a thread stack from the page's shared memory).",
                        web::hardware_concurrency()
                    ) }</p>
                }
                <crate::app::share_dialog::ShareButton state={lab_state.clone()} at_start={lab_state}
                    title="Interleave: real parallelism"
                    note="The link holds the kernel, its settings and your measured runs: whoever opens it sees your runs beside their own. Nothing is stored on a server." />
                <crate::components::LabFile state={lab_state_file} />
            </div>
            if let Some(refused) = &state.refused {
                <p class="notice error" role="alert">{ refused.clone() }</p>
            }
            <div class="parallel-actions">
                <button class="primary" onclick={form::when_enabled(!(!ready || running), on_run)} aria-disabled={(!ready || running).to_string()}>{ format!("Run on {chosen_workers} worker{}", if chosen_workers == 1 { "" } else { "s" }) }</button>
                <button class="primary" onclick={form::when_enabled(!(!ready || running), on_sweep)} aria-disabled={(!ready || running).to_string()}>{ format!("Sweep 1 to {max_workers} workers") }</button>
                <button onclick={form::when_enabled(!(!ready || running || weak_refusal.is_some()), on_weak_sweep)} aria-disabled={(!ready || running || weak_refusal.is_some()).to_string()}
                    title="Grow the problem with the workers (the parallel part n times, the serial part as it is) and see whether the time stays flat">
                    { "Weak-scaling sweep" }
                </button>
                <button onclick={form::when_enabled(!(!matches!(*busy, Some(Busy::Kernel { .. }))), on_cancel)} aria-disabled={(!matches!(*busy, Some(Busy::Kernel { .. }))).to_string()}>{ "Cancel" }</button>
                if let Some(Busy::Kernel { workers }) = &*busy {
                    <span class="status" aria-live="polite">{ format!("Running on {workers} worker{}…", if *workers == 1 { "" } else { "s" }) }</span>
                }
                if last.as_ref().is_some_and(|run| run.cancelled) && busy.is_none() {
                    <span class="status cancelled" aria-live="polite">{ "Cancelled." }</span>
                }
            </div>
            <div class="parallel-results" data-sweeps={sweeps.to_string()} data-checksums-match={checksums_match.to_string()}>
                if spec.kind == KernelKind::Mandelbrot && ready {
                    <mandelbrot_canvas::MandelbrotCanvas image={(*image).clone()} width={spec.width()} height={spec.height()} running={running} live={live_paint} />
                    if matches!(*busy, Some(Busy::Kernel { .. })) && !live_paint {
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
                        <SpeedupChart points={points.clone()} max_workers={max_workers} serial_fraction={spec.serial_fraction} fitted={fitted}
                            prediction={parallel_lab::prediction(runs)} />
                        <div>
                            { speedup_table(runs, spec.serial_fraction, "own-table") }
                            <p class="note">{ format!("A sweep runs once on {max_workers} workers to warm up, then each worker count {SWEEP_REPEATS} times: the table shows the median run.") }</p>
                            <p class="checksums">{ if checksums_match { "The results are identical on every worker count." } else { "The results DIFFER between worker counts: this is a bug." } }</p>
                            if let Some(text) = explanation { <p class="explanation">{ text }</p> }
                        </div>
                    </div>
                }
                if let Some(refusal) = &weak_refusal {
                    <p class="note" data-testid="weak-refusal">{ format!("Weak scaling is off for this kernel: {refusal}.") }</p>
                }
                if !weak_rows.is_empty() {
                    <section class="weak-scaling" aria-labelledby="weak-title" data-testid="weak-scaling">
                        <h3 id="weak-title">{ "Weak scaling: the problem grows with the workers" }</h3>
                        <div class="speedup">
                        <SpeedupChart points={weak_rows.iter().map(|row| (row.workers, row.scaled_speedup)).collect::<Vec<_>>()}
                            max_workers={max_workers} serial_fraction={spec.serial_fraction} fitted={None::<f64>} gustafson=true />
                        <div class="table-scroll">
                            <table class="metrics reflow weak-table">
                                <thead><tr><th scope="col">{ "workers" }</th><th scope="col">{ "size" }</th><th scope="col">{ "time" }</th>
                                    <th scope="col" title="scaled speedup: the grown work per unit of time, against one worker on the original">{ "scaled" }</th>
                                    <th scope="col" title="Gustafson's law: s + n (1 − s)">{ "Gustafson" }</th></tr></thead>
                                <tbody>{ for weak_rows.iter().map(|row| html! {
                                    <tr data-workers={row.workers.to_string()} data-size={row.size.to_string()} data-gustafson={row.gustafson.to_string()}>
                                        <td data-label="workers">{ row.workers }</td><td data-label="size">{ row.size }</td><td data-label="time">{ format!("{:.0} ms", row.millis) }</td>
                                        <td data-label="scaled">{ format!("{:.2}×", row.scaled_speedup) }</td><td data-label="Gustafson">{ format!("{:.2}×", row.gustafson) }</td>
                                    </tr>
                                }) }</tbody>
                            </table>
                        </div>
                        </div>
                        if let Some(story) = lab.scaling_story() { <p class="explanation" data-testid="scaling-story">{ story }</p> }
                    </section>
                }
            </div>
            { for theirs }
            <section class="race" aria-labelledby="race-title" data-races={races_run.to_string()}>
                <h3 id="race-title">{ "A real race on shared memory" }</h3>
                <p>{ "Each worker adds 1 to one shared counter, many times. Reading the counter and then writing it back (two separate atomic steps, well-defined Rust) loses every increment another worker made in between; fetch_add and a mutex make the increment indivisible, and cost time." }</p>
                <div class="parallel-controls">
                    <label>{ "workers " }
                        <NumberField value={race_workers as u64} min={1} max={max_workers as u64} label="Race workers"
                            on_change={act(|n| Action::SetRaceWorkers(n as usize))} />
                    </label>
                    <label>{ "increments per worker " }
                        <NumberField value={lab.race_count} min={1} max={parallel_lab::MAX_RACE_COUNT} label="Increments per worker"
                            on_change={act(Action::SetRaceCount)} />
                    </label>
                    <button class="primary" onclick={form::when_enabled(!(!ready || running || !shared_memory), on_race)} aria-disabled={(!ready || running || !shared_memory).to_string()}>{ "Run the race" }</button>
                    if *busy == Some(Busy::Race) { <span class="status" aria-live="polite">{ "Racing…" }</span> }
                </div>
                if ready && !shared_memory {
                    <p class="notice" data-mode="race-off">
                        { "This demo needs memory shared between workers, which browsers allow only on cross-origin isolated pages, and this one is not. " }
                        <a href={isolated_link.clone()} target="_blank" rel="noopener">{ "Open it in a new tab" }</a>
                        { " (isolated there when the site sends the isolation headers)." }
                    </p>
                }
                if !race_results.is_empty() {
                    <div class="table-scroll">
                    <table class="metrics reflow race-table">
                        <thead><tr><th scope="col">{ "increment" }</th><th scope="col">{ "expected" }</th><th scope="col">{ "actual" }</th>
                            <th scope="col">{ "lost" }</th><th scope="col">{ "time" }</th><th scope="col">{ "all loops at once" }</th></tr></thead>
                        <tbody>{ for race_rows }</tbody>
                    </table>
                    </div>
                }
            </section>
        </section>
    }
}
