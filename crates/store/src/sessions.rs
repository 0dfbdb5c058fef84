//! The sessions index (SPEC §7): listing a site's recorded sessions with
//! filters, and one session's summary. `session_index` holds one row per
//! batch, folded per session at read.
//!
//! A list is read in two steps, because folding every column of every
//! batch costs (on 1 M batches) a second:
//! 1. [`SELECT_SESSIONS_BY_START`] (or by duration) folds only what the
//!    filters and the order need, over all batches of the window, and
//!    returns one page of session ids. Batches re-sent before their merge
//!    (same session and seq) cannot change any of these: minimum, maximum,
//!    "any rage click", "visited the page".
//! 2. [`SELECT_SESSION_DETAILS`] folds every column for those sessions only,
//!    taking one row per `(session, seq)` (`LIMIT 1 BY`), so sums count a
//!    re-sent batch once.
//!
//! Rows older than the site's retention are never returned, even before
//! the retention job has removed them (`horizon`, the first day kept).
//! Sessions an analyst reported as showing personal data are hidden from
//! analysts until an admin reviews them (`include_reported`).

use clickhouse::Row;
use serde::Deserialize;

use crate::segments::SegmentFilter;
use crate::{Store, StoreError};

/// Sessions whose newest report says `reported`; `?`: site.
macro_rules! reported {
    () => {
        "(SELECT session FROM session_reports WHERE site = ? GROUP BY session \
         HAVING argMax(toInt8(action), toUInt64(at) * 1000 + at_ms) = 1)"
    };
}

/// Sessions matching the filters, with what the order needs; `?`: site,
/// first day, last day, horizon, the segment's ([`SegmentFilter::bind`]:
/// every batch of a session carries its segment), the signals'
/// ([`SIGNAL_CONDITION`]), visitor twice, "include reported" flag,
/// site, start range in ms (from, to), page key twice, device twice, min
/// duration ms, rage, dead, errors flags, user hash twice. (The reported
/// filter sits in WHERE: 18.16 cannot resolve a subquery's columns in
/// HAVING.)
macro_rules! matching {
    () => {
        concat!(
            "SELECT session, min(first_ts) AS started_ms, max(last_ts) AS ended_ms FROM session_index ",
            "WHERE site = ? AND day >= toDate(?) AND day <= toDate(?) AND day >= toDate(?) /*segment*/ /*signals*/ ",
            "AND (? = '' OR visitor = ?) AND (? = 1 OR session NOT IN ",
            reported!(),
            ") GROUP BY session HAVING started_ms >= ? AND started_ms < ? ",
            "AND (? = '' OR max(has(page_keys, ?)) = 1) ",
            "AND (? = 0 OR toInt8(argMin(device, first_ts)) = ?) AND ended_ms - started_ms >= ? ",
            "AND (? = 0 OR max(rage_clicks) > 0) AND (? = 0 OR max(dead_clicks) > 0) ",
            "AND (? = 0 OR max(errors) > 0) AND (? = '' OR max(user_hash) = ?)"
        )
    };
}

/// Where [`SIGNAL_CONDITION`]s go, once per signal asked for: absent, the
/// query reads no signal.
const SIGNALS_MARK: &str = "/*signals*/";

/// Sessions that showed a frustration signal (docs/insights.md), in the
/// list's window; `?`: site, first day, last day, signal name.
pub(crate) const SIGNAL_CONDITION: &str = " AND session IN (SELECT session FROM page_signals WHERE site = ? \
     AND day >= toDate(?) AND day <= toDate(?) AND toString(signal) = ?)";

/// A page of matching sessions, newest first; `?` of `matching!`, then
/// limit and offset.
pub(crate) const SELECT_SESSIONS_BY_START: &str =
    concat!(matching!(), " ORDER BY started_ms DESC, session LIMIT ? OFFSET ?");
/// The same, longest first.
pub(crate) const SELECT_SESSIONS_BY_DURATION: &str =
    concat!(matching!(), " ORDER BY ended_ms - started_ms DESC, session LIMIT ? OFFSET ?");
/// How many sessions match the filters.
pub(crate) const COUNT_SESSIONS: &str = concat!("SELECT count() FROM (", matching!(), ")");

/// Everything the list shows of some sessions; `?`: site, first day, last
/// day, horizon, the session ids (an array; `IN` a set, so the primary key
/// index finds them).
pub(crate) const SELECT_SESSION_DETAILS: &str = "SELECT session, any(visitor) AS visitor_id, \
     max(user_hash) AS user_ref, min(first_ts) AS started_ms, max(last_ts) AS ended_ms, \
     sum(active_ms) AS active_total, argMin(entry_page, first_ts) AS entry, \
     groupArray((first_ts, seq, page_keys)) AS visits, \
     toInt8(argMin(device, first_ts)) AS device_code, argMin(browser, first_ts) AS browser_family, \
     sum(clicks) AS click_count, sum(rage_clicks) AS rage_count, sum(dead_clicks) AS dead_count, \
     sum(errors) AS error_count, count() AS batch_count, sum(event_count) AS event_total, \
     toString(argMin(source, first_ts)) AS source_name, argMin(campaign, first_ts) AS campaign_pairs \
     FROM (SELECT * FROM session_index WHERE site = ? AND day >= toDate(?) AND day <= toDate(?) \
     AND day >= toDate(?) AND session IN (SELECT arrayJoin(?)) LIMIT 1 BY session, seq) GROUP BY session";

/// One session's owner; `?`: site, session, horizon.
pub(crate) const SELECT_SESSION_OWNER: &str = "SELECT any(visitor) AS visitor_id, count() AS batch_count \
     FROM session_index WHERE site = ? AND session = ? AND day >= toDate(?) GROUP BY session";

/// The newest report action of a session (0 when never reported); `?`:
/// site, session.
pub(crate) const SELECT_REPORT_STATE: &str = "SELECT argMax(toInt8(action), toUInt64(at) * 1000 + at_ms) \
     FROM session_reports WHERE site = ? AND session = ?";

/// Sort order of the sessions list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionOrder {
    /// Newest start first.
    #[default]
    Start,
    /// Longest first.
    Duration,
}

/// What the sessions list is filtered by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFilter {
    /// Site id.
    pub site: String,
    /// First day of the session start, `YYYY-MM-DD`.
    pub from: String,
    /// Last day of the session start, `YYYY-MM-DD`, inclusive.
    pub to: String,
    /// The first and last day whose batches are read (`from` minus one day
    /// to `to` plus one: a session may start before midnight UTC and go
    /// on after it).
    pub window: (String, String),
    /// Start range in Unix ms: `[from, to)`.
    pub start_ms: (u64, u64),
    /// First day still within the site's retention, `YYYY-MM-DD`.
    pub horizon: String,
    /// Only sessions that visited this page key (empty: any).
    pub page_key: String,
    /// Only this device class (`Enum8` value; 0: any).
    pub device: i8,
    /// Only sessions at least this long, ms.
    pub min_duration_ms: u64,
    /// Only sessions with rage clicks.
    pub has_rage: bool,
    /// Only sessions with dead clicks.
    pub has_dead: bool,
    /// Only sessions with errors.
    pub has_errors: bool,
    /// Only sessions linked to this user (keyed hash; empty: any).
    pub user_hash: String,
    /// Admins also see sessions reported as showing personal data.
    pub include_reported: bool,
    /// Only this visitor's sessions (exports; empty: any).
    pub visitor: String,
    /// Only sessions of this segment.
    pub segment: SegmentFilter,
    /// Only sessions that showed each of these signals (`quick_back`,
    /// `excessive_scrolling`, as `page_signals` names them).
    pub signals: Vec<String>,
}

/// One session of the list.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct SessionSummaryRow {
    /// Session id.
    pub session: String,
    /// Visitor id.
    pub visitor: String,
    /// Keyed hash of the linked user id, empty when none.
    pub user_hash: String,
    /// First event, Unix ms.
    pub started_ms: u64,
    /// Last event, Unix ms.
    pub ended_ms: u64,
    /// Time with user activity, ms.
    pub active_ms: u64,
    /// Page key of the first page.
    pub entry_page: String,
    /// `(first_ts, seq, page keys)` of each batch; see [`SessionSummaryRow::pages`].
    pub visits: Vec<(u64, u64, Vec<String>)>,
    /// Device class as its `Enum8` value.
    pub device: i8,
    /// Browser family.
    pub browser: String,
    /// Clicks.
    pub clicks: u64,
    /// Rage clicks.
    pub rage_clicks: u64,
    /// Dead clicks.
    pub dead_clicks: u64,
    /// Errors.
    pub errors: u64,
    /// Batches stored.
    pub batches: u64,
    /// Events stored.
    pub events: u64,
    /// Referrer class of the session's first batch (`unknown` when the
    /// recorder sent none).
    pub source: String,
    /// Its allow-listed UTM pairs, `&`-joined.
    pub campaign: String,
}

impl SessionSummaryRow {
    /// Page keys in the order they were first visited.
    pub fn pages(&self) -> Vec<String> {
        let mut visits: Vec<&(u64, u64, Vec<String>)> = self.visits.iter().collect();
        visits.sort_by_key(|(first_ts, seq, _)| (*first_ts, *seq));
        let mut pages: Vec<String> = Vec::new();
        for key in visits.into_iter().flat_map(|(_, _, keys)| keys) {
            if !pages.contains(key) {
                pages.push(key.clone());
            }
        }
        pages
    }
}

/// Who a session belongs to and whether it is hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionState {
    /// Visitor id.
    pub visitor: String,
    /// Batches in the index.
    pub batches: u64,
    /// Reported and not yet reviewed.
    pub reported: bool,
}

#[derive(Debug, Row, Deserialize)]
struct SessionOwner {
    visitor: String,
    batches: u64,
}

/// A session of a page of the list, before its details are read.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
struct MatchingSession {
    session: String,
    started_ms: u64,
    ended_ms: u64,
}

fn bind_filter(client: &clickhouse::Client, sql: &str, filter: &SessionFilter) -> clickhouse::query::Query {
    let sql =
        filter.segment.apply(sql).replacen(SIGNALS_MARK, &SIGNAL_CONDITION.repeat(filter.signals.len()), 1);
    let query = client
        .query(&sql)
        .bind(filter.site.as_str())
        .bind(filter.window.0.as_str())
        .bind(filter.window.1.as_str())
        .bind(filter.horizon.as_str());
    let mut query = filter.segment.bind(query);
    for signal in &filter.signals {
        query = query
            .bind(filter.site.as_str())
            .bind(filter.window.0.as_str())
            .bind(filter.window.1.as_str())
            .bind(signal.as_str());
    }
    query
        .bind(filter.visitor.as_str())
        .bind(filter.visitor.as_str())
        .bind(u8::from(filter.include_reported))
        .bind(filter.site.as_str())
        .bind(filter.start_ms.0)
        .bind(filter.start_ms.1)
        .bind(filter.page_key.as_str())
        .bind(filter.page_key.as_str())
        .bind(filter.device)
        .bind(filter.device)
        .bind(filter.min_duration_ms)
        .bind(u8::from(filter.has_rage))
        .bind(u8::from(filter.has_dead))
        .bind(u8::from(filter.has_errors))
        .bind(filter.user_hash.as_str())
        .bind(filter.user_hash.as_str())
}

impl Store {
    /// One page of sessions matching `filter`, in `order`, and how many
    /// match in all.
    pub async fn sessions(
        &self,
        filter: &SessionFilter,
        order: SessionOrder,
        limit: u64,
        offset: u64,
    ) -> Result<(Vec<SessionSummaryRow>, u64), StoreError> {
        let sql = match order {
            SessionOrder::Start => SELECT_SESSIONS_BY_START,
            SessionOrder::Duration => SELECT_SESSIONS_BY_DURATION,
        };
        let page = bind_filter(&self.db, sql, filter).bind(limit).bind(offset);
        let count = bind_filter(&self.db, COUNT_SESSIONS, filter);
        let context = "listing sessions";
        let (page, total) = self
            .bounded(context, async move {
                let (page, total) =
                    tokio::join!(page.fetch_all::<MatchingSession>(), count.fetch_one::<u64>());
                Ok((
                    page.map_err(StoreError::clickhouse(context))?,
                    total.map_err(StoreError::clickhouse(context))?,
                ))
            })
            .await?;
        if page.is_empty() {
            return Ok((Vec::new(), total));
        }
        let ids: Vec<&str> = page.iter().map(|m| m.session.as_str()).collect();
        let details = self
            .db
            .query(SELECT_SESSION_DETAILS)
            .bind(filter.site.as_str())
            .bind(filter.window.0.as_str())
            .bind(filter.window.1.as_str())
            .bind(filter.horizon.as_str())
            .bind(ids.as_slice());
        let mut details: Vec<SessionSummaryRow> = self
            .bounded(context, async move {
                details.fetch_all::<SessionSummaryRow>().await.map_err(StoreError::clickhouse(context))
            })
            .await?;
        // In the page's order; a session the details do not have (deleted
        // in between) is left out.
        details.sort_by_key(|row| ids.iter().position(|id| *id == row.session).unwrap_or(usize::MAX));
        Ok((details, total))
    }

    /// A session's owner and review state; `None` when the index has no
    /// batch of it within the horizon.
    pub async fn session_state(
        &self,
        site: &str,
        session: &str,
        horizon: &str,
    ) -> Result<Option<SessionState>, StoreError> {
        let owner = self.db.query(SELECT_SESSION_OWNER).bind(site).bind(session).bind(horizon);
        let report = self.db.query(SELECT_REPORT_STATE).bind(site).bind(session);
        self.bounded("reading a session", async move {
            let (owner, report) =
                tokio::join!(owner.fetch_optional::<SessionOwner>(), report.fetch_optional::<i8>());
            let owner = owner.map_err(StoreError::clickhouse("reading a session"))?;
            let report = report.map_err(StoreError::clickhouse("reading a session"))?;
            Ok(owner.map(|owner| SessionState {
                visitor: owner.visitor,
                batches: owner.batches,
                reported: report == Some(crate::rows::ReportAction::Reported as i8),
            }))
        })
        .await
    }
}

/// The newest batches that visited a page on a device class (0: any),
/// newest first: where the console looks for a full snapshot to draw a
/// heatmap over; `?`: site, page key, device twice, horizon, limit.
pub(crate) const SELECT_PAGE_BATCHES: &str = "SELECT session, seq FROM session_index \
     WHERE site = ? AND has(page_keys, ?) AND (? = 0 OR toInt8(device) = ?) AND day >= toDate(?) \
     ORDER BY first_ts DESC LIMIT ?";

/// One batch's payload; `?`: site, session, seq.
pub(crate) const SELECT_BATCH_PAYLOAD: &str =
    "SELECT seq, first_ts, payload FROM recordings WHERE site = ? AND session = ? AND seq = ? LIMIT 1";

impl Store {
    /// The newest `limit` batches of a page on a device class.
    pub async fn page_batches(
        &self,
        site: &str,
        page_key: &str,
        device: i8,
        horizon: &str,
        limit: u64,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let query = self
            .db
            .query(SELECT_PAGE_BATCHES)
            .bind(site)
            .bind(page_key)
            .bind(device)
            .bind(device)
            .bind(horizon)
            .bind(limit);
        self.bounded("finding a page's batches", async move {
            query
                .fetch_all::<(String, u64)>()
                .await
                .map_err(StoreError::clickhouse("finding a page's batches"))
        })
        .await
    }
}
