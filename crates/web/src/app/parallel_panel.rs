//! The Parallel panel: starts the pool and measures real speedup.

use yew::prelude::*;

use interleave_core::parallel::kernels::{HASH_ROUNDS, KernelKind, KernelSpec};
use interleave_core::parallel::run::KernelRun;

use crate::parallel::{self, MAX_WORKERS};
use crate::web;

/// The worker pool: started once per page (wasm-bindgen-rayon builds one
/// global pool), so its state lives in the app, not in the panel.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Pool {
    /// Not asked for yet.
    #[default]
    Idle,
    /// The page is not cross-origin isolated: no shared memory.
    NotIsolated,
    Starting {
        workers: usize,
    },
    Ready {
        workers: usize,
        start_millis: f64,
    },
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Measurement {
    None,
    Running,
    Done { one: KernelRun, all: KernelRun },
}

#[derive(Debug, Properties, PartialEq)]
pub struct ParallelPanelProps {
    pub pool: UseStateHandle<Pool>,
}

#[function_component(ParallelPanel)]
pub fn parallel_panel(props: &ParallelPanelProps) -> Html {
    let pool = props.pool.clone();
    let measurement = use_state(|| Measurement::None);
    let runs_done = use_state(|| 0u32);

    {
        let pool = pool.clone();
        use_effect_with((), move |_| {
            if *pool == Pool::Idle && !web::cross_origin_isolated() {
                pool.set(Pool::NotIsolated);
            } else if *pool == Pool::Idle {
                let workers = web::hardware_concurrency().min(MAX_WORKERS);
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
            }
        });
    }

    let spec = KernelSpec::default_for(KernelKind::HashChain);
    let on_run = {
        let measurement = measurement.clone();
        let runs_done = runs_done.clone();
        let workers = match &*pool {
            Pool::Ready { workers, .. } => *workers,
            _ => 1,
        };
        Callback::from(move |_| {
            let measurement = measurement.clone();
            let runs_done = runs_done.clone();
            measurement.set(Measurement::Running);
            wasm_bindgen_futures::spawn_local(async move {
                let one = parallel::run_on_workers(spec, 1).await;
                let all = parallel::run_on_workers(spec, workers).await;
                measurement.set(Measurement::Done { one, all });
                runs_done.set(*runs_done + 1);
            });
        })
    };

    let status = match &*pool {
        Pool::NotIsolated => html! {
            <p class="notice" data-mode="not-isolated">
                { "This page is not cross-origin isolated, so it cannot share memory with web workers and the parallel run is off here; everything else on the page works." }
            </p>
        },
        Pool::Idle => html! {},
        Pool::Starting { workers } => html! {
            <p class="status" data-mode="starting">{ format!("Starting {workers} web workers…") }</p>
        },
        Pool::Ready {
            workers,
            start_millis,
        } => html! {
            <p class="status" data-mode="isolated" data-workers={workers.to_string()} data-pool-start-ms={format!("{start_millis:.1}")}>
                { format!("Shared-memory pool ready: {workers} web worker{} started in {start_millis:.0} ms.", if *workers == 1 { "" } else { "s" }) }
            </p>
        },
        Pool::Failed(message) => html! {
            <p class="notice error" data-mode="failed">{ format!("The worker pool could not start: {message}") }</p>
        },
    };

    let workers = match &*pool {
        Pool::Ready { workers, .. } => Some(*workers),
        _ => None,
    };
    let running = *measurement == Measurement::Running;
    let result = match (&*measurement, workers) {
        (Measurement::Done { one, all }, Some(workers)) => {
            let speedup = one.millis / all.millis.max(0.001);
            let same = one.checksum == all.checksum;
            html! {
                <dl class="parallel-result" data-runs={runs_done.to_string()}
                    data-one-ms={format!("{:.2}", one.millis)} data-all-ms={format!("{:.2}", all.millis)}
                    data-speedup={format!("{speedup:.3}")} data-checksums-match={same.to_string()}>
                    <dt>{ "1 worker" }</dt><dd>{ format!("{:.0} ms", one.millis) }</dd>
                    <dt>{ format!("{workers} workers") }</dt><dd>{ format!("{:.0} ms", all.millis) }</dd>
                    <dt>{ "speedup" }</dt><dd class="speedup">{ format!("{speedup:.2}×") }</dd>
                    <dt>{ "results" }</dt>
                    <dd>{ if same { "identical on 1 and on all workers".to_owned() } else { format!("DIFFER: {:016x} vs {:016x}", one.checksum, all.checksum) } }</dd>
                </dl>
            }
        }
        (Measurement::Running, _) => {
            html! { <p class="status" aria-live="polite">{ "Running on 1 worker, then on all…" }</p> }
        }
        _ => html! {},
    };

    html! {
        <section class="lab" id="parallel" aria-labelledby="parallel-title">
            <h2 id="parallel-title">{ "Real parallelism" }</h2>
            <p class="lead">
                { format!("A CPU-bound kernel ({} hash chains of {HASH_ROUNDS} rounds) runs on one web worker, then split over all of them. The speedup is measured on your machine, not simulated.", group_digits(spec.size)) }
            </p>
            { status }
            <button class="primary" onclick={on_run} disabled={workers.is_none() || running}>
                { if running { "Running…" } else { "Run on 1 and on all workers" } }
            </button>
            { result }
        </section>
    }
}

fn group_digits(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (idx, ch) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
