//! The Parallel lab's computations: CPU-bound kernels split into chunks,
//! Amdahl's law, and a shared counter that races.
//!
//! Kernels are pure: the same spec gives the same checksum for any number
//! of workers and any chunk size. The rayon driver (feature `parallel`)
//! records which worker ran each chunk and when, using a clock the caller
//! passes in (the core reads no clock itself).

pub mod amdahl;
pub mod kernels;
#[cfg(feature = "parallel")]
pub mod race;
#[cfg(feature = "parallel")]
pub mod run;

pub use kernels::{KernelKind, KernelSpec};
