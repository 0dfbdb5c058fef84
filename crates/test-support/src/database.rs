//! One database per test, so tests run in parallel on one server without
//! seeing each other's rows.

use rand::Rng;

use crate::clickhouse::{ClickHouseInstance, shared_clickhouse};

/// A database on a private ClickHouse, named `veil_test_<random>`, dropped
/// when this value is dropped (kept when `KEEP_TEST_DATABASES=1`, for
/// debugging a failed test).
#[derive(Debug)]
pub struct TestDatabase {
    instance: ClickHouseInstance,
    name: String,
}

impl TestDatabase {
    /// A fresh, not yet created, database name on the shared test server
    /// (started if needed). Veil's `migrate` creates it.
    pub fn new() -> TestDatabase {
        TestDatabase::on(shared_clickhouse())
    }

    /// The same on a given server.
    pub fn on(instance: &ClickHouseInstance) -> TestDatabase {
        let suffix: u64 = rand::rng().random();
        TestDatabase { instance: instance.clone(), name: format!("veil_test_{suffix:016x}") }
    }

    /// The database name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The server's HTTP URL.
    pub fn url(&self) -> String {
        self.instance.url()
    }

    /// The server.
    pub fn instance(&self) -> &ClickHouseInstance {
        &self.instance
    }

    /// Runs SQL with this database as default, panicking on error.
    pub fn query(&self, sql: &str) -> String {
        self.instance
            .execute_in(&self.name, sql)
            .unwrap_or_else(|e| panic!("ClickHouse refused `{sql}` in {}: {e}", self.name))
    }
}

impl Default for TestDatabase {
    fn default() -> Self {
        TestDatabase::new()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if std::env::var_os("KEEP_TEST_DATABASES").is_some() {
            eprintln!("keeping test database {}", self.name);
            return;
        }
        let _ = self.instance.try_execute(&format!("DROP DATABASE IF EXISTS `{}`", self.name));
    }
}
