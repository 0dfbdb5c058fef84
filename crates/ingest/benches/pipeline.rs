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

/// The checkout fixture (a snapshot with a form, mutations, inputs
/// full of typed personal data) grown to about 1 MB of JSON. `pii_dense`:
/// its incremental events repeated, nearly every string must be rewritten
/// (the worst case). Otherwise a realistic mix: the fixture once, then
/// mostly mouse moves, scrolls and clicks, with a text mutation now and
/// then, as rrweb recordings of browsing are.
fn batch(pii_dense: bool) -> serde_json::Value {
    let mut batch: serde_json::Value = serde_json::from_str(FIXTURE).expect("fixture");
    let events = batch["events"].as_array().cloned().unwrap_or_default();
    let incremental: Vec<serde_json::Value> = events.iter().filter(|e| e["type"] == 3).cloned().collect();
    let mut all = events;
    let mut round: i64 = 0;
    while serde_json::to_vec(&all).map_or(0, |v| v.len()) < 1_000_000 && !incremental.is_empty() {
        round += 1;
        let ts = 1_795_514_500_000 + round * 1000;
        if pii_dense {
            for event in &incremental {
                let mut event = event.clone();
                event["timestamp"] =
                    serde_json::json!(event["timestamp"].as_i64().unwrap_or(0) + round * 1000);
                all.push(event);
            }
            continue;
        }
        let positions: Vec<_> = (0..10)
            .map(|i| serde_json::json!({"x": 100 + round % 700 + i * 3, "y": 200 + i * 7, "id": 12 + i % 5, "timeOffset": -i * 50}))
            .collect();
        all.push(
            serde_json::json!({"type": 3, "timestamp": ts, "data": {"source": 1, "positions": positions}}),
        );
        all.push(serde_json::json!({"type": 3, "timestamp": ts + 100, "data": {"source": 3, "id": 1, "x": 0, "y": round * 7 % 1600}}));
        if round % 5 == 0 {
            all.push(serde_json::json!({"type": 3, "timestamp": ts + 200, "data": {"source": 2, "type": 2, "id": 30, "x": 412, "y": 230}}));
        }
        if round % 10 == 0 {
            all.push(serde_json::json!({"type": 3, "timestamp": ts + 300, "data": {"source": 0, "texts": [{"id": 9, "value": format!("{round} items in your basket, total € 1.234,56")}],
                "attributes": [{"id": 40, "attributes": {"class": "basket updated"}}], "removes": [], "adds": []}}));
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
    for (name, pii_dense) in [("realistic", false), ("pii_dense", true)] {
        bench_batch(c, name, &batch(pii_dense));
    }
}

fn bench_batch(c: &mut Criterion, name: &str, batch: &serde_json::Value) {
    let json_len = serde_json::to_vec(batch).expect("json").len();
    let body = zstd::encode_all(&rmp_serde::to_vec_named(batch).expect("msgpack")[..], 3).expect("zstd");
    let claims = claims();
    let limits = Limits {
        max_body_bytes: 16 << 20,
        max_decompressed_bytes: 64 << 20,
        max_request_memory_bytes: 1 << 30,
        memory_budget_bytes: 1 << 30,
        max_stored_batch_bytes: 256 << 20,
        max_consent_body_bytes: 1 << 14,
    };
    // The budget as ingest uses it, so its accounting is in the figure.
    let pool = veil_events::MemoryPool::new(limits.memory_budget_bytes);
    let page_keys = veil_aggregation::PageKeyRules::default();
    let masking = veil_masking::MaskingRules::default();
    let sessions = veil_masking::SessionCache::new(veil_masking::CacheConfig::default());
    let heatmap_sessions = veil_ingest::heatmap_sessions::HeatmapSessions::new(
        std::time::Duration::from_secs(1800),
        veil_ingest::heatmap_sessions::DEFAULT_BUDGET_BYTES,
    );
    let mut group = c.benchmark_group(format!("ingest_{name}"));
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
                segments: &veil_aggregation::segment::SegmentRules::default(),
                masking: &masking,
                sessions: &sessions,
                heatmap_sessions: &heatmap_sessions,
                received_at: 1_795_514_400,
                browser: "firefox",
                user_id_key: None,
            };
            let mut budget = veil_events::Budget::new(limits.max_request_memory_bytes, Some(pool.clone()));
            black_box(process(&body, &context, &mut budget).expect("process").rows.len())
        })
    });
    group.finish();
    eprintln!("{name} batch: {json_len} bytes as JSON, {} bytes zstd MessagePack", body.len());
}

criterion_group!(benches, bench);
criterion_main!(benches);
