//! Insights queries (docs/insights.md): frustration signals of a site's
//! pages from `page_signals`, ranked by the sessions that showed them,
//! each with the newest of those sessions to watch. A re-sent batch is
//! counted once (`LIMIT 1 BY` its session, seq, page and signal: the
//! table replaces it only at a merge). Signals seen by fewer than `k_min`
//! distinct visitors are left out.

use clickhouse::Row;
use serde::Deserialize;

use crate::{Store, StoreError};

/// `page_signals` in a window, one row per batch, page and signal; `?`:
/// site, page key twice (empty: every page), device twice, from, to.
macro_rules! signals_in_window {
    () => {
        "(SELECT * FROM page_signals WHERE site = ? AND (? = '' OR page_key = ?) \
         AND (? = '' OR toString(device) = ?) AND day >= toDate(?) AND day <= toDate(?) \
         LIMIT 1 BY session, seq, page_key, signal)"
    };
}

/// Signals per page, most sessions first; `?`: the window, k_min, limit.
pub(crate) const SELECT_SIGNALS: &str = concat!(
    "SELECT page_key, toString(signal) AS name, sum(count) AS occurrences, uniqExact(session) AS session_count, ",
    "uniqExact(visitor) AS visitor_count FROM ",
    signals_in_window!(),
    " GROUP BY page_key, signal HAVING visitor_count >= ? ORDER BY session_count DESC, occurrences DESC, ",
    "page_key, name LIMIT ?"
);

/// The newest sessions of each page and signal; `?`: the window, how
/// many per page and signal.
pub(crate) const SELECT_SIGNAL_SESSIONS: &str = concat!(
    "SELECT page_key, toString(signal) AS name, session, max(at) AS last_at FROM ",
    signals_in_window!(),
    " GROUP BY page_key, signal, session ORDER BY last_at DESC, session LIMIT ? BY page_key, signal"
);

/// What insights are about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalFilter {
    /// Site id.
    pub site: String,
    /// One page key, or empty for every page.
    pub page_key: String,
    /// `desktop`, `tablet`, `mobile`, or empty for all.
    pub device: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
}

/// One signal of one page.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct PageSignalSummary {
    /// The page.
    pub page_key: String,
    /// `rage_clicks`, `dead_clicks`, `quick_back`, `excessive_scrolling`.
    pub signal: String,
    /// Clicks for rage and dead clicks, page views for the others.
    pub occurrences: u64,
    /// Sessions that showed it.
    pub sessions: u64,
    /// Distinct visitors.
    pub visitors: u64,
}

/// A session that showed a signal on a page.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct SignalSession {
    /// The page.
    pub page_key: String,
    /// The signal.
    pub signal: String,
    /// Session id.
    pub session: String,
    /// Its latest occurrence, ms since the epoch.
    pub last_at: u64,
}

fn bind(query: clickhouse::query::Query, filter: &SignalFilter) -> clickhouse::query::Query {
    query
        .bind(filter.site.as_str())
        .bind(filter.page_key.as_str())
        .bind(filter.page_key.as_str())
        .bind(filter.device.as_str())
        .bind(filter.device.as_str())
        .bind(filter.from.as_str())
        .bind(filter.to.as_str())
}

impl Store {
    /// The `limit` page signals most sessions showed, and for each up to
    /// `examples` of its newest sessions, read at once.
    pub async fn page_signals(
        &self,
        filter: &SignalFilter,
        k_min: u32,
        limit: u32,
        examples: u32,
    ) -> Result<(Vec<PageSignalSummary>, Vec<SignalSession>), StoreError> {
        let signals = bind(self.db.query(SELECT_SIGNALS), filter).bind(k_min).bind(limit);
        let sessions = bind(self.db.query(SELECT_SIGNAL_SESSIONS), filter).bind(examples);
        let context = "reading insights";
        self.bounded(context, async move {
            let (signals, sessions) =
                tokio::join!(signals.fetch_all::<PageSignalSummary>(), sessions.fetch_all::<SignalSession>());
            Ok((
                signals.map_err(StoreError::clickhouse(context))?,
                sessions.map_err(StoreError::clickhouse(context))?,
            ))
        })
        .await
    }
}
