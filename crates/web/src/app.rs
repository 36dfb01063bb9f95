//! The page: the site's header, the routes (the home page and one page
//! per lab), the banners for problems, and embed mode.
//!
//! Each lab's module (ARCHITECTURE.md, "A module per lab") mounts this
//! app with its own lab compiled in (the crate's `lab-<name>` features):
//! the app renders the routes of its labs ([`renders_here`]) and nothing
//! on the others, which `web/loader.js` hands to their own modules. The
//! labs are registered once, below (`registered_labs!`): each lab's web
//! folder, its feature, its view and its state's type.

use gloo::events::EventListener;
use std::rc::Rc;

use interleave_core::challenges::Checks;
use interleave_core::labs::LabId;
use interleave_core::share::{Fragment, Route, Theme, open};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::url_state;

pub(crate) mod challenges;
mod embed;
pub mod lab;
mod share_dialog;

pub use lab::{LabProps, LabWatch};
pub use share_dialog::ShareButton;

/// Registers the labs: each lab's web folder behind its feature (`lab-<name>`,
/// with its name from `interleave_core::labs`), its view (a component taking
/// [`LabProps`] of its state) and its state's type. Gives [`renders_lab`]
/// and [`lab_page`], each an exhaustive `match` over the labs: a lab in the
/// list without a registration here does not compile.
macro_rules! registered_labs {
    ($($id:ident => $feature:literal, $folder:ident :: $view:ident, $state:ty;)*) => {
        $(
            #[cfg(feature = $feature)]
            mod $folder;
        )*

        /// Whether this module renders `lab`'s page.
        pub fn renders_lab(lab: LabId) -> bool {
            match lab {
                $(LabId::$id => cfg!(feature = $feature),)*
            }
        }

        /// `lab`'s page, opened on the fragment's link (or the autosave, or
        /// the default); nothing when this module does not render it.
        fn lab_page(lab: LabId, fragment: &Fragment, embed: bool) -> Html {
            match lab {
                $(LabId::$id => {
                    #[cfg(feature = $feature)]
                    let page = html! {
                        <LabPage<$state, $folder::$view> link={fragment.state.clone()}
                            embed={embed} autoplay={fragment.autoplay}
                            set={fragment.set.clone()} at={fragment.at} />
                    };
                    #[cfg(not(feature = $feature))]
                    let page = {
                        let _ = (fragment, embed);
                        Html::default()
                    };
                    page
                })*
            }
        }
    };
}

registered_labs! {
    Models => "lab-models", models_lab::ModelsLabView, interleave_core::models::lab::ModelsLab;
    Servers => "lab-servers", servers_lab::ServersLabView, interleave_core::servers::lab::ServersLab;
    Races => "lab-races", races_lab::RacesLabView, interleave_core::races::lab::RacesLab;
    Parallel => "lab-parallel", parallel_lab::ParallelLabView, interleave_core::parallel::lab::ParallelLab;
    EventLoop => "lab-eventloop", eventloop_lab::EventLoopLabView, interleave_core::eventloop::lab::EventLoopLab;
}

#[cfg(feature = "lab-models")]
mod challenges_page;
#[cfg(feature = "lab-models")]
mod home;

/// Whether this module renders `route`: its labs' pages, and the home
/// page (and an unknown path, which shows it) in [`LabId::HOME`]'s module.
/// `web/loader.js` picks the module for a route by the same rule.
pub fn renders_here(route: Route) -> bool {
    renders_lab(route.module())
}

#[derive(Debug, Properties, PartialEq)]
struct LabPageProps {
    /// The fragment's encoded state, if any.
    link: Option<String>,
    embed: bool,
    autoplay: bool,
    /// The challenge set in play (`c=`), not yet read, and which challenge.
    set: Option<String>,
    at: usize,
}

/// A lab's page: the state it opens on (the link, else the autosave,
/// else the default; a reload before the address caught up with the last
/// edit gets that edit; a lab file another lab's module handed over
/// opens as a link would), what went wrong opening it, and the lab's
/// view, keyed by the link so that a new link opens anew.
#[function_component(LabPage)]
fn lab_page_view<L, V>(props: &LabPageProps) -> Html
where
    L: Checks,
    V: BaseComponent<Properties = LabProps<L>>,
{
    // Reloaded before the address caught up with the last edit: that
    // edit, and the address shows it.
    let newer = use_memo(props.link.clone(), |link| {
        link.as_deref().and_then(url_state::newer_link)
    });
    {
        use_effect_with(newer.clone(), move |newer| {
            if let Some(state) = (**newer).clone() {
                url_state::replace_fragment(&Fragment {
                    state: Some(state),
                    ..url_state::current_fragment()
                });
            }
        });
    }
    let link = (*newer).clone().or_else(|| props.link.clone());
    // A challenge set in play: the lab opens on the challenge's start
    // until the learner has changed it (the address then holds it).
    let play = use_memo((props.set.clone(), props.at), |(set, at)| {
        Rc::new(challenges::open_play::<L>(set.as_deref(), *at))
    });
    let play = (*play).clone();
    let start = match &*play {
        Ok(Some(challenges::Play {
            posed: Some(posed), ..
        })) => Some(posed.start.clone()),
        _ => None,
    };
    let opened = use_memo((link.clone(), start.clone()), |(link, start)| {
        let mut opened = open::<L>(link.as_deref(), url_state::autosave::<L>().as_deref());
        if let (None, Some(start)) = (link, start) {
            opened.lab = start.clone();
        }
        opened
    });
    // The lab as it is now, handed over by its view after each change.
    let now = use_state(|| None::<L>);
    let watch = {
        let now = now.clone();
        use_memo((), move |_| {
            LabWatch(Callback::from(move |lab: L| now.set(Some(lab))))
        })
    };
    // A prediction committed: the lab (with its result) may show now.
    let committed = use_state(|| 0u32);
    let on_committed = {
        let committed = committed.clone();
        Callback::from(move |()| committed.set(*committed + 1))
    };
    // "Start this challenge over": the start again, as a new view.
    let restarts = use_state(|| 0u32);
    let on_restart = {
        let restarts = restarts.clone();
        Callback::from(move |()| {
            url_state::replace_fragment(&Fragment {
                state: None,
                ..url_state::current_fragment()
            });
            restarts.set(*restarts + 1);
        })
    };
    let problem = use_state(|| None::<String>);
    {
        let problem = problem.clone();
        use_effect_with(opened.clone(), move |opened| {
            problem.set(opened.problem.clone());
            // A lab file another lab's module passed on: opened here, as a
            // link is, or what is wrong with it and where.
            if let Some((name, text)) = url_state::take_handed_file(L::ID) {
                match interleave_core::share::from_file::<L>(&text) {
                    Ok(lab) => url_state::open_lab(&lab),
                    Err(error) => problem.set(Some(format!("{name}: {error}"))),
                }
            }
        });
    }
    let banner = problem.as_ref().map(|message| {
        let problem = problem.clone();
        html! {
            <div class="banner" role="alert">
                <p>{ message.clone() }</p>
                <button onclick={Callback::from(move |_| problem.set(None))} aria-label="Dismiss">{ "×" }</button>
            </div>
        }
    });
    let initial = if *restarts > 0 {
        start.unwrap_or_else(|| opened.lab.clone())
    } else {
        opened.lab.clone()
    };
    let key = format!(
        "{}|{:?}|{}|{}",
        link.unwrap_or_default(),
        props.set.as_deref().map(str::len),
        props.at,
        *restarts
    );
    html! {
        <ContextProvider<LabWatch<L>> context={(*watch).clone()}>
            { for banner }
            <challenges::ChallengeBar<L> play={play.clone()} now={(*now).clone()} on_restart={on_restart} on_committed={on_committed} />
            if challenges::shows_lab(&play) {
                <V key={key} initial={initial} embed={props.embed} autoplay={props.autoplay} />
            }
        </ContextProvider<LabWatch<L>>>
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let fragment = use_state(url_state::current_fragment);
    let embed = *use_memo((), |_| url_state::embed_requested());

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
    use_theme(fragment.theme);

    if !here {
        return html! {};
    }
    let page = match fragment.route {
        #[cfg(feature = "lab-models")]
        Route::Home => html! { <home::Home /> },
        #[cfg(not(feature = "lab-models"))]
        Route::Home => Html::default(),
        #[cfg(feature = "lab-models")]
        Route::Challenges => {
            html! { <challenges_page::ChallengesPage set={fragment.set.clone()} /> }
        }
        #[cfg(not(feature = "lab-models"))]
        Route::Challenges => Html::default(),
        Route::Lab(lab) => lab_page(lab, &fragment, embed),
    };
    let unknown_banner = fragment.unknown_route.as_ref().map(|path| {
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
    let nav = LabId::ALL.map(|lab| {
        let route = Route::Lab(lab);
        let current = fragment.route == route;
        html! {
            <a href={Fragment { route, ..Fragment::default() }.to_hash()} aria-current={current.then_some("page")}>{ lab.info().nav }</a>
        }
    });
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
                    <nav aria-label="Labs">{ for nav }</nav>
                    <p class="tagline">{ interleave_core::labs::TAGLINE }</p>
                </header>
            }
            <main id="main-content" tabindex="-1">
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
