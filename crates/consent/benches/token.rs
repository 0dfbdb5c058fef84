//! Token verification runs on every ingest request, before anything else.
//! The baseline is the keyed hash alone, so the gap shows what decoding and
//! claim parsing cost on top of the MAC.

use std::hint::black_box;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use veil_consent::{ClaimsInput, ConsentId, Keyring, Purposes, SecretKey, SigningKey};

const SECRET: [u8; 32] = [7; 32];
const NOW: u64 = 1_750_000_000;

fn keyring() -> Keyring {
    let secret: SecretKey = format!("hex:{}", hex::encode(SECRET)).parse().expect("valid key");
    // Two keys as during a rotation; the newer one signs.
    Keyring::new([
        SigningKey {
            id: "2025-01".parse().expect("valid id"),
            secret: SecretKey::generate(),
            retired: false,
        },
        SigningKey { id: "2025-06".parse().expect("valid id"), secret, retired: false },
    ])
    .expect("valid keyring")
}

fn bench(c: &mut Criterion) {
    let ring = keyring();
    let token = ring.mint(ClaimsInput {
        site: "shop-example".parse().expect("valid site"),
        consent_id: ConsentId::generate(),
        visitor: "n9E2tRk-_x0aB1cD2eF3gA".parse().expect("valid visitor"),
        purposes: Purposes::ALL,
        issued_at: NOW,
        ttl: Duration::from_secs(180 * 24 * 3600),
    });
    let payload_b64 = token.split('.').nth(1).expect("three parts");
    let payload = URL_SAFE_NO_PAD.decode(payload_b64).expect("base64");
    eprintln!("token: {} bytes, payload: {} bytes", token.len(), payload.len());

    let mut group = c.benchmark_group("token");
    group.bench_function("verify", |b| b.iter(|| ring.verify(black_box(&token), black_box(NOW))));
    group.bench_function("blake3_keyed_hash_baseline", |b| {
        b.iter(|| blake3::keyed_hash(black_box(&SECRET), black_box(&payload)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
