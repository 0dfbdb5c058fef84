//! The ceiling of end-to-end ingest: the pipeline's CPU step alone
//! (decompression, decode, purpose filter, masking, heatmap rows, stored
//! payload) on the same bodies the clients send, without HTTP, the queue
//! or ClickHouse, on `threads` threads.

use std::str::FromStr;
use std::time::{Duration, Instant};

use veil_consent::{ClaimsInput, ConsentId, Keyring, Purposes, SecretKey, SigningKey, SiteId, VisitorId};
use veil_ingest::decompress::Encoding;
use veil_ingest::pipeline::{Context, Format, process};
use veil_ingest::state::Limits;

use super::corpus::Visit;

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

/// Runs every batch of `visits` through the pipeline `rounds` times, the
/// visits dealt over `threads` threads, with default masking and page key
/// rules (what the load's server runs).
pub fn measure(site: &str, visits: &[Visit], threads: usize, rounds: usize) -> CpuStep {
    let keyring = Keyring::new([SigningKey {
        id: "k1".parse().unwrap_or_else(|e| panic!("key id: {e}")),
        secret: SecretKey::from_str(&format!("hex:{}", "cd".repeat(32))).unwrap_or_else(|e| panic!("{e}")),
        retired: false,
    }])
    .unwrap_or_else(|e| panic!("keyring: {e}"));
    let limits = Limits {
        max_body_bytes: 16 << 20,
        max_decompressed_bytes: 16 << 20,
        max_request_memory_bytes: 192 << 20,
        memory_budget_bytes: 768 << 20,
        max_stored_batch_bytes: 32 << 20,
        max_consent_body_bytes: 1 << 14,
    };
    let pool = veil_events::MemoryPool::new(limits.memory_budget_bytes);
    let page_keys = veil_aggregation::PageKeyRules::default();
    let masking = veil_masking::MaskingRules::default();
    let sessions = veil_masking::SessionCache::new(veil_masking::CacheConfig::default());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let site_id = SiteId::from_str(site).unwrap_or_else(|e| panic!("site: {e}"));
    let claims: Vec<_> = visits
        .iter()
        .map(|visit| {
            let token = keyring.mint(ClaimsInput {
                site: site_id.clone(),
                consent_id: ConsentId::generate(),
                visitor: VisitorId::from_str(&visit.visitor).unwrap_or_else(|e| panic!("visitor: {e}")),
                purposes: Purposes::ALL,
                issued_at: now,
                ttl: Duration::from_secs(3600),
            });
            keyring.verify(&token, now).unwrap_or_else(|e| panic!("token: {e}"))
        })
        .collect();
    let threads = threads.max(1);
    let started = Instant::now();
    let counts: Vec<(u64, u64)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|thread| {
                let (claims, limits, pool) = (&claims, &limits, &pool);
                let (page_keys, masking, sessions) = (&page_keys, &masking, &sessions);
                scope.spawn(move || {
                    let (mut batches, mut bytes) = (0, 0);
                    for _ in 0..rounds {
                        for (index, visit) in visits.iter().enumerate().skip(thread).step_by(threads) {
                            for body in &visit.batches {
                                let context = Context {
                                    encoding: Encoding::Zstd,
                                    format: Format::MsgPack,
                                    claims: &claims[index],
                                    granted: Purposes::ALL,
                                    limits,
                                    page_keys,
                                    masking,
                                    sessions,
                                    received_at: now as u32,
                                    browser: "chrome",
                                    user_id_key: None,
                                };
                                let mut budget = veil_events::Budget::new(
                                    limits.max_request_memory_bytes,
                                    Some(pool.clone()),
                                );
                                if let Ok(processed) = process(&body.wire, &context, &mut budget) {
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
