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

/// An answer to a prediction, as a file and the page's form hold it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Number(f64),
    Integers(Vec<i64>),
    Lines(Vec<String>),
    Choice(String),
}

impl Answer {
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The goal or target is met; the prediction is right.
    Met,
    /// Not met; wrong.
    NotMet,
    /// It cannot be told yet: a search stopped early, a measurement is
    /// missing. The page says so and claims nothing.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    pub verdict: Verdict,
    /// The figure the check is about, as computed: `makespan 120 ms`.
    pub computed: String,
    /// Why, in the lab's own words.
    pub explanation: String,
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

/// A set as its file holds it. Each challenge's state, check and solution
/// stay JSON until [`Challenge::pose`] reads them as its lab's types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeSet {
    /// Always [`FORMAT`].
    pub format: String,
    pub title: String,
    pub challenges: Vec<Challenge>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case", bound = "L: Lab")]
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
        let tree: serde_json::Value = crate::input::parse_json(text, |_| None)?;
        let set: ChallengeSet = if tree.get("format").and_then(|f| f.as_str()) == Some(FORMAT_V1) {
            crate::input::read_part::<v1::SetV1>(text, &tree, &[])?.into_v2()
        } else {
            crate::input::read_part(text, &tree, &[])?
        };
        set.validate()?;
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
        let set: ChallengeSet = crate::input::read_checked_json(&json).map_err(|mut err| {
            // A place in a link's hidden JSON means nothing to its reader.
            err.line = None;
            err.column = None;
            err
        })?;
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
        self.pose_unplaced(idx, text).map_err(|mut err| {
            // A problem found after reading (a check's number out of
            // range) has a path: its place in the file follows from it.
            if let (Some(text), None) = (text, err.line) {
                let steps = crate::input::locate::path_steps(&err.path);
                let (line, column) = crate::input::locate::line_column(
                    text,
                    crate::input::locate::value_at(text, &steps),
                );
                err.line = Some(line);
                err.column = Some(column);
            }
            err
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
            let prefix = [
                Step::Key("challenges".into()),
                Step::Index(idx),
                Step::Key(field.into()),
            ];
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
        L::validate_check(&check, &start).map_err(|err| err.within(&format!("{at}.check")))?;
        let solution = match &self.solution {
            None => None,
            Some(value) => {
                let solution: Solution<L> = read(text, value, idx, "solution")?;
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

/// A learner's progress in one set: what the page keeps in the browser
/// and what a student hands in.
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

    /// Records challenge `at` of `set` won (a goal or a target), `when`;
    /// a win stays the first one.
    pub fn record_win(&mut self, set: &ChallengeSet, at: usize, when: &str) {
        if self.won(at) {
            return;
        }
        let entry = self.slot(set, at);
        entry.won = true;
        entry.when = when.to_owned();
    }

    /// Records a committed prediction with the computed answer; it is won
    /// when right. The first committed answer is the one kept.
    pub fn record_prediction(
        &mut self,
        set: &ChallengeSet,
        at: usize,
        answer: Answer,
        judged: &Judgement,
        when: &str,
    ) {
        if self.entry(at).is_some_and(|entry| entry.answer.is_some()) {
            return;
        }
        let entry = self.slot(set, at);
        entry.answer = Some(answer);
        entry.computed = judged.computed.clone();
        entry.won = judged.met();
        entry.when = when.to_owned();
    }

    fn slot(&mut self, set: &ChallengeSet, at: usize) -> &mut Entry {
        let place = match self.entries.iter().position(|entry| entry.at == at) {
            Some(place) => place,
            None => {
                let challenge = &set.challenges[at];
                let place = self.entries.partition_point(|entry| entry.at < at);
                self.entries.insert(
                    place,
                    Entry {
                        at,
                        title: challenge.title.clone(),
                        lab: challenge.lab.clone(),
                        kind: challenge.kind,
                        won: false,
                        when: String::new(),
                        answer: None,
                        computed: String::new(),
                    },
                );
                place
            }
        };
        &mut self.entries[place]
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
        Ok(progress)
    }
}

/// The Races lab's first sets, `interleave-challenges/1`: a program
/// with a `goal` line per challenge. Read as goal challenges of the
/// Races lab, whose module compiles each program when it poses it.
mod v1 {
    use serde::Deserialize;

    use super::{Challenge, ChallengeSet, FORMAT, Kind};

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct SetV1 {
        #[allow(dead_code)]
        format: String,
        title: String,
        challenges: Vec<ChallengeV1>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct ChallengeV1 {
        title: String,
        program: String,
        #[serde(default)]
        intro: String,
        #[serde(default)]
        hints: Vec<String>,
        #[serde(default)]
        win: String,
    }

    impl SetV1 {
        pub fn into_v2(self) -> ChallengeSet {
            ChallengeSet {
                format: FORMAT.to_owned(),
                title: self.title,
                challenges: self
                    .challenges
                    .into_iter()
                    .map(|old| Challenge {
                        lab: "races".to_owned(),
                        kind: Kind::Goal,
                        title: old.title,
                        intro: old.intro,
                        hints: old.hints,
                        win: old.win,
                        state: serde_json::json!({ "source": old.program, "expanded": true }),
                        check: serde_json::json!({ "figure": "goal" }),
                        solution: None,
                    })
                    .collect(),
            }
        }
    }
}

/// Serialising any of a challenge's typed parts to JSON, behind one
/// function: one copy of the glue per type, not one per call.
mod erased {
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }

    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).expect("a challenge's parts serialise")
        }
    }
}

#[cfg(test)]
mod tests;
