//! The Servers lab's shareable state and its one `apply` reducer.
//!
//! [`ServersLab`] is what a link or the autosave holds: the scenario, the
//! preset it came from, the sweep's top load, and the JSON text being
//! edited while it does not parse (so nothing typed is lost).

use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;
use crate::servers::presets::{PRESETS, Preset};
use crate::servers::scenario::{MAX_RATE, ServerModel, ServersScenario};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServersLab {
    pub scenario: ServersScenario,
    /// The preset the scenario came from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// The sweep's top offered load, requests per second; `None`: 1.5x the
    /// best model's capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep_max: Option<f64>,
    /// Scenario JSON being edited that does not parse yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<String>,
}

impl Default for ServersLab {
    fn default() -> Self {
        ServersLab::from_preset(&PRESETS[0])
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    LoadPreset(&'static str),
    /// Show this model's lanes.
    ShowModel(ServerModel),
    /// A new scenario from the form (checked before it is taken).
    Edit(ServersScenario),
    /// The JSON editor's text: taken when valid, kept as a draft when not.
    EditJson(String),
    /// Forget the draft and show the scenario's JSON again.
    DiscardDraft,
    SetSweepMax(Option<f64>),
}

impl ServersLab {
    pub fn from_preset(preset: &Preset) -> Self {
        ServersLab {
            scenario: preset.scenario(),
            preset: Some(preset.id.to_owned()),
            sweep_max: None,
            draft: None,
        }
    }

    /// Checks what a link can hold.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        self.scenario.validate().map_err(|mut error| {
            error.path = if error.path.is_empty() {
                "scenario".to_owned()
            } else {
                format!("scenario.{}", error.path)
            };
            error
        })?;
        if let Some(max) = self.sweep_max
            && !(max.is_finite() && max > 0.0 && max <= MAX_RATE)
        {
            return Err(ScenarioError::at_path(
                "sweep_max",
                format!("{max} is not a rate in (0, {MAX_RATE}]"),
            ));
        }
        Ok(())
    }

    /// The preset, when the scenario is still that preset's (any model shown).
    pub fn unchanged_preset(&self) -> Option<Preset> {
        let preset = Preset::by_id(self.preset.as_deref()?)?;
        let mut original = preset.scenario();
        original.model = self.scenario.model;
        (original == self.scenario).then_some(preset)
    }

    /// The text the JSON editor shows: the draft, else the scenario.
    pub fn json_text(&self) -> String {
        self.draft
            .clone()
            .unwrap_or_else(|| self.scenario.to_json())
    }

    /// The draft's problem, if there is a draft.
    pub fn draft_error(&self) -> Option<ScenarioError> {
        ServersScenario::from_json(self.draft.as_deref()?).err()
    }
}

/// The one reducer. An edit that is not valid changes nothing and returns
/// the error (the JSON text is kept as a draft).
pub fn apply(lab: &mut ServersLab, action: Action) -> Result<(), ScenarioError> {
    match action {
        Action::LoadPreset(id) => {
            let preset = Preset::by_id(id)
                .ok_or_else(|| ScenarioError::at_path("preset", format!("no preset {id:?}")))?;
            *lab = ServersLab::from_preset(&preset);
        }
        Action::ShowModel(model) => {
            lab.scenario.model = model;
            lab.draft = None;
        }
        Action::Edit(scenario) => {
            scenario.validate()?;
            lab.scenario = scenario;
            lab.draft = None;
        }
        Action::EditJson(text) => match ServersScenario::from_json(&text) {
            Ok(scenario) => {
                lab.scenario = scenario;
                lab.draft = None;
            }
            Err(error) => {
                lab.draft = Some(text);
                return Err(error);
            }
        },
        Action::DiscardDraft => lab.draft = None,
        Action::SetSweepMax(max) => {
            let before = lab.sweep_max;
            lab.sweep_max = max;
            if let Err(error) = lab.validate() {
                lab.sweep_max = before;
                return Err(error);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_json_edit_keeps_the_text_and_the_last_good_scenario() {
        let mut lab = ServersLab::default();
        let good = lab.scenario.clone();
        let error = apply(&mut lab, Action::EditJson("{\"lab\": \"servers\",".into())).unwrap_err();
        assert_eq!(error.line, Some(1));
        assert_eq!(lab.scenario, good);
        assert_eq!(lab.json_text(), "{\"lab\": \"servers\",");
        assert!(lab.draft_error().is_some());
        // Fixing it takes the new scenario and clears the draft.
        let mut fixed = good.clone();
        fixed.traffic.rate = 12.0;
        apply(&mut lab, Action::EditJson(fixed.to_json())).unwrap();
        assert_eq!(lab.scenario.traffic.rate, 12.0);
        assert_eq!(lab.draft, None);
    }

    #[test]
    fn an_invalid_form_edit_changes_nothing() {
        let mut lab = ServersLab::default();
        let before = lab.clone();
        let mut bad = lab.scenario.clone();
        bad.server.cores = 0;
        let error = apply(&mut lab, Action::Edit(bad)).unwrap_err();
        assert_eq!(error.path, "server.cores");
        assert_eq!(lab, before);
    }

    #[test]
    fn the_preset_counts_as_unchanged_whatever_model_is_shown() {
        let mut lab = ServersLab::default();
        apply(&mut lab, Action::ShowModel(ServerModel::Evented)).unwrap();
        assert!(lab.unchanged_preset().is_some());
        let mut edited = lab.scenario.clone();
        edited.traffic.rate = 5.0;
        apply(&mut lab, Action::Edit(edited)).unwrap();
        assert!(lab.unchanged_preset().is_none());
    }

    #[test]
    fn link_states_are_checked() {
        let lab = ServersLab {
            sweep_max: Some(-1.0),
            ..ServersLab::default()
        };
        assert_eq!(lab.validate().unwrap_err().path, "sweep_max");
        let mut lab = ServersLab::default();
        lab.scenario.traffic.requests = 0;
        assert_eq!(
            lab.validate().unwrap_err().path,
            "scenario.traffic.requests"
        );
    }
}
