//! The page: the Models comparison and the Parallel panel.

use yew::prelude::*;

mod models_lab;
mod parallel_panel;

use models_lab::ModelsLabView;
use parallel_panel::ParallelPanel;

#[function_component(App)]
pub fn app() -> Html {
    html! {
        <>
            <header class="site-header">
                <h1>{ "Interleave" }</h1>
                <nav aria-label="Labs"><a href="#models">{ "Models" }</a><a href="#parallel">{ "Parallel" }</a></nav>
                <p class="tagline">{ "See and feel concurrency: every run below is simulated or measured right here in your browser." }</p>
            </header>
            <main>
                <ModelsLabView />
                <ParallelPanel />
            </main>
        </>
    }
}
