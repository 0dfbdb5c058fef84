//! The compaction task of `veil serve` (`[compaction]`): every interval,
//! sessions idle for `session_timeout` are rewritten as archives (see
//! `veil_store::compaction` for why every step is crash-safe) and their
//! per-batch rows deleted in one mutation.

use std::time::Duration;

use veil_store::compaction::CompactionOptions;
use veil_store::{Store, StoreError};

use crate::config::CompactionConfig;
use crate::metrics::CompactionMetrics;

/// Longest wait for ClickHouse to apply a run's delete.
const DELETE_WAIT: Duration = Duration::from_secs(120);

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompactionRun {
    /// Sessions compacted.
    pub sessions: u64,
    /// Batches moved into archives.
    pub batches: u64,
    /// Stored bytes of those batches before.
    pub bytes_before: u64,
    /// Bytes of archives and chunks after.
    pub bytes_after: u64,
    /// Sessions that failed (left as they were, retried next run).
    pub failed: u64,
}

/// Runs add up (`veil compaction run` repeats them until nothing is left).
impl std::ops::AddAssign for CompactionRun {
    fn add_assign(&mut self, run: CompactionRun) {
        self.sessions += run.sessions;
        self.batches += run.batches;
        self.bytes_before += run.bytes_before;
        self.bytes_after += run.bytes_after;
        self.failed += run.failed;
    }
}

/// The store's options from the configuration.
pub fn options(config: &CompactionConfig) -> CompactionOptions {
    CompactionOptions {
        encode: veil_archive::EncodeOptions {
            quality: config.quality,
            chunk_min_bytes: config.chunk_min_bytes,
        },
        ..CompactionOptions::default()
    }
}

/// One run at `now` (Unix seconds).
pub async fn run_once(
    store: &Store,
    config: &CompactionConfig,
    metrics: &CompactionMetrics,
    now: u64,
) -> Result<CompactionRun, StoreError> {
    let timeout = config.session_timeout.as_secs();
    let cutoff = u32::try_from(now.saturating_sub(timeout)).unwrap_or(u32::MAX);
    let idle = store.idle_sessions(cutoff, config.sessions_per_run).await?;
    tracing::debug!(idle = idle.len(), cutoff, "sessions to compact");
    let lag = idle.first().map_or(0, |s| now.saturating_sub(u64::from(s.last_received) + timeout));
    metrics.lag_seconds.set(i64::try_from(lag).unwrap_or(i64::MAX));
    let options = options(config);
    let now_secs = u32::try_from(now).unwrap_or(u32::MAX);
    let mut run = CompactionRun::default();
    let mut covered = Vec::new();
    let mut done = Vec::new();
    for session in &idle {
        match store.compact_session(&session.site, &session.session, &options, now_secs).await {
            Ok(outcome) => {
                run.batches += outcome.batches;
                run.bytes_before += outcome.bytes_before;
                run.bytes_after += outcome.bytes_after;
                covered.extend(outcome.covered);
                done.push(outcome.batches);
            }
            Err(error) => {
                // One bad session must not hold up the others.
                tracing::warn!(%error, site = %session.site, "compacting a session failed; it stays as it is");
                metrics.failures.inc();
                run.failed += 1;
            }
        }
    }
    store.delete_compacted(&covered, DELETE_WAIT).await?;
    run.sessions = done.iter().filter(|batches| **batches > 0).count() as u64;
    metrics.sessions.inc_by(run.sessions);
    metrics.batches.inc_by(run.batches);
    metrics.bytes_before.inc_by(run.bytes_before);
    metrics.bytes_after.inc_by(run.bytes_after);
    Ok(run)
}

/// Runs forever; failures are logged and retried at the next interval.
pub async fn run_forever(store: Store, config: CompactionConfig, metrics: CompactionMetrics) {
    loop {
        match run_once(&store, &config, &metrics, veil_ingest::clock::now_secs()).await {
            Ok(run) if run.sessions > 0 || run.failed > 0 => tracing::info!(
                sessions = run.sessions,
                batches = run.batches,
                bytes_before = run.bytes_before,
                bytes_after = run.bytes_after,
                failed = run.failed,
                "compacted idle sessions"
            ),
            Ok(_) => {}
            Err(error) => {
                metrics.failures.inc();
                tracing::warn!(%error, "compaction run failed; retrying at the next interval");
            }
        }
        tokio::time::sleep(config.interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::CompactionRun;

    #[test]
    fn runs_add_up_field_by_field() {
        let mut total = CompactionRun { sessions: 1, batches: 2, bytes_before: 3, bytes_after: 4, failed: 0 };
        total += CompactionRun { sessions: 10, batches: 20, bytes_before: 30, bytes_after: 40, failed: 1 };
        assert_eq!(
            total,
            CompactionRun { sessions: 11, batches: 22, bytes_before: 33, bytes_after: 44, failed: 1 }
        );
    }
}
