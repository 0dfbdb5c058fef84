//! Writing the model back out: JSON for the query API and the rrweb player,
//! MessagePack for compact storage and tests.
//!
//! Maps are written as maps with string keys in model order (known fields
//! first, then `extra` in input order), so `decode(encode(x)) == x` for both
//! formats, with two documented exceptions for JSON: non-finite floats are
//! written as `null` (as JavaScript's `JSON.stringify` does) and
//! [`Value::Bytes`] as an array of numbers.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::batch::{Batch, Page, Size};
use crate::error::EncodeError;
use crate::event::Event;
use crate::value::{Entry, Value};

/// A batch as JSON.
pub fn to_json(batch: &Batch<'_>) -> Result<Vec<u8>, EncodeError> {
    Ok(serde_json::to_vec(batch)?)
}

/// Events as a JSON array: rrweb's own recording format, ready for
/// rrweb-player (SPEC §7) and the output of `veil mask`.
pub fn events_to_json(events: &[Event<'_>]) -> Result<Vec<u8>, EncodeError> {
    Ok(serde_json::to_vec(events)?)
}

/// [`events_to_json`] written to `writer` as it is produced, so a large
/// batch never exists as one JSON buffer (ingest streams it into zstd).
pub fn events_to_json_writer(events: &[Event<'_>], writer: impl std::io::Write) -> Result<(), EncodeError> {
    Ok(serde_json::to_writer(writer, events)?)
}

/// A batch as MessagePack, the format the recorder sends.
pub fn to_msgpack(batch: &Batch<'_>) -> Result<Vec<u8>, EncodeError> {
    Ok(rmp_serde::to_vec_named(batch)?)
}

/// Events as a MessagePack array.
pub fn events_to_msgpack(events: &[Event<'_>]) -> Result<Vec<u8>, EncodeError> {
    Ok(rmp_serde::to_vec_named(events)?)
}

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(n) => s.serialize_i64(*n),
            Value::UInt(n) => s.serialize_u64(*n),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Str(text) => s.serialize_str(text),
            Value::Bytes(b) => s.serialize_bytes(b),
            Value::Array(items) => s.collect_seq(items),
            Value::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                write_entries(&mut map, entries)?;
                map.end()
            }
        }
    }
}

fn write_entries<M: SerializeMap>(map: &mut M, entries: &[Entry<'_>]) -> Result<(), M::Error> {
    entries.iter().try_for_each(|(key, value)| map.serialize_entry(key.as_ref(), value))
}

impl Serialize for Event<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3 + self.extra.len()))?;
        map.serialize_entry("type", &self.kind.as_u64())?;
        map.serialize_entry("data", &self.data)?;
        map.serialize_entry("timestamp", &self.timestamp_value())?;
        write_entries(&mut map, &self.extra)?;
        map.end()
    }
}

impl Serialize for Page<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let len = 1 + usize::from(self.title.is_some()) + self.extra.len();
        let mut map = s.serialize_map(Some(len))?;
        map.serialize_entry("url", &self.url)?;
        if let Some(title) = &self.title {
            map.serialize_entry("title", title)?;
        }
        write_entries(&mut map, &self.extra)?;
        map.end()
    }
}

impl Serialize for Size<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2 + self.extra.len()))?;
        map.serialize_entry("w", &self.w)?;
        map.serialize_entry("h", &self.h)?;
        write_entries(&mut map, &self.extra)?;
        map.end()
    }
}

impl Serialize for Batch<'_> {
    /// Events go last so a streaming reader sees the envelope first.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let optional = usize::from(self.document.is_some()) + usize::from(self.user.is_some());
        let mut map = s.serialize_map(Some(7 + optional + self.extra.len()))?;
        map.serialize_entry("v", &self.v)?;
        map.serialize_entry("site", &self.site)?;
        map.serialize_entry("session", &self.session)?;
        map.serialize_entry("seq", &self.seq)?;
        map.serialize_entry("page", &self.page)?;
        map.serialize_entry("viewport", &self.viewport)?;
        if let Some(document) = &self.document {
            map.serialize_entry("document", document)?;
        }
        if let Some(user) = &self.user {
            map.serialize_entry("user", user)?;
        }
        write_entries(&mut map, &self.extra)?;
        map.serialize_entry("events", &self.events)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::borrow::Cow;

    use super::*;
    use crate::event::map;
    use crate::kinds::EventType;

    #[test]
    fn json_shape_of_an_event() {
        let mut e = Event::new(
            EventType::IncrementalSnapshot,
            1_700_000_000_000,
            map([("source", Value::Int(1)), ("positions", Value::Array(vec![]))]),
        );
        e.extra.push((Cow::Borrowed("delay"), Value::Int(5)));
        let json = events_to_json(&[e]).unwrap();
        assert_eq!(
            std::str::from_utf8(&json).unwrap(),
            r#"[{"type":3,"data":{"source":1,"positions":[]},"timestamp":1700000000000,"delay":5}]"#
        );
    }

    #[test]
    fn json_writes_non_finite_floats_as_null_and_bytes_as_numbers() {
        let v = Value::Array(vec![
            Value::Float(f64::NAN),
            Value::Float(f64::INFINITY),
            Value::Float(1.5),
            Value::Bytes(Cow::Borrowed(&[1, 2])),
            Value::UInt(u64::MAX),
        ]);
        assert_eq!(serde_json::to_string(&v).unwrap(), "[null,null,1.5,[1,2],18446744073709551615]");
    }

    #[test]
    fn msgpack_writes_maps_with_string_keys() {
        let v = map([("a", Value::Int(1))]);
        // fixmap(1), fixstr "a", positive fixint 1
        assert_eq!(rmp_serde::to_vec_named(&v).unwrap(), [0x81, 0xa1, b'a', 0x01]);
        let bin = Value::Bytes(Cow::Borrowed(&[7]));
        assert_eq!(rmp_serde::to_vec_named(&bin).unwrap(), [0xc4, 1, 7]);
    }
}
