//! Side-by-side metrics of several runs of one workload.

use interleave_core::metrics::Metrics;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub label: AttrValue,
    pub metrics: Metrics,
}

#[derive(Debug, Properties, PartialEq)]
pub struct MetricsTableProps {
    pub runs: Vec<Run>,
    pub unit: AttrValue,
}

#[function_component(MetricsTable)]
pub fn metrics_table(props: &MetricsTableProps) -> Html {
    let unit = &props.unit;
    let Some(first) = props.runs.first() else {
        return html! {};
    };
    let task_headers = first
        .metrics
        .tasks
        .iter()
        .map(|task| html! { <th scope="col">{ format!("{} done at", task.name) }</th> });
    let rows = props.runs.iter().map(|run| {
        let completions = run
            .metrics
            .tasks
            .iter()
            .map(|task| html! { <td>{ format!("{} {unit}", task.completion) }</td> });
        html! {
            <tr>
                <th scope="row">{ run.label.clone() }</th>
                <td class="makespan">{ format!("{} {unit}", run.metrics.makespan) }</td>
                <td>{ format!("{:.0} %", run.metrics.cpu_utilisation * 100.0) }</td>
                { for completions }
            </tr>
        }
    });
    html! {
        <table class="metrics">
            <thead>
                <tr>
                    <th scope="col">{ "model" }</th>
                    <th scope="col">{ "makespan" }</th>
                    <th scope="col">{ "CPU utilisation" }</th>
                    { for task_headers }
                </tr>
            </thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}
