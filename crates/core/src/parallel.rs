//! The Parallel lab's computations: CPU-bound kernels split into chunks,
//! Amdahl's law, and a shared counter that races.
//!
//! Kernels are pure: the same spec gives the same checksum for any number
//! of workers and any chunk size. One scheduler (`schedule`) hands out the
//! chunks for every driver: the threads of a rayon pool ([`threads`],
//! feature `rayon`), the page's message-passing workers ([`jobs`]) and a
//! simulated clock; it records which worker ran each chunk and when, on a
//! clock the driver keeps (the core reads no clock itself).

pub mod amdahl;
pub mod jobs;
pub mod kernels;
pub mod lab;
pub mod race;
pub mod run;
pub mod schedule;
#[cfg(feature = "rayon")]
pub mod threads;

pub use kernels::{KernelKind, KernelSpec};
