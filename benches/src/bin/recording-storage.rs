//! Stored bytes per recorded minute: a realistic visit (see
//! `veil_benches::recording`) is posted batch by batch to a real `veil
//! serve`, as the recorder does (MessagePack, zstd, consent token from
//! `POST /v1/consent`), and after ClickHouse has merged the parts the bytes
//! on disk are read from `system.parts`. The baseline, in the same run, is
//! what rrweb's documentation suggests: the same events as gzip'd JSON,
//! once as one array for the whole visit and once per batch (what a server
//! storing each posted batch as it comes would keep).
//!
//! ```text
//! cargo build --release --bin veil
//! cargo run --release -p veil-benches --bin recording-storage -- [MINUTES] [SEED]
//! ```
//! `BENCH_VEIL_BIN` names the veil binary (default target/release/veil).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use veil_benches::recording::{Recording, RecordingOptions, Rng};
use veil_benches::storage::{TableBytes, gzip, table_bytes};

const SITE: &str = "bench";
const ORIGIN: &str = "https://bench.example";

fn main() {
    let mut args = std::env::args().skip(1);
    let minutes: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10.0);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let bin = veil_benches::veil_bin();

    // The visit ends now, so its day is inside any retention horizon.
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    let start_ms = now_ms - (minutes * 60_000.0) as i64;
    let recording = Recording::generate(&RecordingOptions { minutes, seed, start_ms, ..Default::default() });
    let mut rng = Rng::new(seed ^ 0x5e55_1011);
    let session = format!("{}-{}-4{}-a{}-{}", rng.hex(8), rng.hex(4), rng.hex(3), rng.hex(3), rng.hex(12));
    let batches = recording.batches(SITE, &session);
    let recorded_minutes = recording.duration_ms() as f64 / 60_000.0;

    // Baselines: the events exactly as posted, as JSON.
    let events: Vec<&Value> = recording.events().collect();
    let raw_json = serde_json::to_vec(&events).expect("JSON");
    let gzip_whole = gzip(&raw_json).len();
    let mut raw_per_batch = 0;
    let mut gzip_per_batch = 0;
    let mut zstd_per_batch = 0;
    let mut wire = 0;
    let bodies: Vec<Vec<u8>> = batches
        .iter()
        .map(|batch| {
            let json = serde_json::to_vec(&batch["events"]).expect("JSON");
            raw_per_batch += json.len();
            gzip_per_batch += gzip(&json).len();
            zstd_per_batch += zstd::encode_all(&json[..], 3).expect("zstd").len();
            let body =
                zstd::encode_all(&rmp_serde::to_vec_named(batch).expect("msgpack")[..], 3).expect("zstd");
            wire += body.len();
            body
        })
        .collect();

    let (tables, payload_column) = store_in_veil(&bin, &batches, &bodies, recording.event_count());

    let recordings = tables.iter().find(|t| t.name == "recordings").cloned().unwrap_or_default();
    let sessions: Vec<&TableBytes> = tables.iter().filter(|t| is_session_table(&t.name)).collect();
    let with_sessions = recordings.on_disk + sessions.iter().map(|t| t.on_disk).sum::<u64>();

    let per_min = |bytes: u64| bytes as f64 / recorded_minutes;
    let first_ts = recording.events().next().and_then(|e| e["timestamp"].as_i64()).unwrap_or(0);
    let views: Vec<String> = recording
        .views
        .iter()
        .map(|v| {
            let from = v.events.first().and_then(|e| e["timestamp"].as_i64()).unwrap_or(0) - first_ts;
            format!("{} ({} nodes, from {:.1} min)", v.url, v.snapshot_nodes, from as f64 / 60_000.0)
        })
        .collect();
    println!(
        "recording: {recorded_minutes:.2} min, {} events in {} batches, seed {seed}; pages: {}",
        recording.event_count(),
        batches.len(),
        views.join(", ")
    );
    println!();
    println!("{:<52} {:>12} {:>12} {:>9}", "", "bytes", "bytes/min", "veil/this");
    let row = |label: &str, bytes: u64| {
        println!(
            "{label:<52} {bytes:>12} {:>12.0} {:>9.2}",
            per_min(bytes),
            recordings.on_disk as f64 / bytes as f64
        );
    };
    row("raw JSON, one array", raw_json.len() as u64);
    row("raw JSON, per batch", raw_per_batch as u64);
    row("gzip JSON, whole recording (baseline)", gzip_whole as u64);
    row("gzip JSON, per batch (baseline)", gzip_per_batch as u64);
    row("zstd-3 JSON, per batch (computed here)", zstd_per_batch as u64);
    row("sent: MessagePack + zstd bodies", wire as u64);
    row("Veil: recordings, bytes_on_disk", recordings.on_disk);
    row("Veil: recordings, data_compressed_bytes", recordings.compressed);
    row("Veil: recordings.payload column, compressed", payload_column);
    if sessions.is_empty() {
        println!("(no session index table in this schema)");
    } else {
        let names: Vec<&str> = sessions.iter().map(|t| t.name.as_str()).collect();
        row(&format!("Veil: recordings + {}, bytes_on_disk", names.join(" + ")), with_sessions);
    }
    println!();
    println!(
        "ratio veil/gzip (recordings bytes_on_disk): {:.2} against the whole-recording gzip, {:.2} against per-batch gzip",
        recordings.on_disk as f64 / gzip_whole as f64,
        recordings.on_disk as f64 / gzip_per_batch as f64
    );
    if !sessions.is_empty() {
        println!(
            "ratio veil/gzip (with session index): {:.2} whole, {:.2} per batch",
            with_sessions as f64 / gzip_whole as f64,
            with_sessions as f64 / gzip_per_batch as f64
        );
    }
    println!();
    println!("active parts per table after OPTIMIZE … FINAL:");
    println!(
        "{:<40} {:>6} {:>8} {:>14} {:>16} {:>14}",
        "table", "parts", "rows", "compressed", "uncompressed", "on disk"
    );
    for t in &tables {
        println!(
            "{:<40} {:>6} {:>8} {:>14} {:>16} {:>14}",
            t.name, t.parts, t.rows, t.compressed, t.uncompressed, t.on_disk
        );
    }
}

/// Tables of a sessions index, whatever the schema calls them exactly
/// (and a materialized view's inner table, `.inner.<view>`).
fn is_session_table(name: &str) -> bool {
    name.starts_with("session") || name.starts_with(".inner.session")
}

/// Posts every batch to a fresh `veil serve` and returns the active parts
/// per table and the compressed bytes of `recordings.payload`, after all
/// batches are stored and merged.
fn store_in_veil(bin: &str, batches: &[Value], bodies: &[Vec<u8>], events: usize) -> (Vec<TableBytes>, u64) {
    let (db, config) = veil_benches::migrated_database(bin, SITE, ORIGIN, "");
    let veil = veil_benches::ready_server(bin, config);

    let mut rng = Rng::new(0x7e57);
    let grant =
        serde_json::json!({"site": SITE, "purposes": ["recording", "heatmaps"], "visitor": rng.hex(32)});
    let response = veil.post(
        "/v1/consent",
        &[("Origin", ORIGIN), ("Content-Type", "application/json")],
        grant.to_string().as_bytes(),
    );
    assert_eq!(response.status, 201, "consent: {}", String::from_utf8_lossy(&response.body));
    let token = response.json()["token"].as_str().expect("token").to_owned();

    let (mut accepted, mut dropped) = (0, 0);
    for (batch, body) in batches.iter().zip(bodies) {
        let headers = [
            ("Origin", ORIGIN),
            ("X-Consent-Token", token.as_str()),
            ("Content-Type", "application/msgpack"),
            ("Content-Encoding", "zstd"),
        ];
        let response = loop {
            let response = veil.post("/v1/ingest", &headers, body);
            if response.status != 429 && response.status != 503 {
                break response;
            }
            let retry = response.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or(1);
            std::thread::sleep(Duration::from_secs(retry));
        };
        assert_eq!(
            response.status,
            202,
            "batch {}: {}",
            batch["seq"],
            String::from_utf8_lossy(&response.body)
        );
        let answer = response.json();
        accepted += answer["accepted"].as_u64().unwrap_or(0);
        dropped += answer["dropped"].as_u64().unwrap_or(0);
    }
    assert_eq!((accepted, dropped), (events as u64, 0), "every event must be stored");

    let expected = batches.len().to_string();
    let started = Instant::now();
    loop {
        let stored = db.query("SELECT count() FROM recordings");
        if stored.trim() == expected {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "recordings holds {} rows, expected {expected}",
            stored.trim()
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // A sessions index may be written by a later step than the recording
    // rows: wait until its row count stops moving.
    let session_tables: Vec<(String, String)> = db
        .query("SELECT name, engine FROM system.tables WHERE database = currentDatabase()")
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(name, engine)| (name.to_owned(), engine.to_owned()))
        .filter(|(name, _)| is_session_table(name))
        .collect();
    let merge_trees: Vec<&str> = std::iter::once("recordings")
        .chain(session_tables.iter().filter(|(_, e)| e.contains("MergeTree")).map(|(n, _)| n.as_str()))
        .collect();
    let rows = || {
        let list = merge_trees.iter().map(|n| format!("'{}'", n.replace('\'', "\\'"))).collect::<Vec<_>>();
        db.query(&format!(
            "SELECT sum(rows) FROM system.parts WHERE database = currentDatabase() AND active AND table IN ({})",
            list.join(", ")
        ))
    };
    let mut last = rows();
    loop {
        std::thread::sleep(Duration::from_millis(1_500));
        let now = rows();
        if now == last {
            break;
        }
        last = now;
    }

    for table in &merge_trees {
        db.query(&format!("OPTIMIZE TABLE `{table}` FINAL"));
    }
    drop(veil);

    let tables = table_bytes(&db);
    let payload = db.query(
        "SELECT data_compressed_bytes FROM system.columns \
         WHERE database = currentDatabase() AND table = 'recordings' AND name = 'payload'",
    );
    (tables, payload.trim().parse().unwrap_or(0))
}
