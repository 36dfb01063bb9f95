//! A whole-number input that validates as you type.
//!
//! What the user typed stays in the box even when it is invalid; the error
//! shows beside the field and nothing is emitted until the text is valid,
//! so the last valid result stays on screen.

use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct NumberFieldProps {
    pub value: u64,
    pub min: u64,
    pub max: u64,
    /// Accessible name, e.g. "Task A, segment 2 duration".
    pub label: AttrValue,
    /// Unit shown after the box, e.g. "ms".
    #[prop_or_default]
    pub unit: AttrValue,
    pub on_change: Callback<u64>,
    #[prop_or_default]
    pub class: Classes,
}

/// Why `text` is not a whole number in `min..=max`, if it is not.
pub fn check_number(text: &str, min: u64, max: u64) -> Result<u64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("enter a number".to_owned());
    }
    if trimmed.starts_with('-') {
        return Err(format!("must be at least {min}"));
    }
    let value: u64 = trimmed
        .parse()
        .map_err(|_| format!("{trimmed:?} is not a whole number"))?;
    if value < min {
        Err(format!("must be at least {min}"))
    } else if value > max {
        Err(format!("must be at most {max}"))
    } else {
        Ok(value)
    }
}

#[function_component(NumberField)]
pub fn number_field(props: &NumberFieldProps) -> Html {
    let text = use_state(|| props.value.to_string());
    let error = use_state(|| None::<String>);
    let id = use_memo((), |_| format!("nf-{}", next_id()));

    // A new value from outside (a preset, undo) replaces the text, unless
    // the text already means that value.
    {
        let text = text.clone();
        let error = error.clone();
        use_effect_with(props.value, move |value| {
            if text.trim().parse::<u64>().ok() != Some(*value) {
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
            match check_number(&raw, min, max) {
                Ok(value) => {
                    error.set(None);
                    on_change.emit(value);
                }
                Err(message) => error.set(Some(message)),
            }
            text.set(raw);
        })
    };

    field_markup(FieldMarkup {
        id: &id,
        text: &text,
        error: error.as_deref(),
        label: &props.label,
        unit: &props.unit,
        class: props.class.clone(),
        decimal: false,
        on_input,
    })
}

/// Why `text` is not a number in `min..=max`, if it is not.
pub fn check_decimal(text: &str, min: f64, max: f64) -> Result<f64, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("enter a number".to_owned());
    }
    let value: f64 = trimmed
        .parse()
        .ok()
        .filter(|value: &f64| value.is_finite())
        .ok_or_else(|| format!("{trimmed:?} is not a number"))?;
    if value < min {
        Err(format!("must be at least {min}"))
    } else if value > max {
        Err(format!("must be at most {max}"))
    } else {
        Ok(value)
    }
}

#[derive(Debug, Properties, PartialEq)]
pub struct DecimalFieldProps {
    pub value: f64,
    pub min: f64,
    pub max: f64,
    pub label: AttrValue,
    #[prop_or_default]
    pub unit: AttrValue,
    pub on_change: Callback<f64>,
    #[prop_or_default]
    pub class: Classes,
}

/// Like [`NumberField`], for numbers with decimals (rates, milliseconds).
#[function_component(DecimalField)]
pub fn decimal_field(props: &DecimalFieldProps) -> Html {
    let text = use_state(|| props.value.to_string());
    let error = use_state(|| None::<String>);
    let id = use_memo((), |_| format!("nf-{}", next_id()));
    {
        let text = text.clone();
        let error = error.clone();
        use_effect_with(props.value.to_bits(), move |bits| {
            let value = f64::from_bits(*bits);
            if text.trim().parse::<f64>().ok() != Some(value) {
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
            match check_decimal(&raw, min, max) {
                Ok(value) => {
                    error.set(None);
                    on_change.emit(value);
                }
                Err(message) => error.set(Some(message)),
            }
            text.set(raw);
        })
    };
    field_markup(FieldMarkup {
        id: &id,
        text: &text,
        error: error.as_deref(),
        label: &props.label,
        unit: &props.unit,
        class: props.class.clone(),
        decimal: true,
        on_input,
    })
}

struct FieldMarkup<'a> {
    id: &'a str,
    text: &'a str,
    error: Option<&'a str>,
    label: &'a AttrValue,
    unit: &'a AttrValue,
    class: Classes,
    decimal: bool,
    on_input: Callback<InputEvent>,
}

fn field_markup(field: FieldMarkup<'_>) -> Html {
    let error_id = format!("{}-error", field.id);
    html! {
        <span class={classes!("number-field", field.class, field.error.is_some().then_some("invalid"))}>
            <input id={field.id.to_owned()} type="text" inputmode={if field.decimal { "decimal" } else { "numeric" }}
                value={field.text.to_owned()}
                aria-label={field.label.clone()} aria-invalid={field.error.is_some().to_string()}
                aria-describedby={field.error.is_some().then(|| error_id.clone())}
                oninput={field.on_input} size="5" />
            if !field.unit.is_empty() { <span class="unit">{ field.unit.clone() }</span> }
            if let Some(message) = field.error {
                <span class="field-error" id={error_id} role="alert">{ message.to_owned() }</span>
            }
        </span>
    }
}

fn next_id() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
