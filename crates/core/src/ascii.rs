//! ASCII timelines: one row per lane, one column per (scaled) time unit.
//!
//! Running spans show the task's letter (`A`), blocked spans its lower-case
//! letter (`a`), a thread waiting for a core `-`, a core switching
//! threads `*`, idle time `.`. When a column covers several spans it shows
//! the one that fills most of it. Used by the CLI and as test expectations.

use crate::models::scenario::default_task_name;
use crate::trace::{SpanKind, Time, Trace};

/// Column widths tried, in time units per column.
const SCALES: [Time; 3] = [1, 2, 5];

/// Renders `trace` at most `max_columns` wide (the scale is 1, 2 or 5 times
/// a power of ten, the smallest that fits).
pub fn render(trace: &Trace, max_columns: usize) -> String {
    let scale = scale_for(trace.end, max_columns.max(10));
    let columns = trace.end.div_ceil(scale) as usize;
    let label_width = trace
        .lanes
        .iter()
        .map(|lane| lane.name.len())
        .max()
        .unwrap_or(0)
        .max(4);
    let pad = " ".repeat(label_width + 2);
    let mut out = String::new();
    out.push_str(&format!("1 column = {}\n", trace.time_text(scale)));

    let mut ticks = String::new();
    let mut marks = String::new();
    let mut col = 0;
    while col <= columns {
        let label = trace.tick_text(col as Time * scale);
        let written = ticks.chars().count();
        if written <= col {
            ticks.push_str(&" ".repeat(col - written));
            ticks.push_str(&label);
        }
        marks.push_str(&" ".repeat(col - marks.len()));
        marks.push('|');
        col += 10;
    }
    out.push_str(&format!("{pad}{}\n{pad}{}\n", ticks.trim_end(), marks));

    for (lane_idx, lane) in trace.lanes.iter().enumerate() {
        let mut row = String::with_capacity(columns);
        for col in 0..columns {
            let from = col as Time * scale;
            let to = (from + scale).min(trace.end);
            row.push(cell(trace, lane_idx, from, to));
        }
        out.push_str(&format!(
            "{:<label_width$}  {}\n",
            lane.name,
            row.trim_end()
        ));
    }

    let has = |kind: SpanKind| trace.has_span_kind(kind);
    let mut key = String::from("A-Z running, a-z blocked on I/O");
    if has(SpanKind::Ready) {
        key.push_str(", - ready (waiting for a core)");
    }
    if has(SpanKind::Switching) {
        key.push_str(", * context switch");
    }
    out.push_str(&format!("{pad}{key}, . idle\n"));
    let named: Vec<String> = trace
        .tasks
        .iter()
        .enumerate()
        .filter(|(idx, task)| task.name != default_task_name(*idx))
        .map(|(idx, task)| format!("{} = {}", symbol(idx, SpanKind::Running), task.name))
        .collect();
    if !named.is_empty() {
        out.push_str(&format!("{pad}{}\n", named.join(", ")));
    }
    if trace.tasks.len() > 26 {
        out.push_str(&format!(
            "{pad}(letters repeat after Z: {} tasks)\n",
            trace.tasks.len()
        ));
    }
    out
}

fn scale_for(end: Time, max_columns: usize) -> Time {
    let mut power = 1;
    loop {
        for step in SCALES {
            let scale = step * power;
            if end.div_ceil(scale) as usize <= max_columns {
                return scale;
            }
        }
        power *= 10;
    }
}

/// The character for the span that covers most of `[from, to)` on `lane`.
fn cell(trace: &Trace, lane: usize, from: Time, to: Time) -> char {
    let spans = &trace.lanes[lane].spans;
    let first = spans.partition_point(|span| span.end <= from);
    let mut best: Option<(Time, char)> = None;
    for span in &spans[first..] {
        if span.start >= to {
            break;
        }
        let overlap = span.end.min(to) - span.start.max(from);
        let ch = match (span.kind, span.task) {
            (SpanKind::Ready, _) => '-',
            (SpanKind::Switching, _) => '*',
            (SpanKind::Idle, _) | (_, None) => '.',
            (kind, Some(task)) => symbol(task, kind),
        };
        // Any work in the column shows over idling: a job of 4 µs in a
        // column of 20 µs is still seen.
        let weight = if ch == '.' {
            overlap
        } else {
            overlap + (to - from) + 1
        };
        if best.is_none_or(|(most, _)| weight > most) {
            best = Some((weight, ch));
        }
    }
    best.map_or(' ', |(_, ch)| ch)
}

fn symbol(task: usize, kind: SpanKind) -> char {
    let letter = b'A' + (task % 26) as u8;
    match kind {
        SpanKind::Blocked | SpanKind::Waiting => char::from(letter.to_ascii_lowercase()),
        _ => char::from(letter),
    }
}
