//! The module Interleave's web workers load (`web/worker.js`): the worker
//! protocol's jobs and nothing of the page. The page's own module has no
//! Races explorer, liveness search, random schedules or Servers sweep in
//! it; they run only here, so the page loads less and each job still runs
//! the engines built for speed (see ARCHITECTURE.md, "A module per lab").
//!
//! Trunk builds this binary as a worker asset (`index.html`): the glue is
//! `interleave_worker.js` and the module `interleave_worker_bg.wasm`,
//! next to the page's.

use interleave_core::labs::LabId;
use interleave_core::parallel::jobs::ParallelJobs;
use interleave_core::protocol;
use interleave_core::races::jobs::RacesJobs;
use interleave_core::servers::jobs::ServersJobs;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;

    #[wasm_bindgen(thread_local_v2, js_namespace = performance, js_name = timeOrigin)]
    static TIME_ORIGIN: f64;
}

/// The page's shared clock: `performance.now()` counts from each worker's
/// own start, so times from different workers are compared on
/// `timeOrigin + now()`.
fn shared_clock() -> f64 {
    TIME_ORIGIN.with(|origin| *origin) + performance_now()
}

/// Workers call the exports; there is nothing to start.
fn main() {}

/// A request of the worker protocol, for `web/worker.js`: reads which
/// lab's job it is, runs it with that lab's jobs (`Jobs`) and calls
/// `post(replyJSON, pixels)` for each reply: progress, then the result or
/// a failure that says what is wrong. `pixels` is a Mandelbrot chunk's
/// iteration counts (a `Uint16Array` the worker transfers), else
/// undefined.
#[wasm_bindgen]
pub fn worker_request(request: &str, post: &js_sys::Function) {
    let mut post = |json: String, pixels: &[u16]| {
        let pixels = if pixels.is_empty() {
            JsValue::UNDEFINED
        } else {
            js_sys::Uint16Array::from(pixels).into()
        };
        let _ = post.call2(&JsValue::NULL, &json.into(), &pixels);
    };
    // The labs whose jobs run in workers.
    match protocol::head(request) {
        Ok((_, LabId::Races)) => protocol::serve::<RacesJobs>(request, &shared_clock, &mut post),
        Ok((_, LabId::Servers)) => {
            protocol::serve::<ServersJobs>(request, &shared_clock, &mut post)
        }
        Ok((_, LabId::Parallel)) => {
            protocol::serve::<ParallelJobs>(request, &shared_clock, &mut post)
        }
        Ok((id, lab @ (LabId::Models | LabId::EventLoop))) => protocol::refuse(
            id,
            &format!("{} runs no jobs in workers", lab.the_lab()),
            &mut post,
        ),
        Err((id, message)) => protocol::refuse(id, &message, &mut post),
    }
}

/// The Races-explorer benchmark in wasm: explores each bench case once
/// and returns `[{case, states, interleavings, ms}]`. Called by
/// `scripts/bench.mjs`, which loads this module in the page.
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
