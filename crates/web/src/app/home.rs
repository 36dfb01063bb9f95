//! The front door: what each lab teaches, with a live example of each.

use std::rc::Rc;

use interleave_core::eventloop::lab::EventLoopLab;
use interleave_core::eventloop::lessons::LESSONS as EVENT_LOOP_LESSONS;
use interleave_core::models::lab::ModelsLab;
use interleave_core::models::lab::presets::PRESETS;
use interleave_core::models::scenario::Model;
use interleave_core::models::simulate;
use interleave_core::races::lab::RacesLab;
use interleave_core::races::lessons::by_idea;
use interleave_core::share::link_to as lab_link;
use yew::prelude::*;

use crate::components::Timeline;

#[function_component(Home)]
pub fn home() -> Html {
    let thumbnails = use_memo((), |_| {
        let scenario = PRESETS[0].scenario();
        [Model::sync(1), Model::asynchronous(1)]
            .map(|model| (model, Rc::new(simulate(&scenario, model))))
    });
    let end = thumbnails
        .iter()
        .map(|(_, trace)| trace.end)
        .max()
        .unwrap_or(1);
    let examples = PRESETS.iter().map(|preset| {
        html! {
            <li><a href={lab_link(&ModelsLab::from_preset(preset))}>{ preset.title }</a></li>
        }
    });
    let races_lessons = by_idea().into_iter().map(|(idea, lessons)| {
        let links = lessons.into_iter().map(|lesson| {
            let link = lab_link(&RacesLab::from_lesson(lesson));
            html! { <li><a href={link}>{ lesson.title }</a></li> }
        });
        html! { <li class="idea">{ idea }<ul>{ for links }</ul></li> }
    });
    let server_presets = interleave_core::servers::presets::PRESETS
        .iter()
        .map(|preset| {
            let link = lab_link(&interleave_core::servers::lab::ServersLab::from_preset(
                preset,
            ));
            html! { <li><a href={link}>{ preset.title }</a></li> }
        });
    let event_loop_lessons = EVENT_LOOP_LESSONS.iter().map(|lesson| {
        let link = lab_link(&EventLoopLab::from_lesson(lesson));
        html! { <li><a href={link}>{ lesson.title }</a></li> }
    });
    let challenge_sets = interleave_core::labs::LabId::ALL.iter().map(|lab| {
        let link = interleave_core::share::Fragment {
            route: interleave_core::share::Route::Lab(*lab),
            set: Some(crate::app::challenges::BUILTIN.to_owned()),
            ..interleave_core::share::Fragment::default()
        };
        html! { <li><a href={link.to_hash()}>{ format!("{} lab", lab.info().nav) }</a></li> }
    });
    html! {
        <div class="home">
            <section class="lab-card home-challenges" aria-labelledby="home-challenges" data-testid="home-challenges">
                <h2 id="home-challenges">{ "Challenges: predict, then run" }</h2>
                <p>
                    { "Answer before you see: predict a makespan, the order a console prints, the values a race can end with; then run it and compare. " }
                    { "Reach targets, make the bad thing happen, and hand in a progress report. Teachers make challenges from anything they see, in any lab, and share a set as one link." }
                </p>
                <ul class="examples challenge-sets">{ for challenge_sets }</ul>
            </section>
            <section class="lab-card" aria-labelledby="home-models">
                <h2 id="home-models"><a href="#/models">{ "Models: synchronous vs asynchronous" }</a></h2>
                <p>
                    { "A synchronous thread runs a task to the end and sits blocked while it waits; an asynchronous thread parks a waiting task and runs another. " }
                    { "Compare both on 1 to N threads and C cores, play them back step by step, and see the same program as Ruby, JavaScript or Rust." }
                </p>
                <a class="thumbnail" href="#/models">
                    <div class="thumbs" aria-hidden="true">
                        { for thumbnails.iter().map(|(model, trace)| html! {
                            <div class="thumb">
                                <span class="thumb-label">{ model.label() }</span>
                                <Timeline trace={trace.clone()} window={Some((0, end))} label={model.label()} />
                            </div>
                        }) }
                    </div>
                    <span class="thumb-open">{ "Open the Models lab →" }</span>
                </a>
                <p class="examples-title">{ "One-click examples:" }</p>
                <ul class="examples">{ for examples }</ul>
            </section>
            <section class="lab-card" aria-labelledby="home-servers">
                <h2 id="home-servers"><a href="#/servers">{ "Servers: I/O concurrency under load" }</a></h2>
                <p>
                    { "Processes, threads, an event loop, or processes of threads: the same traffic served four ways, with queueing, latency percentiles, memory and a load sweep. Find where each one breaks." }
                </p>
                <p class="examples-title">{ "Scenarios:" }</p>
                <ul class="examples">{ for server_presets }</ul>
            </section>
            <section class="lab-card" aria-labelledby="home-races">
                <h2 id="home-races"><a href="#/races">{ "Races: be the scheduler" }</a></h2>
                <p>
                    { "Two threads add 1 to a counter and it ends at 1. Step threads by hand one indivisible step at a time, rewind, and let the explorer run every interleaving: lost updates, a linked list that keeps a removed node, deadlock, file locking." }
                </p>
                <p class="examples-title">{ "Lessons:" }</p>
                <ul class="examples lessons-by-idea" data-testid="home-lessons">{ for races_lessons }</ul>
            </section>
            <section class="lab-card" aria-labelledby="home-parallel">
                <h2 id="home-parallel"><a href="#/parallel">{ "Parallel: real multi-core speedup" }</a></h2>
                <p>
                    { "Splitting CPU work over cores gives real speedup, measured here on your machine's own web workers: run a kernel on one worker and on all of them and compare." }
                </p>
                <p><a class="button-link" href="#/parallel">{ "Measure the speedup on this machine" }</a></p>
            </section>
            <section class="lab-card" aria-labelledby="home-eventloop">
                <h2 id="home-eventloop"><a href="#/eventloop">{ "Event loop: JavaScript, one job at a time" }</a></h2>
                <p>
                    { "Why does a 0 ms timer run after a promise's then? Step through real JavaScript with the call stack, the microtask queue, timers, I/O and frames in view, backwards too, then run the same program for real in this browser and compare." }
                </p>
                <p class="examples-title">{ "Lessons:" }</p>
                <ul class="examples" data-testid="home-eventloop-lessons">{ for event_loop_lessons }</ul>
            </section>
        </div>
    }
}
