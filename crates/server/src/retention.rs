//! Retention (SPEC §7): expired data is removed automatically by a task
//! that runs at start and then every hour, and on demand by
//! `veil retention run` (whose `--today` moves the clock for tests and
//! back-fills).
//!
//! - Recordings and the sessions index follow `retention_days`: weeks past
//!   the longest horizon of all sites are dropped whole, and each site's
//!   expired days are deleted by a mutation. Reads never return rows past
//!   the horizon, so the API forgets a recording the day it expires; on
//!   disk it is gone within one run (at most an hour, plus the time
//!   ClickHouse takes to apply the delete).
//! - Compacted sessions (`recording_archives`) expire with recordings;
//!   the chunks they referenced go in the same run once no archive left
//!   references them (orphans of an interrupted compaction after an hour).
//! - Heatmap aggregates follow `heatmap_retention_days`, by whole-month
//!   partition drops (so they outlive it by less than a month).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use veil_store::Store;

use crate::config::Config;

/// Pause between runs.
pub const INTERVAL: Duration = Duration::from_secs(3600);

/// What one run removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Heatmap partitions dropped.
    pub heatmap_partitions: usize,
    /// Week partitions of recordings and the sessions index dropped.
    pub recording_partitions: usize,
    /// Expired rows of recordings and the sessions index deleted.
    pub recording_rows: u64,
    /// Week partitions of console logouts whose cookies all expired.
    pub console_logout_partitions: usize,
    /// Chunks of expired archives that no other archive references.
    pub chunks: u64,
}

impl RetentionReport {
    /// True when nothing was removed.
    pub fn is_empty(&self) -> bool {
        *self == RetentionReport::default()
    }
}

/// Longest wait for ClickHouse to apply one site's deletes.
const DELETE_WAIT: Duration = Duration::from_secs(600);

/// Today as days since 1970 (UTC).
pub fn today() -> i64 {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    i64::try_from(secs / 86_400).unwrap_or(i64::MAX)
}

/// One pass over every site, as if today were `today`.
pub async fn run_once(
    store: &Store,
    config: &Config,
    today: i64,
) -> Result<RetentionReport, veil_store::StoreError> {
    let mut report = RetentionReport::default();
    for site in &config.sites {
        report.heatmap_partitions +=
            store.drop_expired_heatmaps(&site.id, site.heatmap_retention_days, today).await?;
    }
    // Read before the archives go, by partition drop or delete.
    let mut expiring = Vec::with_capacity(config.sites.len());
    for site in &config.sites {
        expiring.push(store.expiring_chunks(&site.id, site.retention_days, today).await?);
    }
    if let Some(longest) = config.sites.iter().map(|s| s.retention_days).max() {
        report.recording_partitions += store.drop_expired_weeks(longest, today).await?;
    }
    for site in &config.sites {
        report.recording_rows +=
            store.delete_expired_recordings(&site.id, site.retention_days, today, DELETE_WAIT).await?;
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let before = u32::try_from(now + 1).unwrap_or(u32::MAX);
    for (site, chunks) in config.sites.iter().zip(&expiring) {
        report.chunks += store.collect_chunks(&site.id, Some(chunks), before, DELETE_WAIT).await?;
    }
    report.console_logout_partitions += store.drop_expired_console_logouts(today).await?;
    Ok(report)
}

/// Runs forever; failures are logged and retried at the next interval.
pub async fn run_forever(store: Store, config: std::sync::Arc<Config>) {
    loop {
        match run_once(&store, &config, today()).await {
            Ok(report) if !report.is_empty() => {
                tracing::info!(
                    heatmap_partitions = report.heatmap_partitions,
                    recording_partitions = report.recording_partitions,
                    recording_rows = report.recording_rows,
                    console_logout_partitions = report.console_logout_partitions,
                    chunks = report.chunks,
                    "retention removed expired data"
                )
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "retention run failed; retrying in an hour"),
        }
        tokio::time::sleep(INTERVAL).await;
    }
}

/// Parses `--today` (`YYYY-MM-DD`, as the query API's dates) into days
/// since 1970.
pub fn parse_day(text: &str) -> Result<i64, String> {
    let midnight = crate::http::dates::day(text).ok_or("expected a date, YYYY-MM-DD")?;
    let secs = midnight.duration_since(UNIX_EPOCH).map_err(|_| "expected a date after 1970")?.as_secs();
    i64::try_from(secs / 86_400).map_err(|_| "date out of range".to_owned())
}

#[cfg(test)]
mod tests {
    use super::parse_day;

    #[test]
    fn today_parses_like_query_dates() {
        assert_eq!(parse_day("2026-11-24"), Ok(20_781));
        assert_eq!(parse_day("1970-01-01"), Ok(0));
        for bad in ["2026-02-30", "2026-13-01", "24-11-2026", "today"] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }
}
