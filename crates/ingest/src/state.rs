//! What the browser-facing handlers share: site policies, limits, the
//! keyring, revocations, the durable queue, metrics, the rate limiter.
//! Built once by the server from its configuration.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use veil_consent::{Keyring, Purposes};
use veil_queue::Queue;

use crate::metrics::IngestMetrics;
use crate::ratelimit::RateLimiter;
use crate::revocations::Revocations;

/// A site as the browser-facing endpoints see it.
#[derive(Debug, Clone)]
pub struct SitePolicy {
    /// Canonical origins (see [`crate::origin::canonical`]).
    pub origins: Vec<String>,
    /// Purposes visitors may grant.
    pub purposes: Purposes,
    /// Whether `Sec-GPC: 1` counts as withdrawn consent.
    pub honor_gpc: bool,
    /// How page URLs become heatmap page keys.
    pub page_keys: std::sync::Arc<veil_aggregation::PageKeyRules>,
    /// The site's masking rules on top of the defaults.
    pub masking: std::sync::Arc<veil_masking::MaskingRules>,
    /// Key of the keyed BLAKE3 hash of linked user ids; without one, user
    /// ids are dropped (never stored raw).
    pub user_id_key: Option<[u8; 32]>,
    /// Which UTM parameters of a session's landing page are kept
    /// (docs/segments.md).
    pub segments: std::sync::Arc<veil_aggregation::segment::SegmentRules>,
}

/// Size limits of a request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Raw ingest body, as received.
    pub max_body_bytes: usize,
    /// Ingest body after decompression.
    pub max_decompressed_bytes: usize,
    /// Memory one ingest request may hold ([`veil_events::budget`]).
    pub max_request_memory_bytes: usize,
    /// Memory all ingest requests in flight may hold together.
    pub memory_budget_bytes: usize,
    /// Stored JSON of one batch's events.
    pub max_stored_batch_bytes: usize,
    /// Body of `/v1/consent` and `/v1/consent/withdraw`.
    pub max_consent_body_bytes: usize,
}

/// Settings of the browser-facing endpoints.
#[derive(Debug, Clone)]
pub struct IngestSettings {
    /// Sites by id.
    pub sites: HashMap<String, SitePolicy>,
    /// Request size limits.
    pub limits: Limits,
    /// Lifetime of minted tokens.
    pub token_ttl: Duration,
    /// Requests per second and client address (0: unlimited).
    pub rate_limit_per_second: u32,
    /// Burst per client address.
    pub rate_limit_burst: u32,
    /// How long masking keeps a session's state after its last batch.
    pub session_idle_timeout: Duration,
    /// How long clients should wait after a 503.
    pub retry_after: Duration,
    /// Proxies whose forwarding headers name the client.
    pub trusted_proxies: crate::client::TrustedProxies,
    /// Longest the body of one request may take to arrive (408 after).
    pub body_read_timeout: Duration,
}

/// A withdrawal asked for erasure of its visitor's data. The withdrawal row
/// (with `erase = 1`) is durable before this is sent, so a request lost
/// here (full channel, crash) is found again in the consent log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureRequest {
    /// Site id.
    pub site: String,
    /// Visitor id.
    pub visitor: String,
}

/// The handlers' shared state (`web::Data<IngestState>`).
pub struct IngestState {
    /// Settings.
    pub settings: IngestSettings,
    /// Consent-signing keys.
    pub keyring: Keyring,
    /// Withdrawn consents, kept in step with ClickHouse.
    pub revocations: Arc<Revocations>,
    /// Where accepted rows wait for ClickHouse.
    pub queue: Queue,
    /// Metrics.
    pub metrics: IngestMetrics,
    /// Per-client limits.
    pub limiter: RateLimiter,
    /// Union of every site's origins, for CORS preflights (which carry no
    /// site).
    pub all_origins: Vec<String>,
    /// Sensitive node ids per session, so form fields of a snapshot are
    /// recognised in later batches of the same session (bounded, evicted
    /// by idle time and size).
    pub sessions: veil_masking::SessionCache,
    /// Per-session heatmap state between batches, for stock rrweb
    /// recorders.
    pub heatmap_sessions: crate::heatmap_sessions::HeatmapSessions,
    /// Bounds how many bodies are decompressed and decoded at once: more
    /// than the cores would only hold memory longer. Memory itself is
    /// bounded by [`IngestState::memory`].
    pub pipeline_permits: tokio::sync::Semaphore,
    /// Memory shared by every ingest request in flight: each request's
    /// [`veil_events::Budget`] draws from it as the request reads, decodes
    /// and encodes, and gives it back when the request ends.
    pub memory: Arc<veil_events::MemoryPool>,
    /// Where withdrawals with `erase: true` are handed to the server's
    /// erasure worker; `None` leaves them to its periodic sweep.
    pub erasure_requests: Option<tokio::sync::mpsc::Sender<ErasureRequest>>,
}

impl IngestState {
    /// Assembles the state.
    pub fn new(
        settings: IngestSettings,
        keyring: Keyring,
        revocations: Arc<Revocations>,
        queue: Queue,
        metrics: IngestMetrics,
    ) -> IngestState {
        let limiter = RateLimiter::new(settings.rate_limit_per_second, settings.rate_limit_burst);
        let mut all_origins: Vec<String> =
            settings.sites.values().flat_map(|site| site.origins.iter().cloned()).collect();
        all_origins.sort();
        all_origins.dedup();
        let permits = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
        let memory = veil_events::MemoryPool::new(settings.limits.memory_budget_bytes);
        let sessions = veil_masking::SessionCache::new(veil_masking::CacheConfig {
            idle_timeout: settings.session_idle_timeout,
            ..veil_masking::CacheConfig::default()
        });
        let heatmap_sessions = crate::heatmap_sessions::HeatmapSessions::new(
            settings.session_idle_timeout,
            crate::heatmap_sessions::DEFAULT_BUDGET_BYTES,
        );
        IngestState {
            settings,
            keyring,
            revocations,
            queue,
            metrics,
            limiter,
            all_origins,
            sessions,
            heatmap_sessions,
            pipeline_permits: tokio::sync::Semaphore::new(permits),
            memory,
            erasure_requests: None,
        }
    }

    /// Hands withdrawals with erasure to `sender`.
    pub fn with_erasure_requests(mut self, sender: tokio::sync::mpsc::Sender<ErasureRequest>) -> IngestState {
        self.erasure_requests = Some(sender);
        self
    }
}
