//! One rrweb event and the cheap questions the server asks of it.

use crate::kinds::{EventType, IncrementalSource, MouseInteraction};
use crate::value::{Entry, Value, owned_entries};

/// `data.tag` of the custom event that carries one click for heatmaps.
pub const TAG_CLICK: &str = "veil.click";
/// `data.tag` of the custom event that carries scroll depth for heatmaps.
pub const TAG_SCROLL: &str = "veil.scroll";
/// `data.tag` of the custom event that carries one form interaction (a
/// field left, a submit, an abandonment) for form analytics; never a value.
pub const TAG_FORM: &str = "veil.form";

/// The consent purpose (SPEC §1) an event needs before it may be kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Replay data: snapshots, mutations, inputs, pointer movement, …
    Recording,
    /// Heatmap input: clicks and scroll depth.
    Heatmaps,
}

impl Purpose {
    /// The name used in tokens, config and the consent API.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Recording => "recording",
            Purpose::Heatmaps => "heatmaps",
        }
    }
}

/// One rrweb event (`{type, data, timestamp}`).
///
/// `data` stays a generic [`Value`]: its shape depends on `type` and
/// `data.source` and grows with every rrweb release, and the server only
/// needs to read a few fields and rewrite strings.
#[derive(Debug, Clone, PartialEq)]
pub struct Event<'a> {
    /// rrweb's `type`.
    pub kind: EventType,
    /// Milliseconds since the epoch. Sent as a float by some recorders
    /// (`performance.now()` based); this is then its floor, and the float is
    /// kept so the event re-encodes as sent.
    pub timestamp: i64,
    /// The float as sent, if it was one. Written back only while
    /// `timestamp` still equals its floor, so changing `timestamp` wins.
    timestamp_float: Option<f64>,
    /// rrweb's `data`.
    pub data: Value<'a>,
    /// Fields other than `type`, `data` and `timestamp` (e.g. the player's
    /// `delay`), in input order, re-encoded as they came.
    pub extra: Vec<Entry<'a>>,
}

impl<'a> Event<'a> {
    /// An event with an integer timestamp and no extra fields.
    pub fn new(kind: EventType, timestamp: i64, data: Value<'a>) -> Self {
        Event { kind, timestamp, timestamp_float: None, data, extra: Vec::new() }
    }

    /// An event whose timestamp was sent as a float; `None` if the float is
    /// not finite or outside the `i64` millisecond range.
    pub fn with_float_timestamp(kind: EventType, timestamp: f64, data: Value<'a>) -> Option<Self> {
        let floor = timestamp.floor();
        // `i64::MIN as f64` is exact; `i64::MAX as f64` rounds up to 2^63,
        // which is already out of range, hence `<`.
        if !(floor >= i64::MIN as f64 && floor < i64::MAX as f64) {
            return None;
        }
        Some(Event {
            kind,
            timestamp: floor as i64,
            timestamp_float: Some(timestamp),
            data,
            extra: Vec::new(),
        })
    }

    /// The timestamp as it is written: the original float if there was one
    /// and `timestamp` was not changed since, else the integer.
    pub fn timestamp_value(&self) -> Value<'static> {
        match self.timestamp_float {
            Some(f) if f.floor() as i64 == self.timestamp => Value::Float(f),
            _ => Value::Int(self.timestamp),
        }
    }

    /// `data.source` of an incremental snapshot; `None` for other kinds or
    /// when it is missing or not a non-negative integer.
    pub fn source(&self) -> Option<IncrementalSource> {
        if self.kind != EventType::IncrementalSnapshot {
            return None;
        }
        self.data.get("source").and_then(Value::as_u64).map(IncrementalSource::from_u64)
    }

    /// `data.type` of a mouse-interaction event (click, focus, touch, …).
    pub fn mouse_interaction(&self) -> Option<MouseInteraction> {
        if self.source() != Some(IncrementalSource::MouseInteraction) {
            return None;
        }
        self.data.get("type").and_then(Value::as_u64).map(MouseInteraction::from_u64)
    }

    /// `data.tag` of a custom event.
    pub fn custom_tag(&self) -> Option<&str> {
        if self.kind != EventType::Custom {
            return None;
        }
        self.data.get("tag").and_then(Value::as_str)
    }

    /// The consent purpose this event needs.
    ///
    /// The rule: custom events tagged [`TAG_CLICK`], [`TAG_SCROLL`] or
    /// [`TAG_FORM`] are heatmap (aggregate analytics) input and need
    /// [`Purpose::Heatmaps`]; every other event needs
    /// [`Purpose::Recording`]. That includes rrweb's own MouseInteraction
    /// clicks: they belong to the replay stream (they carry node ids into a
    /// recorded DOM), so a visitor who granted only heatmaps never has them
    /// stored. Aggregation may derive heatmap clicks from MouseInteraction
    /// events only for batches without `veil.click` events and only when
    /// recording was also granted (SPEC §4); that is the aggregator's rule,
    /// not this one.
    pub fn purpose_class(&self) -> Purpose {
        match self.custom_tag() {
            Some(TAG_CLICK | TAG_SCROLL | TAG_FORM) => Purpose::Heatmaps,
            _ => Purpose::Recording,
        }
    }

    /// A copy that owns all its data.
    pub fn into_owned(self) -> Event<'static> {
        Event {
            kind: self.kind,
            timestamp: self.timestamp,
            timestamp_float: self.timestamp_float,
            data: self.data.into_owned(),
            extra: owned_entries(self.extra),
        }
    }
}

/// Builds `{"key": value, …}` maps in tests without noise.
#[cfg(test)]
pub(crate) fn map<'a>(entries: impl IntoIterator<Item = (&'a str, Value<'a>)>) -> Value<'a> {
    Value::Map(entries.into_iter().map(|(k, v)| (std::borrow::Cow::Borrowed(k), v)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(tag: &str) -> Event<'_> {
        Event::new(EventType::Custom, 1, map([("tag", Value::from(tag)), ("payload", map([]))]))
    }

    fn incremental(source: i64, extra: Vec<(&'static str, Value<'static>)>) -> Event<'static> {
        let mut fields = vec![("source", Value::Int(source))];
        fields.extend(extra);
        Event::new(EventType::IncrementalSnapshot, 1, map(fields))
    }

    #[test]
    fn purpose_table() {
        let cases: Vec<(Event<'_>, Purpose)> = vec![
            (custom("veil.click"), Purpose::Heatmaps),
            (custom("veil.scroll"), Purpose::Heatmaps),
            (custom("veil.identify"), Purpose::Recording),
            (custom("VEIL.CLICK"), Purpose::Recording),
            (incremental(2, vec![("type", Value::Int(2))]), Purpose::Recording),
            (incremental(1, vec![]), Purpose::Recording),
            (Event::new(EventType::FullSnapshot, 1, map([])), Purpose::Recording),
            (Event::new(EventType::Meta, 1, map([("tag", "veil.click".into())])), Purpose::Recording),
            (Event::new(EventType::Unknown(99), 1, Value::Null), Purpose::Recording),
        ];
        for (event, purpose) in cases {
            assert_eq!(event.purpose_class(), purpose, "{event:?}");
        }
    }

    #[test]
    fn source_and_interaction() {
        let click = incremental(2, vec![("type", Value::Int(2)), ("id", Value::Int(9))]);
        assert_eq!(click.source(), Some(IncrementalSource::MouseInteraction));
        assert_eq!(click.mouse_interaction(), Some(MouseInteraction::Click));
        let mv = incremental(1, vec![("type", Value::Int(2))]);
        assert_eq!(mv.source(), Some(IncrementalSource::MouseMove));
        assert_eq!(mv.mouse_interaction(), None);
        assert_eq!(incremental(42, vec![]).source(), Some(IncrementalSource::Unknown(42)));
        assert_eq!(incremental(-1, vec![]).source(), None);
        let meta = Event::new(EventType::Meta, 1, map([("source", Value::Int(2))]));
        assert_eq!(meta.source(), None);
        assert_eq!(custom("x").custom_tag(), Some("x"));
        assert_eq!(click.custom_tag(), None);
    }

    #[test]
    fn float_timestamp_is_kept_until_changed() {
        let mut e = Event::with_float_timestamp(EventType::Load, 1_700_000_000_123.75, Value::Null)
            .expect("in range");
        assert_eq!(e.timestamp, 1_700_000_000_123);
        assert_eq!(e.timestamp_value(), Value::Float(1_700_000_000_123.75));
        e.timestamp += 10;
        assert_eq!(e.timestamp_value(), Value::Int(1_700_000_000_133));
        let negative = Event::with_float_timestamp(EventType::Load, -1.5, Value::Null);
        assert_eq!(negative.map(|e| e.timestamp), Some(-2));
    }

    #[test]
    fn float_timestamp_out_of_range_is_refused() {
        for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e19, -1e19, 9.223_372_036_854_776e18] {
            assert!(Event::with_float_timestamp(EventType::Load, f, Value::Null).is_none(), "{f}");
        }
        assert!(
            Event::with_float_timestamp(EventType::Load, -9.223_372_036_854_776e18, Value::Null).is_some()
        );
    }

    #[test]
    fn purposes_have_config_names() {
        assert_eq!(Purpose::Recording.as_str(), "recording");
        assert_eq!(Purpose::Heatmaps.as_str(), "heatmaps");
    }
}
