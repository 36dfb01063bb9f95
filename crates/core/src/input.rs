//! Reading outside input, for every lab: the size limit every input
//! has, which lab a JSON text is for, and the one JSON reader, which
//! reports a problem with its line, character column and field path.

pub mod locate;

use crate::error::ScenarioError;
use locate::Step;

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

/// Reads one JSON document from outside (a file, standard input, the
/// page's editor, an import) into `T`, refusing a text over
/// [`MAX_INPUT_BYTES`] before parsing; a problem becomes a
/// [`ScenarioError`] with line:column, the field path and a hint from
/// `hint_for`. Nothing may follow the document, and no object may repeat
/// a key.
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
    read_checked_json(text).map_err(|error| match hint_for(&error.message) {
        Some(hint) => error.with_hint(hint),
        None => error,
    })
}

/// Reads a JSON document into `T`: the crate's one JSON decoder. The text
/// becomes a `serde_json::Value` first (a syntax error says where, with
/// the path being read there), then `T` (a type error names the field's
/// path, and [`locate`] finds its line and column in the text). Every
/// type is decoded by one instance of serde's code, from a `Value`, which
/// is much smaller in the wasm than one per reader and error tracker.
pub fn read_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ScenarioError> {
    let tree = read_tree(text)?;
    from_tree(text, &tree)
}

/// [`read_json`] for text from outside: also refuses a repeated key (a
/// `Value` would keep the last one without a word).
pub fn read_checked_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ScenarioError> {
    let tree = read_checked_tree(text)?;
    from_tree(text, &tree)
}

/// The JSON text from outside as a tree, for a reader that walks it
/// itself: a syntax error or a repeated key says where.
pub fn read_checked_tree(text: &str) -> Result<serde_json::Value, ScenarioError> {
    let tree = read_tree(text)?;
    if let Some((at, path)) = locate::first_repeated_key(text) {
        let key = match path.last() {
            Some(Step::Key(key)) => key.clone(),
            _ => String::new(),
        };
        return Err(located(
            text,
            at,
            locate::path_text(&path),
            format!("duplicate field `{key}`"),
        ));
    }
    Ok(tree)
}

/// Places `error` (found by a reader that walked the tree of `text`,
/// with a field path) at its line and column in `text`.
pub fn place(text: &str, mut error: ScenarioError) -> ScenarioError {
    if error.line.is_none() {
        let path = locate::path_steps(&error.path);
        let at = if error.message.starts_with("unknown field") {
            locate::key_at(text, &path)
        } else {
            locate::value_at(text, &path)
        };
        let (line, column) = locate::line_column(text, at);
        error.line = Some(line);
        error.column = Some(column);
    }
    error
}

/// The JSON text as a tree, or the syntax error with its place.
fn read_tree(text: &str) -> Result<serde_json::Value, ScenarioError> {
    use serde::Deserialize;
    // serde_json's line and byte column, back to a byte offset.
    let offset = |err: &serde_json::Error| {
        let line_start: usize = text
            .split_inclusive('\n')
            .take(err.line().saturating_sub(1))
            .map(str::len)
            .sum();
        (line_start + err.column()).min(text.len())
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let tree = serde_json::Value::deserialize(&mut deserializer).map_err(|err| {
        let mut error = ScenarioError::at_path(
            locate::path_text(&locate::path_at(text, offset(&err))),
            strip_serde_position(&err.to_string()),
        );
        error.line = Some(err.line());
        error.column = Some(char_column(text, err.line(), err.column()));
        error
    })?;
    deserializer.end().map_err(|err| {
        let mut error = ScenarioError::at_path("", "unexpected text after the scenario");
        error.line = Some(err.line());
        error.column = Some(char_column(text, err.line(), err.column()));
        error
    })?;
    Ok(tree)
}

/// `T` from the tree of `text`; a problem names the field's path and the
/// line and column where its value starts.
fn from_tree<T: serde::de::DeserializeOwned>(
    text: &str,
    tree: &serde_json::Value,
) -> Result<T, ScenarioError> {
    read_part(text, tree, &[])
}

/// `T` from `part`, the value at field path `prefix` of the tree read
/// from `text` (a challenge's state inside a set file, read once the set
/// says which lab it is for); a problem names the whole path and the line
/// and column of the value in `text`.
pub fn read_part<T: serde::de::DeserializeOwned>(
    text: &str,
    part: &serde_json::Value,
    prefix: &[Step],
) -> Result<T, ScenarioError> {
    use serde_path_to_error::Segment;
    serde_path_to_error::deserialize(part).map_err(|err| {
        // serde_path_to_error has `?` for a place it could not name: the
        // known part of the path is kept.
        let path: Vec<Step> = prefix
            .iter()
            .cloned()
            .chain(err.path().iter().map_while(|segment| match segment {
                Segment::Seq { index } => Some(Step::Index(*index)),
                Segment::Map { key } => Some(Step::Key(key.clone())),
                Segment::Enum { variant } => Some(Step::Key(variant.clone())),
                Segment::Unknown => None,
            }))
            .collect();
        let message = strip_serde_position(&err.into_inner().to_string());
        let at = if message.starts_with("unknown field") {
            locate::key_at(text, &path)
        } else {
            locate::value_at(text, &path)
        };
        located(text, at, locate::path_text(&path), message)
    })
}

fn located(text: &str, at: usize, path: String, message: String) -> ScenarioError {
    let (line, column) = locate::line_column(text, at);
    let mut error = ScenarioError::at_path(path, message);
    error.line = Some(line);
    error.column = Some(column);
    error
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
