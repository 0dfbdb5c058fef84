//! Sessions list latency (issue 6): a site's sessions index is loaded with
//! `SESSIONS` sessions of 10 batches each over 30 days, then the list the
//! console shows first (last 30 days, newest first, 50 per page) and a
//! filtered one (a page, rage clicks, at least a minute) are fetched through
//! `veil serve`'s HTTP API. Median and p99 against a baseline in the same
//! run: the same call on a site without sessions (HTTP, auth and the two
//! ClickHouse round trips).
//!
//! ```text
//! cargo build --release --bin veil
//! cargo run --release -p veil-benches --bin sessions-query -- [SESSIONS] [REQUESTS]
//! ```
//! `BENCH_VEIL_BIN` names the veil binary (default target/release/veil).

use std::time::Instant;

use veil_benches::percentiles;

const KEY: &str = "veil_bench_analyst_key";

fn main() {
    let mut args = std::env::args().skip(1);
    let sessions: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let requests: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let bin = veil_benches::veil_bin();
    let hash = blake3::hash(KEY.as_bytes()).to_hex().to_string();
    let (db, config) = veil_benches::migrated_database(
        &bin,
        "bench",
        "https://bench.example",
        &format!(
            "[[sites]]\nid = \"empty\"\norigins = [\"https://empty.example\"]\n\
             [[api_keys]]\nname = \"bench\"\nrole = \"analyst\"\nhash = \"blake3:{hash}\"\n"
        ),
    );

    // Batches end now, so every day is inside the default 30-day horizon:
    // session s starts (s mod 29) days ago; its 10 batches are 30 s apart.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let batches = sessions * 10;
    let started = Instant::now();
    db.query(&format!(
        "INSERT INTO session_index (site, session, seq, visitor, user_hash, day, received_at, first_ts, last_ts, \
         active_ms, entry_page, page_keys, device, browser, clicks, rage_clicks, dead_clicks, errors, event_count) \
         SELECT 'bench', concat('session-', toString(intDiv(number, 10)), '-0000000000'), number % 10, \
         lower(hex(intHash64(intDiv(number, 10)))), '', \
         toDate(toDateTime(intDiv(start_ms, 1000))), toDateTime(intDiv(start_ms, 1000)), start_ms, start_ms + 20000, 12000, \
         concat('https://bench.example/page/', toString(intHash32(intDiv(number, 10)) % 100)), \
         [concat('https://bench.example/page/', toString(intHash32(number) % 100))], \
         CAST(['desktop', 'tablet', 'mobile'][intHash32(intDiv(number, 10)) % 3 + 1] AS Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3)), \
         'firefox', intHash32(number) % 5, if(intHash32(number + 1) % 50 = 0, 3, 0), intHash32(number + 2) % 2, 0, 40 \
         FROM (SELECT number, toUInt64({now_ms}) - 3600000 - (intDiv(number, 10) % 29) * 86400000 \
         - (intHash32(intDiv(number, 10)) % 80000) * 1000 + (number % 10) * 30000 AS start_ms FROM numbers({batches}))"
    ));
    db.query("OPTIMIZE TABLE session_index FINAL");
    println!("loaded {sessions} sessions ({batches} batches) in {:.1} s", started.elapsed().as_secs_f64());

    let veil = veil_benches::ready_server(&bin, config);
    let auth = format!("Bearer {KEY}");
    let measure = |path: &str| -> Vec<f64> {
        (0..requests)
            .map(|_| {
                let started = Instant::now();
                let response = veil.request("GET", path, &[("Authorization", &auth)], b"");
                assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect()
    };
    let first_page = "/v1/sites/bench/sessions";
    let filtered = "/v1/sites/bench/sessions?page=https://bench.example/page/7&has=rage&min_duration=60";
    let _warm = measure(first_page);
    let (median, p99) = percentiles(measure(first_page));
    let (f_median, f_p99) = percentiles(measure(filtered));
    let (base_median, base_p99) = percentiles(measure("/v1/sites/empty/sessions"));
    let total = veil.request("GET", first_page, &[("Authorization", &auth)], b"").json()["total"].clone();
    println!("sessions list, last 30 days, 50 newest of {total}: median {median:.1} ms, p99 {p99:.1} ms");
    println!("filtered (page, rage, >= 60 s): median {f_median:.1} ms, p99 {f_p99:.1} ms");
    println!("baseline (site without sessions): median {base_median:.1} ms, p99 {base_p99:.1} ms");
    println!(
        "ratio to baseline: {:.1}x (list), {:.1}x (filtered)",
        median / base_median,
        f_median / base_median
    );
}
