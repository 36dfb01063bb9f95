//! Real parallelism without shared memory: message-passing web workers,
//! each with its own wasm instance (`web/compute-worker.js`), for pages
//! that are not cross-origin isolated (the usual LMS iframe). The page
//! hands out chunks one at a time, like the shared pool's workers take
//! them, and puts every chunk's times on one clock.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};

use futures_channel::oneshot;
use interleave_core::parallel::kernels::{KernelKind, KernelSpec, combine};
use interleave_core::parallel::run::{ChunkRecord, KernelRun};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::parallel::kind_key;
use crate::web::{main_js_url, performance_now};

/// One worker and the reply it owes, if any.
struct Slot {
    worker: web_sys::Worker,
    reply: Rc<RefCell<Option<oneshot::Sender<JsValue>>>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

/// A set of message-passing workers, started once per page.
pub struct MessagePool {
    slots: Vec<Slot>,
}

impl std::fmt::Debug for MessagePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessagePool")
            .field("workers", &self.slots.len())
            .finish()
    }
}

impl PartialEq for MessagePool {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

fn get(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn message(fields: &[(&str, JsValue)]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&object, &(*key).into(), value);
    }
    object
}

impl MessagePool {
    /// Starts `workers` workers and waits until each has its wasm instance.
    pub async fn start(workers: usize) -> Result<MessagePool, String> {
        let mut slots = Vec::with_capacity(workers);
        let mut ready = Vec::with_capacity(workers);
        for _ in 0..workers {
            let options = web_sys::WorkerOptions::new();
            options.set_type(web_sys::WorkerType::Module);
            let worker = web_sys::Worker::new_with_options("./compute-worker.js", &options)
                .map_err(|err| format!("{err:?}"))?;
            let reply: Rc<RefCell<Option<oneshot::Sender<JsValue>>>> = Rc::new(RefCell::new(None));
            let on_message = {
                let reply = reply.clone();
                Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                    move |event: web_sys::MessageEvent| {
                        if let Some(sender) = reply.borrow_mut().take() {
                            let _ = sender.send(event.data());
                        }
                    },
                )
            };
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            let (sender, receiver) = oneshot::channel();
            *reply.borrow_mut() = Some(sender);
            let init = message(&[
                ("type", "init".into()),
                ("mainJS", main_js_url().into()),
                ("module", wasm_bindgen::module()),
            ]);
            worker
                .post_message(&init)
                .map_err(|err| format!("{err:?}"))?;
            ready.push(receiver);
            slots.push(Slot {
                worker,
                reply,
                _on_message: on_message,
            });
        }
        for receiver in ready {
            let answer = receiver
                .await
                .map_err(|_| "a worker stopped while starting".to_owned())?;
            if get(&answer, "type").as_string().as_deref() != Some("ready") {
                return Err(get(&answer, "message")
                    .as_string()
                    .unwrap_or_else(|| "a worker failed to start".to_owned()));
            }
        }
        Ok(MessagePool { slots })
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Sends one range to worker `idx` and awaits its answer.
    async fn run_range(
        &self,
        idx: usize,
        spec: &KernelSpec,
        start: u64,
        end: u64,
    ) -> Result<JsValue, String> {
        let slot = &self.slots[idx];
        let (sender, receiver) = oneshot::channel();
        *slot.reply.borrow_mut() = Some(sender);
        let chunk = message(&[
            ("type", "chunk".into()),
            ("kind", kind_key(spec.kind).into()),
            ("size", (spec.size as f64).into()),
            ("chunk", (spec.chunk as f64).into()),
            ("serial", spec.serial_fraction.into()),
            ("start", (start as f64).into()),
            ("end", (end as f64).into()),
        ]);
        slot.worker
            .post_message(&chunk)
            .map_err(|err| format!("{err:?}"))?;
        receiver.await.map_err(|_| "a worker stopped".to_owned())
    }

    /// Runs `spec` on the first `workers` workers, chunk by chunk.
    pub async fn run(
        self: Rc<Self>,
        spec: KernelSpec,
        workers: usize,
        image: Arc<Vec<AtomicU16>>,
        cancel: Arc<AtomicBool>,
    ) -> Result<KernelRun, String> {
        let workers = workers.clamp(1, self.len());
        let origin = performance_now();
        // The page's clock starts at its timeOrigin; workers send
        // timeOrigin + now of their own.
        let time_origin = js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .and_then(|performance| js_sys::Reflect::get(&performance, &"timeOrigin".into()))
            .ok()
            .and_then(|value| value.as_f64())
            .unwrap_or(0.0);
        let width = if spec.kind == KernelKind::Mandelbrot {
            spec.width() as usize
        } else {
            0
        };
        let store_rows = {
            let image = image.clone();
            move |start: u64, answer: &JsValue| {
                if let Ok(rows) = get(answer, "rows").dyn_into::<js_sys::Uint16Array>() {
                    let offset = start as usize * width;
                    for (idx, value) in rows.to_vec().into_iter().enumerate() {
                        if let Some(pixel) = image.get(offset + idx) {
                            pixel.store(value, Ordering::Relaxed);
                        }
                    }
                }
            }
        };
        let record = move |answer: &JsValue, chunk: Option<usize>, worker: usize| ChunkRecord {
            chunk,
            worker,
            // Workers send absolute times (their timeOrigin + now).
            start: get(answer, "start").as_f64().unwrap_or(0.0) - time_origin - origin,
            end: get(answer, "end").as_f64().unwrap_or(0.0) - time_origin - origin,
        };
        let checksum_of = |answer: &JsValue| {
            u64::from_str_radix(&get(answer, "checksum").as_string().unwrap_or_default(), 16)
                .unwrap_or(0)
        };

        let records = Rc::new(RefCell::new(Vec::new()));
        let checksum = Rc::new(Cell::new(0u64));
        let serial = spec.serial_items();
        if serial > 0 {
            let answer = self.run_range(0, &spec, 0, serial).await?;
            store_rows(0, &answer);
            checksum.set(combine(checksum.get(), checksum_of(&answer)));
            records.borrow_mut().push(record(&answer, None, 0));
        }
        let chunks = Rc::new(spec.chunks());
        let next = Rc::new(Cell::new(0usize));
        let mut lanes = Vec::with_capacity(workers);
        for worker in 0..workers {
            let (done, finished) = oneshot::channel::<Result<(), String>>();
            lanes.push(finished);
            let (pool, chunks, next, records, checksum, cancel) = (
                self.clone(),
                chunks.clone(),
                next.clone(),
                records.clone(),
                checksum.clone(),
                cancel.clone(),
            );
            let store_rows = store_rows.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let mut outcome = Ok(());
                let record = record;
                while !cancel.load(Ordering::Relaxed) {
                    let idx = next.get();
                    let Some(range) = chunks.get(idx) else { break };
                    next.set(idx + 1);
                    match pool.run_range(worker, &spec, range.start, range.end).await {
                        Ok(answer) => {
                            store_rows(range.start, &answer);
                            checksum.set(combine(checksum.get(), checksum_of(&answer)));
                            records
                                .borrow_mut()
                                .push(record(&answer, Some(idx), worker));
                        }
                        Err(error) => {
                            outcome = Err(error);
                            break;
                        }
                    }
                }
                let _ = done.send(outcome);
            });
        }
        for lane in lanes {
            lane.await
                .map_err(|_| "a worker lane stopped".to_owned())??;
        }
        let mut records = records.take();
        records.sort_by(|a, b| a.start.total_cmp(&b.start));
        Ok(KernelRun {
            spec,
            workers,
            checksum: checksum.get(),
            millis: performance_now() - origin,
            records,
            cancelled: cancel.load(Ordering::Relaxed),
        })
    }
}
