//! What the Parallel lab's runs were measured on: the machine's cores as
//! the browser reports them, the browser (named from its user agent), and
//! how the page's workers ran.

use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;

/// The longest browser name kept.
pub const MAX_BROWSER_CHARS: usize = 64;

/// What the runs were measured on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Machine {
    /// Logical cores the browser reported.
    pub cores: u32,
    /// `Chrome 131`, from the user agent ([`browser_name`]).
    pub browser: String,
    pub mode: PoolMode,
}

/// How the page's workers ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PoolMode {
    /// A rayon pool sharing one wasm memory (cross-origin isolated page).
    SharedMemory,
    /// Workers with their own memory, chunks sent as messages.
    MessagePassing,
}

impl PoolMode {
    pub fn title(self) -> &'static str {
        match self {
            PoolMode::SharedMemory => "shared memory",
            PoolMode::MessagePassing => "message passing",
        }
    }
}

impl Machine {
    /// The machine of a page whose browser reports `cores` and
    /// `user_agent`, running its workers in `mode`.
    pub fn of(cores: usize, user_agent: &str, mode: PoolMode) -> Machine {
        Machine {
            cores: cores.clamp(1, 4096) as u32,
            browser: browser_name(user_agent),
            mode,
        }
    }

    pub(super) fn validate(&self, path: &str) -> Result<(), ScenarioError> {
        if !(1..=4096).contains(&self.cores) {
            return Err(ScenarioError::at_path(
                format!("{path}.cores"),
                format!("{} cores is outside 1..=4096", self.cores),
            ));
        }
        if self.browser.chars().count() > MAX_BROWSER_CHARS {
            return Err(ScenarioError::at_path(
                format!("{path}.browser"),
                format!("longer than {MAX_BROWSER_CHARS} characters"),
            ));
        }
        Ok(())
    }

    /// `8 cores, Chrome 131, shared memory`.
    pub fn describe(&self) -> String {
        format!(
            "{} core{}, {}, {}",
            self.cores,
            if self.cores == 1 { "" } else { "s" },
            self.browser,
            self.mode.title()
        )
    }
}

/// A short name for the browser of `user_agent`: `Chrome 131`, `Firefox
/// 133`, `Safari 17`, `Edge 131`; `a browser` when unknown.
pub fn browser_name(user_agent: &str) -> String {
    let version = |marker: &str| -> Option<String> {
        let rest = &user_agent[user_agent.find(marker)? + marker.len()..];
        let major: String = rest.chars().take_while(char::is_ascii_digit).collect();
        (!major.is_empty()).then_some(major)
    };
    let named = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chrome/", "Chrome"),
        ("CriOS/", "Chrome"),
        ("FxiOS/", "Firefox"),
    ];
    for (marker, name) in named {
        if let Some(major) = version(marker) {
            return format!("{name} {major}");
        }
    }
    if user_agent.contains("Safari/")
        && let Some(major) = version("Version/")
    {
        return format!("Safari {major}");
    }
    "a browser".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_named_from_the_user_agent() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                "Chrome 131",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36",
                "Headless Chrome 131",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
                "Edge 131",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                "Firefox 133",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
                "Safari 17",
            ),
            ("curl/8.0", "a browser"),
            ("", "a browser"),
        ];
        for (agent, name) in cases {
            assert_eq!(browser_name(agent), name, "{agent}");
        }
        assert_eq!(
            Machine::of(0, "", PoolMode::MessagePassing).describe(),
            "1 core, a browser, message passing"
        );
    }
}
