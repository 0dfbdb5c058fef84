//! Reading numbers and flags out of recorder payloads, and the closed set
//! of reasons a click or scroll reading is skipped.
//!
//! Recorders are untrusted and come in versions: a field may be missing, a
//! string, a float where an integer was expected. Every field is read
//! through these helpers, so a bad value skips one input with a named
//! reason and never panics or silently becomes zero.

use veil_events::Value;

/// Why a click or scroll reading was skipped. Counted per batch so the
/// server can export them as a metric label ([`InvalidReason::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InvalidReason {
    /// A `veil.click` or `veil.scroll` event without a `data.payload` map.
    NoPayload,
    /// A required field is missing or `null`: `x`, `y`, `w` of a click
    /// (and `vw` when `fixed`), `y`, `h`, `vh` of a scroll reading, `x`, `y`
    /// of an rrweb click or document scroll.
    MissingField,
    /// A field has the wrong type: a coordinate that is not a number, a
    /// flag that is not a boolean, a selector or URL that is not a string.
    WrongType,
    /// A coordinate that is negative or not finite, or a size that is not
    /// positive.
    OutOfRange,
    /// A fixed click whose viewport position lies outside the viewport.
    OutsideViewport,
    /// A click at or below [`crate::MAX_DEPTH_PX`].
    TooDeep,
}

impl InvalidReason {
    /// All reasons, in declaration order.
    pub const ALL: [InvalidReason; 6] = [
        InvalidReason::NoPayload,
        InvalidReason::MissingField,
        InvalidReason::WrongType,
        InvalidReason::OutOfRange,
        InvalidReason::OutsideViewport,
        InvalidReason::TooDeep,
    ];

    /// A snake_case name for metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            InvalidReason::NoPayload => "no_payload",
            InvalidReason::MissingField => "missing_field",
            InvalidReason::WrongType => "wrong_type",
            InvalidReason::OutOfRange => "out_of_range",
            InvalidReason::OutsideViewport => "outside_viewport",
            InvalidReason::TooDeep => "too_deep",
        }
    }
}

/// A map's field, with `null` read as absent (as the envelope does).
fn field<'v, 'a>(map: &'v Value<'a>, key: &str) -> Option<&'v Value<'a>> {
    map.get(key).filter(|value| !value.is_null())
}

/// An optional number (integer or float).
pub(crate) fn number(map: &Value<'_>, key: &str) -> Result<Option<f64>, InvalidReason> {
    field(map, key).map(|value| value.as_f64().ok_or(InvalidReason::WrongType)).transpose()
}

/// A required finite, non-negative number: a coordinate.
pub(crate) fn coordinate(map: &Value<'_>, key: &str) -> Result<f64, InvalidReason> {
    let n = number(map, key)?.ok_or(InvalidReason::MissingField)?;
    if n.is_finite() && n >= 0.0 { Ok(n) } else { Err(InvalidReason::OutOfRange) }
}

/// A required finite, positive number: a size.
pub(crate) fn size(map: &Value<'_>, key: &str) -> Result<f64, InvalidReason> {
    let n = number(map, key)?.ok_or(InvalidReason::MissingField)?;
    positive(n)
}

/// `n` if it is a usable size.
pub(crate) fn positive(n: f64) -> Result<f64, InvalidReason> {
    if n.is_finite() && n > 0.0 { Ok(n) } else { Err(InvalidReason::OutOfRange) }
}

/// An optional flag, `false` when absent.
pub(crate) fn flag(map: &Value<'_>, key: &str) -> Result<bool, InvalidReason> {
    field(map, key).map_or(Ok(false), |value| value.as_bool().ok_or(InvalidReason::WrongType))
}

/// An optional string.
pub(crate) fn string<'v>(map: &'v Value<'_>, key: &str) -> Result<Option<&'v str>, InvalidReason> {
    field(map, key).map(|value| value.as_str().ok_or(InvalidReason::WrongType)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::map;

    #[test]
    fn readers_table() {
        let payload = map(vec![
            ("int", Value::Int(3)),
            ("float", Value::Float(2.5)),
            ("neg", Value::Int(-1)),
            ("nan", Value::Float(f64::NAN)),
            ("inf", Value::Float(f64::INFINITY)),
            ("zero", Value::Int(0)),
            ("text", Value::from("12")),
            ("null", Value::Null),
            ("yes", Value::Bool(true)),
        ]);
        assert_eq!(number(&payload, "int"), Ok(Some(3.0)));
        assert_eq!(number(&payload, "null"), Ok(None));
        assert_eq!(number(&payload, "missing"), Ok(None));
        assert_eq!(number(&payload, "text"), Err(InvalidReason::WrongType));
        assert_eq!(coordinate(&payload, "float"), Ok(2.5));
        assert_eq!(coordinate(&payload, "zero"), Ok(0.0));
        assert_eq!(coordinate(&payload, "neg"), Err(InvalidReason::OutOfRange));
        assert_eq!(coordinate(&payload, "nan"), Err(InvalidReason::OutOfRange));
        assert_eq!(coordinate(&payload, "inf"), Err(InvalidReason::OutOfRange));
        assert_eq!(coordinate(&payload, "missing"), Err(InvalidReason::MissingField));
        assert_eq!(coordinate(&payload, "null"), Err(InvalidReason::MissingField));
        assert_eq!(coordinate(&payload, "yes"), Err(InvalidReason::WrongType));
        assert_eq!(size(&payload, "int"), Ok(3.0));
        assert_eq!(size(&payload, "zero"), Err(InvalidReason::OutOfRange));
        assert_eq!(flag(&payload, "yes"), Ok(true));
        assert_eq!(flag(&payload, "missing"), Ok(false));
        assert_eq!(flag(&payload, "null"), Ok(false));
        assert_eq!(flag(&payload, "int"), Err(InvalidReason::WrongType));
        assert_eq!(string(&payload, "text"), Ok(Some("12")));
        assert_eq!(string(&payload, "int"), Err(InvalidReason::WrongType));
        assert_eq!(string(&Value::Int(1), "text"), Ok(None));
    }

    #[test]
    fn names_are_distinct_snake_case() {
        let names: std::collections::BTreeSet<_> = InvalidReason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(names.len(), InvalidReason::ALL.len());
        assert!(names.iter().all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
    }
}
