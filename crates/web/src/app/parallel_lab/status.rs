//! The Parallel lab's badge: which workers this page has and why (the
//! capability ladder), in the core's words, with the offer to reload
//! with shared memory where the service worker can give it.

use interleave_core::parallel::lab::PoolMode;
use interleave_core::parallel::lab::narration;
use interleave_core::parallel::lab::session::PoolStatus;
use yew::prelude::*;

use crate::url_state;
use crate::web;

/// The badge for `pool`.
pub fn pool_badge(pool: &PoolStatus) -> Html {
    let Some((title, text)) = narration::pool_status(pool) else {
        return Html::default();
    };
    match pool {
        PoolStatus::Ready {
            mode,
            workers,
            start_millis,
        } => {
            let data_mode = match mode {
                PoolMode::SharedMemory => "isolated",
                PoolMode::MessagePassing => "message-passing",
            };
            html! {
                <div>
                    <p class="status mode-badge" data-mode={data_mode} data-workers={workers.to_string()}
                        data-pool-start-ms={format!("{start_millis:.1}")}>
                        if let Some(title) = title { <strong>{ title }</strong> }
                        { text }
                    </p>
                    if *mode == PoolMode::MessagePassing && web::isolation_on_reload() {
                        <p class="note" data-mode="reload-for-isolation">
                            { "This site sends no isolation headers, but Interleave's service worker can add them: " }
                            <button onclick={Callback::from(|_| url_state::reload())}>{ "Reload with shared memory" }</button>
                        </p>
                    }
                </div>
            }
        }
        PoolStatus::NoWorkers => {
            html! { <p class="notice" data-mode="single-thread">{ text }</p> }
        }
        PoolStatus::Starting { .. } => html! { <p class="status" data-mode="starting">{ text }</p> },
        PoolStatus::Failed(_) => {
            html! { <p class="notice error" data-mode="failed">{ text }</p> }
        }
        PoolStatus::Idle => Html::default(),
    }
}
