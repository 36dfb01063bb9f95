//! Share links and lab files: the full state of a lab in the URL fragment
//! or in a readable JSON file.
//!
//! A link looks like `#/models?s=v1.<payload>&embed&autoplay`. The payload
//! is the lab's state as JSON named by its lab (`{"models": {...}}`),
//! deflated (miniz_oxide) and base64url-encoded without padding. `v1`
//! links decode forever: a later format gets `v2` and a migration from
//! `v1`. A lab file is `{"format": "interleave-lab/1", "state": {"races":
//! {...}}}`, the same state, readable.
//!
//! Everything is generic over the lab ([`Lab`]): a lab's wasm module reads
//! and writes its own lab's links and files only, and so carries no other
//! lab's decoder. What a link of a lab means (what the address holds, what
//! a visitor gets) is the lab's own policy, in its [`Lab`] methods.
//! Everything here is pure string logic.

use std::fmt;
use std::marker::PhantomData;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ScenarioError;
use crate::labs::{Lab, LabId};

/// The format written today.
pub const VERSION: u32 = 1;
/// Links longer than this are refused before any decoding.
pub const MAX_LINK_CHARS: usize = 100_000;
/// The most JSON a link may inflate to (a guard against zip bombs).
pub const MAX_STATE_BYTES: usize = 2 << 20;
/// Above this many characters a link may break in mail and chat: the page
/// warns and offers the JSON file instead.
pub const LONG_LINK_CHARS: usize = 2_000;

/// A lab's state named by its lab, as links and files write it:
/// `{"races": {...}}`. Reading one of another lab is refused, saying
/// which lab it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Named<L>(pub L);

impl<L: Lab> Serialize for Named<L> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(L::ID.name(), &self.0)?;
        map.end()
    }
}

impl<'de, L: Lab> Deserialize<'de> for Named<L> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Expect<L>(PhantomData<L>);
        impl<'de, L: Lab> Visitor<'de> for Expect<L> {
            type Value = Named<L>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{{\"{}\": {{…}}}}", L::ID.name())
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Named<L>, A::Error> {
                let Some(name) = map.next_key::<String>()? else {
                    return Err(de::Error::custom(format!(
                        "no lab: expected {{\"{}\": {{…}}}}",
                        L::ID.name()
                    )));
                };
                if name != L::ID.name() {
                    return Err(de::Error::custom(wrong_lab(&name, L::ID)));
                }
                let lab = map.next_value::<L>()?;
                if let Some(more) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format!(
                        "`{more}`: a lab's state holds one lab"
                    )));
                }
                Ok(Named(lab))
            }
        }
        deserializer.deserialize_map(Expect(PhantomData))
    }
}

/// What is wrong with a state named `name` where `wanted`'s is expected.
fn wrong_lab(name: &str, wanted: LabId) -> String {
    match LabId::from_name(name) {
        Some(other) => format!(
            "this holds {}'s state, not {}'s",
            other.the_lab(),
            wanted.the_lab()
        ),
        None => format!(
            "there is no lab `{name}` (the labs are {})",
            LabId::ALL
                .iter()
                .map(|lab| format!("`{}`", lab.name()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
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
    /// The link holds another lab's state.
    AnotherLab {
        holds: LabId,
        wanted: LabId,
    },
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
            LinkError::AnotherLab { holds, wanted } => write!(
                f,
                "it holds another lab's state ({}'s, not {}'s)",
                holds.the_lab(),
                wanted.the_lab()
            ),
            LinkError::Invalid(error) => write!(f, "this link's scenario is not valid: {error}"),
        }
    }
}

impl std::error::Error for LinkError {}

/// `v1.<payload>` for `lab`.
pub fn encode<L: Lab>(lab: &L) -> String {
    pack(&serde_json::to_vec(&Named(lab.clone())).expect("lab states always serialise"))
}

/// `v1.<payload>`: JSON compressed for an address (a state, a set).
pub fn pack(json: &[u8]) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(json, 9);
    format!("v{VERSION}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// Reads a `v<N>.<payload>` string back into a checked state of lab `L`.
pub fn decode<L: Lab>(text: &str) -> Result<L, LinkError> {
    let json = unpack(text)?;
    if let Some(holds) = lab_named(&json)
        && holds != L::ID
    {
        return Err(LinkError::AnotherLab {
            holds,
            wanted: L::ID,
        });
    }
    // A place in the link's hidden JSON means nothing to its reader: the
    // field path says where.
    let unplaced = |mut error: ScenarioError| {
        error.line = None;
        error.column = None;
        LinkError::Invalid(error)
    };
    let Named(lab) = crate::input::read_checked_json::<Named<L>>(&json).map_err(unplaced)?;
    lab.validate().map_err(unplaced)?;
    Ok(lab)
}

/// The lab a `v<N>.<payload>` string holds, read from its name alone (the
/// CLI opens any lab's link with it); `decode` then reads and checks it.
pub fn lab_of(text: &str) -> Result<LabId, LinkError> {
    let json = unpack(text)?;
    match lab_named(&json) {
        Some(lab) => Ok(lab),
        None => Err(LinkError::Invalid(ScenarioError::at_path(
            "",
            "it names no lab Interleave knows",
        ))),
    }
}

/// The JSON a link packs, after its checks of size and shape.
pub fn unpack(text: &str) -> Result<String, LinkError> {
    if text.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLong(text.len()));
    }
    let (version, payload) = text.split_once('.').ok_or(LinkError::Malformed)?;
    let version: u32 = version
        .strip_prefix('v')
        .and_then(|digits| digits.parse().ok())
        .ok_or(LinkError::Malformed)?;
    match version {
        1 => {}
        newer if newer > VERSION => return Err(LinkError::FutureVersion(newer)),
        _ => return Err(LinkError::Malformed),
    }
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
    String::from_utf8(json).map_err(|_| LinkError::Corrupt)
}

/// The known lab a JSON state (`{"races": {...}}`) is named by, when it
/// is an object of one key that names one.
fn lab_named(json: &str) -> Option<LabId> {
    let tree: serde_json::Value = serde_json::from_str(json).ok()?;
    lab_in(&tree)
}

fn lab_in(state: &serde_json::Value) -> Option<LabId> {
    let state = state.as_object()?;
    let (name, _) = state.iter().next().filter(|_| state.len() == 1)?;
    LabId::from_name(name)
}

/// What a lab file says it is: `interleave-lab/1`.
pub const FILE_FORMAT: &str = "interleave-lab/1";

/// A lab saved as a file: `{"format": "interleave-lab/1", "state":
/// {"races": {...}}}`, the same state a link packs, readable.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, bound = "L: Lab")]
struct LabFile<L> {
    format: String,
    state: Named<L>,
}

/// `lab` as a lab file (pretty JSON).
pub fn to_file<L: Lab>(lab: &L) -> String {
    let file = LabFile {
        format: FILE_FORMAT.to_owned(),
        state: Named(lab.clone()),
    };
    serde_json::to_string_pretty(&file).expect("lab states always serialise")
}

/// Reads a lab file of lab `L` back: refused past [`MAX_STATE_BYTES`]
/// before any parsing; errors name the line, column and field.
pub fn from_file<L: Lab>(text: &str) -> Result<L, ScenarioError> {
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
    let file: LabFile<L> = crate::input::parse_json(text, |_| None)?;
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
    let Named(lab) = file.state;
    lab.validate()
        .map_err(|err| err.within(&format!("state.{}", L::ID.name())))?;
    Ok(lab)
}

/// The lab a lab file holds (the one name under `state`), read without
/// checking the rest: `None` when the text is not such a file, which
/// [`from_file`] then says. A lab's module hands another lab's file to
/// that lab, whose module reads and checks it.
pub fn file_lab(text: &str) -> Option<LabId> {
    if text.len() > MAX_STATE_BYTES {
        return None;
    }
    let tree: serde_json::Value = serde_json::from_str(text).ok()?;
    lab_in(tree.get("state")?)
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
pub struct Opened<L> {
    pub lab: L,
    pub source: Source,
    /// Why a link or the autosave could not be used, in plain words.
    pub problem: Option<String>,
}

/// Chooses a lab's opening state: a valid link first (as the lab gives
/// it to a visitor, [`Lab::into_opened`]), else the autosaved work, else
/// the default. A bad link never replaces the autosave: the page shows
/// the autosaved work and says what was wrong.
pub fn open<L: Lab>(link: Option<&str>, autosave: Option<&str>) -> Opened<L> {
    let mut problem = None;
    let saved = autosave.map(decode::<L>);
    if let Some(link) = link {
        match decode::<L>(link) {
            Ok(lab) => {
                let saved = saved.and_then(Result::ok);
                return Opened {
                    lab: lab.into_opened(saved),
                    source: Source::Link,
                    problem: None,
                };
            }
            Err(error) => problem = Some(format!("The link could not be opened: {error}.")),
        }
    }
    if let Some(saved) = saved {
        match saved {
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
        lab: L::default(),
        source: Source::Default,
        problem,
    }
}

/// The page a fragment points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Route {
    #[default]
    Home,
    Lab(LabId),
    /// The challenges page: a set's overview and report, the built-in
    /// sets, the set a teacher is making.
    Challenges,
}

impl Route {
    pub fn path(self) -> String {
        match self {
            Route::Home => "/".to_owned(),
            Route::Lab(lab) => lab.path(),
            Route::Challenges => "/challenges".to_owned(),
        }
    }

    /// The lab whose module renders this route: the lab's own, and for the
    /// home page [`LabId::HOME`]'s. `web/loader.js` picks a route's module
    /// by the same rule.
    pub fn module(self) -> LabId {
        match self {
            Route::Home | Route::Challenges => LabId::HOME,
            Route::Lab(lab) => lab,
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
    /// The challenge set being played (`c=`): `builtin` (the lab's own
    /// set) or a packed set (`v1.…`), not yet read.
    pub set: Option<String>,
    /// Which challenge of the set (`at=`, from 0).
    pub at: usize,
}

impl Fragment {
    /// Reads a fragment. The route is the path before `?`, without
    /// trailing slashes: `/races`, or a lab's bare name (`#parallel`, the
    /// in-page anchors from before routes existed); `web/loader.js` reads
    /// it by the same rule.
    pub fn parse(fragment: &str) -> Fragment {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let (path, query) = fragment.split_once('?').unwrap_or((fragment, ""));
        let mut parsed = Fragment::default();
        let path = path.trim_end_matches('/');
        if !path.is_empty() {
            let name = path.strip_prefix('/').unwrap_or(path);
            match LabId::from_name(name) {
                Some(lab) => parsed.route = Route::Lab(lab),
                None if name == "challenges" => parsed.route = Route::Challenges,
                None => parsed.unknown_route = Some(path.to_owned()),
            }
        }
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "s" => parsed.state = Some(value.to_owned()),
                "c" => parsed.set = Some(value.to_owned()),
                "at" => parsed.at = value.parse().unwrap_or(0),
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
        if let Some(set) = &self.set {
            params.push(format!("c={set}"));
            if self.at > 0 {
                params.push(format!("at={}", self.at));
            }
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

    /// The fragment that opens `lab` on its own route.
    pub fn of<L: Lab>(lab: &L) -> Fragment {
        Fragment {
            route: Route::Lab(L::ID),
            state: Some(encode(lab)),
            ..Fragment::default()
        }
    }
}

/// `#/races?s=v1.…`: the link that opens `lab` (the home page's examples).
pub fn link_to<L: Lab>(lab: &L) -> String {
    Fragment::of(lab).to_hash()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::models::lab::{Action, ModelsLab, apply, presets::PRESETS};
    use crate::models::scenario::Model;
    use crate::parallel::lab::ParallelLab;
    use crate::races::lab::RacesLab;
    use crate::servers::lab::ServersLab;

    /// A link saved when v1 shipped. It must open, unchanged, forever.
    const SAVED_V1_LINK: &str = include_str!("../tests/links/v1-three-requests.txt");

    /// `lab`'s link must still open as `expected`; never rewritten.
    fn assert_saved_link_opens<L: Lab + fmt::Debug>(link: &str, expected: &L) {
        if std::env::var_os("UPDATE_EXPECT").is_some() && decode::<L>(link).is_err() {
            panic!("never rewrite a saved link: {}", encode(expected));
        }
        assert_eq!(decode::<L>(link).as_ref(), Ok(expected));
    }

    #[test]
    fn a_saved_v1_servers_link_still_opens() {
        let saved = include_str!("../tests/links/v1-servers-cpu-heavy.txt").trim();
        let Ok(lab) = decode::<ServersLab>(saved) else {
            panic!("the saved Servers link no longer opens");
        };
        assert_eq!(lab.preset.as_deref(), Some("cpu-heavy"));
        assert_eq!(lab.scenario.model, crate::servers::ServerModel::Evented);
        assert!(lab.unchanged_preset().is_some());
        assert_eq!(lab_of(saved), Ok(LabId::Servers));
        assert_eq!(
            Fragment::parse("#/servers?s=x").route,
            Route::Lab(LabId::Servers)
        );
    }

    /// An Event loop link as the page wrote it in 2026 (an edited program,
    /// at step 3, playing at 10 steps/s) opens the same program forever.
    #[test]
    fn a_saved_v1_event_loop_link_still_opens() {
        let saved = include_str!("../tests/links/v1-eventloop-program.txt").trim();
        let Ok(lab) = decode::<crate::eventloop::lab::EventLoopLab>(saved) else {
            panic!("the saved Event loop link no longer opens");
        };
        assert!(lab.source.starts_with("async function load() {"));
        assert_eq!(
            (lab.cursor, lab.speed, lab.lesson.as_deref()),
            (3, 10.0, None)
        );
        assert_eq!(lab_of(saved), Ok(LabId::EventLoop));
        assert_eq!(
            Fragment::parse("#/eventloop?s=x").route,
            Route::Lab(LabId::EventLoop)
        );
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
        assert_saved_link_opens(link, &expected);
        // Opened, the runs are the sender's; this browser has none yet.
        let opened = open::<ParallelLab>(Some(link), None);
        assert_eq!(opened.source, Source::Link);
        assert!(opened.lab.runs.is_empty());
        let theirs = opened.lab.theirs.as_ref().unwrap();
        assert_eq!((theirs.runs.len(), theirs.machine.cores), (3, 8));
        assert_eq!(
            opened.lab.comparison().unwrap(),
            "Their 8 cores (Chrome 131, shared memory): 3.39× on 4 workers."
        );
        assert_eq!(
            Fragment::parse("#/parallel?s=x").route,
            Route::Lab(LabId::Parallel)
        );
    }

    #[test]
    fn this_browsers_own_parallel_runs_stay_its_own_across_a_reload() {
        let mine = saved_parallel_lab();
        let saved = encode(&mine);
        // The address holds the settings without the runs; the autosave
        // has the runs of the same kernel: they are this browser's.
        let address = encode(&mine.for_address());
        let opened = open::<ParallelLab>(Some(&address), Some(&saved));
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
        let link = encode(&other.for_address());
        let opened = open::<ParallelLab>(Some(&link), Some(&saved));
        assert!(opened.lab.runs.is_empty() && opened.lab.theirs.is_none());
        // A bad runs list in a link is refused, naming the field.
        let mut bad = mine;
        bad.runs[0].busy.clear();
        assert_eq!(
            decode::<ParallelLab>(&encode(&bad))
                .unwrap_err()
                .to_string(),
            "this link's scenario is not valid: runs[0].busy: expected 1 finite, non-negative times, one per worker"
        );
    }

    #[test]
    fn lab_files_round_trip_and_bad_ones_say_where() {
        let lab = saved_parallel_lab();
        let text = to_file(&lab);
        assert!(
            text.starts_with(
                "{\n  \"format\": \"interleave-lab/1\",\n  \"state\": {\n    \"parallel\""
            ),
            "{text}"
        );
        assert_eq!(from_file::<ParallelLab>(&text), Ok(lab.clone()));
        assert_eq!(
            from_file::<RacesLab>(&to_file(&RacesLab::default())),
            Ok(RacesLab::default())
        );
        let error = |text: &str| from_file::<ParallelLab>(text).unwrap_err().to_string();
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
            "1:41 state: there is no lab `chess` (the labs are `models`, `servers`, `races`, `parallel`, `eventloop`)"
        );
        assert_eq!(
            error(&to_file(&RacesLab::default())),
            "3:12 state: this holds the Races lab's state, not the Parallel lab's"
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
        assert_saved_link_opens(SAVED_V1_LINK.trim(), &expected);
    }

    #[test]
    fn typical_links_are_short() {
        for preset in &PRESETS {
            let link = link_to(&ModelsLab::with_scenario(preset.scenario()));
            assert!(link.len() < 500, "{}: {} characters", preset.id, link.len());
        }
    }

    #[test]
    fn bad_links_say_what_is_wrong() {
        let good = encode(&ModelsLab::default());
        let decode = decode::<ModelsLab>;
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
        let error = decode(&encode(&lab)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "this link's scenario is not valid: configs: 0 configurations is outside 1..=4"
        );
        // A link whose JSON repeats a key is refused, not read half.
        let link = |json: &[u8]| {
            let packed = miniz_oxide::deflate::compress_to_vec(json, 9);
            format!("v1.{}", URL_SAFE_NO_PAD.encode(packed))
        };
        let error =
            super::decode::<RacesLab>(&link(br#"{"races": {"source": "a", "source": "b"}}"#))
                .unwrap_err();
        assert_eq!(
            error.to_string(),
            "this link's scenario is not valid: races.source: duplicate field `source`"
        );
        // Bytes that are not UTF-8 are no lab.
        assert_eq!(decode(&link(b"{\"races\": \xff}")), Err(LinkError::Corrupt));
        // Another lab's link says whose it is; an unknown one, what it is.
        assert_eq!(
            decode(&encode(&RacesLab::default()))
                .unwrap_err()
                .to_string(),
            "it holds another lab's state (the Races lab's, not the Models lab's)"
        );
        assert!(
            decode(&link(br#"{"chess": {}}"#))
                .unwrap_err()
                .to_string()
                .contains("there is no lab `chess`")
        );
        assert!(lab_of(&link(br#"{"chess": {}}"#)).is_err());
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
        assert_eq!(decode::<ModelsLab>(&link), Err(LinkError::TooLarge));
        assert_eq!(lab_of(&link), Err(LinkError::TooLarge));
    }

    #[test]
    fn fragments_round_trip() {
        let fragment = Fragment {
            route: Route::Lab(LabId::Models),
            state: Some("v1.abc_-".to_owned()),
            embed: true,
            autoplay: true,
            theme: Some(Theme::Dark),
            unknown_theme: None,
            unknown_route: None,
            set: None,
            at: 0,
        };
        assert_eq!(
            fragment.to_hash(),
            "#/models?s=v1.abc_-&embed&autoplay&theme=dark"
        );
        assert_eq!(Fragment::parse(&fragment.to_hash()), fragment);
        // A challenge set in play, and which challenge.
        let playing = Fragment {
            set: Some("builtin".to_owned()),
            at: 3,
            ..fragment.clone()
        };
        assert_eq!(
            playing.to_hash(),
            "#/models?s=v1.abc_-&c=builtin&at=3&embed&autoplay&theme=dark"
        );
        assert_eq!(Fragment::parse(&playing.to_hash()), playing);
        assert_eq!(Fragment::parse("#/races?c=builtin&at=x").at, 0);
        let page = Fragment::parse("#/challenges?c=v1.x");
        assert_eq!(
            (page.route, page.set.as_deref()),
            (Route::Challenges, Some("v1.x"))
        );
        assert_eq!(page.route.module(), LabId::HOME);
        assert_eq!(Fragment::parse("").route, Route::Home);
        assert_eq!(Fragment::parse("#/").route, Route::Home);
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
        // Trailing slashes and the old in-page anchors (`#parallel`).
        for (hash, lab) in [
            ("#/races/", LabId::Races),
            ("#/parallel//", LabId::Parallel),
            ("#parallel", LabId::Parallel),
            ("#models", LabId::Models),
        ] {
            assert_eq!(Fragment::parse(hash).route, Route::Lab(lab), "{hash}");
        }
        assert_eq!(Route::Home.module(), LabId::Models);
        assert_eq!(Route::Home.path(), "/");
    }

    #[test]
    fn a_bad_link_falls_back_to_the_autosave_and_says_why() {
        let mut saved = ModelsLab::default();
        apply(&mut saved, Action::SetCursor(33)).unwrap();
        let saved_text = encode(&saved);
        let opened = open::<ModelsLab>(Some("v1.@@@"), Some(&saved_text));
        assert_eq!(opened.source, Source::Autosave);
        assert_eq!(opened.lab, saved);
        assert_eq!(
            opened.problem.as_deref(),
            Some(
                "The link could not be opened: this link is damaged: part of it was probably cut off or changed when it was copied. Showing your autosaved work instead."
            )
        );
        let good = open::<ModelsLab>(Some(&saved_text), None);
        assert_eq!((good.source, good.problem), (Source::Link, None));
        let nothing = open::<ModelsLab>(None, None);
        assert_eq!((nothing.source, nothing.problem), (Source::Default, None));
        let future = open::<ModelsLab>(Some("v2.abc"), None);
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
            prop_assert_eq!(decode::<ModelsLab>(&encode(&lab)), Ok(lab));
        }

        #[test]
        fn decoding_arbitrary_text_never_panics(text in ".{0,300}") {
            let _ = decode::<RacesLab>(&text);
            let _ = decode::<ServersLab>(&format!("v1.{text}"));
            let _ = lab_of(&format!("v1.{text}"));
        }
    }

    #[test]
    fn a_races_lab_round_trips_and_opens_on_its_own_route_only() {
        let lab = RacesLab {
            schedule: vec![0, 1, 0],
            cursor: 2,
            ..RacesLab::default()
        };
        let text = encode(&lab);
        assert_eq!(decode::<RacesLab>(&text), Ok(lab.clone()));
        assert_eq!(open::<RacesLab>(Some(&text), None).lab, lab);
        let models = encode(&ModelsLab::default());
        let opened = open::<RacesLab>(Some(&models), Some(&text));
        assert_eq!(opened.source, Source::Autosave);
        assert!(opened.problem.unwrap().contains("another lab"));
        let bad = encode(&RacesLab { cursor: 9, ..lab });
        assert!(matches!(
            decode::<RacesLab>(&bad),
            Err(LinkError::Invalid(_))
        ));
    }

    /// Links written before the labs were generic (`SharedState`, an enum
    /// of the labs) and after are the same bytes: `{"races": {...}}`.
    #[test]
    fn a_labs_link_is_its_state_named_by_its_lab() {
        let races = RacesLab::from_lesson(&crate::races::lessons::LESSONS[2]);
        let json = serde_json::to_string(&Named(races.clone())).unwrap();
        assert_eq!(
            json,
            format!("{{\"races\":{}}}", serde_json::to_string(&races).unwrap())
        );
        for lab in LabId::ALL {
            let name = match lab {
                LabId::Models => lab_of(&encode(&ModelsLab::default())),
                LabId::Servers => lab_of(&encode(&ServersLab::default())),
                LabId::Races => lab_of(&encode(&races)),
                LabId::Parallel => lab_of(&encode(&saved_parallel_lab())),
                LabId::EventLoop => {
                    lab_of(&encode(&crate::eventloop::lab::EventLoopLab::default()))
                }
            };
            assert_eq!(name, Ok(lab));
        }
    }

    /// The lab a file holds is read from its `state` alone, so a lab's
    /// module can pass another lab's file on; anything else is left to
    /// `from_file`, which says what is wrong.
    #[test]
    fn a_files_lab_is_read_without_reading_the_rest() {
        assert_eq!(
            file_lab(&to_file(&ModelsLab::default())),
            Some(LabId::Models)
        );
        assert_eq!(file_lab(&to_file(&RacesLab::default())), Some(LabId::Races));
        assert_eq!(
            file_lab(&to_file(&ServersLab::default())),
            Some(LabId::Servers)
        );
        assert_eq!(
            file_lab(&to_file(&ParallelLab::default())),
            Some(LabId::Parallel)
        );
        // The rest is not read: a damaged Races file is still the Races
        // lab's to report.
        let damaged =
            "{\"format\": \"interleave-lab/1\",\n \"state\": {\"races\": {\"source\": 5}}}";
        assert_eq!(file_lab(damaged), Some(LabId::Races));
        assert!(from_file::<RacesLab>(damaged).is_err());
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
            assert_eq!(file_lab(not_one), None, "{not_one}");
        }
        let huge = format!(
            r#"{{"state": {{"races": {{"source": "{}"}}}}}}"#,
            "x".repeat(MAX_STATE_BYTES)
        );
        assert_eq!(file_lab(&huge), None);
    }
}
