//! Insights end to end (issue 15): sessions made here show rage and dead
//! clicks, a quick back and excessive scrolling on known pages, over
//! several batches; `GET /v1/sites/{site}/insights` must rank exactly
//! those, per page, with the sessions that showed them. A visitor who
//! granted heatmaps but not recording leaves no signal (insights name
//! sessions), `k_min` hides signals of too few visitors, and an erasure
//! removes a visitor's signals.

#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::server_with_k_min;
use common::{ADMIN_KEY, ANALYST_KEY, api, urlencode, visitor_token, wait_for_query};
use serde_json::{Value, json};
use veil_test_support::VeilProcess;

const LIST: &str = "http://127.0.0.1:8080/list";
const ITEM: &str = "http://127.0.0.1:8080/item";

fn click(ts: i64, flag: &str) -> Value {
    let mut payload = json!({"x": 100, "y": 200, "w": 1280, "h": 2400, "vw": 1280, "vh": 720, "fixed": false,
        "selector": "button.buy"});
    if !flag.is_empty() {
        payload[flag] = json!(true);
    }
    json!({"type": 5, "timestamp": ts, "data": {"tag": "veil.click", "payload": payload}})
}

fn scroll(ts: i64, y: i64) -> Value {
    json!({"type": 5, "timestamp": ts, "data": {"tag": "veil.scroll", "payload": {"y": y, "h": 2400, "vh": 720}}})
}

fn meta(ts: i64, href: &str) -> Value {
    json!({"type": 4, "timestamp": ts, "data": {"href": href, "width": 1280, "height": 720}})
}

/// Posts `batches` (page URL, events) as one session of a new visitor.
fn session(
    veil: &VeilProcess,
    n: u32,
    purposes: &[&str],
    batches: Vec<(&str, Vec<Value>)>,
) -> (String, String) {
    let visitor = format!("{:032x}", 0xabc0_0000u64 + u64::from(n));
    let session = format!("5e5e5e5e-0000-4000-8000-{n:012}");
    let token = visitor_token(&visitor, purposes);
    for (seq, (url, events)) in batches.into_iter().enumerate() {
        let batch = json!({"v": 1, "site": "demo", "session": session, "seq": seq, "page": {"url": url},
            "viewport": {"w": 1280, "h": 720}, "document": {"w": 1280, "h": 2400}, "events": events});
        let answer = common::ingest(veil, &token, &batch);
        assert_eq!(answer.status, 202, "{}", String::from_utf8_lossy(&answer.body));
    }
    (visitor, session)
}

/// The scenario; returns (visitor, session) of each of its sessions.
fn send_all(veil: &VeilProcess) -> Vec<(String, String)> {
    let t = common::now() as i64 * 1000 - 600_000;
    let both = ["recording", "heatmaps"];
    vec![
        // The list, then the item with three rage clicks and a dead one,
        // then back on the list 4 s after arriving: a quick back from the
        // item. Over two batches.
        session(
            veil,
            1,
            &both,
            vec![
                (LIST, vec![meta(t, LIST), scroll(t + 100, 0), meta(t + 20_000, ITEM)]),
                (
                    ITEM,
                    vec![
                        click(t + 21_000, "rage"),
                        click(t + 21_100, "rage"),
                        click(t + 21_200, "rage"),
                        click(t + 23_500, "dead"),
                        meta(t + 24_000, LIST),
                    ],
                ),
            ],
        ),
        // The list scrolled up and down five document heights, and one
        // rage click on the item.
        session(
            veil,
            2,
            &both,
            vec![
                (
                    LIST,
                    (0..8).map(|i| scroll(t + 1_000 + i * 400, if i % 2 == 0 { 1680 } else { 0 })).collect(),
                ),
                (ITEM, vec![meta(t + 9_000, ITEM), click(t + 9_500, "rage")]),
            ],
        ),
        // Heatmaps only: its rage clicks count in the heatmap, not here.
        session(
            veil,
            3,
            &["heatmaps"],
            vec![(ITEM, vec![click(t + 3_000, "rage"), click(t + 3_100, "rage")])],
        ),
    ]
}

fn insights(veil: &VeilProcess, query: &str) -> Value {
    let answer = api(veil, "GET", &format!("/v1/sites/demo/insights?{query}"), Some(ANALYST_KEY), b"");
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    answer.json()
}

/// (page, signal) → (occurrences, sessions, visitors, examples).
fn table(answer: &Value) -> Vec<(String, String, u64, u64, u64, Vec<String>)> {
    answer["insights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let mut examples: Vec<String> =
                i["examples"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_owned()).collect();
            examples.sort();
            (
                i["page"].as_str().unwrap().to_owned(),
                i["signal"].as_str().unwrap().to_owned(),
                i["occurrences"].as_u64().unwrap(),
                i["sessions"].as_u64().unwrap(),
                i["visitors"].as_u64().unwrap(),
                examples,
            )
        })
        .collect()
}

#[test]
fn insights_rank_the_signals_the_sessions_showed() {
    let (db, veil) = server_with_k_min(1);
    let sent = send_all(&veil);
    wait_for_query(&db, "SELECT count() FROM session_index", "4", Duration::from_secs(20));
    wait_for_query(&db, "SELECT count() FROM page_signals", "5", Duration::from_secs(20));
    let (s1, s2) = (sent[0].1.clone(), sent[1].1.clone());
    let row = |page: &str, signal: &str, occurrences, sessions: &[&String]| {
        let mut examples: Vec<String> = sessions.iter().map(|s| (*s).clone()).collect();
        examples.sort();
        (
            page.to_owned(),
            signal.to_owned(),
            occurrences,
            sessions.len() as u64,
            sessions.len() as u64,
            examples,
        )
    };
    // Most sessions first, then most occurrences, then page and name.
    let expected = vec![
        row(ITEM, "rage_clicks", 4, &[&s1, &s2]),
        row(ITEM, "dead_clicks", 1, &[&s1]),
        row(ITEM, "quick_back", 1, &[&s1]),
        row(LIST, "excessive_scrolling", 1, &[&s2]),
    ];
    let all = insights(&veil, "");
    assert_eq!(table(&all), expected, "{all:#}");
    assert_eq!(all["page"], Value::Null);

    // One page: its signals only; a raw URL finds its page key.
    let item = insights(&veil, &format!("page={}", urlencode(ITEM)));
    let only_item: Vec<_> = expected.iter().filter(|r| r.0 == ITEM).cloned().collect();
    assert_eq!(table(&item), only_item);
    assert_eq!(item["page"], ITEM);
    assert_eq!(table(&insights(&veil, "device=mobile")), vec![]);
    assert_eq!(table(&insights(&veil, "limit=1")), expected[..1].to_vec());
    let refused = api(&veil, "GET", "/v1/sites/demo/insights?limit=0", Some(ANALYST_KEY), b"");
    assert_eq!(refused.status, 400);

    // The sessions list finds the sessions of each signal.
    let listed = |has: &str| {
        let answer = api(&veil, "GET", &format!("/v1/sites/demo/sessions?has={has}"), Some(ANALYST_KEY), b"");
        assert_eq!(answer.status, 200, "{has}: {}", String::from_utf8_lossy(&answer.body));
        let body: Value = answer.json();
        let mut sessions: Vec<String> = body["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["session"].as_str().unwrap().to_owned())
            .collect();
        sessions.sort();
        sessions
    };
    assert_eq!(listed("quick_back"), vec![s1.clone()]);
    assert_eq!(listed("excessive_scrolling"), vec![s2.clone()]);
    assert_eq!(listed("quick_back,excessive_scrolling"), Vec::<String>::new());
    let mut both = vec![s1.clone(), s2.clone()];
    both.sort();
    assert_eq!(listed("rage"), both);

    // The visitor's export lists their signals; an erasure takes them.
    let (visitor, _) = &sent[0];
    let export =
        api(&veil, "GET", &format!("/v1/sites/demo/visitors/{visitor}/export"), Some(ADMIN_KEY), b"");
    assert_eq!(export.status, 200);
    let export: Value = export.json();
    let mut exported: Vec<(String, String, u64)> = export["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["page"].as_str().unwrap().to_owned(),
                s["signal"].as_str().unwrap().to_owned(),
                s["count"].as_u64().unwrap(),
            )
        })
        .collect();
    exported.sort();
    assert_eq!(
        exported,
        vec![
            (ITEM.to_owned(), "dead_clicks".to_owned(), 1),
            (ITEM.to_owned(), "quick_back".to_owned(), 1),
            (ITEM.to_owned(), "rage_clicks".to_owned(), 3),
        ],
        "{export:#}"
    );
    assert_eq!(export["signals"][0]["session"], s1.as_str());
    let erased = api(&veil, "DELETE", &format!("/v1/sites/demo/visitors/{visitor}"), Some(ADMIN_KEY), b"");
    assert_eq!(erased.status, 200, "{}", String::from_utf8_lossy(&erased.body));
    wait_for_query(
        &db,
        &format!("SELECT count() FROM page_signals WHERE visitor = '{visitor}'"),
        "0",
        Duration::from_secs(20),
    );
    let after = table(&insights(&veil, ""));
    let left: BTreeMap<(String, String), u64> =
        after.iter().map(|r| ((r.0.clone(), r.1.clone()), r.3)).collect();
    assert_eq!(
        left,
        BTreeMap::from([
            ((ITEM.to_owned(), "rage_clicks".to_owned()), 1),
            ((LIST.to_owned(), "excessive_scrolling".to_owned()), 1)
        ])
    );
}

#[test]
fn k_min_hides_signals_of_too_few_visitors() {
    let (db, veil) = server_with_k_min(2);
    send_all(&veil);
    wait_for_query(&db, "SELECT count() FROM page_signals", "5", Duration::from_secs(20));
    let answer = insights(&veil, "");
    let kept: Vec<(String, String)> = table(&answer).into_iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(kept, vec![(ITEM.to_owned(), "rage_clicks".to_owned())], "{answer:#}");
}
