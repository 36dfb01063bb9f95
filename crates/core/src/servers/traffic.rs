//! The requests of a run: arrival times and each request's type, CPU and
//! I/O time, drawn from the scenario's seed. The same scenario gives the
//! same requests natively and in wasm (PCG; rand_distr on libm).
//!
//! Each request draws its random numbers in a fixed order from unit
//! distributions that are then scaled by the rate, so a sweep over rates
//! sees the same requests, only closer together or further apart.

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp1};
use rand_pcg::Pcg64Mcg;

use super::scenario::{ArrivalPattern, Millis, RandomMillis, ServersScenario};

/// Microseconds: the engine's clock.
pub type Micros = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub arrival: Micros,
    /// Index into the scenario's mix.
    pub kind: u8,
    pub cpu: Micros,
    pub io: Micros,
}

#[cfg_attr(target_arch = "wasm32", optimize(speed))]
pub fn micros(ms: f64) -> Micros {
    (ms * 1000.0).round().max(0.0) as Micros
}

#[cfg_attr(target_arch = "wasm32", optimize(speed))]
fn sample(duration: Millis, rng: &mut Pcg64Mcg) -> Micros {
    match duration {
        Millis::Fixed(ms) => micros(ms),
        Millis::Random(RandomMillis::Exponential(mean)) => {
            let unit: f64 = Exp1.sample(rng);
            micros(unit * mean)
        }
        Millis::Random(RandomMillis::Uniform([lo, hi])) => {
            let unit: f64 = rng.random();
            micros(lo + unit * (hi - lo))
        }
    }
}

/// Every request of the run, in arrival order.
#[cfg_attr(target_arch = "wasm32", optimize(speed))]
pub fn requests(scenario: &ServersScenario) -> Vec<Request> {
    let traffic = &scenario.traffic;
    let mut rng = Pcg64Mcg::seed_from_u64(traffic.seed);
    let total_weight: f64 = scenario.mix.iter().map(|kind| kind.weight).sum();
    let gap_us = 1e6 / traffic.rate;
    let burst = traffic.burst.max(1) as usize;
    let mut clock = 0.0f64;
    (0..traffic.requests as usize)
        .map(|idx| {
            let arrival = match traffic.arrival {
                ArrivalPattern::Constant => idx as f64 * gap_us,
                ArrivalPattern::Poisson => {
                    let unit: f64 = Exp1.sample(&mut rng);
                    clock += unit * gap_us;
                    clock
                }
                ArrivalPattern::Bursts => (idx / burst) as f64 * burst as f64 * gap_us,
            };
            let mut pick = rng.random::<f64>() * total_weight;
            let mut kind = scenario.mix.len() - 1;
            for (type_idx, request_type) in scenario.mix.iter().enumerate() {
                if pick < request_type.weight {
                    kind = type_idx;
                    break;
                }
                pick -= request_type.weight;
            }
            let request_type = &scenario.mix[kind];
            let cpu = sample(request_type.cpu_ms, &mut rng);
            let io = sample(request_type.io_ms, &mut rng);
            Request {
                arrival: arrival.round() as Micros,
                kind: kind as u8,
                cpu,
                io,
            }
        })
        .collect()
}
