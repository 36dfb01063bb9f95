//! The one list of labs, and what every lab is to the rest of Interleave.
//!
//! [`LabId`] lists the labs, in the order the page's navigation shows
//! them, with what the page, the loader and the build say about each
//! ([`LabInfo`]). Everything that has a case per lab reads it: the
//! address's routes (`share::Route`), the links and lab files, the web
//! crate's registration of each lab's view (an exhaustive `match`, so a
//! lab without a view does not compile), the workers' dispatch of each
//! lab's jobs, and, through `web/labs.json` and the marked parts of
//! `index.html` that `crates/core/tests/tidy.rs` writes from this list,
//! the page's loader, its static header, the build's module names and the
//! tests.
//!
//! A lab itself is a module tree of this crate with two types:
//! - its shareable state, a [`Lab`]: what a link, a lab file and the
//!   autosave hold, with the lab's own link policy (what the address
//!   holds, what a visitor gets from a link);
//! - its session, a [`LabSession`]: the state plus what follows from it
//!   (a compiled program, the runs measured, the playback), changed by
//!   one `apply(action)` that applies an action or refuses it with the
//!   reason, leaving the session as it was, and the rule of which actions
//!   are edits (written to the address and the autosave).

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ScenarioError;

/// The site header's tagline, under the labs' names.
pub const TAGLINE: &str =
    "See and feel concurrency: every run here is simulated or measured right in your browser.";

/// A lab. Adding one: a variant here, its entry in [`LabId::ALL`] and
/// [`LabId::info`]; the compiler and `crates/core/tests/tidy.rs` then
/// name every other place (see ARCHITECTURE.md, "Adding a lab").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabId {
    Models,
    Servers,
    Races,
    Parallel,
    EventLoop,
}

/// What the page says about a lab, and where it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabInfo {
    /// The lab's name in links, lab files, the autosave's key, the worker
    /// protocol, its cargo feature (`lab-<name>`) and its wasm module
    /// (`interleave_<name>`).
    pub name: &'static str,
    /// The navigation's word for it.
    pub nav: &'static str,
    /// Its heading on the home page.
    pub title: &'static str,
    /// What it teaches, in a sentence or two (the home page).
    pub summary: &'static str,
    /// The cargo profile its module is built with (`.cargo/config.toml`):
    /// `wasm-release` inlines the core's engines for speed (the Models
    /// engine's workloads, the Parallel kernels, the Servers model);
    /// `wasm-small` does not, for a lab whose engine runs a learner's
    /// small program once per edit or step (the Event loop's and the
    /// Races lab's page modules: 50 and 30 KB gzip less; the Races
    /// explorer's big searches run in the workers' module).
    pub profile: &'static str,
}

impl LabId {
    /// Every lab, in the order the navigation lists them.
    pub const ALL: [LabId; 5] = [
        LabId::Models,
        LabId::Servers,
        LabId::Races,
        LabId::Parallel,
        LabId::EventLoop,
    ];

    /// The lab whose module also shows the home page (and an unknown
    /// path, which shows the home page).
    pub const HOME: LabId = LabId::Models;

    pub fn info(self) -> LabInfo {
        match self {
            LabId::Models => LabInfo {
                name: "models",
                nav: "Models",
                title: "Models: synchronous vs asynchronous",
                summary: "A synchronous thread runs a task to the end and sits blocked while it waits; an asynchronous thread parks a waiting task and runs another. \
                          Compare both on 1 to N threads and C cores, play them back step by step, and see the same program as Ruby, JavaScript or Rust.",
                profile: "wasm-release",
            },
            LabId::Servers => LabInfo {
                name: "servers",
                nav: "Servers",
                title: "Servers: I/O concurrency under load",
                summary: "Processes, threads, an event loop, or processes of threads: the same traffic served four ways, with queueing, latency percentiles, memory and a load sweep. \
                          Find where each one breaks.",
                profile: "wasm-release",
            },
            LabId::Races => LabInfo {
                name: "races",
                nav: "Races",
                title: "Races: be the scheduler",
                summary: "Two threads add 1 to a counter and it ends at 1. Step threads by hand one indivisible step at a time, rewind, and let the explorer run every interleaving: \
                          lost updates, a linked list that keeps a removed node, deadlock, file locking.",
                profile: "wasm-small",
            },
            LabId::Parallel => LabInfo {
                name: "parallel",
                nav: "Parallel",
                title: "Parallel: real multi-core speedup",
                summary: "Splitting CPU work over cores gives real speedup, measured here on your machine's own web workers: run a kernel on one worker and on all of them and compare.",
                profile: "wasm-release",
            },
            LabId::EventLoop => LabInfo {
                name: "eventloop",
                nav: "Event loop",
                title: "Event loop: JavaScript, one job at a time",
                summary: "Why does setTimeout(f, 0) run after a then? Step through real JavaScript one statement at a time and watch the call stack, the microtask queue, timers, I/O and frames; \
                          then run the same code for real in your browser and compare, line by line.",
                profile: "wasm-small",
            },
        }
    }

    /// `races`: see [`LabInfo::name`].
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// `/races`, the lab's route in the address's fragment.
    pub fn path(self) -> String {
        format!("/{}", self.name())
    }

    /// `the Races lab`, as sentences name it.
    pub fn the_lab(self) -> String {
        format!("the {} lab", self.info().nav)
    }

    /// The lab called `name` in links and files.
    pub fn from_name(name: &str) -> Option<LabId> {
        LabId::ALL.into_iter().find(|lab| lab.name() == name)
    }
}

/// A lab's shareable state: what its link, its lab file and its autosave
/// hold, read back with the checks of [`Lab::validate`]. The policy of
/// the lab's links is here, as methods with the common behaviour as
/// their default.
pub trait Lab: Clone + PartialEq + Default + Serialize + DeserializeOwned + 'static {
    /// Which lab this is.
    const ID: LabId;

    /// Checks a state read from outside (a link, a file, the autosave):
    /// the first problem, with its field path.
    fn validate(&self) -> Result<(), ScenarioError>;

    /// What the page's address holds of the state (the Share dialog's link
    /// and the autosave hold all of it).
    fn for_address(&self) -> Self {
        self.clone()
    }

    /// The state a visitor gets from a link that holds `self`, with this
    /// browser's autosave of the lab, when it has one.
    fn into_opened(self, _autosave: Option<Self>) -> Self {
        self
    }

    /// The same state at its start, for a link that opens there, when the
    /// lab has steps to be at (a cursor); `None` when it has none.
    fn at_start(&self) -> Option<Self> {
        None
    }
}

/// A lab's session: its [`Lab`] state plus what follows from it, changed
/// only by [`LabSession::apply`]. The web crate's one lab hook keeps a
/// session per lab page, writes [`LabSession::lab`] to the address and
/// the autosave after an edit, and shows a refusal's reason.
pub trait LabSession: Clone + PartialEq + 'static {
    type Lab: Lab;
    type Action: Clone + std::fmt::Debug + 'static;

    /// The session of an opening state (a link's, the autosave's, the
    /// default).
    fn open(lab: Self::Lab) -> Self;

    /// The shareable state.
    fn lab(&self) -> &Self::Lab;

    /// Applies `action`, or refuses it with the reason, leaving the
    /// session exactly as it was.
    fn apply(&mut self, action: Self::Action) -> Result<(), ScenarioError>;

    /// Whether `action`, once applied, is the user's edit: the address
    /// and the autosave take the state only after an edit, so opening a
    /// link (and what the page does on its own) rewrites nothing.
    fn is_edit(action: &Self::Action) -> bool;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lab_has_one_name_and_comes_back_from_it() {
        let mut names: Vec<&str> = LabId::ALL.iter().map(|lab| lab.name()).collect();
        for lab in LabId::ALL {
            assert_eq!(LabId::from_name(lab.name()), Some(lab));
            assert!(
                lab.name().bytes().all(|b| b.is_ascii_lowercase()),
                "{lab:?}: a name is lowercase letters (a cargo feature, a file name, a key)"
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), LabId::ALL.len(), "names are unique");
        assert_eq!(LabId::from_name("home"), None);
        assert_eq!(LabId::Races.path(), "/races");
        assert_eq!(LabId::Parallel.the_lab(), "the Parallel lab");
    }
}
