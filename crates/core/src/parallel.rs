//! The Parallel lab's computations: CPU-bound kernels split into chunks,
//! Amdahl's law, and a shared counter that races.
//!
//! Kernels are pure: the same spec gives the same checksum for any number
//! of workers and any chunk size. One scheduler (`schedule`) hands out the
//! chunks for every driver: the rayon pool (feature `parallel`), the
//! page's message-passing workers and a simulated clock; it records which
//! worker ran each chunk and when, on a clock the driver keeps (the core
//! reads no clock itself).

pub mod amdahl;
pub mod kernels;
pub mod lab;
#[cfg(feature = "parallel")]
pub mod race;
pub mod run;
pub mod schedule;

pub use kernels::{KernelKind, KernelSpec};
