//! The JavaScript recorder in a real browser (issue 7): Debian's Chromium,
//! driven by `tests/browser/recorder.mjs` (playwright-core), loads a test
//! shop from its own origin with `veil.min.js` served by a real `veil serve`
//! on a real ClickHouse. Between the driver's phases this test looks at
//! the server: nothing arrives before consent, clicks and scrolls land in
//! the right heatmap cells, the session replays, typed values never reach
//! ClickHouse, and a withdrawal with erasure stops recording and erases.
//!
//! Needs `chromium` and the driver's node packages: `deploy/local/test.sh`
//! installs both; without them this test fails saying so.

#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use std::time::Duration;

use common::browser::{Run, start};
use common::{ADMIN_KEY, ANALYST_KEY, api, wait_for_query};
use serde_json::Value;
use veil_test_support::VeilProcess;

/// Requests of the page to Veil (the script itself excluded) in a phase.
fn requests_in(report: &Value, phase: &str) -> Vec<String> {
    report["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["phase"] == phase)
        .map(|r| format!("{} {}", r["method"].as_str().unwrap(), r["path"].as_str().unwrap()))
        .collect()
}

fn veil_keys(report: &Value) -> Vec<String> {
    report["storage"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k.as_str())
        .filter(|k| k.to_ascii_lowercase().contains("veil"))
        .map(str::to_owned)
        .collect()
}

/// Requests the server answered on the browser-facing routes.
fn browser_requests_served(veil: &VeilProcess) -> Vec<String> {
    let metrics = veil.get("/metrics").unwrap().1;
    metrics
        .lines()
        .filter(|l| l.starts_with("veil_http_requests_total{") && l.contains("route=\"/v1/"))
        .map(str::to_owned)
        .collect()
}

/// Before consent: no request left the page and the server saw none.
fn nothing_before_consent(run: &mut Run) {
    let report = run.driver.phase("before_consent");
    assert_eq!(requests_in(&report, "before_consent"), Vec::<String>::new(), "requests before consent");
    assert!(veil_keys(&report).is_empty(), "the browser stored something before consent: {report}");
    assert_eq!(report["storage"]["cookie"], "", "cookies before consent");
    assert!(browser_requests_served(&run.veil).is_empty(), "{:?}", browser_requests_served(&run.veil));
    run.driver.go_on();
}

/// After consent: the recorded phase's report, once the server stored it.
fn recorded(run: &mut Run) -> Value {
    let report = run.driver.phase("recorded");
    let sent = requests_in(&report, "consented");
    assert!(sent.contains(&"POST /v1/consent".to_owned()), "{sent:?}");
    assert!(sent.contains(&"POST /v1/ingest".to_owned()), "{sent:?}");
    assert_eq!(report["storage"]["cookie"], "", "the recorder set a cookie");
    wait_for_query(&run.db, "SELECT sumMerge(clicks) >= 4 FROM heatmap_clicks", "1", Duration::from_secs(15));
    wait_for_query(&run.db, "SELECT count() > 0 FROM session_index", "1", Duration::from_secs(15));
    report
}

/// Withdrawal with erasure: nothing is sent after it, the browser keeps
/// nothing, and the server erased the visitor.
fn withdrawn(run: &mut Run) {
    let report = run.driver.phase("withdrawn");
    assert!(requests_in(&report, "withdrawn").contains(&"POST /v1/consent/withdraw".to_owned()), "{report}");
    assert_eq!(requests_in(&report, "after_withdrawal"), Vec::<String>::new(), "recording went on");
    assert!(veil_keys(&report).is_empty(), "the browser kept Veil data: {report}");
    wait_for_query(&run.db, "SELECT count() FROM recordings", "0", Duration::from_secs(30));
    wait_for_query(&run.db, "SELECT count() FROM session_index", "0", Duration::from_secs(5));
    wait_for_query(
        &run.db,
        "SELECT count() FROM consent_log WHERE visitor != ''",
        "0",
        Duration::from_secs(5),
    );
    run.driver.go_on();
}

#[test]
fn the_recorder_records_only_after_consent_and_erases_on_withdrawal() {
    let mut run = start("recorder.mjs", "plain", &[]);
    nothing_before_consent(&mut run);
    let report = recorded(&mut run);
    let page_key = run.page_url.clone();

    // Every click in its cell: column from x over the document width, row
    // from y in 16 px rows (SPEC §6).
    let doc_w = report["document"]["w"].as_f64().unwrap();
    let mut expected: std::collections::BTreeMap<(u64, u64), u64> = Default::default();
    for click in report["clicks"].as_array().unwrap() {
        let (x, y) = (click["x"].as_f64().unwrap(), click["y"].as_f64().unwrap());
        *expected.entry(((x / doc_w * 64.0).floor() as u64, (y / 16.0).floor() as u64)).or_default() += 1;
    }
    let heatmap = api(
        &run.veil,
        "GET",
        &format!("/v1/sites/demo/heatmaps?page={}&kind=click", common::urlencode(&page_key)),
        Some(ANALYST_KEY),
        b"",
    )
    .json();
    let cells: std::collections::BTreeMap<(u64, u64), u64> = heatmap["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| ((c["x"].as_u64().unwrap(), c["y"].as_u64().unwrap()), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(cells, expected, "{heatmap}");
    // The click on blank page was dead; the one on the buy button (which
    // changes the title) was not.
    let dead_at = |x: f64, y: f64| {
        let (col, row) = ((x / doc_w * 64.0).floor() as u64, (y / 16.0).floor() as u64);
        heatmap["cells"].as_array().unwrap().iter().find(|c| c["x"] == col && c["y"] == row).unwrap()["dead"]
            .clone()
    };
    assert_eq!(dead_at(500.0, 1000.0), 1, "{heatmap}");
    assert_eq!(dead_at(200.0, 425.0), 0, "{heatmap}");
    let elements = heatmap["elements"].to_string();
    assert!(elements.contains("buy") && elements.contains("promo"), "{elements}");
    let scroll = api(
        &run.veil,
        "GET",
        &format!("/v1/sites/demo/heatmaps?page={}&kind=scroll", common::urlencode(&page_key)),
        Some(ANALYST_KEY),
        b"",
    )
    .json();
    assert!(scroll["depth"][20]["reached"].as_u64().unwrap() >= 1, "the bottom was reached: {scroll}");

    // The session replays: a full snapshot of the shop, then its changes.
    let sessions = api(&run.veil, "GET", "/v1/sites/demo/sessions", Some(ANALYST_KEY), b"").json();
    assert_eq!(sessions["total"], 1, "{sessions}");
    let session = sessions["sessions"][0]["session"].as_str().unwrap().to_owned();
    assert_eq!(sessions["sessions"][0]["browser"], "bot", "headless Chromium says so in its user agent");
    let events =
        api(&run.veil, "GET", &format!("/v1/sites/demo/sessions/{session}/events"), Some(ANALYST_KEY), b"");
    let events: Vec<Value> = serde_json::from_slice(&events.body).unwrap();
    let kinds: Vec<u64> = events.iter().map(|e| e["type"].as_u64().unwrap()).collect();
    assert!(kinds.contains(&4) && kinds.contains(&2), "no Meta and FullSnapshot: {kinds:?}");
    // The page as it was at consent (bought once before), then the change
    // made by the click after consent.
    let snapshot = events.iter().find(|e| e["type"] == 2).unwrap().to_string();
    assert!(snapshot.contains("Thank you (1)") && snapshot.contains("Veil test shop"), "{snapshot}");
    let changes =
        serde_json::to_string(&events.iter().filter(|e| e["type"] == 3).collect::<Vec<_>>()).unwrap();
    assert!(changes.contains("Thank you (2)"), "the click's change is not replayed");
    let inputs = events.iter().filter(|e| e["type"] == 3 && e["data"]["source"] == 5).count();
    assert!(inputs > 0, "typing was not recorded at all");
    // The password and card fields are removed (SPEC §5): rrweb's block
    // leaves boxes of their measured size, nothing else of them; the
    // hidden field keeps its place.
    for gone in [r#""name":"password""#, r#""type":"password""#, r#""name":"card""#, "cc-number"] {
        assert!(!snapshot.contains(gone), "{gone} in {snapshot}");
    }
    assert_eq!(snapshot.matches(r#""rr_width":"#).count(), 2, "{snapshot}");
    assert!(snapshot.contains(r#""type":"hidden""#), "{snapshot}");

    // Typed values and the hidden field never reached ClickHouse, in any
    // table or stored recording.
    let mut stored = common::dump_all_tables(&run.db);
    stored.push_str(&common::stored_payloads(&run.db).join("\n"));
    let typed: Vec<String> = serde_json::from_value(report["typed"].clone()).unwrap();
    for secret in typed.iter().map(String::as_str).chain(["hidden-field-secret-4711", "before-consent"]) {
        assert!(!stored.contains(secret), "{secret:?} reached ClickHouse");
    }
    run.driver.go_on();
    withdrawn(&mut run);
    // Heatmap counts are anonymous and stay.
    let after = api(
        &run.veil,
        "GET",
        &format!("/v1/sites/demo/heatmaps?page={}&kind=click", common::urlencode(&page_key)),
        Some(ADMIN_KEY),
        b"",
    )
    .json();
    assert_eq!(after["total"], heatmap["total"]);
}

#[test]
fn an_iab_tcf_cmp_grants_consent_with_its_proof() {
    let mut run = start("recorder.mjs", "tcf", &[]);
    nothing_before_consent(&mut run);
    recorded(&mut run);
    let proof = run.db.query("SELECT cmp_framework, substring(cmp_proof, 1, 12) FROM consent_log");
    assert_eq!(proof.trim(), "tcf\tCQTEST0QTEST", "the TC string is the proof");
    run.driver.go_on();
    withdrawn(&mut run);
}

#[test]
fn google_consent_mode_grants_consent() {
    let mut run = start("recorder.mjs", "gcm", &[]);
    nothing_before_consent(&mut run);
    recorded(&mut run);
    let framework = run.db.query("SELECT cmp_framework, cmp_proof FROM consent_log");
    assert!(framework.starts_with("gcm\t") && framework.contains("granted"), "{framework}");
    run.driver.go_on();
    withdrawn(&mut run);
}
