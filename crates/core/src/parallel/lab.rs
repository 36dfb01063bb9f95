//! The Parallel lab's state and its one `apply(lab, action)` reducer.
//!
//! [`ParallelLab`] is what a link or the autosave holds: the kernel, the
//! worker counts chosen, the race's settings, and the runs measured on
//! this page ([`Measured`]: time, checksum and how busy each worker was;
//! never the chunk records, which stay in the page) with the [`Machine`]
//! they ran on. A link opened elsewhere shows those runs as the sender's,
//! read-only, beside the visitor's own ([`ParallelLab::received`]): "their
//! 8 cores: 6.9×; yours: 1.9×". Everything the page shows about the
//! measurements (speedup table, Amdahl fit, checksum agreement, the
//! explanation of the gap) is computed here, natively tested.

use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;
use crate::parallel::amdahl;
use crate::parallel::kernels::{KernelKind, KernelSpec};

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

/// The most increments per worker in the race.
pub const MAX_RACE_COUNT: u64 = 50_000_000;
/// The longest browser name kept.
pub const MAX_BROWSER_CHARS: usize = 64;

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

/// What the runs were measured on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Machine {
    /// Logical cores the browser reported.
    pub cores: u32,
    /// `Chrome 131`, from the user agent ([`browser_name`]).
    pub browser: String,
    pub mode: PoolMode,
}

/// How the page's workers ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PoolMode {
    /// A rayon pool sharing one wasm memory (cross-origin isolated page).
    SharedMemory,
    /// Workers with their own memory, chunks sent as messages.
    MessagePassing,
}

impl PoolMode {
    pub fn title(self) -> &'static str {
        match self {
            PoolMode::SharedMemory => "shared memory",
            PoolMode::MessagePassing => "message passing",
        }
    }
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

/// One row of the weak-scaling table.
#[derive(Debug, Clone, PartialEq)]
pub struct WeakRow {
    pub workers: usize,
    /// The grown problem's size.
    pub size: u64,
    pub millis: f64,
    /// g x the one-worker time over this time: how much more work per
    /// unit of time than one worker on the original problem.
    pub scaled_speedup: f64,
    /// Gustafson's g = s + n (1 - s), also how much the work grew.
    pub gustafson: f64,
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
impl From<&crate::parallel::run::KernelRun> for Measured {
    fn from(run: &crate::parallel::run::KernelRun) -> Self {
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

impl Machine {
    fn validate(&self, path: &str) -> Result<(), ScenarioError> {
        if !(1..=4096).contains(&self.cores) {
            return Err(ScenarioError::at_path(
                format!("{path}.cores"),
                format!("{} cores is outside 1..=4096", self.cores),
            ));
        }
        if self.browser.chars().count() > MAX_BROWSER_CHARS {
            return Err(ScenarioError::at_path(
                format!("{path}.browser"),
                format!("longer than {MAX_BROWSER_CHARS} characters"),
            ));
        }
        Ok(())
    }

    /// `8 cores, Chrome 131, shared memory`.
    pub fn describe(&self) -> String {
        format!(
            "{} core{}, {}, {}",
            self.cores,
            if self.cores == 1 { "" } else { "s" },
            self.browser,
            self.mode.title()
        )
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

/// One line of the speedup table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub workers: usize,
    pub millis: f64,
    /// Against the one-worker run, when there is one.
    pub speedup: Option<f64>,
    /// Speedup per worker.
    pub efficiency: Option<f64>,
    /// What Amdahl's law allows with the spec's serial part.
    pub amdahl: f64,
    pub checksum: u64,
}

/// The speedup table of `runs` of a kernel with `serial_fraction`.
pub fn rows(runs: &[Measured], serial_fraction: f64) -> Vec<Row> {
    let base = base_millis(runs);
    runs.iter()
        .map(|run| {
            let speedup = base.map(|base| run.speedup(base));
            Row {
                workers: run.workers,
                millis: run.millis,
                speedup,
                efficiency: speedup.map(|s| s / run.workers as f64),
                amdahl: amdahl::speedup(serial_fraction, run.workers as f64),
                checksum: run.checksum,
            }
        })
        .collect()
}

fn base_millis(runs: &[Measured]) -> Option<f64> {
    runs.iter()
        .find(|run| run.workers == 1)
        .map(|run| run.millis)
}

/// `(workers, speedup)` of every run, when there is a one-worker run.
pub fn points(runs: &[Measured]) -> Vec<(usize, f64)> {
    match base_millis(runs) {
        Some(base) => runs
            .iter()
            .map(|run| (run.workers, run.speedup(base)))
            .collect(),
        None => Vec::new(),
    }
}

/// The serial fraction that best explains the runs (two points at least).
pub fn fitted(runs: &[Measured]) -> Option<f64> {
    let points = points(runs);
    (points.len() >= 2).then(|| {
        amdahl::fit_serial_fraction(
            &points
                .iter()
                .map(|&(n, s)| (n as f64, s))
                .collect::<Vec<_>>(),
        )
    })
}

/// What the measurements predict past the workers measured, up to
/// [`WORKER_CEILING`]: Amdahl's law with the fitted serial fraction. It
/// assumes each added core is as fast as the measured ones and that the
/// serial part, and the overheads the fit absorbs into it, stay as they
/// were measured; a measured point replaces a predicted one, since the
/// prediction starts after the most workers measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub serial_fraction: f64,
    /// The most workers measured: the prediction starts there.
    pub from: usize,
    pub to: usize,
    /// (workers, predicted speedup) at the powers of two past `from`, and `to`.
    pub points: Vec<(usize, f64)>,
}

/// The prediction past the runs, if they fit a serial fraction and stop
/// short of the ceiling.
pub fn prediction(runs: &[Measured]) -> Option<Prediction> {
    let serial_fraction = fitted(runs)?;
    let from = runs.iter().map(|run| run.workers).max()?;
    let to = WORKER_CEILING;
    if from >= to {
        return None;
    }
    let mut counts: Vec<usize> = std::iter::successors(Some(1usize), |n| Some(n * 2))
        .skip_while(|n| *n <= from)
        .take_while(|n| *n < to)
        .collect();
    counts.push(to);
    Some(Prediction {
        serial_fraction,
        from,
        to,
        points: counts
            .into_iter()
            .map(|n| (n, amdahl::speedup(serial_fraction, n as f64)))
            .collect(),
    })
}

/// Whether every run computed the same result.
pub fn checksums_match(runs: &[Measured]) -> bool {
    runs.windows(2)
        .all(|pair| pair[0].checksum == pair[1].checksum)
}

/// The fastest speedup measured, and on how many workers.
pub fn best(runs: &[Measured]) -> Option<(usize, f64)> {
    points(runs)
        .into_iter()
        .filter(|&(n, _)| n > 1)
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// One or two sentences on the gap between the measured speedup on the
/// most workers and Amdahl's bound: the serial part, the extra work when
/// workers share the machine, imbalance, and the idle tail. A speedup above
/// the bound is said plainly, with its likely causes, never as a negative
/// gap.
pub fn explain(runs: &[Measured], serial_fraction: f64) -> Option<String> {
    let base = base_millis(runs)?;
    let run = runs.iter().rev().find(|run| run.workers > 1)?;
    let n = run.workers;
    let measured = run.speedup(base);
    let bound = amdahl::speedup(serial_fraction, n as f64);
    let head = format!(
        "On {n} workers the run was {measured:.2}× as fast as on one; Amdahl's law allows {bound:.2}× with a {:.0} % serial part.",
        serial_fraction * 100.0
    );
    if measured > bound * 1.02 {
        return Some(format!(
            "{head} That is more than the bound, which no parallel run can beat on the same work: the one-worker run was slowed by something \
             (another program, the processor's clock changing speed, memory not yet touched), or the work fits better in the caches of several cores. \
             Sweep again to see whether it lasts."
        ));
    }
    let max_busy = run.busy.iter().cloned().fold(0.0, f64::max);
    let min_busy = run.busy.iter().cloned().fold(f64::INFINITY, f64::min);
    let together: f64 = run.busy.iter().sum();
    let extra = (together / base - 1.0) * 100.0;
    let extra = if extra >= 0.0 {
        format!("{extra:.0} % more: shared caches, memory and clock speed")
    } else {
        format!(
            "{:.0} % less: the one-worker run had extra costs of its own",
            -extra
        )
    };
    Some(format!(
        "{head} The rest of the gap: together the workers computed {together:.0} ms where one worker alone needed {base:.0} ms ({extra}); \
         the busiest worker computed {max_busy:.0} ms and the least busy {min_busy:.0} ms (imbalance); and workers sat idle {:.0} ms in total waiting for the last chunks.",
        run.idle_tail
    ))
}

impl ParallelLab {
    /// Checks a lab read from outside (a link, the autosave).
    pub fn validate(&self) -> Result<(), ScenarioError> {
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

    /// The weak-scaling table, once there is a one-worker run to compare
    /// with.
    pub fn weak_rows(&self) -> Vec<WeakRow> {
        let Some(base) = self.weak.iter().find(|run| run.workers == 1) else {
            return Vec::new();
        };
        self.weak
            .iter()
            .filter_map(|run| {
                let grown = self.spec.scaled(run.workers).ok()?;
                let gustafson = amdahl::gustafson(self.spec.serial_fraction, run.workers as f64);
                Some(WeakRow {
                    workers: run.workers,
                    size: grown.size,
                    millis: run.millis,
                    scaled_speedup: gustafson * base.millis / run.millis.max(0.001),
                    gustafson,
                })
            })
            .collect()
    }

    /// Strong and weak scaling in one paragraph, from what was measured:
    /// which law each follows, and which one the reader's own work is
    /// like.
    pub fn scaling_story(&self) -> Option<String> {
        let weak = self.weak_rows();
        let last = weak.last().filter(|row| row.workers > 1)?;
        let s = self.spec.serial_fraction;
        let strong = match best(&self.runs) {
            Some((n, speedup)) => format!(
                "The fixed problem ran {speedup:.2}× faster on {n} workers: strong scaling, where Amdahl's law caps the speedup at {}",
                if s > 0.0 {
                    format!("{:.0}× with {:.0} % serial", 1.0 / s, s * 100.0)
                } else {
                    "the number of workers".to_owned()
                }
            ),
            None => "A sweep measures strong scaling: the same problem, sooner".to_owned(),
        };
        Some(format!(
            "{strong}. The grown problem did {:.1}× the work on {} workers in {:.0} ms against {:.0} ms for the original on one, a scaled speedup of {:.2}× (Gustafson's law: {:.2}×): weak scaling, where the speedup keeps growing with the workers. \
             If your own work is a fixed job you want done sooner (one report, one image), it scales like the first; if it grows when you have more cores (a larger image, a finer simulation, more users at once), like the second.",
            last.gustafson,
            last.workers,
            last.millis,
            weak[0].millis,
            last.scaled_speedup,
            last.gustafson,
        ))
    }

    /// The two machines side by side: `Their 8 cores (Chrome 131, shared
    /// memory): 6.90× on 8 workers. Yours (2 cores, …): 1.90× on 2.`; the
    /// second half only once this page has a speedup of its own.
    pub fn comparison(&self) -> Option<String> {
        let theirs = self.theirs.as_ref()?;
        let describe = |machine: &Machine, runs: &[Measured]| match best(runs) {
            Some((n, speedup)) => format!(
                "{} ({}, {}): {speedup:.2}× on {n} workers",
                plural(machine.cores as usize, "core"),
                machine.browser,
                machine.mode.title()
            ),
            None => format!(
                "{} ({}, {}): no speedup measured (no one-worker run)",
                plural(machine.cores as usize, "core"),
                machine.browser,
                machine.mode.title()
            ),
        };
        let mut text = format!("Their {}.", describe(&theirs.machine, &theirs.runs));
        if let Some(machine) = &self.machine
            && best(&self.runs).is_some()
        {
            text.push_str(&format!(" Yours: {}.", describe(machine, &self.runs)));
        }
        if theirs.spec != self.spec {
            text.push_str(&format!(
                " They ran {} ({}); yours is set differently, so the times are not comparable.",
                theirs.spec.kind.title(),
                theirs.spec.describe()
            ));
        }
        Some(text)
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// A short name for the browser of `user_agent`: `Chrome 131`, `Firefox
/// 133`, `Safari 17`, `Edge 131`; `a browser` when unknown.
pub fn browser_name(user_agent: &str) -> String {
    let version = |marker: &str| -> Option<String> {
        let rest = &user_agent[user_agent.find(marker)? + marker.len()..];
        let major: String = rest.chars().take_while(char::is_ascii_digit).collect();
        (!major.is_empty()).then_some(major)
    };
    let named = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chrome/", "Chrome"),
        ("CriOS/", "Chrome"),
        ("FxiOS/", "Firefox"),
    ];
    for (marker, name) in named {
        if let Some(major) = version(marker) {
            return format!("{name} {major}");
        }
    }
    if user_agent.contains("Safari/")
        && let Some(major) = version("Version/")
    {
        return format!("Safari {major}");
    }
    "a browser".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_runs_make_a_table_and_a_story_checked_by_hand() {
        let run = measured;
        let mut lab = ParallelLab {
            spec: KernelSpec {
                size: 100_000,
                serial_fraction: 0.2,
                ..KernelSpec::default_for(KernelKind::HashChain)
            },
            ..ParallelLab::default()
        };
        let spec = lab.spec;
        for (workers, millis) in [(2, 110.0), (1, 100.0)] {
            let weak = Action::MeasuredWeak {
                spec,
                run: run(workers, millis),
            };
            apply(&mut lab, weak).unwrap();
        }
        // A run of another spec is not kept.
        let other = KernelSpec {
            size: 50_000,
            ..spec
        };
        apply(
            &mut lab,
            Action::MeasuredWeak {
                spec: other,
                run: run(4, 1.0),
            },
        )
        .unwrap();
        let rows = lab.weak_rows();
        assert_eq!(rows.len(), 2);
        // On 2: g = 0.2 + 2 x 0.8 = 1.8 times the work (180,000 items) in
        // 110 ms: 1.8 x 100 / 110 = 1.64x.
        assert_eq!((rows[1].size, rows[1].gustafson), (180_000, 1.8));
        assert!((rows[1].scaled_speedup - 1.8 * 100.0 / 110.0).abs() < 1e-12);
        let story = lab.scaling_story().unwrap();
        assert!(
            story.contains("did 1.8× the work on 2 workers in 110 ms against 100 ms"),
            "{story}"
        );
        assert!(
            story.contains("a scaled speedup of 1.64× (Gustafson's law: 1.80×)"),
            "{story}"
        );
        assert!(story.contains("If your own work is a fixed job"));
        // A new spec forgets the weak runs; a link does not carry them.
        apply(&mut lab, Action::SetSpec(other)).unwrap();
        assert!(lab.weak.is_empty() && lab.scaling_story().is_none());
        let sent = ParallelLab {
            weak: vec![run(1, 100.0)],
            ..ParallelLab::default()
        };
        assert!(sent.received().weak.is_empty());
    }

    #[test]
    fn past_the_machine_the_fitted_law_predicts_and_says_from_where() {
        // Two workers measured at 1.6x: a serial fraction of 1/4, by hand
        // (1 / (s + (1 - s) / 2) = 1.6).
        let run = measured;
        let runs = [run(1, 160.0), run(2, 100.0)];
        let predicted = prediction(&runs).unwrap();
        assert!((predicted.serial_fraction - 0.25).abs() < 1e-9);
        assert_eq!((predicted.from, predicted.to), (2, WORKER_CEILING));
        let counts: Vec<usize> = predicted.points.iter().map(|p| p.0).collect();
        assert_eq!(counts, [4, 8, 16, 32, 64]);
        // At 64: 1 / (0.25 + 0.75 / 64) = 3.82, near the 4x limit.
        assert!((predicted.points[4].1 - 1.0 / (0.25 + 0.75 / 64.0)).abs() < 1e-9);
        assert_eq!(prediction(&runs[..1]), None, "one point fits nothing");
        let many = [run(1, 640.0), run(64, 20.0)];
        assert_eq!(
            prediction(&many),
            None,
            "measured to the ceiling: nothing to predict"
        );
    }

    #[test]
    fn the_pool_is_the_machine_up_to_the_ceiling_and_sweeps_stay_short() {
        assert_eq!(pool_size(0), (1, false));
        assert_eq!(pool_size(12), (12, false));
        assert_eq!(pool_size(64), (64, false));
        assert_eq!(pool_size(128), (64, true));
        assert_eq!(sweep_counts(1), [1]);
        assert_eq!(sweep_counts(6), [1, 2, 3, 4, 5, 6]);
        assert_eq!(sweep_counts(12), [1, 2, 3, 4, 5, 6, 7, 8, 12]);
        assert_eq!(sweep_counts(16), [1, 2, 3, 4, 5, 6, 7, 8, 16]);
        assert_eq!(sweep_counts(24), [1, 2, 3, 4, 5, 6, 7, 8, 16, 24]);
        assert_eq!(sweep_counts(64), [1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 64]);
    }

    fn measured(workers: usize, millis: f64) -> Measured {
        Measured {
            workers,
            millis,
            checksum: 7,
            busy: vec![millis; workers],
            idle_tail: 0.0,
        }
    }

    fn machine(cores: u32) -> Machine {
        Machine {
            cores,
            browser: "Chrome 131".to_owned(),
            mode: PoolMode::SharedMemory,
        }
    }

    fn with_runs(runs: &[(usize, f64)]) -> ParallelLab {
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
    fn the_table_fit_and_checksums_follow_amdahl() {
        // Runs that follow Amdahl's law with a 10 % serial part exactly.
        let serial = 0.1;
        let runs: Vec<Measured> = [1, 2, 4, 8]
            .iter()
            .map(|&n| measured(n, 800.0 / amdahl::speedup(serial, n as f64)))
            .collect();
        let table = rows(&runs, serial);
        let eight = table.last().unwrap();
        // 1 / (0.1 + 0.9 / 8) = 4.7059
        assert!((eight.speedup.unwrap() - 4.7059).abs() < 1e-3, "{eight:?}");
        assert!((eight.efficiency.unwrap() - 4.7059 / 8.0).abs() < 1e-3);
        assert!((eight.amdahl - eight.speedup.unwrap()).abs() < 1e-9);
        assert!((fitted(&runs).unwrap() - serial).abs() < 1e-6);
        assert_eq!(best(&runs).map(|(n, _)| n), Some(8));
        assert!(checksums_match(&runs));
        let mut differing = runs.clone();
        differing[2].checksum = 8;
        assert!(!checksums_match(&differing));
        // Without a one-worker run there is no speedup to show.
        assert_eq!(rows(&runs[1..], serial)[0].speedup, None);
        assert_eq!(fitted(&runs[1..]), None);
    }

    fn has_negative_number(text: &str) -> bool {
        text.as_bytes()
            .windows(2)
            .any(|pair| pair[0] == b'-' && pair[1].is_ascii_digit())
    }

    #[test]
    fn a_speedup_above_the_bound_is_said_plainly_never_as_a_negative_gap() {
        // 2.57x on 2 workers, as seen on a first sweep after load.
        let text = explain(&[measured(1, 514.0), measured(2, 200.0)], 0.0).unwrap();
        assert!(text.contains("2.57× as fast"), "{text}");
        assert!(text.contains("more than the bound"), "{text}");
        assert!(!has_negative_number(&text), "no negative figure: {text}");
        // Below the bound: the gap in parts, none negative.
        let mut two = measured(2, 220.0);
        two.busy = vec![210.0, 190.0];
        two.idle_tail = 40.0;
        let text = explain(&[measured(1, 400.0), two], 0.0).unwrap();
        assert!(
            text.contains("1.82× as fast") && text.contains("The rest of the gap"),
            "{text}"
        );
        assert!(
            text.contains("computed 400 ms where one worker alone needed 400 ms (0 % more")
                && text.contains("busiest worker computed 210 ms and the least busy 190 ms")
                && text.contains("idle 40 ms"),
            "{text}"
        );
        assert!(!has_negative_number(&text), "{text}");
    }

    #[test]
    fn a_link_carries_the_senders_runs_as_theirs() {
        let sender = with_runs(&[(1, 800.0), (8, 116.0)]);
        let mut visitor = sender.clone().received();
        assert!(visitor.runs.is_empty() && visitor.machine.is_none());
        let theirs = visitor.theirs.clone().unwrap();
        assert_eq!(theirs.runs.len(), 2);
        assert_eq!(
            visitor.comparison().unwrap(),
            "Their 8 cores (Chrome 131, shared memory): 6.90× on 8 workers."
        );
        // The visitor measures on their own machine: both, side by side.
        apply(
            &mut visitor,
            Action::SetMachine(Machine {
                cores: 2,
                ..machine(2)
            }),
        )
        .unwrap();
        let spec = visitor.spec;
        for run in [measured(1, 800.0), measured(2, 421.0)] {
            apply(&mut visitor, Action::Measured { spec, run }).unwrap();
        }
        assert_eq!(
            visitor.comparison().unwrap(),
            "Their 8 cores (Chrome 131, shared memory): 6.90× on 8 workers. Yours: 2 cores (Chrome 131, shared memory): 1.90× on 2 workers."
        );
        // Passed on without runs of one's own, a link keeps the sender's.
        let forwarded = ParallelLab {
            runs: Vec::new(),
            ..visitor.clone()
        }
        .received();
        assert_eq!(forwarded.theirs, visitor.theirs);
        // Another spec is said.
        apply(&mut visitor, Action::SetKind(KernelKind::Primes)).unwrap();
        assert!(
            visitor
                .comparison()
                .unwrap()
                .contains("so the times are not comparable")
        );
        apply(&mut visitor, Action::DismissTheirs).unwrap();
        assert_eq!(visitor.comparison(), None);
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

    #[test]
    fn browsers_are_named_from_the_user_agent() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome 131",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36",
                "Headless Chrome 131",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
                "Edge 131",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox 133",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
                "Safari 17",
            ),
            ("curl/8.0", "a browser"),
            ("", "a browser"),
        ];
        for (agent, name) in cases {
            assert_eq!(browser_name(agent), name, "{agent}");
        }
    }
}
