//! Reading form controls from their events, and the clipboard.

use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlInputElement, HtmlSelectElement};

/// The element an event happened on, as `T`.
pub fn target<T: JsCast>(event: &Event) -> Option<T> {
    event.target()?.dyn_into().ok()
}

/// The value of the `<select>` an event happened on.
pub fn select_value(event: &Event) -> Option<String> {
    target::<HtmlSelectElement>(event).map(|select| select.value())
}

/// The value of the `<input>` an event happened on.
pub fn input_value(event: &Event) -> Option<String> {
    target::<HtmlInputElement>(event).map(|input| input.value())
}

/// Whether the checkbox an event happened on is checked.
pub fn checked(event: &Event) -> bool {
    target::<HtmlInputElement>(event).is_some_and(|input| input.checked())
}

/// Puts `text` on the clipboard; resolves to whether the browser took it
/// (it may refuse, e.g. without a user gesture or permission).
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(window.navigator().clipboard().write_text(text))
        .await
        .is_ok()
}
