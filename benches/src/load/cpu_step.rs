//! The ceiling of end-to-end ingest: the pipeline's CPU step alone
//! (decompression, decode, purpose filter, masking, heatmap rows, stored
//! payload) on the same bodies the clients send, without HTTP, the queue
//! or ClickHouse, on `threads` threads.

use std::str::FromStr;
use std::time::{Duration, Instant};

use veil_consent::Claims;
use veil_consent::{ClaimsInput, ConsentId, Keyring, Purposes, SecretKey, SigningKey, SiteId, VisitorId};
use veil_ingest::Reject;
use veil_ingest::decompress::Encoding;
use veil_ingest::pipeline::{Context, Format, Processed, process};
use veil_ingest::state::Limits;
use veil_store::rows::{QueuedRow, RecordingRow};

use super::corpus::{Body, Visit};

/// Throughput of the CPU step.
#[derive(Debug, Clone, Copy)]
pub struct CpuStep {
    /// Batches processed.
    pub batches: u64,
    /// Their decompressed bytes.
    pub plain_bytes: u64,
    /// Wall time on `threads` threads.
    pub elapsed: Duration,
    /// Threads used.
    pub threads: usize,
}

impl CpuStep {
    /// Decompressed MB (10^6 bytes) per second.
    pub fn mb_per_second(&self) -> f64 {
        self.plain_bytes as f64 / 1e6 / self.elapsed.as_secs_f64()
    }

    /// Batches per second.
    pub fn batches_per_second(&self) -> f64 {
        self.batches as f64 / self.elapsed.as_secs_f64()
    }
}

/// The pipeline as `veil serve` runs it with default masking and page key
/// rules, and the consents of the visits it is fed.
struct Harness {
    limits: Limits,
    pool: std::sync::Arc<veil_events::MemoryPool>,
    page_keys: veil_aggregation::PageKeyRules,
    masking: veil_masking::MaskingRules,
    sessions: veil_masking::SessionCache,
    heatmap_sessions: veil_ingest::heatmap_sessions::HeatmapSessions,
    now: u64,
}

impl Harness {
    fn new() -> Harness {
        let limits = Limits {
            max_body_bytes: 16 << 20,
            max_decompressed_bytes: 16 << 20,
            max_request_memory_bytes: 192 << 20,
            memory_budget_bytes: 768 << 20,
            max_stored_batch_bytes: 32 << 20,
            max_consent_body_bytes: 1 << 14,
        };
        Harness {
            pool: veil_events::MemoryPool::new(limits.memory_budget_bytes),
            limits,
            page_keys: veil_aggregation::PageKeyRules::default(),
            masking: veil_masking::MaskingRules::default(),
            sessions: veil_masking::SessionCache::new(veil_masking::CacheConfig::default()),
            heatmap_sessions: veil_ingest::heatmap_sessions::HeatmapSessions::new(
                Duration::from_secs(1800),
                veil_ingest::heatmap_sessions::DEFAULT_BUDGET_BYTES,
            ),
            now: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }

    /// A verified consent (all purposes) per visit.
    fn claims(&self, site: &str, visits: &[Visit]) -> Vec<Claims> {
        let keyring = Keyring::new([SigningKey {
            id: "k1".parse().unwrap_or_else(|e| panic!("key id: {e}")),
            secret: SecretKey::from_str(&format!("hex:{}", "cd".repeat(32)))
                .unwrap_or_else(|e| panic!("{e}")),
            retired: false,
        }])
        .unwrap_or_else(|e| panic!("keyring: {e}"));
        let site_id = SiteId::from_str(site).unwrap_or_else(|e| panic!("site: {e}"));
        visits
            .iter()
            .map(|visit| {
                let token = keyring.mint(ClaimsInput {
                    site: site_id.clone(),
                    consent_id: ConsentId::generate(),
                    visitor: VisitorId::from_str(&visit.visitor).unwrap_or_else(|e| panic!("visitor: {e}")),
                    purposes: Purposes::ALL,
                    issued_at: self.now,
                    ttl: Duration::from_secs(3600),
                });
                keyring.verify(&token, self.now).unwrap_or_else(|e| panic!("token: {e}"))
            })
            .collect()
    }

    fn process(&self, body: &Body, claims: &Claims) -> Result<Processed, Reject> {
        let context = Context {
            encoding: Encoding::Zstd,
            format: Format::MsgPack,
            claims,
            granted: Purposes::ALL,
            limits: &self.limits,
            page_keys: &self.page_keys,
            segments: &veil_aggregation::segment::SegmentRules::default(),
            masking: &self.masking,
            sessions: &self.sessions,
            heatmap_sessions: &self.heatmap_sessions,
            received_at: self.now as u32,
            browser: "chrome",
            user_id_key: None,
        };
        let mut budget =
            veil_events::Budget::new(self.limits.max_request_memory_bytes, Some(self.pool.clone()));
        process(&body.wire, &context, &mut budget)
    }
}

/// Runs every batch of `visits` through the pipeline `rounds` times, the
/// visits dealt over `threads` threads, with default masking and page key
/// rules (what the load's server runs).
pub fn measure(site: &str, visits: &[Visit], threads: usize, rounds: usize) -> CpuStep {
    let harness = Harness::new();
    let claims = harness.claims(site, visits);
    let threads = threads.max(1);
    let started = Instant::now();
    let counts: Vec<(u64, u64)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|thread| {
                let (claims, harness) = (&claims, &harness);
                scope.spawn(move || {
                    let (mut batches, mut bytes) = (0, 0);
                    for _ in 0..rounds {
                        for (index, visit) in visits.iter().enumerate().skip(thread).step_by(threads) {
                            for body in &visit.batches {
                                if let Ok(processed) = harness.process(body, &claims[index]) {
                                    std::hint::black_box(processed.rows.len());
                                    batches += 1;
                                    bytes += body.plain_len as u64;
                                }
                            }
                        }
                    }
                    (batches, bytes)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or((0, 0))).collect()
    });
    CpuStep {
        batches: counts.iter().map(|c| c.0).sum(),
        plain_bytes: counts.iter().map(|c| c.1).sum(),
        elapsed: started.elapsed(),
        threads,
    }
}

/// What the server would store for `visit`: its batches' recording rows
/// after decoding and masking, in order (the input compaction sees).
pub fn stored_batches(site: &str, visit: &Visit) -> Vec<RecordingRow> {
    let harness = Harness::new();
    let claims = harness.claims(site, std::slice::from_ref(visit));
    visit
        .batches
        .iter()
        .filter_map(|body| harness.process(body, &claims[0]).ok())
        .flat_map(|processed| processed.rows)
        .filter_map(|row| match row {
            QueuedRow::Recording(row) => Some(row),
            _ => None,
        })
        .collect()
}
