//! Speedup against workers: measured points, the ideal line, Amdahl's curve
//! for the set serial fraction and the one fitted to the measurements.

use interleave_core::parallel::amdahl;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct SpeedupChartProps {
    /// (workers, measured speedup), sorted by workers.
    pub points: Vec<(usize, f64)>,
    pub max_workers: usize,
    pub serial_fraction: f64,
    pub fitted: Option<f64>,
}

const WIDTH: f64 = 420.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 30.0;
const TOP: f64 = 12.0;
const RIGHT: f64 = 12.0;

#[function_component(SpeedupChart)]
pub fn speedup_chart(props: &SpeedupChartProps) -> Html {
    let max_n = props.max_workers.max(2) as f64;
    let max_y = props
        .points
        .iter()
        .map(|(_, s)| *s)
        .fold(max_n, f64::max)
        .ceil();
    let x = |n: f64| LEFT + (n - 1.0) / (max_n - 1.0) * (WIDTH - LEFT - RIGHT);
    let y = |s: f64| HEIGHT - BOTTOM - s / max_y * (HEIGHT - BOTTOM - TOP);
    let curve = |f: &dyn Fn(f64) -> f64| -> String {
        (0..=40)
            .map(|step| {
                let n = 1.0 + (max_n - 1.0) * step as f64 / 40.0;
                format!("{:.1},{:.1}", x(n), y(f(n)))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let ideal = curve(&|n| n);
    let amdahl_set = curve(&|n| amdahl::speedup(props.serial_fraction, n));
    let fitted = props.fitted.map(|f| curve(&move |n| amdahl::speedup(f, n)));
    let measured = props
        .points
        .iter()
        .map(|(n, s)| format!("{:.1},{:.1}", x(*n as f64), y(*s)))
        .collect::<Vec<_>>()
        .join(" ");
    let x_ticks = (1..=props.max_workers.max(2)).map(|n| {
        html! { <text class="tick" x={format!("{:.1}", x(n as f64))} y={(HEIGHT - 12.0).to_string()} text-anchor="middle">{ n }</text> }
    });
    let y_ticks = (0..=max_y as usize).map(|s| {
        html! {
            <g class="tick">
                <line x1={LEFT.to_string()} x2={(WIDTH - RIGHT).to_string()} y1={format!("{:.1}", y(s as f64))} y2={format!("{:.1}", y(s as f64))} />
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
        <figure class="speedup-chart">
            <svg viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img" aria-label={format!("Speedup by workers: {summary}")}>
                { for y_ticks }
                { for x_ticks }
                <text class="axis-title" x={(WIDTH / 2.0).to_string()} y={(HEIGHT - 0.0).to_string()} text-anchor="middle">{ "workers" }</text>
                <polyline class="ideal" points={ideal} />
                <polyline class="amdahl" points={amdahl_set} />
                if let Some(fitted) = fitted { <polyline class="fitted" points={fitted} /> }
                if props.points.len() > 1 { <polyline class="measured" points={measured} /> }
                { for dots }
            </svg>
            <figcaption class="chart-legend">
                <span class="key measured">{ "measured" }</span>
                <span class="key ideal">{ "ideal (n×)" }</span>
                <span class="key amdahl">{ format!("Amdahl, serial {:.0} %", props.serial_fraction * 100.0) }</span>
                if let Some(f) = props.fitted { <span class="key fitted">{ format!("Amdahl fitted to the measurements: serial {:.1} %", f * 100.0) }</span> }
            </figcaption>
        </figure>
    }
}
