//! The decoders' memory accounting against the allocator: for hostile and
//! ordinary shapes, what a [`Budget`] was charged covers the heap the
//! decoded tree really holds, and a spent budget stops decoding before the
//! heap grows past it. Without this, a limit on the body's size would not
//! bound memory: one-byte values decode into 32-byte tree nodes.

#![allow(clippy::unwrap_used)]

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use veil_events::decode::{self, Bounds};
use veil_events::{Budget, DecodeError, MemoryPool};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The allocator's counters are process-wide: tests that read them run
/// one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

const SITE: &str = "shop";
const SESSION: &str = "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f";

/// A MessagePack batch whose one event's `data` is `payload` (already
/// encoded), with `site` first as the recorder writes it.
fn msgpack_batch(site: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.push(0x87); // map of 7
    for (key, value) in [("site", site), ("session", SESSION)] {
        str_(&mut out, key);
        str_(&mut out, value);
    }
    str_(&mut out, "v");
    out.push(1);
    str_(&mut out, "seq");
    out.push(0);
    str_(&mut out, "page");
    out.push(0x81);
    str_(&mut out, "url");
    str_(&mut out, "https://shop.example/");
    str_(&mut out, "viewport");
    out.push(0x82);
    str_(&mut out, "w");
    out.extend([0xcd, 0x05, 0x00]);
    str_(&mut out, "h");
    out.extend([0xcd, 0x02, 0xd0]);
    str_(&mut out, "events");
    out.push(0x91);
    out.push(0x83);
    str_(&mut out, "type");
    out.push(3);
    str_(&mut out, "timestamp");
    out.extend([0xcf, 0, 0, 1, 0x8b, 0xcf, 0xe5, 0x68, 0]);
    str_(&mut out, "data");
    out.extend_from_slice(payload);
    out
}

fn str_(out: &mut Vec<u8>, s: &str) {
    assert!(s.len() < 256);
    out.extend([0xd9, s.len() as u8]);
    out.extend_from_slice(s.as_bytes());
}

fn array32(n: usize) -> Vec<u8> {
    let mut out = vec![0xdd];
    out.extend((n as u32).to_be_bytes());
    out
}

/// `n` one-byte integers in one array: the amplification of issue 17.
fn ints(n: usize) -> Vec<u8> {
    let mut out = array32(n);
    out.resize(out.len() + n, 0x01);
    out
}

/// `n` arrays of one integer each: many tiny allocations.
fn tiny_arrays(n: usize) -> Vec<u8> {
    let mut out = array32(n);
    for _ in 0..n {
        out.extend([0x91, 0x01]);
    }
    out
}

/// A map of `n` entries with short keys.
fn wide_map(n: usize) -> Vec<u8> {
    let mut out = vec![0xdf];
    out.extend((n as u32).to_be_bytes());
    for i in 0..n {
        let key = format!("{i:x}");
        out.push(0xa0 | key.len() as u8);
        out.extend_from_slice(key.as_bytes());
        out.push(0xc0);
    }
    out
}

/// rrweb-like nodes: maps of a few keys with child arrays, strings borrowed.
fn nodes(n: usize) -> Vec<u8> {
    let mut out = array32(n);
    for i in 0..n {
        out.push(0x84);
        str_(&mut out, "id");
        out.extend([0xce]);
        out.extend((i as u32).to_be_bytes());
        str_(&mut out, "tagName");
        str_(&mut out, "div");
        str_(&mut out, "attributes");
        out.push(0x81);
        str_(&mut out, "class");
        str_(&mut out, "product-card product-card--wide");
        str_(&mut out, "childNodes");
        out.push(0x90);
    }
    out
}

/// What decoding `body` with an unlimited budget leaves live on the heap,
/// and what the budget was charged.
fn live_and_charged(body: &[u8], json: bool) -> (usize, usize) {
    let mut budget = Budget::unlimited();
    let region = Region::new(GLOBAL);
    let batch = if json {
        decode::batch_from_json_within(body, Bounds { budget: &mut budget, site: None, session_page: None })
    } else {
        decode::batch_from_msgpack_within(
            body,
            Bounds { budget: &mut budget, site: None, session_page: None },
        )
    }
    .unwrap();
    let stats = region.change();
    let live = stats.bytes_allocated.saturating_sub(stats.bytes_deallocated);
    drop(batch);
    (live, budget.used())
}

#[test]
fn the_charge_covers_what_the_tree_holds() {
    let _serial = serial();
    let shapes: [(&str, Vec<u8>); 4] = [
        ("one-byte integers", ints(200_000)),
        ("tiny arrays", tiny_arrays(100_000)),
        ("a wide map", wide_map(100_000)),
        ("rrweb-like nodes", nodes(20_000)),
    ];
    for (name, payload) in shapes {
        let body = msgpack_batch(SITE, &payload);
        let (live, charged) = live_and_charged(&body, false);
        eprintln!(
            "{name}: {} KiB body, {} KiB live, {} KiB charged",
            body.len() >> 10,
            live >> 10,
            charged >> 10
        );
        assert!(charged >= live, "{name}: charged {charged} < live {live}");
        // Reallocations are charged whole (see `Budget::charge_growth`):
        // a doubling chain costs about twice its last block.
        assert!(charged <= 2 * live + 4096, "{name}: charged {charged} far above live {live}");
    }
}

#[test]
fn json_escapes_are_charged_as_owned_strings() {
    let _serial = serial();
    let strings: Vec<String> = (0..50_000).map(|i| format!("line\\n{i}")).collect();
    let data = format!("[\"{}\"]", strings.join("\",\""));
    let body = format!(
        r#"{{"v":1,"site":"{SITE}","session":"{SESSION}","seq":0,"page":{{"url":"https://shop.example/"}},
        "viewport":{{"w":1280,"h":720}},"events":[{{"type":3,"timestamp":1700000000000,"data":{data}}}]}}"#
    );
    let (live, charged) = live_and_charged(body.as_bytes(), true);
    eprintln!("escaped strings: {} KiB live, {} KiB charged", live >> 10, charged >> 10);
    assert!(charged >= live, "charged {charged} < live {live}");
}

#[test]
fn a_spent_budget_stops_the_decode_before_the_heap_passes_it() {
    let _serial = serial();
    // 16 MiB of one-byte integers would decode to 512 MiB of tree.
    let body = msgpack_batch(SITE, &ints(16 << 20));
    let limit = 8 << 20;
    let mut budget = Budget::new(limit, None);
    let region = Region::new(GLOBAL);
    let result = decode::batch_from_msgpack_within(
        &body,
        Bounds { budget: &mut budget, site: None, session_page: None },
    );
    let peak_ish = region.change().bytes_allocated;
    assert_eq!(result.unwrap_err(), DecodeError::TooLarge { limit });
    // Everything allocated on the way (the last doubling included) stays
    // within the limit plus the vector's final doubling step.
    assert!(peak_ish <= 2 * limit, "allocated {} MiB", peak_ish >> 20);
}

#[test]
fn an_exhausted_pool_answers_busy_and_is_refilled_by_drop() {
    let _serial = serial();
    // 2 MiB of tree, charged about 4 MiB (a doubling chain).
    let pool = MemoryPool::new(5 << 20);
    let body = msgpack_batch(SITE, &ints(60_000));
    let mut first = Budget::new(usize::MAX, Some(pool.clone()));
    let held = decode::batch_from_msgpack_within(
        &body,
        Bounds { budget: &mut first, site: None, session_page: None },
    )
    .unwrap();
    let mut second = Budget::new(usize::MAX, Some(pool.clone()));
    let refused = decode::batch_from_msgpack_within(
        &body,
        Bounds { budget: &mut second, site: None, session_page: None },
    );
    assert_eq!(refused.unwrap_err(), DecodeError::MemoryBusy);
    drop(second);
    drop(held);
    drop(first);
    assert_eq!(pool.in_use(), 0);
    let mut third = Budget::new(usize::MAX, Some(pool.clone()));
    assert!(
        decode::batch_from_msgpack_within(
            &body,
            Bounds { budget: &mut third, site: None, session_page: None }
        )
        .is_ok()
    );
}

#[test]
fn another_sites_batch_is_refused_before_its_events_are_decoded() {
    let _serial = serial();
    let body = msgpack_batch("other", &ints(1 << 20));
    let mut budget = Budget::new(usize::MAX, None);
    let result = decode::batch_from_msgpack_within(
        &body,
        Bounds { budget: &mut budget, site: Some(SITE), session_page: None },
    );
    assert_eq!(result.unwrap_err(), DecodeError::UnexpectedSite);
    assert!(budget.used() < 4096, "charged {} before refusing", budget.used());
    let json = br#"{"site":"other","v":1,"events":[1,2,3]}"#;
    let mut budget = Budget::unlimited();
    let result = decode::batch_from_json_within(
        json,
        Bounds { budget: &mut budget, site: Some(SITE), session_page: None },
    );
    assert_eq!(result.unwrap_err(), DecodeError::UnexpectedSite);
    // The right site decodes.
    let body = msgpack_batch(SITE, &ints(10));
    let mut budget = Budget::unlimited();
    assert!(
        decode::batch_from_msgpack_within(
            &body,
            Bounds { budget: &mut budget, site: Some(SITE), session_page: None }
        )
        .is_ok()
    );
}
