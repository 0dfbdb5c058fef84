//! Veil on the loopback ClickHouse cluster (deploy/cluster/cluster.sh: 2
//! shards x 2 replicas) against a single node, on the same input: batches
//! of several visitors go through two `veil serve` nodes, one replica of
//! each shard is stopped half-way through ingest and stays down for the
//! queries, and pages, heatmaps, the sessions list and every replay must
//! answer exactly as on one ClickHouse. Then an erasure leaves nothing of
//! the visitor on any replica, and compaction turns the other sessions
//! into archives on every replica with replays unchanged.

mod common;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::{Duration, Instant};

use common::{ADMIN_KEY, ANALYST_KEY, api, keyring};
use serde_json::{Value, json};
use veil_consent::{ClaimsInput, ConsentId, Purposes, SiteId, VisitorId};
use veil_test_support::{ClusterDatabase, TestCluster, TestDatabase, VeilOptions, VeilProcess};

const VISITORS: usize = 6;
const BATCHES: u64 = 4;

/// Where a run stores: the ClickHouse URL of each of the two Veil nodes.
struct Target {
    urls: [String; 2],
    database: String,
    cluster: Option<&'static str>,
}

fn config(target: &Target, node: usize) -> String {
    let hash = |key: &str| blake3::hash(key.as_bytes()).to_hex().to_string();
    // k_min = 2: cells seen by one visitor are hidden, so the answers show
    // that distinct visitors add up across shards.
    let mut config = common::config_for(&target.urls[node], &target.database).replacen(
        &format!("origins = [\"{}\"]\n", common::ORIGIN),
        &format!("origins = [\"{}\"]\nk_min = 2\n", common::ORIGIN),
        1,
    );
    if let Some(cluster) = target.cluster {
        // The two nodes are one replica of each shard: ClickHouse 18.16
        // needs them for the sorting keys of migration 0010.
        let shards = format!("shard_urls = [\"{}\", \"{}\"]\n", target.urls[0], target.urls[1]);
        config =
            config.replacen("[clickhouse]\n", &format!("[clickhouse]\ncluster = \"{cluster}\"\n{shards}"), 1);
    }
    config
        + &format!(
            "\n[[api_keys]]\nname = \"ana\"\nrole = \"analyst\"\nhash = \"blake3:{}\"\n\
             \n[[api_keys]]\nname = \"root\"\nrole = \"admin\"\nhash = \"blake3:{}\"\n",
            hash(ANALYST_KEY),
            hash(ADMIN_KEY)
        )
}

fn visitor(v: usize) -> String {
    format!("{:032x}", 0xabc0 + v)
}

fn session(v: usize) -> String {
    format!("5a4b3c2d-1e0f-4a9b-8c7d-{:012x}", v)
}

fn token(v: usize) -> String {
    keyring().mint(ClaimsInput {
        site: SiteId::from_str("demo").expect("site"),
        consent_id: ConsentId::generate(),
        visitor: VisitorId::from_str(&visitor(v)).expect("visitor"),
        purposes: Purposes::from_names(["recording", "heatmaps"]).expect("purposes"),
        issued_at: common::now(),
        ttl: Duration::from_secs(3600),
    })
}

/// Batch `seq` of visitor `v`: fixed timestamps (yesterday) and clicks at
/// coordinates drawn from (v, seq), so both runs send the same bytes.
fn batch(v: usize, seq: u64, base_ms: u64) -> Value {
    let ts = base_ms + v as u64 * 600_000 + seq * 20_000;
    let page = if seq.is_multiple_of(2) { "/checkout" } else { "/product/7" };
    let url = format!("http://127.0.0.1:8080{page}");
    let click = |i: u64| {
        let x = (v as u64 * 97 + seq * 31 + i * 13) % 1280;
        let y = (v as u64 * 53 + seq * 71 + i * 29) % 2400;
        json!({"type": 5, "timestamp": ts + 1000 + i * 100, "data": {"tag": "veil.click", "payload": {
            "x": x, "y": y, "w": 1280, "h": 2400, "vw": 1280, "vh": 720, "fixed": false,
            "selector": format!("button.b{}", (x + y) % 3), "rage": false, "dead": false}}})
    };
    let mut events =
        vec![json!({"type": 4, "timestamp": ts, "data": {"href": url, "width": 1280, "height": 720}})];
    events.extend((0..3).map(click));
    // Every visitor also presses the pay button: the one cell seen by
    // enough distinct visitors (across both shards) to pass k_min.
    events.push(json!({"type": 5, "timestamp": ts + 1500, "data": {"tag": "veil.click", "payload": {
        "x": 640, "y": 1200, "w": 1280, "h": 2400, "vw": 1280, "vh": 720, "fixed": false,
        "selector": "button.pay", "rage": false, "dead": false}}}));
    json!({"v": 1, "site": "demo", "session": session(v), "seq": seq,
        "page": {"url": url, "title": "Shop"}, "viewport": {"w": 1280, "h": 720},
        "document": {"w": 1280, "h": 2400}, "events": events})
}

/// What the analyst sees.
#[derive(Debug, PartialEq)]
struct Answers {
    pages: Value,
    heatmaps: BTreeMap<String, Value>,
    sessions: Value,
    replays: BTreeMap<String, Value>,
}

fn yesterday() -> String {
    let day = common::now() / 86_400 - 1;
    humantime::format_rfc3339(std::time::UNIX_EPOCH + Duration::from_secs(day * 86_400)).to_string()[..10]
        .to_owned()
}

/// The JSON of a `GET` with the analyst's key, when it answers 200.
fn analyst_get(veil: &VeilProcess, path: &str) -> Option<Value> {
    let response = api(veil, "GET", path, Some(ANALYST_KEY), b"");
    (response.status == 200).then(|| response.json())
}

fn answers(veil: &VeilProcess) -> Answers {
    let range = format!("from={0}&to={0}", yesterday());
    let get = |path: &str| analyst_get(veil, path).unwrap_or_else(|| panic!("{path} did not answer 200"));
    let pages = get(&format!("/v1/sites/demo/pages?{range}"));
    let keys: Vec<String> = pages["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|p| p["page"].as_str().expect("page key").to_owned())
        .collect();
    assert_eq!(keys.len(), 2, "{pages}");
    let heatmaps: BTreeMap<String, Value> = keys
        .iter()
        .map(|key| {
            (key.clone(), get(&format!("/v1/sites/demo/heatmaps?page={}&{range}", common::urlencode(key))))
        })
        .collect();
    for (key, heatmap) in &heatmaps {
        let cells = heatmap["cells"].as_array().expect("cells");
        assert_eq!(cells.len(), 1, "{key}: only the pay button's cell passes k_min: {heatmap}");
        assert_eq!(cells[0]["count"].as_u64(), Some(VISITORS as u64 * BATCHES / 2), "{key}: {heatmap}");
    }
    let sessions = get(&format!("/v1/sites/demo/sessions?{range}&limit=100"));
    let replays = (0..VISITORS)
        .map(|v| (session(v), get(&format!("/v1/sites/demo/sessions/{}/events", session(v)))))
        .collect();
    Answers { pages, heatmaps, sessions, replays }
}

/// Sends every batch through the two nodes in turn (`halfway` runs once,
/// after half of them), waits until the sessions list has them all, and
/// returns the answers.
fn run(target: &Target, halfway: impl FnOnce()) -> (Answers, [VeilProcess; 2]) {
    let out = common::veil_with_config(&config(target, 0), &["migrate"], &[]);
    assert!(out.status.success(), "migrate: {}", String::from_utf8_lossy(&out.stderr));
    let start = |node: usize| {
        let mut veil = VeilProcess::start(
            common::VEIL.as_ref(),
            VeilOptions { config: config(target, node), ..Default::default() },
        );
        common::wait_ready(&mut veil);
        veil
    };
    let nodes = [start(0), start(1)];
    let base_ms = (common::now() / 86_400 - 1) * 86_400_000 + 3_600_000;
    let tokens: Vec<String> = (0..VISITORS).map(token).collect();
    let mut halfway = Some(halfway);
    for seq in 0..BATCHES {
        if seq == BATCHES / 2
            && let Some(f) = halfway.take()
        {
            f();
        }
        for v in 0..VISITORS {
            let node = &nodes[(v + seq as usize) % 2];
            let response = common::ingest(node, &tokens[v], &batch(v, seq, base_ms));
            assert_eq!(
                response.status,
                202,
                "visitor {v} batch {seq}: {}",
                String::from_utf8_lossy(&response.body)
            );
        }
    }
    let started = Instant::now();
    loop {
        let range = format!("from={0}&to={0}", yesterday());
        let sessions = analyst_get(&nodes[0], &format!("/v1/sites/demo/sessions?{range}"));
        let pages = analyst_get(&nodes[0], &format!("/v1/sites/demo/pages?{range}"));
        // Sessions and heatmap rows ship in separate inserts: wait for both.
        let clicks: u64 = pages
            .as_ref()
            .and_then(|p| p["pages"].as_array().map(|p| p.iter().filter_map(|p| p["clicks"].as_u64()).sum()))
            .unwrap_or(0);
        let complete = sessions
            .as_ref()
            .and_then(|s| s["sessions"].as_array())
            .is_some_and(|s| s.len() == VISITORS && s.iter().all(|s| s["batches"] == BATCHES))
            && clicks == VISITORS as u64 * BATCHES * 4;
        if complete {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not every batch arrived:\n{}\n{}",
            nodes[0].log(),
            nodes[1].log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    (answers(&nodes[0]), nodes)
}

/// Starts the second replicas again when dropped.
struct Down<'a>(&'a TestCluster);

impl Drop for Down<'_> {
    fn drop(&mut self) {
        self.0.start_node(2);
        self.0.start_node(4);
    }
}

#[test]
fn a_cluster_answers_as_one_node_with_a_replica_of_each_shard_down() {
    let single = TestDatabase::new();
    let (expected, _single_nodes) = run(
        &Target { urls: [single.url(), single.url()], database: single.name().to_owned(), cluster: None },
        || {},
    );

    let db = ClusterDatabase::new();
    let cluster = db.cluster().clone();
    let target = Target {
        urls: [cluster.url(1), cluster.url(3)],
        database: db.name().to_owned(),
        cluster: Some("veil"),
    };
    // Nodes 2 and 4 (the second replica of each shard) stop half-way
    // through ingest and stay down while the answers are read; they start
    // again however the test ends (the cluster is shared).
    let down = Down(&cluster);
    let (got, nodes) = run(&target, || {
        cluster.stop_node(2);
        cluster.stop_node(4);
    });
    assert_eq!(got, expected, "the cluster answers differently");
    // Every batch answered 202 is stored once, read across shards.
    assert_eq!(
        db.query_on(1, "SELECT count(), uniqExact(session, seq) FROM recordings").trim(),
        format!("{0}\t{0}", VISITORS as u64 * BATCHES)
    );
    drop(down);

    // The replicas that were down catch up, and an erasure reaches them.
    let erased = visitor(2);
    let response =
        api(&nodes[1], "DELETE", &format!("/v1/sites/demo/visitors/{erased}"), Some(ADMIN_KEY), b"");
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    for table in ["recordings", "session_index", "heatmap_clicks_input", "consent_log"] {
        let local = format!("{table}_local");
        for node in TestCluster::NODES {
            let left = db.query_on(node, &format!(
                "SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = '{local}' AND name = 'visitor'"
            ));
            if left.trim() == "0" || table.ends_with("_input") {
                continue;
            }
            let rows = db.query_on(node, &format!("SELECT count() FROM {local} WHERE visitor = '{erased}'"));
            assert_eq!(rows.trim(), "0", "node {node}: {table} still holds the erased visitor");
        }
    }
    compact_and_replay(&target, &db, &nodes[0], &expected, 2);
}

/// Compaction on the cluster: the per-batch rows of every session become
/// archives (deleted from every replica), and replays answer as before.
fn compact_and_replay(
    target: &Target,
    db: &ClusterDatabase,
    veil: &VeilProcess,
    expected: &Answers,
    erased: usize,
) {
    let out = common::veil_with_config(&config(target, 1), &["compaction", "run", "--idle", "0s"], &[]);
    assert!(out.status.success(), "compaction: {}", String::from_utf8_lossy(&out.stderr));
    let kept = (VISITORS - 1) as u64;
    assert_eq!(db.query_on(3, "SELECT uniqExact(session) FROM recording_archives").trim(), kept.to_string());
    for node in TestCluster::NODES {
        let left = db.query_on(node, "SELECT count() FROM recordings_local");
        assert_eq!(left.trim(), "0", "node {node} still holds compacted batches");
    }
    for v in (0..VISITORS).filter(|v| *v != erased) {
        let path = format!("/v1/sites/demo/sessions/{}/events", session(v));
        let response = api(veil, "GET", &path, Some(ANALYST_KEY), b"");
        assert_eq!(response.status, 200);
        assert_eq!(response.json(), expected.replays[&session(v)], "replay of visitor {v} after compaction");
    }
}
