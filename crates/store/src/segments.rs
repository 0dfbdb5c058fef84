//! Segment filters and the segments list (docs/segments.md). The
//! aggregates keep each session's referrer class (`source`) and its
//! allow-listed UTM parameters (`campaign`, `name=value` pairs joined with
//! `&`) in their sorting keys; a query narrows to a segment by adding
//! conditions at the [`SEGMENT_MARK`] of its text, so a query without a
//! segment runs exactly as before.

use clickhouse::Row;
use serde::Deserialize;

use crate::{Store, StoreError};

/// Where a query's segment conditions go: a comment, so the text is valid
/// SQL without them (the probes run it so).
pub(crate) const SEGMENT_MARK: &str = "/*segment*/";

/// One campaign pair is in a row's campaign: pairs are joined with `&` and
/// neither names nor kept values can hold a `&`, so `&pair&` is found in
/// `&campaign&` exactly when the pair is one of them; a substring search
/// costs far less than splitting every row's string into an array. `?`:
/// `&name=value&`.
pub(crate) const CAMPAIGN_CONDITION: &str = " AND position(concat('&', campaign, '&'), ?) > 0";

/// Which segment a query is about; empty parts match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SegmentFilter {
    /// Referrer class name (`search`, `direct`, …); empty: any.
    pub source: String,
    /// `name=value` pairs that must all be in the session's campaign.
    pub campaign: Vec<String>,
}

impl SegmentFilter {
    /// Whether it narrows anything.
    pub fn is_any(&self) -> bool {
        self.source.is_empty() && self.campaign.is_empty()
    }

    /// `sql` with this filter's conditions at its mark.
    pub(crate) fn apply(&self, sql: &str) -> String {
        debug_assert!(sql.contains(SEGMENT_MARK), "no segment mark in {sql}");
        let mut conditions = String::new();
        if !self.source.is_empty() {
            conditions.push_str(" AND toString(source) = ?");
        }
        for _ in &self.campaign {
            conditions.push_str(CAMPAIGN_CONDITION);
        }
        sql.replacen(SEGMENT_MARK, &conditions, 1)
    }

    /// Binds what [`SegmentFilter::apply`] added, in order.
    pub(crate) fn bind(&self, mut query: clickhouse::query::Query) -> clickhouse::query::Query {
        if !self.source.is_empty() {
            query = query.bind(self.source.as_str());
        }
        for pair in &self.campaign {
            query = query.bind(format!("&{pair}&"));
        }
        query
    }
}

/// Referrer classes of a site's page views with at least `k_min`
/// visitors; `?`: site, page key twice, device twice, from, to, k_min.
pub(crate) const SELECT_SOURCES: &str = "SELECT toString(source) AS name, uniqMerge(visitors) AS visitor_count \
     FROM page_stats WHERE site = ? AND (? = '' OR page_key = ?) AND (? = '' OR toString(device) = ?) \
     AND day >= toDate(?) AND day <= toDate(?) GROUP BY source HAVING visitor_count >= ? \
     ORDER BY visitor_count DESC, name";

/// UTM `name=value` pairs, each with at least `k_min` visitors; `?`: as
/// [`SELECT_SOURCES`], then limit.
pub(crate) const SELECT_CAMPAIGNS: &str = "SELECT pair, uniqMerge(visitors) AS visitor_count \
     FROM page_stats ARRAY JOIN splitByChar('&', campaign) AS pair WHERE site = ? AND (? = '' OR page_key = ?) \
     AND (? = '' OR toString(device) = ?) AND day >= toDate(?) AND day <= toDate(?) AND campaign != '' \
     GROUP BY pair HAVING visitor_count >= ? ORDER BY visitor_count DESC, pair LIMIT ?";

/// What the segments list is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentsQuery {
    /// Site id.
    pub site: String,
    /// Page key, empty for the whole site.
    pub page_key: String,
    /// `desktop`, `tablet`, `mobile`, or empty for all.
    pub device: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`, inclusive.
    pub to: String,
}

/// A referrer class or a campaign pair with its visitors.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct SegmentCount {
    /// The class name, or the `name=value` pair.
    pub name: String,
    /// Distinct visitors.
    pub visitors: u64,
}

impl Store {
    /// The segments of a site (or page) with at least `k_min` visitors:
    /// referrer classes, then campaign pairs (at most `limit`).
    pub async fn segments(
        &self,
        query: &SegmentsQuery,
        k_min: u32,
        limit: u32,
    ) -> Result<(Vec<SegmentCount>, Vec<SegmentCount>), StoreError> {
        let bind = |sql: &str| {
            self.db
                .query(sql)
                .bind(query.site.as_str())
                .bind(query.page_key.as_str())
                .bind(query.page_key.as_str())
                .bind(query.device.as_str())
                .bind(query.device.as_str())
                .bind(query.from.as_str())
                .bind(query.to.as_str())
                .bind(k_min)
        };
        let sources = bind(SELECT_SOURCES);
        let campaigns = bind(SELECT_CAMPAIGNS).bind(limit);
        let context = "reading segments";
        self.bounded(context, async move {
            let (sources, campaigns) =
                tokio::join!(sources.fetch_all::<SegmentCount>(), campaigns.fetch_all::<SegmentCount>());
            Ok((
                sources.map_err(StoreError::clickhouse(context))?,
                campaigns.map_err(StoreError::clickhouse(context))?,
            ))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_segment_leaves_the_query_as_it_was_but_the_mark() {
        let sql = "SELECT 1 FROM t WHERE a = ? /*segment*/ GROUP BY b";
        assert_eq!(SegmentFilter::default().apply(sql), "SELECT 1 FROM t WHERE a = ?  GROUP BY b");
        assert!(SegmentFilter::default().is_any());
    }

    #[test]
    fn source_and_campaign_add_one_condition_each() {
        let filter = SegmentFilter { source: "search".into(), campaign: vec!["utm_source=google".into()] };
        assert!(!filter.is_any());
        assert_eq!(
            filter.apply("WHERE a = ? /*segment*/ GROUP BY b"),
            "WHERE a = ?  AND toString(source) = ? AND position(concat('&', campaign, '&'), ?) > 0 GROUP BY b"
        );
        let two = SegmentFilter {
            source: String::new(),
            campaign: vec!["utm_medium=cpc".into(), "utm_source=x".into()],
        };
        assert_eq!(two.apply("x /*segment*/").matches("position(").count(), 2);
    }
}
