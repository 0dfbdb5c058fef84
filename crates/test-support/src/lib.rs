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
mod cluster;
mod database;
mod http;
mod veil;

pub use clickhouse::{ClickHouseInstance, shared_clickhouse};
pub use cluster::{ClusterDatabase, TestCluster, shared_cluster};
pub use database::TestDatabase;
pub use http::Response;
/// A blocking `GET base_url + path` (10 s timeout): status and body.
pub use http::get as http_get;
pub use http::request as http_request;
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

/// A TCP port that was free a moment ago on loopback, for a server a test
/// starts (ClickHouse, `veil serve`).
///
/// Not one the kernel hands out: between this check and the server's bind,
/// any client socket of the (parallel) tests could take an ephemeral port,
/// and did on CI. Ports are drawn at random from 26000..32700, below the
/// ephemeral range, and never twice in one process; shared ClickHouse
/// ports sit lower (20000..26000).
pub fn free_port() -> u16 {
    use std::collections::HashSet;
    use std::hash::{BuildHasher, RandomState};
    use std::sync::Mutex;
    static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    let random = RandomState::new();
    for attempt in 0u64..10_000 {
        let port = 26_000 + (random.hash_one(attempt) % 6_700) as u16;
        let mut handed_out = HANDED_OUT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let handed_out = handed_out.get_or_insert_with(HashSet::new);
        if handed_out.contains(&port) {
            continue;
        }
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            handed_out.insert(port);
            return port;
        }
    }
    panic!("no free port on loopback in 26000..32700")
}
