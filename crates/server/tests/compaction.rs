//! Compaction of idle sessions (issue 11) against the real server and
//! ClickHouse: replay is the same before and after, a late batch is
//! stored and replayed in order, a crash in the middle loses and doubles
//! nothing, and erasure and retention delete chunks no other visitor
//! references while keeping those that are shared.

mod common;

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{ADMIN_KEY, ANALYST_KEY, ORIGIN};
use serde_json::Value;
use veil_benches::load::corpus::corpus;
use veil_benches::load::{CorpusOptions, Load, LoadOptions, Visit, prepared};
use veil_test_support::{TestDatabase, VeilOptions, VeilProcess, free_port};

/// Compaction off in `serve`: the tests run it with `veil compaction run`
/// or turn it on explicitly.
const NO_COMPACTION: (&str, &str) = ("VEIL_COMPACTION__ENABLED", "false");
const NO_CLIENT_LIMITS: [(&str, &str); 2] =
    [("VEIL_SERVER__MAX_REQUESTS_PER_CLIENT", "0"), ("VEIL_INGEST__RATE_LIMIT_PER_SECOND", "0")];

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Visits of one site: every visitor is served the same style sheets
/// (`site_seed`), or, with `None`, each its own.
fn visits(count: usize, seed: u64, site_seed: Option<u64>, start_ms: i64) -> Vec<Visit> {
    corpus(&CorpusOptions {
        site: "demo".to_owned(),
        visits: count,
        minutes: (0.3, 0.6),
        returning: 0.0,
        beacons: 0.2,
        seed,
        start_ms,
        site_seed,
        journey: None,
    })
}

struct Setup {
    db: TestDatabase,
    config: String,
    port: u16,
}

impl Setup {
    fn new() -> Setup {
        let db = TestDatabase::new();
        common::migrate(&db);
        let config = common::config_with_keys(&db, ORIGIN);
        Setup { db, config, port: free_port() }
    }

    fn serve(&self, env: &[(&str, &str)]) -> VeilProcess {
        let env =
            NO_CLIENT_LIMITS.iter().chain(env).map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let mut veil = VeilProcess::start(
            common::VEIL.as_ref(),
            VeilOptions { config: self.config.clone(), env, port: Some(self.port) },
        );
        common::wait_ready(&mut veil);
        veil
    }

    /// `veil compaction run --idle 0s`; its stdout.
    fn compact(&self) -> String {
        let out = common::veil_with_config(&self.config, &["compaction", "run", "--idle", "0s"], &[]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn count(&self, sql: &str) -> u64 {
        self.db.query(sql).trim().parse().unwrap_or_else(|_| panic!("{sql}: not a count"))
    }
}

/// Posts every batch of `visits` as recorders do and waits until all are
/// in ClickHouse.
fn post(setup: &Setup, veil: &VeilProcess, visits: Vec<Visit>) {
    let batches: u64 = visits.iter().map(|v| v.batches.len() as u64).sum();
    let before = setup.count("SELECT uniqExact(session, seq) FROM recordings");
    let load = Load::start(
        prepared(visits),
        LoadOptions {
            base_urls: vec![veil.base_url().to_owned()],
            origin: ORIGIN.to_owned(),
            site: "demo".to_owned(),
            clients: 4,
            duration: Duration::from_secs(120),
            retry_for: Duration::from_secs(60),
            max_retry_pause: Duration::from_secs(1),
            pace: Duration::ZERO,
            request_timeout: Duration::from_secs(20),
        },
    );
    let outcome = load.wait();
    assert_eq!(outcome.acknowledged.len() as u64, batches, "not every batch was acknowledged");
    // The sessions index is shipped after `recordings`.
    for table in ["recordings", "session_index"] {
        common::wait_for_query(
            &setup.db,
            &format!("SELECT uniqExact(session, seq) FROM {table}"),
            &(before + batches).to_string(),
            Duration::from_secs(60),
        );
    }
}

fn replay(veil: &VeilProcess, session: &str) -> Vec<Value> {
    let response = common::api(
        veil,
        "GET",
        &format!("/v1/sites/demo/sessions/{session}/events"),
        Some(ANALYST_KEY),
        b"",
    );
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    let events = response.json();
    events.as_array().cloned().expect("replay is an array")
}

fn replays(veil: &VeilProcess, sessions: &[String]) -> Vec<Vec<Value>> {
    sessions.iter().map(|s| replay(veil, s)).collect()
}

fn sessions_of(visits: &[Visit]) -> Vec<String> {
    visits.iter().map(|v| v.session.clone()).collect()
}

/// Each (session, seq) is stored once over both forms, after merges.
fn assert_each_batch_once(setup: &Setup, expected: u64) {
    for table in ["recordings", "recording_archives", "recording_chunks"] {
        setup.db.query(&format!("OPTIMIZE TABLE {table} FINAL"));
    }
    let rows = setup.count(
        "SELECT count() FROM (SELECT session, seq FROM recordings \
         UNION ALL SELECT session, arrayJoin(seqs) AS seq FROM recording_archives)",
    );
    let distinct = setup.count(
        "SELECT uniqExact(session, seq) FROM (SELECT session, seq FROM recordings \
         UNION ALL SELECT session, arrayJoin(seqs) AS seq FROM recording_archives)",
    );
    assert_eq!(distinct, expected, "batches lost");
    assert_eq!(rows, expected, "batches doubled");
}

#[test]
fn replay_is_the_same_after_compaction_and_a_late_batch_joins_in_order() {
    let setup = Setup::new();
    let veil = setup.serve(&[NO_COMPACTION]);
    let corpus = visits(6, 11, Some(1), now_ms() - 3_600_000);
    let sessions = sessions_of(&corpus);
    let batches: u64 = corpus.iter().map(|v| v.batches.len() as u64).sum();
    let first = corpus[0].clone();
    post(&setup, &veil, corpus);
    let before = replays(&veil, &sessions);
    let page = setup.db.query("SELECT any(entry_page) FROM session_index").trim().to_owned();
    let snapshot_path = format!("/v1/sites/demo/snapshot?page={}", common::urlencode(&page));
    let snapshot_before = common::api(&veil, "GET", &snapshot_path, Some(ANALYST_KEY), b"");
    assert_eq!(snapshot_before.status, 200, "{}", String::from_utf8_lossy(&snapshot_before.body));

    let out = setup.compact();
    assert!(out.contains(&format!("sessions compacted: {}", sessions.len())), "{out}");
    assert!(out.contains(&format!("batches compacted: {batches}")), "{out}");
    assert_eq!(setup.count("SELECT count() FROM recordings"), 0, "per-batch rows are deleted");
    assert_eq!(setup.count("SELECT uniqExact(session) FROM recording_archives"), sessions.len() as u64);
    // Every visitor is served the same two style sheets: stored once.
    let chunks = setup.count("SELECT uniqExact(hash) FROM recording_chunks");
    assert!((1..=3).contains(&chunks), "{chunks} chunks for {} sessions of one site", sessions.len());
    let stored_before = setup.count("SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = currentDatabase() AND table IN ('recording_archives', 'recording_chunks')");
    assert!(stored_before > 0);

    assert_eq!(replays(&veil, &sessions), before, "replay changed with compaction");
    let snapshot_after = common::api(&veil, "GET", &snapshot_path, Some(ANALYST_KEY), b"");
    assert_eq!(snapshot_after.status, 200, "{}", String::from_utf8_lossy(&snapshot_after.body));
    let (a, b) = (snapshot_before.json(), snapshot_after.json());
    assert_eq!(a["events"], b["events"], "the heatmap's snapshot changed with compaction");

    // A batch of the first session after it was compacted.
    let late_seq = first.batches.len() as u64;
    let late = common::batch("demo", &first.session, late_seq);
    let token = common::visitor_token(&first.visitor, &["recording", "heatmaps"]);
    let response = common::ingest_body(&veil, &token, &common::zstd(&common::msgpack(&late)));
    assert_eq!(response.status, 202, "{}", String::from_utf8_lossy(&response.body));
    common::wait_for_query(
        &setup.db,
        &format!("SELECT count() FROM recordings WHERE session = '{}'", first.session),
        "1",
        Duration::from_secs(30),
    );
    let with_late = replay(&veil, &first.session);
    assert_eq!(with_late.len(), before[0].len() + late["events"].as_array().map_or(0, Vec::len));
    assert_eq!(&with_late[..before[0].len()], &before[0][..], "the late batch's events come last");

    // Compacted again: a second archive; replay unchanged.
    let out = setup.compact();
    assert!(out.contains("sessions compacted: 1"), "{out}");
    assert_eq!(
        setup.count(&format!("SELECT count() FROM recording_archives WHERE session = '{}'", first.session)),
        2
    );
    assert_eq!(replay(&veil, &first.session), with_late);
    assert_each_batch_once(&setup, batches + 1);
    assert!(setup.compact().contains("sessions compacted: 0"), "nothing left to compact");
}

#[test]
fn a_crash_in_the_middle_of_compaction_loses_and_doubles_nothing() {
    let setup = Setup::new();
    let veil = setup.serve(&[NO_COMPACTION]);
    let corpus = visits(16, 12, Some(1), now_ms() - 3_600_000);
    let sessions = sessions_of(&corpus);
    let batches: u64 = corpus.iter().map(|v| v.batches.len() as u64).sum();
    post(&setup, &veil, corpus);
    let before = replays(&veil, &sessions);
    drop(veil);

    // `serve` compacting every second, killed at moments spread over the
    // work until every session is compacted.
    let compacting = [
        ("VEIL_COMPACTION__SESSION_TIMEOUT", "1s"),
        ("VEIL_COMPACTION__INTERVAL", "1s"),
        ("VEIL_COMPACTION__SESSIONS_PER_RUN", "3"),
    ];
    let mut kills = 0;
    for round in 0..40u64 {
        if setup.count("SELECT count() FROM recordings") == 0 {
            break;
        }
        let mut veil = setup.serve(&compacting);
        std::thread::sleep(Duration::from_millis(300 + (round * 397) % 1200));
        veil.kill();
        kills += 1;
    }
    let veil = setup.serve(&compacting);
    common::wait_for_query(&setup.db, "SELECT count() FROM recordings", "0", Duration::from_secs(120));
    assert!(kills >= 2, "compaction finished before the second kill: nothing was interrupted");
    assert_eq!(replays(&veil, &sessions), before, "replay changed across crashes");
    assert_each_batch_once(&setup, batches);
    let metrics = veil.get("/metrics").expect("metrics").1;
    assert!(metrics.contains("veil_compaction_lag_seconds"), "compaction metrics are exported");
}

/// Chunk hashes referenced by `visitor`'s archives and by nobody else's.
fn own_chunks(setup: &Setup, visitor: &str) -> Vec<String> {
    setup
        .db
        .query(&format!(
            "SELECT DISTINCT arrayJoin(chunks) AS h FROM recording_archives WHERE visitor = '{visitor}' \
             AND h NOT IN (SELECT arrayJoin(chunks) FROM recording_archives WHERE visitor != '{visitor}') ORDER BY h"
        ))
        .lines()
        .map(str::to_owned)
        .filter(|h| !h.is_empty())
        .collect()
}

fn chunk_hashes(setup: &Setup) -> HashSet<String> {
    setup.db.query("SELECT hash FROM recording_chunks FINAL").lines().map(str::to_owned).collect()
}

#[test]
fn erasure_deletes_the_visitors_own_chunks_and_keeps_shared_ones() {
    let setup = Setup::new();
    let veil = setup.serve(&[NO_COMPACTION]);
    let start = now_ms() - 3_600_000;
    // Two visitors of one site, and a second visit of the first visitor
    // to pages with their own style sheets (content only they were shown).
    let mut corpus = visits(2, 13, Some(1), start);
    let mut own = visits(1, 14, None, start + 600_000);
    own[0].visitor = corpus[0].visitor.clone();
    corpus.append(&mut own);
    let (erased, kept) = (corpus[0].visitor.clone(), corpus[1].visitor.clone());
    let kept_session = corpus[1].session.clone();
    post(&setup, &veil, corpus);
    let kept_before = replay(&veil, &kept_session);
    setup.compact();

    let erased_own = own_chunks(&setup, &erased);
    assert!(!erased_own.is_empty(), "the erased visitor has chunks of their own");
    let shared: HashSet<String> =
        chunk_hashes(&setup).into_iter().filter(|h| !erased_own.contains(h)).collect();
    assert!(!shared.is_empty(), "the visitors share chunks");

    let response =
        common::api(&veil, "DELETE", &format!("/v1/sites/demo/visitors/{erased}"), Some(ADMIN_KEY), b"");
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    let receipt = response.json();
    assert_eq!(receipt["deleted"]["recording_chunks"].as_u64(), Some(erased_own.len() as u64), "{receipt}");
    let left = chunk_hashes(&setup);
    for hash in &erased_own {
        assert!(!left.contains(hash), "chunk {hash} of the erased visitor survived");
    }
    assert_eq!(left, shared, "chunks the other visitor references are kept");
    assert!(!common::dump_all_tables(&setup.db).contains(&erased), "the erased visitor is still somewhere");
    assert_eq!(replay(&veil, &kept_session), kept_before, "the other visitor's replay changed");
    assert!(setup.count(&format!("SELECT count() FROM recording_archives WHERE visitor = '{kept}'")) > 0);
}

#[test]
fn retention_deletes_expired_archives_and_chunks_no_kept_archive_references() {
    let setup = Setup::new();
    let veil = setup.serve(&[NO_COMPACTION]);
    // An old visit with its own style sheets and a recent one sharing the
    // site's; 40 days apart.
    let mut corpus = visits(1, 15, None, now_ms() - 40 * 86_400_000);
    let old_session = corpus[0].session.clone();
    corpus.extend(visits(1, 16, Some(1), now_ms() - 3_600_000));
    let recent_session = corpus[1].session.clone();
    corpus.extend(visits(1, 17, Some(1), now_ms() - 40 * 86_400_000 + 600_000));
    post(&setup, &veil, corpus);
    let recent_before = replay(&veil, &recent_session);
    setup.compact();
    let old_own: Vec<String> = setup
        .db
        .query(&format!(
            "SELECT DISTINCT arrayJoin(chunks) FROM recording_archives WHERE session = '{old_session}'"
        ))
        .lines()
        .map(str::to_owned)
        .collect();
    let recent_chunks: HashSet<String> = setup
        .db
        .query(&format!(
            "SELECT DISTINCT arrayJoin(chunks) FROM recording_archives WHERE session = '{recent_session}'"
        ))
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(!recent_chunks.is_empty());

    // Default retention is 30 days: the two old visits expire.
    let out = common::veil_with_config(&setup.config, &["retention", "run"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(setup.count("SELECT uniqExact(session) FROM recording_archives"), 1, "{stdout}");
    let left = chunk_hashes(&setup);
    assert_eq!(left, recent_chunks, "{stdout}");
    for hash in old_own.iter().filter(|h| !recent_chunks.contains(*h)) {
        assert!(!left.contains(hash), "expired chunk {hash} survived");
    }
    assert!(
        stdout.contains(&format!(
            "unreferenced chunks deleted: {}",
            old_own.iter().filter(|h| !recent_chunks.contains(*h)).count()
        )),
        "{stdout}"
    );
    assert_eq!(replay(&veil, &recent_session), recent_before);
}
