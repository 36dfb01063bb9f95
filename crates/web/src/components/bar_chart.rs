//! A small horizontal bar chart comparing one figure across configurations.

use yew::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: AttrValue,
    pub value: f64,
    /// The value as shown, e.g. "210 ms".
    pub text: AttrValue,
}

#[derive(Debug, Properties, PartialEq)]
pub struct BarChartProps {
    pub title: AttrValue,
    pub bars: Vec<Bar>,
    /// Scale bars to this maximum (e.g. 1.0 for a fraction); default: the largest value.
    #[prop_or_default]
    pub max: Option<f64>,
    /// Which bar is highlighted.
    #[prop_or_default]
    pub selected: Option<usize>,
}

/// The widest it is drawn; a narrower box draws it at its own width, so
/// its text keeps its size.
const MAX_WIDTH: f64 = 420.0;
const LABEL: f64 = 120.0;
const ROW: f64 = 22.0;

#[function_component(BarChart)]
pub fn bar_chart(props: &BarChartProps) -> Html {
    let figure_ref = use_node_ref();
    let width = crate::components::use_width(&figure_ref).clamp(240.0, MAX_WIDTH);
    let max = props
        .max
        .unwrap_or_else(|| props.bars.iter().map(|bar| bar.value).fold(0.0, f64::max))
        .max(f64::MIN_POSITIVE);
    let plot = width - LABEL - 70.0;
    let height = 22.0 + ROW * props.bars.len() as f64;
    let rows = props.bars.iter().enumerate().map(|(idx, bar)| {
        let y = 20.0 + ROW * idx as f64;
        let bar_width = (bar.value / max * plot).max(1.0);
        let class = classes!("bar", (props.selected == Some(idx)).then_some("selected"));
        html! {
            <g class={class}>
                <text class="bar-label" x="0" y={(y + 13.0).to_string()}>{ bar.label.clone() }</text>
                <rect x={LABEL.to_string()} y={(y + 3.0).to_string()} width={format!("{bar_width:.1}")} height="14" />
                <text class="bar-value" x={format!("{:.1}", LABEL + bar_width + 4.0)} y={(y + 14.0).to_string()}>{ bar.text.clone() }</text>
            </g>
        }
    });
    let summary = props
        .bars
        .iter()
        .map(|bar| format!("{}: {}", bar.label, bar.text))
        .collect::<Vec<_>>()
        .join("; ");
    html! {
        <figure class="bar-chart" ref={figure_ref}>
            <svg viewBox={format!("0 0 {width} {height}")} role="img" aria-label={format!("{}: {summary}", props.title)}>
                <text class="chart-title" x="0" y="12">{ props.title.clone() }</text>
                { for rows }
            </svg>
        </figure>
    }
}
