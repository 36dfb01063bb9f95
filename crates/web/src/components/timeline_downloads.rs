//! The downloads every lab's timeline has: the figure as SVG and PNG (a
//! title, the timeline as drawn, its legend), and the run as a trace file
//! for Perfetto (Chrome's trace event JSON, to open in the Perfetto UI or
//! chrome://tracing beside a real trace).

use std::rc::Rc;

use interleave_core::Trace;
use interleave_core::perfetto::to_chrome_trace;
use yew::prelude::*;

use crate::export::{self, legend_items};

#[derive(Debug, Properties, PartialEq)]
pub struct TimelineDownloadsProps {
    /// The timelines in the trace file, each `(title, trace)` a process;
    /// the first is the figure's, and its title the figure's title.
    pub traces: Vec<(String, Rc<Trace>)>,
    /// The files' name, without the extension.
    pub file: AttrValue,
    /// Holds the timeline drawn (its first `figure.timeline svg`).
    pub timeline: NodeRef,
}

#[function_component(TimelineDownloads)]
pub fn timeline_downloads(props: &TimelineDownloadsProps) -> Html {
    // Why the last download was refused (a run too big for a file).
    let refused = use_state(|| None::<String>);
    let on_trace = {
        let (traces, file, refused) = (props.traces.clone(), props.file.clone(), refused.clone());
        Callback::from(move |_| {
            let named: Vec<(&str, &Trace)> = traces
                .iter()
                .map(|(title, trace)| (title.as_str(), trace.as_ref()))
                .collect();
            match to_chrome_trace(&named) {
                Ok(text) => {
                    refused.set(None);
                    export::download_text(&format!("{file}.json"), "application/json", &text);
                }
                Err(message) => refused.set(Some(message)),
            }
        })
    };
    let figure = |png: bool| {
        let (traces, file, timeline) = (
            props.traces.clone(),
            props.file.clone(),
            props.timeline.clone(),
        );
        Callback::from(move |_| {
            let svg = timeline
                .cast::<web_sys::Element>()
                .and_then(|host| host.query_selector("figure.timeline svg").ok().flatten());
            let (Some(svg), Some((title, trace))) = (svg, traces.first()) else {
                return;
            };
            let legend = legend_items(trace);
            if png {
                export::download_png(&svg, title, &legend, &format!("{file}.png"));
            } else {
                export::download_svg(&svg, title, &legend, &format!("{file}.svg"));
            }
        })
    };
    html! {
        <span class="export" role="group" aria-label="Download this timeline">
            <button onclick={figure(false)} data-testid="svg-download"
                title="Download this timeline as an SVG figure, with its title and legend">{ "SVG" }</button>
            <button onclick={figure(true)} data-testid="png-download"
                title="Download this timeline as a PNG figure, with its title and legend">{ "PNG" }</button>
            <button class="trace-download" onclick={on_trace} data-testid="trace-download"
                title="Download this timeline as a trace file for the Perfetto UI (ui.perfetto.dev) or chrome://tracing">
                { "Perfetto trace" }
            </button>
            if let Some(message) = &*refused {
                <span class="notice error" role="alert">{ message.clone() }</span>
            }
        </span>
    }
}
