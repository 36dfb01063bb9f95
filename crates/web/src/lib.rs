//! Interleave's browser app: the Yew UI, browser glue and the worker pool.
//!
//! Rules live in `interleave_core`; this crate renders them and owns the
//! side effects (the pool, timers, the DOM). Browser bindings sit in
//! [`web`].

pub mod app;
pub mod components;
pub mod export;
pub mod message_pool;
pub mod parallel;
pub mod url_state;
pub mod web;
pub mod worker_job;

pub use web::start;

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
