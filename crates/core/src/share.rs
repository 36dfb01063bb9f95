//! Share links: the full state of a lab in the URL fragment.
//!
//! A link looks like `#/models?s=v1.<payload>&embed&autoplay`. The payload
//! is the lab state as JSON, deflated (miniz_oxide) and base64url-encoded
//! without padding. `v1` links decode forever: a later format gets `v2`
//! and a migration from `v1`. Everything here is pure string logic.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::error::ScenarioError;
use crate::models::lab::ModelsLab;
use crate::parallel::lab::ParallelLab;
use crate::races::lab::RacesLab;
use crate::servers::lab::ServersLab;

/// The format written today.
pub const VERSION: u32 = 1;
/// Links longer than this are refused before any decoding.
pub const MAX_LINK_CHARS: usize = 100_000;
/// The most JSON a link may inflate to (a guard against zip bombs).
pub const MAX_STATE_BYTES: usize = 2 << 20;
/// Above this many characters a link may break in mail and chat: the page
/// warns and offers the JSON file instead.
pub const LONG_LINK_CHARS: usize = 2_000;

/// What a link can hold: one lab's full state. A variant is there with
/// its lab's feature (`lab-models`, ...; all by default): a lab's wasm
/// module reads and checks its own lab's links and files only, and hands
/// another lab's file to that lab's module ([`file_route`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SharedState {
    #[cfg(feature = "lab-models")]
    Models(ModelsLab),
    #[cfg(feature = "lab-races")]
    Races(RacesLab),
    #[cfg(feature = "lab-servers")]
    Servers(ServersLab),
    #[cfg(feature = "lab-parallel")]
    Parallel(ParallelLab),
}

#[cfg(not(any(
    feature = "lab-models",
    feature = "lab-races",
    feature = "lab-servers",
    feature = "lab-parallel"
)))]
compile_error!(
    "interleave_core needs at least one lab feature (lab-models, lab-races, lab-servers, lab-parallel or all-labs)"
);

/// A lab's state type, named as links and files name it: `{"races":
/// {...}}`. Whatever features are on, any lab's state can be packed into a
/// link ([`encode_lab`]), as the home page's examples are.
pub trait LabState: Serialize {
    /// The lab's name in links and files, as [`SharedState`] spells it.
    const NAME: &'static str;
    /// The lab's page.
    const ROUTE: Route;
}

impl LabState for ModelsLab {
    const NAME: &'static str = "models";
    const ROUTE: Route = Route::Models;
}

impl LabState for RacesLab {
    const NAME: &'static str = "races";
    const ROUTE: Route = Route::Races;
}

impl LabState for ServersLab {
    const NAME: &'static str = "servers";
    const ROUTE: Route = Route::Servers;
}

impl LabState for ParallelLab {
    const NAME: &'static str = "parallel";
    const ROUTE: Route = Route::Parallel;
}

impl SharedState {
    pub fn route(&self) -> Route {
        match self {
            #[cfg(feature = "lab-models")]
            SharedState::Models(_) => Route::Models,
            #[cfg(feature = "lab-races")]
            SharedState::Races(_) => Route::Races,
            #[cfg(feature = "lab-servers")]
            SharedState::Servers(_) => Route::Servers,
            #[cfg(feature = "lab-parallel")]
            SharedState::Parallel(_) => Route::Parallel,
        }
    }

    /// What the page's address holds: the state, less the Parallel lab's
    /// own runs (a reload would show them as somebody else's; the autosave
    /// keeps them, and the Share dialog's link carries them on purpose).
    pub fn for_address(&self) -> SharedState {
        match self {
            #[cfg(feature = "lab-parallel")]
            SharedState::Parallel(lab) => SharedState::Parallel(ParallelLab {
                runs: Vec::new(),
                weak: Vec::new(),
                machine: None,
                ..lab.clone()
            }),
            #[allow(unreachable_patterns)]
            other => other.clone(),
        }
    }
}

/// Why a link could not be opened. Shown to the user as is.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkError {
    /// Not `v<N>.<payload>`.
    Malformed,
    /// Made by a newer Interleave than this one.
    FutureVersion(u32),
    TooLong(usize),
    /// The payload is not base64url: cut or changed when copied.
    Damaged,
    /// The payload decodes but does not inflate.
    Corrupt,
    /// The state inflates past [`MAX_STATE_BYTES`].
    TooLarge,
    /// The state is well-formed data but not a valid lab.
    Invalid(ScenarioError),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::Malformed => write!(
                f,
                "this link's state is not in a format Interleave knows (expected v1.…)"
            ),
            LinkError::FutureVersion(version) => write!(
                f,
                "this link was made by a newer version of Interleave (format v{version}; this page reads up to v{VERSION}): reload the page to update it"
            ),
            LinkError::TooLong(chars) => write!(
                f,
                "this link is too long ({chars} characters; the limit is {MAX_LINK_CHARS})"
            ),
            LinkError::Damaged => write!(
                f,
                "this link is damaged: part of it was probably cut off or changed when it was copied"
            ),
            LinkError::Corrupt => write!(
                f,
                "this link is damaged: its data does not unpack (it may be cut off)"
            ),
            LinkError::TooLarge => write!(
                f,
                "this link unpacks to more than {} MiB of data and was not opened",
                MAX_STATE_BYTES >> 20
            ),
            LinkError::Invalid(error) => write!(f, "this link's scenario is not valid: {error}"),
        }
    }
}

impl std::error::Error for LinkError {}

/// `v1.<payload>` for `state`.
pub fn encode(state: &SharedState) -> String {
    pack(&serde_json::to_vec(state).expect("lab states always serialise"))
}

/// `v1.<payload>` for one lab's state: the link [`encode`] makes of it as
/// a [`SharedState`] (the same JSON, `{"races": {...}}`), for a lab whose
/// variant this build may not have.
pub fn encode_lab<L: LabState>(lab: &L) -> String {
    struct Named<'a, L>(&'a L);
    impl<L: LabState> Serialize for Named<'_, L> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(1))?;
            map.serialize_entry(L::NAME, self.0)?;
            map.end()
        }
    }
    pack(&serde_json::to_vec(&Named(lab)).expect("lab states always serialise"))
}

fn pack(json: &[u8]) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(json, 9);
    format!("v{VERSION}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// Reads a `v<N>.<payload>` string back into a checked lab state.
pub fn decode(text: &str) -> Result<SharedState, LinkError> {
    if text.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLong(text.len()));
    }
    let (version, payload) = text.split_once('.').ok_or(LinkError::Malformed)?;
    let version: u32 = version
        .strip_prefix('v')
        .and_then(|digits| digits.parse().ok())
        .ok_or(LinkError::Malformed)?;
    match version {
        1 => decode_v1(payload),
        newer if newer > VERSION => Err(LinkError::FutureVersion(newer)),
        _ => Err(LinkError::Malformed),
    }
}

fn decode_v1(payload: &str) -> Result<SharedState, LinkError> {
    let packed = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| LinkError::Damaged)?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_STATE_BYTES)
        .map_err(|err| {
            if matches!(err.status, miniz_oxide::inflate::TINFLStatus::HasMoreOutput) {
                LinkError::TooLarge
            } else {
                LinkError::Corrupt
            }
        })?;
    let json = String::from_utf8(json).map_err(|_| LinkError::Corrupt)?;
    // A place in the link's hidden JSON means nothing to its reader: the
    // field path says where.
    let state: SharedState = crate::input::read_checked_json(&json).map_err(|mut error| {
        error.line = None;
        error.column = None;
        LinkError::Invalid(error)
    })?;
    state.validate().map_err(LinkError::Invalid)?;
    Ok(state)
}

impl SharedState {
    /// Checks a lab read from outside (a link, a file).
    pub fn validate(&self) -> Result<(), ScenarioError> {
        match self {
            #[cfg(feature = "lab-models")]
            SharedState::Models(lab) => lab.validate(),
            #[cfg(feature = "lab-races")]
            SharedState::Races(lab) => lab.validate(),
            #[cfg(feature = "lab-servers")]
            SharedState::Servers(lab) => lab.validate(),
            #[cfg(feature = "lab-parallel")]
            SharedState::Parallel(lab) => lab.validate(),
        }
    }

    /// `models`, as the lab is named in files and links.
    pub fn lab_name(&self) -> &'static str {
        match self {
            #[cfg(feature = "lab-models")]
            SharedState::Models(_) => ModelsLab::NAME,
            #[cfg(feature = "lab-races")]
            SharedState::Races(_) => RacesLab::NAME,
            #[cfg(feature = "lab-servers")]
            SharedState::Servers(_) => ServersLab::NAME,
            #[cfg(feature = "lab-parallel")]
            SharedState::Parallel(_) => ParallelLab::NAME,
        }
    }
}

/// What a lab file says it is: `interleave-lab/1`.
pub const FILE_FORMAT: &str = "interleave-lab/1";

/// A lab saved as a file: `{"format": "interleave-lab/1", "state":
/// {"races": {...}}}`, the same state a link packs, readable.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabFile {
    format: String,
    state: SharedState,
}

/// `state` as a lab file (pretty JSON).
pub fn to_file(state: &SharedState) -> String {
    let file = LabFile {
        format: FILE_FORMAT.to_owned(),
        state: state.clone(),
    };
    serde_json::to_string_pretty(&file).expect("lab states always serialise")
}

/// Reads a lab file back: refused past [`MAX_STATE_BYTES`] before any
/// parsing; errors name the line, column and field.
pub fn from_file(text: &str) -> Result<SharedState, ScenarioError> {
    if text.len() > MAX_STATE_BYTES {
        return Err(ScenarioError::at_path(
            "",
            format!(
                "the file is {} bytes; a lab file is at most {MAX_STATE_BYTES}",
                text.len()
            ),
        ));
    }
    // The same reader as scenario files: located errors, character
    // columns, nothing after the document.
    let file: LabFile = crate::input::parse_json(text, |_| None)?;
    if file.format != FILE_FORMAT {
        let newer = file
            .format
            .strip_prefix("interleave-lab/")
            .and_then(|version| version.parse::<u32>().ok())
            .is_some_and(|version| version > 1);
        return Err(ScenarioError::at_path(
            "format",
            if newer {
                format!(
                    "{:?} was written by a newer Interleave: reload the page to update it",
                    file.format
                )
            } else {
                format!(
                    "{:?} is not an Interleave lab file (expected {FILE_FORMAT:?})",
                    file.format
                )
            },
        ));
    }
    let name = file.state.lab_name();
    file.state
        .validate()
        .map_err(|err| err.within(&format!("state.{name}")))?;
    Ok(file.state)
}

/// The lab a lab file holds (the one name under `state`), read without
/// checking the rest: `None` when the text is not such a file, which
/// [`from_file`] then says. A lab's module hands another lab's file to
/// that lab, whose module reads and checks it.
pub fn file_route(text: &str) -> Option<Route> {
    if text.len() > MAX_STATE_BYTES {
        return None;
    }
    let tree: serde_json::Value = serde_json::from_str(text).ok()?;
    let state = tree.get("state")?.as_object()?;
    let (name, _) = state.iter().next().filter(|_| state.len() == 1)?;
    [
        (ModelsLab::NAME, Route::Models),
        (RacesLab::NAME, Route::Races),
        (ServersLab::NAME, Route::Servers),
        (ParallelLab::NAME, Route::Parallel),
    ]
    .into_iter()
    .find(|(lab, _)| lab == name)
    .map(|(_, route)| route)
}

/// Where a lab's opening state came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Link,
    Autosave,
    Default,
}

/// A lab's opening state and any problem to tell the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened<T = ModelsLab> {
    pub lab: T,
    pub source: Source,
    /// Why a link or the autosave could not be used, in plain words.
    pub problem: Option<String>,
}

/// Chooses the Models lab's opening state: a valid link first, else the
/// autosaved work, else the default. A bad link never replaces the
/// autosave: the page shows the autosaved work and says what was wrong.
#[cfg(feature = "lab-models")]
pub fn open_models(link: Option<&str>, autosave: Option<&str>) -> Opened<ModelsLab> {
    open_lab(link, autosave, |state| match state {
        SharedState::Models(lab) => Some(lab),
        #[allow(unreachable_patterns)]
        _ => None,
    })
}

/// The same choice for the Races lab.
#[cfg(feature = "lab-races")]
pub fn open_races(link: Option<&str>, autosave: Option<&str>) -> Opened<RacesLab> {
    open_lab(link, autosave, |state| match state {
        SharedState::Races(lab) => Some(lab),
        #[allow(unreachable_patterns)]
        _ => None,
    })
}

/// The same choice for the Servers lab.
#[cfg(feature = "lab-servers")]
pub fn open_servers(link: Option<&str>, autosave: Option<&str>) -> Opened<ServersLab> {
    open_lab(link, autosave, |state| match state {
        SharedState::Servers(lab) => Some(lab),
        #[allow(unreachable_patterns)]
        _ => None,
    })
}

/// The same choice for the Parallel lab. Runs in a link are the
/// sender's: the visitor sees them as theirs ([`ParallelLab::received`]),
/// except that this browser's own runs of the same kernel, from its
/// autosave, stay its own (a reload, or a link without runs).
#[cfg(feature = "lab-parallel")]
pub fn open_parallel(link: Option<&str>, autosave: Option<&str>) -> Opened<ParallelLab> {
    let pick = |state| match state {
        SharedState::Parallel(lab) => Some(lab),
        #[allow(unreachable_patterns)]
        _ => None,
    };
    let mut opened = open_lab(link, autosave, pick);
    if opened.source == Source::Link {
        opened.lab = opened.lab.received();
        let saved = autosave.and_then(|text| decode(text).ok()).and_then(pick);
        if let Some(saved) = saved
            && saved.spec == opened.lab.spec
        {
            opened.lab.runs = saved.runs;
            opened.lab.machine = saved.machine;
        }
    }
    opened
}

fn open_lab<T: Default>(
    link: Option<&str>,
    autosave: Option<&str>,
    pick: impl Fn(SharedState) -> Option<T>,
) -> Opened<T> {
    let mut problem = None;
    let read = |text: &str| -> Result<T, String> {
        match decode(text) {
            Ok(state) => pick(state).ok_or_else(|| "it holds another lab's state".to_owned()),
            Err(error) => Err(error.to_string()),
        }
    };
    if let Some(link) = link {
        match read(link) {
            Ok(lab) => {
                return Opened {
                    lab,
                    source: Source::Link,
                    problem: None,
                };
            }
            Err(error) => problem = Some(format!("The link could not be opened: {error}.")),
        }
    }
    if let Some(saved) = autosave {
        match read(saved) {
            Ok(lab) => {
                let problem = problem
                    .map(|problem| format!("{problem} Showing your autosaved work instead."));
                return Opened {
                    lab,
                    source: Source::Autosave,
                    problem,
                };
            }
            Err(error) => {
                let note = format!("Your autosaved work could not be read ({error}).");
                problem = Some(match problem {
                    Some(problem) => format!("{problem} {note}"),
                    None => note,
                });
            }
        }
    }
    let problem = problem.map(|problem| format!("{problem} Showing the default scenario."));
    Opened {
        lab: T::default(),
        source: Source::Default,
        problem,
    }
}

/// The page a fragment points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Route {
    #[default]
    Home,
    Models,
    Servers,
    Races,
    Parallel,
}

impl Route {
    pub fn path(self) -> &'static str {
        match self {
            Route::Home => "/",
            Route::Models => "/models",
            Route::Servers => "/servers",
            Route::Races => "/races",
            Route::Parallel => "/parallel",
        }
    }
}

/// A colour theme a link asks for (`&theme=dark`), so an embed matches
/// the course site around it; without one the page follows the system's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// Everything the fragment says:
/// `#/models?s=v1.…&embed&autoplay&theme=dark`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fragment {
    pub route: Route,
    /// The encoded state (`v1.…`), not yet decoded.
    pub state: Option<String>,
    pub embed: bool,
    pub autoplay: bool,
    /// Light or dark forced by the link; `None` follows the system.
    pub theme: Option<Theme>,
    /// A `theme=` value that is neither `light` nor `dark`, kept for the
    /// message that says the system's theme is used instead.
    pub unknown_theme: Option<String>,
    /// A path this page does not know, kept for the error message.
    pub unknown_route: Option<String>,
}

impl Fragment {
    pub fn parse(fragment: &str) -> Fragment {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let (path, query) = fragment.split_once('?').unwrap_or((fragment, ""));
        let mut parsed = Fragment::default();
        match path.trim_end_matches('/') {
            "" => parsed.route = Route::Home,
            "/models" => parsed.route = Route::Models,
            "/servers" => parsed.route = Route::Servers,
            "/races" => parsed.route = Route::Races,
            "/parallel" => parsed.route = Route::Parallel,
            // In-page anchors from before routes existed.
            "models" => parsed.route = Route::Models,
            "parallel" => parsed.route = Route::Parallel,
            other => parsed.unknown_route = Some(other.to_owned()),
        }
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "s" => parsed.state = Some(value.to_owned()),
                "embed" => parsed.embed = value != "0",
                "autoplay" => parsed.autoplay = value != "0",
                "theme" => match value {
                    "light" => parsed.theme = Some(Theme::Light),
                    "dark" => parsed.theme = Some(Theme::Dark),
                    other => parsed.unknown_theme = Some(other.chars().take(40).collect()),
                },
                _ => {}
            }
        }
        parsed
    }

    /// `#/models?s=…&embed` (base64url needs no escaping).
    pub fn to_hash(&self) -> String {
        let mut out = format!("#{}", self.route.path());
        let mut params = Vec::new();
        if let Some(state) = &self.state {
            params.push(format!("s={state}"));
        }
        if self.embed {
            params.push("embed".to_owned());
        }
        if self.autoplay {
            params.push("autoplay".to_owned());
        }
        if let Some(theme) = self.theme {
            params.push(format!("theme={}", theme.name()));
        }
        if !params.is_empty() {
            out.push('?');
            out.push_str(&params.join("&"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::models::lab::{Action, apply, presets::PRESETS};
    use crate::models::scenario::Model;

    /// A link saved when v1 shipped. It must open, unchanged, forever.
    const SAVED_V1_LINK: &str = include_str!("../tests/links/v1-three-requests.txt");

    #[test]
    fn a_saved_v1_servers_link_still_opens() {
        let saved = include_str!("../tests/links/v1-servers-cpu-heavy.txt").trim();
        let Ok(SharedState::Servers(lab)) = decode(saved) else {
            panic!("the saved Servers link no longer opens");
        };
        assert_eq!(lab.preset.as_deref(), Some("cpu-heavy"));
        assert_eq!(lab.scenario.model, crate::servers::ServerModel::Evented);
        assert!(lab.unchanged_preset().is_some());
        assert_eq!(Fragment::parse("#/servers?s=x").route, Route::Servers);
    }

    /// The Parallel lab of the saved v1 link: primes, a 5 % serial part,
    /// runs on 1, 2 and 4 workers of an 8-core machine.
    fn saved_parallel_lab() -> ParallelLab {
        use crate::parallel::kernels::{KernelKind, KernelSpec};
        use crate::parallel::lab::{Action, Machine, Measured, PoolMode, apply};
        let mut lab = ParallelLab::default();
        let spec = KernelSpec {
            serial_fraction: 0.05,
            ..KernelSpec::default_for(KernelKind::Primes)
        };
        let machine = Machine {
            cores: 8,
            browser: "Chrome 131".to_owned(),
            mode: PoolMode::SharedMemory,
        };
        for action in [
            Action::SetSpec(spec),
            Action::SetWorkers(4),
            Action::SetMachine(machine),
        ] {
            apply(&mut lab, action).unwrap();
        }
        for (workers, millis) in [(1, 812.5), (2, 431.25), (4, 240.0)] {
            let run = Measured {
                workers,
                millis,
                checksum: 216_816,
                busy: vec![millis * 0.9; workers],
                idle_tail: 3.5,
            };
            apply(&mut lab, Action::Measured { spec, run }).unwrap();
        }
        lab
    }

    #[test]
    fn a_saved_v1_parallel_link_still_opens_with_the_senders_runs_as_theirs() {
        let expected = saved_parallel_lab();
        let link = include_str!("../tests/links/v1-parallel-runs.txt").trim();
        if std::env::var_os("UPDATE_EXPECT").is_some() && decode(link).is_err() {
            panic!(
                "never rewrite a saved link: {}",
                encode(&SharedState::Parallel(expected))
            );
        }
        assert_eq!(decode(link), Ok(SharedState::Parallel(expected.clone())));
        // Opened, the runs are the sender's; this browser has none yet.
        let opened = open_parallel(Some(link), None);
        assert_eq!(opened.source, Source::Link);
        assert!(opened.lab.runs.is_empty());
        let theirs = opened.lab.theirs.as_ref().unwrap();
        assert_eq!((theirs.runs.len(), theirs.machine.cores), (3, 8));
        assert_eq!(
            opened.lab.comparison().unwrap(),
            "Their 8 cores (Chrome 131, shared memory): 3.39× on 4 workers."
        );
        assert_eq!(Fragment::parse("#/parallel?s=x").route, Route::Parallel);
    }

    #[test]
    fn this_browsers_own_parallel_runs_stay_its_own_across_a_reload() {
        let mine = saved_parallel_lab();
        let saved = encode(&SharedState::Parallel(mine.clone()));
        // The address holds the settings without the runs; the autosave
        // has the runs of the same kernel: they are this browser's.
        let address = encode(&SharedState::Parallel(mine.clone()).for_address());
        let opened = open_parallel(Some(&address), Some(&saved));
        assert_eq!(opened.lab, mine);
        // A link to another kernel keeps none of them.
        let mut other = mine.clone();
        crate::parallel::lab::apply(
            &mut other,
            crate::parallel::lab::Action::SetSpec(crate::parallel::kernels::KernelSpec {
                chunk: 1000,
                ..mine.spec
            }),
        )
        .unwrap();
        let link = encode(&SharedState::Parallel(other).for_address());
        let opened = open_parallel(Some(&link), Some(&saved));
        assert!(opened.lab.runs.is_empty() && opened.lab.theirs.is_none());
        // A bad runs list in a link is refused, naming the field.
        let mut bad = mine;
        bad.runs[0].busy.clear();
        assert_eq!(
            decode(&encode(&SharedState::Parallel(bad)))
                .unwrap_err()
                .to_string(),
            "this link's scenario is not valid: runs[0].busy: expected 1 finite, non-negative times, one per worker"
        );
    }

    #[test]
    fn lab_files_round_trip_and_bad_ones_say_where() {
        let state = SharedState::Parallel(saved_parallel_lab());
        let text = to_file(&state);
        assert!(
            text.starts_with(
                "{\n  \"format\": \"interleave-lab/1\",\n  \"state\": {\n    \"parallel\""
            ),
            "{text}"
        );
        assert_eq!(from_file(&text), Ok(state.clone()));
        let races = SharedState::Races(RacesLab::default());
        assert_eq!(from_file(&to_file(&races)), Ok(races));
        let error = |text: &str| from_file(text).unwrap_err().to_string();
        assert_eq!(
            error(&text.replace("\"workers\": 4", "\"workers\": 0")),
            "state.parallel.workers: 0 workers is outside 1..=256"
        );
        assert_eq!(
            error(&text.replace("interleave-lab/1", "interleave-lab/2")),
            "format: \"interleave-lab/2\" was written by a newer Interleave: reload the page to update it"
        );
        assert_eq!(
            error("{\"format\": \"interleave-lab/1\", \"state\": {\"chess\": {}}}"),
            "1:41 state: unknown variant `chess`, expected one of `models`, `races`, `servers`, `parallel`"
        );
        assert!(
            error("{\"format\": ").starts_with("1:11"),
            "{}",
            error("{\"format\": ")
        );
        assert_eq!(
            error(&" ".repeat(MAX_STATE_BYTES + 1)),
            format!(
                "the file is {} bytes; a lab file is at most {MAX_STATE_BYTES}",
                MAX_STATE_BYTES + 1
            )
        );
    }

    #[test]
    fn a_saved_v1_link_still_opens() {
        let mut expected = ModelsLab::default();
        apply(&mut expected, Action::SetCursor(25)).unwrap();
        apply(&mut expected, Action::SelectConfig(2)).unwrap();
        apply(
            &mut expected,
            Action::SetConfig(1, Model::sync(4).on_cores(2)),
        )
        .unwrap();
        let link = SAVED_V1_LINK.trim();
        if std::env::var_os("UPDATE_EXPECT").is_some() && decode(link).is_err() {
            panic!(
                "never rewrite a saved link: {}",
                encode(&SharedState::Models(expected))
            );
        }
        assert_eq!(decode(link), Ok(SharedState::Models(expected)));
    }

    #[test]
    fn typical_links_are_short() {
        for preset in &PRESETS {
            let lab = ModelsLab::with_scenario(preset.scenario());
            let link = Fragment {
                route: Route::Models,
                state: Some(encode(&SharedState::Models(lab))),
                ..Fragment::default()
            }
            .to_hash();
            assert!(link.len() < 500, "{}: {} characters", preset.id, link.len());
        }
    }

    #[test]
    fn bad_links_say_what_is_wrong() {
        let good = encode(&SharedState::Models(ModelsLab::default()));
        assert_eq!(decode("hello"), Err(LinkError::Malformed));
        assert_eq!(decode("v9.abc"), Err(LinkError::FutureVersion(9)));
        assert_eq!(decode("v1.a*b"), Err(LinkError::Damaged));
        let truncated = decode(&good[..good.len() / 2]);
        assert!(
            matches!(truncated, Err(LinkError::Corrupt | LinkError::Damaged)),
            "{truncated:?}"
        );
        assert!(matches!(
            decode(&"v1.".repeat(40_000)),
            Err(LinkError::TooLong(_))
        ));
        // Valid data that is not a valid lab: the error names the field.
        let mut lab = ModelsLab::default();
        lab.configs.clear();
        let empty = encode(&SharedState::Models(lab));
        let error = decode(&empty).unwrap_err();
        assert_eq!(
            error.to_string(),
            "this link's scenario is not valid: configs: 0 configurations is outside 1..=4"
        );
        // A link whose JSON repeats a key is refused, not read half.
        let link = |json: &[u8]| {
            let packed = miniz_oxide::deflate::compress_to_vec(json, 9);
            format!("v1.{}", URL_SAFE_NO_PAD.encode(packed))
        };
        let error = decode(&link(br#"{"races": {"source": "a", "source": "b"}}"#)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "this link's scenario is not valid: races.source: duplicate field `source`"
        );
        // Bytes that are not UTF-8 are no lab.
        assert_eq!(decode(&link(b"{\"races\": \xff}")), Err(LinkError::Corrupt));
    }

    #[test]
    fn zip_bombs_are_refused() {
        let json = format!(
            "{{\"models\": {{\"pad\": \"{}\"}}}}",
            "a".repeat(MAX_STATE_BYTES + 10)
        );
        let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
        let link = format!("v1.{}", URL_SAFE_NO_PAD.encode(packed));
        assert!(link.len() < MAX_LINK_CHARS);
        assert_eq!(decode(&link), Err(LinkError::TooLarge));
    }

    #[test]
    fn fragments_round_trip() {
        let fragment = Fragment {
            route: Route::Models,
            state: Some("v1.abc_-".to_owned()),
            embed: true,
            autoplay: true,
            theme: Some(Theme::Dark),
            unknown_theme: None,
            unknown_route: None,
        };
        assert_eq!(
            fragment.to_hash(),
            "#/models?s=v1.abc_-&embed&autoplay&theme=dark"
        );
        assert_eq!(Fragment::parse(&fragment.to_hash()), fragment);
        assert_eq!(Fragment::parse("").route, Route::Home);
        assert_eq!(
            Fragment::parse("#/races?theme=light").theme,
            Some(Theme::Light)
        );
        let odd = Fragment::parse("#/races?theme=blue");
        assert_eq!(
            (odd.theme, odd.unknown_theme.as_deref()),
            (None, Some("blue"))
        );
        assert_eq!(odd.to_hash(), "#/races");
        assert_eq!(
            Fragment::parse("#/nowhere").unknown_route.as_deref(),
            Some("/nowhere")
        );
    }

    #[test]
    fn a_bad_link_falls_back_to_the_autosave_and_says_why() {
        let mut saved = ModelsLab::default();
        apply(&mut saved, Action::SetCursor(33)).unwrap();
        let saved_text = encode(&SharedState::Models(saved.clone()));
        let opened = open_models(Some("v1.@@@"), Some(&saved_text));
        assert_eq!(opened.source, Source::Autosave);
        assert_eq!(opened.lab, saved);
        assert_eq!(
            opened.problem.as_deref(),
            Some(
                "The link could not be opened: this link is damaged: part of it was probably cut off or changed when it was copied. Showing your autosaved work instead."
            )
        );
        let good = open_models(Some(&saved_text), None);
        assert_eq!((good.source, good.problem), (Source::Link, None));
        let nothing = open_models(None, None);
        assert_eq!((nothing.source, nothing.problem), (Source::Default, None));
        let future = open_models(Some("v2.abc"), None);
        assert_eq!(future.source, Source::Default);
        assert!(future.problem.unwrap().contains("newer version"));
    }

    proptest! {
        #[test]
        fn any_edited_lab_round_trips(
            edits in proptest::collection::vec((0u8..8, 0usize..6, 1u64..500), 0..30),
            cursor in 0u64..1000,
        ) {
            let mut lab = ModelsLab::default();
            for (kind, idx, value) in edits {
                let action = match kind {
                    0 => Action::AddTask,
                    1 => Action::DuplicateTask(idx),
                    2 => Action::RemoveTask(idx),
                    3 => Action::SetSegment(idx, 0, crate::models::scenario::Segment::Compute(value)),
                    4 => Action::SetArrival(idx, value),
                    5 => Action::SetTaskName(idx, format!("task <{value}> \"&'")),
                    6 => Action::SetConfig(idx % 4, Model::asynchronous(1 + (value % 8) as u32).on_cores(1 + (value % 3) as u32)),
                    _ => Action::LoadPreset(PRESETS[idx % PRESETS.len()].id),
                };
                // Some random edits are refused; the link holds what is left.
                let _ = apply(&mut lab, action);
            }
            apply(&mut lab, Action::SetCursor(cursor)).unwrap();
            let state = SharedState::Models(lab);
            prop_assert_eq!(decode(&encode(&state)), Ok(state));
        }

        #[test]
        fn decoding_arbitrary_text_never_panics(text in ".{0,300}") {
            let _ = decode(&text);
            let _ = decode(&format!("v1.{text}"));
        }
    }

    #[test]
    fn a_races_lab_round_trips_and_opens_on_its_own_route_only() {
        let lab = crate::races::lab::RacesLab {
            schedule: vec![0, 1, 0],
            cursor: 2,
            ..crate::races::lab::RacesLab::default()
        };
        let text = encode(&SharedState::Races(lab.clone()));
        assert_eq!(decode(&text), Ok(SharedState::Races(lab.clone())));
        assert_eq!(open_races(Some(&text), None).lab, lab);
        let models = encode(&SharedState::Models(ModelsLab::default()));
        let opened = open_races(Some(&models), Some(&text));
        assert_eq!(opened.source, Source::Autosave);
        assert!(opened.problem.unwrap().contains("another lab"));
        let bad = crate::races::lab::RacesLab { cursor: 9, ..lab };
        let bad = encode(&SharedState::Races(bad));
        assert!(matches!(decode(&bad), Err(LinkError::Invalid(_))));
    }

    /// A lab's own link, packed without `SharedState` (the home page's
    /// examples in the Models lab's module), is the link `encode` makes:
    /// the same bytes, and it opens as that lab.
    #[test]
    fn a_lab_packed_alone_is_the_link_its_shared_state_makes() {
        let models = ModelsLab::from_preset(&PRESETS[1]);
        let races = RacesLab::from_lesson(&crate::races::lessons::LESSONS[2]);
        let servers = ServersLab::from_preset(&crate::servers::presets::PRESETS[0]);
        let parallel = saved_parallel_lab();
        assert_eq!(
            encode_lab(&models),
            encode(&SharedState::Models(models.clone()))
        );
        assert_eq!(
            encode_lab(&races),
            encode(&SharedState::Races(races.clone()))
        );
        assert_eq!(
            encode_lab(&servers),
            encode(&SharedState::Servers(servers.clone()))
        );
        assert_eq!(
            encode_lab(&parallel),
            encode(&SharedState::Parallel(parallel.clone()))
        );
        assert_eq!(decode(&encode_lab(&races)), Ok(SharedState::Races(races)));
    }

    /// The lab a file holds is read from its `state` alone, so a lab's
    /// module can pass another lab's file on; anything else is left to
    /// `from_file`, which says what is wrong.
    #[test]
    fn a_files_lab_is_read_without_reading_the_rest() {
        for state in [
            SharedState::Models(ModelsLab::default()),
            SharedState::Races(RacesLab::default()),
            SharedState::Servers(ServersLab::default()),
            SharedState::Parallel(ParallelLab::default()),
        ] {
            assert_eq!(file_route(&to_file(&state)), Some(state.route()));
        }
        // The rest is not read: a damaged Races file is still the Races
        // lab's to report.
        let damaged =
            "{\"format\": \"interleave-lab/1\",\n \"state\": {\"races\": {\"source\": 5}}}";
        assert_eq!(file_route(damaged), Some(Route::Races));
        assert!(from_file(damaged).is_err());
        for not_one in [
            "",
            "not json",
            "[]",
            r#"{"format": "interleave-lab/1"}"#,
            r#"{"state": {}}"#,
            r#"{"state": {"races": {}, "models": {}}}"#,
            r#"{"state": {"home": {}}}"#,
            r#"{"state": "races"}"#,
        ] {
            assert_eq!(file_route(not_one), None, "{not_one}");
        }
        let huge = format!(
            r#"{{"state": {{"races": {{"source": "{}"}}}}}}"#,
            "x".repeat(MAX_STATE_BYTES)
        );
        assert_eq!(file_route(&huge), None);
    }
}
