//! The Parallel lab in words, computed from what was measured: the gap
//! between the speedup and Amdahl's bound and what makes it, strong and
//! weak scaling side by side, the sender's machine beside this one; and
//! what the page says of its workers, of the work in progress and of a
//! run that failed.

use super::figures::{base_millis, best};
use super::session::{Busy, Failure, PoolStatus};
use super::sweep::{PlanKind, SWEEP_REPEATS};
use super::{Machine, Measured, ParallelLab, PoolMode, WORKER_CEILING, pool_size};
use crate::parallel::amdahl;
use crate::parallel::race::{CounterMethod, RaceResult};

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

/// Why the table has no speedup yet, when it has runs but none on one
/// worker: speedup is against a run on one.
pub fn missing_base(runs: &[Measured]) -> Option<String> {
    (!runs.is_empty() && base_millis(runs).is_none()).then(|| {
        "Speedup and efficiency compare a run with the same work on 1 worker: run on 1 worker (or sweep) to see them.".to_owned()
    })
}

/// What the race's table shows, computed from it: how many increments
/// the racy loop lost (or why it lost none), that `fetch_add` and the
/// mutex lost none, and how their times compare with the racy loop's,
/// whichever way they came out. `None` until the three methods ran.
pub fn race_story(results: &[RaceResult]) -> Option<String> {
    let find = |method| results.iter().find(|result| result.method == method);
    let racy = find(CounterMethod::LoadStore)?;
    let fetch_add = find(CounterMethod::FetchAdd)?;
    let mutex = find(CounterMethod::Mutex)?;
    let mut text = if racy.lost() > 0 {
        format!(
            "Reading, then writing, lost {} of {} increments ({:.1} %): between one worker's read and its write, other workers' increments were written, and the stale value plus one overwrote them.",
            racy.lost(),
            racy.expected,
            racy.lost() as f64 / racy.expected.max(1) as f64 * 100.0
        )
    } else if !racy.started_together || racy.overlap_millis <= 0.0 {
        "Reading, then writing, lost nothing this time because the loops never ran at the same time (too few free workers): with one worker at a time there is nobody to overwrite.".to_owned()
    } else {
        format!(
            "Reading, then writing, lost nothing this time although the loops ran together for {:.0} ms: a lost update needs one worker's write to fall between another's read and write, which is likely but not certain. Run it again.",
            racy.overlap_millis
        )
    };
    let safe = [fetch_add, mutex];
    let lost: u64 = safe.iter().map(|result| result.lost()).sum();
    text.push_str(&if lost == 0 {
        " fetch_add and the mutex lost none: each makes the read-modify-write one indivisible step."
            .to_owned()
    } else {
        format!(" fetch_add and the mutex lost {lost}: that should never happen, and is a bug.")
    });
    for result in safe {
        let ratio = result.millis / racy.millis.max(0.001);
        let name = result.method.short_name();
        text.push_str(&if ratio > 1.1 {
            format!(
                " {name} took {:.0} ms, {ratio:.1}× the racy loop's {:.0} ms: making the increment indivisible cost time here.",
                result.millis, racy.millis
            )
        } else if ratio < 0.9 {
            format!(
                " {name} took {:.0} ms, less than the racy loop's {:.0} ms: the racy workers fight over the counter's cache line on every increment{}, so being correct cost nothing here.",
                result.millis,
                racy.millis,
                if result.method == CounterMethod::Mutex {
                    ", while a worker that holds the mutex tends to take it again and again without waiting"
                } else {
                    ""
                }
            )
        } else {
            format!(
                " {name} took {:.0} ms, about the racy loop's {:.0} ms.",
                result.millis, racy.millis
            )
        });
    }
    Some(text)
}

/// The workers' badge: a title in bold, when there is one, and the
/// sentence after it; nothing before the page asks for workers.
pub fn pool_status(pool: &PoolStatus) -> Option<(Option<&'static str>, String)> {
    Some(match pool {
        PoolStatus::Idle => return None,
        PoolStatus::NoWorkers => (
            None,
            "This browser offers no web workers here, so everything runs on one thread and there is no parallel run to measure.".to_owned(),
        ),
        PoolStatus::Starting { workers } => (None, format!("Starting {workers} web workers…")),
        PoolStatus::Ready {
            mode: PoolMode::SharedMemory,
            workers,
            start_millis,
        } => (
            Some("Shared memory"),
            format!(
                ": a pool of {} sharing one wasm memory, started in {start_millis:.0} ms (the page is cross-origin isolated).",
                plural(*workers, "web worker")
            ),
        ),
        PoolStatus::Ready {
            mode: PoolMode::MessagePassing,
            workers,
            start_millis,
        } => (
            Some("Message passing"),
            format!(
                ": {}, each with its own copy of the program and its own memory, started in {start_millis:.0} ms. \
                 This page is not cross-origin isolated (as in most course-site frames), so workers cannot share memory; chunks go out and results come back as messages.",
                plural(*workers, "web worker")
            ),
        ),
        PoolStatus::Failed(message) => (None, format!("The worker pool could not start: {message}")),
    })
}

/// Why the page starts fewer workers than a machine that reports
/// `hardware` threads has, when it does.
pub fn ceiling_note(hardware: usize) -> Option<String> {
    pool_size(hardware).1.then(|| {
        format!(
            "This machine reports {hardware} hardware threads; the lab starts at most {WORKER_CEILING} workers (each takes a thread stack from the page's shared memory)."
        )
    })
}

/// How a sweep measures, under its table.
pub fn sweep_note(max_workers: usize) -> String {
    format!(
        "A sweep runs once on {} to warm up, then each worker count {SWEEP_REPEATS} times: the table shows the median run.",
        plural(max_workers, "worker")
    )
}

/// The status line while work runs.
pub fn busy(busy: Busy) -> String {
    match busy {
        Busy::Kernel { workers } => format!("Running on {}…", plural(workers, "worker")),
        Busy::Race => "Racing…".to_owned(),
    }
}

/// What the page says of a failure: what failed, why, and what is kept.
pub fn failure(failure: &Failure) -> String {
    match failure {
        Failure::Run {
            kind,
            workers,
            message,
            kept,
        } => run_failed(*kind, *workers, message, *kept),
        Failure::Race(message) => format!("The race stopped: {message}."),
    }
}

/// What the page says when a run of a `kind` plan on `workers` workers
/// failed with `message`, `kept` results being kept.
fn run_failed(kind: PlanKind, workers: usize, message: &str, kept: usize) -> String {
    let what = match kind {
        PlanKind::Run => "The run",
        PlanKind::Sweep => "The sweep stopped: the run",
        PlanKind::Weak => "The weak-scaling sweep stopped: the run",
    };
    let kept = match kept {
        0 => "Nothing was measured before it".to_owned(),
        1 => "The 1 worker count measured before it is kept".to_owned(),
        n => format!("The {n} worker counts measured before it are kept"),
    };
    format!(
        "{what} on {} failed ({message}). {kept}; run or sweep again to go on.",
        plural(workers, "worker")
    )
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parallel::kernels::{KernelKind, KernelSpec};
    use crate::parallel::lab::tests::{machine, measured, with_runs};
    use crate::parallel::lab::{Action, apply};

    fn raced(method: CounterMethod, actual: u64, millis: f64) -> RaceResult {
        RaceResult {
            method,
            workers: 2,
            per_worker: 1_000,
            expected: 2_000,
            actual,
            millis,
            overlap_millis: 3.0,
            started_together: true,
        }
    }

    #[test]
    fn the_race_is_told_from_its_own_figures_whichever_way_they_came_out() {
        // As seen: the mutex the fastest, the racy loop the slowest.
        let seen = [
            raced(CounterMethod::LoadStore, 1_500, 597.0),
            raced(CounterMethod::FetchAdd, 2_000, 500.0),
            raced(CounterMethod::Mutex, 2_000, 408.0),
        ];
        let text = race_story(&seen).unwrap();
        assert!(
            text.starts_with("Reading, then writing, lost 500 of 2000 increments (25.0 %)"),
            "{text}"
        );
        assert!(
            text.contains("the mutex took 408 ms, less than the racy loop's 597 ms"),
            "{text}"
        );
        assert!(
            text.contains("fetch_add took 500 ms, less than the racy loop's 597 ms"),
            "{text}"
        );
        assert!(!text.contains("cost time"), "{text}");
        // The other way round: indivisible increments cost time.
        let costly = [
            raced(CounterMethod::LoadStore, 1_900, 100.0),
            raced(CounterMethod::FetchAdd, 2_000, 150.0),
            raced(CounterMethod::Mutex, 2_000, 400.0),
        ];
        let text = race_story(&costly).unwrap();
        assert!(text.contains("the mutex took 400 ms, 4.0× the racy loop's 100 ms: making the increment indivisible cost time here"), "{text}");
        assert!(
            text.contains("fetch_add took 150 ms, 1.5× the racy loop's 100 ms"),
            "{text}"
        );
        // Nothing lost, and why.
        let apart = [
            RaceResult {
                started_together: false,
                overlap_millis: 0.0,
                ..raced(CounterMethod::LoadStore, 2_000, 100.0)
            },
            raced(CounterMethod::FetchAdd, 2_000, 100.0),
            raced(CounterMethod::Mutex, 2_000, 100.0),
        ];
        let text = race_story(&apart).unwrap();
        assert!(
            text.contains("lost nothing this time because the loops never ran at the same time"),
            "{text}"
        );
        assert!(text.contains("about the racy loop's 100 ms"), "{text}");
        assert_eq!(race_story(&apart[..2]), None, "not before all three ran");
    }

    #[test]
    fn a_table_without_a_one_worker_run_says_what_its_speedup_needs() {
        assert!(
            missing_base(&[measured(2, 100.0)])
                .unwrap()
                .contains("run on 1 worker")
        );
        assert_eq!(
            missing_base(&[measured(1, 200.0), measured(2, 100.0)]),
            None
        );
        assert_eq!(missing_base(&[]), None);
    }

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
}
