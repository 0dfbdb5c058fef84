//! The batch envelope (SPEC §4): what one ingest request carries.

use std::borrow::Cow;

use crate::event::Event;
use crate::value::{Entry, owned_entries};

/// The only envelope version this crate reads and writes.
pub const BATCH_VERSION: u32 = 1;

/// One batch of events from one page view of one session.
///
/// Decoded batches are validated: `v` is [`BATCH_VERSION`], `site` and
/// `session` have the shapes of [`crate::ids`], and there are at most
/// [`crate::decode::MAX_EVENTS`] events. Fields this version does not know
/// are kept in `extra` so a newer recorder's additions pass through.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch<'a> {
    /// Envelope version, always [`BATCH_VERSION`] after decoding.
    pub v: u32,
    /// Site id (`[a-z0-9_-]{1,64}`).
    pub site: Cow<'a, str>,
    /// Session id chosen by the recorder (UUID or 16..64 of `[A-Za-z0-9-]`).
    pub session: Cow<'a, str>,
    /// Position of this batch within the session, for ordering and
    /// de-duplicating retried sends.
    pub seq: u64,
    /// The page the events happened on.
    pub page: Page<'a>,
    /// Viewport size in CSS px when the batch was cut.
    pub viewport: Size<'a>,
    /// Document size in CSS px, if the recorder measured it.
    pub document: Option<Size<'a>>,
    /// The site's own user id (`veil.identify`), raw as sent. The server
    /// must store only a keyed hash of it (SPEC §7); it is carried here so
    /// that hashing happens in one place downstream.
    pub user: Option<Cow<'a, str>>,
    /// The rrweb events, in recording order.
    pub events: Vec<Event<'a>>,
    /// Unknown top-level fields, in input order.
    pub extra: Vec<Entry<'a>>,
}

/// `page` of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<'a> {
    /// Full URL as the browser saw it; masking scans it for PII.
    pub url: Cow<'a, str>,
    /// `document.title`, if sent (`null` reads as absent).
    pub title: Option<Cow<'a, str>>,
    /// Unknown fields, in input order.
    pub extra: Vec<Entry<'a>>,
}

/// A width and height in CSS px (`viewport`, `document`).
#[derive(Debug, Clone, PartialEq)]
pub struct Size<'a> {
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
    /// Unknown fields, in input order.
    pub extra: Vec<Entry<'a>>,
}

impl Size<'_> {
    /// A size without extra fields.
    pub fn new(w: u32, h: u32) -> Self {
        Size { w, h, extra: Vec::new() }
    }

    /// A copy that owns all its data.
    pub fn into_owned(self) -> Size<'static> {
        Size { w: self.w, h: self.h, extra: owned_entries(self.extra) }
    }
}

impl Page<'_> {
    /// A copy that owns all its data.
    pub fn into_owned(self) -> Page<'static> {
        Page {
            url: Cow::Owned(self.url.into_owned()),
            title: self.title.map(|t| Cow::Owned(t.into_owned())),
            extra: owned_entries(self.extra),
        }
    }
}

impl Batch<'_> {
    /// A copy that owns all its data, for keeping a batch after the request
    /// buffer is gone (e.g. in a queue).
    pub fn into_owned(self) -> Batch<'static> {
        Batch {
            v: self.v,
            site: Cow::Owned(self.site.into_owned()),
            session: Cow::Owned(self.session.into_owned()),
            seq: self.seq,
            page: self.page.into_owned(),
            viewport: self.viewport.into_owned(),
            document: self.document.map(Size::into_owned),
            user: self.user.map(|u| Cow::Owned(u.into_owned())),
            events: self.events.into_iter().map(Event::into_owned).collect(),
            extra: owned_entries(self.extra),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::EventType;
    use crate::value::Value;

    #[test]
    fn into_owned_detaches_from_the_buffer() {
        let buffer = String::from("shop session-0123456789 https://shop.example/");
        let mut parts = buffer.split(' ');
        let (site, session, url) = (parts.next(), parts.next(), parts.next());
        let batch = Batch {
            v: BATCH_VERSION,
            site: Cow::Borrowed(site.unwrap_or_default()),
            session: Cow::Borrowed(session.unwrap_or_default()),
            seq: 3,
            page: Page { url: Cow::Borrowed(url.unwrap_or_default()), title: None, extra: vec![] },
            viewport: Size::new(1280, 720),
            document: Some(Size::new(1280, 4100)),
            user: None,
            events: vec![Event::new(EventType::Load, 5, Value::Map(vec![]))],
            extra: vec![(Cow::Borrowed("x"), Value::from(site.unwrap_or_default()))],
        };
        let expected = batch.clone();
        let owned: Batch<'static> = batch.into_owned();
        assert_eq!(owned, expected);
        drop(expected);
        drop(buffer);
        assert_eq!(owned.site, "shop");
        assert_eq!(owned.page.url, "https://shop.example/");
    }
}
