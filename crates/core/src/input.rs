//! Reading outside input, for every lab: the size limit every input
//! has, which lab a JSON text is for, and the one JSON reader, which
//! reports a problem with its line, character column and field path.

use crate::error::ScenarioError;

/// The largest scenario file (Models or Servers) any input may be: a file,
/// standard input, the page's editor or an import. Checked before parsing.
pub const MAX_INPUT_BYTES: usize = 2 << 20;

/// Whether `text` is a Servers-lab scenario (`"lab": "servers"` at its top
/// level), even when the JSON is broken elsewhere, so that its errors come
/// from the right parser.
pub fn is_servers_text(text: &str) -> bool {
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        return value.get("lab").and_then(|lab| lab.as_str()) == Some("servers");
    }
    // Broken JSON: look for the key itself.
    let mut rest = text;
    while let Some(at) = rest.find("\"lab\"") {
        let after = rest[at + 5..].trim_start();
        if let Some(value) = after.strip_prefix(':')
            && value.trim_start().starts_with("\"servers\"")
        {
            return true;
        }
        rest = &rest[at + 5..];
    }
    false
}

/// Reads one JSON document into `T`, refusing a text over
/// [`MAX_INPUT_BYTES`] before parsing; a problem becomes a
/// [`ScenarioError`] with line:column, the field path and a hint from
/// `hint_for`. Nothing may follow the document.
pub fn parse_json<T: serde::de::DeserializeOwned>(
    text: &str,
    hint_for: fn(&str) -> Option<&'static str>,
) -> Result<T, ScenarioError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(ScenarioError::at_path(
            "",
            format!(
                "the scenario is {} bytes; the most is {MAX_INPUT_BYTES}",
                text.len()
            ),
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        // serde_path_to_error writes `?` for a place it could not name
        // (inside a syntax error): the known part of the path is kept.
        let path = err.path().to_string();
        let path = path.trim_end_matches(".?").trim_end_matches('?').to_owned();
        let inner = err.into_inner();
        let message = strip_serde_position(&inner.to_string());
        let mut error = ScenarioError::at_path(
            if path == "." || path.is_empty() {
                String::new()
            } else {
                path
            },
            message,
        );
        error.line = Some(inner.line());
        error.column = Some(char_column(text, inner.line(), inner.column()));
        if let Some(hint) = hint_for(&error.message) {
            error = error.with_hint(hint);
        }
        error
    })?;
    deserializer.end().map_err(|err| {
        let mut error = ScenarioError::at_path("", "unexpected text after the scenario");
        error.line = Some(err.line());
        error.column = Some(char_column(text, err.line(), err.column()));
        error
    })?;
    Ok(value)
}

/// serde_json counts columns in bytes; people (and editors) count
/// characters. The 1-based character column of byte column `byte_column`
/// on 1-based `line` of `text`.
fn char_column(text: &str, line: usize, byte_column: usize) -> usize {
    let Some(line_text) = text.split('\n').nth(line.saturating_sub(1)) else {
        return byte_column.max(1);
    };
    let mut end = byte_column.min(line_text.len());
    while !line_text.is_char_boundary(end) {
        end -= 1;
    }
    // A column inside a character that was partly read still names it.
    let partly = usize::from(end < byte_column.min(line_text.len()));
    (line_text[..end].chars().count() + partly).max(1)
}

/// serde_json appends " at line L column C"; errors report those apart.
pub fn strip_serde_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(idx) => message[..idx].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_files_are_recognised_even_when_broken() {
        assert!(is_servers_text(r#"{"lab": "servers", "traffic": {}}"#));
        assert!(is_servers_text(
            "{\n  \"lab\" :\t\"servers\",\n  \"traffic\": {\"rate\": 5,},\n}"
        ));
        assert!(!is_servers_text(r#"{"name": "lab", "tasks": []}"#));
        assert!(!is_servers_text(r#"{"lab": "models"#));
    }
}
