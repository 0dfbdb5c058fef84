//! Form analytics input: `veil.form` events, one per field left, submit or
//! abandonment (docs/forms.md).
//!
//! The recorder decides what a visitor did with a form: it sees focus,
//! typing and the page going away, and sends only what happened, never
//! what was typed. A field is named by its masked selector (masking has
//! already run over the payload's strings when this reads them), its form
//! likewise (`""`: a field outside any form), and its `index` is its place
//! in the form, which orders the funnel.
//!
//! Payloads, by `action`:
//! - `field`: `form`, `field`, `index`, `ms` (focus to blur), `refill`
//!   (a correction or a changed earlier answer), `error` (the field showed
//!   an error when left);
//! - `submit`: `form`;
//! - `abandon`: `form`, `field`, `index` of the last field touched, sent
//!   when the page view ended with the form started and not submitted.
//!
//! A payload that does not read is skipped with a named reason, like a
//! click.

use veil_events::Value;

use crate::clicks::MAX_SELECTOR_CHARS;
use crate::payload::{self, InvalidReason};

/// Longest time in a field kept, ms (half an hour): a tab left open with
/// the cursor in a field is not half a day of filling it in.
pub const MAX_FIELD_MS: u32 = 1_800_000;

/// What one `veil.form` event says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormAction {
    /// The visitor left a field they had focused.
    Field {
        /// Focus to blur, ms, at most [`MAX_FIELD_MS`].
        ms: u32,
        /// A correction or refill happened while in the field.
        refill: bool,
        /// The field showed an error when it was left.
        error: bool,
    },
    /// The form was submitted.
    Submit,
    /// The page view ended with the form started and not submitted; the
    /// event's field was the last one touched.
    Abandon,
}

/// One form interaction of a page view.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FormEvent {
    /// The form's masked selector; empty for fields outside any form.
    pub form: String,
    /// The field's masked selector; empty for a submit.
    pub field: String,
    /// The field's place in its form (0 first); 0 for a submit.
    pub position: u16,
    /// What happened.
    pub action: FormAction,
}

/// Reads a `veil.form` event's `data`.
pub(crate) fn read(data: &Value<'_>) -> Result<FormEvent, InvalidReason> {
    let payload =
        data.get("payload").filter(|p| matches!(p, Value::Map(_))).ok_or(InvalidReason::NoPayload)?;
    let action = payload::string(payload, "action")?.ok_or(InvalidReason::MissingField)?;
    let form = name(payload::string(payload, "form")?.unwrap_or(""));
    if action == "submit" {
        return Ok(FormEvent { form, field: String::new(), position: 0, action: FormAction::Submit });
    }
    let field = name(payload::string(payload, "field")?.ok_or(InvalidReason::MissingField)?);
    if field.is_empty() {
        return Err(InvalidReason::MissingField);
    }
    let index = payload::coordinate(payload, "index")?;
    let position = u16::try_from(index as u64).unwrap_or(u16::MAX);
    let action = match action {
        "field" => {
            let ms = payload::coordinate(payload, "ms")?.min(f64::from(MAX_FIELD_MS)) as u32;
            FormAction::Field {
                ms,
                refill: payload::flag(payload, "refill")?,
                error: payload::flag(payload, "error")?,
            }
        }
        "abandon" => FormAction::Abandon,
        _ => return Err(InvalidReason::OutOfRange),
    };
    Ok(FormEvent { form, field, position, action })
}

/// A form or field name as kept: trimmed, at most [`MAX_SELECTOR_CHARS`].
fn name(selector: &str) -> String {
    let selector = selector.trim();
    match selector.char_indices().nth(MAX_SELECTOR_CHARS) {
        Some((end, _)) => selector[..end].to_owned(),
        None => selector.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::map;

    fn event(payload: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
        map(vec![("tag", Value::from("veil.form")), ("payload", map(payload))])
    }

    #[test]
    fn payloads_table() {
        use InvalidReason::*;
        let field = |extra: Vec<(&'static str, Value<'static>)>| {
            let mut payload = vec![
                ("action", Value::from("field")),
                ("form", Value::from("form#checkout")),
                ("field", Value::from("input#email")),
                ("index", Value::Int(2)),
                ("ms", Value::Int(4200)),
            ];
            for (key, value) in extra {
                payload.retain(|(k, _)| *k != key);
                if !value.is_null() {
                    payload.push((key, value));
                }
            }
            event(payload)
        };
        let ok = |form: &str, field: &str, position: u16, action: FormAction| {
            Ok(FormEvent { form: form.into(), field: field.into(), position, action })
        };
        let plain = FormAction::Field { ms: 4200, refill: false, error: false };
        let cases: Vec<(&str, Value<'static>, Result<FormEvent, InvalidReason>)> = vec![
            ("a field left", field(vec![]), ok("form#checkout", "input#email", 2, plain)),
            (
                "refill and error",
                field(vec![("refill", true.into()), ("error", true.into())]),
                ok(
                    "form#checkout",
                    "input#email",
                    2,
                    FormAction::Field { ms: 4200, refill: true, error: true },
                ),
            ),
            (
                "float ms, capped",
                field(vec![("ms", Value::Float(9.9e9))]),
                ok(
                    "form#checkout",
                    "input#email",
                    2,
                    FormAction::Field { ms: MAX_FIELD_MS, refill: false, error: false },
                ),
            ),
            ("outside a form", field(vec![("form", Value::Null)]), ok("", "input#email", 2, plain)),
            (
                "submit",
                event(vec![("action", "submit".into()), ("form", "form#checkout".into())]),
                ok("form#checkout", "", 0, FormAction::Submit),
            ),
            (
                "abandon",
                event(vec![
                    ("action", "abandon".into()),
                    ("form", "form#checkout".into()),
                    ("field", "input#phone".into()),
                    ("index", Value::Int(3)),
                ]),
                ok("form#checkout", "input#phone", 3, FormAction::Abandon),
            ),
            ("no payload", map(vec![("tag", Value::from("veil.form"))]), Err(NoPayload)),
            ("no action", field(vec![("action", Value::Null)]), Err(MissingField)),
            ("unknown action", field(vec![("action", "hover".into())]), Err(OutOfRange)),
            ("no field", field(vec![("field", Value::Null)]), Err(MissingField)),
            ("blank field", field(vec![("field", "  ".into())]), Err(MissingField)),
            ("no ms", field(vec![("ms", Value::Null)]), Err(MissingField)),
            ("negative index", field(vec![("index", Value::Int(-1))]), Err(OutOfRange)),
            ("text ms", field(vec![("ms", "12".into())]), Err(WrongType)),
            ("text refill", field(vec![("refill", "yes".into())]), Err(WrongType)),
            ("number form", field(vec![("form", Value::Int(3))]), Err(WrongType)),
        ];
        for (name, data, expected) in cases {
            assert_eq!(read(&data), expected, "{name}");
        }
    }

    #[test]
    fn long_names_are_cut() {
        let long = "input.".to_owned() + &"x".repeat(MAX_SELECTOR_CHARS * 2);
        let data = event(vec![
            ("action", "abandon".into()),
            ("field", Value::from(long)),
            ("index", Value::Int(70_000)),
        ]);
        let read = read(&data).expect("reads");
        assert_eq!(read.field.chars().count(), MAX_SELECTOR_CHARS);
        assert_eq!(read.position, u16::MAX, "an index past u16 is kept as the last place");
    }
}
