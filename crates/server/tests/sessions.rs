//! Recordings and the sessions index through the real server and
//! ClickHouse (issue 6): replays come back as masking produced them, the
//! list filters and sorts, linked user ids are only ever stored hashed, and
//! a PII report hides a session from analysts until an admin reviews it.

#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use std::time::Duration;

use common::{
    ADMIN_KEY, ANALYST_KEY, api, ingest, server_with_keys, stored_payloads, visitor_token, wait_for_query,
};
use serde_json::{Value, json};

const VISITOR_A: &str = "0123456789abcdef0123456789abcdef";
const VISITOR_B: &str = "fedcba9876543210fedcba9876543210";
const SESSION_A: &str = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const SESSION_B: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

/// A batch of `session` at `start_ms`: Meta, a typed input, `clicks` clicks
/// 100 ms apart at one spot (three or more: a rage click), a console error,
/// and a last event `length_ms` after the start.
fn batch_at(
    session: &str,
    seq: u64,
    start_ms: u64,
    path: &str,
    width: u32,
    clicks: usize,
    length_ms: u64,
) -> Value {
    let url = format!("http://127.0.0.1:8080{path}");
    let mut events = vec![
        json!({"type": 4, "timestamp": start_ms, "data": {"href": url, "width": width, "height": 720}}),
        json!({"type": 3, "timestamp": start_ms + 10, "data": {"source": 5, "id": 42, "text": "jan@example.com", "isChecked": false}}),
        json!({"type": 6, "timestamp": start_ms + 20, "data": {"plugin": "rrweb/console@1", "payload": {"level": "error", "payload": ["boom"]}}}),
    ];
    for i in 0..clicks {
        events.push(json!({"type": 5, "timestamp": start_ms + 100 + 100 * i as u64, "data": {"tag": "veil.click", "payload": {
            "x": 100, "y": 200, "w": width, "h": 2400, "vw": width, "vh": 720, "fixed": false,
            "selector": "button.pay", "rage": false, "dead": false}}}));
    }
    events.push(json!({"type": 3, "timestamp": start_ms + length_ms, "data": {"source": 1, "positions": [{"x": 1, "y": 2, "id": 5, "timeOffset": 0}]}}));
    json!({
        "v": 1, "site": "demo", "session": session, "seq": seq,
        "page": {"url": url, "title": "Shop"},
        "viewport": {"w": width, "h": 720}, "document": {"w": width, "h": 2400},
        "events": events,
    })
}

fn now_ms() -> u64 {
    common::now() * 1000
}

#[test]
fn a_session_replays_exactly_as_masking_stored_it() {
    let (db, veil) = server_with_keys(&[]);
    let token = visitor_token(VISITOR_A, &["recording", "heatmaps"]);
    let start = now_ms() - 60_000;
    let batches = [
        batch_at(SESSION_A, 0, start, "/product/12345", 1280, 1, 5_000),
        batch_at(SESSION_A, 1, start + 10_000, "/cart", 1280, 3, 4_000),
        batch_at(SESSION_A, 2, start + 20_000, "/checkout", 1280, 0, 2_000),
    ];
    // Sent out of order, and batch 1 twice (a retry after a timeout).
    for batch in [&batches[1], &batches[0], &batches[2], &batches[1]] {
        assert_eq!(ingest(&veil, &token, batch).status, 202);
    }
    wait_for_query(&db, "SELECT uniqExact(seq) FROM session_index", "3", Duration::from_secs(10));
    wait_for_query(&db, "SELECT uniqExact(seq) FROM recordings", "3", Duration::from_secs(10));

    let path = format!("/v1/sites/demo/sessions/{SESSION_A}/events");
    let response = api(&veil, "GET", &path, Some(ANALYST_KEY), b"");
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    let replay: Vec<Value> = serde_json::from_slice(&response.body).expect("a JSON array");

    // What masking produced is what ingest stored: each batch once.
    let mut stored: Vec<(u64, Vec<Value>)> = Vec::new();
    for payload in stored_payloads(&db) {
        let events: Vec<Value> = serde_json::from_str(&payload).expect("stored JSON");
        let first = events[0]["timestamp"].as_u64().unwrap();
        if !stored.iter().any(|(ts, _)| *ts == first) {
            stored.push((first, events));
        }
    }
    stored.sort_by_key(|(ts, _)| *ts);
    let expected: Vec<Value> = stored.into_iter().flat_map(|(_, events)| events).collect();
    assert_eq!(replay.len(), (3 + 1 + 1) + (3 + 3 + 1) + (3 + 1));
    assert_eq!(replay, expected, "the replay differs from what masking stored");
    let timestamps: Vec<u64> = replay.iter().map(|e| e["timestamp"].as_u64().unwrap()).collect();
    assert!(timestamps.windows(2).all(|w| w[0] <= w[1]), "not in timestamp order");
    let text = String::from_utf8_lossy(&response.body);
    assert!(!text.contains("jan@example.com"), "a typed value was replayed");
    assert!(text.contains("***************"), "the input was not masked to its length");

    // Every replay is in the access log, naming the session only by reference.
    let audit = api(&veil, "GET", &format!("/v1/audit?site=demo&session={SESSION_A}"), Some(ADMIN_KEY), b"");
    assert_eq!(audit.status, 200);
    let entries = audit.json()["entries"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(
        (entries[0]["actor"].as_str(), entries[0]["action"].as_str()),
        (Some("ana"), Some("recording.read"))
    );
    assert!(!audit.json().to_string().contains(SESSION_A));

    // Unknown and malformed sessions.
    for missing in [
        "/v1/sites/demo/sessions/00000000-0000-4000-8000-000000000000/events".to_owned(),
        "/v1/sites/demo/sessions/x/events".to_owned(),
        format!("/v1/sites/nope/sessions/{SESSION_A}/events"),
    ] {
        assert_eq!(api(&veil, "GET", &missing, Some(ANALYST_KEY), b"").status, 404, "{missing}");
    }
}

#[test]
fn the_sessions_list_filters_sorts_and_pages() {
    let (db, veil) = server_with_keys(&[]);
    let start = now_ms() - 3_600_000;
    // A: desktop, two pages, rage clicks, 34 s. B: mobile, one page, 90 s, linked user.
    let token_a = visitor_token(VISITOR_A, &["recording", "heatmaps"]);
    ingest(&veil, &token_a, &batch_at(SESSION_A, 0, start, "/product/12345", 1280, 0, 4_000));
    ingest(&veil, &token_a, &batch_at(SESSION_A, 1, start + 30_000, "/cart", 1280, 4, 4_000));
    let token_b = visitor_token(VISITOR_B, &["recording"]);
    let mut b = batch_at(SESSION_B, 0, start + 60_000, "/cart", 375, 1, 90_000);
    b["user"] = json!("customer-8812");
    assert_eq!(ingest(&veil, &token_b, &b).status, 202);
    // Batch 1 of A again (a retry after a timeout): counted once.
    ingest(&veil, &token_a, &batch_at(SESSION_A, 1, start + 30_000, "/cart", 1280, 4, 4_000));
    wait_for_query(&db, "SELECT count() FROM session_index", "4", Duration::from_secs(10));

    let list = |query: &str| {
        let response = api(&veil, "GET", &format!("/v1/sites/demo/sessions?{query}"), Some(ANALYST_KEY), b"");
        assert_eq!(response.status, 200, "{query}: {}", String::from_utf8_lossy(&response.body));
        response.json()
    };
    let ids = |body: &Value| -> Vec<String> {
        body["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["session"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = list("");
    assert_eq!(all["total"], 2);
    assert_eq!(ids(&all), [SESSION_B, SESSION_A], "newest first");
    let a = &all["sessions"][1];
    assert_eq!(a["visitor"], VISITOR_A);
    assert_eq!(a["duration_ms"], 34_000);
    assert_eq!(a["entry_page"], "http://127.0.0.1:8080/product/:id");
    assert_eq!(a["pages"], json!(["http://127.0.0.1:8080/product/:id", "http://127.0.0.1:8080/cart"]));
    assert_eq!(
        (a["device"].as_str(), a["clicks"].as_u64(), a["errors"].as_u64()),
        (Some("desktop"), Some(4), Some(2))
    );
    assert!(a["rage_clicks"].as_u64().unwrap() >= 3, "{a}");
    assert_eq!(a["batches"], 2);
    assert!(a["active_ms"].as_u64().unwrap() <= 34_000);
    assert_eq!(a["user"], Value::Null);
    let b = &all["sessions"][0];
    assert_eq!((b["device"].as_str(), b["duration_ms"].as_u64()), (Some("mobile"), Some(90_000)));

    assert_eq!(ids(&list("sort=duration")), [SESSION_B, SESSION_A]);
    assert_eq!(ids(&list("device=desktop")), [SESSION_A]);
    assert_eq!(ids(&list("device=mobile")), [SESSION_B]);
    assert_eq!(ids(&list("has=rage")), [SESSION_A]);
    assert_eq!(ids(&list("min_duration=60")), [SESSION_B]);
    assert_eq!(ids(&list("min_duration=35s")), [SESSION_B]);
    assert_eq!(ids(&list("page=http://127.0.0.1:8080/product/999")), [SESSION_A], "pages are normalised");
    assert_eq!(ids(&list("page=http://127.0.0.1:8080/cart")).len(), 2);
    assert_eq!(ids(&list("user=customer-8812")), [SESSION_B]);
    assert!(ids(&list("user=customer-1")).is_empty());
    let paged = list("limit=1&offset=1");
    assert_eq!((ids(&paged), paged["total"].as_u64()), (vec![SESSION_A.to_owned()], Some(2)));
    let tomorrow = veil_store::retention::civil_from_days(i64::try_from(common::now() / 86_400).unwrap() + 1);
    assert!(ids(&list(&format!("from={tomorrow}&to={tomorrow}"))).is_empty());
    // Days ClickHouse cannot hold are the client's mistake: 400, not 503.
    let out_of_range = ["to=9999-12-31", "from=2106-01-01&to=2106-01-02", "from=1969-12-31&to=1970-01-02"];
    for bad in ["device=tv", "has=joy", "sort=size", "limit=0", "min_duration=soon", "from=yesterday"]
        .into_iter()
        .chain(out_of_range)
    {
        let response = api(&veil, "GET", &format!("/v1/sites/demo/sessions?{bad}"), Some(ANALYST_KEY), b"");
        assert_eq!((response.status, response.error_code().as_str()), (400, "bad_request"), "{bad}");
    }

    // The raw user id reached no table and no log line; its keyed hash did.
    let everything = common::dump_all_tables(&db);
    assert!(!everything.contains("customer-8812"), "the raw user id was stored");
    let key: [u8; 32] = hex::decode(common::user_id_secret()).unwrap().try_into().unwrap();
    let hash = blake3::keyed_hash(&key, b"customer-8812").to_hex().to_string();
    assert!(everything.contains(&hash));
    assert_eq!(b["user"], json!(hash));
    assert!(!veil.log().contains("customer-8812"), "the raw user id was logged");
    // The user agent is reduced to a family and never stored.
    assert_eq!(b["browser"], "firefox");
    assert!(!everything.contains("Mozilla") && !everything.contains("Gecko"), "the user agent was stored");
}

#[test]
fn a_reported_session_is_hidden_from_analysts_until_reviewed() {
    let (db, veil) = server_with_keys(&[]);
    let token = visitor_token(VISITOR_A, &["recording"]);
    ingest(&veil, &token, &batch_at(SESSION_A, 0, now_ms() - 5_000, "/cart", 1280, 0, 1_000));
    wait_for_query(&db, "SELECT count() FROM session_index", "1", Duration::from_secs(10));
    let events = format!("/v1/sites/demo/sessions/{SESSION_A}/events");
    let visible = |key: &str| {
        let list = api(&veil, "GET", "/v1/sites/demo/sessions", Some(key), b"").json();
        (list["total"].as_u64().unwrap(), api(&veil, "GET", &events, Some(key), b"").status)
    };
    assert_eq!(visible(ANALYST_KEY), (1, 200));

    let report = api(
        &veil,
        "POST",
        &format!("/v1/sites/demo/sessions/{SESSION_A}/report"),
        Some(ANALYST_KEY),
        br#"{"reason": "the customer's e-mail jan@example.com shows at 00:42"}"#,
    );
    assert_eq!(report.status, 202, "{}", String::from_utf8_lossy(&report.body));
    assert_eq!(visible(ANALYST_KEY), (0, 404), "hidden from analysts at once");
    assert_eq!(visible(ADMIN_KEY), (1, 200), "admins still see it, to review it");
    let queue = api(&veil, "GET", "/v1/sites/demo/reports", Some(ADMIN_KEY), b"").json();
    assert_eq!(queue["reports"][0]["session"], SESSION_A);
    assert_eq!(queue["reports"][0]["reporter"], "ana");
    assert!(!queue.to_string().contains("jan@example.com"), "the note is masked: {queue}");
    assert_eq!(api(&veil, "GET", "/v1/sites/demo/reports", Some(ANALYST_KEY), b"").status, 403);
    let review = format!("/v1/sites/demo/sessions/{SESSION_A}/review");
    assert_eq!(api(&veil, "POST", &review, Some(ANALYST_KEY), br#"{"action": "release"}"#).status, 403);

    assert_eq!(api(&veil, "POST", &review, Some(ADMIN_KEY), br#"{"action": "release"}"#).status, 200);
    assert_eq!(visible(ANALYST_KEY), (1, 200), "released");
    assert!(
        api(&veil, "GET", "/v1/sites/demo/reports", Some(ADMIN_KEY), b"").json()["reports"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Reported again, then erased by the admin: gone for everyone.
    let report_path = format!("/v1/sites/demo/sessions/{SESSION_A}/report");
    assert_eq!(api(&veil, "POST", &report_path, Some(ANALYST_KEY), b"").status, 202);
    let erased = api(&veil, "POST", &review, Some(ADMIN_KEY), br#"{"action": "erase"}"#);
    assert_eq!(erased.status, 200, "{}", String::from_utf8_lossy(&erased.body));
    assert_eq!(db.query("SELECT count() FROM recordings").trim(), "0");
    assert_eq!(db.query("SELECT count() FROM session_index").trim(), "0");
    assert_eq!(visible(ADMIN_KEY), (0, 404));

    let metrics = veil.get("/metrics").unwrap().1;
    for line in [
        r#"veil_pii_reports_total{action="reported"} 2"#,
        r#"veil_pii_reports_total{action="released"} 1"#,
        r#"veil_pii_reports_total{action="erased"} 1"#,
    ] {
        assert!(metrics.contains(line), "missing {line}");
    }
    let audit = api(&veil, "GET", "/v1/audit?site=demo", Some(ADMIN_KEY), b"").json();
    let actions: Vec<&str> =
        audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for action in ["session.report", "session.released", "session.erased", "recording.read"] {
        assert!(actions.contains(&action), "{action} not in {actions:?}");
    }
}
