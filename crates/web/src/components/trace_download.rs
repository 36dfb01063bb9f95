//! "Trace for Perfetto": a timeline as Chrome's trace event JSON, to open
//! in the Perfetto UI or chrome://tracing beside a real trace.

use std::rc::Rc;

use interleave_core::Trace;
use interleave_core::perfetto::to_chrome_trace;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct TraceDownloadProps {
    /// The timelines in the file, each `(title, trace)` a process.
    pub traces: Vec<(String, Rc<Trace>)>,
    /// The file's name, without `.json`.
    pub file: AttrValue,
}

#[function_component(TraceDownload)]
pub fn trace_download(props: &TraceDownloadProps) -> Html {
    // Why the last download was refused (a run too big for a file).
    let refused = use_state(|| None::<String>);
    let onclick = {
        let (traces, file, refused) = (props.traces.clone(), props.file.clone(), refused.clone());
        Callback::from(move |_| {
            let named: Vec<(&str, &Trace)> = traces
                .iter()
                .map(|(title, trace)| (title.as_str(), trace.as_ref()))
                .collect();
            match to_chrome_trace(&named) {
                Ok(text) => {
                    refused.set(None);
                    crate::export::download_text(
                        &format!("{file}.json"),
                        "application/json",
                        &text,
                    );
                }
                Err(message) => refused.set(Some(message)),
            }
        })
    };
    html! {
        <>
            <button class="trace-download" onclick={onclick} data-testid="trace-download"
                title="Download this timeline as a trace file for the Perfetto UI (ui.perfetto.dev) or chrome://tracing">
                { "Perfetto trace" }
            </button>
            if let Some(message) = &*refused {
                <span class="notice error" role="alert">{ message.clone() }</span>
            }
        </>
    }
}
