//! Random schedules, for when the state space is too big to search whole:
//! probabilistic concurrency testing (PCT; Burckhardt, Kothari, Musuvathi
//! and Nagarakatte, "A randomized scheduler with probabilistic guarantees
//! of finding bugs", ASPLOS 2010).
//!
//! Each run gives the n threads random distinct priorities and picks
//! d - 1 change points among the first k steps. At every step the thread
//! with the highest priority that can step runs; at the i-th change point
//! the running thread drops to priority i, below every starting one. A bug
//! that needs d ordering constraints is found by one run with probability
//! at least 1 / (n k^(d-1)). k starts as the threads' combined code length
//! and grows to the longest run seen that ended by itself. A thread that
//! spins (comes back to a loop test with nothing changed since it was
//! last there) drops to the lowest priority, as if it had yielded, so a
//! spin lock cannot hold a run to the step limit. Seeded: the same options
//! give the same runs, natively and in wasm.
//!
//! A sampler only ever proves that something can happen (with the
//! schedule); finding nothing proves nothing.

use std::collections::HashSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use super::explore::target_state;
use super::limits;
use super::machine::{Phase, State};
use super::program::{Op, Program};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleOptions {
    /// Random schedules to try.
    pub runs: u64,
    pub seed: u64,
    /// PCT's bug depth d: the ordering constraints a failure may need
    /// (d - 1 priority change points per run).
    pub depth: u32,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            runs: 10_000,
            seed: 1,
            depth: 3,
        }
    }
}

/// The most runs one sampling may ask for.
pub const MAX_SAMPLE_RUNS: u64 = 10_000_000;
/// The deepest bug depth asked for.
pub const MAX_SAMPLE_DEPTH: u32 = 10;

/// What the random schedules found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleReport {
    /// Schedules run to their end (or to the target).
    pub tried: u64,
    /// Of those, the ones that reached the target: the program's goal when
    /// it has one, else any failure.
    pub failing: u64,
    /// The first schedule that reached it (thread names), and its run.
    pub first_failure: Option<Vec<String>>,
    pub first_failure_run: Option<u64>,
    pub seed: u64,
    pub depth: u32,
}

/// A resumable sampling; call [`Sampler::run`] until it returns true.
#[derive(Debug)]
pub struct Sampler {
    program: Rc<Program>,
    start: State,
    options: SampleOptions,
    rng: Pcg64Mcg,
    /// PCT's k: the steps a run is expected to take.
    k: usize,
    tried: u64,
    failing: u64,
    first_failure: Option<(Vec<u8>, u64)>,
}

impl Sampler {
    pub fn new(program: Rc<Program>, start: State, options: SampleOptions) -> Sampler {
        let k = program
            .threads
            .iter()
            .map(|code| code.instrs.len())
            .sum::<usize>()
            .max(1);
        Sampler {
            rng: Pcg64Mcg::seed_from_u64(options.seed),
            program,
            start,
            options: SampleOptions {
                runs: options.runs.min(MAX_SAMPLE_RUNS),
                depth: options.depth.clamp(1, MAX_SAMPLE_DEPTH),
                ..options
            },
            k,
            tried: 0,
            failing: 0,
            first_failure: None,
        }
    }

    /// Runs up to `budget` more schedules; true when all are done.
    pub fn run(&mut self, budget: u64) -> bool {
        let end = (self.tried + budget).min(self.options.runs);
        while self.tried < end {
            self.one_run();
        }
        self.tried >= self.options.runs
    }

    pub fn tried(&self) -> u64 {
        self.tried
    }

    pub fn report(&self) -> SampleReport {
        SampleReport {
            tried: self.tried,
            failing: self.failing,
            first_failure: self.first_failure.as_ref().map(|(schedule, _)| {
                schedule
                    .iter()
                    .map(|&thread| self.program.threads[thread as usize].name.clone())
                    .collect()
            }),
            first_failure_run: self.first_failure.as_ref().map(|(_, run)| *run),
            seed: self.options.seed,
            depth: self.options.depth,
        }
    }

    fn one_run(&mut self) {
        let program = self.program.clone();
        let n = program.threads.len();
        // Distinct starting priorities d .. d + n - 1 (higher runs first),
        // shuffled; change points get priorities d - 1 down to 1.
        let depth = self.options.depth as usize;
        let mut priorities: Vec<isize> = (depth as isize..(depth + n) as isize).collect();
        // Below every change point's priority: where spinning threads go.
        let mut lowest: isize = 0;
        for i in (1..n).rev() {
            let j = self.rng.random_range(0..=i);
            priorities.swap(i, j);
        }
        let mut changes: Vec<usize> = (0..depth - 1)
            .map(|_| self.rng.random_range(0..self.k))
            .collect();
        changes.sort_unstable();
        let mut state = self.start.clone();
        let mut schedule = Vec::new();
        let mut hit = target_state(&program, &state);
        // Per thread: what it and the world were each time it tested a loop.
        let mut tests: Vec<HashSet<u64>> = vec![HashSet::new(); n];
        let pick = |state: &State, priorities: &[isize]| {
            (0..n)
                .filter(|&thread| state.can_step(&program, thread))
                .max_by_key(|&thread| priorities[thread])
                .expect("a running state has a thread that can step")
        };
        while !hit
            && state.phase(&program) == Phase::Running
            && schedule.len() < limits::MAX_RUN_STEPS
        {
            let mut thread = pick(&state, &priorities);
            let step = schedule.len();
            if let Some(idx) = changes.iter().position(|&at| at == step) {
                priorities[thread] = (depth - 1 - idx) as isize;
                changes[idx] = usize::MAX;
                thread = pick(&state, &priorities);
            }
            let code = &program.threads[thread];
            if matches!(
                code.instrs[state.threads[thread].pc as usize].op,
                Op::Branch { .. }
            ) {
                let mut hasher = DefaultHasher::new();
                (&state.threads[thread], &state.world).hash(&mut hasher);
                if !tests[thread].insert(hasher.finish()) {
                    // Spinning: nothing changed since it last tested here.
                    lowest -= 1;
                    priorities[thread] = lowest;
                    tests[thread].clear();
                    thread = pick(&state, &priorities);
                }
            }
            state.step(&program, thread);
            schedule.push(thread as u8);
            hit = target_state(&program, &state);
        }
        if schedule.len() < limits::MAX_RUN_STEPS {
            self.k = self.k.max(schedule.len());
        }
        self.tried += 1;
        if hit {
            self.failing += 1;
            if self.first_failure.is_none() {
                self.first_failure = Some((schedule, self.tried));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::races::explore::{Explorer, Options, Verdict};
    use crate::races::{compile_source, lessons, schedule};

    fn sampler(text: &str, options: SampleOptions) -> (Rc<Program>, Sampler) {
        let program = Rc::new(compile_source(text).unwrap());
        let start = State::initial(&program);
        (program.clone(), Sampler::new(program, start, options))
    }

    #[test]
    fn random_schedules_find_every_lessons_goal_and_the_schedule_replays_to_it() {
        for lesson in &lessons::LESSONS {
            let (program, mut sampler) = sampler(
                lesson.source,
                SampleOptions {
                    runs: 2_000,
                    ..SampleOptions::default()
                },
            );
            // Random runs end in states; starvation and livelock are
            // cycles, which only the liveness search finds.
            if program.goal.is_none_or(|goal| goal.is_liveness()) {
                continue;
            }
            sampler.run(u64::MAX);
            let report = sampler.report();
            assert_eq!(report.tried, 2_000, "{}", lesson.id);
            let Some(names) = report.first_failure else {
                panic!("{}: no schedule in 2,000 met the goal", lesson.id);
            };
            let steps = schedule::parse(&program, &names.join(" ")).unwrap();
            let run = schedule::replay(&program, &steps).unwrap();
            assert!(
                target_state(&program, run.last()),
                "{}: {names:?}",
                lesson.id
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_runs() {
        let text = lessons::find("list-removal").unwrap().source;
        let options = SampleOptions {
            runs: 500,
            seed: 7,
            depth: 2,
        };
        let (_, mut a) = sampler(text, options);
        let (_, mut b) = sampler(text, options);
        a.run(u64::MAX);
        // In pieces, as the page runs it: the same result.
        while !b.run(37) {}
        assert_eq!(a.report(), b.report());
        let (_, mut c) = sampler(text, SampleOptions { seed: 8, ..options });
        c.run(u64::MAX);
        assert_ne!(a.report().first_failure_run, None);
        assert_eq!(c.report().tried, 500);
    }

    #[test]
    fn a_correct_program_never_fails_under_random_schedules() {
        // The explorer proves the mutex version never meets its goal; the
        // sampler, which can only find, finds nothing either.
        let text = lessons::find("counter-mutex").unwrap().source;
        let program = Rc::new(compile_source(text).unwrap());
        let report = Explorer::new(
            program.clone(),
            State::initial(&program),
            Options::default(),
        )
        .run_to_end();
        assert_ne!(report.goal_reachable, Some(Verdict::Reached));
        let (_, mut sampler) = sampler(
            text,
            SampleOptions {
                runs: 2_000,
                ..SampleOptions::default()
            },
        );
        sampler.run(u64::MAX);
        assert_eq!(sampler.report().failing, 0);
        assert_eq!(sampler.report().first_failure, None);
    }
}
