//! Decoding throughput of a realistic 100-event batch.
//!
//! Compares our decoders (MessagePack and JSON into the borrowing model,
//! with validation and the depth cap) against the same MessagePack decoded
//! by rmp-serde into `serde_json::Value`, the obvious alternative, run in
//! the same process as a baseline. Run with
//! `cargo bench -p veil-events -- --warm-up-time 1 --measurement-time 3`.

// criterion's macros generate undocumented public functions.
#![allow(missing_docs)]

use std::borrow::Cow;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::Deserialize;
use veil_events::{Batch, Event, EventType, Page, Size, Value, decode, encode};

fn map(entries: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    Value::Map(entries.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)).collect())
}

fn s(text: impl Into<String>) -> Value<'static> {
    Value::from(text.into())
}

/// Serialized DOM node builder that hands out rrweb node ids.
struct Dom {
    next_id: i64,
}

impl Dom {
    fn id(&mut self) -> Value<'static> {
        self.next_id += 1;
        Value::Int(self.next_id)
    }

    fn text(&mut self, text: impl Into<String>) -> Value<'static> {
        map(vec![("type", Value::Int(3)), ("id", self.id()), ("textContent", s(text))])
    }

    fn el(
        &mut self,
        tag: &str,
        attrs: Vec<(&'static str, &str)>,
        children: Vec<Value<'static>>,
    ) -> Value<'static> {
        let attributes = attrs.into_iter().map(|(k, v)| (k, s(v))).collect();
        map(vec![
            ("type", Value::Int(2)),
            ("tagName", s(tag)),
            ("attributes", map(attributes)),
            ("childNodes", Value::Array(children)),
            ("id", self.id()),
        ])
    }
}

/// A shop page of about 200 nodes: head, navigation, a product grid and a
/// checkout form.
fn snapshot(dom: &mut Dom) -> Value<'static> {
    let mut head = vec![];
    let title = dom.text("Winter sale – Shop");
    head.push(dom.el("title", vec![], vec![title]));
    for name in ["viewport", "description", "og:title", "og:image", "theme-color"] {
        head.push(dom.el(
            "meta",
            vec![("name", name), ("content", "width=device-width, initial-scale=1")],
            vec![],
        ));
    }
    let css = dom.text(".card{display:grid;gap:8px}.price{font-weight:700}\n".repeat(8));
    head.push(dom.el("style", vec![], vec![css]));

    let mut links = vec![];
    for i in 0..10 {
        let label = dom.text(format!("Category {i}"));
        let a = dom.el("a", vec![("href", &format!("/c/{i}")), ("class", "nav-link")], vec![label]);
        links.push(dom.el("li", vec![], vec![a]));
    }
    let nav = dom.el("ul", vec![("class", "nav")], links);
    let header = dom.el("header", vec![("class", "site-header")], vec![nav]);

    let mut cards = vec![];
    for i in 0..20 {
        let img = dom.el(
            "img",
            vec![("src", &format!("https://cdn.shop.example/p/{i}.webp")), ("alt", "Wool scarf, dark blue")],
            vec![],
        );
        let name = dom.text(format!("Wool scarf no. {i}"));
        let h3 = dom.el("h3", vec![], vec![name]);
        let price = dom.text(format!("€{}.95", 20 + i));
        let p = dom.el("p", vec![("class", "price")], vec![price]);
        let cta = dom.text("Add to cart");
        let button =
            dom.el("button", vec![("type", "button"), ("data-sku", &format!("SKU-{i:05}"))], vec![cta]);
        cards.push(dom.el("div", vec![("class", "card")], vec![img, h3, p, button]));
    }
    let grid = dom.el("section", vec![("class", "grid")], cards);

    let mut fields = vec![];
    for (name, kind) in
        [("email", "email"), ("name", "text"), ("phone", "tel"), ("zip", "text"), ("password", "password")]
    {
        let label_text = dom.text(name);
        fields.push(dom.el("label", vec![("for", name)], vec![label_text]));
        fields.push(dom.el(
            "input",
            vec![("id", name), ("name", name), ("type", kind), ("value", "")],
            vec![],
        ));
    }
    let form = dom.el("form", vec![("id", "checkout"), ("method", "post")], fields);
    let main = dom.el("main", vec![], vec![grid, form]);
    let legal = dom.text("© 2024 Shop B.V. · KvK 12345678 · All prices include VAT");
    let footer = dom.el("footer", vec![], vec![legal]);

    let body = dom.el("body", vec![("class", "home")], vec![header, main, footer]);
    let head = dom.el("head", vec![], head);
    let html = dom.el("html", vec![("lang", "nl")], vec![head, body]);
    map(vec![
        (
            "node",
            map(vec![
                ("type", Value::Int(0)),
                ("childNodes", Value::Array(vec![html])),
                ("id", Value::Int(1)),
            ]),
        ),
        ("initialOffset", map(vec![("left", Value::Int(0)), ("top", Value::Int(0))])),
    ])
}

fn incremental(source: i64, mut fields: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    fields.insert(0, ("source", Value::Int(source)));
    map(fields)
}

/// Meta, a full snapshot, then 98 incremental and custom events in a
/// plausible mix.
fn realistic_batch() -> Batch<'static> {
    let mut dom = Dom { next_id: 1 };
    let t0 = 1_700_000_000_000;
    let mut events = vec![
        Event::new(
            EventType::Meta,
            t0,
            map(vec![
                ("href", s("https://shop.example/?utm_source=mail")),
                ("width", Value::Int(1280)),
                ("height", Value::Int(720)),
            ]),
        ),
        Event::new(EventType::FullSnapshot, t0 + 5, snapshot(&mut dom)),
    ];
    for i in 0..98i64 {
        let t = t0 + 100 + i * 150;
        let data = match i % 10 {
            0..=3 => {
                let positions = (0..8)
                    .map(|p| {
                        map(vec![
                            ("x", Value::Int(300 + i + p)),
                            ("y", Value::Float(200.5 + p as f64)),
                            ("id", Value::Int(40)),
                            ("timeOffset", Value::Int(-50 * p)),
                        ])
                    })
                    .collect();
                incremental(1, vec![("positions", Value::Array(positions))])
            }
            4 | 5 => incremental(
                5,
                vec![
                    ("text", s("jane.doe@example.com"[..(i as usize % 20)].to_string())),
                    ("isChecked", Value::Bool(false)),
                    ("userTriggered", Value::Bool(true)),
                    ("id", Value::Int(150)),
                ],
            ),
            6 => {
                let node = dom.el("div", vec![("class", "toast"), ("role", "status")], vec![]);
                let text = dom.text(format!("Added scarf no. {i} to your cart"));
                incremental(
                    0,
                    vec![
                        (
                            "texts",
                            Value::Array(vec![map(vec![("id", Value::Int(60)), ("value", s("€42.95"))])]),
                        ),
                        (
                            "attributes",
                            Value::Array(vec![map(vec![
                                ("id", Value::Int(61)),
                                ("attributes", map(vec![("class", s("card added"))])),
                            ])]),
                        ),
                        ("removes", Value::Array(vec![])),
                        (
                            "adds",
                            Value::Array(vec![
                                map(vec![
                                    ("parentId", Value::Int(3)),
                                    ("nextId", Value::Null),
                                    ("node", node),
                                ]),
                                map(vec![
                                    ("parentId", Value::Int(dom.next_id - 1)),
                                    ("nextId", Value::Null),
                                    ("node", text),
                                ]),
                            ]),
                        ),
                    ],
                )
            }
            7 => incremental(3, vec![("id", Value::Int(1)), ("x", Value::Int(0)), ("y", Value::Int(i * 40))]),
            8 => incremental(
                2,
                vec![
                    ("type", Value::Int(2)),
                    ("id", Value::Int(70)),
                    ("x", Value::Int(640)),
                    ("y", Value::Int(410)),
                    ("pointerType", Value::Int(0)),
                ],
            ),
            _ => {
                let payload = map(vec![
                    ("x", Value::Int(640)),
                    ("y", Value::Int(410 + i)),
                    ("w", Value::Int(1280)),
                    ("h", Value::Int(4100)),
                    ("vw", Value::Int(1280)),
                    ("vh", Value::Int(720)),
                    ("fixed", Value::Bool(false)),
                    ("selector", s("main > section.grid > div.card > button")),
                    ("rage", Value::Bool(false)),
                    ("dead", Value::Bool(false)),
                ]);
                let tag = if i % 20 == 9 { "veil.click" } else { "veil.scroll" };
                let kind = EventType::Custom;
                events.push(Event::new(kind, t, map(vec![("tag", s(tag)), ("payload", payload)])));
                continue;
            }
        };
        events.push(Event::new(EventType::IncrementalSnapshot, t, data));
    }
    Batch {
        v: 1,
        site: "shop".into(),
        session: "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f".into(),
        seq: 3,
        page: Page {
            url: "https://shop.example/?utm_source=mail".into(),
            title: Some("Winter sale – Shop".into()),
            extra: vec![],
        },
        viewport: Size::new(1280, 720),
        document: Some(Size::new(1280, 4100)),
        user: None,
        events,
        extra: vec![],
    }
}

fn bench_decode(c: &mut Criterion) {
    let batch = realistic_batch();
    assert_eq!(batch.events.len(), 100);
    let msgpack = encode::to_msgpack(&batch).expect("encode msgpack");
    let json = encode::to_json(&batch).expect("encode json");
    eprintln!("batch: 100 events, {} bytes MessagePack, {} bytes JSON", msgpack.len(), json.len());

    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Bytes(msgpack.len() as u64));
    group.bench_function("msgpack_batch", |b| {
        b.iter(|| decode::batch_from_msgpack(black_box(&msgpack)).expect("valid"))
    });
    group.bench_function("baseline_rmp_serde_to_serde_json_value", |b| {
        b.iter(|| {
            let mut de = rmp_serde::Deserializer::from_read_ref(black_box(&msgpack[..]));
            serde_json::Value::deserialize(&mut de).expect("valid")
        })
    });
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("json_batch", |b| {
        b.iter(|| decode::batch_from_json(black_box(&json)).expect("valid"))
    });
    group.bench_function("baseline_serde_json_value", |b| {
        b.iter(|| {
            let mut de = serde_json::Deserializer::from_slice(black_box(&json));
            serde_json::Value::deserialize(&mut de).expect("valid")
        })
    });
    group.finish();
}

criterion_group!(benches, bench_decode);
criterion_main!(benches);
