//! Reading the consent log: the withdrawals every node must enforce.
//!
//! Nodes share nothing but ClickHouse, so each node polls for withdrawals
//! recorded since its last look (SPEC §3: enforced everywhere within 10 s).

use clickhouse::Row;
use serde::Deserialize;

use crate::{Store, StoreError};

/// Withdrawals recorded at or after a time (Unix seconds) whose token can
/// still verify (expiry at or after the second parameter). The alias must
/// not be `expires_at`: current ClickHouse would then see the aggregate in
/// WHERE. Columns are read by position, so the name is free.
pub(crate) const SELECT_WITHDRAWALS: &str = "SELECT consent_id, max(expires_at) AS latest_expiry \
     FROM consent_log \
     WHERE action = 'withdraw' AND at >= toDateTime(?) AND expires_at >= toDateTime(?) \
     GROUP BY consent_id";

/// One revoked consent.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct Withdrawal {
    /// The revoked consent id.
    pub consent_id: String,
    /// When its token expires anyway, Unix seconds; the revocation can be
    /// forgotten after that.
    pub expires_at: u32,
}

impl Store {
    /// Withdrawals recorded since `since` (Unix seconds) for tokens that
    /// have not expired at `now`.
    pub async fn withdrawals_since(&self, since: u32, now: u32) -> Result<Vec<Withdrawal>, StoreError> {
        let query = self.db.query(SELECT_WITHDRAWALS).bind(since).bind(now);
        self.bounded("reading withdrawals", async move {
            query.fetch_all::<Withdrawal>().await.map_err(StoreError::clickhouse("reading withdrawals"))
        })
        .await
    }
}

/// A site's consent log in a day range, oldest first; `?`: site, from, to
/// (inclusive days), limit, offset.
pub(crate) const SELECT_SITE_CONSENTS: &str = "SELECT site, consent_id, visitor, action, purposes, \
     cmp_framework, cmp_proof, erase, key_id, expires_at, at, at_ms FROM consent_log \
     WHERE site = ? AND at >= toDateTime(toDate(?)) AND at < toDateTime(toDate(?) + 1) \
     ORDER BY at, at_ms, consent_id LIMIT ? OFFSET ?";

impl Store {
    /// A page of a site's consent log.
    pub async fn consent_log(
        &self,
        site: &str,
        from: &str,
        to: &str,
        limit: u64,
        offset: u64,
    ) -> Result<Vec<crate::rows::ConsentLogRow>, StoreError> {
        let query =
            self.db.query(SELECT_SITE_CONSENTS).bind(site).bind(from).bind(to).bind(limit).bind(offset);
        self.bounded("reading the consent log", async move {
            query.fetch_all().await.map_err(StoreError::clickhouse("reading the consent log"))
        })
        .await
    }
}
