//! Property tests: `decode(encode(x)) == x` for arbitrary trees and batches,
//! and decoding arbitrary bytes never panics.
#![allow(clippy::unwrap_used)]

use std::borrow::Cow;
use std::collections::HashSet;

use proptest::prelude::*;
use veil_events::{Batch, Entry, Event, EventType, Page, Size, Value, decode, encode};

/// Which codec a generated value must survive: JSON has no byte strings
/// and no non-finite floats (documented exceptions).
#[derive(Clone, Copy, Debug)]
enum Codec {
    Json,
    MsgPack,
}

fn float(codec: Codec) -> BoxedStrategy<f64> {
    use proptest::num::f64::*;
    match codec {
        Codec::Json => (NORMAL | SUBNORMAL | ZERO | NEGATIVE | POSITIVE).boxed(),
        Codec::MsgPack => (NORMAL | SUBNORMAL | ZERO | NEGATIVE | POSITIVE | INFINITE).boxed(),
    }
}

/// Keys are unique (the decoder refuses duplicates) and avoid `reserved`.
fn unique_entries(
    raw: Vec<(String, Value<'static>)>,
    reserved: &'static [&'static str],
) -> Vec<Entry<'static>> {
    let mut seen = HashSet::new();
    raw.into_iter()
        .filter(|(k, _)| !reserved.contains(&k.as_str()) && seen.insert(k.clone()))
        .map(|(k, v)| (Cow::Owned(k), v))
        .collect()
}

fn leaf(codec: Codec) -> BoxedStrategy<Value<'static>> {
    let common = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        ((i64::MAX as u64 + 1)..=u64::MAX).prop_map(Value::UInt),
        float(codec).prop_map(Value::Float),
        any::<String>().prop_map(Value::from),
        "[a-z@. ]{0,12}".prop_map(Value::from),
    ];
    match codec {
        Codec::Json => common.boxed(),
        Codec::MsgPack => prop_oneof![
            common,
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(|b| Value::Bytes(Cow::Owned(b))),
        ]
        .boxed(),
    }
}

fn value(codec: Codec) -> impl Strategy<Value = Value<'static>> {
    leaf(codec).prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((any::<String>(), inner), 0..8)
                .prop_map(|raw| Value::Map(unique_entries(raw, &[]))),
        ]
    })
}

fn extra(codec: Codec, reserved: &'static [&'static str]) -> impl Strategy<Value = Vec<Entry<'static>>> {
    proptest::collection::vec(("[a-zA-Z_]{1,8}", value(codec)), 0..3)
        .prop_map(move |raw| unique_entries(raw, reserved))
}

const EVENT_KEYS: &[&str] = &["type", "timestamp", "data"];
const BATCH_KEYS: &[&str] =
    &["v", "site", "session", "seq", "page", "viewport", "document", "user", "events"];

fn event(codec: Codec) -> impl Strategy<Value = Event<'static>> {
    let ms = any::<i64>().prop_map(Ok);
    let float_ms = float(codec).prop_filter("timestamp in i64 range", |f| f.abs() < 9.0e18).prop_map(Err);
    (any::<u64>(), prop_oneof![ms, float_ms], value(codec), extra(codec, EVENT_KEYS)).prop_map(
        |(kind, ts, data, extra)| {
            let kind = EventType::from_u64(kind);
            let mut e = match ts {
                Ok(ms) => Event::new(kind, ms, data),
                Err(f) => Event::with_float_timestamp(kind, f, data).unwrap(),
            };
            e.extra = extra;
            e
        },
    )
}

fn size(codec: Codec) -> impl Strategy<Value = Size<'static>> {
    (any::<u32>(), any::<u32>(), extra(codec, &["w", "h"])).prop_map(|(w, h, extra)| Size { w, h, extra })
}

fn batch(codec: Codec) -> impl Strategy<Value = Batch<'static>> {
    let page = (any::<String>(), proptest::option::of(any::<String>()), extra(codec, &["url", "title"]))
        .prop_map(|(url, title, extra)| Page { url: url.into(), title: title.map(Cow::Owned), extra });
    (
        "[a-z0-9_-]{1,64}",
        "[A-Za-z0-9-]{16,64}",
        any::<u64>(),
        page,
        size(codec),
        proptest::option::of(size(codec)),
        proptest::option::of(any::<String>()),
        proptest::collection::vec(event(codec), 0..6),
        extra(codec, BATCH_KEYS),
    )
        .prop_map(|(site, session, seq, page, viewport, document, user, events, extra)| Batch {
            v: 1,
            site: site.into(),
            session: session.into(),
            seq,
            page,
            viewport,
            document,
            user: user.map(Cow::Owned),
            events,
            extra,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn msgpack_round_trips_batches(b in batch(Codec::MsgPack)) {
        let packed = encode::to_msgpack(&b).unwrap();
        prop_assert_eq!(decode::batch_from_msgpack(&packed).unwrap(), b);
    }

    #[test]
    fn json_round_trips_batches(b in batch(Codec::Json)) {
        let json = encode::to_json(&b).unwrap();
        prop_assert_eq!(decode::batch_from_json(&json).unwrap(), b);
    }

    #[test]
    fn event_arrays_round_trip(events in proptest::collection::vec(event(Codec::Json), 0..8)) {
        let json = encode::events_to_json(&events).unwrap();
        prop_assert_eq!(&decode::events_from_json(&json).unwrap(), &events);
        let packed = encode::events_to_msgpack(&events).unwrap();
        prop_assert_eq!(decode::events_from_msgpack(&packed).unwrap(), events);
    }

    /// Both codecs agree: JSON-safe batches read the same from either.
    #[test]
    fn codecs_agree(b in batch(Codec::Json)) {
        let json = encode::to_json(&b).unwrap();
        let packed = encode::to_msgpack(&b).unwrap();
        prop_assert_eq!(decode::batch_from_json(&json).unwrap(), decode::batch_from_msgpack(&packed).unwrap());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode::batch_from_msgpack(&bytes);
        let _ = decode::events_from_msgpack(&bytes);
        let _ = decode::batch_from_json(&bytes);
        let _ = decode::events_from_json(&bytes);
    }

    /// Valid encodings with one byte changed or cut short: errors, not panics,
    /// and whatever still decodes re-encodes.
    #[test]
    fn corrupted_batches_never_panic(b in batch(Codec::MsgPack), at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<bool>()) {
        let mut packed = encode::to_msgpack(&b).unwrap();
        let i = at.index(packed.len());
        if cut { packed.truncate(i) } else { packed[i] = byte }
        if let Ok(decoded) = decode::batch_from_msgpack(&packed) {
            // Compared as bytes: a changed byte can make a float NaN, which
            // is not equal to itself as a value.
            let again = encode::to_msgpack(&decoded).unwrap();
            let reread = decode::batch_from_msgpack(&again).unwrap();
            prop_assert_eq!(encode::to_msgpack(&reread).unwrap(), again);
        }
    }
}
