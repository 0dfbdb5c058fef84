//! Rows as they travel through the durable queue and into ClickHouse.
//!
//! Ingest builds them, the queue stores them (MessagePack, see
//! [`QueuedRow::encode`]), the shipper inserts them. Times are the
//! ClickHouse 18.16 types: `DateTime` as Unix seconds (`u32`), `Date` as
//! days since 1970 (`u16`).

use clickhouse::Row;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// `consent_log.action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i8)]
pub enum ConsentAction {
    /// The visitor consented.
    Grant = 1,
    /// The visitor withdrew.
    Withdraw = 2,
}

/// One row of `consent_log`.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct ConsentLogRow {
    /// Site id.
    pub site: String,
    /// Consent id (32 hex).
    pub consent_id: String,
    /// The recorder's pseudonymous visitor id.
    pub visitor: String,
    /// [`ConsentAction`] as its `Enum8` value.
    pub action: i8,
    /// Purposes granted (for a withdrawal: those of the token).
    pub purposes: Vec<String>,
    /// CMP framework (`tcf`, `gcm`, `none`, …), empty when not given.
    pub cmp_framework: String,
    /// The CMP's proof (TC string, consent mode state), empty when absent.
    pub cmp_proof: String,
    /// 1 when a withdrawal asked for erasure.
    pub erase: u8,
    /// Signing key of the token.
    pub key_id: String,
    /// Expiry of the token, Unix seconds.
    pub expires_at: u32,
    /// When it happened, Unix seconds.
    pub at: u32,
    /// Milliseconds within `at`, to order events of one second.
    pub at_ms: u16,
}

/// One row of `recordings`: one accepted, masked batch.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct RecordingRow {
    /// Site id.
    pub site: String,
    /// Session id chosen by the recorder.
    pub session: String,
    /// Batch sequence number within the session.
    pub seq: u64,
    /// Visitor id from the consent token.
    pub visitor: String,
    /// Consent id the batch was accepted under.
    pub consent_id: String,
    /// Day of the first event, days since 1970.
    pub day: u16,
    /// When the server accepted the batch, Unix seconds.
    pub received_at: u32,
    /// Timestamp of the first event, Unix milliseconds.
    pub first_ts: u64,
    /// Timestamp of the last event, Unix milliseconds.
    pub last_ts: u64,
    /// Events in the payload.
    pub event_count: u32,
    /// The masked events as a zstd-compressed JSON array.
    #[serde(with = "serde_bytes")]
    pub payload: Vec<u8>,
}

/// One row of `session_index`: what one batch adds to its session's
/// entry in the sessions index.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct SessionIndexRow {
    /// Site id.
    pub site: String,
    /// Session id chosen by the recorder.
    pub session: String,
    /// Batch sequence number within the session.
    pub seq: u64,
    /// Visitor id from the consent token.
    pub visitor: String,
    /// Keyed BLAKE3 hash of the site's own user id (hex), empty when the
    /// batch carried none. Never the raw id.
    pub user_hash: String,
    /// Day of the first event, days since 1970 (as `recordings.day`).
    pub day: u16,
    /// When the server accepted the batch, Unix seconds.
    pub received_at: u32,
    /// Timestamp of the first event, Unix milliseconds.
    pub first_ts: u64,
    /// Timestamp of the last event, Unix milliseconds.
    pub last_ts: u64,
    /// Time with user activity in the batch, milliseconds.
    pub active_ms: u64,
    /// Page key of the batch's first page.
    pub entry_page: String,
    /// Page keys visited in the batch, in order.
    pub page_keys: Vec<String>,
    /// [`Device`] as its `Enum8` value.
    pub device: i8,
    /// Browser family (`chrome`, `firefox`, …) derived from the user agent,
    /// which itself is never stored.
    pub browser: String,
    /// Clicks.
    pub clicks: u32,
    /// Rage clicks.
    pub rage_clicks: u32,
    /// Dead clicks.
    pub dead_clicks: u32,
    /// Errors reported by the page.
    pub errors: u32,
    /// Events in the batch's recording.
    pub event_count: u32,
    /// The session's referrer class (`Source` of veil-aggregation) as its
    /// `Enum8` value; 0 (`unknown`) in records queued before segments.
    #[serde(default)]
    pub source: i8,
    /// The session's allow-listed UTM parameters, `name=value` pairs
    /// sorted and joined with `&` (empty when none).
    #[serde(default)]
    pub campaign: String,
}

/// One row of `audit_log`. Never names a visitor or session in clear: see
/// [`crate::audit::subject`].
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct AuditRow {
    /// When, Unix seconds.
    pub at: u32,
    /// Milliseconds within `at`.
    pub at_ms: u16,
    /// Name of the API key (or `visitor` for a withdrawal with erasure).
    pub actor: String,
    /// Role of the key.
    pub role: String,
    /// What was done (`recording.read`, `visitor.erase`, …).
    pub action: String,
    /// Site id.
    pub site: String,
    /// One-way reference of what it was done to.
    pub subject: String,
    /// JSON object with counts and receipt ids; never a personal datum.
    pub detail: String,
}

/// `session_reports.action` (`Enum8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i8)]
pub enum ReportAction {
    /// An analyst reported personal data in the session: hidden.
    Reported = 1,
    /// An admin found nothing to hide: visible again.
    Released = 2,
    /// An admin erased the session.
    Erased = 3,
}

/// One row of `session_reports`.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct SessionReportRow {
    /// Site id.
    pub site: String,
    /// Session id.
    pub session: String,
    /// Visitor of the session (so erasing the visitor removes the row).
    pub visitor: String,
    /// [`ReportAction`] as its `Enum8` value.
    pub action: i8,
    /// Name of the API key.
    pub actor: String,
    /// The reporter's note, masked like recorded text.
    pub reason: String,
    /// When, Unix seconds.
    pub at: u32,
    /// Milliseconds within `at`.
    pub at_ms: u16,
}

/// `device` of the heatmap tables (`Enum8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i8)]
pub enum Device {
    /// 1024 CSS px wide and more.
    Desktop = 1,
    /// 768 to 1023 px.
    Tablet = 2,
    /// Under 768 px.
    Mobile = 3,
}

impl Device {
    /// Every class, in `Enum8` order.
    pub const ALL: [Device; 3] = [Device::Desktop, Device::Tablet, Device::Mobile];

    /// The name ClickHouse and the API use.
    pub fn as_str(self) -> &'static str {
        match self {
            Device::Desktop => "desktop",
            Device::Tablet => "tablet",
            Device::Mobile => "mobile",
        }
    }

    /// The class of a name (`desktop`, `tablet`, `mobile`).
    pub fn from_name(name: &str) -> Option<Device> {
        Device::ALL.into_iter().find(|d| d.as_str() == name)
    }

    /// The class of an `Enum8` value read back.
    pub fn from_code(code: i8) -> Option<Device> {
        Device::ALL.into_iter().find(|d| *d as i8 == code)
    }
}

/// `layer` of `heatmap_clicks` (`Enum8`): document coordinates, or
/// viewport coordinates for clicks inside fixed/sticky elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i8)]
pub enum Layer {
    /// Document-relative cell.
    Document = 1,
    /// Viewport-relative cell of a fixed or sticky element.
    Fixed = 2,
}

/// One row for `heatmap_clicks_input`: clicks of one visitor in one cell.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct HeatmapClickRow {
    /// Site id.
    pub site: String,
    /// Normalised page key.
    pub page_key: String,
    /// [`Device`] as its `Enum8` value.
    pub device: i8,
    /// [`Layer`] as its `Enum8` value.
    pub layer: i8,
    /// Day, days since 1970.
    pub day: u16,
    /// Grid column.
    pub col: u16,
    /// Grid row.
    pub row: u32,
    /// Clicks in the cell.
    pub clicks: u64,
    /// Of which rage clicks.
    pub rage: u64,
    /// Of which dead clicks.
    pub dead: u64,
    /// Visitor id, folded into a `uniq` state (never stored as such).
    pub visitor: String,
    /// The session's referrer class (`Source` of veil-aggregation) as its
    /// `Enum8` value; 0 (`unknown`) in records queued before segments.
    #[serde(default)]
    pub source: i8,
    /// The session's allow-listed UTM parameters, `name=value` pairs
    /// sorted and joined with `&` (empty when none).
    #[serde(default)]
    pub campaign: String,
}

/// One row for `heatmap_elements_input`: clicks of one visitor on one
/// element, by its masked selector.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct HeatmapElementRow {
    /// Site id.
    pub site: String,
    /// Normalised page key.
    pub page_key: String,
    /// [`Device`] as its `Enum8` value.
    pub device: i8,
    /// Day, days since 1970.
    pub day: u16,
    /// Masked CSS selector of the clicked element.
    pub selector: String,
    /// Clicks.
    pub clicks: u64,
    /// Of which rage clicks.
    pub rage: u64,
    /// Of which dead clicks.
    pub dead: u64,
    /// Visitor id, folded into a `uniq` state.
    pub visitor: String,
    /// The session's referrer class (`Source` of veil-aggregation) as its
    /// `Enum8` value; 0 (`unknown`) in records queued before segments.
    #[serde(default)]
    pub source: i8,
    /// The session's allow-listed UTM parameters, `name=value` pairs
    /// sorted and joined with `&` (empty when none).
    #[serde(default)]
    pub campaign: String,
}

/// One row for `heatmap_scroll_input`: a page view reached `bucket`.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct HeatmapScrollRow {
    /// Site id.
    pub site: String,
    /// Normalised page key.
    pub page_key: String,
    /// [`Device`] as its `Enum8` value.
    pub device: i8,
    /// Day, days since 1970.
    pub day: u16,
    /// Depth bucket, 5 % steps (0 = top of page, 20 = bottom).
    pub bucket: u8,
    /// Page view id, folded into a `uniq` state.
    pub page_view: String,
    /// The session's referrer class (`Source` of veil-aggregation) as its
    /// `Enum8` value; 0 (`unknown`) in records queued before segments.
    #[serde(default)]
    pub source: i8,
    /// The session's allow-listed UTM parameters, `name=value` pairs
    /// sorted and joined with `&` (empty when none).
    #[serde(default)]
    pub campaign: String,
}

/// One row for `page_stats_input`.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct PageStatsRow {
    /// Site id.
    pub site: String,
    /// Normalised page key.
    pub page_key: String,
    /// [`Device`] as its `Enum8` value.
    pub device: i8,
    /// Day, days since 1970.
    pub day: u16,
    /// Page view id, folded into a `uniq` state.
    pub page_view: String,
    /// Visitor id, folded into a `uniq` state.
    pub visitor: String,
    /// Clicks seen in this batch on the page.
    pub clicks: u64,
    /// The session's referrer class (`Source` of veil-aggregation) as its
    /// `Enum8` value; 0 (`unknown`) in records queued before segments.
    #[serde(default)]
    pub source: i8,
    /// The session's allow-listed UTM parameters, `name=value` pairs
    /// sorted and joined with `&` (empty when none).
    #[serde(default)]
    pub campaign: String,
}

/// One row for `form_events_input`: one `veil.form` event of a page view.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct FormEventRow {
    /// Site id.
    pub site: String,
    /// Normalised page key.
    pub page_key: String,
    /// [`Device`] as its `Enum8` value.
    pub device: i8,
    /// Day, days since 1970.
    pub day: u16,
    /// The form's masked selector (empty: fields outside any form).
    pub form: String,
    /// The field's masked selector (empty: the form's submit).
    pub field: String,
    /// The field's place in its form.
    pub position: u16,
    /// [`FormEventKind`] as its value.
    pub kind: u8,
    /// Time in the field, ms (a field left; else 0).
    pub ms: u32,
    /// 1: corrected or refilled while in the field.
    pub refill: u8,
    /// 1: showed an error when left.
    pub error: u8,
    /// Page view id, folded into `uniq` states.
    pub page_view: String,
    /// Visitor id, folded into a `uniq` state.
    pub visitor: String,
    /// The session's referrer class (`Source` of veil-aggregation) as its
    /// `Enum8` value; 0 (`unknown`) in records queued before segments.
    #[serde(default)]
    pub source: i8,
    /// The session's allow-listed UTM parameters, `name=value` pairs
    /// sorted and joined with `&` (empty when none).
    #[serde(default)]
    pub campaign: String,
}

/// `form_events_input.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum FormEventKind {
    /// A field left.
    Field = 1,
    /// A submit.
    Submit = 2,
    /// An abandonment; the row's field was the last touched.
    Abandon = 3,
}

/// One row for `page_signals`: a frustration signal of one batch's page.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct PageSignalRow {
    /// Site id.
    pub site: String,
    /// The page that showed it.
    pub page_key: String,
    /// [`Device`] as its `Enum8` value.
    pub device: i8,
    /// Day, days since 1970.
    pub day: u16,
    /// `rage_clicks` 1, `dead_clicks` 2, `quick_back` 3,
    /// `excessive_scrolling` 4.
    pub signal: i8,
    /// Session id.
    pub session: String,
    /// The batch's `seq` (a re-sent batch replaces its rows).
    pub seq: u64,
    /// Visitor id (erasure).
    pub visitor: String,
    /// When, ms since the epoch.
    pub at: u64,
    /// Clicks for rage and dead clicks, else 1.
    pub count: u32,
}

/// A row waiting in the durable queue, tagged with its table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueuedRow {
    /// For `consent_log`.
    ConsentLog(ConsentLogRow),
    /// For `recordings`.
    Recording(RecordingRow),
    /// For `session_index`.
    SessionIndex(SessionIndexRow),
    /// For `heatmap_clicks_input`.
    HeatmapClick(HeatmapClickRow),
    /// For `heatmap_elements_input`.
    HeatmapElement(HeatmapElementRow),
    /// For `heatmap_scroll_input`.
    HeatmapScroll(HeatmapScrollRow),
    /// For `page_stats_input`.
    PageStats(PageStatsRow),
    /// For `form_events_input`.
    FormEvent(FormEventRow),
    /// For `page_signals`.
    PageSignal(PageSignalRow),
}

/// A queue record that does not decode: a bug or disk corruption, never
/// client input (the queue only holds what the server encoded).
#[derive(Debug, Error)]
#[error("queued record does not decode: {0}")]
pub struct QueuedRowError(String);

impl ConsentLogRow {
    /// `action` as its name (`grant`, `withdraw`).
    pub fn action_name(&self) -> &'static str {
        if self.action == ConsentAction::Withdraw as i8 { "withdraw" } else { "grant" }
    }
}

impl QueuedRow {
    /// One queue record holding the rows of one request: MessagePack with
    /// field names, so a record written by one version is read by the next
    /// even when fields are added with defaults. All rows of a request are
    /// accepted or refused together.
    pub fn encode_record(rows: &[QueuedRow]) -> Vec<u8> {
        // Serialising these plain structs into a Vec cannot fail.
        rmp_serde::to_vec_named(rows).unwrap_or_default()
    }

    /// The inverse of [`QueuedRow::encode_record`].
    pub fn decode_record(bytes: &[u8]) -> Result<Vec<QueuedRow>, QueuedRowError> {
        let mut deserializer = rmp_serde::Deserializer::new(bytes);
        Vec::<QueuedRow>::deserialize(&mut deserializer).map_err(|e| QueuedRowError(e.to_string()))
    }

    /// The table this row goes to.
    pub fn table(&self) -> &'static str {
        match self {
            QueuedRow::ConsentLog(_) => "consent_log",
            QueuedRow::Recording(_) => "recordings",
            QueuedRow::SessionIndex(_) => "session_index",
            QueuedRow::HeatmapClick(_) => "heatmap_clicks_input",
            QueuedRow::HeatmapElement(_) => "heatmap_elements_input",
            QueuedRow::HeatmapScroll(_) => "heatmap_scroll_input",
            QueuedRow::PageStats(_) => "page_stats_input",
            QueuedRow::FormEvent(_) => "form_events_input",
            QueuedRow::PageSignal(_) => "page_signals",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_rows_roundtrip() {
        let rows = [
            QueuedRow::ConsentLog(ConsentLogRow {
                site: "demo".into(),
                consent_id: "0".repeat(32),
                visitor: "1".repeat(32),
                action: ConsentAction::Grant as i8,
                purposes: vec!["recording".into()],
                cmp_framework: "tcf".into(),
                cmp_proof: "CP…".into(),
                erase: 0,
                key_id: "k1".into(),
                expires_at: 2_000_000_000,
                at: 1_800_000_000,
                at_ms: 999,
            }),
            QueuedRow::Recording(RecordingRow {
                site: "demo".into(),
                session: "s".repeat(16),
                seq: 7,
                visitor: "1".repeat(32),
                consent_id: "0".repeat(32),
                day: 20_000,
                received_at: 1_800_000_000,
                first_ts: 1_800_000_000_000,
                last_ts: 1_800_000_001_000,
                event_count: 3,
                payload: vec![0, 1, 2, 255],
            }),
        ];
        let record = QueuedRow::encode_record(&rows);
        assert_eq!(QueuedRow::decode_record(&record).expect("decodes"), rows.to_vec());
        assert!(QueuedRow::decode_record(b"\xc1garbage").is_err());
    }

    /// A record queued by a build before segments still ships, as `unknown`.
    #[test]
    fn rows_queued_before_segments_decode_as_unknown() {
        #[derive(Serialize)]
        enum Old {
            PageStats {
                site: String,
                page_key: String,
                device: i8,
                day: u16,
                page_view: String,
                visitor: String,
                clicks: u64,
            },
        }
        let old = rmp_serde::to_vec_named(&[Old::PageStats {
            site: "demo".into(),
            page_key: "/".into(),
            device: 1,
            day: 20_000,
            page_view: "p/0".into(),
            visitor: "1".repeat(32),
            clicks: 2,
        }])
        .expect("encodes");
        match QueuedRow::decode_record(&old).expect("decodes").as_slice() {
            [QueuedRow::PageStats(row)] => {
                assert_eq!((row.clicks, row.source, row.campaign.as_str()), (2, 0, ""));
            }
            other => panic!("{other:?}"),
        }
    }
}
