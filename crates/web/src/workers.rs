//! The page's side of the worker protocol (`interleave_core::protocol`),
//! for one lab's jobs (`Jobs`): a [`ProtocolWorker`] is one
//! `web/worker.js` with its own wasm instance; each request gets a fresh
//! id, and a reply is handed only to whoever waits for that id, so the
//! answer of a cancelled or replaced request is dropped. A worker that
//! stops (its module trapped, it could not load) fails the request it
//! owes, saying why. [`WorkerJob`] is one long job (the Races explorer,
//! random schedules, the Servers sweep) in a worker of its own, cancelled
//! by terminating it; the Parallel lab's message-passing pool keeps its
//! workers (`message_pool`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures_channel::oneshot;
use interleave_core::protocol::{Answer, Jobs, Outstanding, Reply, Request};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// A lab's answer to one of its jobs.
pub type LabAnswer<J> = Answer<<J as Jobs>::Done, <J as Jobs>::Progress>;

/// Hears the replies to one request: the answer and, for a Mandelbrot
/// chunk, its pixels.
type Waiter<J> = Box<dyn FnMut(LabAnswer<J>, Option<js_sys::Uint16Array>)>;

thread_local! {
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
    /// The workers' module, compiled once on the page and handed to each
    /// worker (a promise of a `WebAssembly.Module`).
    static WORKER_MODULE: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
    /// The workers' JS glue and wasm module (`set_worker_urls`).
    static WORKER_URLS: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// The URLs of the workers' JS glue and wasm module (`crates/worker`), as
/// the loader passed them to `mount`: the build names them by their
/// content (`scripts/modules.mjs`), so a page never pairs with a worker
/// module of another build from a cache.
fn worker_urls() -> Result<(String, String), String> {
    WORKER_URLS
        .with(|urls| urls.borrow().clone())
        .ok_or_else(|| {
            "the page did not say where the workers' module is (mount was not called)".to_owned()
        })
}

/// Where the workers' module is: `mount` sets it before the app renders.
pub fn set_worker_urls(js: String, wasm: String) {
    WORKER_URLS.with(|urls| *urls.borrow_mut() = Some((js, wasm)));
}

/// The workers' module, compiled on the first call (later calls share the
/// promise). If the page cannot compile it (a host that serves wasm with
/// another MIME type), [`ProtocolWorker::spawn`] hands each worker the URL
/// to load itself.
fn worker_module(wasm_url: &str) -> js_sys::Promise {
    WORKER_MODULE.with(|module| {
        module
            .borrow_mut()
            .get_or_insert_with(|| match web_sys::window() {
                Some(window) => {
                    js_sys::WebAssembly::compile_streaming(&window.fetch_with_str(wasm_url))
                }
                None => js_sys::Promise::reject(&"no window to compile in".into()),
            })
            .clone()
    })
}

/// One module worker speaking `J`'s part of the protocol; terminated
/// when dropped.
pub struct ProtocolWorker<J: Jobs> {
    worker: web_sys::Worker,
    owed: Rc<RefCell<Outstanding<Waiter<J>>>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl<J: Jobs> std::fmt::Debug for ProtocolWorker<J> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProtocolWorker").finish_non_exhaustive()
    }
}

fn field(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn js_error(error: JsValue) -> String {
    field(&error, "message")
        .as_string()
        .unwrap_or_else(|| format!("{error:?}"))
}

impl<J: Jobs + 'static> ProtocolWorker<J> {
    /// Starts a worker that loads the workers' module (`crates/worker`):
    /// it is told where the glue is and handed the compiled module once
    /// the page has it; requests sent before then wait in the worker.
    pub fn spawn() -> Result<ProtocolWorker<J>, String> {
        let (glue_url, wasm_url) = worker_urls()?;
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        let worker =
            web_sys::Worker::new_with_options("./worker.js", &options).map_err(js_error)?;
        let owed: Rc<RefCell<Outstanding<Waiter<J>>>> = Rc::default();
        let on_message = {
            let owed = owed.clone();
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                deliver::<J>(&owed, &event.data());
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // An error the worker did not catch (its module trapped): the
        // request it owes fails, saying so, instead of waiting for ever.
        let on_error = {
            let owed = owed.clone();
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
                event.prevent_default();
                let message = event.message();
                let message = if message.is_empty() {
                    "it stopped without saying why".to_owned()
                } else {
                    message.trim_start_matches("Uncaught ").to_owned()
                };
                fail_owed::<J>(&owed, format!("a worker failed: {message}"));
            })
        };
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let module = worker_module(&wasm_url);
        let target = worker.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let module = wasm_bindgen_futures::JsFuture::from(module)
                .await
                .unwrap_or_else(|_| JsValue::from(wasm_url));
            let load = js_sys::Object::new();
            for (key, value) in [("workerJS", JsValue::from(glue_url)), ("module", module)] {
                let _ = js_sys::Reflect::set(&load, &key.into(), &value);
            }
            // A worker terminated meanwhile ignores it.
            let _ = target.post_message(&load);
        });
        Ok(ProtocolWorker {
            worker,
            owed,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends `job` as a new request; `waiter` hears its replies. A request
    /// still owed an answer is forgotten (its replies will be dropped).
    pub fn send(
        &self,
        job: J::Job,
        waiter: impl FnMut(LabAnswer<J>, Option<js_sys::Uint16Array>) + 'static,
    ) -> Result<(), String> {
        let id = NEXT_ID.with(|next| next.replace(next.get() + 1));
        self.owed.borrow_mut().expect(id, Box::new(waiter));
        let message = js_sys::Object::new();
        let request = Request::new::<J>(id, job).to_json();
        let _ = js_sys::Reflect::set(&message, &"request".into(), &request.into());
        self.worker.post_message(&message).map_err(|error| {
            self.owed.borrow_mut().clear();
            js_error(error)
        })
    }

    /// Sends `job` and awaits its one answer (with a chunk's pixels): its
    /// result, or what failed.
    pub async fn ask(&self, job: J::Job) -> Result<(J::Done, Option<js_sys::Uint16Array>), String> {
        let (sender, receiver) = oneshot::channel();
        let mut sender = Some(sender);
        self.send(job, move |answer, pixels| {
            if !answer.is_progress()
                && let Some(sender) = sender.take()
            {
                let _ = sender.send((answer, pixels));
            }
        })?;
        match receiver
            .await
            .map_err(|_| "the worker's answer was dropped".to_owned())?
        {
            (Answer::Done(done), pixels) => Ok((done, pixels)),
            (answer, _) => Err(failure(&answer)),
        }
    }
}

/// Fails the request `owed` waits for, if any, with `message`.
fn fail_owed<J: Jobs>(owed: &RefCell<Outstanding<Waiter<J>>>, message: String) {
    let waiter = owed.borrow_mut().take_failed(0);
    if let Some(mut waiter) = waiter {
        waiter(Answer::Failed { message }, None);
    }
}

/// Hands a message from the worker to whoever waits for its request.
fn deliver<J: Jobs>(owed: &RefCell<Outstanding<Waiter<J>>>, data: &JsValue) {
    let pixels = field(data, "pixels").dyn_into::<js_sys::Uint16Array>().ok();
    let reply = match (
        field(data, "reply").as_string(),
        field(data, "loadFailed").as_string(),
        field(data, "failed").as_string(),
    ) {
        (Some(json), _, _) => Reply::<J::Done, J::Progress>::from_json(&json)
            .map_err(|error| format!("a worker's reply: {error}")),
        (None, Some(message), _) => Err(format!("the worker could not load the app ({message})")),
        (None, None, Some(message)) => Err(format!("the worker stopped: {message}")),
        (None, None, None) => Err("a worker sent a message without a reply".to_owned()),
    };
    match reply {
        Ok(Reply { id, answer }) if answer.is_progress() => {
            if let Some(waiter) = owed.borrow_mut().waiter(id) {
                waiter(answer, pixels);
            }
        }
        Ok(Reply {
            id,
            answer: answer @ Answer::Failed { .. },
        }) => {
            // Taken out first: the waiter may send the next request.
            let waiter = owed.borrow_mut().take_failed(id);
            if let Some(mut waiter) = waiter {
                waiter(answer, pixels);
            }
        }
        Ok(Reply { id, answer }) => {
            let waiter = owed.borrow_mut().take(id);
            if let Some(mut waiter) = waiter {
                waiter(answer, pixels);
            }
        }
        Err(message) => fail_owed::<J>(owed, message),
    }
}

impl<J: Jobs> Drop for ProtocolWorker<J> {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// A long job in a worker of its own; dropping it terminates the worker.
#[derive(Debug)]
pub struct WorkerJob<J: Jobs> {
    _worker: ProtocolWorker<J>,
}

impl<J: Jobs + 'static> WorkerJob<J> {
    /// Starts `job` in a new worker; `on_answer` hears its progress, then
    /// its result or failure once.
    pub fn start(
        job: J::Job,
        mut on_answer: impl FnMut(LabAnswer<J>) + 'static,
    ) -> Result<WorkerJob<J>, String> {
        let worker = ProtocolWorker::spawn()?;
        worker.send(job, move |answer, _| on_answer(answer))?;
        Ok(WorkerJob { _worker: worker })
    }
}

/// The slot a component keeps its running job in.
pub type JobSlot<J> = Rc<RefCell<Option<WorkerJob<J>>>>;

/// Starts `job` in `slot`, cancelling the job it held: `on_progress`
/// hears its progress, `on_end` its result or what failed, once, after
/// which the slot is empty again.
pub fn start_in<J: Jobs + 'static>(
    slot: &JobSlot<J>,
    job: J::Job,
    mut on_progress: impl FnMut(J::Progress) + 'static,
    on_end: impl FnOnce(Result<J::Done, String>) + 'static,
) -> Result<(), String> {
    slot.borrow_mut().take();
    let slot_in = slot.clone();
    let mut on_end = Some(on_end);
    let job = WorkerJob::start(job, move |answer| match answer {
        Answer::Progress(progress) => on_progress(progress),
        answer => {
            if let Some(on_end) = on_end.take() {
                on_end(match answer {
                    Answer::Done(done) => Ok(done),
                    other => Err(failure(&other)),
                });
            }
            // Terminates this worker once this message is handled.
            slot_in.borrow_mut().take();
        }
    })?;
    *slot.borrow_mut() = Some(job);
    Ok(())
}

/// Starts compiling the workers' module, once per page (the browser
/// compiles it off the main thread), so that a first job does not wait for
/// it.
pub fn prepare() {
    if let Ok((_, wasm_url)) = worker_urls() {
        let _ = worker_module(&wasm_url);
    }
}

/// A component's job slot: holds at most one running job, which is
/// cancelled (its worker terminated) when replaced or on unmount. A
/// component with a slot may run a job: mounting it starts compiling the
/// workers' module ([`prepare`]).
#[yew::hook]
pub fn use_job_slot<J: Jobs + 'static>() -> JobSlot<J> {
    let slot: JobSlot<J> = yew::use_mut_ref(|| None);
    {
        let slot = slot.clone();
        yew::use_effect_with((), move |_| {
            prepare();
            move || drop(slot.borrow_mut().take())
        });
    }
    slot
}

/// A Cancel button's callback: terminates the slot's job and sets `status`
/// to `cancelled`.
pub fn cancel_callback<J: Jobs + 'static, S: Clone + 'static>(
    slot: &JobSlot<J>,
    status: &yew::UseStateHandle<S>,
    cancelled: S,
) -> yew::Callback<web_sys::MouseEvent> {
    let (slot, status) = (slot.clone(), status.clone());
    yew::Callback::from(move |_| {
        slot.borrow_mut().take();
        status.set(cancelled.clone());
    })
}

/// What failed, from an answer that is not the job's result.
pub fn failure<D, P>(answer: &Answer<D, P>) -> String {
    match answer {
        Answer::Failed { message } => message.clone(),
        Answer::Progress(_) => "the worker answered with progress only".to_owned(),
        Answer::Done(_) => "the worker answered with a result".to_owned(),
    }
}
