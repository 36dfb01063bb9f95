//! Challenges in every lab, in one format: `interleave-challenges/2`.
//!
//! A challenge names its lab, holds that lab's starting state (what a
//! link of the lab carries) and a check the lab defines ([`Checks`]),
//! of one of three kinds ([`Kind`]):
//! - **goal**: make something happen (a Races assertion fail, an Event
//!   loop console print a given order);
//! - **predict**: answer before the result is shown ([`AnswerForm`] says
//!   what the answer is: a number within a tolerance, a choice, a set of
//!   whole numbers, an order of lines), then see it beside the computed
//!   one with the lab's explanation;
//! - **target**: change the lab until a condition holds.
//!
//! A set is read in two steps: [`ChallengeSet::parse`] checks the file's
//! shape, limits and texts, and [`Challenge::pose`] reads one challenge
//! as its lab's types and checks it there; a page does that for its own
//! lab's challenges, and the module `sets` does it for every lab (the CLI,
//! the tests). A challenge may carry a reference solution (a state or an
//! answer): [`prove`] shows it wins, and that the start does not.
//!
//! A learner's [`Progress`] (wins, predictions with the computed answer,
//! and when) is kept by the page and handed in as a small JSON file.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::ScenarioError;
use crate::input::locate::Step;
use crate::labs::{Lab, LabId};

/// What a set file says it is, first thing in it.
pub const FORMAT: &str = "interleave-challenges/2";
/// The format of the Races lab's first sets, which still open.
pub const FORMAT_V1: &str = "interleave-challenges/1";
/// What a progress file says it is.
pub const PROGRESS_FORMAT: &str = "interleave-progress/1";
/// Challenges in one set.
pub const MAX_CHALLENGES: usize = 50;
/// Hints of one challenge.
pub const MAX_HINTS: usize = 10;
/// Characters of a title, an introduction, a hint or a win message.
pub const MAX_TEXT_CHARS: usize = 2_000;
/// Lines, options or values in one answer or check.
pub const MAX_ITEMS: usize = 30;
/// Characters of one line, option or kept text.
pub const MAX_ITEM_CHARS: usize = 200;
/// A set file or a progress file, in bytes.
pub const MAX_FILE_BYTES: usize = crate::share::MAX_STATE_BYTES;

/// What a challenge asks of the learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Goal,
    Predict,
    Target,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Goal, Kind::Predict, Kind::Target];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Goal => "goal",
            Kind::Predict => "predict",
            Kind::Target => "target",
        }
    }

    /// `a goal`, `a prediction`, `a target`, as sentences say it.
    pub fn a(self) -> &'static str {
        match self {
            Kind::Goal => "a goal",
            Kind::Predict => "a prediction",
            Kind::Target => "a target",
        }
    }
}

/// An answer to a prediction, as a file and the page's form hold it: a
/// number, whole numbers, lines, or a choice.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Number(f64),
    Integers(Vec<i64>),
    Lines(Vec<String>),
    Choice(String),
}

impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Answer::from_value(&value).map_err(serde::de::Error::custom)
    }
}

impl Answer {
    /// An answer from its JSON: a number, a list of whole numbers, a list
    /// of lines, or a choice's text.
    pub fn from_value(value: &serde_json::Value) -> Result<Answer, String> {
        use serde_json::Value;
        let wrong = || {
            "an answer is a number, a list of whole numbers, a list of lines or a choice".to_owned()
        };
        match value {
            Value::Number(number) => number
                .as_f64()
                .filter(|value| value.is_finite())
                .map(Answer::Number)
                .ok_or_else(wrong),
            Value::String(text) => Ok(Answer::Choice(text.clone())),
            Value::Array(items) if items.len() > MAX_ITEMS => {
                Err(format!("at most {MAX_ITEMS} items"))
            }
            Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_string) => {
                Ok(Answer::Lines(
                    items
                        .iter()
                        .filter_map(|item| item.as_str().map(str::to_owned))
                        .collect(),
                ))
            }
            Value::Array(items) => items
                .iter()
                .map(|item| item.as_i64().ok_or_else(wrong))
                .collect::<Result<Vec<i64>, String>>()
                .map(Answer::Integers),
            _ => Err(wrong()),
        }
    }

    /// The answer in words: `120`, `1, 2`, `A, then B`, `async, 4 threads`.
    pub fn text(&self) -> String {
        match self {
            Answer::Number(value) => number_text(*value),
            Answer::Integers(values) => values
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            Answer::Lines(lines) => lines.join(" / "),
            Answer::Choice(choice) => choice.clone(),
        }
    }
}

/// What a prediction's answer is: the page draws its form from this, and
/// an answer is read against it.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerForm {
    /// A number, right within `tolerance` either side.
    Number {
        unit: String,
        tolerance: f64,
        /// Whether the tolerance is a share of the computed value (0.1 is
        /// 10 %) instead of an amount in `unit`.
        relative: bool,
    },
    /// One of `options`.
    Choice { options: Vec<String> },
    /// Every value that can happen, as whole numbers.
    Integers,
    /// `lines` put in order (they are given shuffled).
    Order { lines: Vec<String> },
}

impl AnswerForm {
    /// Reads what a learner typed (a number, `1, 2, 3`) as this form's
    /// answer, or says what was expected.
    pub fn read_text(&self, text: &str) -> Result<Answer, String> {
        let text = text.trim();
        match self {
            AnswerForm::Number { .. } => match text.parse::<f64>() {
                Ok(value) if value.is_finite() => Ok(Answer::Number(value)),
                _ => Err(format!("{text:?} is not a number")),
            },
            AnswerForm::Integers => {
                let values: Result<Vec<i64>, String> = text
                    .split([',', ' ', ';'])
                    .filter(|part| !part.is_empty())
                    .map(|part| {
                        part.parse::<i64>()
                            .map_err(|_| format!("{part:?} is not a whole number"))
                    })
                    .collect();
                let answer = Answer::Integers(values?);
                self.accepts(&answer).map(|()| answer)
            }
            AnswerForm::Choice { .. } => {
                let answer = Answer::Choice(text.to_owned());
                self.accepts(&answer).map(|()| answer)
            }
            AnswerForm::Order { .. } => Err("put the lines in order".to_owned()),
        }
    }

    /// Whether `answer` is what this form asks for: an answer field takes
    /// nothing else.
    pub fn accepts(&self, answer: &Answer) -> Result<(), String> {
        match (self, answer) {
            (AnswerForm::Number { .. }, Answer::Number(value)) if value.is_finite() => Ok(()),
            (AnswerForm::Number { .. }, _) => Err("the answer is a number".to_owned()),
            (AnswerForm::Choice { options }, Answer::Choice(choice)) => {
                if options.contains(choice) {
                    Ok(())
                } else {
                    Err(format!(
                        "{choice:?} is not one of the choices: {}",
                        options.join(", ")
                    ))
                }
            }
            (AnswerForm::Choice { .. }, _) => Err("the answer is one of the choices".to_owned()),
            (AnswerForm::Integers, Answer::Integers(values)) => {
                if values.is_empty() || values.len() > MAX_ITEMS {
                    Err(format!("give 1 to {MAX_ITEMS} whole numbers"))
                } else {
                    Ok(())
                }
            }
            (AnswerForm::Integers, _) => Err("the answer is a list of whole numbers".to_owned()),
            (AnswerForm::Order { lines }, Answer::Lines(answer)) => {
                let mut given = answer.clone();
                let mut wanted = lines.clone();
                given.sort();
                wanted.sort();
                if given == wanted {
                    Ok(())
                } else {
                    Err("the answer orders exactly the lines given, each once".to_owned())
                }
            }
            (AnswerForm::Order { .. }, _) => Err("the answer is the lines, in order".to_owned()),
        }
    }
}

/// A number as the answers show it: `120`, `3.33`, `0.5`.
pub fn number_text(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// Whether a number is within a tolerance of the computed one.
pub fn within(answer: f64, computed: f64, tolerance: f64, relative: bool) -> bool {
    let allowed = if relative {
        tolerance * computed.abs()
    } else {
        tolerance
    };
    (answer - computed).abs() <= allowed + 1e-9 * computed.abs().max(1.0)
}

/// `±5 ms` or `±10 %`.
pub fn tolerance_text(tolerance: f64, relative: bool, unit: &str) -> String {
    if relative {
        format!("±{} %", number_text(tolerance * 100.0))
    } else if unit.is_empty() {
        format!("±{}", number_text(tolerance))
    } else {
        format!("±{} {unit}", number_text(tolerance))
    }
}

/// What a check says of a state (and, for a prediction, of an answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The goal or target is met; the prediction is right.
    Met,
    /// Not met; wrong.
    NotMet,
    /// It cannot be told yet: a search stopped early, a measurement is
    /// missing. The page says so and claims nothing.
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub verdict: Verdict,
    /// The figure the check is about, as computed: `makespan 120 ms`.
    pub computed: String,
    /// Why, in the lab's own words.
    pub explanation: String,
    /// A prediction's right answer, as computed (none for a goal, a
    /// target, or a figure not known yet).
    pub answer: Option<Answer>,
}

impl Judgement {
    pub fn met(&self) -> bool {
        self.verdict == Verdict::Met
    }
}

/// A lab's checks for challenges: defined with the lab, evaluated in
/// the core (natively for the CLI and tests, in the page's module).
pub trait Checks: Lab {
    type Check: Clone + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned + 'static;

    /// Which kind of challenge `check` is.
    fn kind_of(check: &Self::Check) -> Kind;

    /// What a challenge's starting state needs beyond what a link's
    /// does (a program that compiles, where a link may hold one being
    /// typed).
    fn validate_start(_start: &Self) -> Result<(), ScenarioError> {
        Ok(())
    }

    /// Checks `check` against the challenge's starting state: the
    /// variable, the configuration, the server model it names exists, its
    /// numbers are in range, it can be computed within the lab's limits.
    fn validate_check(check: &Self::Check, start: &Self) -> Result<(), ScenarioError>;

    /// What the challenge asks, in one sentence.
    fn asks(check: &Self::Check, start: &Self) -> String;

    /// A prediction's form; `None` for goals and targets.
    fn form(check: &Self::Check, start: &Self) -> Option<AnswerForm>;

    /// Judges the learner's state `now` (a goal, a target), or `answer`
    /// (a prediction), for the challenge that started at `start`.
    fn judge(check: &Self::Check, start: &Self, now: &Self, answer: Option<&Answer>) -> Judgement;

    /// What a learner is shown of the start before committing a
    /// prediction (the lab itself would show the result).
    fn brief(start: &Self) -> Brief;

    /// The lab's built-in set.
    fn builtin_set() -> ChallengeSet;

    /// Whether the figure is measured on the learner's machine (the
    /// Parallel lab's timings): judged against that measurement, and no
    /// reference can be played here.
    fn measured(_check: &Self::Check) -> bool {
        false
    }

    /// The checks a teacher may pick for the state shown ("Make a
    /// challenge from this"), each with its kind: its figures, with
    /// tolerances to edit.
    fn offered(state: &Self) -> Vec<Self::Check>;
}

/// The start of a prediction as text: what it is about, without the
/// result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Brief {
    /// Sentences or list items.
    pub lines: Vec<String>,
    /// A program, shown as code.
    pub code: Option<String>,
}

/// A set as its file holds it. Each challenge's state, check and solution
/// stay JSON until [`Challenge::pose`] reads them as its lab's types.
/// Read by hand from the JSON tree (`read`): the same located errors as
/// the crate's other files, without a decoder per type in every page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChallengeSet {
    /// Always [`FORMAT`].
    pub format: String,
    pub title: String,
    pub challenges: Vec<Challenge>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Challenge {
    /// The lab's name: `models`, `races`.
    pub lab: String,
    pub kind: Kind,
    pub title: String,
    /// What to do, shown before the learner starts.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub intro: String,
    /// Shown one at a time, on request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// Shown when it is won.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub win: String,
    /// The lab's starting state, as its link holds it.
    pub state: serde_json::Value,
    /// The lab's check.
    pub check: serde_json::Value,
    /// A reference solution: `{"state": ...}` for a goal or a target,
    /// `{"answer": ...}` for a prediction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solution: Option<serde_json::Value>,
}

/// A challenge read as its lab's types and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Posed<L: Checks> {
    pub start: L,
    pub check: L::Check,
    pub solution: Option<Solution<L>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", bound = "L: Lab")]
pub enum Solution<L> {
    State(L),
    Answer(Answer),
}

impl ChallengeSet {
    /// Reads a set file: its size first, then the JSON, then every
    /// limit, lab name and text, with where a problem is. Each
    /// challenge's lab-specific parts are read by [`Challenge::pose`].
    pub fn parse(text: &str) -> Result<ChallengeSet, ScenarioError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(ScenarioError::at_path(
                "",
                format!(
                    "the file is {} bytes; a challenge set is at most {MAX_FILE_BYTES}",
                    text.len()
                ),
            ));
        }
        let tree = crate::input::read_checked_tree(text)?;
        let set = read::set(&tree).map_err(|err| crate::input::place(text, err))?;
        set.validate()
            .map_err(|err| crate::input::place(text, err))?;
        Ok(set)
    }

    /// The limits and texts of a set (not its labs' parts).
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.format != FORMAT {
            let newer = self
                .format
                .strip_prefix("interleave-challenges/")
                .and_then(|version| version.parse::<u32>().ok())
                .is_some_and(|version| version > 2);
            let message = if newer {
                format!(
                    "{:?} was written by a newer Interleave: reload the page to update it",
                    self.format
                )
            } else {
                format!("this is not a challenge set: format is {:?}", self.format)
            };
            return Err(ScenarioError::at_path("format", message)
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

    /// A set of `challenges` titled `title`.
    pub fn new(title: &str, challenges: Vec<Challenge>) -> ChallengeSet {
        ChallengeSet {
            format: FORMAT.to_owned(),
            title: title.to_owned(),
            challenges,
        }
    }

    /// A name for this set that stays the same while its text does, to
    /// keep a learner's progress under (FNV-1a of its JSON, in hex).
    pub fn id(&self) -> String {
        let json = serde_json::to_string(self).expect("a set serialises");
        format!("{:016x}", fnv(json.as_bytes()))
    }

    /// The set as a file (pretty JSON).
    pub fn to_file(&self) -> String {
        serde_json::to_string_pretty(self).expect("a set serialises")
    }

    /// The set packed for an address (`v1.…`, as links pack states).
    pub fn to_link(&self) -> String {
        crate::share::pack(&serde_json::to_vec(self).expect("a set serialises"))
    }

    /// A set read back from [`ChallengeSet::to_link`]'s text, checked as
    /// a file is.
    pub fn from_link(text: &str) -> Result<ChallengeSet, ScenarioError> {
        let json = crate::share::unpack(text)
            .map_err(|err| ScenarioError::at_path("", format!("this set's link: {err}")))?;
        let tree = crate::input::read_checked_tree(&json).map_err(|mut err| {
            // A place in a link's hidden JSON means nothing to its reader.
            err.line = None;
            err.column = None;
            err
        })?;
        let set = read::set(&tree)?;
        set.validate()?;
        Ok(set)
    }

    /// The challenges of lab `lab`, with their places in the set.
    pub fn of_lab(&self, lab: LabId) -> impl Iterator<Item = (usize, &Challenge)> {
        self.challenges
            .iter()
            .enumerate()
            .filter(move |(_, challenge)| challenge.lab == lab.name())
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Challenge {
    /// A challenge of lab `L` from its typed parts (the built-in sets, a
    /// teacher's "Make a challenge from this").
    pub fn new<L: Checks>(
        title: &str,
        start: &L,
        check: &L::Check,
        solution: Option<Solution<L>>,
    ) -> Challenge {
        let json = |value: &dyn erased::Json| value.json();
        Challenge {
            lab: L::ID.name().to_owned(),
            kind: L::kind_of(check),
            title: title.to_owned(),
            intro: String::new(),
            hints: Vec::new(),
            win: String::new(),
            state: json(start),
            check: json(check),
            solution: solution.map(|solution| json(&solution)),
        }
    }

    /// The same challenge with its texts: what to do, hints, the win.
    pub fn with_texts(mut self, intro: &str, hints: &[&str], win: &str) -> Challenge {
        intro.clone_into(&mut self.intro);
        self.hints = hints.iter().map(|hint| (*hint).to_owned()).collect();
        win.clone_into(&mut self.win);
        self
    }

    /// The lab it is for (checked by [`ChallengeSet::validate`]).
    pub fn lab_id(&self) -> Option<LabId> {
        LabId::from_name(&self.lab)
    }

    fn validate(&self) -> Result<(), ScenarioError> {
        if self.lab_id().is_none() {
            let names: Vec<&str> = LabId::ALL.iter().map(|lab| lab.name()).collect();
            return Err(ScenarioError::at_path(
                "lab",
                format!(
                    "there is no lab {:?}",
                    self.lab.chars().take(40).collect::<String>()
                ),
            )
            .with_hint(format!("one of {}", names.join(", "))));
        }
        text_fits("title", &self.title)?;
        if self.title.trim().is_empty() {
            return Err(ScenarioError::at_path("title", "a challenge needs a title"));
        }
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
        Ok(())
    }

    /// Reads this challenge (number `idx` of its set) as lab `L`'s state,
    /// check and solution, and checks them: the state as a link's is, the
    /// check against it, the solution's kind against the challenge's.
    /// `text` is the set file's text, when there is one, for the line and
    /// column of a problem.
    pub fn pose<L: Checks>(
        &self,
        idx: usize,
        text: Option<&str>,
    ) -> Result<Posed<L>, ScenarioError> {
        // A problem found after reading (a check's number out of range)
        // has a path: its place in the file follows from it.
        self.pose_unplaced(idx, text).map_err(|err| match text {
            Some(text) => crate::input::place(text, err),
            None => err,
        })
    }

    fn pose_unplaced<L: Checks>(
        &self,
        idx: usize,
        text: Option<&str>,
    ) -> Result<Posed<L>, ScenarioError> {
        let at = format!("challenges[{idx}]");
        if self.lab != L::ID.name() {
            return Err(ScenarioError::at_path(
                format!("{at}.lab"),
                format!(
                    "this challenge is for {}, not {}",
                    self.lab,
                    L::ID.the_lab()
                ),
            ));
        }
        fn read<T: DeserializeOwned>(
            text: Option<&str>,
            value: &serde_json::Value,
            idx: usize,
            field: &str,
        ) -> Result<T, ScenarioError> {
            let mut prefix = vec![Step::Key("challenges".into()), Step::Index(idx)];
            prefix.extend(field.split('.').map(|key| Step::Key(key.into())));
            match text {
                Some(text) => crate::input::read_part(text, value, &prefix),
                // A place in a link's hidden JSON means nothing to its reader.
                None => crate::input::read_part("", value, &prefix).map_err(|mut err| {
                    err.line = None;
                    err.column = None;
                    err
                }),
            }
        }
        let start: L = read(text, &self.state, idx, "state")?;
        start
            .validate()
            .map_err(|err| err.within(&format!("{at}.state")))?;
        L::validate_start(&start).map_err(|err| err.within(&format!("{at}.state")))?;
        let check: L::Check = read(text, &self.check, idx, "check")?;
        let kind = L::kind_of(&check);
        if kind != self.kind {
            return Err(ScenarioError::at_path(
                format!("{at}.check"),
                format!(
                    "this check is {} but the challenge's kind is {:?}",
                    kind.a(),
                    self.kind.name()
                ),
            )
            .with_hint(format!("set \"kind\": \"{}\"", kind.name())));
        }
        // A check is `{"makespan": {...}}` or `"first_to_finish"`: its
        // fields are under its name.
        let within = match self
            .check
            .as_object()
            .map(|fields| fields.keys().collect::<Vec<_>>())
        {
            Some(keys) if keys.len() == 1 => format!("{at}.check.{}", keys[0]),
            _ => format!("{at}.check"),
        };
        L::validate_check(&check, &start).map_err(|err| err.within(&within))?;
        let solution = match &self.solution {
            None => None,
            Some(value) => {
                let solution: Solution<L> = match value
                    .as_object()
                    .map(|fields| fields.iter().collect::<Vec<_>>())
                    .as_deref()
                {
                    Some([(key, state)]) if key.as_str() == "state" => {
                        Solution::State(read(text, state, idx, "solution.state")?)
                    }
                    Some([(key, answer)]) if key.as_str() == "answer" => {
                        Solution::Answer(Answer::from_value(answer).map_err(|why| {
                            ScenarioError::at_path(format!("{at}.solution.answer"), why)
                        })?)
                    }
                    _ => {
                        return Err(ScenarioError::at_path(
                            format!("{at}.solution"),
                            "a solution is {\"state\": ...} or {\"answer\": ...}",
                        ));
                    }
                };
                match (&solution, kind) {
                    (Solution::State(state), Kind::Goal | Kind::Target) => state
                        .validate()
                        .map_err(|err| err.within(&format!("{at}.solution.state")))?,
                    (Solution::Answer(answer), Kind::Predict) => {
                        let form = L::form(&check, &start).expect("a prediction has a form");
                        form.accepts(answer).map_err(|why| {
                            ScenarioError::at_path(format!("{at}.solution.answer"), why)
                        })?;
                    }
                    (Solution::State(_), Kind::Predict) => {
                        return Err(ScenarioError::at_path(
                            format!("{at}.solution"),
                            "a prediction's solution is an answer",
                        )
                        .with_hint("\"solution\": {\"answer\": ...}"));
                    }
                    (Solution::Answer(_), _) => {
                        return Err(ScenarioError::at_path(
                            format!("{at}.solution"),
                            format!("{}'s solution is a state", kind.a()),
                        )
                        .with_hint("\"solution\": {\"state\": ...}"));
                    }
                }
                Some(solution)
            }
        };
        Ok(Posed {
            start,
            check,
            solution,
        })
    }
}

/// What [`prove`] found of a challenge's reference solution.
#[derive(Debug, Clone, PartialEq)]
pub struct Proof {
    /// What the challenge asks.
    pub asks: String,
    /// The computed figure at the start (a goal, a target) or the
    /// computed answer (a prediction).
    pub computed: String,
    /// `won by its solution`, or why it could not be played.
    pub solution: String,
}

/// Proves a posed challenge: a goal or target is not met at its start,
/// and its solution (when it has one) meets it; a prediction's solution
/// is right. A figure measured on the learner's machine cannot be played
/// here, which the proof says.
pub fn prove<L: Checks>(posed: &Posed<L>, at: &str) -> Result<Proof, ScenarioError> {
    let Posed {
        start,
        check,
        solution,
    } = posed;
    let asks = L::asks(check, start);
    let kind = L::kind_of(check);
    let fail = |message: String| Err(ScenarioError::at_path(at.to_owned(), message));
    if L::measured(check) {
        return Ok(Proof {
            asks,
            computed: "measured on the learner's machine".to_owned(),
            solution: "judged against the learner's own measurement; nothing to play here"
                .to_owned(),
        });
    }
    let computed = if kind == Kind::Predict {
        let form = L::form(check, start).expect("a prediction has a form");
        // Any answer the form takes gives the computed figure.
        let probe = match (&solution, &form) {
            (Some(Solution::Answer(answer)), _) => answer.clone(),
            (_, AnswerForm::Number { .. }) => Answer::Number(0.0),
            (_, AnswerForm::Choice { options }) => Answer::Choice(options[0].clone()),
            (_, AnswerForm::Integers) => Answer::Integers(vec![0]),
            (_, AnswerForm::Order { lines }) => Answer::Lines(lines.clone()),
        };
        let judged = L::judge(check, start, start, Some(&probe));
        if judged.verdict == Verdict::Unknown {
            return fail(format!(
                "its answer cannot be computed: {}",
                judged.explanation
            ));
        }
        // The computed answer, given back, is right: what the page tells a
        // learner is the answer agrees with how it judges one.
        let Some(right) = &judged.answer else {
            return fail("its check computes no answer".to_owned());
        };
        if form.accepts(right).is_err() || !L::judge(check, start, start, Some(right)).met() {
            return fail(format!(
                "its computed answer {} does not meet its own check",
                right.text()
            ));
        }
        judged.computed
    } else {
        let judged = L::judge(check, start, start, None);
        match judged.verdict {
            Verdict::Met => {
                return fail(format!(
                    "{} is already met at its start: {}",
                    kind.a(),
                    judged.explanation
                ));
            }
            Verdict::Unknown => {
                return fail(format!(
                    "it cannot be judged at its start: {}",
                    judged.explanation
                ));
            }
            Verdict::NotMet => {}
        }
        judged.computed
    };
    let solution = match solution {
        None => "no reference solution".to_owned(),
        Some(Solution::State(state)) => {
            let judged = L::judge(check, start, state, None);
            if !judged.met() {
                return fail(format!(
                    "its solution does not win it: {} ({})",
                    judged.explanation, judged.computed
                ));
            }
            "won by its solution".to_owned()
        }
        Some(Solution::Answer(answer)) => {
            let judged = L::judge(check, start, start, Some(answer));
            if !judged.met() {
                return fail(format!(
                    "its solution's answer {} is not right: {}",
                    answer.text(),
                    judged.computed
                ));
            }
            format!("answered {} by its solution, right", answer.text())
        }
    };
    Ok(Proof {
        asks,
        computed,
        solution,
    })
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

/// Checks a list of short texts (lines, options, kept texts) at `path`.
pub fn items_fit(path: &str, items: &[String], at_least: usize) -> Result<(), ScenarioError> {
    if items.len() < at_least || items.len() > MAX_ITEMS {
        return Err(ScenarioError::at_path(
            path,
            format!("{} items; give {at_least} to {MAX_ITEMS}", items.len()),
        ));
    }
    for (idx, item) in items.iter().enumerate() {
        let chars = item.chars().count();
        if chars > MAX_ITEM_CHARS {
            return Err(ScenarioError::at_path(
                format!("{path}[{idx}]"),
                format!("{chars} characters; the most is {MAX_ITEM_CHARS}"),
            ));
        }
    }
    Ok(())
}

/// Checks a tolerance at `path`: finite, not negative, and a share at
/// most 1 when relative.
pub fn tolerance_fits(path: &str, tolerance: f64, relative: bool) -> Result<(), ScenarioError> {
    let most = if relative { 1.0 } else { 1e9 };
    if !(0.0..=most).contains(&tolerance) {
        return Err(
            ScenarioError::at_path(path, format!("{tolerance} is outside 0..={most}")).with_hint(
                if relative {
                    "a relative tolerance is a share: 0.1 is 10 %"
                } else {
                    "a tolerance is an amount in the figure's unit"
                },
            ),
        );
    }
    Ok(())
}

/// One challenge's record in a learner's progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Its place in the set.
    pub at: usize,
    pub title: String,
    pub lab: String,
    pub kind: Kind,
    pub won: bool,
    /// When it was won or answered (the browser's clock, ISO 8601).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub when: String,
    /// A prediction's answer, as committed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    /// The computed answer it was compared with.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub computed: String,
}

/// What the lab's page keeps of one challenge in this browser, under its
/// own key (the set's id and the challenge's place): won or not, a
/// prediction's answer and the computed one, and when. Kept as a few
/// lines of text, so a lab's page needs no reader beyond this one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    pub won: bool,
    /// When it was won or answered (the browser's clock, ISO 8601).
    pub when: String,
    pub answer: Option<Answer>,
    /// The computed answer it was compared with; empty while not known.
    pub computed: String,
}

/// What a record's text starts with.
const RECORD_FORMAT: &str = "interleave-record/1";
/// A record's text, in bytes, read at most.
pub const MAX_RECORD_BYTES: usize = 16 * 1024;

impl Record {
    /// Won (a goal or a target) `when`; a win stays the first one.
    pub fn win(&mut self, when: &str) {
        if !self.won {
            self.won = true;
            when.clone_into(&mut self.when);
        }
    }

    /// A committed prediction, with the computed answer; won when right.
    /// The first committed answer is the one kept; a figure not known yet
    /// (a measurement still to make) is settled later ([`Record::settle`]).
    pub fn predict(&mut self, answer: Answer, judged: &Judgement, when: &str) {
        if self.answer.is_some() {
            return;
        }
        self.answer = Some(answer);
        when.clone_into(&mut self.when);
        self.settle(judged, when);
    }

    /// Settles a committed prediction whose figure was not known when it
    /// was committed, once it is.
    pub fn settle(&mut self, judged: &Judgement, when: &str) {
        if self.answer.is_none() || !self.computed.is_empty() || judged.verdict == Verdict::Unknown
        {
            return;
        }
        self.computed = judged.computed.replace('\n', " ");
        self.won = judged.met();
        when.clone_into(&mut self.when);
    }

    /// The record as kept: four lines, then the answer.
    pub fn to_text(&self) -> String {
        let answer = match &self.answer {
            None => String::new(),
            Some(Answer::Number(value)) => format!("n {value}"),
            Some(Answer::Choice(choice)) => format!("c {choice}"),
            Some(Answer::Integers(values)) => format!(
                "i {}",
                values
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Some(Answer::Lines(lines)) => {
                let mut out = "l ".to_owned();
                for line in lines {
                    out.push_str(&format!("{}:{line}", line.len()));
                }
                out
            }
        };
        format!(
            "{RECORD_FORMAT}\n{}\n{}\n{}\n{answer}",
            if self.won { "won" } else { "open" },
            self.when.replace('\n', " "),
            self.computed.replace('\n', " ")
        )
    }

    /// A record read back; `None` when the text is not one (damaged, or
    /// past its limits), which the page treats as no record.
    pub fn from_text(text: &str) -> Option<Record> {
        if text.len() > MAX_RECORD_BYTES {
            return None;
        }
        let mut parts = text.splitn(5, '\n');
        if parts.next()? != RECORD_FORMAT {
            return None;
        }
        let won = match parts.next()? {
            "won" => true,
            "open" => false,
            _ => return None,
        };
        let when = parts.next()?.to_owned();
        let computed = parts.next()?.to_owned();
        let answer = parts.next()?;
        if when.chars().count() > 40 || computed.chars().count() > MAX_TEXT_CHARS {
            return None;
        }
        let answer = if answer.is_empty() {
            None
        } else {
            let (tag, rest) = answer.split_at_checked(2)?;
            Some(match tag {
                "n " => Answer::Number(rest.parse().ok().filter(|value: &f64| value.is_finite())?),
                "c " if rest.chars().count() <= MAX_ITEM_CHARS => Answer::Choice(rest.to_owned()),
                "i " => {
                    let values: Option<Vec<i64>> =
                        rest.split(',').map(|value| value.parse().ok()).collect();
                    let values = values?;
                    if values.len() > MAX_ITEMS {
                        return None;
                    }
                    Answer::Integers(values)
                }
                "l " => {
                    let mut lines = Vec::new();
                    let mut rest = rest;
                    while !rest.is_empty() {
                        let (len, after) = rest.split_once(':')?;
                        let len: usize = len.parse().ok()?;
                        let line = after.get(..len)?;
                        if lines.len() == MAX_ITEMS || line.chars().count() > MAX_ITEM_CHARS {
                            return None;
                        }
                        lines.push(line.to_owned());
                        rest = &after[len..];
                    }
                    Answer::Lines(lines)
                }
                _ => return None,
            })
        };
        Some(Record {
            won,
            when,
            answer,
            computed,
        })
    }
}

/// A learner's progress in one set: what a student hands in, made from
/// the records the lab pages keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// Always [`PROGRESS_FORMAT`].
    pub format: String,
    /// The set's title and id ([`ChallengeSet::id`]).
    pub set: String,
    pub set_id: String,
    pub challenges: usize,
    /// One per challenge answered or won, in the set's order.
    pub entries: Vec<Entry>,
}

impl Progress {
    /// No progress yet in `set`.
    pub fn new(set: &ChallengeSet) -> Progress {
        Progress {
            format: PROGRESS_FORMAT.to_owned(),
            set: set.title.clone(),
            set_id: set.id(),
            challenges: set.challenges.len(),
            entries: Vec::new(),
        }
    }

    pub fn entry(&self, at: usize) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.at == at)
    }

    pub fn won(&self, at: usize) -> bool {
        self.entry(at).is_some_and(|entry| entry.won)
    }

    pub fn won_count(&self) -> usize {
        self.entries.iter().filter(|entry| entry.won).count()
    }

    /// The progress in `set` from its challenges' records (what the lab
    /// pages keep, challenge by challenge), in the set's order.
    pub fn from_records(set: &ChallengeSet, records: &[(usize, Record)]) -> Progress {
        let mut progress = Progress::new(set);
        let mut records: Vec<&(usize, Record)> = records
            .iter()
            .filter(|(at, _)| *at < set.challenges.len())
            .collect();
        records.sort_by_key(|(at, _)| *at);
        records.dedup_by_key(|(at, _)| *at);
        progress.entries = records
            .into_iter()
            .map(|(at, record)| {
                let challenge = &set.challenges[*at];
                Entry {
                    at: *at,
                    title: challenge.title.clone(),
                    lab: challenge.lab.clone(),
                    kind: challenge.kind,
                    won: record.won,
                    when: record.when.clone(),
                    answer: record.answer.clone(),
                    computed: record.computed.clone(),
                }
            })
            .collect();
        progress
    }

    pub fn to_file(&self) -> String {
        serde_json::to_string_pretty(self).expect("progress serialises")
    }

    /// Reads a progress file (or what the browser kept): its size first,
    /// then the JSON and every limit, with where a problem is.
    pub fn parse(text: &str) -> Result<Progress, ScenarioError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(ScenarioError::at_path(
                "",
                format!(
                    "the file is {} bytes; a progress file is at most {MAX_FILE_BYTES}",
                    text.len()
                ),
            ));
        }
        let progress: Progress = crate::input::parse_json(text, |_| None)?;
        progress
            .check()
            .map_err(|err| crate::input::place(text, err))?;
        Ok(progress)
    }

    fn check(&self) -> Result<(), ScenarioError> {
        let progress = self;
        if progress.format != PROGRESS_FORMAT {
            return Err(ScenarioError::at_path(
                "format",
                format!(
                    "this is not a progress file: format is {:?}",
                    progress.format
                ),
            )
            .with_hint(format!(
                "a progress file starts with \"format\": \"{PROGRESS_FORMAT}\""
            )));
        }
        text_fits("set", &progress.set)?;
        if progress.challenges == 0 || progress.challenges > MAX_CHALLENGES {
            return Err(ScenarioError::at_path(
                "challenges",
                format!(
                    "a set has 1 to {MAX_CHALLENGES} challenges, not {}",
                    progress.challenges
                ),
            ));
        }
        if progress.entries.len() > progress.challenges {
            return Err(ScenarioError::at_path(
                "entries",
                format!(
                    "{} entries for a set of {} challenges",
                    progress.entries.len(),
                    progress.challenges
                ),
            ));
        }
        let mut last = None;
        for (idx, entry) in progress.entries.iter().enumerate() {
            let at = format!("entries[{idx}]");
            if entry.at >= progress.challenges || last.is_some_and(|last| entry.at <= last) {
                return Err(ScenarioError::at_path(
                    format!("{at}.at"),
                    format!(
                        "{} is not a challenge after the entry before, below {}",
                        entry.at, progress.challenges
                    ),
                ));
            }
            last = Some(entry.at);
            text_fits(&format!("{at}.title"), &entry.title)?;
            text_fits(&format!("{at}.computed"), &entry.computed)?;
            if entry.when.chars().count() > 40 {
                return Err(ScenarioError::at_path(
                    format!("{at}.when"),
                    "a time is at most 40 characters",
                ));
            }
            if LabId::from_name(&entry.lab).is_none() {
                return Err(ScenarioError::at_path(
                    format!("{at}.lab"),
                    "there is no such lab",
                ));
            }
            match &entry.answer {
                Some(Answer::Lines(items)) => items_fit(&format!("{at}.answer"), items, 1)?,
                Some(Answer::Integers(values)) if values.len() > MAX_ITEMS => {
                    return Err(ScenarioError::at_path(
                        format!("{at}.answer"),
                        format!("at most {MAX_ITEMS} values"),
                    ));
                }
                Some(Answer::Choice(choice)) => {
                    items_fit(&format!("{at}.answer"), std::slice::from_ref(choice), 1)?;
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Reading a set from its JSON tree by hand, with serde's words for
/// what is wrong (`unknown field`, `missing field`, `invalid type`) and
/// the field's path. The Races lab's first sets,
/// `interleave-challenges/1` (a program with a `goal` line per
/// challenge), read as goal challenges of the Races lab, whose module
/// compiles each program when it poses it.
mod read {
    use serde_json::{Map, Value};

    use super::{Challenge, ChallengeSet, FORMAT, FORMAT_V1, Kind};
    use crate::error::ScenarioError;

    type Found<T> = Result<T, ScenarioError>;

    fn join(path: &str, key: &str) -> String {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    }

    fn what(value: &Value) -> &'static str {
        match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "sequence",
            Value::Object(_) => "map",
        }
    }

    fn wrong_type(path: &str, value: &Value, expected: &str) -> ScenarioError {
        ScenarioError::at_path(
            path,
            format!("invalid type: {}, expected {expected}", what(value)),
        )
    }

    /// An object at `path` with no field but `fields`.
    fn object<'a>(value: &'a Value, path: &str, fields: &[&str]) -> Found<&'a Map<String, Value>> {
        let Value::Object(map) = value else {
            return Err(wrong_type(path, value, "a map"));
        };
        if let Some(key) = map.keys().find(|key| !fields.contains(&key.as_str())) {
            let expected: Vec<String> = fields.iter().map(|field| format!("`{field}`")).collect();
            return Err(ScenarioError::at_path(
                join(path, key),
                format!(
                    "unknown field `{key}`, expected one of {}",
                    expected.join(", ")
                ),
            ));
        }
        Ok(map)
    }

    fn field<'a>(map: &'a Map<String, Value>, path: &str, key: &str) -> Found<&'a Value> {
        map.get(key)
            .ok_or_else(|| ScenarioError::at_path(path, format!("missing field `{key}`")))
    }

    /// A string field; `""` when optional and absent.
    fn string(map: &Map<String, Value>, path: &str, key: &str, required: bool) -> Found<String> {
        match map.get(key) {
            None if !required => Ok(String::new()),
            None => Err(ScenarioError::at_path(
                path,
                format!("missing field `{key}`"),
            )),
            Some(Value::String(text)) => Ok(text.clone()),
            Some(other) => Err(wrong_type(&join(path, key), other, "a string")),
        }
    }

    fn strings(map: &Map<String, Value>, path: &str, key: &str) -> Found<Vec<String>> {
        let at = join(path, key);
        match map.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(idx, item)| match item {
                    Value::String(text) => Ok(text.clone()),
                    other => Err(wrong_type(&format!("{at}[{idx}]"), other, "a string")),
                })
                .collect(),
            Some(other) => Err(wrong_type(&at, other, "a sequence")),
        }
    }

    fn items<'a>(map: &'a Map<String, Value>, path: &str, key: &str) -> Found<&'a Vec<Value>> {
        match field(map, path, key)? {
            Value::Array(items) => Ok(items),
            other => Err(wrong_type(&join(path, key), other, "a sequence")),
        }
    }

    fn kind(value: &Value, path: &str) -> Found<Kind> {
        let Value::String(name) = value else {
            return Err(wrong_type(path, value, "a string"));
        };
        Kind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
            .ok_or_else(|| {
                ScenarioError::at_path(
                    path,
                    format!(
                        "unknown variant `{}`, expected one of `goal`, `predict`, `target`",
                        name.chars().take(40).collect::<String>()
                    ),
                )
            })
    }

    /// A set of either version, as today's.
    pub fn set(tree: &Value) -> Found<ChallengeSet> {
        let map = object(tree, "", &["format", "title", "challenges"])?;
        let format = string(map, "", "format", true)?;
        let title = string(map, "", "title", true)?;
        let list = items(map, "", "challenges")?;
        let mut challenges = Vec::with_capacity(list.len().min(super::MAX_CHALLENGES));
        for (idx, item) in list.iter().enumerate() {
            let path = format!("challenges[{idx}]");
            challenges.push(if format == FORMAT_V1 {
                version_1(item, &path)?
            } else {
                challenge(item, &path)?
            });
        }
        Ok(ChallengeSet {
            format: if format == FORMAT_V1 {
                FORMAT.to_owned()
            } else {
                format
            },
            title,
            challenges,
        })
    }

    fn challenge(value: &Value, path: &str) -> Found<Challenge> {
        let map = object(
            value,
            path,
            &[
                "lab", "kind", "title", "intro", "hints", "win", "state", "check", "solution",
            ],
        )?;
        Ok(Challenge {
            lab: string(map, path, "lab", true)?,
            kind: kind(field(map, path, "kind")?, &join(path, "kind"))?,
            title: string(map, path, "title", true)?,
            intro: string(map, path, "intro", false)?,
            hints: strings(map, path, "hints")?,
            win: string(map, path, "win", false)?,
            state: field(map, path, "state")?.clone(),
            check: field(map, path, "check")?.clone(),
            solution: map.get("solution").cloned(),
        })
    }

    fn version_1(value: &Value, path: &str) -> Found<Challenge> {
        let map = object(value, path, &["title", "program", "intro", "hints", "win"])?;
        let program = string(map, path, "program", true)?;
        let mut state = Map::new();
        state.insert("source".to_owned(), Value::String(program));
        state.insert("expanded".to_owned(), Value::Bool(true));
        Ok(Challenge {
            lab: "races".to_owned(),
            kind: Kind::Goal,
            title: string(map, path, "title", true)?,
            intro: string(map, path, "intro", false)?,
            hints: strings(map, path, "hints")?,
            win: string(map, path, "win", false)?,
            state: Value::Object(state),
            check: Value::String("goal".to_owned()),
            solution: None,
        })
    }
}

/// `value` as a JSON tree, through its text: the crate's one serialiser
/// (the one links use), not another one per type for trees.
pub fn to_json<T: Serialize>(value: &T) -> serde_json::Value {
    let text = serde_json::to_string(value).expect("a challenge's parts serialise");
    serde_json::from_str(&text).expect("what serde_json writes, it reads")
}

/// `T` from a JSON tree, with the crate's one reader; the error names
/// the field.
pub fn from_json<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, ScenarioError> {
    crate::input::read_part("", value, &[]).map_err(|mut err| {
        err.line = None;
        err.column = None;
        err
    })
}

/// `{"state": state}`: a goal's or a target's reference solution.
pub fn state_solution<L: Lab>(state: &L) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    object.insert("state".to_owned(), to_json(state));
    serde_json::Value::Object(object)
}

/// Serialising any of a challenge's typed parts to JSON, behind one
/// function: one copy of the glue per type, not one per call.
mod erased {
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }

    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            super::to_json(self)
        }
    }
}

#[cfg(test)]
mod tests;
