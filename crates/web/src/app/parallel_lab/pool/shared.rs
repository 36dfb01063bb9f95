//! Real parallelism sharing memory: the wasm-bindgen-rayon pool and the
//! runs on it (cross-origin isolated pages).
//!
//! The page's main thread never blocks on the pool: work is handed over
//! with `rayon::spawn` and the result comes back on a oneshot channel that
//! the page awaits. Times are taken inside the pool threads on one shared
//! clock (`timeOrigin + now`, since each worker's `now` starts at its own
//! start); a run stops at
//! its next chunk when its cancel flag is set.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU16};

use futures_channel::oneshot;
use interleave_core::parallel::kernels::KernelSpec;
use interleave_core::parallel::race::{CounterMethod, RaceResult};
use interleave_core::parallel::run::KernelRun;
use interleave_core::parallel::threads::{RunControl, race, run_kernel};
use wasm_bindgen_futures::JsFuture;

use crate::web::{performance_now, shared_clock};

/// Starts the global pool with `workers` threads; returns how long it took.
pub async fn start_pool(workers: usize) -> Result<f64, String> {
    let started = performance_now();
    JsFuture::from(wasm_bindgen_rayon::init_thread_pool(workers))
        .await
        .map_err(|err| {
            js_sys::Reflect::get(&err, &"message".into())
                .ok()
                .and_then(|message| message.as_string())
                .unwrap_or_else(|| format!("{err:?}"))
        })?;
    Ok(performance_now() - started)
}

/// Runs `spec` on `workers` workers of the pool (at most the pool's size),
/// filling `image` as chunks finish.
pub async fn run_on_workers(
    spec: KernelSpec,
    workers: usize,
    image: Arc<Vec<AtomicU16>>,
    cancel: Arc<AtomicBool>,
) -> KernelRun {
    on_pool(move || {
        // Chunks are timed on several pool threads: one clock for all.
        let control = RunControl {
            clock: &shared_clock,
            cancel: &cancel,
        };
        run_kernel(&spec, workers, &image, control)
    })
    .await
}

/// The shared-counter race on `workers` workers of the pool.
pub async fn race_on_workers(method: CounterMethod, workers: usize, per_worker: u64) -> RaceResult {
    on_pool(move || race(method, workers, per_worker, &shared_clock)).await
}

/// Runs `work` on a pool thread and awaits its result without blocking.
async fn on_pool<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = oneshot::channel();
    rayon::spawn(move || {
        let _ = sender.send(work());
    });
    receiver
        .await
        .expect("the pool thread always sends a result")
}
