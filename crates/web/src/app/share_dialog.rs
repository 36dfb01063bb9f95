//! The Share / Embed dialog of every lab: the link, and an `<iframe>`
//! snippet for course pages.

use gloo::events::EventListener;
use interleave_core::share::{Fragment, LONG_LINK_CHARS, SharedState, encode};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::components::form;

use crate::url_state::page_url;

/// Iframe sizes offered: label, width, height.
const SIZES: [(&str, &str, &str); 4] = [
    ("Small (640 × 520)", "640", "520"),
    ("Medium (960 × 760)", "960", "760"),
    ("Large (1200 × 900)", "1200", "900"),
    ("Full width (100% × 900)", "100%", "900"),
];

#[derive(Debug, Properties, PartialEq)]
pub struct ShareButtonProps {
    /// The lab's state as shown.
    pub state: SharedState,
    /// The same state at its start (for "open at the current step" off).
    pub at_start: SharedState,
    /// The iframe's title.
    pub title: AttrValue,
    /// Whether the lab can play on open.
    #[prop_or_default]
    pub playable: bool,
    /// What the link holds, when the default sentence is not right.
    #[prop_or_default]
    pub note: Option<AttrValue>,
}

#[function_component(ShareButton)]
pub fn share_button(props: &ShareButtonProps) -> Html {
    let open = use_state(|| false);
    let with_step = use_state(|| true);
    let autoplay = use_state(|| false);
    let size = use_state(|| 1usize);
    let copied = use_state(|| None::<&'static str>);
    let link_ref = use_node_ref();

    // Escape closes; focus goes to the link when the dialog opens.
    {
        let open_state = open.clone();
        let link_ref = link_ref.clone();
        use_effect_with(*open, move |is_open| {
            let listener = is_open.then(|| {
                if let Some(input) = link_ref.cast::<HtmlInputElement>() {
                    let _ = input.focus();
                    input.select();
                }
                EventListener::new(&gloo::utils::document(), "keydown", move |event| {
                    if event
                        .dyn_ref::<KeyboardEvent>()
                        .is_some_and(|event| event.key() == "Escape")
                    {
                        open_state.set(false);
                    }
                })
            });
            move || drop(listener)
        });
    }

    // Encoded only while the dialog is open: a lab re-renders many times a
    // second during playback.
    if !*open {
        let toggle = {
            let (open, copied) = (open.clone(), copied.clone());
            Callback::from(move |_| {
                copied.set(None);
                open.set(true);
            })
        };
        return html! {
            <button class="share-button" onclick={toggle} aria-haspopup="dialog" aria-expanded="false">{ "Share / Embed" }</button>
        };
    }
    let stepped = props.state != props.at_start;
    let shared = if *with_step || !stepped {
        &props.state
    } else {
        &props.at_start
    };
    let state = encode(shared);
    let fragment = |embed: bool| Fragment {
        route: shared.route(),
        state: Some(state.clone()),
        embed,
        autoplay: *autoplay && props.playable,
        unknown_route: None,
    };
    let link = page_url(&fragment(false));
    let embed_link = page_url(&fragment(true));
    let (_, width, height) = SIZES[*size];
    let snippet = format!(
        "<iframe src=\"{embed_link}\" width=\"{width}\" height=\"{height}\" style=\"border:0;max-width:100%\" allow=\"cross-origin-isolated\" loading=\"lazy\" title=\"{}\"></iframe>",
        props.title.replace('"', "&quot;")
    );

    let toggle = {
        let open = open.clone();
        let copied = copied.clone();
        Callback::from(move |_| {
            copied.set(None);
            open.set(!*open);
        })
    };
    let copy_link = {
        let link = link.clone();
        let copied = copied.clone();
        Callback::from(move |_| {
            let (link, copied) = (link.clone(), copied.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let took = form::copy_text(&link).await;
                copied.set(Some(if took { "link" } else { "refused" }));
            });
        })
    };
    let copy_snippet = {
        let snippet = snippet.clone();
        let copied = copied.clone();
        Callback::from(move |_| {
            let (snippet, copied) = (snippet.clone(), copied.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let took = form::copy_text(&snippet).await;
                copied.set(Some(if took { "snippet" } else { "refused" }));
            });
        })
    };
    let on_step = {
        let with_step = with_step.clone();
        Callback::from(move |event: Event| with_step.set(form::checked(&event)))
    };
    let on_autoplay = {
        let autoplay = autoplay.clone();
        Callback::from(move |event: Event| autoplay.set(form::checked(&event)))
    };
    let on_size = {
        let size = size.clone();
        Callback::from(move |event: Event| {
            if let Some(value) =
                form::select_value(&event).and_then(|value| value.parse::<usize>().ok())
            {
                size.set(value.min(SIZES.len() - 1));
            }
        })
    };
    let sizes = SIZES.iter().enumerate().map(|(idx, (label, _, _))| {
        html! { <option value={idx.to_string()} selected={idx == *size}>{ *label }</option> }
    });
    let long = link.len() > LONG_LINK_CHARS;
    let close = {
        let open = open.clone();
        Callback::from(move |_| open.set(false))
    };

    html! {
        <>
            <button class="share-button" onclick={toggle} aria-haspopup="dialog" aria-expanded={open.to_string()}>{ "Share / Embed" }</button>
            if *open {
                <div class="dialog-backdrop" onclick={close.clone()}></div>
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="share-title">
                    <h3 id="share-title">{ "Share this exact scenario" }</h3>
                    <p class="note">{ props.note.clone().unwrap_or_else(|| "The link holds the whole lab, up to the step shown. Nothing is stored on a server.".into()) }</p>
                    <label class="share-field">{ "Link" }
                        <input ref={link_ref} class="share-link" type="text" readonly=true value={link.clone()} aria-label="Share link" />
                    </label>
                    if *copied == Some("refused") {
                        <p class="warning" role="status">{ "The browser did not allow copying: select the text and copy it yourself." }</p>
                    }
                    <div class="share-row">
                        <button onclick={copy_link}>{ if *copied == Some("link") { "Copied ✓" } else { "Copy link" } }</button>
                        <span class="note">{ format!("{} characters", link.len()) }</span>
                    </div>
                    if long {
                        <p class="warning" role="status">
                            { format!("This link is {} characters long; some mail and chat apps cut links past about {LONG_LINK_CHARS}. Share it as a file instead (export it from the lab).", link.len()) }
                        </p>
                    }
                    <fieldset class="share-options">
                        <legend>{ "Options" }</legend>
                        if stepped {
                            <label><input type="checkbox" checked={*with_step} onchange={on_step} />{ " open at the current step" }</label>
                        }
                        if props.playable {
                            <label><input type="checkbox" checked={*autoplay} onchange={on_autoplay} />{ " play on open" }</label>
                        }
                    </fieldset>
                    <h4>{ "Embed in a course page" }</h4>
                    <label class="share-field">{ "Size " }
                        <select onchange={on_size} aria-label="Embed size">{ for sizes }</select>
                    </label>
                    <textarea class="share-snippet" readonly=true rows="4" aria-label="Embed code" value={snippet.clone()} />
                    <div class="share-row">
                        <button onclick={copy_snippet}>{ if *copied == Some("snippet") { "Copied ✓" } else { "Copy embed code" } }</button>
                    </div>
                    <p class="note">{ "Embedded, the page hides the site header, fits its frame, reports its height to the course page, and links to the full page. allow=\"cross-origin-isolated\" lets browsers that support it run the shared-memory demos inside the frame." }</p>
                    <button class="close" onclick={close}>{ "Close" }</button>
                </div>
            }
        </>
    }
}
