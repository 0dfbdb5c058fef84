//! The only way into the model for untrusted bytes.
//!
//! Four entry points: a batch or a bare array of events, from MessagePack or
//! JSON. Each borrows strings from `input` where the codec allows (always
//! for MessagePack; for JSON, strings without escapes), caps nesting at
//! [`MAX_DEPTH`] levels counted from the document root and the event count
//! at [`MAX_EVENTS`], validates the envelope, refuses duplicate map keys and
//! refuses trailing bytes. Errors never quote the input.
//!
//! Stack use is bounded in every build: the MessagePack reader is not
//! recursive at all, and JSON recursion stops at [`MAX_DEPTH`]. Tests run
//! hostile inputs on a 2 MiB thread (the size of tokio and actix worker
//! stacks) to keep that claim honest.
//!
//! Calling `rmp_serde::from_slice` or `serde_json::from_slice` directly would
//! skip all of this, which is why the workspace `clippy.toml` bans them.

use crate::batch::Batch;
use crate::error::DecodeError;
use crate::event::Event;
use crate::{json, msgpack};

pub use crate::limits::{MAX_DEPTH, MAX_EVENTS};

/// Decodes one batch sent as MessagePack (what the recorder sends).
pub fn batch_from_msgpack(input: &[u8]) -> Result<Batch<'_>, DecodeError> {
    msgpack::batch(input)
}

/// Decodes one batch sent as JSON.
pub fn batch_from_json(input: &[u8]) -> Result<Batch<'_>, DecodeError> {
    json::batch(input)
}

/// Decodes a bare MessagePack array of rrweb events (no envelope).
pub fn events_from_msgpack(input: &[u8]) -> Result<Vec<Event<'_>>, DecodeError> {
    msgpack::events(input)
}

/// Decodes a bare JSON array of rrweb events (no envelope), e.g. a
/// recording exported from rrweb. To accept "a batch or an array", look at
/// the first non-whitespace byte: `[` is an array, `{` a batch.
pub fn events_from_json(input: &[u8]) -> Result<Vec<Event<'_>>, DecodeError> {
    json::events(input)
}

/// Bare-value decoding for tests that probe the model without an envelope.
#[cfg(test)]
pub(crate) mod value {
    pub(crate) use crate::json::value as from_json;
    pub(crate) use crate::msgpack::value as from_msgpack;
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
