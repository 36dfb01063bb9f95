//! Fuzzes the scenario-file parser: any bytes give a scenario or a located
//! error, never a panic; a parsed scenario simulates without panicking.
#![no_main]

use interleave_core::Scenario;
use interleave_core::models::simulate;
use interleave_core::scenario::Model;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(scenario) = Scenario::from_json(text) {
        // Keep runs short: only small workloads are simulated.
        if scenario.workload().len() <= 200 {
            let trace = simulate(&scenario, scenario.model);
            assert_eq!(trace.check_invariants(), Ok(()));
            let _ = simulate(&scenario, Model::asynchronous(2).on_cores(1));
        }
    }
});
