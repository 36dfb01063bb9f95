//! "Save lab file" / "Open lab file": a lab's whole state as a readable
//! JSON file, and back. An opened file is shown the way a link is: its lab
//! opens on it (the Parallel lab's runs in it are the saver's). Another
//! lab's file goes to that lab's module, which reads and checks it
//! (`url_state::hand_over_file`).

use interleave_core::labs::Lab;
use interleave_core::share::{MAX_STATE_BYTES, file_lab, from_file, to_file};
use yew::prelude::*;

use crate::components::form;

#[derive(Debug, Properties, PartialEq)]
pub struct LabFileProps<L: PartialEq> {
    /// The lab's state as shown.
    pub state: L,
}

#[function_component(LabFile)]
pub fn lab_file<L: Lab>(props: &LabFileProps<L>) -> Html {
    let problem = use_state(|| None::<String>);
    let on_save = {
        let state = props.state.clone();
        Callback::from(move |_| {
            crate::export::download_text(
                &format!("interleave-{}.json", L::ID.name()),
                "application/json",
                &to_file(&state),
            );
        })
    };
    let on_open = {
        let problem = problem.clone();
        Callback::from(move |event: Event| {
            let Some(file) = form::take_file(&event) else {
                return;
            };
            let problem = problem.clone();
            wasm_bindgen_futures::spawn_local(async move {
                // Refused before reading when too big: a huge file never loads.
                let read = form::read_text(&file, MAX_STATE_BYTES, "a lab file").await;
                let opened = read.and_then(|text| {
                    match file_lab(&text) {
                        Some(lab) if lab != L::ID => {
                            crate::url_state::hand_over_file(lab, &file.name(), &text)
                                .map(|()| None)
                        }
                        _ => from_file::<L>(&text)
                            .map(Some)
                            .map_err(|error| error.to_string()),
                    }
                    .map_err(|error| format!("{}: {error}", file.name()))
                });
                match opened {
                    Ok(lab) => {
                        problem.set(None);
                        if let Some(lab) = lab {
                            crate::url_state::open_lab(&lab);
                        }
                    }
                    Err(message) => problem.set(Some(message)),
                }
            });
        })
    };
    html! {
        <span class="lab-file" role="group" aria-label="Lab file">
            <button onclick={on_save} title="Download this lab's whole state as a JSON file">{ "Save lab file" }</button>
            <label class="file-button">{ "Open lab file" }
                <input type="file" accept=".json,application/json" onchange={on_open} aria-label="Open lab file" />
            </label>
            if let Some(problem) = &*problem {
                <span class="notice error" role="alert" data-testid="lab-file-problem">{ problem.clone() }</span>
            }
        </span>
    }
}
