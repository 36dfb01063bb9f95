//! Real parallelism: the wasm-bindgen-rayon pool and kernel runs on it.
//!
//! The page's main thread never blocks on the pool: work is handed over
//! with `rayon::spawn` and the result comes back on a oneshot channel that
//! the page awaits. Times are taken inside the pool threads.

use futures_channel::oneshot;
use interleave_core::parallel::kernels::{KernelKind, KernelSpec};
use interleave_core::parallel::run::{KernelRun, run_kernel};
use wasm_bindgen_futures::JsFuture;

use crate::web::performance_now;

/// The most workers the panel starts, whatever the browser reports.
pub const MAX_WORKERS: usize = 8;

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

/// Runs `spec` on `workers` workers of the pool (at most the pool's size).
pub async fn run_on_workers(spec: KernelSpec, workers: usize) -> KernelRun {
    on_pool(move || {
        let pixels = if spec.kind == KernelKind::Mandelbrot {
            (spec.width() * spec.height()) as usize
        } else {
            0
        };
        let mut image = vec![0u16; pixels];
        run_kernel(&spec, workers, &mut image, &performance_now)
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
