//! Test support: a private ClickHouse for integration tests, started (or
//! reused) through `deploy/local/clickhouse.sh`, and a fresh database per
//! test that is dropped when the test ends.
//!
//! Tests never skip silently: without a ClickHouse binary they fail with
//! the command that installs one.
//!
//! ```no_run
//! let db = veil_test_support::TestDatabase::new();
//! // db.url(), db.name() go into the code under test's configuration.
//! ```

mod clickhouse;
mod database;
mod http;
mod veil;

pub use clickhouse::{ClickHouseInstance, shared_clickhouse};
pub use database::TestDatabase;
pub use http::Response;
pub use veil::{TempDir, VeilOptions, VeilProcess};

use std::path::PathBuf;

/// The checkout's root (where `Cargo.toml` of the workspace lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(|crates| crates.parent())
        .map(PathBuf::from)
        .expect("test-support lives in crates/test-support")
}

/// A TCP port that was free a moment ago on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("binding an ephemeral port on loopback")
}
