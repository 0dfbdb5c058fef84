//! Retention.
//!
//! Heatmap aggregates, by dropping whole partitions: those tables are
//! partitioned by `(site, toYYYYMM(day))`; a month is dropped once its
//! last day is older than the site's horizon. So aggregates outlive their
//! horizon by less than one month (worst case: the horizon falls on the
//! first day of a month, whose other days keep it 30 more days), and no
//! mutation ever rewrites them.
//!
//! Recordings and the sessions index, day by day: they are partitioned by
//! week for all sites together, so a week is dropped whole once it is past
//! the longest horizon of any site, and a site with a shorter horizon has
//! its expired days deleted by a mutation (only when there is something to
//! delete). Readers never return rows past the horizon in the meantime.

use clickhouse::Row;
use serde::Deserialize;

use crate::{Store, StoreError};

/// Tables whose partitions are `(site, toYYYYMM(day))` and follow
/// `heatmap_retention_days`.
pub const HEATMAP_TABLES: &[&str] =
    &["heatmap_clicks", "heatmap_elements", "heatmap_scroll", "page_stats", "form_fields"];

/// Tables of per-session data partitioned by `toMonday(day)`.
pub const RECORDING_TABLES: &[&str] = &["recordings", "recording_archives", "session_index", "page_signals"];

/// How old an unreferenced chunk must be before retention deletes it: a
/// compaction writes its chunks before the archive that references them.
pub const CHUNK_GRACE_SECS: u64 = 3600;

/// Active partitions of a table, as ClickHouse prints them
/// (`('demo',202611)`); `{parts}`: `system.parts` or every replica's.
pub(crate) const SELECT_PARTITIONS: &str =
    "SELECT DISTINCT partition FROM {parts} WHERE database = ? AND table = ? AND active";

#[derive(Debug, Row, Deserialize)]
struct PartitionRow {
    partition: String,
}

/// A partition `(site, yyyymm)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteMonth {
    /// Site id.
    pub site: String,
    /// `YYYYMM`.
    pub month: u32,
}

/// Parses `('demo',202611)`; `None` for other shapes (tables partitioned
/// differently are never touched).
pub fn parse_partition(text: &str) -> Option<SiteMonth> {
    let inner = text.trim().strip_prefix('(')?.strip_suffix(')')?;
    let (site, month) = inner.rsplit_once(',')?;
    let site = site.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    let month: u32 = month.trim().parse().ok()?;
    (veil_events::ids::is_valid_site_id(site) && (190_001..=999_912).contains(&month))
        .then(|| SiteMonth { site: site.to_owned(), month })
}

/// The `YYYYMM` and the number of days since 1970 of the last day of that
/// month.
fn last_day_of_month(month: u32) -> Option<i64> {
    let (year, m) = (i64::from(month / 100), month % 100);
    if !(1..=12).contains(&m) {
        return None;
    }
    let (next_year, next_month) = if m == 12 { (year + 1, 1) } else { (year, i64::from(m) + 1) };
    Some(days_from_civil(next_year, next_month, 1) - 1)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whether a site's month is past a horizon of `retention_days` counted
/// back from `today` (days since 1970): its last day is older than
/// `today - retention_days`.
pub fn is_expired(month: u32, retention_days: u32, today: i64) -> bool {
    last_day_of_month(month).is_some_and(|last| last < today - i64::from(retention_days))
}

impl Store {
    /// Drops the heatmap partitions of `site` older than its horizon;
    /// returns how many partitions were dropped.
    pub async fn drop_expired_heatmaps(
        &self,
        site: &str,
        retention_days: u32,
        today: i64,
    ) -> Result<usize, StoreError> {
        let mut dropped = 0;
        let sql = self.select_partitions().await?;
        for table in HEATMAP_TABLES {
            let query = self.server.query(&sql).bind(self.database.as_str()).bind(self.stored_table(table));
            let partitions: Vec<PartitionRow> = self
                .bounded("listing partitions", async move {
                    query.fetch_all().await.map_err(StoreError::clickhouse("listing partitions"))
                })
                .await?;
            for partition in partitions.iter().filter_map(|p| parse_partition(&p.partition)) {
                if partition.site != site || !is_expired(partition.month, retention_days, today) {
                    continue;
                }
                // Both parts were validated by parse_partition: a site id
                // and a number, safe to splice into DDL.
                let sql = format!(
                    "ALTER TABLE {} DROP PARTITION ('{}', {})",
                    self.alter_table(table),
                    partition.site,
                    partition.month
                );
                let query = self.db.query(&sql);
                self.bounded("dropping a partition", async move {
                    query.execute().await.map_err(StoreError::clickhouse("dropping a partition"))
                })
                .await?;
                tracing::info!(table, site, month = partition.month, "dropped expired heatmap partition");
                dropped += 1;
            }
        }
        Ok(dropped)
    }
}

/// Parses a week partition (`'2026-11-23'` or `2026-11-23`) into days since
/// 1970 of its Monday.
pub fn parse_week_partition(text: &str) -> Option<i64> {
    let text = text.trim().trim_matches('\'');
    let mut parts = text.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) || year < 1970 {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// `YYYY-MM-DD` of a day since 1970 (inverse of [`days_from_civil`]).
pub fn civil_from_days(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The first day still kept under a horizon of `retention_days` counted
/// back from `today`, as `YYYY-MM-DD`: rows of earlier days are expired.
pub fn horizon(retention_days: u32, today: i64) -> String {
    civil_from_days(today - i64::from(retention_days))
}

impl Store {
    /// Drops the week partitions of the recording tables whose Sunday is
    /// before `today - keep_days` (the longest horizon of any site).
    pub async fn drop_expired_weeks(&self, keep_days: u32, today: i64) -> Result<usize, StoreError> {
        self.drop_weeks(RECORDING_TABLES, keep_days, today).await
    }

    /// Drops the weeks of `console_logouts` whose cookies have all expired
    /// (the table is partitioned by the Monday of the cookies' expiry): a
    /// logout need not be remembered past the cookie's own end.
    pub async fn drop_expired_console_logouts(&self, today: i64) -> Result<usize, StoreError> {
        self.drop_weeks(&["console_logouts"], 1, today).await
    }

    /// Drops week partitions of `tables` whose Sunday is more than
    /// [`SELECT_PARTITIONS`] over this node's or every replica's parts.
    async fn select_partitions(&self) -> Result<String, StoreError> {
        Ok(SELECT_PARTITIONS.replace("{parts}", &self.system_table("parts").await?)
            + self.system_table_settings())
    }

    /// `keep_days` before `today`.
    async fn drop_weeks(&self, tables: &[&str], keep_days: u32, today: i64) -> Result<usize, StoreError> {
        let mut dropped = 0;
        let sql = self.select_partitions().await?;
        for table in tables {
            let query = self.server.query(&sql).bind(self.database.as_str()).bind(self.stored_table(table));
            let partitions: Vec<PartitionRow> = self
                .bounded("listing partitions", async move {
                    query.fetch_all().await.map_err(StoreError::clickhouse("listing partitions"))
                })
                .await?;
            for monday in partitions.iter().filter_map(|p| parse_week_partition(&p.partition)) {
                if monday + 6 >= today - i64::from(keep_days) {
                    continue;
                }
                // A date we formatted ourselves: safe to splice into DDL.
                let sql = format!(
                    "ALTER TABLE {} DROP PARTITION '{}'",
                    self.alter_table(table),
                    civil_from_days(monday)
                );
                let query = self.db.query(&sql);
                self.bounded("dropping a partition", async move {
                    query.execute().await.map_err(StoreError::clickhouse("dropping a partition"))
                })
                .await?;
                tracing::info!(table, week = %civil_from_days(monday), "dropped expired recording partition");
                dropped += 1;
            }
        }
        Ok(dropped)
    }

    /// Deletes a site's recordings and index rows older than its horizon;
    /// returns how many rows were deleted. Waits until the deletes are
    /// applied (at most `wait`).
    pub async fn delete_expired_recordings(
        &self,
        site: &str,
        retention_days: u32,
        today: i64,
        wait: std::time::Duration,
    ) -> Result<u64, StoreError> {
        let first_kept = horizon(retention_days, today);
        let deleted = self
            .delete_matching(RECORDING_TABLES, "day < toDate(?)", site, first_kept.as_str(), wait)
            .await?;
        for (table, rows) in deleted.iter().filter(|(_, rows)| *rows > 0) {
            tracing::info!(table, site, rows, before = %first_kept, "deleted expired recordings");
        }
        // Chunks of expired archives, and orphans an interrupted compaction
        // left; an hour's grace spares chunks a compaction is writing now.
        let grace =
            u32::try_from(crate::clock_now_secs().saturating_sub(CHUNK_GRACE_SECS)).unwrap_or(u32::MAX);
        let chunks = self.collect_chunks(site, None, grace, wait).await?;
        if chunks > 0 {
            tracing::info!(site, chunks, "deleted chunks no archive references");
        }
        Ok(deleted.iter().map(|(_, rows)| rows).sum::<u64>() + chunks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_parse() {
        assert_eq!(
            parse_partition("('demo',202611)"),
            Some(SiteMonth { site: "demo".into(), month: 202611 })
        );
        assert_eq!(
            parse_partition("('my-shop_2', 201812)"),
            Some(SiteMonth { site: "my-shop_2".into(), month: 201812 })
        );
        for bad in
            ["202611", "('demo')", "('De mo',202611)", "('demo',2026)", "('x'',1);DROP',202611)", "tuple()"]
        {
            assert_eq!(parse_partition(bad), None, "{bad}");
        }
    }

    #[test]
    fn civil_days_match_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2026, 11, 24), 20_781);
    }

    #[test]
    fn days_and_dates_roundtrip() {
        for days in [0, 11_017, 20_781, 20_782, 47_482, -1] {
            let text = civil_from_days(days);
            assert_eq!(parse_week_partition(&text), (days >= 0).then_some(days), "{text}");
        }
        assert_eq!(civil_from_days(20_781), "2026-11-24");
        assert_eq!(parse_week_partition("'2026-11-23'"), Some(20_780));
        assert_eq!(parse_week_partition("('demo',202611)"), None);
        assert_eq!(horizon(30, 20_781), "2026-10-25");
    }

    #[test]
    fn a_month_expires_when_its_last_day_passes_the_horizon() {
        let today = days_from_civil(2026, 11, 24);
        // 30 days back is 2026-10-25: October is partly inside, September out.
        assert!(!is_expired(202610, 30, today));
        assert!(is_expired(202609, 30, today));
        assert!(!is_expired(202611, 30, today));
        // 395 days back is 2025-10-25.
        assert!(!is_expired(202510, 395, today));
        assert!(is_expired(202509, 395, today));
        assert!(!is_expired(202613, 1, today), "month 13 is no month");
    }
}
