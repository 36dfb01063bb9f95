//! Where things are in a JSON text. Files are read through a
//! `serde_json::Value` (one decoder per type, which keeps the wasm small),
//! and a value knows nothing of its place in the text; this walk over the
//! text finds it again: the start of the value at a field path (for a type
//! error), the field path at a byte offset (for a syntax error), and the
//! first key that an object repeats (a `Value` keeps the last silently).
//!
//! The walk reads the text as JSON as far as it is JSON and stops quietly
//! where it is not; it allocates only the path and the keys it compares.

/// One step of a field path: an object's key or an array's index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A path as the errors write it: `tasks[0].segments[1].wait`.
pub fn path_text(path: &[Step]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
            }
            Step::Index(index) => {
                text.push('[');
                text.push_str(&index.to_string());
                text.push(']');
            }
        }
    }
    text
}

/// A path written as the errors write it (`challenges[2].check.p99`)
/// read back into its steps.
pub fn path_steps(path: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    for part in path.split('.').filter(|part| !part.is_empty()) {
        let (key, mut rest) = part
            .split_once('[')
            .map_or((part, ""), |(key, rest)| (key, rest));
        if !key.is_empty() {
            steps.push(Step::Key(key.to_owned()));
        }
        while let Some((index, after)) = rest.split_once(']') {
            if let Ok(index) = index.parse() {
                steps.push(Step::Index(index));
            }
            rest = after.strip_prefix('[').unwrap_or(after);
        }
    }
    steps
}

/// The byte offset where the value at `path` starts; where the text has
/// no such value, the start of the deepest value on the way to it.
pub fn value_at(text: &str, path: &[Step]) -> usize {
    find(text, path, false)
}

/// Where the key that ends `path` is written (an unknown field's name);
/// [`value_at`] for a path that does not end with a key.
pub fn key_at(text: &str, path: &[Step]) -> usize {
    find(text, path, true)
}

fn find(text: &str, path: &[Step], key: bool) -> usize {
    let mut walk = Walk::new(text, Goal::Path(path));
    walk.at_key = key;
    match walk.value() {
        Err(Halt::Found(at)) => at,
        _ => walk.best.map_or(0, |(_, at)| at),
    }
}

/// The path of the innermost field being read at byte `offset` (a syntax
/// error's place): `tasks[0].segments` at the end of
/// `{"tasks": [{"segments": [`.
pub fn path_at(text: &str, offset: usize) -> Vec<Step> {
    let mut walk = Walk::new(text, Goal::Offset(offset));
    let _ = walk.value();
    walk.path
}

/// The first key an object repeats: the byte offset of its second
/// appearance and its path (ending with the key).
pub fn first_repeated_key(text: &str) -> Option<(usize, Vec<Step>)> {
    let mut walk = Walk::new(text, Goal::RepeatedKey);
    match walk.value() {
        Err(Halt::Found(at)) => Some((at, walk.path)),
        _ => None,
    }
}

/// The 1-based line and character column of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// Deeper than serde_json reads (128); the walk never goes further.
const MAX_DEPTH: usize = 256;

enum Goal<'p> {
    Path(&'p [Step]),
    Offset(usize),
    RepeatedKey,
}

enum Halt {
    /// The goal, at this byte offset.
    Found(usize),
    /// The text stops being JSON here.
    Broken,
}

struct Walk<'t, 'p> {
    text: &'t str,
    at: usize,
    path: Vec<Step>,
    goal: Goal<'p>,
    /// For `Goal::Path`: the longest prefix of the path found so far.
    best: Option<(usize, usize)>,
    /// For `Goal::Path`: stop at the last key rather than at its value.
    at_key: bool,
}

impl<'t, 'p> Walk<'t, 'p> {
    fn new(text: &'t str, goal: Goal<'p>) -> Self {
        Walk {
            text,
            at: 0,
            path: Vec::new(),
            goal,
            best: None,
            at_key: false,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) -> Result<(), Halt> {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
        match self.goal {
            Goal::Offset(offset) if self.at >= offset => Err(Halt::Found(self.at)),
            _ => Ok(()),
        }
    }

    /// After a string or a scalar: whether the offset sought lay in it.
    fn passed(&self) -> Result<(), Halt> {
        match self.goal {
            Goal::Offset(offset) if self.at >= offset => Err(Halt::Found(self.at)),
            _ => Ok(()),
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), Halt> {
        self.skip_space()?;
        if self.peek() != Some(byte) {
            return Err(Halt::Broken);
        }
        self.at += 1;
        Ok(())
    }

    fn value(&mut self) -> Result<(), Halt> {
        self.skip_space()?;
        if let Goal::Path(goal) = self.goal
            && goal.starts_with(&self.path)
        {
            if goal.len() == self.path.len() {
                return Err(Halt::Found(self.at));
            }
            if self.best.is_none_or(|(len, _)| len < self.path.len()) {
                self.best = Some((self.path.len(), self.at));
            }
        }
        if self.path.len() > MAX_DEPTH {
            return Err(Halt::Broken);
        }
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => {
                self.string()?;
                self.passed()
            }
            Some(_) => {
                let start = self.at;
                while self.peek().is_some_and(|b| {
                    !matches!(b, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t')
                }) {
                    self.at += 1;
                }
                if self.at == start {
                    Err(Halt::Broken)
                } else {
                    self.passed()
                }
            }
            None => Err(Halt::Broken),
        }
    }

    fn object(&mut self) -> Result<(), Halt> {
        self.at += 1;
        self.skip_space()?;
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(());
        }
        let mut keys: Vec<String> = Vec::new();
        loop {
            self.skip_space()?;
            let key_at = self.at;
            if self.peek() != Some(b'"') {
                return Err(Halt::Broken);
            }
            let key = self.string()?;
            if matches!(self.goal, Goal::RepeatedKey) {
                if keys.contains(&key) {
                    self.path.push(Step::Key(key));
                    return Err(Halt::Found(key_at));
                }
                keys.push(key.clone());
            }
            self.expect(b':')?;
            self.path.push(Step::Key(key));
            if self.at_key
                && let Goal::Path(goal) = self.goal
                && goal == self.path.as_slice()
            {
                return Err(Halt::Found(key_at));
            }
            self.value()?;
            self.path.pop();
            if self.after_item(b'}')? {
                return Ok(());
            }
        }
    }

    fn array(&mut self) -> Result<(), Halt> {
        self.at += 1;
        self.skip_space()?;
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(());
        }
        for index in 0.. {
            self.path.push(Step::Index(index));
            self.value()?;
            self.path.pop();
            if self.after_item(b']')? {
                break;
            }
        }
        Ok(())
    }

    /// After an object's member or an array's item: a comma (more
    /// follow: false) or the closing `close` (the container ends: true).
    fn after_item(&mut self, close: u8) -> Result<bool, Halt> {
        self.skip_space()?;
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(false)
            }
            Some(byte) if byte == close => {
                self.at += 1;
                Ok(true)
            }
            _ => Err(Halt::Broken),
        }
    }

    /// A string from its opening quote, decoded (keys are compared as
    /// serde sees them).
    fn string(&mut self) -> Result<String, Halt> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.at..];
            let Some(stop) = rest.find(['"', '\\']) else {
                self.at = self.text.len();
                return Err(Halt::Broken);
            };
            out.push_str(&rest[..stop]);
            self.at += stop + 1;
            if rest.as_bytes()[stop] == b'"' {
                return Ok(out);
            }
            let escaped = self.text[self.at..].chars().next().ok_or(Halt::Broken)?;
            self.at += escaped.len_utf8();
            out.push(match escaped {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'u' => self.unicode_escape()?,
                other => other,
            });
        }
    }

    /// The character of a `\uXXXX` escape (after the `u`), joining a
    /// surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, Halt> {
        let high = self.hex4()?;
        if (0xD800..0xDC00).contains(&high) && self.text[self.at..].starts_with("\\u") {
            self.at += 2;
            let low = self.hex4()?;
            let joined = 0x10000 + ((high - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
            return Ok(char::from_u32(joined).unwrap_or('\u{FFFD}'));
        }
        Ok(char::from_u32(high).unwrap_or('\u{FFFD}'))
    }

    fn hex4(&mut self) -> Result<u32, Halt> {
        let digits = self.text.get(self.at..self.at + 4).ok_or(Halt::Broken)?;
        let value = u32::from_str_radix(digits, 16).map_err(|_| Halt::Broken)?;
        self.at += 4;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Step {
        Step::Key(k.to_owned())
    }

    #[test]
    fn finds_the_value_at_a_path() {
        let text =
            "{\"tasks\": [\n  {\"segments\": [{\"compute\": 10}, {\"wait\": \"fifty\"}]}\n]}";
        let path = [
            key("tasks"),
            Step::Index(0),
            key("segments"),
            Step::Index(1),
            key("wait"),
        ];
        let at = value_at(text, &path);
        assert!(text[at..].starts_with("\"fifty\""));
        assert_eq!(line_column(text, at), (2, 43));
        assert_eq!(path_text(&path), "tasks[0].segments[1].wait");
        // A path that goes further than the text: the deepest value on it.
        let deeper = [key("tasks"), Step::Index(0), key("nothing"), Step::Index(4)];
        assert!(text[value_at(text, &deeper)..].starts_with("{\"segments\""));
        assert_eq!(value_at(text, &[]), 0);
        // An unknown field: its name.
        let wait = &path[..];
        assert!(text[key_at(text, wait)..].starts_with("\"wait\": \"fifty\""));
        assert_eq!(key_at(text, &path[..2]), value_at(text, &path[..2]));
    }

    #[test]
    fn keys_are_compared_decoded() {
        let text = r#"{"a\"b": 1, "\u00e9t\u00e9": [true, {"x": 2}], "\ud83d\ude00": 3}"#;
        let at = value_at(text, &[key("été"), Step::Index(1), key("x")]);
        assert!(text[at..].starts_with('2'));
        assert!(text[value_at(text, &[key("a\"b")])..].starts_with('1'));
        assert!(text[value_at(text, &[key("😀")])..].starts_with('3'));
    }

    #[test]
    fn names_the_path_where_a_text_breaks() {
        let text = "{\"tasks\": [{\"segments\": [";
        assert_eq!(path_text(&path_at(text, text.len())), "tasks[0].segments");
        let text = r#"{"tasks": [{"segments": [{"compute": 1,}]}]}"#;
        let broken = text.find(",}").unwrap() + 1;
        assert_eq!(path_text(&path_at(text, broken)), "tasks[0].segments[0]");
        let text = r#"{"a": [1, 2, x]}"#;
        assert_eq!(path_text(&path_at(text, text.find('x').unwrap())), "a[2]");
        assert_eq!(path_at("", 0), Vec::new());
    }

    #[test]
    fn finds_a_repeated_key() {
        let text = r#"{"a": {"b": 1, "c": [{"d": 1, "d": 2}]}, "a": 3}"#;
        let (at, path) = first_repeated_key(text).unwrap();
        assert_eq!(path_text(&path), "a.c[0].d");
        assert_eq!(at, text.find("\"d\": 2").unwrap());
        assert_eq!(
            first_repeated_key(r#"{"a": {"a": {"a": 1}}, "b": [{"a": 1}, {"a": 2}]}"#),
            None
        );
        assert_eq!(first_repeated_key("[1, 2"), None);
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(line_column("été: x", "été: ".len()), (1, 6));
        assert_eq!(line_column("a\nbc\nd", 4), (2, 3));
        assert_eq!(line_column("a", 99), (1, 2));
    }
}
