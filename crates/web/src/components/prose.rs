//! Text from the core or a teacher's file, where `code` is written in
//! backticks (as in Markdown): rendered with the code as code, never as
//! markup.

use yew::prelude::*;

/// `text` with each `backticked` part as a `<code>` element.
pub fn with_code(text: &str) -> Html {
    let parts = text.split('`').enumerate().map(|(idx, part)| {
        // An odd count of backticks leaves the last part as text.
        if idx % 2 == 1 && idx < text.split('`').count() - 1 {
            html! { <code>{ part.to_owned() }</code> }
        } else {
            html! { { part.to_owned() } }
        }
    });
    html! { <>{ for parts }</> }
}
