//! Shared pieces of the server's end-to-end tests.
#![allow(dead_code)]

use std::process::{Command, Output};

use veil_test_support::{TestDatabase, VeilOptions, VeilProcess};

/// The `veil` binary under test.
pub const VEIL: &str = env!("CARGO_BIN_EXE_veil");

/// A valid configuration for site `demo` on the given ClickHouse database.
pub fn config_for(url: &str, database: &str) -> String {
    format!(
        r#"
[clickhouse]
url = "{url}"
database = "{database}"
probe_interval = "200ms"
probe_timeout = "1s"

[[consent.keys]]
id = "k1"
secret = "hex:{secret}"

[[sites]]
id = "demo"
origins = ["http://127.0.0.1:8080"]
"#,
        secret = "ab".repeat(32)
    )
}

/// Runs `veil <args>` with `config` written to a file passed as `--config`.
pub fn veil_with_config(config: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = veil_test_support::TempDir::new("veil-cli");
    let path = dir.path().join("veil.toml");
    std::fs::write(&path, config).expect("writing config");
    // `timeout`: a config that is wrongly accepted must fail the test, not
    // leave `veil serve` running forever.
    let mut command = Command::new("timeout");
    command.arg("20").arg(VEIL).args(args).arg("--config").arg(&path).env_remove("VEIL_CONFIG");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("running veil")
}

/// `veil migrate` on the test database; panics with its output on failure.
pub fn migrate(db: &TestDatabase) -> String {
    let out = veil_with_config(&config_for(&db.url(), db.name()), &["migrate"], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "migrate failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// A migrated database and a server on it.
pub fn migrated_server() -> (TestDatabase, VeilProcess) {
    let db = TestDatabase::new();
    migrate(&db);
    let veil = VeilProcess::start(
        VEIL.as_ref(),
        VeilOptions { config: config_for(&db.url(), db.name()), env: vec![] },
    );
    (db, veil)
}
