//! End-to-end ingest under load: many recorder-like clients (consent, then
//! realistic batches as MessagePack + zstd, a share of them as beacons)
//! against a real `veil serve` and ClickHouse on loopback. Reports
//! batches/s, MB/s of decompressed payload, latency of the 202s, CPU
//! seconds per MB, peak RSS, queue depth and shipping lag, and, in the same
//! run, the pipeline's CPU step on the same bodies as the ceiling: the
//! figure that matters is the ratio end to end ÷ CPU step. Afterwards it
//! checks that every batch answered 202 is stored exactly once.
//!
//! ```text
//! cargo build --release --bin veil
//! cargo run --release -p veil-benches --bin load -- --visits 400 --clients 32
//! cargo run --release -p veil-benches --bin load -- --soak 30m --pace 250ms
//! ```
//! `BENCH_VEIL_BIN` names the veil binary (default target/release/veil).
//! The shared test ClickHouse must run (`deploy/local/clickhouse.sh start`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use veil_benches::load::{
    CorpusOptions, Ledger, Load, LoadOptions, Outcome, Probe, Sample, Visit, VisitSource, corpus, cpu_step,
    prepared, probe, quantile,
};

const SITE: &str = "bench";
const ORIGIN: &str = "https://bench.example";

/// Load generator for `veil serve`.
#[derive(Debug, Parser)]
struct Args {
    /// Visits to prepare and send (a bounded run).
    #[arg(long, default_value_t = 300)]
    visits: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Shortest visit in minutes.
    #[arg(long, default_value_t = 0.5)]
    min_minutes: f64,
    /// Longest visit in minutes.
    #[arg(long, default_value_t = 3.0)]
    max_minutes: f64,
    /// Longest run: no visit starts after this.
    #[arg(long, default_value = "10m", value_parser = humantime::parse_duration)]
    duration: Duration,
    /// Soak: steady load for this long, visits made as they are needed
    /// (RSS and open files reported every minute).
    #[arg(long, value_parser = humantime::parse_duration)]
    soak: Option<Duration>,
    /// Pause of each client between two batches.
    #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
    pace: Duration,
    /// The server's `ingest.session_idle_timeout` (how long masking keeps
    /// a session's state; its default is 30m).
    #[arg(long, default_value = "30m")]
    session_idle_timeout: String,
    /// Seed of the corpus.
    #[arg(long, default_value_t = 13)]
    seed: u64,
}

fn main() {
    let args = Args::parse();
    let bin = veil_benches::veil_bin();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    let options = CorpusOptions {
        site_seed: Some(1),
        // Product then checkout, as the figures in benches/README.md were measured.
        journey: Some(veil_benches::recording::Journey::Checkout),
        site: SITE.to_owned(),
        visits: args.visits,
        minutes: (args.min_minutes, args.max_minutes),
        returning: 0.3,
        beacons: 0.3,
        seed: args.seed,
        // Every visit inside the retention horizon.
        start_ms: now_ms - 3_600_000,
    };

    // The server: no per-address limits (every client is 127.0.0.1 here),
    // everything else as shipped.
    let (db, config) = veil_benches::migrated_database(
        &bin,
        SITE,
        ORIGIN,
        &format!(
            "[server]\nmax_requests_per_client = 0\n[ingest]\nrate_limit_per_second = 0\nsession_idle_timeout = {:?}\n",
            args.session_idle_timeout
        ),
    );
    let veil = veil_benches::ready_server(&bin, config);

    if let Some(soak) = args.soak {
        return run_soak(&args, &options, &veil, &db, soak);
    }

    let started = Instant::now();
    let visits = corpus::corpus(&options);
    let batches: usize = visits.iter().map(|v| v.batches.len()).sum();
    let plain: usize = visits.iter().flat_map(|v| &v.batches).map(|b| b.plain_len).sum();
    let wire: usize = visits.iter().flat_map(|v| &v.batches).map(|b| b.wire.len()).sum();
    let beacons = visits.iter().flat_map(|v| &v.batches).filter(|b| b.beacon).count();
    println!(
        "corpus: {} visits, {batches} batches ({beacons} beacons), {:.1} MB decompressed, {:.1} MB on the wire, made in {:.1} s",
        visits.len(),
        plain as f64 / 1e6,
        wire as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let mut sizes: Vec<f64> = visits.iter().flat_map(|v| &v.batches).map(|b| b.plain_len as f64).collect();
    println!(
        "batch sizes (decompressed): p50 {:.0} B, p99 {:.0} B, max {:.0} B",
        quantile(&mut sizes, 0.5),
        quantile(&mut sizes, 0.99),
        quantile(&mut sizes, 1.0)
    );

    // The ceiling, in the same run and on the same bodies.
    let step_all = cpu_step::measure(SITE, &visits, cores, 1);
    let step_one = cpu_step::measure(SITE, &visits, 1, 1);
    let events = event_index(&visits);

    let probe = Probe::new(veil.pid(), veil.base_url());
    let before = probe.sample().unwrap_or_default();
    let machine_before = machine_busy_seconds();
    let self_before = probe::cpu_seconds(std::process::id()).unwrap_or(0.0);
    let load = Load::start(prepared(visits), load_options(&args, &veil, args.duration));
    let samples = sample_until(&probe, || load.is_finished(), Duration::from_millis(250));
    let outcome = load.wait();
    let after = probe.sample().unwrap_or_default();
    let machine = machine_busy_seconds() - machine_before;
    let generator = probe::cpu_seconds(std::process::id()).unwrap_or(0.0) - self_before;

    // Shipping: how long after the last 202 everything is in ClickHouse.
    let drain_started = Instant::now();
    let drained = wait_stored(&db, outcome.acknowledged.len(), Duration::from_secs(120));
    let drain = drain_started.elapsed();
    let ledger = Ledger::check(&db, &outcome, |session, seq| events.get(&(session.to_owned(), seq)).copied());
    let metrics = veil.get("/metrics").map(|(_, m)| m).unwrap_or_default();

    report(&outcome, &before, &after, &samples, machine, generator, step_all, step_one, &metrics);
    println!(
        "drained into ClickHouse {:.2} s after the last answer{}",
        drain.as_secs_f64(),
        if drained { "" } else { " (TIMED OUT)" }
    );
    println!("ledger: {ledger}");
    let clean = ledger.lost == 0
        && ledger.doubled == 0
        && ledger.miscounted == 0
        && ledger.stored_unacknowledged == 0;
    if !clean || outcome.refusals() > 0 || !outcome.given_up.is_empty() {
        eprintln!("FAILED: {} refusals, {} batches given up", outcome.refusals(), outcome.given_up.len());
        std::process::exit(1);
    }
}

/// The clients of both runs: against `veil`, for `duration`.
fn load_options(args: &Args, veil: &veil_test_support::VeilProcess, duration: Duration) -> LoadOptions {
    LoadOptions {
        base_urls: vec![veil.base_url().to_owned()],
        origin: ORIGIN.to_owned(),
        site: SITE.to_owned(),
        clients: args.clients,
        duration,
        pace: args.pace,
        ..LoadOptions::default()
    }
}

/// Events sent per (session, seq), for the ledger's accounting check.
fn event_index(visits: &[Visit]) -> EventIndex {
    let mut index = EventIndex::new();
    visits.iter().for_each(|visit| index_events(visit, &mut index));
    index
}

type EventIndex = std::collections::HashMap<(String, u64), u64>;

fn index_events(visit: &Visit, index: &mut EventIndex) {
    index.extend(visit.batches.iter().map(|b| ((visit.session.clone(), b.seq), b.events as u64)));
}

fn sample_until(probe: &Probe, mut done: impl FnMut() -> bool, every: Duration) -> Vec<Sample> {
    let mut samples = Vec::new();
    while !done() {
        if let Some(sample) = probe.sample() {
            samples.push(sample);
        }
        std::thread::sleep(every);
    }
    samples
}

fn wait_stored(db: &veil_test_support::TestDatabase, expected: usize, timeout: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < timeout {
        let stored: usize =
            db.query("SELECT uniqExact(session, seq) FROM recordings").trim().parse().unwrap_or(0);
        if stored >= expected {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// Busy CPU seconds of the whole machine (every core), from /proc/stat.
fn machine_busy_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(cpu) = stat.lines().next() else { return 0.0 };
    let fields: Vec<f64> = cpu.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    let busy: f64 = fields.iter().enumerate().filter(|(i, _)| *i != 3 && *i != 4).map(|(_, v)| v).sum();
    busy / probe::clock_ticks()
}

#[allow(clippy::too_many_arguments)]
fn report(
    outcome: &Outcome,
    before: &Sample,
    after: &Sample,
    samples: &[Sample],
    machine_cpu: f64,
    generator_cpu: f64,
    step_all: cpu_step::CpuStep,
    step_one: cpu_step::CpuStep,
    metrics: &str,
) {
    let seconds = outcome.elapsed.as_secs_f64();
    let mb = outcome.plain_bytes as f64 / 1e6;
    let e2e_mb_s = mb / seconds;
    let batches_s = outcome.acknowledged.len() as f64 / seconds;
    let mut latencies = outcome.latencies_ms.clone();
    let veil_cpu = after.cpu_seconds - before.cpu_seconds;
    let peak_queue = samples.iter().map(|s| s.queue_records).max().unwrap_or(0);
    let peak_queue_bytes = samples.iter().map(|s| s.queue_bytes).max().unwrap_or(0);
    println!();
    println!(
        "end to end: {} batches answered 202 in {seconds:.1} s from {} visits: {batches_s:.0} batches/s, {e2e_mb_s:.2} MB/s decompressed ({:.2} MB/s on the wire)",
        outcome.acknowledged.len(),
        outcome.visits,
        outcome.wire_bytes as f64 / 1e6 / seconds
    );
    println!(
        "latency of 202s: p50 {:.1} ms, p99 {:.1} ms, p999 {:.1} ms, max {:.1} ms",
        quantile(&mut latencies, 0.5),
        quantile(&mut latencies, 0.99),
        quantile(&mut latencies, 0.999),
        quantile(&mut latencies, 1.0)
    );
    println!(
        "answers: {:?}; transport errors {}, retries {}",
        outcome.statuses, outcome.transport_errors, outcome.retries
    );
    println!(
        "CPU step ({} threads): {:.0} batches/s, {:.2} MB/s; one thread: {:.2} MB/s",
        step_all.threads,
        step_all.batches_per_second(),
        step_all.mb_per_second(),
        step_one.mb_per_second()
    );
    println!(
        "RATIO end to end ÷ CPU step: {:.2} (all cores), {:.2} (one thread)",
        e2e_mb_s / step_all.mb_per_second(),
        e2e_mb_s / step_one.mb_per_second()
    );
    println!(
        "veil CPU: {veil_cpu:.1} s = {:.3} CPU s per MB; machine busy {machine_cpu:.1} CPU s (veil {:.0} %, load generator {:.0} %, ClickHouse and the rest {:.0} %)",
        veil_cpu / mb,
        100.0 * veil_cpu / machine_cpu,
        100.0 * generator_cpu / machine_cpu,
        100.0 * (machine_cpu - veil_cpu - generator_cpu) / machine_cpu
    );
    println!(
        "veil RSS: peak {:.1} MiB (before the load {:.1} MiB, after {:.1} MiB); open files {} → {}",
        after.peak_rss as f64 / 1048576.0,
        before.rss as f64 / 1048576.0,
        after.rss as f64 / 1048576.0,
        before.open_files,
        after.open_files
    );
    println!("queue depth: peak {peak_queue} records, {:.1} MiB", peak_queue_bytes as f64 / 1048576.0);
    if let Some((p50, p99)) = histogram_quantiles(metrics, "veil_store_shipping_lag_seconds") {
        println!("shipping lag (accepted → in ClickHouse, 1 s resolution): p50 ≤ {p50} s, p99 ≤ {p99} s");
    }
}

/// Upper bucket bounds holding the median and the 99th percentile of a
/// Prometheus histogram.
fn histogram_quantiles(metrics: &str, name: &str) -> Option<(String, String)> {
    let prefix = format!("{name}_bucket{{le=\"");
    let buckets: Vec<(String, f64)> = metrics
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix(&prefix)?;
            let (le, count) = rest.split_once("\"} ")?;
            Some((le.to_owned(), count.trim().parse().ok()?))
        })
        .collect();
    let total = buckets.last()?.1;
    if total == 0.0 {
        return None;
    }
    let at = |q: f64| buckets.iter().find(|(_, c)| *c >= q * total).map(|(le, _)| le.clone());
    Some((at(0.5)?, at(0.99)?))
}

fn run_soak(
    args: &Args,
    options: &CorpusOptions,
    veil: &veil_test_support::VeilProcess,
    db: &veil_test_support::TestDatabase,
    soak: Duration,
) {
    let visitors = Arc::new(Mutex::new(Vec::new()));
    let events = Arc::new(Mutex::new(EventIndex::new()));
    let source: VisitSource = {
        let (options, visitors, events) = (options.clone(), visitors.clone(), events.clone());
        Arc::new(move |index| {
            let visit = visitors.lock().ok().map(|mut v| corpus::visit(&options, index, &mut v))?;
            if let Ok(mut events) = events.lock() {
                index_events(&visit, &mut events);
            }
            Some(Arc::new(visit))
        })
    };
    let probe = Probe::new(veil.pid(), veil.base_url());
    let load = Load::start(source, load_options(args, veil, soak));
    println!(
        "{:>6} {:>10} {:>10} {:>10} {:>8} {:>8} {:>9}",
        "min", "acked", "RSS MiB", "peak MiB", "files", "queue", "sessions"
    );
    let mut minutes: Vec<Sample> = Vec::new();
    let mut next = Duration::ZERO;
    while !load.is_finished() {
        let Some(sample) = probe.sample() else { break };
        if sample.at >= next {
            println!(
                "{:>6.0} {:>10} {:>10.1} {:>10.1} {:>8} {:>8} {:>9}",
                sample.at.as_secs_f64() / 60.0,
                load.acknowledged_so_far(),
                sample.rss as f64 / 1048576.0,
                sample.peak_rss as f64 / 1048576.0,
                sample.open_files,
                sample.queue_records,
                sample.masking_sessions
            );
            minutes.push(sample);
            next += Duration::from_secs(60);
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    let outcome = load.wait();
    let drained = wait_stored(db, outcome.acknowledged.len(), Duration::from_secs(120));
    let events = events.lock().map(|e| e.clone()).unwrap_or_default();
    let ledger = Ledger::check(db, &outcome, |session, seq| events.get(&(session.to_owned(), seq)).copied());
    // Growth from the end of warm-up (minute 2, or the first sample).
    let warm = minutes.get(2).or(minutes.first()).copied().unwrap_or_default();
    let last = minutes.last().copied().unwrap_or_default();
    let mut latencies = outcome.latencies_ms.clone();
    println!(
        "soak {:.0} min: {} batches answered 202 ({:.0}/s), errors: {} refusals, {} given up, {} transport errors; p99 {:.1} ms",
        outcome.elapsed.as_secs_f64() / 60.0,
        outcome.acknowledged.len(),
        outcome.acknowledged.len() as f64 / outcome.elapsed.as_secs_f64(),
        outcome.refusals(),
        outcome.given_up.len(),
        outcome.transport_errors,
        quantile(&mut latencies, 0.99)
    );
    println!(
        "growth after warm-up (min {:.0} → {:.0}): RSS {:+.1} MiB ({:.1} → {:.1}), open files {:+} ({} → {})",
        warm.at.as_secs_f64() / 60.0,
        last.at.as_secs_f64() / 60.0,
        (last.rss as f64 - warm.rss as f64) / 1048576.0,
        warm.rss as f64 / 1048576.0,
        last.rss as f64 / 1048576.0,
        last.open_files as i64 - warm.open_files as i64,
        warm.open_files,
        last.open_files
    );
    println!("ledger: {ledger}{}", if drained { "" } else { " (drain TIMED OUT)" });
    if ledger.lost > 0 || outcome.refusals() > 0 || !outcome.given_up.is_empty() {
        std::process::exit(1);
    }
}
