//! The Servers lab's charts: the backlog over time (aligned with the
//! timeline above it), the latency histogram with its percentiles, and
//! p99 latency against offered load, a line per model.

use std::rc::Rc;

use interleave_core::servers::presets::ms_text;
use interleave_core::servers::{Latency, QueuePoint, ServerModel, SweepPoint};
use interleave_core::trace::{Time, Window};
use yew::prelude::*;

use crate::components::timeline::Scale;
use crate::components::use_width;

/// What the lanes' spans mean in this lab.
#[derive(Debug, Properties, PartialEq)]
pub struct ServerLegendProps {
    /// The request types, in the order of the scenario's mix: a computing
    /// span has its type's colour (`trace::PALETTE`, by that order).
    pub types: Vec<String>,
}

#[function_component(ServerLegend)]
pub fn server_legend(props: &ServerLegendProps) -> Html {
    let types = props.types.iter().enumerate().map(|(idx, name)| {
        let colour = interleave_core::trace::PALETTE[idx % interleave_core::trace::PALETTE.len()];
        html! {
            <li data-testid="request-type"><span class="swatch" style={format!("background:{colour}")} />{ format!("computing a {name} request") }</li>
        }
    });
    html! {
        <ul class="legend" aria-label="Legend">
            { for types }
            <li><span class="swatch swatch-blocked" />{ "blocked on I/O, holding the worker" }</li>
            <li><span class="swatch swatch-ready" />{ "waiting for a core, or for the GIL" }</li>
            <li><span class="swatch swatch-idle" />{ "idle" }</li>
        </ul>
    }
}

#[derive(Debug, Properties, PartialEq)]
pub struct QueueChartProps {
    pub points: Rc<Vec<QueuePoint>>,
    pub window: (Time, Time),
    pub cursor: Option<Time>,
    pub backlog: Option<u32>,
}

const QUEUE_HEIGHT: f64 = 150.0;
const QUEUE_TOP: f64 = 14.0;
const QUEUE_BOTTOM: f64 = 20.0;

/// The most of `pick` in each pixel column of the window, as a step line.
fn column_max(
    points: &[QueuePoint],
    scale: Scale,
    pick: impl Fn(&QueuePoint) -> u32,
) -> Vec<(f64, u32)> {
    let (from, to) = (scale.window.from, scale.window.to);
    let columns = scale.plot_width() as usize;
    let span = (to - from).max(1) as f64;
    let mut out = vec![0u32; columns];
    let start = points.partition_point(|p| p.time <= from).saturating_sub(1);
    for (idx, point) in points.iter().enumerate().skip(start) {
        if point.time >= to {
            break;
        }
        let until = points.get(idx + 1).map_or(to, |next| next.time.min(to));
        let a = ((point.time.max(from) - from) as f64 / span * columns as f64) as usize;
        let b = (((until - from) as f64 / span * columns as f64).ceil() as usize).min(columns);
        for column in out.iter_mut().take(b.max(a + 1).min(columns)).skip(a) {
            *column = (*column).max(pick(point));
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(column, value)| (scale.left() + column as f64, value))
        .collect()
}

fn step_path(columns: &[(f64, u32)], y: impl Fn(u32) -> f64) -> String {
    let mut path = String::new();
    for (idx, (x, value)) in columns.iter().enumerate() {
        let cmd = if idx == 0 { 'M' } else { 'L' };
        path.push_str(&format!(
            "{cmd}{x:.0},{:.1} L{:.0},{:.1} ",
            y(*value),
            x + 1.0,
            y(*value)
        ));
    }
    path
}

#[function_component(QueueChart)]
pub fn queue_chart(props: &QueueChartProps) -> Html {
    // Drawn at its box's width, aligned with the timeline above it.
    let figure_ref = use_node_ref();
    let (from, to) = props.window;
    let scale = Scale::new(Window { from, to }, use_width(&figure_ref));
    let (left, right, width) = (scale.left(), scale.left() + scale.plot_width(), scale.width);
    let waiting = column_max(&props.points, scale, |p| p.waiting);
    let held = column_max(&props.points, scale, |p| p.in_system);
    let top = held
        .iter()
        .map(|(_, v)| *v)
        .max()
        .unwrap_or(0)
        .max(props.backlog.unwrap_or(0).min(u32::MAX / 2))
        .max(1);
    let shown_top = held.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    // The backlog line only when it is near the data, so it never flattens it.
    let top = if top > shown_top * 3 { shown_top } else { top };
    let y = |value: u32| {
        QUEUE_HEIGHT
            - QUEUE_BOTTOM
            - value.min(top) as f64 / top as f64 * (QUEUE_HEIGHT - QUEUE_BOTTOM - QUEUE_TOP)
    };
    let cursor = props.cursor.filter(|t| (from..=to).contains(t)).map(|t| {
        let x = scale.x(t);
        html! { <line class="cursor" x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1="0" y2={QUEUE_HEIGHT.to_string()} /> }
    });
    let backlog = props.backlog.filter(|&cap| cap <= top).map(|cap| {
        html! {
            <g class="backlog-line">
                <line x1={left.to_string()} x2={right.to_string()} y1={format!("{:.1}", y(cap))} y2={format!("{:.1}", y(cap))} />
                <text x={right.to_string()} y={format!("{:.1}", y(cap) - 3.0)} text-anchor="end">{ format!("backlog full: {cap}") }</text>
            </g>
        }
    });
    let max_waiting = waiting.iter().map(|(_, v)| *v).max().unwrap_or(0);
    html! {
        <figure class="queue-chart" ref={figure_ref}>
            <svg viewBox={format!("0 0 {width} {QUEUE_HEIGHT}")} role="img"
                aria-label={format!("Requests over time: at most {shown_top} in the server and {max_waiting} waiting in this window")}>
                <text class="axis" x="4" y={format!("{:.1}", y(top) + 4.0)}>{ top }</text>
                <text class="axis" x="4" y={format!("{:.1}", y(0))}>{ "0" }</text>
                <line class="axis-line" x1={left.to_string()} x2={right.to_string()} y1={format!("{:.1}", y(0))} y2={format!("{:.1}", y(0))} />
                <path class="in-system" d={format!("{}L{right:.0},{:.1} L{left},{:.1} Z", step_path(&held, y), y(0), y(0))} />
                <path class="waiting" d={step_path(&waiting, y)} />
                { for backlog }
                { for cursor }
            </svg>
            <figcaption class="chart-legend">
                <span class="key in-system">{ "in the server (waiting or being served)" }</span>
                <span class="key waiting">{ "waiting in the backlog" }</span>
            </figcaption>
        </figure>
    }
}

#[derive(Debug, Properties, PartialEq)]
pub struct LatencyHistogramProps {
    /// Sorted, microseconds.
    pub latencies: Rc<Vec<u64>>,
    pub latency: Latency,
    pub timeout_ms: Option<f64>,
}

/// The widest the histogram is drawn; narrower boxes draw it at their
/// own width so its text keeps its size.
const HIST_MAX_WIDTH: f64 = 620.0;
const HIST_HEIGHT: f64 = 170.0;
const BINS: usize = 40;

#[function_component(LatencyHistogram)]
pub fn latency_histogram(props: &LatencyHistogramProps) -> Html {
    let figure_ref = use_node_ref();
    let hist_width = use_width(&figure_ref).clamp(280.0, HIST_MAX_WIDTH);
    let Some(&max) = props.latencies.last() else {
        return html! { <figure class="latency-histogram" ref={figure_ref}><p class="note">{ "No request was answered." }</p></figure> };
    };
    let max_ms = (max as f64 / 1000.0).max(0.001);
    let mut counts = [0usize; BINS];
    for &latency in props.latencies.iter() {
        let bin = ((latency as f64 / 1000.0 / max_ms * BINS as f64) as usize).min(BINS - 1);
        counts[bin] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(1).max(1);
    let (left, right, top, bottom) = (40.0, 28.0, 10.0, 34.0);
    let plot_w = hist_width - left - right;
    let plot_h = HIST_HEIGHT - top - bottom;
    let x = |ms: f64| left + ms / max_ms * plot_w;
    let bars = counts.iter().enumerate().filter(|(_, c)| **c > 0).map(|(bin, count)| {
        let h = *count as f64 / most as f64 * plot_h;
        let from = max_ms * bin as f64 / BINS as f64;
        let to = max_ms * (bin + 1) as f64 / BINS as f64;
        html! {
            <rect class="hist-bar" x={format!("{:.1}", x(from))} y={format!("{:.1}", top + plot_h - h)}
                width={format!("{:.1}", (x(to) - x(from) - 1.0).max(1.0))} height={format!("{h:.1}")}>
                <title>{ format!("{} requests took {}–{}", count, ms_text(from), ms_text(to)) }</title>
            </rect>
        }
    });
    let marks = [("p50", props.latency.p50), ("p95", props.latency.p95), ("p99", props.latency.p99)]
        .into_iter()
        .enumerate()
        .map(|(idx, (name, ms))| {
            let xm = x(ms);
            html! {
                <g class="percentile">
                    <line x1={format!("{xm:.1}")} x2={format!("{xm:.1}")} y1={top.to_string()} y2={(top + plot_h).to_string()} />
                    <text x={format!("{:.1}", if xm > left + plot_w * 0.85 { xm - 3.0 } else { xm + 3.0 })}
                        text-anchor={if xm > left + plot_w * 0.85 { "end" } else { "start" }}
                        y={format!("{:.1}", top + 10.0 + 12.0 * idx as f64)}>{ name }</text>
                </g>
            }
        });
    let timeout = props.timeout_ms.filter(|&t| t <= max_ms).map(|t| {
        html! { <line class="timeout-line" x1={format!("{:.1}", x(t))} x2={format!("{:.1}", x(t))} y1={top.to_string()} y2={(top + plot_h).to_string()}><title>{ format!("timeout {}", ms_text(t)) }</title></line> }
    });
    let step = nice_step(max_ms / 4.0);
    let ticks = (0..=(max_ms / step).floor() as usize).map(|i| {
        let ms = step * i as f64;
        html! { <text class="tick" x={format!("{:.1}", x(ms))} y={(HIST_HEIGHT - 18.0).to_string()} text-anchor="middle">{ ms_text(ms) }</text> }
    });
    html! {
        <figure class="latency-histogram" ref={figure_ref}>
            <svg viewBox={format!("0 0 {hist_width} {HIST_HEIGHT}")} role="img"
                aria-label={format!("Latency histogram of {} answered requests: p50 {}, p95 {}, p99 {}, max {}",
                    props.latencies.len(), ms_text(props.latency.p50), ms_text(props.latency.p95), ms_text(props.latency.p99), ms_text(max_ms))}>
                { for bars }
                { for marks }
                { for timeout }
                { for ticks }
                <text class="axis-title" x={format!("{:.1}", left + plot_w / 2.0)} y={(HIST_HEIGHT - 2.0).to_string()} text-anchor="middle">{ "latency (arrival to answer, queueing included)" }</text>
            </svg>
            <figcaption class="chart-legend" data-testid="percentiles">
                { format!("{} answered · mean {} · p50 {} · p95 {} · p99 {} · max {}",
                    props.latencies.len(), ms_text(props.latency.mean), ms_text(props.latency.p50),
                    ms_text(props.latency.p95), ms_text(props.latency.p99), ms_text(max_ms)) }
                if let Some(t) = props.timeout_ms { { format!(" · timeout {} (red line)", ms_text(t)) } }
            </figcaption>
        </figure>
    }
}

/// 1, 2 or 5 times a power of ten, at least `rough`.
fn nice_step(rough: f64) -> f64 {
    let decade = 10f64.powf(rough.max(1e-3).log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * decade)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * decade)
}

/// A colour and a dash pattern per model (told apart without colour too).
pub fn model_style(model: ServerModel) -> (&'static str, &'static str) {
    match model {
        ServerModel::MultiProcess => ("#D55E00", ""),
        ServerModel::MultiThreaded => ("#0072B2", "6 3"),
        ServerModel::Evented => ("#009E73", "2 3"),
        ServerModel::Hybrid => ("#CC79A7", "10 3 2 3"),
    }
}

#[derive(Debug, Properties, PartialEq)]
pub struct SweepChartProps {
    pub points: Rc<Vec<SweepPoint>>,
    /// The scenario's own rate, marked.
    pub rate: f64,
    /// The sweep's top load: the end of the axis, even when a cancelled
    /// sweep stopped short of it.
    pub max_rate: f64,
}

/// The widest the sweep chart is drawn (narrower: at its box's width).
const SWEEP_MAX_WIDTH: f64 = 640.0;
const SWEEP_HEIGHT: f64 = 280.0;

#[function_component(SweepChart)]
pub fn sweep_chart(props: &SweepChartProps) -> Html {
    let figure_ref = use_node_ref();
    let sweep_width = use_width(&figure_ref).clamp(280.0, SWEEP_MAX_WIDTH);
    let points = &props.points;
    let max_rate = points
        .last()
        .map_or(1.0, |p| p.rate)
        .max(props.rate)
        .max(props.max_rate);
    let p99s = points
        .iter()
        .flat_map(|p| p.models.iter().map(|m| m.p99))
        .filter(|v| *v > 0.0);
    let hi = p99s.clone().fold(1.0, f64::max);
    let lo = p99s.fold(f64::INFINITY, f64::min).min(hi);
    // Log scale over whole decades.
    let lo_exp = lo.max(0.01).log10().floor();
    let hi_exp = hi.log10().ceil().max(lo_exp + 1.0);
    let (left, right, top, bottom) = (54.0, 12.0, 12.0, 36.0);
    let plot_w = sweep_width - left - right;
    let plot_h = SWEEP_HEIGHT - top - bottom;
    let x = |rate: f64| left + rate / max_rate * plot_w;
    let y = |ms: f64| {
        let v = ms.max(10f64.powf(lo_exp)).log10();
        top + plot_h - (v - lo_exp) / (hi_exp - lo_exp) * plot_h
    };
    let y_ticks = (lo_exp as i32..=hi_exp as i32).map(|e| {
        let ms = 10f64.powi(e);
        html! {
            <g class="tick">
                <line x1={left.to_string()} x2={(left + plot_w).to_string()} y1={format!("{:.1}", y(ms))} y2={format!("{:.1}", y(ms))} />
                <text x={(left - 6.0).to_string()} y={format!("{:.1}", y(ms) + 4.0)} text-anchor="end">{ ms_text(ms) }</text>
            </g>
        }
    });
    // The last tick ends at the plot's right edge: centred, it would run
    // out of the drawing.
    let x_ticks = (0..=4).map(|i| {
        let rate = max_rate * i as f64 / 4.0;
        let anchor = if i == 4 { "end" } else { "middle" };
        html! { <text class="tick" x={format!("{:.1}", x(rate))} y={(SWEEP_HEIGHT - 20.0).to_string()} text-anchor={anchor}>{ format!("{rate:.0}/s") }</text> }
    });
    let lines = ServerModel::ALL.iter().enumerate().map(|(idx, &model)| {
        let (colour, dash) = model_style(model);
        let path = points
            .iter()
            .filter_map(|p| p.models.get(idx).map(|m| format!("{:.1},{:.1}", x(p.rate), y(m.p99))))
            .collect::<Vec<_>>()
            .join(" ");
        let dots = points.iter().filter_map(|p| p.models.get(idx).map(|m| (p.rate, *m))).map(|(rate, m)| {
            let failing = m.rejected + m.timed_out > 0;
            html! {
                <circle class={classes!("sweep-dot", failing.then_some("failing"))} cx={format!("{:.1}", x(rate))} cy={format!("{:.1}", y(m.p99))}
                    r="3.5" stroke={colour} fill={if failing { "#fff" } else { colour }}>
                    <title>{ format!("{} at {rate:.0}/s: p99 {}, {:.1}/s answered in time, {} refused, {} answered late or dropped",
                        model.title(), ms_text(m.p99), m.throughput, m.rejected, m.timed_out) }</title>
                </circle>
            }
        });
        html! {
            <g class="sweep-line" data-model={model.id()}>
                <polyline points={path} stroke={colour} stroke-dasharray={dash} fill="none" stroke-width="2" />
                { for dots }
            </g>
        }
    });
    let now = x(props.rate);
    let keys = ServerModel::ALL.iter().map(|&model| {
        let (colour, dash) = model_style(model);
        html! {
            <span class="key-line">
                <svg width="28" height="10" aria-hidden="true"><line x1="0" x2="28" y1="5" y2="5" stroke={colour} stroke-width="2" stroke-dasharray={dash} /></svg>
                { model.title() }
            </span>
        }
    });
    let summary = ServerModel::ALL
        .iter()
        .map(|&model| {
            let breaks = interleave_core::servers::first_failing_rate(points, model)
                .map_or("never fails".to_owned(), |rate| {
                    format!("first fails at {rate:.0}/s")
                });
            format!("{}: {breaks}", model.title())
        })
        .collect::<Vec<_>>()
        .join("; ");
    html! {
        <figure class="sweep-chart" ref={figure_ref} data-points={points.len().to_string()}>
            <svg viewBox={format!("0 0 {sweep_width} {SWEEP_HEIGHT}")} role="img" aria-label={format!("p99 latency against offered load. {summary}")}>
                { for y_ticks }
                { for x_ticks }
                <line class="current-rate" x1={format!("{now:.1}")} x2={format!("{now:.1}")} y1={top.to_string()} y2={(top + plot_h).to_string()}>
                    <title>{ format!("this scenario: {:.0}/s", props.rate) }</title>
                </line>
                { for lines }
                <text class="axis-title" x={format!("{:.1}", left + plot_w / 2.0)} y={(SWEEP_HEIGHT - 4.0).to_string()} text-anchor="middle">{ "offered load (requests/s)" }</text>
            </svg>
            <figcaption class="chart-legend">
                { for keys }
                <span class="note">{ "Hollow dots: some requests were refused, answered late or dropped. The grey line is this scenario's rate." }</span>
            </figcaption>
        </figure>
    }
}
