//! Challenge sets in the Races lab: play the built-in lessons or a
//! teacher's set (a file, or a link that carries it) in order, hints one
//! at a time, the win message when the goal is met, and the challenges
//! won kept in this browser under the set's id.

use interleave_core::races::challenges::ChallengeSet;
use interleave_core::races::lab::{Action, Playing};
use interleave_core::share::MAX_STATE_BYTES;
use yew::prelude::*;

use super::Dispatch;
use crate::components::form;

#[derive(Properties, PartialEq)]
pub struct ChallengePanelProps {
    pub playing: Option<Playing>,
    /// Whether the challenge's goal is met at the step shown.
    pub goal_met: bool,
    pub dispatch: Dispatch,
}

#[function_component(ChallengePanel)]
pub fn challenge_panel(props: &ChallengePanelProps) -> Html {
    let problem = use_state(|| None::<String>);
    let won = use_state(Vec::<usize>::new);
    let set_id = props.playing.as_ref().map(|playing| playing.set.id());
    {
        let won = won.clone();
        let playing = props.playing.clone();
        use_effect_with(set_id, move |_| {
            won.set(playing.map_or_else(Vec::new, |playing| crate::url_state::challenges_won(&playing.set.id())));
        });
    }
    {
        // A goal met is a challenge won, kept for next time.
        let won = won.clone();
        let playing = props.playing.clone();
        use_effect_with(
            (props.goal_met, props.playing.as_ref().map(|p| p.at)),
            move |(met, _)| {
                if let Some(playing) = playing.filter(|_| *met) {
                    let mut now = crate::url_state::challenges_won(&playing.set.id());
                    if !now.contains(&playing.at) {
                        now.push(playing.at);
                        now.sort_unstable();
                        crate::url_state::set_challenges_won(&playing.set.id(), &now);
                    }
                    won.set(now);
                }
            },
        );
    }
    let dispatch = props.dispatch.clone();
    let act = |action: Action| {
        let dispatch = dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(action.clone()))
    };
    let on_open = {
        let (problem, dispatch) = (problem.clone(), dispatch.clone());
        Callback::from(move |event: Event| {
            let Some(file) = form::take_file(&event) else {
                return;
            };
            let (problem, dispatch) = (problem.clone(), dispatch.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let read = form::read_text(&file, MAX_STATE_BYTES, "a challenge set").await;
                let opened = read.and_then(|text| {
                    ChallengeSet::parse(&text).map_err(|error| format!("{}: {error}", file.name()))
                });
                match opened {
                    Ok(set) => {
                        problem.set(None);
                        dispatch.dispatch(Action::OpenSet(set));
                    }
                    Err(message) => problem.set(Some(message)),
                }
            });
        })
    };
    let Some(playing) = &props.playing else {
        return html! {
            <div class="challenges" data-testid="challenges">
                <button onclick={act(Action::OpenSet(ChallengeSet::builtin()))} data-testid="play-lessons">{ "Play the lessons as challenges" }</button>
                <label class="file-button">{ "Open a challenge set" }
                    <input type="file" accept=".json,application/json" onchange={on_open} aria-label="Open a challenge set" />
                </label>
                if let Some(problem) = &*problem {
                    <p class="notice error" role="alert" data-testid="challenge-problem">{ problem.clone() }</p>
                }
            </div>
        };
    };
    let challenge = playing.challenge();
    let count = playing.set.challenges.len();
    let list = playing.set.challenges.iter().enumerate().map(|(idx, item)| {
        let done = won.contains(&idx);
        let current = idx == playing.at;
        html! {
            <li class={classes!(done.then_some("won"), current.then_some("current"))}>
                <button class="link-button" onclick={act(Action::GoToChallenge(idx))}
                    aria-current={current.then_some("step")}
                    aria-label={format!("{}. {}{}", idx + 1, item.title, if done { " (won)" } else { "" })}>
                    { if done { "✓ " } else { "" } }{ item.title.clone() }
                </button>
            </li>
        }
    });
    let hints = challenge.hints[..playing.hints]
        .iter()
        .map(|hint| html! { <li>{ crate::components::prose::with_code(hint) }</li> });
    let more = challenge.hints.len() - playing.hints;
    html! {
        <div class="challenges playing" data-testid="challenges">
            <p class="challenge-head">
                <strong>{ playing.set.title.clone() }</strong>
                <span data-testid="challenge-progress">{ format!(": challenge {} of {count}, {} won", playing.at + 1, won.len()) }</span>
                { " " }<button class="link-button" onclick={act(Action::CloseSet)}>{ "Leave the set" }</button>
            </p>
            <details class="challenge-list">
                <summary>{ "All challenges" }</summary>
                <ol>{ for list }</ol>
            </details>
            <h3 data-testid="challenge-title">{ challenge.title.clone() }</h3>
            if !challenge.intro.is_empty() {
                <p class="lesson-intro">{ crate::components::prose::with_code(&challenge.intro) }</p>
            }
            if playing.hints > 0 {
                <ol class="hints" data-testid="hints">{ for hints }</ol>
            }
            if more > 0 {
                <button onclick={act(Action::RevealHint)} data-testid="hint">
                    { format!("Show a hint ({} of {})", playing.hints + 1, challenge.hints.len()) }
                </button>
            }
            if props.goal_met {
                <div class="win" role="status" data-testid="challenge-win">
                    <strong>{ "Challenge won! " }</strong>{ crate::components::prose::with_code(&challenge.win) }
                    if playing.at + 1 < count {
                        { " " }<button class="primary" onclick={act(Action::GoToChallenge(playing.at + 1))} data-testid="next-challenge">{ "Next challenge" }</button>
                    }
                </div>
            }
        </div>
    }
}
