//! What the Parallel lab's page does on its own: it obtains the page's
//! workers and tells the session, and it carries out the session's
//! orders, one run (or race) at a time, on those workers. The decisions
//! (what to run next, what to keep, what a failure means) are the
//! session's, in the core; a withdrawn order (Cancel, or leaving the
//! lab) stops the run in flight at its next chunk.

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};

use interleave_core::parallel::lab::session::{Order, OrderJob, PageAction};
use interleave_core::parallel::lab::{Machine, PoolMode};
use yew::prelude::*;

use super::Dispatch;
use super::pool::{self, Obtained};
use crate::web;

/// Tells the session what `obtained` is.
fn report(dispatch: &Dispatch, obtained: Obtained) {
    dispatch.dispatch(match obtained {
        Obtained::Ready { pool, start_millis } => PageAction::PoolReady {
            machine: machine(pool.mode()),
            workers: pool.workers(),
            start_millis,
        },
        Obtained::NoWorkers => PageAction::NoWorkers,
        Obtained::Failed(message) => PageAction::PoolFailed(message),
    });
}

fn machine(mode: PoolMode) -> Machine {
    Machine::of(web::hardware_concurrency(), &web::user_agent(), mode)
}

/// Obtains the page's workers once the lab is shown.
#[hook]
pub fn use_pool(dispatch: &Dispatch) {
    let dispatch = dispatch.clone();
    use_effect_with((), move |_| {
        if pool::current().is_none() {
            dispatch.dispatch(PageAction::PoolStarting {
                workers: pool::workers_for(web::hardware_concurrency()),
            });
        }
        wasm_bindgen_futures::spawn_local(async move { report(&dispatch, pool::obtain().await) });
    });
}

/// Carries out `order`, the session's (none: nothing to do, and a run in
/// flight is stopped). A kernel run that the image shows fills a fresh
/// `image`.
#[hook]
pub fn use_orders(order: Option<Order>, dispatch: &Dispatch, image: &UseStateHandle<Arc<Vec<AtomicU16>>>) {
    let (dispatch, image) = (dispatch.clone(), image.clone());
    use_effect_with(order, move |order| {
        let cancel = Arc::new(AtomicBool::new(false));
        if let Some(order) = order.clone() {
            let flag = cancel.clone();
            wasm_bindgen_futures::spawn_local(carry_out(order, dispatch, image, flag));
        }
        // The order withdrawn (or done): the run in flight stops.
        move || cancel.store(true, Ordering::Relaxed)
    });
}

async fn carry_out(
    order: Order,
    dispatch: Dispatch,
    image: UseStateHandle<Arc<Vec<AtomicU16>>>,
    cancel: Arc<AtomicBool>,
) {
    let Some(pool) = pool::current() else {
        dispatch.dispatch(PageAction::PoolFailed("the workers are gone".to_owned()));
        return;
    };
    match order.job {
        OrderJob::Kernel {
            spec,
            workers,
            settle_millis,
            shown,
        } => {
            let fresh = Arc::new(spec.new_image());
            if shown {
                image.set(fresh.clone());
            }
            // Let the page finish drawing before the run starts.
            yew::platform::time::sleep(std::time::Duration::from_millis(settle_millis)).await;
            let result = pool.run(spec, workers, fresh, cancel).await;
            let failed = result.is_err();
            drop(pool);
            dispatch.dispatch(PageAction::Ran {
                order: order.id,
                result: result.map(Rc::new),
            });
            if failed {
                // Workers that failed a run may be broken: fresh ones.
                dispatch.dispatch(PageAction::PoolStarting {
                    workers: pool::workers_for(web::hardware_concurrency()),
                });
                report(&dispatch, pool::restart().await);
            }
        }
        OrderJob::Race {
            method,
            workers,
            per_worker,
        } => {
            let result = pool.race(method, workers, per_worker).await;
            dispatch.dispatch(PageAction::Raced {
                order: order.id,
                result,
            });
        }
    }
}
