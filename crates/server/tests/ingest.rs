//! The ingest path end to end (SPEC §4, issue "Consent tokens and the
//! ingest path"): real `veil serve`, real ClickHouse. A batch answered 202
//! is stored; every refused request stores nothing.

mod common;

use std::time::Duration;

use common::{ORIGIN, batch, demo_token, gzip, msgpack, token, wait_for_metrics, wait_for_query, zstd};
use serde_json::json;
use veil_test_support::{Response, VeilProcess};

/// Extra request headers of a test case.
type Headers = Vec<(&'static str, &'static str)>;

const SESSION: &str = "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f";

fn send(veil: &VeilProcess, token: Option<&str>, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let mut all: Vec<(&str, &str)> = vec![("Origin", ORIGIN)];
    if let Some(token) = token {
        all.push(("X-Consent-Token", token));
    }
    all.extend_from_slice(headers);
    veil.post("/v1/ingest", &all, body)
}

fn msgpack_zstd() -> [(&'static str, &'static str); 2] {
    [("Content-Type", "application/msgpack"), ("Content-Encoding", "zstd")]
}

/// Flips one bit of the token's payload or MAC.
fn flip_bit(token: &str, index: usize) -> String {
    let mut bytes = token.as_bytes().to_vec();
    // Flip within the base64 alphabet so the token stays well-formed.
    bytes[index] = if bytes[index] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).expect("ascii")
}

#[test]
fn a_valid_batch_is_stored_masked_in_every_encoding() {
    let (db, veil) = common::migrated_server();
    let token = demo_token();
    let encodings: Vec<(Vec<u8>, Headers)> = vec![
        (zstd(&msgpack(&batch("demo", SESSION, 0))), msgpack_zstd().to_vec()),
        (
            gzip(&msgpack(&batch("demo", SESSION, 1))),
            vec![("Content-Type", "application/msgpack"), ("Content-Encoding", "gzip")],
        ),
        (msgpack(&batch("demo", SESSION, 2)), vec![("Content-Type", "application/msgpack")]),
        (
            serde_json::to_vec(&batch("demo", SESSION, 3)).expect("json"),
            vec![("Content-Type", "application/json; charset=utf-8")],
        ),
        (
            zstd(&serde_json::to_vec(&batch("demo", SESSION, 4)).expect("json")),
            vec![("Content-Type", "application/json"), ("Content-Encoding", "zstd")],
        ),
    ];
    for (body, headers) in &encodings {
        let response = send(&veil, Some(&token), headers, body);
        assert_eq!(response.status, 202, "{headers:?}: {}", String::from_utf8_lossy(&response.body));
        assert_eq!(response.json(), json!({"accepted": 3, "dropped": 0}));
        assert_eq!(response.header("access-control-allow-origin"), Some(ORIGIN));
        assert_eq!(response.header("access-control-expose-headers"), Some("Retry-After"));
    }
    // A beacon: token and encoding in the query, no custom headers.
    let beacon = zstd(&msgpack(&batch("demo", SESSION, 5)));
    let path = format!("/v1/ingest?consent={token}&format=msgpack&encoding=zstd");
    let response =
        veil.post(&path, &[("Origin", ORIGIN), ("Content-Type", "text/plain;charset=UTF-8")], &beacon);
    assert_eq!(response.status, 202, "{}", String::from_utf8_lossy(&response.body));

    wait_for_query(&db, "SELECT count(), sum(event_count) FROM recordings", "6\t18", Duration::from_secs(10));
    for payload in common::stored_payloads(&db) {
        let events: serde_json::Value = serde_json::from_str(&payload).expect("json");
        let text = events.to_string();
        assert!(!text.contains("typed secret value"), "typed value stored: {text}");
        assert!(text.contains("******************"), "masked value missing: {text}");
        assert!(text.contains("veil.click"), "{text}");
    }
    let visitors = db.query("SELECT uniqExact(visitor), any(site), any(session) FROM recordings");
    assert_eq!(visitors.trim(), format!("1\tdemo\t{SESSION}"));
}

/// Batches of a few kB are processed on the HTTP worker, larger ones on
/// the blocking pool (`INLINE_PLAIN_BYTES`, 256 KiB): both give the same
/// answer and the same masked rows, compressed or not.
#[test]
fn batches_on_both_sides_of_the_inline_cut_are_stored_masked() {
    let (db, veil) = common::migrated_server();
    let token = demo_token();
    let mut sent = 0;
    for (seq, padding) in [(0u64, 1_000usize), (1, 400_000), (2, 1_000), (3, 400_000)] {
        let mut batch = batch("demo", SESSION, seq);
        let ts = batch["events"][0]["timestamp"].as_u64().expect("ts");
        let events = batch["events"].as_array_mut().expect("events");
        events.push(json!({"type": 5, "timestamp": ts + 950, "data": {"tag": "app.note", "payload": {
            "text": "lorem ipsum ".repeat(padding / 12)}}}));
        let body = msgpack(&batch);
        let response = if seq % 2 == 0 {
            send(&veil, Some(&token), &msgpack_zstd(), &zstd(&body))
        } else {
            send(&veil, Some(&token), &[("Content-Type", "application/msgpack")], &body)
        };
        assert_eq!(response.status, 202, "seq {seq}: {}", String::from_utf8_lossy(&response.body));
        assert_eq!(response.json(), json!({"accepted": 4, "dropped": 0}), "seq {seq}");
        sent += 1;
    }
    wait_for_query(
        &db,
        "SELECT count(), sum(event_count) FROM recordings",
        &format!("{sent}\t{}", sent * 4),
        Duration::from_secs(10),
    );
    let payloads = common::stored_payloads(&db);
    assert_eq!(payloads.len(), sent);
    for payload in payloads {
        assert!(!payload.contains("typed secret value"), "typed value stored");
        assert!(payload.contains("******************"), "masked value missing");
    }
}

#[test]
fn refused_tokens_store_nothing() {
    let (db, veil) = common::migrated_server();
    let body = zstd(&msgpack(&batch("demo", SESSION, 0)));
    let good = demo_token();
    let payload_bit = good.find('.').expect("dot") + 10;
    let mac_bit = good.len() - 5;
    let revoked = demo_token();
    let withdrawn =
        veil.post("/v1/consent/withdraw", &[("Origin", ORIGIN), ("X-Consent-Token", &revoked)], b"");
    assert_eq!(withdrawn.status, 200, "{}", String::from_utf8_lossy(&withdrawn.body));

    let cases: Vec<(&str, Option<String>, Headers, u16, &str)> = vec![
        ("missing", None, vec![], 401, "missing_token"),
        ("garbage", Some("not-a-token".into()), vec![], 401, "invalid_token"),
        ("payload bit flipped", Some(flip_bit(&good, payload_bit)), vec![], 401, "invalid_token"),
        ("mac bit flipped", Some(flip_bit(&good, mac_bit)), vec![], 401, "invalid_token"),
        (
            "expired",
            Some(token("demo", &["recording", "heatmaps"], 7200, 3600)),
            vec![],
            401,
            "token_expired",
        ),
        (
            "other site",
            Some(token("other", &["heatmaps"], 0, 3600)),
            vec![("Origin", "https://other.example")],
            403,
            "wrong_site",
        ),
        ("revoked", Some(revoked.clone()), vec![], 403, "consent_revoked"),
        (
            "wrong origin",
            Some(good.clone()),
            vec![("Origin", "https://evil.example")],
            403,
            "origin_not_allowed",
        ),
        ("null origin", Some(good.clone()), vec![("Origin", "null")], 403, "origin_not_allowed"),
        ("global privacy control", Some(good.clone()), vec![("Sec-GPC", "1")], 403, "gpc_opt_out"),
    ];
    for (name, token, extra, status, code) in cases {
        let mut headers: Vec<(&str, &str)> = msgpack_zstd().to_vec();
        let mut origin = ORIGIN;
        for (k, v) in &extra {
            if *k == "Origin" {
                origin = v;
            } else {
                headers.push((k, v));
            }
        }
        if let Some(token) = &token {
            headers.push(("X-Consent-Token", token));
        }
        headers.push(("Origin", origin));
        let response = veil.post("/v1/ingest", &headers, &body);
        assert_eq!(response.status, status, "{name}: {}", String::from_utf8_lossy(&response.body));
        assert_eq!(response.error_code(), code, "{name}");
    }
    // A marker batch behind the refused ones: once it is stored, anything
    // queued before it would be too.
    let response = send(&veil, Some(&good), &msgpack_zstd(), &zstd(&msgpack(&batch("demo", SESSION, 99))));
    assert_eq!(response.status, 202);
    wait_for_query(&db, "SELECT count() FROM recordings WHERE seq = 99", "1", Duration::from_secs(10));
    assert_eq!(db.query("SELECT count() FROM recordings").trim(), "1", "a refused batch was stored");
}

#[test]
fn bodies_are_checked_and_answered_with_the_spec_codes() {
    let (db, veil) = common::migrated_server_with(&[
        ("VEIL_INGEST__MAX_BODY_BYTES", "65536"),
        ("VEIL_INGEST__MAX_DECOMPRESSED_BYTES", "1048576"),
    ]);
    let token = demo_token();
    let mut unknown_version = batch("demo", SESSION, 0);
    unknown_version["v"] = json!(2);
    let mut bad_session = batch("demo", SESSION, 0);
    bad_session["session"] = json!("short");
    let big = vec![b'x'; 70_000];
    let cases: Vec<(&str, Vec<u8>, Headers, u16, &str)> = vec![
        ("malformed msgpack", vec![0xc1, 0x00, 0xff], msgpack_zstd()[..1].to_vec(), 400, "malformed_body"),
        (
            "truncated msgpack",
            msgpack(&batch("demo", SESSION, 0))[..40].to_vec(),
            msgpack_zstd()[..1].to_vec(),
            400,
            "malformed_body",
        ),
        ("bad zstd", b"definitely not zstd".to_vec(), msgpack_zstd().to_vec(), 400, "malformed_body"),
        ("unknown v", zstd(&msgpack(&unknown_version)), msgpack_zstd().to_vec(), 400, "unsupported_version"),
        ("bad session id", zstd(&msgpack(&bad_session)), msgpack_zstd().to_vec(), 400, "invalid_field"),
        ("oversize body", big.clone(), vec![("Content-Type", "application/json")], 413, "body_too_large"),
        (
            "oversize after zstd",
            zstd(&vec![b' '; 2 << 20]),
            vec![("Content-Type", "application/json"), ("Content-Encoding", "zstd")],
            413,
            "decompressed_too_large",
        ),
        (
            "unsupported type",
            msgpack(&batch("demo", SESSION, 0)),
            vec![("Content-Type", "application/xml")],
            415,
            "unsupported_content_type",
        ),
        (
            "unsupported encoding",
            msgpack(&batch("demo", SESSION, 0)),
            vec![("Content-Type", "application/msgpack"), ("Content-Encoding", "br")],
            415,
            "unsupported_encoding",
        ),
    ];
    for (name, body, headers, status, code) in cases {
        let response = send(&veil, Some(&token), &headers, &body);
        assert_eq!(response.status, status, "{name}: {}", String::from_utf8_lossy(&response.body));
        assert_eq!(response.error_code(), code, "{name}");
        assert!(response.json()["error"]["message"].is_string(), "{name}");
    }
    // Nested deeper than 512 levels.
    let mut deep = batch("demo", SESSION, 0);
    let mut nested = json!(1);
    for _ in 0..600 {
        nested = json!([nested]);
    }
    deep["events"][0]["data"]["deep"] = nested;
    let response = send(
        &veil,
        Some(&token),
        &[("Content-Type", "application/json")],
        &serde_json::to_vec(&deep).expect("json"),
    );
    assert_eq!((response.status, response.error_code().as_str()), (400, "too_deep"));

    // A purpose that was not granted is dropped and counted, not stored.
    let heatmaps_only = token_for_purposes(&["heatmaps"]);
    let response =
        send(&veil, Some(&heatmaps_only), &msgpack_zstd(), &zstd(&msgpack(&batch("demo", SESSION, 7))));
    assert_eq!(response.status, 202);
    assert_eq!(response.json(), json!({"accepted": 1, "dropped": 2}));
    // With `heatmaps` alone the click is aggregated and nothing is recorded.
    wait_for_query(&db, "SELECT sumMerge(clicks) FROM heatmap_clicks", "1", Duration::from_secs(10));
    assert_eq!(db.query("SELECT count() FROM recordings").trim(), "0");

    wait_for_metrics(
        &veil,
        &[
            r#"veil_ingest_rejections_total{endpoint="ingest",reason="too_deep"} 1"#,
            r#"veil_ingest_rejections_total{endpoint="ingest",reason="body_too_large"} 1"#,
            r#"veil_ingest_events_dropped_total{cause="purpose_not_granted"} 2"#,
            r#"veil_ingest_events_total{type="custom"} 1"#,
            r#"veil_ingest_received_bytes_total{encoding="zstd"}"#,
            "veil_ingest_decode_duration_seconds_count",
            r#"veil_store_inserted_rows_total{table="heatmap_clicks_input"} 1"#,
        ],
        Duration::from_secs(10),
    );
}

fn token_for_purposes(purposes: &[&str]) -> String {
    token("demo", purposes, 0, 3600)
}

#[test]
fn rate_limit_answers_429_with_retry_after() {
    let (_db, veil) = common::migrated_server_with(&[
        ("VEIL_INGEST__RATE_LIMIT_PER_SECOND", "1"),
        ("VEIL_INGEST__RATE_LIMIT_BURST", "3"),
    ]);
    let token = demo_token();
    let body = zstd(&msgpack(&batch("demo", SESSION, 0)));
    let statuses: Vec<Response> = (0..6).map(|_| send(&veil, Some(&token), &msgpack_zstd(), &body)).collect();
    let limited = statuses.iter().find(|r| r.status == 429).expect("some request is limited");
    assert_eq!(limited.error_code(), "rate_limited");
    let retry: u64 = limited.header("retry-after").and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    assert!(statuses.iter().take(3).all(|r| r.status == 202), "the burst passes");
}

#[test]
fn consent_grants_are_logged_and_checked() {
    let (db, veil) = common::migrated_server();
    let grant = |body: serde_json::Value, origin: &str| {
        veil.post(
            "/v1/consent",
            &[("Origin", origin), ("Content-Type", "application/json")],
            &serde_json::to_vec(&body).expect("json"),
        )
    };
    let visitor = "9f1c2b3a4d5e6f708192a3b4c5d6e7f8";
    let response = grant(
        json!({"site": "demo", "purposes": ["recording", "heatmaps"], "visitor": visitor,
               "cmp": {"framework": "tcf", "proof": "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA"}}),
        ORIGIN,
    );
    assert_eq!(response.status, 201, "{}", String::from_utf8_lossy(&response.body));
    let answer = response.json();
    let token = answer["token"].as_str().expect("token");
    assert!(token.starts_with("v1."));
    assert!(answer["expires_at"].as_str().is_some_and(|t| t.ends_with('Z') && t.len() == 20), "{answer}");
    let consent_id = answer["consent_id"].as_str().expect("consent id").to_owned();

    // The grant is logged with its proof.
    wait_for_query(
        &db,
        &format!(
            "SELECT visitor, purposes, cmp_framework, cmp_proof FROM consent_log WHERE consent_id = '{consent_id}' AND action = 'grant'"
        ),
        &format!("{visitor}\t['recording','heatmaps']\ttcf\tCPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA"),
        Duration::from_secs(10),
    );

    // The token works for ingest.
    let ingest = send(&veil, Some(token), &msgpack_zstd(), &zstd(&msgpack(&batch("demo", SESSION, 0))));
    assert_eq!(ingest.status, 202);

    let refusals = [
        (
            json!({"site": "demo", "purposes": ["recording"], "visitor": visitor}),
            "https://evil.example",
            403,
            "origin_not_allowed",
        ),
        (
            json!({"site": "other", "purposes": ["recording"], "visitor": visitor}),
            "https://other.example",
            403,
            "purpose_not_enabled",
        ),
        (
            json!({"site": "demo", "purposes": ["ads"], "visitor": visitor}),
            ORIGIN,
            403,
            "purpose_not_enabled",
        ),
        (
            json!({"site": "nosuch", "purposes": ["recording"], "visitor": visitor}),
            ORIGIN,
            403,
            "unknown_site",
        ),
        (
            json!({"site": "demo", "purposes": ["recording"], "visitor": "jane@example.com"}),
            ORIGIN,
            400,
            "invalid_field",
        ),
        (json!({"site": "demo", "purposes": [], "visitor": visitor}), ORIGIN, 400, "invalid_field"),
        (json!({"site": "demo"}), ORIGIN, 400, "malformed_body"),
    ];
    for (body, origin, status, code) in refusals {
        let response = grant(body.clone(), origin);
        assert_eq!((response.status, response.error_code().as_str()), (status, code), "{body}");
    }

    // Withdrawal with erase, by body token.
    let response = veil.post(
        "/v1/consent/withdraw",
        &[("Origin", ORIGIN), ("Content-Type", "application/json")],
        &serde_json::to_vec(&json!({"token": token, "erase": true})).expect("json"),
    );
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    assert_eq!(response.json()["consent_id"], consent_id.as_str());
    let after = send(&veil, Some(token), &msgpack_zstd(), &zstd(&msgpack(&batch("demo", SESSION, 1))));
    assert_eq!((after.status, after.error_code().as_str()), (403, "consent_revoked"));

    // The withdrawal asked for erasure: the visitor's grant and withdrawal
    // are gone, a withdrawal marker without the visitor keeps the consent
    // revoked.
    wait_for_query(
        &db,
        &format!(
            "SELECT groupArray(action), groupArray(visitor), max(erase) FROM (SELECT * FROM consent_log WHERE consent_id = '{consent_id}' ORDER BY at, at_ms)"
        ),
        "['withdraw']\t['']\t1",
        Duration::from_secs(20),
    );
}

#[test]
fn cors_preflights_allow_only_configured_origins() {
    let (_db, veil) = common::migrated_server();
    for path in ["/v1/ingest", "/v1/consent", "/v1/consent/withdraw"] {
        let allowed = veil.request(
            "OPTIONS",
            path,
            &[
                ("Origin", "https://other.example"),
                ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "content-type, x-consent-token"),
            ],
            b"",
        );
        assert_eq!(allowed.status, 204, "{path}");
        assert_eq!(allowed.header("access-control-allow-origin"), Some("https://other.example"));
        assert!(
            allowed.header("access-control-allow-headers").is_some_and(|h| h.contains("x-consent-token"))
        );
        assert!(allowed.header("access-control-allow-methods").is_some_and(|h| h.contains("POST")));
        let denied = veil.request(
            "OPTIONS",
            path,
            &[("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")],
            b"",
        );
        assert_eq!(denied.status, 403, "{path}");
        assert_eq!(denied.header("access-control-allow-origin"), None);
    }
}
