//! Browser bindings: the JS imports and small helpers every other file
//! uses (clocks, isolation, the navigator). A leaf: it imports nothing of
//! this crate. The exported entry points live in `entry`.

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

/// Whether a media query matches now (false where it cannot be asked).
fn media_matches(query: &str) -> bool {
    web_sys::window()
        .and_then(|window| window.match_media(query).ok().flatten())
        .is_some_and(|list| list.matches())
}

/// Whether the user asks for less motion (`prefers-reduced-motion`).
pub fn reduced_motion() -> bool {
    media_matches("(prefers-reduced-motion: reduce)")
}
