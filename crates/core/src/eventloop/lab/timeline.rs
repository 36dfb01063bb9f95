//! The run on the one timeline: a lane for the main thread with a span
//! per job, coloured by where the job came from (the script, a microtask,
//! a timer, I/O, a frame), grey while the loop waits; and a lane of
//! frames, one mark per 60 Hz deadline, hatched where a job was running
//! across it (a missed frame). Events: each job queued, started and done,
//! and each promise settled (its reactions become ready).

use crate::eventloop::record::{FRAME_US, Run, Source};
use crate::trace::{Event, EventKind, Lane, LaneKind, PALETTE, Span, SpanKind, TaskInfo, Trace};

/// The lane of the main thread.
pub const MAIN: usize = 0;
/// The lane of the frames.
pub const FRAMES: usize = 1;
/// How wide a frame's mark is drawn (µs).
const FRAME_MARK_US: u64 = 1_000;

/// The colour of each source of jobs (Okabe-Ito).
pub fn colour(source: Source) -> &'static str {
    match source {
        Source::Script => PALETTE[4],
        Source::Microtask => PALETTE[2],
        Source::Timer => PALETTE[0],
        Source::Io => PALETTE[1],
        Source::Frame => PALETTE[6],
    }
}

fn task_of(source: Source) -> usize {
    Source::ALL.iter().position(|s| *s == source).unwrap_or(0)
}

/// The run as a trace, in microseconds.
pub fn trace(run: &Run) -> Trace {
    let tasks = Source::ALL
        .iter()
        .map(|source| TaskInfo {
            name: match source {
                Source::Script => "the script".to_owned(),
                Source::Microtask => "a microtask".to_owned(),
                Source::Timer => "a timer callback".to_owned(),
                Source::Io => "an I/O callback".to_owned(),
                Source::Frame => "a frame callback".to_owned(),
            },
            colour: Some(colour(*source).to_owned()),
        })
        .collect();
    let mut main = Vec::new();
    let mut events = Vec::new();
    let mut at = 0;
    for job in &run.jobs {
        let task = Some(task_of(job.source));
        // The take itself costs a microsecond: the span starts there.
        let start = job.start.saturating_sub(1).max(at);
        if start > at {
            main.push(Span {
                start: at,
                end: start,
                kind: SpanKind::Idle,
                task: None,
                other: None,
            });
        }
        let end = job.end.max(start + 1);
        main.push(Span {
            start,
            end,
            kind: SpanKind::Running,
            task,
            other: None,
        });
        events.push(Event {
            time: job.queued.min(start),
            kind: EventKind::Arrive,
            task,
            lane: Some(MAIN),
            other: None,
            wait: None,
        });
        events.push(Event {
            time: start,
            kind: EventKind::Start,
            task,
            lane: Some(MAIN),
            other: None,
            wait: None,
        });
        events.push(Event {
            time: end,
            kind: EventKind::Complete,
            task,
            lane: Some(MAIN),
            other: None,
            wait: None,
        });
        at = end;
    }
    let end = run.end.max(at).max(1);
    if end > at {
        main.push(Span {
            start: at,
            end,
            kind: SpanKind::Idle,
            task: None,
            other: None,
        });
    }
    // A promise settling makes the reactions waiting on it ready: the
    // microtasks it queues (`Ready`, at the moment it settles).
    for event in &run.events {
        if let crate::eventloop::record::EventKind::Settled { .. } = event.kind {
            events.push(Event {
                time: event.time,
                kind: EventKind::Ready,
                task: Some(task_of(Source::Microtask)),
                lane: Some(MAIN),
                other: None,
                wait: None,
            });
        }
    }
    events.sort_by_key(|e| e.time);
    let frame_task = Some(task_of(Source::Frame));
    let frames = run
        .frames
        .iter()
        .map(|frame| Span {
            start: frame.deadline,
            end: (frame.deadline + FRAME_MARK_US).min(frame.deadline + FRAME_US),
            kind: if frame.missed {
                SpanKind::Blocked
            } else {
                SpanKind::Running
            },
            task: frame_task,
            other: None,
        })
        .collect();
    Trace {
        unit: "µs".to_owned(),
        tasks,
        lanes: vec![
            Lane {
                name: "main thread".to_owned(),
                kind: LaneKind::EventLoop,
                spans: main,
            },
            Lane {
                name: "frames".to_owned(),
                kind: LaneKind::Thread,
                spans: frames,
            },
        ],
        events,
        end: end.max(run.frames.last().map_or(0, |f| f.deadline + FRAME_MARK_US)),
        kind_names: vec![
            (
                SpanKind::Running,
                "a job running; a frame drawn (solid)".to_owned(),
            ),
            (
                SpanKind::Blocked,
                "a frame missed: a job held the thread (hatched)".to_owned(),
            ),
            (SpanKind::Idle, "the event loop waiting (grey)".to_owned()),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventloop::{Limits, run_source};

    #[test]
    fn jobs_become_spans_of_their_colour_with_the_waits_between_them_idle() {
        let run = run_source(
            "setTimeout(() => work(5), 10)\nPromise.resolve().then(() => 1)",
            Limits::default(),
        )
        .expect("runs");
        let trace = trace(&run);
        let running: Vec<&Span> = trace.lanes[MAIN]
            .spans
            .iter()
            .filter(|s| s.kind == SpanKind::Running)
            .collect();
        assert_eq!(running.len(), run.jobs.len());
        let timer = running
            .iter()
            .find(|s| s.task == Some(task_of(Source::Timer)))
            .expect("the timer");
        assert!(timer.end - timer.start >= 5_000, "the work widens it");
        assert!(
            trace.lanes[MAIN]
                .spans
                .iter()
                .any(|s| s.kind == SpanKind::Idle),
            "the wait for the timer"
        );
        // Spans follow each other without overlap.
        for pair in trace.lanes[MAIN].spans.windows(2) {
            assert!(pair[0].end <= pair[1].start, "{pair:?}");
        }
    }

    #[test]
    fn a_long_job_shows_its_missed_frames() {
        let run = run_source("work(100)\nconsole.log('done')", Limits::default()).expect("runs");
        let trace = trace(&run);
        let missed = trace.lanes[FRAMES]
            .spans
            .iter()
            .filter(|s| s.kind == SpanKind::Blocked)
            .count();
        assert!(missed >= 5, "{missed}");
    }
}
