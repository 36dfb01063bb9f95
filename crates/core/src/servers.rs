//! The Servers lab: how web servers' I/O concurrency models (multi-process,
//! multi-threaded, evented, hybrid) serve the same traffic.
//!
//! [`scenario`] reads the JSON, [`traffic`] draws the requests,
//! [`engine::simulate`] runs one model and gives [`engine::ServerMetrics`]
//! (and, when asked, a [`crate::Trace`] and the queue over time),
//! [`compare`] runs all four on the same requests, [`sweep`] measures p99
//! latency against offered load. [`queueing`] holds the M/M/1 and M/M/c
//! formulas the tests hold the engine to.

pub mod engine;
pub mod jobs;
pub mod lab;
pub mod presets;
pub mod queueing;
pub mod scenario;
pub mod traffic;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use engine::{Latency, Little, Outcome, QueuePoint, ServerMetrics, simulate};
pub use scenario::{ServerModel, ServersScenario};

/// Every model on the same requests, in [`ServerModel::ALL`] order.
pub fn compare(scenario: &ServersScenario) -> Vec<ServerMetrics> {
    let reqs = traffic::requests(scenario);
    ServerModel::ALL
        .iter()
        .map(|&model| engine::simulate_requests(scenario, model, &reqs, false).metrics)
        .collect()
}

/// One offered load of a sweep: what each model did, in [`ServerModel::ALL`] order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// Offered load, requests per second.
    pub rate: f64,
    pub models: Vec<SweepCell>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SweepCell {
    pub p99: f64,
    pub mean: f64,
    pub throughput: f64,
    pub rejected: u32,
    /// Answered late or dropped: the client gave up.
    pub timed_out: u32,
}

/// The most load points in one sweep.
pub const MAX_SWEEP_POINTS: usize = 100;

/// Load points in the page's sweep (and in a challenge's question of
/// which model breaks first, so the two agree).
pub const SWEEP_POINTS: usize = 20;

/// Whether a sweep of `a` holds for `b` too. A sweep runs every model at
/// every load, so which model is shown, and the scenario's name, do not
/// change it; anything else (traffic, settings, mix, limits) does.
pub fn same_sweep(a: &ServersScenario, b: &ServersScenario) -> bool {
    let mut a = a.clone();
    a.model = b.model;
    a.name.clone_from(&b.name);
    a == *b
}

/// `points` offered loads from `max_rate / points` to `max_rate`, each run
/// on every model with the scenario's traffic at that rate.
/// `progress(done, total)` is called after each run; returning `false`
/// stops the sweep early (the whole points so far are returned).
pub fn sweep(
    scenario: &ServersScenario,
    max_rate: f64,
    points: usize,
    mut progress: impl FnMut(usize, usize) -> bool,
) -> Vec<SweepPoint> {
    sweep_with_points(scenario, max_rate, points, |done, total, _| {
        progress(done, total)
    })
}

/// [`sweep`], also handing `progress` each load point as it completes, so
/// a caller that may stop the sweep (or lose it) keeps what was done.
pub fn sweep_with_points(
    scenario: &ServersScenario,
    max_rate: f64,
    points: usize,
    mut progress: impl FnMut(usize, usize, Option<&SweepPoint>) -> bool,
) -> Vec<SweepPoint> {
    let points = points.clamp(1, MAX_SWEEP_POINTS);
    let total = points * ServerModel::ALL.len();
    let mut done = 0;
    let mut out = Vec::with_capacity(points);
    for step in 1..=points {
        let at = scenario.at_rate(max_rate * step as f64 / points as f64);
        let reqs = traffic::requests(&at);
        let mut models = Vec::with_capacity(ServerModel::ALL.len());
        for model in ServerModel::ALL {
            let metrics = engine::simulate_requests(&at, model, &reqs, false).metrics;
            models.push(SweepCell {
                p99: metrics.latency.p99,
                mean: metrics.latency.mean,
                throughput: metrics.throughput,
                rejected: metrics.rejected,
                timed_out: metrics.timed_out,
            });
            done += 1;
            let point_done = models.len() == ServerModel::ALL.len();
            if !point_done && !progress(done, total, None) {
                return out;
            }
        }
        out.push(SweepPoint {
            rate: at.traffic.rate,
            models,
        });
        if !progress(done, total, out.last()) {
            return out;
        }
    }
    out
}

/// The lowest offered load of a sweep at which `model` refused or timed
/// out a request; `None` when it never failed within the sweep.
pub fn first_failing_rate(points: &[SweepPoint], model: ServerModel) -> Option<f64> {
    let idx = ServerModel::ALL.iter().position(|&m| m == model)?;
    points
        .iter()
        .find(|point| {
            point
                .models
                .get(idx)
                .is_some_and(|cell| cell.rejected + cell.timed_out > 0)
        })
        .map(|point| point.rate)
}

/// The sweep's default top load: 1.5 times the highest capacity among the
/// models (so every model's breaking point is on the chart), at least
/// the scenario's own rate, rounded up to a round number.
pub fn default_max_rate(scenario: &ServersScenario) -> f64 {
    let best = ServerModel::ALL
        .iter()
        .map(|&model| presets::capacity(scenario, model).0)
        .filter(|rate| rate.is_finite())
        .fold(0.0, f64::max);
    nice_ceil((best * 1.5).max(scenario.traffic.rate)).min(scenario::MAX_RATE)
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten at least `value`.
fn nice_ceil(value: f64) -> f64 {
    if !(value.is_finite() && value > 0.0) {
        return 1.0;
    }
    let decade = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|step| step * decade)
        .find(|candidate| *candidate >= value * (1.0 - 1e-12))
        .unwrap_or(10.0 * decade)
}

/// The bench's scenario: the long-I/O preset's mix with `requests`
/// requests per run (what `interleave bench-servers` and the wasm bench time).
pub fn bench_scenario(requests: u32) -> ServersScenario {
    let mut scenario = presets::Preset::by_id("long-io")
        .expect("the long-io preset")
        .scenario();
    scenario.traffic.requests = requests;
    scenario
}

/// The bench's top load.
pub fn bench_max_rate(scenario: &ServersScenario) -> f64 {
    default_max_rate(scenario)
}

/// One number summing a sweep, to compare native and wasm results.
pub fn sweep_checksum(points: &[SweepPoint]) -> f64 {
    points
        .iter()
        .flat_map(|point| &point.models)
        .map(|cell| cell.p99 + cell.throughput + cell.rejected as f64 + cell.timed_out as f64)
        .sum()
}
