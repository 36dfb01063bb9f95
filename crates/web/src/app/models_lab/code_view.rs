//! "Show as code": the selected configuration in Ruby, JavaScript or Rust.

use std::rc::Rc;

use interleave_core::Scenario;
use interleave_core::models::lab::codegen::{Language, RunNote, code, run_it_yourself};
use interleave_core::models::scenario::Model;
use yew::prelude::*;

use interleave_core::models::lab::session::PageAction;

use super::Dispatch;

#[derive(Properties)]
pub struct CodeViewProps {
    pub scenario: Rc<Scenario>,
    pub model: Model,
    pub language: Language,
    pub dispatch: Dispatch,
}

impl PartialEq for CodeViewProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.scenario, &other.scenario)
            && self.model == other.model
            && self.language == other.language
    }
}

impl std::fmt::Debug for CodeViewProps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeViewProps")
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

#[function_component(CodeView)]
pub fn code_view(props: &CodeViewProps) -> Html {
    let text = use_memo(
        (props.scenario.clone(), props.model, props.language),
        |(scenario, model, language)| code(scenario, *model, *language),
    );
    let tabs = Language::ALL.iter().map(|&language| {
        let selected = language == props.language;
        html! {
            <button role="tab" aria-selected={selected.to_string()} class={classes!(selected.then_some("active"))}
                onclick={props.dispatch.to_callback().reform(move |_| PageAction::SetLanguage(language))}>
                { language.title() }
            </button>
        }
    });
    // Whether the last Copy reached the clipboard; forgotten when the code changes.
    let copied = use_state(|| None::<bool>);
    {
        let copied = copied.clone();
        use_effect_with(text.clone(), move |_| copied.set(None));
    }
    let copy = {
        let (text, copied) = (text.clone(), copied.clone());
        Callback::from(move |_| {
            let (text, copied) = (text.clone(), copied.clone());
            wasm_bindgen_futures::spawn_local(async move {
                copied.set(Some(crate::components::form::copy_text(&text).await));
            });
        })
    };
    let copy_label = match *copied {
        None => "Copy",
        Some(true) => "Copied ✓",
        Some(false) => "Copy refused by the browser: select the text instead",
    };
    let note = run_it_yourself(props.model, props.language);
    html! {
        <section class="code-view" aria-label="Show as code">
            <div class="code-head">
                <h3>{ format!("As code: {}", props.model.label()) }</h3>
                <div role="tablist" aria-label="Language">{ for tabs }</div>
                <button class="copy" onclick={copy} aria-live="polite">{ copy_label }</button>
            </div>
            // Focusable, so a keyboard can scroll its long lines.
            <pre tabindex="0" aria-label={format!("{} program", props.language.title())}><code class={format!("language-{}", props.language.title().to_ascii_lowercase())}>{ (*text).clone() }</code></pre>
            <p class="run-note" data-testid="run-it-yourself">
                <strong>{ "Run it yourself: " }</strong>
                { note.setup }{ ", and run " }<code>{ note.command }</code>{ ". " }{ RunNote::PRINTS }
            </p>
        </section>
    }
}
