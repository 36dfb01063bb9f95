//! The figures a table or chart shows, explained where they appear: a
//! disclosure under it ("What these figures mean") with the core's
//! glossary (`interleave_core::glossary`), the same words in every lab,
//! readable on a phone, by keyboard and with a screen reader; and a
//! column header's hover title from the same text.

use interleave_core::glossary::Term;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct GlossaryProps {
    pub terms: Vec<Term>,
}

#[function_component(Glossary)]
pub fn glossary(props: &GlossaryProps) -> Html {
    let items = props.terms.iter().map(|term| {
        html! { <><dt>{ term.word }</dt><dd>{ term.meaning }</dd></> }
    });
    html! {
        <details class="glossary" data-testid="glossary">
            <summary>{ "What these figures mean" }</summary>
            <dl>{ for items }</dl>
        </details>
    }
}

/// A column header that explains itself on hover: its term's word and
/// meaning (the glossary under the table says it for everyone).
pub fn header(label: &str, term: Term) -> Html {
    html! { <th scope="col" title={term.meaning}>{ label.to_owned() }</th> }
}
