//! The CPU part of ingest, after the request's checks and before storage:
//! decompress (bounded), decode, check the batch against its token, drop
//! events whose purpose was not granted, mask, encode the row to store.
//! Pure: no I/O, so it runs on a blocking thread and is tested directly.

use std::io::Write;
use std::time::{Duration, Instant};

use veil_aggregation::{Grid, PageKeyRules};
use veil_consent::{Claims, Purpose, Purposes};
use veil_events::{Batch, EventType, decode};
use veil_masking::{MaskingRules, SessionCache};
use veil_store::rows::{QueuedRow, RecordingRow, SessionIndexRow};

use crate::decompress::{Encoding, decompress};
use crate::heatmap_rows;
use crate::reject::{MalformedKind, Reject};
use crate::state::Limits;

/// Page keys kept per batch in the sessions index: a hostile batch could
/// name thousands.
const MAX_PAGE_KEYS_PER_BATCH: usize = 50;

/// zstd level for stored payloads: level 3 compresses rrweb JSON about
/// 10:1 at several hundred MB/s.
const PAYLOAD_ZSTD_LEVEL: i32 = 3;

/// How the body is encoded (`Content-Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/msgpack`, what the recorder sends.
    MsgPack,
    /// `application/json`.
    Json,
}

impl Format {
    /// From a media type (lower-case, without parameters).
    pub fn from_media_type(media_type: &str) -> Option<Format> {
        match media_type {
            "application/msgpack" | "application/x-msgpack" | "application/vnd.msgpack" => {
                Some(Format::MsgPack)
            }
            "application/json" => Some(Format::Json),
            _ => None,
        }
    }

    /// From the `format` query parameter a beacon uses (`msgpack`, `json`).
    pub fn from_param(value: &str) -> Option<Format> {
        match value {
            "msgpack" => Some(Format::MsgPack),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// What processing produced.
#[derive(Debug)]
pub struct Processed {
    /// Rows to store: the recording (when `recording` is granted) and the
    /// heatmap rows (when `heatmaps` is granted); empty when nothing of the
    /// batch may be kept.
    pub rows: Vec<QueuedRow>,
    /// Events kept.
    pub accepted: usize,
    /// Events dropped because their purpose was not granted.
    pub dropped: usize,
    /// Kept events by type name, for metrics.
    pub events_by_type: Vec<(&'static str, u64)>,
    /// Body size after decompression.
    pub decompressed_bytes: usize,
    /// Time spent decoding.
    pub decode_time: Duration,
    /// Redactions by rule.
    pub redactions: veil_masking::Report,
    /// The batch carried a user id but the site has no key to hash it, so
    /// it was dropped.
    pub user_id_dropped: bool,
}

/// Everything [`process`] needs besides the body.
pub struct Context<'a> {
    /// `Content-Encoding`.
    pub encoding: Encoding,
    /// `Content-Type`.
    pub format: Format,
    /// The verified token.
    pub claims: &'a Claims,
    /// Purposes granted by the token and enabled by the site.
    pub granted: Purposes,
    /// Size limits.
    pub limits: &'a Limits,
    /// The site's page key rules.
    pub page_keys: &'a PageKeyRules,
    /// The site's masking rules.
    pub masking: &'a MaskingRules,
    /// Per-session masking state.
    pub sessions: &'a SessionCache,
    /// Receipt time, Unix seconds.
    pub received_at: u32,
    /// Browser family from the user agent ([`crate::browser::family`]).
    pub browser: &'static str,
    /// Key for linked user ids ([`crate::SitePolicy::user_id_key`]).
    pub user_id_key: Option<&'a [u8; 32]>,
}

/// Runs the pipeline on one request body.
pub fn process(body: &[u8], context: &Context<'_>) -> Result<Processed, Reject> {
    let Context {
        encoding,
        format,
        claims,
        granted,
        limits,
        page_keys,
        masking,
        sessions,
        received_at,
        browser,
        user_id_key,
    } = *context;
    let plain = decompress(body, encoding, limits.max_decompressed_bytes)?;
    let started = Instant::now();
    let decoded = match format {
        Format::MsgPack => decode::batch_from_msgpack(&plain),
        Format::Json => decode::batch_from_json(&plain),
    };
    let mut batch: Batch<'_> = decoded?;
    let decode_time = started.elapsed();
    if batch.site != claims.site.as_str() {
        return Err(Reject::WrongSite);
    }
    let before = batch.events.len();
    batch.events.retain(|event| granted.contains(consent_purpose(event.purpose_class())));
    let dropped = before - batch.events.len();
    // Masking runs after the purpose filter and before anything is
    // derived or stored; it may drop events (inputs of removed fields).
    let session = sessions.get_or_create(&batch.site, &batch.session, Instant::now());
    let redactions = veil_masking::mask_batch(&mut batch, masking, &mut session.lock());
    let events_by_type = count_by_type(&batch);
    let accepted = batch.events.len();

    let mut rows = Vec::new();
    let recorded = granted.contains(Purpose::Recording) && !batch.events.is_empty();
    // A batch both aggregated and recorded has its page views read once.
    let (aggregation, summary) = match (granted.contains(Purpose::Heatmaps), recorded) {
        (true, true) => {
            let (aggregation, summary) =
                veil_aggregation::aggregate_and_summarize(&batch, page_keys, &Grid::default());
            (Some(aggregation), Some(summary))
        }
        (true, false) => (Some(veil_aggregation::aggregate(&batch, page_keys, &Grid::default())), None),
        (false, true) => (None, Some(veil_aggregation::summarize(&batch, page_keys))),
        (false, false) => (None, None),
    };
    if let Some(aggregation) = aggregation {
        let origin = heatmap_rows::Origin {
            site: &batch.site,
            session: &batch.session,
            visitor: claims.visitor.as_str(),
            received_day: received_day(received_at),
        };
        rows.extend(heatmap_rows::rows(&aggregation, &origin));
    }
    let user_hash = match (batch.user.as_deref(), user_id_key) {
        (Some(user), Some(key)) if !user.is_empty() => Some(user_hash(key, user)),
        _ => None,
    };
    let user_id_dropped = batch.user.as_deref().is_some_and(|u| !u.is_empty()) && user_hash.is_none();
    // Heatmap input is kept in a recording only when the visitor also
    // agreed to be recorded; with `heatmaps` alone only aggregates remain.
    if let Some(summary) = summary {
        let recording = recording_row(&batch, claims, received_at)?;
        rows.push(QueuedRow::SessionIndex(session_index_row(
            &recording,
            summary,
            user_hash.unwrap_or_default(),
            browser,
        )));
        rows.push(QueuedRow::Recording(recording));
    }
    Ok(Processed {
        rows,
        accepted,
        dropped,
        events_by_type,
        decompressed_bytes: plain.len(),
        decode_time,
        redactions,
        user_id_dropped,
    })
}

/// The keyed BLAKE3 hash (hex) under which a site's own user id is stored
/// and filtered (SPEC §7); the raw id goes no further than this function.
pub fn user_hash(key: &[u8; 32], user: &str) -> String {
    blake3::keyed_hash(key, user.as_bytes()).to_hex().to_string()
}

fn session_index_row(
    recording: &RecordingRow,
    summary: veil_aggregation::SessionSummary,
    user_hash: String,
    browser: &str,
) -> SessionIndexRow {
    let mut page_keys = summary.page_keys;
    page_keys.truncate(MAX_PAGE_KEYS_PER_BATCH);
    SessionIndexRow {
        site: recording.site.clone(),
        session: recording.session.clone(),
        seq: recording.seq,
        visitor: recording.visitor.clone(),
        user_hash,
        day: recording.day,
        received_at: recording.received_at,
        first_ts: recording.first_ts,
        last_ts: recording.last_ts,
        active_ms: summary.active_ms,
        entry_page: summary.entry_page,
        page_keys,
        device: heatmap_rows::device(summary.device),
        browser: browser.to_owned(),
        clicks: summary.clicks,
        rage_clicks: summary.rage_clicks,
        dead_clicks: summary.dead_clicks,
        errors: summary.errors,
        event_count: recording.event_count,
    }
}

fn consent_purpose(purpose: veil_events::Purpose) -> Purpose {
    match purpose {
        veil_events::Purpose::Recording => Purpose::Recording,
        veil_events::Purpose::Heatmaps => Purpose::Heatmaps,
    }
}

fn recording_row(batch: &Batch<'_>, claims: &Claims, received_at: u32) -> Result<RecordingRow, Reject> {
    let json = veil_events::encode::events_to_json(&batch.events)
        .map_err(|_| Reject::Malformed(MalformedKind::Body))?;
    let mut encoder =
        zstd::stream::write::Encoder::new(Vec::with_capacity(json.len() / 8), PAYLOAD_ZSTD_LEVEL)
            .map_err(|_| Reject::Unavailable { retry_after: Duration::from_secs(1) })?;
    let payload = encoder
        .write_all(&json)
        .and_then(|()| encoder.finish())
        .map_err(|_| Reject::Unavailable { retry_after: Duration::from_secs(1) })?;
    let first_ts = batch.events.iter().map(|e| e.timestamp).min().unwrap_or(0).max(0);
    let last_ts = batch.events.iter().map(|e| e.timestamp).max().unwrap_or(0).max(0);
    Ok(RecordingRow {
        site: batch.site.to_string(),
        session: batch.session.to_string(),
        seq: batch.seq,
        visitor: claims.visitor.as_str().to_owned(),
        consent_id: claims.consent_id.as_str().to_owned(),
        day: event_day(first_ts, received_day(received_at)),
        received_at,
        first_ts: first_ts.unsigned_abs(),
        last_ts: last_ts.unsigned_abs(),
        event_count: u32::try_from(batch.events.len()).unwrap_or(u32::MAX),
        payload,
    })
}

/// Days since 1970 of a receipt time in Unix seconds.
fn received_day(received_at: u32) -> u16 {
    u16::try_from(received_at / 86_400).unwrap_or(u16::MAX)
}

/// The UTC day (days since 1970) a row belongs to: that of its first
/// event, unless the client's clock is implausible (before 1970, or more
/// than a day after receipt), then the day of receipt. Recordings and
/// heatmap rows of one batch so land on the same day.
pub(crate) fn event_day(first_ts_ms: i64, received_day: u16) -> u16 {
    let day = first_ts_ms.div_euclid(86_400_000);
    if day <= 0 || day > i64::from(received_day) + 1 {
        received_day
    } else {
        u16::try_from(day).unwrap_or(received_day)
    }
}

fn count_by_type(batch: &Batch<'_>) -> Vec<(&'static str, u64)> {
    let mut counts: Vec<(&'static str, u64)> = Vec::new();
    for event in &batch.events {
        let name = type_name(event.kind);
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => *count += 1,
            None => counts.push((name, 1)),
        }
    }
    counts
}

/// Metric label of an event type: a closed set.
pub fn type_name(kind: EventType) -> &'static str {
    match kind {
        EventType::DomContentLoaded => "dom_content_loaded",
        EventType::Load => "load",
        EventType::FullSnapshot => "full_snapshot",
        EventType::IncrementalSnapshot => "incremental_snapshot",
        EventType::Meta => "meta",
        EventType::Custom => "custom",
        EventType::Plugin => "plugin",
        EventType::Unknown(_) => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::event_day;

    #[test]
    fn rows_take_the_first_events_day_unless_the_clock_is_implausible() {
        let received = 20_781; // 2026-11-24
        let cases = [
            (20_770 * 86_400_000 + 5, 20_770), // eleven days ago: kept
            (20_782 * 86_400_000, 20_782),     // tomorrow (time zones): kept
            (20_790 * 86_400_000, received),   // far future: receipt day
            (-5, received),                    // before 1970: receipt day
            (0, received),                     // no timestamp: receipt day
        ];
        for (ts, expected) in cases {
            assert_eq!(event_day(ts, received), expected, "{ts}");
        }
    }
}
