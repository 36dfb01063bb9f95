//! The page: routes (home and the four labs), the banner for problems,
//! and embed mode.
//!
//! Each lab's module (ARCHITECTURE.md, "A module per lab") mounts this
//! app with its own lab compiled in (the crate's features): the app
//! renders the routes of its labs ([`renders_here`]) and nothing on the
//! others, which `web/loader.js` hands to their own modules.

use std::rc::Rc;

use gloo::events::EventListener;
#[cfg(feature = "models")]
use interleave_core::share::open_models;
#[cfg(feature = "parallel")]
use interleave_core::share::open_parallel;
#[cfg(feature = "races")]
use interleave_core::share::open_races;
#[cfg(feature = "servers")]
use interleave_core::share::open_servers;
use interleave_core::share::{Fragment, Opened, Route, Theme};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::url_state;

mod embed;
#[cfg(feature = "models")]
mod home;
#[cfg(feature = "models")]
mod models_lab;
#[cfg(feature = "parallel")]
mod parallel_lab;
#[cfg(feature = "races")]
mod races_lab;
#[cfg(feature = "servers")]
mod servers_lab;
mod share_dialog;

#[cfg(feature = "models")]
use home::Home;
#[cfg(feature = "models")]
use models_lab::ModelsLabView;
#[cfg(feature = "parallel")]
use parallel_lab::{ParallelLabView, Pool};
#[cfg(feature = "races")]
use races_lab::RacesLabView;
#[cfg(feature = "servers")]
use servers_lab::ServersLabView;

/// Whether this module renders `route`: the home page (and an unknown
/// path, which shows it) goes with the Models lab. `web/loader.js` picks
/// the module for a route by the same rule.
pub fn renders_here(route: Route) -> bool {
    match route {
        Route::Home | Route::Models => cfg!(feature = "models"),
        Route::Races => cfg!(feature = "races"),
        Route::Servers => cfg!(feature = "servers"),
        Route::Parallel => cfg!(feature = "parallel"),
    }
}

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
    // Reloaded before the address caught up with the last edit: that edit,
    // and the address shows it.
    let newer = use_memo(link.clone(), |link| {
        link.as_deref().and_then(url_state::newer_link)
    });
    let link = (*newer).clone().or(link);
    {
        let fragment = fragment.clone();
        use_effect_with(newer, move |newer| {
            if let Some(state) = (**newer).clone() {
                url_state::replace_fragment(&Fragment {
                    state: Some(state),
                    ..fragment
                });
            }
        });
    }
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
    #[cfg(feature = "parallel")]
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
    let here = renders_here(fragment.route);
    embed::use_height_reports(embed && here);
    // A lab file another lab's module passed on: opened here, as a link
    // is, or what is wrong with it and where.
    {
        let problem = problem.clone();
        use_effect_with((fragment.route, here), move |&(route, here)| {
            if here && let Some((name, text)) = url_state::take_handed_file(route) {
                match interleave_core::share::from_file(&text) {
                    Ok(state) => url_state::open_state(&state),
                    Err(error) => problem.set(Some(format!("{name}: {error}"))),
                }
            }
        });
    }
    use_theme(fragment.theme);
    // Reduced motion: a link that plays on open waits for Play.
    #[cfg(feature = "models")]
    let reduced_motion = *use_memo((), |_| crate::web::reduced_motion());

    // Every lab opens on the link's state, else the autosave, else the
    // default; a new link in the address opens anew.
    #[cfg(feature = "models")]
    let (link, opened) = use_opened(&fragment, Route::Models, open_models, problem.clone());
    #[cfg(feature = "races")]
    let (races_link, races_opened) =
        use_opened(&fragment, Route::Races, open_races, problem.clone());
    #[cfg(feature = "servers")]
    let (servers_link, servers_opened) =
        use_opened(&fragment, Route::Servers, open_servers, problem.clone());
    #[cfg(feature = "parallel")]
    let (parallel_link, parallel_opened) =
        use_opened(&fragment, Route::Parallel, open_parallel, problem.clone());
    let unknown = fragment.unknown_route.clone();

    if !here {
        return html! {};
    }
    let page = match fragment.route {
        #[cfg(feature = "models")]
        Route::Home => html! { <Home /> },
        #[cfg(feature = "models")]
        Route::Models => html! {
            <ModelsLabView key={link.clone().unwrap_or_default()} initial={opened.lab.clone()}
                autoplay={fragment.autoplay && !reduced_motion}
                autoplay_held={fragment.autoplay && reduced_motion} embed={embed} />
        },
        #[cfg(feature = "races")]
        Route::Races => html! {
            <RacesLabView key={races_link.clone().unwrap_or_default()} initial={races_opened.lab.clone()} embed={embed} />
        },
        #[cfg(feature = "servers")]
        Route::Servers => html! {
            <ServersLabView key={servers_link.clone().unwrap_or_default()} initial={servers_opened.lab.clone()} embed={embed} />
        },
        #[cfg(feature = "parallel")]
        Route::Parallel => html! {
            <ParallelLabView key={parallel_link.clone().unwrap_or_default()} pool={pool.clone()}
                initial={parallel_opened.lab.clone()} embed={embed} />
        },
        // Another module's route: `here` is false.
        #[allow(unreachable_patterns)]
        _ => html! {},
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
    let theme_banner = fragment.unknown_theme.as_ref().map(|value| {
        html! { <div class="banner" role="alert"><p>{ format!("The link asks for theme={value:?}, which is neither light nor dark: following your system's theme.") }</p></div> }
    });
    // The address is read when the link is followed (or copied), so what
    // was changed in the embed goes along, without `&embed`. (Yew handles
    // events at its root, so the link is reached through its ref.)
    let full_page_ref = use_node_ref();
    let refresh_full_page = {
        let full_page_ref = full_page_ref.clone();
        Callback::from(move |_: Event| {
            if let Some(anchor) = full_page_ref.cast::<web_sys::HtmlAnchorElement>() {
                anchor.set_href(&url_state::full_page_url());
            }
        })
    };
    // A skip link: hash routes own the fragment, so it moves focus itself.
    let skip = Callback::from(|event: MouseEvent| {
        event.prevent_default();
        if let Some(main) = gloo::utils::document()
            .get_element_by_id("main-content")
            .and_then(|main| main.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = main.focus();
        }
    });
    let nav_link = |route: Route, text: &str| {
        let current = fragment.route == route;
        html! {
            <a href={Fragment { route, ..Fragment::default() }.to_hash()} aria-current={current.then_some("page")}>{ text.to_owned() }</a>
        }
    };
    html! {
        <div class={classes!("app", embed.then_some("embedded"))}>
            <a class="skip-link" href="#main-content" onclick={skip}>{ "Skip to the lab" }</a>
            if embed {
                <header class="embed-bar">
                    <span class="brand">{ "Interleave" }</span>
                    <a ref={full_page_ref} href={url_state::full_page_url()} target="_blank" rel="noopener" data-testid="open-full-page"
                        onclick={refresh_full_page.reform(Event::from)}
                        onauxclick={refresh_full_page.reform(Event::from)}
                        onfocus={refresh_full_page.reform(Event::from)}
                        oncontextmenu={refresh_full_page.reform(Event::from)}>{ "Open full page ↗" }</a>
                </header>
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
            <main id="main-content" tabindex="-1">
                { for banner }
                { for unknown_banner }
                { for theme_banner }
                { page }
            </main>
        </div>
    }
}

/// Light or dark as the link asks (`&theme=`), else the system's: the
/// stylesheet's colours follow `color-scheme`, which `data-theme` pins.
#[hook]
fn use_theme(theme: Option<Theme>) {
    use_effect_with(theme, |theme| {
        if let Some(root) = gloo::utils::document().document_element() {
            let _ = match theme {
                Some(theme) => root.set_attribute("data-theme", theme.name()),
                None => root.remove_attribute("data-theme"),
            };
        }
    });
}
