//! Liveness: starvation and livelock, found as fair cycles of the state
//! graph.
//!
//! **Progress** is a thread's step over a `progress` line, or its last
//! step (it finishes). A cycle of steps that can repeat for ever is
//! **fair** under weak fairness when every thread that could step in all
//! of its states takes a step in it: a scheduler that simply never runs a
//! ready thread is not a finding. A spurious wake-up is taken only finitely
//! often: cycles that need one are not findings either.
//!
//! - **Starvation** of a thread: a reachable fair cycle in which it, still
//!   running, never makes progress while another thread does.
//! - **Livelock**: a reachable fair cycle in which no thread makes progress
//!   (threads keep running, or spinning, and nothing gets done).
//!
//! The method: the whole state graph (no partial-order reduction, which
//! keeps final states but not every cycle), then the strongly connected
//! components of the graph without the steps that would be progress. A
//! component with a step inside it holds a cycle through all its states
//! and steps, so it holds a fair cycle exactly when, for every thread, one
//! of its states leaves that thread unable to step or one of its steps is
//! that thread's. Each finding comes as a lasso: the shortest schedule to
//! the component, then a loop through it that takes every step needed.

use std::collections::{HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::machine::{State, Status, hash_of};
use super::program::{Goal, Op, Program};
use super::schedule::Run;

/// A schedule that reaches a cycle and the cycle, which can repeat for ever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lasso {
    /// The starving thread; `None` for a livelock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    /// The steps from the start to the cycle (thread names).
    pub prefix: Vec<String>,
    /// The steps of the cycle: after them the state is the one it started
    /// from.
    pub cycle: Vec<String>,
}

/// What the liveness search found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Liveness {
    /// One lasso per thread that can starve.
    pub starvation: Vec<Lasso>,
    pub livelock: Option<Lasso>,
    /// States of the whole graph searched.
    pub states: u64,
    /// False when the graph passed the state cap: findings are real, but
    /// their absence proves nothing.
    pub complete: bool,
}

/// A step of the graph.
#[derive(Debug, Clone, Copy)]
struct Edge {
    to: u32,
    thread: u8,
    /// The step is progress for its thread.
    progress: bool,
    /// The step is a spurious wake-up.
    spurious: bool,
}

/// The whole state graph, grown breadth first in slices.
pub struct Graph {
    program: std::rc::Rc<Program>,
    max_states: usize,
    queue: VecDeque<(State, u32)>,
    index: HashMap<u64, u32>,
    /// For each state: its first edge in `edges` (edges of state i are
    /// `offsets[i]..offsets[i + 1]` once it is expanded).
    offsets: Vec<u32>,
    edges: Vec<Edge>,
    /// Threads that can step, as bits (a spurious wake-up does not count:
    /// no scheduler owes one).
    enabled: Vec<u8>,
    /// Threads still running, as bits.
    running: Vec<u8>,
    /// The breadth-first tree: each state's parent and the thread stepped.
    parent: Vec<(u32, u8)>,
    /// Each state's number of steps from the start, along that tree.
    depth: Vec<u32>,
    capped: bool,
}

impl std::fmt::Debug for Graph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("states", &self.states())
            .field("capped", &self.capped)
            .finish()
    }
}

/// Whether the run, at step `end`, has just gone round a cycle that meets
/// a liveness goal: the state after `end` steps is one it was in before,
/// and the steps in between are a fair cycle (every thread steps or cannot
/// step somewhere in it; no spurious wake-up) in which, for `Starve`, a
/// running thread makes no progress while another does, or, for
/// `Livelock`, no thread makes progress. So a learner can win such a goal
/// by stepping round the loop by hand.
pub fn closes_cycle(program: &Program, run: &Run, end: usize, goal: Goal) -> bool {
    let Some(last) = run.states.get(end) else {
        return false;
    };
    (0..end)
        .rev()
        .filter(|&start| run.states[start] == *last)
        .any(|start| cycle_meets(program, run, start, end, goal))
}

fn cycle_meets(program: &Program, run: &Run, start: usize, end: usize, goal: Goal) -> bool {
    let threads = program.threads.len();
    let mut stepped = vec![false; threads];
    let mut idle = vec![false; threads];
    let mut progressed = vec![false; threads];
    for at in start..end {
        let (before, after) = (&run.states[at], &run.states[at + 1]);
        let thread = run.steps[at].thread;
        if spurious(program, before, thread) {
            return false;
        }
        for (other, idle) in idle.iter_mut().enumerate() {
            *idle |= !before.can_step(program, other);
        }
        stepped[thread] = true;
        let op = &program.threads[thread].instrs[before.threads[thread].pc as usize].op;
        progressed[thread] |=
            matches!(op, Op::Progress) || after.threads[thread].status != Status::Running;
    }
    if (0..threads).any(|thread| !stepped[thread] && !idle[thread]) {
        return false;
    }
    let running = |thread: usize| run.states[start].threads[thread].status == Status::Running;
    match goal {
        Goal::Livelock => !progressed.contains(&true),
        Goal::Starve => {
            (0..threads).any(|thread| running(thread) && !progressed[thread])
                && progressed.contains(&true)
        }
        _ => false,
    }
}

/// Whether `thread`'s next step would be a spurious wake-up.
fn spurious(program: &Program, state: &State, thread: usize) -> bool {
    let op = &program.threads[thread].instrs[state.threads[thread].pc as usize].op;
    matches!(op, Op::CondReacquire { cond, .. }
        if state.world.conds[*cond as usize].contains(&(thread as u8)))
}

impl Graph {
    pub fn new(program: std::rc::Rc<Program>, start: State, max_states: usize) -> Graph {
        let mut graph = Graph {
            program,
            max_states,
            queue: VecDeque::new(),
            index: HashMap::new(),
            offsets: Vec::new(),
            edges: Vec::new(),
            enabled: Vec::new(),
            running: Vec::new(),
            parent: Vec::new(),
            depth: Vec::new(),
            capped: false,
        };
        graph.add(start, (u32::MAX, 0));
        graph
    }

    pub fn states(&self) -> u64 {
        self.enabled.len() as u64
    }

    fn add(&mut self, state: State, parent: (u32, u8)) -> u32 {
        let id = self.enabled.len() as u32;
        self.index.insert(hash_of(&state), id);
        let program = &self.program;
        let mut enabled = 0u8;
        let mut running = 0u8;
        for thread in 0..state.threads.len() {
            if state.can_step(program, thread) && !spurious(program, &state, thread) {
                enabled |= 1 << thread;
            }
            if state.threads[thread].status == Status::Running {
                running |= 1 << thread;
            }
        }
        self.enabled.push(enabled);
        self.running.push(running);
        self.parent.push(parent);
        let depth = self
            .depth
            .get(parent.0 as usize)
            .map_or(0, |depth| depth + 1);
        self.depth.push(depth);
        self.queue.push_back((state, id));
        id
    }

    /// Expands about `budget` more states; true when the graph is whole
    /// (or capped).
    pub fn grow(&mut self, budget: usize) -> bool {
        for _ in 0..budget {
            let Some((state, id)) = self.queue.pop_front() else {
                return true;
            };
            debug_assert_eq!(self.offsets.len(), id as usize);
            self.offsets.push(self.edges.len() as u32);
            let program = self.program.clone();
            for thread in 0..state.threads.len() {
                if !state.can_step(&program, thread) {
                    continue;
                }
                let code = &program.threads[thread];
                let op = &code.instrs[state.threads[thread].pc as usize].op;
                let spurious = spurious(&program, &state, thread);
                let mut child = state.clone();
                child.step(&program, thread);
                let progress =
                    matches!(op, Op::Progress) || child.threads[thread].status != Status::Running;
                let to = match self.index.get(&hash_of(&child)) {
                    Some(&to) => to,
                    None if self.enabled.len() >= self.max_states => {
                        // The cap: this step leads out of the graph searched.
                        self.capped = true;
                        continue;
                    }
                    None => self.add(child, (id, thread as u8)),
                };
                self.edges.push(Edge {
                    to,
                    thread: thread as u8,
                    progress,
                    spurious,
                });
            }
        }
        self.queue.is_empty()
    }

    fn edges_of(&self, node: u32) -> &[Edge] {
        let start = self.offsets[node as usize] as usize;
        let end = self
            .offsets
            .get(node as usize + 1)
            .map_or(self.edges.len(), |&end| end as usize);
        &self.edges[start..end]
    }

    /// The fair non-progress cycles, once the graph is grown.
    pub fn analyse(&self) -> Liveness {
        debug_assert!(self.queue.is_empty() || self.capped);
        let threads = self.program.threads.len();
        let mut starvation = Vec::new();
        for thread in 0..threads {
            let bit = 1u8 << thread;
            // Without the thread's own progress, among states where it runs;
            // the cycle must hold another thread's progress.
            let found = self.fair_cycle(
                |node| self.running[node as usize] & bit != 0,
                |edge| !(edge.thread as usize == thread && edge.progress),
                |edge| edge.progress,
            );
            if let Some((entry, cycle)) = found {
                starvation.push(self.lasso(Some(thread), entry, cycle));
            }
        }
        let livelock = self
            .fair_cycle(|_| true, |edge| !edge.progress, |_| true)
            .map(|(entry, cycle)| self.lasso(None, entry, cycle));
        Liveness {
            starvation,
            livelock,
            states: self.states(),
            complete: !self.capped,
        }
    }

    fn lasso(&self, thread: Option<usize>, entry: u32, cycle: Vec<u8>) -> Lasso {
        let names = |steps: &[u8]| -> Vec<String> {
            steps
                .iter()
                .map(|&thread| self.program.threads[thread as usize].name.clone())
                .collect()
        };
        let mut prefix = Vec::new();
        let mut at = entry;
        while at != 0 {
            let (parent, thread) = self.parent[at as usize];
            prefix.push(thread);
            at = parent;
        }
        prefix.reverse();
        Lasso {
            thread: thread.map(|thread| self.program.threads[thread].name.clone()),
            prefix: names(&prefix),
            cycle: names(&cycle),
        }
    }

    /// A fair cycle among the states `keep` allows and the steps `allowed`
    /// allows (never a spurious wake-up), with a step `needed` approves
    /// inside it: the state nearest the start that enters it, and the
    /// cycle's steps from there.
    fn fair_cycle(
        &self,
        keep: impl Fn(u32) -> bool,
        allowed: impl Fn(&Edge) -> bool,
        needed: impl Fn(&Edge) -> bool,
    ) -> Option<(u32, Vec<u8>)> {
        let expanded = self.offsets.len() as u32;
        let usable = |from: u32, edge: &Edge| {
            !edge.spurious && allowed(edge) && edge.to < expanded && keep(from) && keep(edge.to)
        };
        let component = tarjan(expanded, |node| {
            self.edges_of(node)
                .iter()
                .filter(|edge| usable(node, edge))
                .map(|edge| edge.to)
                .collect()
        });
        // Group states by component; find the fair components.
        let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
        for node in 0..expanded {
            if keep(node) {
                members
                    .entry(component[node as usize])
                    .or_default()
                    .push(node);
            }
        }
        let threads = self.program.threads.len();
        let all = (1u32 << threads) - 1;
        let mut best: Option<u32> = None;
        for nodes in members.values() {
            let id = component[nodes[0] as usize];
            let inside = |edge: &Edge| component[edge.to as usize] == id;
            // Fair when every thread steps inside or cannot step in one of
            // its states; it must also hold a step `needed` approves.
            let (mut stepped, mut idle, mut need) = (0u32, 0u32, false);
            for &node in nodes {
                idle |= !u32::from(self.enabled[node as usize]) & all;
                for edge in self.edges_of(node) {
                    if usable(node, edge) && inside(edge) {
                        stepped |= 1 << edge.thread;
                        need |= needed(edge);
                    }
                }
            }
            if !need || (stepped | idle) & all != all {
                continue;
            }
            // The state of the component nearest the start enters it.
            let entry = *nodes
                .iter()
                .min_by_key(|&&node| self.depth[node as usize])
                .expect("a component has a state");
            if best.is_none_or(|old| self.depth[entry as usize] < self.depth[old as usize]) {
                best = Some(entry);
            }
        }
        let entry = best?;
        let id = component[entry as usize];
        let within =
            |from: u32, edge: &Edge| usable(from, edge) && component[edge.to as usize] == id;
        // A short cycle: again and again, go to the nearest state or step
        // that meets a requirement not yet met, then back to the entry.
        let (mut stepped, mut idle, mut need) = (0u32, 0u32, false);
        idle |= !u32::from(self.enabled[entry as usize]) & all;
        let mut cycle = Vec::new();
        let mut at = entry;
        loop {
            let pending = all & !(stepped | idle);
            let done = pending == 0 && need;
            let steps = self.search(at, &within, |node| {
                if done {
                    return (node == entry).then_some(None);
                }
                if !u32::from(self.enabled[node as usize]) & pending != 0 {
                    return Some(None);
                }
                self.edges_of(node)
                    .iter()
                    .position(|edge| {
                        within(node, edge)
                            && (pending & (1 << edge.thread) != 0 || (!need && needed(edge)))
                    })
                    .map(Some)
            });
            for (node, idx) in steps {
                let edge = self.edges_of(node)[idx];
                cycle.push(edge.thread);
                stepped |= 1 << edge.thread;
                need |= needed(&edge);
                idle |= !u32::from(self.enabled[edge.to as usize]) & all;
                at = edge.to;
            }
            if done {
                break;
            }
        }
        Some((entry, cycle))
    }

    /// The steps (each a state and the index of its step) of a shortest
    /// path `within` allows from `from` to the nearest state `goal`
    /// accepts, then the step `goal` names there, if it names one.
    fn search(
        &self,
        from: u32,
        within: &impl Fn(u32, &Edge) -> bool,
        goal: impl Fn(u32) -> Option<Option<usize>>,
    ) -> Vec<(u32, usize)> {
        let mut back: HashMap<u32, (u32, usize)> = HashMap::new();
        let mut queue = VecDeque::from([from]);
        let mut seen = std::collections::HashSet::from([from]);
        while let Some(node) = queue.pop_front() {
            if let Some(step) = goal(node) {
                let mut steps = Vec::new();
                let mut at = node;
                while at != from {
                    let (prev, idx) = back[&at];
                    steps.push((prev, idx));
                    at = prev;
                }
                steps.reverse();
                steps.extend(step.map(|idx| (node, idx)));
                return steps;
            }
            for (idx, edge) in self.edges_of(node).iter().enumerate() {
                if within(node, edge) && seen.insert(edge.to) {
                    back.insert(edge.to, (node, idx));
                    queue.push_back(edge.to);
                }
            }
        }
        unreachable!("a fair component holds what its cycle needs")
    }
}

/// Tarjan's strongly connected components, without recursion: each
/// node's component number.
fn tarjan(nodes: u32, successors: impl Fn(u32) -> Vec<u32>) -> Vec<u32> {
    let mut search = Tarjan {
        index: vec![NONE; nodes as usize],
        low: vec![0; nodes as usize],
        on_stack: vec![false; nodes as usize],
        stack: Vec::new(),
        next_index: 0,
        work: Vec::new(),
    };
    let mut component = vec![NONE; nodes as usize];
    let mut next_component = 0u32;
    for root in 0..nodes {
        if search.index[root as usize] != NONE {
            continue;
        }
        search.open(root, successors(root));
        while let Some((node, succ, at)) = search.work.last_mut() {
            let node = *node;
            if let Some(&next) = succ.get(*at) {
                *at += 1;
                if search.index[next as usize] == NONE {
                    search.open(next, successors(next));
                } else if search.on_stack[next as usize] {
                    let low = search.low[node as usize].min(search.index[next as usize]);
                    search.low[node as usize] = low;
                }
                continue;
            }
            search.work.pop();
            if let Some((parent, _, _)) = search.work.last() {
                let parent = *parent as usize;
                search.low[parent] = search.low[parent].min(search.low[node as usize]);
            }
            if search.low[node as usize] == search.index[node as usize] {
                loop {
                    let member = search.stack.pop().expect("the component's states");
                    search.on_stack[member as usize] = false;
                    component[member as usize] = next_component;
                    if member == node {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

const NONE: u32 = u32::MAX;

/// Tarjan's search in progress.
struct Tarjan {
    index: Vec<u32>,
    low: Vec<u32>,
    on_stack: Vec<bool>,
    stack: Vec<u32>,
    next_index: u32,
    /// The path being searched: each node, its successors and the next
    /// one to visit.
    work: Vec<(u32, Vec<u32>, usize)>,
}

impl Tarjan {
    /// Numbers `node` and starts on its successors.
    fn open(&mut self, node: u32, successors: Vec<u32>) {
        self.index[node as usize] = self.next_index;
        self.low[node as usize] = self.next_index;
        self.next_index += 1;
        self.stack.push(node);
        self.on_stack[node as usize] = true;
        self.work.push((node, successors, 0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarjan_finds_the_components_of_a_known_graph() {
        // 0 → 1 → 2 → 0, 2 → 3, 3 ⇄ 4, 5 alone.
        let edges = [vec![1], vec![2], vec![0, 3], vec![4], vec![3], vec![]];
        let c = tarjan(6, |node| edges[node as usize].clone());
        assert_eq!((c[0], c[1]), (c[2], c[2]));
        assert_eq!(c[3], c[4]);
        assert_ne!(c[0], c[3]);
        assert_ne!(c[5], c[0]);
        assert_ne!(c[5], c[3]);
    }

    #[test]
    fn tarjan_walks_a_long_chain_without_recursion() {
        let nodes = 200_000u32;
        // A chain closed into one ring: a single component.
        let c = tarjan(nodes, |node| vec![(node + 1) % nodes]);
        assert!(c.iter().all(|&id| id == c[0]));
    }
}
