//! Private ClickHouse servers for tests, driven through the same script a
//! developer uses (`deploy/local/clickhouse.sh`), so the script is tested
//! by every test run.

use std::fs::File;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use crate::{http, repo_root};

/// Ports of the shared test server, derived from the checkout's path: the
/// same on every run of one checkout (so the server is reused), different
/// between checkouts (so a server left by another clone never answers for
/// ours), and away from a system ClickHouse (8123/9000) and the local run's
/// (18123/19000): HTTP in 30000..=39998, native port one above.
fn shared_ports() -> (u16, u16) {
    // FNV-1a over the path's bytes: stable across Rust versions, unlike
    // the standard hasher.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in repo_root().as_os_str().as_encoded_bytes() {
        hash = (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193);
    }
    // Below the kernel's ephemeral range (32768 and up by default), so no
    // client socket of a running test can hold these ports.
    let http = 20_000 + (hash % 3_000) as u16 * 2;
    (http, http + 1)
}

/// A private ClickHouse server with its own directory under `.local/`.
#[derive(Debug, Clone)]
pub struct ClickHouseInstance {
    dir: PathBuf,
    http_port: u16,
    tcp_port: u16,
}

/// The server shared by all tests of all test binaries; started on first
/// use, reused afterwards (also across `cargo test` runs).
pub fn shared_clickhouse() -> &'static ClickHouseInstance {
    static SHARED: OnceLock<ClickHouseInstance> = OnceLock::new();
    SHARED.get_or_init(|| {
        let (http, tcp) = shared_ports();
        let instance = ClickHouseInstance::new("clickhouse-test", http, tcp);
        instance.start();
        instance
    })
}

impl ClickHouseInstance {
    /// Describes a server in `.local/<name>` on the given ports; nothing is
    /// started yet. Tests that stop their server use their own name and
    /// free ports so they never disturb the shared one.
    pub fn new(name: &str, http_port: u16, tcp_port: u16) -> ClickHouseInstance {
        ClickHouseInstance { dir: repo_root().join(".local").join(name), http_port, tcp_port }
    }

    /// The HTTP URL Veil's `[clickhouse].url` takes.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    /// The HTTP port.
    pub fn http_port(&self) -> u16 {
        self.http_port
    }

    /// Starts the server, or reuses it when it already runs. Panics with
    /// the install command when no ClickHouse binary exists.
    pub fn start(&self) {
        // Test binaries run in parallel processes (nextest, or several
        // cargo test invocations): serialise starts of one instance.
        std::fs::create_dir_all(&self.dir).expect("creating the ClickHouse instance directory");
        let lock = File::create(self.dir.with_extension("lock")).expect("creating the start lock");
        lock.lock().expect("locking the start lock");
        self.script("start");
        drop(lock);
    }

    /// The server's process id, from the pid file its start script keeps
    /// (benchmarks read its CPU time from `/proc`); `None` when it has none.
    pub fn pid(&self) -> Option<u32> {
        std::fs::read_to_string(self.dir.join("clickhouse-server.pid")).ok()?.trim().parse().ok()
    }

    /// Stops the server (its data stays).
    pub fn stop(&self) {
        self.script("stop");
    }

    /// Runs SQL with `database` as the default database.
    pub fn execute_in(&self, database: &str, sql: &str) -> Result<String, String> {
        http::query(self.http_port, Some(database), sql)
    }

    /// True when the server answers `/ping`.
    pub fn is_up(&self) -> bool {
        http::ping(self.http_port)
    }

    /// Runs one SQL statement, panicking with ClickHouse's message on error.
    pub fn execute(&self, sql: &str) -> String {
        http::query(self.http_port, None, sql).unwrap_or_else(|e| panic!("ClickHouse refused `{sql}`: {e}"))
    }

    /// Runs one SQL statement, returning ClickHouse's error as text.
    pub fn try_execute(&self, sql: &str) -> Result<String, String> {
        http::query(self.http_port, None, sql)
    }

    fn script(&self, action: &str) {
        let script = repo_root().join("deploy/local/clickhouse.sh");
        let output = Command::new("bash")
            .arg(&script)
            .arg(action)
            .env("VEIL_CH_DIR", &self.dir)
            .env("VEIL_CH_HTTP_PORT", self.http_port.to_string())
            .env("VEIL_CH_TCP_PORT", self.tcp_port.to_string())
            // Tests say how to install; they do not install behind your back.
            .env("VEIL_CH_NO_INSTALL", "1")
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
        if !output.status.success() {
            panic!(
                "`deploy/local/clickhouse.sh {action}` failed.\n{}\n\
                 Integration tests need a ClickHouse binary: install it with \
                 `apt-get install clickhouse-server clickhouse-client` (Debian) or \
                 `deploy/local/clickhouse.sh install`, or run the whole suite with \
                 `deploy/local/test.sh`, which installs everything it needs.",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
    }
}
