//! Embed mode: tell the parent page our height, so course pages can fit
//! the iframe. Three ways, as parents differ:
//! - a generic `{type: "interleave:resize", height}` message;
//! - Canvas's `lti.frameResize` (a JSON string);
//! - H5P's resizer protocol (`{context: "h5p", action}`: we say hello, the
//!   parent answers hello, then each change is prepareResize,
//!   resizePrepared from the parent, and resize with our scrollHeight), so
//!   an H5P "iframe embedder" page or any page with `h5p-resizer.js` sizes
//!   the frame. One prepareResize is in flight at a time: changes made
//!   while it is go along in the resize that answers it, which reads the
//!   height then.
//!
//! Messages go to the parent's origin when it is known (from
//! `location.ancestorOrigins`, else the referrer), else to any origin:
//! they carry only a height.

use std::cell::Cell;
use std::rc::Rc;

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

#[hook]
pub fn use_height_reports(embed: bool) {
    use_effect_with(embed, move |embed| {
        let reporter = embed.then(start).flatten();
        move || {
            if let Some(reporter) = reporter {
                reporter.observer.disconnect();
            }
        }
    });
}

struct Reporter {
    observer: web_sys::ResizeObserver,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
    _messages: EventListener,
}

fn start() -> Option<Reporter> {
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten()?;
    if parent == window {
        return None;
    }
    let body = window.document()?.body()?;
    let target = parent_origin(&window).unwrap_or_else(|| "*".to_owned());
    // Whether an H5P resizer answered our hello.
    let h5p = Rc::new(Cell::new(false));
    // Whether a prepareResize awaits the parent's resizePrepared.
    let pending = Rc::new(Cell::new(false));

    let messages = {
        let (parent, target, h5p, pending) =
            (parent.clone(), target.clone(), h5p.clone(), pending.clone());
        EventListener::new(&window, "message", move |event| {
            let Some(event) = event.dyn_ref::<web_sys::MessageEvent>() else {
                return;
            };
            let from_parent = event
                .source()
                .is_some_and(|source| js_sys::Object::is(&source, &parent));
            if !from_parent || field(&event.data(), "context").as_deref() != Some("h5p") {
                return;
            }
            match field(&event.data(), "action").as_deref() {
                // The parent's resizer is there: from now on, and now.
                Some("hello") | Some("resize") => {
                    h5p.set(true);
                    prepare_resize(&parent, &target, &pending);
                }
                Some("resizePrepared") => {
                    pending.set(false);
                    h5p_message(&parent, &target, "resize");
                }
                _ => {}
            }
        })
    };
    h5p_message(&parent, &target, "hello");

    let mut last = 0;
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries: js_sys::Array| {
        let height = scroll_height();
        if height == last {
            return;
        }
        last = height;
        post_height(&parent, &target, height);
        if h5p.get() {
            prepare_resize(&parent, &target, &pending);
        }
    });
    let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    observer.observe(&body);
    Some(Reporter {
        observer,
        _callback: callback,
        _messages: messages,
    })
}

/// The embedding page's origin, when the browser tells it.
fn parent_origin(window: &web_sys::Window) -> Option<String> {
    let location = window.location();
    let ancestors = js_sys::Reflect::get(&location, &"ancestorOrigins".into()).ok()?;
    let first = js_sys::Reflect::get(&ancestors, &0.into())
        .ok()
        .and_then(|origin| origin.as_string())
        .filter(|origin| origin.starts_with("http"));
    first.or_else(|| {
        let referrer = window.document()?.referrer();
        web_sys::Url::new(&referrer)
            .ok()
            .map(|url| url.origin())
            .filter(|origin| origin.starts_with("http"))
    })
}

fn scroll_height() -> i32 {
    web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
        .map_or(0, |root| root.scroll_height())
}

fn field(data: &JsValue, name: &str) -> Option<String> {
    js_sys::Reflect::get(data, &name.into())
        .ok()
        .and_then(|value| value.as_string())
}

fn object(pairs: &[(&str, JsValue)]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        let _ = js_sys::Reflect::set(&object, &(*key).into(), value);
    }
    object
}

fn h5p_message(parent: &web_sys::Window, target: &str, action: &str) {
    let mut pairs = vec![("context", "h5p".into()), ("action", action.into())];
    if action == "resize" {
        pairs.push(("scrollHeight", scroll_height().into()));
    }
    let _ = parent.post_message(&object(&pairs), target);
}

/// Asks the parent to prepare, unless a request is already in flight (its
/// answer's resize will carry the height as it is by then).
fn prepare_resize(parent: &web_sys::Window, target: &str, pending: &Cell<bool>) {
    if pending.replace(true) {
        return;
    }
    let client_height = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
        .map_or(0, |root| root.client_height());
    let message = object(&[
        ("context", "h5p".into()),
        ("action", "prepareResize".into()),
        ("scrollHeight", scroll_height().into()),
        ("clientHeight", client_height.into()),
    ]);
    let _ = parent.post_message(&message, target);
}

fn post_height(parent: &web_sys::Window, target: &str, height: i32) {
    let generic = object(&[
        ("type", "interleave:resize".into()),
        ("height", height.into()),
    ]);
    let _ = parent.post_message(&generic, target);
    let canvas = format!("{{\"subject\":\"lti.frameResize\",\"height\":{height}}}");
    let _ = parent.post_message(&JsValue::from_str(&canvas), target);
}
