//! The analyst console in a real browser (issue 8): a visit recorded by the
//! recorder in the same test, then the console (served by `veil serve`,
//! logged in with an API key) draws its heatmap over the recorded page
//! (pixels where the clicks were, none elsewhere), plays its replay, and
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

    let replay = driver.phase("replay");
    let clock = replay["clock"].as_array().unwrap();
    assert_ne!(clock[0], clock[1], "the player's clock did not move: {replay}");
    assert_eq!(replay["replayedThankYou"], true, "the click's change was not replayed: {replay}");
    let session = replay["session"].as_str().unwrap().to_owned();
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
    for shot in ["heatmap.png", "sessions.png", "replay.png", "review.png"] {
        let bytes = std::fs::metadata(shots.join(shot)).map(|m| m.len()).unwrap_or(0);
        assert!(bytes > 10_000, "screenshot {shot} missing or empty");
        if update {
            std::fs::copy(shots.join(shot), repo_root().join("docs/screenshots").join(shot)).unwrap();
        }
    }
}
