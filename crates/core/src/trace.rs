//! The one timeline grammar: lanes holding spans over time, plus events.
//!
//! Every lab produces a [`Trace`]; one timeline component draws any trace.
//! Simulated and measured traces use the same type.

use serde::{Deserialize, Serialize};

pub use crate::models::task::{Time, WaitKind};

/// The Okabe-Ito palette without black: task colours, colour-blind safe.
pub const PALETTE: [&str; 7] = [
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
];

/// Index of a task in [`Trace::tasks`].
pub type TaskId = usize;
/// Index of a lane in [`Trace::lanes`].
pub type LaneId = usize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// Display unit of every time in the trace, e.g. `ms`.
    pub unit: String,
    pub tasks: Vec<TaskInfo>,
    pub lanes: Vec<Lane>,
    /// Sorted by time; ties keep the order in which they happened.
    pub events: Vec<Event>,
    /// The end of the last span.
    pub end: Time,
    /// What a kind of span means in this trace where it is not what
    /// [`SpanKind::label`] says (the Event loop lab's hatched spans are
    /// missed frames, not I/O).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kind_names: Vec<(SpanKind, String)>,
}

impl Trace {
    /// Whether any lane has a span of `kind` (what a legend lists).
    pub fn has_span_kind(&self, kind: SpanKind) -> bool {
        self.lanes
            .iter()
            .any(|lane| lane.spans.iter().any(|span| span.kind == kind))
    }

    /// The legend's words for `kind` in this trace.
    pub fn kind_label(&self, kind: SpanKind) -> &str {
        self.kind_names
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(kind.label(), |(_, name)| name.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInfo {
    pub name: String,
    /// `#rrggbb` chosen by the scenario's author; default from the palette.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lane {
    pub name: String,
    pub kind: LaneKind,
    /// Sorted by start; never overlapping.
    pub spans: Vec<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LaneKind {
    Thread,
    Process,
    Worker,
    Core,
    EventLoop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: Time,
    pub end: Time,
    pub kind: SpanKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskId>,
    /// The other lane involved: the core a thread runs on, or the thread a
    /// core runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<LaneId>,
}

impl Span {
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn duration(&self) -> Time {
        self.end - self.start
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    /// The lane runs the task on a CPU.
    Running,
    /// The lane is held by the task while the task waits on I/O.
    Blocked,
    /// The lane has nothing to do.
    Idle,
    /// The thread could run the task but waits for a free core.
    Ready,
    /// The core switches from one thread to another (context switch).
    Switching,
    /// The thread waits for a lock another thread holds.
    Waiting,
}

impl SpanKind {
    /// What the legends call it, with how it is drawn.
    pub fn label(self) -> &'static str {
        match self {
            SpanKind::Running => "running (solid)",
            SpanKind::Blocked => "blocked on I/O (hatched)",
            SpanKind::Waiting => "waiting for a lock (hatched)",
            SpanKind::Ready => "ready, waiting for a core (dashed)",
            SpanKind::Switching => "context switch",
            SpanKind::Idle => "idle (grey)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub time: Time,
    pub kind: EventKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lane: Option<LaneId>,
    /// The other lane involved (the thread a core switches to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<LaneId>,
    /// What a blocking or parking task waits on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<WaitKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The task joins the queue.
    Arrive,
    /// A lane takes the task for the first time.
    Start,
    /// The task starts waiting and holds its lane (synchronous model).
    Block,
    /// The task's wait ends; its lane goes on running it.
    Unblock,
    /// The task starts waiting and its lane lets it go (asynchronous model).
    Park,
    /// The parked task's wait ends; it is ready again.
    Ready,
    /// A lane picks a ready task up again after it was parked.
    Resume,
    /// The task has run its last segment.
    Complete,
    /// The thread used up its quantum and gives its core to a waiting thread.
    Preempt,
    /// A core starts switching to another thread (`other`).
    Switch,
    /// The lane's thread takes a lock.
    Acquire,
    /// The lane's thread releases a lock.
    Release,
    /// An assertion fails or a runtime error stops the lane's thread.
    Fail,
    /// Every live thread is blocked.
    Deadlock,
    /// The server turned the request away: its backlog was full (503).
    Reject,
    /// The client gave up: the request waited or ran past its timeout.
    TimeOut,
}

/// The part of a timeline in view, `from..to` in the trace's units: the
/// zoom and cursor maths every timeline shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Time,
    pub to: Time,
}

impl Window {
    /// All of a trace that ends at `end`.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn whole(end: Time) -> Window {
        Window {
            from: 0,
            to: end.max(1),
        }
    }

    /// `view`, or the whole trace when there is none.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn or_whole(view: Option<(Time, Time)>, end: Time) -> Window {
        view.map_or(Window::whole(end), |(from, to)| Window {
            from,
            to: to.max(from + 1),
        })
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn span(self) -> Time {
        self.to - self.from
    }

    /// Where `time` falls, 0 at `from` and 1 at `to` (outside: beyond).
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn fraction(self, time: Time) -> f64 {
        (time as f64 - self.from as f64) / self.span().max(1) as f64
    }

    /// The time at `fraction` of the window, clamped into it.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn time_at(self, fraction: f64) -> Time {
        self.from + (fraction.clamp(0.0, 1.0) * self.span() as f64).round() as Time
    }

    /// Zooms by `factor` (below 1: in) around `anchor`, which stays where
    /// it is on screen; the span stays within `min_span..=end` and the
    /// window within `0..end`. `None`: the whole trace is in view.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn zoom(
        self,
        end: Time,
        anchor: Time,
        factor: f64,
        min_span: Time,
    ) -> Option<(Time, Time)> {
        let end = end.max(1);
        let span = ((self.span() as f64 * factor).round() as Time).clamp(min_span.min(end), end);
        if span >= end {
            return None;
        }
        let anchor = anchor.clamp(self.from, self.to);
        let left = (self.fraction(anchor) * span as f64).round() as Time;
        let from = anchor.saturating_sub(left).min(end - span);
        Some((from, from + span))
    }

    /// The window moved (its span kept) just enough that `time` is in
    /// view: a zoomed timeline pans with its cursor, during playback and
    /// while scrubbing. Never before 0.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn follow(self, time: Time) -> Window {
        let span = self.span();
        if time < self.from {
            Window {
                from: time,
                to: time + span,
            }
        } else if time > self.to {
            Window {
                from: time - span,
                to: time,
            }
        } else {
            self
        }
    }
}

impl Trace {
    /// Whether times are microseconds shown as µs, ms or s (Servers lab).
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn scaled(&self) -> bool {
        self.unit == "µs"
    }

    /// A time with its unit: `12 ms`; a microsecond trace picks µs, ms or s.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn time_text(&self, time: Time) -> String {
        if self.scaled() {
            scaled_time(time)
        } else {
            format!("{time} {}", self.unit)
        }
    }

    /// A tick label: the number alone, unless the trace picks units per
    /// time (then `20 ms`).
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn tick_text(&self, time: Time) -> String {
        if self.scaled() {
            scaled_time(time)
        } else {
            time.to_string()
        }
    }

    /// `1–3 ms`, or `800 µs–1.2 ms` for a microsecond trace.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn range_text(&self, from: Time, to: Time) -> String {
        if self.scaled() {
            format!("{}–{}", scaled_time(from), scaled_time(to))
        } else {
            format!("{from}–{to} {}", self.unit)
        }
    }

    /// The time axis's caption.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn axis_label(&self) -> String {
        if self.scaled() {
            "time".to_owned()
        } else {
            format!("time ({})", self.unit)
        }
    }

    /// Total time of `kind` spans on `lane`.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn lane_total(&self, lane: LaneId, kind: SpanKind) -> Time {
        self.lanes[lane]
            .spans
            .iter()
            .filter(|span| span.kind == kind)
            .map(Span::duration)
            .sum()
    }

    /// What `lane` is doing at `time` (the span with start <= time < end).
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn span_at(&self, lane: LaneId, time: Time) -> Option<&Span> {
        let spans = &self.lanes[lane].spans;
        let idx = spans.partition_point(|span| span.end <= time);
        spans.get(idx).filter(|span| span.start <= time)
    }

    /// Checks the invariants every trace keeps; returns the first broken one.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn check_invariants(&self) -> Result<(), String> {
        for (lane_idx, lane) in self.lanes.iter().enumerate() {
            for span in &lane.spans {
                if span.start >= span.end {
                    return Err(format!("lane {lane_idx}: empty or reversed span {span:?}"));
                }
                if span.end > self.end {
                    return Err(format!(
                        "lane {lane_idx}: span {span:?} ends after trace end {}",
                        self.end
                    ));
                }
                if let Some(task) = span.task
                    && task >= self.tasks.len()
                {
                    return Err(format!("lane {lane_idx}: span names unknown task {task}"));
                }
            }
            for pair in lane.spans.windows(2) {
                if pair[0].end > pair[1].start {
                    return Err(format!(
                        "lane {lane_idx}: spans overlap: {:?} and {:?}",
                        pair[0], pair[1]
                    ));
                }
            }
        }
        for pair in self.events.windows(2) {
            if pair[0].time > pair[1].time {
                return Err(format!(
                    "events out of order: {:?} then {:?}",
                    pair[0], pair[1]
                ));
            }
        }
        Ok(())
    }
}

/// Microseconds as µs, ms or s with at most three decimals.
#[cfg_attr(target_arch = "wasm32", optimize(speed))]
fn scaled_time(micros: Time) -> String {
    let trim = |value: f64| {
        let text = format!("{value:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    if micros == 0 {
        "0".to_owned()
    } else if micros >= 1_000_000 {
        format!("{} s", trim(micros as f64 / 1e6))
    } else if micros >= 1000 {
        format!("{} ms", trim(micros as f64 / 1e3))
    } else {
        format!("{micros} µs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_pans_just_enough_to_follow_the_cursor() {
        let window = Window { from: 100, to: 150 };
        assert_eq!(window.follow(120), window, "in view: unchanged");
        assert_eq!(window.follow(170), Window { from: 120, to: 170 });
        assert_eq!(window.follow(30), Window { from: 30, to: 80 });
        assert_eq!(window.follow(0).span(), 50);
    }

    #[test]
    fn zooming_keeps_the_anchor_in_place_and_the_window_in_the_trace() {
        let whole = Window::whole(200);
        // In by half around 50: 50 stays a quarter of the way across.
        let (from, to) = whole.zoom(200, 50, 0.5, 4).unwrap();
        assert_eq!((from, to), (25, 125));
        let zoomed = Window { from, to };
        assert_eq!(zoomed.fraction(50), 0.25);
        // At the end, the end stays at the right edge; zooming out from
        // there never passes the end.
        assert_eq!(whole.zoom(200, 200, 0.5, 4), Some((100, 200)));
        let tail = Window { from: 180, to: 200 };
        assert_eq!(tail.zoom(200, 180, 3.0, 4), Some((140, 200)));
        // Never narrower than the minimum, never wider than the trace.
        assert_eq!(zoomed.zoom(200, 50, 0.001, 4), Some((49, 53)));
        assert_eq!(zoomed.zoom(200, 50, 2.0, 4), None, "the whole trace again");
        assert_eq!(
            Window::whole(3).zoom(3, 1, 0.5, 10),
            None,
            "too short to zoom"
        );
        // Positions and back.
        assert_eq!(zoomed.time_at(zoomed.fraction(80)), 80);
        assert_eq!(zoomed.time_at(-1.0), 25, "left of the window clamps");
        assert_eq!(Window::or_whole(None, 0), Window { from: 0, to: 1 });
    }

    #[test]
    fn microsecond_traces_read_in_ms_and_s() {
        let trace = Trace {
            unit: "µs".into(),
            ..Trace::default()
        };
        assert_eq!(trace.time_text(1_500), "1.5 ms");
        assert_eq!(trace.tick_text(2_000_000), "2 s");
        assert_eq!(trace.range_text(800, 1_200), "800 µs–1.2 ms");
        let ms = Trace {
            unit: "ms".into(),
            ..Trace::default()
        };
        assert_eq!(ms.range_text(1, 3), "1–3 ms");
        assert_eq!(ms.tick_text(20), "20");
    }

    fn lane(spans: Vec<Span>) -> Lane {
        Lane {
            name: "t".into(),
            kind: LaneKind::Thread,
            spans,
        }
    }

    fn span(start: Time, end: Time) -> Span {
        Span {
            start,
            end,
            kind: SpanKind::Running,
            task: None,
            other: None,
        }
    }

    #[test]
    fn overlapping_spans_break_the_invariants() {
        let trace = Trace {
            lanes: vec![lane(vec![span(0, 5), span(4, 8)])],
            end: 8,
            ..Trace::default()
        };
        assert!(trace.check_invariants().unwrap_err().contains("overlap"));
    }

    #[test]
    fn span_at_finds_the_span_covering_a_time() {
        let trace = Trace {
            lanes: vec![lane(vec![span(0, 5), span(7, 8)])],
            end: 8,
            ..Trace::default()
        };
        assert_eq!(trace.span_at(0, 4).map(|s| s.start), Some(0));
        assert_eq!(trace.span_at(0, 5), None);
        assert_eq!(trace.span_at(0, 7).map(|s| s.start), Some(7));
        assert_eq!(trace.span_at(0, 8), None);
    }
}
