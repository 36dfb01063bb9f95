//! The one lab hook every lab's view is built on: [`use_lab`] keeps the
//! lab's core session (`LabSession`) in a Yew reducer, applies actions
//! with the core's one `apply`, keeps the reason of the last refusal,
//! and writes the lab's state to the address and the autosave after each
//! edit (the core says which actions are edits). A view renders the
//! session and dispatches actions through [`LabDispatch`].

use std::rc::Rc;

use interleave_core::labs::LabSession;
use yew::prelude::*;

/// What every lab's view is given.
#[derive(Debug, Properties, PartialEq)]
pub struct LabProps<L: PartialEq> {
    /// The opening state: a link's, the autosave, or the default.
    pub initial: L,
    #[prop_or_default]
    pub embed: bool,
    /// The link asks to play on open.
    #[prop_or_default]
    pub autoplay: bool,
}

/// A lab's session and what the page keeps beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct LabState<S> {
    pub session: S,
    /// Whether the user changed anything: only then is the state written
    /// to the address and the autosave.
    pub edited: bool,
    /// Why the last action was refused, until the next one is applied or
    /// it is dismissed.
    pub refused: Option<String>,
}

/// What the reducer takes: one of the lab's actions, or dismissing the
/// refusal shown.
#[derive(Debug, Clone)]
pub enum LabMessage<A> {
    Act(A),
    DismissRefusal,
}

impl<S: LabSession> Reducible for LabState<S> {
    type Action = LabMessage<S::Action>;

    fn reduce(self: Rc<Self>, message: Self::Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match message {
            LabMessage::Act(action) => {
                let edit = S::is_edit(&action);
                match next.session.apply(action) {
                    Ok(()) => {
                        next.refused = None;
                        next.edited |= edit;
                    }
                    Err(error) => next.refused = Some(error.to_string()),
                }
            }
            LabMessage::DismissRefusal => next.refused = None,
        }
        Rc::new(next)
    }
}

/// Dispatches a lab's actions: what a view hands its parts.
pub struct LabDispatch<S: LabSession>(UseReducerDispatcher<LabState<S>>);

impl<S: LabSession> LabDispatch<S> {
    pub fn dispatch(&self, action: S::Action) {
        self.0.dispatch(LabMessage::Act(action));
    }

    /// A callback that dispatches what `make` makes of its input.
    pub fn reform<T: 'static>(&self, make: impl Fn(T) -> S::Action + 'static) -> Callback<T> {
        let dispatch = self.0.clone();
        Callback::from(move |input| dispatch.dispatch(LabMessage::Act(make(input))))
    }

    /// A callback that dispatches the action it is given.
    pub fn to_callback(&self) -> Callback<S::Action> {
        self.reform(|action| action)
    }

    /// A callback that dispatches `action`, whatever it is given (a button's click).
    pub fn on<T: 'static>(&self, action: S::Action) -> Callback<T> {
        self.reform(move |_| action.clone())
    }

    pub fn dismiss_refusal(&self) {
        self.0.dispatch(LabMessage::DismissRefusal);
    }
}

impl<S: LabSession> Clone for LabDispatch<S> {
    fn clone(&self) -> Self {
        LabDispatch(self.0.clone())
    }
}

impl<S: LabSession> PartialEq for LabDispatch<S> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<S: LabSession> std::fmt::Debug for LabDispatch<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LabDispatch")
    }
}

/// A lab's state on the page, and its dispatcher.
pub struct LabHandle<S: LabSession> {
    state: UseReducerHandle<LabState<S>>,
}

impl<S: LabSession + std::fmt::Debug> std::fmt::Debug for LabHandle<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabHandle")
            .field("state", &*self.state)
            .finish()
    }
}

impl<S: LabSession> LabHandle<S> {
    pub fn dispatcher(&self) -> LabDispatch<S> {
        LabDispatch(self.state.dispatcher())
    }
}

impl<S: LabSession> std::ops::Deref for LabHandle<S> {
    type Target = LabState<S>;

    fn deref(&self) -> &LabState<S> {
        &self.state
    }
}

/// Hands a lab's state, after each change, to the page around its view
/// (the challenge in play judges it): given as a context by the lab's
/// page, called by [`use_lab`].
#[derive(Debug, Clone, PartialEq)]
pub struct LabWatch<L: PartialEq + 'static>(pub Callback<L>);

/// A lab's session on the page, opened on `initial`, with the address
/// and the autosave kept in step with its edits (`url_state`), and the
/// state handed to the page's [`LabWatch`] after each change.
#[hook]
pub fn use_lab<S: LabSession>(initial: &S::Lab, embed: bool) -> LabHandle<S> {
    let state = {
        let initial = initial.clone();
        use_reducer(move || LabState {
            session: S::open(initial),
            edited: false,
            refused: None,
        })
    };
    crate::url_state::use_address_and_autosave(state.session.lab(), state.edited, embed);
    let watch = use_context::<LabWatch<S::Lab>>();
    use_effect_with(state.session.lab().clone(), move |lab| {
        if let Some(watch) = watch {
            watch.0.emit(lab.clone());
        }
    });
    LabHandle { state }
}
