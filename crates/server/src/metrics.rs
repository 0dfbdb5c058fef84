//! Every metric Veil exports (SPEC §9), as one closed set: call sites use
//! these fields and cannot invent names. Names are `veil_…` with base
//! units; each doc comment names the labels.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// Upper bounds of the HTTP latency buckets, in seconds: ingest answers in
/// milliseconds, heatmap queries in tens of milliseconds, exports longer.
const LATENCY_BUCKETS: &[f64] =
    &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// What compaction did (see docs/operations.md "Compaction").
#[derive(Clone)]
pub struct CompactionMetrics {
    /// `veil_compaction_sessions_total`: sessions compacted.
    pub sessions: IntCounter,
    /// `veil_compaction_batches_total`: batches moved into archives.
    pub batches: IntCounter,
    /// `veil_compaction_bytes_before_total`: stored bytes of those batches
    /// in `recordings`.
    pub bytes_before: IntCounter,
    /// `veil_compaction_bytes_after_total`: bytes of the archives and new
    /// chunks written for them.
    pub bytes_after: IntCounter,
    /// `veil_compaction_lag_seconds`: at the last run, how long the oldest
    /// idle session had been waiting past `compaction.session_timeout`.
    pub lag_seconds: IntGauge,
    /// `veil_compaction_failures_total`: runs or sessions that failed
    /// (retried at the next run).
    pub failures: IntCounter,
}

impl CompactionMetrics {
    fn new() -> CompactionMetrics {
        let counter = |name: &str, help: &str| IntCounter::new(name, help).expect("valid metric");
        CompactionMetrics {
            sessions: counter("veil_compaction_sessions_total", "Sessions compacted into archives."),
            batches: counter("veil_compaction_batches_total", "Batches moved into archives."),
            bytes_before: counter(
                "veil_compaction_bytes_before_total",
                "Stored bytes of compacted batches before compaction.",
            ),
            bytes_after: counter(
                "veil_compaction_bytes_after_total",
                "Bytes of archives and new chunks written by compaction.",
            ),
            lag_seconds: IntGauge::new(
                "veil_compaction_lag_seconds",
                "How long the oldest idle session waited past the session timeout at the last run.",
            )
            .expect("valid metric"),
            failures: counter("veil_compaction_failures_total", "Compaction runs or sessions that failed."),
        }
    }
}

/// The registry and its metrics. One per server, so tests can run several.
pub struct Metrics {
    registry: Registry,
    /// `veil_build_info{version, commit}` = 1.
    pub build_info: IntGaugeVec,
    /// `veil_http_requests_total{route, method, status}`; `route` is the
    /// matched pattern (`/v1/sites/{site}/heatmaps`), never the raw path.
    pub http_requests: IntCounterVec,
    /// `veil_http_request_duration_seconds{route, method, status}`.
    pub http_duration: HistogramVec,
    /// `veil_clickhouse_up`: 1 when the last readiness check reached
    /// ClickHouse.
    pub clickhouse_up: IntGauge,
    /// `veil_schema_pending_migrations`: migrations of this build not yet
    /// applied (`veil migrate` applies them).
    pub schema_pending: IntGauge,
    /// `veil_pii_reports_total{action}`: sessions reported as showing
    /// personal data (`reported`) and admins' verdicts (`released`,
    /// `erased`).
    pub pii_reports: IntCounterVec,
    /// `veil_erasures_total{trigger}`: visitors erased, by who asked
    /// (`admin`, `withdrawal`, `sweep`).
    pub erasures: IntCounterVec,
    /// `veil_console_auth_failures_total{kind}`: console logins and bearer
    /// keys that matched no configured key (`login`, `bearer`).
    pub console_auth_failures: IntCounterVec,
    /// `veil_console_auth_throttled_total{kind}`: attempts refused with 429
    /// because their address failed too often.
    pub console_auth_throttled: IntCounterVec,
    /// Compaction of idle sessions (`veil_compaction_…`).
    pub compaction: CompactionMetrics,
    /// The browser-facing endpoints' metrics (`veil_ingest_…`).
    pub ingest: veil_ingest::IngestMetrics,
    /// The queue's and the shipper's metrics (`veil_queue_…`, `veil_store_…`).
    pub store: veil_store::StoreMetrics,
}

impl Metrics {
    /// Creates and registers everything.
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let build_info = IntGaugeVec::new(
            Opts::new("veil_build_info", "Veil build; the value is always 1."),
            &["version", "commit"],
        )
        .expect("valid metric");
        build_info
            .with_label_values(&[
                env!("CARGO_PKG_VERSION"),
                option_env!("VEIL_GIT_COMMIT").unwrap_or("unknown"),
            ])
            .set(1);
        let http_requests = IntCounterVec::new(
            Opts::new("veil_http_requests_total", "HTTP requests answered, by route, method and status."),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "veil_http_request_duration_seconds",
                "Time from request to response head, by route, method and status.",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let clickhouse_up =
            IntGauge::new("veil_clickhouse_up", "1 when the last readiness check reached ClickHouse.")
                .expect("valid metric");
        let schema_pending = IntGauge::new(
            "veil_schema_pending_migrations",
            "Migrations of this build not applied to ClickHouse yet.",
        )
        .expect("valid metric");

        let pii_reports = IntCounterVec::new(
            Opts::new(
                "veil_pii_reports_total",
                "Sessions reported as showing personal data, and admins' verdicts, by action.",
            ),
            &["action"],
        )
        .expect("valid metric");
        let erasures = IntCounterVec::new(
            Opts::new("veil_erasures_total", "Visitors erased, by what asked for it."),
            &["trigger"],
        )
        .expect("valid metric");

        let console_auth_failures = IntCounterVec::new(
            Opts::new("veil_console_auth_failures_total", "Console logins and bearer keys matching no key."),
            &["kind"],
        )
        .expect("valid metric");
        let console_auth_throttled = IntCounterVec::new(
            Opts::new(
                "veil_console_auth_throttled_total",
                "Authentication attempts refused because their address failed too often.",
            ),
            &["kind"],
        )
        .expect("valid metric");

        let compaction = CompactionMetrics::new();
        let collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(compaction.sessions.clone()),
            Box::new(compaction.batches.clone()),
            Box::new(compaction.bytes_before.clone()),
            Box::new(compaction.bytes_after.clone()),
            Box::new(compaction.lag_seconds.clone()),
            Box::new(compaction.failures.clone()),
            Box::new(console_auth_failures.clone()),
            Box::new(console_auth_throttled.clone()),
            Box::new(pii_reports.clone()),
            Box::new(erasures.clone()),
            Box::new(build_info.clone()),
            Box::new(http_requests.clone()),
            Box::new(http_duration.clone()),
            Box::new(clickhouse_up.clone()),
            Box::new(schema_pending.clone()),
            Box::new(prometheus::process_collector::ProcessCollector::new(std::process::id() as i32, "veil")),
        ];
        for collector in collectors {
            registry.register(collector).expect("metric names are unique");
        }
        let ingest = veil_ingest::IngestMetrics::register(&registry).expect("ingest metric names are unique");
        let store = veil_store::StoreMetrics::register(&registry).expect("store metric names are unique");
        Metrics {
            registry,
            build_info,
            console_auth_failures,
            console_auth_throttled,
            http_requests,
            http_duration,
            clickhouse_up,
            schema_pending,
            pii_reports,
            erasures,
            compaction,
            ingest,
            store,
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        // Encoding into a Vec only fails on invalid metric families, which
        // registration already rules out.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buffer);
        String::from_utf8(buffer).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Metrics with one series in every vector, so every family shows up
    /// in the exposition.
    fn populated() -> Metrics {
        let metrics = Metrics::new();
        metrics.http_requests.with_label_values(&["/healthz", "GET", "200"]).inc();
        metrics.http_duration.with_label_values(&["/healthz", "GET", "200"]).observe(0.001);
        metrics.ingest.requests.with_label_values(&["ingest", "accepted"]).inc();
        metrics.ingest.rejections.with_label_values(&["ingest", "invalid_token"]).inc();
        metrics.ingest.events.with_label_values(&["meta"]).inc();
        metrics.ingest.events_dropped.with_label_values(&["purpose_not_granted"]).inc();
        metrics.ingest.received_bytes.with_label_values(&["zstd"]).inc();
        metrics.store.inserted_rows.with_label_values(&["recordings"]).inc();
        metrics.store.insert_failures.with_label_values(&["retryable"]).inc();
        metrics.pii_reports.with_label_values(&["reported"]).inc();
        metrics.erasures.with_label_values(&["admin"]).inc();
        metrics.console_auth_failures.with_label_values(&["login"]).inc();
        metrics.console_auth_throttled.with_label_values(&["login"]).inc();
        metrics
    }

    fn family_names(text: &str) -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("# TYPE"))
            .filter_map(|l| l.split_whitespace().nth(2).map(str::to_owned))
            .collect()
    }

    #[test]
    fn every_metric_is_named_veil_with_a_base_unit() {
        let text = populated().render();
        for name in family_names(&text) {
            assert!(name.starts_with("veil_"), "{name}");
        }
        assert!(text.contains("veil_build_info{"), "{text}");
        assert!(text.contains("veil_process_cpu_seconds_total"), "{text}");
    }

    #[test]
    fn every_metric_is_documented() {
        let doc = include_str!("../../../docs/operations.md");
        for name in family_names(&populated().render()) {
            assert!(doc.contains(&format!("| `{name}` |")), "docs/operations.md does not list {name}");
        }
    }
}
