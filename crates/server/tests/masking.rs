//! The server masks whatever the recorder sends (SPEC §5): a recording from
//! a recorder with masking switched off goes through `/v1/ingest` and no
//! typed value is found in any ClickHouse table; `veil mask` produces
//! exactly what ingest stores.

// Tests read our own output back; the decoding guard is for untrusted input.
#![allow(clippy::disallowed_methods)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{ORIGIN, demo_token, msgpack, wait_for_query};
use serde_json::Value;
use veil_test_support::TestDatabase;

const BATCH_0: &str = include_str!("../../masking/tests/fixtures/checkout_batch0.json");
const BATCH_1: &str = include_str!("../../masking/tests/fixtures/checkout_batch1.json");
const TYPED: &str = include_str!("../../masking/tests/fixtures/checkout_typed.json");

/// A fixture batch moved to site `demo`.
fn fixture(text: &str) -> Value {
    let mut batch: Value = serde_json::from_str(text).expect("fixture JSON");
    batch["site"] = Value::from("demo");
    batch
}

/// The test configuration with the fixture's site rules for `demo` (as in
/// SPEC §2's example: `.secret` blocked; `.help` text not scanned).
fn config(url: &str, database: &str) -> String {
    config_with(url, database, "")
}

/// [`config`] with more `[sites.masking]` lines.
fn config_with(url: &str, database: &str, masking: &str) -> String {
    common::config_for(url, database).replacen(
        &format!("origins = [\"{ORIGIN}\"]\n"),
        &format!(
            "origins = [\"{ORIGIN}\"]\n[sites.masking]\nblock_selectors = [\".secret\"]\nunmask_selectors = [\".help\"]\n{masking}"
        ),
        1,
    )
}

/// A migrated database and a ready server with [`config`].
fn server() -> (TestDatabase, veil_test_support::VeilProcess) {
    let db = TestDatabase::new();
    common::migrate(&db);
    let mut veil = veil_test_support::VeilProcess::start(
        common::VEIL.as_ref(),
        veil_test_support::VeilOptions { config: config(&db.url(), db.name()), env: vec![], port: None },
    );
    common::wait_ready(&mut veil);
    (db, veil)
}

fn typed() -> Vec<String> {
    let all: Value = serde_json::from_str(TYPED).expect("typed values");
    ["batch0", "batch1"]
        .iter()
        .flat_map(|b| all[b].as_array().cloned().unwrap_or_default())
        .filter_map(|v| v.as_str().map(str::to_owned))
        // A file name the page itself shows in batch 1 as an image source
        // (not typed; see the masking crate's structural tests).
        .filter(|t| t != "jan.png")
        .collect()
}

/// Every row of every table of the test database as text, recordings'
/// payloads decompressed.
fn everything(db: &TestDatabase) -> String {
    let tables = db.query(&format!("SELECT name FROM system.tables WHERE database = '{}'", db.name()));
    let mut out = String::new();
    for table in tables.lines().map(str::trim).filter(|t| !t.is_empty()) {
        let engine = db.query(&format!(
            "SELECT engine FROM system.tables WHERE database = '{}' AND name = '{table}'",
            db.name()
        ));
        if engine.trim() == "MaterializedView" {
            continue;
        }
        // Aggregate states (`uniq`, `sum`) are binary: hashes and numbers,
        // never text; every other column is read as text.
        let columns = db.query(&format!(
            "SELECT name FROM system.columns WHERE database = '{}' AND table = '{table}' \
             AND type NOT LIKE 'AggregateFunction%'",
            db.name()
        ));
        // Recordings' payload is zstd: read decompressed below.
        let columns: Vec<String> = columns
            .lines()
            .filter(|c| !(table == "recordings" && c.trim() == "payload"))
            .map(|c| format!("`{}`", c.trim()))
            .collect();
        out.push_str(&db.query(&format!("SELECT {} FROM `{table}` FORMAT TSV", columns.join(", "))));
    }
    for payload in common::stored_payloads(db) {
        out.push_str(&payload);
    }
    out
}

#[test]
fn a_recorder_without_masking_leaks_no_typed_value_into_clickhouse() {
    let (db, veil) = server();
    let token = demo_token();
    for batch in [fixture(BATCH_0), fixture(BATCH_1)] {
        let response = common::ingest(&veil, &token, &batch);
        assert_eq!(response.status, 202, "{}", String::from_utf8_lossy(&response.body));
    }
    wait_for_query(&db, "SELECT count() FROM recordings", "2", Duration::from_secs(10));
    let stored = everything(&db);
    assert!(stored.contains("\"source\":5"), "the recordings were not read back");
    let leaked: Vec<String> = typed().into_iter().filter(|t| stored.contains(t.as_str())).collect();
    assert!(leaked.is_empty(), "typed values reached ClickHouse: {leaked:?}");

    let metrics = veil.get("/metrics").expect("metrics").1;
    assert!(
        metrics.contains(r#"veil_masking_redactions_total{kind="input",rule="input_value"}"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"rule="email""#), "{metrics}");
}

fn veil_mask(args: &[&str], input: &[u8]) -> (bool, Vec<u8>, String) {
    veil_mask_with("", args, input)
}

/// `veil mask` with more `[sites.masking]` lines in its configuration.
fn veil_mask_with(masking: &str, args: &[&str], input: &[u8]) -> (bool, Vec<u8>, String) {
    let dir = veil_test_support::TempDir::new("veil-mask");
    let path = dir.path().join("veil.toml");
    std::fs::write(&path, config_with("http://127.0.0.1:1", "veil", masking)).expect("config");
    let mut child = Command::new(common::VEIL)
        .arg("mask")
        .args(args)
        .arg("--config")
        .arg(&path)
        .env_remove("VEIL_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("veil mask");
    child.stdin.take().expect("stdin").write_all(input).expect("writing stdin");
    let out = child.wait_with_output().expect("veil mask");
    (out.status.success(), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn veil_mask_masks_like_ingest_and_reports_by_rule() {
    let batch = fixture(BATCH_0);
    let (ok, stdout, stderr) =
        veil_mask(&["--site", "demo"], serde_json::to_string(&batch).expect("json").as_bytes());
    assert!(ok, "{stderr}");
    let masked: Value = serde_json::from_slice(&stdout).expect("masked JSON on stdout");
    assert!(masked.is_array(), "veil mask prints the masked events as an array");
    let text = masked.to_string();
    for value in typed() {
        assert!(!text.contains(value.as_str()), "{value} survived veil mask");
    }
    assert!(stderr.lines().any(|l| l.starts_with("input_value\tinput\t")), "{stderr}");
    assert!(stderr.lines().any(|l| l.starts_with("email\t")), "{stderr}");
    for value in typed() {
        assert!(!stderr.contains(value.as_str()), "the report must not carry values: {stderr}");
    }

    // MessagePack in, JSON report out; the same events as from JSON.
    let (ok, stdout_msgpack, report) = veil_mask(&["--site", "demo", "--report", "json"], &msgpack(&batch));
    assert!(ok, "{report}");
    assert_eq!(serde_json::from_slice::<Value>(&stdout_msgpack).expect("JSON"), masked);
    let report: Value = serde_json::from_str(&report).expect("JSON report");
    assert!(report["total"].as_u64().is_some_and(|n| n > 0), "{report}");

    // What ingest stores is what `veil mask` printed.
    let (db, veil) = server();
    let response = veil.post(
        "/v1/ingest",
        &[("Origin", ORIGIN), ("X-Consent-Token", &demo_token()), ("Content-Type", "application/json")],
        serde_json::to_string(&batch).expect("json").as_bytes(),
    );
    assert_eq!(response.status, 202, "{}", String::from_utf8_lossy(&response.body));
    wait_for_query(&db, "SELECT count() FROM recordings", "1", Duration::from_secs(10));
    let stored: Value = serde_json::from_str(&common::stored_payloads(&db)[0]).expect("stored events");
    assert_eq!(stored, masked, "ingest stored other events than veil mask printed");
}

#[test]
fn veil_mask_refuses_what_it_cannot_read() {
    let (ok, _, stderr) = veil_mask(&[], b"not json");
    assert!(!ok && stderr.contains("batch or an array"), "{stderr}");
    let (ok, _, stderr) = veil_mask(&["--site", "nosuch"], b"[]");
    assert!(!ok && stderr.contains("--site"), "{stderr}");
    let (ok, stdout, stderr) = veil_mask(&[], b"[]");
    assert!(ok, "{stderr}");
    assert_eq!(String::from_utf8_lossy(&stdout).trim(), "[]");
    assert!(stderr.contains("nothing masked"), "{stderr}");
}

#[test]
fn opt_in_detectors_are_turned_on_per_site_and_reported_by_rule() {
    // A page showing the visitor's delivery address back to them.
    let events = serde_json::json!([{"type": 2, "timestamp": 1, "data": {"node": {"type": 0, "id": 1, "childNodes": [
        {"type": 2, "id": 2, "tagName": "p", "attributes": {}, "childNodes": [
            {"type": 3, "id": 3, "textContent": "Naam: Jan de Vries, Damstraat 1, 1012 LG Amsterdam, kenteken GH-123-K, geboren op 12-04-1990"}]}]}}}])
    .to_string();
    let (ok, stdout, off) = veil_mask(&["--site", "demo"], events.as_bytes());
    assert!(ok, "{off}");
    let text = String::from_utf8_lossy(&stdout);
    assert!(
        text.contains("1012 LG") && text.contains("Jan de Vries") && !text.contains("12-04-1990"),
        "{text}"
    );
    assert!(off.lines().any(|l| l.starts_with("birth_date\t")), "{off}");
    let (ok, stdout, on) = veil_mask_with(
        "detectors = [\"postcode\", \"licence_plate\", \"labelled_name\"]\n",
        &["--site", "demo"],
        events.as_bytes(),
    );
    assert!(ok, "{on}");
    let text = String::from_utf8_lossy(&stdout);
    for value in ["1012 LG", "Jan", "Vries", "GH-123-K", "12-04-1990"] {
        assert!(!text.contains(value), "{value} in {text}");
    }
    for rule in ["postcode", "licence_plate", "labelled_name", "birth_date"] {
        assert!(on.lines().any(|l| l.starts_with(&format!("{rule}\t"))), "{rule} not reported: {on}");
    }
}
