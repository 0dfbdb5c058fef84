//! MessagePack decoding: a hand-written, non-recursive reader.
//!
//! Why not rmp-serde's `Deserializer`, as JSON uses serde_json: serde
//! decodes nested values by recursion, and rmp-serde's frames are large.
//! Measured on this crate, 509 nested arrays overflow a 2 MiB stack in a
//! debug build (they need 2-4 MiB; 128-256 KiB in release), so the SPEC's
//! 512-level cap would not protect a worker thread in every build. This
//! reader keeps open containers on a heap stack instead: stack use is
//! constant whatever the nesting, and the cap is a plain comparison.
//! MessagePack is simple enough that the reader is also much faster than
//! going through serde (see `benches/decode.rs`), tells `bin` from `str`
//! (rmp-serde hands invalid UTF-8 strings to `visit_bytes`, which would hide
//! text from masking) and sees trailing bytes directly.
//!
//! Strings and byte strings are borrowed from the input, always.

use std::borrow::Cow;

use crate::budget::Budget;
use crate::envelope::{
    BATCH_DEPTH, BatchFields, EVENTS_KEY, EventFields, OpenBatch, batch_not_a_map, check_declared_events,
    event_not_a_map, events_not_an_array, push_event,
};
use crate::error::{DecodeError, Format};
use crate::event::Event;
use crate::limits::{check_depth, has_duplicate_keys, prealloc, with_capacity};
use crate::value::{Entry, Value};

/// Decodes a batch, charging `budget`; refuses a `site` other than
/// `expected_site` as soon as it is read.
pub(crate) fn batch<'de>(
    input: &'de [u8],
    budget: &mut Budget,
    expected_site: Option<&str>,
) -> Result<OpenBatch<'de>, DecodeError> {
    let mut r = Reader::new(input, budget);
    let batch = r.batch(expected_site);
    r.finish(batch)
}

/// Decodes a bare array of events, charging `budget`.
pub(crate) fn events<'de>(input: &'de [u8], budget: &mut Budget) -> Result<Vec<Event<'de>>, DecodeError> {
    let mut r = Reader::new(input, budget);
    let events = r.next().and_then(|head| r.events(head, 1));
    r.finish(events)
}

/// Decodes a bare value (tests probe the depth boundary with it).
#[cfg(test)]
pub(crate) fn value(input: &[u8]) -> Result<Value<'_>, DecodeError> {
    let mut budget = Budget::unlimited();
    let mut r = Reader::new(input, &mut budget);
    let value = r.next().and_then(|head| r.value(head, 1));
    r.finish(value)
}

fn malformed(detail: &'static str) -> DecodeError {
    DecodeError::malformed(Format::MsgPack, detail)
}

fn end_of_input() -> DecodeError {
    malformed("unexpected end of input")
}

/// The start of one encoded item: a scalar in full, or a container's
/// declared length (its elements follow).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Head<'de> {
    Nil,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(&'de str),
    Bin(&'de [u8]),
    Array(usize),
    Map(usize),
}

/// An open container while its elements are being read.
enum Open<'de> {
    Array {
        items: Vec<Value<'de>>,
        left: usize,
    },
    Map {
        entries: Vec<Entry<'de>>,
        left: usize,
        /// The key of the value to read next; `None` while the key itself
        /// is the next item.
        key: Option<Cow<'de, str>>,
    },
}

struct Reader<'de, 'b> {
    input: &'de [u8],
    pos: usize,
    /// Open containers of the value being read; kept between values so
    /// its allocation is reused.
    open: Vec<Open<'de>>,
    /// What the tree may still allocate.
    budget: &'b mut Budget,
}

impl<'de, 'b> Reader<'de, 'b> {
    fn new(input: &'de [u8], budget: &'b mut Budget) -> Self {
        Reader { input, pos: 0, open: Vec::new(), budget }
    }

    /// `result` if it is one and the input ends where it does.
    fn finish<T>(&self, result: Result<T, DecodeError>) -> Result<T, DecodeError> {
        let value = result?;
        if self.pos == self.input.len() { Ok(value) } else { Err(DecodeError::TrailingBytes) }
    }

    #[inline(always)]
    fn take(&mut self, n: usize) -> Result<&'de [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or_else(end_of_input)?;
        let bytes = self.input.get(self.pos..end).ok_or_else(end_of_input)?;
        self.pos = end;
        Ok(bytes)
    }

    #[inline(always)]
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let bytes = self.take(N)?;
        <[u8; N]>::try_from(bytes).map_err(|_| end_of_input())
    }

    #[inline(always)]
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(u8::from_be_bytes(self.array()?))
    }

    #[inline(always)]
    fn u16(&mut self) -> Result<usize, DecodeError> {
        Ok(usize::from(u16::from_be_bytes(self.array()?)))
    }

    #[inline(always)]
    fn u32(&mut self) -> Result<usize, DecodeError> {
        let n = u32::from_be_bytes(self.array()?);
        usize::try_from(n).map_err(|_| malformed("length out of range"))
    }

    #[inline(always)]
    fn str(&mut self, len: usize) -> Result<Head<'de>, DecodeError> {
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).map(Head::Str).map_err(|_| malformed("string is not valid UTF-8"))
    }

    #[inline(always)]
    fn bin(&mut self, len: usize) -> Result<Head<'de>, DecodeError> {
        self.take(len).map(Head::Bin)
    }

    /// Reads the marker and, for scalars, the whole item. Inlined: it is
    /// the inner loop, and returning its result through memory costs more
    /// than decoding it.
    #[inline(always)]
    fn head(&mut self) -> Result<Head<'de>, DecodeError> {
        let marker = self.u8()?;
        Ok(match marker {
            0x00..=0x7f => Head::Int(i64::from(marker)),
            0x80..=0x8f => Head::Map(usize::from(marker & 0x0f)),
            0x90..=0x9f => Head::Array(usize::from(marker & 0x0f)),
            0xa0..=0xbf => self.str(usize::from(marker & 0x1f))?,
            0xc0 => Head::Nil,
            0xc1 => return Err(malformed("reserved marker byte")),
            0xc2 => Head::Bool(false),
            0xc3 => Head::Bool(true),
            0xc4 => {
                let len = self.u8()?;
                self.bin(usize::from(len))?
            }
            0xc5 => {
                let len = self.u16()?;
                self.bin(len)?
            }
            0xc6 => {
                let len = self.u32()?;
                self.bin(len)?
            }
            0xc7..=0xc9 | 0xd4..=0xd8 => {
                return Err(malformed("extension types are not supported"));
            }
            0xca => Head::Float(f64::from(f32::from_be_bytes(self.array()?))),
            0xcb => Head::Float(f64::from_be_bytes(self.array()?)),
            0xcc => Head::Int(i64::from(self.u8()?)),
            0xcd => Head::Int(i64::from(u16::from_be_bytes(self.array()?))),
            0xce => Head::Int(i64::from(u32::from_be_bytes(self.array()?))),
            0xcf => {
                let n = u64::from_be_bytes(self.array()?);
                match i64::try_from(n) {
                    Ok(i) => Head::Int(i),
                    Err(_) => Head::UInt(n),
                }
            }
            0xd0 => Head::Int(i64::from(i8::from_be_bytes(self.array()?))),
            0xd1 => Head::Int(i64::from(i16::from_be_bytes(self.array()?))),
            0xd2 => Head::Int(i64::from(i32::from_be_bytes(self.array()?))),
            0xd3 => Head::Int(i64::from_be_bytes(self.array()?)),
            0xd9 => {
                let len = self.u8()?;
                self.str(usize::from(len))?
            }
            0xda => {
                let len = self.u16()?;
                self.str(len)?
            }
            0xdb => {
                let len = self.u32()?;
                self.str(len)?
            }
            0xdc => Head::Array(self.u16()?),
            0xdd => Head::Array(self.u32()?),
            0xde => Head::Map(self.u16()?),
            0xdf => Head::Map(self.u32()?),
            0xe0..=0xff => Head::Int(i64::from(i8::from_be_bytes([marker]))),
        })
    }

    /// [`Reader::head`] for the envelope readers, which run once per field
    /// rather than once per item: kept out of line so that debug builds do
    /// not pay a large stack frame for each inlined copy.
    #[inline(never)]
    fn next(&mut self) -> Result<Head<'de>, DecodeError> {
        self.head()
    }

    /// Reads an envelope or event key: the model (like JSON and the rrweb
    /// player) allows only strings.
    fn key(&mut self) -> Result<Cow<'de, str>, DecodeError> {
        match self.next()? {
            Head::Str(s) => Ok(Cow::Borrowed(s)),
            _ => Err(malformed("map key is not a string")),
        }
    }

    /// Reads the value that starts with `head`, whose containers start at
    /// nesting level `depth`. Iterative: see the module documentation.
    fn value(&mut self, head: Head<'de>, depth: usize) -> Result<Value<'de>, DecodeError> {
        let mut open = std::mem::take(&mut self.open);
        open.clear();
        let result = self.value_with(&mut open, head, depth);
        self.open = open;
        result
    }

    fn value_with(
        &mut self,
        open: &mut Vec<Open<'de>>,
        first: Head<'de>,
        depth: usize,
    ) -> Result<Value<'de>, DecodeError> {
        let mut pending = Some(first);
        loop {
            // The only call of `head` here: it is inlined, and in debug
            // builds every inlined copy adds to this frame.
            let head = match pending.take() {
                Some(head) => head,
                None => self.head()?,
            };
            // An open map waiting for a key takes this item as the key.
            if let Some(Open::Map { key: slot @ None, .. }) = open.last_mut() {
                let Head::Str(key) = head else {
                    return Err(malformed("map key is not a string"));
                };
                *slot = Some(Cow::Borrowed(key));
                continue;
            }
            // Turn `head` into a finished value, or open a container and go
            // read its first element.
            let mut done = match head {
                Head::Nil => Value::Null,
                Head::Bool(b) => Value::Bool(b),
                Head::Int(n) => Value::Int(n),
                Head::UInt(n) => Value::UInt(n),
                Head::Float(f) => Value::Float(f),
                Head::Str(s) => Value::Str(Cow::Borrowed(s)),
                Head::Bin(b) => Value::Bytes(Cow::Borrowed(b)),
                Head::Array(0) | Head::Map(0) => {
                    check_depth(depth + open.len())?;
                    if head == Head::Array(0) { Value::Array(Vec::new()) } else { Value::Map(Vec::new()) }
                }
                Head::Array(len) => {
                    check_depth(depth + open.len())?;
                    let items = with_capacity(prealloc(Some(len)), self.budget)?;
                    open.push(Open::Array { items, left: len });
                    continue;
                }
                Head::Map(len) => {
                    check_depth(depth + open.len())?;
                    let entries = with_capacity(prealloc(Some(len)), self.budget)?;
                    open.push(Open::Map { entries, left: len, key: None });
                    continue;
                }
            };
            // Hand the finished value to its container; close containers
            // that are now complete, up to one that wants more.
            loop {
                let Some(parent) = open.last_mut() else {
                    return Ok(done);
                };
                match parent {
                    Open::Array { items, left } => {
                        let before = items.capacity();
                        items.push(done);
                        self.budget.charge_growth(before, items)?;
                        *left -= 1;
                    }
                    Open::Map { entries, left, key } => {
                        // A value is only read after its key (see above),
                        // so `key` is always set here.
                        let before = entries.capacity();
                        entries.push((key.take().unwrap_or_default(), done));
                        self.budget.charge_growth(before, entries)?;
                        *left -= 1;
                    }
                }
                let (Open::Array { left, .. } | Open::Map { left, .. }) = parent;
                if *left > 0 {
                    break;
                }
                done = match open.pop() {
                    Some(Open::Array { items, .. }) => Value::Array(items),
                    Some(Open::Map { entries, .. }) => {
                        if has_duplicate_keys(&entries) {
                            return Err(malformed("duplicate map key"));
                        }
                        Value::Map(entries)
                    }
                    // `last_mut` just found a parent.
                    None => return Err(malformed("unbalanced containers")),
                };
            }
        }
    }

    fn batch(&mut self, expected_site: Option<&str>) -> Result<OpenBatch<'de>, DecodeError> {
        let Head::Map(len) = self.next()? else {
            return Err(batch_not_a_map());
        };
        let mut fields = BatchFields::expecting(expected_site);
        for _ in 0..len {
            let key = self.key()?;
            let head = self.next()?;
            if key == EVENTS_KEY {
                let events = self.events(head, BATCH_DEPTH + 1)?;
                fields.set_events(events)?;
            } else {
                let value = self.value(head, BATCH_DEPTH + 1)?;
                fields.set(key, value, self.budget)?;
            }
        }
        fields.finish()
    }

    /// Reads an event array that starts with `head` at nesting level
    /// `depth`.
    fn events(&mut self, head: Head<'de>, depth: usize) -> Result<Vec<Event<'de>>, DecodeError> {
        let Head::Array(len) = head else {
            return Err(events_not_an_array());
        };
        check_depth(depth)?;
        check_declared_events(Some(len))?;
        let mut events = with_capacity(prealloc(Some(len)), self.budget)?;
        for _ in 0..len {
            let event = self.event(depth + 1)?;
            push_event(&mut events, event, self.budget)?;
        }
        Ok(events)
    }

    fn event(&mut self, depth: usize) -> Result<Event<'de>, DecodeError> {
        let Head::Map(len) = self.next()? else {
            return Err(event_not_a_map());
        };
        check_depth(depth)?;
        let mut fields = EventFields::default();
        for _ in 0..len {
            let key = self.key()?;
            let head = self.next()?;
            let value = self.value(head, depth + 1)?;
            fields.set(key, value, self.budget)?;
        }
        fields.finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Every marker family decodes like rmp-serde encodes it.
    #[test]
    fn reads_what_rmp_serde_writes() {
        let original = Value::Array(vec![
            Value::Null,
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(0),
            Value::Int(127),
            Value::Int(128),
            Value::Int(65_536),
            Value::Int(i64::from(u32::MAX) + 1),
            Value::Int(-1),
            Value::Int(-33),
            Value::Int(-129),
            Value::Int(-32_769),
            Value::Int(i64::MIN),
            Value::Int(i64::MAX),
            Value::UInt(u64::MAX),
            Value::Float(0.1),
            Value::Float(f64::INFINITY),
            Value::Str("".into()),
            Value::Str("x".repeat(31).into()),
            Value::Str("y".repeat(32).into()),
            Value::Str("z".repeat(300).into()),
            Value::Str("w".repeat(70_000).into()),
            Value::Bytes(Cow::Owned(vec![1; 300])),
            Value::Bytes(Cow::Owned(vec![2; 70_000])),
            Value::Array(vec![Value::Int(1); 20]),
            Value::Array(vec![Value::Int(1); 70_000]),
            Value::Map((0..20).map(|i| (Cow::Owned(format!("k{i}")), Value::Int(i))).collect()),
            Value::Map(vec![]),
            Value::Array(vec![]),
        ]);
        let packed = rmp_serde::to_vec_named(&original).unwrap();
        assert_eq!(value(&packed).unwrap(), original);
    }

    #[test]
    fn float32_widens() {
        // float32 1.5
        assert_eq!(value(&[0xca, 0x3f, 0xc0, 0, 0]).unwrap(), Value::Float(1.5));
    }

    #[test]
    fn strings_and_bytes_borrow() {
        let input = [0x92, 0xa2, b'h', b'i', 0xc4, 0x01, 0x07];
        let v = value(&input).unwrap();
        assert!(matches!(
            v.as_array(),
            Some([Value::Str(Cow::Borrowed("hi")), Value::Bytes(Cow::Borrowed([7]))])
        ));
    }

    #[test]
    fn lengths_beyond_the_input_fail_cleanly() {
        for input in [
            &[0xdb, 0xff, 0xff, 0xff, 0xff, b'a'][..],
            &[0xc6, 0xff, 0xff, 0xff, 0xff],
            &[0xdf, 0xff, 0xff, 0xff, 0xff],
            &[0x92, 0x01],
            &[0xcb, 0x00],
            &[0xd9],
        ] {
            assert_eq!(value(input), Err(end_of_input()), "{input:?}");
        }
    }
}
