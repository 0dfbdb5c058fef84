use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of the queue's gauges and counters, for metrics and
/// readiness (a queue near `max_bytes` is about to answer 503).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Bytes (records plus framing) appended or reserved but not yet
    /// committed by the reader; what `max_bytes` bounds.
    pub unconsumed_bytes: u64,
    /// Records not yet committed. Approximate: records inside skipped
    /// corrupt data stay counted until the queue is reopened.
    pub unconsumed_records: u64,
    /// Segment files on disk.
    pub segments: u64,
    /// Records written and acknowledged since open.
    pub appended_records_total: u64,
    /// Syncs issued by the writer since open (`fdatasync` of a segment,
    /// `fsync` of the directory when a segment is created); far fewer than
    /// appends when group commit works.
    pub syncs_total: u64,
    /// Appends refused with `Full` since open.
    pub full_rejections_total: u64,
    /// Records found unconsumed at open plus records appended since: the
    /// position of the newest record, in the order the reader ships them.
    pub accepted_records_total: u64,
    /// Records the reader committed since open. Once it reaches an earlier
    /// `accepted_records_total`, everything accepted before that moment has
    /// been shipped (or skipped as corrupt), which is what an erasure waits
    /// for before deleting.
    pub committed_records_total: u64,
}

/// The live counters behind [`QueueStats`], shared by the appenders, the
/// writer thread and the reader.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) unconsumed_bytes: AtomicU64,
    pub(crate) unconsumed_records: AtomicU64,
    pub(crate) segments: AtomicU64,
    pub(crate) appended_records_total: AtomicU64,
    pub(crate) syncs_total: AtomicU64,
    pub(crate) full_rejections_total: AtomicU64,
    pub(crate) accepted_records_total: AtomicU64,
    pub(crate) committed_records_total: AtomicU64,
}

impl Counters {
    /// Claims `bytes` of the bound before the record is sent to the writer,
    /// so concurrent appenders cannot overshoot it together. On refusal
    /// returns what was unconsumed at the time.
    pub(crate) fn reserve(&self, bytes: u64, max_bytes: u64) -> Result<(), u64> {
        self.unconsumed_bytes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |current| {
                current.checked_add(bytes).filter(|&total| total <= max_bytes)
            })
            .map(drop)
    }

    /// Gives back bytes: a failed write's reservation, or data the reader
    /// committed.
    pub(crate) fn release(&self, bytes: u64) {
        saturating_sub(&self.unconsumed_bytes, bytes);
    }

    pub(crate) fn consumed_records(&self, records: u64) {
        saturating_sub(&self.unconsumed_records, records);
        Counters::add(&self.committed_records_total, records);
    }

    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> QueueStats {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        QueueStats {
            unconsumed_bytes: load(&self.unconsumed_bytes),
            unconsumed_records: load(&self.unconsumed_records),
            segments: load(&self.segments),
            appended_records_total: load(&self.appended_records_total),
            syncs_total: load(&self.syncs_total),
            full_rejections_total: load(&self.full_rejections_total),
            accepted_records_total: load(&self.accepted_records_total),
            committed_records_total: load(&self.committed_records_total),
        }
    }
}

fn saturating_sub(counter: &AtomicU64, n: u64) {
    // The closure always returns Some, so the update cannot fail.
    let _ =
        counter.fetch_update(Ordering::AcqRel, Ordering::Acquire, |current| Some(current.saturating_sub(n)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_respects_the_bound_and_release_saturates() {
        let counters = Counters::default();
        assert_eq!(counters.reserve(60, 100), Ok(()));
        assert_eq!(counters.reserve(41, 100), Err(60));
        assert_eq!(counters.reserve(40, 100), Ok(()));
        counters.release(150);
        assert_eq!(counters.snapshot().unconsumed_bytes, 0);
    }
}
