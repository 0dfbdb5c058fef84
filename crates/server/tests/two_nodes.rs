//! A withdrawal answered by one `veil` process is enforced by another on
//! the same ClickHouse within 10 s (SPEC §3); the two share nothing else.

mod common;

use std::time::{Duration, Instant};

use common::{ORIGIN, batch};
use serde_json::json;
use veil_test_support::{TestDatabase, VeilOptions, VeilProcess};

#[test]
fn a_withdrawal_on_one_node_is_enforced_by_another_within_10_seconds() {
    let db = TestDatabase::new();
    common::migrate(&db);
    // Production defaults for shipping and polling, not the fast test ones.
    let config = common::config_for(&db.url(), db.name())
        .replace("ship_interval = \"200ms\"", "ship_interval = \"1s\"")
        .replace("revocation_poll_interval = \"1s\"", "revocation_poll_interval = \"2s\"");
    // One configuration for both, queue directory included, as an operator
    // would run two nodes from one file.
    let shared = veil_test_support::TempDir::new("veil-two-nodes");
    let queue = shared.path().join("queue").display().to_string();
    let start = || {
        VeilProcess::start(
            common::VEIL.as_ref(),
            VeilOptions {
                config: config.clone(),
                env: vec![("VEIL_QUEUE__DIR".into(), queue.clone())],
                port: None,
            },
        )
    };
    let (mut a, mut b) = (start(), start());
    common::wait_ready(&mut a);
    common::wait_ready(&mut b);

    let grant = a.post(
        "/v1/consent",
        &[("Origin", ORIGIN), ("Content-Type", "application/json")],
        &serde_json::to_vec(&json!({"site": "demo", "purposes": ["recording", "heatmaps"],
            "visitor": "0123456789abcdef0123456789abcdef"}))
        .expect("json"),
    );
    assert_eq!(grant.status, 201);
    let token = grant.json()["token"].as_str().expect("token").to_owned();
    let send = |node: &VeilProcess, seq: u64| {
        common::ingest(node, &token, &batch("demo", "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d", seq))
    };
    assert_eq!(send(&b, 0).status, 202, "node B accepts before the withdrawal");

    let withdraw = a.post("/v1/consent/withdraw", &[("Origin", ORIGIN), ("X-Consent-Token", &token)], b"");
    assert_eq!(withdraw.status, 200);
    let withdrawn_at = Instant::now();
    assert_eq!(send(&a, 1).status, 403, "node A enforces at once");

    let mut seq = 2;
    let took = loop {
        let response = send(&b, seq);
        seq += 1;
        if response.status == 403 {
            assert_eq!(response.error_code(), "consent_revoked");
            break withdrawn_at.elapsed();
        }
        assert_eq!(response.status, 202);
        assert!(
            withdrawn_at.elapsed() < Duration::from_secs(10),
            "node B still accepts after 10 s:\n{}",
            b.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    eprintln!("node B enforced the withdrawal after {took:?}");
    assert!(took < Duration::from_secs(10));
}
