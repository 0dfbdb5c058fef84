//! The analyst console in a real browser (issue 8): a visit recorded by the
//! recorder in the same test, then the console (served by `veil serve`,
//! logged in with an API key) draws its heatmap over the recorded page
//! (pixels where the clicks were, none elsewhere), links the CSV exports
//! the server answers, exports a PNG of the heatmap over the page, shows
//! the segment selector (disabled while the server has no `…/segments`),
//! compares the period with the one before, lists the visit's rage clicks
//! in the insights view and replays it from there, plays its replay, and
//! hides it from analysts once reported, while an admin sees it in the
//! review queue. Screenshots of the views go to `target/screenshots/`, and
//! to `docs/screenshots/` (linked from docs/console.md) when
//! `UPDATE_SCREENSHOTS=1`.
//!
//! Needs `chromium` and the driver's node packages, like
//! `recorder_browser.rs`.

#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use std::time::Duration;

use common::browser::{Run, start};
use common::{ADMIN_KEY, ANALYST_KEY, api, wait_for_query};
use serde_json::Value;
use veil_test_support::repo_root;

#[test]
fn the_console_draws_heatmaps_plays_replays_and_hides_reported_sessions() {
    let shots = repo_root().join("target/screenshots");
    let shots_arg = shots.display().to_string();
    let Run { db, veil, page_url, mut driver } =
        start("console.mjs", "plain", &[ANALYST_KEY, ADMIN_KEY, &shots_arg]);

    let recorded = driver.phase("recorded");
    let clicks = recorded["clicks"].as_array().unwrap().len() as u64;
    wait_for_query(
        &db,
        "SELECT sumMerge(clicks) FROM heatmap_clicks",
        &clicks.to_string(),
        Duration::from_secs(15),
    );
    wait_for_query(&db, "SELECT count() > 0 FROM session_index", "1", Duration::from_secs(15));
    // The burst's rage clicks, for the insights view.
    wait_for_query(
        &db,
        "SELECT count() > 0 FROM page_signals WHERE signal = 'rage_clicks'",
        "1",
        Duration::from_secs(15),
    );
    driver.go_on();

    // The overlay: every click's spot is painted, spots far from any click
    // are fully transparent.
    let heatmap = driver.phase("heatmap");
    assert_eq!(heatmap["pageKey"], page_url, "{heatmap}");
    assert_eq!(heatmap["canvas"]["total"].as_u64(), Some(clicks), "{heatmap}");
    for (i, alpha) in heatmap["onClicks"].as_array().unwrap().iter().enumerate() {
        assert!(alpha.as_u64().unwrap() > 0, "nothing drawn at click {i}: {heatmap}");
    }
    for (i, alpha) in heatmap["offClicks"].as_array().unwrap().iter().enumerate() {
        assert_eq!(
            alpha.as_u64(),
            Some(0),
            "drawn far from any click at {}: {heatmap}",
            heatmap["farAway"][i]
        );
    }
    assert_eq!(heatmap["adminNav"], false, "an analyst sees the admin navigation");
    driver.go_on();

    // CSV links: the view's query with format=csv, answered as CSV.
    let exports = driver.phase("exports");
    let csv = &exports["csv"];
    let encoded_page = url_encode(&page_url);
    let href = csv["clicks"]["href"].as_str().unwrap();
    assert!(href.starts_with("/v1/sites/demo/heatmaps?"), "{exports}");
    for part in
        [format!("page={encoded_page}"), "kind=click".into(), "format=csv".into(), "device=desktop".into()]
    {
        assert!(href.contains(&part), "the CSV link lacks {part}: {exports}");
    }
    for (tab, head) in [("clicks", "layer,x,y,count,rage,dead"), ("scroll", "pct,reached")] {
        assert_eq!(csv[tab]["status"], 200, "{tab}: {exports}");
        assert!(csv[tab]["type"].as_str().unwrap().starts_with("text/csv"), "{tab}: {exports}");
        assert_eq!(csv[tab]["head"], head, "{tab}: {exports}");
    }
    // Every click is a cell line (some share a cell), both layers.
    assert!(csv["clicks"]["lines"].as_u64().unwrap() >= 3, "{exports}");
    assert!(csv["scroll"]["href"].as_str().unwrap().contains("kind=scroll"), "{exports}");
    assert!(csv["forms"]["href"].as_str().unwrap().starts_with("/v1/sites/demo/forms?"), "{exports}");
    assert_eq!(csv["forms"]["status"], 200, "{exports}");
    // The PNG: a real PNG of the page's size, the page drawn behind the heatmap.
    let png = &exports["png"];
    assert_eq!(png["signature"], "89504e470d0a1a0a", "not a PNG: {exports}");
    assert!(png["bytes"].as_u64().unwrap() > 20_000, "a near-empty PNG: {exports}");
    assert_eq!(png["bytes"], png["buttonBytes"], "{exports}");
    assert_eq!(png["width"], heatmap["canvas"]["width"], "{exports}");
    assert_eq!(png["height"], heatmap["canvas"]["height"], "{exports}");
    assert_eq!(png["background"], "page", "the page was not rasterised: {exports}");
    let name = png["name"].as_str().unwrap();
    assert!(name.starts_with("heatmap-127.0.0.1-") && name.ends_with(".png"), "{name}");
    assert!(name.contains("shop.html-"), "{name}");
    // The segment selector follows what the server can do.
    let segments = &exports["segments"];
    let listed = api(&veil, "GET", "/v1/sites/demo/segments", Some(ANALYST_KEY), b"").status;
    if listed == 404 {
        assert_eq!(segments["state"], "unsupported", "{exports}");
        assert_eq!(segments["sourceDisabled"], true, "{exports}");
    } else {
        // The one visit has one source, and a segment of it holds every click.
        assert_eq!(listed, 200);
        let listing: Value = api(&veil, "GET", "/v1/sites/demo/segments", Some(ANALYST_KEY), b"").json();
        let source = listing["sources"][0]["source"].as_str().unwrap().to_owned();
        assert_eq!(segments["state"], "ready", "{exports}");
        assert_eq!(segments["sourceDisabled"], false, "{exports}");
        assert_eq!(segments["chosen"], source.as_str(), "{exports} {listing}");
        assert!(segments["hash"].as_str().unwrap().contains(&format!("source={source}")), "{exports}");
        assert!(
            segments["csvWithSegment"].as_str().unwrap().contains(&format!("source={source}")),
            "{exports}"
        );
        assert_eq!(segments["totalWithSegment"].as_u64(), Some(clicks), "{exports}");
    }
    assert_eq!(exports["pageErrors"], serde_json::json!([]), "{exports}");
    driver.go_on();

    // The comparison: every click is new against the period before, so
    // every spot is B's colour (orange), and A has no clicks at all.
    let compare = driver.phase("compare");
    assert_eq!(compare["canvas"]["totalA"], "0", "{compare}");
    assert_eq!(compare["canvas"]["totalB"], clicks.to_string(), "{compare}");
    assert!(compare["canvas"]["drawn"].as_str().unwrap().parse::<u64>().unwrap() > 0, "{compare}");
    for (i, rgba) in compare["colours"].as_array().unwrap().iter().enumerate() {
        let c: Vec<u64> = rgba.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
        assert!(c[3] > 0 && c[0] > c[2], "click {i} is not drawn as more in B: {rgba} ({compare})");
    }
    let views = compare["figures"].as_array().unwrap().iter().find(|f| f[0] == "views").unwrap();
    assert_eq!(views[1], "0", "{compare}");
    assert_ne!(views[2], "0", "{compare}");
    assert!(compare["scrollRows"].as_u64().unwrap() > 0, "{compare}");
    assert_eq!(compare["bySegment"]["sides"][0], "All visitors", "{compare}");
    if listed == 200 {
        // All visitors against the visit's own source: the same clicks, no difference.
        let b = &compare["segmentB"];
        assert_eq!(b["canvas"]["totalA"], clicks.to_string(), "{compare}");
        assert_eq!(b["canvas"]["totalB"], clicks.to_string(), "{compare}");
        assert_eq!(b["canvas"]["drawn"], "0", "{compare}");
        assert_ne!(b["sides"][1], "All visitors", "{compare}");
    }
    assert_eq!(compare["pageErrors"], serde_json::json!([]), "{compare}");
    driver.go_on();

    // Insights: the burst's rage clicks on the page, with the session.
    let insights = driver.phase("insights");
    let card = insights["pages"].as_array().unwrap().iter().find(|p| p["page"] == page_url);
    let card = card.unwrap_or_else(|| panic!("no insights for the page: {insights}"));
    let rage = card["signals"].as_array().unwrap().iter().find(|s| s["signal"] == "rage_clicks");
    let rage = rage.unwrap_or_else(|| panic!("no rage clicks: {insights}"));
    assert_eq!(rage["sessions"], 1, "{insights}");
    let example = rage["examples"][0].as_str().unwrap().to_owned();
    assert!(rage["sessionsHref"].as_str().unwrap().contains("has=rage"), "{insights}");
    assert_eq!(insights["replay"]["session"], example.as_str(), "{insights}");
    assert_eq!(insights["pageErrors"], serde_json::json!([]), "{insights}");
    driver.go_on();

    let replay = driver.phase("replay");
    let clock = replay["clock"].as_array().unwrap();
    assert_ne!(clock[0], clock[1], "the player's clock did not move: {replay}");
    assert_eq!(replay["replayedThankYou"], true, "the click's change was not replayed: {replay}");
    let session = replay["session"].as_str().unwrap().to_owned();
    assert_eq!(session, example, "the insights example is not the recorded session");
    driver.go_on();

    let reported = driver.phase("reported");
    assert_eq!(reported["rowsAfterReport"], serde_json::json!([]), "{reported}");
    assert_eq!(reported["analystSeesQueue"], false, "{reported}");
    assert_eq!(reported["pageErrors"], serde_json::json!([]), "{reported}");
    // The server agrees: hidden for analysts, forbidden admin APIs.
    let list: Value = api(&veil, "GET", "/v1/sites/demo/sessions", Some(ANALYST_KEY), b"").json();
    assert_eq!(list["total"], 0);
    for path in ["/v1/sites/demo/reports", "/v1/audit"] {
        assert_eq!(api(&veil, "GET", path, Some(ANALYST_KEY), b"").status, 403, "{path}");
    }
    driver.go_on();

    let admin = driver.phase("admin");
    assert_eq!(admin["adminHasNav"], true);
    assert_eq!(admin["queued"], serde_json::json!([session]), "{admin}");
    assert_eq!(admin["pageErrors"], serde_json::json!([]), "{admin}");
    driver.go_on();
    let update = std::env::var_os("UPDATE_SCREENSHOTS").is_some_and(|v| v == "1");
    for shot in ["heatmap.png", "sessions.png", "replay.png", "review.png", "compare.png", "insights.png"] {
        let bytes = std::fs::metadata(shots.join(shot)).map(|m| m.len()).unwrap_or(0);
        assert!(bytes > 10_000, "screenshot {shot} missing or empty");
        if update {
            std::fs::copy(shots.join(shot), repo_root().join("docs/screenshots").join(shot)).unwrap();
        }
    }
}

/// A query value as the console's links encode it (`URLSearchParams`).
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
