//! The built-in presets are also golden scenario files in `tests/data/`,
//! run by the CLI's golden runner under the lab's default comparison.
//! This test keeps the files equal to the presets; `UPDATE_EXPECT=1`
//! rewrites them.

use std::path::Path;

use interleave_core::Scenario;
use interleave_core::models::lab::presets::PRESETS;

#[test]
fn every_preset_has_an_identical_golden_scenario_file() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    for preset in &PRESETS {
        let dir = data.join(format!("preset-{}", preset.id));
        let expected = preset.scenario();
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("scenario.json"), expected.to_json() + "\n").unwrap();
            std::fs::write(dir.join("args"), "--model sync:1,sync:4,async:1,async:4\n").unwrap();
            continue;
        }
        let text = std::fs::read_to_string(dir.join("scenario.json"))
            .unwrap_or_else(|err| panic!("{}: {err} (UPDATE_EXPECT=1 writes it)", dir.display()));
        assert_eq!(
            Scenario::from_json(&text).unwrap(),
            expected,
            "{} differs from its preset",
            dir.display()
        );
    }
}
