#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashSet};

use super::*;

fn ten_minutes() -> Recording {
    Recording::generate(&RecordingOptions::default())
}

fn snapshot_ids(node: &Value, ids: &mut HashSet<i64>) {
    assert!(ids.insert(id_of(node)), "duplicate id {}", id_of(node));
    for child in node["childNodes"].as_array().into_iter().flatten() {
        snapshot_ids(child, ids);
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let a = serde_json::to_string(&ten_minutes().events().collect::<Vec<_>>()).unwrap();
    let b = serde_json::to_string(&ten_minutes().events().collect::<Vec<_>>()).unwrap();
    assert_eq!(a, b);
    let other = Recording::generate(&RecordingOptions { seed: 7, ..Default::default() });
    assert_ne!(a, serde_json::to_string(&other.events().collect::<Vec<_>>()).unwrap());
}

/// Every id an incremental event names exists in the page's snapshot or
/// was added by an earlier mutation: a player would otherwise drop it.
#[test]
fn events_are_ordered_and_refer_to_known_nodes() {
    let recording = ten_minutes();
    let minutes = recording.duration_ms() as f64 / 60_000.0;
    assert!((9.8..=10.2).contains(&minutes), "{minutes} minutes");
    let kinds = check_views(&recording);
    for kind in ["4/null", "2/null", "3/0", "3/1", "3/2", "3/3", "3/5", "5/null"] {
        assert!(kinds.get(kind).is_some_and(|n| *n > 0), "no {kind} events: {kinds:?}");
    }
}

/// Every journey gives its pages, each a valid recording of its own
/// (page loads restart ids; the SPA navigation continues them), and the
/// visit lasts what was asked.
#[test]
fn journeys_give_their_pages() {
    for (journey, views) in [(Journey::Bounce, 1), (Journey::Browse(3), 3), (Journey::Checkout, 2)] {
        let recording =
            Recording::generate(&RecordingOptions { minutes: 6.0, journey, ..Default::default() });
        assert_eq!(recording.views.len(), views, "{journey:?}");
        let minutes = recording.duration_ms() as f64 / 60_000.0;
        assert!((5.8..=6.2).contains(&minutes), "{journey:?}: {minutes} minutes");
        let urls: HashSet<&str> = recording.views.iter().map(|v| v.url.as_str()).collect();
        assert_eq!(urls.len(), views, "{journey:?}: every page has its own URL");
        let kinds = check_views(&recording);
        for kind in ["4/null", "2/null", "3/0", "3/1", "3/2", "3/3", "5/null"] {
            assert!(kinds.get(kind).is_some_and(|n| *n > 0), "{journey:?}: no {kind} events: {kinds:?}");
        }
    }
    let mut rng = Rng::new(1);
    let drawn: Vec<Journey> = (0..1_000).map(|_| Journey::draw(&mut rng)).collect();
    let bounces = drawn.iter().filter(|j| **j == Journey::Bounce).count();
    let checkouts = drawn.iter().filter(|j| **j == Journey::Checkout).count();
    assert!((330..470).contains(&bounces), "{bounces} bounces in 1000");
    assert!((100..200).contains(&checkouts), "{checkouts} checkouts in 1000");
}

/// Checks each page view's order and node ids; returns the count of each
/// `type/source` of event.
fn check_views(recording: &Recording) -> BTreeMap<String, usize> {
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for view in &recording.views {
        let mut ids = HashSet::new();
        let mut last = 0;
        assert!((300..=1500).contains(&view.snapshot_nodes), "{} nodes", view.snapshot_nodes);
        for event in &view.events {
            let ts = event["timestamp"].as_i64().unwrap();
            assert!(ts >= last, "timestamps go back: {event}");
            last = ts;
            let data = &event["data"];
            let key = format!("{}/{}", event["type"], data["source"]);
            *kinds.entry(key).or_default() += 1;
            match (event["type"].as_i64(), data["source"].as_i64()) {
                (Some(2), _) => snapshot_ids(&data["node"], &mut ids),
                (Some(3), Some(0)) => {
                    for add in data["adds"].as_array().unwrap() {
                        assert!(ids.contains(&add["parentId"].as_i64().unwrap()), "{add}");
                        assert!(ids.insert(id_of(&add["node"])), "{add}");
                    }
                    for list in ["texts", "attributes", "removes"] {
                        for change in data[list].as_array().unwrap() {
                            assert!(ids.contains(&change["id"].as_i64().unwrap()), "{list}: {change}");
                        }
                    }
                }
                (Some(3), Some(1)) => {
                    for position in data["positions"].as_array().unwrap() {
                        assert!(ids.contains(&position["id"].as_i64().unwrap()), "{position}");
                        assert!(position["timeOffset"].as_i64().unwrap() <= 0);
                    }
                }
                (Some(3), Some(2 | 3 | 5)) => {
                    assert!(ids.contains(&data["id"].as_i64().unwrap()), "{event}");
                }
                _ => {}
            }
        }
    }
    kinds
}

#[test]
fn batches_follow_the_recorder_rules() {
    let recording = ten_minutes();
    let batches = recording.batches("shop", "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f");
    let mut all = Vec::new();
    for (seq, batch) in batches.iter().enumerate() {
        assert_eq!(batch["seq"], seq);
        let events = batch["events"].as_array().unwrap();
        let ts: Vec<i64> = events.iter().map(|e| e["timestamp"].as_i64().unwrap()).collect();
        let size = serde_json::to_vec(events).unwrap().len();
        let span = ts.last().unwrap() - ts.first().unwrap();
        assert!(span < BATCH_INTERVAL_MS, "batch {seq} spans {span} ms");
        assert!(size < BATCH_MAX_BYTES * 2 || events.len() <= 2, "batch {seq}: {size} bytes");
        all.extend(events.iter().cloned());
    }
    assert_eq!(all, recording.events().cloned().collect::<Vec<_>>());
}
