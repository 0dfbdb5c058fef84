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
