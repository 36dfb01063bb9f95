//! The Parallel lab's shareable state and its one `apply(lab, action)`
//! reducer.
//!
//! [`ParallelLab`] is what a link or the autosave holds: the kernel, the
//! worker counts chosen, the race's settings, and the runs measured on
//! this page ([`Measured`]: time, checksum and how busy each worker was;
//! never the chunk records, which stay in the page) with the [`Machine`]
//! they ran on. A link opened elsewhere shows those runs as the sender's,
//! read-only, beside the visitor's own ([`ParallelLab::received`]): "their
//! 8 cores: 6.9×; yours: 1.9×".
//!
//! The page's session ([`session::Session`]: the pool, the runs and races
//! in progress, the last run's chunks) drives the lab; the sweep plan
//! ([`sweep::Plan`]) decides every run a sweep makes. What the page shows
//! about the measurements is computed here, natively tested: the figures
//! ([`figures`]: the speedup table, the Amdahl fit, the prediction, weak
//! scaling) and the words ([`narration`]).

pub mod checks;
pub mod figures;
pub mod machine;
pub mod narration;
pub mod session;
pub mod sweep;

use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;
use crate::labs::{Lab, LabId};
use crate::parallel::kernels::{KernelKind, KernelSpec};
use crate::parallel::run::KernelRun;

pub use machine::{Machine, PoolMode, browser_name};

/// The most workers a lab state may name (the page offers what the
/// machine has).
pub const MAX_WORKERS: usize = 256;
/// The most workers the page starts, whatever the browser reports. Each
/// pool worker takes its thread stack (2 MiB: wasm-bindgen's default) and
/// thread-local storage out of the module's one shared memory, whose
/// maximum the link arguments set at 512 MiB (`.cargo/config.toml`; a
/// larger maximum fails to instantiate on iOS): 64 stacks (128 MiB) and
/// the largest Mandelbrot image (22 MB) leave most of it to the app.
/// Message-passing workers each hold a wasm instance (and a memory) of
/// their own, which the same ceiling bounds.
pub const WORKER_CEILING: usize = 64;

/// The workers to start on a machine that reports `hardware` threads,
/// and whether [`WORKER_CEILING`] cut them (the page says so).
pub fn pool_size(hardware: usize) -> (usize, bool) {
    let hardware = hardware.max(1);
    (hardware.min(WORKER_CEILING), hardware > WORKER_CEILING)
}

/// The most increments per worker in the race.
pub const MAX_RACE_COUNT: u64 = 50_000_000;
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParallelLab {
    pub spec: KernelSpec,
    /// Workers for a single run.
    pub workers: usize,
    pub race_workers: usize,
    /// Increments per worker in the race.
    pub race_count: u64,
    /// This page's runs of `spec`, one per worker count, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<Measured>,
    /// Where `runs` were measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<Machine>,
    /// Runs somebody shared in a link: shown read-only beside this page's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theirs: Option<SharedRuns>,
    /// This page's weak-scaling runs: on n workers, `spec` grown n times
    /// in its parallel part (`KernelSpec::scaled`), one per count, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weak: Vec<Measured>,
}

impl Default for ParallelLab {
    fn default() -> Self {
        ParallelLab {
            spec: KernelSpec::default_for(KernelKind::Mandelbrot),
            workers: 2,
            race_workers: 2,
            race_count: 10_000_000,
            runs: Vec::new(),
            machine: None,
            theirs: None,
            weak: Vec::new(),
        }
    }
}

/// One worker count's measured run (the median of a sweep's tries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measured {
    pub workers: usize,
    /// Wall time, serial part included.
    pub millis: f64,
    pub checksum: u64,
    /// Milliseconds each worker computed.
    pub busy: Vec<f64>,
    /// Milliseconds the workers sat idle at the end, waiting for the last
    /// chunks (all workers together).
    pub idle_tail: f64,
}

/// Somebody's runs, as their link carried them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedRuns {
    pub spec: KernelSpec,
    pub runs: Vec<Measured>,
    pub machine: Machine,
}

/// Everything a user (or the page's drivers) can do to the Parallel lab.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Back to the defaults, keeping the machine and the shared runs.
    Reset,
    /// Another kernel, at its default size.
    SetKind(KernelKind),
    /// A size, chunk or serial part: refused when out of range; a new spec
    /// forgets the runs of the old.
    SetSpec(KernelSpec),
    SetWorkers(usize),
    SetRaceWorkers(usize),
    SetRaceCount(u64),
    /// The page's machine; runs measured on another are forgotten.
    SetMachine(Machine),
    /// A run finished: kept if it is of the current spec.
    Measured {
        spec: KernelSpec,
        run: Measured,
    },
    /// A weak-scaling run finished: `spec` (the lab's, before growing) grown
    /// for `run.workers`; kept if `spec` is the current one.
    MeasuredWeak {
        spec: KernelSpec,
        run: Measured,
    },
    /// Hides the shared runs.
    DismissTheirs,
}

/// Applies `action` to `lab`. On an error `lab` is unchanged and the error
/// says which field and why.
pub fn apply(lab: &mut ParallelLab, action: Action) -> Result<(), ScenarioError> {
    match action {
        Action::Reset => {
            *lab = ParallelLab {
                machine: lab.machine.clone(),
                theirs: lab.theirs.take(),
                ..ParallelLab::default()
            };
        }
        Action::SetKind(kind) => {
            apply(lab, Action::SetSpec(KernelSpec::default_for(kind)))?;
        }
        Action::SetSpec(spec) => {
            spec.validate().map_err(|err| err.within("spec"))?;
            if spec != lab.spec {
                lab.spec = spec;
                lab.runs.clear();
                lab.weak.clear();
            }
        }
        Action::SetWorkers(workers) => {
            check_workers("workers", workers)?;
            lab.workers = workers;
        }
        Action::SetRaceWorkers(workers) => {
            check_workers("race_workers", workers)?;
            lab.race_workers = workers;
        }
        Action::SetRaceCount(count) => {
            check_race_count(count)?;
            lab.race_count = count;
        }
        Action::SetMachine(machine) => {
            machine.validate("machine")?;
            if lab.machine.as_ref() != Some(&machine) {
                lab.runs.clear();
                lab.weak.clear();
                lab.machine = Some(machine);
            }
        }
        Action::Measured { spec, run } | Action::MeasuredWeak { spec, run } if spec != lab.spec => {
            run.validate("run")?;
        }
        Action::Measured { run, .. } => keep(&mut lab.runs, run)?,
        Action::MeasuredWeak { run, .. } => keep(&mut lab.weak, run)?,
        Action::DismissTheirs => lab.theirs = None,
    }
    Ok(())
}

/// Keeps `run` in `runs` (in order of workers), replacing a run of the
/// same worker count.
fn keep(runs: &mut Vec<Measured>, run: Measured) -> Result<(), ScenarioError> {
    run.validate("run")?;
    match runs.binary_search_by_key(&run.workers, |r| r.workers) {
        Ok(at) => runs[at] = run,
        Err(at) => runs.insert(at, run),
    }
    Ok(())
}

fn check_workers(path: &str, workers: usize) -> Result<(), ScenarioError> {
    if (1..=MAX_WORKERS).contains(&workers) {
        Ok(())
    } else {
        Err(ScenarioError::at_path(
            path,
            format!("{workers} workers is outside 1..={MAX_WORKERS}"),
        ))
    }
}

fn check_race_count(count: u64) -> Result<(), ScenarioError> {
    if (1..=MAX_RACE_COUNT).contains(&count) {
        Ok(())
    } else {
        Err(ScenarioError::at_path(
            "race_count",
            format!("{count} increments is outside 1..={MAX_RACE_COUNT}"),
        ))
    }
}

impl Measured {
    fn validate(&self, path: &str) -> Result<(), ScenarioError> {
        check_workers(&format!("{path}.workers"), self.workers)?;
        let finite = |value: f64| value.is_finite() && value >= 0.0;
        if !finite(self.millis) || !finite(self.idle_tail) {
            return Err(ScenarioError::at_path(
                path,
                "times must be finite and not negative",
            ));
        }
        if self.busy.len() != self.workers || !self.busy.iter().all(|&busy| finite(busy)) {
            return Err(ScenarioError::at_path(
                format!("{path}.busy"),
                format!(
                    "expected {} finite, non-negative times, one per worker",
                    self.workers
                ),
            ));
        }
        Ok(())
    }

    /// How fast this run was against `base` (the one-worker run's time).
    pub fn speedup(&self, base: f64) -> f64 {
        base / self.millis.max(0.001)
    }
}

/// The summary of a finished kernel run that the lab keeps.
impl From<&KernelRun> for Measured {
    fn from(run: &KernelRun) -> Self {
        let mut busy = vec![0.0f64; run.workers];
        let mut last_end = vec![0.0f64; run.workers];
        for record in &run.records {
            busy[record.worker] += record.end - record.start;
            last_end[record.worker] = last_end[record.worker].max(record.end);
        }
        Measured {
            workers: run.workers,
            millis: run.millis,
            checksum: run.checksum,
            busy,
            idle_tail: last_end.iter().map(|end| (run.millis - end).max(0.0)).sum(),
        }
    }
}

fn validate_runs(path: &str, runs: &[Measured]) -> Result<(), ScenarioError> {
    if runs.len() > MAX_WORKERS {
        return Err(ScenarioError::at_path(
            path,
            format!("more than {MAX_WORKERS} runs"),
        ));
    }
    for (idx, run) in runs.iter().enumerate() {
        run.validate(&format!("{path}[{idx}]"))?;
    }
    if runs
        .windows(2)
        .any(|pair| pair[0].workers >= pair[1].workers)
    {
        return Err(ScenarioError::at_path(
            path,
            "runs must be in order of worker count, one per count",
        ));
    }
    Ok(())
}

impl Lab for ParallelLab {
    const ID: LabId = LabId::Parallel;

    /// Checks a lab read from outside (a link, the autosave).
    fn validate(&self) -> Result<(), ScenarioError> {
        self.spec.validate().map_err(|err| err.within("spec"))?;
        check_workers("workers", self.workers)?;
        check_workers("race_workers", self.race_workers)?;
        check_race_count(self.race_count)?;
        validate_runs("runs", &self.runs)?;
        validate_runs("weak", &self.weak)?;
        if let Some(machine) = &self.machine {
            machine.validate("machine")?;
        }
        if let Some(theirs) = &self.theirs {
            theirs
                .spec
                .validate()
                .map_err(|err| err.within("theirs.spec"))?;
            validate_runs("theirs.runs", &theirs.runs)?;
            theirs.machine.validate("theirs.machine")?;
        }
        Ok(())
    }

    /// The address holds the settings, not this page's runs: a reload
    /// would show them as somebody else's. The autosave keeps them, and
    /// the Share dialog's link carries them on purpose.
    fn for_address(&self) -> Self {
        ParallelLab {
            runs: Vec::new(),
            weak: Vec::new(),
            machine: None,
            ..self.clone()
        }
    }

    /// Runs in a link are the sender's: the visitor sees them as theirs
    /// ([`ParallelLab::received`]), except that this browser's own runs
    /// of the same kernel, from its autosave, stay its own (a reload, or a
    /// link without runs).
    fn into_opened(self, autosave: Option<Self>) -> Self {
        let mut lab = self.received();
        if let Some(saved) = autosave
            && saved.spec == lab.spec
        {
            lab.runs = saved.runs;
            lab.machine = saved.machine;
        }
        lab
    }
}

impl ParallelLab {
    /// The lab as a visitor opening its link gets it: the sender's runs
    /// become theirs (a link without runs passes on the runs it carried).
    pub fn received(mut self) -> Self {
        if let Some(machine) = self.machine.take()
            && !self.runs.is_empty()
        {
            self.theirs = Some(SharedRuns {
                spec: self.spec,
                runs: std::mem::take(&mut self.runs),
                machine,
            });
        }
        self.runs.clear();
        self.weak.clear();
        self
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn measured(workers: usize, millis: f64) -> Measured {
        Measured {
            workers,
            millis,
            checksum: 7,
            busy: vec![millis; workers],
            idle_tail: 0.0,
        }
    }

    pub(crate) fn machine(cores: u32) -> Machine {
        Machine {
            cores,
            browser: "Chrome 131".to_owned(),
            mode: PoolMode::SharedMemory,
        }
    }

    pub(crate) fn with_runs(runs: &[(usize, f64)]) -> ParallelLab {
        let mut lab = ParallelLab::default();
        apply(&mut lab, Action::SetMachine(machine(8))).unwrap();
        for &(workers, millis) in runs {
            let spec = lab.spec;
            apply(
                &mut lab,
                Action::Measured {
                    spec,
                    run: measured(workers, millis),
                },
            )
            .unwrap();
        }
        lab
    }

    #[test]
    fn the_pool_is_the_machine_up_to_the_ceiling() {
        assert_eq!(pool_size(0), (1, false));
        assert_eq!(pool_size(12), (12, false));
        assert_eq!(pool_size(64), (64, false));
        assert_eq!(pool_size(128), (64, true));
    }

    #[test]
    fn a_runs_summary_has_each_workers_busy_time_and_the_idle_tail() {
        use crate::parallel::run::ChunkRecord;
        let record = |chunk, worker, start, end| ChunkRecord {
            chunk,
            worker,
            start,
            end,
        };
        let run = KernelRun {
            spec: KernelSpec::default_for(KernelKind::Primes),
            workers: 2,
            checksum: 0,
            millis: 45.0,
            records: vec![
                record(None, 0, 0.0, 10.0),
                record(Some(0), 0, 10.0, 40.0),
                record(Some(1), 1, 10.0, 30.0),
            ],
            cancelled: false,
        };
        let summary = Measured::from(&run);
        assert_eq!(summary.busy, [40.0, 20.0]);
        assert_eq!(summary.idle_tail, 5.0 + 15.0);
        assert_eq!((summary.workers, summary.millis), (2, 45.0));
    }

    #[test]
    fn runs_are_kept_in_order_one_per_worker_count_and_only_for_their_spec() {
        let mut lab = with_runs(&[(4, 30.0), (1, 100.0), (2, 55.0), (4, 28.0)]);
        assert_eq!(
            lab.runs
                .iter()
                .map(|run| (run.workers, run.millis))
                .collect::<Vec<_>>(),
            [(1, 100.0), (2, 55.0), (4, 28.0)]
        );
        // A run of an older spec (the user changed it during a sweep) is
        // dropped; a new spec forgets the old runs.
        let old = lab.spec;
        apply(&mut lab, Action::SetSpec(KernelSpec { chunk: 2, ..old })).unwrap();
        assert!(lab.runs.is_empty());
        apply(
            &mut lab,
            Action::Measured {
                spec: old,
                run: measured(1, 90.0),
            },
        )
        .unwrap();
        assert!(lab.runs.is_empty());
        assert_eq!(lab.validate(), Ok(()));
    }

    #[test]
    fn bad_settings_are_refused_and_change_nothing() {
        let mut lab = with_runs(&[(1, 100.0)]);
        let before = lab.clone();
        let spec = KernelSpec {
            chunk: 0,
            ..lab.spec
        };
        let err = apply(&mut lab, Action::SetSpec(spec)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "spec.chunk: a chunk of 0 items is outside 1..=1066"
        );
        assert_eq!(
            apply(&mut lab, Action::SetWorkers(0))
                .unwrap_err()
                .to_string(),
            "workers: 0 workers is outside 1..=256"
        );
        assert_eq!(
            apply(&mut lab, Action::SetRaceCount(MAX_RACE_COUNT + 1))
                .unwrap_err()
                .to_string(),
            "race_count: 50000001 increments is outside 1..=50000000"
        );
        let nan = Measured {
            millis: f64::NAN,
            ..measured(1, 1.0)
        };
        let spec = lab.spec;
        assert!(apply(&mut lab, Action::Measured { spec, run: nan }).is_err());
        assert_eq!(lab, before);
    }

    #[test]
    fn a_new_machine_forgets_the_runs_of_the_old() {
        let mut lab = with_runs(&[(1, 100.0)]);
        apply(&mut lab, Action::SetMachine(machine(8))).unwrap();
        assert_eq!(lab.runs.len(), 1, "the same machine keeps them");
        let isolated_before = Machine {
            mode: PoolMode::MessagePassing,
            ..machine(8)
        };
        apply(&mut lab, Action::SetMachine(isolated_before)).unwrap();
        assert!(lab.runs.is_empty());
    }

    #[test]
    fn links_with_bad_runs_are_refused_naming_the_field() {
        let mut lab = with_runs(&[(1, 100.0), (2, 60.0)]);
        lab.runs[1].busy.pop();
        assert_eq!(
            lab.validate().unwrap_err().to_string(),
            "runs[1].busy: expected 2 finite, non-negative times, one per worker"
        );
        let mut lab = with_runs(&[(1, 100.0), (2, 60.0)]);
        lab.runs.swap(0, 1);
        assert!(
            lab.validate()
                .unwrap_err()
                .to_string()
                .starts_with("runs: runs must be in order")
        );
        let mut lab = with_runs(&[(1, 100.0)]).received();
        lab.theirs.as_mut().unwrap().machine.browser = "x".repeat(65);
        assert_eq!(
            lab.validate().unwrap_err().to_string(),
            "theirs.machine.browser: longer than 64 characters"
        );
    }
}
