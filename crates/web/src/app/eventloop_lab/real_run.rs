//! "Run it for real": the program runs in this browser, in a sandboxed
//! frame of its own (an opaque origin with no storage, no network and no
//! access to the page) and a worker inside it, only when the learner
//! clicks, stopped after a few seconds. What it printed comes back line by
//! line and is compared with the lab's run.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use interleave_core::eventloop::lab::Action;
use interleave_core::eventloop::lab::real::{Comparison, RealEnding, RealRun};
use interleave_core::eventloop::record::Run;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use super::Dispatch;

/// How long a real run may take.
const SECONDS: u32 = 5;
/// The sandbox's page, beside the app.
const SANDBOX: &str = "eventloop/sandbox.html";
/// What the worker runs before the program: the console's formatter and
/// the helpers (`web/eventloop/`).
const PRELUDE: &str = concat!(
    include_str!("../../../../../web/eventloop/format.js"),
    "\n",
    include_str!("../../../../../web/eventloop/worker-prelude.js"),
    "\n"
);

/// The worker's script: the prelude, then the program as the body of an
/// async function, strict, as a module's body runs (top-level `await`
/// included). A module worker cannot start in an opaque origin (its
/// script is fetched with CORS from `blob:null`), so the worker is a
/// classic one; the lab's own parser has accepted the program first.
fn script(source: &str) -> String {
    format!("{PRELUDE}(async function () {{\n'use strict';\n{source}\n}}).call(undefined);\n")
}

#[derive(Properties)]
pub struct RealRunProps {
    pub run: Rc<Run>,
    pub source: Rc<str>,
    pub real: Option<Rc<RealRun>>,
    pub comparison: Option<Comparison>,
    pub dispatch: Dispatch,
}

impl PartialEq for RealRunProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.run, &other.run)
            && self.source == other.source
            && self.real == other.real
            && self.comparison == other.comparison
    }
}

/// A real run in progress: the frame, its messages, its deadline.
struct Sandbox {
    frame: web_sys::HtmlIFrameElement,
    _listener: EventListener,
    _backstop: Timeout,
}

#[derive(Default)]
struct Progress {
    lines: Vec<String>,
    engine: String,
    sandbox: Option<Sandbox>,
}

fn field(data: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(data, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined())
}

/// Ends the run: the frame goes, the result goes to the lab.
fn finish(progress: &Rc<RefCell<Progress>>, running: &UseStateHandle<bool>, dispatch: &Dispatch, source: &Rc<str>, ending: RealEnding) {
    let (lines, engine) = {
        let mut p = progress.borrow_mut();
        let Some(sandbox) = p.sandbox.take() else { return };
        sandbox.frame.remove();
        (std::mem::take(&mut p.lines), std::mem::take(&mut p.engine))
    };
    running.set(false);
    dispatch.dispatch(Action::RealRunDone(RealRun {
        source: source.clone(),
        lines,
        ending,
        engine,
    }));
}

/// The browser's name and version from its user agent (`Chrome/156`).
fn engine_name(agent: &str) -> String {
    for name in ["Firefox/", "Edg/", "Chrome/", "Version/"] {
        if let Some(at) = agent.find(name) {
            let rest = &agent[at..];
            let token: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
            let major = token.split('.').next().unwrap_or(&token).to_owned();
            return if name == "Version/" { format!("Safari {}", &major[8..]) } else { major };
        }
    }
    "this browser".to_owned()
}

#[function_component(RealRunPanel)]
pub fn real_run_panel(props: &RealRunProps) -> Html {
    let running = use_state(|| false);
    let progress = use_mut_ref(Progress::default);
    {
        // A run in progress ends with the page (or the program's change).
        let progress = progress.clone();
        use_effect_with(props.source.clone(), move |_| {
            move || {
                if let Some(sandbox) = progress.borrow_mut().sandbox.take() {
                    sandbox.frame.remove();
                }
            }
        });
    }
    let on_run = {
        let (running, progress, dispatch, source) = (running.clone(), progress.clone(), props.dispatch.clone(), props.source.clone());
        Callback::from(move |_: MouseEvent| {
            if *running {
                return;
            }
            let Some(window) = web_sys::window() else { return };
            let Some(document) = window.document() else { return };
            let Ok(frame) = document.create_element("iframe") else { return };
            let Ok(frame) = frame.dyn_into::<web_sys::HtmlIFrameElement>() else { return };
            let _ = frame.set_attribute("sandbox", "allow-scripts");
            let _ = frame.set_attribute("title", "The sandbox of a real run");
            let _ = frame.set_attribute("aria-hidden", "true");
            let _ = frame.set_attribute("tabindex", "-1");
            let _ = frame.set_attribute("class", "sandbox-frame");
            let _ = frame.set_attribute("data-testid", "sandbox");
            frame.set_src(SANDBOX);
            let listener = {
                let (frame, progress, running, dispatch, source) =
                    (frame.clone(), progress.clone(), running.clone(), dispatch.clone(), source.clone());
                EventListener::new(&window, "message", move |event| {
                    let Some(event) = event.dyn_ref::<web_sys::MessageEvent>() else { return };
                    let from_frame = match (event.source(), frame.content_window()) {
                        (Some(from), Some(window)) => js_sys::Object::is(&from, &window),
                        _ => false,
                    };
                    if !from_frame {
                        return;
                    }
                    let Some(data) = field(&event.data(), "interleaveSandbox") else { return };
                    if field(&data, "ready").is_some() {
                        let order = js_sys::Object::new();
                        let module = script(&source);
                        let _ = js_sys::Reflect::set(&order, &"module".into(), &JsValue::from_str(&module));
                        let _ = js_sys::Reflect::set(&order, &"seconds".into(), &JsValue::from(SECONDS));
                        let message = js_sys::Object::new();
                        let _ = js_sys::Reflect::set(&message, &"interleaveRun".into(), &order);
                        if let Some(target) = frame.content_window() {
                            let _ = target.post_message(&message, "*");
                        }
                    } else if let Some(line) = field(&data, "line").and_then(|l| l.as_string()) {
                        let mut p = progress.borrow_mut();
                        if p.lines.len() < 10_000 {
                            p.lines.push(line.chars().take(10_000).collect());
                        }
                    } else if let Some(engine) = field(&data, "engine").and_then(|e| e.as_string()) {
                        progress.borrow_mut().engine = engine_name(&engine);
                    } else if field(&data, "done").is_some() {
                        finish(&progress, &running, &dispatch, &source, RealEnding::Finished);
                    } else if let Some(error) = field(&data, "threw").and_then(|e| e.as_string()) {
                        finish(&progress, &running, &dispatch, &source, RealEnding::Threw { error });
                    } else if let Some(seconds) = field(&data, "timedOut").and_then(|s| s.as_f64()) {
                        finish(&progress, &running, &dispatch, &source, RealEnding::TimedOut { seconds: seconds as u32 });
                    } else if let Some(why) = field(&data, "failed").and_then(|w| w.as_string()) {
                        finish(&progress, &running, &dispatch, &source, RealEnding::Failed { why });
                    }
                })
            };
            let backstop = {
                let (progress, running, dispatch, source) = (progress.clone(), running.clone(), dispatch.clone(), source.clone());
                Timeout::new((SECONDS + 3) * 1000, move || {
                    finish(
                        &progress,
                        &running,
                        &dispatch,
                        &source,
                        RealEnding::Failed { why: "the sandbox did not answer in time".to_owned() },
                    );
                })
            };
            {
                let mut p = progress.borrow_mut();
                p.lines.clear();
                p.engine = "this browser".to_owned();
                p.sandbox = Some(Sandbox {
                    frame: frame.clone(),
                    _listener: listener,
                    _backstop: backstop,
                });
            }
            if let Some(body) = document.body() {
                let _ = body.append_child(&frame);
            }
            running.set(true);
        })
    };
    let verdict = props.comparison.as_ref().zip(props.real.as_ref()).map(|(comparison, real)| {
        let engine = &real.engine;
        let (class, text) = match comparison {
            Comparison::Same { lines } => ("same", format!("Same order: all {lines} lines match in {engine}.")),
            Comparison::Differs { line, lab, real: theirs } => (
                "differs",
                format!(
                    "Differs at line {line}: the lab printed {}, {engine} printed {}.",
                    lab.as_deref().map_or_else(|| "nothing more".to_owned(), |l| format!("“{l}”")),
                    theirs.as_deref().map_or_else(|| "nothing more".to_owned(), |l| format!("“{l}”"))
                ),
            ),
            Comparison::Unfinished { lines, why } => (
                "unfinished",
                format!("The real run did not finish ({why}); its first {lines} lines match the lab's."),
            ),
        };
        let ending = match &real.ending {
            RealEnding::Threw { error } => Some(format!("It stopped at an uncaught error, as Node would: {error}")),
            _ => None,
        };
        html! {
            <div class={classes!("verdict", class)} role="status" data-testid="real-verdict">
                <p>{ text }</p>
                if let Some(ending) = ending { <p class="note">{ ending }</p> }
                if class == "differs" {
                    <p class="note">{ "The lab runs the event loop as Node does. Browsers differ in places: setTimeout(f, 0) may run at once instead of after 1 ms, timers nested 5 deep wait at least 4 ms, io(…) here is a plain timer, and only a browser has frames. A difference can also be real time at work: two timers due within a few ms of each other may run in either order." }</p>
                }
            </div>
        }
    });
    let side_by_side = props.real.as_ref().map(|real| {
        let differs_at = match &props.comparison {
            Some(Comparison::Differs { line, .. }) => Some(*line),
            _ => None,
        };
        let column = |lines: Vec<String>| {
            lines
                .into_iter()
                .enumerate()
                .map(|(i, line)| {
                    let class = classes!("console-line", (differs_at == Some(i + 1)).then_some("first-difference"));
                    html! { <li class={class}><pre>{ line }</pre></li> }
                })
                .collect::<Html>()
        };
        let lab_lines: Vec<String> = props.run.console.iter().map(|l| l.text.clone()).collect();
        html! {
            <div class="side-by-side">
                <section aria-labelledby="lab-console-title">
                    <h4 id="lab-console-title">{ "The lab (the whole run)" }</h4>
                    <ol class="console">{ column(lab_lines) }</ol>
                </section>
                <section aria-labelledby="real-console-title" data-testid="real-console">
                    <h4 id="real-console-title">{ format!("For real, in {}", real.engine) }</h4>
                    <ol class="console">{ column(real.lines.clone()) }</ol>
                </section>
            </div>
        }
    });
    html! {
        <section class="panel real-run" aria-labelledby="real-run-title">
            <h3 id="real-run-title">{ "Run it for real" }</h3>
            <p class="note">
                { format!("Runs this program in this browser, in a sandbox with no access to the page, your storage or the network, for at most {SECONDS} s, and compares what it prints with the lab. Nothing runs until you click.") }
            </p>
            <button class="primary" onclick={on_run} disabled={*running} data-testid="run-real">
                { if *running { "Running in the sandbox…" } else { "Run it for real in this browser" } }
            </button>
            { for verdict }
            { for side_by_side }
        </section>
    }
}
