//! Speedup against workers: measured points, the ideal line, Amdahl's curve
//! for the set serial fraction and the one fitted to the measurements,
//! or for weak scaling Gustafson's law, and past the workers measured, the
//! fitted law's prediction (dotted, on a shaded part of the chart labelled
//! as predicted). Both axes are linear, so the ideal speedup is a straight
//! line; the prediction is drawn a little past the workers measured (half
//! as many again, at least one more) and its legend says where it goes (to
//! the ceiling), so the measured points keep most of the chart's width.

use interleave_core::parallel::amdahl;
use interleave_core::parallel::lab::figures::Prediction;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct SpeedupChartProps {
    /// (workers, measured speedup), sorted by workers.
    pub points: Vec<(usize, f64)>,
    pub max_workers: usize,
    pub serial_fraction: f64,
    pub fitted: Option<f64>,
    /// Past the workers measured, up to the ceiling.
    #[prop_or_default]
    pub prediction: Option<Prediction>,
    /// Weak scaling: the points are scaled speedups and the law drawn is
    /// Gustafson's, s + n (1 - s), instead of Amdahl's.
    #[prop_or_default]
    pub gustafson: bool,
}

/// The widest it is drawn; a narrower box draws it at its own width.
const MAX_WIDTH: f64 = 420.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 30.0;
const TOP: f64 = 12.0;
const RIGHT: f64 = 12.0;

#[function_component(SpeedupChart)]
pub fn speedup_chart(props: &SpeedupChartProps) -> Html {
    let figure_ref = use_node_ref();
    let width = crate::components::use_width(&figure_ref).clamp(260.0, MAX_WIDTH);
    let measured_to = props.max_workers.max(2);
    let x_max = match &props.prediction {
        Some(p) => {
            p.to.min((measured_to * 3).div_ceil(2).max(measured_to + 1))
                .max(measured_to)
        }
        None => measured_to,
    };
    let max_n = x_max as f64;
    let predicted_at = |n: f64| {
        props
            .prediction
            .as_ref()
            .map(|p| amdahl::speedup(p.serial_fraction, n))
    };
    let max_y = props
        .points
        .iter()
        .map(|(_, s)| *s)
        .chain(predicted_at(max_n))
        .chain([
            if props.gustafson {
                amdahl::gustafson(props.serial_fraction, max_n)
            } else {
                amdahl::speedup(props.serial_fraction, max_n)
            },
            measured_to as f64,
        ])
        .fold(2.0, f64::max)
        .ceil();
    let x = |n: f64| LEFT + (n.max(1.0) - 1.0) / (max_n - 1.0) * (width - LEFT - RIGHT);
    let y = |s: f64| HEIGHT - BOTTOM - s / max_y * (HEIGHT - BOTTOM - TOP);
    // A curve from `from` to `to` workers, cut where it leaves the chart.
    let curve = |from: f64, to: f64, f: &dyn Fn(f64) -> f64| -> String {
        (0..=48)
            .map(|step| from + (to - from) * step as f64 / 48.0)
            .take_while(|n| f(*n) <= max_y * 1.001)
            .map(|n| format!("{:.1},{:.1}", x(n), y(f(n))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    // n× on n workers: a straight line, to where it leaves the chart.
    let ideal_end = max_n.min(max_y);
    let ideal = format!(
        "{:.1},{:.1} {:.1},{:.1}",
        x(1.0),
        y(1.0),
        x(ideal_end),
        y(ideal_end)
    );
    let (law_class, law) = if props.gustafson {
        (
            "gustafson",
            curve(1.0, max_n, &|n| amdahl::gustafson(props.serial_fraction, n)),
        )
    } else {
        (
            "amdahl",
            curve(1.0, max_n, &|n| amdahl::speedup(props.serial_fraction, n)),
        )
    };
    let fitted = props
        .fitted
        .map(|f| curve(1.0, measured_to as f64, &move |n| amdahl::speedup(f, n)));
    let predicted = props.prediction.as_ref().map(|p| {
        let s = p.serial_fraction;
        curve(p.from as f64, max_n, &move |n| amdahl::speedup(s, n))
    });
    let measured = props
        .points
        .iter()
        .map(|(n, s)| format!("{:.1},{:.1}", x(*n as f64), y(*s)))
        .collect::<Vec<_>>()
        .join(" ");
    let tick_counts: Vec<usize> = if x_max <= 12 {
        (1..=x_max).collect()
    } else {
        let step = x_max.div_ceil(8);
        let mut counts: Vec<usize> = std::iter::once(1)
            .chain((step..x_max).step_by(step))
            .collect();
        counts.push(x_max);
        counts
    };
    let x_ticks = tick_counts.into_iter().map(|n| {
        html! { <text class="tick" x={format!("{:.1}", x(n as f64))} y={(HEIGHT - 12.0).to_string()} text-anchor="middle">{ n }</text> }
    });
    let y_step = (max_y / 8.0).ceil().max(1.0) as usize;
    let y_ticks = (0..=max_y as usize).step_by(y_step).map(|s| {
        html! {
            <g class="tick">
                <line x1={LEFT.to_string()} x2={(width - RIGHT).to_string()} y1={format!("{:.1}", y(s as f64))} y2={format!("{:.1}", y(s as f64))} />
                <text x={(LEFT - 6.0).to_string()} y={format!("{:.1}", y(s as f64) + 4.0)} text-anchor="end">{ format!("{s}×") }</text>
            </g>
        }
    });
    let dots = props.points.iter().map(|(n, s)| {
        html! { <circle class="measured-dot" cx={format!("{:.1}", x(*n as f64))} cy={format!("{:.1}", y(*s))} r="4"><title>{ format!("{n} workers: {s:.2}×") }</title></circle> }
    });
    let summary = props
        .points
        .iter()
        .map(|(n, s)| format!("{n} workers {s:.2}×"))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        <figure class="speedup-chart" ref={figure_ref}>
            <svg viewBox={format!("0 0 {width} {HEIGHT}")} role="img" aria-label={format!("{} by workers: {summary}{}", if props.gustafson { "Scaled speedup" } else { "Speedup" }, props.prediction.as_ref().map_or(String::new(), |p| format!("; predicted {:.1}× at {} workers", p.points.last().map_or(0.0, |point| point.1), p.to)))}>
                if let Some(p) = &props.prediction {
                    <rect class="predicted-region" x={format!("{:.1}", x(p.from as f64))} y={TOP.to_string()}
                        width={format!("{:.1}", x(max_n) - x(p.from as f64))} height={(HEIGHT - BOTTOM - TOP).to_string()} />
                    <text class="predicted-label" x={format!("{:.1}", x(max_n) - 4.0)} y={(TOP + 12.0).to_string()} text-anchor="end">
                        { format!("predicted past {} workers", p.from) }
                    </text>
                }
                { for y_ticks }
                { for x_ticks }
                <text class="axis-title" x={(width / 2.0).to_string()} y={(HEIGHT - 0.0).to_string()} text-anchor="middle">{ "workers" }</text>
                <polyline class="ideal" points={ideal} />
                <polyline class={law_class} points={law} />
                if let Some(fitted) = fitted { <polyline class="fitted" points={fitted} /> }
                if let Some(predicted) = predicted { <polyline class="prediction" points={predicted} /> }
                if props.points.len() > 1 { <polyline class="measured" points={measured} /> }
                { for dots }
            </svg>
            <figcaption class="chart-legend">
                <span class="key measured">{ if props.gustafson { "measured (scaled speedup)" } else { "measured" } }</span>
                <span class="key ideal">{ "ideal (n×)" }</span>
                if props.gustafson {
                    <span class="key gustafson">{ format!("Gustafson, serial {:.0} %: s + n (1 − s)", props.serial_fraction * 100.0) }</span>
                } else {
                    <span class="key amdahl">{ format!("Amdahl, serial {:.0} %", props.serial_fraction * 100.0) }</span>
                }
                if let Some(f) = props.fitted { <span class="key fitted">{ format!("Amdahl fitted to the measurements: serial {:.1} %", f * 100.0) }</span> }
                if let Some(p) = &props.prediction {
                    <span class="key prediction" data-testid="prediction-key">{ format!(
                        "prediction, {} to {} workers: the fitted law, {:.1}× at {}; assumes cores as fast as these and the serial part and overheads as measured",
                        p.from, p.to, p.points.last().map_or(0.0, |point| point.1), p.to
                    ) }</span>
                }
            </figcaption>
        </figure>
    }
}
