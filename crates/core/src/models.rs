//! The Models lab: the same tasks on a synchronous and an asynchronous
//! server, on T threads and C cores.
//!
//! `task` is a task and its segments, `generator` the seeded workload
//! generator, `scenario` the workload format (tasks, the generator's
//! settings, models, limits), `engine` the discrete-event simulation of
//! both models, and `lab` the lab's state with its reducer, presets,
//! snapshot, narration and show-as-code. The modules depend one way:
//! `task` <- `generator` <- `scenario` <- `engine` <- `lab`.

pub mod engine;
pub mod generator;
pub mod lab;
pub mod scenario;
pub mod task;

pub use engine::simulate;
