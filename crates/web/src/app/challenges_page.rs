//! The challenges page (`#/challenges`, in the home page's module): the
//! set in play with every challenge's state and the learner's report
//! (printed, or saved as a file to hand in), the built-in sets, a set
//! file to play, a student's report file to read, and the set a teacher
//! is making ([`editor`]). Nothing here runs a lab: each challenge opens
//! on its lab's page.

use std::rc::Rc;

use interleave_core::challenges::{ChallengeSet, Progress};
use interleave_core::labs::LabId;
use interleave_core::share::{Fragment, MAX_STATE_BYTES, Route};
use yew::prelude::*;

use interleave_core::challenges::Kind;

use crate::app::challenges::{BUILTIN, fragment_of, kind_word};
use crate::components::form;
use crate::url_state;

mod editor;
mod report;

#[derive(Properties, PartialEq)]
pub struct ChallengesPageProps {
    /// The set (`c=`, packed), not yet read.
    pub set: Option<String>,
}

#[function_component(ChallengesPage)]
pub fn challenges_page(props: &ChallengesPageProps) -> Html {
    let set = use_memo(props.set.clone(), |set| {
        set.as_deref().map(|text| {
            if text == BUILTIN {
                Err("A lab's built-in set opens on its lab's page: pick one below.".to_owned())
            } else {
                ChallengeSet::from_link(text)
                    .map(Rc::new)
                    .map_err(|error| format!("This link's challenge set cannot be opened: {error}"))
            }
        })
    });
    let cleared = use_state(|| 0u32);
    let my_set = use_state(editor::load_my_set);
    let student = use_state(|| None::<Result<Rc<Progress>, String>>);
    let problem = use_state(|| None::<String>);
    let on_changed = {
        let my_set = my_set.clone();
        Callback::from(move |()| my_set.set(editor::load_my_set()))
    };
    let read_file = |then: Rc<dyn Fn(String, String)>,
                     problem: UseStateHandle<Option<String>>,
                     what: &'static str| {
        Callback::from(move |event: Event| {
            let Some(file) = form::take_file(&event) else {
                return;
            };
            let (then, problem) = (then.clone(), problem.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match form::read_text(&file, MAX_STATE_BYTES, what).await {
                    Ok(text) => then(file.name(), text),
                    Err(message) => problem.set(Some(message)),
                }
            });
        })
    };
    let on_open_set = {
        let problem_in = problem.clone();
        read_file(
            Rc::new(
                move |name: String, text: String| match ChallengeSet::parse(&text) {
                    Ok(set) => {
                        problem_in.set(None);
                        url_state::go_to(fragment_of(&set, &set.to_link(), 0));
                    }
                    Err(error) => problem_in.set(Some(format!("{name}: {error}"))),
                },
            ),
            problem.clone(),
            "a challenge set",
        )
    };
    let on_open_report = {
        let student = student.clone();
        read_file(
            Rc::new(move |name: String, text: String| {
                student.set(Some(
                    Progress::parse(&text)
                        .map(Rc::new)
                        .map_err(|error| format!("{name}: {error}")),
                ));
            }),
            problem.clone(),
            "a progress report",
        )
    };
    let builtin = LabId::ALL.iter().map(|lab| {
        let link = Fragment {
            route: Route::Lab(*lab),
            set: Some(BUILTIN.to_owned()),
            ..Fragment::default()
        };
        html! { <li><a href={link.to_hash()}>{ format!("The {} lab's challenges", lab.info().nav) }</a></li> }
    });
    let in_play = match &*set {
        None => html! {},
        Some(Err(message)) => {
            html! { <p class="notice error" role="alert" data-testid="challenge-problem">{ message.clone() }</p> }
        }
        Some(Ok(set)) => {
            let _ = *cleared;
            let id = set.id();
            let records = url_state::records(&id, set.challenges.len());
            let progress = Rc::new(Progress::from_records(set, &records));
            let param = props.set.clone().unwrap_or_default();
            let items = set.challenges.iter().enumerate().map(|(at, challenge)| {
                let entry = progress.entry(at);
                let state = match entry {
                    Some(entry) if entry.won => " (won)",
                    Some(entry) if entry.answer.is_some() => " (answered)",
                    _ => "",
                };
                html! {
                    <li>
                        <a href={fragment_of(set, &param, at).to_hash()}>{ challenge.title.clone() }</a>
                        { format!(" ({}, {}){state}", lab_word(&challenge.lab), kind_word(challenge.kind)) }
                    </li>
                }
            });
            let on_start_over = {
                let (set, cleared) = (set.clone(), cleared.clone());
                Callback::from(move |()| {
                    url_state::clear_records(&set.id(), set.challenges.len());
                    cleared.set(*cleared + 1);
                })
            };
            html! {
                <section class="lab-card" aria-labelledby="set-in-play" data-testid="set-in-play">
                    <h3 id="set-in-play">{ set.title.clone() }</h3>
                    <ol class="set-challenges">{ for items }</ol>
                    <report::Report set={Some(set.clone())} progress={progress} on_start_over={Some(on_start_over)} />
                </section>
            }
        }
    };
    html! {
        <div class="challenges-page" data-testid="challenges-page">
            <h2>{ "Challenges" }</h2>
            <p class="lead">{ "Predict, then run; reach a target; make the bad thing happen. Progress stays in this browser; the report is yours to print or hand in." }</p>
            { in_play }
            <section class="lab-card" aria-labelledby="builtin-sets">
                <h3 id="builtin-sets">{ "Built-in sets" }</h3>
                <ul class="examples">{ for builtin }</ul>
                <p class="file-tools">
                    <label class="file-button">{ "Open a challenge set" }
                        <input type="file" accept=".json,application/json" onchange={on_open_set} aria-label="Open a challenge set" />
                    </label>
                    <label class="file-button">{ "Open a student's report" }
                        <input type="file" accept=".json,application/json" onchange={on_open_report} aria-label="Open a student's report" />
                    </label>
                </p>
                if let Some(problem) = &*problem {
                    <p class="notice error" role="alert" data-testid="challenge-problem">{ problem.clone() }</p>
                }
                { for student.as_ref().map(|student| match student {
                    Ok(progress) => html! { <report::Report set={None::<Rc<ChallengeSet>>} progress={progress.clone()} /> },
                    Err(message) => html! { <p class="notice error" role="alert" data-testid="report-problem">{ message.clone() }</p> },
                }) }
            </section>
            <section class="lab-card" aria-labelledby="my-set">
                <h3 id="my-set">{ "My set" }</h3>
                <p class="note">{ "Make challenges on any lab's page (\u{201c}Make a challenge from this\u{201d}); order them, write their texts and hand the set out here." }</p>
                <editor::Editor set={Rc::new((*my_set).clone())} on_changed={on_changed} />
            </section>
        </div>
    }
}

/// `Models` for `models`, as the navigation says it.
pub fn lab_word(name: &str) -> &'static str {
    LabId::from_name(name).map_or("an unknown lab", |lab| lab.info().nav)
}

/// `Predict` of a kind, in the words of a list.
pub fn kind_lower(kind: Kind) -> &'static str {
    match kind {
        Kind::Goal => "goal",
        Kind::Predict => "prediction",
        Kind::Target => "target",
    }
}
