//! The archive format on the generator's visits: every visit of a mixed
//! corpus (bounces, browsing with page loads, checkouts; short and long)
//! encodes, as the server stores it, and decodes to the same batches.

#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

use std::collections::HashMap;

use serde_json::Value;
use veil_archive::{EncodeOptions, StoredBatch, decode, encode};
use veil_benches::load::corpus::{CorpusOptions, corpus};
use veil_benches::load::cpu_step::stored_batches;

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
        // What the server stores for the visit (decoded and masked): the
        // input compaction sees.
        let batches: Vec<(u64, u64, Vec<u8>)> = stored_batches("bench", visit)
            .into_iter()
            .map(|row| (row.seq, row.first_ts, zstd::decode_all(&row.payload[..]).unwrap()))
            .collect();
        assert_eq!(batches.len(), visit.batches.len(), "every batch of session {} is stored", visit.session);
        let stored: Vec<StoredBatch<'_>> = batches
            .iter()
            .map(|(seq, first_ts, json)| StoredBatch { seq: *seq, first_ts: *first_ts, events_json: json })
            .collect();
        let encoded = encode(&stored, &EncodeOptions { quality: 5, chunk_min_bytes: 1024 }).unwrap();
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
