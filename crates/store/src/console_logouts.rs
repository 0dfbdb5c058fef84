//! Console logouts every node enforces: the node that answers a logout
//! writes the cookie's session id here, the others poll for it (as they
//! poll the consent log for withdrawals).

use clickhouse::Row;
use serde::Deserialize;

use crate::{Store, StoreError};

/// `?`: session id, expiry and time of the logout (Unix seconds).
pub(crate) const INSERT_LOGOUT: &str = "INSERT INTO console_logouts (session_id, expires_at, at) \
     VALUES (?, toDateTime(?), toDateTime(?))";

/// Logouts recorded at or after a time whose cookie has not expired at the
/// second. The alias is not `expires_at` (see `SELECT_WITHDRAWALS`).
pub(crate) const SELECT_LOGOUTS: &str = "SELECT session_id, max(expires_at) AS latest_expiry \
     FROM console_logouts WHERE at >= toDateTime(?) AND expires_at >= toDateTime(?) \
     GROUP BY session_id";

/// One ended console session.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct ConsoleLogout {
    /// The cookie's session id.
    pub session_id: String,
    /// When the cookie expires anyway, Unix seconds.
    pub expires_at: u32,
}

impl Store {
    /// Records a logout.
    pub async fn record_console_logout(
        &self,
        session_id: &str,
        expires_at: u32,
        at: u32,
    ) -> Result<(), StoreError> {
        let query = self.db.query(INSERT_LOGOUT).bind(session_id).bind(expires_at).bind(at);
        self.bounded("recording a console logout", async move {
            query.execute().await.map_err(StoreError::clickhouse("recording a console logout"))
        })
        .await
    }

    /// Logouts since `since` of cookies still valid at `now`.
    pub async fn console_logouts_since(
        &self,
        since: u32,
        now: u32,
    ) -> Result<Vec<ConsoleLogout>, StoreError> {
        let query = self.db.query(SELECT_LOGOUTS).bind(since).bind(now);
        self.bounded("reading console logouts", async move {
            query
                .fetch_all::<ConsoleLogout>()
                .await
                .map_err(StoreError::clickhouse("reading console logouts"))
        })
        .await
    }
}
