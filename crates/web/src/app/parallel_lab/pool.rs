//! The Parallel lab's workers, whatever the page can have (the capability
//! ladder, ARCHITECTURE.md): a cross-origin isolated page gets a rayon
//! pool sharing one wasm memory ([`shared`]); any other page with web
//! workers gets message-passing workers, each with its own wasm instance
//! ([`messages`]); a page without workers gets none. [`Pool`] runs a
//! kernel (and, sharing memory, the race) the same way on either, so the
//! lab has no case per kind of pool.
//!
//! A page has one pool (wasm-bindgen-rayon builds one global pool, once),
//! kept here across the lab's visits: [`obtain`] starts it the first time
//! and hands the same one out after. Message-passing workers that failed
//! a run are replaced ([`restart`]); the shared pool cannot be.

pub mod messages;
pub mod shared;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU16};

use futures_channel::oneshot;
use interleave_core::parallel::kernels::KernelSpec;
use interleave_core::parallel::lab::{PoolMode, pool_size};
use interleave_core::parallel::race::{CounterMethod, RaceResult};
use interleave_core::parallel::run::KernelRun;

use crate::web;
use messages::MessagePool;

/// The page's workers, started.
#[derive(Debug)]
pub enum Pool {
    /// A rayon pool sharing one wasm memory.
    Shared { workers: usize },
    /// Workers with their own memory, chunks sent as messages.
    Messages(MessagePool),
}

/// What asking for the page's workers gave.
#[derive(Debug, Clone)]
pub enum Obtained {
    Ready {
        pool: Rc<Pool>,
        /// How long they took to start.
        start_millis: f64,
    },
    /// This page offers no web workers.
    NoWorkers,
    Failed(String),
}

enum Slot {
    Empty,
    /// Started; whoever asks meanwhile waits.
    Starting(Vec<oneshot::Sender<Obtained>>),
    Done(Obtained),
}

thread_local! {
    static SLOT: RefCell<Slot> = const { RefCell::new(Slot::Empty) };
}

/// The page's workers, when they have started.
pub fn current() -> Option<Rc<Pool>> {
    SLOT.with(|slot| match &*slot.borrow() {
        Slot::Done(Obtained::Ready { pool, .. }) => Some(pool.clone()),
        _ => None,
    })
}

/// The workers a page that reports `hardware` threads starts.
pub fn workers_for(hardware: usize) -> usize {
    pool_size(hardware).0
}

/// The page's workers: started on the first call (as many as the machine
/// has, up to the ceiling), the same ones after.
pub async fn obtain() -> Obtained {
    let waiting = SLOT.with(|slot| {
        let mut slot = slot.borrow_mut();
        match &mut *slot {
            Slot::Done(obtained) => Err(obtained.clone()),
            Slot::Starting(waiters) => {
                let (sender, receiver) = oneshot::channel();
                waiters.push(sender);
                Ok(Some(receiver))
            }
            Slot::Empty => {
                *slot = Slot::Starting(Vec::new());
                Ok(None)
            }
        }
    });
    match waiting {
        Err(obtained) => obtained,
        Ok(Some(receiver)) => receiver
            .await
            .unwrap_or_else(|_| Obtained::Failed("the workers' start was abandoned".to_owned())),
        Ok(None) => {
            let obtained = start(workers_for(web::hardware_concurrency())).await;
            finish(obtained.clone());
            obtained
        }
    }
}

/// Replaces message-passing workers (after one failed a run): the
/// broken ones are terminated and fresh ones started. The shared pool
/// cannot be replaced, and is handed back as it is.
pub async fn restart() -> Obtained {
    let workers = SLOT.with(|slot| match &*slot.borrow() {
        Slot::Done(Obtained::Ready { pool, .. }) => match &**pool {
            Pool::Messages(old) => Some(old.len()),
            Pool::Shared { .. } => None,
        },
        _ => None,
    });
    match workers {
        Some(workers) => {
            // The slot lets go of the old workers (terminated once no run
            // holds them).
            SLOT.with(|slot| *slot.borrow_mut() = Slot::Starting(Vec::new()));
            let obtained = start_messages(workers).await;
            finish(obtained.clone());
            obtained
        }
        None => obtain().await,
    }
}

fn finish(obtained: Obtained) {
    let waiters = SLOT.with(|slot| {
        match std::mem::replace(&mut *slot.borrow_mut(), Slot::Done(obtained.clone())) {
            Slot::Starting(waiters) => waiters,
            _ => Vec::new(),
        }
    });
    for waiter in waiters {
        let _ = waiter.send(obtained.clone());
    }
}

/// Starts `workers` workers of the best kind this page allows.
async fn start(workers: usize) -> Obtained {
    let has_workers = js_sys::Reflect::has(&js_sys::global(), &"Worker".into()).unwrap_or(false);
    if web::cross_origin_isolated() {
        match shared::start_pool(workers).await {
            Ok(start_millis) => Obtained::Ready {
                pool: Rc::new(Pool::Shared { workers }),
                start_millis,
            },
            Err(message) => Obtained::Failed(message),
        }
    } else if has_workers {
        start_messages(workers).await
    } else {
        Obtained::NoWorkers
    }
}

async fn start_messages(workers: usize) -> Obtained {
    let started = web::performance_now();
    match MessagePool::start(workers).await {
        Ok(pool) => Obtained::Ready {
            pool: Rc::new(Pool::Messages(pool)),
            start_millis: web::performance_now() - started,
        },
        Err(message) => Obtained::Failed(message),
    }
}

impl Pool {
    pub fn mode(&self) -> PoolMode {
        match self {
            Pool::Shared { .. } => PoolMode::SharedMemory,
            Pool::Messages(_) => PoolMode::MessagePassing,
        }
    }

    pub fn workers(&self) -> usize {
        match self {
            Pool::Shared { workers } => *workers,
            Pool::Messages(pool) => pool.len(),
        }
    }

    /// Runs `spec` on `workers` of the pool's workers, filling `image`
    /// (Mandelbrot rows) as chunks finish; stops at the next chunk once
    /// `cancel` is set. Never blocks the page's thread.
    pub async fn run(
        &self,
        spec: KernelSpec,
        workers: usize,
        image: Arc<Vec<AtomicU16>>,
        cancel: Arc<AtomicBool>,
    ) -> Result<KernelRun, String> {
        match self {
            Pool::Shared { .. } => Ok(shared::run_on_workers(spec, workers, image, cancel).await),
            Pool::Messages(pool) => pool.run(spec, workers, image, cancel).await,
        }
    }

    /// The shared-counter race with `method` on `workers` workers: it
    /// needs memory shared between them.
    pub async fn race(
        &self,
        method: CounterMethod,
        workers: usize,
        per_worker: u64,
    ) -> Result<RaceResult, String> {
        match self {
            Pool::Shared { .. } => Ok(shared::race_on_workers(method, workers, per_worker).await),
            Pool::Messages(_) => Err("the race needs memory shared between workers".to_owned()),
        }
    }
}
