//! Issue 17, finding 2: the replay merge kept every event whose timestamp
//! lay beyond the next batch's start, so batches carrying far-future
//! events made one replay hold the whole session (four planted batches:
//! 1.13 GB peak). Replay now decodes a stored batch one event at a time
//! and holds at most `MAX_PENDING_BYTES` of waiting events; this test
//! plants such a session through the real ingest endpoint and replays it.

mod common;

use common::{ANALYST_KEY, demo_token};
use serde_json::{Value, json};

const MIB: u64 = 1 << 20;
const SESSION: &str = "5e1d2c3b-4a5f-4e6d-8c9b-0a1f2e3d4c5b";
const BATCHES: u64 = 6;
/// Far-future events per batch, each of `FILLER` bytes: 8 MiB a batch.
const LATE_EVENTS: usize = 2_000;
const FILLER: usize = 4_096;

fn hostile_batch(seq: u64, start_ms: u64) -> Value {
    let filler = "x".repeat(FILLER);
    let far_future = start_ms + 10 * 365 * 86_400_000;
    let mut events =
        vec![json!({"type": 5, "timestamp": start_ms, "data": {"tag": "early", "payload": {"seq": seq}}})];
    events.extend((0..LATE_EVENTS).map(|i| {
        json!({"type": 5, "timestamp": far_future + i as u64, "data": {"tag": "late", "payload": {"seq": seq, "text": filler}}})
    }));
    let mut batch = common::batch("demo", SESSION, seq);
    batch["events"] = Value::Array(events);
    batch
}

#[test]
fn a_session_with_far_future_events_replays_in_bounded_memory() {
    let (db, veil) = common::server_with_keys(&[]);
    let token = demo_token();
    let start = common::now() * 1000;
    for seq in 0..BATCHES {
        let response = common::ingest(&veil, &token, &hostile_batch(seq, start + seq * 1000));
        assert_eq!(response.status, 202, "{}", String::from_utf8_lossy(&response.body));
    }
    common::wait_for_query(
        &db,
        "SELECT count() FROM recordings",
        &BATCHES.to_string(),
        std::time::Duration::from_secs(30),
    );
    let stored_json: u64 = common::stored_payloads(&db).iter().map(|p| p.len() as u64).sum();
    assert!(stored_json > 40 * MIB, "the session holds {} MiB of JSON", stored_json / MIB);

    // Warm the replay path on a small session, then measure.
    let warm = common::batch("demo", "6e1d2c3b-4a5f-4e6d-8c9b-0a1f2e3d4c5b", 0);
    assert_eq!(common::ingest(&veil, &token, &warm).status, 202);
    let (peak, rss) = veil.memory();
    let baseline = peak.max(rss);
    let path = format!("/v1/sites/demo/sessions/{SESSION}/events");
    let response = common::api(&veil, "GET", &path, Some(ANALYST_KEY), b"");
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    let growth = veil.memory().0.saturating_sub(baseline);
    eprintln!(
        "replay of {} MiB of stored JSON ({} MiB answer): peak RSS grew {} MiB",
        stored_json / MIB,
        response.body.len() as u64 / MIB,
        growth / MIB
    );
    assert!(growth < 64 * MIB, "peak RSS grew {} MiB", growth / MIB);

    // Every event exactly once: the early ones first, then the tail.
    let events: Value = response.json();
    let events = events.as_array().expect("an array of events");
    assert_eq!(events.len() as u64, BATCHES * (LATE_EVENTS as u64 + 1));
    let tags: Vec<&str> = events.iter().map(|e| e["data"]["tag"].as_str().unwrap_or("")).collect();
    assert_eq!(tags.iter().filter(|t| **t == "early").count() as u64, BATCHES);
    let mut seen: Vec<(u64, i64)> = events
        .iter()
        .filter(|e| e["data"]["tag"] == "late")
        .map(|e| (e["data"]["payload"]["seq"].as_u64().unwrap_or(99), e["timestamp"].as_i64().unwrap_or(0)))
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len() as u64, BATCHES * LATE_EVENTS as u64, "no late event lost or doubled");
}
