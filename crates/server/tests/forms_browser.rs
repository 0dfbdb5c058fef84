//! Form analytics in a real browser: Debian's Chromium, driven by
//! `tests/browser/forms.mjs`, fills in a checkout page served from its own
//! origin with the real recorder (`veil.min.js` from a real `veil serve` on
//! a real ClickHouse): name, e-mail, a phone number mostly deleted again,
//! then away with the form unsent. The server's funnel ends at the phone
//! field, nothing typed reaches any table, and the console's Forms tab of
//! that page shows the funnel with the phone field marked as where visitors
//! stopped. Its screenshot goes to the test's temporary directory, and to
//! `docs/screenshots/forms.png` when `UPDATE_SCREENSHOTS=1`.
//!
//! Needs `chromium` and the driver's node packages, like
//! `recorder_browser.rs`.

#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::browser::{Driver, check_prerequisites};
use common::{ANALYST_KEY, api, server_with_keys_for, urlencode, wait_for_query};
use serde_json::Value;
use veil_test_support::{TempDir, VeilProcess, repo_root};

/// A checkout form of three fields the visitor fills in and one they never reach.
const CHECKOUT: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Veil test checkout</title>
<link rel="icon" href="data:,">
<style>body { font: 16px sans-serif; margin: 40px; } label { display: block; margin: 12px 0; }</style>
<script src="VEIL_URL/sdk/veil.min.js"></script>
</head>
<body>
<h1>Checkout</h1>
<form id="checkout" onsubmit="return false">
  <label>Name <input id="name" name="name" autocomplete="name"></label>
  <label>E-mail <input id="email" name="email" type="email" autocomplete="email"></label>
  <label>Phone <input id="phone" name="phone" type="tel" autocomplete="tel"></label>
  <label>Country <select id="country" name="country"><option>Netherlands</option><option>Belgium</option></select></label>
  <button id="pay">Pay</button>
</form>
<script>veil.init({ site: "demo", endpoint: "VEIL_URL" });</script>
</body>
</html>
"#;

const FIELDS: [&str; 3] = ["input#name", "input#email", "input#phone"];

/// Serves the checkout page at `/checkout` from the listener's origin.
fn serve_checkout(listener: TcpListener, veil_url: &str) {
    let page = CHECKOUT.replace("VEIL_URL", veil_url);
    common::browser::serve(listener, move |path| {
        path.starts_with("/checkout").then(|| ("text/html", page.clone().into_bytes()))
    });
}

/// The page's forms once the abandonment is in: the recorder sends the
/// fields left while typing before the page hide sends the rest.
fn abandoned_forms(veil: &VeilProcess, page: &str) -> Value {
    let path = format!("/v1/sites/demo/forms?page={}&device=all", urlencode(page));
    let started = Instant::now();
    loop {
        let answer = api(veil, "GET", &path, Some(ANALYST_KEY), b"");
        assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
        let forms = answer.json();
        if forms["forms"][0]["abandoned"] == 1
            && forms["forms"][0]["fields"].as_array().is_some_and(|f| f.len() == 3)
        {
            return forms;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the abandonment never arrived: {forms}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_forms_tab_shows_where_a_visitor_left_a_checkout_and_nothing_they_typed() {
    check_prerequisites();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let (db, veil) = server_with_keys_for(&origin, &[]);
    serve_checkout(listener, veil.base_url());
    let page_url = format!("{origin}/checkout");
    let shots = TempDir::new("veil-forms-browser");
    let shots_arg = shots.path().display().to_string();
    let mut driver = Driver::start("forms.mjs", &[&page_url, veil.base_url(), ANALYST_KEY, &shots_arg]);

    let visit = driver.phase("abandoned");
    assert_eq!(visit["phoneLeft"], "+31", "{visit}");
    wait_for_query(&db, "SELECT count() > 0 FROM form_fields", "1", Duration::from_secs(20));
    let answer = abandoned_forms(&veil, &page_url);
    let form = &answer["forms"][0];
    assert_eq!(answer["forms"].as_array().unwrap().len(), 1, "{answer}");
    assert_eq!(form["form"], "form#checkout", "{answer}");
    assert_eq!(
        (&form["started"], &form["submitted"], &form["abandon_rate"]),
        (&1.into(), &0.into(), &1.0.into()),
        "{answer}"
    );
    assert_eq!(form["last_field"], "input#phone", "the visitor left at the phone field: {answer}");
    let fields: Vec<&str> =
        form["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, FIELDS, "{answer}");
    let phone = &form["fields"][2];
    assert_eq!(
        (&phone["position"], &phone["abandoned"], &phone["refilled"]),
        (&2.into(), &1.into(), &1.into()),
        "the phone number was typed and mostly deleted: {answer}"
    );
    assert!(phone["median_ms"].as_u64().unwrap() > 0, "{answer}");

    // Nothing typed is stored anywhere: no table, no recording.
    let mut stored = common::dump_all_tables(&db);
    stored.push_str(&common::stored_payloads(&db).join("\n"));
    assert!(stored.contains("input#phone"), "the dump holds the form rows");
    for typed in ["Jane Roe", "jane.roe@example.com", "12345678", "+31 6"] {
        assert!(!stored.contains(typed), "{typed:?} reached ClickHouse");
    }
    driver.go_on();

    let console = driver.phase("console");
    assert_eq!(console["pageErrors"], serde_json::json!([]), "{console}");
    assert_eq!(console["pageKey"], page_url.as_str(), "{console}");
    assert!(console["url"].as_str().unwrap().contains("tab=forms"), "{console}");
    let card = &console["forms"][0];
    assert_eq!(card["form"], "form#checkout", "{console}");
    let rows = card["rows"].as_array().unwrap();
    let shown: Vec<&str> = rows.iter().map(|r| r["field"].as_str().unwrap()).collect();
    assert_eq!(shown, FIELDS, "the funnel in form order: {console}");
    let marked: Vec<&str> =
        rows.iter().filter(|r| r["last"] == true).map(|r| r["field"].as_str().unwrap()).collect();
    assert_eq!(marked, ["input#phone"], "{console}");
    assert!(
        card["drop"].as_str().unwrap().contains("Most visitors who left stopped at input#phone"),
        "{console}"
    );
    // One visitor reached every field: full bars, nobody dropped off before.
    for row in rows {
        assert_eq!(row["bar"], "100%", "{row}");
    }
    let facts = card["facts"].to_string();
    assert!(facts.contains("Started1") && facts.contains("Abandon rate100%"), "{facts}");
    let screenshot = shots.path().join("forms.png");
    assert!(std::fs::metadata(&screenshot).map(|m| m.len()).unwrap_or(0) > 10_000, "no screenshot");
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some_and(|v| v == "1") {
        std::fs::copy(&screenshot, repo_root().join("docs/screenshots/forms.png")).unwrap();
    }
}
