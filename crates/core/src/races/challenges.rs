//! Challenge sets: a teacher's ordered list of Races programs, each with a
//! goal to meet, hints shown one at a time and a message for the win. A
//! set is a small JSON file (`docs/challenge-sets.md`); the built-in
//! lessons with a goal form the first set.

use serde::{Deserialize, Serialize};

use super::{compile_source, lessons, limits};
use crate::error::ScenarioError;
use crate::input;

/// What a set file says it is, first thing in it.
pub const FORMAT: &str = "interleave-challenges/1";
/// Challenges in one set.
pub const MAX_CHALLENGES: usize = 50;
/// Hints of one challenge.
pub const MAX_HINTS: usize = 10;
/// Characters of a title, an introduction, a hint or a win message.
pub const MAX_TEXT_CHARS: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeSet {
    /// Always [`FORMAT`].
    pub format: String,
    pub title: String,
    pub challenges: Vec<Challenge>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    pub title: String,
    /// A Races program with a `goal` line.
    pub program: String,
    /// What to do, shown before the learner starts.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub intro: String,
    /// Shown one at a time, on request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// Shown when the goal is met.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub win: String,
}

impl ChallengeSet {
    /// Reads a set file: JSON, then every limit and every program (each
    /// must compile and have a goal), with where a problem is.
    pub fn parse(text: &str) -> Result<ChallengeSet, ScenarioError> {
        let set: ChallengeSet = input::parse_json(text, |_| None)?;
        set.validate()?;
        Ok(set)
    }

    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.format != FORMAT {
            return Err(ScenarioError::at_path(
                "format",
                format!("this is not a challenge set: format is {:?}", self.format),
            )
            .with_hint(format!("a set starts with \"format\": \"{FORMAT}\"")));
        }
        text_fits("title", &self.title)?;
        if self.challenges.is_empty() || self.challenges.len() > MAX_CHALLENGES {
            return Err(ScenarioError::at_path(
                "challenges",
                format!(
                    "a set has 1 to {MAX_CHALLENGES} challenges, found {}",
                    self.challenges.len()
                ),
            ));
        }
        for (idx, challenge) in self.challenges.iter().enumerate() {
            challenge
                .validate()
                .map_err(|err| err.within(&format!("challenges[{idx}]")))?;
        }
        Ok(())
    }

    /// The built-in lessons that have a goal, in order.
    pub fn builtin() -> ChallengeSet {
        let challenges = lessons::LESSONS
            .iter()
            .filter(|lesson| lesson.source.lines().any(|line| line.starts_with("goal ")))
            .map(|lesson| Challenge {
                title: lesson.title.to_owned(),
                program: lesson.source.to_owned(),
                intro: lesson.intro.to_owned(),
                hints: Vec::new(),
                win: lesson.takeaway.to_owned(),
            })
            .collect();
        ChallengeSet {
            format: FORMAT.to_owned(),
            title: "Interleave's lessons".to_owned(),
            challenges,
        }
    }

    /// A name for this set that stays the same while its text does, to
    /// keep a learner's progress under (FNV-1a of its JSON, in hex).
    pub fn id(&self) -> String {
        let json = serde_json::to_string(self).expect("a set serialises");
        let hash = json.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("{hash:016x}")
    }
}

impl Challenge {
    fn validate(&self) -> Result<(), ScenarioError> {
        text_fits("title", &self.title)?;
        text_fits("intro", &self.intro)?;
        text_fits("win", &self.win)?;
        if self.hints.len() > MAX_HINTS {
            return Err(ScenarioError::at_path(
                "hints",
                format!(
                    "a challenge has at most {MAX_HINTS} hints, found {}",
                    self.hints.len()
                ),
            ));
        }
        for (idx, hint) in self.hints.iter().enumerate() {
            text_fits(&format!("hints[{idx}]"), hint)?;
        }
        if self.program.len() > limits::MAX_SOURCE_BYTES {
            return Err(ScenarioError::at_path(
                "program",
                format!(
                    "the program is {} bytes; the most is {}",
                    self.program.len(),
                    limits::MAX_SOURCE_BYTES
                ),
            ));
        }
        // The program's own line:column goes into the message: the file's
        // would be somewhere else.
        let program = compile_source(&self.program).map_err(|err| err.inside("program"))?;
        if program.goal.is_none() {
            return Err(
                ScenarioError::at_path("program", "a challenge's program needs a goal")
                    .with_hint("end it with a goal line, e.g. goal assert or goal deadlock"),
            );
        }
        Ok(())
    }
}

fn text_fits(path: &str, text: &str) -> Result<(), ScenarioError> {
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(ScenarioError::at_path(
            path,
            format!("{chars} characters; the most is {MAX_TEXT_CHARS}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_with(challenge: &str) -> String {
        format!(
            "{{\n  \"format\": \"{FORMAT}\",\n  \"title\": \"Week 3\",\n  \"challenges\": [\n    {challenge}\n  ]\n}}"
        )
    }

    const LOST: &str = r#"{"title": "Lost update", "program": "shared x = 0\nthread A { x = x + 1 }\nthread B { x = x + 1 }\nafter { assert(x == 2) }\ngoal assert\n", "hints": ["Both read first."], "win": "One update is lost."}"#;

    #[test]
    fn a_set_file_reads_with_its_challenges_in_order() {
        let set = ChallengeSet::parse(&set_with(LOST)).unwrap();
        assert_eq!(set.title, "Week 3");
        assert_eq!(set.challenges[0].hints, ["Both read first."]);
        assert_eq!(set.challenges[0].intro, "");
        // Its id is stable and follows its text.
        assert_eq!(set.id(), set.clone().id());
        let mut other = set.clone();
        other.title.push('!');
        assert_ne!(set.id(), other.id());
    }

    #[test]
    fn bad_sets_say_where_and_what() {
        let error = |text: &str| ChallengeSet::parse(text).unwrap_err().to_string();
        assert_eq!(
            error(&set_with(
                &LOST.replace("\"title\": \"Lost update\"", "\"name\": \"x\"")
            )),
            "5:6 challenges[0].name: unknown field `name`, expected one of `title`, `program`, `intro`, `hints`, `win`"
        );
        assert_eq!(
            error(&set_with(&LOST.replace("goal assert\\n", ""))),
            "challenges[0].program: a challenge's program needs a goal (hint: end it with a goal line, e.g. goal assert or goal deadlock)"
        );
        assert_eq!(
            error(&set_with(
                &LOST.replace("x = x + 1 }\\nthread B", "x = y + 1 }\\nthread B")
            )),
            "challenges[0].program: 2:16: unknown name 'y' (hint: assign it first, or declare it: shared y = 0)"
        );
        assert_eq!(
            error(&set_with(LOST).replace(FORMAT, "interleave-scenario")),
            "format: this is not a challenge set: format is \"interleave-scenario\" (hint: a set starts with \"format\": \"interleave-challenges/1\")"
        );
        let many = ["\"h\""; MAX_HINTS + 1].join(", ");
        assert_eq!(
            error(&set_with(
                &LOST.replace("[\"Both read first.\"]", &format!("[{many}]"))
            )),
            "challenges[0].hints: a challenge has at most 10 hints, found 11"
        );
        let long = "a".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            error(&set_with(&LOST.replace("One update is lost.", &long))),
            "challenges[0].win: 2001 characters; the most is 2000"
        );
        assert_eq!(
            error(&set_with("").replace("[\n    \n  ]", "[]")),
            "challenges: a set has 1 to 50 challenges, found 0"
        );
    }

    #[test]
    fn the_builtin_set_holds_every_lesson_with_a_goal_and_is_valid() {
        let set = ChallengeSet::builtin();
        set.validate().unwrap();
        let with_goal = lessons::LESSONS
            .iter()
            .filter(|lesson| compile_source(lesson.source).unwrap().goal.is_some())
            .count();
        assert_eq!(set.challenges.len(), with_goal);
        assert!(with_goal >= 10, "{with_goal}");
        // It goes through its own file format unchanged.
        let text = serde_json::to_string_pretty(&set).unwrap();
        assert_eq!(ChallengeSet::parse(&text).unwrap(), set);
    }
}
