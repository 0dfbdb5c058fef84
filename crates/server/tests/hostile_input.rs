//! Hostile and malformed ingest bodies against the real server: every
//! answer is one SPEC §4 status with a JSON error, the process never
//! dies on request data, refusals are counted, and the `accepted` and
//! `dropped` of a 202 account for every event sent.

mod common;

use common::{ORIGIN, batch, demo_token, gzip, msgpack, zstd};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use veil_test_support::{Response, VeilProcess};

const SESSION: &str = "5b0e2f4c-8a1d-4e3b-9f2a-1c2d3e4f5a6b";

fn send(veil: &VeilProcess, content_type: &str, encoding: Option<&str>, body: &[u8]) -> Response {
    let token = demo_token();
    let mut headers =
        vec![("Origin", ORIGIN), ("X-Consent-Token", token.as_str()), ("Content-Type", content_type)];
    if let Some(encoding) = encoding {
        headers.push(("Content-Encoding", encoding));
    }
    veil.post("/v1/ingest", &headers, body)
}

/// Batches whose JSON is well-formed but whose fields are of the wrong
/// type, out of range or missing.
fn confused_batches() -> Vec<Value> {
    let edits: Vec<(&str, Value)> = vec![
        ("v", json!("1")),
        ("v", json!(null)),
        ("seq", json!(-1)),
        ("seq", json!("7")),
        ("seq", json!(1e30)),
        ("session", json!(123)),
        ("session", json!("")),
        ("site", json!(["demo"])),
        ("page", json!([])),
        ("page", json!({"url": 7})),
        ("viewport", json!("wide")),
        ("viewport", json!({"w": -1, "h": 1e300})),
        ("events", json!("none")),
        ("events", json!(null)),
        ("events", json!({"0": {}})),
        ("events", json!([1, "two", null, [], {}])),
        ("events", json!([{"type": "2", "timestamp": 1, "data": {}}])),
        ("events", json!([{"type": 99999, "timestamp": 1, "data": {}}])),
        ("events", json!([{"type": 3, "timestamp": "now", "data": {}}])),
        ("events", json!([{"type": 3, "timestamp": -5, "data": null}])),
        ("events", json!([{"type": 2, "timestamp": 1, "data": {"node": {"type": 0, "childNodes": "x"}}}])),
        (
            "events",
            json!([{"type": 2, "timestamp": 1, "data": {"node": {"type": 2, "id": "a", "tagName": 5, "attributes": [], "childNodes": [{"type": 3}]}}}]),
        ),
        (
            "events",
            json!([{"type": 3, "timestamp": 1, "data": {"source": 0, "adds": [{"parentId": null, "node": 7}], "texts": "x", "removes": {}, "attributes": [{}]}}]),
        ),
        (
            "events",
            json!([{"type": 5, "timestamp": 1, "data": {"tag": "veil.click", "payload": {"x": "a", "y": null, "w": -1, "h": 0, "vw": 0, "vh": 0}}}]),
        ),
        (
            "events",
            json!([{"type": 5, "timestamp": 1, "data": {"tag": "veil.scroll", "payload": {"y": 1e308, "h": 1e-308}}}]),
        ),
        ("document", json!({"w": "x"})),
    ];
    let mut out = Vec::new();
    for (field, value) in edits {
        let mut b = batch("demo", SESSION, 0);
        b[field] = value;
        out.push(b);
    }
    for field in ["v", "site", "session", "seq", "page", "viewport", "events"] {
        let mut b = batch("demo", SESSION, 0);
        b.as_object_mut().expect("an object").remove(field);
        out.push(b);
    }
    out
}

/// Raw bodies: cut, flipped and random bytes, in every encoding.
fn broken_bodies(rng: &mut StdRng) -> Vec<(&'static str, Option<&'static str>, Vec<u8>)> {
    let valid_json = serde_json::to_vec(&batch("demo", SESSION, 0)).expect("json");
    let valid_msgpack = msgpack(&batch("demo", SESSION, 0));
    let mut out: Vec<(&'static str, Option<&'static str>, Vec<u8>)> = vec![
        ("application/json", None, Vec::new()),
        ("application/msgpack", None, Vec::new()),
        ("application/json", None, b"\xff\xfe{\"v\":1}".to_vec()),
        ("application/json", None, b"{\"v\":1,\"site\":\"demo\xc3\x28\"}".to_vec()),
        ("application/json", None, b"{\"v\":1,\"v\":2}".to_vec()),
        ("application/json", None, b"[[[[[[[[[[[[[[[[[[[[".to_vec()),
        ("application/msgpack", None, vec![0xdd, 0xff, 0xff, 0xff, 0xff]),
        ("application/msgpack", None, vec![0xdf, 0xff, 0xff, 0xff, 0xff]),
        ("application/msgpack", None, vec![0xdb, 0xff, 0xff, 0xff, 0xff, b'a']),
        ("application/msgpack", Some("zstd"), zstd(b"")),
        ("application/msgpack", Some("gzip"), gzip(b"\xc1")),
        ("application/json", Some("gzip"), b"\x1f\x8b\x08\x00garbage".to_vec()),
    ];
    for _ in 0..12 {
        let cut = rng.random_range(1..valid_json.len());
        out.push(("application/json", None, valid_json[..cut].to_vec()));
        let cut = rng.random_range(1..valid_msgpack.len());
        out.push(("application/msgpack", None, valid_msgpack[..cut].to_vec()));
        let mut flipped = valid_msgpack.clone();
        for _ in 0..3 {
            let at = rng.random_range(0..flipped.len());
            flipped[at] ^= 1 << rng.random_range(0..8);
        }
        out.push(("application/msgpack", Some("zstd"), zstd(&flipped)));
        let compressed = zstd(&valid_msgpack);
        let cut = rng.random_range(1..compressed.len());
        out.push(("application/msgpack", Some("zstd"), compressed[..cut].to_vec()));
        let noise: Vec<u8> = (0..rng.random_range(1..300)).map(|_| rng.random()).collect();
        out.push(("application/msgpack", None, noise.clone()));
        out.push(("application/json", Some("gzip"), noise));
    }
    out
}

fn ingest_rejections(veil: &VeilProcess) -> u64 {
    let metrics = veil.get("/metrics").expect("metrics").1;
    metrics
        .lines()
        .filter(|l| l.starts_with("veil_ingest_rejections_total{") && l.contains(r#"endpoint="ingest""#))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .map(|v| v as u64)
        .sum()
}

fn assert_spec_answer(response: &Response, what: &str) {
    assert!(
        matches!(response.status, 202 | 400 | 413 | 415),
        "{what}: status {} is not a SPEC answer to a bad body: {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    );
    let body = response.json();
    if response.status == 202 {
        assert!(body["accepted"].is_u64() && body["dropped"].is_u64(), "{what}: {body}");
    } else {
        let code = body["error"]["code"].as_str().unwrap_or("");
        assert!(
            !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{what}: no snake_case error code in {body}"
        );
        assert!(body["error"]["message"].is_string(), "{what}: no message in {body}");
    }
}

#[test]
fn malformed_bodies_get_spec_answers_and_the_server_stays_up() {
    let (_db, veil) = common::migrated_server_with(&[("VEIL_INGEST__RATE_LIMIT_PER_SECOND", "0")]);
    let mut rng = StdRng::seed_from_u64(20_261_206);
    let before = ingest_rejections(&veil);
    let mut refused = 0;
    let mut sent = 0;
    for (i, confused) in confused_batches().iter().enumerate() {
        for (content_type, body) in [
            ("application/json", serde_json::to_vec(confused).expect("json")),
            ("application/msgpack", msgpack(confused)),
        ] {
            let response = send(&veil, content_type, None, &body);
            let what = format!("confused batch {i} as {content_type}: {confused}");
            assert_spec_answer(&response, &what);
            if response.status == 202 {
                let answer = response.json();
                let events = confused["events"].as_array().map_or(0, Vec::len) as u64;
                let counted =
                    answer["accepted"].as_u64().unwrap_or(0) + answer["dropped"].as_u64().unwrap_or(0);
                assert_eq!(counted, events, "{what}: {answer}");
            } else {
                refused += 1;
            }
            sent += 1;
        }
    }
    for (i, (content_type, encoding, body)) in broken_bodies(&mut rng).into_iter().enumerate() {
        let response = send(&veil, content_type, encoding, &body);
        assert_spec_answer(
            &response,
            &format!("broken body {i} ({content_type}, {encoding:?}, {} bytes)", body.len()),
        );
        refused += u64::from(response.status != 202);
        sent += 1;
    }
    assert_eq!(veil.get("/healthz").map(|r| r.0), Ok(200), "the server died");
    assert!(refused > sent / 2, "only {refused} of {sent} hostile bodies were refused");
    // Counters are updated after the answer; wait for them to catch up.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while ingest_rejections(&veil) < before + refused && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(ingest_rejections(&veil), before + refused, "every refusal is counted");
    assert!(!veil.log().contains("panicked"), "a panic in the log:\n{}", veil.log());
}

#[test]
fn accepted_and_dropped_account_for_every_event_also_those_masking_removes() {
    let (_db, veil) = common::migrated_server_with(&[]);
    let ts = common::now() * 1000;
    // A password field in the snapshot; its Input events are removed by
    // masking, the text field's are masked and kept.
    let mut b = batch("demo", SESSION, 1);
    b["events"] = json!([
        {"type": 4, "timestamp": ts, "data": {"href": "http://127.0.0.1:8080/login", "width": 1280, "height": 720}},
        {"type": 2, "timestamp": ts + 1, "data": {"node": {"type": 0, "id": 1, "childNodes": [
            {"type": 2, "id": 2, "tagName": "input", "attributes": {"type": "password"}, "childNodes": []},
            {"type": 2, "id": 3, "tagName": "input", "attributes": {"type": "text"}, "childNodes": []}]},
            "initialOffset": {"left": 0, "top": 0}}},
        {"type": 3, "timestamp": ts + 2, "data": {"source": 5, "id": 2, "text": "hunter2", "isChecked": false}},
        {"type": 3, "timestamp": ts + 3, "data": {"source": 5, "id": 2, "text": "hunter22", "isChecked": false}},
        {"type": 3, "timestamp": ts + 4, "data": {"source": 5, "id": 3, "text": "jan", "isChecked": false}},
        {"type": 5, "timestamp": ts + 5, "data": {"tag": "veil.click", "payload": {
            "x": 1, "y": 2, "w": 1280, "h": 720, "vw": 1280, "vh": 720, "fixed": false,
            "selector": "input", "rage": false, "dead": false}}}
    ]);
    let response = common::ingest(&veil, &demo_token(), &b);
    assert_eq!(response.status, 202, "{}", String::from_utf8_lossy(&response.body));
    assert_eq!(response.json(), json!({"accepted": 4, "dropped": 2}));
    common::wait_for_metrics(
        &veil,
        &[r#"veil_ingest_events_dropped_total{cause="masked_field"} 2"#],
        std::time::Duration::from_secs(10),
    );
}
