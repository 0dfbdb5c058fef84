//! The ingest side's metrics, a closed set registered into the server's
//! registry. Labels come from closed enums ([`crate::Reject::code`], event
//! type names, encodings), never from request data.

use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry};

/// Decode latency buckets, seconds: a 100-event batch decodes in well
/// under a millisecond; big full snapshots take longer.
const DECODE_BUCKETS: &[f64] = &[0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

/// Metrics of the browser-facing endpoints.
#[derive(Clone)]
pub struct IngestMetrics {
    /// `veil_ingest_requests_total{endpoint, outcome}`: `endpoint` is
    /// `consent`, `withdraw` or `ingest`; `outcome` `accepted` or
    /// `rejected`.
    pub requests: IntCounterVec,
    /// `veil_ingest_rejections_total{endpoint, reason}`: `reason` is a
    /// rejection code (`invalid_token`, `body_too_large`, …).
    pub rejections: IntCounterVec,
    /// `veil_ingest_events_total{type}`: accepted events by rrweb type.
    pub events: IntCounterVec,
    /// `veil_ingest_events_dropped_total{cause}`: events of accepted
    /// batches that were not stored (`purpose_not_granted`).
    pub events_dropped: IntCounterVec,
    /// `veil_ingest_received_bytes_total{encoding}`: request bodies as
    /// received (compressed).
    pub received_bytes: IntCounterVec,
    /// `veil_ingest_decompressed_bytes_total`: request bodies after
    /// decompression.
    pub decompressed_bytes: IntCounter,
    /// `veil_ingest_decode_duration_seconds`: time to decode one batch.
    pub decode_duration: Histogram,
    /// `veil_masking_redactions_total{rule, kind}`: values masked or
    /// removed by the server, by rule (`email`, `card`, `input_value`, a
    /// site pattern's name, …) and field kind (`text`, `attribute`,
    /// `input`, `url`, `custom_event`, `removed_field`, `blocked_element`).
    /// Never a value.
    pub redactions: IntCounterVec,
    /// `veil_ingest_user_ids_dropped_total`: batches whose linked user id
    /// was dropped because the site has no `user_id_secret`.
    pub user_ids_dropped: IntCounter,
    /// `veil_ingest_memory_in_use_bytes`: bytes of the ingest memory pool
    /// held by requests, as of the last request's end.
    pub memory_in_use: IntGauge,
    /// `veil_ingest_memory_in_use_peak_bytes`: the most the pool held
    /// since start.
    pub memory_peak: IntGauge,
    /// `veil_ingest_masking_sessions`: sessions whose masking state is
    /// held (bounded by `ingest.session_idle_timeout`).
    pub masking_sessions: IntGauge,
    /// `veil_ingest_masking_session_nodes`: nodes masking remembers over
    /// those sessions (form fields, blocked and masked elements), the bulk
    /// of their memory.
    pub masking_session_nodes: IntGauge,
    /// `veil_ingest_heatmap_sessions`: sessions whose heatmap state
    /// (scroll position, node selectors, page) is held for their next
    /// batch.
    pub heatmap_sessions: IntGauge,
    /// `veil_ingest_heatmap_session_bytes`: the memory that state takes,
    /// as charged against its budget.
    pub heatmap_session_bytes: IntGauge,
}

impl IngestMetrics {
    /// Creates the metrics and registers them.
    pub fn register(registry: &Registry) -> prometheus::Result<IngestMetrics> {
        let metrics = IngestMetrics {
            requests: IntCounterVec::new(
                Opts::new("veil_ingest_requests_total", "Browser-facing requests by endpoint and outcome."),
                &["endpoint", "outcome"],
            )?,
            rejections: IntCounterVec::new(
                Opts::new(
                    "veil_ingest_rejections_total",
                    "Refused browser-facing requests by endpoint and reason.",
                ),
                &["endpoint", "reason"],
            )?,
            events: IntCounterVec::new(
                Opts::new("veil_ingest_events_total", "Accepted events by rrweb event type."),
                &["type"],
            )?,
            events_dropped: IntCounterVec::new(
                Opts::new(
                    "veil_ingest_events_dropped_total",
                    "Events of accepted batches not stored, by cause.",
                ),
                &["cause"],
            )?,
            received_bytes: IntCounterVec::new(
                Opts::new(
                    "veil_ingest_received_bytes_total",
                    "Ingest request bodies as received, by encoding.",
                ),
                &["encoding"],
            )?,
            decompressed_bytes: IntCounter::new(
                "veil_ingest_decompressed_bytes_total",
                "Ingest request bodies after decompression.",
            )?,
            decode_duration: Histogram::with_opts(
                HistogramOpts::new("veil_ingest_decode_duration_seconds", "Time to decode one batch.")
                    .buckets(DECODE_BUCKETS.to_vec()),
            )?,
            redactions: IntCounterVec::new(
                Opts::new(
                    "veil_masking_redactions_total",
                    "Values masked or removed by the server, by rule and field kind.",
                ),
                &["rule", "kind"],
            )?,
            user_ids_dropped: IntCounter::new(
                "veil_ingest_user_ids_dropped_total",
                "Linked user ids dropped because the site has no user_id_secret.",
            )?,
            memory_in_use: IntGauge::new(
                "veil_ingest_memory_in_use_bytes",
                "Bytes of ingest.memory_budget_bytes held by requests in flight.",
            )?,
            memory_peak: IntGauge::new(
                "veil_ingest_memory_in_use_peak_bytes",
                "Most bytes of ingest.memory_budget_bytes held at once since start.",
            )?,
            masking_sessions: IntGauge::new(
                "veil_ingest_masking_sessions",
                "Sessions whose masking state is held, as of the last batch.",
            )?,
            masking_session_nodes: IntGauge::new(
                "veil_ingest_masking_session_nodes",
                "Nodes masking remembers (form fields, blocked and masked elements) over the held sessions.",
            )?,
            heatmap_sessions: IntGauge::new(
                "veil_ingest_heatmap_sessions",
                "Sessions whose heatmap state (scroll, node selectors, page) is held, as of the last batch.",
            )?,
            heatmap_session_bytes: IntGauge::new(
                "veil_ingest_heatmap_session_bytes",
                "Bytes the held heatmap state of sessions takes (a 64 MiB budget).",
            )?,
        };
        registry.register(Box::new(metrics.heatmap_sessions.clone()))?;
        registry.register(Box::new(metrics.heatmap_session_bytes.clone()))?;
        registry.register(Box::new(metrics.masking_sessions.clone()))?;
        registry.register(Box::new(metrics.masking_session_nodes.clone()))?;
        registry.register(Box::new(metrics.memory_in_use.clone()))?;
        registry.register(Box::new(metrics.memory_peak.clone()))?;
        registry.register(Box::new(metrics.user_ids_dropped.clone()))?;
        registry.register(Box::new(metrics.redactions.clone()))?;
        registry.register(Box::new(metrics.requests.clone()))?;
        registry.register(Box::new(metrics.rejections.clone()))?;
        registry.register(Box::new(metrics.events.clone()))?;
        registry.register(Box::new(metrics.events_dropped.clone()))?;
        registry.register(Box::new(metrics.received_bytes.clone()))?;
        registry.register(Box::new(metrics.decompressed_bytes.clone()))?;
        registry.register(Box::new(metrics.decode_duration.clone()))?;
        Ok(metrics)
    }
}
