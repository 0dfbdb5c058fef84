//! Reading what `recordings` holds: a session's payloads for replay, in
//! the order they were recorded, one per `(session, seq)` (a re-sent batch
//! is read once even before ReplacingMergeTree merges it), and the counts
//! ops and tests need.

use std::collections::HashSet;

use clickhouse::Row;
use clickhouse::query::RowCursor;
use serde::Deserialize;

use crate::archives::{BatchBody, SessionBatch};
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

    /// A cursor over a session's batches in recording order: those of its
    /// archives merged with those still in `recordings`, each seq once (an
    /// archive wins). Per-batch rows are streamed, never held whole; an
    /// archive (one day of the session, bounded when written) is read
    /// whole.
    pub async fn session_payloads(
        &self,
        site: &str,
        session: &str,
        horizon: &str,
    ) -> Result<SessionCursor, StoreError> {
        let archived = self.archived_batches(site, session, horizon).await?;
        let cursor = self
            .db
            .query(SELECT_SESSION_PAYLOADS)
            .bind(site)
            .bind(session)
            .bind(horizon)
            .fetch::<PayloadRow>()
            .map_err(StoreError::clickhouse("reading a recording"))?;
        let archived_seqs = archived.iter().map(|b| b.seq).collect();
        Ok(SessionCursor {
            cursor,
            timeout: self.timeout,
            archived: archived.into_iter().peekable(),
            archived_seqs,
            next_row: None,
            rows_done: false,
        })
    }

    /// One stored batch, from `recordings` or, once compacted, its archive.
    pub async fn batch_payload(
        &self,
        site: &str,
        session: &str,
        seq: u64,
    ) -> Result<Option<SessionBatch>, StoreError> {
        if let Some(batch) = self.archived_batch(site, session, seq).await? {
            return Ok(Some(batch));
        }
        let query = self.db.query(crate::sessions::SELECT_BATCH_PAYLOAD).bind(site).bind(session).bind(seq);
        let row: Option<PayloadRow> = self
            .bounded("reading a batch", async move {
                query.fetch_optional().await.map_err(StoreError::clickhouse("reading a batch"))
            })
            .await?;
        Ok(row.map(PayloadRow::into_batch))
    }
}

impl PayloadRow {
    fn into_batch(self) -> SessionBatch {
        SessionBatch { seq: self.seq, first_ts: self.first_ts, body: BatchBody::Zstd(self.payload) }
    }
}

/// A session's stored batches, one at a time, by (first event, seq).
pub struct SessionCursor {
    cursor: RowCursor<PayloadRow>,
    timeout: std::time::Duration,
    archived: std::iter::Peekable<std::vec::IntoIter<SessionBatch>>,
    archived_seqs: HashSet<u64>,
    next_row: Option<PayloadRow>,
    rows_done: bool,
}

impl SessionCursor {
    /// The next batch; each wait is bounded by the request timeout.
    pub async fn next(&mut self) -> Result<Option<SessionBatch>, StoreError> {
        if self.next_row.is_none() && !self.rows_done {
            self.next_row = self.next_row().await?;
            self.rows_done = self.next_row.is_none();
        }
        let take_archived = match (self.archived.peek(), &self.next_row) {
            (Some(archived), Some(row)) => (archived.first_ts, archived.seq) <= (row.first_ts, row.seq),
            (Some(_), None) => true,
            (None, _) => false,
        };
        if take_archived {
            return Ok(self.archived.next());
        }
        Ok(self.next_row.take().map(PayloadRow::into_batch))
    }

    /// The next per-batch row not held by an archive.
    async fn next_row(&mut self) -> Result<Option<PayloadRow>, StoreError> {
        loop {
            let row = match tokio::time::timeout(self.timeout, self.cursor.next()).await {
                Ok(result) => result.map_err(StoreError::clickhouse("reading a recording"))?,
                Err(_) => {
                    return Err(StoreError::Timeout {
                        context: "reading a recording".into(),
                        timeout_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
                    });
                }
            };
            match row {
                Some(row) if self.archived_seqs.contains(&row.seq) => continue,
                other => return Ok(other),
            }
        }
    }
}

/// Why a stored batch's payload could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    /// It is not a zstd stream (or a damaged one).
    #[error("payload does not decompress: {0}")]
    Decompress(#[from] std::io::Error),
    /// It expands beyond what the reader allows.
    #[error("payload expands beyond {limit} bytes")]
    TooLarge {
        /// The limit, bytes.
        limit: usize,
    },
}

impl From<PayloadError> for veil_archive::ArchiveError {
    fn from(error: PayloadError) -> Self {
        match error {
            PayloadError::Decompress(error) => veil_archive::ArchiveError::Compression(error),
            PayloadError::TooLarge { limit } => veil_archive::ArchiveError::TooLarge { limit },
        }
    }
}

/// The JSON array of events of a stored batch (its zstd payload), read
/// only up to `limit` bytes: a stored row is trusted no more than a
/// request, so a damaged or hostile one cannot exhaust memory.
pub fn inflate_payload(payload: &[u8], limit: usize) -> Result<Vec<u8>, PayloadError> {
    use std::io::Read;
    let mut json = Vec::with_capacity(payload.len().saturating_mul(8).min(limit));
    zstd::stream::read::Decoder::new(payload)?.take(limit as u64 + 1).read_to_end(&mut json)?;
    if json.len() > limit {
        return Err(PayloadError::TooLarge { limit });
    }
    Ok(json)
}
