//! Located errors for everything read from outside: scenario files and links.

use std::fmt;

/// A problem in a scenario, with where it is and how to fix it.
///
/// `line`/`column` are 1-based and present for syntax and type errors;
/// `path` is the field path (`tasks[0].segments[1].compute`), empty for the
/// document itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
}

impl ScenarioError {
    pub fn at_path(path: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError {
            line: None,
            column: None,
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same error inside the field `prefix`: `chunk` becomes
    /// `spec.chunk`.
    pub fn within(mut self, prefix: &str) -> Self {
        self.path = if self.path.is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix}.{}", self.path)
        };
        self
    }

    /// The error of a text held in the field `path` of a file (a
    /// program inside a challenge): the text's own line:column goes into
    /// the message, since the file's would be somewhere else.
    pub fn inside(self, path: &str) -> Self {
        let at = match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{line}:{column}: "),
            _ => String::new(),
        };
        ScenarioError {
            hint: self.hint,
            ..ScenarioError::at_path(path, format!("{at}{}", self.message))
        }
    }

    /// `4:21` or `tasks[0].compute` or both, whichever is known.
    pub fn location(&self) -> String {
        let mut out = String::new();
        if let (Some(line), Some(column)) = (self.line, self.column) {
            out.push_str(&format!("{line}:{column}"));
        }
        if !self.path.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&self.path);
        }
        out
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = self.location();
        if location.is_empty() {
            write!(f, "{}", self.message)?;
        } else {
            write!(f, "{location}: {}", self.message)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}
