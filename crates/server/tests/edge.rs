//! Issue 17, findings 3 and 6, against the real server: stalled request
//! bodies and headers are answered 408 and closed within their deadline,
//! one client address cannot hold more than its share of requests in
//! flight, and behind a trusted reverse proxy each visitor has their own
//! rate-limit bucket (while forwarding headers from anyone else are
//! ignored).

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{ORIGIN, demo_token};
use veil_test_support::{TestDatabase, VeilOptions, VeilProcess};

fn server(extra_config: &str, env: &[(&str, &str)]) -> (TestDatabase, VeilProcess) {
    let db = TestDatabase::new();
    common::migrate(&db);
    let config = common::config_for(&db.url(), db.name()) + extra_config;
    let env = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    let mut veil = VeilProcess::start(common::VEIL.as_ref(), VeilOptions { config, env, port: None });
    common::wait_ready(&mut veil);
    (db, veil)
}

fn connect(veil: &VeilProcess) -> TcpStream {
    let address = veil.base_url().trim_start_matches("http://");
    let stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    stream
}

/// Sends an ingest request's headers (announcing a 1 MiB body) and the
/// first bytes of the body, then nothing more.
fn stalled_upload(veil: &VeilProcess, token: &str, forwarded_for: Option<&str>) -> TcpStream {
    let mut stream = connect(veil);
    let forwarded = forwarded_for.map(|f| format!("X-Forwarded-For: {f}\r\n")).unwrap_or_default();
    write!(
        stream,
        "POST /v1/ingest HTTP/1.1\r\nHost: veil\r\nOrigin: {ORIGIN}\r\nX-Consent-Token: {token}\r\n\
         Content-Type: application/msgpack\r\nContent-Encoding: zstd\r\n{forwarded}Content-Length: 1048576\r\n\r\n\
         0123456789"
    )
    .unwrap();
    stream
}

/// Reads until the server closes; returns what it sent.
fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn stalled_bodies_are_answered_408_and_closed_within_the_deadline() {
    let (_db, veil) = server("", &[("VEIL_SERVER__BODY_READ_TIMEOUT", "2s")]);
    let token = demo_token();
    let (peak_before, rss_before) = veil.memory();
    let started = Instant::now();
    let mut streams: Vec<TcpStream> = (0..40).map(|_| stalled_upload(&veil, &token, None)).collect();
    for stream in &mut streams {
        let answer = read_to_close(stream);
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("request_timeout"), "{answer}");
    }
    let took = started.elapsed();
    let growth = veil.memory().0.saturating_sub(peak_before.max(rss_before));
    eprintln!("40 stalled uploads: all closed with 408 after {took:?}; peak RSS grew {} MiB", growth >> 20);
    assert!(took < Duration::from_secs(6), "closed after {took:?}");
    assert!(growth < 32 << 20, "peak RSS grew {} MiB", growth >> 20);
    assert_eq!(veil.get("/healthz").unwrap().0, 200);
}

#[test]
fn stalled_headers_are_answered_408() {
    let (_db, veil) = server("", &[("VEIL_SERVER__HEADER_READ_TIMEOUT", "1s")]);
    let mut stream = connect(&veil);
    let started = Instant::now();
    stream.write_all(b"POST /v1/ingest HTTP/1.1\r\nHost: veil\r\n").unwrap();
    let answer = read_to_close(&mut stream);
    let took = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(took < Duration::from_secs(4), "closed after {took:?}");
}

#[test]
fn one_client_cannot_hold_more_than_its_requests_in_flight() {
    let trusted = "\n[server]\ntrusted_proxies = [\"127.0.0.1/32\"]\nmax_requests_per_client = 3\n";
    let (_db, veil) = server(trusted, &[("VEIL_SERVER__BODY_READ_TIMEOUT", "5s")]);
    let token = demo_token();
    let mut held: Vec<TcpStream> =
        (0..3).map(|_| stalled_upload(&veil, &token, Some("203.0.113.1"))).collect();
    std::thread::sleep(Duration::from_millis(300));
    let as_client = |client: &str| {
        let batch = common::batch("demo", "7e1d2c3b-4a5f-4e6d-8c9b-0a1f2e3d4c5b", 0);
        let body = common::zstd(&common::msgpack(&batch));
        common::ingest_body_with(&veil, &token, &body, &[("X-Forwarded-For", client)])
    };
    let refused = as_client("203.0.113.1");
    assert_eq!((refused.status, refused.error_code().as_str()), (429, "too_many_requests_in_flight"));
    assert_eq!(as_client("203.0.113.2").status, 202, "another client is served");
    for stream in &mut held {
        assert!(read_to_close(stream).starts_with("HTTP/1.1 408"));
    }
    assert_eq!(as_client("203.0.113.1").status, 202, "its slots came back");
}

fn ingest_as(veil: &VeilProcess, token: &str, forwarded_for: &str) -> u16 {
    let batch = common::batch("demo", "8e1d2c3b-4a5f-4e6d-8c9b-0a1f2e3d4c5b", 0);
    let body = common::zstd(&common::msgpack(&batch));
    common::ingest_body_with(veil, token, &body, &[("X-Forwarded-For", forwarded_for)]).status
}

#[test]
fn behind_a_trusted_proxy_each_visitor_is_limited_alone() {
    let config = "\n[server]\ntrusted_proxies = [\"127.0.0.1/32\"]\n";
    let (_db, veil) = server(
        config,
        &[("VEIL_INGEST__RATE_LIMIT_PER_SECOND", "1"), ("VEIL_INGEST__RATE_LIMIT_BURST", "3")],
    );
    let token = demo_token();
    let statuses: Vec<u16> = (0..5).map(|_| ingest_as(&veil, &token, "203.0.113.1")).collect();
    assert_eq!(&statuses[..3], &[202, 202, 202], "{statuses:?}");
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");
    assert_eq!(ingest_as(&veil, &token, "203.0.113.2"), 202, "another visitor behind the same proxy");
    // A spoofed hop in front of the real client changes nothing.
    assert_eq!(ingest_as(&veil, &token, "198.51.100.7, 203.0.113.1"), 429);
}

#[test]
fn forwarding_headers_from_an_untrusted_peer_are_ignored() {
    let (_db, veil) =
        server("", &[("VEIL_INGEST__RATE_LIMIT_PER_SECOND", "1"), ("VEIL_INGEST__RATE_LIMIT_BURST", "3")]);
    let token = demo_token();
    let statuses: Vec<u16> = (0..5).map(|n| ingest_as(&veil, &token, &format!("203.0.113.{n}"))).collect();
    assert_eq!(&statuses[..3], &[202, 202, 202], "{statuses:?}");
    assert!(statuses[3..].iter().all(|s| *s == 429), "one bucket for the peer: {statuses:?}");
}
