//! What the load generator sends: realistic visits (see
//! [`crate::recording`]) encoded as the recorder posts them, prepared
//! before the clock starts so the generator spends its CPU on HTTP only.

use serde_json::Value;

use crate::recording::{Journey, Recording, RecordingOptions, Rng};

/// One batch body ready to post.
#[derive(Debug, Clone)]
pub struct Body {
    /// The batch's `seq`.
    pub seq: u64,
    /// MessagePack, zstd-compressed: what goes on the wire.
    pub wire: Vec<u8>,
    /// Bytes after decompression (the MessagePack the server decodes).
    pub plain_len: usize,
    /// Events in the batch.
    pub events: usize,
    /// Sent as `navigator.sendBeacon` does on page hide: token, format and
    /// encoding in the query, `text/plain`.
    pub beacon: bool,
}

impl Body {
    /// The batch envelope back from the wire (zstd, then MessagePack), as
    /// the server decodes it: for benches that compare what was sent with
    /// what was stored.
    pub fn batch(&self) -> Value {
        let plain = zstd::decode_all(&self.wire[..]).expect("a generated body is zstd");
        #[allow(clippy::disallowed_methods, reason = "generated bodies, not request data")]
        rmp_serde::from_slice(&plain).expect("a generated body is MessagePack")
    }
}

/// One visit: a consent grant, then its batches in order.
#[derive(Debug, Clone)]
pub struct Visit {
    /// Visitor id sent with the grant (returning visitors share one).
    pub visitor: String,
    /// Session id of every batch.
    pub session: String,
    /// Batches in `seq` order.
    pub batches: Vec<Body>,
}

/// How to make a corpus.
#[derive(Debug, Clone)]
pub struct CorpusOptions {
    /// Site id in every batch.
    pub site: String,
    /// How many visits.
    pub visits: usize,
    /// Shortest and longest visit in minutes (uniform between).
    pub minutes: (f64, f64),
    /// Share of visits by a visitor seen before.
    pub returning: f64,
    /// Share of visits whose last batch leaves as a beacon.
    pub beacons: f64,
    /// PRNG seed: the same options give the same corpus.
    pub seed: u64,
    /// Unix ms of the first event of the first visit; visits follow each
    /// other a few seconds apart.
    pub start_ms: i64,
    /// Seed of what the site serves every visitor alike (style sheets);
    /// `None`: every visit is of a different site.
    pub site_seed: Option<u64>,
    /// The pages of every visit; `None`: each visit draws its own with
    /// [`Journey::draw`] (a webshop's mix of bounces, browsing and
    /// checkouts).
    pub journey: Option<Journey>,
}

/// Generates one visit: deterministic in `(options, index)`, so a run
/// that needs more visits than it prepared can make them as it goes.
pub fn visit(options: &CorpusOptions, index: usize, visitors: &mut Vec<String>) -> Visit {
    let mut rng = Rng::new(options.seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let visitor = if !visitors.is_empty() && rng.chance(options.returning) {
        rng.pick(visitors).clone()
    } else {
        let id = rng.hex(32);
        visitors.push(id.clone());
        id
    };
    let session = format!("{}-{}-4{}-a{}-{}", rng.hex(8), rng.hex(4), rng.hex(3), rng.hex(3), rng.hex(12));
    let (lo, hi) = options.minutes;
    let minutes = lo + (hi - lo) * rng.unit();
    let recording = Recording::generate(&RecordingOptions {
        minutes,
        seed: rng.next_u64(),
        start_ms: options.start_ms + index as i64 * 7_000,
        site_seed: options.site_seed,
        // A stream of its own, so a fixed journey leaves the rest of the
        // visit as it was.
        journey: options.journey.unwrap_or_else(|| {
            Journey::draw(&mut Rng::new(options.seed ^ (index as u64).wrapping_mul(0x2545_f491_4f6c_dd1d)))
        }),
    });
    let beacon_last = rng.chance(options.beacons);
    let batches = recording.batches(&options.site, &session);
    let count = batches.len();
    let batches =
        batches.iter().enumerate().map(|(i, batch)| encode(batch, beacon_last && i + 1 == count)).collect();
    Visit { visitor, session, batches }
}

/// `count` visits of [`visit`].
pub fn corpus(options: &CorpusOptions) -> Vec<Visit> {
    let mut visitors = Vec::new();
    (0..options.visits).map(|index| visit(options, index, &mut visitors)).collect()
}

fn encode(batch: &Value, beacon: bool) -> Body {
    let plain = rmp_serde::to_vec_named(batch).unwrap_or_default();
    let wire = zstd::encode_all(&plain[..], 3).unwrap_or_default();
    Body {
        seq: batch["seq"].as_u64().unwrap_or(0),
        wire,
        plain_len: plain.len(),
        events: batch["events"].as_array().map_or(0, Vec::len),
        beacon,
    }
}
