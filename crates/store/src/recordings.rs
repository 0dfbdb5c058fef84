//! Reading what `recordings` holds: a session's payloads for replay, in
//! the order they were recorded, one per `(session, seq)` (a re-sent batch
//! is read once even before ReplacingMergeTree merges it), and the counts
//! ops and tests need.

use clickhouse::Row;
use clickhouse::query::RowCursor;
use serde::Deserialize;

use crate::{Store, StoreError};

/// Rows, distinct batches and events stored for a site. Rows exceed
/// distinct batches only while duplicates wait for a merge.
pub(crate) const COUNT_BATCHES: &str = "SELECT count() AS rows, uniqExact(session, seq) AS batches, \
     sum(event_count) AS events FROM recordings WHERE site = ?";

/// A session's batches by first event; `?`: site, session, horizon (first
/// day kept).
pub(crate) const SELECT_SESSION_PAYLOADS: &str = "SELECT seq, first_ts, payload FROM recordings \
     WHERE site = ? AND session = ? AND day >= toDate(?) ORDER BY first_ts, seq LIMIT 1 BY seq";

/// Counts of stored recordings of a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Row, Deserialize)]
pub struct RecordingCounts {
    /// Stored rows, duplicates included.
    pub rows: u64,
    /// Distinct (session, seq) batches.
    pub batches: u64,
    /// Events over all rows.
    pub events: u64,
}

/// One stored batch of a session.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct PayloadRow {
    /// Batch sequence number.
    pub seq: u64,
    /// Timestamp of its first event, Unix ms.
    pub first_ts: u64,
    /// Its masked events, a zstd-compressed JSON array.
    #[serde(with = "serde_bytes")]
    pub payload: Vec<u8>,
}

impl Store {
    /// How much of a site's recordings is stored.
    pub async fn recording_counts(&self, site: &str) -> Result<RecordingCounts, StoreError> {
        let query = self.db.query(COUNT_BATCHES).bind(site);
        self.bounded("counting recordings", async move {
            query.fetch_one::<RecordingCounts>().await.map_err(StoreError::clickhouse("counting recordings"))
        })
        .await
    }

    /// A cursor over a session's batches in recording order, streamed: a
    /// long session is never held whole.
    pub fn session_payloads(
        &self,
        site: &str,
        session: &str,
        horizon: &str,
    ) -> Result<SessionCursor, StoreError> {
        let cursor = self
            .db
            .query(SELECT_SESSION_PAYLOADS)
            .bind(site)
            .bind(session)
            .bind(horizon)
            .fetch::<PayloadRow>()
            .map_err(StoreError::clickhouse("reading a recording"))?;
        Ok(SessionCursor { cursor, timeout: self.timeout })
    }
}

/// A session's stored batches, one at a time.
pub struct SessionCursor {
    cursor: RowCursor<PayloadRow>,
    timeout: std::time::Duration,
}

impl SessionCursor {
    /// The next batch; each wait is bounded by the request timeout.
    pub async fn next(&mut self) -> Result<Option<PayloadRow>, StoreError> {
        match tokio::time::timeout(self.timeout, self.cursor.next()).await {
            Ok(result) => result.map_err(StoreError::clickhouse("reading a recording")),
            Err(_) => Err(StoreError::Timeout {
                context: "reading a recording".into(),
                timeout_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            }),
        }
    }
}
