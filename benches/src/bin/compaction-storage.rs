//! Stored bytes per recorded minute once sessions are compacted: a corpus
//! of visits to one site (`veil_benches::load::corpus`: one site's style
//! sheets, a webshop's mix of bounces, browsing and checkouts, returning
//! visitors) is posted by recorder-like clients to a real `veil serve`
//! (compaction off), measured after `OPTIMIZE … FINAL`, then compacted by
//! `veil compaction run --idle 0s` and measured again: every table that
//! holds recording data, chunks included. Baselines, in the same run: the
//! same events as gzip'd JSON, one stream per visit and one per batch.
//! Replay of every session is compared before and after (as JSON values).
//! A single visit alone, in a database of its own, is measured the same
//! way (no other visit shares its chunks).
//!
//! ```text
//! cargo build --release --bin veil
//! cargo run --release -p veil-benches --bin compaction-storage -- [--visits 200] [--quality 11]
//! ```
//! `BENCH_VEIL_BIN` names the veil binary (default target/release/veil).

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use serde_json::Value;
use veil_benches::load::corpus::{CorpusOptions, Visit, corpus};
use veil_benches::load::driver::{Load, LoadOptions, prepared};
use veil_benches::load::{cpu_step, probe};
use veil_benches::recording::Journey;
use veil_benches::storage::{TableBytes, gzip, optimize_all, table_bytes};
use veil_test_support::TestDatabase;

const SITE: &str = "bench";
const ORIGIN: &str = "https://bench.example";
const ANALYST_KEY: &str = "veil_bench_analyst_key";
/// Tables that hold recorded events (the rest hold heatmap cells,
/// consents and the session index, which compaction does not touch).
const RECORDING_TABLES: [&str; 3] = ["recordings", "recording_archives", "recording_chunks"];

#[derive(Debug, Parser)]
#[command(about = "Stored bytes of compacted recordings against gzip'd JSON")]
struct Args {
    /// Visits in the corpus.
    #[arg(long, default_value_t = 200)]
    visits: usize,
    /// Shortest visit in minutes.
    #[arg(long, default_value_t = 0.5)]
    min_minutes: f64,
    /// Longest visit in minutes.
    #[arg(long, default_value_t = 15.0)]
    max_minutes: f64,
    /// Share of visits by a returning visitor.
    #[arg(long, default_value_t = 0.3)]
    returning: f64,
    /// Corpus seed.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// `compaction.quality` (brotli quality of archives and chunks).
    #[arg(long, default_value_t = 11)]
    quality: u32,
    /// Concurrent clients posting the corpus.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Length of the single visit measured alone, in minutes.
    #[arg(long, default_value_t = 10.0)]
    single_minutes: f64,
}

fn main() {
    let args = Args::parse();
    let bin = veil_benches::veil_bin();
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    // Every visit ends before now, inside any retention horizon.
    let span_ms = args.visits as i64 * 7_000 + (args.max_minutes * 60_000.0) as i64 + 120_000;
    let options = CorpusOptions {
        site: SITE.to_owned(),
        visits: args.visits,
        minutes: (args.min_minutes, args.max_minutes),
        returning: args.returning,
        beacons: 0.3,
        seed: args.seed,
        start_ms: now_ms - span_ms,
        site_seed: Some(1),
        journey: None,
    };
    let visits = corpus(&options);
    let single = corpus(&CorpusOptions {
        visits: 1,
        minutes: (args.single_minutes, args.single_minutes),
        returning: 0.0,
        seed: 42,
        start_ms: now_ms - (args.single_minutes * 60_000.0) as i64 - 60_000,
        journey: Some(Journey::Checkout),
        ..options.clone()
    });

    let step = cpu_step::measure(SITE, &visits, 1, 1);
    let corpus_run = measure_run(&bin, &args, &visits);
    let single_run = measure_run(&bin, &args, &single);

    let visitors: HashSet<&str> = visits.iter().map(|v| v.visitor.as_str()).collect();
    let mut pages: BTreeMap<usize, usize> = BTreeMap::new();
    for visit in &corpus_run.baseline.pages_per_visit {
        *pages.entry(*visit).or_default() += 1;
    }
    let pages: Vec<String> = pages.iter().map(|(n, visits)| format!("{n} page(s): {visits}")).collect();
    println!(
        "corpus: {} visits by {} visitors, {:.1} recorded minutes, {} batches, {} events; {}",
        visits.len(),
        visitors.len(),
        corpus_run.baseline.minutes,
        corpus_run.baseline.batches,
        corpus_run.baseline.events,
        pages.join(", ")
    );
    println!("compaction.quality {}", args.quality);
    println!();
    corpus_run.print("corpus");
    println!();
    let ingest_per_min = step.elapsed.as_secs_f64() / corpus_run.baseline.minutes;
    let compaction_per_min = corpus_run.compaction_cpu / corpus_run.baseline.minutes;
    println!("CPU per recorded minute (one core):");
    println!("  ingest CPU step (in process, 1 thread)  {:>9.2} ms", ingest_per_min * 1e3);
    println!(
        "  veil serve during ingest (end to end)   {:>9.2} ms",
        corpus_run.ingest_cpu / corpus_run.baseline.minutes * 1e3
    );
    println!(
        "  veil compaction run                     {:>9.2} ms  ({:.2}× the ingest CPU step)",
        compaction_per_min * 1e3,
        compaction_per_min / ingest_per_min
    );
    if let Some(clickhouse) = corpus_run.clickhouse_cpu {
        println!(
            "  ClickHouse during compaction            {:>9.2} ms",
            clickhouse / corpus_run.baseline.minutes * 1e3
        );
    }
    println!(
        "  compaction wall time: {:.1} s for {} sessions",
        corpus_run.compaction_wall.as_secs_f64(),
        visits.len()
    );
    println!();
    single_run.print("single visit");
    println!();
    println!(
        "replay equal before and after compaction: {} of {} sessions (corpus), {} of {} (single)",
        corpus_run.replay_equal,
        visits.len(),
        single_run.replay_equal,
        single.len()
    );
    assert_eq!(corpus_run.replay_equal, visits.len(), "a compacted session replays differently");
    assert_eq!(single_run.replay_equal, single.len(), "the compacted single visit replays differently");
}

/// The gzip baselines of a set of visits.
#[derive(Debug, Default)]
struct Baseline {
    raw_json: u64,
    gzip_whole: u64,
    gzip_per_batch: u64,
    minutes: f64,
    batches: usize,
    events: usize,
    pages_per_visit: Vec<usize>,
}

impl Baseline {
    /// The events exactly as posted (decoded from the wire bodies), as
    /// JSON: one array per visit and one per batch.
    // The bodies are the generator's own, not untrusted input.
    #[allow(clippy::disallowed_methods)]
    fn of(visits: &[Visit]) -> Baseline {
        let mut baseline = Baseline::default();
        for visit in visits {
            let mut all: Vec<Value> = Vec::new();
            let mut urls = HashSet::new();
            for body in &visit.batches {
                let batch = body.batch();
                urls.insert(batch["page"]["url"].as_str().unwrap_or_default().to_owned());
                let events = batch["events"].as_array().cloned().unwrap_or_default();
                let json = serde_json::to_vec(&events).expect("JSON");
                baseline.gzip_per_batch += gzip(&json).len() as u64;
                baseline.batches += 1;
                baseline.events += events.len();
                all.extend(events);
            }
            let json = serde_json::to_vec(&all).expect("JSON");
            baseline.raw_json += json.len() as u64;
            baseline.gzip_whole += gzip(&json).len() as u64;
            let ts = |e: Option<&Value>| e.and_then(|e| e["timestamp"].as_i64()).unwrap_or(0);
            baseline.minutes += (ts(all.last()) - ts(all.first())) as f64 / 60_000.0;
            baseline.pages_per_visit.push(urls.len());
        }
        baseline
    }
}

/// One database's figures, before and after compaction.
struct Run {
    baseline: Baseline,
    before: Vec<TableBytes>,
    after: Vec<TableBytes>,
    ingest_cpu: f64,
    compaction_cpu: f64,
    clickhouse_cpu: Option<f64>,
    compaction_wall: Duration,
    replay_equal: usize,
}

impl Run {
    fn print(&self, label: &str) {
        let b = &self.baseline;
        let bytes = |tables: &[TableBytes], names: &[&str]| -> u64 {
            tables.iter().filter(|t| names.contains(&t.name.as_str())).map(|t| t.on_disk).sum()
        };
        let index: Vec<&str> = self
            .after
            .iter()
            .map(|t| t.name.as_str())
            .filter(|n| n.starts_with("session") || n.starts_with(".inner.session"))
            .collect();
        println!("{label}: {:.1} recorded minutes", b.minutes);
        println!(
            "{:<52} {:>12} {:>11} {:>12} {:>14}",
            "", "bytes", "bytes/min", "÷ gzip visit", "÷ gzip batch"
        );
        let row = |name: &str, value: u64| {
            println!(
                "{name:<52} {value:>12} {:>11.0} {:>12.3} {:>14.3}",
                value as f64 / b.minutes,
                value as f64 / b.gzip_whole as f64,
                value as f64 / b.gzip_per_batch as f64
            );
        };
        row("raw JSON, one array per visit", b.raw_json);
        row("gzip JSON, whole visit (baseline)", b.gzip_whole);
        row("gzip JSON, per batch (baseline)", b.gzip_per_batch);
        row("Veil before compaction: recordings", bytes(&self.before, &RECORDING_TABLES));
        for table in RECORDING_TABLES {
            row(&format!("Veil compacted: {table}"), bytes(&self.after, &[table]));
        }
        row("Veil compacted: all recording tables", bytes(&self.after, &RECORDING_TABLES));
        let with_index: Vec<&str> = RECORDING_TABLES.iter().copied().chain(index.iter().copied()).collect();
        row(&format!("Veil compacted: + {}", index.join(" + ")), bytes(&self.after, &with_index));
        println!(
            "  {:<20} {:>6} {:>8} {:>12} {:>14} {:>12}",
            "active parts", "parts", "rows", "compressed", "uncompressed", "on disk"
        );
        for t in self.after.iter().filter(|t| with_index.contains(&t.name.as_str())) {
            println!(
                "  {:<20} {:>6} {:>8} {:>12} {:>14} {:>12}",
                t.name, t.parts, t.rows, t.compressed, t.uncompressed, t.on_disk
            );
        }
    }
}

/// Posts `visits` to a fresh database through `veil serve` (compaction
/// off), measures, compacts with `veil compaction run`, measures again.
fn measure_run(bin: &str, args: &Args, visits: &[Visit]) -> Run {
    let baseline = Baseline::of(visits);
    let extra = format!(
        "[compaction]\nenabled = false\nquality = {}\n\n[[api_keys]]\nname = \"bench\"\nrole = \"analyst\"\n\
         hash = \"blake3:{}\"\n",
        args.quality,
        blake3::hash(ANALYST_KEY.as_bytes()).to_hex()
    );
    let (db, config) = veil_benches::migrated_database(bin, SITE, ORIGIN, &extra);
    let dir = veil_test_support::TempDir::new("compaction-bench");
    let config_path = dir.path().join("veil.toml");
    std::fs::write(&config_path, &config).expect("writing config");
    let veil = veil_benches::ready_server(bin, config);

    let cpu_before = probe::cpu_seconds(veil.pid()).unwrap_or(0.0);
    let outcome = Load::start(
        prepared(visits.to_vec()),
        LoadOptions {
            base_urls: vec![veil.base_url().to_owned()],
            origin: ORIGIN.to_owned(),
            site: SITE.to_owned(),
            clients: args.clients,
            duration: Duration::from_secs(3_600),
            ..LoadOptions::default()
        },
    )
    .wait();
    assert!(outcome.given_up.is_empty(), "batches given up: {:?}", outcome.given_up);
    assert_eq!(outcome.acknowledged.len(), baseline.batches, "every batch must be answered 202");
    // The session index is written by a later step than the recordings.
    for table in ["recordings", "session_index"] {
        wait_for_batches(&db, table, baseline.batches);
    }
    let ingest_cpu = probe::cpu_seconds(veil.pid()).unwrap_or(0.0) - cpu_before;

    let replay: Vec<blake3::Hash> = visits.iter().map(|v| replay_hash(&veil, &v.session)).collect();
    optimize_all(&db);
    let before = table_bytes(&db);

    let clickhouse = db.instance().pid();
    let clickhouse_before = clickhouse.and_then(probe::cpu_seconds);
    let children_before = children_cpu_seconds();
    let started = Instant::now();
    let output = std::process::Command::new(bin)
        .args(["compaction", "run", "--idle", "0s", "--config"])
        .arg(&config_path)
        .env_remove("VEIL_CONFIG")
        .output()
        .unwrap_or_else(|e| panic!("running {bin} compaction run: {e}"));
    let compaction_wall = started.elapsed();
    assert!(
        output.status.success(),
        "veil compaction run failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let compaction_cpu = children_cpu_seconds() - children_before;
    let clickhouse_cpu =
        clickhouse.and_then(probe::cpu_seconds).zip(clickhouse_before).map(|(after, before)| after - before);
    let left = db.query("SELECT count() FROM recordings");
    assert_eq!(left.trim(), "0", "per-batch rows left after compaction");

    let replay_equal = visits
        .iter()
        .zip(&replay)
        .filter(|(visit, hash)| replay_hash(&veil, &visit.session) == **hash)
        .count();
    optimize_all(&db);
    let after = table_bytes(&db);
    Run { baseline, before, after, ingest_cpu, compaction_cpu, clickhouse_cpu, compaction_wall, replay_equal }
}

/// Waits until `table` holds a row of each of the `expected` batches.
fn wait_for_batches(db: &TestDatabase, table: &str, expected: usize) {
    let started = Instant::now();
    loop {
        let rows = db.query(&format!("SELECT uniqExact(session, seq) FROM {table}"));
        if rows.trim() == expected.to_string() {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "{table} holds {} rows, expected {expected}",
            rows.trim()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// A hash of a session's replay as JSON values (object keys in sorted
/// order, so key order does not count, as for JSON value equality).
fn replay_hash(veil: &veil_test_support::VeilProcess, session: &str) -> blake3::Hash {
    let auth = format!("Bearer {ANALYST_KEY}");
    let path = format!("/v1/sites/{SITE}/sessions/{session}/events");
    let started = Instant::now();
    let response = loop {
        let response = veil.request("GET", &path, &[("Authorization", auth.as_str())], b"");
        // The store may be busy merging; the console would retry too.
        if response.status != 503 || started.elapsed() > Duration::from_secs(30) {
            break response;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let log = veil.log();
    let tail = &log[log.len().saturating_sub(3_000)..];
    assert_eq!(
        response.status,
        200,
        "replay of {session}: {}\n{tail}",
        String::from_utf8_lossy(&response.body)
    );
    let events = response.json();
    assert!(events.as_array().is_some_and(|e| !e.is_empty()), "replay of {session} is empty");
    let mut hasher = blake3::Hasher::new();
    feed(&mut hasher, &events);
    hasher.finalize()
}

fn feed(hasher: &mut blake3::Hasher, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            hasher.update(b"{");
            for key in keys {
                hasher.update(serde_json::to_string(key).unwrap_or_default().as_bytes());
                hasher.update(b":");
                feed(hasher, &map[key]);
            }
            hasher.update(b"}");
        }
        Value::Array(items) => {
            hasher.update(b"[");
            for item in items {
                feed(hasher, item);
                hasher.update(b",");
            }
            hasher.update(b"]");
        }
        scalar => {
            hasher.update(scalar.to_string().as_bytes());
        }
    }
}

/// CPU seconds of this process's children that have been waited for
/// (`cutime` + `cstime` of `/proc/self/stat`).
fn children_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rfind(')').map_or("", |i| &stat[i + 1..]);
    let fields: Vec<f64> = rest.split_whitespace().map(|f| f.parse().unwrap_or(0.0)).collect();
    // After the command: state(0) … utime(11) stime(12) cutime(13) cstime(14).
    (fields.get(13).copied().unwrap_or(0.0) + fields.get(14).copied().unwrap_or(0.0)) / probe::clock_ticks()
}
