//! Real parallelism: the wasm-bindgen-rayon pool and kernel measurements.
//!
//! The page's main thread never blocks on the pool: work is handed over
//! with `rayon::spawn` and the result comes back on a oneshot channel that
//! the page awaits. Times are taken inside the pool thread.

use futures_channel::oneshot;
use interleave_core::kernel;
use rayon::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::web::performance_now;

/// The most workers the panel starts, whatever the browser reports.
pub const MAX_WORKERS: usize = 8;
/// Chunks the kernel's items are split into for the parallel run.
const CHUNKS: u64 = 256;

/// What one kernel run measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KernelRun {
    pub millis: f64,
    pub checksum: u64,
}

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

/// Runs the kernel on one pool thread, sequentially.
pub async fn run_on_one_worker(items: u64, rounds: u32) -> KernelRun {
    on_pool(move || {
        let started = performance_now();
        let checksum = kernel::checksum(0..items, rounds);
        KernelRun {
            millis: performance_now() - started,
            checksum,
        }
    })
    .await
}

/// Runs the kernel split in chunks over every pool thread.
pub async fn run_on_all_workers(items: u64, rounds: u32) -> KernelRun {
    on_pool(move || {
        let started = performance_now();
        let chunk = items.div_ceil(CHUNKS);
        let checksum = (0..CHUNKS)
            .into_par_iter()
            .map(|idx| {
                kernel::checksum(
                    (idx * chunk).min(items)..((idx + 1) * chunk).min(items),
                    rounds,
                )
            })
            .reduce(|| 0, kernel::combine);
        KernelRun {
            millis: performance_now() - started,
            checksum,
        }
    })
    .await
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
