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
use crate::budget::Budget;
use crate::error::DecodeError;
use crate::event::Event;

pub use crate::envelope::{SessionPage, SessionPageLookup};
use crate::{json, msgpack};

pub use crate::limits::{MAX_DEPTH, MAX_EVENTS};

/// Decodes one batch sent as MessagePack (what the recorder sends),
/// without a memory budget: for input whose size the caller trusts.
pub fn batch_from_msgpack(input: &[u8]) -> Result<Batch<'_>, DecodeError> {
    msgpack::batch(input, &mut Budget::unlimited(), None)?.place(None)
}

/// Decodes one batch sent as JSON, without a memory budget.
pub fn batch_from_json(input: &[u8]) -> Result<Batch<'_>, DecodeError> {
    json::batch(input, &mut Budget::unlimited(), None)?.place(None)
}

/// What decoding untrusted input may spend and must find.
pub struct Bounds<'a> {
    /// Charged for what the decoded tree allocates ([`crate::budget`]);
    /// stays charged until the caller drops it, as the tree does.
    pub budget: &'a mut Budget,
    /// The site the batch must be of (the consent token's): another site
    /// is refused with [`DecodeError::UnexpectedSite`] when its `site`
    /// field is read, before the events that follow it are decoded.
    pub site: Option<&'a str>,
    /// Where the session's earlier batches were: a batch without `page`
    /// or `viewport` and without a Meta event is placed there (SPEC §4
    /// fallback) instead of refused.
    pub session_page: Option<SessionPageLookup<'a>>,
}

/// [`batch_from_msgpack`] within `bounds`: what ingest calls.
pub fn batch_from_msgpack_within<'de>(
    input: &'de [u8],
    bounds: Bounds<'_>,
) -> Result<Batch<'de>, DecodeError> {
    msgpack::batch(input, bounds.budget, bounds.site)?.place(bounds.session_page)
}

/// [`batch_from_json`] within `bounds`.
pub fn batch_from_json_within<'de>(input: &'de [u8], bounds: Bounds<'_>) -> Result<Batch<'de>, DecodeError> {
    json::batch(input, bounds.budget, bounds.site)?.place(bounds.session_page)
}

/// Decodes a bare MessagePack array of rrweb events (no envelope).
pub fn events_from_msgpack(input: &[u8]) -> Result<Vec<Event<'_>>, DecodeError> {
    msgpack::events(input, &mut Budget::unlimited())
}

/// Decodes a bare JSON array of rrweb events (no envelope), e.g. a
/// recording exported from rrweb. To accept "a batch or an array", look at
/// the first non-whitespace byte: `[` is an array, `{` a batch.
pub fn events_from_json(input: &[u8]) -> Result<Vec<Event<'_>>, DecodeError> {
    json::events(input, &mut Budget::unlimited())
}

/// [`events_from_json`] one event at a time: each event is handed to
/// `each` as soon as it is decoded and dropped after, so a long array is
/// never held as one tree (replay reads stored batches with it). The
/// budget is charged for every event read (a budget of one event's size
/// would refuse the second; pass what the whole array may cost).
pub fn each_event_from_json<'de>(
    input: &'de [u8],
    budget: &mut Budget,
    mut each: impl FnMut(Event<'de>),
) -> Result<(), DecodeError> {
    json::each_event(input, budget, &mut each)
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
