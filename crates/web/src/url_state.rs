//! Where a lab's state lives outside the page: the URL fragment (share
//! links), local storage (autosave, settings, challenges won) and session
//! storage (an edit written as the page was left, a lab file handed to
//! another lab). The only module that reads or writes the page's address
//! (`location`, `history`) and its storage (`localStorage`,
//! `sessionStorage`).

use std::rc::Rc;

use gloo::storage::{LocalStorage, SessionStorage, Storage};
use interleave_core::challenges::Record;
use interleave_core::labs::{Lab, LabId};
use interleave_core::share::{Fragment, Route, encode};
use yew::prelude::*;

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|window| window.location())
}

/// The fragment of the page's address, parsed.
pub fn current_fragment() -> Fragment {
    Fragment::parse(
        &location()
            .and_then(|location| location.hash().ok())
            .unwrap_or_default(),
    )
}

/// Embed mode: `?embed=1` in the query or `&embed` in the fragment.
pub fn embed_requested() -> bool {
    let search = location()
        .and_then(|location| location.search().ok())
        .unwrap_or_default();
    let in_query = search.trim_start_matches('?').split('&').any(|pair| {
        pair == "embed"
            || pair
                .strip_prefix("embed=")
                .is_some_and(|value| value != "0")
    });
    in_query || current_fragment().embed
}

/// Replaces the address's fragment without adding a history entry.
pub fn replace_fragment(fragment: &Fragment) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&fragment.to_hash()),
        );
    }
}

/// Opens `lab` on its route, as a link would (a history entry, so Back
/// returns to what was shown).
pub fn open_lab<L: Lab>(lab: &L) {
    open_route(Route::Lab(L::ID), Some(encode(lab)));
}

/// Goes to `route` with the encoded `state` (none: its link, else its
/// autosave), keeping the page's embed and theme; a history entry.
fn open_route(route: Route, state: Option<String>) {
    if let Some(location) = location() {
        let current = current_fragment();
        let fragment = Fragment {
            route,
            state,
            embed: current.embed,
            theme: current.theme,
            ..Fragment::default()
        };
        let _ = location.set_hash(&fragment.to_hash());
    }
}

/// Loads the page again.
pub fn reload() {
    if let Some(location) = location() {
        let _ = location.reload();
    }
}

/// The page's address (without embed in the query) with `fragment`.
pub fn page_url(fragment: &Fragment) -> String {
    let Some(location) = location() else {
        return fragment.to_hash();
    };
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    let search: Vec<String> = location
        .search()
        .unwrap_or_default()
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty() && *pair != "embed" && !pair.starts_with("embed="))
        .map(str::to_owned)
        .collect();
    let search = if search.is_empty() {
        String::new()
    } else {
        format!("?{}", search.join("&"))
    };
    format!("{origin}{path}{search}{}", fragment.to_hash())
}

/// Where turning the single-key shortcuts off is remembered.
pub const SHORTCUTS_KEY: &str = "interleave.shortcuts";

/// Whether the labs' single-key shortcuts are on (the default).
pub fn shortcuts_enabled() -> bool {
    LocalStorage::raw()
        .get_item(SHORTCUTS_KEY)
        .ok()
        .flatten()
        .is_none_or(|value| value != "off")
}

/// Turns the single-key shortcuts on or off, in this browser.
pub fn set_shortcuts_enabled(on: bool) {
    let storage = LocalStorage::raw();
    let _ = if on {
        storage.remove_item(SHORTCUTS_KEY)
    } else {
        storage.set_item(SHORTCUTS_KEY, "off")
    };
}

/// The full page (not the embed) at what the address shows now: for an
/// embed's "Open full page", read when it is followed, so edits made in
/// the embed go along. The viewer's own theme applies there.
pub fn full_page_url() -> String {
    page_url(&Fragment {
        embed: false,
        autoplay: false,
        theme: None,
        unknown_theme: None,
        ..current_fragment()
    })
}

/// The autosaved state of lab `L`, as stored (decoded by the caller).
pub fn autosave<L: Lab>() -> Option<String> {
    LocalStorage::raw()
        .get_item(&autosave_key(L::ID))
        .ok()
        .flatten()
}

/// Where a lab autosaves its state (a `v1.…` string, its link's): the
/// Parallel lab's holds this browser's own runs too.
pub fn autosave_key(lab: LabId) -> String {
    format!("interleave.{}", lab.name())
}

/// Keeps the address and the autosave in step with a lab's state, once
/// the user has changed something, after edits settle for 300 ms. A write
/// still waiting when the page is left (a reload, a closed tab) is made
/// then, so the last edit is never lost.
#[hook]
pub fn use_address_and_autosave<L: Lab>(state: &L, edited: bool, embed: bool) {
    // The write waiting for edits to settle, and its timer. Only this hook
    // holds it strongly (the timer holds it weakly), so leaving the lab
    // drops the timer: its address must not be written over another lab's.
    let pending = use_mut_ref(|| None::<(L, gloo::timers::callback::Timeout)>);
    {
        let pending = pending.clone();
        use_effect_with((), move |_| {
            let listener = {
                let pending = pending.clone();
                gloo::events::EventListener::new(&gloo::utils::window(), "pagehide", move |_| {
                    if let Some((state, timer)) = pending.borrow_mut().take() {
                        timer.cancel();
                        // A reload loads the address as it was before this
                        // write: the tab remembers which link it replaces.
                        remember_unsaved(
                            current_fragment().state.as_deref(),
                            &encode(&state.for_address()),
                        );
                        save(&state, embed);
                    }
                })
            };
            move || {
                drop(listener);
                // Leaving the lab (another route): the edit still reaches
                // the autosave; the address already belongs to the next lab.
                if let Some((state, timer)) = pending.borrow_mut().take() {
                    timer.cancel();
                    autosave_now(&state);
                }
            }
        });
    }
    use_effect_with((state.clone(), edited), move |(state, edited)| {
        if *edited {
            let timer = {
                let (pending, state) = (Rc::downgrade(&pending), state.clone());
                gloo::timers::callback::Timeout::new(SAVE_DELAY_MILLIS, move || {
                    save(&state, embed);
                    // Done: nothing left for pagehide (dropping this timer
                    // while it runs is safe; wasm-bindgen defers it).
                    let done = pending
                        .upgrade()
                        .and_then(|pending| pending.borrow_mut().take());
                    drop(done);
                })
            };
            *pending.borrow_mut() = Some((state.clone(), timer));
        }
    });
}

/// Writes `state` to the address (what the lab puts there, keeping
/// embed and theme) and the autosave.
fn save<L: Lab>(state: &L, embed: bool) {
    let current = current_fragment();
    // A challenge in play stays in the address; the learner's work on it
    // is not the lab's own autosave.
    let playing = current.set.is_some();
    replace_fragment(&Fragment {
        route: Route::Lab(L::ID),
        state: Some(encode(&state.for_address())),
        embed,
        theme: current.theme,
        set: current.set,
        at: current.at,
        ..Fragment::default()
    });
    if !playing {
        autosave_now(state);
    }
}

fn autosave_now<L: Lab>(state: &L) {
    let _ = LocalStorage::raw().set_item(&autosave_key(L::ID), &encode(state));
}

/// Where challenge `at` of the set `set_id` (its text's hash) is kept.
fn record_key(set_id: &str, at: usize) -> String {
    format!("interleave.progress.{set_id}.{at}")
}

/// What this browser keeps of challenge `at` of the set `set_id` (a
/// damaged record is none).
pub fn record(set_id: &str, at: usize) -> Option<Record> {
    let text = LocalStorage::raw()
        .get_item(&record_key(set_id, at))
        .ok()
        .flatten()?;
    Record::from_text(&text)
}

/// Keeps challenge `at`'s record; errs when the browser would not.
pub fn set_record(set_id: &str, at: usize, record: &Record) -> Result<(), String> {
    LocalStorage::raw()
        .set_item(&record_key(set_id, at), &record.to_text())
        .map_err(|_| {
            "this browser would not keep your progress (storage is off or full)".to_owned()
        })
}

/// Every record of the set `set_id` of `count` challenges.
pub fn records(set_id: &str, count: usize) -> Vec<(usize, Record)> {
    (0..count)
        .filter_map(|at| record(set_id, at).map(|record| (at, record)))
        .collect()
}

/// Forgets the set's records ("start over").
pub fn clear_records(set_id: &str, count: usize) {
    let storage = LocalStorage::raw();
    for at in 0..count {
        let _ = storage.remove_item(&record_key(set_id, at));
    }
}

/// Where a teacher's set in the making is kept, in any lab.
const MY_SET_KEY: &str = "interleave.my-set";

/// The set a teacher is making, as stored (read and checked by the caller).
pub fn my_set() -> Option<String> {
    LocalStorage::raw().get_item(MY_SET_KEY).ok().flatten()
}

/// Keeps the set a teacher is making (`None` forgets it).
pub fn set_my_set(text: Option<&str>) -> Result<(), String> {
    let storage = LocalStorage::raw();
    match text {
        Some(text) => storage
            .set_item(MY_SET_KEY, text)
            .map_err(|_| "this browser would not keep the set (storage is off or full): download it to keep it".to_owned()),
        None => {
            let _ = storage.remove_item(MY_SET_KEY);
            Ok(())
        }
    }
}

/// Goes to `fragment` (a challenge, another lab), keeping the page's
/// embed and theme; a history entry.
pub fn go_to(fragment: Fragment) {
    if let Some(location) = location() {
        let current = current_fragment();
        let fragment = Fragment {
            embed: current.embed,
            theme: current.theme,
            ..fragment
        };
        let _ = location.set_hash(&fragment.to_hash());
    }
}

/// The time now, as the progress records it (ISO 8601, UTC).
pub fn now_iso() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// Where a lab's module leaves a lab file of another lab for that lab's
/// module, which reads and checks it on arrival: each module reads only
/// its own lab's files (`interleave_core::share::file_lab`).
const HANDED_FILE_KEY: &str = "interleave.file";

/// Leaves `text`, the lab file `name` of `lab`, for that lab's module,
/// and opens the lab (its module opens the file, or says what is wrong
/// with it and where). Errs when the tab cannot keep the file.
pub fn hand_over_file(lab: LabId, name: &str, text: &str) -> Result<(), String> {
    let stored = format!("{}\n{}\n{text}", lab.name(), name.replace('\n', " "));
    SessionStorage::raw()
        .set_item(HANDED_FILE_KEY, &stored)
        .map_err(|_| {
            "this browser would not keep the file for its lab (storage is off or full): open that lab and open the file there".to_owned()
        })?;
    open_route(Route::Lab(lab), None);
    Ok(())
}

/// The lab file another module left for `lab`: its name and text, handed
/// out once.
pub fn take_handed_file(lab: LabId) -> Option<(String, String)> {
    let storage = SessionStorage::raw();
    let stored = storage.get_item(HANDED_FILE_KEY).ok().flatten()?;
    let (name, rest) = stored.split_once('\n')?;
    if name != lab.name() {
        return None;
    }
    let _ = storage.remove_item(HANDED_FILE_KEY);
    let (name, text) = rest.split_once('\n')?;
    Some((name.to_owned(), text.to_owned()))
}

/// Where a tab keeps the last edit it wrote while being left, with the
/// link it replaced (a reload loads that older link).
const UNSAVED_KEY: &str = "interleave.unsaved";

fn remember_unsaved(from: Option<&str>, to: &str) {
    let _ = SessionStorage::raw().set_item(UNSAVED_KEY, &format!("{}\n{to}", from.unwrap_or("")));
}

/// The link this tab wrote while being left, when `link` is the one it
/// replaced (the page was reloaded before its address caught up); it is
/// handed out once.
pub fn newer_link(link: &str) -> Option<String> {
    let storage = SessionStorage::raw();
    let stored = storage.get_item(UNSAVED_KEY).ok().flatten()?;
    let _ = storage.remove_item(UNSAVED_KEY);
    let (from, to) = stored.split_once('\n')?;
    (from == link && !to.is_empty()).then(|| to.to_owned())
}

/// How long the address and the autosave wait for edits to settle.
const SAVE_DELAY_MILLIS: u32 = 300;
