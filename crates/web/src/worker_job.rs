//! Jobs in `web/lab-worker.js`: one module worker per job, with its own
//! wasm instance, running one export of this module off the page's main
//! thread. The page hears progress and the JSON result; dropping the job
//! (as [`cancel_callback`] does) terminates the worker.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::web::main_js_url;

/// What a job's worker says.
#[derive(Debug)]
pub enum JobMessage {
    /// The arguments the export passed to its progress callback.
    Progress(js_sys::Array),
    /// The export's JSON result, or `{"error": …}`.
    Done(String),
}

/// A running job; terminates its worker when dropped.
#[derive(Debug)]
pub struct WorkerJob {
    worker: web_sys::Worker,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl WorkerJob {
    /// Starts `export(...args, progress)` in a new worker. `on_message`
    /// hears progress, then the result once.
    pub fn start(
        export: &str,
        args: js_sys::Array,
        mut on_message: impl FnMut(JobMessage) + 'static,
    ) -> Result<WorkerJob, String> {
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options("./lab-worker.js", &options)
            .map_err(|err| format!("{err:?}"))?;
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                let data = event.data();
                match field(&data, "type").as_string().as_deref() {
                    Some("progress") => on_message(JobMessage::Progress(
                        field(&data, "args").dyn_into().unwrap_or_default(),
                    )),
                    Some("done") => on_message(JobMessage::Done(
                        field(&data, "json").as_string().unwrap_or_default(),
                    )),
                    _ => {}
                }
            },
        );
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let message = js_sys::Object::new();
        let fields: [(&str, JsValue); 4] = [
            ("mainJS", main_js_url().into()),
            ("module", wasm_bindgen::module()),
            ("job", export.into()),
            ("args", args.into()),
        ];
        for (key, value) in fields {
            let _ = js_sys::Reflect::set(&message, &key.into(), &value);
        }
        worker
            .post_message(&message)
            .map_err(|err| format!("{err:?}"))?;
        Ok(WorkerJob {
            worker,
            _on_message: on_message,
        })
    }
}

impl Drop for WorkerJob {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The slot a component keeps its running job in.
pub type JobSlot = Rc<RefCell<Option<WorkerJob>>>;

/// A number from a progress callback's arguments.
pub fn arg_f64(args: &js_sys::Array, idx: u32) -> f64 {
    args.get(idx).as_f64().unwrap_or(0.0)
}

/// The `{"error": …}` a failed job returns, else the text itself.
pub fn error_of(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|value| value["error"].as_str().map(str::to_owned))
        .unwrap_or_else(|| json.to_owned())
}

fn field(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A component's job slot: holds at most one running job, which is
/// cancelled (its worker terminated) when replaced or on unmount.
#[yew::hook]
pub fn use_job_slot() -> JobSlot {
    let slot: JobSlot = yew::use_mut_ref(|| None);
    {
        let slot = slot.clone();
        yew::use_effect_with((), move |_| move || drop(slot.borrow_mut().take()));
    }
    slot
}

/// A Cancel button's callback: terminates the slot's job and sets `status`
/// to `cancelled`.
pub fn cancel_callback<S: Clone + 'static>(
    slot: &JobSlot,
    status: &yew::UseStateHandle<S>,
    cancelled: S,
) -> yew::Callback<web_sys::MouseEvent> {
    let (slot, status) = (slot.clone(), status.clone());
    yew::Callback::from(move |_| {
        slot.borrow_mut().take();
        status.set(cancelled.clone());
    })
}
