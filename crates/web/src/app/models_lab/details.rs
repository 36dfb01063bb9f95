//! What the selected configuration is doing at the cursor, and a
//! one-line narration of the latest event.

use std::rc::Rc;

use interleave_core::models::lab::narration::narrate;

/// The narration at `cursor`, as one line (what the scrubber says too).
pub fn narration_text(trace: &Trace, cursor: Time) -> String {
    narrate(trace, cursor).map_or_else(
        || "Nothing has happened yet.".to_owned(),
        |(instant, lines)| format!("at {instant} {}: {}", trace.unit, lines.join(" ")),
    )
}
use interleave_core::models::lab::snapshot::Snapshot;
use interleave_core::trace::{Time, Trace};
use yew::prelude::*;

/// Queue entries listed by name; longer queues are summarised.
const LISTED: usize = 10;

#[derive(Debug, Properties)]
pub struct CursorDetailsProps {
    pub trace: Rc<Trace>,
    pub cursor: Time,
    pub label: AttrValue,
    /// While playing, the narration is not announced at every frame.
    pub playing: bool,
}

impl PartialEq for CursorDetailsProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.trace, &other.trace)
            && self.cursor == other.cursor
            && self.label == other.label
            && self.playing == other.playing
    }
}

fn names(tasks: impl ExactSizeIterator<Item = String>) -> String {
    let total = tasks.len();
    if total == 0 {
        return "none".to_owned();
    }
    let mut listed: Vec<String> = tasks.take(LISTED).collect();
    if total > LISTED {
        listed.push(format!("and {} more", total - LISTED));
    }
    listed.join(", ")
}

#[function_component(CursorDetails)]
pub fn cursor_details(props: &CursorDetailsProps) -> Html {
    let trace = &props.trace;
    let snapshot = Snapshot::at(trace, props.cursor);
    let unit = &trace.unit;
    let lanes = (0..trace.lanes.len()).map(|lane| {
        html! {
            <li data-lane={lane.to_string()}>
                <span class="lane-name">{ trace.lanes[lane].name.clone() }</span>
                { ": " }<span class="lane-state">{ snapshot.describe_lane(trace, lane) }</span>
            </li>
        }
    });
    let queue = names(
        snapshot
            .queue
            .iter()
            .map(|task| trace.tasks[*task].name.clone()),
    );
    let parked = names(
        snapshot
            .parked
            .iter()
            .map(|(task, on)| format!("{} (waiting for {})", trace.tasks[*task].name, on.noun())),
    );
    let narration = match narrate(trace, props.cursor) {
        Some((instant, lines)) => html! {
            <p class="narration" aria-live={if props.playing { "off" } else { "polite" }}>
                <span class="narration-time">{ format!("At {instant} {unit}: ") }</span>{ lines.join(" ") }
            </p>
        },
        None => html! { <p class="narration">{ "Nothing has happened yet." }</p> },
    };
    html! {
        <section class="cursor-details" aria-label="State at the cursor">
            <h3>{ format!("At {} {unit} in {}", props.cursor, props.label) }</h3>
            { narration }
            <div class="state-grid">
                <div>
                    <h4>{ "Lanes" }</h4>
                    <ul class="lane-states">{ for lanes }</ul>
                </div>
                <div>
                    <h4>{ "Waiting for a thread" }</h4>
                    <p class="queue">{ queue }</p>
                    <h4>{ "Parked on a wait" }</h4>
                    <p class="parked">{ parked }</p>
                    <h4>{ "Progress" }</h4>
                    <p class="progress">{ format!("{} done, {} not arrived yet, of {}", snapshot.completed, snapshot.not_arrived, trace.tasks.len()) }</p>
                </div>
            </div>
        </section>
    }
}
