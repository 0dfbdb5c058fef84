//! The whole CPU part of ingest on a realistic batch: zstd decompression,
//! decode, purpose filter, masking, heatmap aggregation, re-encoding as
//! JSON and zstd compression of the stored payload; against the baseline
//! of decompressing and decoding alone, in the same run. Throughput is in
//! bytes of the batch as JSON (the "JSON-equivalent").

use std::hint::black_box;
use std::str::FromStr;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use veil_consent::{ClaimsInput, ConsentId, Keyring, Purposes, SecretKey, SigningKey, SiteId, VisitorId};
use veil_ingest::decompress::Encoding;
use veil_ingest::pipeline::{Context, Format, process};
use veil_ingest::state::Limits;

const FIXTURE: &str = include_str!("../../masking/tests/fixtures/checkout_batch0.json");

/// The checkout fixture (a snapshot with a form, mutations, inputs) with
/// its incremental events repeated to about 1 MB of JSON, as a long
/// batch of a busy page would be.
fn batch() -> serde_json::Value {
    let mut batch: serde_json::Value = serde_json::from_str(FIXTURE).expect("fixture");
    let events = batch["events"].as_array().cloned().unwrap_or_default();
    let incremental: Vec<serde_json::Value> = events.iter().filter(|e| e["type"] == 3).cloned().collect();
    let mut all = events;
    let mut round = 0;
    while serde_json::to_vec(&all).map_or(0, |v| v.len()) < 1_000_000 && !incremental.is_empty() {
        round += 1;
        for event in &incremental {
            let mut event = event.clone();
            event["timestamp"] = serde_json::json!(event["timestamp"].as_i64().unwrap_or(0) + round * 1000);
            all.push(event);
        }
    }
    batch["events"] = serde_json::Value::Array(all);
    batch
}

fn claims() -> veil_consent::Claims {
    let keyring = Keyring::new([SigningKey {
        id: "k1".parse().expect("key id"),
        secret: SecretKey::from_str(&format!("hex:{}", "ab".repeat(32))).expect("secret"),
        retired: false,
    }])
    .expect("keyring");
    let token = keyring.mint(ClaimsInput {
        site: SiteId::from_str("shop").expect("site"),
        consent_id: ConsentId::generate(),
        visitor: VisitorId::from_str(&"1".repeat(32)).expect("visitor"),
        purposes: Purposes::ALL,
        issued_at: 1_795_514_400,
        ttl: Duration::from_secs(3600),
    });
    keyring.verify(&token, 1_795_514_400).expect("claims")
}

fn bench(c: &mut Criterion) {
    let batch = batch();
    let json_len = serde_json::to_vec(&batch).expect("json").len();
    let body = zstd::encode_all(&rmp_serde::to_vec_named(&batch).expect("msgpack")[..], 3).expect("zstd");
    let claims = claims();
    let limits = Limits {
        max_body_bytes: 16 << 20,
        max_decompressed_bytes: 64 << 20,
        max_consent_body_bytes: 1 << 14,
    };
    let page_keys = veil_aggregation::PageKeyRules::default();
    let masking = veil_masking::MaskingRules::default();
    let sessions = veil_masking::SessionCache::new(veil_masking::CacheConfig::default());
    let mut group = c.benchmark_group("ingest");
    group.throughput(Throughput::Bytes(json_len as u64));
    group.bench_function("baseline_decompress_decode", |b| {
        b.iter(|| {
            let plain =
                veil_ingest::decompress::decompress(&body, Encoding::Zstd, limits.max_decompressed_bytes)
                    .expect("decompress");
            black_box(veil_events::decode::batch_from_msgpack(&plain).expect("decode").events.len())
        })
    });
    group.bench_function("whole_pipeline", |b| {
        b.iter(|| {
            let context = Context {
                encoding: Encoding::Zstd,
                format: Format::MsgPack,
                claims: &claims,
                granted: Purposes::ALL,
                limits: &limits,
                page_keys: &page_keys,
                masking: &masking,
                sessions: &sessions,
                received_at: 1_795_514_400,
            };
            black_box(process(&body, &context).expect("process").rows.len())
        })
    });
    group.finish();
    eprintln!("batch: {json_len} bytes as JSON, {} bytes zstd MessagePack", body.len());
}

criterion_group!(benches, bench);
criterion_main!(benches);
