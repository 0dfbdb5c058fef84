//! Issue 17, finding 5: a logged-out console cookie kept working for its
//! 12 h on every node, failed logins and bearer keys were not throttled,
//! and a login accepted `text/plain` (login CSRF). Against real servers.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::{ANALYST_KEY, ORIGIN};
use serde_json::json;
use veil_test_support::{TestDatabase, VeilOptions, VeilProcess};

use common::{console_login as login, cookie_of};

fn me(veil: &VeilProcess, cookie: &str) -> u16 {
    veil.request("GET", "/console/me", &[("Cookie", cookie)], b"").status
}

#[test]
fn a_logged_out_cookie_is_refused_by_every_node() {
    let db = TestDatabase::new();
    common::migrate(&db);
    let config = common::config_with_keys(&db, ORIGIN);
    let start = || {
        let mut node = VeilProcess::start(
            common::VEIL.as_ref(),
            VeilOptions { config: config.clone(), env: Vec::new(), port: None },
        );
        common::wait_ready(&mut node);
        node
    };
    let (a, b) = (start(), start());
    let cookie = cookie_of(&login(&a, ANALYST_KEY));
    let other_login = cookie_of(&login(&a, ANALYST_KEY));
    assert_eq!((me(&a, &cookie), me(&b, &cookie)), (200, 200), "one login works on every node");

    let out = a.request("POST", "/console/logout", &[("Cookie", &cookie)], b"");
    assert_eq!(out.status, 204, "{}", String::from_utf8_lossy(&out.body));
    let logged_out = Instant::now();
    assert_eq!(me(&a, &cookie), 401, "the node that logged out refuses at once");
    // The other node learns it from ClickHouse within its poll interval
    // (1 s in the test configuration).
    while me(&b, &cookie) != 401 {
        assert!(logged_out.elapsed() < Duration::from_secs(10), "node B still accepts the cookie");
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("node B refused the logged-out cookie after {:?}", logged_out.elapsed());
    assert_eq!((me(&a, &other_login), me(&b, &other_login)), (200, 200), "another login of the key lives on");
    // A node started after the logout knows it from its first poll.
    let mut c = start();
    c.wait_until(Duration::from_secs(10), |c| me(c, &cookie) == 401);
    assert_eq!(me(&c, &cookie), 401);
}

#[test]
fn the_eleventh_wrong_login_within_a_minute_is_throttled() {
    let (_db, veil) = common::server_with_keys(&[]);
    for attempt in 1..=10 {
        let response = login(&veil, &format!("veil_guess_{attempt}"));
        assert_eq!(response.status, 401, "attempt {attempt}");
    }
    let eleventh = login(&veil, "veil_guess_11");
    assert_eq!((eleventh.status, eleventh.error_code().as_str()), (429, "throttled"));
    let wait: u64 = eleventh.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    // While throttled even the right key is refused: no oracle.
    assert_eq!(login(&veil, ANALYST_KEY).status, 429);
    let metrics = veil.get("/metrics").unwrap().1;
    assert!(metrics.contains(r#"veil_console_auth_failures_total{kind="login"} 10"#), "{metrics}");
    assert!(metrics.contains(r#"veil_console_auth_throttled_total{kind="login"} 2"#), "{metrics}");
}

#[test]
fn wrong_bearer_keys_are_throttled_too() {
    let (_db, veil) = common::server_with_keys(&[]);
    let get = |key: &str| common::api(&veil, "GET", "/v1/sites", Some(key), b"");
    assert_eq!(get(ANALYST_KEY).status, 200);
    for attempt in 1..=10 {
        assert_eq!(get(&format!("veil_guess_{attempt}")).status, 401, "attempt {attempt}");
    }
    let throttled = get("veil_guess_11");
    assert_eq!((throttled.status, throttled.error_code().as_str()), (429, "throttled"));
    assert!(throttled.header("retry-after").is_some());
    assert_eq!(get(ANALYST_KEY).status, 429, "the address is throttled, whatever the key");
}

#[test]
fn a_login_takes_json_only() {
    let (_db, veil) = common::server_with_keys(&[]);
    let body = json!({"key": ANALYST_KEY}).to_string();
    for content_type in
        ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""]
    {
        let headers: Vec<(&str, &str)> =
            if content_type.is_empty() { vec![] } else { vec![("Content-Type", content_type)] };
        let response = veil.post("/console/login", &headers, body.as_bytes());
        assert_eq!(
            (response.status, response.error_code().as_str()),
            (415, "unsupported_content_type"),
            "{content_type:?}"
        );
        assert!(response.header("set-cookie").is_none());
    }
    let json =
        veil.post("/console/login", &[("Content-Type", "application/json; charset=utf-8")], body.as_bytes());
    assert_eq!(json.status, 200);
}
