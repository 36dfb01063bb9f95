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

    /// `performance.timeOrigin`: when this page or worker started, in ms
    /// since the epoch (each worker has its own).
    #[wasm_bindgen(thread_local_v2, js_namespace = performance, js_name = timeOrigin)]
    static TIME_ORIGIN: f64;

    /// The URL of this JS glue module, for workers that load it again.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static MAIN_JS: js_sys::JsString;

    /// `globalThis.crossOriginIsolated`, missing on old browsers.
    #[wasm_bindgen(thread_local_v2, js_name = crossOriginIsolated)]
    static CROSS_ORIGIN_ISOLATED: Option<bool>;
}

/// A clock that agrees across the page and its workers, in milliseconds:
/// `performance.now()` counts from each worker's own start, so times taken
/// on different pool threads are compared on `timeOrigin + now()`.
pub fn shared_clock() -> f64 {
    TIME_ORIGIN.with(|origin| *origin) + performance_now()
}

/// Whether the page may share memory with workers (COOP + COEP or DIP).
pub fn cross_origin_isolated() -> bool {
    CROSS_ORIGIN_ISOLATED.with(|value| value.unwrap_or(false))
}

/// Whether a reload would make this page cross-origin isolated: it is a
/// top-level page, not isolated now, and `sw.js` controls it (the service
/// worker adds the isolation headers to top-level page loads).
pub fn isolation_on_reload() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let top_level = window
        .top()
        .ok()
        .flatten()
        .is_some_and(|top| js_sys::Object::is(&top, &js_sys::global()));
    top_level
        && !cross_origin_isolated()
        && window.navigator().service_worker().controller().is_some()
}

pub fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

/// `navigator.hardwareConcurrency`, at least 1.
pub fn hardware_concurrency() -> usize {
    web_sys::window()
        .map(|window| window.navigator().hardware_concurrency() as usize)
        .unwrap_or(1)
        .max(1)
}

/// `navigator.userAgent`, or empty.
pub fn user_agent() -> String {
    web_sys::window()
        .and_then(|window| window.navigator().user_agent().ok())
        .unwrap_or_default()
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

/// A Races job's program and the state `schedule` (thread numbers) reaches
/// on it; else the `{"error": …}` JSON the job returns.
fn races_start(
    source: &str,
    schedule: Vec<u32>,
) -> Result<
    (
        std::rc::Rc<interleave_core::races::Program>,
        interleave_core::races::machine::State,
    ),
    String,
> {
    use interleave_core::races::{self, schedule as replay};
    let error = |err: interleave_core::ScenarioError| {
        serde_json::json!({ "error": err.to_string() }).to_string()
    };
    let program = std::rc::Rc::new(races::compile_source(source).map_err(error)?);
    let steps: Vec<usize> = schedule.into_iter().map(|thread| thread as usize).collect();
    let run = replay::replay(&program, &steps).map_err(error)?;
    let start = run.last().clone();
    Ok((program, start))
}

/// The Races explorer for `web/lab-worker.js`, which runs it in its own
/// wasm instance off the page's main thread. Replays `schedule` (thread
/// numbers) on `source`, explores every interleaving from there, calls
/// `progress(states, outcomes, shortening)` every ~100 ms, and returns the
/// report (or `{"error": …}`) as JSON.
#[wasm_bindgen]
pub fn races_explore(
    source: &str,
    schedule: Vec<u32>,
    reduction: bool,
    max_states: u32,
    progress: &js_sys::Function,
) -> String {
    use interleave_core::races::explore;
    let (program, start) = match races_start(source, schedule) {
        Ok(started) => started,
        Err(json) => return json,
    };
    let options = explore::Options {
        reduction,
        max_states: max_states as usize,
        ..explore::Options::default()
    };
    let mut explorer = explore::Explorer::new(program, start, options);
    let mut last = performance_now();
    while !explorer.run(2_000) {
        let now = performance_now();
        if now - last > 100.0 {
            last = now;
            let at = explorer.progress();
            let _ = progress.call3(
                &JsValue::NULL,
                &JsValue::from(at.states as f64),
                &JsValue::from(at.outcomes as f64),
                &JsValue::from(at.shortening),
            );
        }
    }
    serde_json::to_string(&explorer.report()).expect("reports serialise")
}

/// Random schedules (PCT) of a Races program for `web/lab-worker.js`, from
/// the state `schedule` reaches: `runs` runs with `seed` and bug depth
/// `depth`, calling `progress(tried, failing)` every ~100 ms; returns the
/// sample report (or `{"error": …}`) as JSON.
#[wasm_bindgen]
pub fn races_sample(
    source: &str,
    schedule: Vec<u32>,
    runs: u32,
    seed: u32,
    depth: u32,
    progress: &js_sys::Function,
) -> String {
    use interleave_core::races::sample::{SampleOptions, Sampler};
    let (program, start) = match races_start(source, schedule) {
        Ok(started) => started,
        Err(json) => return json,
    };
    let options = SampleOptions {
        runs: runs as u64,
        seed: seed as u64,
        depth,
    };
    let mut sampler = Sampler::new(program, start, options);
    let mut last = performance_now();
    while !sampler.run(50) {
        let now = performance_now();
        if now - last > 100.0 {
            last = now;
            let report = sampler.report();
            let _ = progress.call2(
                &JsValue::NULL,
                &JsValue::from(report.tried as f64),
                &JsValue::from(report.failing as f64),
            );
        }
    }
    serde_json::to_string(&sampler.report()).expect("reports serialise")
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

/// The URL of the app's JS glue module.
pub fn main_js_url() -> String {
    MAIN_JS.with(|url| String::from(url.clone()))
}

/// One chunk for a message-passing worker (`web/compute-worker.js`), which
/// has its own wasm instance: returns `{checksum, rows}` (the checksum as
/// hex, Mandelbrot rows as a Uint16Array, else null).
#[wasm_bindgen]
pub fn mp_run_items(
    kind: &str,
    size: f64,
    chunk: f64,
    serial: f64,
    start: f64,
    end: f64,
) -> JsValue {
    use interleave_core::parallel::kernels::{KernelKind, KernelSpec};
    let kind = KernelKind::ALL
        .into_iter()
        .find(|candidate| crate::parallel::kind_key(*candidate) == kind)
        .unwrap_or(KernelKind::HashChain);
    let spec = KernelSpec {
        kind,
        size: size as u64,
        chunk: chunk as u64,
        serial_fraction: serial,
    };
    let (start, end) = (start as u64, end as u64);
    let width = if kind == KernelKind::Mandelbrot {
        spec.width() as usize
    } else {
        0
    };
    let rows: Vec<std::sync::atomic::AtomicU16> = (0..(end - start) as usize * width)
        .map(|_| std::sync::atomic::AtomicU16::new(0))
        .collect();
    let checksum = spec.run_items(start..end, &rows);
    let result = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &result,
        &"checksum".into(),
        &format!("{checksum:016x}").into(),
    );
    let rows_js = if width > 0 {
        let plain: Vec<u16> = rows
            .iter()
            .map(|pixel| pixel.load(std::sync::atomic::Ordering::Relaxed))
            .collect();
        let array = js_sys::Uint16Array::new_with_length(plain.len() as u32);
        array.copy_from(&plain);
        JsValue::from(array)
    } else {
        JsValue::NULL
    };
    let _ = js_sys::Reflect::set(&result, &"rows".into(), &rows_js);
    result.into()
}

/// Mounts the app on the page; does nothing in a worker (message-passing
/// workers load this module for its kernels only).
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

/// The Servers lab's load sweep for `web/lab-worker.js`: `points` loads
/// up to `max_rate` on every model of `scenario` (JSON), calling
/// `progress(done, total, point)` after each run (`point`: the load point
/// just completed, as JSON, after its fourth model; else undefined), so a
/// cancelled sweep keeps its points; returns the points (or `{"error": …}`)
/// as JSON.
#[wasm_bindgen]
pub fn servers_sweep(
    scenario: &str,
    max_rate: f64,
    points: u32,
    progress: &js_sys::Function,
) -> String {
    use interleave_core::servers::{self, ServersScenario};
    let scenario = match ServersScenario::from_json(scenario) {
        Ok(scenario) => scenario,
        Err(err) => return serde_json::json!({ "error": err.to_string() }).to_string(),
    };
    let points = servers::sweep_with_points(
        &scenario,
        max_rate,
        points as usize,
        |done, total, point| {
            let point = point.map_or(JsValue::UNDEFINED, |point| {
                JsValue::from(serde_json::to_string(point).expect("points serialise"))
            });
            let _ = progress.call3(
                &JsValue::NULL,
                &JsValue::from(done as f64),
                &JsValue::from(total as f64),
                &point,
            );
            true
        },
    );
    serde_json::to_string(&points).expect("sweeps serialise")
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
