#![allow(clippy::unwrap_used)]

use crate::decode::*;
use crate::error::DecodeError;
use crate::kinds::EventType;
use crate::testing::*;
use crate::value::Value;

#[test]
fn decodes_the_spec_example() {
    let input = batch_json(
        r#"[{"type":4,"data":{"href":"https://shop.example/cart","width":1280,"height":720},"timestamp":1}]"#,
        "",
    );
    let b = batch_from_json(input.as_bytes()).unwrap();
    assert_eq!(b.v, 1);
    assert_eq!(b.site, "shop");
    assert_eq!(b.session, SESSION);
    assert_eq!(b.seq, 7);
    assert_eq!(b.page.url, "https://shop.example/cart?x=1");
    assert_eq!(b.page.title.as_deref(), Some("Cart"));
    assert_eq!((b.viewport.w, b.viewport.h), (1280, 720));
    assert_eq!(b.document.as_ref().map(|d| d.h), Some(4100));
    assert_eq!(b.user, None);
    assert_eq!(b.events.len(), 1);
    assert_eq!(b.events[0].kind, EventType::Meta);
    assert!(b.extra.is_empty());
}

#[test]
fn unknown_fields_are_kept_in_order() {
    let input = batch_json(
        r#"[{"type":3,"timestamp":2,"data":{},"delay":5,"zz":true,"aa":null}]"#,
        r#","zeta":1,"alpha":{"nested":[1,2]},"user":"u-1""#,
    );
    let b = batch_from_json(input.as_bytes()).unwrap();
    let keys: Vec<&str> = b.extra.iter().map(|(k, _)| k.as_ref()).collect();
    assert_eq!(keys, ["zeta", "alpha"]);
    assert_eq!(b.user.as_deref(), Some("u-1"));
    let keys: Vec<&str> = b.events[0].extra.iter().map(|(k, _)| k.as_ref()).collect();
    assert_eq!(keys, ["delay", "zz", "aa"]);
    let json = crate::encode::to_json(&b).unwrap();
    let again = batch_from_json(&json).unwrap();
    assert_eq!(again, b);
}

#[test]
fn envelope_errors_name_the_field() {
    let ok_events = r#"[]"#;
    let cases: Vec<(String, DecodeError)> = vec![
        (batch_json(ok_events, "").replace(r#""v":1"#, r#""v":2"#), DecodeError::UnsupportedVersion(2)),
        (
            batch_json(ok_events, "").replace(r#""v":1"#, r#""v":"1""#),
            DecodeError::field("v", "must be a non-negative integer"),
        ),
        (batch_json(ok_events, "").replace(r#""v":1,"#, ""), DecodeError::field("v", "missing")),
        (
            batch_json(ok_events, "").replace(r#""site":"shop""#, r#""site":"Shop!""#),
            DecodeError::field("site", "must be 1-64 characters of [a-z0-9_-]"),
        ),
        (
            batch_json(ok_events, "").replace(r#""site":"shop""#, r#""site":7"#),
            DecodeError::field("site", "must be a string"),
        ),
        (
            batch_json(ok_events, "").replace(SESSION, "short"),
            DecodeError::field("session", "must be a UUID or 16-64 characters of [A-Za-z0-9-]"),
        ),
        (
            batch_json(ok_events, "").replace(r#""seq":7"#, r#""seq":-1"#),
            DecodeError::field("seq", "must be a non-negative integer"),
        ),
        (
            batch_json(ok_events, "").replace(r#""url":"https://shop.example/cart?x=1","#, ""),
            DecodeError::field("page.url", "missing"),
        ),
        (
            batch_json(ok_events, "").replace(r#""title":"Cart""#, r#""title":1"#),
            DecodeError::field("page.title", "must be a string"),
        ),
        (
            batch_json(ok_events, "").replace(r#""w":1280,"h":720"#, r#""w":-3,"h":720"#),
            DecodeError::field("viewport.w", "must be a non-negative integer"),
        ),
        (
            batch_json(ok_events, "").replace(r#""w":1280,"h":720"#, r#""w":-0.5e3,"h":720"#),
            DecodeError::field("viewport.w", "out of range"),
        ),
        (
            batch_json(ok_events, "").replace(r#""w":1280,"h":4100"#, r#""w":1280,"h":4294967296"#),
            DecodeError::field("document.h", "out of range"),
        ),
        (
            batch_json(ok_events, "").replace(r#""viewport":{"w":1280,"h":720},"#, ""),
            DecodeError::field(
                "viewport",
                "missing; the batch has no Meta event with a width and height and the session no earlier viewport",
            ),
        ),
        (batch_json(r#"{}"#, ""), DecodeError::field("events", "must be an array")),
        (batch_json(ok_events, r#","seq":8"#), DecodeError::field("seq", "duplicate key")),
        (batch_json(ok_events, r#","x":1,"x":2"#), DecodeError::field("batch", "duplicate key")),
        ("[]".to_string(), DecodeError::field("batch", "must be a map")),
        (r#""batch""#.to_string(), DecodeError::field("batch", "must be a map")),
    ];
    for (input, expected) in cases {
        assert_eq!(err_json(&input), expected, "{input}");
        if let Some(packed) = try_msgpack(&input) {
            assert_eq!(batch_from_msgpack(&packed).unwrap_err(), expected, "{input} (msgpack)");
        }
    }
}

#[test]
fn event_errors_name_the_field() {
    let cases: &[(&str, DecodeError)] = &[
        (r#"[{"timestamp":1,"data":{}}]"#, DecodeError::field("event.type", "missing")),
        (
            r#"[{"type":-3,"timestamp":1,"data":{}}]"#,
            DecodeError::field("event.type", "must be a non-negative integer"),
        ),
        (r#"[{"type":3,"data":{}}]"#, DecodeError::field("event.timestamp", "missing")),
        (
            r#"[{"type":3,"timestamp":"now","data":{}}]"#,
            DecodeError::field("event.timestamp", "must be a number"),
        ),
        (
            r#"[{"type":3,"timestamp":1e300,"data":{}}]"#,
            DecodeError::field("event.timestamp", "out of range"),
        ),
        (
            r#"[{"type":3,"timestamp":18446744073709551615,"data":{}}]"#,
            DecodeError::field("event.timestamp", "out of range"),
        ),
        (r#"[{"type":3,"timestamp":1}]"#, DecodeError::field("event.data", "missing")),
        (
            r#"[{"type":3,"type":3,"timestamp":1,"data":{}}]"#,
            DecodeError::field("event.type", "duplicate key"),
        ),
        (r#"[{"type":3,"timestamp":1,"data":{},"d":1,"d":2}]"#, DecodeError::field("event", "duplicate key")),
        (r#"[[]]"#, DecodeError::field("event", "must be a map")),
        (r#"[3]"#, DecodeError::field("event", "must be a map")),
    ];
    for (events, expected) in cases {
        let input = batch_json(events, "");
        assert_eq!(err_json(&input), *expected, "{events}");
        assert_eq!(events_from_json(events.as_bytes()).unwrap_err(), *expected, "{events}");
        if let Some(packed) = try_msgpack(events) {
            assert_eq!(events_from_msgpack(&packed).unwrap_err(), *expected, "{events} (msgpack)");
        }
    }
}

#[test]
fn timestamps_accept_integers_and_floats() {
    let events = br#"[{"type":1,"timestamp":1700000000123,"data":{}},
                      {"type":1,"timestamp":1700000000123.25,"data":{}}]"#;
    let e = events_from_json(events).unwrap();
    assert_eq!(e[0].timestamp, 1_700_000_000_123);
    assert_eq!(e[1].timestamp, 1_700_000_000_123);
    assert_eq!(e[1].timestamp_value(), Value::Float(1_700_000_000_123.25));
    let out = crate::encode::events_to_json(&e).unwrap();
    assert!(std::str::from_utf8(&out).unwrap().contains("1700000000123.25"));
    assert_eq!(events_from_json(&out).unwrap(), e);
}

#[test]
fn unknown_event_types_survive() {
    let events = br#"[{"type":7,"timestamp":1,"data":{"url":"x"}}]"#;
    let e = events_from_json(events).unwrap();
    assert_eq!(e[0].kind, EventType::Unknown(7));
    let out = crate::encode::events_to_json(&e).unwrap();
    assert_eq!(std::str::from_utf8(&out).unwrap(), r#"[{"type":7,"data":{"url":"x"},"timestamp":1}]"#);
}

#[test]
fn too_many_events() {
    let one = r#"{"type":3,"timestamp":1,"data":{}}"#;
    let at_limit = format!("[{}]", vec![one; MAX_EVENTS].join(","));
    assert_eq!(events_from_json(at_limit.as_bytes()).unwrap().len(), MAX_EVENTS);
    let over = format!("[{}]", vec![one; MAX_EVENTS + 1].join(","));
    assert_eq!(
        events_from_json(over.as_bytes()).unwrap_err(),
        DecodeError::TooManyEvents { limit: MAX_EVENTS }
    );
    let err = batch_from_json(batch_json(&over, "").as_bytes()).unwrap_err();
    assert_eq!(err, DecodeError::TooManyEvents { limit: MAX_EVENTS });

    // MessagePack declares the count: refused before any event is read.
    let mut header = vec![0xdd];
    header.extend_from_slice(&(MAX_EVENTS as u32 + 1).to_be_bytes());
    assert_eq!(events_from_msgpack(&header).unwrap_err(), DecodeError::TooManyEvents { limit: MAX_EVENTS });
}

#[test]
fn fractional_sizes_are_rounded() {
    let ok_events = r#"[]"#;
    let body = batch_json(ok_events, "")
        .replace(r#""w":1280,"h":720"#, r#""w":1280.5,"h":719.4"#)
        .replace(r#""w":1280,"h":4100"#, r#""w":1280.0,"h":4100.75"#);
    let batch = crate::decode::batch_from_json(body.as_bytes()).expect("fractional sizes decode");
    assert_eq!((batch.viewport.w, batch.viewport.h), (1281, 719));
    let document = batch.document.expect("document");
    assert_eq!((document.w, document.h), (1280, 4101));
}

#[test]
fn a_batch_without_page_or_viewport_takes_them_from_its_meta_event() {
    let bare = r#"{"v":1,"site":"shop","session":"3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f","seq":0,"events":[
        {"type":4,"timestamp":1,"data":{"href":"https://shop.example/p/1","width":390,"height":844}},
        {"type":3,"timestamp":2,"data":{"source":3,"id":1,"x":0,"y":10}}]}"#;
    let batch = batch_from_json(bare.as_bytes()).expect("decodes");
    assert_eq!(batch.page.url, "https://shop.example/p/1");
    assert_eq!((batch.viewport.w, batch.viewport.h), (390, 844));
    assert_eq!(batch.document, None);
    let packed = try_msgpack(bare).expect("msgpack");
    assert_eq!(batch_from_msgpack(&packed).expect("decodes").page.url, "https://shop.example/p/1");
    // Without a Meta event the batch says what is missing and why.
    let no_meta = r#"{"v":1,"site":"shop","session":"3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f","seq":1,"events":[
        {"type":3,"timestamp":2,"data":{"source":3,"id":1,"x":0,"y":10}}]}"#;
    assert_eq!(
        batch_from_json(no_meta.as_bytes()).unwrap_err(),
        DecodeError::field(
            "page",
            "missing; the batch has no Meta event with an href and the session no earlier page"
        )
    );
}

#[test]
fn a_later_batch_without_envelope_or_meta_is_placed_where_its_session_was() {
    use crate::budget::Budget;
    use crate::decode::{Bounds, SessionPage, batch_from_json_within, batch_from_msgpack_within};
    const SESSION: &str = "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f";
    // The first batch: a Meta event, then a resize of the window.
    let first = r#"{"v":1,"site":"shop","session":"3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f","seq":0,"events":[
        {"type":4,"timestamp":1,"data":{"href":"https://shop.example/p/1","width":390,"height":844}},
        {"type":3,"timestamp":2,"data":{"source":4,"width":844,"height":390}},
        {"type":3,"timestamp":3,"data":{"source":3,"id":1,"x":0,"y":10}}]}"#;
    let first = batch_from_json(first.as_bytes()).expect("decodes");
    let known = SessionPage::after(&first);
    assert_eq!(known, SessionPage { url: "https://shop.example/p/1".into(), viewport: (844, 390) });
    let lookup = |site: &str, session: &str| (site == "shop" && session == SESSION).then(|| known.clone());

    let later = r#"{"v":1,"site":"shop","session":"3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f","seq":1,"events":[
        {"type":3,"timestamp":9,"data":{"source":2,"type":2,"id":7,"x":5,"y":6}}]}"#;
    let mut budget = Budget::unlimited();
    let bounds = Bounds { budget: &mut budget, site: Some("shop"), session_page: Some(&lookup) };
    let placed = batch_from_json_within(later.as_bytes(), bounds).expect("placed by the session");
    assert_eq!(placed.page.url, "https://shop.example/p/1");
    assert_eq!((placed.viewport.w, placed.viewport.h), (844, 390));
    let packed = try_msgpack(later).expect("msgpack");
    let bounds = Bounds { budget: &mut budget, site: Some("shop"), session_page: Some(&lookup) };
    let placed = batch_from_msgpack_within(&packed, bounds).expect("placed by the session");
    assert_eq!(placed.page.url, "https://shop.example/p/1");

    // What the batch says itself wins over the session's memory.
    let own = later.replace(r#""seq":1,"#, r#""seq":1,"viewport":{"w":1280,"h":720},"#);
    let bounds = Bounds { budget: &mut budget, site: Some("shop"), session_page: Some(&lookup) };
    let placed = batch_from_json_within(own.as_bytes(), bounds).expect("decodes");
    assert_eq!((placed.viewport.w, placed.viewport.h), (1280, 720));
    assert_eq!(placed.page.url, "https://shop.example/p/1");

    // Another session has no earlier page: refused, saying why.
    let other = later.replace(SESSION, "0a1b2c3d-7b4d-4c2a-9e1f-3f2c1a9e4e5f");
    let bounds = Bounds { budget: &mut budget, site: Some("shop"), session_page: Some(&lookup) };
    assert_eq!(
        batch_from_json_within(other.as_bytes(), bounds).unwrap_err(),
        DecodeError::field(
            "page",
            "missing; the batch has no Meta event with an href and the session no earlier page"
        )
    );
}
