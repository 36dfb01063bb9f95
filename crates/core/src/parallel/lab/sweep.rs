//! The plan of a kernel's runs: one run, a sweep over worker counts, or a
//! weak-scaling sweep, decided here and carried out by the page one run
//! at a time ([`Plan::next`], then [`Plan::record`] with what it
//! measured).
//!
//! A sweep first runs once, unmeasured, on the most workers: the first
//! run pays for compiling the kernel, touching memory and waking the
//! workers. Then it runs every worker count [`SWEEP_REPEATS`] times and
//! reports the median run of each, since the slowest runs pay for things
//! outside the work and the fastest are lucky. A weak-scaling sweep does
//! the same with the problem grown for each worker count
//! (`KernelSpec::scaled`); every grown problem is checked before the
//! first run.

use std::rc::Rc;

use crate::error::ScenarioError;
use crate::parallel::kernels::KernelSpec;
use crate::parallel::run::{KernelRun, median_run};

/// Runs per worker count in a sweep (after one warm-up run): the median
/// is reported.
pub const SWEEP_REPEATS: usize = 3;
/// Pause before each run, for the page to finish drawing: on a machine
/// with as many workers as cores, page work during a run slows the
/// workers down.
pub const SETTLE_MILLIS: u64 = 120;

/// The worker counts a sweep up to `max` measures: every count up to 8,
/// then the powers of two, and `max` itself (a sweep of 1..=64 one by one
/// would take minutes and add little to the curve).
pub fn sweep_counts(max: usize) -> Vec<usize> {
    let max = max.max(1);
    let mut counts: Vec<usize> = (1..=max.min(8)).collect();
    let mut next = 16;
    while next < max {
        counts.push(next);
        next *= 2;
    }
    if *counts.last().expect("at least 1") != max {
        counts.push(max);
    }
    counts
}

/// What a plan measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    /// One run on the chosen worker count.
    Run,
    /// Strong scaling: the same problem on 1..N workers.
    Sweep,
    /// Weak scaling: the problem grown with the workers.
    Weak,
}

/// Runs of one spec on one worker count.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub workers: usize,
    /// The spec it runs: the lab's, or grown for `workers` (weak scaling).
    pub spec: KernelSpec,
    /// Whether its median is a result (the warm-up's is not).
    pub measured: bool,
    pub repeats: usize,
}

/// A plan of runs and how far it has got.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub kind: PlanKind,
    /// The lab's spec when the plan was made: the lab keeps results of
    /// this spec only (the user may change it during a sweep).
    pub spec: KernelSpec,
    steps: Vec<Step>,
    at: usize,
    /// The runs of the current step so far.
    tries: Vec<Rc<KernelRun>>,
}

impl Plan {
    /// One measured run of `spec` on `workers` workers.
    pub fn single(spec: KernelSpec, workers: usize) -> Plan {
        Plan::of(
            PlanKind::Run,
            spec,
            vec![Step {
                workers: workers.max(1),
                spec,
                measured: true,
                repeats: 1,
            }],
        )
    }

    /// A sweep of `spec` over [`sweep_counts`] up to `max_workers`.
    pub fn sweep(spec: KernelSpec, max_workers: usize) -> Plan {
        let steps = sweep_counts(max_workers)
            .into_iter()
            .map(|workers| Step {
                workers,
                spec,
                measured: true,
                repeats: SWEEP_REPEATS,
            })
            .collect();
        Plan::of(PlanKind::Sweep, spec, warmed_up(steps))
    }

    /// A weak-scaling sweep of `spec` up to `max_workers`, or why it
    /// cannot be made: the first grown problem that is refused (a kernel
    /// that cannot grow evenly, a size past the limit).
    pub fn weak(spec: KernelSpec, max_workers: usize) -> Result<Plan, ScenarioError> {
        let steps = sweep_counts(max_workers)
            .into_iter()
            .map(|workers| {
                Ok(Step {
                    workers,
                    spec: spec.scaled(workers)?,
                    measured: true,
                    repeats: SWEEP_REPEATS,
                })
            })
            .collect::<Result<Vec<_>, ScenarioError>>()?;
        Ok(Plan::of(PlanKind::Weak, spec, warmed_up(steps)))
    }

    fn of(kind: PlanKind, spec: KernelSpec, steps: Vec<Step>) -> Plan {
        Plan {
            kind,
            spec,
            steps,
            at: 0,
            tries: Vec::new(),
        }
    }

    /// The run to make now (its step), or `None` when the plan is done.
    pub fn next(&self) -> Option<&Step> {
        self.steps.get(self.at)
    }

    /// Takes a finished run of the step [`Plan::next`] gave: when that
    /// completes a measured step, its median run, the step's result.
    pub fn record(&mut self, run: Rc<KernelRun>) -> Option<Rc<KernelRun>> {
        let step = self.steps.get(self.at)?;
        let (measured, repeats) = (step.measured, step.repeats);
        self.tries.push(run);
        if self.tries.len() < repeats {
            return None;
        }
        self.at += 1;
        let tries = std::mem::take(&mut self.tries);
        if !measured {
            return None;
        }
        let runs = tries.iter().map(|run| (**run).clone()).collect();
        let median = median_run(runs)?;
        // The median is one of the tries: hand that one back.
        tries.into_iter().find(|run| **run == median)
    }

    /// Runs made and runs in all, warm-up included.
    pub fn progress(&self) -> (usize, usize) {
        let done: usize = self.steps[..self.at]
            .iter()
            .map(|step| step.repeats)
            .sum::<usize>()
            + self.tries.len();
        (done, self.steps.iter().map(|step| step.repeats).sum())
    }

    /// Every step, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }
}

/// `steps` after one unmeasured run on the most workers (the last step).
fn warmed_up(steps: Vec<Step>) -> Vec<Step> {
    let Some(most) = steps.iter().max_by_key(|step| step.workers) else {
        return steps;
    };
    let warm_up = Step {
        measured: false,
        repeats: 1,
        ..most.clone()
    };
    std::iter::once(warm_up).chain(steps).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::parallel::kernels::KernelKind;
    use crate::parallel::schedule::{Job, simulate};

    #[test]
    fn sweeps_measure_every_count_to_8_then_powers_of_two() {
        assert_eq!(sweep_counts(1), [1]);
        assert_eq!(sweep_counts(6), [1, 2, 3, 4, 5, 6]);
        assert_eq!(sweep_counts(12), [1, 2, 3, 4, 5, 6, 7, 8, 12]);
        assert_eq!(sweep_counts(16), [1, 2, 3, 4, 5, 6, 7, 8, 16]);
        assert_eq!(sweep_counts(24), [1, 2, 3, 4, 5, 6, 7, 8, 16, 24]);
        assert_eq!(sweep_counts(64), [1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 64]);
    }

    /// Carries `plan` out on the simulated clock of the one scheduler,
    /// where the `n`-th run (from 0) costs `slow(n)` times a millisecond
    /// per item: every step's median run, in order.
    fn carry_out(plan: &mut Plan, slow: impl Fn(usize) -> f64) -> Vec<Rc<KernelRun>> {
        let mut results = Vec::new();
        let mut made = 0;
        while let Some(step) = plan.next() {
            let factor = slow(made);
            let cost = move |job: &Job| (job.items.end - job.items.start) as f64 * factor;
            let image = step.spec.new_image();
            let run = simulate(
                &step.spec,
                step.workers,
                &image,
                &cost,
                &AtomicBool::new(false),
            )
            .unwrap();
            made += 1;
            assert_eq!(plan.progress().0, made - 1);
            results.extend(plan.record(Rc::new(run)));
        }
        assert_eq!(plan.progress(), (made, made));
        results
    }

    fn spec() -> KernelSpec {
        KernelSpec {
            size: 2_000,
            chunk: 50,
            serial_fraction: 0.1,
            ..KernelSpec::default_for(KernelKind::HashChain)
        }
    }

    #[test]
    fn a_sweep_warms_up_on_the_most_workers_then_reports_each_counts_median() {
        let mut plan = Plan::sweep(spec(), 4);
        let steps = plan.steps().to_vec();
        assert_eq!(
            steps
                .iter()
                .map(|s| (s.workers, s.measured, s.repeats))
                .collect::<Vec<_>>(),
            [
                (4, false, 1),
                (1, true, 3),
                (2, true, 3),
                (3, true, 3),
                (4, true, 3)
            ]
        );
        // Of each count's three runs, the second is slow and the third
        // fast: the first (the median) is reported; the warm-up is slowest
        // of all and reported nowhere.
        let slow = |n: usize| match n {
            0 => 5.0,
            n if (n - 1) % 3 == 1 => 2.0,
            n if (n - 1) % 3 == 2 => 0.5,
            _ => 1.0,
        };
        let results = carry_out(&mut plan, slow);
        assert_eq!(
            results.iter().map(|run| run.workers).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        // On the simulated clock at 1 ms an item: 200 serial items, then
        // 1,800 in 36 chunks of 50 shared by n workers.
        for run in &results {
            let chunks_each = 36usize.div_ceil(run.workers) as f64;
            assert_eq!(
                run.millis,
                200.0 + chunks_each * 50.0,
                "{} workers",
                run.workers
            );
        }
        let checksum = results[0].checksum;
        assert!(results.iter().all(|run| run.checksum == checksum));
    }

    #[test]
    fn a_single_run_is_measured_once_without_a_warm_up() {
        let mut plan = Plan::single(spec(), 3);
        let results = carry_out(&mut plan, |_| 1.0);
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].workers, 3);
        assert_eq!(plan.next(), None);
    }

    #[test]
    fn a_weak_sweep_grows_the_problem_by_gustafsons_factor_and_is_refused_whole() {
        let mut plan = Plan::weak(spec(), 3).unwrap();
        let results = carry_out(&mut plan, |_| 1.0);
        // On n workers: the 10 % serial part as it is, the parallel 90 %
        // n times: g = 0.1 + 0.9 n times the items.
        for run in &results {
            let g = 0.1 + 0.9 * run.workers as f64;
            assert_eq!(run.spec.size, (2_000.0 * g).round() as u64);
        }
        // 200 serial ms, then 1,800 ms of work per worker: the time stays
        // flat as the workers grow.
        assert!(
            results.iter().all(|run| run.millis == 2_000.0),
            "{:?}",
            results.iter().map(|r| r.millis).collect::<Vec<_>>()
        );
        let primes = KernelSpec::default_for(KernelKind::Primes);
        let refusal = Plan::weak(primes, 4).unwrap_err();
        assert!(
            refusal.message.contains("cannot be grown evenly"),
            "{refusal}"
        );
        let huge = KernelSpec {
            size: 150_000_000,
            chunk: 100_000,
            ..spec()
        };
        let refusal = Plan::weak(huge, 4).unwrap_err();
        assert!(
            refusal.message.starts_with("grown for 2 workers"),
            "{refusal}"
        );
    }
}
