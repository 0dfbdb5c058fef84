//! Reading what `recordings` holds. Replay queries join this file when the
//! sessions API lands; for now, the counts ops and tests need.

use clickhouse::Row;
use serde::Deserialize;

use crate::{Store, StoreError};

/// Rows, distinct batches and events stored for a site. Rows exceed
/// distinct batches only while duplicates wait for a merge.
pub(crate) const COUNT_BATCHES: &str = "SELECT count() AS rows, uniqExact(session, seq) AS batches, \
     sum(event_count) AS events FROM recordings WHERE site = ?";

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

impl Store {
    /// How much of a site's recordings is stored.
    pub async fn recording_counts(&self, site: &str) -> Result<RecordingCounts, StoreError> {
        let query = self.db.query(COUNT_BATCHES).bind(site);
        self.bounded("counting recordings", async move {
            query.fetch_one::<RecordingCounts>().await.map_err(StoreError::clickhouse("counting recordings"))
        })
        .await
    }
}
