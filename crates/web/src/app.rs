//! The page: routes (home and the four labs), the banner for problems,
//! and embed mode.

use std::rc::Rc;

use gloo::events::EventListener;
use interleave_core::share::{
    Fragment, Opened, Route, open_models, open_parallel, open_races, open_servers,
};
use yew::prelude::*;

use crate::url_state;

mod embed;
mod home;
mod models_lab;
mod parallel_lab;
mod races_lab;
mod servers_lab;
mod share_dialog;

use home::Home;
use models_lab::ModelsLabView;
use parallel_lab::{ParallelLabView, Pool};
use races_lab::RacesLabView;
use servers_lab::ServersLabView;

/// A lab's opening state for `route`: the link in the fragment when the
/// page shows that lab, else the autosave, else the default. Problems go
/// to the banner. Returns the link (the lab's key: a new link opens anew).
#[hook]
fn use_opened<T: PartialEq + 'static>(
    fragment: &Fragment,
    route: Route,
    open: fn(Option<&str>, Option<&str>) -> Opened<T>,
    problem: UseStateHandle<Option<String>>,
) -> (Option<String>, Rc<Opened<T>>) {
    let link = (fragment.route == route)
        .then(|| fragment.state.clone())
        .flatten();
    let opened = use_memo((link.clone(), fragment.route == route), move |(link, _)| {
        open(link.as_deref(), url_state::autosave(route).as_deref())
    });
    use_effect_with(opened.clone(), move |opened| {
        if opened.problem.is_some() {
            problem.set(opened.problem.clone());
        }
    });
    (link, opened)
}

#[function_component(App)]
pub fn app() -> Html {
    let fragment = use_state(url_state::current_fragment);
    let embed = *use_memo((), |_| url_state::embed_requested());
    let problem = use_state(|| None::<String>);
    let pool = use_state(Pool::default);

    // Links and the back button change the fragment.
    {
        let fragment = fragment.clone();
        use_effect_with((), move |_| {
            let listener = EventListener::new(&gloo::utils::window(), "hashchange", move |_| {
                fragment.set(url_state::current_fragment());
            });
            move || drop(listener)
        });
    }
    embed::use_height_reports(embed);

    // Every lab opens on the link's state, else the autosave, else the
    // default; a new link in the address opens anew.
    let (link, opened) = use_opened(&fragment, Route::Models, open_models, problem.clone());
    let (races_link, races_opened) =
        use_opened(&fragment, Route::Races, open_races, problem.clone());
    let (servers_link, servers_opened) =
        use_opened(&fragment, Route::Servers, open_servers, problem.clone());
    let (parallel_link, parallel_opened) =
        use_opened(&fragment, Route::Parallel, open_parallel, problem.clone());
    let unknown = fragment.unknown_route.clone();

    let page = match fragment.route {
        Route::Home => html! { <Home /> },
        Route::Models => html! {
            <ModelsLabView key={link.clone().unwrap_or_default()} initial={opened.lab.clone()}
                autoplay={fragment.autoplay} embed={embed} />
        },
        Route::Races => html! {
            <RacesLabView key={races_link.clone().unwrap_or_default()} initial={races_opened.lab.clone()} embed={embed} />
        },
        Route::Servers => html! {
            <ServersLabView key={servers_link.clone().unwrap_or_default()} initial={servers_opened.lab.clone()} embed={embed} />
        },
        Route::Parallel => html! {
            <ParallelLabView key={parallel_link.clone().unwrap_or_default()} pool={pool.clone()}
                initial={parallel_opened.lab.clone()} embed={embed} />
        },
    };
    let banner = problem.as_ref().map(|message| {
        let problem = problem.clone();
        html! {
            <div class="banner" role="alert">
                <p>{ message.clone() }</p>
                <button onclick={Callback::from(move |_| problem.set(None))} aria-label="Dismiss">{ "×" }</button>
            </div>
        }
    });
    let unknown_banner = unknown.map(|path| {
        html! { <div class="banner" role="alert"><p>{ format!("There is no page {path:?} here; showing the home page.") }</p></div> }
    });
    let nav_link = |route: Route, text: &str| {
        let current = fragment.route == route;
        html! {
            <a href={Fragment { route, ..Fragment::default() }.to_hash()} aria-current={current.then_some("page")}>{ text.to_owned() }</a>
        }
    };
    html! {
        <div class={classes!("app", embed.then_some("embedded"))}>
            if embed {
                <div class="embed-bar">
                    <span class="brand">{ "Interleave" }</span>
                    <a href={url_state::page_url(&url_state::current_fragment())} target="_blank" rel="noopener">{ "Open full page ↗" }</a>
                </div>
            } else {
                <header class="site-header">
                    <a class="brand" href="#/"><h1>{ "Interleave" }</h1></a>
                    <nav aria-label="Labs">
                        { nav_link(Route::Models, "Models") }
                        { nav_link(Route::Servers, "Servers") }
                        { nav_link(Route::Races, "Races") }
                        { nav_link(Route::Parallel, "Parallel") }
                    </nav>
                    <p class="tagline">{ "See and feel concurrency: every run here is simulated or measured right in your browser." }</p>
                </header>
            }
            <main>
                { for banner }
                { for unknown_banner }
                { page }
            </main>
        </div>
    }
}
