//! `veil demo` (issue "The first ten minutes"): demo visits sent through a
//! real server's consent and ingest endpoints give the console what it
//! shows on a first run: pages, click heatmaps, scroll maps, sessions and
//! replays.

mod common;

use std::time::{Duration, Instant};

use common::{ANALYST_KEY, ORIGIN, api, config_with_keys, veil_with_config};
use serde_json::Value;

const VISITS: usize = 12;

fn analyst_json(veil: &veil_test_support::VeilProcess, path: &str) -> Value {
    let response = api(veil, "GET", path, Some(ANALYST_KEY), b"");
    assert_eq!(response.status, 200, "{path}: {}", String::from_utf8_lossy(&response.body));
    response.json()
}

#[test]
fn demo_visits_fill_pages_heatmaps_sessions_and_replays() {
    let (db, veil) = common::server_with_keys(&[]);
    let config = config_with_keys(&db, ORIGIN);
    let out = veil_with_config(
        &config,
        &["demo", "--url", veil.base_url(), "--visits", &VISITS.to_string(), "--clients", "4"],
        &[],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "veil demo failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(&format!("sent {VISITS} demo visits")), "{stdout}");
    let batches: u64 = stdout
        .split(": ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no batch count in {stdout:?}"));
    assert!(batches >= VISITS as u64, "{stdout}");

    // Every batch answered 202 is stored, once.
    common::wait_for_query(
        &db,
        "SELECT count(), uniqExact(session) FROM recordings",
        &format!("{batches}\t{VISITS}"),
        Duration::from_secs(30),
    );

    // Sessions: every visit, with its pages on the demo origin.
    let started = Instant::now();
    let sessions = loop {
        let list = analyst_json(&veil, "/v1/sites/demo/sessions");
        let sessions = list["sessions"].as_array().cloned().unwrap_or_default();
        if sessions.len() == VISITS || started.elapsed() > Duration::from_secs(30) {
            break sessions;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(sessions.len(), VISITS, "sessions list");

    // Pages: product pages of the demo catalogue, on the site's origin.
    let pages = analyst_json(&veil, "/v1/sites/demo/pages");
    let pages = pages["pages"].as_array().cloned().unwrap_or_default();
    assert!(!pages.is_empty(), "no pages");
    for page in &pages {
        let key = page["page"].as_str().or_else(|| page["key"].as_str()).unwrap_or_default();
        assert!(key.starts_with(ORIGIN), "page key {key} is not on the demo origin");
    }
    let top = pages
        .iter()
        .filter_map(|p| p["page"].as_str().or_else(|| p["key"].as_str()))
        .find(|key| key.contains("/products/"))
        .unwrap_or_else(|| panic!("no product page among {pages:?}"));

    // Heatmaps of that page: clicked cells and a scroll map.
    let key = common::urlencode(top);
    let clicks = analyst_json(&veil, &format!("/v1/sites/demo/heatmaps?page={key}&kind=click"));
    assert!(clicks["cells"].as_array().is_some_and(|c| !c.is_empty()), "no click cells: {clicks}");
    assert!(clicks["total"].as_u64().unwrap_or(0) > 0, "{clicks}");
    let scroll = analyst_json(&veil, &format!("/v1/sites/demo/heatmaps?page={key}&kind=scroll"));
    assert!(scroll["depth"].as_array().is_some_and(|d| !d.is_empty()), "no scroll depth: {scroll}");

    // A replay: rrweb events starting with a Meta and a full snapshot.
    let id = sessions[0]["id"].as_str().or_else(|| sessions[0]["session"].as_str()).expect("session id");
    let events = analyst_json(&veil, &format!("/v1/sites/demo/sessions/{id}/events"));
    let events =
        events.as_array().cloned().or_else(|| events["events"].as_array().cloned()).unwrap_or_default();
    assert!(events.iter().any(|e| e["type"] == 2), "no full snapshot in the replay");
    assert!(events.iter().any(|e| e["type"] == 4), "no meta event in the replay");
}

#[test]
fn demo_refuses_a_site_without_recording_or_an_unknown_site() {
    let db = veil_test_support::TestDatabase::new();
    let config = config_with_keys(&db, ORIGIN);
    let out = veil_with_config(&config, &["demo", "--site", "other", "--url", "http://127.0.0.1:9"], &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not enable the `recording` purpose"), "{stderr}");
    let out = veil_with_config(&config, &["demo", "--site", "nope"], &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("site `nope` is not configured"));
}

#[test]
fn the_demo_shop_is_served_only_when_configured() {
    let db = veil_test_support::TestDatabase::new();
    common::migrate(&db);
    let with_demo = config_with_keys(&db, ORIGIN).replacen(
        "[clickhouse]",
        "[server]\ndemo_site = \"demo\"\n\n[clickhouse]",
        1,
    );
    let mut veil = veil_test_support::VeilProcess::start(
        common::VEIL.as_ref(),
        veil_test_support::VeilOptions { config: with_demo, env: Vec::new(), port: None },
    );
    common::wait_ready(&mut veil);
    for path in
        ["/", "/products", "/products/trail-jacket", "/products/hiking-boots", "/contact", "/checkout"]
    {
        let response = veil.request("GET", path, &[], b"");
        assert_eq!(response.status, 200, "{path}");
        let html = String::from_utf8_lossy(&response.body);
        assert!(html.contains(r#"<script src="/sdk/veil.min.js"></script>"#), "{path}: no recorder");
        assert!(html.contains(r#"data-site="demo""#), "{path}: no site id");
        assert!(html.contains(r#"id="consent-banner""#), "{path}: no consent banner");
        assert_eq!(response.header("content-type"), Some("text/html; charset=utf-8"), "{path}");
    }
    let checkout = String::from_utf8_lossy(&veil.request("GET", "/checkout", &[], b"").body).into_owned();
    for field in
        [r#"autocomplete="cc-number""#, r#"type="password""#, r#"autocomplete="email""#, r#"class="secret""#]
    {
        assert!(checkout.contains(field), "checkout lacks {field}");
    }
    for (path, kind) in
        [("/demo/site.css", "text/css; charset=utf-8"), ("/demo/site.js", "text/javascript; charset=utf-8")]
    {
        let response = veil.request("GET", path, &[], b"");
        assert_eq!((response.status, response.header("content-type")), (200, Some(kind)), "{path}");
    }
    assert_eq!(veil.request("GET", "/products/no-such-thing", &[], b"").status, 404);
    for path in ["/", "/products/trail-jacket", "/checkout", "/demo/site.js"] {
        let other = veil.request("POST", path, &[], b"");
        assert_eq!((other.status, other.header("allow")), (405, Some("GET")), "{path}");
    }

    // Without the setting: `/` leads to the console, the shop is not there.
    let (_db, plain) = common::server_with_keys(&[]);
    let root = plain.request("GET", "/", &[], b"");
    assert_eq!((root.status, root.header("location")), (302, Some("/console/")));
    for path in ["/products", "/products/trail-jacket", "/checkout", "/demo/site.js"] {
        assert_eq!(plain.request("GET", path, &[], b"").status, 404, "{path}");
        assert_eq!(plain.request("POST", path, &[], b"").status, 404, "{path}");
    }
}

#[test]
fn a_demo_site_that_is_not_configured_is_refused() {
    let db = veil_test_support::TestDatabase::new();
    let config = config_with_keys(&db, ORIGIN).replacen(
        "[clickhouse]",
        "[server]\ndemo_site = \"shop\"\n\n[clickhouse]",
        1,
    );
    let out = veil_with_config(&config, &["config", "check"], &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("server.demo_site") && stderr.contains("site `shop`"), "{stderr}");
}
