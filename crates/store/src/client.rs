use std::future::Future;
use std::time::Duration;

use clickhouse::Client;

use crate::StoreError;

/// Where and how to reach ClickHouse: the `[clickhouse]` section of the
/// configuration, already parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectOptions {
    /// HTTP(S) URL of the ClickHouse HTTP interface.
    pub url: String,
    /// Database holding Veil's tables; created by `migrate`.
    pub database: String,
    /// ClickHouse user.
    pub user: String,
    /// Its password (may be empty).
    pub password: String,
    /// Upper bound for one request; a hung ClickHouse must not hang
    /// readiness probes or shutdown.
    pub request_timeout: Duration,
    /// Cluster name in ClickHouse's `remote_servers`; `None`: one node.
    /// With it, tables are replicated and distributed (crate::cluster).
    pub cluster: Option<String>,
    /// One HTTP URL per shard of the cluster, for the schema changes older
    /// ClickHouse (18.x) cannot run `ON CLUSTER` (a new sorting key); empty:
    /// none needed.
    pub shard_urls: Vec<String>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            url: "http://127.0.0.1:8123".into(),
            database: "veil".into(),
            user: "default".into(),
            password: String::new(),
            request_timeout: Duration::from_secs(30),
            cluster: None,
            shard_urls: Vec::new(),
        }
    }
}

impl ConnectOptions {
    /// Checks what can be checked without a connection, naming the key.
    pub fn validate(&self) -> Result<(), StoreError> {
        let scheme_ok = self.url.starts_with("http://") || self.url.starts_with("https://");
        if !scheme_ok {
            return Err(StoreError::InvalidOption {
                key: "url",
                reason: "must start with http:// or https:// (the ClickHouse HTTP interface)".into(),
            });
        }
        if !is_identifier(&self.database) {
            return Err(StoreError::InvalidOption {
                key: "database",
                reason: "must be 1..=64 of [A-Za-z0-9_], not starting with a digit".into(),
            });
        }
        if self.cluster.as_deref().is_some_and(|name| !is_identifier(name)) {
            return Err(StoreError::InvalidOption {
                key: "cluster",
                reason: "must be 1..=64 of [A-Za-z0-9_], not starting with a digit".into(),
            });
        }
        if self.shard_urls.iter().any(|url| !(url.starts_with("http://") || url.starts_with("https://"))) {
            return Err(StoreError::InvalidOption {
                key: "shard_urls",
                reason: "each must start with http:// or https:// (a shard node's HTTP interface)".into(),
            });
        }
        if self.request_timeout.is_zero() {
            return Err(StoreError::InvalidOption {
                key: "request_timeout",
                reason: "must be greater than zero".into(),
            });
        }
        Ok(())
    }
}

/// Database names end up in DDL, which cannot take bind parameters, so they
/// are restricted to plain identifiers.
fn is_identifier(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && !bytes[0].is_ascii_digit()
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// A handle on Veil's ClickHouse database. Cheap to clone: clones share the
/// HTTP connection pool.
#[derive(Clone)]
pub struct Store {
    /// Client whose default database is Veil's.
    pub(crate) db: Client,
    /// Client without a database, for `CREATE DATABASE`.
    pub(crate) server: Client,
    pub(crate) database: String,
    pub(crate) timeout: Duration,
    /// Set when Veil's tables are on a cluster.
    pub(crate) cluster: Option<crate::cluster::Cluster>,
    /// One client per shard ([`ConnectOptions::shard_urls`]), Veil's
    /// database as default.
    pub(crate) shards: Vec<Client>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the client: it holds the password.
        f.debug_struct("Store").field("database", &self.database).finish_non_exhaustive()
    }
}

impl Store {
    /// Builds the clients; does not connect (ClickHouse may come up later,
    /// readiness reports it).
    pub fn connect(options: &ConnectOptions) -> Result<Store, StoreError> {
        options.validate()?;
        let server = Client::default()
            .with_url(&options.url)
            .with_user(&options.user)
            .with_password(&options.password)
            // 18.16 lacks RowBinaryWithNamesAndTypes, which validation needs.
            .with_validation(false);
        let mut db = server.clone().with_database(&options.database);
        let cluster = options
            .cluster
            .as_ref()
            .map(|name| crate::cluster::Cluster { name: name.clone(), database: options.database.clone() });
        if cluster.is_some() {
            // An insert answers once every shard has its rows (not when the
            // node queued them for later): the queue deletes a batch only
            // after that answer.
            db = db.with_setting("insert_distributed_sync", "1");
            // `x IN (SELECT … FROM distributed)` inside a distributed query:
            // the subquery runs once, its result goes to every shard (the
            // default refuses such queries).
            db = db.with_setting("distributed_product_mode", "global");
            // Replicated tables drop an inserted block identical to a recent
            // one. Two batches can aggregate to identical heatmap blocks
            // (same visitor, page and clicks): both must count, as on one
            // node. Re-sent batches are collapsed by the tables' keys.
            db = db.with_setting("insert_deduplicate", "0");
        }
        let shards = options
            .shard_urls
            .iter()
            .map(|url| {
                Client::default()
                    .with_url(url)
                    .with_user(&options.user)
                    .with_password(&options.password)
                    .with_validation(false)
                    .with_database(&options.database)
            })
            .collect();
        Ok(Store {
            db,
            server,
            database: options.database.clone(),
            timeout: options.request_timeout,
            cluster,
            shards,
        })
    }

    /// The database this store works in.
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The cluster Veil's tables are on, if any.
    pub fn cluster(&self) -> Option<&crate::cluster::Cluster> {
        self.cluster.as_ref()
    }

    /// The client bound to Veil's database, for crates that add queries.
    pub fn client(&self) -> &Client {
        &self.db
    }

    /// Answers whether ClickHouse accepts a query now, within `timeout`.
    pub async fn ping(&self, timeout: Duration) -> Result<(), StoreError> {
        let query = self.server.query(PING);
        with_timeout("ping", timeout, async move {
            let one: u8 = query.fetch_one().await.map_err(StoreError::clickhouse("ping"))?;
            debug_assert_eq!(one, 1);
            Ok(())
        })
        .await
    }

    /// The table an `ALTER` (a mutation, a partition drop) names: the table
    /// itself on one node; on a cluster every node's local table, `ON
    /// CLUSTER` (a Distributed table holds no parts to alter).
    pub(crate) fn alter_table(&self, table: &str) -> String {
        match &self.cluster {
            None => format!("`{table}`"),
            Some(cluster) => format!("{} {}", cluster.local(table), cluster.on_cluster()),
        }
    }

    /// The name `system.parts` and `system.mutations` give `table`'s data.
    pub(crate) fn stored_table(&self, table: &str) -> String {
        match &self.cluster {
            None => table.to_owned(),
            Some(_) => format!("{table}{}", crate::cluster::LOCAL_SUFFIX),
        }
    }

    /// Where to read system table `name` (`parts`, `mutations`) of every
    /// node: the node itself, or every replica of the cluster (a delete is
    /// done when no replica has it pending).
    pub(crate) async fn system_table(&self, name: &str) -> Result<String, StoreError> {
        let Some(cluster) = &self.cluster else {
            return Ok(format!("system.{name}"));
        };
        let query = self
            .server
            .query("SELECT concat(host_address, ':', toString(port)) FROM system.clusters WHERE cluster = ?")
            .bind(cluster.name.as_str());
        let replicas: Vec<String> = self
            .bounded("reading the cluster's replicas", async move {
                query.fetch_all().await.map_err(StoreError::clickhouse("reading the cluster's replicas"))
            })
            .await?;
        if replicas.is_empty() {
            return Err(StoreError::InvalidOption {
                key: "cluster",
                reason: format!("ClickHouse knows no cluster `{}` in remote_servers", cluster.name),
            });
        }
        // Addresses from ClickHouse's own configuration: host and port.
        Ok(format!("remote('{}', system, {name})", replicas.join(",").replace('\'', "")))
    }

    /// Settings for a query of [`Store::system_table`]: a replica that is
    /// down is skipped (it applies replicated deletes and partition drops
    /// from ZooKeeper when it returns).
    pub(crate) fn system_table_settings(&self) -> &'static str {
        if self.cluster.is_some() { " SETTINGS skip_unavailable_shards = 1" } else { "" }
    }

    pub(crate) async fn bounded<T>(
        &self,
        context: &str,
        fut: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        with_timeout(context, self.timeout, fut).await
    }
}

/// The cheapest query that proves ClickHouse executes queries.
pub(crate) const PING: &str = "SELECT toUInt8(1)";

async fn with_timeout<T>(
    context: &str,
    timeout: Duration,
    fut: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(timeout, fut).await {
        Ok(result) => result,
        Err(_) => Err(StoreError::Timeout {
            context: context.to_owned(),
            timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked_before_connecting() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("http://127.0.0.1:8123", "veil", None),
            ("https://ch.example:8443", "veil_prod_2", None),
            ("tcp://127.0.0.1:9000", "veil", Some("url")),
            ("127.0.0.1:8123", "veil", Some("url")),
            ("http://127.0.0.1:8123", "", Some("database")),
            ("http://127.0.0.1:8123", "1veil", Some("database")),
            ("http://127.0.0.1:8123", "veil;DROP", Some("database")),
            ("http://127.0.0.1:8123", "veil-prod", Some("database")),
        ];
        for (url, database, bad_key) in cases {
            let options = ConnectOptions {
                url: (*url).into(),
                database: (*database).into(),
                ..ConnectOptions::default()
            };
            match (options.validate(), bad_key) {
                (Ok(()), None) => {}
                (Err(StoreError::InvalidOption { key, .. }), Some(expected)) => {
                    assert_eq!(key, *expected, "{url} {database}")
                }
                (other, _) => panic!("{url} {database}: unexpected {other:?}"),
            }
        }
    }
}
