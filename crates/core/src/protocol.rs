//! The one language the page and its web workers speak: a [`Request`]
//! (an id and a [`Job`]) goes to a worker as JSON; the worker answers with
//! [`Reply`]s carrying the same id: progress while it works, then one
//! result or one failure. Both kinds of worker (the Parallel lab's
//! message-passing workers, which stay, and the one-job workers of the
//! Races and Servers labs) run [`answer`], so every job is handled and
//! tested here, natively; the browser side only moves the JSON.
//!
//! A reply whose id is not the one a worker owes ([`Outstanding`]) belongs
//! to a job that was cancelled or replaced, and is dropped.
//!
//! Each lab's jobs, answers and progress are there with its feature
//! (`lab-races`, `lab-servers`, `lab-parallel`): a lab's wasm module
//! speaks its own lab's part; the workers' module speaks all of it.

#[cfg(feature = "lab-parallel")]
use std::ops::Range;
#[cfg(feature = "lab-races")]
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::ScenarioError;
#[cfg(feature = "lab-parallel")]
use crate::parallel::kernels::KernelSpec;
#[cfg(feature = "lab-races")]
use crate::races::explore::{self, Report};
use crate::races::limits;
#[cfg(feature = "lab-races")]
use crate::races::sample::{SampleOptions, SampleReport, Sampler};
#[cfg(feature = "lab-races")]
use crate::races::{self};
#[cfg(feature = "lab-servers")]
use crate::servers::{self, ServersScenario, SweepPoint};

/// What the page asks a worker to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub id: u64,
    pub job: Job,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Job {
    /// Answer [`Answer::Started`] once the module is loaded (the
    /// message-passing pool waits for every worker before a run).
    Start,
    /// One range of a kernel's items, computed and timed on the worker.
    #[cfg(feature = "lab-parallel")]
    Chunk { spec: KernelSpec, items: Range<u64> },
    /// Explore every interleaving of `source` from the state `schedule`
    /// (thread numbers) reaches.
    #[cfg(feature = "lab-races")]
    Explore {
        source: String,
        schedule: Vec<usize>,
        options: explore::Options,
    },
    /// Random schedules (PCT) of `source` from the state `schedule` reaches.
    #[cfg(feature = "lab-races")]
    Sample {
        source: String,
        schedule: Vec<usize>,
        options: SampleOptions,
    },
    /// The Servers lab's load sweep: `points` loads up to `max_rate`.
    /// `scenario` is the lab's own JSON, read by `ServersScenario::from_json`
    /// with its limits and located errors (one reader of that format in
    /// the module, not a second one for messages).
    #[cfg(feature = "lab-servers")]
    Sweep {
        scenario: String,
        max_rate: f64,
        points: usize,
    },
}

/// What a worker says about request `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    pub id: u64,
    pub answer: Answer,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Answer {
    Started,
    /// Progress of a long job; more replies follow.
    Progress(Progress),
    /// A chunk's times (ms on the shared clock, `timeOrigin + now`) and
    /// checksum; for Mandelbrot, the message also carries the chunk's
    /// `pixels` iteration counts as a transferred `Uint16Array`.
    #[cfg(feature = "lab-parallel")]
    Chunk {
        start: f64,
        end: f64,
        checksum: u64,
        pixels: usize,
    },
    #[cfg(feature = "lab-races")]
    Explored(Box<Report>),
    #[cfg(feature = "lab-races")]
    Sampled(SampleReport),
    /// Every load point of a sweep.
    #[cfg(feature = "lab-servers")]
    Swept {
        points: Vec<SweepPoint>,
    },
    /// The job could not run: bad input, or the worker failed.
    Failed {
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Progress {
    #[cfg(feature = "lab-races")]
    Explore(explore::Progress),
    #[cfg(feature = "lab-races")]
    Sample { tried: u64, failing: u64 },
    /// Runs done of `total` (points × models); `point` once a load point
    /// has all its models, so a cancelled sweep keeps its points.
    #[cfg(feature = "lab-servers")]
    Sweep {
        done: usize,
        total: usize,
        point: Option<SweepPoint>,
    },
}

/// The most states a worker explores, whatever a request asks.
pub const MAX_EXPLORE_STATES: usize = 20 * limits::DEFAULT_MAX_STATES;

/// How often a long job reports progress, in ms of the worker's clock.
pub const PROGRESS_EVERY_MS: f64 = 100.0;

impl Request {
    #[inline]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("requests serialise")
    }

    /// A request from its JSON; the error says what is wrong and where
    /// (the field path, line and column), read by the crate's one JSON
    /// decoder ([`crate::input::read_json`]).
    pub fn from_json(text: &str) -> Result<Request, ScenarioError> {
        crate::input::read_json(text)
    }

    /// The id of a request that does not decode, where one can be read, so
    /// the failure goes back to whoever is waiting for it.
    pub fn id_of(text: &str) -> u64 {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|tree| tree.get("id")?.as_u64())
            .unwrap_or(0)
    }
}

impl Reply {
    #[inline]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("replies serialise")
    }

    pub fn from_json(text: &str) -> Result<Reply, ScenarioError> {
        crate::input::read_json(text)
    }
}

/// A job's final answer, with a chunk's pixels (empty unless Mandelbrot).
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub answer: Answer,
    pub pixels: Vec<u16>,
}

impl From<Answer> for Answered {
    fn from(answer: Answer) -> Self {
        Answered {
            answer,
            pixels: Vec::new(),
        }
    }
}

#[cfg(any(
    feature = "lab-races",
    feature = "lab-servers",
    feature = "lab-parallel"
))]
fn failed(error: impl std::fmt::Display) -> Answered {
    Answer::Failed {
        message: error.to_string(),
    }
    .into()
}

/// Runs `job` as a worker does: `clock` is the worker's shared clock in
/// ms, `progress` hears [`Progress`] about every [`PROGRESS_EVERY_MS`].
/// Every bad input is a [`Answer::Failed`] that says what and where.
// Without the Races lab's feature, no job reports progress on `due`.
#[cfg_attr(not(feature = "lab-races"), allow(unused_variables, unused_mut))]
pub fn answer(job: Job, clock: &dyn Fn() -> f64, progress: &mut dyn FnMut(Progress)) -> Answered {
    let mut last = clock();
    let mut due = || {
        let now = clock();
        let due = now - last >= PROGRESS_EVERY_MS;
        if due {
            last = now;
        }
        due
    };
    match job {
        Job::Start => Answer::Started.into(),
        #[cfg(feature = "lab-parallel")]
        Job::Chunk { spec, items } => {
            if let Err(error) = spec.validate() {
                return failed(error.within("spec"));
            }
            if items.start > items.end || items.end > spec.items() {
                return failed(format!(
                    "items {}..{} are outside the kernel's 0..{}",
                    items.start,
                    items.end,
                    spec.items()
                ));
            }
            // Only this chunk's rows, not the whole image.
            let rows: Vec<std::sync::atomic::AtomicU16> = (0..(items.end - items.start) as usize
                * spec.row_pixels())
                .map(|_| std::sync::atomic::AtomicU16::new(0))
                .collect();
            let start = clock();
            let checksum = spec.run_items(items.clone(), &rows);
            let end = clock();
            let pixels: Vec<u16> = rows
                .iter()
                .map(|pixel| pixel.load(std::sync::atomic::Ordering::Relaxed))
                .collect();
            Answered {
                answer: Answer::Chunk {
                    start,
                    end,
                    checksum,
                    pixels: pixels.len(),
                },
                pixels,
            }
        }
        #[cfg(feature = "lab-races")]
        Job::Explore {
            source,
            schedule,
            options,
        } => {
            if options.max_states > MAX_EXPLORE_STATES {
                return failed(format!(
                    "options.max_states: {} is over the limit of {MAX_EXPLORE_STATES}",
                    options.max_states
                ));
            }
            let (program, start) = match started(&source, &schedule) {
                Ok(started) => started,
                Err(error) => return failed(error),
            };
            let mut explorer = explore::Explorer::new(program, start, options);
            while !explorer.run(2_000) {
                if due() {
                    progress(Progress::Explore(explorer.progress()));
                }
            }
            Answer::Explored(Box::new(explorer.report())).into()
        }
        #[cfg(feature = "lab-races")]
        Job::Sample {
            source,
            schedule,
            options,
        } => {
            let (program, start) = match started(&source, &schedule) {
                Ok(started) => started,
                Err(error) => return failed(error),
            };
            let mut sampler = Sampler::new(program, start, options);
            while !sampler.run(50) {
                if due() {
                    let report = sampler.report();
                    progress(Progress::Sample {
                        tried: report.tried,
                        failing: report.failing,
                    });
                }
            }
            Answer::Sampled(sampler.report()).into()
        }
        #[cfg(feature = "lab-servers")]
        Job::Sweep {
            scenario,
            max_rate,
            points,
        } => {
            let scenario = match ServersScenario::from_json(&scenario) {
                Ok(scenario) => scenario,
                Err(error) => return failed(error.within("scenario")),
            };
            if !(max_rate.is_finite() && max_rate > 0.0) {
                return failed(format!("max_rate: {max_rate} is not a positive rate"));
            }
            if !(1..=servers::MAX_SWEEP_POINTS).contains(&points) {
                return failed(format!(
                    "points: {points} is outside 1..={}",
                    servers::MAX_SWEEP_POINTS
                ));
            }
            let swept =
                servers::sweep_with_points(&scenario, max_rate, points, |done, total, point| {
                    progress(Progress::Sweep {
                        done,
                        total,
                        point: point.cloned(),
                    });
                    true
                });
            Answer::Swept { points: swept }.into()
        }
    }
}

/// A Races job's program and the state `schedule` reaches on it.
#[cfg(feature = "lab-races")]
fn started(
    source: &str,
    schedule: &[usize],
) -> Result<(Rc<races::Program>, races::machine::State), ScenarioError> {
    let program = Rc::new(races::compile_source(source)?);
    let run = races::schedule::replay(&program, schedule)?;
    let start = run.last().clone();
    Ok((program, start))
}

/// The one request a worker owes an answer to, with whoever waits for it.
/// A reply with another id (a cancelled or replaced request's) is dropped.
#[derive(Debug)]
pub struct Outstanding<T> {
    current: Option<(u64, T)>,
}

impl<T> Default for Outstanding<T> {
    fn default() -> Self {
        Outstanding { current: None }
    }
}

impl<T> Outstanding<T> {
    /// Now request `id` is owed; whatever was owed before is forgotten.
    pub fn expect(&mut self, id: u64, waiter: T) {
        self.current = Some((id, waiter));
    }

    /// The waiter for a reply to `id`, if `id` is the request owed.
    pub fn waiter(&mut self, id: u64) -> Option<&mut T> {
        match &mut self.current {
            Some((owed, waiter)) if *owed == id => Some(waiter),
            _ => None,
        }
    }

    /// Takes the waiter for a final reply to `id`, if `id` is owed.
    pub fn take(&mut self, id: u64) -> Option<T> {
        match &self.current {
            Some((owed, _)) if *owed == id => self.current.take().map(|(_, waiter)| waiter),
            _ => None,
        }
    }

    /// Takes whatever waiter is owed: for a failure that names no request
    /// (a reply that does not decode, a worker that could not load).
    pub fn take_any(&mut self) -> Option<T> {
        self.current.take().map(|(_, waiter)| waiter)
    }

    /// Forgets what was owed: later replies to it are dropped.
    pub fn clear(&mut self) {
        self.current = None;
    }
}

impl Answer {
    /// The answer's kind, as the JSON names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Answer::Started => "started",
            Answer::Progress(_) => "progress",
            #[cfg(feature = "lab-parallel")]
            Answer::Chunk { .. } => "chunk",
            #[cfg(feature = "lab-races")]
            Answer::Explored(_) => "explored",
            #[cfg(feature = "lab-races")]
            Answer::Sampled(_) => "sampled",
            #[cfg(feature = "lab-servers")]
            Answer::Swept { .. } => "swept",
            Answer::Failed { .. } => "failed",
        }
    }

    /// Whether more replies follow this one for the same request.
    pub fn is_progress(&self) -> bool {
        matches!(self, Answer::Progress(_))
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::parallel::kernels::KernelKind;
    use crate::races::lessons;

    fn lost_update() -> String {
        lessons::find("lost-update").unwrap().source.to_owned()
    }

    /// Without reduction, more states than one batch: progress replies.
    fn list_removal() -> String {
        lessons::find("list-removal").unwrap().source.to_owned()
    }

    /// Every schedule, stopped after 10000 states (a few batches).
    fn capped() -> explore::Options {
        explore::Options {
            reduction: false,
            max_states: 10_000,
            ..explore::Options::default()
        }
    }

    fn small_sweep() -> Job {
        Job::Sweep {
            scenario: servers::bench_scenario(200).to_json(),
            max_rate: 400.0,
            points: 2,
        }
    }

    /// A clock that moves 60 ms each time it is read.
    fn ticking() -> impl Fn() -> f64 {
        let now = Cell::new(0.0);
        move || {
            now.set(now.get() + 60.0);
            now.get()
        }
    }

    fn run(job: Job) -> (Answered, Vec<Progress>) {
        let mut heard = Vec::new();
        let answered = answer(job, &ticking(), &mut |progress| heard.push(progress));
        (answered, heard)
    }

    fn every_request() -> Vec<Request> {
        let jobs = vec![
            Job::Start,
            Job::Chunk {
                spec: KernelSpec::default_for(KernelKind::Mandelbrot),
                items: 8..16,
            },
            Job::Explore {
                source: list_removal(),
                schedule: vec![0, 1],
                options: capped(),
            },
            Job::Sample {
                source: lost_update(),
                schedule: Vec::new(),
                options: SampleOptions {
                    runs: 200,
                    seed: 7,
                    depth: 2,
                },
            },
            small_sweep(),
        ];
        jobs.into_iter()
            .enumerate()
            .map(|(id, job)| Request {
                id: id as u64 + u64::MAX / 2,
                job,
            })
            .collect()
    }

    #[test]
    fn every_message_round_trips_through_json() {
        let mut replies = Vec::new();
        for request in every_request() {
            let text = request.to_json();
            assert_round_trip(&request, &Request::from_json(&text).unwrap());
            assert_eq!(Request::id_of(&text), request.id);
            let (answered, heard) = run(request.job);
            replies.push(answered.answer);
            replies.extend(heard.into_iter().map(Answer::Progress));
        }
        replies.push(Answer::Failed {
            message: "line 1: \"quoted\"".to_owned(),
        });
        let kinds: std::collections::BTreeSet<String> = replies
            .iter()
            .map(|answer| {
                assert_eq!(answer.kind(), variant(answer));
                match answer {
                    Answer::Progress(progress) => format!("progress {}", variant(progress)),
                    other => variant(other),
                }
            })
            .collect();
        assert_eq!(
            kinds.into_iter().collect::<Vec<_>>(),
            [
                "chunk",
                "explored",
                "failed",
                "progress explore",
                "progress sample",
                "progress sweep",
                "sampled",
                "started",
                "swept"
            ],
            "every kind of reply is covered"
        );
        for (id, answer) in replies.into_iter().enumerate() {
            let reply = Reply {
                id: id as u64,
                answer,
            };
            assert_round_trip(&reply, &Reply::from_json(&reply.to_json()).unwrap());
        }
    }

    /// `back` is `sent` after a trip through JSON: equal, except that a
    /// float may come back one unit in the last place off (serde_json's
    /// default reader, kept for the module's size; the page shows no
    /// number to more than 4 significant digits).
    fn assert_round_trip<T: Serialize + std::fmt::Debug>(sent: &T, back: &T) {
        fn close(a: &serde_json::Value, b: &serde_json::Value) -> bool {
            use serde_json::Value;
            match (a, b) {
                (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
                    let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                    x == y || (x - y).abs() <= x.abs().max(y.abs()) * f64::EPSILON
                }
                (Value::Array(x), Value::Array(y)) => {
                    x.len() == y.len() && x.iter().zip(y).all(|(x, y)| close(x, y))
                }
                (Value::Object(x), Value::Object(y)) => {
                    x.len() == y.len()
                        && x.iter()
                            .all(|(key, x)| y.get(key).is_some_and(|y| close(x, y)))
                }
                _ => a == b,
            }
        }
        let (a, b) = (
            serde_json::to_value(sent).unwrap(),
            serde_json::to_value(back).unwrap(),
        );
        assert!(close(&a, &b), "{sent:?}\ncame back as\n{back:?}");
    }

    /// The serde name of a message's variant.
    fn variant(value: &impl Serialize) -> String {
        match serde_json::to_value(value).unwrap() {
            serde_json::Value::String(name) => name,
            serde_json::Value::Object(map) => map.keys().next().unwrap().clone(),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn a_chunk_is_the_kernels_own_result() {
        let spec = KernelSpec::default_for(KernelKind::Mandelbrot);
        let (answered, _) = run(Job::Chunk {
            spec,
            items: 100..104,
        });
        let image = spec.new_image();
        let checksum = spec.run_items(100..104, spec.rows_of(&image, &(100..104)));
        let expected: Vec<u16> = spec
            .rows_of(&image, &(100..104))
            .iter()
            .map(|p| p.load(std::sync::atomic::Ordering::Relaxed))
            .collect();
        assert_eq!(
            answered.answer,
            Answer::Chunk {
                start: 120.0,
                end: 180.0,
                checksum,
                pixels: 4 * 1600
            }
        );
        assert_eq!(answered.pixels, expected);
        let primes = KernelSpec::default_for(KernelKind::Primes);
        let (answered, _) = run(Job::Chunk {
            spec: primes,
            items: 0..100,
        });
        assert!(matches!(
            answered.answer,
            Answer::Chunk {
                checksum: 25,
                pixels: 0,
                ..
            }
        ));
        assert!(answered.pixels.is_empty());
    }

    #[test]
    fn jobs_answer_what_the_labs_compute_directly() {
        let (answered, heard) = run(every_request().remove(2).job);
        let Answer::Explored(report) = answered.answer else {
            panic!("{answered:?}")
        };
        let (program, start) = started(&list_removal(), &[0, 1]).unwrap();
        let mut direct = explore::Explorer::new(program, start, capped());
        while !direct.run(2_000) {}
        assert_eq!(*report, direct.report());
        assert!(!heard.is_empty(), "the ticking clock makes progress due");

        let (answered, heard) = run(small_sweep());
        let scenario = servers::bench_scenario(200);
        let direct = servers::sweep_with_points(&scenario, 400.0, 2, |_, _, _| true);
        assert_eq!(
            answered.answer,
            Answer::Swept {
                points: direct.clone()
            }
        );
        let points: Vec<SweepPoint> = heard
            .into_iter()
            .filter_map(|progress| match progress {
                Progress::Sweep { point, .. } => point,
                _ => None,
            })
            .collect();
        assert_eq!(points, direct, "each point is handed over as it completes");
    }

    #[test]
    fn bad_jobs_fail_saying_what_and_where() {
        let failure = |job| match run(job).0.answer {
            Answer::Failed { message } => message,
            other => panic!("{other:?}"),
        };
        let spec = KernelSpec::default_for(KernelKind::HashChain);
        assert_eq!(
            failure(Job::Chunk {
                spec,
                items: 10..spec.items() + 1
            }),
            "items 10..4000001 are outside the kernel's 0..4000000"
        );
        assert!(
            failure(Job::Chunk {
                spec: KernelSpec { chunk: 0, ..spec },
                items: 0..1
            })
            .contains("spec.chunk"),
        );
        assert!(
            failure(Job::Explore {
                source: "thread A {\n  x = ;\n}".to_owned(),
                schedule: Vec::new(),
                options: explore::Options::default(),
            })
            .starts_with("2:")
        );
        assert!(
            failure(Job::Sample {
                source: lost_update(),
                schedule: vec![9],
                options: SampleOptions {
                    runs: 1,
                    seed: 1,
                    depth: 1
                },
            })
            .contains("9")
        );
        assert_eq!(
            failure(Job::Explore {
                source: lost_update(),
                schedule: Vec::new(),
                options: explore::Options {
                    max_states: MAX_EXPLORE_STATES + 1,
                    ..explore::Options::default()
                },
            }),
            format!(
                "options.max_states: {} is over the limit of {MAX_EXPLORE_STATES}",
                MAX_EXPLORE_STATES + 1
            )
        );
        let Job::Sweep { scenario, .. } = small_sweep() else {
            unreachable!()
        };
        assert_eq!(
            failure(Job::Sweep {
                scenario,
                max_rate: 10.0,
                points: 0
            }),
            "points: 0 is outside 1..=100"
        );
        // A request that does not decode says where.
        let error = Request::from_json(r#"{"id": 3, "job": {"chunk": {"spec": {"kind": "fractal", "size": 1, "chunk": 1, "serial_fraction": 0}, "items": {"start": 0, "end": 1}}}}"#).unwrap_err();
        assert_eq!(
            error.to_string(),
            "1:46 job.chunk.spec.kind: unknown variant `fractal`, expected one of `mandelbrot`, `primes`, `hash-chain`"
        );
        assert_eq!(Request::id_of(r#"{"id": 3, "job": 5}"#), 3);
        assert_eq!(Request::id_of("not json"), 0);
    }

    #[test]
    fn a_reply_to_a_request_no_longer_owed_is_dropped() {
        let mut owed = Outstanding::default();
        assert!(owed.take(1).is_none());
        owed.expect(1, "first");
        owed.expect(2, "second");
        assert!(owed.waiter(1).is_none(), "progress of a replaced request");
        assert!(owed.take(1).is_none(), "the answer of a replaced request");
        assert_eq!(owed.waiter(2).copied(), Some("second"));
        assert_eq!(owed.take(2), Some("second"));
        assert!(owed.take(2).is_none(), "one final answer per request");
        owed.expect(3, "third");
        owed.clear();
        assert!(owed.take(3).is_none(), "a cancelled request's answer");
        owed.expect(4, "fourth");
        assert_eq!(
            owed.take_any(),
            Some("fourth"),
            "a failure naming no request"
        );
        assert!(owed.take(4).is_none());
    }
}
