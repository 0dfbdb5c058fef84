//! Invariants over generated batches that mix page text, form fields,
//! mutations and inputs with embedded personal data:
//! - masking is idempotent: masking a masked batch changes nothing and
//!   reports nothing;
//! - masking never grows a batch: replacements keep or shrink lengths,
//!   placeholders and removals only shrink, so the JSON of the output is
//!   never longer than the JSON of the input.

#![allow(clippy::unwrap_used, missing_docs)]

use std::borrow::Cow;

use proptest::prelude::*;
use veil_events::{Batch, Event, EventType, Page, Size, Value, encode};
use veil_masking::{MaskingRules, SessionState, SiteRules, mask_batch, mask_text};

const PII: &[&str] = &[
    "jan@example.nl",
    "j.de.vries+shop@gmail.com",
    "06-12345678",
    "+31 6 1234 5678",
    "(020) 123 4567",
    "+44 20 7946 0958",
    "4111 1111 1111 1111",
    "5555555555554444",
    "NL91 ABNA 0417 1643 00",
    "DE89370400440532013000",
    "123456782",
    "192.168.1.1",
    "2001:db8::1",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIz",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "?email=jan%40example.nl&x=1",
    "ORD-12345678",
];

const WORDS: &[&str] = &[
    "Winterjas",
    "heren",
    "€ 79,99",
    "Maat",
    "42",
    "op",
    "voorraad",
    "Bestelling",
    "#100234567",
    "2.14.3",
    "24-11-2026",
    "10:00",
    "bel",
    "mail",
    "naar",
    "Order",
    "BSN",
    ":",
    ",",
    ".",
    "-",
    "(",
    ")",
    "+",
    "@",
    "1795514400000",
    "52.3676, 4.9041",
    "ß",
    "é",
    "😀",
    "\n",
    "\"",
    "\\",
    "<b>",
    "&amp;",
    "=",
    "?",
];

fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(WORDS).prop_map(str::to_owned),
        2 => prop::sample::select(PII).prop_map(str::to_owned),
        1 => "[a-zA-Z0-9 @.+:/_-]{0,12}",
        1 => any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ];
    prop::collection::vec((piece, prop::sample::select(&["", " ", "  ", "-"][..])), 0..6)
        .prop_map(|parts| parts.into_iter().map(|(p, sep)| p + sep).collect())
}

fn s(text: String) -> Value<'static> {
    Value::Str(Cow::Owned(text))
}

fn map(entries: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    Value::Map(entries.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)).collect())
}

/// One element with an id from `ids`, its attributes and text children.
fn element(
    id: i64,
    tag: &'static str,
    kind: &'static str,
    value: String,
    texts: Vec<(i64, String)>,
) -> Value<'static> {
    let children = texts
        .into_iter()
        .map(|(tid, t)| map(vec![("type", Value::Int(3)), ("id", Value::Int(tid)), ("textContent", s(t))]))
        .collect();
    map(vec![
        ("type", Value::Int(2)),
        ("id", Value::Int(id)),
        ("tagName", Value::from(tag)),
        (
            "attributes",
            map(vec![
                ("type", Value::from(kind)),
                ("value", s(value.clone())),
                ("title", s(value.clone())),
                ("class", Value::from(if id % 3 == 0 { "secret" } else { "box" })),
                ("data-note", s(value)),
            ]),
        ),
        ("childNodes", Value::Array(children)),
    ])
}

const TAGS: &[(&str, &str)] = &[
    ("div", ""),
    ("p", ""),
    ("input", "text"),
    ("input", "password"),
    ("input", "submit"),
    ("input", "checkbox"),
    ("textarea", ""),
    ("option", ""),
    ("a", ""),
    // Inline elements: their text is scanned again as one flow.
    ("span", ""),
    ("b", ""),
];

#[derive(Debug, Clone)]
enum Step {
    Input(i64, String),
    Text(i64, String),
    Attr(i64, String),
    Add(i64, String),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (1..40i64, text()).prop_map(|(id, t)| Step::Input(id, t)),
        (1..40i64, text()).prop_map(|(id, t)| Step::Text(id, t)),
        (1..40i64, text()).prop_map(|(id, t)| Step::Attr(id, t)),
        (1..40i64, text()).prop_map(|(id, t)| Step::Add(id, t)),
    ]
}

fn batch() -> impl Strategy<Value = Batch<'static>> {
    let elements = prop::collection::vec(
        (prop::sample::select(TAGS), text(), prop::collection::vec(text(), 0..3)),
        1..8,
    );
    (any::<bool>(), elements, prop::collection::vec(step(), 0..12), text()).prop_map(
        |(snapshot, elements, steps, url_tail)| {
            let mut next_id = 2;
            let mut children = Vec::new();
            for ((tag, kind), value, texts) in elements {
                let id = next_id;
                next_id += 1 + texts.len() as i64;
                let texts = texts.into_iter().enumerate().map(|(i, t)| (id + 1 + i as i64, t)).collect();
                children.push(element(id, tag, kind, value, texts));
            }
            let mut events = Vec::new();
            if snapshot {
                // Under a block element, so inline elements form a flow.
                let body = map(vec![
                    ("type", Value::Int(2)),
                    ("id", Value::Int(10_000)),
                    ("tagName", Value::from("body")),
                    ("attributes", map(vec![])),
                    ("childNodes", Value::Array(children)),
                ]);
                let root = map(vec![
                    ("type", Value::Int(0)),
                    ("id", Value::Int(1)),
                    ("childNodes", Value::Array(vec![body])),
                ]);
                events.push(Event::new(EventType::FullSnapshot, 1, map(vec![("node", root)])));
            }
            for (i, st) in steps.into_iter().enumerate() {
                let ts = 2 + i as i64;
                let data = match st {
                    Step::Input(id, t) => map(vec![
                        ("source", Value::Int(5)),
                        ("id", Value::Int(id)),
                        ("text", s(t)),
                        ("isChecked", Value::Bool(false)),
                    ]),
                    Step::Text(id, t) => {
                        mutation(vec![("texts", map(vec![("id", Value::Int(id)), ("value", s(t))]))])
                    }
                    Step::Attr(id, t) => mutation(vec![(
                        "attributes",
                        map(vec![
                            ("id", Value::Int(id)),
                            ("attributes", map(vec![("value", s(t.clone())), ("alt", s(t))])),
                        ]),
                    )]),
                    Step::Add(parent, t) => {
                        next_id += 1;
                        let node = map(vec![
                            ("type", Value::Int(3)),
                            ("id", Value::Int(next_id)),
                            ("textContent", s(t)),
                        ]);
                        mutation(vec![(
                            "adds",
                            map(vec![
                                ("parentId", Value::Int(parent)),
                                ("nextId", Value::Null),
                                ("node", node),
                            ]),
                        )])
                    }
                };
                events.push(Event::new(EventType::IncrementalSnapshot, ts, data));
            }
            Batch {
                v: 1,
                site: Cow::Borrowed("shop"),
                session: Cow::Borrowed("7d1e5c3a-2b4f-4e6a-9c8d-0f1e2d3c4b5a"),
                seq: 0,
                page: Page {
                    url: Cow::Owned(format!("https://shop.example/p?{url_tail}")),
                    title: None,
                    extra: vec![],
                },
                viewport: Size::new(1280, 720),
                document: None,
                user: None,
                events,
                extra: vec![],
            }
        },
    )
}

fn mutation(lists: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    let mut entries = vec![("source", Value::Int(0))];
    for name in ["texts", "attributes", "removes", "adds"] {
        let items = lists.iter().filter(|(n, _)| *n == name).map(|(_, v)| v.clone()).collect();
        entries.push((name, Value::Array(items)));
    }
    map(entries)
}

fn rules() -> MaskingRules {
    MaskingRules::new(SiteRules {
        patterns: vec![("order_id".into(), "ORD-[0-9]{8}".into())],
        block_selectors: vec![".secret".into()],
        unmask_selectors: vec!["a".into()],
        scrub_attributes: vec!["data-note".into()],
        // Every opt-in detector too: idempotence and length hold for them.
        detectors: vec!["postcode".into(), "licence_plate".into(), "labelled_name".into()],
    })
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn masking_is_idempotent(input in batch()) {
        let rules = rules();
        let mut once = input.clone();
        mask_batch(&mut once, &rules, &mut SessionState::new());
        let mut twice = once.clone();
        let report = mask_batch(&mut twice, &rules, &mut SessionState::new());
        prop_assert_eq!(&twice, &once);
        prop_assert!(report.is_empty(), "second pass reported {:?}", report);
    }

    #[test]
    fn masking_never_grows_a_batch(input in batch()) {
        let rules = rules();
        let before = encode::to_json(&input).unwrap().len();
        let mut masked = input.clone();
        mask_batch(&mut masked, &rules, &mut SessionState::new());
        let after = encode::to_json(&masked).unwrap().len();
        prop_assert!(after <= before, "{} > {}", after, before);
    }

    #[test]
    fn embedded_pii_never_survives(
        pieces in prop::collection::vec(
            prop_oneof![
                prop::sample::select(PLAIN).prop_map(|w| (w, false)),
                prop::sample::select(PII).prop_map(|p| (p, true)),
            ],
            1..8,
        )
    ) {
        // Words that label numbers as identifiers (`Order 123456782`) are
        // left out: there the context rules keep the number on purpose.
        let text = pieces.iter().map(|(p, _)| *p).collect::<Vec<_>>().join(" ");
        let (masked, _) = mask_text(&text, &rules());
        for (pii, _) in pieces.iter().filter(|(_, is_pii)| *is_pii) {
            let needle = pii.trim_start_matches(|c: char| !c.is_alphanumeric());
            prop_assert!(!masked.contains(needle), "{} survived in {:?}", pii, masked);
        }
    }
}

/// Page words that say nothing about the numbers next to them.
const PLAIN: &[&str] = &[
    "Winterjas",
    "heren",
    "€ 79,99",
    "Maat",
    "42",
    "op",
    "voorraad",
    "2.14.3",
    "24-11-2026",
    "10:00",
    "mail",
    "naar",
    "ß",
    "é",
    "😀",
    "1795514400000",
    "52.3676, 4.9041",
    "(",
    ")",
    ",",
    ".",
    "and",
    "und",
];
