//! Chaos under load (SPEC §4: "never 202 then lose it"). Recorder-like
//! clients of the load generator post a corpus of realistic visits while
//! something breaks: `veil serve` killed with SIGKILL, ClickHouse stopped,
//! the queue's disk full, a batch ClickHouse refuses. Afterwards the
//! ledger checks by (session, seq) that every batch answered 202 is in
//! ClickHouse and nothing else is.
//!
//! These are the suite's short forms. `VEIL_CHAOS_OUTAGE` (default 10s)
//! sets how long ClickHouse stays down; the 60-second form is
//! `VEIL_CHAOS_OUTAGE=60s cargo test -p veil-server --test chaos`.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{ORIGIN, demo_token};
use veil_benches::load::corpus::corpus;
use veil_benches::load::driver::Acknowledged;
use veil_benches::load::{CorpusOptions, Ledger, Load, LoadOptions, Outcome, Visit, prepared};
use veil_test_support::{ClickHouseInstance, TempDir, TestDatabase, VeilOptions, VeilProcess, free_port};

/// Per-address limits off: every client of the test is 127.0.0.1.
const NO_CLIENT_LIMITS: [(&str, &str); 2] =
    [("VEIL_SERVER__MAX_REQUESTS_PER_CLIENT", "0"), ("VEIL_INGEST__RATE_LIMIT_PER_SECOND", "0")];

/// A server under test with a queue directory that outlives its process,
/// so a restart on the same port finds what the killed one accepted.
struct Node {
    db: TestDatabase,
    port: u16,
    queue_dir: PathBuf,
    env: Vec<(String, String)>,
}

impl Node {
    fn new(db: TestDatabase, queue_dir: PathBuf, env: &[(&str, &str)]) -> Node {
        common::migrate(&db);
        let mut all: Vec<(String, String)> =
            NO_CLIENT_LIMITS.iter().chain(env).map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        all.push(("VEIL_QUEUE__DIR".to_owned(), queue_dir.display().to_string()));
        Node { db, port: free_port(), queue_dir, env: all }
    }

    fn start(&self) -> VeilProcess {
        VeilProcess::start(
            common::VEIL.as_ref(),
            VeilOptions {
                config: common::config_for(&self.db.url(), self.db.name()),
                env: self.env.clone(),
                port: Some(self.port),
            },
        )
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// A small corpus: about 25 visits of 20 to 50 seconds, a few hundred
/// batches, a third of visitors returning, a share sent as beacons.
fn visits(seed: u64) -> Vec<Visit> {
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    corpus(&CorpusOptions {
        site_seed: Some(1),
        journey: Some(veil_benches::recording::Journey::Checkout),
        site: "demo".to_owned(),
        visits: 25,
        minutes: (0.3, 0.8),
        returning: 0.3,
        beacons: 0.3,
        seed,
        start_ms: now_ms - 3_600_000,
    })
}

/// Starts the clients; `pace` between two batches of a client sets how
/// long the load lasts (each client sends about 35 batches).
fn load(node: &Node, visits: Vec<Visit>, pace: Duration) -> Load {
    Load::start(
        prepared(visits),
        LoadOptions {
            base_urls: vec![node.base_url()],
            origin: ORIGIN.to_owned(),
            site: "demo".to_owned(),
            clients: 8,
            duration: Duration::from_secs(300),
            retry_for: Duration::from_secs(180),
            max_retry_pause: Duration::from_secs(1),
            pace,
            request_timeout: Duration::from_secs(20),
        },
    )
}

fn events_index(visits: &[Visit]) -> HashMap<(String, u64), u64> {
    visits
        .iter()
        .flat_map(|v| v.batches.iter().map(|b| ((v.session.clone(), b.seq), b.events as u64)))
        .collect()
}

fn total_batches(visits: &[Visit]) -> u64 {
    visits.iter().map(|v| v.batches.len() as u64).sum()
}

/// Waits until the clients acknowledged `count` batches.
fn wait_acknowledged(load: &Load, count: u64, timeout: Duration) {
    let started = Instant::now();
    while load.acknowledged_so_far() < count {
        assert!(!load.is_finished(), "the load ended at {} of {count} batches", load.acknowledged_so_far());
        assert!(
            started.elapsed() < timeout,
            "only {} of {count} batches in {timeout:?}",
            load.acknowledged_so_far()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_finished(load: Load, timeout: Duration) -> Outcome {
    let started = Instant::now();
    while !load.is_finished() {
        assert!(started.elapsed() < timeout, "the load did not finish within {timeout:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    load.wait()
}

/// Waits until every acknowledged batch is stored, then checks the ledger.
fn drained_ledger(db: &TestDatabase, outcome: &Outcome, events: &HashMap<(String, u64), u64>) -> Ledger {
    let started = Instant::now();
    loop {
        let ledger = Ledger::check(db, outcome, |s, q| events.get(&(s.to_owned(), q)).copied());
        if ledger.lost == 0 || started.elapsed() > Duration::from_secs(60) {
            return ledger;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What every case asserts: each batch was answered 202 in the end, each
/// is stored, every 202 counted its events, and a reader sees one row per
/// batch once duplicates have collapsed. (Whether something not answered
/// 202 was stored is each case's own check.)
fn assert_clean(case: &str, db: &TestDatabase, outcome: &Outcome, ledger: &Ledger, batches: u64) {
    eprintln!(
        "{case}: {ledger}; {} retries, {} transport errors, answers {:?}",
        outcome.retries, outcome.transport_errors, outcome.statuses
    );
    assert!(outcome.given_up.is_empty(), "{case}: batches given up: {:?}", outcome.given_up);
    assert_eq!(outcome.refusals(), 0, "{case}: refused requests: {:?}", outcome.statuses);
    assert_eq!(ledger.acknowledged as u64, batches, "{case}: not every batch was acknowledged");
    assert_eq!(ledger.lost, 0, "{case}: acknowledged batches lost: {ledger}");
    assert_eq!(ledger.miscounted, 0, "{case}: {ledger}");
    db.query("OPTIMIZE TABLE recordings FINAL");
    let rows = db.query("SELECT count() - uniqExact(session, seq) FROM recordings");
    assert_eq!(rows.trim(), "0", "{case}: one row per batch after merges");
}

fn metric(veil: &VeilProcess, name: &str) -> f64 {
    let metrics = veil.get("/metrics").map(|(_, body)| body).unwrap_or_default();
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
        .unwrap_or(0.0)
}

#[test]
fn kill_9_mid_load_then_restart_loses_nothing() {
    let queue = TempDir::new("chaos-kill");
    let node = Node::new(TestDatabase::new(), queue.path().join("queue"), &[]);
    let visits = visits(91);
    let (events, batches) = (events_index(&visits), total_batches(&visits));
    let mut veil = node.start();
    common::wait_ready(&mut veil);

    let load = load(&node, visits, Duration::from_millis(20));
    wait_acknowledged(&load, batches / 3, Duration::from_secs(120));
    veil.kill();
    let at_kill = load.acknowledged_so_far();
    // Clients meet a closed port for a while, as after a real crash.
    std::thread::sleep(Duration::from_secs(1));
    let mut veil = node.start();
    common::wait_ready(&mut veil);
    let outcome = wait_finished(load, Duration::from_secs(240));

    assert!(at_kill < batches, "the kill came after the load");
    assert!(outcome.transport_errors > 0, "no client saw the crash");
    let ledger = drained_ledger(&node.db, &outcome, &events);
    // `doubled` here is what a re-ship after the crash wrote twice; it
    // collapses in `recordings` (checked after OPTIMIZE below).
    assert_clean("kill -9", &node.db, &outcome, &ledger, batches);
    assert_eq!(ledger.stored_unacknowledged, 0, "{ledger}");
}

#[test]
fn clickhouse_stopped_under_load_then_back_loses_nothing() {
    let outage = std::env::var("VEIL_CHAOS_OUTAGE")
        .ok()
        .and_then(|v| humantime::parse_duration(&v).ok())
        .unwrap_or(Duration::from_secs(10));
    let clickhouse = ClickHouseInstance::new("chaos-outage", free_port(), free_port());
    clickhouse.start();
    let queue = TempDir::new("chaos-outage");
    let node = Node::new(TestDatabase::on(&clickhouse), queue.path().join("queue"), &[]);
    let visits = visits(92);
    let (events, batches) = (events_index(&visits), total_batches(&visits));
    let mut veil = node.start();
    common::wait_ready(&mut veil);

    // The load outlasts the outage: it starts before and ends after.
    let load = load(&node, visits, (outage + Duration::from_secs(10)) / 30);
    wait_acknowledged(&load, batches / 6, Duration::from_secs(120));
    clickhouse.stop();
    let at_stop = load.acknowledged_so_far();
    let started = Instant::now();
    let mut peak_queued = 0.0f64;
    while started.elapsed() < outage {
        peak_queued = peak_queued.max(metric(&veil, "veil_queue_unconsumed_records"));
        std::thread::sleep(Duration::from_millis(200));
    }
    let during = load.acknowledged_so_far() - at_stop;
    clickhouse.start();
    let outcome = wait_finished(load, Duration::from_secs(240));

    assert!(
        during > 0,
        "nothing was accepted while ClickHouse was down: {:?}\n{}",
        outcome.statuses,
        veil.log()
    );
    assert!(peak_queued > 0.0, "the queue never held a record during the outage");
    let ledger = drained_ledger(&node.db, &outcome, &events);
    eprintln!(
        "outage {outage:?}: {during} batches acknowledged while ClickHouse was down, queue peak {peak_queued}"
    );
    assert_eq!(ledger.doubled, 0, "no crash, so nothing may be shipped twice: {ledger}");
    assert_clean("ClickHouse outage", &node.db, &outcome, &ledger, batches);
    assert_eq!(ledger.stored_unacknowledged, 0, "{ledger}");
    clickhouse.stop();
}

/// A tmpfs mounted for the test, unmounted (with its ballast) on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(path: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(path).expect("mount point");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(path)
            .status()
            .expect("running mount");
        assert!(status.success(), "mounting a tmpfs needs root (the suite runs as root on CI)");
        Tmpfs(path.to_owned())
    }

    /// Fills the file system with a ballast file until `free` bytes remain.
    fn fill_leaving(&self, free: u64) -> PathBuf {
        let ballast = self.0.join("ballast");
        let available = available_bytes(&self.0);
        let size = available.saturating_sub(free);
        std::fs::write(&ballast, vec![0u8; size as usize]).expect("writing the ballast");
        ballast
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn available_bytes(path: &Path) -> u64 {
    let out = Command::new("df").args(["--output=avail", "-B1"]).arg(path).output().expect("running df");
    String::from_utf8_lossy(&out.stdout).lines().nth(1).and_then(|l| l.trim().parse().ok()).unwrap_or(0)
}

#[test]
fn a_full_queue_disk_answers_503_then_recovers_without_corruption() {
    let clickhouse = ClickHouseInstance::new("chaos-disk-full", free_port(), free_port());
    clickhouse.start();
    let dir = TempDir::new("chaos-disk-full");
    let disk = Tmpfs::mount(&dir.path().join("disk"), "16m");
    let node = Node::new(TestDatabase::on(&clickhouse), dir.path().join("disk/queue"), &[]);
    let visits = visits(93);
    let (events, batches) = (events_index(&visits), total_batches(&visits));
    let mut veil = node.start();
    common::wait_ready(&mut veil);
    // ClickHouse down: the queue only grows, and the disk fills.
    clickhouse.stop();
    let ballast = disk.fill_leaving(256 * 1024);

    let load = load(&node, visits, Duration::from_millis(100));
    // The test's own batches, one new seq each, until one meets the full
    // disk; those answered 202 join the ledger.
    let token = demo_token();
    let started = Instant::now();
    let mut probes = Vec::new();
    let full = loop {
        assert!(started.elapsed() < Duration::from_secs(60), "the disk never filled up");
        let seq = probes.len() as u64;
        let response = common::ingest(&veil, &token, &common::batch("demo", PROBE_SESSION, seq));
        match response.status {
            202 => {
                probes.push(Acknowledged { session: PROBE_SESSION.to_owned(), seq, accepted: 0, dropped: 0 })
            }
            503 => break response,
            other => panic!("probe {seq}: {other}"),
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(full.error_code(), "unavailable");
    assert!(full.header("retry-after").is_some_and(|v| v.parse::<u64>().is_ok_and(|s| s >= 1)));
    let log = veil.log();
    assert!(log.contains("No space left on device"), "the log names the cause: {log}");

    // Space returns, then ClickHouse: the clients' retries go through.
    std::thread::sleep(Duration::from_secs(2));
    std::fs::remove_file(&ballast).expect("removing the ballast");
    clickhouse.start();
    let mut outcome = wait_finished(load, Duration::from_secs(240));
    assert!(outcome.statuses.get(&503).is_some_and(|&n| n > 0), "no client met the full disk");
    let probes = probes.len() as u64;
    outcome.acknowledged.extend((0..probes).map(|seq| Acknowledged {
        session: PROBE_SESSION.to_owned(),
        seq,
        accepted: 0,
        dropped: 0,
    }));
    let ledger = drained_ledger(&node.db, &outcome, &events);
    assert_eq!(ledger.doubled, 0, "{ledger}");
    assert_eq!(ledger.stored_unacknowledged, 0, "a 503 was stored: {ledger}");
    assert_clean("queue disk full", &node.db, &outcome, &ledger, batches + probes);

    // No corruption: a restart reads the queue without skipping anything.
    drop(veil);
    let mut veil = node.start();
    common::wait_ready(&mut veil);
    let log = veil.log();
    assert!(!log.to_lowercase().contains("corrupt"), "{log}");
    drop(veil);
    drop(disk);
    clickhouse.stop();
}

/// The session of the batches the disk-full test sends itself.
const PROBE_SESSION: &str = "c4a0e1f2-3b4c-4d5e-8f60-718293a4b5c6";

#[test]
fn a_poison_batch_under_load_is_dead_lettered_and_the_rest_flows() {
    let queue = TempDir::new("chaos-poison");
    let node = Node::new(TestDatabase::new(), queue.path().join("queue"), &[]);
    let visits = visits(94);
    let (events, batches) = (events_index(&visits), total_batches(&visits));
    // ClickHouse refuses one batch as a data error (CANNOT_PARSE_TEXT,
    // from a view that cannot parse its row) and takes every other.
    let poison = (visits[3].session.clone(), 1u64);
    node.db.query(&format!(
        "CREATE MATERIALIZED VIEW poison ENGINE = Null AS SELECT toUInt8(if(session = '{}' AND seq = {}, 'x', '1')) AS v FROM recordings",
        poison.0, poison.1
    ));
    let mut veil = node.start();
    common::wait_ready(&mut veil);

    let outcome = wait_finished(load(&node, visits, Duration::from_millis(20)), Duration::from_secs(240));
    let mut flowing = outcome.clone();
    flowing.acknowledged.retain(|a| (a.session.as_str(), a.seq) != (poison.0.as_str(), poison.1));
    assert_eq!(
        flowing.acknowledged.len() + 1,
        outcome.acknowledged.len(),
        "the poison batch was answered 202"
    );
    let ledger = drained_ledger(&node.db, &flowing, &events);
    assert_clean("poison batch", &node.db, &flowing, &ledger, batches - 1);
    // ClickHouse writes a block to the table before its views see it, so
    // the refused block is in `recordings` already when the view fails,
    // and the one-by-one retry writes its good rows again (`doubled`,
    // collapsed above). The poison row may be there as well.
    assert!(ledger.stored_unacknowledged <= 1, "{ledger}");

    veil.wait_until(Duration::from_secs(10), |v| metric(v, "veil_store_dead_letter_records_total") >= 1.0);
    assert_eq!(
        metric(&veil, "veil_store_dead_letter_records_total"),
        1.0,
        "only the poison row is set aside"
    );
    let dead_letters =
        std::fs::read_dir(node.queue_dir.join(format!("127.0.0.1_{}/dead-letters", node.port)))
            .expect("dead-letter dir")
            .count();
    assert_eq!(dead_letters, 1);
}
