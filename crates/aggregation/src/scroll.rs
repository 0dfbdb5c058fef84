//! Scrolling: where the document is scrolled to (needed to place rrweb's
//! viewport-relative clicks on the document) and how deep the visitor got
//! (the scroll-depth histogram of SPEC §6).
//!
//! Three inputs tell the scroll position, all in document CSS px:
//!
//! - a FullSnapshot's `initialOffset` (`{left, top}`): the position when the
//!   snapshot was taken, usually the page load;
//! - rrweb Scroll events (IncrementalSnapshot source 3, `{id, x, y}`) whose
//!   `id` is the document node: the id of the node of the most recent
//!   FullSnapshot in the batch, or 1 (what rrweb gives the document) before
//!   any. Scrolling inside an element (`id` of that element) does not move
//!   the page and is ignored;
//! - `veil.scroll` payloads (`{y, h, vh}`, optionally `x`): the scroll top
//!   `y`, the document height `h` and the viewport height `vh` at that
//!   moment.
//!
//! Until one of them arrives the page is taken to be at the top, which is
//! where a page view starts; a recorder that cuts a batch while scrolled
//! down should send a `veil.scroll` first.
//!
//! Depth reached is the bottom edge of the viewport as a fraction of the
//! document height, `min(1, (top + viewport height) / document height)`.
//! For `veil.scroll` the heights come from the payload; for the snapshot
//! offset and rrweb Scroll events from the batch's `viewport` and
//! `document` sizes, and without a `document` size those give no depth.

use veil_events::Value;

use crate::payload::{InvalidReason, coordinate, number, size};

/// The node id rrweb gives the document when no FullSnapshot says
/// otherwise.
const DEFAULT_DOCUMENT_ID: u64 = 1;

/// The deepest document fraction a page view reached, and its histogram
/// bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScrollDepth {
    fraction: f64,
    bucket: u8,
}

impl ScrollDepth {
    /// Number of 5 % buckets below 100 %; bucket 20 holds exactly 100 %
    /// (the visitor reached the bottom).
    pub const BUCKETS: u8 = 20;

    /// The depth of a fraction, clamped to `0..=1`; `None` for NaN.
    pub fn from_fraction(fraction: f64) -> Option<Self> {
        if fraction.is_nan() {
            return None;
        }
        let fraction = fraction.clamp(0.0, 1.0);
        // In 0..=20 after the clamp, so the cast is exact.
        let bucket = (fraction * f64::from(Self::BUCKETS)).floor() as u8;
        Some(ScrollDepth { fraction, bucket })
    }

    /// Fraction of the document height reached, `0..=1`.
    pub fn fraction(&self) -> f64 {
        self.fraction
    }

    /// `floor(fraction * 20)`, `0..=20`.
    pub fn bucket(&self) -> u8 {
        self.bucket
    }

    /// The bucket's lower bound in percent (`0, 5, …, 100`), the `pct` of
    /// the query API.
    pub fn pct(&self) -> u8 {
        self.bucket * 5
    }
}

/// A scroll position in document CSS px.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Position {
    pub(crate) x: f64,
    pub(crate) y: f64,
}

/// The document's scroll position as the events of a batch move it.
#[derive(Debug, Clone)]
pub(crate) struct DocumentScroll {
    document_id: u64,
    position: Position,
}

impl Default for DocumentScroll {
    fn default() -> Self {
        DocumentScroll { document_id: DEFAULT_DOCUMENT_ID, position: Position::default() }
    }
}

impl DocumentScroll {
    /// The current position.
    pub(crate) fn position(&self) -> Position {
        self.position
    }

    /// Takes the document id and initial offset of a FullSnapshot's
    /// `data`; returns the scroll top if the snapshot had one.
    pub(crate) fn full_snapshot(&mut self, data: &Value<'_>) -> Option<f64> {
        if let Some(id) = data.get("node").and_then(|node| node.get("id")).and_then(Value::as_u64) {
            self.document_id = id;
        }
        let offset = data.get("initialOffset")?;
        // A malformed offset is not a click or a reading: ignore it rather
        // than count it.
        let (left, top) = (coordinate(offset, "left").ok(), coordinate(offset, "top").ok()?);
        self.position = Position { x: left.unwrap_or(0.0), y: top };
        Some(top)
    }

    /// Takes an rrweb Scroll event's `data`; returns the new position if it
    /// scrolled the document.
    pub(crate) fn rrweb_scroll(&mut self, data: &Value<'_>) -> Result<Option<Position>, InvalidReason> {
        if data.get("id").and_then(Value::as_u64) != Some(self.document_id) {
            return Ok(None);
        }
        self.position = Position { x: coordinate(data, "x")?, y: coordinate(data, "y")? };
        Ok(Some(self.position))
    }

    /// Takes a `veil.scroll` reading.
    pub(crate) fn reading(&mut self, reading: &Reading) {
        self.position = Position { x: reading.x.unwrap_or(self.position.x), y: reading.top };
    }
}

/// A valid `veil.scroll` payload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reading {
    /// Scroll left, if sent.
    pub(crate) x: Option<f64>,
    /// Scroll top.
    pub(crate) top: f64,
    /// Depth reached, `0..=1`.
    pub(crate) fraction: f64,
    /// Document height.
    pub(crate) height: f64,
}

/// Reads a `veil.scroll` event's `data`.
pub(crate) fn reading(data: &Value<'_>) -> Result<Reading, InvalidReason> {
    let payload = data.get("payload").filter(|p| p.as_map().is_some()).ok_or(InvalidReason::NoPayload)?;
    let top = coordinate(payload, "y")?;
    let height = size(payload, "h")?;
    let viewport_height = coordinate(payload, "vh")?;
    let x = match number(payload, "x")? {
        Some(_) => Some(coordinate(payload, "x")?),
        None => None,
    };
    Ok(Reading { x, top, fraction: depth(top, viewport_height, height).unwrap_or(1.0), height })
}

/// `min(1, (top + viewport_height) / document_height)`; `None` without a
/// usable document height.
pub(crate) fn depth(top: f64, viewport_height: f64, document_height: f64) -> Option<f64> {
    let valid = document_height.is_finite() && document_height > 0.0;
    valid.then(|| ((top + viewport_height) / document_height).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::map;

    fn veil_scroll(fields: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
        map(vec![("tag", Value::from("veil.scroll")), ("payload", map(fields))])
    }

    #[test]
    fn depth_buckets() {
        let cases = [
            (0.0, 0),
            (0.049, 0),
            (0.05, 1),
            (0.5, 10),
            (0.999, 19),
            (1.0, 20),
            (1.5, 20),
            (-0.2, 0),
            (f64::INFINITY, 20),
        ];
        for (fraction, bucket) in cases {
            let depth = ScrollDepth::from_fraction(fraction);
            assert_eq!(depth.map(|d| d.bucket()), Some(bucket), "{fraction}");
            assert!(depth.is_some_and(|d| (0.0..=1.0).contains(&d.fraction())));
        }
        assert_eq!(ScrollDepth::from_fraction(f64::NAN), None);
        assert_eq!(ScrollDepth::from_fraction(0.73).map(|d| d.pct()), Some(70));
    }

    #[test]
    fn readings_table() {
        let ok = |y: i64, h: i64, vh: i64| {
            veil_scroll(vec![("y", Value::Int(y)), ("h", Value::Int(h)), ("vh", Value::Int(vh))])
        };
        assert_eq!(reading(&ok(0, 4000, 800)).map(|r| r.fraction), Ok(0.2));
        assert_eq!(reading(&ok(1200, 4000, 800)).map(|r| r.fraction), Ok(0.5));
        assert_eq!(reading(&ok(3200, 4000, 800)).map(|r| r.fraction), Ok(1.0));
        assert_eq!(reading(&ok(9000, 4000, 800)).map(|r| r.fraction), Ok(1.0));
        assert_eq!(reading(&ok(0, 500, 800)).map(|r| r.fraction), Ok(1.0));
        assert_eq!(reading(&ok(-1, 4000, 800)), Err(InvalidReason::OutOfRange));
        assert_eq!(reading(&ok(0, 0, 800)), Err(InvalidReason::OutOfRange));
        let floats = veil_scroll(vec![
            ("y", 99.5.into()),
            ("h", 1000.0.into()),
            ("vh", 400.5.into()),
            ("x", Value::Int(3)),
        ]);
        assert_eq!(reading(&floats), Ok(Reading { x: Some(3.0), top: 99.5, fraction: 0.5, height: 1000.0 }));
        let missing = veil_scroll(vec![("y", Value::Int(0)), ("h", Value::Int(10))]);
        assert_eq!(reading(&missing), Err(InvalidReason::MissingField));
        let wrong = veil_scroll(vec![("y", "0".into()), ("h", Value::Int(10)), ("vh", Value::Int(1))]);
        assert_eq!(reading(&wrong), Err(InvalidReason::WrongType));
        assert_eq!(reading(&map(vec![("tag", "veil.scroll".into())])), Err(InvalidReason::NoPayload));
        let not_a_map = map(vec![("payload", Value::Array(vec![]))]);
        assert_eq!(reading(&not_a_map), Err(InvalidReason::NoPayload));
    }

    #[test]
    fn document_scroll_follows_the_document_node() {
        let mut scroll = DocumentScroll::default();
        let on = |id: i64, y: i64| {
            map(vec![("source", Value::Int(3)), ("id", id.into()), ("x", Value::Int(0)), ("y", y.into())])
        };
        assert_eq!(scroll.rrweb_scroll(&on(1, 300)), Ok(Some(Position { x: 0.0, y: 300.0 })));
        assert_eq!(scroll.rrweb_scroll(&on(57, 900)), Ok(None), "an element's scroll");
        assert_eq!(scroll.position().y, 300.0);

        let snapshot = map(vec![
            (
                "node",
                map(vec![
                    ("type", Value::Int(0)),
                    ("id", Value::Int(9)),
                    ("childNodes", Value::Array(vec![])),
                ]),
            ),
            ("initialOffset", map(vec![("left", Value::Int(0)), ("top", Value::Int(120))])),
        ]);
        assert_eq!(scroll.full_snapshot(&snapshot), Some(120.0));
        assert_eq!(scroll.position().y, 120.0);
        assert_eq!(scroll.rrweb_scroll(&on(1, 500)), Ok(None), "the document is node 9 now");
        assert_eq!(scroll.rrweb_scroll(&on(9, 500)), Ok(Some(Position { x: 0.0, y: 500.0 })));

        let bad = map(vec![("source", Value::Int(3)), ("id", Value::Int(9)), ("x", Value::Int(0))]);
        assert_eq!(scroll.rrweb_scroll(&bad), Err(InvalidReason::MissingField));
        assert_eq!(scroll.position().y, 500.0, "a bad event does not move the page");

        scroll.reading(&Reading { x: None, top: 40.0, fraction: 0.1, height: 1000.0 });
        assert_eq!(scroll.position(), Position { x: 0.0, y: 40.0 });
    }

    #[test]
    fn depth_needs_a_document_height() {
        assert_eq!(depth(0.0, 720.0, 1440.0), Some(0.5));
        assert_eq!(depth(0.0, 720.0, 0.0), None);
        assert_eq!(depth(0.0, 720.0, f64::NAN), None);
    }
}
