//! Interleave's core: scenarios, simulation engines, traces and metrics.
//!
//! Everything here is pure and deterministic: no clock, no I/O, no web
//! dependency. The same scenario gives the same trace natively and in wasm.
//! Data flows one way: [`scenario::Scenario`] -> [`models::simulate`] ->
//! [`trace::Trace`] -> [`metrics::Metrics`] and the views.

pub mod ascii;
pub mod error;
pub mod generator;
pub mod metrics;
pub mod models;
pub mod models_lab;
pub mod parallel;
pub mod parallel_lab;
pub mod perfetto;
pub mod protocol;
pub mod races;
pub mod races_lab;
pub mod scenario;
pub mod servers;
pub mod servers_lab;
pub mod share;
pub mod trace;

pub use error::ScenarioError;
pub use scenario::Scenario;
pub use trace::Trace;
