//! The loopback ClickHouse cluster for tests (2 shards x 2 replicas named
//! `veil`, with ZooKeeper), driven through `deploy/cluster/cluster.sh` as a
//! developer runs it, shared by every cluster test and reused across runs.

use std::fs::File;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use crate::{http, repo_root};

/// The shared test cluster.
#[derive(Debug, Clone)]
pub struct TestCluster {
    dir: PathBuf,
    base_port: u16,
}

/// Started on first use; each test works in a database of its own.
pub fn shared_cluster() -> &'static TestCluster {
    static SHARED: OnceLock<TestCluster> = OnceLock::new();
    SHARED.get_or_init(|| {
        // Above the shared single server's ports (20000..=25999) and below
        // the kernel's ephemeral range (32768 and up); one checkout, one
        // range, as for the single server.
        let mut hash: u32 = 0x811c_9dc5;
        for byte in repo_root().as_os_str().as_encoded_bytes() {
            hash = (hash ^ u32::from(*byte)).wrapping_mul(0x0100_0193);
        }
        let cluster = TestCluster {
            dir: repo_root().join(".local/cluster-test"),
            base_port: 26_000 + (hash % 300) as u16 * 20,
        };
        cluster.script(&["start-clickhouse"]);
        cluster
    })
}

impl TestCluster {
    /// Nodes 1–4: shard 1 is nodes 1 and 2, shard 2 nodes 3 and 4.
    pub const NODES: [u8; 4] = [1, 2, 3, 4];

    /// HTTP port of node `n`.
    pub fn http_port(&self, n: u8) -> u16 {
        self.base_port + u16::from(n)
    }

    /// HTTP URL of node `n`, for `[clickhouse].url`.
    pub fn url(&self, n: u8) -> String {
        format!("http://127.0.0.1:{}", self.http_port(n))
    }

    /// Runs SQL on node `n` with `database` as default.
    pub fn execute_on(&self, n: u8, database: &str, sql: &str) -> Result<String, String> {
        http::query(self.http_port(n), Some(database), sql)
    }

    /// Stops node `n` (its data stays).
    pub fn stop_node(&self, n: u8) {
        self.script(&["node", &n.to_string(), "stop"]);
    }

    /// Starts node `n` again.
    pub fn start_node(&self, n: u8) {
        self.script(&["node", &n.to_string(), "start"]);
    }

    /// True when node `n` answers `/ping`.
    pub fn is_up(&self, n: u8) -> bool {
        http::ping(self.http_port(n))
    }

    fn script(&self, args: &[&str]) {
        std::fs::create_dir_all(&self.dir).expect("creating the cluster directory");
        // Several test binaries may start the cluster at once.
        let lock = File::create(self.dir.with_extension("lock")).expect("creating the start lock");
        lock.lock().expect("locking the start lock");
        let script = repo_root().join("deploy/cluster/cluster.sh");
        let output = Command::new("bash")
            .arg(&script)
            .args(args)
            .env("VEIL_CLUSTER_DIR", &self.dir)
            .env("VEIL_CLUSTER_PORT", self.base_port.to_string())
            .env("VEIL_CH_NO_INSTALL", "1")
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
        drop(lock);
        if !output.status.success() {
            panic!(
                "`deploy/cluster/cluster.sh {}` failed.\n{}\nCluster tests need ZooKeeper and ClickHouse: \
                 `apt-get install zookeeper clickhouse-server`, `deploy/cluster/cluster.sh install`, or run \
                 the suite with `deploy/local/test.sh`, which installs them.",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
    }
}

/// A fresh database on the shared test cluster, dropped on every node
/// (with its replicas' ZooKeeper state) when the test ends.
#[derive(Debug)]
pub struct ClusterDatabase {
    cluster: TestCluster,
    name: String,
}

impl ClusterDatabase {
    /// A new, not yet created, database name; Veil's `migrate` creates it.
    pub fn new() -> ClusterDatabase {
        let suffix: u64 = rand::random();
        ClusterDatabase { cluster: shared_cluster().clone(), name: format!("veil_cluster_{suffix:016x}") }
    }

    /// The database name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cluster.
    pub fn cluster(&self) -> &TestCluster {
        &self.cluster
    }

    /// Runs SQL on node `n` in this database, panicking on error.
    pub fn query_on(&self, n: u8, sql: &str) -> String {
        self.cluster
            .execute_on(n, &self.name, sql)
            .unwrap_or_else(|e| panic!("node {n} refused `{sql}` in {}: {e}", self.name))
    }
}

impl Default for ClusterDatabase {
    fn default() -> Self {
        ClusterDatabase::new()
    }
}

impl Drop for ClusterDatabase {
    fn drop(&mut self) {
        if std::env::var_os("KEEP_TEST_DATABASES").is_some() {
            eprintln!("keeping cluster test database {}", self.name);
            return;
        }
        // Per node rather than ON CLUSTER: a node a test stopped must not
        // make the drop wait for its distributed DDL timeout.
        for n in TestCluster::NODES {
            if self.cluster.is_up(n) {
                let _ = self.cluster.execute_on(
                    n,
                    "default",
                    &format!("DROP DATABASE IF EXISTS `{}`", self.name),
                );
            }
        }
    }
}
