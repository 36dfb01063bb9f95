//! The module's exported entry points: `start` (mounts the app), the
//! workers' `worker_request`, and the benchmarks `scripts/bench.mjs` calls
//! through `window.wasmBindings`.

use interleave_core::protocol::{self, Answer, Reply, Request};
use wasm_bindgen::prelude::*;

use crate::web::{performance_now, shared_clock};

/// Mounts the app on the page; does nothing in a worker (workers load
/// this module for their jobs only).
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

/// A request of the worker protocol, for `web/worker.js`: decodes it, runs
/// its job (`interleave_core::protocol::answer`) and calls
/// `post(replyJSON, pixels)` for each reply: progress, then the answer or
/// a failure that says what is wrong. `pixels` is a Mandelbrot chunk's
/// iteration counts (a `Uint16Array` the worker transfers), else undefined.
#[wasm_bindgen]
pub fn worker_request(request: &str, post: &js_sys::Function) {
    let id = Request::id_of(request);
    let reply = |answer: Answer, pixels: &[u16]| {
        let pixels = if pixels.is_empty() {
            JsValue::UNDEFINED
        } else {
            js_sys::Uint16Array::from(pixels).into()
        };
        let json = Reply { id, answer }.to_json();
        let _ = post.call2(&JsValue::NULL, &json.into(), &pixels);
    };
    match Request::from_json(request) {
        Ok(request) => {
            let answered = protocol::answer(request.job, &shared_clock, &mut |progress| {
                reply(Answer::Progress(progress), &[])
            });
            reply(answered.answer, &answered.pixels);
        }
        Err(error) => reply(
            Answer::Failed {
                message: format!("the request: {error}"),
            },
            &[],
        ),
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

/// The Races-explorer benchmark in wasm: explores each bench case once
/// and returns `[{case, states, interleavings, ms}]`.
#[wasm_bindgen]
pub fn bench_races() -> String {
    use interleave_core::races::bench;
    let cases: Vec<serde_json::Value> = bench::cases()
        .into_iter()
        .map(|(name, source)| {
            let started = performance_now();
            let report = bench::explore_case(&source);
            let millis = performance_now() - started;
            serde_json::json!({
                "case": name,
                "states": report.states,
                "interleavings": report.interleavings,
                "ms": millis,
            })
        })
        .collect();
    serde_json::Value::Array(cases).to_string()
}

/// The Servers-sweep benchmark in wasm: the same work as the native
/// `interleave bench-servers` (points x 4 models x requests). Returns
/// `{ms, checksum}` as JSON.
#[wasm_bindgen]
pub fn bench_servers(requests: u32, points: u32) -> String {
    use interleave_core::servers;
    let scenario = servers::bench_scenario(requests);
    let max_rate = servers::bench_max_rate(&scenario);
    let started = performance_now();
    let result = servers::sweep(&scenario, max_rate, points as usize, |_, _| true);
    let millis = performance_now() - started;
    serde_json::json!({ "ms": millis, "checksum": servers::sweep_checksum(&result) }).to_string()
}
