//! What makes a valid envelope and a valid event, independent of the codec.
//!
//! Both codec readers walk the maps themselves and hand each field to
//! [`BatchFields`] or [`EventFields`] as soon as it is read, so a bad `v`,
//! `site` or `session` is refused the moment it appears, the event count is
//! checked before more events are decoded, and no temporary map is built
//! per event. Fields are accepted in any order; unknown ones are kept.

use std::borrow::Cow;

use crate::batch::{BATCH_VERSION, Batch, Page, Size};
use crate::budget::Budget;
use crate::error::DecodeError;
use crate::event::Event;
use crate::ids::{is_valid_session_id, is_valid_site_id};
use crate::kinds::{EventType, IncrementalSource};
use crate::limits::{MAX_EVENTS, has_duplicate_keys, push};
use crate::value::{Entry, Value};

/// Nesting level of the batch map: the document root.
pub(crate) const BATCH_DEPTH: usize = 1;

/// The key whose value codecs read as an event array, not a [`Value`].
pub(crate) const EVENTS_KEY: &str = "events";

fn invalid(field: &'static str, reason: &'static str) -> DecodeError {
    DecodeError::field(field, reason)
}

/// Refuses a second occurrence of a known field.
fn set_once<T>(slot: &mut Option<T>, value: T, field: &'static str) -> Result<(), DecodeError> {
    if slot.is_some() {
        return Err(invalid(field, "duplicate key"));
    }
    *slot = Some(value);
    Ok(())
}

fn string<'de>(value: Value<'de>, field: &'static str) -> Result<Cow<'de, str>, DecodeError> {
    match value {
        Value::Str(s) => Ok(s),
        _ => Err(invalid(field, "must be a string")),
    }
}

/// An optional string; `null` reads as absent.
fn optional_string<'de>(
    value: Value<'de>,
    field: &'static str,
) -> Result<Option<Cow<'de, str>>, DecodeError> {
    match value {
        Value::Null => Ok(None),
        other => string(other, field).map(Some),
    }
}

fn unsigned(value: &Value<'_>, field: &'static str) -> Result<u64, DecodeError> {
    value.as_u64().ok_or(invalid(field, "must be a non-negative integer"))
}

fn version(value: &Value<'_>) -> Result<u32, DecodeError> {
    match unsigned(value, "v")? {
        1 => Ok(BATCH_VERSION),
        other => Err(DecodeError::UnsupportedVersion(other)),
    }
}

fn site(value: Value<'_>) -> Result<Cow<'_, str>, DecodeError> {
    let site = string(value, "site")?;
    if !is_valid_site_id(&site) {
        return Err(invalid("site", "must be 1-64 characters of [a-z0-9_-]"));
    }
    Ok(site)
}

fn session(value: Value<'_>) -> Result<Cow<'_, str>, DecodeError> {
    let session = string(value, "session")?;
    if !is_valid_session_id(&session) {
        return Err(invalid("session", "must be a UUID or 16-64 characters of [A-Za-z0-9-]"));
    }
    Ok(session)
}

/// Removes the entry under `key` from a decoded map. Known fields are
/// taken out of the map's own vector, which then holds the extra fields:
/// copying them into a new one would hold the map twice, uncharged.
fn take<'de>(entries: &mut Vec<Entry<'de>>, key: &str) -> Option<Value<'de>> {
    let position = entries.iter().position(|(k, _)| k == key)?;
    Some(entries.remove(position).1)
}

fn page(value: Value<'_>) -> Result<Page<'_>, DecodeError> {
    let Value::Map(mut extra) = value else {
        return Err(invalid("page", "must be a map"));
    };
    let url = take(&mut extra, "url").map(|v| string(v, "page.url")).transpose()?;
    let title = take(&mut extra, "title").map(|v| optional_string(v, "page.title")).transpose()?.flatten();
    Ok(Page { url: url.ok_or(invalid("page.url", "missing"))?, title, extra })
}

/// Field names of one [`Size`] for error messages.
struct SizeFields {
    map: &'static str,
    w: &'static str,
    h: &'static str,
}

const VIEWPORT: SizeFields = SizeFields { map: "viewport", w: "viewport.w", h: "viewport.h" };
const DOCUMENT: SizeFields = SizeFields { map: "document", w: "document.w", h: "document.h" };

fn size<'de>(value: Value<'de>, names: &SizeFields) -> Result<Size<'de>, DecodeError> {
    let Value::Map(mut extra) = value else {
        return Err(invalid(names.map, "must be a map"));
    };
    let w = take(&mut extra, "w").map(|v| pixels(&v, names.w)).transpose()?;
    let h = take(&mut extra, "h").map(|v| pixels(&v, names.h)).transpose()?;
    Ok(Size { w: w.ok_or(invalid(names.w, "missing"))?, h: h.ok_or(invalid(names.h, "missing"))?, extra })
}

/// A size in CSS pixels. Browsers report fractional sizes under zoom or
/// on high-density screens (`visualViewport.width` = 1280.5), so a finite
/// non-negative float is accepted and rounded; the envelope's sizes are
/// read, never stored as sent.
fn pixels(value: &Value<'_>, field: &'static str) -> Result<u32, DecodeError> {
    match value {
        Value::Float(f) if f.is_finite() && *f >= 0.0 && *f <= f64::from(u32::MAX) => Ok(f.round() as u32),
        Value::Float(_) => Err(invalid(field, "out of range")),
        other => u32::try_from(unsigned(other, field)?).map_err(|_| invalid(field, "out of range")),
    }
}

/// The envelope's fields while its map is being read.
#[derive(Default)]
pub(crate) struct BatchFields<'de, 's> {
    /// The site the caller requires, checked when `site` is read.
    expected_site: Option<&'s str>,
    v: Option<u32>,
    site: Option<Cow<'de, str>>,
    session: Option<Cow<'de, str>>,
    seq: Option<u64>,
    page: Option<Page<'de>>,
    viewport: Option<Size<'de>>,
    document: Option<Size<'de>>,
    user: Option<Option<Cow<'de, str>>>,
    events: Option<Vec<Event<'de>>>,
    extra: Vec<Entry<'de>>,
}

impl<'de, 's> BatchFields<'de, 's> {
    /// Fields of a batch that must be of `site`, when given: a body for
    /// another site is refused at its `site` field, before its events are
    /// decoded (the recorder writes `site` first).
    pub(crate) fn expecting(site: Option<&'s str>) -> Self {
        BatchFields { expected_site: site, ..BatchFields::default() }
    }

    /// Accepts the field `key` (anything but [`EVENTS_KEY`]).
    pub(crate) fn set(
        &mut self,
        key: Cow<'de, str>,
        value: Value<'de>,
        budget: &mut Budget,
    ) -> Result<(), DecodeError> {
        match &*key {
            "v" => set_once(&mut self.v, version(&value)?, "v"),
            "site" => {
                let site = site(value)?;
                if self.expected_site.is_some_and(|expected| expected != site) {
                    return Err(DecodeError::UnexpectedSite);
                }
                set_once(&mut self.site, site, "site")
            }
            "session" => set_once(&mut self.session, session(value)?, "session"),
            "seq" => set_once(&mut self.seq, unsigned(&value, "seq")?, "seq"),
            "page" => set_once(&mut self.page, page(value)?, "page"),
            "viewport" => set_once(&mut self.viewport, size(value, &VIEWPORT)?, "viewport"),
            "document" => set_once(&mut self.document, size(value, &DOCUMENT)?, "document"),
            "user" => set_once(&mut self.user, optional_string(value, "user")?, "user"),
            EVENTS_KEY => Err(invalid("events", "must be an array")),
            _ => push(&mut self.extra, (key, value), budget),
        }
    }

    /// Accepts the events array.
    pub(crate) fn set_events(&mut self, events: Vec<Event<'de>>) -> Result<(), DecodeError> {
        set_once(&mut self.events, events, "events")
    }

    /// The batch, once every required field was seen; its page and
    /// viewport may still be missing ([`OpenBatch::place`]).
    pub(crate) fn finish(self) -> Result<OpenBatch<'de>, DecodeError> {
        if has_duplicate_keys(&self.extra) {
            return Err(invalid("batch", "duplicate key"));
        }
        Ok(OpenBatch {
            batch: Batch {
                v: self.v.ok_or(invalid("v", "missing"))?,
                site: self.site.ok_or(invalid("site", "missing"))?,
                session: self.session.ok_or(invalid("session", "missing"))?,
                seq: self.seq.ok_or(invalid("seq", "missing"))?,
                page: Page { url: Cow::Borrowed(""), title: None, extra: Vec::new() },
                viewport: Size::new(0, 0),
                document: self.document,
                user: self.user.flatten(),
                events: self.events.ok_or(invalid("events", "missing"))?,
                extra: self.extra,
            },
            page: self.page,
            viewport: self.viewport,
        })
    }
}

/// A decoded batch whose `page` and `viewport` were perhaps not sent.
pub(crate) struct OpenBatch<'de> {
    /// Everything else; its page and viewport are placeholders until placed.
    batch: Batch<'de>,
    page: Option<Page<'de>>,
    viewport: Option<Size<'de>>,
}

impl<'de> OpenBatch<'de> {
    /// The batch, its page and viewport taken, in this order, from the
    /// envelope, from the batch's own Meta event (a stock rrweb
    /// integration sends bare events), or from the session's earlier
    /// batches (`earlier`: rrweb sends one Meta per page load, so later
    /// batches of the page have none); SPEC §4 fallback.
    pub(crate) fn place(self, earlier: Option<SessionPageLookup<'_>>) -> Result<Batch<'de>, DecodeError> {
        let OpenBatch { mut batch, page, viewport } = self;
        let meta = batch.events.iter().find(|event| event.kind == EventType::Meta).map(|event| &event.data);
        let page = page.or_else(|| {
            let href = meta?.get("href")?.as_str().filter(|href| !href.is_empty())?;
            Some(Page { url: Cow::Owned(href.to_owned()), title: None, extra: Vec::new() })
        });
        let viewport = viewport.or_else(|| {
            let data = meta?;
            let side = |name| data.get(name).and_then(Value::as_u64).and_then(|v| u32::try_from(v).ok());
            Some(Size::new(side("width")?, side("height")?))
        });
        let known = match (&page, &viewport, earlier) {
            (Some(_), Some(_), _) | (_, _, None) => None,
            (_, _, Some(lookup)) => lookup(&batch.site, &batch.session),
        };
        let page = page
            .or_else(|| {
                let known = known.as_ref()?;
                Some(Page { url: Cow::Owned(known.url.clone()), title: None, extra: Vec::new() })
            })
            .ok_or(invalid(
                "page",
                "missing; the batch has no Meta event with an href and the session no earlier page",
            ))?;
        let viewport = viewport
            .or_else(|| known.as_ref().map(|known| Size::new(known.viewport.0, known.viewport.1)))
            .ok_or(invalid(
                "viewport",
                "missing; the batch has no Meta event with a width and height and the session no earlier viewport",
            ))?;
        batch.page = page;
        batch.viewport = viewport;
        Ok(batch)
    }
}

/// Where a session's batches so far were: what a later batch that sends
/// neither `page` nor `viewport`, nor a Meta event, is placed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPage {
    /// The page URL (as stored: after masking).
    pub url: String,
    /// The viewport in CSS px, as last resized.
    pub viewport: (u32, u32),
}

impl SessionPage {
    /// Where `batch` leaves its session: its page, and its viewport after
    /// the batch's last ViewportResize event.
    pub fn after(batch: &Batch<'_>) -> SessionPage {
        let resized = batch
            .events
            .iter()
            .rev()
            .filter(|e| e.source() == Some(IncrementalSource::ViewportResize))
            .find_map(|event| {
                let side =
                    |name| event.data.get(name).and_then(Value::as_u64).and_then(|v| u32::try_from(v).ok());
                Some((side("width")?, side("height")?))
            });
        SessionPage {
            url: batch.page.url.clone().into_owned(),
            viewport: resized.unwrap_or((batch.viewport.w, batch.viewport.h)),
        }
    }

    /// Memory it holds, roughly.
    pub fn approx_bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.url.len()
    }
}

/// Finds a session's [`SessionPage`] by site and session id.
pub type SessionPageLookup<'a> = &'a dyn Fn(&str, &str) -> Option<SessionPage>;

/// Refuses an event array whose declared length is already over the limit
/// (MessagePack states it up front).
pub(crate) fn check_declared_events(len: Option<usize>) -> Result<(), DecodeError> {
    match len {
        Some(n) if n > MAX_EVENTS => Err(DecodeError::TooManyEvents { limit: MAX_EVENTS }),
        _ => Ok(()),
    }
}

/// Appends an event unless the array is already full.
pub(crate) fn push_event<'de>(
    events: &mut Vec<Event<'de>>,
    event: Event<'de>,
    budget: &mut Budget,
) -> Result<(), DecodeError> {
    if events.len() >= MAX_EVENTS {
        return Err(DecodeError::TooManyEvents { limit: MAX_EVENTS });
    }
    push(events, event, budget)
}

/// An event's timestamp as sent.
enum Timestamp {
    Millis(i64),
    Float(f64),
}

fn timestamp(value: &Value<'_>) -> Result<Timestamp, DecodeError> {
    match *value {
        Value::Int(n) => Ok(Timestamp::Millis(n)),
        Value::Float(f) => Ok(Timestamp::Float(f)),
        Value::UInt(_) => Err(invalid("event.timestamp", "out of range")),
        _ => Err(invalid("event.timestamp", "must be a number")),
    }
}

/// One event's fields while its map is being read.
#[derive(Default)]
pub(crate) struct EventFields<'de> {
    kind: Option<EventType>,
    timestamp: Option<Timestamp>,
    data: Option<Value<'de>>,
    extra: Vec<Entry<'de>>,
}

impl<'de> EventFields<'de> {
    /// Accepts the field `key`.
    pub(crate) fn set(
        &mut self,
        key: Cow<'de, str>,
        value: Value<'de>,
        budget: &mut Budget,
    ) -> Result<(), DecodeError> {
        match &*key {
            "type" => {
                let kind = EventType::from_u64(unsigned(&value, "event.type")?);
                set_once(&mut self.kind, kind, "event.type")
            }
            "timestamp" => set_once(&mut self.timestamp, timestamp(&value)?, "event.timestamp"),
            "data" => set_once(&mut self.data, value, "event.data"),
            _ => push(&mut self.extra, (key, value), budget),
        }
    }

    /// The event, once `type`, `timestamp` and `data` were seen.
    pub(crate) fn finish(self) -> Result<Event<'de>, DecodeError> {
        if has_duplicate_keys(&self.extra) {
            return Err(invalid("event", "duplicate key"));
        }
        let kind = self.kind.ok_or(invalid("event.type", "missing"))?;
        let data = self.data.ok_or(invalid("event.data", "missing"))?;
        let mut event = match self.timestamp.ok_or(invalid("event.timestamp", "missing"))? {
            Timestamp::Millis(ms) => Event::new(kind, ms, data),
            Timestamp::Float(f) => Event::with_float_timestamp(kind, f, data)
                .ok_or(invalid("event.timestamp", "out of range"))?,
        };
        event.extra = self.extra;
        Ok(event)
    }
}

/// The error for a batch root that is not a map.
pub(crate) fn batch_not_a_map() -> DecodeError {
    invalid("batch", "must be a map")
}

/// The error for an `events` value (or bare document) that is not an array.
pub(crate) fn events_not_an_array() -> DecodeError {
    invalid("events", "must be an array")
}

/// The error for an event that is not a map.
pub(crate) fn event_not_a_map() -> DecodeError {
    invalid("event", "must be a map")
}

#[cfg(test)]
#[path = "envelope_tests.rs"]
mod tests;
