//! The one place for browser glue: start-up, panic hook, JS imports.

use wasm_bindgen::prelude::*;

// Compile-time guard: a wasm build without atomics would load as a
// single-threaded app and fail later with "not a shared typed array".
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
compile_error!("interleave_web must be built with +atomics (see .cargo/config.toml)");

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: works on the page and in workers alike.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    pub fn performance_now() -> f64;

    /// `globalThis.crossOriginIsolated`, missing on old browsers.
    #[wasm_bindgen(thread_local_v2, js_name = crossOriginIsolated)]
    static CROSS_ORIGIN_ISOLATED: Option<bool>;
}

/// Whether the page may share memory with workers (COOP + COEP or DIP).
pub fn cross_origin_isolated() -> bool {
    CROSS_ORIGIN_ISOLATED.with(|value| value.unwrap_or(false))
}

/// `navigator.hardwareConcurrency`, at least 1.
pub fn hardware_concurrency() -> usize {
    web_sys::window()
        .map(|window| window.navigator().hardware_concurrency() as usize)
        .unwrap_or(1)
        .max(1)
}

/// The Models-engine benchmark in wasm: the same work as the native
/// `interleave bench-models`, timed with `performance.now()`. Returns the
/// milliseconds of one run. Called by `scripts/bench.mjs` through
/// `window.wasmBindings`.
#[wasm_bindgen]
pub fn bench_models(tasks: usize) -> f64 {
    use interleave_core::models_lab;
    let scenario = models_lab::bench_workload(tasks);
    let configs = models_lab::ModelsLab::default().configs;
    let started = performance_now();
    let work = models_lab::simulate_comparison(&scenario, &configs);
    let millis = performance_now() - started;
    assert!(work > 0);
    millis
}

/// Mounts the app on the page.
pub fn start() {
    console_error_panic_hook::set_once();
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("app"))
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
