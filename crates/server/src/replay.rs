//! A session's events in timestamp order, from its stored batches, without
//! holding the whole session: batches arrive ordered by their first event
//! ([`veil_store::recordings`]), so once a batch starting at `t` is read, no
//! later batch can hold an event before `t`, and every buffered event up to
//! `t` can be sent.
//!
//! What is held is bounded whatever the stored timestamps say: one stored
//! batch's JSON (at most [`MAX_PAYLOAD_BYTES`]), decoded one event at a
//! time, and at most [`MAX_PENDING_BYTES`] of events waiting for their
//! turn. Events whose timestamps lie beyond later batches' starts (a clock
//! jump, a tab left open for days, or a hostile recorder) wait in that
//! buffer; when it is full, its earliest events are sent at once. So the
//! rule a player sees is: events come in timestamp order, except that an
//! out-of-order tail larger than the buffer is sent in batch order as it
//! overflows — every event exactly once, none dropped.
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
    /// The payload decompresses to more than replay reads of one batch.
    #[error(
        "stored batch {seq} is larger than {limit} bytes as JSON; it was not written by this version's ingest"
    )]
    TooLarge {
        /// Batch.
        seq: u64,
        /// The limit.
        limit: usize,
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

/// The most JSON one stored batch may decompress to at replay: the
/// largest `ingest.max_stored_batch_bytes` the configuration accepts.
pub const MAX_PAYLOAD_BYTES: usize = 64 << 20;

/// The most event bytes held back waiting for their timestamp's turn.
pub const MAX_PENDING_BYTES: usize = 8 << 20;

/// One event waiting to be sent: (timestamp, seq, position) orders it.
type Pending = Reverse<(i64, u64, usize, Vec<u8>)>;

/// The merge of a session's batches.
#[derive(Debug, Default)]
pub struct Timeline {
    pending: BinaryHeap<Pending>,
    pending_bytes: usize,
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
        self.push_json(seq, first_ts, &json)
    }

    /// Adds the next stored batch as its JSON array of events (a batch
    /// read from a compacted session's archive).
    pub fn push_json(&mut self, seq: u64, first_ts: u64, json: &[u8]) -> Result<Vec<Vec<u8>>, ReplayError> {
        let first_ts = i64::try_from(first_ts).unwrap_or(i64::MAX);
        let mut ready = self.drain(|ts| ts <= first_ts);
        let mut position = 0;
        let mut encoded = true;
        // Stored batches were written by ingest within its memory budget;
        // they are decoded one event at a time, never as one tree.
        let mut budget = veil_events::Budget::unlimited();
        veil_events::decode::each_event_from_json(json, &mut budget, |event| {
            match veil_events::encode::events_to_json(std::slice::from_ref(&event)) {
                Ok(text) => {
                    // `[` … `]` around the one event.
                    let text = text.get(1..text.len().saturating_sub(1)).unwrap_or_default().to_vec();
                    self.pending_bytes += text.len();
                    self.pending.push(Reverse((event.timestamp, seq, position, text)));
                }
                Err(_) => encoded = false,
            }
            position += 1;
            // Full: the earliest held events go out now, in order.
            while self.pending_bytes > MAX_PENDING_BYTES {
                match self.pop() {
                    Some(text) => ready.push(text),
                    None => break,
                }
            }
        })
        .map_err(|source| ReplayError::Decode { seq, source })?;
        if !encoded {
            return Err(ReplayError::Encode { seq });
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

    /// Bytes of events held back now.
    pub fn pending_bytes(&self) -> usize {
        self.pending_bytes
    }

    fn pop(&mut self) -> Option<Vec<u8>> {
        let Reverse((_, _, _, text)) = self.pending.pop()?;
        self.pending_bytes -= text.len();
        self.emitted += 1;
        Some(text)
    }

    fn drain(&mut self, ready: impl Fn(i64) -> bool) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(Reverse((ts, ..))) = self.pending.peek() {
            if !ready(*ts) {
                break;
            }
            match self.pop() {
                Some(text) => out.push(text),
                None => break,
            }
        }
        out
    }
}

/// The JSON array of events of a stored batch in either form.
pub fn batch_json(
    batch: &veil_store::archives::SessionBatch,
) -> Result<std::borrow::Cow<'_, [u8]>, ReplayError> {
    match &batch.body {
        veil_store::archives::BatchBody::Zstd(payload) => {
            decompress(batch.seq, payload).map(std::borrow::Cow::Owned)
        }
        veil_store::archives::BatchBody::Json(json) => Ok(std::borrow::Cow::Borrowed(json)),
    }
}

/// The JSON array of events of a stored batch, at most
/// [`MAX_PAYLOAD_BYTES`].
pub fn decompress(seq: u64, payload: &[u8]) -> Result<Vec<u8>, ReplayError> {
    use veil_store::recordings::{PayloadError, inflate_payload};
    inflate_payload(payload, MAX_PAYLOAD_BYTES).map_err(|error| match error {
        PayloadError::Decompress(source) => ReplayError::Decompress { seq, source },
        PayloadError::TooLarge { limit } => ReplayError::TooLarge { seq, limit },
    })
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
    fn a_tail_beyond_the_buffer_overflows_in_order_and_nothing_is_lost() {
        // Every batch starts early but carries a far-future event of 1 MiB:
        // without the cap all of them would wait for the end.
        let filler = "x".repeat(1 << 20);
        let mut timeline = Timeline::new();
        let mut out = Vec::new();
        for seq in 0..20u64 {
            let start = 1_000 + seq as i64;
            let late = format!("late{seq}{filler}");
            out.extend(
                timeline
                    .push(seq, start as u64, &stored(&[(start, "early"), (i64::MAX / 2, &late)]))
                    .expect("push"),
            );
            assert!(timeline.pending_bytes() <= MAX_PENDING_BYTES, "held {}", timeline.pending_bytes());
        }
        out.extend(timeline.finish());
        let tags = tags(&out);
        assert_eq!(tags.len(), 40, "every event exactly once");
        assert_eq!(tags.iter().filter(|t| *t == "early").count(), 20);
        // The overflowed tail comes out in batch order.
        let late: Vec<&String> = tags.iter().filter(|t| t.starts_with("late")).collect();
        let order: Vec<u64> =
            late.iter().map(|t| t[4..t.len() - filler.len()].parse().expect("seq")).collect();
        assert_eq!(order, (0..20).collect::<Vec<_>>());
        assert_eq!(timeline.emitted(), 40);
    }

    #[test]
    fn a_payload_over_the_replay_limit_is_an_error() {
        let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 1).expect("zstd");
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..=MAX_PAYLOAD_BYTES >> 20 {
            std::io::Write::write_all(&mut encoder, &zeros).expect("zstd");
        }
        let payload = encoder.finish().expect("zstd");
        assert!(matches!(decompress(9, &payload), Err(ReplayError::TooLarge { seq: 9, .. })));
    }

    #[test]
    fn corrupt_payloads_are_errors_not_panics() {
        let mut timeline = Timeline::new();
        assert!(matches!(timeline.push(3, 0, b"not zstd"), Err(ReplayError::Decompress { seq: 3, .. })));
        let not_events = zstd::encode_all(&b"{\"a\":1}"[..], 3).expect("zstd");
        assert!(matches!(timeline.push(4, 0, &not_events), Err(ReplayError::Decode { seq: 4, .. })));
    }
}
