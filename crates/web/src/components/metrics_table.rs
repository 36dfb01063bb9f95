//! Side-by-side summary metrics of several runs of one workload.

use std::rc::Rc;

use interleave_core::glossary;
use interleave_core::metrics::Metrics;
use yew::prelude::*;

use crate::components::Glossary;
use crate::components::glossary::header;

#[derive(Debug, Clone)]
pub struct Run {
    pub label: AttrValue,
    pub metrics: Rc<Metrics>,
}

impl PartialEq for Run {
    fn eq(&self, other: &Self) -> bool {
        self.label == other.label && Rc::ptr_eq(&self.metrics, &other.metrics)
    }
}

#[derive(Debug, Properties, PartialEq)]
pub struct MetricsTableProps {
    pub runs: Vec<Run>,
    pub unit: AttrValue,
    /// Which row is highlighted.
    #[prop_or_default]
    pub selected: Option<usize>,
}

#[function_component(MetricsTable)]
pub fn metrics_table(props: &MetricsTableProps) -> Html {
    let unit = &props.unit;
    let rows = props.runs.iter().enumerate().map(|(idx, run)| {
        let m = &run.metrics;
        html! {
            <tr class={classes!((props.selected == Some(idx)).then_some("selected"))}>
                <th scope="row">{ run.label.clone() }</th>
                <td data-label="makespan" class="makespan">{ format!("{} {unit}", m.makespan) }</td>
                <td data-label={format!("throughput /1000 {unit}")}>{ format!("{:.1}", m.throughput) }</td>
                <td data-label={format!("latency mean / p95 / max ({unit})")}>{ format!("{:.1} / {} / {}", m.latency.mean, m.latency.p95, m.latency.max) }</td>
                <td data-label={format!("wait for a thread ({unit})")}>{ format!("{:.1}", m.mean_wait_for_thread) }</td>
                <td data-label={format!("wait for a core ({unit})")}>{ format!("{:.1}", m.mean_wait_for_core) }</td>
                <td data-label={format!("wait on I/O ({unit})")}>{ format!("{:.1}", m.mean_wait_on_io) }</td>
                <td data-label="CPU utilisation">{ format!("{:.0} %", m.cpu_utilisation * 100.0) }</td>
                <td data-label="max in progress">{ m.max_concurrency }</td>
                <td data-label="context switches">{ m.context_switches }</td>
            </tr>
        }
    });
    html! {
        <div class="table-scroll">
            <table class="metrics reflow">
                <thead>
                    <tr>
                        <th scope="col">{ "model" }</th>
                        { header("makespan", glossary::MAKESPAN) }
                        <th scope="col" title={format!("tasks completed per 1000 {unit}")}>{ format!("throughput /1000 {unit}") }</th>
                        <th scope="col">{ format!("latency mean / p95 / max ({unit})") }</th>
                        <th scope="col" title="mean per task">{ format!("wait for a thread ({unit})") }</th>
                        <th scope="col" title="mean per task">{ format!("wait for a core ({unit})") }</th>
                        <th scope="col" title="mean per task">{ format!("wait on I/O ({unit})") }</th>
                        { header("CPU utilisation", glossary::CPU_UTILISATION) }
                        <th scope="col" title="most tasks started and not finished at one instant">{ "max in progress" }</th>
                        <th scope="col">{ "context switches" }</th>
                    </tr>
                </thead>
                <tbody>{ for rows }</tbody>
            </table>
            <Glossary terms={vec![glossary::MAKESPAN, glossary::MEAN_LATENCY, glossary::PERCENTILES, glossary::CPU_UTILISATION]} />
        </div>
    }
}
