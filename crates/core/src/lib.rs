//! Interleave's core: scenarios, simulation engines, traces and metrics.
//!
//! Everything here is pure and deterministic: no clock, no I/O, no web
//! dependency. The same scenario gives the same trace natively and in wasm.
//! Data flows one way: [`Scenario`] -> [`models::simulate`] ->
//! [`trace::Trace`] -> [`metrics::Metrics`] and the views.
//!
//! One module tree per lab, each with its engine, its scenario format and
//! its lab state (`lab`: the state and its one `apply` reducer):
//! [`models`], [`servers`], [`races`], [`parallel`]; beside them what
//! they share: [`trace`], [`metrics`], [`share`], [`perfetto`],
//! [`protocol`], [`input`], [`ascii`], [`error`].

// The release wasm is built for size (opt-level "z", see
// .cargo/config.toml); the engines' functions (models/engine.rs,
// servers/engine.rs, races/{machine,schedule,explore}.rs, the kernels of
// parallel/kernels.rs) are marked
// `#[optimize(speed)]` there so that they keep full speed. Nightly only,
// hence wasm only: the native build and tests use stable.
#![cfg_attr(target_arch = "wasm32", feature(optimize_attribute))]

pub mod ascii;
pub mod error;
pub mod input;
pub mod metrics;
pub mod models;
pub mod parallel;
pub mod perfetto;
pub mod protocol;
pub mod races;
pub mod servers;
pub mod share;
pub mod trace;

pub use error::ScenarioError;
pub use models::scenario::Scenario;
pub use trace::Trace;
