//! Challenges on every lab's page, over any lab's core checks
//! (`interleave_core::challenges::Checks`): the bar above the lab.
//!
//! Without a set in play it offers this lab's built-in set, "Make a
//! challenge from this" ([`maker`]) and the challenges page. With one
//! (`c=` in the address: `builtin`, or a packed set; `at=` which
//! challenge) it shows the challenge: its text, hints one at a time, and
//! - for a prediction, the start as text and an answer form
//!   ([`answer`]); the lab itself (which would show the result) appears
//!   only once the answer is committed, with the answer beside the
//!   computed one and the lab's explanation;
//! - for a goal or a target, the lab, judged after each change.
//!
//! Each challenge's record (won, the answer, the computed one, when) is
//! kept in this browser under the set's id; the challenges page (the home
//! page's module, `challenges_page`) shows the whole set, prints the
//! report and saves it as a file.

use std::rc::Rc;

use interleave_core::challenges::{
    Answer, ChallengeSet, Checks, Judgement, Kind, Posed, Record, Verdict,
};
use interleave_core::labs::LabId;
use interleave_core::share::{Fragment, Route};
use yew::prelude::*;

use crate::components::prose;
use crate::url_state;

mod answer;
mod maker;

/// What `c=` says for a lab's own built-in set.
pub const BUILTIN: &str = "builtin";

/// A challenge set in play on this lab's page.
#[derive(Debug, Clone, PartialEq)]
pub struct Play<L: Checks> {
    pub set: Rc<ChallengeSet>,
    /// The set's id ([`ChallengeSet::id`], a hash of its text), computed
    /// once: the records are kept under it.
    pub id: Rc<str>,
    /// `c=` as written: what links to the set's other challenges carry.
    pub param: String,
    pub at: usize,
    /// The challenge, read as this lab's; `None` when it is another lab's
    /// (the page goes there).
    pub posed: Option<Rc<Posed<L>>>,
}

impl<L: Checks> Play<L> {
    /// The address of challenge `at` of the set, on its lab's page.
    pub fn fragment(&self, at: usize) -> Fragment {
        fragment_of(&self.set, &self.param, at)
    }
}

/// The address of challenge `at` of `set` (packed as `param`).
pub fn fragment_of(set: &ChallengeSet, param: &str, at: usize) -> Fragment {
    let lab = set.challenges[at].lab_id().unwrap_or(LabId::HOME);
    Fragment {
        route: Route::Lab(lab),
        set: Some(param.to_owned()),
        at,
        ..Fragment::default()
    }
}

/// The set and challenge the address asks for, read and checked as this
/// lab's: `Ok(None)` without `c=`; a located error for a damaged set.
pub fn open_play<L: Checks>(param: Option<&str>, at: usize) -> Result<Option<Play<L>>, String> {
    let Some(param) = param else {
        return Ok(None);
    };
    let set = if param == BUILTIN {
        L::builtin_set()
    } else {
        ChallengeSet::from_link(param)
            .map_err(|error| format!("This link's challenge set cannot be opened: {error}"))?
    };
    let Some(challenge) = set.challenges.get(at) else {
        return Err(format!(
            "This link asks for challenge {} of \u{201c}{}\u{201d}, which has {}.",
            at + 1,
            set.title,
            set.challenges.len()
        ));
    };
    let posed = if challenge.lab == L::ID.name() {
        let posed = challenge.pose::<L>(at, None).map_err(|error| {
            format!(
                "Challenge {} of \u{201c}{}\u{201d} cannot be opened: {error}",
                at + 1,
                set.title
            )
        })?;
        Some(Rc::new(posed))
    } else {
        None
    };
    Ok(Some(Play {
        id: Rc::from(set.id()),
        set: Rc::new(set),
        param: param.to_owned(),
        at,
        posed,
    }))
}

#[derive(Properties, PartialEq)]
pub struct ChallengeBarProps<L: Checks> {
    /// The set in play, or why it cannot be.
    pub play: Rc<Result<Option<Play<L>>, String>>,
    /// The lab's state as it is now (its view hands it over after each
    /// change); `None` before the view has.
    pub now: Option<L>,
    /// Starts the challenge in play again from its start.
    pub on_restart: Callback<()>,
    /// A prediction was committed: the lab may show now.
    pub on_committed: Callback<()>,
}

/// The challenge bar above a lab.
#[function_component(ChallengeBar)]
pub fn challenge_bar<L: Checks>(props: &ChallengeBarProps<L>) -> Html {
    match &*props.play {
        Err(message) => html! {
            <div class="challenges" data-testid="challenges">
                <p class="notice error" role="alert" data-testid="challenge-problem">{ message.clone() }</p>
                <a href={Fragment { route: Route::Lab(L::ID), ..Fragment::default() }.to_hash()}>{ "Open the lab without it" }</a>
            </div>
        },
        Ok(None) => html! { <maker::Tools<L> now={props.now.clone()} /> },
        Ok(Some(play)) => match &play.posed {
            None => html! { <Elsewhere<L> play={play.clone()} /> },
            Some(posed) => html! {
                <Playing<L> play={play.clone()} posed={posed.clone()} now={props.now.clone()}
                    on_restart={props.on_restart.clone()} on_committed={props.on_committed.clone()} />
            },
        },
    }
}

/// Whether the lab itself is shown under the bar: not while a prediction
/// waits for its answer (the lab would show the result).
pub fn shows_lab<L: Checks>(play: &Result<Option<Play<L>>, String>) -> bool {
    let Ok(Some(play)) = play else {
        return true;
    };
    let Some(posed) = &play.posed else {
        return false;
    };
    if L::kind_of(&posed.check) != Kind::Predict {
        return true;
    }
    url_state::record(&play.id, play.at).is_some_and(|record| record.answer.is_some())
}

#[derive(Properties, PartialEq)]
struct ElsewhereProps<L: Checks> {
    play: Play<L>,
}

/// A challenge of another lab: that lab's page opens it.
#[function_component(Elsewhere)]
fn elsewhere<L: Checks>(props: &ElsewhereProps<L>) -> Html {
    let fragment = props.play.fragment(props.play.at);
    {
        let fragment = fragment.clone();
        use_effect_with((), move |_| url_state::go_to(fragment));
    }
    html! {
        <div class="challenges" data-testid="challenges">
            <p role="status">{ "This challenge is in another lab: " }<a href={fragment.to_hash()}>{ "open it" }</a></p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct PlayingProps<L: Checks> {
    play: Play<L>,
    posed: Rc<Posed<L>>,
    now: Option<L>,
    on_restart: Callback<()>,
    on_committed: Callback<()>,
}

/// The challenge in play.
#[function_component(Playing)]
fn playing<L: Checks>(props: &PlayingProps<L>) -> Html {
    let Play { set, at, .. } = &props.play;
    let at = *at;
    let challenge = &set.challenges[at];
    let posed = &props.posed;
    let kind = L::kind_of(&posed.check);
    let set_id = props.play.id.clone();
    let record = {
        let set_id = set_id.clone();
        use_state(move || url_state::record(&set_id, at).unwrap_or_default())
    };
    let hints = use_state(|| 0usize);
    let saving_problem = use_state(|| None::<String>);
    let store = {
        let (record, saving_problem, set_id) =
            (record.clone(), saving_problem.clone(), set_id.clone());
        Rc::new(move |next: Record| {
            saving_problem.set(url_state::set_record(&set_id, at, &next).err());
            record.set(next);
        })
    };
    // A goal or a target: judged on the lab as it is now.
    let live = use_memo((props.now.clone(), kind), {
        let posed = posed.clone();
        move |(now, kind)| match (now, kind) {
            (Some(now), Kind::Goal | Kind::Target) => {
                Some(L::judge(&posed.check, &posed.start, now, None))
            }
            _ => None,
        }
    });
    // A prediction: judged once its answer is committed, on the lab as
    // it is now (a measured figure appears once it is measured).
    let committed = record.answer.clone();
    let verdict = use_memo((props.now.clone(), committed.clone()), {
        let posed = posed.clone();
        move |(now, answer)| {
            let answer = answer.as_ref()?;
            let now = now.as_ref().unwrap_or(&posed.start);
            Some(L::judge(&posed.check, &posed.start, now, Some(answer)))
        }
    });
    // What follows from a judgement: a win recorded, a measured figure
    // settled.
    {
        let (store, record) = (store.clone(), record.clone());
        use_effect_with(
            ((*live).clone(), (*verdict).clone()),
            move |(live, verdict)| {
                let mut next = (*record).clone();
                if live.as_ref().is_some_and(Judgement::met) {
                    next.win(&url_state::now_iso());
                }
                if let Some(judged) = verdict {
                    next.settle(judged, &url_state::now_iso());
                }
                if next != *record {
                    store(next);
                }
            },
        );
    }
    let on_commit = {
        let (store, record, posed) = (store.clone(), record.clone(), posed.clone());
        let (now, on_committed) = (props.now.clone(), props.on_committed.clone());
        Callback::from(move |answer: Answer| {
            let now = now.as_ref().unwrap_or(&posed.start);
            let judged = L::judge(&posed.check, &posed.start, now, Some(&answer));
            let mut next = (*record).clone();
            next.predict(answer, &judged, &url_state::now_iso());
            store(next);
            on_committed.emit(());
        })
    };
    let count = set.challenges.len();
    let won = record.won;
    let shown_hints = challenge.hints[..(*hints).min(challenge.hints.len())]
        .iter()
        .map(|hint| html! { <li>{ prose::with_code(hint) }</li> });
    let more_hints = challenge.hints.len().saturating_sub(*hints);
    let on_hint = {
        let hints = hints.clone();
        Callback::from(move |_: MouseEvent| hints.set(*hints + 1))
    };
    let next = (at + 1 < count).then(|| props.play.fragment(at + 1));
    let next_button = next.map(|fragment| {
        html! {
            <a class="button primary" href={fragment.to_hash()} data-testid="next-challenge">{ "Next challenge" }</a>
        }
    });
    let win_box = |won_now: bool| {
        won_now.then(|| {
            html! {
                <div class="win" role="status" data-testid="challenge-win">
                    <strong>{ "Challenge won! " }</strong>
                    { prose::with_code(if challenge.win.is_empty() { "Well done." } else { &challenge.win }) }
                    { " " }{ next_button.clone() }
                </div>
            }
        })
    };
    let body = match kind {
        Kind::Predict => match (&committed, &*verdict) {
            (None, _) => {
                let brief = L::brief(&posed.start);
                let form = L::form(&posed.check, &posed.start).expect("a prediction has a form");
                let lines = brief
                    .lines
                    .iter()
                    .map(|line| html! { <li>{ line.clone() }</li> });
                html! {
                    <>
                        <div class="challenge-brief" data-testid="challenge-brief">
                            if !brief.lines.is_empty() { <ul>{ for lines }</ul> }
                            if let Some(code) = &brief.code { <pre class="code" tabindex="0" aria-label="The program"><code>{ code.clone() }</code></pre> }
                        </div>
                        <p class="note">{ "The lab and its result appear once you commit your answer." }</p>
                        <answer::AnswerForm form={Rc::new(form)} on_commit={on_commit} />
                    </>
                }
            }
            (Some(answer), Some(judged)) => comparison(answer, judged, won, win_box(won)),
            (Some(answer), None) => comparison(
                answer,
                &Judgement {
                    verdict: Verdict::Unknown,
                    computed: "not computed".into(),
                    explanation: String::new(),
                    answer: None,
                },
                false,
                None,
            ),
        },
        Kind::Goal | Kind::Target => match &*live {
            Some(judged) if judged.met() => {
                html! { <>{ win_box(true) }<p class="note" data-testid="challenge-state">{ judged.computed.clone() }</p></> }
            }
            Some(judged) => html! {
                <p class="challenge-status" role="status" data-testid="challenge-state">
                    <strong>{ if judged.verdict == Verdict::Unknown { "Cannot tell yet: " } else if won { "Won before; not met now: " } else { "Not yet: " } }</strong>
                    { prose::with_code(&judged.explanation) }{ " " }
                    <span class="muted">{ format!("({})", judged.computed) }</span>
                </p>
            },
            None => html! {},
        },
    };
    let on_restart = {
        let on_restart = props.on_restart.clone();
        Callback::from(move |_: MouseEvent| on_restart.emit(()))
    };
    let leave = Fragment {
        route: Route::Lab(L::ID),
        ..Fragment::default()
    };
    // The set's page: every challenge, the report (the home page's module).
    let overview = Fragment {
        route: Route::Challenges,
        set: Some(if props.play.param == BUILTIN {
            set.to_link()
        } else {
            props.play.param.clone()
        }),
        at,
        ..Fragment::default()
    };
    html! {
        <section class="challenges playing" data-testid="challenges" aria-labelledby="challenge-title">
            <p class="challenge-head">
                <strong>{ set.title.clone() }</strong>
                <span data-testid="challenge-progress">{ format!(": challenge {} of {count}", at + 1) }</span>
                { " · " }<a href={overview.to_hash()} data-testid="set-overview">{ "All challenges and your report" }</a>
                { " · " }<a href={leave.to_hash()}>{ "Leave the set" }</a>
            </p>
            if let Some(problem) = &*saving_problem {
                <p class="notice error" role="alert">{ problem.clone() }</p>
            }
            <h3 id="challenge-title" data-testid="challenge-title">
                <span class={classes!("kind-badge", kind.name())}>{ kind_word(kind) }</span>{ " " }{ challenge.title.clone() }
            </h3>
            if !challenge.intro.is_empty() {
                <p class="lesson-intro">{ prose::with_code(&challenge.intro) }</p>
            }
            <p class="challenge-asks" data-testid="challenge-asks">{ prose::with_code(&L::asks(&posed.check, &posed.start)) }</p>
            if *hints > 0 {
                <ol class="hints" data-testid="hints">{ for shown_hints }</ol>
            }
            <p class="challenge-actions">
                if more_hints > 0 {
                    <button onclick={on_hint} data-testid="hint">
                        { format!("Show a hint ({} of {})", *hints + 1, challenge.hints.len()) }
                    </button>
                }
                if kind != Kind::Predict {
                    <button onclick={on_restart} data-testid="restart">{ "Start this challenge over" }</button>
                }
            </p>
            { body }
        </section>
    }
}

/// A committed answer beside the computed one, with the explanation.
fn comparison(answer: &Answer, judged: &Judgement, won: bool, win: Option<Html>) -> Html {
    let (class, word) = match judged.verdict {
        Verdict::Met => ("right", "Right."),
        Verdict::NotMet => ("wrong", "Not quite."),
        Verdict::Unknown => ("unknown", "Not known yet."),
    };
    html! {
        <div class={classes!("comparison", class)} role="status" data-testid="comparison">
            <p><strong>{ word }</strong>{ " Your answer: " }<span data-testid="your-answer">{ answer.text() }</span>
                { ". Computed: " }<span data-testid="computed-answer">{ judged.computed.clone() }</span>{ "." }</p>
            if !judged.explanation.is_empty() {
                <p>{ prose::with_code(&judged.explanation) }</p>
            }
            if won { { for win } }
            <p class="note">{ "Your first answer is the one kept; the lab below shows how it comes about." }</p>
        </div>
    }
}

/// `Predict`, `Goal`, `Target`.
pub fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Goal => "Goal",
        Kind::Predict => "Predict",
        Kind::Target => "Target",
    }
}
