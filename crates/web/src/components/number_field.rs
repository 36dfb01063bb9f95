//! Number inputs that validate as you type: [`NumberField`] for whole
//! numbers, [`DecimalField`] for numbers with decimals (rates, ms).
//!
//! What the user typed stays in the box even when it is invalid; the error
//! shows beside the field and nothing is emitted until the text is valid,
//! so the last valid result stays on screen.

use std::fmt::Display;
use std::str::FromStr;

use yew::prelude::*;

/// A number a field can hold.
pub trait FieldNumber: Copy + PartialEq + PartialOrd + Display + FromStr + 'static {
    const DECIMAL: bool;
    /// The message for text that does not parse.
    const NOT_A_NUMBER: &'static str;

    fn is_valid(self) -> bool {
        true
    }
}

impl FieldNumber for u64 {
    const DECIMAL: bool = false;
    const NOT_A_NUMBER: &'static str = "is not a whole number";
}

impl FieldNumber for f64 {
    const DECIMAL: bool = true;
    const NOT_A_NUMBER: &'static str = "is not a number";

    fn is_valid(self) -> bool {
        self.is_finite()
    }
}

#[derive(Debug, Properties, PartialEq)]
pub struct FieldProps<T: FieldNumber> {
    pub value: T,
    pub min: T,
    pub max: T,
    /// Accessible name, e.g. "Task A, segment 2 duration".
    pub label: AttrValue,
    /// Unit shown after the box, e.g. "ms".
    #[prop_or_default]
    pub unit: AttrValue,
    pub on_change: Callback<T>,
    #[prop_or_default]
    pub class: Classes,
}

pub type NumberFieldProps = FieldProps<u64>;

/// Why `text` is not a number in `min..=max`, if it is not.
pub fn check<T: FieldNumber>(text: &str, min: T, max: T) -> Result<T, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("enter a number".to_owned());
    }
    if !T::DECIMAL && trimmed.starts_with('-') {
        return Err(format!("must be at least {min}"));
    }
    let value: T = trimmed
        .parse()
        .ok()
        .filter(|value: &T| value.is_valid())
        .ok_or_else(|| format!("{trimmed:?} {}", T::NOT_A_NUMBER))?;
    if value < min {
        Err(format!("must be at least {min}"))
    } else if value > max {
        Err(format!("must be at most {max}"))
    } else {
        Ok(value)
    }
}

/// A whole-number field.
pub type NumberField = Field<u64>;
/// A field for numbers with decimals.
pub type DecimalField = Field<f64>;

#[function_component]
pub fn Field<T: FieldNumber>(props: &FieldProps<T>) -> Html {
    let text = use_state(|| props.value.to_string());
    let error = use_state(|| None::<String>);
    let id = use_memo((), |_| format!("nf-{}", next_id()));

    // A new value from outside (a preset, undo) replaces the text, unless
    // the text already means that value.
    {
        let text = text.clone();
        let error = error.clone();
        use_effect_with(props.value, move |value| {
            if text.trim().parse::<T>().ok() != Some(*value) {
                text.set(value.to_string());
                error.set(None);
            }
        });
    }

    let on_input = {
        let text = text.clone();
        let error = error.clone();
        let on_change = props.on_change.clone();
        let (min, max) = (props.min, props.max);
        Callback::from(move |event: InputEvent| {
            let Some(raw) = super::form::input_value(&event) else {
                return;
            };
            match check(&raw, min, max) {
                Ok(value) => {
                    error.set(None);
                    on_change.emit(value);
                }
                Err(message) => error.set(Some(message)),
            }
            text.set(raw);
        })
    };

    let error_id = format!("{}-error", id);
    html! {
        <span class={classes!("number-field", props.class.clone(), error.is_some().then_some("invalid"))}>
            <input id={(*id).clone()} type="text" inputmode={if T::DECIMAL { "decimal" } else { "numeric" }}
                value={(*text).clone()}
                aria-label={props.label.clone()} aria-invalid={error.is_some().to_string()}
                aria-describedby={error.is_some().then(|| error_id.clone())}
                oninput={on_input} size="5" />
            if !props.unit.is_empty() { <span class="unit">{ props.unit.clone() }</span> }
            if let Some(message) = &*error {
                <span class="field-error" id={error_id} role="alert">{ message.clone() }</span>
            }
        </span>
    }
}

fn next_id() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn whole_and_decimal_numbers_are_checked_with_their_own_messages() {
        assert_eq!(check("12", 1u64, 20), Ok(12));
        assert_eq!(check("-1", 0u64, 5), Err("must be at least 0".into()));
        assert_eq!(
            check("1.5", 0u64, 5),
            Err("\"1.5\" is not a whole number".into())
        );
        assert_eq!(check("1.5", 0.0, 5.0), Ok(1.5));
        assert_eq!(
            check("inf", 0.0, 5.0),
            Err("\"inf\" is not a number".into())
        );
        assert_eq!(check("9", 0.0, 5.0), Err("must be at most 5".into()));
    }
}
