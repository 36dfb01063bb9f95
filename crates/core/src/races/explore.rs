//! The explorer: every interleaving from a state, grouped by outcome.
//!
//! A depth-first search over schedules. With reduction on (the default) it
//! keeps a set of visited states (so each state is expanded once) and
//! applies a partial-order reduction: when some thread's next step is
//! independent of everything the other live threads can still do (a step
//! over its own locals, or a shared access nobody else makes), only that
//! thread is expanded; if that step closes a cycle on the search stack, the
//! state is expanded fully (the cycle proviso). This keeps every reachable
//! final state, deadlocks included. Counts are the number of complete
//! schedules in the graph searched: exact without reduction, the
//! representative schedules with it.
//!
//! If something fails, a breadth-first search over the full state graph
//! finds the shortest failing schedule. The explorer runs in slices
//! ([`Explorer::run`]) so a page can show progress and cancel.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::limits;
use super::liveness::{Graph, Liveness};
use super::machine::hash_of;
use super::machine::{AfterResult, Phase, Readiness, State, Status};
use super::program::{Goal, Op, Program, Target, Value};
use super::schedule::deadlock_text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Options {
    /// Visited-state deduplication and (with `partial_order`) partial-order
    /// reduction. Off: every schedule is visited, one by one.
    pub reduction: bool,
    /// With `reduction`: expand only one independent thread where one
    /// exists. Off: deduplication alone, an exact search whose outcome
    /// counts equal the full tree's (tests compare the two).
    #[serde(default = "yes")]
    pub partial_order: bool,
    /// States visited before the search stops and says so.
    pub max_states: usize,
    /// The longest schedule; longer ones end as runaway.
    pub max_depth: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            reduction: true,
            partial_order: true,
            max_states: limits::DEFAULT_MAX_STATES,
            max_depth: limits::MAX_RUN_STEPS,
        }
    }
}

fn yes() -> bool {
    true
}

/// A final shared value as shown: a number, text (a string or a list
/// drawn as `[1, 2]`), or null.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Shown {
    Int(i64),
    Text(String),
    Null,
}

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shown::Int(value) => write!(f, "{value}"),
            Shown::Text(text) => write!(f, "{text}"),
            Shown::Null => write!(f, "null"),
        }
    }
}

/// How one complete schedule ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Outcome {
    /// The final shared variables; a node pointer shows its list.
    pub shared: BTreeMap<String, Shown>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    /// One sentence: how it ended.
    pub result: String,
    pub failing: bool,
    pub deadlock: bool,
    /// Two threads were in the critical section at once.
    pub critical: bool,
    pub lost_update: bool,
    /// It hit the step limit (an endless loop).
    pub runaway: bool,
    /// An assertion failed (in a thread or in the final check).
    pub assert_failed: bool,
}

impl Outcome {
    /// The final state in one line: `x = 1`.
    pub fn values_text(&self) -> String {
        let mut parts: Vec<String> = self
            .shared
            .iter()
            .map(|(name, value)| format!("{name} = {value}"))
            .collect();
        parts.extend(
            self.files
                .iter()
                .map(|(name, text)| format!("{name} = {text:?}")),
        );
        parts.join(", ")
    }

    pub fn meets(&self, goal: Goal) -> bool {
        match goal {
            Goal::Assert => self.assert_failed,
            Goal::Critical => self.critical,
            Goal::Deadlock => self.deadlock,
            Goal::LostUpdate => self.lost_update,
            // Found as cycles, not as an end.
            Goal::Starve | Goal::Livelock => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCount {
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Complete schedules that end this way; with the partial-order
    /// reduction, classes of equivalent schedules ([`Report::classes`]).
    pub count: u64,
    /// The exact number of schedules that end this way, when it is known
    /// and finite ([`Report::schedules`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedules: Option<u64>,
    /// One schedule that ends this way (thread names).
    pub example: Vec<String>,
}

/// What the explorer found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Complete schedules explored; with the partial-order reduction
    /// ([`Report::classes`]), classes of equivalent schedules: schedules
    /// that differ only in the order of independent steps are one, and one
    /// of each is run.
    pub interleavings: u64,
    /// Whether `interleavings` and the outcomes' `count` are classes of
    /// equivalent schedules (the partial-order reduction was on).
    #[serde(default)]
    pub classes: bool,
    /// The exact number of complete schedules, when it is known and
    /// finite: counted as paths through the deduplicated state graph
    /// (without the partial-order reduction), never one by one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedules: Option<u64>,
    /// Why `schedules` is not given, when it is not: a schedule can go
    /// round a loop (there are infinitely many), or the count stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedules_unknown: Option<String>,
    /// States visited (without reduction: nodes of the schedule tree).
    pub states: u64,
    pub outcomes: Vec<OutcomeCount>,
    /// Schedules that end in a deadlock.
    pub deadlocks: u64,
    /// Schedules that end failing (assertion, error, deadlock, two threads
    /// in the critical section, a lost update).
    pub failing: u64,
    /// The shortest failing schedule, as thread names.
    pub shortest_failing: Option<Vec<String>>,
    /// True when every reachable state (every schedule, without
    /// reduction) was explored: nothing stopped the search early.
    pub complete: bool,
    /// Why the search stopped early, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Stop>,
    /// Some schedule can go round a loop forever (a spin or livelock).
    pub cycles: bool,
    pub reduction: bool,
    /// Whether the program's goal can be met, when it has one: reached
    /// (`shortest_failing` is a schedule that meets it), unreachable (the
    /// search was complete), or unknown (it stopped early, see `stopped`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal_reachable: Option<Verdict>,
    /// Starvation and livelock: searched when some schedule can go round
    /// a loop (or the goal asks), over the whole state graph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Liveness>,
    /// The counts that overflowed (`interleavings`, `outcomes[2].count`,
    /// ...): each holds `u64::MAX`, a floor, and the true number is more
    /// than 1.8 × 10^19 ([`crate::count`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub saturated: Vec<String>,
}

/// What a search can honestly say about a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A schedule meets it.
    Reached,
    /// No schedule can: every reachable state was explored.
    Unreachable,
    /// Not found in the part searched, and the search stopped early: no
    /// proof either way.
    Unknown,
}

/// Why a search stopped before it had seen everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Stop {
    /// It visited its cap of states.
    StateCap { max_states: usize },
    /// Some schedules were cut at the longest schedule allowed (a thread
    /// that loops without end, searched without deduplication).
    StepLimit { max_depth: usize },
}

impl Stop {
    /// Why, in a sentence's words: "it reached its cap of 500000 states".
    pub fn text(self) -> String {
        match self {
            Stop::StateCap { max_states } => format!("it reached its cap of {max_states} states"),
            Stop::StepLimit { max_depth } => {
                format!("some schedules were cut at {max_depth} steps (a loop without end?)")
            }
        }
    }
}

impl Report {
    /// The outcomes some explored schedule ends with (a search stopped at
    /// its cap lists outcomes it saw in schedules it did not finish).
    pub fn reached(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes
            .iter()
            .filter(|o| o.count > 0)
            .map(|o| &o.outcome)
    }

    /// The largest count of any outcome (at least 1), to scale histograms.
    pub fn most_common_count(&self) -> u64 {
        self.outcomes
            .iter()
            .map(|o| o.count)
            .max()
            .unwrap_or(1)
            .max(1)
    }
}

/// Progress while the search runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub states: u64,
    pub outcomes: usize,
    /// True once the depth-first search is over and the shortest failing
    /// schedule is being looked for.
    pub shortening: bool,
    /// True while the whole state graph is searched for starvation and
    /// livelock.
    #[serde(default)]
    pub liveness: bool,
}

type Summary = Vec<(u32, u64)>;

fn merge(into: &mut Summary, from: &[(u32, u64)]) {
    for &(outcome, count) in from {
        match into.iter_mut().find(|(existing, _)| *existing == outcome) {
            Some((_, total)) => *total = total.saturating_add(count),
            None => into.push((outcome, count)),
        }
    }
}

enum Seen {
    OnStack,
    Done(Rc<Summary>),
}

struct Frame {
    state: State,
    hash: u64,
    /// Threads still to expand, taken from the back.
    todo: Vec<u8>,
    /// Expanded as the single independent thread (a reduced expansion).
    reduced: bool,
    summary: Summary,
}

struct Bfs {
    queue: VecDeque<(State, u32)>,
    parents: Vec<(u32, u8)>,
    seen: HashSet<u64>,
}

/// A resumable search; call [`Explorer::run`] until it returns true.
pub struct Explorer {
    program: Rc<Program>,
    options: Options,
    /// Where the search started (schedules are relative to it).
    start: State,
    stack: Vec<Frame>,
    visited: HashMap<u64, Seen>,
    path: Vec<u8>,
    outcomes: Vec<OutcomeCount>,
    index: HashMap<Outcome, u32>,
    root: Summary,
    states: u64,
    capped: bool,
    /// Some schedule was cut at the step limit.
    cut: bool,
    cycles: bool,
    /// The shortest schedule found to a target state: one that meets the
    /// program's goal when it has one, else any failing state.
    shortest: Option<Vec<u8>>,
    bfs: Option<Bfs>,
    /// The liveness search's graph, while it grows.
    graph: Option<Graph>,
    liveness: Option<Liveness>,
    /// The search for exact schedule counts (deduplication without the
    /// partial-order reduction), while it runs, when this one counts
    /// classes; then what it found.
    exact: Option<Box<Explorer>>,
    exact_counts: Option<ExactCounts>,
    /// This explorer only counts schedules: no shortest schedule, no
    /// liveness, no nested count.
    counting_only: bool,
    done: bool,
}

/// Exact schedule counts per outcome, from a search without the
/// partial-order reduction.
#[derive(Debug, Clone)]
struct ExactCounts {
    by_outcome: HashMap<Outcome, u64>,
    /// A schedule can go round a loop: infinitely many schedules.
    cycles: bool,
    /// The search stopped (state cap, step limit): counts are partial.
    stopped: Option<Stop>,
}

impl std::fmt::Debug for Explorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Explorer")
            .field("progress", &self.progress())
            .field("done", &self.done)
            .finish()
    }
}

impl Explorer {
    pub fn new(program: Rc<Program>, start: State, options: Options) -> Explorer {
        let mut explorer = Explorer {
            program,
            options,
            start: start.clone(),
            stack: Vec::new(),
            visited: HashMap::new(),
            path: Vec::new(),
            outcomes: Vec::new(),
            index: HashMap::new(),
            root: Summary::new(),
            states: 1,
            capped: false,
            cut: false,
            cycles: false,
            shortest: None,
            bfs: None,
            graph: None,
            liveness: None,
            exact: None,
            exact_counts: None,
            counting_only: false,
            done: false,
        };
        let hash = hash_of(&start);
        if target_state(&explorer.program, &start) {
            explorer.shortest = Some(Vec::new());
        }
        match start.phase(&explorer.program) {
            Phase::Running => explorer.push(start, hash),
            _ => {
                let outcome = explorer.terminal(&start, false);
                explorer.root = vec![(outcome, 1)];
            }
        }
        explorer
    }

    pub fn progress(&self) -> Progress {
        Progress {
            states: self.states + self.exact.as_ref().map_or(0, |exact| exact.states),
            outcomes: self.outcomes.len(),
            shortening: self.bfs.is_some(),
            liveness: self.graph.is_some(),
        }
    }

    /// Explores about `budget` more steps; true when the search is over.
    pub fn run(&mut self, budget: usize) -> bool {
        let mut left = budget;
        while !self.done && left > 0 {
            left -= 1;
            if let Some(graph) = &mut self.graph {
                if graph.grow(1) {
                    self.liveness = Some(graph.analyse());
                    self.graph = None;
                    self.done = true;
                }
            } else if self.bfs.is_some() {
                self.bfs_step();
            } else if !self.stack.is_empty() {
                self.dfs_step();
            } else if let Some(exact) = &mut self.exact {
                let slice = left.min(1_000);
                left -= slice;
                if exact.run(slice + 1) {
                    self.exact_counts = Some(exact.counts());
                    self.exact = None;
                    self.finish_dfs();
                }
            } else if self.counts_classes() && self.exact_counts.is_none() && !self.capped {
                self.exact = Some(Box::new(Explorer::counting(
                    self.program.clone(),
                    self.start.clone(),
                    self.options,
                )));
            } else {
                self.finish_dfs();
            }
        }
        self.done
    }

    /// An explorer that only counts the schedules from `start` exactly
    /// (deduplication without the partial-order reduction), within
    /// `options`' limits.
    fn counting(program: Rc<Program>, start: State, options: Options) -> Explorer {
        let mut explorer = Explorer::new(
            program,
            start,
            Options {
                reduction: true,
                partial_order: false,
                ..options
            },
        );
        explorer.counting_only = true;
        explorer
    }

    /// Whether this search counts classes of equivalent schedules (the
    /// partial-order reduction is on).
    fn counts_classes(&self) -> bool {
        self.options.reduction && self.options.partial_order && !self.counting_only
    }

    /// The schedules this search counted, per outcome.
    fn counts(&self) -> ExactCounts {
        let mut by_outcome = HashMap::new();
        for &(idx, count) in &self.root {
            by_outcome.insert(self.outcomes[idx as usize].outcome.clone(), count);
        }
        ExactCounts {
            by_outcome,
            cycles: self.cycles,
            stopped: self.stop(),
        }
    }

    /// Why the search stopped early, if it did.
    fn stop(&self) -> Option<Stop> {
        if self.capped {
            Some(Stop::StateCap {
                max_states: self.options.max_states,
            })
        } else if self.cut {
            Some(Stop::StepLimit {
                max_depth: self.options.max_depth,
            })
        } else {
            None
        }
    }

    /// Runs to the end.
    pub fn run_to_end(&mut self) -> Report {
        while !self.run(10_000) {}
        self.report()
    }

    pub fn report(&self) -> Report {
        let names = |schedule: &[u8]| -> Vec<String> {
            schedule
                .iter()
                .map(|&thread| self.program.threads[thread as usize].name.clone())
                .collect()
        };
        let mut outcomes = self.outcomes.clone();
        for outcome in &mut outcomes {
            outcome.count = 0;
        }
        for &(idx, count) in &self.root {
            outcomes[idx as usize].count = count;
        }
        let stopped = self.stop();
        // The exact number of schedules per outcome: this search's counts
        // when it counts schedules, else the count without the reduction;
        // none while a loop makes them infinite or a search stopped.
        let exact = if self.counts_classes() {
            self.exact_counts.clone()
        } else {
            Some(self.counts())
        };
        let schedules_unknown = match &exact {
            _ if stopped.is_some() => Some("the search stopped early".to_owned()),
            None => Some("they were not counted".to_owned()),
            Some(exact) if exact.cycles => {
                Some("a schedule can go round a loop, so there are infinitely many".to_owned())
            }
            Some(ExactCounts {
                stopped: Some(stop),
                ..
            }) => Some(format!("their count stopped ({})", stop.text())),
            Some(_) => None,
        };
        if schedules_unknown.is_none()
            && let Some(exact) = &exact
        {
            for outcome in &mut outcomes {
                outcome.schedules =
                    Some(exact.by_outcome.get(&outcome.outcome).copied().unwrap_or(0));
            }
        }
        let total = |keep: &dyn Fn(&Outcome) -> bool| -> u64 {
            outcomes
                .iter()
                .filter(|o| keep(&o.outcome))
                .map(|o| o.count)
                .fold(0u64, u64::saturating_add)
        };
        let liveness = self.liveness.as_ref();
        let goal_reachable = self.program.goal.map(|goal| {
            let found = |liveness: &Liveness| match goal {
                Goal::Starve => !liveness.starvation.is_empty(),
                _ => liveness.livelock.is_some(),
            };
            if goal.is_liveness() {
                return match liveness {
                    Some(liveness) if found(liveness) => Verdict::Reached,
                    Some(liveness) if liveness.complete => Verdict::Unreachable,
                    _ => Verdict::Unknown,
                };
            }
            if outcomes
                .iter()
                .any(|o| o.count > 0 && o.outcome.meets(goal))
                || self.shortest.is_some()
            {
                Verdict::Reached
            } else if stopped.is_some() {
                Verdict::Unknown
            } else {
                Verdict::Unreachable
            }
        });
        let (interleavings, deadlocks, failing) = (
            total(&|_| true),
            total(&|o| o.deadlock),
            total(&|o| o.failing),
        );
        let mut saturated: Vec<String> = [
            ("interleavings", interleavings),
            ("deadlocks", deadlocks),
            ("failing", failing),
        ]
        .into_iter()
        .filter(|&(_, count)| crate::count::saturated(count))
        .map(|(name, _)| name.to_owned())
        .collect();
        saturated.extend(
            outcomes
                .iter()
                .enumerate()
                .filter(|(_, o)| crate::count::saturated(o.count))
                .map(|(idx, _)| format!("outcomes[{idx}].count")),
        );
        let schedules = schedules_unknown.is_none().then(|| {
            outcomes
                .iter()
                .filter_map(|o| o.schedules)
                .fold(0u64, u64::saturating_add)
        });
        if schedules.is_some_and(crate::count::saturated) {
            saturated.push("schedules".to_owned());
        }
        saturated.extend(
            outcomes
                .iter()
                .enumerate()
                .filter(|(_, o)| o.schedules.is_some_and(crate::count::saturated))
                .map(|(idx, _)| format!("outcomes[{idx}].schedules")),
        );
        Report {
            interleavings,
            classes: self.counts_classes(),
            schedules,
            schedules_unknown,
            states: self.states,
            deadlocks,
            failing,
            saturated,
            shortest_failing: self.shortest.as_deref().map(names),
            complete: stopped.is_none(),
            stopped,
            cycles: self.cycles,
            reduction: self.options.reduction,
            goal_reachable,
            liveness: self.liveness.clone(),
            outcomes,
        }
    }

    fn push(&mut self, state: State, hash: u64) {
        let (todo, reduced) = self.expansion(&state);
        if self.options.reduction {
            self.visited.insert(hash, Seen::OnStack);
        }
        self.stack.push(Frame {
            state,
            hash,
            todo,
            reduced,
            summary: Summary::new(),
        });
    }

    /// The threads to expand at `state`, and whether that is a reduced set.
    fn expansion(&self, state: &State) -> (Vec<u8>, bool) {
        let program = &self.program;
        let ready: Vec<u8> = (0..state.threads.len())
            .filter(|&thread| state.readiness(program, thread) == Readiness::Ready)
            .map(|thread| thread as u8)
            .collect();
        if self.options.reduction
            && self.options.partial_order
            && ready.len() > 1
            && let Some(&thread) = ready
                .iter()
                .find(|&&thread| independent(program, state, thread as usize))
        {
            return (vec![thread], true);
        }
        let mut todo = ready;
        todo.reverse();
        (todo, false)
    }

    fn dfs_step(&mut self) {
        let program = self.program.clone();
        let frame = self.stack.last_mut().expect("a frame");
        let Some(thread) = frame.todo.pop() else {
            let frame = self.stack.pop().expect("a frame");
            let summary = Rc::new(frame.summary);
            match self.stack.last_mut() {
                Some(parent) => merge(&mut parent.summary, &summary),
                None => self.root = (*summary).clone(),
            }
            if self.options.reduction {
                self.visited.insert(frame.hash, Seen::Done(summary));
            }
            self.path.pop();
            return;
        };
        let mut child = frame.state.clone();
        child.step(&program, thread as usize);
        let reduced = frame.reduced;
        self.path.push(thread);
        if target_state(&program, &child)
            && self
                .shortest
                .as_ref()
                .is_none_or(|best| self.path.len() < best.len())
        {
            self.shortest = Some(self.path.clone());
        }
        let hash = hash_of(&child);
        if self.options.reduction
            && let Some(seen) = self.visited.get(&hash)
        {
            match seen {
                Seen::OnStack => {
                    self.cycles = true;
                    if reduced {
                        // The cycle proviso: a reduced expansion must not
                        // close a cycle, or other threads could be ignored
                        // forever. Expand this state fully instead.
                        let frame = self.stack.last_mut().expect("a frame");
                        let ready: Vec<u8> = (0..frame.state.threads.len())
                            .filter(|&other| {
                                other != thread as usize && frame.state.can_step(&program, other)
                            })
                            .map(|other| other as u8)
                            .rev()
                            .collect();
                        frame.todo = ready;
                        frame.reduced = false;
                    }
                }
                Seen::Done(summary) => {
                    let summary = summary.clone();
                    let frame = self.stack.last_mut().expect("a frame");
                    merge(&mut frame.summary, &summary);
                }
            }
            self.path.pop();
            return;
        }
        self.states += 1;
        if self.states as usize > self.options.max_states {
            // Keep the counts of what was explored: fold the open frames
            // into their parents, down to the root.
            self.capped = true;
            while let Some(frame) = self.stack.pop() {
                match self.stack.last_mut() {
                    Some(parent) => merge(&mut parent.summary, &frame.summary),
                    None => self.root = frame.summary,
                }
            }
            self.path.clear();
            return;
        }
        let terminal = match child.phase(&program) {
            Phase::Running if self.path.len() >= self.options.max_depth => Some(true),
            Phase::Running => None,
            _ => Some(false),
        };
        match terminal {
            None => self.push(child, hash),
            Some(runaway) => {
                self.cut |= runaway;
                let outcome = self.terminal(&child, runaway);
                let summary = vec![(outcome, 1)];
                let frame = self.stack.last_mut().expect("a frame");
                merge(&mut frame.summary, &summary);
                if self.options.reduction {
                    self.visited.insert(hash, Seen::Done(Rc::new(summary)));
                }
                self.path.pop();
            }
        }
    }

    /// Records the outcome of a final state; returns its index.
    fn terminal(&mut self, state: &State, runaway: bool) -> u32 {
        let outcome = outcome_of(&self.program, state, runaway);
        if let Some(idx) = self.index.get(&outcome) {
            return *idx;
        }
        let idx = self.outcomes.len() as u32;
        let example = self
            .path
            .iter()
            .map(|&thread| self.program.threads[thread as usize].name.clone())
            .collect();
        self.index.insert(outcome.clone(), idx);
        self.outcomes.push(OutcomeCount {
            outcome,
            count: 0,
            schedules: None,
            example,
        });
        idx
    }

    fn finish_dfs(&mut self) {
        if self.counting_only {
            self.done = true;
            return;
        }
        if self.shortest.is_none()
            || self.shortest.as_ref().is_some_and(Vec::is_empty)
            || self.capped
        {
            self.start_liveness();
            return;
        }
        let start = self.start.clone();
        let mut seen = HashSet::new();
        seen.insert(hash_of(&start));
        let mut queue = VecDeque::new();
        queue.push_back((start, 0));
        self.bfs = Some(Bfs {
            queue,
            parents: vec![(u32::MAX, 0)],
            seen,
        });
    }

    /// Starts the liveness search when a schedule can loop (or the goal
    /// asks for it and the search so far was complete), else ends.
    fn start_liveness(&mut self) {
        self.bfs = None;
        let loops = self.program.threads.iter().any(|code| {
            code.instrs
                .iter()
                .enumerate()
                .any(|(pc, instr)| matches!(instr.op, Op::Jump { to } if (to as usize) <= pc))
        });
        let asked = self.program.goal.is_some_and(Goal::is_liveness);
        let wanted = self.cycles || (asked && loops) || (!self.options.reduction && loops);
        if wanted && !self.capped {
            let graph = Graph::new(
                self.program.clone(),
                self.start.clone(),
                self.options.max_states,
            );
            self.graph = Some(graph);
        } else {
            if asked && !loops && !self.capped {
                // Without a loop nothing goes on for ever: nothing to find.
                self.liveness = Some(Liveness {
                    starvation: Vec::new(),
                    livelock: None,
                    states: 0,
                    complete: true,
                });
            }
            self.done = true;
        }
    }

    fn bfs_step(&mut self) {
        let program = self.program.clone();
        let bfs = self.bfs.as_mut().expect("a breadth-first search");
        let Some((state, node)) = bfs.queue.pop_front() else {
            self.start_liveness();
            return;
        };
        for thread in 0..state.threads.len() {
            if !state.can_step(&program, thread) {
                continue;
            }
            let mut child = state.clone();
            child.step(&program, thread);
            if !bfs.seen.insert(hash_of(&child)) {
                continue;
            }
            bfs.parents.push((node, thread as u8));
            let child_node = (bfs.parents.len() - 1) as u32;
            if target_state(&program, &child) {
                let mut schedule = Vec::new();
                let mut at = child_node;
                while at != 0 {
                    let (parent, thread) = bfs.parents[at as usize];
                    schedule.push(thread);
                    at = parent;
                }
                schedule.reverse();
                if self
                    .shortest
                    .as_ref()
                    .is_none_or(|best| schedule.len() <= best.len())
                {
                    self.shortest = Some(schedule);
                }
                self.start_liveness();
                return;
            }
            if bfs.parents.len() > self.options.max_states {
                // Too big to be sure it is the shortest: keep the depth-first one.
                self.start_liveness();
                return;
            }
            bfs.queue.push_back((child, child_node));
        }
    }
}

/// True when `thread`'s next step commutes with everything the other live
/// threads can still do, and no other thread can disable it.
fn independent(program: &Program, state: &State, thread: usize) -> bool {
    let code = &program.threads[thread];
    let op = &code.instrs[state.threads[thread].pc as usize].op;
    let mut others = program
        .threads
        .iter()
        .enumerate()
        .filter(|(other, _)| *other != thread && state.threads[*other].status == Status::Running)
        .map(|(_, code)| &code.access);
    match op {
        Op::Compute { .. }
        | Op::Branch { .. }
        | Op::Jump { .. }
        | Op::Assert { .. }
        | Op::Progress => true,
        Op::Load { var, .. } => others.all(|access| !access.writes[*var as usize]),
        Op::Store { var, .. } => {
            others.all(|access| !access.writes[*var as usize] && !access.reads[*var as usize])
        }
        Op::LoadIndex { array, .. } => {
            let vars = program.element_vars(*array);
            others.all(|access| vars.clone().all(|var| !access.writes[var]))
        }
        Op::StoreIndex { array, .. } => {
            let vars = program.element_vars(*array);
            others.all(|access| {
                vars.clone()
                    .all(|var| !access.writes[var] && !access.reads[var])
            })
        }
        Op::Atomic { target, .. } => {
            let vars = match target {
                Target::Var(var) => *var as usize..*var as usize + 1,
                Target::Element { array, .. } => program.element_vars(*array),
            };
            // Even a compare_and_swap that fails conflicts like a write:
            // whether it fails depends on the others' writes.
            others.all(|access| {
                vars.clone()
                    .all(|var| !access.writes[var] && !access.reads[var])
            })
        }
        Op::Acquire(sem) | Op::Release(sem) => {
            others.all(|access| !access.semaphores[*sem as usize])
        }
        Op::CondWait { cond, mutex } | Op::CondReacquire { cond, mutex } => {
            others.all(|access| !access.conds[*cond as usize] && !access.mutexes[*mutex as usize])
        }
        Op::Notify { cond, .. } => others.all(|access| !access.conds[*cond as usize]),
        Op::ReadLock(lock) | Op::ReadUnlock(lock) | Op::WriteLock(lock) | Op::WriteUnlock(lock) => {
            others.all(|access| !access.rwlocks[*lock as usize])
        }
        Op::Arrive(barrier) | Op::PassBarrier(barrier) => {
            others.all(|access| !access.barriers[*barrier as usize])
        }
        Op::LoadField { .. } | Op::StoreField { .. } | Op::New { .. } => {
            others.all(|access| !access.heap)
        }
        Op::Lock(m) | Op::Unlock(m) | Op::TryLock { mutex: m, .. } => {
            others.all(|access| !access.mutexes[*m as usize])
        }
        Op::LockAll(ms) => others.all(|access| ms.iter().all(|m| !access.mutexes[*m as usize])),
        Op::EnterCritical | Op::ExitCritical => others.all(|access| !access.critical),
        Op::Open { .. }
        | Op::Read { .. }
        | Op::SeekEnd { .. }
        | Op::Write { .. }
        | Op::Flock { .. }
        | Op::Funlock { .. } => others.all(|access| !access.files),
    }
}

/// What the shortest schedule looks for: a state that meets the program's
/// goal when it has one (so the schedule shown is the lesson's failure,
/// not another), else any failing state.
pub fn target_state(program: &Program, state: &State) -> bool {
    match program.goal {
        Some(goal) => goal_met(program, state, goal),
        None => failing_state(program, state),
    }
}

/// Whether `state` meets `goal` (for a final check, once every thread is done).
pub fn goal_met(program: &Program, state: &State, goal: Goal) -> bool {
    match goal {
        Goal::Critical => state.world.flags.critical,
        Goal::LostUpdate => state.world.flags.lost_update,
        Goal::Deadlock => state.phase(program) == Phase::Deadlock,
        // Cycles, not states: the liveness search finds them.
        Goal::Starve | Goal::Livelock => false,
        Goal::Assert => {
            state.threads.iter().any(|thread| {
                matches!(
                    thread.status,
                    Status::Failed(super::machine::Failure::Assert { .. })
                )
            }) || (state.phase(program) == Phase::Finished
                && matches!(
                    state.run_after(program),
                    AfterResult::Failed(super::machine::Failure::Assert { .. })
                ))
        }
    }
}

/// A state where something has already gone wrong, or a final state that
/// fails its check.
pub fn failing_state(program: &Program, state: &State) -> bool {
    if state.world.flags.critical || state.world.flags.lost_update {
        return true;
    }
    if state
        .threads
        .iter()
        .any(|thread| matches!(thread.status, Status::Failed(_)))
    {
        return true;
    }
    match state.phase(program) {
        Phase::Running => false,
        Phase::Deadlock => true,
        Phase::Finished => !matches!(state.run_after(program), AfterResult::Passed),
    }
}

/// The outcome of a final state (or of one cut at the step limit).
pub fn outcome_of(program: &Program, state: &State, runaway: bool) -> Outcome {
    let shared = program
        .shared
        .iter()
        .zip(&state.world.shared)
        .map(|(var, value)| {
            let shown = match value {
                Value::Int(value) => Shown::Int(*value),
                Value::Null => Shown::Null,
                Value::Str(text) => Shown::Text(text.to_string()),
                Value::Node(_) => Shown::Text(state.list_text(value)),
                Value::Handle { .. } => Shown::Text(value.to_string()),
            };
            (var.name.clone(), shown)
        })
        .collect();
    let files = program
        .files
        .iter()
        .zip(&state.world.files)
        .map(|(file, now)| (file.name.clone(), now.contents.clone()))
        .collect();
    let mut sentences = Vec::new();
    let mut assert_failed = false;
    for (code, thread) in program.threads.iter().zip(&state.threads) {
        if let Status::Failed(failure) = &thread.status {
            assert_failed |= matches!(failure, super::machine::Failure::Assert { .. });
            sentences.push(format!("{}: {failure}", code.name));
        }
    }
    let phase = state.phase(program);
    let deadlock = phase == Phase::Deadlock;
    if deadlock {
        sentences.push(deadlock_text(program, state));
    }
    let mut after_failed = false;
    if runaway {
        sentences.push(format!(
            "stopped after {} steps (an endless loop?)",
            limits::MAX_RUN_STEPS
        ));
    } else if phase == Phase::Finished {
        match state.run_after(program) {
            AfterResult::Passed => {}
            AfterResult::Failed(failure) => {
                after_failed = true;
                assert_failed |= matches!(failure, super::machine::Failure::Assert { .. });
                sentences.push(format!("final check: {failure}"));
            }
            AfterResult::Runaway => {
                after_failed = true;
                sentences.push("final check: did not finish".into());
            }
        }
    }
    let flags = &state.world.flags;
    if flags.critical {
        sentences.push("two threads were in the critical section at once".into());
    }
    if flags.lost_update {
        sentences.push("an update was lost".into());
    }
    let failing = deadlock
        || after_failed
        || flags.critical
        || flags.lost_update
        || state
            .threads
            .iter()
            .any(|t| matches!(t.status, Status::Failed(_)));
    let result = if sentences.is_empty() {
        if program.after.is_some() {
            "every thread finished; the final check passed".into()
        } else {
            "every thread finished".into()
        }
    } else {
        sentences.join("; ")
    };
    Outcome {
        shared,
        files,
        result,
        failing,
        deadlock,
        critical: flags.critical,
        lost_update: flags.lost_update,
        runaway,
        assert_failed,
    }
}

mod counts;
#[cfg(test)]
mod tests;
