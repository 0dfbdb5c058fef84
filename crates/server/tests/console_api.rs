//! The console's server side (issue 8) through the real server: login by
//! API key into an HttpOnly SameSite=Strict cookie, the cookie standing for
//! the key on every API with the CSRF header required for changes, roles
//! kept, the sites list, the newest full snapshot of a page, and the
//! recorder bundle served at /sdk/veil.min.js.

#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use std::time::Duration;

use common::{ADMIN_KEY, ANALYST_KEY, api, ingest, server_with_keys, visitor_token, wait_for_query};
use serde_json::json;

const VISITOR: &str = "00112233445566778899aabbccddeeff";
const SESSION: &str = "6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";

use common::{console_login as login, cookie_of};

#[test]
fn a_login_cookie_stands_for_its_key_with_csrf_and_roles_kept() {
    let (_db, veil) = server_with_keys(&[]);
    let refused = login(&veil, "veil_not_a_key");
    assert_eq!((refused.status, refused.error_code().as_str()), (401, "unauthorized"));
    assert!(refused.header("set-cookie").is_none());

    let analyst = login(&veil, ANALYST_KEY);
    assert_eq!(analyst.status, 200);
    assert_eq!(analyst.json(), json!({"name": "ana", "role": "analyst"}));
    let set = analyst.header("set-cookie").unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains(ANALYST_KEY), "the key itself is in the cookie");
    let cookie = cookie_of(&analyst);
    let with = |method: &str, path: &str, extra: &[(&str, &str)], body: &[u8]| {
        let mut headers = vec![("Cookie", cookie.as_str()), ("Content-Type", "application/json")];
        headers.extend_from_slice(extra);
        veil.request(method, path, &headers, body)
    };
    let me = with("GET", "/console/me", &[], b"");
    assert_eq!(me.json(), json!({"name": "ana", "role": "analyst"}));
    assert_eq!(with("GET", "/v1/sites/demo/sessions", &[], b"").status, 200);
    assert_eq!(with("GET", "/v1/audit", &[], b"").status, 403, "an analyst cookie is no admin");
    // A change riding on the cookie without the console's header is
    // refused (a cross-site form cannot set it).
    let report = format!("/v1/sites/demo/sessions/{SESSION}/report");
    let forged = with("POST", &report, &[], b"");
    assert_eq!((forged.status, forged.error_code().as_str()), (403, "csrf"));
    assert_eq!(
        with("POST", &report, &[("X-Veil-Console", "1")], b"").status,
        404,
        "no such session, but allowed"
    );

    let sites = with("GET", "/v1/sites", &[], b"").json();
    assert_eq!(sites["sites"][0]["id"], "demo");
    assert_eq!(sites["sites"][0]["retention_days"], 30);

    // A tampered cookie is nobody; logging out clears the cookie.
    let tampered = cookie.replace("v2.", "v2.00");
    let response = veil.request("GET", "/console/me", &[("Cookie", &tampered)], b"");
    assert_eq!(response.status, 401);
    let out = veil.request("POST", "/console/logout", &[("Cookie", &cookie)], b"");
    assert_eq!(out.status, 204);
    assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));

    let admin = cookie_of(&login(&veil, ADMIN_KEY));
    let audit = veil.request("GET", "/v1/audit", &[("Cookie", &admin)], b"");
    assert_eq!(audit.status, 200);
}

#[test]
fn the_newest_snapshot_of_a_page_is_served_for_heatmaps() {
    let (db, veil) = server_with_keys(&[]);
    let token = visitor_token(VISITOR, &["recording", "heatmaps"]);
    let now = common::now() * 1000;
    let snapshot = |title: &str| {
        json!({"type": 2, "timestamp": now + 10, "data": {"node": {"type": 0, "id": 1, "childNodes": [
            {"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [
                {"type": 2, "id": 3, "tagName": "body", "attributes": {}, "childNodes": [
                    {"type": 3, "id": 4, "textContent": title}]}]}]}, "initialOffset": {"left": 0, "top": 0}}})
    };
    for (seq, (width, title)) in [(1280, "Desktop view"), (375, "Mobile view")].into_iter().enumerate() {
        let batch = json!({
            "v": 1, "site": "demo", "session": SESSION, "seq": seq,
            "page": {"url": "http://127.0.0.1:8080/cart", "title": "Cart"},
            "viewport": {"w": width, "h": 700}, "document": {"w": width, "h": 2000},
            "events": [
                {"type": 4, "timestamp": now, "data": {"href": "http://127.0.0.1:8080/cart", "width": width, "height": 700}},
                snapshot(title),
            ]
        });
        assert_eq!(ingest(&veil, &token, &batch).status, 202);
    }
    wait_for_query(&db, "SELECT count() FROM session_index", "2", Duration::from_secs(10));
    let get =
        |query: &str| api(&veil, "GET", &format!("/v1/sites/demo/snapshot?{query}"), Some(ANALYST_KEY), b"");
    let desktop = get("page=http://127.0.0.1:8080/cart&device=desktop");
    assert_eq!(desktop.status, 200, "{}", String::from_utf8_lossy(&desktop.body));
    let body = desktop.json();
    assert_eq!(body["viewport"], json!({"w": 1280, "h": 700}));
    let kinds: Vec<u64> =
        body["events"].as_array().unwrap().iter().map(|e| e["type"].as_u64().unwrap()).collect();
    assert_eq!(kinds, [4, 2]);
    assert!(body.to_string().contains("Desktop view"));
    let mobile = get("page=http://127.0.0.1:8080/cart&device=mobile").json();
    assert!(mobile.to_string().contains("Mobile view"));
    assert_eq!(get("page=http://127.0.0.1:8080/cart&device=tablet").status, 404);
    assert_eq!(get("page=http://127.0.0.1:8080/nowhere").status, 404);
    assert_eq!(get("device=mobile").status, 400);
    let audit = api(&veil, "GET", "/v1/audit?action=snapshot.read", Some(ADMIN_KEY), b"").json();
    assert_eq!(audit["entries"].as_array().unwrap().len(), 2, "{audit}");
}

#[test]
fn the_recorder_bundle_is_served_with_a_validator() {
    let (_db, veil) = server_with_keys(&[]);
    let response = veil.request("GET", "/sdk/veil.min.js", &[], b"");
    assert_eq!(response.status, 200);
    assert!(response.header("content-type").unwrap().starts_with("text/javascript"));
    let bundle = std::fs::read(veil_test_support::repo_root().join("sdk-js/dist/veil.min.js")).unwrap();
    assert_eq!(response.body, bundle, "the served recorder is the committed build");
    let etag = response.header("etag").unwrap().to_owned();
    let again = veil.request("GET", "/sdk/veil.min.js", &[("If-None-Match", &etag)], b"");
    assert_eq!((again.status, again.body.len()), (304, 0));
}
