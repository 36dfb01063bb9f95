//! The set a teacher is making, on the challenges page: its title, the
//! order of its challenges, their texts (title, what to do, hints, the
//! win message), removal, and the set as a file and as a link. The
//! challenges themselves are made on each lab's page, where they are
//! proven ("Make a challenge from this").

use std::rc::Rc;

use interleave_core::challenges::{Challenge, ChallengeSet};
use yew::prelude::*;

use super::{kind_lower, lab_word};
use crate::app::challenges::fragment_of;
use crate::components::form;
use crate::url_state;

/// A change to the set, and what to say once it is made.
type Edit = dyn Fn(&mut ChallengeSet) -> Result<String, String>;

fn store_my_set(set: Option<&ChallengeSet>) -> Result<(), String> {
    url_state::set_my_set(set.map(ChallengeSet::to_file).as_deref())
}

/// The set being made, from this browser; `None` when there is none, an
/// error when what was kept is damaged.
pub fn load_my_set() -> Result<Option<ChallengeSet>, String> {
    match url_state::my_set() {
        None => Ok(None),
        Some(text) => ChallengeSet::parse(&text)
            .map(Some)
            .map_err(|error| format!("The set this browser kept is damaged ({error}).")),
    }
}

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub set: Rc<Result<Option<ChallengeSet>, String>>,
    pub on_changed: Callback<()>,
}

/// The set being made: order, texts, removal, file and link.
#[function_component(Editor)]
pub fn editor(props: &EditorProps) -> Html {
    let message = use_state(|| None::<Result<String, String>>);
    let editing = use_state(|| None::<usize>);
    let set = match &*props.set {
        Err(problem) => {
            let on_changed = props.on_changed.clone();
            let forget = Callback::from(move |_: MouseEvent| {
                let _ = store_my_set(None);
                on_changed.emit(());
            });
            return html! {
                <div class="set-editor" data-testid="set-editor">
                    <p class="notice error" role="alert">{ problem.clone() }</p>
                    <button onclick={forget}>{ "Forget it" }</button>
                </div>
            };
        }
        Ok(None) => {
            return html! {
                <div class="set-editor" data-testid="set-editor">
                    <p class="note">{ "No set yet: open \u{201c}Make a challenge from this\u{201d} in any lab to add its first challenge." }</p>
                </div>
            };
        }
        Ok(Some(set)) => set.clone(),
    };
    let change = {
        let (on_changed, message, set) = (props.on_changed.clone(), message.clone(), set.clone());
        move |edit: Rc<Edit>| {
            let (on_changed, message, set) = (on_changed.clone(), message.clone(), set.clone());
            Callback::from(move |_: MouseEvent| {
                let mut next = set.clone();
                let done = edit(&mut next).and_then(|said| {
                    if next.challenges.is_empty() {
                        store_my_set(None)?;
                    } else {
                        next.validate().map_err(|error| error.to_string())?;
                        store_my_set(Some(&next))?;
                    }
                    Ok(said)
                });
                message.set(Some(done));
                on_changed.emit(());
            })
        }
    };
    let count = set.challenges.len();
    let rows = set.challenges.iter().enumerate().map(|(idx, challenge)| {
        let up = change(Rc::new(move |set: &mut ChallengeSet| {
            set.challenges.swap(idx, idx - 1);
            Ok(format!("Moved challenge {} up.", idx + 1))
        }));
        let down = change(Rc::new(move |set: &mut ChallengeSet| {
            set.challenges.swap(idx, idx + 1);
            Ok(format!("Moved challenge {} down.", idx + 1))
        }));
        let remove = change(Rc::new(move |set: &mut ChallengeSet| {
            let gone = set.challenges.remove(idx);
            Ok(format!("Removed \u{201c}{}\u{201d}.", gone.title))
        }));
        let toggle_edit = {
            let editing = editing.clone();
            Callback::from(move |_: MouseEvent| editing.set(if *editing == Some(idx) { None } else { Some(idx) }))
        };
        html! {
            <li data-testid="set-item">
                <span class="set-item-title">{ challenge.title.clone() }</span>
                <span class="muted">{ format!(" ({}, {}{})", lab_word(&challenge.lab), kind_lower(challenge.kind), if challenge.solution.is_some() { ", with a solution" } else { "" }) }</span>
                <span class="set-item-buttons">
                    <button onclick={form::when_enabled(idx > 0, up)} aria-disabled={(idx == 0).to_string()} aria-label={format!("Move \u{201c}{}\u{201d} up", challenge.title)}>{ "↑" }</button>
                    <button onclick={form::when_enabled(idx + 1 < count, down)} aria-disabled={(idx + 1 == count).to_string()} aria-label={format!("Move \u{201c}{}\u{201d} down", challenge.title)}>{ "↓" }</button>
                    <button onclick={toggle_edit} aria-expanded={(*editing == Some(idx)).to_string()}>{ "Edit texts" }</button>
                    <button onclick={remove} aria-label={format!("Remove \u{201c}{}\u{201d}", challenge.title)}>{ "Remove" }</button>
                </span>
                if *editing == Some(idx) {
                    <TextsEditor challenge={Rc::new(challenge.clone())} at={idx} set={Rc::new(set.clone())} on_changed={props.on_changed.clone()} />
                }
            </li>
        }
    });
    let link = url_state::page_url(&fragment_of(&set, &set.to_link(), 0));
    let on_download = {
        let set = set.clone();
        Callback::from(move |_: MouseEvent| {
            crate::export::download_text(
                "interleave-challenges.json",
                "application/json",
                &set.to_file(),
            )
        })
    };
    let on_copy = {
        let (link, message) = (link.clone(), message.clone());
        Callback::from(move |_: MouseEvent| {
            let (link, message) = (link.clone(), message.clone());
            wasm_bindgen_futures::spawn_local(async move {
                message.set(Some(if form::copy_text(&link).await {
                    Ok("The link is copied.".to_owned())
                } else {
                    Err("This browser would not copy: select the link and copy it.".to_owned())
                }));
            });
        })
    };
    let on_title = {
        let (set, on_changed) = (set.clone(), props.on_changed.clone());
        Callback::from(move |event: Event| {
            if let Some(title) = form::input_value(&event) {
                let mut next = set.clone();
                next.title = title;
                if next.validate().is_ok() {
                    let _ = store_my_set(Some(&next));
                    on_changed.emit(());
                }
            }
        })
    };
    let forget = change(Rc::new(|set: &mut ChallengeSet| {
        set.challenges.clear();
        Ok("The set is forgotten.".to_owned())
    }));
    let play = fragment_of(&set, &set.to_link(), 0);
    html! {
        <div class="set-editor" data-testid="set-editor">
            <label class="maker-field">{ "The set's title " }<input type="text" value={set.title.clone()} onchange={on_title} data-testid="set-title" /></label>
            <ol class="set-items">{ for rows }</ol>
            <p class="note">{ format!("{} challenge{}, each proven when it was made (its check holds, it is not won at its start, its solution wins it); ", count, if count == 1 { "" } else { "s" }) }
                <code>{ "interleave check" }</code>{ " proves the whole file again. The link below holds the whole set." }</p>
            <label class="maker-field">{ "Link " }<input type="text" readonly=true value={link.clone()} data-testid="set-link" /></label>
            <p class="report-actions">
                <a class="button primary" href={play.to_hash()} data-testid="play-my-set">{ "Play it" }</a>
                <button onclick={on_copy}>{ "Copy the link" }</button>
                <button onclick={on_download} data-testid="set-download">{ "Download the file" }</button>
                <button onclick={forget}>{ "Forget this set" }</button>
            </p>
            { for message.as_ref().map(|message| match message {
                Ok(text) => html! { <p class="note" role="status" data-testid="set-message">{ text.clone() }</p> },
                Err(text) => html! { <p class="notice error" role="alert" data-testid="set-message">{ text.clone() }</p> },
            }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct TextsEditorProps {
    challenge: Rc<Challenge>,
    at: usize,
    set: Rc<ChallengeSet>,
    on_changed: Callback<()>,
}

/// A challenge's title, introduction, hints and win message.
#[function_component(TextsEditor)]
fn texts_editor(props: &TextsEditorProps) -> Html {
    let title = use_state(|| props.challenge.title.clone());
    let intro = use_state(|| props.challenge.intro.clone());
    let hints = use_state(|| props.challenge.hints.join("\n"));
    let win = use_state(|| props.challenge.win.clone());
    let problem = use_state(|| None::<String>);
    let bind = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(value) = form::target::<web_sys::HtmlInputElement>(&event)
                .map(|input| input.value())
                .or_else(|| {
                    form::target::<web_sys::HtmlTextAreaElement>(&event).map(|area| area.value())
                })
            {
                state.set(value);
            }
        })
    };
    let on_save = {
        let (title, intro, hints, win, problem) = (
            title.clone(),
            intro.clone(),
            hints.clone(),
            win.clone(),
            problem.clone(),
        );
        let (set, at, on_changed) = (props.set.clone(), props.at, props.on_changed.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = (*set).clone();
            let hint_lines: Vec<&str> = hints
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .collect();
            let challenge =
                next.challenges[at]
                    .clone()
                    .with_texts(intro.trim(), &hint_lines, win.trim());
            next.challenges[at] = Challenge {
                title: title.trim().to_owned(),
                ..challenge
            };
            let saved = next
                .validate()
                .map_err(|error| error.to_string())
                .and_then(|()| {
                    if title.trim().is_empty() {
                        Err("a challenge needs a title".to_owned())
                    } else {
                        store_my_set(Some(&next))
                    }
                });
            match saved {
                Ok(()) => {
                    problem.set(None);
                    on_changed.emit(());
                }
                Err(why) => problem.set(Some(why)),
            }
        })
    };
    html! {
        <div class="texts-editor">
            <label class="maker-field">{ "Title " }<input type="text" value={(*title).clone()} oninput={bind(&title)} /></label>
            <label class="maker-field">{ "What to do " }<textarea rows="2" value={(*intro).clone()} oninput={bind(&intro)} /></label>
            <label class="maker-field">{ "Hints, one a line " }<textarea rows="2" value={(*hints).clone()} oninput={bind(&hints)} /></label>
            <label class="maker-field">{ "Shown when won " }<textarea rows="2" value={(*win).clone()} oninput={bind(&win)} /></label>
            <button onclick={on_save}>{ "Save the texts" }</button>
            if let Some(problem) = &*problem { <p class="notice error" role="alert">{ problem.clone() }</p> }
        </div>
    }
}
