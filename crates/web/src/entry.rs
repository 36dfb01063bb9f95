//! The module's exported entry points: `mount` (the page's loader,
//! `web/loader.js`, mounts the app with it) and, in the Models lab's
//! module, the Models-engine benchmark `scripts/bench.mjs` calls through
//! `window.wasmBindings`. The workers' `worker_request` and the other
//! engines' benchmarks are in the workers' own module (`crates/worker`).

use wasm_bindgen::prelude::*;

/// Mounts the app in `root` (an element the loader made for this module);
/// `worker_js` and `worker_wasm` are the URLs of the workers' module, the
/// one the lab's jobs run in. The app renders the routes of this module's
/// labs and nothing on the others', which the loader hands to their own
/// modules.
#[wasm_bindgen]
pub fn mount(root: web_sys::Element, worker_js: String, worker_wasm: String) {
    console_error_panic_hook::set_once();
    crate::workers::set_worker_urls(worker_js, worker_wasm);
    yew::Renderer::<crate::app::App>::with_root(root).render();
}

/// The Models-engine benchmark in wasm: the same work as the native
/// `interleave bench-models`, timed with `performance.now()`. Returns the
/// milliseconds of one run. Called by `scripts/bench.mjs` through
/// `window.wasmBindings`.
#[cfg(feature = "lab-models")]
#[wasm_bindgen]
pub fn bench_models(tasks: usize) -> f64 {
    use interleave_core::models::lab as models_lab;
    let scenario = models_lab::bench_workload(tasks);
    let configs = models_lab::ModelsLab::default().configs;
    let started = crate::web::performance_now();
    let work = models_lab::simulate_comparison(&scenario, &configs);
    let millis = crate::web::performance_now() - started;
    assert!(work > 0);
    millis
}
