//! Insights queries (docs/insights.md): frustration signals of a site's
//! pages from `page_signals`, ranked by the sessions that showed them,
//! each with the sessions that showed it most to watch. One pass over the
//! window, no per-session grouping: `uniq` counts sessions and visitors
//! (exact below 65,536 per page and signal, as the heatmaps' visitors),
//! `topK` names sessions. A batch sent twice counts its occurrences twice
//! until ClickHouse merges the copies away (sessions and visitors are
//! counted once at once). Signals seen by fewer than `k_min` distinct
//! visitors are left out.

use clickhouse::Row;
use serde::Deserialize;

use crate::{Store, StoreError};

/// Sessions named per page and signal.
pub const EXAMPLES: usize = 5;

/// Signals per page, most sessions first; `?`: site, page key twice
/// (empty: every page), device twice, from, to, k_min, limit.
pub(crate) const SELECT_SIGNALS: &str = "SELECT page_key, toString(signal) AS name, sum(count) AS occurrences, \
     uniq(session) AS session_count, uniq(visitor) AS visitor_count \
     FROM page_signals WHERE site = ? AND (? = '' OR page_key = ?) AND (? = '' OR toString(device) = ?) \
     AND day >= toDate(?) AND day <= toDate(?) GROUP BY page_key, signal HAVING visitor_count >= ? \
     ORDER BY session_count DESC, occurrences DESC, page_key, name LIMIT ?";

/// The example sessions of the ranked signals, read after
/// [`SELECT_SIGNALS`] and only for its pages and signals (the primary key
/// finds them): `topK` over every group of a site cost a third of the
/// whole answer. `?`: as [`SELECT_SIGNALS`] up to `to`, then the pages and
/// the signal names (arrays).
pub(crate) const SELECT_EXAMPLES: &str = "SELECT page_key, toString(signal) AS name, topK(5)(session) AS examples \
     FROM page_signals WHERE site = ? AND (? = '' OR page_key = ?) AND (? = '' OR toString(device) = ?) \
     AND day >= toDate(?) AND day <= toDate(?) AND page_key IN (SELECT arrayJoin(?)) \
     AND toString(signal) IN (SELECT arrayJoin(?)) GROUP BY page_key, signal";

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

/// A ranked signal before its examples are read.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
struct RankedSignal {
    page_key: String,
    signal: String,
    occurrences: u64,
    sessions: u64,
    visitors: u64,
}

/// The example sessions of one page's signal.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
struct SignalExamples {
    page_key: String,
    signal: String,
    examples: Vec<String>,
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
    /// Up to [`EXAMPLES`] of its sessions, those that showed it in most
    /// batches first.
    pub examples: Vec<String>,
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
    /// The `limit` page signals most sessions showed.
    pub async fn page_signals(
        &self,
        filter: &SignalFilter,
        k_min: u32,
        limit: u32,
    ) -> Result<Vec<PageSignalSummary>, StoreError> {
        let context = "reading insights";
        let query = bind(self.db.query(SELECT_SIGNALS), filter).bind(k_min).bind(limit);
        let ranked = self
            .bounded(context, async move {
                query.fetch_all::<RankedSignal>().await.map_err(StoreError::clickhouse(context))
            })
            .await?;
        if ranked.is_empty() {
            return Ok(Vec::new());
        }
        let mut pages: Vec<&str> = ranked.iter().map(|r| r.page_key.as_str()).collect();
        pages.sort_unstable();
        pages.dedup();
        let mut names: Vec<&str> = ranked.iter().map(|r| r.signal.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let query = bind(self.db.query(SELECT_EXAMPLES), filter).bind(pages).bind(names);
        let examples = self
            .bounded(context, async move {
                query.fetch_all::<SignalExamples>().await.map_err(StoreError::clickhouse(context))
            })
            .await?;
        Ok(ranked
            .into_iter()
            .map(|r| {
                let examples = examples
                    .iter()
                    .find(|e| e.page_key == r.page_key && e.signal == r.signal)
                    .map(|e| e.examples.clone())
                    .unwrap_or_default();
                PageSignalSummary {
                    page_key: r.page_key,
                    signal: r.signal,
                    occurrences: r.occurrences,
                    sessions: r.sessions,
                    visitors: r.visitors,
                    examples,
                }
            })
            .collect())
    }
}

/// Most signal rows one visitor export lists.
pub const MAX_EXPORT_SIGNALS: u64 = 100_000;

/// A visitor's signal rows, oldest first; `?`: site, visitor, limit.
pub(crate) const SELECT_VISITOR_SIGNALS: &str = "SELECT page_key, toString(signal) AS name, session, seq, at, count \
     FROM page_signals WHERE site = ? AND visitor = ? ORDER BY at, session, seq, name LIMIT ?";

/// One signal row of a visitor, for an export (GDPR art. 15).
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct VisitorSignal {
    /// The page.
    pub page_key: String,
    /// The signal.
    pub signal: String,
    /// Session id.
    pub session: String,
    /// The batch's seq.
    pub seq: u64,
    /// When, ms since the epoch.
    pub at: u64,
    /// Clicks for rage and dead clicks, else 1.
    pub count: u32,
}

impl Store {
    /// The signals stored about a visitor, at most [`MAX_EXPORT_SIGNALS`].
    pub async fn visitor_signals(&self, site: &str, visitor: &str) -> Result<Vec<VisitorSignal>, StoreError> {
        let query = self.db.query(SELECT_VISITOR_SIGNALS).bind(site).bind(visitor).bind(MAX_EXPORT_SIGNALS);
        self.bounded("reading a visitor's signals", async move {
            query
                .fetch_all::<VisitorSignal>()
                .await
                .map_err(StoreError::clickhouse("reading a visitor's signals"))
        })
        .await
    }
}
