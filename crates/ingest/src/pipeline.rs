//! The CPU part of ingest, after the request's checks and before storage:
//! decompress (bounded), decode, check the batch against its token, drop
//! events whose purpose was not granted, mask, encode the row to store.
//! Pure: no I/O, so it runs on a blocking thread and is tested directly.

use std::io::Write;
use std::time::{Duration, Instant};

use veil_aggregation::segment::{Segment, SegmentRules};
use veil_aggregation::{Grid, PageKeyRules};
use veil_consent::{Claims, Purpose, Purposes};
use veil_events::decode::{Bounds, SessionPage};
use veil_events::{Batch, Budget, BudgetError, EventType, decode};
use veil_masking::{MaskingRules, SessionCache};
use veil_store::rows::{QueuedRow, RecordingRow, SessionIndexRow};

use crate::decompress::{Encoding, decompress_within};
use crate::heatmap_rows;
use crate::reject::Reject;
use crate::state::Limits;

/// Page keys kept per batch in the sessions index: a hostile batch could
/// name thousands.
const MAX_PAGE_KEYS_PER_BATCH: usize = 50;

/// zstd level for stored payloads: level 3 compresses rrweb JSON about
/// 10:1 at several hundred MB/s.
const PAYLOAD_ZSTD_LEVEL: i32 = 3;

/// What a level-3 zstd stream encoder holds: its 2 MiB window, hash and
/// chain tables, and in/out buffers (`ZSTD_estimateCStreamSize(3)` is
/// about 3 MiB).
const ZSTD_ENCODER_BYTES: usize = 4 << 20;

/// What aggregation and the sessions summary derive per kept event at
/// most (a click or scroll record, a timestamp, a selector).
const DERIVED_BYTES_PER_EVENT: usize = 128;

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
    /// The site's segment rules.
    pub segments: &'a SegmentRules,
    /// The site's masking rules.
    pub masking: &'a MaskingRules,
    /// Per-session masking state.
    pub sessions: &'a SessionCache,
    /// Per-session heatmap state (scroll position, node selectors).
    pub heatmap_sessions: &'a crate::heatmap_sessions::HeatmapSessions,
    /// Receipt time, Unix seconds.
    pub received_at: u32,
    /// Browser family from the user agent ([`crate::browser::family`]).
    pub browser: &'static str,
    /// Key for linked user ids ([`crate::SitePolicy::user_id_key`]).
    pub user_id_key: Option<&'a [u8; 32]>,
}

/// Runs the pipeline on one request body, charging `budget` for what it
/// holds (decompressed body, decoded tree, masking's rewrites, derived
/// rows, the stored payload). The caller keeps the budget until the rows
/// are queued: they are part of what the request holds.
pub fn process(body: &[u8], context: &Context<'_>, budget: &mut Budget) -> Result<Processed, Reject> {
    let plain = decompress_within(body, context.encoding, context.limits.max_decompressed_bytes, budget)?;
    process_plain(&plain, context, budget)
}

/// [`process`] after decompression: `plain` is the decompressed body
/// (already charged to `budget`). Split out so the HTTP handler can
/// decompress first and choose where the rest runs by the plain size.
pub fn process_plain(plain: &[u8], context: &Context<'_>, budget: &mut Budget) -> Result<Processed, Reject> {
    let Context {
        encoding: _,
        format,
        claims,
        granted,
        limits,
        page_keys,
        segments,
        masking,
        sessions,
        heatmap_sessions,
        received_at,
        browser,
        user_id_key,
    } = *context;
    let started = Instant::now();
    // The token's site is checked as soon as the batch's `site` is read,
    // before the events behind it are decoded.
    // A stock rrweb batch without page, viewport and Meta event is placed
    // where the session's earlier batches were.
    let earlier = |site: &str, session: &str| heatmap_sessions.page(site, session, Instant::now());
    let bounds =
        Bounds { budget: &mut *budget, site: Some(claims.site.as_str()), session_page: Some(&earlier) };
    let decoded = match format {
        Format::MsgPack => decode::batch_from_msgpack_within(plain, bounds),
        Format::Json => decode::batch_from_json_within(plain, bounds),
    };
    let mut batch: Batch<'_> = decoded?;
    let decode_time = started.elapsed();
    if batch.site != claims.site.as_str() {
        return Err(Reject::WrongSite);
    }
    // Masking rewrites strings into owned copies, never longer than the
    // strings of the body; derived rows are a few records per event.
    budget.charge(plain.len())?;
    budget.charge(batch.events.len().saturating_mul(DERIVED_BYTES_PER_EVENT))?;
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
    let grid = Grid::default();
    let now = Instant::now();
    let mut carried = heatmap_sessions.take(&batch.site, &batch.session, now);
    let (aggregation, summary) = match (granted.contains(Purpose::Heatmaps), recorded) {
        (true, true) => {
            let (aggregation, summary) =
                veil_aggregation::aggregate_and_summarize_in(&batch, page_keys, &grid, &mut carried);
            (Some(aggregation), Some(summary))
        }
        (true, false) => (Some(veil_aggregation::aggregate_in(&batch, page_keys, &grid, &mut carried)), None),
        (false, true) => (None, Some(veil_aggregation::summarize_in(&batch, page_keys, &mut carried))),
        (false, false) => (None, None),
    };
    heatmap_sessions.put(&batch.site, &batch.session, carried, SessionPage::after(&batch), now);
    // The envelope's `source`: read here, never stored as sent.
    let segment =
        segments.segment(batch.extra.iter().find(|(name, _)| name == "source").map(|(_, value)| value));
    if let Some(aggregation) = aggregation {
        let origin = heatmap_rows::Origin {
            site: &batch.site,
            session: &batch.session,
            visitor: claims.visitor.as_str(),
            received_day: received_day(received_at),
            segment: &segment,
        };
        rows.extend(heatmap_rows::rows(&aggregation, &origin));
        // Signals name their session (insights link to its replay), so
        // only a session that is also recorded has them.
        if recorded {
            rows.extend(heatmap_rows::signal_rows(&aggregation, &origin, batch.seq));
        }
    }
    let user_hash = match (batch.user.as_deref(), user_id_key) {
        (Some(user), Some(key)) if !user.is_empty() => Some(user_hash(key, user)),
        _ => None,
    };
    let user_id_dropped = batch.user.as_deref().is_some_and(|u| !u.is_empty()) && user_hash.is_none();
    // Heatmap input is kept in a recording only when the visitor also
    // agreed to be recorded; with `heatmaps` alone only aggregates remain.
    if let Some(summary) = summary {
        let recording = recording_row(&batch, claims, received_at, limits.max_stored_batch_bytes, budget)?;
        rows.push(QueuedRow::SessionIndex(session_index_row(
            &recording,
            summary,
            user_hash.unwrap_or_default(),
            browser,
            segment,
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
    segment: Segment,
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
        source: segment.source.code(),
        campaign: segment.campaign,
    }
}

fn consent_purpose(purpose: veil_events::Purpose) -> Purpose {
    match purpose {
        veil_events::Purpose::Recording => Purpose::Recording,
        veil_events::Purpose::Heatmaps => Purpose::Heatmaps,
    }
}

fn recording_row(
    batch: &Batch<'_>,
    claims: &Claims,
    received_at: u32,
    max_stored_bytes: usize,
    budget: &mut Budget,
) -> Result<RecordingRow, Reject> {
    let payload = stored_payload(&batch.events, max_stored_bytes, budget)?;
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

/// The masked events as stored: JSON streamed into zstd, so the JSON never
/// exists as one buffer. The JSON is capped at `max_stored_bytes` (replay
/// decompresses one stored batch at a time, so this bounds replay too) and
/// the compressed output is charged to `budget` as it grows.
pub fn stored_payload(
    events: &[veil_events::Event<'_>],
    max_stored_bytes: usize,
    budget: &mut Budget,
) -> Result<Vec<u8>, Reject> {
    let unavailable = || Reject::Unavailable { retry_after: Duration::from_secs(1) };
    budget.charge(ZSTD_ENCODER_BYTES)?;
    let output = ChargedVec { bytes: Vec::new(), budget, refused: None };
    let encoder = zstd::stream::write::Encoder::new(output, PAYLOAD_ZSTD_LEVEL).map_err(|_| unavailable())?;
    let mut json = CappedWriter { inner: encoder, written: 0, limit: max_stored_bytes, exceeded: false };
    let written = veil_events::encode::events_to_json_writer(events, &mut json);
    let CappedWriter { inner: encoder, exceeded, .. } = json;
    if exceeded {
        return Err(Reject::StoredBatchTooLarge { limit: max_stored_bytes });
    }
    if let Some(refused) = encoder.get_ref().refused {
        return Err(refused.into());
    }
    written.map_err(|_| unavailable())?;
    match encoder.finish() {
        Ok(ChargedVec { bytes, refused: None, .. }) => Ok(bytes),
        Ok(ChargedVec { refused: Some(refused), .. }) => Err(refused.into()),
        Err(_) => Err(unavailable()),
    }
}

/// A `Vec` sink that charges its growth to a budget and fails the write
/// (remembering why) when the budget refuses.
struct ChargedVec<'b> {
    bytes: Vec<u8>,
    budget: &'b mut Budget,
    refused: Option<BudgetError>,
}

impl Write for ChargedVec<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let before = self.bytes.capacity();
        self.bytes.extend_from_slice(data);
        if let Err(refused) = self.budget.charge_growth(before, &self.bytes) {
            self.refused = Some(refused);
            return Err(std::io::Error::other(refused));
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Counts what passes through and fails once more than `limit` bytes did.
struct CappedWriter<W> {
    inner: W,
    written: usize,
    limit: usize,
    exceeded: bool,
}

impl<W: Write> Write for CappedWriter<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.written.saturating_add(data.len()) > self.limit {
            self.exceeded = true;
            return Err(std::io::Error::other("stored batch over its limit"));
        }
        let n = self.inner.write(data)?;
        self.written += n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
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
    use super::{Budget, Reject, event_day, stored_payload};

    fn events(text: &str) -> Vec<veil_events::Event<'_>> {
        let data = veil_events::Value::Map(vec![("text".into(), veil_events::Value::Str(text.into()))]);
        vec![veil_events::Event::new(veil_events::EventType::Custom, 1, data)]
    }

    #[test]
    fn the_stored_payload_is_the_events_json_compressed() {
        let text = "x".repeat(100_000);
        let events = events(&text);
        let mut budget = Budget::unlimited();
        let payload = stored_payload(&events, 1 << 20, &mut budget).expect("fits");
        let json = zstd::decode_all(&payload[..]).expect("zstd");
        assert_eq!(json, veil_events::encode::events_to_json(&events).expect("json"));
        assert!(budget.used() >= payload.len(), "the output is charged");
    }

    #[test]
    fn a_stored_payload_over_its_cap_is_refused() {
        let text = "x".repeat(100_000);
        let mut budget = Budget::unlimited();
        assert_eq!(
            stored_payload(&events(&text), 50_000, &mut budget),
            Err(Reject::StoredBatchTooLarge { limit: 50_000 })
        );
        let mut small = Budget::new(1 << 20, None);
        assert_eq!(
            stored_payload(&events(&text), 1 << 20, &mut small),
            Err(Reject::MemoryTooLarge { limit: 1 << 20 }),
            "the encoder's state alone is over a 1 MiB budget"
        );
    }

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
