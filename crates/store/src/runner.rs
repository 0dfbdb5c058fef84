//! Applies [`crate::migrations::MIGRATIONS`] in order and records each in
//! `schema_migrations`, so `veil migrate` run twice does nothing the second
//! time and several nodes may run it at once (every statement is
//! idempotent; a version recorded twice is read once).

use std::fmt;
use std::time::Duration;

use clickhouse::Row;
use serde::Deserialize;

use crate::cluster::Cluster;
use crate::migrations::{self, MIGRATIONS, Migration};
use crate::{Store, StoreError};

/// The bookkeeping table; created before anything else.
pub(crate) const MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime
) ENGINE = MergeTree
ORDER BY version";

/// Reads what was applied; `GROUP BY` because concurrent runs may record a
/// version twice.
pub(crate) const SELECT_APPLIED: &str = "SELECT version, any(name) AS name, any(checksum) AS checksum \
     FROM schema_migrations GROUP BY version ORDER BY version";

/// The lock table of cluster migrations (see [`Store::lock`]).
const LOCK_TABLE: &str = "veil_migration_lock";

/// How long `migrate` waits for another node's migration.
const LOCK_WAIT: Duration = Duration::from_secs(120);

/// "Table already exists" (this node holds it) and "Replica already
/// exists" (another node does).
const LOCK_HELD_CODES: &[&str] = &["Code: 57", "Code: 253"];

fn lock_path(cluster: &Cluster) -> String {
    format!("/clickhouse/veil/{}/migration_lock", cluster.database)
}

/// Age of the lock's replica node in ZooKeeper; `?`: its parent path.
const SELECT_LOCK_AGE: &str =
    "SELECT toUInt64(now() - min(ctime)) FROM system.zookeeper WHERE path = ? AND name = 'lock'";

/// Whether a column exists; `?`: table, column.
pub(crate) const SELECT_HAS_COLUMN: &str =
    "SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = ? AND name = ?";

pub(crate) const INSERT_APPLIED: &str =
    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, now())";

/// ClickHouse error codes meaning "not created yet": UNKNOWN_TABLE (60)
/// and UNKNOWN_DATABASE (81).
const NOT_CREATED_CODES: [&str; 2] = ["Code: 60", "Code: 81"];

#[derive(Debug, Row, Deserialize)]
struct AppliedRow {
    version: u32,
    name: String,
    checksum: String,
}

/// A migration recorded in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    /// Its version.
    pub version: u32,
    /// Its name.
    pub name: String,
}

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// Database migrated.
    pub database: String,
    /// Migrations applied by this run, in order (empty: nothing to do).
    pub applied: Vec<AppliedMigration>,
    /// Schema version after the run.
    pub version: u32,
}

impl fmt::Display for MigrationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.applied.is_empty() {
            return write!(
                f,
                "database `{}` is at schema version {}: nothing to do",
                self.database, self.version
            );
        }
        for migration in &self.applied {
            writeln!(f, "applied {} {}", migration.version, migration.name)?;
        }
        write!(f, "database `{}` is now at schema version {}", self.database, self.version)
    }
}

/// How the database's schema compares with this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaStatus {
    /// Newest version recorded in the database (0: never migrated).
    pub current: u32,
    /// Newest version this build knows.
    pub latest: u32,
}

impl SchemaStatus {
    /// True when every migration of this build is applied.
    pub fn is_current(&self) -> bool {
        self.current >= self.latest
    }
}

impl Store {
    /// Creates the database if needed and applies every pending migration.
    pub async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        let on_cluster = self.cluster.as_ref().map(|c| format!(" {}", c.on_cluster())).unwrap_or_default();
        let create_database = format!("CREATE DATABASE IF NOT EXISTS `{}`{on_cluster}", self.database);
        self.execute(&self.server, "creating the database", &create_database).await?;
        let Some(cluster) = self.cluster.clone() else {
            self.execute(&self.db, "creating schema_migrations", MIGRATIONS_TABLE).await?;
            return self.apply_pending(None).await;
        };
        self.execute(&self.db, "creating schema_migrations", &cluster.migrations_table()).await?;
        self.lock(&cluster).await?;
        let report = self.apply_pending(Some(&cluster)).await;
        let unlocked = self.unlock(&cluster).await;
        let report = report?;
        unlocked?;
        Ok(report)
    }

    async fn apply_pending(&self, cluster: Option<&Cluster>) -> Result<MigrationReport, StoreError> {
        let recorded = self.recorded().await?;
        let pending = pending(&recorded)?;
        let mut applied = Vec::new();
        for migration in pending {
            tracing::info!(version = migration.version, name = migration.name, "applying migration");
            for statement in migration.statements() {
                let context = format!("applying migration {} ({})", migration.version, migration.name);
                let guard = migrations::ColumnGuard::of(&statement);
                match cluster {
                    None => {
                        if let Some(guard) = guard
                            && !guard
                                .runs_when(self.has_column(&self.db, guard.table(), guard.column()).await?)
                        {
                            continue;
                        }
                        self.execute(&self.db, &context, &statement).await?;
                    }
                    Some(cluster) => {
                        // A column change's first statement alters the
                        // local tables; the rest remake the Distributed
                        // table and run again after an interrupted
                        // migration.
                        let mut skip_first = false;
                        if let Some(guard) = guard {
                            let local = format!("{}{}", guard.table(), crate::cluster::LOCAL_SUFFIX);
                            skip_first =
                                !guard.runs_when(self.has_column(&self.db, &local, guard.column()).await?);
                        }
                        let rewritten = cluster.rewrite(&statement)?;
                        for (index, sql) in rewritten.iter().enumerate().skip(usize::from(skip_first)) {
                            match (self.execute(&self.db, &context, sql).await, guard) {
                                (Err(error), Some(guard @ migrations::ColumnGuard::Add { .. }))
                                    if index == 0 && refused_on_cluster(&error) =>
                                {
                                    self.alter_each_shard(cluster, &context, guard, sql).await?;
                                }
                                (result, _) => result?,
                            }
                        }
                    }
                }
            }
            let query = self
                .db
                .query(INSERT_APPLIED)
                .bind(migration.version)
                .bind(migration.name)
                .bind(migration.checksum());
            self.bounded("recording a migration", async move {
                query.execute().await.map_err(StoreError::clickhouse("recording a migration"))
            })
            .await?;
            applied.push(AppliedMigration { version: migration.version, name: migration.name.to_owned() });
        }
        Ok(MigrationReport {
            database: self.database.clone(),
            applied,
            version: migrations::latest_version(),
        })
    }

    /// Compares the database's schema with this build without changing it.
    pub async fn schema_status(&self) -> Result<SchemaStatus, StoreError> {
        let recorded = match self.recorded().await {
            Ok(recorded) => recorded,
            Err(StoreError::ClickHouse { source, .. })
                if NOT_CREATED_CODES.iter().any(|code| source.to_string().contains(code)) =>
            {
                Vec::new()
            }
            Err(other) => return Err(other),
        };
        Ok(SchemaStatus {
            current: recorded.iter().map(|row| row.version).max().unwrap_or(0),
            latest: migrations::latest_version(),
        })
    }

    async fn recorded(&self) -> Result<Vec<AppliedRow>, StoreError> {
        let query = self.db.query(SELECT_APPLIED);
        self.bounded("reading schema_migrations", async move {
            query.fetch_all::<AppliedRow>().await.map_err(StoreError::clickhouse("reading schema_migrations"))
        })
        .await
    }

    /// Takes the cluster-wide migration lock: a replicated table whose one
    /// replica name can exist once in ZooKeeper, whichever node creates it.
    /// Waits for another node's migration up to [`LOCK_WAIT`].
    async fn lock(&self, cluster: &Cluster) -> Result<(), StoreError> {
        let lock = cluster.qualified(LOCK_TABLE);
        let create = format!(
            "CREATE TABLE {lock} (held_since DateTime DEFAULT now()) ENGINE = \
             ReplicatedMergeTree('{}', 'lock') ORDER BY tuple()",
            lock_path(cluster)
        );
        let started = std::time::Instant::now();
        loop {
            match self.execute(&self.db, "taking the migration lock", &create).await {
                Ok(()) => return Ok(()),
                Err(StoreError::ClickHouse { source, .. })
                    if LOCK_HELD_CODES.iter().any(|code| source.to_string().contains(code)) =>
                {
                    if started.elapsed() >= LOCK_WAIT {
                        return Err(StoreError::MigrationLocked {
                            lock,
                            held_secs: self.lock_age(cluster).await,
                        });
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(other) => return Err(other),
            }
        }
    }

    async fn unlock(&self, cluster: &Cluster) -> Result<(), StoreError> {
        let drop = format!("DROP TABLE IF EXISTS {}", cluster.qualified(LOCK_TABLE));
        self.execute(&self.db, "releasing the migration lock", &drop).await
    }

    /// Seconds since the lock was taken, for the error; 0 when unknown.
    async fn lock_age(&self, cluster: &Cluster) -> u64 {
        let query = self.db.query(SELECT_LOCK_AGE).bind(format!("{}/replicas", lock_path(cluster)));
        self.bounded("reading the migration lock", async move {
            query.fetch_one::<u64>().await.map_err(StoreError::clickhouse("reading the migration lock"))
        })
        .await
        .unwrap_or(0)
    }

    /// Runs an `ALTER` of local tables on one node of each shard, without
    /// `ON CLUSTER`: a replicated table passes it to the shard's other
    /// replicas itself (and waits for them). For what ClickHouse 18.x
    /// refuses to run `ON CLUSTER`: `ADD COLUMN` with `MODIFY ORDER BY`.
    async fn alter_each_shard(
        &self,
        cluster: &Cluster,
        context: &str,
        guard: migrations::ColumnGuard<'_>,
        on_cluster: &str,
    ) -> Result<(), StoreError> {
        if self.shards.is_empty() {
            return Err(StoreError::ShardUrlsNeeded {
                statement: on_cluster.lines().next().unwrap_or(on_cluster).to_owned(),
            });
        }
        let local_sql = on_cluster.replacen(&format!(" {}", cluster.on_cluster()), "", 1);
        let local = format!("{}{}", guard.table(), crate::cluster::LOCAL_SUFFIX);
        for shard in &self.shards {
            if guard.runs_when(self.has_column(shard, &local, guard.column()).await?) {
                self.execute(shard, context, &local_sql).await?;
            }
        }
        Ok(())
    }

    async fn has_column(
        &self,
        client: &clickhouse::Client,
        table: &str,
        column: &str,
    ) -> Result<bool, StoreError> {
        let query = client.query(SELECT_HAS_COLUMN).bind(table).bind(column);
        let count = self
            .bounded("reading system.columns", async move {
                query.fetch_one::<u64>().await.map_err(StoreError::clickhouse("reading system.columns"))
            })
            .await?;
        Ok(count > 0)
    }

    async fn execute(&self, client: &clickhouse::Client, context: &str, sql: &str) -> Result<(), StoreError> {
        let query = client.query(sql);
        let owned = context.to_owned();
        self.bounded(context, async move { query.execute().await.map_err(StoreError::clickhouse(owned)) })
            .await
    }
}

/// Whether ClickHouse refused an `ALTER` because distributed DDL cannot
/// carry it (UNKNOWN_TYPE_OF_QUERY, 48, in 18.x for `MODIFY ORDER BY`).
fn refused_on_cluster(error: &StoreError) -> bool {
    let text = error.to_string();
    text.contains("Code: 48") && text.contains("Unsupported type of ALTER")
}

/// The migrations still to apply, after checking that what the database
/// recorded is a prefix of what this build knows.
fn pending(recorded: &[AppliedRow]) -> Result<Vec<&'static Migration>, StoreError> {
    for row in recorded {
        let Some(known) = MIGRATIONS.iter().find(|m| m.version == row.version) else {
            return Err(StoreError::UnknownMigration { version: row.version });
        };
        let expected = known.checksum();
        if row.checksum != expected {
            return Err(StoreError::ChecksumMismatch {
                version: known.version,
                name: known.name,
                applied: row.checksum.clone(),
                expected,
            });
        }
        debug_assert_eq!(row.name, known.name);
    }
    Ok(MIGRATIONS.iter().filter(|m| !recorded.iter().any(|row| row.version == m.version)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(migration: &Migration) -> AppliedRow {
        AppliedRow { version: migration.version, name: migration.name.into(), checksum: migration.checksum() }
    }

    #[test]
    fn nothing_recorded_means_everything_pending() {
        assert_eq!(pending(&[]).expect("pending").len(), MIGRATIONS.len());
    }

    #[test]
    fn everything_recorded_means_nothing_pending() {
        let recorded: Vec<_> = MIGRATIONS.iter().map(row).collect();
        assert!(pending(&recorded).expect("pending").is_empty());
    }

    #[test]
    fn an_edited_migration_is_refused() {
        let mut edited = row(&MIGRATIONS[0]);
        edited.checksum = "0".repeat(64);
        assert!(matches!(pending(&[edited]), Err(StoreError::ChecksumMismatch { version: 1, .. })));
    }

    #[test]
    fn a_migration_from_a_newer_build_is_refused() {
        let newer = AppliedRow { version: 9999, name: "9999_future".into(), checksum: String::new() };
        assert!(matches!(pending(&[newer]), Err(StoreError::UnknownMigration { version: 9999 })));
    }
}
