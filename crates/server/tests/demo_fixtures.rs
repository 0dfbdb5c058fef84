//! The demo's page fixtures (`crates/server/src/commands/demo/pages.json`,
//! what `veil demo` builds its visits from) are of the demo shop served
//! now: Chromium records every demo page again with rrweb and the result
//! must equal the committed file. After a change to the demo pages:
//! `UPDATE_DEMO_FIXTURES=1 cargo test -p veil-server --test demo_fixtures`.
//!
//! Needs `chromium` and the driver's node packages, like
//! `recorder_browser.rs`.

#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use common::browser::{Driver, check_prerequisites};
use common::{ORIGIN, config_with_keys};
use veil_test_support::{TempDir, VeilOptions, VeilProcess, repo_root};

#[test]
fn the_demo_fixtures_are_of_the_pages_served_now() {
    check_prerequisites();
    let db = veil_test_support::TestDatabase::new();
    common::migrate(&db);
    let config = config_with_keys(&db, ORIGIN).replacen(
        "[clickhouse]",
        "[server]\ndemo_site = \"demo\"\n\n[clickhouse]",
        1,
    );
    let mut veil =
        VeilProcess::start(common::VEIL.as_ref(), VeilOptions { config, env: Vec::new(), port: None });
    common::wait_ready(&mut veil);
    let dir = TempDir::new("veil-demo-fixtures");
    let fresh = dir.path().join("demo_pages.json");
    let fresh_arg = fresh.display().to_string();
    let mut driver = Driver::start("demo-fixtures.mjs", &[veil.base_url(), &fresh_arg]);
    let written = driver.phase("written");
    assert_eq!(written["pages"], 10, "{written}");
    let committed_path = repo_root().join("crates/server/src/commands/demo/pages.json");
    if std::env::var_os("UPDATE_DEMO_FIXTURES").is_some_and(|v| v == "1") {
        std::fs::copy(&fresh, &committed_path).unwrap();
    }
    let read = |path: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(
            &std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
        .unwrap()
    };
    let (fresh, committed) = (read(&fresh), read(&committed_path));
    for (now, then) in fresh["pages"].as_array().unwrap().iter().zip(committed["pages"].as_array().unwrap()) {
        assert_eq!(
            now, then,
            "the demo page {} changed: regenerate with UPDATE_DEMO_FIXTURES=1 cargo test -p veil-server --test demo_fixtures",
            now["path"]
        );
    }
    assert_eq!(fresh, committed);
}
