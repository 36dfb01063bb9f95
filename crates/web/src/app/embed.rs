//! Embed mode: tell the parent page our height, so LMS pages can fit the
//! iframe. Posts a generic `{type: "interleave:resize", height}` message and
//! Canvas's `lti.frameResize`.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

#[hook]
pub fn use_height_reports(embed: bool) {
    use_effect_with(embed, move |embed| {
        let observer = embed.then(start).flatten();
        move || {
            if let Some((observer, _callback)) = observer {
                observer.disconnect();
            }
        }
    });
}

type Observer = (web_sys::ResizeObserver, Closure<dyn FnMut(js_sys::Array)>);

fn start() -> Option<Observer> {
    let window = web_sys::window()?;
    let body = window.document()?.body()?;
    let mut last = 0;
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries: js_sys::Array| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Some(root) = window
            .document()
            .and_then(|document| document.document_element())
        else {
            return;
        };
        let height = root.scroll_height();
        if height == last {
            return;
        }
        last = height;
        post_height(&window, height);
    });
    let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    observer.observe(&body);
    Some((observer, callback))
}

fn post_height(window: &web_sys::Window, height: i32) {
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if parent == *window {
        return;
    }
    let generic = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&generic, &"type".into(), &"interleave:resize".into());
    let _ = js_sys::Reflect::set(&generic, &"height".into(), &height.into());
    let _ = parent.post_message(&generic, "*");
    let canvas = format!("{{\"subject\":\"lti.frameResize\",\"height\":{height}}}");
    let _ = parent.post_message(&JsValue::from_str(&canvas), "*");
}
