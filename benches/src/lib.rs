//! Load generators and end-to-end benchmarks that need a real ClickHouse
//! and a real `veil serve` (criterion benchmarks of pure code live beside
//! that code). Each reports figures against a baseline measured in the
//! same run.

pub mod load;
pub use veil_recording as recording;
pub mod storage;

use std::time::Duration;

use veil_test_support::{TestDatabase, VeilOptions, VeilProcess, repo_root};

/// The `veil` binary benchmarks run: `BENCH_VEIL_BIN`, or the release build.
pub fn veil_bin() -> String {
    std::env::var("BENCH_VEIL_BIN")
        .unwrap_or_else(|_| repo_root().join("target/release/veil").display().to_string())
}

/// A fresh database, migrated by `bin`, and the configuration for it:
/// one site `site` accepting `origin`, plus `extra` TOML appended.
pub fn migrated_database(bin: &str, site: &str, origin: &str, extra: &str) -> (TestDatabase, String) {
    let db = TestDatabase::new();
    let config = format!(
        "[clickhouse]\nurl = \"{url}\"\ndatabase = \"{name}\"\n[[consent.keys]]\nid = \"k1\"\n\
         secret = \"hex:{secret}\"\n[[sites]]\nid = \"{site}\"\norigins = [\"{origin}\"]\n{extra}",
        url = db.url(),
        name = db.name(),
        secret = "cd".repeat(32),
    );
    let dir = veil_test_support::TempDir::new("bench");
    let config_path = dir.path().join("veil.toml");
    std::fs::write(&config_path, &config).expect("writing config");
    let migrate = std::process::Command::new(bin)
        .args(["migrate", "--config"])
        .arg(&config_path)
        .env_remove("VEIL_CONFIG")
        .output()
        .unwrap_or_else(|e| panic!("running {bin} (build it with cargo build --release --bin veil): {e}"));
    assert!(migrate.status.success(), "veil migrate failed: {}", String::from_utf8_lossy(&migrate.stderr));
    (db, config)
}

/// Starts `veil serve` with `config` and waits until it is ready.
pub fn ready_server(bin: &str, config: String) -> VeilProcess {
    let mut veil = VeilProcess::start(bin.as_ref(), VeilOptions { config, ..Default::default() });
    veil.wait_until(Duration::from_secs(30), |v| v.get("/readyz").is_ok_and(|(s, _)| s == 200));
    veil
}

/// Median and 99th percentile of durations in milliseconds.
pub fn percentiles(mut samples_ms: Vec<f64>) -> (f64, f64) {
    (load::quantile(&mut samples_ms, 0.5), load::quantile(&mut samples_ms, 0.99))
}
