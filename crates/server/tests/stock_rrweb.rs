//! Stock rrweb recorders get correct heatmaps (issue 14): the test shop
//! recorded in Chromium with plain `rrwebRecord()` (not Veil's recorder),
//! its events posted as Veil batches by hand. The snapshot, the scroll and
//! the clicks arrive in three batches; the clicks still land in the cell
//! of the document where the button is and are counted for the button,
//! because the server keeps each session's scroll position and node
//! selectors between batches. A later batch with neither envelope nor
//! Meta event is placed where the session's earlier batches were; the
//! same from a session never seen is refused with a 400 that says why.
//! Two form fields filled in between show in the forms API, learnt from
//! rrweb's focus, blur and input events.
//!
//! Needs `chromium` and the driver's node packages, like
//! `recorder_browser.rs`.

#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use std::time::Duration;

use common::browser::{Run, start};
use common::{ANALYST_KEY, api, urlencode, wait_for_query};
use serde_json::Value;

#[test]
fn stock_rrweb_clicks_after_a_scroll_in_a_later_batch_land_in_their_document_cell() {
    let Run { db, veil, page_url, mut driver } = start("stock-rrweb.mjs", "plain", &[]);
    let recorded = driver.phase("recorded");
    let answers = recorded["answers"].as_array().unwrap();
    for (i, answer) in answers.iter().take(4).enumerate() {
        assert_eq!(answer["status"], 202, "batch {i}: {answer}");
    }
    // Batch 0 is rrweb's Meta and FullSnapshot; batch 2 has clicks only.
    assert_eq!(answers[0]["types"][0], 4, "{recorded}");
    assert_eq!(answers[0]["types"][1], 2, "{recorded}");
    assert!(!answers[2]["types"].as_array().unwrap().iter().any(|t| t == 2 || t == 4), "{recorded}");
    assert_eq!(answers[3]["body"]["accepted"], answers[3]["events"], "{recorded}");
    let refused = &answers[4];
    assert_eq!(refused["status"], 400, "{refused}");
    assert_eq!(refused["body"]["error"]["code"], "invalid_field", "{refused}");
    let message = refused["body"]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`page`") && message.contains("Meta event") && message.contains("earlier page"),
        "{message}"
    );
    driver.go_on();

    // The clicks of batches 2 and 3 (the last batch was refused), batch 3's
    // on the page and at the scroll position the session was left at.
    let clicks: Vec<&Value> = recorded["clicks"].as_array().unwrap().iter().take(3).collect();
    wait_for_query(&db, "SELECT sumMerge(clicks) FROM heatmap_clicks", "3", Duration::from_secs(15));
    let doc_w = recorded["document"]["w"].as_f64().unwrap();
    let mut expected: Vec<(u64, u64)> = clicks
        .iter()
        .map(|c| {
            let col = (c["x"].as_f64().unwrap() / doc_w * 64.0).floor() as u64;
            let row = (c["y"].as_f64().unwrap() / 16.0).floor() as u64;
            (col, row)
        })
        .collect();
    expected.sort_unstable();
    expected.dedup();

    let path = format!("/v1/sites/demo/heatmaps?page={}&kind=click", urlencode(&page_url));
    let response = api(&veil, "GET", &path, Some(ANALYST_KEY), b"");
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    let heatmap: Value = response.json();
    let mut cells: Vec<(u64, u64)> = heatmap["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["x"].as_u64().unwrap(), c["y"].as_u64().unwrap()))
        .collect();
    cells.sort_unstable();
    assert_eq!(cells, expected, "clicks not in their document cells: {heatmap}");
    assert_eq!(heatmap["total"], 3, "{heatmap}");

    // The clicked element is named from batch 0's snapshot.
    let elements = heatmap["elements"].as_array().unwrap();
    let promo =
        elements.iter().find(|e| e["selector"].as_str().is_some_and(|s| s.starts_with("button#promo")));
    assert!(promo.is_some_and(|e| e["count"] == 3), "button#promo not ranked with 3 clicks: {heatmap}");

    // The two fields filled in count for form analytics from rrweb's own
    // focus, blur and input events, in form order; nothing typed is kept.
    let path = format!("/v1/sites/demo/forms?page={}", urlencode(&page_url));
    let forms: Value = api(&veil, "GET", &path, Some(ANALYST_KEY), b"").json();
    let checkout = &forms["forms"][0];
    assert_eq!(checkout["form"], "form#checkout", "{forms}");
    assert_eq!(checkout["started"], 1, "{forms}");
    let fields: Vec<(&str, u64, u64)> = checkout["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (f["field"].as_str().unwrap(), f["position"].as_u64().unwrap(), f["reached"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(fields, [("input#name", 0, 1), ("input#email", 1, 1)], "{forms}");
    assert!(checkout["fields"][1]["median_ms"].as_u64().unwrap() > 0, "{forms}");
    let tables = common::dump_all_tables(&db);
    assert!(
        !tables.contains("Jane Roe") && !tables.contains("jane.roe@example.com"),
        "a typed value was stored"
    );
}
