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
