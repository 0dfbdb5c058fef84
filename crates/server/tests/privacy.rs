//! Privacy operations through the real server and ClickHouse (issue 6):
//! who may call what, erasure leaves nothing of the visitor in any table,
//! export returns everything, a withdrawal with `erase: true` erases, and
//! retention removes expired recordings when the clock is moved.

#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use std::time::Duration;

use common::{
    ADMIN_KEY, ANALYST_KEY, ORIGIN, api, batch, ingest, server_with_keys, visitor_token, wait_for_query,
};
use serde_json::{Value, json};

const VISITOR: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const OTHER_VISITOR: &str = "99999999999999999999999999999999";
const SESSION: &str = "5d41402a-bc4b-4a76-b971-9d911017c592";
const OTHER_SESSION: &str = "7b52009b-64fd-4a2a-9b1e-4b1d3e0f2a6c";

/// Grants consent for `visitor` through the API (so the consent log has
/// the grant) and records `batches` batches of `session`.
fn record(veil: &veil_test_support::VeilProcess, visitor: &str, session: &str, batches: u64) -> String {
    let grant = veil.post(
        "/v1/consent",
        &[("Origin", ORIGIN), ("Content-Type", "application/json")],
        &serde_json::to_vec(
            &json!({"site": "demo", "purposes": ["recording", "heatmaps"], "visitor": visitor,
            "cmp": {"framework": "tcf", "proof": "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA"}}),
        )
        .unwrap(),
    );
    assert_eq!(grant.status, 201, "{}", String::from_utf8_lossy(&grant.body));
    let token = grant.json()["token"].as_str().unwrap().to_owned();
    for seq in 0..batches {
        let mut b = batch("demo", session, seq);
        b["user"] = json!(format!("user-of-{visitor}"));
        assert_eq!(ingest(veil, &token, &b).status, 202);
    }
    token
}

#[test]
fn keys_and_roles_guard_every_endpoint() {
    // The wrong keys come from many clients behind a trusted proxy, so the
    // per-address throttle of wrong keys (tested in console_hardening.rs)
    // does not answer for them.
    let db = veil_test_support::TestDatabase::new();
    common::migrate(&db);
    let config =
        common::config_with_keys(&db, common::ORIGIN) + "\n[server]\ntrusted_proxies = [\"127.0.0.1/32\"]\n";
    let mut veil = veil_test_support::VeilProcess::start(
        common::VEIL.as_ref(),
        veil_test_support::VeilOptions { config, env: Vec::new(), port: None },
    );
    common::wait_ready(&mut veil);
    let mut client = 0u32;
    let endpoints: &[(&str, String, bool)] = &[
        ("GET", "/v1/sites/demo/sessions".into(), false),
        ("GET", format!("/v1/sites/demo/sessions/{SESSION}/events"), false),
        ("POST", format!("/v1/sites/demo/sessions/{SESSION}/report"), false),
        ("GET", "/v1/sites/demo/heatmaps?page=/".into(), false),
        ("GET", "/v1/sites/demo/reports".into(), true),
        ("POST", format!("/v1/sites/demo/sessions/{SESSION}/review"), true),
        ("DELETE", format!("/v1/sites/demo/visitors/{VISITOR}"), true),
        ("GET", format!("/v1/sites/demo/visitors/{VISITOR}/export"), true),
        ("GET", "/v1/sites/demo/consents".into(), true),
        ("GET", "/v1/audit".into(), true),
    ];
    for (method, path, admin_only) in endpoints {
        for key in [None, Some("veil_wrong_key"), Some("")] {
            client += 1;
            let forwarded = format!("203.0.113.{client}");
            let auth = key.map(|k| format!("Bearer {k}"));
            let mut headers =
                vec![("Content-Type", "application/json"), ("X-Forwarded-For", forwarded.as_str())];
            if let Some(auth) = &auth {
                headers.push(("Authorization", auth));
            }
            let response = veil.request(method, path, &headers, b"");
            assert_eq!(response.status, 401, "{method} {path} with {key:?}");
            assert_eq!(response.error_code(), "unauthorized");
            assert_eq!(response.header("www-authenticate"), Some("Bearer"));
        }
        let analyst = api(&veil, method, path, Some(ANALYST_KEY), br#"{"action": "release"}"#);
        if *admin_only {
            assert_eq!(
                (analyst.status, analyst.error_code().as_str()),
                (403, "forbidden"),
                "{method} {path}"
            );
        } else {
            assert_ne!(analyst.status, 401, "{method} {path}");
            assert_ne!(analyst.status, 403, "{method} {path}");
        }
    }
    // A 403 for an analyst changed nothing: the audit log is still empty.
    let audit = api(&veil, "GET", "/v1/audit", Some(ADMIN_KEY), b"").json();
    assert!(audit["entries"].as_array().unwrap().is_empty(), "{audit}");
    // Browser-facing endpoints take no key and reveal nothing without consent.
    let ingest = veil.post("/v1/ingest", &[("Origin", ORIGIN), ("Content-Type", "application/json")], b"{}");
    assert_eq!(ingest.status, 401);
    assert!(!String::from_utf8_lossy(&ingest.body).contains("demo"));
}

#[test]
fn erasure_leaves_nothing_of_the_visitor_in_any_table() {
    let (db, veil) = server_with_keys(&[]);
    let token = record(&veil, VISITOR, SESSION, 3);
    record(&veil, OTHER_VISITOR, OTHER_SESSION, 1);
    wait_for_query(&db, "SELECT count() FROM recordings", "4", Duration::from_secs(10));
    wait_for_query(&db, "SELECT count() FROM session_index", "4", Duration::from_secs(10));
    // An analyst reads the recording (access log) and reports it.
    let events = format!("/v1/sites/demo/sessions/{SESSION}/events");
    assert_eq!(api(&veil, "GET", &events, Some(ANALYST_KEY), b"").status, 200);
    let report = format!("/v1/sites/demo/sessions/{SESSION}/report");
    assert_eq!(api(&veil, "POST", &report, Some(ANALYST_KEY), b"").status, 202);
    let before = common::dump_all_tables(&db);
    assert!(before.contains(VISITOR) && before.contains(SESSION));

    // Export first: everything stored about the visitor, and only theirs.
    let export_path = format!("/v1/sites/demo/visitors/{VISITOR}/export");
    let export = api(&veil, "GET", &export_path, Some(ADMIN_KEY), b"");
    assert_eq!(export.status, 200, "{}", String::from_utf8_lossy(&export.body));
    let export: Value = serde_json::from_slice(&export.body).expect("export is one JSON document");
    assert_eq!(export["visitor"], VISITOR);
    assert_eq!(export["consents"][0]["action"], "grant");
    assert_eq!(export["consents"][0]["cmp"]["framework"], "tcf");
    assert_eq!(export["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(export["sessions"][0]["session"], SESSION);
    assert_eq!(export["recordings"][SESSION].as_array().unwrap().len(), 9);
    assert!(!export.to_string().contains(OTHER_VISITOR) && !export.to_string().contains(OTHER_SESSION));
    assert!(!export.to_string().contains(&format!("user-of-{VISITOR}")), "a raw user id in the export");

    let erase = api(&veil, "DELETE", &format!("/v1/sites/demo/visitors/{VISITOR}"), Some(ADMIN_KEY), b"");
    assert_eq!(erase.status, 200, "{}", String::from_utf8_lossy(&erase.body));
    let receipt = erase.json();
    assert_eq!(receipt["deleted"]["recordings"], 3, "{receipt}");
    assert_eq!(receipt["deleted"]["session_index"], 3, "{receipt}");
    assert_eq!(receipt["deleted"]["consent_log"], 1, "{receipt}");
    assert_eq!(receipt["deleted"]["session_reports"], 1, "{receipt}");
    assert_eq!((receipt["sessions"].as_u64(), receipt["consents_revoked"].as_u64()), (Some(1), Some(1)));
    assert!(receipt["receipt"].as_str().unwrap().len() == 32);

    let after = common::dump_all_tables(&db);
    for trace in [VISITOR, SESSION, &format!("user-of-{VISITOR}")] {
        assert!(!after.contains(trace), "{trace} is still stored:\n{after}");
    }
    assert!(after.contains(OTHER_VISITOR) && after.contains(OTHER_SESSION), "another visitor was erased");
    // The visitor's token is refused from now on, here at once.
    let refused = ingest(&veil, &token, &batch("demo", SESSION, 9));
    assert_eq!((refused.status, refused.error_code().as_str()), (403, "consent_revoked"));

    // The access log has the read, the report, the export and the erasure,
    // all naming the visitor and session only by reference.
    let audit =
        api(&veil, "GET", &format!("/v1/audit?site=demo&visitor={VISITOR}"), Some(ADMIN_KEY), b"").json();
    let actions: Vec<&str> =
        audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["visitor.erase", "visitor.export"], "{audit}");
    assert_eq!(audit["entries"][0]["detail"]["receipt"], receipt["receipt"]);
    assert_eq!(audit["entries"][0]["subject"], receipt["subject"]);
    let all = api(&veil, "GET", "/v1/audit", Some(ADMIN_KEY), b"").json();
    assert_eq!(all["entries"].as_array().unwrap().len(), 4, "{all}");
    let metrics = veil.get("/metrics").unwrap().1;
    assert!(metrics.contains(r#"veil_erasures_total{trigger="admin"} 1"#), "{metrics}");

    // Erasing again finds nothing and says so.
    let again =
        api(&veil, "DELETE", &format!("/v1/sites/demo/visitors/{VISITOR}"), Some(ADMIN_KEY), b"").json();
    assert_eq!(again["deleted"]["recordings"], 0);
    for bad in ["not-a-visitor", "0a1b"] {
        let response = api(&veil, "DELETE", &format!("/v1/sites/demo/visitors/{bad}"), Some(ADMIN_KEY), b"");
        assert_eq!(response.status, 400, "{bad}");
    }
}

#[test]
fn a_withdrawal_with_erase_erases_the_visitor() {
    let (db, veil) = server_with_keys(&[]);
    let token = record(&veil, VISITOR, SESSION, 2);
    wait_for_query(&db, "SELECT count() FROM recordings", "2", Duration::from_secs(10));
    let withdraw = veil.post(
        "/v1/consent/withdraw",
        &[("Origin", ORIGIN), ("Content-Type", "application/json"), ("X-Consent-Token", &token)],
        br#"{"erase": true}"#,
    );
    assert_eq!(withdraw.status, 200, "{}", String::from_utf8_lossy(&withdraw.body));
    wait_for_query(
        &db,
        &format!("SELECT count() FROM consent_log WHERE visitor = '{VISITOR}'"),
        "0",
        Duration::from_secs(20),
    );
    wait_for_query(&db, "SELECT count() FROM recordings", "0", Duration::from_secs(5));
    let after = common::dump_all_tables(&db);
    assert!(!after.contains(VISITOR) && !after.contains(SESSION), "{after}");
    // The consent stays withdrawn (a marker without the visitor id).
    let marker = db.query("SELECT count() FROM consent_log WHERE action = 'withdraw' AND visitor = ''");
    assert_eq!(marker.trim(), "1");
    // The access log entry follows once ClickHouse has applied the deletes.
    let mut audit = Value::Null;
    for _ in 0..100 {
        audit = api(&veil, "GET", "/v1/audit?action=visitor.erase", Some(ADMIN_KEY), b"").json();
        if !audit["entries"].as_array().unwrap().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(audit["entries"][0]["actor"], "visitor", "{audit}");
    assert!(veil.get("/metrics").unwrap().1.contains(r#"veil_erasures_total{trigger="withdrawal"} 1"#));
}

#[test]
fn retention_removes_expired_recordings_when_the_clock_moves() {
    let (db, veil) = server_with_keys(&[]);
    let token = visitor_token(VISITOR, &["recording", "heatmaps"]);
    // One session 20 days old, one from today (retention_days = 30).
    let old_ms = (common::now() - 20 * 86_400) * 1000;
    let mut old = batch("demo", SESSION, 0);
    for event in old["events"].as_array_mut().unwrap() {
        let offset = event["timestamp"].as_u64().unwrap() - common::now() * 1000;
        event["timestamp"] = json!(old_ms + offset);
    }
    assert_eq!(ingest(&veil, &token, &old).status, 202);
    assert_eq!(ingest(&veil, &token, &batch("demo", OTHER_SESSION, 0)).status, 202);
    wait_for_query(&db, "SELECT count() FROM session_index", "2", Duration::from_secs(10));
    let listed = |db: &veil_test_support::TestDatabase| {
        db.query("SELECT session FROM session_index ORDER BY session")
            .lines()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(&db).len(), 2);

    let today = i64::try_from(common::now() / 86_400).unwrap();
    let run = |days_ahead: i64| {
        let date = veil_store::retention::civil_from_days(today + days_ahead);
        let out =
            common::veil_with_config(&retention_config(&db), &["retention", "run", "--today", &date], &[]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // demo keeps recordings 25 days; nothing is that old yet.
    let out = run(0);
    assert!(
        out.contains("expired recording rows deleted: 0") && out.contains("partitions dropped: 0"),
        "{out}"
    );
    assert_eq!(db.query("SELECT count() FROM recordings").trim(), "2");
    // Ten days on, the old session is 30 days old: deleted from both
    // tables (by a delete: another site keeps recordings longer, so the
    // week cannot be dropped whole); today's stays.
    let out = run(10);
    assert!(out.contains("expired recording rows deleted: 2"), "{out}");
    assert!(out.contains("recording partitions dropped: 0"), "{out}");
    assert_eq!(listed(&db), [OTHER_SESSION]);
    assert_eq!(db.query("SELECT session FROM recordings").trim(), OTHER_SESSION);
    // Past every site's horizon whole weeks are dropped as partitions.
    let out = run(400);
    assert!(!out.contains("recording partitions dropped: 0"), "{out}");
    assert_eq!(db.query("SELECT count() FROM recordings").trim(), "0");
    assert_eq!(db.query("SELECT count() FROM session_index").trim(), "0");
}

/// The test configuration with site `demo` keeping recordings 25 days and
/// site `other` 60.
fn retention_config(db: &veil_test_support::TestDatabase) -> String {
    common::config_for(&db.url(), db.name())
        .replacen(
            &format!("origins = [\"{ORIGIN}\"]\n"),
            &format!("origins = [\"{ORIGIN}\"]\nretention_days = 25\n"),
            1,
        )
        .replacen("purposes = [\"heatmaps\"]\n", "purposes = [\"heatmaps\"]\nretention_days = 60\n", 1)
}
