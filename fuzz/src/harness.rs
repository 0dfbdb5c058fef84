//! The ingest pipeline harness, shared by the `ingest_pipeline` fuzz
//! target and the suite's short run of it
//! (`crates/ingest/tests/untrusted_bodies.rs` includes this file), so the
//! two check the same thing. Only std and Veil's own crates here: the
//! suite builds it on stable, without libFuzzer.

use std::str::FromStr;
use std::time::Duration;

use veil_consent::{
    Claims, ClaimsInput, ConsentId, Keyring, Purposes, SecretKey, SigningKey, SiteId, VisitorId,
};
use veil_ingest::Reject;
use veil_ingest::decompress::Encoding;
use veil_ingest::pipeline::{Context, Format, Processed, process};
use veil_ingest::state::Limits;

/// The site of the seed batches (`crates/*/tests/fixtures`).
pub const SITE: &str = "shop";

/// Unix seconds the harness treats as "now" (fixed: a run must replay).
pub const NOW: u64 = 1_700_000_000;

/// One signing key, as a configuration with a single `[[consent.keys]]`.
pub fn keyring() -> Keyring {
    let key = SigningKey {
        id: "k1".parse().expect("key id"),
        secret: SecretKey::from_str(&format!("hex:{}", "cd".repeat(32))).expect("secret"),
        retired: false,
    };
    Keyring::new([key]).expect("keyring")
}

/// Verified claims for [`SITE`] with every purpose granted, so inputs get
/// past the consent checks into the parsers behind them.
pub fn claims(keyring: &Keyring) -> Claims {
    let token = keyring.mint(ClaimsInput {
        site: SiteId::from_str(SITE).expect("site"),
        consent_id: ConsentId::generate(),
        visitor: VisitorId::from_str(&"ab".repeat(16)).expect("visitor"),
        purposes: Purposes::ALL,
        issued_at: NOW,
        ttl: Duration::from_secs(3600),
    });
    keyring.verify(&token, NOW).expect("a freshly minted token verifies")
}

/// What the pipeline needs besides the body; built once per run (the
/// masking rules compile their detectors).
pub struct Fixture {
    claims: Claims,
    limits: Limits,
    page_keys: veil_aggregation::PageKeyRules,
    masking: veil_masking::MaskingRules,
    sessions: veil_masking::SessionCache,
    heatmap_sessions: veil_ingest::heatmap_sessions::HeatmapSessions,
}

impl Fixture {
    /// Default masking and page-key rules, small limits so inputs reach
    /// them (the shipped ones are larger).
    pub fn new() -> Fixture {
        Fixture {
            claims: claims(&keyring()),
            limits: Limits {
                max_body_bytes: 1 << 20,
                max_decompressed_bytes: 4 << 20,
                max_request_memory_bytes: 32 << 20,
                memory_budget_bytes: 64 << 20,
                max_stored_batch_bytes: 4 << 20,
                max_consent_body_bytes: 1 << 14,
            },
            page_keys: veil_aggregation::PageKeyRules::default(),
            masking: veil_masking::MaskingRules::default(),
            sessions: veil_masking::SessionCache::new(veil_masking::CacheConfig::default()),
            heatmap_sessions: veil_ingest::heatmap_sessions::HeatmapSessions::new(
                std::time::Duration::from_secs(1800),
                veil_ingest::heatmap_sessions::DEFAULT_BUDGET_BYTES,
            ),
        }
    }

    /// Runs the pipeline on a fuzz input: its first byte picks the
    /// encoding (low 7 bits mod 3: identity, zstd, gzip) and the format
    /// (high bit: MessagePack, else JSON), as the request headers would;
    /// the rest is the body. `None` for an empty input.
    pub fn process(&self, input: &[u8]) -> Option<Result<Processed, Reject>> {
        let (&selector, body) = input.split_first()?;
        let encoding =
            [Encoding::Identity, Encoding::Zstd, Encoding::Gzip][usize::from((selector & 0x7f) % 3)];
        let format = if selector & 0x80 == 0 { Format::Json } else { Format::MsgPack };
        let context = Context {
            encoding,
            format,
            claims: &self.claims,
            granted: Purposes::ALL,
            limits: &self.limits,
            page_keys: &self.page_keys,
            segments: &veil_aggregation::segment::SegmentRules::default(),
            masking: &self.masking,
            sessions: &self.sessions,
            heatmap_sessions: &self.heatmap_sessions,
            received_at: NOW as u32,
            browser: "chrome",
            user_id_key: None,
        };
        let mut budget = veil_events::Budget::new(self.limits.max_request_memory_bytes, None);
        Some(process(body, &context, &mut budget))
    }

    /// The invariant: no panic (the caller's process survives), and what
    /// is accepted stayed within the decompression limit.
    pub fn check(&self, input: &[u8]) -> Result<(), String> {
        match self.process(input) {
            Some(Ok(processed)) if processed.decompressed_bytes > self.limits.max_decompressed_bytes => {
                Err(format!("{} bytes decompressed", processed.decompressed_bytes))
            }
            _ => Ok(()),
        }
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Fixture::new()
    }
}

/// The first byte of a fuzz input for `encoding` (0 identity, 1 zstd,
/// 2 gzip) and MessagePack or JSON.
pub fn selector(encoding: u8, msgpack: bool) -> u8 {
    (encoding % 3) | if msgpack { 0x80 } else { 0 }
}
