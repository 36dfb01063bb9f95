//! Interleave's browser app: the Yew UI, browser glue and the worker pool.
//!
//! Rules live in `interleave_core`; this crate renders them and owns the
//! side effects (the pool, timers, the DOM). Browser bindings sit in
//! [`web`], a leaf; the exported entry points in [`entry`].

pub mod app;
pub mod components;
pub mod entry;
pub mod export;
pub mod url_state;
pub mod web;
pub mod workers;

pub use entry::mount;

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
