//! Deleting a visitor's data (SPEC §7, GDPR art. 17) and reading it for
//! an export (art. 15). Every table that holds a visitor id is listed in
//! [`VISITOR_TABLES`]; a test scans every table after an erasure, so a new
//! table holding visitor data must be added here.
//!
//! Deletes are ClickHouse mutations (`ALTER TABLE … DELETE`), which run in
//! the background on every supported version; [`Store::wait_for_mutations`]
//! waits until they are done so the answer can say the data is gone.
//! Heatmap aggregates hold no visitor id (distinct visitors are `uniq`
//! states of hashes), so they are anonymous and left as they are.

use std::time::{Duration, Instant};

use clickhouse::Row;
use serde::Deserialize;

use crate::{Store, StoreError};

/// Tables with a `site` and a `visitor` column.
pub const VISITOR_TABLES: &[&str] =
    &["recordings", "recording_archives", "session_index", "consent_log", "session_reports", "page_signals"];

/// Tables with a `site` and a `session` column, for erasing one session.
pub const SESSION_TABLES: &[&str] = &["recordings", "recording_archives", "session_index", "page_signals"];

/// The consents a visitor granted; `?`: site, visitor.
pub(crate) const SELECT_VISITOR_CONSENTS: &str = "SELECT consent_id, max(expires_at) AS latest_expiry \
     FROM consent_log WHERE site = ? AND visitor = ? GROUP BY consent_id ORDER BY consent_id";

/// The consent log of a visitor, for an export; `?`: site, visitor.
pub(crate) const SELECT_VISITOR_CONSENT_LOG: &str = "SELECT site, consent_id, visitor, action, purposes, \
     cmp_framework, cmp_proof, erase, key_id, expires_at, at, at_ms FROM consent_log \
     WHERE site = ? AND visitor = ? ORDER BY at, at_ms";

/// A visitor's sessions; `?`: site, visitor.
pub(crate) const SELECT_VISITOR_SESSIONS: &str = "SELECT DISTINCT session FROM session_index \
     WHERE site = ? AND visitor = ? ORDER BY session";

/// Withdrawals that asked for erasure and still name their visitor: an
/// erasure replaces them by markers without a visitor, so any left are
/// erasures not yet done (a crash, a request that arrived at a busy node).
pub(crate) const SELECT_PENDING_ERASURES: &str = "SELECT DISTINCT site, visitor FROM consent_log \
     WHERE action = 'withdraw' AND erase = 1 AND visitor != '' ORDER BY site, visitor LIMIT 1000";

/// Unfinished mutations of a table; `{mutations}`: `system.mutations` or
/// every replica's; `?`: database, table.
pub(crate) const COUNT_PENDING_MUTATIONS: &str =
    "SELECT count() FROM {mutations} WHERE database = ? AND table = ? AND is_done = 0";

/// One of the visitor's consents.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct VisitorConsent {
    /// Consent id.
    pub consent_id: String,
    /// Expiry of its token, Unix seconds.
    pub expires_at: u32,
}

/// An erasure asked for by a withdrawal and not yet done.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct PendingErasure {
    /// Site id.
    pub site: String,
    /// Visitor id.
    pub visitor: String,
}

/// Rows removed per table.
pub type DeletedRows = Vec<(&'static str, u64)>;

impl Store {
    /// The consents a visitor granted, with their expiry.
    pub async fn visitor_consents(
        &self,
        site: &str,
        visitor: &str,
    ) -> Result<Vec<VisitorConsent>, StoreError> {
        let query = self.db.query(SELECT_VISITOR_CONSENTS).bind(site).bind(visitor);
        self.bounded("reading a visitor's consents", async move {
            query.fetch_all().await.map_err(StoreError::clickhouse("reading a visitor's consents"))
        })
        .await
    }

    /// Erasures asked for by withdrawals and not yet done.
    pub async fn pending_erasures(&self) -> Result<Vec<PendingErasure>, StoreError> {
        let query = self.db.query(SELECT_PENDING_ERASURES);
        self.bounded("reading pending erasures", async move {
            query.fetch_all().await.map_err(StoreError::clickhouse("reading pending erasures"))
        })
        .await
    }

    /// Appends consent-log rows directly (not through the queue): the
    /// withdrawal markers an erasure leaves so revoked tokens stay refused.
    pub async fn append_consent_rows(&self, rows: &[crate::rows::ConsentLogRow]) -> Result<(), StoreError> {
        let refs: Vec<&crate::rows::ConsentLogRow> = rows.iter().collect();
        self.insert_now("consent_log", &refs).await
    }

    /// The consent log of a visitor, oldest first.
    pub async fn visitor_consent_log(
        &self,
        site: &str,
        visitor: &str,
    ) -> Result<Vec<crate::rows::ConsentLogRow>, StoreError> {
        let query = self.db.query(SELECT_VISITOR_CONSENT_LOG).bind(site).bind(visitor);
        self.bounded("reading a visitor's consent log", async move {
            query.fetch_all().await.map_err(StoreError::clickhouse("reading a visitor's consent log"))
        })
        .await
    }

    /// The sessions recorded of a visitor.
    pub async fn visitor_sessions(&self, site: &str, visitor: &str) -> Result<Vec<String>, StoreError> {
        let query = self.db.query(SELECT_VISITOR_SESSIONS).bind(site).bind(visitor);
        self.bounded("reading a visitor's sessions", async move {
            query.fetch_all().await.map_err(StoreError::clickhouse("reading a visitor's sessions"))
        })
        .await
    }

    /// Deletes every row of `site` whose `column` equals `value` from each
    /// of `tables`, waits until ClickHouse has applied the deletes, and
    /// returns how many rows each table held. `column` is one of our own
    /// column names, never input. When `recording_archives` is among the
    /// tables, the chunks its deleted archives referenced and no other
    /// archive does are deleted too (counted as `recording_chunks`).
    pub async fn delete_where(
        &self,
        tables: &[&'static str],
        column: &'static str,
        site: &str,
        value: &str,
        wait: Duration,
    ) -> Result<DeletedRows, StoreError> {
        let archives = tables.contains(&"recording_archives");
        let chunks = if archives { self.chunks_of(site, column, value).await? } else { Vec::new() };
        let mut deleted = self.delete_matching(tables, &format!("`{column}` = ?"), site, value, wait).await?;
        if archives {
            // Every candidate, however recent: the erased content must go.
            let before = u32::try_from(crate::clock_now_secs() + 1).unwrap_or(u32::MAX);
            let collected = self.collect_chunks(site, Some(&chunks), before, wait).await?;
            deleted.push(("recording_chunks", collected));
        }
        Ok(deleted)
    }

    /// Deletes every row of `site` matching `condition` (our own SQL with one
    /// `?`, bound to `value`) from each of `tables`, only where there is
    /// something to delete (a mutation rewrites parts), waits until the
    /// deletes are applied, and returns how many rows each table held.
    pub(crate) async fn delete_matching(
        &self,
        tables: &[&'static str],
        condition: &str,
        site: &str,
        value: &str,
        wait: Duration,
    ) -> Result<DeletedRows, StoreError> {
        let mut deleted = Vec::new();
        for table in tables {
            let count_sql = format!("SELECT count() FROM `{table}` WHERE site = ? AND {condition}");
            let query = self.db.query(&count_sql).bind(site).bind(value);
            let context = format!("counting rows of {table}");
            let rows: u64 = self
                .bounded(&context, async {
                    query.fetch_one().await.map_err(StoreError::clickhouse(&context))
                })
                .await?;
            if rows > 0 {
                let delete_sql =
                    format!("ALTER TABLE {} DELETE WHERE site = ? AND {condition}", self.alter_table(table));
                let query = self.db.query(&delete_sql).bind(site).bind(value);
                let context = format!("deleting rows of {table}");
                self.bounded(&context, async {
                    query.execute().await.map_err(StoreError::clickhouse(&context))
                })
                .await?;
            }
            deleted.push((*table, rows));
        }
        for (table, rows) in &deleted {
            if *rows > 0 {
                self.wait_for_mutations(table, wait).await?;
            }
        }
        Ok(deleted)
    }

    /// Waits until a table has no unfinished mutation, at most `wait`.
    pub async fn wait_for_mutations(&self, table: &str, wait: Duration) -> Result<(), StoreError> {
        let started = Instant::now();
        let sql = COUNT_PENDING_MUTATIONS.replace("{mutations}", &self.system_table("mutations").await?)
            + self.system_table_settings();
        loop {
            let query = self.db.query(&sql).bind(self.database.as_str()).bind(self.stored_table(table));
            let pending: u64 = self
                .bounded("waiting for deletes", async move {
                    query.fetch_one().await.map_err(StoreError::clickhouse("waiting for deletes"))
                })
                .await?;
            if pending == 0 {
                return Ok(());
            }
            if started.elapsed() >= wait {
                return Err(StoreError::Timeout {
                    context: format!("waiting for deletes in {table}"),
                    timeout_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
