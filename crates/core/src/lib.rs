//! Interleave's core: scenarios, simulation engines, traces and metrics.
//!
//! Everything here is pure and deterministic: no clock, no I/O, no web
//! dependency. The same scenario gives the same trace natively and in wasm.
//! Data flows one way: [`Scenario`] -> [`models::simulate`] ->
//! [`trace::Trace`] -> [`metrics::Metrics`] and the views.
//!
//! One module tree per lab, each with its engine, its scenario format and
//! its lab state (`lab`: the state and its one `apply` reducer):
//! [`models`], [`servers`], [`races`], [`parallel`], listed once in
//! [`labs`]; beside them what they share: [`trace`], [`metrics`],
//! [`share`], [`perfetto`], [`protocol`], [`input`], [`ascii`], [`count`], [`glossary`],
//! [`error`].
// The page's module builds this crate for size (opt-level "z", see
// .cargo/config.toml); the engines that run on the page's thread or its
// pool (the Models and Servers engines, traces, metrics, the kernels) are
// marked `#[optimize(speed)]` there so they keep their speed. Native and
// stable builds ignore the mark.
#![cfg_attr(target_arch = "wasm32", feature(optimize_attribute))]

pub mod ascii;
pub mod challenges;
pub mod count;
pub mod error;
pub mod eventloop;
pub mod glossary;
pub mod input;
pub mod labs;
pub mod metrics;
pub mod models;
pub mod parallel;
pub mod perfetto;
pub mod protocol;
pub mod races;
pub mod servers;
pub mod sets;
pub mod share;
pub mod trace;

pub use error::ScenarioError;
pub use models::scenario::Scenario;
pub use trace::Trace;
