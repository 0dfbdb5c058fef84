//! The archive format on the generator's visits: every visit of a mixed
//! corpus (bounces, browsing with page loads, checkouts; short and long)
//! encodes and decodes to the same batches.

#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

use std::collections::HashMap;

use serde_json::Value;
use veil_archive::{EncodeOptions, StoredBatch, decode, encode};
use veil_benches::load::corpus::{CorpusOptions, corpus};

#[test]
fn every_visit_of_a_mixed_corpus_round_trips() {
    let visits = corpus(&CorpusOptions {
        site: "bench".to_owned(),
        visits: 20,
        minutes: (0.5, 15.0),
        returning: 0.3,
        beacons: 0.3,
        seed: 7,
        start_ms: 1_795_514_400_000,
        site_seed: Some(1),
        journey: None,
    });
    for visit in &visits {
        let batches: Vec<(u64, u64, Vec<u8>)> = visit
            .batches
            .iter()
            .map(|body| {
                let batch: Value = rmp_serde::from_slice(&zstd::decode_all(&body.wire[..]).unwrap()).unwrap();
                let events = serde_json::to_vec(&batch["events"]).unwrap();
                let first_ts = batch["events"][0]["timestamp"].as_u64().unwrap();
                (body.seq, first_ts, events)
            })
            .collect();
        let stored: Vec<StoredBatch<'_>> = batches
            .iter()
            .map(|(seq, first_ts, json)| StoredBatch { seq: *seq, first_ts: *first_ts, events_json: json })
            .collect();
        let encoded = encode(&stored, &EncodeOptions { level: 3, chunk_min_bytes: 1024 }).unwrap();
        let chunks: HashMap<[u8; 32], Vec<u8>> =
            encoded.chunks.iter().map(|c| (c.hash, c.body.clone())).collect();
        let decoded = decode(&encoded.payload, |hash| chunks.get(hash).map(Vec::as_slice), 1 << 30)
            .unwrap_or_else(|e| panic!("session {} ({} batches): {e}", visit.session, batches.len()));
        assert_eq!(decoded.len(), batches.len());
        for (batch, (seq, first_ts, json)) in decoded.iter().zip(&batches) {
            assert_eq!((batch.seq, batch.first_ts), (*seq, *first_ts));
            let got: Value = serde_json::from_slice(&batch.events_json).unwrap();
            let want: Value = serde_json::from_slice(json).unwrap();
            assert!(got == want, "session {} batch {seq} differs", visit.session);
        }
    }
}
