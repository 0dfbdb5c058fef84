//! A session's events in timestamp order, from its stored batches, without
//! holding the whole session: batches arrive ordered by their first event
//! ([`veil_store::recordings`]), so once a batch starting at `t` is read, no
//! later batch can hold an event before `t`, and every buffered event up to
//! `t` can be sent. Memory is bounded by the batches that overlap in time
//! (normally one).
//!
//! Events keep the bytes masking produced (re-encoded from the stored
//! JSON, which is lossless); ties keep recording order (batch `seq`, then
//! position in the batch), so a player sees exactly what was recorded.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Why a stored batch cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The payload is not zstd.
    #[error("stored batch {seq} does not decompress: {source}")]
    Decompress {
        /// Batch.
        seq: u64,
        /// Cause.
        source: std::io::Error,
    },
    /// The payload is not a JSON array of events.
    #[error("stored batch {seq} does not decode: {source}")]
    Decode {
        /// Batch.
        seq: u64,
        /// Cause.
        source: veil_events::DecodeError,
    },
    /// An event does not encode back (cannot happen for what was decoded).
    #[error("stored batch {seq} does not encode back")]
    Encode {
        /// Batch.
        seq: u64,
    },
}

/// Stored payloads are at most the ingest limit after decompression; this
/// bound only protects against a corrupt frame claiming more.
const MAX_PAYLOAD_BYTES: usize = 1 << 30;

/// One event waiting to be sent: (timestamp, seq, position) orders it.
type Pending = Reverse<(i64, u64, usize, Vec<u8>)>;

/// The merge of a session's batches.
#[derive(Debug, Default)]
pub struct Timeline {
    pending: BinaryHeap<Pending>,
    emitted: u64,
}

impl Timeline {
    /// An empty timeline.
    pub fn new() -> Timeline {
        Timeline::default()
    }

    /// Adds the next stored batch (zstd JSON array of events) and returns
    /// the events that can be sent now, each as its JSON text.
    pub fn push(&mut self, seq: u64, first_ts: u64, payload: &[u8]) -> Result<Vec<Vec<u8>>, ReplayError> {
        let json = decompress(seq, payload)?;
        let events = veil_events::decode::events_from_json(&json)
            .map_err(|source| ReplayError::Decode { seq, source })?;
        let first_ts = i64::try_from(first_ts).unwrap_or(i64::MAX);
        let ready = self.drain(|ts| ts <= first_ts);
        for (position, event) in events.iter().enumerate() {
            let text = veil_events::encode::events_to_json(std::slice::from_ref(event))
                .map_err(|_| ReplayError::Encode { seq })?;
            // `[` … `]` around the one event.
            let text = text.get(1..text.len().saturating_sub(1)).unwrap_or_default().to_vec();
            self.pending.push(Reverse((event.timestamp, seq, position, text)));
        }
        Ok(ready)
    }

    /// Everything still buffered, in order: call after the last batch.
    pub fn finish(&mut self) -> Vec<Vec<u8>> {
        self.drain(|_| true)
    }

    /// Events sent so far.
    pub fn emitted(&self) -> u64 {
        self.emitted
    }

    fn drain(&mut self, ready: impl Fn(i64) -> bool) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(Reverse((ts, ..))) = self.pending.peek() {
            if !ready(*ts) {
                break;
            }
            if let Some(Reverse((_, _, _, text))) = self.pending.pop() {
                out.push(text);
            }
        }
        self.emitted += out.len() as u64;
        out
    }
}

/// The JSON array of events of a stored batch.
pub fn decompress(seq: u64, payload: &[u8]) -> Result<Vec<u8>, ReplayError> {
    use std::io::Read;
    let decoder = zstd::stream::read::Decoder::new(payload)
        .map_err(|source| ReplayError::Decompress { seq, source })?;
    let mut json = Vec::with_capacity(payload.len() * 8);
    decoder
        .take(MAX_PAYLOAD_BYTES as u64)
        .read_to_end(&mut json)
        .map_err(|source| ReplayError::Decompress { seq, source })?;
    Ok(json)
}

#[cfg(test)]
// Tests parse the timeline's own small output.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    fn stored(events: &[(i64, &str)]) -> Vec<u8> {
        let json: Vec<String> = events
            .iter()
            .map(|(ts, tag)| format!(r#"{{"type":5,"data":{{"tag":"{tag}"}},"timestamp":{ts}}}"#))
            .collect();
        zstd::encode_all(format!("[{}]", json.join(",")).as_bytes(), 3).expect("zstd")
    }

    fn tags(out: &[Vec<u8>]) -> Vec<String> {
        out.iter()
            .map(|e| {
                let value: serde_json::Value = serde_json::from_slice(e).expect("json");
                value["data"]["tag"].as_str().expect("tag").to_owned()
            })
            .collect()
    }

    #[test]
    fn batches_in_order_stream_batch_by_batch() {
        let mut timeline = Timeline::new();
        let first = timeline.push(0, 100, &stored(&[(100, "a"), (150, "b")])).expect("push");
        assert!(first.is_empty(), "nothing is sent before the next batch's start is known");
        let second = timeline.push(1, 200, &stored(&[(200, "c"), (260, "d")])).expect("push");
        assert_eq!(tags(&second), ["a", "b"]);
        assert_eq!(tags(&timeline.finish()), ["c", "d"]);
        assert_eq!(timeline.emitted(), 4);
    }

    #[test]
    fn overlapping_batches_and_unordered_events_come_out_by_timestamp() {
        let mut timeline = Timeline::new();
        let mut out = timeline.push(0, 100, &stored(&[(100, "a"), (400, "late"), (120, "b")])).expect("push");
        // Batch 1 starts before batch 0 ends (two tabs, a retried send).
        out.extend(timeline.push(1, 120, &stored(&[(120, "b2"), (300, "c")])).expect("push"));
        out.extend(timeline.finish());
        assert_eq!(tags(&out), ["a", "b", "b2", "c", "late"], "ties keep recording order");
    }

    #[test]
    fn event_bytes_are_kept() {
        let event = r#"{"type":3,"data":{"source":5,"text":"***","isChecked":false,"id":42},"timestamp":1795514400000}"#;
        let payload = zstd::encode_all(format!("[{event}]").as_bytes(), 3).expect("zstd");
        let mut timeline = Timeline::new();
        timeline.push(0, 1_795_514_400_000, &payload).expect("push");
        let out = timeline.finish();
        let got: serde_json::Value = serde_json::from_slice(&out[0]).expect("json");
        let want: serde_json::Value = serde_json::from_str(event).expect("json");
        assert_eq!(got, want);
    }

    #[test]
    fn corrupt_payloads_are_errors_not_panics() {
        let mut timeline = Timeline::new();
        assert!(matches!(timeline.push(3, 0, b"not zstd"), Err(ReplayError::Decompress { seq: 3, .. })));
        let not_events = zstd::encode_all(&b"{\"a\":1}"[..], 3).expect("zstd");
        assert!(matches!(timeline.push(4, 0, &not_events), Err(ReplayError::Decode { seq: 4, .. })));
    }
}
