//! The module's exported entry points: `start` (mounts the app) and the
//! Models-engine benchmark `scripts/bench.mjs` calls through
//! `window.wasmBindings`. The workers' `worker_request` and the other
//! engines' benchmarks are in the workers' own module (`crates/worker`).

use wasm_bindgen::prelude::*;

use crate::web::performance_now;

/// Mounts the app on the page; does nothing in a worker (the rayon pool's
/// workers load this module for its threads only).
pub fn start() {
    console_error_panic_hook::set_once();
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let root = document
        .get_element_by_id("app")
        .expect("index.html has an element with id=\"app\"");
    yew::Renderer::<crate::app::App>::with_root(root).render();
    register_service_worker();
}

/// Registers `sw.js`, which keeps the page working offline once loaded.
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let secure = window.is_secure_context();
    let navigator = window.navigator();
    if secure && js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        let _ = navigator.service_worker().register("./sw.js");
    }
}

/// The Models-engine benchmark in wasm: the same work as the native
/// `interleave bench-models`, timed with `performance.now()`. Returns the
/// milliseconds of one run. Called by `scripts/bench.mjs` through
/// `window.wasmBindings`.
#[wasm_bindgen]
pub fn bench_models(tasks: usize) -> f64 {
    use interleave_core::models::lab as models_lab;
    let scenario = models_lab::bench_workload(tasks);
    let configs = models_lab::ModelsLab::default().configs;
    let started = performance_now();
    let work = models_lab::simulate_comparison(&scenario, &configs);
    let millis = performance_now() - started;
    assert!(work > 0);
    millis
}
