//! The one timeline: draws any [`Trace`] as lanes of coloured spans.
//!
//! A colour per task (Okabe-Ito, colour-blind safe); blocked spans hatched,
//! ready spans dashed and pale, idle spans grey, context switches dark.
//! Every span wider than a few pixels has a hover title. Only the visible
//! window is drawn, and spans narrower than a column of `DENSE_PX` pixels
//! are merged per column, so a trace of any size draws a bounded number of
//! rectangles per lane. The span
//! layer is a separate component: moving the cursor redraws only the
//! cursor.

use std::cell::Cell;
use std::rc::Rc;

use interleave_core::trace::{Span, SpanKind, Time, Trace, Window};
use yew::prelude::*;

/// Okabe-Ito palette, without black.
pub const TASK_COLOURS: [&str; 7] = interleave_core::trace::PALETTE;

/// Fills are literal colours, not CSS variables, so an exported SVG looks
/// the same outside the page.
const IDLE_FILL: &str = "#e3e5e8";
const SWITCHING_FILL: &str = "#3b3f46";

/// The drawing's width before its box is measured (and in tests): the
/// timeline is then drawn at its box's real width in CSS pixels, so its
/// text keeps its size on a phone.
pub const WIDTH: f64 = 960.0;
pub const LABEL_WIDTH: f64 = 110.0;
/// The lane-label column on narrow drawings (a phone).
const NARROW_LABEL_WIDTH: f64 = 76.0;
/// Below this width the label column narrows.
const NARROW_BELOW: f64 = 600.0;
const RIGHT_PAD: f64 = 16.0;
const AXIS_HEIGHT: f64 = 26.0;
const LANE_HEIGHT: f64 = 32.0;
const BAR_HEIGHT: f64 = 22.0;
/// Width of a column into which narrow spans are merged.
const DENSE_PX: f64 = 2.0;
/// Spans at least this wide get a hover title.
const TITLED_PX: f64 = 3.0;
/// Tick labels are kept at least this far apart.
const TICK_SPACING_PX: f64 = 56.0;

pub fn task_colour(trace: &Trace, task: usize) -> String {
    trace.tasks[task]
        .colour
        .clone()
        .unwrap_or_else(|| TASK_COLOURS[task % TASK_COLOURS.len()].to_owned())
}

#[derive(Debug, Properties)]
pub struct TimelineProps {
    pub trace: Rc<Trace>,
    /// The visible time range; default: the whole trace.
    #[prop_or_default]
    pub window: Option<(Time, Time)>,
    #[prop_or_default]
    pub cursor: Option<Time>,
    /// Called with the time under the pointer on click and drag.
    #[prop_or_default]
    pub on_scrub: Option<Callback<Time>>,
    /// Accessible name of the drawing, e.g. "sync, 1 thread".
    pub label: AttrValue,
}

impl PartialEq for TimelineProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.trace, &other.trace)
            && self.window == other.window
            && self.cursor == other.cursor
            && self.on_scrub == other.on_scrub
            && self.label == other.label
    }
}

/// Maps times in a window (`Window`: the maths every timeline shares) to
/// x positions in a drawing `width` CSS pixels wide, and back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub window: Window,
    pub width: f64,
}

impl Scale {
    pub fn new(window: Window, width: f64) -> Scale {
        Scale {
            window,
            width: width.max(NARROW_LABEL_WIDTH + RIGHT_PAD + 40.0),
        }
    }

    /// Where the plot starts: after the lane labels.
    pub fn left(self) -> f64 {
        if self.width < NARROW_BELOW {
            NARROW_LABEL_WIDTH
        } else {
            LABEL_WIDTH
        }
    }

    pub fn plot_width(self) -> f64 {
        self.width - self.left() - RIGHT_PAD
    }

    pub fn x(self, time: Time) -> f64 {
        self.left() + self.window.fraction(time) * self.plot_width()
    }

    pub fn time_at(self, x: f64) -> Time {
        self.window.time_at((x - self.left()) / self.plot_width())
    }

    /// At most this many ticks fit with their labels apart.
    fn max_ticks(self) -> Time {
        ((self.plot_width() / TICK_SPACING_PX) as Time).clamp(3, 10)
    }
}

/// The width of `node`'s box in CSS pixels, kept up to date as it changes
/// (a phone turned, a window resized); [`WIDTH`] until it is measured.
#[hook]
pub fn use_width(node: &NodeRef) -> f64 {
    let width = use_state(|| WIDTH);
    {
        let (node, width) = (node.clone(), width.clone());
        use_effect_with((), move |_| {
            let observer = node.cast::<web_sys::Element>().and_then(|element| {
                let measure = {
                    let element = element.clone();
                    move || {
                        let measured = element.client_width() as f64;
                        if measured > 0.0 && (measured - *width).abs() >= 1.0 {
                            width.set(measured.round());
                        }
                    }
                };
                measure();
                let callback = wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(
                    move |_: js_sys::Array| measure(),
                );
                let observer = web_sys::ResizeObserver::new(wasm_bindgen::JsCast::unchecked_ref(
                    callback.as_ref(),
                ))
                .ok()?;
                observer.observe(&element);
                Some((observer, callback))
            });
            move || {
                if let Some((observer, _callback)) = observer {
                    observer.disconnect();
                }
            }
        });
    }
    *width
}

fn height(trace: &Trace) -> f64 {
    AXIS_HEIGHT + LANE_HEIGHT * trace.lanes.len() as f64 + 4.0
}

#[function_component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let trace = &props.trace;
    let figure_ref = use_node_ref();
    let width = use_width(&figure_ref);
    let scale = Scale::new(Window::or_whole(props.window, trace.end), width);
    let height = height(trace);
    let dragging = use_mut_ref(|| Cell::new(false));

    // The SVG itself, not the event's current target: Yew delegates events
    // to its root element, so `current_target` is not the timeline.
    let svg_ref = use_node_ref();
    let time_of = {
        let svg_ref = svg_ref.clone();
        move |event: &PointerEvent| -> Option<Time> {
            let svg = svg_ref.cast::<web_sys::Element>()?;
            let rect = svg.get_bounding_client_rect();
            if rect.width() <= 0.0 {
                return None;
            }
            let x = (event.client_x() as f64 - rect.left()) / rect.width() * scale.width;
            Some(scale.time_at(x))
        }
    };
    let (on_down, on_move, on_up) = match props.on_scrub.clone() {
        Some(on_scrub) => {
            let down = {
                let on_scrub = on_scrub.clone();
                let dragging = dragging.clone();
                let (svg_ref, time_of) = (svg_ref.clone(), time_of.clone());
                Callback::from(move |event: PointerEvent| {
                    dragging.borrow().set(true);
                    if let Some(svg) = svg_ref.cast::<web_sys::Element>() {
                        let _ = svg.set_pointer_capture(event.pointer_id());
                    }
                    if let Some(time) = time_of(&event) {
                        on_scrub.emit(time);
                    }
                })
            };
            let moved = {
                let dragging = dragging.clone();
                Callback::from(move |event: PointerEvent| {
                    if dragging.borrow().get()
                        && let Some(time) = time_of(&event)
                    {
                        on_scrub.emit(time);
                    }
                })
            };
            let up = {
                let dragging = dragging.clone();
                Callback::from(move |_: PointerEvent| dragging.borrow().set(false))
            };
            (Some(down), Some(moved), Some(up))
        }
        None => (None, None, None),
    };

    // The cursor is an HTML overlay on its own compositing layer, so moving
    // it repaints neither the SVG nor its thousands of rectangles.
    let cursor = props.cursor.filter(|time| (scale.window.from..=scale.window.to).contains(time)).map(|time| {
        let left = scale.x(time) / scale.width * 100.0;
        html! { <div class="cursor" aria-hidden="true" data-time={time.to_string()} style={format!("left:{left:.4}%")}></div> }
    });

    html! {
        <figure class="timeline" ref={figure_ref}>
            <svg ref={svg_ref} viewBox={format!("0 0 {} {height}", scale.width)} role="img"
                 class={classes!(props.on_scrub.is_some().then_some("scrubbable"))}
                 aria-label={format!("Timeline, {}: {} lanes, ends at {}", props.label, trace.lanes.len(), trace.time_text(trace.end))}
                 onpointerdown={on_down} onpointermove={on_move} onpointerup={on_up.clone()} onpointercancel={on_up}>
                <Patterns trace={trace.clone()} />
                <SpanLayer trace={trace.clone()} from={scale.window.from} to={scale.window.to} width={scale.width} />
            </svg>
            { for cursor }
        </figure>
    }
}

#[derive(Debug, Properties)]
struct PatternsProps {
    trace: Rc<Trace>,
}

impl PartialEq for PatternsProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.trace, &other.trace)
    }
}

/// One hatch pattern per colour in use: blocked spans.
#[function_component(Patterns)]
fn patterns(props: &PatternsProps) -> Html {
    let mut colours: Vec<String> = (0..props.trace.tasks.len())
        .map(|task| task_colour(&props.trace, task))
        .collect();
    colours.sort();
    colours.dedup();
    let patterns = colours.iter().map(|colour| {
        html! {
            <pattern id={hatch_id(colour)} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <rect width="6" height="6" fill="#ffffff" />
                <rect width="3" height="6" fill={colour.clone()} />
            </pattern>
        }
    });
    html! { <defs>{ for patterns }</defs> }
}

fn hatch_id(colour: &str) -> String {
    format!(
        "hatch-{}",
        colour.trim_start_matches('#').to_ascii_lowercase()
    )
}

#[derive(Debug, Properties)]
struct SpanLayerProps {
    trace: Rc<Trace>,
    from: Time,
    to: Time,
    width: f64,
}

impl PartialEq for SpanLayerProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.trace, &other.trace)
            && self.from == other.from
            && self.to == other.to
            && self.width == other.width
    }
}

#[function_component(SpanLayer)]
fn span_layer(props: &SpanLayerProps) -> Html {
    let trace = &props.trace;
    let scale = Scale::new(
        Window {
            from: props.from,
            to: props.to,
        },
        props.width,
    );
    let height = height(trace);

    let step = tick_step(scale.window.span(), scale.max_ticks());
    let first_tick = scale.window.from.div_ceil(step) * step;
    let ticks = (0..)
        .map(|idx| first_tick + idx * step)
        .take_while(|time| *time <= scale.window.to)
        .map(|time| {
            let at = scale.x(time);
            let x = at.to_string();
            // A label at the plot's right end ends there: centred, it would
            // run out of the drawing.
            let anchor = if at > scale.left() + scale.plot_width() - TICK_SPACING_PX / 2.0 {
                "end"
            } else {
                "middle"
            };
            html! {
                <g class="tick">
                    <line x1={x.clone()} x2={x.clone()} y1="18" y2={height.to_string()} />
                    <text x={x} y="13" text-anchor={anchor}>{ trace.tick_text(time) }</text>
                </g>
            }
        });

    let lanes = trace.lanes.iter().enumerate().map(|(lane_idx, lane)| {
        let y = AXIS_HEIGHT + LANE_HEIGHT * lane_idx as f64;
        let bar_y = y + (LANE_HEIGHT - BAR_HEIGHT) / 2.0;
        let mut rects = Vec::new();
        let mut dense: Option<DenseColumn> = None;
        let first = lane.spans.partition_point(|span| span.end <= scale.window.from);
        for span in lane.spans[first..].iter().take_while(|span| span.start < scale.window.to) {
            let x0 = scale.x(span.start.max(scale.window.from));
            let x1 = scale.x(span.end.min(scale.window.to));
            if x1 - x0 >= DENSE_PX {
                if let Some(column) = dense.take() {
                    rects.push(column.render(trace, bar_y));
                }
                rects.push(span_rect(trace, &lane.name, span, x0, x1 - x0, bar_y));
                continue;
            }
            let column = (x0 / DENSE_PX).floor() * DENSE_PX;
            let weight = x1 - x0;
            match &mut dense {
                Some(current) if current.column == column => current.add(span, weight),
                _ => {
                    if let Some(done) = dense.take() {
                        rects.push(done.render(trace, bar_y));
                    }
                    dense = Some(DenseColumn::new(column, span, weight));
                }
            }
        }
        if let Some(column) = dense.take() {
            rects.push(column.render(trace, bar_y));
        }
        html! {
            <g class="lane" data-lane={lane_idx.to_string()}>
                <text class="lane-label" x="4" y={(y + LANE_HEIGHT / 2.0 + 4.0).to_string()}>{ lane.name.clone() }</text>
                { for rects }
            </g>
        }
    });

    html! {
        <g class="spans">
            <g class="axis">
                <text class="axis-unit" x="4" y="13">{ trace.axis_label() }</text>
                { for ticks }
            </g>
            { for lanes }
        </g>
    }
}

/// Style of a span: CSS class, fill, and words for its title.
fn style(trace: &Trace, span: &Span) -> (&'static str, String, &'static str) {
    match (span.kind, span.task) {
        (SpanKind::Running, Some(task)) => ("span running", task_colour(trace, task), "running"),
        (SpanKind::Blocked, Some(task)) => (
            "span blocked",
            format!("url(#{})", hatch_id(&task_colour(trace, task))),
            "blocked on I/O",
        ),
        (SpanKind::Waiting, Some(task)) => (
            "span blocked",
            format!("url(#{})", hatch_id(&task_colour(trace, task))),
            "waiting for a lock",
        ),
        (SpanKind::Ready, Some(task)) => (
            "span ready",
            task_colour(trace, task),
            "ready, waiting for a core",
        ),
        (SpanKind::Switching, _) => (
            "span switching",
            SWITCHING_FILL.to_owned(),
            "context switch",
        ),
        _ => ("span idle", IDLE_FILL.to_owned(), "idle"),
    }
}

fn span_rect(trace: &Trace, lane_name: &str, span: &Span, x: f64, width: f64, y: f64) -> Html {
    let (class, fill, what) = style(trace, span);
    if width < TITLED_PX {
        return html! {
            <rect class={class} data-task={span.task.map(|t| t.to_string())}
                  x={format!("{x:.2}")} y={y.to_string()} width={format!("{width:.2}")} height={BAR_HEIGHT.to_string()} fill={fill} />
        };
    }
    let who = span
        .task
        .map(|task| format!("{} · ", trace.tasks[task].name))
        .unwrap_or_default();
    let on = span
        .other
        .map(|other| format!(" · {}", trace.lanes[other].name))
        .unwrap_or_default();
    let title = format!(
        "{lane_name}: {who}{what}{on} · {}",
        trace.range_text(span.start, span.end)
    );
    html! {
        <rect class={class} data-task={span.task.map(|t| t.to_string())}
              x={format!("{x:.2}")} y={y.to_string()} width={format!("{width:.2}")} height={BAR_HEIGHT.to_string()} fill={fill}>
            <title>{ title }</title>
        </rect>
    }
}

/// Spans narrower than a column that fall in one column of `DENSE_PX`
/// pixels: drawn as one rectangle in the style of the span that fills most
/// of it (zoom in to see them apart).
struct DenseColumn {
    column: f64,
    best: Span,
    best_weight: f64,
}

impl DenseColumn {
    fn new(column: f64, span: &Span, weight: f64) -> Self {
        DenseColumn {
            column,
            best: *span,
            best_weight: weight,
        }
    }

    fn add(&mut self, span: &Span, weight: f64) {
        if weight > self.best_weight {
            self.best = *span;
            self.best_weight = weight;
        }
    }

    fn render(&self, trace: &Trace, y: f64) -> Html {
        let (class, fill, _) = style(trace, &self.best);
        html! {
            <rect class={classes!(class, "dense")} x={format!("{:.2}", self.column)} y={y.to_string()}
                  width={DENSE_PX.to_string()} height={BAR_HEIGHT.to_string()} fill={fill} />
        }
    }
}

/// 1, 2 or 5 times a power of ten, giving at most `max_ticks` intervals
/// (ticks at 0, step, ... up to `end`).
fn tick_step(end: Time, max_ticks: Time) -> Time {
    let mut power = 1;
    loop {
        for step in [1, 2, 5] {
            if end / (step * power) <= max_ticks {
                return step * power;
            }
        }
        power *= 10;
    }
}

/// The task colours and span patterns, explained once per page section.
#[derive(Debug, Properties)]
pub struct LegendProps {
    pub trace: Rc<Trace>,
}

impl PartialEq for LegendProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.trace, &other.trace)
    }
}

/// Tasks listed in the legend; more are summarised.
const LEGEND_TASKS: usize = 12;

#[function_component(Legend)]
pub fn legend(props: &LegendProps) -> Html {
    let trace = &props.trace;
    let tasks = trace.tasks.iter().take(LEGEND_TASKS).enumerate().map(|(idx, task)| {
        html! {
            <li><span class="swatch" style={format!("background:{}", task_colour(trace, idx))}></span>{ task.name.clone() }</li>
        }
    });
    let more = trace.tasks.len().saturating_sub(LEGEND_TASKS);
    // Only the kinds of span this trace has: a key for what is not drawn
    // would explain nothing.
    let has = |kind: SpanKind| trace.has_span_kind(kind);
    let kinds = [
        (SpanKind::Running, "swatch-running"),
        (SpanKind::Blocked, "swatch-blocked"),
        (SpanKind::Waiting, "swatch-blocked"),
        (SpanKind::Ready, "swatch-ready"),
        (SpanKind::Switching, "swatch-switching"),
        (SpanKind::Idle, "swatch-idle"),
    ]
    .into_iter()
    .filter(|(kind, _)| has(*kind))
    .map(|(kind, swatch)| html! { <li><span class={classes!("swatch", swatch)}></span>{ trace.kind_label(kind).to_owned() }</li> });
    html! {
        <ul class="legend" aria-label="Legend">
            { for tasks }
            if more > 0 { <li>{ format!("and {more} more tasks") }</li> }
            { for kinds }
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::{LABEL_WIDTH, Scale, Window, tick_step};

    #[wasm_bindgen_test]
    fn ticks_are_round_numbers() {
        assert_eq!(tick_step(90, 10), 10);
        assert_eq!(tick_step(210, 10), 20);
        assert_eq!(tick_step(1_000_000, 10), 100_000);
        assert_eq!(tick_step(210, 4), 50, "a phone's plot has room for fewer");
    }

    #[wasm_bindgen_test]
    fn scale_maps_times_and_back_at_any_width() {
        for width in [340.0, 960.0, 1300.0] {
            let scale = Scale::new(Window { from: 100, to: 200 }, width);
            assert_eq!(scale.time_at(scale.x(150)), 150);
            assert_eq!(
                scale.x(200),
                width - 16.0,
                "the window ends at the right pad"
            );
            assert_eq!(
                scale.time_at(0.0),
                100,
                "left of the plot clamps to the window start"
            );
        }
        assert!(Scale::new(Window { from: 0, to: 1 }, 340.0).left() < LABEL_WIDTH);
        assert!(Scale::new(Window { from: 0, to: 1 }, 340.0).max_ticks() < 10);
    }
}
