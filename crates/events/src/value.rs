//! A lossless value tree for the free-form parts of rrweb events.
//!
//! rrweb payloads have dozens of shapes that change between versions; typing
//! them all would make the server reject recordings from newer recorders.
//! So event payloads stay generic, and masking walks them as trees. Strings
//! borrow from the request body ([`Cow::Borrowed`]) wherever the codec allows,
//! so decoding does not allocate per string and masking allocates only for
//! the strings it rewrites.

use std::borrow::Cow;

/// One key/value pair of a [`Value::Map`], in input order.
pub type Entry<'a> = (Cow<'a, str>, Value<'a>);

/// A JSON or MessagePack value.
///
/// Integers are canonical: every integer that fits in an `i64` is
/// [`Value::Int`], only those above `i64::MAX` are [`Value::UInt`]. Both
/// codecs write small positive numbers in forms that read back as unsigned,
/// so without this rule `decode(encode(x)) == x` would not hold.
///
/// Maps keep their keys in input order and the decoder refuses duplicate
/// keys: JavaScript's `JSON.parse` (and so the rrweb player) keeps the last
/// of two equal keys while [`Value::get`] finds the first, and a masker and a
/// player that disagree on which value counts would let an unmasked value
/// through.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value<'a> {
    /// JSON `null`, MessagePack `nil`.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer in `i64` range (see the canonical-integer rule above).
    Int(i64),
    /// An integer above `i64::MAX`.
    UInt(u64),
    /// A float. JSON cannot carry NaN or infinities: they are written as
    /// `null` (as JavaScript's `JSON.stringify` does) and so do not survive
    /// a JSON round trip; MessagePack carries them exactly.
    Float(f64),
    /// A UTF-8 string, borrowed from the input when possible.
    Str(Cow<'a, str>),
    /// MessagePack `bin`. JSON has no byte strings: written to JSON it
    /// becomes an array of numbers.
    Bytes(Cow<'a, [u8]>),
    /// An array.
    Array(Vec<Value<'a>>),
    /// A map with string keys in input order.
    Map(Vec<Entry<'a>>),
}

impl<'a> Value<'a> {
    /// The value under `key` if `self` is a map holding it.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.as_map()?.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Mutable access to the value under `key`, for rewriting in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value<'a>> {
        self.as_map_mut()?.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The string if `self` is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer if `self` is one that fits in an `i64`. Floats are not
    /// converted: a caller that accepts them says so with [`Value::as_f64`].
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(n) => Some(n),
            _ => None,
        }
    }

    /// The integer if `self` is a non-negative one.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::Int(n) => u64::try_from(n).ok(),
            Value::UInt(n) => Some(n),
            _ => None,
        }
    }

    /// Any number as `f64` (integers beyond 2^53 lose precision). rrweb
    /// coordinates are integers or floats depending on the browser, so
    /// geometry code reads them with this.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Int(n) => Some(n as f64),
            Value::UInt(n) => Some(n as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }

    /// The boolean if `self` is one.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// Whether `self` is null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The elements if `self` is an array.
    pub fn as_array(&self) -> Option<&[Value<'a>]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The elements if `self` is an array, for rewriting in place.
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value<'a>>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The entries, in order, if `self` is a map.
    pub fn as_map(&self) -> Option<&[Entry<'a>]> {
        match self {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The entries if `self` is a map, for rewriting in place. Callers that
    /// insert keys must keep them unique (see the type's documentation).
    pub fn as_map_mut(&mut self) -> Option<&mut Vec<Entry<'a>>> {
        match self {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Replaces `self` with a string. Masking calls this only for strings it
    /// changes, so untouched strings stay borrowed.
    pub fn set_str(&mut self, s: impl Into<Cow<'a, str>>) {
        *self = Value::Str(s.into());
    }

    /// A copy that owns all its data, for keeping a value after the request
    /// buffer is gone.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Int(n) => Value::Int(n),
            Value::UInt(n) => Value::UInt(n),
            Value::Float(f) => Value::Float(f),
            Value::Str(s) => Value::Str(Cow::Owned(s.into_owned())),
            Value::Bytes(b) => Value::Bytes(Cow::Owned(b.into_owned())),
            Value::Array(items) => Value::Array(items.into_iter().map(Value::into_owned).collect()),
            Value::Map(entries) => Value::Map(owned_entries(entries)),
        }
    }
}

/// [`Value::into_owned`] for a list of entries (the envelope's `extra`).
pub(crate) fn owned_entries(entries: Vec<Entry<'_>>) -> Vec<Entry<'static>> {
    entries.into_iter().map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned())).collect()
}

impl From<bool> for Value<'_> {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value<'_> {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<u64> for Value<'_> {
    /// Keeps the canonical-integer rule: `UInt` only above `i64::MAX`.
    fn from(n: u64) -> Self {
        match i64::try_from(n) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::UInt(n),
        }
    }
}

impl From<f64> for Value<'_> {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(s: &'a str) -> Self {
        Value::Str(Cow::Borrowed(s))
    }
}

impl From<String> for Value<'_> {
    fn from(s: String) -> Self {
        Value::Str(Cow::Owned(s))
    }
}

impl<'a> From<Vec<Value<'a>>> for Value<'a> {
    fn from(items: Vec<Value<'a>>) -> Self {
        Value::Array(items)
    }
}

impl<'a> From<Vec<Entry<'a>>> for Value<'a> {
    fn from(entries: Vec<Entry<'a>>) -> Self {
        Value::Map(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> Value<'static> {
        Value::Map(vec![
            ("type".into(), Value::Int(2)),
            ("tagName".into(), "input".into()),
            ("attributes".into(), Value::Map(vec![("value".into(), "secret".into())])),
        ])
    }

    #[test]
    fn get_finds_keys_of_maps_only() {
        let n = node();
        assert_eq!(n.get("tagName").and_then(Value::as_str), Some("input"));
        assert_eq!(n.get("missing"), None);
        assert_eq!(Value::Int(1).get("type"), None);
        assert_eq!(Value::Array(vec![]).get("type"), None);
    }

    #[test]
    fn set_str_rewrites_in_place_and_keeps_order() {
        let mut n = node();
        let value = n.get_mut("attributes").and_then(|a| a.get_mut("value")).expect("fixture has a value");
        value.set_str("******".to_string());
        assert_eq!(n.get("attributes").and_then(|a| a.get("value")), Some(&Value::from("******")));
        let keys: Vec<_> = n.as_map().into_iter().flatten().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(keys, ["type", "tagName", "attributes"]);
    }

    #[test]
    fn numeric_accessors() {
        assert_eq!(Value::Int(-3).as_i64(), Some(-3));
        assert_eq!(Value::Int(-3).as_u64(), None);
        assert_eq!(Value::Int(3).as_u64(), Some(3));
        assert_eq!(Value::UInt(u64::MAX).as_i64(), None);
        assert_eq!(Value::UInt(u64::MAX).as_u64(), Some(u64::MAX));
        assert_eq!(Value::Float(1.5).as_i64(), None);
        assert_eq!(Value::Float(1.5).as_f64(), Some(1.5));
        assert_eq!(Value::Int(7).as_f64(), Some(7.0));
        assert_eq!(Value::Str("7".into()).as_f64(), None);
        assert_eq!(Value::Bool(true).as_bool(), Some(true));
        assert!(Value::Null.is_null());
    }

    #[test]
    fn from_u64_is_canonical() {
        assert_eq!(Value::from(5u64), Value::Int(5));
        assert_eq!(Value::from(u64::MAX), Value::UInt(u64::MAX));
        assert_eq!(Value::from(i64::MAX as u64 + 1), Value::UInt(i64::MAX as u64 + 1));
    }

    #[test]
    fn into_owned_keeps_content() {
        let text = String::from("hello");
        let borrowed = Value::Array(vec![Value::from(text.as_str()), node()]);
        let owned: Value<'static> = borrowed.clone().into_owned();
        drop(text);
        assert_eq!(owned.as_array().map(<[_]>::len), Some(2));
        assert!(matches!(
            owned.as_array().and_then(|a| a.first()),
            Some(Value::Str(Cow::Owned(s))) if s == "hello"
        ));
    }

    #[test]
    fn accessors_on_containers() {
        let mut a = Value::Array(vec![Value::Null]);
        assert_eq!(a.as_array().map(<[_]>::len), Some(1));
        if let Some(items) = a.as_array_mut() {
            items.push(Value::Bool(false));
        }
        assert_eq!(a.as_array().map(<[_]>::len), Some(2));
        assert!(a.as_map().is_none());
        assert!(node().as_array().is_none());
        assert_eq!(node().as_map().map(<[_]>::len), Some(3));
    }
}
