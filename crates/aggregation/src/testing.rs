//! Builders for tests: rrweb events and batches without noise.

use std::borrow::Cow;

use veil_events::{Batch, Event, EventType, Page, Size, Value};

/// `{"key": value, …}`.
pub(crate) fn map(entries: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    Value::Map(entries.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)).collect())
}

/// A string value.
pub(crate) fn s(text: impl Into<String>) -> Value<'static> {
    Value::from(text.into())
}

/// A serialised element node (rrweb-snapshot) with its children.
pub(crate) fn element(
    id: i64,
    tag: &str,
    attributes: Vec<(&'static str, &str)>,
    children: Vec<Value<'static>>,
) -> Value<'static> {
    map(vec![
        ("type", Value::Int(2)),
        ("id", Value::Int(id)),
        ("tagName", s(tag)),
        ("attributes", map(attributes.into_iter().map(|(k, v)| (k, s(v))).collect())),
        ("childNodes", Value::Array(children)),
    ])
}

/// A `veil.click` at document (`x`, `y`) on a 1280 × 4100 document in a
/// 1280 × 720 viewport, with extra payload fields (replacing those of the
/// same name).
pub(crate) fn veil_click(
    t: i64,
    x: f64,
    y: f64,
    extra: Vec<(&'static str, Value<'static>)>,
) -> Event<'static> {
    let mut payload = vec![
        ("x", Value::Float(x)),
        ("y", Value::Float(y)),
        ("w", Value::Int(1280)),
        ("h", Value::Int(4100)),
        ("vw", Value::Int(1280)),
        ("vh", Value::Int(720)),
    ];
    for (key, value) in extra {
        payload.retain(|(k, _)| *k != key);
        payload.push((key, value));
    }
    Event::new(EventType::Custom, t, map(vec![("tag", s("veil.click")), ("payload", map(payload))]))
}

/// A `veil.scroll` with scroll top `y` on a document `h` high in a viewport
/// `vh` high.
pub(crate) fn veil_scroll(t: i64, y: i64, h: i64, vh: i64) -> Event<'static> {
    let payload = map(vec![("y", y.into()), ("h", h.into()), ("vh", vh.into())]);
    Event::new(EventType::Custom, t, map(vec![("tag", s("veil.scroll")), ("payload", payload)]))
}

/// An rrweb click on node `id` at viewport (`x`, `y`).
pub(crate) fn rrweb_click(t: i64, id: i64, x: i64, y: i64) -> Event<'static> {
    let data = map(vec![
        ("source", Value::Int(2)),
        ("type", Value::Int(2)),
        ("id", id.into()),
        ("x", x.into()),
        ("y", y.into()),
        ("pointerType", Value::Int(0)),
    ]);
    Event::new(EventType::IncrementalSnapshot, t, data)
}

/// An rrweb scroll of node `id` to (0, `y`).
pub(crate) fn rrweb_scroll(t: i64, id: i64, y: i64) -> Event<'static> {
    let data = map(vec![("source", Value::Int(3)), ("id", id.into()), ("x", Value::Int(0)), ("y", y.into())]);
    Event::new(EventType::IncrementalSnapshot, t, data)
}

/// An rrweb Meta event for `href`.
pub(crate) fn meta(t: i64, href: &str) -> Event<'static> {
    let data = map(vec![("href", s(href)), ("width", Value::Int(1280)), ("height", Value::Int(720))]);
    Event::new(EventType::Meta, t, data)
}

/// A batch of `events` on `url` with a 1280 × 720 viewport and an optional
/// document size.
pub(crate) fn batch(url: &str, document: Option<(u32, u32)>, events: Vec<Event<'static>>) -> Batch<'static> {
    Batch {
        v: 1,
        site: "shop".into(),
        session: "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f".into(),
        seq: 0,
        page: Page { url: Cow::Owned(url.to_string()), title: None, extra: vec![] },
        viewport: Size::new(1280, 720),
        document: document.map(|(w, h)| Size::new(w, h)),
        user: None,
        events,
        extra: vec![],
    }
}
