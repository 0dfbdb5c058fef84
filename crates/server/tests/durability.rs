//! Nothing acknowledged is lost (SPEC §4: "never 202 then lose it"):
//! batches accepted while ClickHouse is down arrive once it is back, none
//! twice; a full queue answers 503 with Retry-After; a restart replays the
//! queue; SIGTERM lets an in-flight upload finish. Each test has its own
//! ClickHouse so it can stop it.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{ORIGIN, batch, demo_token, msgpack, wait_for_query, zstd};
use serde_json::json;
use veil_test_support::{ClickHouseInstance, TempDir, TestDatabase, VeilOptions, VeilProcess, free_port};

const SESSION: &str = "0b7e6f4a-2c1d-4e8f-9a3b-5c6d7e8f9a0b";

struct Setup {
    clickhouse: ClickHouseInstance,
    db: TestDatabase,
}

impl Setup {
    fn new(name: &str) -> Setup {
        let clickhouse = ClickHouseInstance::new(name, free_port(), free_port());
        clickhouse.start();
        let db = TestDatabase::on(&clickhouse);
        common::migrate(&db);
        Setup { clickhouse, db }
    }

    fn veil(&self, env: &[(&str, &str)]) -> VeilProcess {
        self.veil_on(env, None)
    }

    fn veil_on(&self, env: &[(&str, &str)], port: Option<u16>) -> VeilProcess {
        let env = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        VeilProcess::start(
            common::VEIL.as_ref(),
            VeilOptions { config: common::config_for(&self.db.url(), self.db.name()), env, port },
        )
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        self.clickhouse.stop();
    }
}

#[test]
fn batches_accepted_while_clickhouse_is_down_arrive_once_none_twice() {
    let setup = Setup::new("clickhouse-outage-test");
    let mut veil = setup.veil(&[]);
    common::wait_ready(&mut veil);
    let token = demo_token();
    assert_eq!(common::ingest(&veil, &token, &batch("demo", SESSION, 0)).status, 202);
    wait_for_query(&setup.db, "SELECT count() FROM recordings", "1", Duration::from_secs(10));

    setup.clickhouse.stop();
    for seq in 1..=20 {
        let response = common::ingest(&veil, &token, &batch("demo", SESSION, seq));
        assert_eq!(response.status, 202, "seq {seq}: {}", String::from_utf8_lossy(&response.body));
    }
    // Give the shipper time to fail a few inserts.
    std::thread::sleep(Duration::from_secs(2));
    // Mid-outage, the backlog gauges show the 20 waiting records (each
    // batch is one record), not the 0 of before the outage.
    let gauge = |metrics: &str, name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in\n{metrics}"))
    };
    let metrics = veil.get("/metrics").expect("metrics").1;
    assert_eq!(gauge(&metrics, "veil_queue_unconsumed_records"), 20, "{metrics}");
    assert!(gauge(&metrics, "veil_queue_unconsumed_bytes") > 0, "{metrics}");
    setup.clickhouse.start();
    wait_for_query(
        &setup.db,
        "SELECT count(), uniqExact(seq), min(seq), max(seq) FROM recordings",
        "21\t21\t0\t20",
        Duration::from_secs(30),
    );
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(setup.db.query("SELECT count() FROM recordings").trim(), "21", "a batch was stored twice");
    let metrics = veil.get("/metrics").expect("metrics").1;
    assert!(metrics.contains(r#"veil_store_insert_failures_total{kind="retryable"}"#), "{metrics}");
    assert_eq!(gauge(&metrics, "veil_queue_unconsumed_records"), 0, "drained: {metrics}");
    // Every stored batch has a shipping lag; the ones that waited out the
    // outage (over 2 s) are above the first bucket.
    assert_eq!(gauge(&metrics, "veil_store_shipping_lag_seconds_count"), 21, "{metrics}");
    let within_a_second = gauge(&metrics, r#"veil_store_shipping_lag_seconds_bucket{le="1"}"#);
    assert!(within_a_second <= 2, "the outage's batches waited over a second: {metrics}");
}

#[test]
fn a_full_queue_answers_503_and_loses_nothing() {
    let setup = Setup::new("clickhouse-queue-full-test");
    let mut veil = setup
        .veil(&[("VEIL_QUEUE__MAX_BYTES", "16777216"), ("VEIL_INGEST__MAX_DECOMPRESSED_BYTES", "2097152")]);
    common::wait_ready(&mut veil);
    setup.clickhouse.stop();
    let token = demo_token();
    let mut accepted = Vec::new();
    let mut unavailable = None;
    for seq in 0..200u64 {
        // About 1 MiB of incompressible text per batch.
        let mut body = batch("demo", SESSION, seq);
        let noise = noise(seq, 1_000_000);
        body["events"][0]["data"]["noise"] = json!(noise);
        let response = common::ingest(&veil, &token, &body);
        match response.status {
            202 => accepted.push(seq),
            503 => {
                unavailable = Some(response);
                break;
            }
            other => panic!("seq {seq}: unexpected {other}: {}", String::from_utf8_lossy(&response.body)),
        }
    }
    let unavailable = unavailable.expect("the queue never filled up");
    assert_eq!(unavailable.error_code(), "unavailable");
    assert!(unavailable.header("retry-after").is_some_and(|v| v.parse::<u64>().is_ok_and(|s| s >= 1)));
    assert!(accepted.len() >= 4, "only {} batches fit", accepted.len());
    let (status, body) = veil.get("/readyz").expect("readyz");
    assert_eq!(status, 503, "{body}");

    setup.clickhouse.start();
    let expected = format!("{n}\t{n}", n = accepted.len());
    wait_for_query(
        &setup.db,
        "SELECT count(), uniqExact(seq) FROM recordings",
        &expected,
        Duration::from_secs(60),
    );
    common::wait_ready(&mut veil);
    let response = common::ingest(&veil, &token, &batch("demo", SESSION, 1000));
    assert_eq!(response.status, 202, "ingest works again once the queue drained");
}

#[test]
fn a_restart_ships_what_an_earlier_process_accepted() {
    let setup = Setup::new("clickhouse-replay-test");
    let queue = TempDir::new("veil-queue");
    let queue_dir = queue.path().join("queue");
    let queue_env = queue_dir.to_str().expect("utf-8 path");
    let env = [("VEIL_QUEUE__DIR", queue_env), ("VEIL_SERVER__SHUTDOWN_TIMEOUT", "1s")];
    // A restart keeps its listen address, and so finds its queue.
    let port = free_port();
    let mut first = setup.veil_on(&env, Some(port));
    common::wait_ready(&mut first);
    setup.clickhouse.stop();
    let token = demo_token();
    for seq in 0..10 {
        assert_eq!(common::ingest(&first, &token, &batch("demo", SESSION, seq)).status, 202);
    }
    let (clean, _) = first.terminate(Duration::from_secs(15));
    assert!(clean, "{}", first.log());
    assert!(first.log().contains("ship after the next start"), "{}", first.log());

    setup.clickhouse.start();
    let second = setup.veil_on(&env, Some(port));
    wait_for_query(
        &setup.db,
        "SELECT count(), uniqExact(seq) FROM recordings",
        "10\t10",
        Duration::from_secs(30),
    );
    drop(second);
}

#[test]
fn sigterm_lets_an_in_flight_upload_finish_and_ships_it() {
    let setup = Setup::new("clickhouse-drain-test");
    let mut veil = setup.veil(&[]);
    common::wait_ready(&mut veil);
    let token = demo_token();
    let body = zstd(&msgpack(&batch("demo", SESSION, 0)));
    let authority = veil.base_url().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&authority).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    let head = format!(
        "POST /v1/ingest HTTP/1.0\r\nHost: {authority}\r\nOrigin: {ORIGIN}\r\nX-Consent-Token: {token}\r\n\
         Content-Type: application/msgpack\r\nContent-Encoding: zstd\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("head");
    let half = body.len() / 2;
    stream.write_all(&body[..half]).expect("first half");
    std::thread::sleep(Duration::from_millis(300));

    veil.signal_term();
    std::thread::sleep(Duration::from_millis(500));
    stream.write_all(&body[half..]).expect("second half");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    assert!(response.lines().next().is_some_and(|l| l.contains(" 202 ")), "{response}");

    let (clean, took) = veil.wait_exit(Duration::from_secs(30));
    assert!(clean, "{}", veil.log());
    assert!(took < Duration::from_secs(10), "{took:?}");
    // Drained on shutdown: the row is in ClickHouse although the process is gone.
    wait_for_query(&setup.db, "SELECT count() FROM recordings", "1", Duration::from_secs(5));
}

/// Text that does not compress: letters from a xorshift generator.
fn noise(seed: u64, len: usize) -> String {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'a' + (state % 26) as u8)
        })
        .collect()
}
