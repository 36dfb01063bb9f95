//! A task of the Models lab: its name, arrival, colour and segments
//! (compute, or wait on something), with the limits on each. The
//! generator makes them and a scenario holds them.

use serde::{Deserialize, Serialize};

/// Time in the scenario's unit (milliseconds unless `unit` says otherwise).
pub type Time = u64;

/// The most tasks one scenario may hold.
pub const MAX_TASKS: usize = 100_000;
/// The most segments one task may hold.
pub const MAX_SEGMENTS_PER_TASK: usize = 1_000;
/// The longest single segment (about eleven days in milliseconds).
pub const MAX_DURATION: Time = 1_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When the task joins the queue.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub arrival: Time,
    /// A colour for the task, `#rrggbb`; default: from the palette.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
    pub segments: Vec<Segment>,
}

#[cfg_attr(target_arch = "wasm32", optimize(speed))]
fn is_zero(value: &Time) -> bool {
    *value == 0
}

/// One step of a task: `{"compute": 10}` or `{"wait": 50, "on": "database"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawSegment", into = "RawSegment")]
pub enum Segment {
    /// Uses a CPU for this long.
    Compute(Time),
    /// Waits for this long, using no CPU.
    Wait { duration: Time, on: WaitKind },
}

/// What a task waits on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WaitKind {
    /// Unspecified I/O.
    #[default]
    Io,
    Disk,
    Database,
    Http,
    /// A person typing or clicking.
    Input,
    Timer,
}

impl WaitKind {
    pub const ALL: [WaitKind; 6] = [
        WaitKind::Io,
        WaitKind::Disk,
        WaitKind::Database,
        WaitKind::Http,
        WaitKind::Input,
        WaitKind::Timer,
    ];

    /// "the database", as in "waits for the database".
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn noun(self) -> &'static str {
        match self {
            WaitKind::Io => "I/O",
            WaitKind::Disk => "the disk",
            WaitKind::Database => "the database",
            WaitKind::Http => "an HTTP response",
            WaitKind::Input => "user input",
            WaitKind::Timer => "a timer",
        }
    }

    /// The JSON name: `database`.
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn key(self) -> &'static str {
        match self {
            WaitKind::Io => "io",
            WaitKind::Disk => "disk",
            WaitKind::Database => "database",
            WaitKind::Http => "http",
            WaitKind::Input => "input",
            WaitKind::Timer => "timer",
        }
    }
}

impl Segment {
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn duration(self) -> Time {
        match self {
            Segment::Compute(d) | Segment::Wait { duration: d, .. } => d,
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn wait(duration: Time) -> Self {
        Segment::Wait {
            duration,
            on: WaitKind::Io,
        }
    }

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    pub fn is_compute(self) -> bool {
        matches!(self, Segment::Compute(_))
    }
}

/// The JSON shape of a segment; exactly one of `compute` and `wait`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSegment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    compute: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wait: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    on: Option<WaitKind>,
}

impl TryFrom<RawSegment> for Segment {
    type Error = &'static str;

    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn try_from(raw: RawSegment) -> Result<Self, Self::Error> {
        match (raw.compute, raw.wait, raw.on) {
            (Some(d), None, None) => Ok(Segment::Compute(d)),
            (None, Some(d), on) => Ok(Segment::Wait {
                duration: d,
                on: on.unwrap_or_default(),
            }),
            (Some(_), None, Some(_)) => Err("`on` belongs to a wait, not to a compute segment"),
            (Some(_), Some(_), _) => {
                Err("a segment is either {\"compute\": N} or {\"wait\": N}, not both")
            }
            (None, None, _) => Err("a segment needs {\"compute\": N} or {\"wait\": N}"),
        }
    }
}

impl From<Segment> for RawSegment {
    #[cfg_attr(target_arch = "wasm32", optimize(speed))]
    fn from(segment: Segment) -> Self {
        match segment {
            Segment::Compute(d) => RawSegment {
                compute: Some(d),
                wait: None,
                on: None,
            },
            Segment::Wait { duration, on } => RawSegment {
                compute: None,
                wait: Some(duration),
                on: (on != WaitKind::Io).then_some(on),
            },
        }
    }
}
