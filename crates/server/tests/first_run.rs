//! The first ten minutes (issue 14), as a new user lives them: the
//! README's `deploy/local/run.sh` on this checkout (its own state, config,
//! ClickHouse and ports, so a developer's local run is left alone), then
//! the demo shop in Chromium (consent banner, a product, the checkout
//! form) and the console signed in with the demo admin key: pages, a
//! heatmap painted over a demo page, sessions and a replay, with nothing
//! the visitor typed in it. Screenshots go to `target/screenshots/first-run/`
//! and, with `UPDATE_SCREENSHOTS=1`, to `docs/screenshots/` (README).
//!
//! Needs `chromium` and the browser driver's node packages, like
//! `recorder_browser.rs`.

#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::browser::{Driver, check_prerequisites};
use serde_json::Value;
use veil_test_support::{TempDir, free_port, repo_root};

/// Demo visits sent by run.sh in this test (the default is 300; fewer keep
/// the suite short and still fill every page).
const DEMO_VISITS: usize = 40;

/// `deploy/local/run.sh` with this test's state; stopped again on drop.
struct LocalRun {
    state: PathBuf,
    env: Vec<(String, String)>,
}

impl LocalRun {
    fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new("bash");
        command.arg(repo_root().join("deploy/local/run.sh")).args(args).current_dir(repo_root());
        command.env_remove("VEIL_CONFIG");
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command.output().expect("running deploy/local/run.sh")
    }

    fn file(&self, name: &str) -> PathBuf {
        self.state.join(name)
    }
}

impl Drop for LocalRun {
    fn drop(&mut self) {
        let _ = self.run(&["stop"]);
    }
}

fn wait_for_file(path: &Path, timeout: Duration, log: &Path) {
    let started = Instant::now();
    while !path.exists() {
        assert!(
            started.elapsed() < timeout,
            "{} did not appear within {timeout:?}; {}:\n{}",
            path.display(),
            log.display(),
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn get(base: &str, path: &str, key: &str) -> Value {
    let auth = format!("Bearer {key}");
    let response = veil_test_support::http_request(base, "GET", path, &[("Authorization", &auth)], b"")
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(response.status, 200, "GET {path}: {}", String::from_utf8_lossy(&response.body));
    response.json()
}

#[test]
fn a_first_run_shows_the_demo_in_the_console() {
    check_prerequisites();
    let dir = TempDir::new("veil-first-run");
    let state = dir.path().join("state");
    let port = free_port();
    let env: Vec<(String, String)> = [
        ("VEIL_STATE_DIR", state.display().to_string()),
        ("VEIL_CONFIG", dir.path().join("veil.toml").display().to_string()),
        ("VEIL_LISTEN", format!("127.0.0.1:{port}")),
        ("VEIL_CH_DIR", dir.path().join("clickhouse").display().to_string()),
        ("VEIL_CH_HTTP_PORT", free_port().to_string()),
        ("VEIL_CH_TCP_PORT", free_port().to_string()),
        ("VEIL_DEMO_VISITS", DEMO_VISITS.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let local = LocalRun { state: state.clone(), env };
    let out = local.run(&[]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "run.sh failed:\n{stdout}\n{stderr}");
    let base = format!("http://127.0.0.1:{port}");
    assert!(stdout.contains(&format!("{base}/console")), "run.sh did not print the console URL:\n{stdout}");
    assert!(stderr.contains("demo visits") || stdout.contains("demo visits"), "no demo visits announced");

    // The demo visits, sent in the background, are all accepted.
    wait_for_file(&local.file("demo-visits"), Duration::from_secs(240), &local.file("demo.log"));
    let key = std::fs::read_to_string(local.file("demo-admin-key")).expect("the demo admin key");
    let key = key.trim().to_owned();

    let shots = repo_root().join("target/screenshots/first-run");
    let shots_arg = shots.display().to_string();
    let mut driver = Driver::start("first-run.mjs", &[&base, &key, &shots_arg]);

    let visited = driver.phase("visited");
    assert_eq!(visited["bannerBeforeConsent"], true, "{visited}");
    assert_eq!(visited["pageErrors"], serde_json::json!([]), "{visited}");
    // The browser's visit joins the demo's in the sessions list.
    let started = Instant::now();
    loop {
        let list = get(&base, "/v1/sites/demo/sessions", &key);
        if list["total"].as_u64().unwrap_or(0) > DEMO_VISITS as u64 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the browser's session never arrived: {list}");
        std::thread::sleep(Duration::from_millis(250));
    }
    driver.go_on();

    let heatmap = driver.phase("heatmap");
    let pages = heatmap["pages"].as_array().unwrap();
    assert!(pages.len() >= 3, "too few demo pages: {heatmap}");
    assert!(pages.iter().all(|p| p.as_str().unwrap().starts_with(&base)), "{heatmap}");
    assert!(heatmap["product"].as_str().unwrap().contains("/products/"), "{heatmap}");
    assert!(heatmap["heatmap"]["total"].as_u64().unwrap() > 0, "{heatmap}");
    assert!(heatmap["heatmap"]["painted"].as_u64().unwrap() > 0, "nothing painted: {heatmap}");
    driver.go_on();

    let replay = driver.phase("replay");
    assert_eq!(replay["typedInReplay"], serde_json::json!([]), "typed text in the replay: {replay}");
    assert_eq!(replay["pageErrors"], serde_json::json!([]), "{replay}");
    assert!(replay["sessions"].as_array().unwrap().len() > DEMO_VISITS, "{replay}");
    driver.go_on();

    // Nothing the visitor typed is in what the server gives back for the
    // replayed session (the newest: the browser's) or the sessions list.
    let session = replay["replayedSession"].as_str().unwrap();
    let events = get(&base, &format!("/v1/sites/demo/sessions/{session}/events"), &key).to_string();
    let list = get(&base, "/v1/sites/demo/sessions", &key).to_string();
    for text in visited["typed"].as_array().unwrap() {
        let text = text.as_str().unwrap();
        assert!(!events.contains(text) && !list.contains(text), "typed {text:?} came back from the server");
    }
    assert!(events.contains("Noorderlicht"), "the replayed session is not of the demo shop");

    let update = std::env::var_os("UPDATE_SCREENSHOTS").is_some_and(|v| v == "1");
    for shot in [
        "demo-shop.png",
        "first-run-pages.png",
        "first-run-heatmap.png",
        "first-run-sessions.png",
        "first-run-replay.png",
    ] {
        let bytes = std::fs::metadata(shots.join(shot)).map(|m| m.len()).unwrap_or(0);
        assert!(bytes > 10_000, "screenshot {shot} missing or empty");
        if update {
            std::fs::copy(shots.join(shot), repo_root().join("docs/screenshots").join(shot)).unwrap();
        }
    }
}
