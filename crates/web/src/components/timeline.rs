//! The one timeline: draws any [`Trace`] as lanes of coloured spans.
//!
//! A colour per task (Okabe-Ito, colour-blind safe), blocked spans hatched
//! as well as coloured, idle spans grey. Every span has a hover title.

use std::rc::Rc;

use interleave_core::trace::{SpanKind, Time, Trace};
use yew::prelude::*;

/// Okabe-Ito palette, without black.
pub const TASK_COLOURS: [&str; 7] = [
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
];

const WIDTH: f64 = 960.0;
const LABEL_WIDTH: f64 = 110.0;
const RIGHT_PAD: f64 = 16.0;
const AXIS_HEIGHT: f64 = 26.0;
const LANE_HEIGHT: f64 = 32.0;
const BAR_HEIGHT: f64 = 22.0;

#[derive(Debug, Properties, PartialEq)]
pub struct TimelineProps {
    pub trace: Rc<Trace>,
    /// Shared axis end, so several timelines compare at one scale.
    #[prop_or_default]
    pub axis_end: Option<Time>,
    /// Accessible name of the drawing, e.g. "sync, 1 thread".
    pub label: AttrValue,
}

pub fn task_colour(task: usize) -> &'static str {
    TASK_COLOURS[task % TASK_COLOURS.len()]
}

#[function_component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let trace = &props.trace;
    let axis_end = props.axis_end.unwrap_or(trace.end).max(trace.end).max(1);
    let plot_width = WIDTH - LABEL_WIDTH - RIGHT_PAD;
    let x = |time: Time| LABEL_WIDTH + time as f64 / axis_end as f64 * plot_width;
    let height = AXIS_HEIGHT + LANE_HEIGHT * trace.lanes.len() as f64 + 4.0;
    let unit = trace.unit.clone();

    let step = tick_step(axis_end);
    let ticks = (0..=axis_end / step).map(|idx| {
        let time = idx * step;
        html! {
            <g class="tick">
                <line x1={x(time).to_string()} x2={x(time).to_string()} y1="18" y2={height.to_string()} />
                <text x={x(time).to_string()} y="13" text-anchor="middle">{ format!("{time}") }</text>
            </g>
        }
    });

    let lanes = trace.lanes.iter().enumerate().map(|(lane_idx, lane)| {
        let y = AXIS_HEIGHT + LANE_HEIGHT * lane_idx as f64;
        let bar_y = y + (LANE_HEIGHT - BAR_HEIGHT) / 2.0;
        let spans = lane.spans.iter().map(|span| {
            let (class, fill, what) = match (span.kind, span.task) {
                (SpanKind::Running, Some(task)) => ("span running", task_colour(task).to_owned(), "running"),
                (SpanKind::Blocked, Some(task)) => (
                    "span blocked",
                    format!("url(#hatch-{})", task % TASK_COLOURS.len()),
                    "blocked on I/O",
                ),
                (SpanKind::Ready, Some(task)) => ("span ready", task_colour(task).to_owned(), "ready, waiting for a core"),
                (SpanKind::Switching, _) => ("span switching", "var(--switching)".to_owned(), "context switch"),
                _ => ("span idle", "var(--idle)".to_owned(), "idle"),
            };
            let who = span.task.map(|task| format!("{} · ", trace.tasks[task].name)).unwrap_or_default();
            let title = format!("{}: {who}{what} · {}–{} {unit}", lane.name, span.start, span.end);
            let width = (x(span.end) - x(span.start)).max(0.5);
            html! {
                <rect class={class} data-task={span.task.map(|t| t.to_string())}
                      x={x(span.start).to_string()} y={bar_y.to_string()}
                      width={width.to_string()} height={BAR_HEIGHT.to_string()} fill={fill}>
                    <title>{ title }</title>
                </rect>
            }
        });
        html! {
            <g class="lane" data-lane={lane_idx.to_string()}>
                <text class="lane-label" x="4" y={(y + LANE_HEIGHT / 2.0 + 4.0).to_string()}>{ lane.name.clone() }</text>
                { for spans }
            </g>
        }
    });

    let patterns = (0..TASK_COLOURS.len()).map(|idx| {
        html! {
            <pattern id={format!("hatch-{idx}")} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <rect width="6" height="6" fill="var(--surface)" />
                <rect width="3" height="6" fill={TASK_COLOURS[idx]} />
            </pattern>
        }
    });

    html! {
        <figure class="timeline">
            <svg viewBox={format!("0 0 {WIDTH} {height}")} role="img"
                 aria-label={format!("Timeline, {}: {} lanes, ends at {} {}", props.label, trace.lanes.len(), trace.end, trace.unit)}>
                <defs>{ for patterns }</defs>
                <g class="axis">
                    <text class="axis-unit" x="4" y="13">{ format!("time ({})", trace.unit) }</text>
                    { for ticks }
                </g>
                { for lanes }
            </svg>
        </figure>
    }
}

/// 1, 2 or 5 times a power of ten, giving at most ten ticks.
fn tick_step(end: Time) -> Time {
    let mut power = 1;
    loop {
        for step in [1, 2, 5] {
            if end / (step * power) <= 10 {
                return step * power;
            }
        }
        power *= 10;
    }
}

/// The task colours and span patterns, explained once per page section.
#[derive(Debug, Properties, PartialEq)]
pub struct LegendProps {
    pub trace: Rc<Trace>,
}

#[function_component(Legend)]
pub fn legend(props: &LegendProps) -> Html {
    let tasks = props.trace.tasks.iter().enumerate().map(|(idx, task)| {
        html! {
            <li><span class="swatch" style={format!("background:{}", task_colour(idx))}></span>{ task.name.clone() }</li>
        }
    });
    html! {
        <ul class="legend" aria-label="Legend">
            { for tasks }
            <li><span class="swatch swatch-running"></span>{ "running (solid)" }</li>
            <li><span class="swatch swatch-blocked"></span>{ "blocked on I/O (hatched)" }</li>
            <li><span class="swatch swatch-idle"></span>{ "idle (grey)" }</li>
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::tick_step;

    #[wasm_bindgen_test]
    fn ticks_are_round_numbers() {
        assert_eq!(tick_step(90), 10);
        assert_eq!(tick_step(210), 20);
        assert_eq!(tick_step(1_000_000), 100_000);
        assert_eq!(tick_step(5), 1);
    }
}
