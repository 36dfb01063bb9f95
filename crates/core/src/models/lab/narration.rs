//! One plain sentence per lane for what happens at an instant:
//! "Thread 1 parks task B while it waits for the database and picks up
//! task C."

use crate::trace::{Event, EventKind, LaneId, Time, Trace};

/// The sentences for the last instant at or before `time` that has events,
/// with that instant; `None` before the first event.
pub fn narrate(trace: &Trace, time: Time) -> Option<(Time, Vec<String>)> {
    let end = trace.events.partition_point(|event| event.time <= time);
    let instant = trace.events[..end].last()?.time;
    let start = trace.events[..end].partition_point(|event| event.time < instant);
    Some((instant, sentences(trace, &trace.events[start..end])))
}

fn sentences(trace: &Trace, events: &[Event]) -> Vec<String> {
    // Group by lane in order of first appearance; lane-less events each
    // make their own sentence.
    let mut groups: Vec<(Option<LaneId>, Vec<&Event>)> = Vec::new();
    for event in events {
        match event.lane {
            Some(lane) => match groups.iter_mut().find(|(group, _)| *group == Some(lane)) {
                Some((_, group)) => group.push(event),
                None => groups.push((Some(lane), vec![event])),
            },
            None => groups.push((None, vec![event])),
        }
    }
    groups
        .into_iter()
        .filter_map(|(lane, events)| match lane {
            Some(lane) => lane_sentence(trace, lane, &events),
            None => events.first().and_then(|event| task_sentence(trace, event)),
        })
        .collect()
}

fn task_name(trace: &Trace, event: &Event) -> String {
    event
        .task
        .map_or_else(String::new, |task| trace.tasks[task].name.clone())
}

/// `text` with its first letter a capital. Lane names are the engine's
/// own ("thread 2", "event loop"), in ASCII: no Unicode case tables needed.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => std::iter::once(first.to_ascii_uppercase())
            .chain(chars)
            .collect(),
        None => String::new(),
    }
}

fn task_sentence(trace: &Trace, event: &Event) -> Option<String> {
    let task = task_name(trace, event);
    Some(match event.kind {
        EventKind::Arrive => format!("Task {task} arrives and joins the queue."),
        EventKind::Ready => format!(
            "Task {task}'s wait for {} is over: it joins the queue to be resumed.",
            event.wait.unwrap_or_default().noun()
        ),
        EventKind::Complete => format!(
            "Task {task}'s last wait, for {}, ends: it is complete.",
            event.wait.unwrap_or_default().noun()
        ),
        _ => return None,
    })
}

fn lane_sentence(trace: &Trace, lane: LaneId, events: &[&Event]) -> Option<String> {
    let lane_name = capitalised(&trace.lanes[lane].name);
    let mut clauses: Vec<String> = Vec::new();
    for event in events {
        let task = task_name(trace, event);
        let first = clauses.is_empty();
        let wait = event.wait.unwrap_or_default().noun();
        let clause = match event.kind {
            EventKind::Start if first => format!("takes task {task} from the queue"),
            EventKind::Start => format!("picks up task {task}"),
            EventKind::Resume => {
                let moved = last_lane_of(trace, event).filter(|previous| *previous != lane);
                match moved {
                    Some(previous) => format!(
                        "resumes task {task} where it left off (it ran on {} before)",
                        trace.lanes[previous].name
                    ),
                    None => format!("resumes task {task} where it left off"),
                }
            }
            EventKind::Park => format!("parks task {task} while it waits for {wait}"),
            EventKind::Block => format!(
                "is blocked: task {task} waits for {wait} and the thread can do nothing else"
            ),
            EventKind::Unblock => {
                format!("carries on with task {task}: its wait for {wait} is over")
            }
            EventKind::Complete => format!("finishes task {task}"),
            EventKind::Preempt => {
                format!("has used up its quantum, so task {task} waits for a core again")
            }
            EventKind::Switch => match event.other {
                Some(thread) => format!(
                    "switches to {} (a context switch)",
                    trace.lanes[thread].name
                ),
                None => "switches threads (a context switch)".to_owned(),
            },
            EventKind::Arrive
            | EventKind::Ready
            | EventKind::Acquire
            | EventKind::Release
            | EventKind::Fail
            | EventKind::Deadlock
            | EventKind::Reject
            | EventKind::TimeOut => continue,
        };
        clauses.push(clause);
    }
    if clauses.is_empty() {
        return None;
    }
    let last = clauses.pop().expect("checked non-empty");
    if clauses.is_empty() {
        Some(format!("{lane_name} {last}."))
    } else {
        Some(format!("{lane_name} {} and {last}.", clauses.join(", ")))
    }
}

/// The lane a resumed task last ran on (its latest Start or Resume lane).
fn last_lane_of(trace: &Trace, resume: &Event) -> Option<LaneId> {
    let task = resume.task?;
    let position = trace
        .events
        .iter()
        .position(|event| std::ptr::eq(event, resume))?;
    trace.events[..position]
        .iter()
        .rev()
        .find(|event| {
            event.task == Some(task) && matches!(event.kind, EventKind::Start | EventKind::Resume)
        })
        .and_then(|event| event.lane)
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::Scenario;
    use crate::models::scenario::{Model, Segment, TaskSpec};
    use crate::models::simulate;

    fn check(trace: &Trace, expect: Expect) {
        let mut out = String::new();
        let mut time = 0;
        loop {
            if let Some((instant, lines)) = narrate(trace, time) {
                out.push_str(&format!("t={instant:<4} {}\n", lines.join(" ")));
            }
            match super::super::snapshot::next_event_time(trace, time) {
                Some(next) => time = next,
                None => break,
            }
        }
        expect.assert_eq(&out);
    }

    #[test]
    fn event_loop_narration() {
        check(
            &simulate(&Scenario::default_models(), Model::asynchronous(1)),
            expect![[r#"
                t=0    Task A arrives and joins the queue. Task B arrives and joins the queue. Task C arrives and joins the queue. Event loop takes task A from the queue.
                t=10   Event loop parks task A while it waits for the database and picks up task B.
                t=20   Event loop parks task B while it waits for the database and picks up task C.
                t=30   Event loop parks task C while it waits for the database.
                t=60   Task A's wait for the database is over: it joins the queue to be resumed. Event loop resumes task A where it left off.
                t=70   Task B's wait for the database is over: it joins the queue to be resumed. Event loop finishes task A and resumes task B where it left off.
                t=80   Task C's wait for the database is over: it joins the queue to be resumed. Event loop finishes task B and resumes task C where it left off.
                t=90   Event loop finishes task C.
            "#]],
        );
    }

    #[test]
    fn sync_narration() {
        check(
            &simulate(&Scenario::default_models(), Model::sync(2)),
            expect![[r#"
                t=0    Task A arrives and joins the queue. Task B arrives and joins the queue. Task C arrives and joins the queue. Thread 1 takes task A from the queue. Thread 2 takes task B from the queue.
                t=10   Thread 1 is blocked: task A waits for the database and the thread can do nothing else. Thread 2 is blocked: task B waits for the database and the thread can do nothing else.
                t=60   Thread 1 carries on with task A: its wait for I/O is over. Thread 2 carries on with task B: its wait for I/O is over.
                t=70   Thread 1 finishes task A and picks up task C. Thread 2 finishes task B.
                t=80   Thread 1 is blocked: task C waits for the database and the thread can do nothing else.
                t=130  Thread 1 carries on with task C: its wait for I/O is over.
                t=140  Thread 1 finishes task C.
            "#]],
        );
    }

    #[test]
    fn time_slicing_and_moves_are_narrated() {
        let task = |segments: Vec<Segment>| TaskSpec {
            name: None,
            arrival: 0,
            colour: None,
            segments,
        };
        let scenario = Scenario {
            tasks: vec![
                task(vec![
                    Segment::Compute(10),
                    Segment::wait(5),
                    Segment::Compute(10),
                ]),
                task(vec![Segment::Compute(12)]),
                task(vec![Segment::Compute(20)]),
            ],
            ..Scenario::default_models()
        };
        check(
            &simulate(&scenario, Model::asynchronous(2).on_cores(1)),
            expect![[r#"
                t=0    Task A arrives and joins the queue. Task B arrives and joins the queue. Task C arrives and joins the queue. Thread 1 takes task A from the queue. Thread 2 takes task B from the queue.
                t=10   Thread 1 parks task A while it waits for I/O, picks up task C and has used up its quantum, so task C waits for a core again. Core 1 switches to thread 2 (a context switch).
                t=15   Task A's wait for I/O is over: it joins the queue to be resumed.
                t=21   Thread 2 has used up its quantum, so task B waits for a core again. Core 1 switches to thread 1 (a context switch).
                t=32   Thread 1 has used up its quantum, so task C waits for a core again. Core 1 switches to thread 2 (a context switch).
                t=35   Thread 2 finishes task B and resumes task A where it left off (it ran on thread 1 before).
                t=43   Thread 2 has used up its quantum, so task A waits for a core again. Core 1 switches to thread 1 (a context switch).
                t=54   Thread 1 finishes task C. Core 1 switches to thread 2 (a context switch).
                t=57   Thread 2 finishes task A.
            "#]],
        );
    }
}
