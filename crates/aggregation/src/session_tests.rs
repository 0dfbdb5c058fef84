#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use veil_events::{Event, EventType, Value};

use super::*;
use crate::aggregate::{Aggregation, aggregate};
use crate::page_key::{ID_PLACEHOLDER, looks_like_id};
use crate::testing::{batch, map, meta, rrweb_click, s, veil_click, veil_scroll};

const T0: i64 = 1_700_000_000_000;
const URL: &str = "https://shop.example/products/12345?utm_source=mail";
const KEY: &str = "https://shop.example/products/:id";
const CART: &str = "https://shop.example/cart";

fn run(batch: &Batch<'_>) -> SessionSummary {
    summarize(batch, &PageKeyRules::default())
}

/// An rrweb IncrementalSnapshot of `source` at `t`, with a position so that
/// clicks and scrolls read as valid.
fn incremental(t: i64, source: i64) -> Event<'static> {
    let data = map(vec![
        ("source", source.into()),
        ("id", Value::Int(1)),
        ("x", Value::Int(10)),
        ("y", Value::Int(10)),
    ]);
    Event::new(EventType::IncrementalSnapshot, t, data)
}

/// A mouse move at `t`.
fn mouse_move(t: i64) -> Event<'static> {
    incremental(t, 1)
}

/// A custom event tagged `tag`.
fn custom(t: i64, tag: &str) -> Event<'static> {
    Event::new(EventType::Custom, t, map(vec![("tag", s(tag)), ("payload", map(vec![]))]))
}

/// An rrweb console plugin event of `level`.
fn console(t: i64, plugin: &str, level: Value<'static>) -> Event<'static> {
    let payload = map(vec![("level", level), ("payload", Value::Array(vec![s("\"boom\"")]))]);
    Event::new(EventType::Plugin, t, map(vec![("plugin", s(plugin)), ("payload", payload)]))
}

fn flag(name: &'static str) -> (&'static str, Value<'static>) {
    (name, Value::Bool(true))
}

#[test]
fn an_empty_batch_has_only_its_entry_page() {
    let summary = run(&batch(URL, None, vec![]));
    let expected = SessionSummary {
        page_keys: vec![KEY.into()],
        entry_page: KEY.into(),
        device: DeviceClass::Desktop,
        first_ts: 0,
        last_ts: 0,
        active_ms: 0,
        clicks: 0,
        rage_clicks: 0,
        dead_clicks: 0,
        errors: 0,
    };
    assert_eq!(summary, expected);

    let nowhere = run(&batch("about:blank", None, vec![]));
    assert!(nowhere.page_keys.is_empty());
    assert_eq!(nowhere.entry_page, "");
}

/// Name, envelope URL, events, expected page keys.
type PagesCase = (&'static str, &'static str, Vec<Event<'static>>, Vec<&'static str>);

#[test]
fn pages_are_listed_in_order_of_first_visit() {
    let href_not_a_string = Event::new(EventType::Meta, T0 + 1, map(vec![("href", Value::Int(5))]));
    let cases: Vec<PagesCase> = vec![
        ("envelope only", URL, vec![mouse_move(T0)], vec![KEY]),
        (
            "rrweb repeats the page",
            URL,
            vec![meta(T0, URL), meta(T0 + 1, "https://SHOP.example/products/12345/")],
            vec![KEY],
        ),
        (
            "single-page navigation, back and forth",
            URL,
            vec![meta(T0, URL), meta(T0 + 1, CART), meta(T0 + 2, "https://shop.example/products/777")],
            vec![KEY, CART],
        ),
        ("a batch cut after the route changed", URL, vec![meta(T0, CART)], vec![KEY, CART]),
        (
            "veil payload routes, as heatmaps split them",
            URL,
            vec![
                veil_click(T0, 1.0, 1.0, vec![("url", s("https://shop.example/checkout?step=2"))]),
                veil_scroll(T0 + 1, 0, 4000, 720),
            ],
            vec![KEY, "https://shop.example/checkout"],
        ),
        (
            "pages without a key are left out",
            "about:blank",
            vec![meta(T0, "about:blank"), meta(T0 + 1, CART), meta(T0 + 2, "ftp://shop.example/")],
            vec![CART],
        ),
        (
            "ids and e-mails never reach the index",
            "https://shop.example/account/jane%40example.com/orders/12345?token=abc#top",
            vec![meta(T0, "https://shop.example/account/joe@example.org/orders/99")],
            vec!["https://shop.example/account/:id/orders/:id"],
        ),
        (
            "hash routes",
            "https://app.example/#/orders/7",
            vec![meta(T0, "https://app.example/#!/settings")],
            vec!["https://app.example/orders/:id", "https://app.example/settings"],
        ),
        ("an href that is not a string", URL, vec![href_not_a_string], vec![KEY]),
    ];
    for (name, url, events, expected) in cases {
        let summary = run(&batch(url, None, events));
        assert_eq!(summary.page_keys, expected, "{name}");
        assert_eq!(summary.entry_page, expected.first().copied().unwrap_or_default(), "{name}");
    }
}

#[test]
fn pages_follow_the_site_grouping_rules() {
    let rules = PageKeyRules::new(
        vec![],
        vec![(r"^https://shop\.example/products/.*$".into(), "https://shop.example/products/*".into())],
    )
    .unwrap();
    let events = vec![meta(T0, "https://shop.example/products/blue-shoe"), meta(T0 + 1, CART)];
    let summary = summarize(&batch(URL, None, events), &rules);
    assert_eq!(summary.page_keys, vec!["https://shop.example/products/*", CART]);
}

/// Name, events, expected active ms.
type ActiveCase = (&'static str, Vec<Event<'static>>, u64);

#[test]
fn active_time_counts_gaps_up_to_five_seconds() {
    let every_kind: Vec<Event<'static>> = [1, 2, 3, 4, 5, 6, 12]
        .into_iter()
        .enumerate()
        .map(|(i, source)| incremental(T0 + 1_000 * i as i64, source))
        .chain([veil_click(T0 + 7_000, 1.0, 1.0, vec![]), veil_scroll(T0 + 8_000, 0, 4000, 720)])
        .collect();
    let cases: Vec<ActiveCase> = vec![
        ("nothing", vec![], 0),
        ("no interactions", vec![meta(T0, URL), incremental(T0 + 1_000, 0), custom(T0 + 2_000, "x")], 0),
        ("a lone interaction", vec![meta(T0, URL), mouse_move(T0 + 1_000), meta(T0 + 9_000, URL)], 0),
        (
            "short gaps count in full",
            vec![mouse_move(T0), mouse_move(T0 + 1_000), mouse_move(T0 + 3_000)],
            3_000,
        ),
        ("a gap of exactly 5 s", vec![mouse_move(T0), mouse_move(T0 + 5_000)], 5_000),
        ("a gap just over 5 s", vec![mouse_move(T0), mouse_move(T0 + 5_001)], 5_000),
        (
            "long gaps count 5 s",
            vec![mouse_move(T0), mouse_move(T0 + 60_000), mouse_move(T0 + 61_000)],
            6_000,
        ),
        ("every interaction kind", every_kind, 8_000),
        (
            "mutations, media and style changes are not the visitor",
            vec![
                mouse_move(T0),
                incremental(T0 + 1_000, 0),
                incremental(T0 + 2_000, 7),
                incremental(T0 + 3_000, 8),
                incremental(T0 + 4_000, 13),
                mouse_move(T0 + 20_000),
            ],
            5_000,
        ),
        (
            "clocks that jump back are sorted",
            vec![mouse_move(T0 + 3_000), mouse_move(T0), mouse_move(T0 + 1_000)],
            3_000,
        ),
        ("equal timestamps add nothing", vec![mouse_move(T0), mouse_move(T0), mouse_move(T0)], 0),
        ("extreme timestamps", vec![mouse_move(i64::MIN), mouse_move(i64::MAX)], 5_000),
    ];
    for (name, events, expected) in cases {
        let summary = run(&batch(URL, None, events));
        assert_eq!(summary.active_ms, expected, "{name}");
        let duration = i128::from(summary.last_ts) - i128::from(summary.first_ts);
        assert!(i128::from(summary.active_ms) <= duration, "{name}");
    }
}

#[test]
fn first_and_last_are_the_earliest_and_latest_events() {
    let events = vec![meta(T0 + 500, URL), mouse_move(T0), custom(T0 + 9_000, "x"), mouse_move(T0 + 2_000)];
    let summary = run(&batch(URL, None, events));
    assert_eq!((summary.first_ts, summary.last_ts), (T0, T0 + 9_000));
}

/// The heatmap's totals over its pages: clicks, rage, dead.
fn heatmap_totals(result: &Aggregation) -> (u32, u32, u32) {
    result
        .pages
        .iter()
        .fold((0, 0, 0), |(c, r, d), page| (c + page.clicks, r + page.rage_clicks, d + page.dead_clicks))
}

/// Name, events, expected clicks, rage clicks and dead clicks.
type ClicksCase = (&'static str, Vec<Event<'static>>, (u32, u32, u32));

#[test]
fn clicks_are_the_heatmaps_clicks() {
    let from_veil = vec![
        veil_click(T0, 100.0, 100.0, vec![]),
        veil_click(T0 + 300, 110.0, 100.0, vec![]),
        veil_click(T0 + 600, 125.0, 100.0, vec![flag("dead")]),
        veil_click(T0 + 5_000, 900.0, 900.0, vec![flag("dead")]),
        veil_click(T0 + 9_000, 10.0, 10.0, vec![flag("rage")]),
        // rrweb clicks are ignored when the batch has veil.click.
        rrweb_click(T0 + 9_100, 70, 10, 10),
        rrweb_click(T0 + 9_200, 70, 10, 10),
        rrweb_click(T0 + 9_300, 70, 10, 10),
        // A burst split by a route change is not a burst.
        veil_click(T0 + 9_400, 500.0, 500.0, vec![]),
        meta(T0 + 9_450, CART),
        veil_click(T0 + 9_500, 500.0, 500.0, vec![]),
        veil_click(T0 + 9_600, 500.0, 500.0, vec![]),
    ];
    let from_rrweb = vec![
        meta(T0, URL),
        rrweb_click(T0 + 100, 70, 640, 400),
        rrweb_click(T0 + 300, 70, 645, 402),
        rrweb_click(T0 + 500, 70, 650, 400),
        rrweb_click(T0 + 5_000, 71, 10, 10),
        // Not clicks.
        incremental(T0 + 6_000, 1),
        custom(T0 + 7_000, "veil.scroll"),
    ];
    let cases: Vec<ClicksCase> =
        vec![("veil.click", from_veil, (8, 4, 2)), ("rrweb MouseInteraction", from_rrweb, (4, 3, 0))];
    for (name, events, expected) in cases {
        let b = batch(URL, Some((1280, 4100)), events);
        let summary = run(&b);
        let heatmap = aggregate(&b, &PageKeyRules::default(), &Grid::default());
        assert_eq!(heatmap_totals(&heatmap), expected, "{name}: the expectation itself");
        assert_eq!((summary.clicks, summary.rage_clicks, summary.dead_clicks), expected, "{name}");
    }
}

#[test]
fn clicks_the_heatmap_refuses_still_count() {
    let events = vec![
        veil_click(T0, 10.0, 10.0, vec![]),
        // Refused by the heatmap: no position, too deep, a malformed flag.
        veil_click(T0 + 1, -10.0, 10.0, vec![flag("rage"), flag("dead")]),
        veil_click(T0 + 2, 10.0, 200_000.0, vec![flag("dead")]),
        veil_click(T0 + 3, 10.0, 10.0, vec![("dead", s("yes"))]),
        Event::new(EventType::Custom, T0 + 4, map(vec![("tag", s("veil.click"))])),
        // On a page without a key: not in any heatmap, but a rage burst.
        meta(T0 + 10_000, "about:blank"),
        veil_click(T0 + 10_001, 50.0, 50.0, vec![]),
        veil_click(T0 + 10_002, 50.0, 50.0, vec![]),
        veil_click(T0 + 10_003, 50.0, 50.0, vec![flag("dead")]),
    ];
    let b = batch(URL, None, events);
    let heatmap = aggregate(&b, &PageKeyRules::default(), &Grid::default());
    assert_eq!(heatmap_totals(&heatmap), (1, 0, 0));
    assert_eq!(heatmap.unattributed_clicks, 3);
    let summary = run(&b);
    assert_eq!((summary.clicks, summary.rage_clicks, summary.dead_clicks), (8, 3, 1));
}

#[test]
fn errors_are_counted() {
    let cases: Vec<(&str, Event<'static>, u32)> = vec![
        ("console error", console(T0, "rrweb/console@1", s("error")), 1),
        ("console warning", console(T0, "rrweb/console@1", s("warn")), 0),
        ("console log", console(T0, "rrweb/console@1", s("log")), 0),
        ("level of the wrong case", console(T0, "rrweb/console@1", s("ERROR")), 0),
        ("level not a string", console(T0, "rrweb/console@1", Value::Int(3)), 0),
        ("another plugin", console(T0, "rrweb/network@1", s("error")), 0),
        ("plugin without a payload", Event::new(EventType::Plugin, T0, map(vec![("plugin", s("x"))])), 0),
        ("veil.error", custom(T0, "veil.error"), 1),
        ("error", custom(T0, "error"), 1),
        ("another custom tag", custom(T0, "veil.identify"), 0),
        ("a tag on the wrong event type", Event::new(EventType::Meta, T0, map(vec![("tag", s("error"))])), 0),
    ];
    for (name, event, expected) in cases {
        assert_eq!(run(&batch(URL, None, vec![event])).errors, expected, "{name}");
    }
    let many = vec![
        console(T0, "rrweb/console@1", s("error")),
        custom(T0 + 1, "veil.error"),
        console(T0 + 2, "rrweb/console@1", s("info")),
        custom(T0 + 3, "error"),
    ];
    assert_eq!(run(&batch(URL, None, many)).errors, 3);
}

#[test]
fn device_class_is_the_heatmaps() {
    for (width, device) in [
        (0, DeviceClass::Mobile),
        (375, DeviceClass::Mobile),
        (820, DeviceClass::Tablet),
        (1920, DeviceClass::Desktop),
    ] {
        let mut b = batch(URL, None, vec![veil_click(T0, 1.0, 1.0, vec![])]);
        b.viewport.w = width;
        assert_eq!(run(&b).device, device, "{width}");
        let heatmap = aggregate(&b, &PageKeyRules::default(), &Grid::default());
        assert_eq!(heatmap.pages[0].device, device, "{width}");
    }
}

/// Path segments the generated URLs are made of: pages, ids, e-mails and
/// numbers, some percent-encoded.
const SEGMENTS: [&str; 8] =
    ["cart", "orders", "12345", "jane@example.com", "jane%40example.com", "ORD-12345678", "", "p"];

fn any_href() -> impl Strategy<Value = String> {
    let segment = (0..SEGMENTS.len()).prop_map(|i| SEGMENTS[i]);
    let scheme =
        prop_oneof![Just("https://shop.example/"), Just("http://Shop.Example/"), Just("about:blank")];
    (scheme, proptest::collection::vec(segment, 0..4))
        .prop_map(|(scheme, segments)| format!("{scheme}{}", segments.join("/")))
}

fn any_event() -> impl Strategy<Value = Event<'static>> {
    let t = -5_000i64..60_000;
    prop_oneof![
        (t.clone(), any_href()).prop_map(|(t, href)| meta(T0 + t, &href)),
        (t.clone(), 0i64..17).prop_map(|(t, source)| incremental(T0 + t, source)),
        (t.clone(), 0.0..300.0f64, 0.0..300.0f64, any::<bool>(), any::<bool>()).prop_map(
            |(t, x, y, rage, dead)| veil_click(
                T0 + t,
                x,
                y,
                vec![("rage", Value::Bool(rage)), ("dead", Value::Bool(dead))]
            )
        ),
        (t.clone(), 0i64..100, 0i64..100).prop_map(|(t, x, y)| rrweb_click(T0 + t, 70, x, y)),
        t.clone().prop_map(|t| console(T0 + t, "rrweb/console@1", s("error"))),
        t.prop_map(|t| custom(T0 + t, "veil.error")),
    ]
}

proptest! {
    #[test]
    fn summaries_keep_their_promises(
        url in any_href(),
        events in proptest::collection::vec(any_event(), 0..60),
    ) {
        let n = events.len() as u64;
        let b = batch(&url, None, events);
        let summary = run(&b);

        let duration = i128::from(summary.last_ts) - i128::from(summary.first_ts);
        prop_assert!(duration >= 0);
        prop_assert!(i128::from(summary.active_ms) <= duration);
        prop_assert!(u64::from(summary.clicks) <= n);
        prop_assert!(summary.rage_clicks <= summary.clicks);
        prop_assert!(summary.dead_clicks <= summary.clicks);
        prop_assert!(u64::from(summary.errors) <= n);

        let distinct: HashSet<&String> = summary.page_keys.iter().collect();
        prop_assert_eq!(distinct.len(), summary.page_keys.len());
        prop_assert_eq!(summary.page_keys.first().cloned().unwrap_or_default(), summary.entry_page.clone());
        for key in &summary.page_keys {
            let path = key.strip_prefix("https://shop.example").or_else(|| key.strip_prefix("http://shop.example"));
            prop_assert!(path.is_some(), "{}", key);
            for segment in path.unwrap_or_default().split('/') {
                prop_assert!(!segment.contains('@') && !segment.contains("%40"), "{}", key);
                prop_assert!(segment == ID_PLACEHOLDER || !looks_like_id(segment), "{}", key);
            }
        }

        // Placed clicks are the heatmap's.
        let heatmap = aggregate(&b, &PageKeyRules::default(), &Grid::default());
        // Reading the page views once for both gives both the same.
        let (together, together_summary) =
            crate::aggregate::aggregate_and_summarize(&b, &PageKeyRules::default(), &Grid::default());
        prop_assert_eq!(&together, &heatmap);
        prop_assert_eq!(&together_summary, &summary);
        let (placed, rage, dead) = heatmap_totals(&heatmap);
        prop_assert!(placed + heatmap.unattributed_clicks <= summary.clicks);
        prop_assert!(rage <= summary.rage_clicks && dead <= summary.dead_clicks);
    }
}
