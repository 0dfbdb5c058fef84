//! JSON decoding: serde_json driven by depth-capped, borrowing seeds.
//!
//! - **Borrowing.** serde_json hands out strings without escapes through
//!   `visit_borrowed_str`; they become [`Cow::Borrowed`], no allocation.
//! - **Depth.** serde_json's own 128-level limit is disabled (rrweb trees
//!   are deeper); instead every seed knows the nesting level of the
//!   container it reads and refuses one deeper than [`MAX_DEPTH`] *before*
//!   recursing, so the stack never holds more than `MAX_DEPTH` levels.
//! - **Typed errors.** serde errors are strings, and its type errors quote
//!   the input. A seed that refuses input records the [`DecodeError`] in the
//!   [`Ctx`] and returns a placeholder serde error to unwind serde_json; the
//!   driver then reports the recorded error instead.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::error::Category;

use crate::budget::{ALLOCATION_OVERHEAD, Budget};
use crate::envelope::{
    BATCH_DEPTH, BatchFields, EVENTS_KEY, EventFields, OpenBatch, batch_not_a_map, check_declared_events,
    event_not_a_map, events_not_an_array, push_event,
};
use crate::error::{DecodeError, Format};
use crate::event::Event;
use crate::limits::{check_depth, has_duplicate_keys, prealloc, push, with_capacity};
use crate::value::Value;

/// Decodes a batch, charging `budget`; refuses a `site` other than
/// `expected_site` as soon as it is read.
pub(crate) fn batch<'de>(
    input: &'de [u8],
    budget: &mut Budget,
    expected_site: Option<&str>,
) -> Result<OpenBatch<'de>, DecodeError> {
    run(input, budget, expected_site, |ctx, de| BatchSeed { ctx }.deserialize(de))
}

/// Decodes a bare array of events, charging `budget`.
pub(crate) fn events<'de>(input: &'de [u8], budget: &mut Budget) -> Result<Vec<Event<'de>>, DecodeError> {
    run(input, budget, None, |ctx, de| EventsSeed { ctx, depth: 1 }.deserialize(de))
}

/// Decodes a bare array of events one event at a time, handing each to
/// `each` and dropping it: only one event's tree is ever held.
pub(crate) fn each_event<'de>(
    input: &'de [u8],
    budget: &mut Budget,
    each: &mut dyn FnMut(Event<'de>),
) -> Result<(), DecodeError> {
    run(input, budget, None, |ctx, de| EachEventSeed { ctx, each }.deserialize(de))
}

/// Decodes a bare value (tests probe the depth boundary with it).
#[cfg(test)]
pub(crate) fn value(input: &[u8]) -> Result<Value<'_>, DecodeError> {
    run(input, &mut Budget::unlimited(), None, |ctx, de| ValueSeed { ctx, depth: 1 }.deserialize(de))
}

type JsonDeserializer<'de> = serde_json::Deserializer<serde_json::de::SliceRead<'de>>;

fn run<'de, T>(
    input: &'de [u8],
    budget: &mut Budget,
    expected_site: Option<&str>,
    read: impl FnOnce(&Ctx, &mut JsonDeserializer<'de>) -> Result<T, serde_json::Error>,
) -> Result<T, DecodeError> {
    // The seeds share the context by reference; the budget moves in for
    // the run and back out after it.
    let ctx = Ctx {
        error: Cell::new(None),
        budget: RefCell::new(std::mem::replace(budget, Budget::unlimited())),
        expected_site: expected_site.map(str::to_owned),
    };
    let mut de = serde_json::Deserializer::from_slice(input);
    de.disable_recursion_limit();
    let result = read(&ctx, &mut de);
    *budget = ctx.budget.into_inner();
    if let Some(err) = ctx.error.take() {
        return Err(err);
    }
    let value = result.map_err(codec_error)?;
    de.end().map_err(|_| DecodeError::TrailingBytes)?;
    Ok(value)
}

/// Maps an error no seed recorded. Syntax and end-of-input messages are
/// fixed texts with a position and are passed on; data errors can quote
/// the input and are replaced.
fn codec_error(err: serde_json::Error) -> DecodeError {
    let detail = match err.classify() {
        Category::Syntax | Category::Eof => err.to_string(),
        Category::Data | Category::Io => {
            format!("invalid data at line {} column {}", err.line(), err.column())
        }
    };
    DecodeError::malformed(Format::Json, detail)
}

/// State shared by all seeds of one decoding run.
struct Ctx {
    error: Cell<Option<DecodeError>>,
    budget: RefCell<Budget>,
    expected_site: Option<String>,
}

impl Ctx {
    /// Charges `bytes` to the run's budget.
    fn charge<E: de::Error>(&self, bytes: usize) -> Result<(), E> {
        let charged = self.budget.borrow_mut().charge(bytes);
        charged.map_err(|e| self.fail(e.into()))
    }

    /// Runs `f` with the run's budget (pushes that may grow a vector).
    fn with_budget<T, E: de::Error>(
        &self,
        f: impl FnOnce(&mut Budget) -> Result<T, DecodeError>,
    ) -> Result<T, E> {
        let result = f(&mut self.budget.borrow_mut());
        self.check(result)
    }

    /// Records why decoding stops (the first reason wins) and returns the
    /// serde error that unwinds serde_json.
    fn fail<E: de::Error>(&self, err: DecodeError) -> E {
        let first = self.error.take().unwrap_or(err);
        self.error.set(Some(first));
        E::custom("input refused by veil-events")
    }

    fn malformed<E: de::Error>(&self, detail: &'static str) -> E {
        self.fail(DecodeError::malformed(Format::Json, detail))
    }

    /// Unwinds with `result`'s error, if any.
    fn check<T, E: de::Error>(&self, result: Result<T, DecodeError>) -> Result<T, E> {
        result.map_err(|e| self.fail(e))
    }
}

/// Implements every `visit_*` a seed does not accept as a refusal through
/// `self.wrong_type()`, so no serde message (which would quote the value)
/// escapes. Containers are listed by the caller.
macro_rules! refuse_scalars {
    () => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Err(self.wrong_type())
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Err(self.wrong_type())
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Err(self.wrong_type())
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Err(self.wrong_type())
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Err(self.wrong_type())
        }
        fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
            Err(self.wrong_type())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Err(self.wrong_type())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Err(self.wrong_type())
        }
    };
}

/// Reads one [`Value`] whose containers start at nesting level `depth`.
#[derive(Clone, Copy)]
struct ValueSeed<'c> {
    ctx: &'c Ctx,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value<'de>, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value<'de>, E> {
        Ok(Value::Int(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value<'de>, E> {
        Ok(Value::from(n))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value<'de>, E> {
        Ok(Value::Float(f))
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Value<'de>, E> {
        Ok(Value::Str(Cow::Borrowed(s)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value<'de>, E> {
        self.ctx.charge(s.len() + ALLOCATION_OVERHEAD)?;
        Ok(Value::Str(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value<'de>, E> {
        self.ctx.charge(s.capacity() + ALLOCATION_OVERHEAD)?;
        Ok(Value::Str(Cow::Owned(s)))
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Value<'de>, E> {
        Err(self.ctx.malformed("unexpected byte string"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value<'de>, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value<'de>, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value<'de>, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value<'de>, A::Error> {
        self.ctx.check(check_depth(self.depth))?;
        let child = ValueSeed { ctx: self.ctx, depth: self.depth + 1 };
        let mut items = self.ctx.with_budget(|b| with_capacity(prealloc(seq.size_hint()), b))?;
        while let Some(item) = seq.next_element_seed(child)? {
            self.ctx.with_budget(|b| push(&mut items, item, b))?;
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value<'de>, A::Error> {
        self.ctx.check(check_depth(self.depth))?;
        let child = ValueSeed { ctx: self.ctx, depth: self.depth + 1 };
        let mut entries = self.ctx.with_budget(|b| with_capacity(prealloc(map.size_hint()), b))?;
        while let Some(key) = map.next_key_seed(KeySeed { ctx: self.ctx })? {
            let value = map.next_value_seed(child)?;
            self.ctx.with_budget(|b| push(&mut entries, (key, value), b))?;
        }
        if has_duplicate_keys(&entries) {
            return Err(self.ctx.malformed("duplicate map key"));
        }
        Ok(Value::Map(entries))
    }
}

/// Reads an object key, borrowed when it has no escapes. (JSON keys are
/// always strings; serde_json checks that itself.)
#[derive(Clone, Copy)]
struct KeySeed<'c> {
    ctx: &'c Ctx,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(s))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        self.ctx.charge(s.len() + ALLOCATION_OVERHEAD)?;
        Ok(Cow::Owned(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        self.ctx.charge(s.capacity() + ALLOCATION_OVERHEAD)?;
        Ok(Cow::Owned(s))
    }
}

/// Reads the batch envelope (the document root).
struct BatchSeed<'c> {
    ctx: &'c Ctx,
}

impl BatchSeed<'_> {
    fn wrong_type<E: de::Error>(&self) -> E {
        self.ctx.fail(batch_not_a_map())
    }
}

impl<'de> DeserializeSeed<'de> for BatchSeed<'_> {
    type Value = OpenBatch<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<OpenBatch<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BatchSeed<'_> {
    type Value = OpenBatch<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a batch object")
    }

    refuse_scalars!();

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self.wrong_type())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OpenBatch<'de>, A::Error> {
        let ctx = self.ctx;
        let mut fields = BatchFields::expecting(ctx.expected_site.as_deref());
        while let Some(key) = map.next_key_seed(KeySeed { ctx })? {
            if key == EVENTS_KEY {
                let events = map.next_value_seed(EventsSeed { ctx, depth: BATCH_DEPTH + 1 })?;
                ctx.check(fields.set_events(events))?;
            } else {
                let value = map.next_value_seed(ValueSeed { ctx, depth: BATCH_DEPTH + 1 })?;
                ctx.with_budget(|b| fields.set(key, value, b))?;
            }
        }
        ctx.check(fields.finish())
    }
}

/// Reads an array of events whose array sits at nesting level `depth`.
struct EventsSeed<'c> {
    ctx: &'c Ctx,
    depth: usize,
}

impl EventsSeed<'_> {
    fn wrong_type<E: de::Error>(&self) -> E {
        self.ctx.fail(events_not_an_array())
    }
}

impl<'de> DeserializeSeed<'de> for EventsSeed<'_> {
    type Value = Vec<Event<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EventsSeed<'_> {
    type Value = Vec<Event<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of rrweb events")
    }

    refuse_scalars!();

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self.wrong_type())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let ctx = self.ctx;
        ctx.check(check_depth(self.depth))?;
        ctx.check(check_declared_events(seq.size_hint()))?;
        let seed = EventSeed { ctx, depth: self.depth + 1 };
        let mut events = ctx.with_budget(|b| with_capacity(prealloc(seq.size_hint()), b))?;
        while let Some(event) = seq.next_element_seed(seed)? {
            ctx.with_budget(|b| push_event(&mut events, event, b))?;
        }
        Ok(events)
    }
}

/// Reads an array of events (the document root), handing each to `each`.
struct EachEventSeed<'c, 'f, 'de> {
    ctx: &'c Ctx,
    each: &'f mut dyn FnMut(Event<'de>),
}

impl<'de> DeserializeSeed<'de> for EachEventSeed<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EachEventSeed<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of rrweb events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let seed = EventSeed { ctx: self.ctx, depth: 2 };
        while let Some(event) = seq.next_element_seed(seed)? {
            (self.each)(event);
        }
        Ok(())
    }
}

/// Reads one event whose map sits at nesting level `depth`.
#[derive(Clone, Copy)]
struct EventSeed<'c> {
    ctx: &'c Ctx,
    depth: usize,
}

impl EventSeed<'_> {
    fn wrong_type<E: de::Error>(&self) -> E {
        self.ctx.fail(event_not_a_map())
    }
}

impl<'de> DeserializeSeed<'de> for EventSeed<'_> {
    type Value = Event<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Event<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EventSeed<'_> {
    type Value = Event<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an rrweb event object")
    }

    refuse_scalars!();

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(self.wrong_type())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event<'de>, A::Error> {
        let ctx = self.ctx;
        ctx.check(check_depth(self.depth))?;
        let child = ValueSeed { ctx, depth: self.depth + 1 };
        let mut fields = EventFields::default();
        while let Some(key) = map.next_key_seed(KeySeed { ctx })? {
            let value = map.next_value_seed(child)?;
            ctx.with_budget(|b| fields.set(key, value, b))?;
        }
        ctx.check(fields.finish())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn first_failure_wins() {
        let ctx =
            Ctx { error: Cell::new(None), budget: RefCell::new(Budget::unlimited()), expected_site: None };
        let _: serde_json::Error = ctx.fail(DecodeError::TrailingBytes);
        let _: serde_json::Error = ctx.malformed("later");
        assert_eq!(ctx.error.take(), Some(DecodeError::TrailingBytes));
        assert_eq!(ctx.error.take(), None);
    }

    #[test]
    fn escaped_strings_are_owned_plain_ones_borrowed() {
        let v = value(br#"{"plain":"a","esc\u0061ped":"b\nc"}"#).unwrap();
        let entries = v.as_map().unwrap();
        assert!(matches!(entries[0].0, Cow::Borrowed("plain")));
        assert!(matches!(entries[0].1, Value::Str(Cow::Borrowed("a"))));
        assert!(matches!(&entries[1].0, Cow::Owned(k) if k == "escaped"));
        assert!(matches!(&entries[1].1, Value::Str(Cow::Owned(s)) if s == "b\nc"));
    }

    #[test]
    fn syntax_errors_keep_their_position() {
        let err = value(b"[1,\n  x]").unwrap_err();
        assert_eq!(err, DecodeError::malformed(Format::Json, "expected value at line 2 column 3"));
    }
}
