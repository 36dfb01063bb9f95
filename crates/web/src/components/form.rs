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

/// The click of a button that may not be used now. Such buttons are
/// marked `aria-disabled` rather than `disabled`: a disabled button drops
/// keyboard focus to the page when a run starts or a thread ends, an
/// `aria-disabled` one keeps it (and says it is unavailable).
pub fn when_enabled(
    enabled: bool,
    onclick: yew::Callback<web_sys::MouseEvent>,
) -> yew::Callback<web_sys::MouseEvent> {
    if enabled {
        onclick
    } else {
        yew::Callback::noop()
    }
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

/// The file chosen in a file input's change event. The input is cleared,
/// so choosing the same file again is another change.
pub fn take_file(event: &Event) -> Option<web_sys::File> {
    let input = target::<HtmlInputElement>(event)?;
    let file = input.files().and_then(|files| files.get(0));
    input.set_value("");
    file
}

/// The text of `file`, refused before reading when it is larger than
/// `limit` bytes (`what` names the kind of file); errors start with the
/// file's name.
pub async fn read_text(file: &web_sys::File, limit: usize, what: &str) -> Result<String, String> {
    let name = file.name();
    if file.size() > limit as f64 {
        return Err(format!(
            "{name}: the file is {:.0} bytes; {what} is at most {limit}",
            file.size()
        ));
    }
    wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(|| format!("{name}: the file could not be read as text"))
}
