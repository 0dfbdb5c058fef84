//! Masking throughput on a realistic batch, against decoding the same
//! batch only, in the same run. Run with
//! `cargo bench -p veil-masking --bench mask -- --warm-up-time 1 --measurement-time 3`.
//!
//! The batch: an e-commerce page of about 300 nodes (head with a style
//! sheet, navigation, a product grid, a checkout form with typed values)
//! as a FullSnapshot, then about 2000 events in a plausible mix of mouse
//! moves, clicks, scrolls, Input events, mutations (toasts, cart counters,
//! price updates, text edits) and `veil.click` custom events: about 1 MB of
//! JSON.

// criterion's macros generate undocumented public functions.
#![allow(missing_docs)]

use std::borrow::Cow;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use veil_events::{Batch, Event, EventType, Page, Size, Value, decode, encode};
use veil_masking::{MaskingRules, SessionState, SiteRules, mask_batch};

fn map(entries: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    Value::Map(entries.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)).collect())
}

fn s(text: impl Into<String>) -> Value<'static> {
    Value::from(text.into())
}

struct Dom {
    next_id: i64,
}

impl Dom {
    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    fn text(&mut self, text: impl Into<String>) -> Value<'static> {
        let id = self.id();
        map(vec![("type", Value::Int(3)), ("id", Value::Int(id)), ("textContent", s(text))])
    }

    fn el(
        &mut self,
        tag: &str,
        attrs: Vec<(&'static str, String)>,
        children: Vec<Value<'static>>,
    ) -> Value<'static> {
        let id = self.id();
        let attributes = attrs.into_iter().map(|(k, v)| (k, s(v))).collect();
        map(vec![
            ("type", Value::Int(2)),
            ("id", Value::Int(id)),
            ("tagName", s(tag)),
            ("attributes", map(attributes)),
            ("childNodes", Value::Array(children)),
        ])
    }
}

const PRODUCTS: &[&str] =
    &["Winterjas heren", "Wollen sjaal", "Leren laarzen", "Gebreide muts", "Donsjack dames", "Regenjas"];

fn snapshot(dom: &mut Dom) -> Value<'static> {
    let css = ".card{display:grid;gap:8px;padding:12px 16px}.price{font-weight:700;color:#1a2b3c}\
               @media (min-width:768px){.grid{grid-template-columns:repeat(4,1fr)}}\n"
        .repeat(60);
    let mut head = vec![dom.el("title", vec![], vec![])];
    head.push(dom.el("style", vec![("_cssText", css)], vec![]));
    for name in ["viewport", "description", "og:title", "og:image", "theme-color"] {
        head.push(dom.el(
            "meta",
            vec![("name", name.into()), ("content", "width=device-width".into())],
            vec![],
        ));
    }
    let mut links = vec![];
    for i in 0..12 {
        let label = dom.text(format!("Categorie {i}"));
        let a = dom.el(
            "a",
            vec![("href", format!("/c/{i}?sort=price_asc")), ("class", "nav-link".into())],
            vec![label],
        );
        links.push(dom.el("li", vec![], vec![a]));
    }
    let nav = dom.el("ul", vec![("class", "nav".into())], links);
    let mut cards = vec![];
    for i in 0..36 {
        let name = PRODUCTS[i % PRODUCTS.len()];
        let img = dom.el(
            "img",
            vec![("src", format!("https://cdn.shop.example/p/{i}.webp")), ("alt", format!("{name}, zwart"))],
            vec![],
        );
        let title = dom.text(format!("{name} – maat {}", 36 + i % 10));
        let h3 = dom.el("h3", vec![], vec![title]);
        let price = dom.text(format!("€ {},95", 20 + i));
        let p = dom.el("p", vec![("class", "price".into())], vec![price]);
        let cta = dom.text("In winkelwagen");
        let button =
            dom.el("button", vec![("type", "button".into()), ("data-sku", format!("SKU-{i:05}"))], vec![cta]);
        cards.push(dom.el(
            "div",
            vec![("class", "card".into()), ("data-id", format!("{}", 1000 + i))],
            vec![img, h3, p, button],
        ));
    }
    let grid = dom.el("section", vec![("class", "grid".into())], cards);
    let mut fields = vec![];
    for (name, kind, value) in [
        ("email", "email", "jan.devries@example.nl"),
        ("name", "text", "Jan de Vries"),
        ("phone", "tel", "06-12345678"),
        ("street", "text", "Keizersgracht 12"),
        ("zip", "text", "1015 CJ"),
        ("password", "password", "Geheim!2026"),
        ("cc", "text", "4111 1111 1111 1111"),
    ] {
        let label = dom.text(name);
        fields.push(dom.el("label", vec![("for", name.into())], vec![label]));
        let mut attrs = vec![
            ("id", name.to_string()),
            ("name", name.into()),
            ("type", kind.into()),
            ("value", value.into()),
        ];
        if name == "cc" {
            attrs.push(("autocomplete", "cc-number".into()));
        }
        fields.push(dom.el("input", attrs, vec![]));
    }
    let note = dom.text("Graag bezorgen na 17:00, bel 06-12345678");
    fields.push(dom.el("textarea", vec![("name", "note".into())], vec![note]));
    let form = dom.el("form", vec![("id", "checkout".into()), ("action", "/pay".into())], fields);
    let legal =
        dom.text("© 2026 Shop B.V. · KvK 12345678 · Alle prijzen incl. btw · klantenservice@shop.example");
    let footer = dom.el("footer", vec![], vec![legal]);
    let body = dom.el("body", vec![("class", "home".into())], vec![nav, grid, form, footer]);
    let head = dom.el("head", vec![], head);
    let html = dom.el("html", vec![("lang", "nl".into())], vec![head, body]);
    map(vec![
        (
            "node",
            map(vec![
                ("type", Value::Int(0)),
                ("id", Value::Int(1)),
                ("childNodes", Value::Array(vec![html])),
            ]),
        ),
        ("initialOffset", map(vec![("left", Value::Int(0)), ("top", Value::Int(0))])),
    ])
}

fn incremental(source: i64, mut fields: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    fields.insert(0, ("source", Value::Int(source)));
    map(fields)
}

fn mutation(
    adds: Vec<Value<'static>>,
    texts: Vec<Value<'static>>,
    attributes: Vec<Value<'static>>,
) -> Value<'static> {
    incremental(
        0,
        vec![
            ("texts", Value::Array(texts)),
            ("attributes", Value::Array(attributes)),
            ("removes", Value::Array(vec![])),
            ("adds", Value::Array(adds)),
        ],
    )
}

fn realistic_batch() -> Batch<'static> {
    let mut dom = Dom { next_id: 1 };
    let t0 = 1_795_514_400_000;
    let snap = snapshot(&mut dom);
    let mut events = vec![
        Event::new(
            EventType::Meta,
            t0,
            map(vec![
                ("href", s("https://shop.example/checkout?step=2&utm_source=mail")),
                ("width", Value::Int(1280)),
                ("height", Value::Int(720)),
            ]),
        ),
        Event::new(EventType::FullSnapshot, t0 + 5, snap),
    ];
    let typed = "jan.devries@example.nl";
    for i in 0..2000i64 {
        let t = t0 + 100 + i * 40;
        let (kind, data) = match i % 20 {
            0..=7 => {
                let positions = (0..10)
                    .map(|p| {
                        map(vec![
                            ("x", Value::Int(300 + (i * 7 + p) % 900)),
                            ("y", Value::Float(200.5 + p as f64)),
                            ("id", Value::Int(40 + i % 50)),
                            ("timeOffset", Value::Int(-40 * p)),
                        ])
                    })
                    .collect();
                (EventType::IncrementalSnapshot, incremental(1, vec![("positions", Value::Array(positions))]))
            }
            8 | 9 => (
                EventType::IncrementalSnapshot,
                incremental(
                    2,
                    vec![
                        ("type", Value::Int(i % 7)),
                        ("id", Value::Int(60 + i % 40)),
                        ("x", Value::Int(400)),
                        ("y", Value::Int(300)),
                    ],
                ),
            ),
            10 | 11 => (
                EventType::IncrementalSnapshot,
                incremental(
                    3,
                    vec![("id", Value::Int(1)), ("x", Value::Int(0)), ("y", Value::Int(i * 13 % 4000))],
                ),
            ),
            12 | 13 => (
                EventType::IncrementalSnapshot,
                incremental(
                    5,
                    vec![
                        ("id", Value::Int(230 + i % 5)),
                        ("text", s(&typed[..(i as usize % typed.len())])),
                        ("isChecked", Value::Bool(false)),
                        ("userTriggered", Value::Bool(true)),
                    ],
                ),
            ),
            14 => {
                let toast_text =
                    dom.text(format!("{} toegevoegd aan je winkelwagen", PRODUCTS[i as usize % 6]));
                let toast = dom.el(
                    "div",
                    vec![("class", "toast".into()), ("role", "status".into())],
                    vec![toast_text],
                );
                (
                    EventType::IncrementalSnapshot,
                    mutation(
                        vec![map(vec![
                            ("parentId", Value::Int(20)),
                            ("nextId", Value::Null),
                            ("node", toast),
                        ])],
                        vec![map(vec![
                            ("id", Value::Int(100 + i % 30)),
                            ("value", s(format!("€ {},95", 20 + i % 50))),
                        ])],
                        vec![map(vec![
                            ("id", Value::Int(61)),
                            (
                                "attributes",
                                map(vec![("class", s("card added")), ("style", s("opacity: 0.8"))]),
                            ),
                        ])],
                    ),
                )
            }
            15 => (
                EventType::IncrementalSnapshot,
                mutation(
                    vec![],
                    vec![map(vec![("id", Value::Int(90)), ("value", s(format!("Winkelwagen ({})", i % 9)))])],
                    vec![map(vec![
                        ("id", Value::Int(231)),
                        ("attributes", map(vec![("value", s(&typed[..(i as usize % 20)]))])),
                    ])],
                ),
            ),
            16 | 17 => (
                EventType::Custom,
                map(vec![
                    ("tag", s("veil.click")),
                    (
                        "payload",
                        map(vec![
                            ("x", Value::Int(400 + i % 300)),
                            ("y", Value::Int(300 + i % 700)),
                            ("w", Value::Int(1280)),
                            ("h", Value::Int(4100)),
                            ("vw", Value::Int(1280)),
                            ("vh", Value::Int(720)),
                            ("fixed", Value::Bool(false)),
                            ("selector", s("section.grid > div.card:nth-child(3) > button")),
                        ]),
                    ),
                ]),
            ),
            18 => (
                EventType::IncrementalSnapshot,
                incremental(4, vec![("width", Value::Int(1280)), ("height", Value::Int(720 + i % 3))]),
            ),
            _ => (
                EventType::IncrementalSnapshot,
                incremental(
                    14,
                    vec![(
                        "ranges",
                        Value::Array(vec![map(vec![
                            ("start", Value::Int(60)),
                            ("startOffset", Value::Int(0)),
                            ("end", Value::Int(60)),
                            ("endOffset", Value::Int(12)),
                        ])]),
                    )],
                ),
            ),
        };
        events.push(Event::new(kind, t, data));
    }
    Batch {
        v: 1,
        site: Cow::Borrowed("shop"),
        session: Cow::Borrowed("3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f"),
        seq: 0,
        page: Page { url: Cow::Borrowed("https://shop.example/checkout?step=2"), title: None, extra: vec![] },
        viewport: Size::new(1280, 720),
        document: Some(Size::new(1280, 4100)),
        user: None,
        events,
        extra: vec![],
    }
}

fn bench(c: &mut Criterion) {
    let json = encode::to_json(&realistic_batch()).expect("encodes");
    let rules = MaskingRules::new(SiteRules {
        patterns: vec![("order_id".into(), "ORD-[0-9]{8}".into())],
        block_selectors: vec![".secret".into()],
        ..SiteRules::default()
    })
    .expect("valid rules");
    eprintln!("batch: {} bytes of JSON", json.len());

    let mut group = c.benchmark_group("mask");
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("decode", |b| {
        b.iter(|| black_box(decode::batch_from_json(black_box(&json)).expect("decodes")))
    });
    group.bench_function("decode+mask", |b| {
        b.iter(|| {
            let mut batch = decode::batch_from_json(black_box(&json)).expect("decodes");
            let report = mask_batch(&mut batch, &rules, &mut SessionState::new());
            black_box((batch, report))
        })
    });
    let default_rules = MaskingRules::default();
    group.bench_function("decode+mask (built-ins only)", |b| {
        b.iter(|| {
            let mut batch = decode::batch_from_json(black_box(&json)).expect("decodes");
            let report = mask_batch(&mut batch, &default_rules, &mut SessionState::new());
            black_box((batch, report))
        })
    });
    // The opt-in detectors on top of the site's rules: `labelled_name`
    // makes every string, digits or not, a candidate.
    let opt_in_rules = MaskingRules::new(SiteRules {
        patterns: vec![("order_id".into(), "ORD-[0-9]{8}".into())],
        block_selectors: vec![".secret".into()],
        detectors: vec!["postcode".into(), "licence_plate".into(), "labelled_name".into()],
        ..SiteRules::default()
    })
    .expect("valid rules");
    group.bench_function("decode+mask (with opt-in detectors)", |b| {
        b.iter(|| {
            let mut batch = decode::batch_from_json(black_box(&json)).expect("decodes");
            let report = mask_batch(&mut batch, &opt_in_rules, &mut SessionState::new());
            black_box((batch, report))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
