//! `veil token mint` signs exactly as `/v1/consent` does: its tokens pass
//! ingest; it refuses what the consent endpoint would refuse.

mod common;

use common::{ORIGIN, batch, msgpack, veil_with_config};

#[test]
fn minted_tokens_are_accepted_by_ingest() {
    let (db, veil) = common::migrated_server();
    let config = common::config_for(&db.url(), db.name());
    let out = veil_with_config(
        &config,
        &["token", "mint", "--site", "demo", "--purposes", "recording,heatmaps", "--ttl", "30m"],
        &[],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).expect("utf-8").trim().to_owned();
    assert!(token.starts_with("v1.") && token.matches('.').count() == 2, "{token}");
    let response = common::ingest(&veil, &token, &batch("demo", "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b", 0));
    assert_eq!(response.status, 202, "{}", String::from_utf8_lossy(&response.body));

    // A short TTL expires.
    let out = veil_with_config(
        &config,
        &["token", "mint", "--site", "demo", "--purposes", "recording", "--ttl", "1s"],
        &[],
    );
    let short = String::from_utf8(out.stdout).expect("utf-8").trim().to_owned();
    std::thread::sleep(std::time::Duration::from_secs(7));
    let response = veil.post(
        "/v1/ingest",
        &[("Origin", ORIGIN), ("X-Consent-Token", &short), ("Content-Type", "application/msgpack")],
        &msgpack(&batch("demo", "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b", 1)),
    );
    assert_eq!((response.status, response.error_code().as_str()), (401, "token_expired"));
}

#[test]
fn minting_refuses_unknown_sites_and_purposes_the_site_lacks() {
    let config = common::config_for("http://127.0.0.1:1", "veil");
    let cases: [(&[&str], &str); 4] = [
        (&["--site", "nosuch", "--purposes", "recording"], "--site"),
        (&["--site", "other", "--purposes", "recording"], "--purposes"),
        (&["--site", "demo", "--purposes", "ads"], "--purposes"),
        (&["--site", "demo", "--purposes", "recording", "--visitor", "jane@example.com"], "--visitor"),
    ];
    for (args, key) in cases {
        let mut all = vec!["token", "mint"];
        all.extend_from_slice(args);
        let out = veil_with_config(&config, &all, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} was accepted");
        assert!(stderr.contains(key), "{args:?}: {stderr}");
    }
}
