//! `veil serve` as ops see it (SPEC §9): liveness, readiness, metrics that
//! Prometheus' own linter accepts, JSON errors, graceful shutdown.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use veil_test_support::{TestDatabase, VeilOptions, VeilProcess};

#[test]
fn health_readiness_and_errors() {
    let (_db, mut veil) = common::migrated_server();
    veil.wait_until(Duration::from_secs(10), |v| v.get("/readyz").is_ok_and(|(s, _)| s == 200));
    let (status, body) = veil.get("/healthz").expect("healthz");
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    let (status, body) = veil.get("/no/such/thing").expect("404");
    assert_eq!(status, 404);
    let error: serde_json::Value = serde_json::from_str(&body).expect("JSON error body");
    assert_eq!(error["error"]["code"], "not_found");
    assert!(error["error"]["message"].is_string());
}

#[test]
fn metrics_pass_promtool_and_count_requests_by_route() {
    let (_db, mut veil) = common::migrated_server();
    veil.wait_until(Duration::from_secs(10), |v| v.get("/readyz").is_ok_and(|(s, _)| s == 200));
    let healthz = r#"veil_http_requests_total{method="GET",route="/healthz",status="200"}"#;
    let before = sample(&veil.get("/metrics").expect("metrics").1, healthz);
    for _ in 0..3 {
        veil.get("/healthz").expect("healthz");
    }
    veil.get("/v1/unknown/abc").expect("unmatched");
    let (status, text) = veil.get("/metrics").expect("metrics");
    assert_eq!(status, 200);
    for expected in [
        "veil_build_info{",
        "veil_process_resident_memory_bytes",
        "veil_process_cpu_seconds_total",
        r#"veil_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="+Inf"}"#,
        // Raw paths never become label values.
        r#"route="unmatched",status="404""#,
        "veil_clickhouse_up 1",
        "veil_schema_pending_migrations 0",
    ] {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }
    assert!(!text.contains("/v1/unknown/abc"));
    assert_eq!(sample(&text, healthz), before + 3.0, "{text}");

    let mut promtool = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool is missing: `apt-get install prometheus` (deploy/local/test.sh installs it)");
    promtool.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("feeding promtool");
    let out = promtool.wait_with_output().expect("promtool");
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool check metrics complained:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn logs_are_json_lines_when_asked() {
    let (_db, mut veil) = common::migrated_server();
    veil.wait_until(Duration::from_secs(10), |v| v.log().contains("ready"));
    let log = veil.log();
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(value["level"].is_string() && value["timestamp"].is_string(), "{line}");
    }
}

#[test]
fn sigterm_stops_gracefully_and_quickly() {
    let (_db, mut veil) = common::migrated_server();
    veil.wait_until(Duration::from_secs(10), |v| v.get("/readyz").is_ok_and(|(s, _)| s == 200));
    let (success, took) = veil.terminate(Duration::from_secs(10));
    assert!(success, "veil exited with an error after SIGTERM:\n{}", veil.log());
    assert!(took < Duration::from_secs(5), "shutdown took {took:?}");
    let log = veil.log();
    assert!(log.contains("SIGTERM") && log.contains("stopped"), "{log}");
}

#[test]
fn an_unmigrated_database_is_not_ready_until_migrated() {
    let db = TestDatabase::new();
    let config = common::config_for(&db.url(), db.name());
    let mut veil = VeilProcess::start(common::VEIL.as_ref(), VeilOptions { config, ..Default::default() });
    veil.wait_until(Duration::from_secs(10), |v| {
        v.get("/readyz").is_ok_and(|(s, body)| s == 503 && body.contains("schema_outdated"))
    });
    let (_, body) = veil.get("/readyz").expect("readyz");
    assert!(body.contains("veil migrate"), "the reason should say what to do: {body}");
    common::migrate(&db);
    veil.wait_until(Duration::from_secs(10), |v| v.get("/readyz").is_ok_and(|(s, _)| s == 200));
}

/// The value of one sample line (`name{labels} value`) of an exposition.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no sample {series} in\n{text}"))
}

#[test]
fn other_methods_on_browser_endpoints_answer_405_with_the_json_body() {
    let (_db, veil) = common::migrated_server();
    for path in ["/v1/ingest", "/v1/consent", "/v1/consent/withdraw"] {
        for method in ["GET", "PUT", "DELETE"] {
            let response = veil.request(method, path, &[], b"");
            assert_eq!(response.status, 405, "{method} {path}");
            assert_eq!(response.error_code(), "method_not_allowed", "{method} {path}");
            assert_eq!(response.header("allow"), Some("POST, OPTIONS"));
        }
    }
}
