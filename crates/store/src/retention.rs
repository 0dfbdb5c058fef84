//! Retention by dropping whole partitions. The aggregate tables are
//! partitioned by `(site, toYYYYMM(day))`; a month is dropped once its
//! last day is older than the site's horizon. So data outlives its
//! horizon by less than one month (worst case: the horizon falls on the
//! first day of a month, whose other days keep it 30 more days), and no
//! mutation ever rewrites data.

use clickhouse::Row;
use serde::Deserialize;

use crate::{Store, StoreError};

/// Tables whose partitions are `(site, toYYYYMM(day))` and follow
/// `heatmap_retention_days`.
pub const HEATMAP_TABLES: &[&str] = &["heatmap_clicks", "heatmap_elements", "heatmap_scroll", "page_stats"];

/// Active partitions of a table, as ClickHouse prints them
/// (`('demo',202611)`).
pub(crate) const SELECT_PARTITIONS: &str =
    "SELECT DISTINCT partition FROM system.parts WHERE database = ? AND table = ? AND active";

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
        for table in HEATMAP_TABLES {
            let query = self.server.query(SELECT_PARTITIONS).bind(self.database.as_str()).bind(*table);
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
                    "ALTER TABLE `{table}` DROP PARTITION ('{}', {})",
                    partition.site, partition.month
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
