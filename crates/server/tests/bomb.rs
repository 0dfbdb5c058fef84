//! A decompression bomb (1 GiB of zeros, zstd) is refused with 413 while
//! the server's peak memory grows by less than 64 MiB: decompression is
//! bounded and never holds more than `ingest.max_decompressed_bytes`
//! (decoded trees are bounded separately: see `memory_budget.rs`).

mod common;

use std::io::Write;

use common::{ORIGIN, demo_token};

/// 1 GiB of zeros as one zstd frame, built in 1 MiB steps.
fn bomb() -> Vec<u8> {
    let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 3).expect("zstd");
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        encoder.write_all(&zeros).expect("zstd");
    }
    encoder.finish().expect("zstd")
}

#[test]
fn a_zstd_bomb_is_refused_within_the_memory_bound() {
    let (_db, veil) = common::migrated_server();
    let bomb = bomb();
    assert!(bomb.len() < 2 << 20, "the bomb ({} bytes) must pass the raw size limit", bomb.len());
    let token = demo_token();
    let headers = [
        ("Origin", ORIGIN),
        ("X-Consent-Token", token.as_str()),
        ("Content-Type", "application/msgpack"),
        ("Content-Encoding", "zstd"),
    ];
    // Warm up allocator arenas and worker threads with one normal request.
    let warm = veil.post(
        "/v1/ingest",
        &headers,
        &common::zstd(&common::msgpack(&common::batch("demo", "7e1d2c3b-4a5f-4e6d-8c9b-0a1f2e3d4c5b", 0))),
    );
    assert_eq!(warm.status, 202);
    let (peak_before, rss_before) = veil.memory();
    for _ in 0..3 {
        let response = veil.post("/v1/ingest", &headers, &bomb);
        assert_eq!(response.status, 413, "{}", String::from_utf8_lossy(&response.body));
        assert_eq!(response.error_code(), "decompressed_too_large");
    }
    let (peak_after, _) = veil.memory();
    let growth = peak_after.saturating_sub(peak_before.max(rss_before));
    eprintln!(
        "bomb of {} bytes: peak RSS {} MiB -> {} MiB (growth {} KiB)",
        bomb.len(),
        peak_before >> 20,
        peak_after >> 20,
        growth >> 10
    );
    assert!(growth < 64 << 20, "peak memory grew by {} MiB", growth >> 20);
    assert_eq!(veil.get("/healthz").expect("healthz").0, 200);
}
