//! The one language the page and its web workers speak. A [`Request`] (an
//! id, the lab it is for, and one of that lab's jobs) goes to a worker as
//! JSON; the worker answers with [`Reply`]s carrying the same id:
//! progress while it works, then the job's result or one failure.
//!
//! Each lab's jobs are the lab's own: a type implementing [`Jobs`] in the
//! lab's module tree (`races::jobs`, `servers::jobs`, `parallel::jobs`)
//! names its job, result and progress types and answers a job, so every
//! job is handled and tested natively, beside its lab. This module only
//! carries them: the envelope, [`serve`] (what a worker does with a
//! request of one lab's jobs) and [`Outstanding`] (the page's side: a
//! reply whose id is not the one a worker owes belongs to a job that was
//! cancelled or replaced, and is dropped). The workers' module
//! (`crates/worker`) reads a request's lab ([`head`]) and serves it with
//! that lab's [`Jobs`]; a lab's page module speaks its own lab's jobs
//! only, so it carries no other lab's messages.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::ScenarioError;
use crate::labs::LabId;

/// A lab's jobs for web workers.
pub trait Jobs {
    /// The lab whose jobs these are (the request's `lab`).
    const LAB: LabId;
    type Job: Clone + std::fmt::Debug + PartialEq + Serialize + DeserializeOwned;
    /// A finished job's result.
    type Done: Clone + std::fmt::Debug + PartialEq + Serialize + DeserializeOwned;
    /// What a long job says while it works.
    type Progress: Clone + std::fmt::Debug + PartialEq + Serialize + DeserializeOwned;

    /// Runs `job` as a worker does. Every bad input is an `Err` that says
    /// what is wrong and where.
    fn answer(
        job: Self::Job,
        worker: &mut Worker<'_, Self::Progress>,
    ) -> Result<Self::Done, String>;
}

/// What the page asks a worker to do: one job of `lab`'s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request<J> {
    pub id: u64,
    /// The name of the lab whose job this is ([`Jobs::LAB`]).
    pub lab: String,
    pub job: J,
}

impl<J: Serialize + DeserializeOwned> Request<J> {
    /// Request `id` of one of `L`'s jobs.
    pub fn new<L: Jobs<Job = J>>(id: u64, job: J) -> Request<J> {
        Request {
            id,
            lab: L::LAB.name().to_owned(),
            job,
        }
    }

    #[inline]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("requests serialise")
    }

    /// A request from its JSON; the error says what is wrong and where
    /// (the field path, line and column), read by the crate's one JSON
    /// decoder ([`crate::input::read_json`]).
    pub fn from_json(text: &str) -> Result<Request<J>, ScenarioError> {
        crate::input::read_json(text)
    }
}

/// A request's id and lab, read before its job: the workers' module
/// serves it with that lab's [`Jobs`]. When it cannot be read, the id (0
/// when even that is unreadable: the page fails whatever it is owed) and
/// what is wrong.
pub fn head(text: &str) -> Result<(u64, LabId), (u64, String)> {
    let tree: serde_json::Value = serde_json::from_str(text)
        .map_err(|error| (0, format!("the request is not JSON: {error}")))?;
    let id = tree
        .get("id")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    let name = tree
        .get("lab")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| (id, "the request names no lab".to_owned()))?;
    let lab = LabId::from_name(name).ok_or_else(|| (id, format!("there is no lab {name:?}")))?;
    Ok((id, lab))
}

/// What a worker says about request `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply<D, P> {
    pub id: u64,
    pub answer: Answer<D, P>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Answer<D, P> {
    /// Progress of a long job; more replies follow.
    Progress(P),
    /// The job's result: the last reply.
    Done(D),
    /// The job could not run: bad input, or the worker failed.
    Failed { message: String },
}

impl<D, P> Answer<D, P> {
    /// Whether more replies follow this one for the same request.
    pub fn is_progress(&self) -> bool {
        matches!(self, Answer::Progress(_))
    }
}

impl<D: Serialize + DeserializeOwned, P: Serialize + DeserializeOwned> Reply<D, P> {
    #[inline]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("replies serialise")
    }

    pub fn from_json(text: &str) -> Result<Reply<D, P>, ScenarioError> {
        crate::input::read_json(text)
    }
}

/// How often a long job reports progress, in ms of the worker's clock.
pub const PROGRESS_EVERY_MS: f64 = 100.0;

/// What a job has of the worker it runs on: the worker's shared clock,
/// progress to report (at most every [`PROGRESS_EVERY_MS`]), and a side
/// channel of pixels (a Mandelbrot chunk's, transferred, not JSON).
pub struct Worker<'a, P> {
    clock: &'a dyn Fn() -> f64,
    last: f64,
    progress: &'a mut dyn FnMut(P),
    pixels: Vec<u16>,
}

impl<P> std::fmt::Debug for Worker<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

impl<'a, P> Worker<'a, P> {
    /// A worker on `clock` (ms on the page's shared clock) whose progress
    /// goes to `progress`.
    pub fn new(clock: &'a dyn Fn() -> f64, progress: &'a mut dyn FnMut(P)) -> Worker<'a, P> {
        Worker {
            last: clock(),
            clock,
            progress,
            pixels: Vec::new(),
        }
    }

    /// Now, in ms on the shared clock.
    pub fn now(&self) -> f64 {
        (self.clock)()
    }

    /// Whether progress is due (it was last reported
    /// [`PROGRESS_EVERY_MS`] ago or more); if so, counts it as reported.
    pub fn due(&mut self) -> bool {
        let now = (self.clock)();
        let due = now - self.last >= PROGRESS_EVERY_MS;
        if due {
            self.last = now;
        }
        due
    }

    /// Reports progress now.
    pub fn report(&mut self, progress: P) {
        (self.progress)(progress);
    }

    /// Pixels that go with the job's result.
    pub fn attach_pixels(&mut self, pixels: Vec<u16>) {
        self.pixels = pixels;
    }
}

/// What a worker does with `text`, a request of `L`'s jobs: decodes it,
/// runs the job on `clock` and calls `post(reply_json, pixels)` for each
/// reply: progress, then the result or a failure that says what is wrong.
/// `pixels` is empty but for a job that attached some.
pub fn serve<L: Jobs>(text: &str, clock: &dyn Fn() -> f64, post: &mut dyn FnMut(String, &[u16])) {
    let (id, answer, pixels) = match Request::<L::Job>::from_json(text) {
        Ok(request) => {
            let pixels;
            let answer = {
                let mut on_progress = |progress: L::Progress| {
                    let reply: Reply<L::Done, L::Progress> = Reply {
                        id: request.id,
                        answer: Answer::Progress(progress),
                    };
                    post(reply.to_json(), &[]);
                };
                let mut worker = Worker::new(clock, &mut on_progress);
                let answer = match L::answer(request.job, &mut worker) {
                    Ok(done) => Answer::Done(done),
                    Err(message) => Answer::Failed { message },
                };
                pixels = std::mem::take(&mut worker.pixels);
                answer
            };
            (request.id, answer, pixels)
        }
        Err(error) => (
            head(text).map_or_else(|(id, _)| id, |(id, _)| id),
            Answer::Failed {
                message: format!("the request: {error}"),
            },
            Vec::new(),
        ),
    };
    post(
        Reply::<L::Done, L::Progress> { id, answer }.to_json(),
        &pixels,
    );
}

/// The one reply to request `id` that cannot be served: a failure that
/// says why (a request with no lab, or of a lab with no jobs).
pub fn refuse(id: u64, message: &str, post: &mut dyn FnMut(String, &[u16])) {
    let reply: Reply<NoProgress, NoProgress> = Reply {
        id,
        answer: Answer::Failed {
            message: message.to_owned(),
        },
    };
    post(reply.to_json(), &[]);
}

/// The progress of jobs that report none (and the result of none): it has
/// no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoProgress {}

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

    /// Takes the waiter a failure is for: the one of `id`, or whatever is
    /// owed when the failure names no request (`id` 0: a request whose id
    /// could not be read, a reply that does not decode, a worker that
    /// could not load or stopped).
    pub fn take_failed(&mut self, id: u64) -> Option<T> {
        if id == 0 {
            self.current.take().map(|(_, waiter)| waiter)
        } else {
            self.take(id)
        }
    }

    /// Forgets what was owed: later replies to it are dropped.
    pub fn clear(&mut self) {
        self.current = None;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::cell::Cell;

    use super::*;

    /// A clock that moves 60 ms each time it is read.
    pub fn ticking() -> impl Fn() -> f64 {
        let now = Cell::new(0.0);
        move || {
            now.set(now.get() + 60.0);
            now.get()
        }
    }

    /// What a job did: its answer, the progress it reported, its pixels.
    pub type Ran<L> = (
        Result<<L as Jobs>::Done, String>,
        Vec<<L as Jobs>::Progress>,
        Vec<u16>,
    );

    /// Runs `job` as a worker does, on a ticking clock.
    pub fn run<L: Jobs>(job: L::Job) -> Ran<L> {
        let mut heard = Vec::new();
        let clock = ticking();
        let mut on_progress = |progress| heard.push(progress);
        let mut worker = Worker::new(&clock, &mut on_progress);
        let answer = L::answer(job, &mut worker);
        let pixels = std::mem::take(&mut worker.pixels);
        (answer, heard, pixels)
    }

    /// Serves `request` as the workers' module does (read its lab, then
    /// its job), with `serve_lab` the dispatch of one lab: the replies'
    /// JSON, in order.
    pub fn served(
        request: &str,
        serve_lab: impl FnOnce(LabId, &str, &mut dyn FnMut(String, &[u16])),
    ) -> Vec<String> {
        let mut replies = Vec::new();
        let mut post = |reply: String, _: &[u16]| replies.push(reply);
        match head(request) {
            Ok((_, lab)) => serve_lab(lab, request, &mut post),
            Err((id, message)) => refuse(id, &message, &mut post),
        }
        replies
    }

    /// `back` is `sent` after a trip through JSON: equal, except that a
    /// float may come back one unit in the last place off (serde_json's
    /// default reader, kept for the module's size; the page shows no
    /// number to more than 4 significant digits).
    pub fn assert_round_trip<T: Serialize + std::fmt::Debug>(sent: &T, back: &T) {
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

    /// Every message of `L` survives JSON: the requests, and the replies
    /// their jobs give (results and progress), and a failure.
    pub fn assert_messages_round_trip<L: Jobs>(jobs: Vec<L::Job>) {
        for (idx, job) in jobs.into_iter().enumerate() {
            let request = Request::new::<L>(idx as u64 + u64::MAX / 2, job);
            let text = request.to_json();
            assert_round_trip(&request, &Request::from_json(&text).unwrap());
            assert_eq!(head(&text), Ok((request.id, L::LAB)));
            let (answer, heard, _) = run::<L>(request.job);
            let mut answers: Vec<Answer<L::Done, L::Progress>> =
                heard.into_iter().map(Answer::Progress).collect();
            answers.push(match answer {
                Ok(done) => Answer::Done(done),
                Err(message) => Answer::Failed { message },
            });
            answers.push(Answer::Failed {
                message: "line 1: \"quoted\"".to_owned(),
            });
            for answer in answers {
                let reply = Reply {
                    id: request.id,
                    answer,
                };
                assert_round_trip(&reply, &Reply::from_json(&reply.to_json()).unwrap());
            }
        }
    }

    #[test]
    fn requests_that_cannot_be_read_fail_what_is_owed_or_their_own_id() {
        assert_eq!(
            head(r#"{"id": 3, "lab": "races", "job": 5}"#),
            Ok((3, LabId::Races))
        );
        assert_eq!(
            head(r#"{"id": 3, "job": 5}"#),
            Err((3, "the request names no lab".to_owned()))
        );
        assert_eq!(
            head(r#"{"id": 4, "lab": "chess"}"#),
            Err((4, "there is no lab \"chess\"".to_owned()))
        );
        let (id, message) = head("not json").unwrap_err();
        assert_eq!(id, 0);
        assert!(message.starts_with("the request is not JSON"), "{message}");
        // What the page hears: a failure for that id (0: whatever is owed).
        let replies = served("not json", |_, _, _| unreachable!());
        let reply: Reply<NoProgress, NoProgress> = Reply::from_json(&replies[0]).unwrap();
        assert_eq!(reply.id, 0);
        assert!(matches!(reply.answer, Answer::Failed { .. }));
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
        assert!(owed.take_failed(5).is_none(), "another request's failure");
        assert_eq!(
            owed.take_failed(0),
            Some("fourth"),
            "a failure naming no request"
        );
        assert!(owed.take(4).is_none());
    }
}
