#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use veil_events::{Event, EventType, Value};

use super::*;
use crate::MAX_SELECTOR_CHARS;
use crate::testing::{batch, map, meta, rrweb_click, rrweb_scroll, s, veil_click, veil_scroll};

const T0: i64 = 1_700_000_000_000;
const URL: &str = "https://shop.example/products/12345?utm_source=mail";
const KEY: &str = "https://shop.example/products/:id";

fn run(batch: &Batch<'_>) -> Aggregation {
    aggregate(batch, &PageKeyRules::default(), &Grid::default())
}

fn only_page(result: &Aggregation) -> &BatchAggregate {
    assert_eq!(result.pages.len(), 1, "{result:#?}");
    &result.pages[0]
}

fn cell(layer: Layer, col: u32, row: u32, rage: bool, dead: bool, count: u32) -> CellCount {
    CellCount { layer, cell: Cell { col, row }, flags: ClickFlags { rage, dead }, count }
}

fn flag(name: &'static str) -> (&'static str, Value<'static>) {
    (name, Value::Bool(true))
}

#[test]
fn an_empty_batch_has_no_pages() {
    assert_eq!(run(&batch(URL, None, vec![])), Aggregation::default());
}

#[test]
fn veil_clicks_are_summed_per_cell_and_flags() {
    let events = vec![
        veil_click(T0, 640.0, 410.0, vec![]),
        veil_click(T0 + 5_000, 645.0, 415.0, vec![]),
        veil_click(T0 + 10_000, 640.0, 410.0, vec![flag("dead")]),
        veil_click(T0 + 15_000, 10.0, 4000.0, vec![]),
        veil_click(T0 + 20_000, 1280.0, 0.0, vec![flag("rage")]),
    ];
    let result = run(&batch(URL, Some((1280, 4100)), events));
    let page = only_page(&result);
    assert_eq!(page.page_key, KEY);
    assert_eq!(page.device, DeviceClass::Desktop);
    assert_eq!(page.started_ms, T0);
    assert_eq!(page.day_ms(), 1_699_920_000_000);
    assert_eq!(
        page.cells,
        vec![
            cell(Layer::Document, 0, 250, false, false, 1),
            cell(Layer::Document, 32, 25, false, false, 2),
            cell(Layer::Document, 32, 25, false, true, 1),
            cell(Layer::Document, 63, 0, true, false, 1),
        ]
    );
    assert_eq!((page.clicks, page.rage_clicks, page.dead_clicks), (5, 1, 1));
    assert!(page.elements.is_empty());
    assert!(page.invalid.is_empty());
    assert_eq!(page.scroll, None);
    assert_eq!(result.unattributed_clicks, 0);
}

#[test]
fn rage_bursts_are_detected_and_marked_on_every_member() {
    let events = vec![
        veil_click(T0, 100.0, 100.0, vec![]),
        veil_click(T0 + 300, 110.0, 100.0, vec![]),
        veil_click(T0 + 600, 125.0, 100.0, vec![]),
        // Far away in the same second: not part of it.
        veil_click(T0 + 700, 900.0, 900.0, vec![]),
        // Two more near the first, but 10 s later: not a burst.
        veil_click(T0 + 10_000, 100.0, 100.0, vec![]),
        veil_click(T0 + 10_600, 100.0, 100.0, vec![]),
    ];
    let page = run(&batch(URL, None, events)).pages.remove(0);
    assert_eq!(page.rage_clicks, 3);
    assert_eq!(page.clicks, 6);
    let rage: u32 = page.cells.iter().filter(|c| c.flags.rage).map(|c| c.count).sum();
    assert_eq!(rage, 3);
}

#[test]
fn elements_are_counted_by_selector() {
    let long = "div > ".repeat(100);
    let events = vec![
        veil_click(T0, 10.0, 10.0, vec![("selector", s("button.buy"))]),
        veil_click(T0 + 1, 10.0, 10.0, vec![("selector", s("button.buy"))]),
        veil_click(T0 + 2, 10.0, 10.0, vec![("selector", s("button.buy")), flag("dead")]),
        veil_click(T0 + 5_000, 500.0, 10.0, vec![("selector", s("a.nav"))]),
        veil_click(T0 + 6_000, 500.0, 10.0, vec![("selector", s("  "))]),
        veil_click(T0 + 7_000, 500.0, 10.0, vec![("selector", Value::Null)]),
        veil_click(T0 + 8_000, 900.0, 10.0, vec![("selector", s(long.clone()))]),
    ];
    let page = run(&batch(URL, None, events)).pages.remove(0);
    let cut: String = long.chars().take(MAX_SELECTOR_CHARS).collect();
    assert_eq!(
        page.elements,
        vec![
            ElementCount { selector: "a.nav".into(), clicks: 1, rage: 0, dead: 0 },
            ElementCount { selector: "button.buy".into(), clicks: 3, rage: 3, dead: 1 },
            ElementCount { selector: cut, clicks: 1, rage: 0, dead: 0 },
        ]
    );
    assert_eq!(page.clicks, 7);
}

#[test]
fn fixed_clicks_are_kept_apart_in_viewport_coordinates() {
    let events = vec![
        veil_scroll(T0, 2000, 4100, 720),
        // A sticky header clicked after scrolling 2000 px: document y 2030
        // is viewport y 30.
        veil_click(T0 + 100, 640.0, 2030.0, vec![flag("fixed")]),
        veil_click(T0 + 5_000, 640.0, 2030.0, vec![]),
        // Outside the viewport for the scroll position known.
        veil_click(T0 + 9_000, 640.0, 100.0, vec![flag("fixed")]),
    ];
    let page = run(&batch(URL, None, events)).pages.remove(0);
    assert_eq!(
        page.cells,
        vec![cell(Layer::Document, 32, 126, false, false, 1), cell(Layer::Fixed, 32, 1, false, false, 1)]
    );
    assert_eq!(page.invalid, vec![(InvalidReason::OutsideViewport, 1)]);
    assert_eq!(page.scroll.map(|d| d.bucket()), Some(13));
}

#[test]
fn invalid_inputs_are_counted_by_reason() {
    let bad_scroll = Event::new(
        EventType::Custom,
        T0 + 7,
        map(vec![("tag", s("veil.scroll")), ("payload", map(vec![("y", Value::Int(1))]))]),
    );
    let events = vec![
        veil_click(T0, 10.0, 10.0, vec![]),
        veil_click(T0 + 1, -10.0, 10.0, vec![]),
        veil_click(T0 + 2, 10.0, 200_000.0, vec![]),
        veil_click(T0 + 3, 10.0, 10.0, vec![("rage", s("yes"))]),
        Event::new(EventType::Custom, T0 + 4, map(vec![("tag", s("veil.click"))])),
        veil_click(T0 + 5, 10.0, 10.0, vec![("x", Value::Null)]),
        veil_click(T0 + 6, 10.0, 10.0, vec![("x", Value::Null)]),
        bad_scroll,
        // Not heatmap input: ignored, not counted.
        Event::new(EventType::Custom, T0 + 8, map(vec![("tag", s("veil.identify"))])),
    ];
    let page = run(&batch(URL, None, events)).pages.remove(0);
    assert_eq!(page.clicks, 1);
    assert_eq!(
        page.invalid,
        vec![
            (InvalidReason::NoPayload, 1),
            (InvalidReason::MissingField, 3),
            (InvalidReason::WrongType, 1),
            (InvalidReason::OutOfRange, 1),
            (InvalidReason::TooDeep, 1),
        ]
    );
}

/// A FullSnapshot whose document node has `id`, scrolled to `top`, with a
/// button `#buy` (node 70) inside.
fn snapshot(t: i64, id: i64, top: i64) -> Event<'static> {
    let button = map(vec![
        ("type", Value::Int(2)),
        ("id", Value::Int(70)),
        ("tagName", s("button")),
        ("attributes", map(vec![("id", s("buy")), ("class", s("btn primary"))])),
        ("childNodes", Value::Array(vec![])),
    ]);
    let node =
        map(vec![("type", Value::Int(0)), ("id", id.into()), ("childNodes", Value::Array(vec![button]))]);
    let offset = map(vec![("left", Value::Int(0)), ("top", top.into())]);
    Event::new(EventType::FullSnapshot, t, map(vec![("node", node), ("initialOffset", offset)]))
}

#[test]
fn rrweb_clicks_are_derived_with_the_document_scroll() {
    let events = vec![
        meta(T0, URL),
        snapshot(T0 + 1, 1, 0),
        rrweb_click(T0 + 100, 70, 640, 400),
        rrweb_scroll(T0 + 200, 1, 1000),
        // An element scrolling does not move the page.
        rrweb_scroll(T0 + 250, 33, 5000),
        rrweb_click(T0 + 300, 70, 640, 400),
        // A click on a node the batch does not describe has no selector.
        rrweb_click(T0 + 5_000, 99, 0, 0),
        // Other interactions are not clicks.
        Event::new(
            EventType::IncrementalSnapshot,
            T0 + 6_000,
            map(vec![
                ("source", Value::Int(2)),
                ("type", Value::Int(5)),
                ("id", Value::Int(70)),
                ("x", Value::Int(1)),
                ("y", Value::Int(1)),
            ]),
        ),
    ];
    let result = run(&batch(URL, Some((1280, 4000)), events));
    let page = only_page(&result);
    assert_eq!(
        page.cells,
        vec![
            cell(Layer::Document, 0, 62, false, false, 1),
            cell(Layer::Document, 32, 25, false, false, 1),
            cell(Layer::Document, 32, 87, false, false, 1),
        ]
    );
    assert_eq!(
        page.elements,
        vec![ElementCount { selector: "button#buy.btn.primary".into(), clicks: 2, rage: 0, dead: 0 }]
    );
    // (1000 + 720) / 4000.
    assert_eq!(page.scroll.map(|d| d.fraction()), Some(0.43));
}

#[test]
fn a_stock_rrweb_session_carries_scroll_and_selectors_across_batches() {
    let grid = Grid::default();
    let rules = PageKeyRules::default();
    let mut context = crate::SessionContext::default();
    // Batch 0: the page, its snapshot, a scroll; no click yet.
    let first = batch(
        URL,
        Some((1280, 4000)),
        vec![meta(T0, URL), snapshot(T0 + 1, 1, 0), rrweb_scroll(T0 + 200, 1, 1000)],
    );
    let result = crate::aggregate_in(&first, &rules, &grid, &mut context);
    assert_eq!(result.pages[0].clicks, 0);
    assert_eq!(context.known_nodes(), 1, "the button is learned");
    // Batch 1: a click on the button, 400 px down the viewport, after the
    // scroll of batch 0: document row (1000 + 400) / 16.
    let second = batch(URL, Some((1280, 4000)), vec![rrweb_click(T0 + 5_000, 70, 640, 400)]);
    let result = crate::aggregate_in(&second, &rules, &grid, &mut context);
    let page = only_page(&result);
    assert_eq!(page.cells, vec![cell(Layer::Document, 32, 87, false, false, 1)]);
    assert_eq!(
        page.elements,
        vec![ElementCount { selector: "button#buy.btn.primary".into(), clicks: 1, rage: 0, dead: 0 }]
    );
    // Without the context (each batch alone) the click is placed at the top
    // and unnamed: what the server did before.
    let alone = run(&second);
    assert_eq!(only_page(&alone).cells, vec![cell(Layer::Document, 32, 25, false, false, 1)]);
    assert!(only_page(&alone).elements.is_empty());
    // A page load (a new FullSnapshot) forgets the old document's nodes.
    let reload = batch(URL, Some((1280, 4000)), vec![meta(T0 + 9_000, URL), snapshot(T0 + 9_001, 1, 0)]);
    let _ = crate::aggregate_in(&reload, &rules, &grid, &mut context);
    let third = batch(URL, Some((1280, 4000)), vec![rrweb_click(T0 + 9_500, 70, 640, 400)]);
    let result = crate::aggregate_in(&third, &rules, &grid, &mut context);
    assert_eq!(
        only_page(&result).cells,
        vec![cell(Layer::Document, 32, 25, false, false, 1)],
        "scroll reset"
    );
}

#[test]
fn a_veil_recorder_session_learns_no_nodes() {
    let mut context = crate::SessionContext::default();
    let first = batch(URL, Some((1280, 4000)), vec![veil_click(T0, 10.0, 10.0, vec![])]);
    let _ = crate::aggregate_in(&first, &PageKeyRules::default(), &Grid::default(), &mut context);
    let second = batch(URL, Some((1280, 4000)), vec![meta(T0 + 1, URL), snapshot(T0 + 2, 1, 0)]);
    let _ = crate::aggregate_in(&second, &PageKeyRules::default(), &Grid::default(), &mut context);
    assert_eq!(context.known_nodes(), 0);
    // Its first batch: the snapshot with the start's `veil.scroll` reading.
    let mut fresh = crate::SessionContext::default();
    let first = batch(
        URL,
        Some((1280, 4000)),
        vec![meta(T0, URL), snapshot(T0 + 1, 1, 0), veil_scroll(T0 + 2, 0, 4000, 720)],
    );
    let _ = crate::aggregate_in(&first, &PageKeyRules::default(), &Grid::default(), &mut fresh);
    assert_eq!(fresh.known_nodes(), 0);
}

#[test]
fn the_document_node_comes_from_the_snapshot() {
    let events = vec![
        snapshot(T0, 5, 300),
        rrweb_scroll(T0 + 1, 1, 3000),
        rrweb_click(T0 + 2, 70, 0, 100),
        rrweb_scroll(T0 + 3, 5, 600),
        rrweb_click(T0 + 4, 70, 0, 100),
    ];
    let page = run(&batch(URL, None, events)).pages.remove(0);
    // 300 + 100 = 400 → row 25; 600 + 100 = 700 → row 43. Without a
    // document size there is no depth from rrweb events, and columns are
    // relative to the viewport.
    assert_eq!(
        page.cells,
        vec![cell(Layer::Document, 0, 25, false, false, 1), cell(Layer::Document, 0, 43, false, false, 1)]
    );
    assert_eq!(page.scroll, None);
}

#[test]
fn rrweb_clicks_are_ignored_when_the_batch_has_veil_clicks() {
    let events = vec![
        rrweb_click(T0, 70, 640, 400),
        veil_click(T0 + 1, 640.0, 400.0, vec![]),
        rrweb_click(T0 + 2, 70, 640, 400),
    ];
    let page = run(&batch(URL, None, events)).pages.remove(0);
    assert_eq!(page.clicks, 1);
    assert!(page.elements.is_empty());
}

#[test]
fn route_changes_split_the_batch_into_page_views() {
    let events = vec![
        veil_click(T0, 10.0, 10.0, vec![]),
        // The same page again (an rrweb re-snapshot): no split.
        meta(T0 + 1, "https://shop.example/products/12345"),
        veil_click(T0 + 2, 10.0, 10.0, vec![]),
        meta(T0 + 10, "https://shop.example/cart"),
        veil_scroll(T0 + 11, 0, 1440, 720),
        veil_click(T0 + 12, 10.0, 10.0, vec![("url", s("https://shop.example/products/777"))]),
        veil_click(T0 + 13, 10.0, 10.0, vec![]),
        // A page without a key: counted, not attributed.
        meta(T0 + 20, "about:blank"),
        veil_click(T0 + 21, 10.0, 10.0, vec![]),
        veil_click(T0 + 22, -1.0, 10.0, vec![]),
        veil_click(T0 + 23, 10.0, 10.0, vec![("href", s("https://shop.example/cart/"))]),
        // A route URL of the wrong type is not a navigation.
        veil_click(T0 + 24, 10.0, 10.0, vec![("url", Value::Int(5))]),
    ];
    let result = run(&batch(URL, None, events));
    let summary: Vec<(&str, i64, u32, Option<u8>)> = result
        .pages
        .iter()
        .map(|p| (p.page_key.as_str(), p.started_ms, p.clicks, p.scroll.map(|d| d.pct())))
        .collect();
    assert_eq!(
        summary,
        vec![
            (KEY, T0, 2, None),
            ("https://shop.example/cart", T0 + 10, 0, Some(50)),
            (KEY, T0 + 12, 2, None),
            ("https://shop.example/cart", T0 + 23, 2, None),
        ]
    );
    assert_eq!(result.unattributed_clicks, 2);
}

#[test]
fn a_batch_starting_with_a_navigation_has_no_empty_segment() {
    let events = vec![meta(T0, "https://shop.example/cart"), veil_click(T0 + 1, 1.0, 1.0, vec![])];
    let result = run(&batch(URL, None, events));
    assert_eq!(only_page(&result).page_key, "https://shop.example/cart");
}

/// Name, document size, events, expected depth in percent.
type DepthCase = (&'static str, Option<(u32, u32)>, Vec<Event<'static>>, Option<u8>);

#[test]
fn scroll_depth_is_the_deepest_reading() {
    let cases: Vec<DepthCase> = vec![
        ("nothing", Some((1280, 4000)), vec![veil_click(T0, 1.0, 1.0, vec![])], None),
        (
            "veil.scroll",
            None,
            vec![veil_scroll(T0, 0, 4000, 800), veil_scroll(T0 + 1, 1200, 4000, 800)],
            Some(50),
        ),
        (
            "max, not last",
            None,
            vec![veil_scroll(T0, 3200, 4000, 800), veil_scroll(T0 + 1, 0, 4000, 800)],
            Some(100),
        ),
        ("page load view", Some((1280, 7200)), vec![snapshot(T0, 1, 0)], Some(10)),
        ("rrweb scroll", Some((1280, 7200)), vec![rrweb_scroll(T0, 1, 2880)], Some(50)),
        ("rrweb without a document size", None, vec![rrweb_scroll(T0, 1, 2880)], None),
        ("short page", Some((1280, 500)), vec![rrweb_scroll(T0, 1, 0)], Some(100)),
    ];
    for (name, document, events, pct) in cases {
        let result = run(&batch(URL, document, events));
        assert_eq!(only_page(&result).scroll.map(|d| d.pct()), pct, "{name}");
    }
}

#[test]
fn device_class_follows_the_viewport() {
    for (width, device) in
        [(375, DeviceClass::Mobile), (820, DeviceClass::Tablet), (1920, DeviceClass::Desktop)]
    {
        let mut b = batch(URL, None, vec![veil_click(T0, 1.0, 1.0, vec![])]);
        b.viewport.w = width;
        assert_eq!(only_page(&run(&b)).device, device);
    }
}

#[test]
fn grouping_rules_and_grids_are_applied() {
    let rules = PageKeyRules::new(
        vec![],
        vec![(r"^https://shop\.example/products/.*$".into(), "https://shop.example/products/*".into())],
    )
    .unwrap();
    let grid = Grid::new(10, 100).unwrap();
    let result = aggregate(&batch(URL, None, vec![veil_click(T0, 640.0, 410.0, vec![])]), &rules, &grid);
    let page = only_page(&result);
    assert_eq!(page.page_key, "https://shop.example/products/*");
    assert_eq!(page.cells, vec![cell(Layer::Document, 5, 4, false, false, 1)]);
}

#[test]
fn day_boundaries_are_utc() {
    let at = |t: i64| run(&batch(URL, None, vec![veil_click(t, 1.0, 1.0, vec![])])).pages.remove(0).day_ms();
    assert_eq!(at(86_400_000), 86_400_000);
    assert_eq!(at(86_399_999), 0);
    assert_eq!(at(-1), -86_400_000);
}

fn any_value() -> impl Strategy<Value = Value<'static>> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-100i64..5000).prop_map(Value::Int),
        (-100.0..5000.0f64).prop_map(Value::Float),
        Just(Value::Float(f64::NAN)),
        Just(Value::Int(250_000)),
        "[a-z .>#]{0,12}".prop_map(Value::from),
    ]
}

fn any_click() -> impl Strategy<Value = Event<'static>> {
    let keys = ["x", "y", "w", "h", "vw", "vh", "fixed", "rage", "dead", "selector", "vx", "vy"];
    let fields = proptest::collection::vec((0..keys.len(), any_value()), 0..12);
    (0i64..5000, fields).prop_map(move |(t, fields)| {
        let mut payload: Vec<(&'static str, Value<'static>)> = vec![];
        for (k, v) in fields {
            payload.retain(|(key, _)| *key != keys[k]);
            payload.push((keys[k], v));
        }
        Event::new(EventType::Custom, T0 + t, map(vec![("tag", s("veil.click")), ("payload", map(payload))]))
    })
}

proptest! {
    /// Every click event is either placed in exactly one cell or counted
    /// invalid, and the totals agree with the cells.
    #[test]
    fn every_click_is_accounted_for(events in proptest::collection::vec(any_click(), 1..40)) {
        let n = events.len() as u32;
        let result = run(&batch(URL, Some((1280, 4000)), events));
        let page = only_page(&result);
        let in_cells: u32 = page.cells.iter().map(|c| c.count).sum();
        let invalid: u32 = page.invalid.iter().map(|(_, count)| count).sum();
        prop_assert_eq!(in_cells, page.clicks);
        prop_assert_eq!(page.clicks + invalid, n);
        let rage: u32 = page.cells.iter().filter(|c| c.flags.rage).map(|c| c.count).sum();
        let dead: u32 = page.cells.iter().filter(|c| c.flags.dead).map(|c| c.count).sum();
        prop_assert_eq!((rage, dead), (page.rage_clicks, page.dead_clicks));
        prop_assert!(page.elements.iter().map(|e| e.clicks).sum::<u32>() <= page.clicks);
        for c in &page.cells {
            prop_assert!(c.cell.col < Grid::default().cols() && c.cell.row < Grid::default().max_rows());
        }
    }
}

fn form_event(t: i64, payload: Vec<(&'static str, Value<'static>)>) -> Event<'static> {
    Event::new(EventType::Custom, t, map(vec![("tag", s("veil.form")), ("payload", map(payload))]))
}

#[test]
fn form_events_are_kept_per_page_view_in_order_and_bad_ones_counted() {
    let events = vec![
        form_event(
            T0,
            vec![
                ("action", s("field")),
                ("form", s("form#checkout")),
                ("field", s("input#email")),
                ("index", Value::Int(0)),
                ("ms", Value::Int(3100)),
                flag("refill"),
            ],
        ),
        form_event(T0 + 10, vec![("action", s("field")), ("field", s("input#email"))]),
        meta(T0 + 20, "https://shop.example/thanks"),
        form_event(T0 + 30, vec![("action", s("submit")), ("form", s("form#newsletter"))]),
    ];
    let result = run(&batch(URL, Some((1280, 4100)), events));
    assert_eq!(result.pages.len(), 2, "{result:#?}");
    let checkout = &result.pages[0];
    assert_eq!(
        checkout.forms,
        vec![crate::forms::FormEvent {
            form: "form#checkout".into(),
            field: "input#email".into(),
            position: 0,
            action: crate::forms::FormAction::Field { ms: 3100, refill: true, error: false },
        }]
    );
    assert_eq!(checkout.invalid, vec![(InvalidReason::MissingField, 1)], "the event without index and ms");
    let thanks = &result.pages[1];
    assert_eq!(thanks.page_key, "https://shop.example/thanks");
    assert_eq!(thanks.forms.len(), 1);
    assert_eq!(thanks.forms[0].action, crate::forms::FormAction::Submit);
}

#[test]
fn signals_name_the_page_that_showed_them() {
    let rules = PageKeyRules::default();
    let mut context = SessionContext::default();
    let list = "https://shop.example/list";
    let item = "https://shop.example/item";
    // Batch 0: the list, then the item (an SPA route) with a rage burst.
    let first = batch(
        list,
        Some((1280, 4100)),
        vec![
            meta(T0, list),
            meta(T0 + 20_000, item),
            veil_click(T0 + 20_100, 640.0, 410.0, vec![]),
            veil_click(T0 + 20_200, 641.0, 411.0, vec![]),
            veil_click(T0 + 20_300, 642.0, 412.0, vec![flag("dead")]),
        ],
    );
    let result = aggregate_in(&first, &rules, &Grid::default(), &mut context);
    let signals: Vec<(&str, Signal, u32)> =
        result.signals.iter().map(|s| (s.page_key.as_str(), s.signal, s.count)).collect();
    assert_eq!(signals, vec![(item, Signal::RageClicks, 3), (item, Signal::DeadClicks, 1)]);
    // Batch 1: back on the list 4 s after arriving on the item, then
    // scrolling the list up and down four document heights.
    let mut events = vec![meta(T0 + 24_000, list)];
    for step in 0..9 {
        let y = if step % 2 == 0 { 3380 } else { 0 };
        events.push(veil_scroll(T0 + 25_000 + step * 500, y, 4100, 720));
    }
    let second = batch(item, Some((1280, 4100)), events);
    let result = aggregate_in(&second, &rules, &Grid::default(), &mut context);
    let signals: Vec<(&str, Signal, u32)> =
        result.signals.iter().map(|s| (s.page_key.as_str(), s.signal, s.count)).collect();
    assert_eq!(
        signals,
        vec![(item, Signal::QuickBack, 1), (list, Signal::ExcessiveScrolling, 1)],
        "{result:#?}"
    );
}
