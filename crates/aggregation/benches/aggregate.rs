//! Aggregation cost of a realistic 100-event batch with 30 clicks.
//!
//! The baseline, run in the same process, is decoding that same batch from
//! MessagePack: ingest decodes every batch anyway, so aggregation is cheap
//! when it costs a fraction of that. Run with
//! `cargo bench -p veil-aggregation --bench aggregate -- --warm-up-time 1 --measurement-time 3`.

// criterion's macros generate undocumented public functions.
#![allow(missing_docs)]

use std::borrow::Cow;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use veil_aggregation::{Grid, PageKeyRules, aggregate};
use veil_events::{Batch, Event, EventType, Page, Size, Value, decode, encode};

fn map(entries: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    Value::Map(entries.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)).collect())
}

fn s(text: impl Into<String>) -> Value<'static> {
    Value::from(text.into())
}

/// A small page: 40 product cards under a header, as a FullSnapshot.
fn snapshot() -> Value<'static> {
    let mut next_id = 3;
    let mut cards = vec![];
    for i in 0..40 {
        next_id += 2;
        let label =
            map(vec![("type", Value::Int(3)), ("id", Value::Int(next_id + 1)), ("textContent", s("Add"))]);
        let button = map(vec![
            ("type", Value::Int(2)),
            ("id", Value::Int(next_id)),
            ("tagName", s("button")),
            ("attributes", map(vec![("class", s(format!("btn add card-{i}")))])),
            ("childNodes", Value::Array(vec![label])),
        ]);
        cards.push(button);
    }
    let body = map(vec![
        ("type", Value::Int(2)),
        ("id", Value::Int(3)),
        ("tagName", s("body")),
        ("attributes", map(vec![])),
        ("childNodes", Value::Array(cards)),
    ]);
    map(vec![
        (
            "node",
            map(vec![
                ("type", Value::Int(0)),
                ("id", Value::Int(1)),
                ("childNodes", Value::Array(vec![body])),
            ]),
        ),
        ("initialOffset", map(vec![("left", Value::Int(0)), ("top", Value::Int(0))])),
    ])
}

/// Meta, a snapshot, then 98 events of which 30 are `veil.click`s (some in
/// rage bursts, some on a sticky header), 18 `veil.scroll`s, and rrweb
/// scrolls, mouse moves and clicks (ignored when `veil.click`s are present,
/// but still read). With `veil_clicks == false`, the `veil.click`s become
/// rrweb clicks, so clicks are derived and selectors resolved from the
/// snapshot.
fn batch(veil_clicks: bool) -> Batch<'static> {
    let t0 = 1_700_000_000_000;
    let url = "https://shop.example/c/winter-scarves?utm_source=mail";
    let mut events = vec![
        Event::new(
            EventType::Meta,
            t0,
            map(vec![("href", s(url)), ("width", Value::Int(1280)), ("height", Value::Int(720))]),
        ),
        Event::new(EventType::FullSnapshot, t0 + 5, snapshot()),
    ];
    let mut clicks = 0;
    for i in 0..98i64 {
        let t = t0 + 100 + i * 150;
        let data = if i % 10 < 3 {
            clicks += 1;
            let burst = i % 20 < 3;
            let (x, y) = if burst { (640, 410) } else { (100 + i * 11, 300 + i * 37) };
            if veil_clicks {
                let payload = map(vec![
                    ("x", Value::Int(x)),
                    ("y", Value::Float(y as f64 + 0.5)),
                    ("w", Value::Int(1280)),
                    ("h", Value::Int(4100)),
                    ("vw", Value::Int(1280)),
                    ("vh", Value::Int(720)),
                    ("fixed", Value::Bool(i % 7 == 0)),
                    ("selector", s(format!("main > section.grid > div.card:nth-child({}) > button", i % 12))),
                    ("rage", Value::Bool(false)),
                    ("dead", Value::Bool(i % 5 == 0)),
                ]);
                events.push(Event::new(
                    EventType::Custom,
                    t,
                    map(vec![("tag", s("veil.click")), ("payload", payload)]),
                ));
                continue;
            }
            map(vec![
                ("source", Value::Int(2)),
                ("type", Value::Int(2)),
                ("id", Value::Int(5 + 2 * (i % 40))),
                ("x", Value::Int(x)),
                ("y", Value::Int(y % 720)),
            ])
        } else {
            match i % 10 {
                3..=5 => {
                    let positions = (0..8)
                        .map(|p| {
                            map(vec![
                                ("x", Value::Int(300 + p)),
                                ("y", Value::Int(200)),
                                ("id", Value::Int(5)),
                            ])
                        })
                        .collect();
                    map(vec![("source", Value::Int(1)), ("positions", Value::Array(positions))])
                }
                6 | 7 => map(vec![
                    ("source", Value::Int(3)),
                    ("id", Value::Int(1)),
                    ("x", Value::Int(0)),
                    ("y", Value::Int(i * 30)),
                ]),
                _ => {
                    let payload = map(vec![
                        ("y", Value::Int(i * 30)),
                        ("h", Value::Int(4100)),
                        ("vh", Value::Int(720)),
                    ]);
                    let tag = map(vec![("tag", s("veil.scroll")), ("payload", payload)]);
                    events.push(Event::new(EventType::Custom, t, tag));
                    continue;
                }
            }
        };
        events.push(Event::new(EventType::IncrementalSnapshot, t, data));
    }
    assert_eq!(clicks, 30);
    Batch {
        v: 1,
        site: "shop".into(),
        session: "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f".into(),
        seq: 3,
        page: Page { url: url.into(), title: Some("Winter scarves".into()), extra: vec![] },
        viewport: Size::new(1280, 720),
        document: Some(Size::new(1280, 4100)),
        user: None,
        events,
        extra: vec![],
    }
}

fn bench_aggregate(c: &mut Criterion) {
    let rules = PageKeyRules::new(
        vec!["page".to_string()],
        vec![(r"^https://shop\.example/p/[^/]+$".to_string(), "https://shop.example/p/:slug".to_string())],
    )
    .expect("valid rules");
    let grid = Grid::default();
    let with_veil = batch(true);
    let derived = batch(false);
    assert_eq!(with_veil.events.len(), 100);
    let msgpack = encode::to_msgpack(&with_veil).expect("encode");
    let result = aggregate(&with_veil, &rules, &grid);
    let page = &result.pages[0];
    eprintln!(
        "batch: 100 events, 30 clicks, {} bytes MessagePack -> {} cells, {} elements, {} rage",
        msgpack.len(),
        page.cells.len(),
        page.elements.len(),
        page.rage_clicks
    );
    assert_eq!(page.clicks + page.invalid.iter().map(|(_, n)| n).sum::<u32>(), 30);
    assert_eq!(aggregate(&derived, &rules, &grid).pages[0].clicks, 30);

    let mut group = c.benchmark_group("aggregate");
    group.bench_function("veil_clicks", |b| b.iter(|| aggregate(black_box(&with_veil), &rules, &grid)));
    group
        .bench_function("derived_rrweb_clicks", |b| b.iter(|| aggregate(black_box(&derived), &rules, &grid)));
    group.bench_function("baseline_decode_msgpack", |b| {
        b.iter(|| decode::batch_from_msgpack(black_box(&msgpack)).expect("valid"))
    });
    group.finish();
}

criterion_group!(benches, bench_aggregate);
criterion_main!(benches);
