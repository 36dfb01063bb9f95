//! The Share / Embed dialog of every lab: the link, and an `<iframe>`
//! snippet for course pages. A real modal (`<dialog>` shown with
//! `showModal`): the page behind it is inert, Tab stays inside, Escape
//! closes it and focus returns to the button that opened it.

use gloo::events::{EventListener, EventListenerOptions};
use interleave_core::labs::Lab;
use interleave_core::share::{Fragment, LONG_LINK_CHARS, Route, Theme, encode};
use wasm_bindgen::JsCast;
use web_sys::{HtmlDialogElement, HtmlElement, HtmlInputElement};
use yew::prelude::*;

use crate::components::form;

use crate::url_state::page_url;

/// What a plain HTML page needs to size the frame to the lab's height
/// (the lab posts `{type: "interleave:resize", height}`; docs/embedding.md).
const RESIZE_SCRIPT: &str = "<script>
  addEventListener('message', (event) => {
    if (event.data && event.data.type === 'interleave:resize') {
      document.getElementById('interleave').style.height = event.data.height + 'px';
    }
  });
</script>";

/// Iframe sizes offered: label, width, height.
const SIZES: [(&str, &str, &str); 4] = [
    ("Small (640 × 520)", "640", "520"),
    ("Medium (960 × 760)", "960", "760"),
    ("Large (1200 × 900)", "1200", "900"),
    ("Full width (100% × 900)", "100%", "900"),
];

#[derive(Debug, Properties, PartialEq)]
pub struct ShareButtonProps<L: PartialEq> {
    /// The lab's state as shown (the link may open it at its start
    /// instead, `Lab::at_start`).
    pub state: L,
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
pub fn share_button<L: Lab>(props: &ShareButtonProps<L>) -> Html {
    let open = use_state(|| false);
    let with_step = use_state(|| true);
    let autoplay = use_state(|| false);
    let size = use_state(|| 1usize);
    let theme = use_state(|| None::<Theme>);
    let copied = use_state(|| None::<&'static str>);
    let link_ref = use_node_ref();
    let dialog_ref = use_node_ref();
    let button_ref = use_node_ref();

    // Opened as a modal with focus on the link; however it closes
    // (Escape, Close, the backdrop), focus returns to the Share button.
    {
        let open_state = open.clone();
        let (link_ref, dialog_ref, button_ref) =
            (link_ref.clone(), dialog_ref.clone(), button_ref.clone());
        use_effect_with(*open, move |is_open| {
            let listener = is_open
                .then(|| dialog_ref.cast::<HtmlDialogElement>())
                .flatten()
                .map(|dialog| {
                    if !dialog.open() {
                        let _ = dialog.show_modal();
                    }
                    if let Some(input) = link_ref.cast::<HtmlInputElement>() {
                        let _ = input.focus();
                        input.select();
                    }
                    let trap = EventListener::new_with_options(
                        &dialog,
                        "keydown",
                        EventListenerOptions::enable_prevent_default(),
                        {
                            let dialog = dialog.clone();
                            move |event| trap_tab(&dialog, event)
                        },
                    );
                    let close = EventListener::new(&dialog, "close", move |_| {
                        open_state.set(false);
                        if let Some(button) = button_ref.cast::<HtmlElement>() {
                            let _ = button.focus();
                        }
                    });
                    (trap, close)
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
        // The same elements as when open (the dialog closed and empty), so
        // the button stays the same element and keeps the focus returned
        // to it on close.
        return html! {
            <>
                <button ref={button_ref} class="share-button" onclick={toggle} aria-haspopup="dialog" aria-expanded="false">{ "Share / Embed" }</button>
                <dialog ref={dialog_ref} class="dialog" aria-labelledby="share-title"></dialog>
            </>
        };
    }
    let at_start = props
        .state
        .at_start()
        .filter(|at_start| *at_start != props.state);
    let stepped = at_start.is_some();
    let shared = match &at_start {
        Some(at_start) if !*with_step => at_start,
        _ => &props.state,
    };
    let state = encode(shared);
    let fragment = |embed: bool| Fragment {
        route: Route::Lab(L::ID),
        state: Some(state.clone()),
        embed,
        autoplay: *autoplay && props.playable,
        theme: if embed { *theme } else { None },
        ..Fragment::default()
    };
    let link = page_url(&fragment(false));
    let embed_link = page_url(&fragment(true));
    let (_, width, height) = SIZES[*size];
    let snippet = format!(
        "<iframe id=\"interleave\" src=\"{embed_link}\" width=\"{width}\" height=\"{height}\" style=\"border:0;max-width:100%\" allow=\"cross-origin-isolated\" loading=\"lazy\" title=\"{}\"></iframe>",
        props.title.replace('"', "&quot;")
    );

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
    let on_theme = {
        let theme = theme.clone();
        Callback::from(move |event: Event| {
            theme.set(match form::select_value(&event).as_deref() {
                Some("light") => Some(Theme::Light),
                Some("dark") => Some(Theme::Dark),
                _ => None,
            })
        })
    };
    let themes = [
        (None, "Follow the viewer's system"),
        (Some(Theme::Light), "Light"),
        (Some(Theme::Dark), "Dark"),
    ]
    .map(|(value, label)| {
        html! {
            <option value={value.map_or("system", Theme::name)} selected={*theme == value}>{ label }</option>
        }
    });
    let long = link.len() > LONG_LINK_CHARS;
    // Closing goes through the dialog's own close, so its `close` event
    // (which Escape fires too) is the one place that tidies up.
    let close = {
        let dialog_ref = dialog_ref.clone();
        Callback::from(move |()| {
            if let Some(dialog) = dialog_ref.cast::<HtmlDialogElement>() {
                dialog.close();
            }
        })
    };
    // A click on the backdrop lands on the dialog element itself (its
    // content is wrapped), and closes it.
    let on_dialog_click = {
        let close = close.clone();
        Callback::from(move |event: MouseEvent| {
            let on_backdrop = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|element| element.tag_name() == "DIALOG");
            if on_backdrop {
                close.emit(());
            }
        })
    };

    html! {
        <>
            <button ref={button_ref} class="share-button" aria-haspopup="dialog" aria-expanded="true">{ "Share / Embed" }</button>
            <dialog ref={dialog_ref} class="dialog" aria-labelledby="share-title" onclick={on_dialog_click}>
                <div class="dialog-body">
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
                    // Only the options this state has: no empty box.
                    if stepped || props.playable {
                        <fieldset class="share-options">
                            <legend>{ "Options" }</legend>
                            if stepped {
                                <label><input type="checkbox" checked={*with_step} onchange={on_step} />{ " open at the current step" }</label>
                            }
                            if props.playable {
                                <label><input type="checkbox" checked={*autoplay} onchange={on_autoplay} />{ " play on open" }</label>
                            }
                        </fieldset>
                    }
                    <h4>{ "Embed in a course page" }</h4>
                    <label class="share-field">{ "Size " }
                        <select onchange={on_size} aria-label="Embed size">{ for sizes }</select>
                    </label>
                    <label class="share-field">{ "Theme " }
                        <select onchange={on_theme} aria-label="Embed theme" data-testid="embed-theme">{ for themes }</select>
                    </label>
                    <textarea class="share-snippet" readonly=true rows="4" aria-label="Embed code" value={snippet.clone()} />
                    <div class="share-row">
                        <button onclick={copy_snippet}>{ if *copied == Some("snippet") { "Copied ✓" } else { "Copy embed code" } }</button>
                    </div>
                    <p class="note">{ "Embedded, the page hides the site header, fits its frame, reports its height to the course page, and links to the full page. allow=\"cross-origin-isolated\" lets browsers that support it run the shared-memory demos inside the frame. The theme follows the viewer's light or dark setting unless you choose one to match your site." }</p>
                    <details class="share-resize">
                        <summary>{ "On a plain HTML page: let the frame fit its content" }</summary>
                        <p class="note">{ "Canvas, Moodle and H5P pages size the frame themselves. On a page of your own, put these lines after the iframe: they set its height each time the lab reports it." }</p>
                        <textarea class="share-snippet" readonly=true rows="7" aria-label="Resize script" data-testid="resize-script" value={RESIZE_SCRIPT} />
                    </details>
                    <button class="close" onclick={close.reform(|_| ())}>{ "Close" }</button>
                </div>
            </dialog>
        </>
    }
}

/// Keeps Tab inside the dialog: past its last control to its first, and
/// Shift+Tab back from the first to the last (a modal `<dialog>` alone
/// lets Tab leave for the browser's own controls).
fn trap_tab(dialog: &HtmlDialogElement, event: &Event) {
    let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
        return;
    };
    if event.key() != "Tab" {
        return;
    }
    let Ok(controls) = dialog.query_selector_all(
        "button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href]",
    ) else {
        return;
    };
    let count = controls.length();
    let (Some(first), Some(last)) = (
        controls
            .get(0)
            .and_then(|node| node.dyn_into::<HtmlElement>().ok()),
        count
            .checked_sub(1)
            .and_then(|idx| controls.get(idx))
            .and_then(|node| node.dyn_into::<HtmlElement>().ok()),
    ) else {
        return;
    };
    let active = gloo::utils::document().active_element();
    let at = |element: &HtmlElement| {
        active
            .as_ref()
            .is_some_and(|active| js_sys::Object::is(active, element))
    };
    let wrap_to = if event.shift_key() && at(&first) {
        Some(last)
    } else if !event.shift_key() && at(&last) {
        Some(first)
    } else {
        None
    };
    if let Some(target) = wrap_to {
        event.prevent_default();
        let _ = target.focus();
    }
}
