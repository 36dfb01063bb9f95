//! Any timeline as a trace file for Perfetto and `chrome://tracing`:
//! Chrome's trace event JSON. Each [`Trace`] is a process, each lane a
//! thread, each span a complete (`X`) event and each event an instant
//! (`i`), with names, the task's colour in `args` and Chrome's own colour
//! names for the span kinds. A user can open a simulated timeline beside a
//! real trace of their own program.
//!
//! Times become microseconds: a trace in `ms` is scaled by 1000, `s` by a
//! million, `us`/`µs` kept, and the Races lab's `step`s are drawn as 1 ms
//! each (the file says so in `otherData`).

use serde_json::{Value, json};

use crate::trace::{PALETTE, SpanKind, Trace};

/// The most spans and events one file holds: about 150 bytes each, so a
/// file stays under about 75 MB.
pub const MAX_EXPORT_RECORDS: usize = 500_000;

/// Microseconds per unit of a trace's time.
fn micros_per_unit(unit: &str) -> f64 {
    match unit {
        "s" => 1_000_000.0,
        "ms" | "step" => 1000.0,
        _ => 1.0,
    }
}

/// How many records (spans drawn, events) `traces` would write.
pub fn record_count(traces: &[(&str, &Trace)]) -> usize {
    traces
        .iter()
        .map(|(_, trace)| {
            trace
                .lanes
                .iter()
                .flat_map(|lane| &lane.spans)
                .filter(|span| span.kind != SpanKind::Idle)
                .count()
                + trace.events.len()
        })
        .sum()
}

/// The Chrome trace event JSON of `traces`, each `(title, trace)` a
/// process. Refused, before any is written, past [`MAX_EXPORT_RECORDS`].
pub fn to_chrome_trace(traces: &[(&str, &Trace)]) -> Result<String, String> {
    let records = record_count(traces);
    if records > MAX_EXPORT_RECORDS {
        return Err(format!(
            "this timeline has {records} spans and events; a trace file holds at most {MAX_EXPORT_RECORDS}: shorten the run"
        ));
    }
    let mut events: Vec<Value> = Vec::with_capacity(records + 8);
    let mut units = Vec::new();
    for (idx, (title, trace)) in traces.iter().enumerate() {
        let pid = idx + 1;
        let scale = micros_per_unit(&trace.unit);
        units.push(json!({"process": title, "unit": trace.unit, "microseconds_per_unit": scale}));
        events.push(json!({"name": "process_name", "ph": "M", "pid": pid, "tid": 0, "args": {"name": title}}));
        events.push(json!({"name": "process_sort_index", "ph": "M", "pid": pid, "tid": 0, "args": {"sort_index": idx}}));
        let task_name = |task: usize| {
            trace
                .tasks
                .get(task)
                .map_or_else(|| format!("task {task}"), |info| info.name.clone())
        };
        let colour = |task: usize| {
            trace
                .tasks
                .get(task)
                .and_then(|info| info.colour.clone())
                .unwrap_or_else(|| PALETTE[task % PALETTE.len()].to_owned())
        };
        for (lane_id, lane) in trace.lanes.iter().enumerate() {
            let tid = lane_id + 1;
            events.push(json!({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": {"name": lane.name}}));
            events.push(json!({"name": "thread_sort_index", "ph": "M", "pid": pid, "tid": tid, "args": {"sort_index": lane_id}}));
            for span in lane.spans.iter().filter(|span| span.kind != SpanKind::Idle) {
                let (suffix, cname) = match span.kind {
                    SpanKind::Running => ("", "thread_state_running"),
                    SpanKind::Blocked => (" (blocked)", "thread_state_iowait"),
                    SpanKind::Ready => (" (ready, waiting for a core)", "thread_state_runnable"),
                    SpanKind::Waiting => (" (waiting for a lock)", "thread_state_uninterruptible"),
                    SpanKind::Switching => ("", "grey"),
                    SpanKind::Idle => ("", "white"),
                };
                let name = match span.task {
                    Some(task) => format!("{}{suffix}", task_name(task)),
                    None => kind_name(span.kind).to_owned(),
                };
                let mut args = json!({"kind": kind_name(span.kind)});
                if let Some(task) = span.task {
                    args["task"] = json!(task_name(task));
                    args["colour"] = json!(colour(task));
                }
                if let Some(other) = span.other.and_then(|other| trace.lanes.get(other)) {
                    args["with"] = json!(other.name);
                }
                events.push(json!({
                    "name": name,
                    "cat": kind_name(span.kind),
                    "ph": "X",
                    "ts": span.start as f64 * scale,
                    "dur": span.duration() as f64 * scale,
                    "pid": pid,
                    "tid": tid,
                    "cname": cname,
                    "args": args,
                }));
            }
        }
        for event in &trace.events {
            let kind = serde_json::to_value(event.kind).expect("event kinds serialise");
            let kind = kind.as_str().unwrap_or("event");
            let name = match event.task {
                Some(task) => format!("{kind}: {}", task_name(task)),
                None => kind.to_owned(),
            };
            let mut args = json!({"kind": kind});
            if let Some(task) = event.task {
                args["task"] = json!(task_name(task));
            }
            if let Some(wait) = event.wait {
                args["on"] = serde_json::to_value(wait).expect("wait kinds serialise");
            }
            if let Some(other) = event.other.and_then(|other| trace.lanes.get(other)) {
                args["with"] = json!(other.name);
            }
            let (tid, scope) = match event.lane {
                Some(lane) => (lane + 1, "t"),
                None => (0, "p"),
            };
            events.push(json!({
                "name": name,
                "cat": "event",
                "ph": "i",
                "s": scope,
                "ts": event.time as f64 * scale,
                "pid": pid,
                "tid": tid,
                "args": args,
            }));
        }
    }
    let file = json!({
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {"generator": "Interleave", "timelines": units},
    });
    Ok(serde_json::to_string(&file).expect("JSON values serialise"))
}

fn kind_name(kind: SpanKind) -> &'static str {
    match kind {
        SpanKind::Running => "running",
        SpanKind::Blocked => "blocked",
        SpanKind::Idle => "idle",
        SpanKind::Ready => "ready",
        SpanKind::Switching => "switching",
        SpanKind::Waiting => "waiting",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;
    use crate::models::scenario::Model;
    use crate::models::simulate;

    fn parsed(text: &str) -> Value {
        serde_json::from_str(text).expect("valid JSON")
    }

    #[test]
    fn the_default_scenario_on_one_thread_by_hand() {
        // Sync, one thread: A, B, C each compute 10 ms, wait 50 ms on the
        // database, compute 10 ms. The thread's spans: per task running,
        // blocked, running (9, no idle); events per task: arrive, start,
        // block, unblock, complete (15).
        let trace = simulate(&Scenario::default_models(), Model::sync(1));
        let file = parsed(&to_chrome_trace(&[("sync, 1 thread", &trace)]).unwrap());
        let events = file["traceEvents"].as_array().unwrap();
        let phase = |ph: &str| events.iter().filter(|e| e["ph"] == ph).count();
        assert_eq!(phase("X"), 9);
        assert_eq!(phase("i"), 15);
        assert_eq!(phase("M"), 2 + 2 * trace.lanes.len());
        assert_eq!(record_count(&[("", &trace)]), 24);
        // B's block: 10 ms of computing after A's 70 ms, in microseconds.
        let blocked = events
            .iter()
            .find(|e| e["name"] == "B (blocked)")
            .expect("B blocks");
        assert_eq!(
            (blocked["ts"].as_f64(), blocked["dur"].as_f64()),
            (Some(80_000.0), Some(50_000.0))
        );
        assert_eq!(blocked["cname"], "thread_state_iowait");
        assert_eq!(blocked["args"]["colour"], PALETTE[1]);
        let parks = events.iter().filter(|e| e["name"] == "block: B").count();
        assert_eq!(parks, 1);
        let name = events.iter().find(|e| e["name"] == "thread_name").unwrap();
        assert_eq!(name["args"]["name"], trace.lanes[0].name);
    }

    #[test]
    fn several_timelines_are_several_processes_in_their_units() {
        let scenario = Scenario::default_models();
        let sync = simulate(&scenario, Model::sync(1));
        let mut steps = simulate(&scenario, Model::asynchronous(2));
        steps.unit = "step".to_owned();
        let file = parsed(&to_chrome_trace(&[("a", &sync), ("b", &steps)]).unwrap());
        let events = file["traceEvents"].as_array().unwrap();
        let pids: std::collections::BTreeSet<u64> =
            events.iter().map(|e| e["pid"].as_u64().unwrap()).collect();
        assert_eq!(pids.into_iter().collect::<Vec<_>>(), [1, 2]);
        assert_eq!(file["otherData"]["timelines"][1]["unit"], "step");
        assert_eq!(
            file["otherData"]["timelines"][1]["microseconds_per_unit"],
            1000.0
        );
        let total = events.iter().filter(|e| e["ph"] != "M").count();
        assert_eq!(total, record_count(&[("a", &sync), ("b", &steps)]));
    }

    #[test]
    fn a_file_too_big_is_refused_before_it_is_written() {
        let mut trace = simulate(&Scenario::default_models(), Model::sync(1));
        let event = trace.events[0];
        trace.events = vec![event; MAX_EXPORT_RECORDS];
        let err = to_chrome_trace(&[("big", &trace)]).unwrap_err();
        assert_eq!(
            err,
            "this timeline has 500009 spans and events; a trace file holds at most 500000: shorten the run"
        );
    }
}
