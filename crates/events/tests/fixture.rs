//! A realistic small rrweb recording (a checkout form) through both codecs.
#![allow(clippy::unwrap_used)]

use std::borrow::Cow;

use veil_events::{
    Batch, EventType, IncrementalSource, MouseInteraction, NodeType, Purpose, Value, decode, encode,
};

const FIXTURE: &[u8] = include_bytes!("fixtures/checkout.json");

fn nodes<'v, 'a>(node: &'v Value<'a>, out: &mut Vec<&'v Value<'a>>) {
    out.push(node);
    for child in node.get("childNodes").and_then(Value::as_array).unwrap_or_default() {
        nodes(child, out);
    }
}

fn all_strings_borrowed(v: &Value<'_>) -> bool {
    match v {
        Value::Str(s) => matches!(s, Cow::Borrowed(_)),
        Value::Array(items) => items.iter().all(all_strings_borrowed),
        Value::Map(entries) => {
            entries.iter().all(|(k, v)| matches!(k, Cow::Borrowed(_)) && all_strings_borrowed(v))
        }
        _ => true,
    }
}

#[test]
fn the_fixture_decodes_into_the_expected_model() {
    let batch = decode::batch_from_json(FIXTURE).unwrap();
    assert_eq!(batch.site, "shop");
    assert_eq!(batch.document.as_ref().map(|d| (d.w, d.h)), Some((1280, 2400)));
    assert_eq!(batch.page.title.as_deref(), Some("Checkout – Shop"));
    assert_eq!(batch.extra.len(), 1, "the unknown `recorder` field is kept");

    let kinds: Vec<EventType> = batch.events.iter().map(|e| e.kind).collect();
    use EventType::*;
    assert_eq!(
        kinds,
        [
            Meta,
            FullSnapshot,
            IncrementalSnapshot,
            IncrementalSnapshot,
            IncrementalSnapshot,
            IncrementalSnapshot,
            IncrementalSnapshot,
            IncrementalSnapshot,
            IncrementalSnapshot,
            Custom,
            Custom,
            Plugin
        ]
    );
    let sources: Vec<Option<IncrementalSource>> = batch.events.iter().map(|e| e.source()).collect();
    use IncrementalSource as S;
    assert_eq!(
        sources,
        [
            None,
            None,
            Some(S::Mutation),
            Some(S::MouseMove),
            Some(S::MouseInteraction),
            Some(S::Input),
            Some(S::Input),
            Some(S::Scroll),
            Some(S::MouseInteraction),
            None,
            None,
            None
        ]
    );
    assert_eq!(batch.events[4].mouse_interaction(), Some(MouseInteraction::Focus));
    assert_eq!(batch.events[8].mouse_interaction(), Some(MouseInteraction::Click));
    let purposes: Vec<Purpose> = batch.events.iter().map(|e| e.purpose_class()).collect();
    assert_eq!(purposes.iter().filter(|p| **p == Purpose::Heatmaps).count(), 2);
    assert_eq!(batch.events[9].custom_tag(), Some("veil.click"));
    assert_eq!(batch.events[10].custom_tag(), Some("veil.scroll"));
    assert_eq!(batch.events[6].timestamp, 1_700_000_001_800);
    assert_eq!(batch.events[11].extra.len(), 1, "the player's `delay` is kept");

    // The snapshot's DOM: a document with a form and its fields.
    let root = batch.events[1].data.get("node").unwrap();
    assert_eq!(root.get("type").and_then(Value::as_u64).map(NodeType::from_u64), Some(NodeType::Document));
    let mut all = Vec::new();
    nodes(root, &mut all);
    assert_eq!(all.len(), 29, "node ids 1..=29");
    let tag = |n: &Value<'_>| n.get("tagName").and_then(Value::as_str).map(str::to_owned);
    let inputs = all.iter().filter(|n| tag(n).as_deref() == Some("input")).count();
    assert_eq!(inputs, 4);
    assert!(all.iter().any(|n| tag(n).as_deref() == Some("form")));
    let svg = all.iter().find(|n| tag(n).as_deref() == Some("svg")).unwrap();
    assert_eq!(svg.get("isSVG").and_then(Value::as_bool), Some(true));
}

#[test]
fn json_and_msgpack_round_trip() {
    let batch = decode::batch_from_json(FIXTURE).unwrap();

    let packed = encode::to_msgpack(&batch).unwrap();
    let from_msgpack = decode::batch_from_msgpack(&packed).unwrap();
    assert_eq!(from_msgpack, batch);
    assert!(packed.len() < FIXTURE.len());

    let json = encode::to_json(&batch).unwrap();
    assert_eq!(decode::batch_from_json(&json).unwrap(), batch);

    let events = encode::events_to_json(&batch.events).unwrap();
    assert_eq!(decode::events_from_json(&events).unwrap(), batch.events);
    let events = encode::events_to_msgpack(&batch.events).unwrap();
    assert_eq!(decode::events_from_msgpack(&events).unwrap(), batch.events);
}

#[test]
fn msgpack_decoding_borrows_every_string() {
    let batch = decode::batch_from_json(FIXTURE).unwrap();
    let packed = encode::to_msgpack(&batch).unwrap();
    let batch = decode::batch_from_msgpack(&packed).unwrap();
    assert!(matches!(batch.site, Cow::Borrowed(_)));
    assert!(matches!(batch.page.url, Cow::Borrowed(_)));
    for event in &batch.events {
        assert!(all_strings_borrowed(&event.data));
    }
}

/// What masking will do: rewrite a few strings in place, leave the rest.
#[test]
fn rewriting_an_input_value_survives_encoding() {
    let packed = encode::to_msgpack(&decode::batch_from_json(FIXTURE).unwrap()).unwrap();
    let mut batch: Batch<'_> = decode::batch_from_msgpack(&packed).unwrap();
    for event in &mut batch.events {
        if event.source() == Some(IncrementalSource::Input) {
            let text = event.data.get_mut("text").unwrap();
            let masked = "*".repeat(text.as_str().unwrap().chars().count());
            text.set_str(masked);
        }
    }
    let text = batch.events[5].data.get("text").unwrap();
    assert!(matches!(text, Value::Str(Cow::Owned(s)) if s == "****************"));
    assert!(matches!(batch.events[4].data.get("source"), Some(Value::Int(2))));
    let out = encode::events_to_json(&batch.events).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(!out.contains(r#""text":"jane@example.com""#));
    assert!(out.contains(r#""text":"****************""#));
}

#[test]
fn the_fixture_as_a_bare_event_array() {
    let batch = decode::batch_from_json(FIXTURE).unwrap();
    let array = encode::events_to_json(&batch.events).unwrap();
    let events = decode::events_from_json(&array).unwrap();
    assert_eq!(events, batch.events);
    // A batch is not an array of events, and vice versa.
    assert!(decode::events_from_json(FIXTURE).is_err());
    assert!(decode::batch_from_json(&array).is_err());
}
