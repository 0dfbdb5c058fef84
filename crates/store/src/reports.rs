//! Sessions reported as showing personal data (the analysts' "report
//! PII"), and the admins' review queue. Written directly, not through the
//! queue: a report must hide the session at once, on every node.

use clickhouse::Row;
use serde::Deserialize;

use crate::rows::SessionReportRow;
use crate::{Store, StoreError};

/// Sessions whose newest report row is `reported`, oldest report first;
/// `?`: site.
pub(crate) const SELECT_PENDING_REPORTS: &str = "SELECT session, \
     argMax(actor, toUInt64(at) * 1000 + at_ms) AS reporter, \
     argMax(reason, toUInt64(at) * 1000 + at_ms) AS note, \
     max(at) AS reported_at, \
     argMax(toInt8(action), toUInt64(at) * 1000 + at_ms) AS latest \
     FROM session_reports WHERE site = ? GROUP BY session HAVING latest = 1 ORDER BY reported_at, session";

/// A session waiting for an admin's review.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct PendingReport {
    /// Session id.
    pub session: String,
    /// API key name of the reporter.
    pub reporter: String,
    /// The reporter's (masked) note.
    pub reason: String,
    /// When it was reported, Unix seconds.
    pub reported_at: u32,
    /// Always 1 (`reported`).
    pub latest: i8,
}

impl Store {
    /// Records a report or a review decision.
    pub async fn append_session_report(&self, row: &SessionReportRow) -> Result<(), StoreError> {
        self.insert_now::<SessionReportRow>("session_reports", &[row]).await
    }

    /// The review queue of a site.
    pub async fn pending_reports(&self, site: &str) -> Result<Vec<PendingReport>, StoreError> {
        let query = self.db.query(SELECT_PENDING_REPORTS).bind(site);
        self.bounded("reading reported sessions", async move {
            query
                .fetch_all::<PendingReport>()
                .await
                .map_err(StoreError::clickhouse("reading reported sessions"))
        })
        .await
    }
}
