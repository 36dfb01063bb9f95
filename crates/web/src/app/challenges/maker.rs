//! The challenge bar when no set is in play: this lab's built-in set,
//! the challenges page (sets, the set being made, reports), and "Make a
//! challenge from this": the state shown becomes a challenge's start,
//! with a check from the lab's figures; or the state shown becomes the
//! reference solution of a goal or target already in the set.
//!
//! Every challenge made is read back and proven before it is kept (its
//! check holds for its start, it is not won at its start, its solution
//! wins it). The set is kept in this browser; its texts, order, file and
//! link are edited on the challenges page.

use interleave_core::challenges::{self, Challenge, ChallengeSet, Checks, Kind, Solution, prove};
use interleave_core::share::{Fragment, Route};
use yew::prelude::*;

use super::{BUILTIN, kind_word};
use crate::components::form;
use crate::url_state;

/// The set being made, from this browser (`None` when there is none or
/// what was kept is damaged: the challenges page says which).
pub fn load_my_set() -> Option<ChallengeSet> {
    ChallengeSet::parse(&url_state::my_set()?).ok()
}

/// Reads challenge `at` of `set` as lab `L`'s and proves it.
fn proven<L: Checks>(set: &ChallengeSet, at: usize) -> Result<String, String> {
    let posed = set.challenges[at]
        .pose::<L>(at, None)
        .map_err(|error| error.to_string())?;
    prove(&posed, &format!("challenges[{at}]"))
        .map(|proof| proof.solution)
        .map_err(|error| error.to_string())
}

/// Keeps `set` as the set being made once `edit` has changed it and
/// challenge `at` of it (this lab's) is proven.
fn keep<L: Checks>(
    mut set: ChallengeSet,
    at: usize,
    edit: impl FnOnce(&mut ChallengeSet),
) -> Result<String, String> {
    edit(&mut set);
    set.validate().map_err(|error| error.to_string())?;
    let proof = proven::<L>(&set, at)?;
    url_state::set_my_set(Some(&set.to_file()))?;
    Ok(proof)
}

#[derive(Properties, PartialEq)]
pub struct ToolsProps<L: Checks> {
    pub now: Option<L>,
}

#[function_component(Tools)]
pub fn tools<L: Checks>(props: &ToolsProps<L>) -> Html {
    let open = use_state(|| false);
    let builtin = Fragment {
        route: Route::Lab(L::ID),
        set: Some(BUILTIN.to_owned()),
        ..Fragment::default()
    };
    let page = Fragment {
        route: Route::Challenges,
        ..Fragment::default()
    };
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    html! {
        <div class="challenges" data-testid="challenges">
            <a class="button" href={builtin.to_hash()} data-testid="play-builtin">{ "Challenges: predict, then run" }</a>
            <button onclick={toggle} aria-expanded={open.to_string()} data-testid="make-challenge">{ "Make a challenge from this" }</button>
            <a class="button" href={page.to_hash()} data-testid="open-challenges-page">{ "Sets, my set and reports" }</a>
            if *open {
                if let Some(now) = &props.now {
                    <Maker<L> now={now.clone()} />
                }
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct MakerProps<L: Checks> {
    now: L,
}

/// The numbers of a check a teacher may set (a tolerance, a time, a
/// limit), by name, from its JSON.
fn numbers(check: &serde_json::Value) -> Vec<(String, f64)> {
    // `{"makespan": {"config": 0, "tolerance": 10}}`: the fields are
    // under the check's name.
    check
        .as_object()
        .and_then(|named| named.values().next())
        .and_then(serde_json::Value::as_object)
        .map(|fields| {
            fields
                .iter()
                .filter(|(name, _)| name.as_str() != "config")
                .filter_map(|(name, value)| value.as_f64().map(|number| (name.clone(), number)))
                .collect()
        })
        .unwrap_or_default()
}

/// "Make a challenge from this": the lab as shown becomes the start.
#[function_component(Maker)]
fn maker<L: Checks>(props: &MakerProps<L>) -> Html {
    let offered = use_memo(props.now.clone(), |now| L::offered(now));
    let choice = use_state(|| 0usize);
    let edits = use_state(Vec::<(String, f64)>::new);
    let title = use_state(String::new);
    let solving = use_state(|| None::<usize>);
    let outcome = use_state(|| None::<Result<String, String>>);
    let my_set = load_my_set();
    // Goals and targets of this lab in the set: the lab as it is now may
    // be one's solution.
    let solvable: Vec<(usize, String)> = my_set
        .iter()
        .flat_map(|set| set.of_lab(L::ID))
        .filter(|(_, challenge)| challenge.kind != Kind::Predict)
        .map(|(at, challenge)| (at, challenge.title.clone()))
        .collect();
    let said = outcome.as_ref().map(|outcome| match outcome {
        Ok(message) => html! { <p class="note" role="status" data-testid="maker-added">{ message.clone() }</p> },
        Err(message) => html! { <p class="notice error" role="alert" data-testid="maker-problem">{ message.clone() }</p> },
    });
    let solve_form = (!solvable.is_empty()).then(|| {
        let options = solvable.iter().map(|(at, title)| {
            html! { <option value={at.to_string()}>{ format!("{}. {title}", at + 1) }</option> }
        });
        let on_pick = {
            let solving = solving.clone();
            Callback::from(move |event: Event| solving.set(form::select_value(&event).and_then(|value| value.parse().ok())))
        };
        let on_solve = {
            let (now, solving, outcome) = (props.now.clone(), solving.clone(), outcome.clone());
            let first = solvable[0].0;
            Callback::from(move |_: MouseEvent| {
                let at = solving.unwrap_or(first);
                let done = load_my_set()
                    .ok_or_else(|| "the set is gone".to_owned())
                    .and_then(|set| keep::<L>(set, at, |set| set.challenges[at].solution = Some(challenges::state_solution(&now))));
                outcome.set(Some(done.map(|proof| format!("Challenge {}: {proof}.", at + 1))));
            })
        };
        html! {
            <p class="maker-field">
                <label>{ "Or make the lab as it is now the solution of " }
                    <select onchange={on_pick} data-testid="maker-solve-pick">{ for options }</select>
                </label>
                <button onclick={on_solve} data-testid="use-as-solution">{ "Use it as the solution" }</button>
            </p>
        }
    });
    if offered.is_empty() {
        return html! {
            <div class="challenge-maker" data-testid="maker">
                <p class="note">{ "The lab as it is offers no figure to ask about (a program that does not compile, a console with nothing to order)." }</p>
                { for solve_form }
                { for said }
            </div>
        };
    }
    let chosen = (*choice).min(offered.len() - 1);
    let fields = numbers(&challenges::to_json(&offered[chosen]));
    let options = offered.iter().enumerate().map(|(idx, check)| {
        html! {
            <option value={idx.to_string()} selected={idx == chosen}>
                { format!("{}: {}", kind_word(L::kind_of(check)), L::asks(check, &props.now)) }
            </option>
        }
    });
    let on_choice = {
        let (choice, edits) = (choice.clone(), edits.clone());
        Callback::from(move |event: Event| {
            if let Some(idx) = form::select_value(&event).and_then(|value| value.parse().ok()) {
                choice.set(idx);
                edits.set(Vec::new());
            }
        })
    };
    let number_fields = fields.iter().map(|(name, default)| {
        let edits = edits.clone();
        let shown = edits.iter().find(|(field, _)| field == name).map_or(*default, |(_, value)| *value);
        let name_in = name.clone();
        let on_input = Callback::from(move |event: InputEvent| {
            if let Some(value) = form::input_value(&event).and_then(|text| text.trim().parse::<f64>().ok()) {
                let mut next: Vec<(String, f64)> = edits.iter().filter(|(field, _)| *field != name_in).cloned().collect();
                next.push((name_in.clone(), value));
                edits.set(next);
            }
        });
        html! {
            <label class="maker-field">{ format!("{} ", name.replace('_', " ")) }
                <input type="text" inputmode="decimal" value={shown.to_string()} oninput={on_input} data-testid={format!("maker-{name}")} />
            </label>
        }
    });
    let on_title = {
        let title = title.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(value) = form::input_value(&event) {
                title.set(value);
            }
        })
    };
    let on_add = {
        let (now, offered, edits, title, outcome) = (
            props.now.clone(),
            offered.clone(),
            edits.clone(),
            title.clone(),
            outcome.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let made = (|| -> Result<String, String> {
                if title.trim().is_empty() {
                    return Err("give the challenge a title".to_owned());
                }
                let mut json = challenges::to_json(&offered[chosen]);
                let fields = json
                    .as_object_mut()
                    .and_then(|named| named.values_mut().next())
                    .and_then(serde_json::Value::as_object_mut);
                if let Some(fields) = fields {
                    for (name, value) in edits.iter() {
                        // A whole number stays whole (a count, a time).
                        let number = if value.fract() == 0.0 && value.abs() < 9e15 {
                            serde_json::Value::from(*value as i64)
                        } else {
                            serde_json::Value::from(*value)
                        };
                        fields.insert(name.clone(), number);
                    }
                }
                let check: L::Check =
                    challenges::from_json(&json).map_err(|error| format!("the check: {error}"))?;
                L::validate_check(&check, &now).map_err(|error| format!("the check: {error}"))?;
                // A prediction's solution is the computed answer.
                let solution = (L::kind_of(&check) == Kind::Predict && !L::measured(&check))
                    .then(|| {
                        L::judge(&check, &now, &now, None)
                            .answer
                            .map(Solution::Answer)
                    })
                    .flatten();
                let challenge = Challenge::new(title.trim(), &now, &check, solution);
                let set =
                    load_my_set().unwrap_or_else(|| ChallengeSet::new("My challenges", Vec::new()));
                let at = set.challenges.len();
                let proof = keep::<L>(set, at, |set| set.challenges.push(challenge))?;
                Ok(format!(
                    "Added as challenge {} of your set ({proof}). Write its texts on the challenges page.",
                    at + 1
                ))
            })();
            if made.is_ok() {
                title.set(String::new());
            }
            outcome.set(Some(made));
        })
    };
    html! {
        <div class="challenge-maker" data-testid="maker">
            <p class="note">{ "The lab as it is now becomes the challenge's start; a prediction keeps the computed answer as its solution." }</p>
            <label class="maker-field">{ "What to ask " }
                <select onchange={on_choice} data-testid="maker-check">{ for options }</select>
            </label>
            { for number_fields }
            <label class="maker-field">{ "Title " }<input type="text" value={(*title).clone()} oninput={on_title} data-testid="maker-title" /></label>
            <button class="primary" onclick={on_add} data-testid="maker-add">{ "Add to my set" }</button>
            { for solve_form }
            { for said }
        </div>
    }
}
