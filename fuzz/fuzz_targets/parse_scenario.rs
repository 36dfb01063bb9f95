//! Fuzzes the scenario-file parsers (Models and Servers): any bytes give a
//! scenario or a located error, never a panic; a parsed scenario simulates
//! with valid traces (every task completes, no core busier than the run),
//! and a Servers run keeps Little's law.
#![no_main]

use interleave_core::Scenario;
use interleave_core::metrics::Metrics;
use interleave_core::models::simulate;
use interleave_core::models::scenario::Model;
use interleave_core::servers::{self, ServerModel, ServersScenario};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(scenario) = ServersScenario::from_json(text) {
        if scenario.traffic.requests <= 500 {
            for model in ServerModel::ALL {
                let outcome = servers::simulate(&scenario, model, true);
                let trace = outcome.trace.expect("recorded");
                assert_eq!(trace.check_invariants(), Ok(()));
                let little = outcome.metrics.little;
                let lambda_w = little.lambda * little.w_ms / 1000.0;
                assert!((little.l - lambda_w).abs() <= 1e-9 * little.l.max(1.0));
            }
        }
        return;
    }
    if let Ok(scenario) = Scenario::from_json(text) {
        // Keep runs short: only small workloads are simulated.
        if scenario.workload().len() <= 200 {
            for model in [scenario.model, Model::asynchronous(2).on_cores(1)] {
                let trace = simulate(&scenario, model);
                assert_eq!(trace.check_invariants(), Ok(()));
                // Every task completes, and no lane is busier than the run.
                let metrics = Metrics::of(&trace);
                assert_eq!(metrics.tasks.len(), scenario.workload().len());
                assert!(metrics.cpu_utilisation <= 1.0 + 1e-9, "{metrics:?}");
            }
        }
    }
});
