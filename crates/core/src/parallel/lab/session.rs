//! The Parallel lab's page session: the lab ([`ParallelLab`], what a link
//! holds) and everything the page does with it: the worker pool's state,
//! the runs and races in progress and their plan, the last run chunk by
//! chunk, the race's results, and what went wrong, changed only by
//! [`apply`].
//!
//! The page carries the work out one step at a time: [`Session::order`]
//! says which run (or race) to make now, with an id; the page makes it on
//! its pool and dispatches the result with that id ([`PageAction::Ran`],
//! [`PageAction::Raced`]); the session takes it, updates the lab and says
//! what is next. A result whose id is not the one in progress (a
//! cancelled plan's) is dropped. Cancelling withdraws the order, which is
//! what tells the page to stop the run in flight.

use std::rc::Rc;

use super::sweep::{Plan, PlanKind, SETTLE_MILLIS};
use super::{Action, Machine, Measured, ParallelLab, PoolMode, apply as apply_lab};
use crate::error::ScenarioError;
use crate::labs::LabSession;
use crate::parallel::kernels::KernelSpec;
use crate::parallel::race::{CounterMethod, RaceResult};
use crate::parallel::run::KernelRun;

/// The page's workers.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum PoolStatus {
    /// Not asked for yet.
    #[default]
    Idle,
    /// This browser offers no web workers here: one thread, nothing to
    /// measure.
    NoWorkers,
    Starting {
        workers: usize,
    },
    Ready {
        mode: PoolMode,
        workers: usize,
        /// How long the workers took to start.
        start_millis: f64,
    },
    /// The workers could not start: why.
    Failed(String),
}

/// The work in progress.
#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    Kernel {
        plan: Plan,
        /// The id of the run the page is making (or is to make).
        order: u64,
        /// Cancel was pressed: no further run is ordered, and the one in
        /// flight is stopped at its next chunk.
        cancelling: bool,
    },
    Race {
        workers: usize,
        per_worker: u64,
        /// How many of [`CounterMethod::ALL`] have raced.
        done: usize,
        order: u64,
    },
}

/// What the page is to carry out now.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// The id its result is dispatched with.
    pub id: u64,
    pub job: OrderJob,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OrderJob {
    /// Run `spec` on `workers` workers, after a pause of `settle_millis`.
    Kernel {
        spec: KernelSpec,
        workers: usize,
        settle_millis: u64,
        /// Whether the image shown is this run's (a weak-scaling run's
        /// grown image is not).
        shown: bool,
    },
    /// Race `per_worker` increments on each of `workers` workers.
    Race {
        method: CounterMethod,
        workers: usize,
        per_worker: u64,
    },
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// A run of a `kind` plan on `workers` workers failed with `message`;
    /// `kept` results of that kind were measured before it.
    Run {
        kind: PlanKind,
        workers: usize,
        message: String,
        kept: usize,
    },
    /// The race stopped with `message`.
    Race(String),
}

/// What is running, for the page's status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Busy {
    Kernel { workers: usize },
    Race,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub lab: ParallelLab,
    pub pool: PoolStatus,
    pub work: Option<Work>,
    /// The last run, chunk by chunk: page state, not the lab's (a link
    /// carries the measurements, not the records).
    pub last: Option<Rc<KernelRun>>,
    /// The last race, one result per method so far.
    pub races: Vec<RaceResult>,
    /// Kernel work finished (a run or a sweep, done, cancelled or
    /// failed): a counter the tests and screen readers can watch.
    pub sweeps: u32,
    /// Races finished, the same way.
    pub races_run: u32,
    /// What went wrong in the last work (`narration::failure` says it);
    /// the results measured before it are kept.
    pub failure: Option<Failure>,
    /// Whether the last kernel work was cancelled.
    pub cancelled: bool,
    /// The id of the next order.
    next_order: u64,
}

/// Everything the user and the page's drivers do on the Parallel page.
#[derive(Debug, Clone, PartialEq)]
pub enum PageAction {
    /// A change of the lab's settings.
    Lab(Action),
    PoolStarting {
        workers: usize,
    },
    /// The workers are there, on `machine`.
    PoolReady {
        machine: Machine,
        workers: usize,
        start_millis: f64,
    },
    PoolFailed(String),
    NoWorkers,
    /// One run on the chosen worker count.
    Run,
    /// Every worker count, warmed up, medians of [`super::sweep::SWEEP_REPEATS`].
    Sweep,
    /// The same, with the problem grown with the workers.
    WeakSweep,
    /// The shared-counter race, every method in turn.
    Race,
    Cancel,
    /// The page made run `order`: its record, or what failed.
    Ran {
        order: u64,
        result: Result<Rc<KernelRun>, String>,
    },
    /// The page made race `order`.
    Raced {
        order: u64,
        result: Result<RaceResult, String>,
    },
}

impl LabSession for Session {
    type Lab = ParallelLab;
    type Action = PageAction;

    fn open(lab: ParallelLab) -> Session {
        Session {
            lab,
            pool: PoolStatus::Idle,
            work: None,
            last: None,
            races: Vec::new(),
            sweeps: 0,
            races_run: 0,
            failure: None,
            cancelled: false,
            next_order: 1,
        }
    }

    fn lab(&self) -> &ParallelLab {
        &self.lab
    }

    fn apply(&mut self, action: PageAction) -> Result<(), ScenarioError> {
        apply(self, action)
    }

    /// The user's settings and the runs measured (kept in the autosave)
    /// are edits; the pool starting and the machine it runs on are not,
    /// so opening the page rewrites nothing.
    fn is_edit(action: &PageAction) -> bool {
        match action {
            PageAction::Lab(action) => !matches!(action, Action::SetMachine(_)),
            PageAction::Ran { result, .. } => result.is_ok(),
            _ => false,
        }
    }
}

impl Session {
    /// The workers the pool has (1 until it is ready).
    pub fn max_workers(&self) -> usize {
        match self.pool {
            PoolStatus::Ready { workers, .. } => workers,
            _ => 1,
        }
    }

    /// Whether runs can be made.
    pub fn ready(&self) -> bool {
        matches!(self.pool, PoolStatus::Ready { .. })
    }

    /// Whether the workers share memory (the race needs it).
    pub fn shared_memory(&self) -> bool {
        matches!(
            self.pool,
            PoolStatus::Ready {
                mode: PoolMode::SharedMemory,
                ..
            }
        )
    }

    pub fn running(&self) -> bool {
        self.work.is_some()
    }

    /// The workers a single run uses: the lab's choice, within the pool.
    pub fn chosen_workers(&self) -> usize {
        self.lab.workers.clamp(1, self.max_workers())
    }

    /// The workers the race uses.
    pub fn race_workers(&self) -> usize {
        self.lab.race_workers.clamp(1, self.max_workers())
    }

    /// What the page is to carry out now: none while nothing runs or once
    /// Cancel is pressed.
    pub fn order(&self) -> Option<Order> {
        match self.work.as_ref()? {
            Work::Kernel {
                plan,
                order,
                cancelling: false,
            } => plan.next().map(|step| Order {
                id: *order,
                job: OrderJob::Kernel {
                    spec: step.spec,
                    workers: step.workers,
                    settle_millis: SETTLE_MILLIS,
                    shown: plan.kind != PlanKind::Weak,
                },
            }),
            Work::Kernel { .. } => None,
            Work::Race {
                workers,
                per_worker,
                done,
                order,
            } => CounterMethod::ALL.get(*done).map(|&method| Order {
                id: *order,
                job: OrderJob::Race {
                    method,
                    workers: *workers,
                    per_worker: *per_worker,
                },
            }),
        }
    }

    /// What is running, for the status line.
    pub fn busy(&self) -> Option<Busy> {
        match self.order()?.job {
            OrderJob::Kernel { workers, .. } => Some(Busy::Kernel { workers }),
            OrderJob::Race { .. } => Some(Busy::Race),
        }
    }

    /// Why a weak-scaling sweep cannot be made of the lab's kernel, if it
    /// cannot: every grown problem is checked before any runs.
    pub fn weak_refusal(&self) -> Option<String> {
        Plan::weak(self.lab.spec, self.max_workers())
            .err()
            .map(|error| error.message)
    }

    /// Whether to paint the image while the workers fill it: only when a
    /// core is left over, since drawing takes a core from the workers and
    /// would spoil the measurement.
    pub fn paint_while_running(&self) -> bool {
        let cores = self
            .lab
            .machine
            .as_ref()
            .map_or(1, |machine| machine.cores as usize);
        matches!(self.busy(), Some(Busy::Kernel { workers }) if workers < cores)
    }

    /// Starts `work`, refusing it when the workers are not ready or busy.
    fn start(
        &mut self,
        work: impl FnOnce(&Session, u64) -> Result<Work, ScenarioError>,
    ) -> Result<(), ScenarioError> {
        if !self.ready() {
            return Err(refused("the workers have not started"));
        }
        if self.running() {
            return Err(refused("a run is in progress: wait for it or cancel it"));
        }
        let order = self.take_order();
        self.work = Some(work(self, order)?);
        self.failure = None;
        self.cancelled = false;
        Ok(())
    }

    /// Starts the kernel runs `plan` makes of the session.
    fn start_plan(
        &mut self,
        plan: impl FnOnce(&Session) -> Result<Plan, ScenarioError>,
    ) -> Result<(), ScenarioError> {
        self.start(|session, order| {
            Ok(Work::Kernel {
                plan: plan(session)?,
                order,
                cancelling: false,
            })
        })
    }

    fn take_order(&mut self) -> u64 {
        let order = self.next_order;
        self.next_order += 1;
        order
    }

    /// Ends the kernel work: counted, and whether it was cancelled.
    fn end_kernel_work(&mut self, cancelled: bool) {
        self.work = None;
        self.sweeps += 1;
        self.cancelled = cancelled;
    }

    /// Takes run `order` of the plan in progress.
    fn ran(
        &mut self,
        order: u64,
        result: Result<Rc<KernelRun>, String>,
    ) -> Result<(), ScenarioError> {
        let Some(Work::Kernel {
            plan,
            order: owed,
            cancelling,
        }) = &self.work
        else {
            return Ok(());
        };
        if *owed != order {
            return Ok(());
        }
        let (mut plan, cancelling) = (plan.clone(), *cancelling);
        let run = match result {
            Ok(run) => run,
            Err(message) => {
                let kept = match plan.kind {
                    PlanKind::Weak => self.lab.weak.len(),
                    _ => self.lab.runs.len(),
                };
                let workers = plan.next().map_or(1, |step| step.workers);
                self.failure = Some(Failure::Run {
                    kind: plan.kind,
                    workers,
                    message,
                    kept,
                });
                self.end_kernel_work(false);
                return Ok(());
            }
        };
        if run.cancelled {
            self.last = Some(run);
            self.end_kernel_work(true);
            return Ok(());
        }
        if let Some(median) = plan.record(run) {
            let (spec, run) = (plan.spec, Measured::from(&*median));
            let keep = if plan.kind == PlanKind::Weak {
                Action::MeasuredWeak { spec, run }
            } else {
                Action::Measured { spec, run }
            };
            apply_lab(&mut self.lab, keep)?;
            self.last = Some(median);
        }
        let done = plan.next().is_none();
        if done || cancelling {
            self.end_kernel_work(cancelling && !done);
        } else {
            let order = self.take_order();
            self.work = Some(Work::Kernel {
                plan,
                order,
                cancelling,
            });
        }
        Ok(())
    }

    /// Takes race `order`.
    fn raced(&mut self, order: u64, result: Result<RaceResult, String>) {
        let Some(Work::Race {
            workers,
            per_worker,
            done,
            order: owed,
        }) = self.work
        else {
            return;
        };
        if owed != order {
            return;
        }
        match result {
            Ok(race) => {
                self.races.push(race);
                if done + 1 < CounterMethod::ALL.len() {
                    let order = self.take_order();
                    self.work = Some(Work::Race {
                        workers,
                        per_worker,
                        done: done + 1,
                        order,
                    });
                    return;
                }
            }
            Err(message) => self.failure = Some(Failure::Race(message)),
        }
        self.work = None;
        self.races_run += 1;
    }
}

fn refused(why: &str) -> ScenarioError {
    ScenarioError::at_path("", why)
}

/// The one reducer of the page: applies `action`, or refuses it with the
/// reason, leaving the session as it was.
pub fn apply(session: &mut Session, action: PageAction) -> Result<(), ScenarioError> {
    match action {
        PageAction::Lab(action) => {
            let spec = session.lab.spec;
            apply_lab(&mut session.lab, action)?;
            if session.lab.spec != spec {
                // The old kernel's run is not this one's.
                session.last = None;
            }
        }
        PageAction::PoolStarting { workers } => session.pool = PoolStatus::Starting { workers },
        PageAction::PoolReady {
            machine,
            workers,
            start_millis,
        } => {
            let mode = machine.mode;
            // Runs measured on another machine (an autosave of another
            // mode) are forgotten.
            apply_lab(&mut session.lab, Action::SetMachine(machine))?;
            session.pool = PoolStatus::Ready {
                mode,
                workers: workers.max(1),
                start_millis,
            };
        }
        PageAction::PoolFailed(message) => {
            session.pool = PoolStatus::Failed(message);
            if matches!(session.work, Some(Work::Kernel { .. })) {
                session.end_kernel_work(false);
            } else if session.work.is_some() {
                session.work = None;
                session.races_run += 1;
            }
        }
        PageAction::NoWorkers => session.pool = PoolStatus::NoWorkers,
        PageAction::Run => session
            .start_plan(|session| Ok(Plan::single(session.lab.spec, session.chosen_workers())))?,
        PageAction::Sweep => session
            .start_plan(|session| Ok(Plan::sweep(session.lab.spec, session.max_workers())))?,
        PageAction::WeakSweep => session.start_plan(|session| {
            Plan::weak(session.lab.spec, session.max_workers())
                .map_err(|error| error.within("spec"))
        })?,
        PageAction::Race => {
            if session.ready() && !session.shared_memory() {
                return Err(refused(
                    "the race needs memory shared between workers, which this page does not have",
                ));
            }
            session.start(|session, order| {
                Ok(Work::Race {
                    workers: session.race_workers(),
                    per_worker: session.lab.race_count,
                    done: 0,
                    order,
                })
            })?;
            session.races.clear();
        }
        PageAction::Cancel => match &mut session.work {
            Some(Work::Kernel { cancelling, .. }) => *cancelling = true,
            _ => return Err(refused("no run is in progress")),
        },
        PageAction::Ran { order, result } => session.ran(order, result)?,
        PageAction::Raced { order, result } => session.raced(order, result),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::parallel::kernels::KernelKind;
    use crate::parallel::schedule::{Job, simulate};

    fn machine(cores: u32, mode: PoolMode) -> Machine {
        Machine {
            cores,
            browser: "Chrome 131".to_owned(),
            mode,
        }
    }

    fn ready(workers: usize, mode: PoolMode) -> Session {
        let mut session = Session::open(ParallelLab::default());
        let spec = KernelSpec {
            size: 2_000,
            chunk: 50,
            serial_fraction: 0.1,
            ..KernelSpec::default_for(KernelKind::HashChain)
        };
        apply(&mut session, PageAction::Lab(Action::SetSpec(spec))).unwrap();
        apply(
            &mut session,
            PageAction::PoolReady {
                machine: machine(workers as u32, mode),
                workers,
                start_millis: 100.0,
            },
        )
        .unwrap();
        session
    }

    /// Makes the ordered run on the simulated clock (1 ms an item).
    fn make(order: &Order) -> Rc<KernelRun> {
        let OrderJob::Kernel { spec, workers, .. } = order.job else {
            panic!("{order:?}")
        };
        let cost = |job: &Job| (job.items.end - job.items.start) as f64;
        let image = spec.new_image();
        Rc::new(simulate(&spec, workers, &image, &cost, &AtomicBool::new(false)).unwrap())
    }

    /// Carries every order out until the work ends; returns the orders.
    fn carry_out(session: &mut Session) -> Vec<Order> {
        let mut orders = Vec::new();
        while let Some(order) = session.order() {
            let run = make(&order);
            apply(
                session,
                PageAction::Ran {
                    order: order.id,
                    result: Ok(run),
                },
            )
            .unwrap();
            orders.push(order);
        }
        orders
    }

    #[test]
    fn a_sweep_is_carried_out_one_ordered_run_at_a_time_into_the_lab() {
        let mut session = ready(4, PoolMode::SharedMemory);
        assert!(Session::is_edit(&PageAction::Lab(Action::SetWorkers(2))));
        apply(&mut session, PageAction::Sweep).unwrap();
        assert_eq!(
            session.busy(),
            Some(Busy::Kernel { workers: 4 }),
            "the warm-up on the most"
        );
        let orders = carry_out(&mut session);
        assert_eq!(orders.len(), 1 + 4 * 3);
        let ids: Vec<u64> = orders.iter().map(|order| order.id).collect();
        assert!(
            ids.windows(2).all(|pair| pair[0] < pair[1]),
            "a fresh id per run: {ids:?}"
        );
        assert_eq!(session.work, None);
        assert_eq!(session.sweeps, 1);
        assert_eq!(
            session
                .lab
                .runs
                .iter()
                .map(|run| run.workers)
                .collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        // 200 serial ms, then 36 chunks of 50 ms on n workers.
        assert_eq!(session.lab.runs[3].millis, 200.0 + 9.0 * 50.0);
        assert_eq!(session.last.as_ref().unwrap().workers, 4);
        assert!(crate::parallel::lab::figures::checksums_match(
            &session.lab.runs
        ));
    }

    #[test]
    fn a_failed_run_says_what_failed_keeps_the_finished_points_and_leaves_the_lab_usable() {
        let mut session = ready(4, PoolMode::MessagePassing);
        apply(&mut session, PageAction::Sweep).unwrap();
        // The warm-up and the three runs on 1 worker go well; the first
        // run on 2 workers fails.
        for _ in 0..4 {
            let order = session.order().unwrap();
            let run = make(&order);
            apply(
                &mut session,
                PageAction::Ran {
                    order: order.id,
                    result: Ok(run),
                },
            )
            .unwrap();
        }
        let order = session.order().unwrap();
        apply(
            &mut session,
            PageAction::Ran {
                order: order.id,
                result: Err("worker 2 stopped: out of memory".to_owned()),
            },
        )
        .unwrap();
        assert_eq!(session.work, None, "the sweep stopped");
        assert_eq!(session.sweeps, 1, "and is counted as finished");
        assert_eq!(
            session.lab.runs.len(),
            1,
            "the point measured before is kept"
        );
        assert_eq!(
            session
                .failure
                .as_ref()
                .map(super::super::narration::failure)
                .as_deref(),
            Some(
                "The sweep stopped: the run on 2 workers failed (worker 2 stopped: out of memory). \
                 The 1 worker count measured before it is kept; run or sweep again to go on."
            )
        );
        // A late answer to the failed order is dropped.
        let before = session.clone();
        apply(
            &mut session,
            PageAction::Ran {
                order: order.id,
                result: Ok(make(&order)),
            },
        )
        .unwrap();
        assert_eq!(session, before);
        // Usable: a new run works, and clears the failure.
        apply(&mut session, PageAction::Lab(Action::SetWorkers(2))).unwrap();
        apply(&mut session, PageAction::Run).unwrap();
        assert_eq!(session.failure, None);
        carry_out(&mut session);
        assert_eq!(session.sweeps, 2);
        assert_eq!(
            session
                .lab
                .runs
                .iter()
                .map(|run| run.workers)
                .collect::<Vec<_>>(),
            [1, 2]
        );
    }

    #[test]
    fn cancel_withdraws_the_order_and_a_cancelled_run_is_no_result() {
        let mut session = ready(2, PoolMode::SharedMemory);
        apply(&mut session, PageAction::Run).unwrap();
        let order = session.order().unwrap();
        apply(&mut session, PageAction::Cancel).unwrap();
        assert_eq!(session.order(), None, "the page stops the run in flight");
        assert!(session.running(), "until it has stopped");
        // The run stops at its next chunk: a cancelled record.
        let OrderJob::Kernel { spec, workers, .. } = order.job else {
            unreachable!()
        };
        let cost = |job: &Job| (job.items.end - job.items.start) as f64;
        let cancelled = simulate(
            &spec,
            workers,
            &spec.new_image(),
            &cost,
            &AtomicBool::new(true),
        )
        .unwrap();
        assert!(cancelled.cancelled);
        apply(
            &mut session,
            PageAction::Ran {
                order: order.id,
                result: Ok(Rc::new(cancelled)),
            },
        )
        .unwrap();
        assert!(session.cancelled && !session.running());
        assert!(
            session.lab.runs.is_empty(),
            "a cancelled run is not a result"
        );
        assert_eq!(session.sweeps, 1);
        assert!(
            apply(&mut session, PageAction::Cancel).is_err(),
            "nothing to cancel"
        );
    }

    #[test]
    fn work_is_refused_until_the_pool_is_ready_and_while_it_is_busy() {
        let mut session = Session::open(ParallelLab::default());
        let before = session.clone();
        assert_eq!(
            apply(&mut session, PageAction::Run)
                .unwrap_err()
                .to_string(),
            "the workers have not started"
        );
        assert_eq!(session, before);
        let mut session = ready(2, PoolMode::SharedMemory);
        apply(&mut session, PageAction::Run).unwrap();
        assert!(apply(&mut session, PageAction::Sweep).is_err());
        let mut message_passing = ready(2, PoolMode::MessagePassing);
        assert!(
            apply(&mut message_passing, PageAction::Race)
                .unwrap_err()
                .to_string()
                .contains("needs memory shared between workers")
        );
    }

    #[test]
    fn the_race_runs_every_method_in_turn() {
        let mut session = ready(2, PoolMode::SharedMemory);
        apply(&mut session, PageAction::Lab(Action::SetRaceCount(1_000))).unwrap();
        apply(&mut session, PageAction::Race).unwrap();
        let mut methods = Vec::new();
        while let Some(order) = session.order() {
            let OrderJob::Race {
                method,
                workers,
                per_worker,
            } = order.job
            else {
                unreachable!()
            };
            assert_eq!((workers, per_worker), (2, 1_000));
            methods.push(method);
            let result = RaceResult {
                method,
                workers,
                per_worker,
                expected: 2_000,
                actual: if method == CounterMethod::LoadStore {
                    1_500
                } else {
                    2_000
                },
                millis: 3.0,
                overlap_millis: 2.0,
                started_together: true,
            };
            apply(
                &mut session,
                PageAction::Raced {
                    order: order.id,
                    result: Ok(result),
                },
            )
            .unwrap();
        }
        assert_eq!(methods, CounterMethod::ALL);
        assert_eq!((session.races.len(), session.races_run), (3, 1));
        assert!(!Session::is_edit(&PageAction::Race));
    }

    #[test]
    fn a_weak_sweep_orders_grown_runs_whose_image_is_not_shown() {
        let mut session = ready(2, PoolMode::SharedMemory);
        assert_eq!(session.weak_refusal(), None);
        apply(&mut session, PageAction::WeakSweep).unwrap();
        let orders = carry_out(&mut session);
        assert!(
            orders
                .iter()
                .all(|order| matches!(order.job, OrderJob::Kernel { shown: false, .. }))
        );
        assert_eq!(session.lab.weak.len(), 2);
        assert!(session.lab.runs.is_empty());
        apply(
            &mut session,
            PageAction::Lab(Action::SetKind(KernelKind::Primes)),
        )
        .unwrap();
        assert!(
            session
                .weak_refusal()
                .unwrap()
                .contains("cannot be grown evenly")
        );
        assert_eq!(session.last, None, "another kernel's last run is not shown");
    }
}
