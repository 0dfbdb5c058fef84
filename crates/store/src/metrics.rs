//! The storage side's metrics: the durable queue and the shipper that
//! moves its rows into ClickHouse. Registered into the server's registry.

use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry};

/// Insert latency buckets, seconds.
const INSERT_BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// Shipping lag buckets, seconds: whole seconds, because a recording's
/// receipt time is kept in seconds; up to an hour of ClickHouse outage.
const LAG_BUCKETS: &[f64] = &[1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0];

/// Metrics of the queue and the shipper.
#[derive(Clone)]
pub struct StoreMetrics {
    /// `veil_queue_unconsumed_bytes`: bytes accepted but not yet in
    /// ClickHouse (what `queue.max_bytes` bounds).
    pub queue_bytes: IntGauge,
    /// `veil_queue_unconsumed_records`: records accepted but not yet in
    /// ClickHouse.
    pub queue_records: IntGauge,
    /// `veil_queue_full_rejections_total`: appends refused because the
    /// queue was full (answered 503).
    pub queue_full: IntCounter,
    /// `veil_store_inserted_rows_total{table}`: rows inserted into
    /// ClickHouse.
    pub inserted_rows: IntCounterVec,
    /// `veil_store_insert_failures_total{kind}`: failed inserts; `kind`
    /// is `retryable` (ClickHouse down or slow; retried) or `refused`
    /// (data error; rows set aside).
    pub insert_failures: IntCounterVec,
    /// `veil_store_dead_letter_records_total`: queue records set aside in
    /// the dead-letter directory (refused by ClickHouse, undecodable, or
    /// corrupt on disk).
    pub dead_letters: IntCounter,
    /// `veil_store_insert_duration_seconds`: time of one INSERT.
    pub insert_duration: Histogram,
    /// `veil_store_shipping_lag_seconds`: per batch, from its 202 to the
    /// insert that stored it (whole seconds). The queue's depth says how
    /// much waits; this says how stale replays and heatmaps are.
    pub shipping_lag: Histogram,
}

impl StoreMetrics {
    /// Sets the backlog gauges from the queue's own counters. Called by
    /// the shipper between rounds and by every scrape: during a ClickHouse
    /// outage the shipper sits in its insert retries, and the backlog is
    /// what ops need to see then.
    pub fn observe_queue(&self, stats: &veil_queue::QueueStats) {
        self.queue_bytes.set(i64::try_from(stats.unconsumed_bytes).unwrap_or(i64::MAX));
        self.queue_records.set(i64::try_from(stats.unconsumed_records).unwrap_or(i64::MAX));
    }

    /// Creates the metrics and registers them.
    pub fn register(registry: &Registry) -> prometheus::Result<StoreMetrics> {
        let metrics = StoreMetrics {
            queue_bytes: IntGauge::new(
                "veil_queue_unconsumed_bytes",
                "Bytes accepted into the durable queue and not yet in ClickHouse.",
            )?,
            queue_records: IntGauge::new(
                "veil_queue_unconsumed_records",
                "Records accepted into the durable queue and not yet in ClickHouse.",
            )?,
            queue_full: IntCounter::new(
                "veil_queue_full_rejections_total",
                "Appends refused because the durable queue was full.",
            )?,
            inserted_rows: IntCounterVec::new(
                Opts::new("veil_store_inserted_rows_total", "Rows inserted into ClickHouse, by table."),
                &["table"],
            )?,
            insert_failures: IntCounterVec::new(
                Opts::new("veil_store_insert_failures_total", "Failed ClickHouse inserts, by kind."),
                &["kind"],
            )?,
            dead_letters: IntCounter::new(
                "veil_store_dead_letter_records_total",
                "Queue records set aside in the dead-letter directory.",
            )?,
            insert_duration: Histogram::with_opts(
                HistogramOpts::new("veil_store_insert_duration_seconds", "Time of one ClickHouse INSERT.")
                    .buckets(INSERT_BUCKETS.to_vec()),
            )?,
            shipping_lag: Histogram::with_opts(
                HistogramOpts::new(
                    "veil_store_shipping_lag_seconds",
                    "Per stored batch, seconds from its acceptance to the insert that stored it.",
                )
                .buckets(LAG_BUCKETS.to_vec()),
            )?,
        };
        registry.register(Box::new(metrics.queue_bytes.clone()))?;
        registry.register(Box::new(metrics.queue_records.clone()))?;
        registry.register(Box::new(metrics.queue_full.clone()))?;
        registry.register(Box::new(metrics.inserted_rows.clone()))?;
        registry.register(Box::new(metrics.insert_failures.clone()))?;
        registry.register(Box::new(metrics.dead_letters.clone()))?;
        registry.register(Box::new(metrics.insert_duration.clone()))?;
        registry.register(Box::new(metrics.shipping_lag.clone()))?;
        Ok(metrics)
    }
}
