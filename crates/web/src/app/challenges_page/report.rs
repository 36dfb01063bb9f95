//! A learner's progress report in a set, made in the browser: which
//! challenges are won, each prediction with the computed answer, and
//! when. Printed as a page (the rest of the page is left off the print)
//! or saved as a small JSON file (`interleave-progress/1`) to hand in; a
//! teacher opens a student's file to see the same table. "Start over"
//! forgets the set's progress, after a second click.

use std::rc::Rc;

use interleave_core::challenges::{ChallengeSet, Kind, Progress};
use yew::prelude::*;

use super::{kind_lower, lab_word};

#[derive(Properties, PartialEq)]
pub struct ReportProps {
    /// The set, when it is at hand (its challenges not yet done are
    /// listed too); a student's file alone lists what it holds.
    pub set: Option<Rc<ChallengeSet>>,
    pub progress: Rc<Progress>,
    /// Forgets this browser's progress; none for a file's.
    #[prop_or_default]
    pub on_start_over: Option<Callback<()>>,
}

#[function_component(Report)]
pub fn report(props: &ReportProps) -> Html {
    let confirming = use_state(|| false);
    let progress = &props.progress;
    let places: Vec<(usize, String, String, Kind)> = match &props.set {
        Some(set) => set
            .challenges
            .iter()
            .enumerate()
            .map(|(at, challenge)| {
                (
                    at,
                    challenge.title.clone(),
                    challenge.lab.clone(),
                    challenge.kind,
                )
            })
            .collect(),
        None => progress
            .entries
            .iter()
            .map(|entry| (entry.at, entry.title.clone(), entry.lab.clone(), entry.kind))
            .collect(),
    };
    let rows = places.into_iter().map(|(at, title, lab, kind)| {
        let entry = progress.entry(at);
        let status = match entry {
            Some(entry) if entry.won => "won",
            Some(entry) if entry.answer.is_some() && entry.computed.is_empty() => "answered, to be measured",
            Some(entry) if entry.answer.is_some() => "answered, not right",
            _ => "not done",
        };
        let answer = entry
            .and_then(|entry| entry.answer.as_ref())
            .map(|answer| answer.text())
            .unwrap_or_default();
        let when = entry
            .map(|entry| entry.when.replace('T', " ").chars().take(16).collect::<String>())
            .unwrap_or_default();
        html! {
            <tr class={classes!(entry.is_some_and(|e| e.won).then_some("won"))} data-testid="report-row">
                <td>{ at + 1 }</td>
                <td>{ title }</td>
                <td>{ format!("{}, {}", lab_word(&lab), kind_lower(kind)) }</td>
                <td data-testid="report-status">{ status }</td>
                <td>{ answer }</td>
                <td>{ entry.map(|entry| entry.computed.clone()).unwrap_or_default() }</td>
                <td>{ when }</td>
            </tr>
        }
    });
    let on_print = Callback::from(|_: MouseEvent| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    });
    let on_download = {
        let progress = progress.clone();
        Callback::from(move |_: MouseEvent| {
            crate::export::download_text(
                "interleave-progress.json",
                "application/json",
                &progress.to_file(),
            );
        })
    };
    let start_over = props.on_start_over.clone().map(|on_start_over| {
        let confirm = confirming.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            if *confirm {
                confirm.set(false);
                on_start_over.emit(());
            } else {
                confirm.set(true);
            }
        });
        html! {
            <button {onclick} data-testid="start-over">{ if *confirming { "Really forget this set's progress?" } else { "Start over" } }</button>
        }
    });
    html! {
        <div class="challenge-report" data-testid="report">
            <h3>{ format!("Progress report: {}", progress.set) }</h3>
            <p data-testid="report-summary">{ format!(
                "{} of {} challenges won (set id {}).",
                progress.won_count(),
                progress.challenges,
                progress.set_id
            ) }</p>
            <div class="table-scroll">
                <table>
                    <thead><tr>
                        <th scope="col">{ "#" }</th><th scope="col">{ "Challenge" }</th><th scope="col">{ "Lab, kind" }</th>
                        <th scope="col">{ "Status" }</th><th scope="col">{ "Answer" }</th><th scope="col">{ "Computed" }</th><th scope="col">{ "When (UTC)" }</th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            <p class="report-actions">
                <button onclick={on_print}>{ "Print" }</button>
                if props.on_start_over.is_some() {
                    <button onclick={on_download} data-testid="report-download">{ "Download the report (JSON)" }</button>
                }
                { for start_over }
            </p>
        </div>
    }
}
