//! A prediction's answer form, drawn from the core's `AnswerForm`: a
//! number with its unit and tolerance, a choice (radio buttons), whole
//! numbers, or lines to put in order (each with buttons to move it, so
//! no drag is needed). The answer is read and checked by the core before
//! it is committed; a problem is said beside the field.

use std::rc::Rc;

use interleave_core::challenges::{self, Answer, AnswerForm as Form};
use yew::prelude::*;

use crate::components::form;

#[derive(Properties, PartialEq)]
pub struct AnswerFormProps {
    pub form: Rc<Form>,
    pub on_commit: Callback<Answer>,
}

#[function_component(AnswerForm)]
pub fn answer_form(props: &AnswerFormProps) -> Html {
    let text = use_state(String::new);
    let order = {
        let form = props.form.clone();
        use_state(move || match &*form {
            Form::Order { lines } => lines.clone(),
            _ => Vec::new(),
        })
    };
    let problem = use_state(|| None::<String>);
    let on_input = {
        let text = text.clone();
        Callback::from(move |event: InputEvent| {
            if let Some(value) = form::input_value(&event) {
                text.set(value);
            }
        })
    };
    let on_choice = {
        let text = text.clone();
        Callback::from(move |event: Event| {
            if let Some(value) = form::input_value(&event) {
                text.set(value);
            }
        })
    };
    let on_submit = {
        let (form, text, order, problem, on_commit) = (
            props.form.clone(),
            text.clone(),
            order.clone(),
            problem.clone(),
            props.on_commit.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let read = match &*form {
                Form::Order { .. } => {
                    let answer = Answer::Lines((*order).clone());
                    form.accepts(&answer).map(|()| answer)
                }
                Form::Choice { .. } if text.is_empty() => Err("choose one".to_owned()),
                _ => form.read_text(&text),
            };
            match read {
                Ok(answer) => {
                    problem.set(None);
                    on_commit.emit(answer);
                }
                Err(why) => problem.set(Some(why)),
            }
        })
    };
    let mover = |idx: usize, by: isize| {
        let order = order.clone();
        Callback::from(move |_: MouseEvent| {
            let mut lines = (*order).clone();
            let to = idx as isize + by;
            if to >= 0 && (to as usize) < lines.len() {
                lines.swap(idx, to as usize);
                order.set(lines);
            }
        })
    };
    let field = match &*props.form {
        Form::Number {
            unit,
            tolerance,
            relative,
        } => html! {
            <label class="answer-number">{ "Your answer " }
                <input type="text" inputmode="decimal" autocomplete="off" value={(*text).clone()} oninput={on_input}
                    aria-describedby="answer-help" data-testid="answer-number" />
                { format!(" {unit}") }
                <span id="answer-help" class="note">{ format!(" Right within {}.", challenges::tolerance_text(*tolerance, *relative, if unit == "×" { "" } else { unit })) }</span>
            </label>
        },
        Form::Choice { options } => {
            let radios = options.iter().map(|option| {
                html! {
                    <label class="answer-choice">
                        <input type="radio" name="answer" value={option.clone()} checked={*text == *option} onchange={on_choice.clone()} />
                        { option.clone() }
                    </label>
                }
            });
            html! {
                <fieldset class="answer-choices" data-testid="answer-choices">
                    <legend>{ "Your answer" }</legend>
                    { for radios }
                </fieldset>
            }
        }
        Form::Integers => html! {
            <label class="answer-number">{ "Every value it can end with " }
                <input type="text" autocomplete="off" value={(*text).clone()} oninput={on_input}
                    placeholder="e.g. 1, 2" aria-describedby="answer-help" data-testid="answer-values" />
                <span id="answer-help" class="note">{ " Whole numbers, separated by commas." }</span>
            </label>
        },
        Form::Order { .. } => {
            let count = order.len();
            let items = order.iter().enumerate().map(|(idx, line)| {
                html! {
                    <li>
                        <span class="order-place" aria-hidden="true">{ format!("{}.", idx + 1) }</span>
                        <code class="order-line">{ line.clone() }</code>
                        <span class="order-buttons">
                            <button type="button" onclick={form::when_enabled(idx > 0, mover(idx, -1))} aria-disabled={(idx == 0).to_string()}
                                aria-label={format!("Move \u{201c}{line}\u{201d} up")}>{ "↑" }</button>
                            <button type="button" onclick={form::when_enabled(idx + 1 < count, mover(idx, 1))} aria-disabled={(idx + 1 == count).to_string()}
                                aria-label={format!("Move \u{201c}{line}\u{201d} down")}>{ "↓" }</button>
                        </span>
                    </li>
                }
            });
            html! {
                <fieldset class="answer-order" data-testid="answer-order">
                    <legend>{ "Put the lines in the order they are printed (first at the top)" }</legend>
                    <ol>{ for items }</ol>
                </fieldset>
            }
        }
    };
    html! {
        <form class="answer-form" onsubmit={on_submit} data-testid="answer-form">
            { field }
            <button type="submit" class="primary" data-testid="commit-answer">{ "Commit my answer" }</button>
            if let Some(problem) = &*problem {
                <p class="notice error" role="alert" data-testid="answer-problem">{ problem.clone() }</p>
            }
        </form>
    }
}
