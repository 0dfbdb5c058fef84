//! The configuration file (SPEC §2): what the operator sets, with a doc
//! comment on every key (docs/configuration.md is written from them),
//! defaults in one place, and [`Config::validate`] run before anything
//! starts so a bad value stops start-up with the key's name.

mod de;
mod load;
mod validate;

use std::net::SocketAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use load::{ConfigError, DEFAULT_PATH, from_toml, load};
pub use validate::ValidationError;

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The HTTP server.
    pub server: ServerConfig,
    /// Where recordings, heatmaps and logs are stored.
    pub clickhouse: ClickHouseConfig,
    /// Consent tokens.
    pub consent: ConsentConfig,
    /// Limits of the browser-facing endpoints.
    pub ingest: IngestConfig,
    /// The durable queue between ingest and ClickHouse.
    pub queue: QueueConfig,
    /// Rewriting idle sessions as compact archives.
    pub compaction: CompactionConfig,
    /// The websites this Veil records, one `[[sites]]` table each.
    pub sites: Vec<SiteConfig>,
    /// API keys for the query API and console, stored as hashes.
    pub api_keys: Vec<ApiKeyConfig>,
}

/// `[server]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// How long a graceful shutdown waits for in-flight requests before
    /// closing connections.
    #[serde(with = "humantime_serde")]
    pub shutdown_timeout: Duration,
    /// Worker threads for HTTP; 0 means one per CPU core.
    pub workers: usize,
    /// Longest a client may take to send a request's headers (408 after).
    #[serde(with = "humantime_serde")]
    pub header_read_timeout: Duration,
    /// Longest a client may take to send a request's body (408 after, and
    /// the connection is closed): a stalled upload holds its buffer.
    #[serde(with = "humantime_serde")]
    pub body_read_timeout: Duration,
    /// Requests one client address may have in flight at once (429
    /// above); 0 disables the limit.
    pub max_requests_per_client: u32,
    /// Reverse proxies (CIDRs or addresses) whose `X-Forwarded-For` /
    /// `Forwarded` header names the client, for rate limits and
    /// throttling only; the address is never stored.
    pub trusted_proxies: Vec<String>,
    /// A site whose demo shop `veil serve` serves at `/` (pages with the
    /// recorder behind a consent banner), so a first run has a page to
    /// record; absent in production, where `/` leads to the console.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo_site: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            shutdown_timeout: Duration::from_secs(30),
            workers: 0,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            max_requests_per_client: 64,
            trusted_proxies: Vec::new(),
            demo_site: None,
        }
    }
}

/// `[clickhouse]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClickHouseConfig {
    /// URL of ClickHouse's HTTP interface.
    pub url: String,
    /// Database holding Veil's tables (created by `veil migrate`).
    #[serde(deserialize_with = "de::string")]
    pub database: String,
    /// ClickHouse user.
    #[serde(deserialize_with = "de::string")]
    pub user: String,
    /// The user's password.
    #[serde(deserialize_with = "de::string", skip_serializing)]
    pub password: String,
    /// Upper bound for one ClickHouse request.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// How often readiness checks ClickHouse; `/readyz` turns 503 at most
    /// this long (plus `probe_timeout`) after ClickHouse stops answering.
    #[serde(with = "humantime_serde")]
    pub probe_interval: Duration,
    /// How long one readiness check waits for ClickHouse.
    #[serde(with = "humantime_serde")]
    pub probe_timeout: Duration,
    /// Cluster name in ClickHouse's `remote_servers`: tables are then
    /// replicated and sharded by visitor (docs/cluster.md). Absent: one
    /// node.
    pub cluster: Option<String>,
    /// One HTTP URL per shard, for schema changes ClickHouse 18.x cannot
    /// run `ON CLUSTER` (docs/cluster.md).
    #[serde(default)]
    pub shard_urls: Vec<String>,
}

impl Default for ClickHouseConfig {
    fn default() -> Self {
        ClickHouseConfig {
            url: "http://127.0.0.1:8123".into(),
            database: "veil".into(),
            user: "default".into(),
            password: String::new(),
            request_timeout: Duration::from_secs(30),
            probe_interval: Duration::from_secs(1),
            probe_timeout: Duration::from_secs(2),
            cluster: None,
            shard_urls: Vec::new(),
        }
    }
}

/// `[consent]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsentConfig {
    /// Lifetime of a consent token (humantime: `180d`, `30m`).
    #[serde(with = "humantime_serde")]
    pub token_ttl: Duration,
    /// How often each node reads new withdrawals from the consent log; a
    /// withdrawal made on another node is enforced here within this time
    /// plus `queue.ship_interval`.
    #[serde(with = "humantime_serde")]
    pub revocation_poll_interval: Duration,
    /// Signing keys, oldest first: the newest (last) non-retired key signs,
    /// every non-retired key verifies. Rotate by appending a key, then
    /// retiring the old one once its tokens have expired.
    pub keys: Vec<ConsentKeyConfig>,
}

impl Default for ConsentConfig {
    fn default() -> Self {
        ConsentConfig {
            token_ttl: Duration::from_secs(180 * 24 * 3600),
            revocation_poll_interval: Duration::from_secs(2),
            keys: Vec::new(),
        }
    }
}

/// `[ingest]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct IngestConfig {
    /// Largest ingest request body as received, in bytes (413 above).
    pub max_body_bytes: usize,
    /// Largest ingest body after decompression, in bytes (413 above). Not
    /// a memory bound by itself: a decoded tree can be 30 times its body;
    /// `max_request_memory_bytes` is the bound.
    pub max_decompressed_bytes: usize,
    /// Most memory one ingest request may hold: raw and decompressed body,
    /// decoded tree, masking's rewrites, derived rows and the stored
    /// payload, accounted while decoding (413 `batch_too_large` above).
    pub max_request_memory_bytes: usize,
    /// Most memory all ingest requests in flight may hold together (503
    /// `server_busy` with Retry-After when spent).
    pub memory_budget_bytes: usize,
    /// Largest stored form (JSON, before compression) of one batch's
    /// events (413 `stored_batch_too_large`); replay holds one at a time.
    pub max_stored_batch_bytes: usize,
    /// Largest consent or withdrawal request body, in bytes.
    pub max_consent_body_bytes: usize,
    /// Requests per second per client address (0 disables the limit).
    pub rate_limit_per_second: u32,
    /// Requests a client may send at once before the rate applies.
    pub rate_limit_burst: u32,
    /// How long masking remembers a session after its last batch (input
    /// types, blocked and masked subtrees, so a later batch's mutation on
    /// a password field is still masked). Memory grows with the sessions
    /// seen in this window (`veil_ingest_masking_sessions`). Forgetting
    /// fails closed: a later batch of a forgotten session has its mutated
    /// text and values masked wholesale until its next full snapshot.
    #[serde(with = "humantime_serde")]
    pub session_idle_timeout: Duration,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            max_body_bytes: 2 * 1024 * 1024,
            max_decompressed_bytes: 16 * 1024 * 1024,
            max_request_memory_bytes: 192 * 1024 * 1024,
            memory_budget_bytes: 768 * 1024 * 1024,
            max_stored_batch_bytes: 32 * 1024 * 1024,
            max_consent_body_bytes: 16 * 1024,
            rate_limit_per_second: 50,
            rate_limit_burst: 200,
            session_idle_timeout: Duration::from_secs(30 * 60),
        }
    }
}

/// `[compaction]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CompactionConfig {
    /// Whether `veil serve` compacts idle sessions. Off, recordings stay
    /// one row per batch (larger, equally readable).
    pub enabled: bool,
    /// How long a session must go without a batch before it is compacted.
    #[serde(with = "humantime_serde")]
    pub session_timeout: Duration,
    /// Pause between compaction runs.
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
    /// Most sessions compacted per run.
    pub sessions_per_run: u64,
    /// brotli quality of archives and chunks (0–11).
    pub quality: u32,
    /// Strings at least this long are stored once per site as chunks.
    pub chunk_min_bytes: usize,
}

impl Default for CompactionConfig {
    fn default() -> Self {
        CompactionConfig {
            enabled: true,
            session_timeout: Duration::from_secs(30 * 60),
            interval: Duration::from_secs(60),
            sessions_per_run: 200,
            quality: 11,
            chunk_min_bytes: 1024,
        }
    }
}

/// `[queue]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueueConfig {
    /// Directory of the write-ahead queues; each `veil serve` uses a
    /// subdirectory named after its listen address.
    pub dir: std::path::PathBuf,
    /// Bytes accepted but not yet in ClickHouse before ingest answers 503.
    pub max_bytes: u64,
    /// `fdatasync` before answering 202/201. Only turn off for throwaway
    /// setups: a crash may then lose acknowledged data.
    pub sync: bool,
    /// Longest a row waits before it is inserted into ClickHouse when
    /// traffic is low (ClickHouse prefers few, large inserts).
    #[serde(with = "humantime_serde")]
    pub ship_interval: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            dir: "data/queue".into(),
            max_bytes: 1024 * 1024 * 1024,
            sync: true,
            ship_interval: Duration::from_secs(1),
        }
    }
}

/// `[[consent.keys]]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentKeyConfig {
    /// Key id carried in tokens (`[A-Za-z0-9_-]{1,32}`).
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// `hex:` and 64 hex digits (`veil keys generate` prints one).
    #[serde(skip_serializing)]
    pub secret: String,
    /// A retired key no longer verifies tokens.
    #[serde(default)]
    pub retired: bool,
}

/// `[[sites]]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Site id (`[a-z0-9_-]{1,64}`), used by the recorder's `site` option.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Origins (`scheme://host[:port]`) allowed to call the browser-facing
    /// endpoints for this site.
    pub origins: Vec<String>,
    /// Purposes visitors may consent to on this site.
    #[serde(default = "default_purposes")]
    pub purposes: Vec<String>,
    /// Days recordings are kept.
    #[serde(default = "default_retention_days")]
    pub retention_days: u32,
    /// Days heatmap aggregates are kept.
    #[serde(default = "default_heatmap_retention_days")]
    pub heatmap_retention_days: u32,
    /// Heatmap cells seen by fewer distinct visitors are not shown.
    #[serde(default = "default_k_min")]
    pub k_min: u32,
    /// Treat `Sec-GPC: 1` as withdrawn consent.
    #[serde(default = "default_true")]
    pub honor_gpc: bool,
    /// `hex:` and 64 hex digits: key of the keyed hash under which the
    /// site's own user ids are stored; without it they are dropped.
    #[serde(default, skip_serializing)]
    pub user_id_secret: Option<String>,
    /// Site-specific masking rules, on top of the defaults.
    #[serde(default)]
    pub masking: SiteMaskingConfig,
    /// How page URLs become heatmap page keys.
    #[serde(default)]
    pub page_keys: PageKeysConfig,
    /// What of a session's traffic source is kept (docs/segments.md).
    #[serde(default)]
    pub segments: SegmentsConfig,
}

/// `[sites.segments]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SegmentsConfig {
    /// UTM parameters of the landing page kept per session; values that
    /// could be personal are dropped whatever is listed.
    pub utm_parameters: Vec<String>,
}

impl Default for SegmentsConfig {
    fn default() -> Self {
        SegmentsConfig {
            utm_parameters: veil_aggregation::segment::DEFAULT_UTM_PARAMETERS
                .iter()
                .map(|p| (*p).to_owned())
                .collect(),
        }
    }
}

impl SiteConfig {
    /// The site's segment rules; validation has already refused bad ones.
    pub fn segment_rules(&self) -> veil_aggregation::segment::SegmentRules {
        veil_aggregation::segment::SegmentRules::new(self.segments.utm_parameters.clone()).unwrap_or_default()
    }
}

/// `[sites.page_keys]`
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PageKeysConfig {
    /// Query parameters kept in page keys (all others are dropped).
    pub allowed_params: Vec<String>,
    /// Grouping rules, tried in order on the normalised key: the first
    /// regex that matches replaces the key (`$1` refers to captures).
    pub groups: Vec<PageGroupConfig>,
}

/// One entry of `groups`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PageGroupConfig {
    /// Regular expression over the normalised page key.
    pub regex: String,
    /// The key that replaces it.
    pub key: String,
}

/// `[sites.masking]`
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteMaskingConfig {
    /// Extra named patterns; matches are masked like built-in detectors.
    pub patterns: Vec<PatternConfig>,
    /// CSS selectors of elements replaced by an empty placeholder.
    pub block_selectors: Vec<String>,
    /// CSS selectors whose text is not masked (never password or card
    /// fields).
    pub unmask_selectors: Vec<String>,
    /// Extra attribute names whose values are masked.
    pub scrub_attributes: Vec<String>,
    /// Opt-in built-in detectors: `postcode`, `licence_plate`,
    /// `labelled_name` (see docs/masking.md for what each costs).
    pub detectors: Vec<String>,
}

/// One entry of `patterns`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PatternConfig {
    /// Rule name used in metrics and reports (`[a-z0-9_]{1,64}`).
    pub name: String,
    /// Regular expression (Rust `regex` syntax).
    pub regex: String,
}

/// `[[api_keys]]`
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyConfig {
    /// Who holds the key; shown in the audit log.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// `analyst` or `admin`.
    pub role: Role,
    /// `blake3:` and the hex BLAKE3 hash of the key (`veil apikey create`).
    pub hash: String,
}

/// What an API key may do (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Heatmaps, sessions, replay, reporting a PII leak.
    Analyst,
    /// Everything an analyst may, plus sites, rules, retention, erasure,
    /// exports and the audit log.
    Admin,
}

impl Role {
    /// The configuration's name of the role (`analyst`, `admin`), also
    /// what the access log and the console show.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }
}

fn default_purposes() -> Vec<String> {
    vec!["recording".into(), "heatmaps".into()]
}
fn default_retention_days() -> u32 {
    30
}
fn default_heatmap_retention_days() -> u32 {
    395
}
fn default_k_min() -> u32 {
    1
}
fn default_true() -> bool {
    true
}
#[cfg(test)]
mod docs_tests;
