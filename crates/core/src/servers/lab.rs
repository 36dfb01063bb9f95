//! The Servers lab's shareable state and its one `apply` reducer.
//!
//! [`ServersLab`] is what a link or the autosave holds: the scenario, the
//! preset it came from, the sweep's top load, and the JSON text being
//! edited while it does not parse (so nothing typed is lost).

pub mod checks;
pub mod narration;

use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;
use crate::labs::{Lab, LabId, LabSession};
use crate::servers::presets::{PRESETS, Preset};
use crate::servers::scenario::{
    ArrivalPattern, Balancer, MAX_RATE, Millis, RandomMillis, RequestType, ServerModel,
    ServersScenario,
};
use crate::trace::{Time, Window};

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
    /// The time cursor on the run drawn, in µs; none before one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Time>,
    /// The part of the run in view, in µs; none shows all of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoom: Option<(Time, Time)>,
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
    /// One change from the form, made to the scenario as it is when the
    /// action is applied (so two quick edits both count), checked before
    /// it is taken.
    Set(Edit),
    /// The JSON editor's text: taken when valid, kept as a draft when not.
    EditJson(String),
    /// Forget the draft and show the scenario's JSON again.
    DiscardDraft,
    SetSweepMax(Option<f64>),
    /// Puts the time cursor on the run drawn (µs); zoomed in, the view
    /// pans with it.
    SetCursor(Time),
    /// Zooms the view of the run, which ends at `end`, by `factor` (< 1
    /// zooms in) around `center`; never narrower than a millisecond.
    Zoom {
        center: Time,
        factor: f64,
        end: Time,
    },
    ZoomFit,
}

/// The form's edits: one field each, or a request type added or removed.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    Processes(u32),
    Threads(u32),
    Offload(u32),
    Cores(u32),
    Gil(bool),
    Balancer(Balancer),
    Arrival(ArrivalPattern),
    Rate(f64),
    Requests(u32),
    Burst(u32),
    Seed(u64),
    /// A backlog limit, or none.
    Backlog(Option<u32>),
    /// A timeout in ms, or none.
    Timeout(Option<f64>),
    ProcessMb(f64),
    ThreadMb(f64),
    ConnectionKb(f64),
    /// A new request type: "request N", 5 ms CPU, 50 ms I/O, weight 1.
    AddRequestType,
    RemoveRequestType(usize),
    RequestName(usize, String),
    RequestWeight(usize, f64),
    /// A request type's mean CPU (`io: false`) or I/O time, keeping
    /// whether it is fixed or exponential.
    RequestMean {
        idx: usize,
        io: bool,
        mean: f64,
    },
    /// Whether that time is exponential with its mean, or fixed.
    RequestRandom {
        idx: usize,
        io: bool,
        exponential: bool,
    },
}

/// Makes `edit` on `scenario`; an index that does not exist is an error.
fn edit(scenario: &mut ServersScenario, edit: Edit) -> Result<(), ScenarioError> {
    let count = scenario.mix.len();
    let missing = |idx: usize| {
        ScenarioError::at_path(
            format!("mix[{idx}]"),
            format!("no request type at index {idx} (the mix has {count})"),
        )
    };
    match edit {
        Edit::Processes(n) => scenario.server.processes = n,
        Edit::Threads(n) => scenario.server.threads = n,
        Edit::Offload(n) => scenario.server.offload = n,
        Edit::Cores(n) => scenario.server.cores = n,
        Edit::Gil(on) => scenario.server.gil = on,
        Edit::Balancer(balancer) => scenario.server.balancer = balancer,
        Edit::Arrival(arrival) => scenario.traffic.arrival = arrival,
        Edit::Rate(rate) => scenario.traffic.rate = rate,
        Edit::Requests(n) => scenario.traffic.requests = n,
        Edit::Burst(n) => scenario.traffic.burst = n,
        Edit::Seed(seed) => scenario.traffic.seed = seed,
        Edit::Backlog(limit) => scenario.backlog = limit,
        Edit::Timeout(ms) => scenario.timeout_ms = ms,
        Edit::ProcessMb(mb) => scenario.memory.process_mb = mb,
        Edit::ThreadMb(mb) => scenario.memory.thread_mb = mb,
        Edit::ConnectionKb(kb) => scenario.memory.connection_kb = kb,
        Edit::AddRequestType => scenario.mix.push(RequestType {
            name: format!("request {}", count + 1),
            weight: 1.0,
            cpu_ms: Millis::Fixed(5.0),
            io_ms: Millis::Fixed(50.0),
        }),
        Edit::RemoveRequestType(idx) => {
            if idx >= count {
                return Err(missing(idx));
            }
            scenario.mix.remove(idx);
        }
        Edit::RequestName(idx, name) => {
            scenario.mix.get_mut(idx).ok_or_else(|| missing(idx))?.name = name
        }
        Edit::RequestWeight(idx, weight) => {
            scenario
                .mix
                .get_mut(idx)
                .ok_or_else(|| missing(idx))?
                .weight = weight
        }
        Edit::RequestMean { idx, io, mean } => {
            let slot = request_time(scenario, idx, io).ok_or_else(|| missing(idx))?;
            *slot = match *slot {
                // An exponential time keeps a positive mean.
                Millis::Random(RandomMillis::Exponential(_)) => {
                    Millis::Random(RandomMillis::Exponential(mean.max(0.001)))
                }
                _ => Millis::Fixed(mean),
            };
        }
        Edit::RequestRandom {
            idx,
            io,
            exponential,
        } => {
            let slot = request_time(scenario, idx, io).ok_or_else(|| missing(idx))?;
            let mean = slot.mean();
            *slot = if exponential && mean > 0.0 {
                Millis::Random(RandomMillis::Exponential(mean))
            } else {
                Millis::Fixed(mean)
            };
        }
    }
    Ok(())
}

/// Request type `idx`'s CPU (`io: false`) or I/O time.
fn request_time(scenario: &mut ServersScenario, idx: usize, io: bool) -> Option<&mut Millis> {
    let kind = scenario.mix.get_mut(idx)?;
    Some(if io {
        &mut kind.io_ms
    } else {
        &mut kind.cpu_ms
    })
}

impl ServersLab {
    pub fn from_preset(preset: &Preset) -> Self {
        ServersLab {
            scenario: preset.scenario(),
            preset: Some(preset.id.to_owned()),
            sweep_max: None,
            draft: None,
            cursor: None,
            zoom: None,
        }
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

impl Lab for ServersLab {
    const ID: LabId = LabId::Servers;

    /// The run as it starts: no cursor, the whole of it in view.
    fn at_start(&self) -> Option<Self> {
        Some(ServersLab {
            cursor: None,
            zoom: None,
            ..self.clone()
        })
    }

    /// Checks what a link can hold.
    fn validate(&self) -> Result<(), ScenarioError> {
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
        if let Some((from, to)) = self.zoom
            && from >= to
        {
            return Err(ScenarioError::at_path(
                "zoom",
                format!("the view {from}..{to} µs is empty"),
            ));
        }
        Ok(())
    }
}

/// The Servers page's session is its lab: what it shows follows from the
/// scenario alone.
impl LabSession for ServersLab {
    type Lab = ServersLab;
    type Action = Action;

    fn open(lab: ServersLab) -> ServersLab {
        lab
    }

    fn lab(&self) -> &ServersLab {
        self
    }

    fn apply(&mut self, action: Action) -> Result<(), ScenarioError> {
        apply(self, action)
    }

    /// Every action changes what the link holds (the model shown too).
    fn is_edit(_: &Action) -> bool {
        true
    }
}

/// The narrowest view of a run: a millisecond.
pub const MIN_ZOOM_MICROS: Time = 1_000;

impl ServersLab {
    /// Another run is drawn: its cursor and view start afresh.
    fn new_run(&mut self) {
        self.cursor = None;
        self.zoom = None;
    }
}

/// The one reducer, with the shape every lab's has: applies `action`, or
/// refuses it, leaving `lab` as it was, with an error that says why. A
/// JSON text that does not parse is kept as the draft (nothing typed is
/// lost); [`ServersLab::draft_error`] says what is wrong with it.
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
            lab.new_run();
        }
        Action::Set(change) => {
            let mut scenario = lab.scenario.clone();
            edit(&mut scenario, change)?;
            scenario.validate()?;
            lab.scenario = scenario;
            lab.draft = None;
            lab.new_run();
        }
        // Text that does not parse is kept as the draft, not refused:
        // nothing typed is lost, and `draft_error` says what is wrong.
        Action::EditJson(text) => match ServersScenario::from_json(&text) {
            Ok(scenario) => {
                if scenario != lab.scenario {
                    lab.new_run();
                }
                lab.scenario = scenario;
                lab.draft = None;
            }
            Err(_) => lab.draft = Some(text),
        },
        Action::SetCursor(time) => {
            lab.cursor = Some(time);
            lab.zoom = lab.zoom.map(|(from, to)| {
                let window = Window { from, to }.follow(time);
                (window.from, window.to)
            });
        }
        Action::Zoom {
            center,
            factor,
            end,
        } => lab.zoom = Window::or_whole(lab.zoom, end).zoom(end, center, factor, MIN_ZOOM_MICROS),
        Action::ZoomFit => lab.zoom = None,
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
    fn a_link_keeps_the_cursor_and_the_view_until_another_run_is_drawn() {
        let mut lab = ServersLab::default();
        apply(
            &mut lab,
            Action::Zoom {
                center: 500_000,
                factor: 0.1,
                end: 2_000_000,
            },
        )
        .unwrap();
        let (from, to) = lab.zoom.unwrap();
        assert!(to - from <= 200_001, "{from}..{to}");
        apply(&mut lab, Action::SetCursor(1_900_000)).unwrap();
        let (from, to) = lab.zoom.unwrap();
        assert!(
            (from..=to).contains(&1_900_000),
            "the view pans with the cursor: {from}..{to}"
        );
        let link = crate::share::encode(&lab);
        assert_eq!(crate::share::decode::<ServersLab>(&link), Ok(lab.clone()));
        apply(&mut lab, Action::ShowModel(ServerModel::Evented)).unwrap();
        assert_eq!(
            (lab.cursor, lab.zoom),
            (None, None),
            "another run starts afresh"
        );
        let bad = ServersLab {
            zoom: Some((5, 5)),
            ..ServersLab::default()
        };
        assert_eq!(bad.validate().unwrap_err().path, "zoom");
    }

    #[test]
    fn a_bad_json_edit_keeps_the_text_and_the_last_good_scenario() {
        let mut lab = ServersLab::default();
        let good = lab.scenario.clone();
        apply(&mut lab, Action::EditJson("{\"lab\": \"servers\",".into())).unwrap();
        assert_eq!(lab.draft_error().unwrap().line, Some(1));
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
        let error = apply(&mut lab, Action::Set(Edit::Cores(0))).unwrap_err();
        assert_eq!(error.path, "server.cores");
        assert_eq!(lab, before);
        let error = apply(&mut lab, Action::Set(Edit::RequestWeight(9, 1.0))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "mix[9]: no request type at index 9 (the mix has 2)"
        );
        assert_eq!(lab, before);
    }

    #[test]
    fn the_preset_counts_as_unchanged_whatever_model_is_shown() {
        let mut lab = ServersLab::default();
        apply(&mut lab, Action::ShowModel(ServerModel::Evented)).unwrap();
        assert!(lab.unchanged_preset().is_some());
        apply(&mut lab, Action::Set(Edit::Rate(5.0))).unwrap();
        assert!(lab.unchanged_preset().is_none());
    }

    #[test]
    fn form_edits_apply_to_the_scenario_as_it_is_so_quick_edits_all_count() {
        let mut lab = ServersLab::default();
        // Two edits dispatched before the page re-renders: both are kept.
        apply(&mut lab, Action::Set(Edit::Rate(7.0))).unwrap();
        apply(&mut lab, Action::Set(Edit::Threads(3))).unwrap();
        assert_eq!(
            (lab.scenario.traffic.rate, lab.scenario.server.threads),
            (7.0, 3)
        );
        let types = lab.scenario.mix.len();
        apply(&mut lab, Action::Set(Edit::AddRequestType)).unwrap();
        let added = &lab.scenario.mix[types];
        assert_eq!(added.name, format!("request {}", types + 1));
        assert_eq!(
            (added.cpu_ms, added.io_ms, added.weight),
            (Millis::Fixed(5.0), Millis::Fixed(50.0), 1.0)
        );
        let random = |exponential| Edit::RequestRandom {
            idx: types,
            io: true,
            exponential,
        };
        apply(&mut lab, Action::Set(random(true))).unwrap();
        apply(
            &mut lab,
            Action::Set(Edit::RequestMean {
                idx: types,
                io: true,
                mean: 80.0,
            }),
        )
        .unwrap();
        assert_eq!(
            lab.scenario.mix[types].io_ms,
            Millis::Random(RandomMillis::Exponential(80.0))
        );
        apply(&mut lab, Action::Set(random(false))).unwrap();
        assert_eq!(lab.scenario.mix[types].io_ms, Millis::Fixed(80.0));
        apply(&mut lab, Action::Set(Edit::RemoveRequestType(types))).unwrap();
        assert_eq!(lab.scenario.mix.len(), types);
        // The last request type cannot go: the scenario would be invalid.
        while lab.scenario.mix.len() > 1 {
            apply(&mut lab, Action::Set(Edit::RemoveRequestType(0))).unwrap();
        }
        assert!(apply(&mut lab, Action::Set(Edit::RemoveRequestType(0))).is_err());
        assert_eq!(lab.scenario.mix.len(), 1);
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
