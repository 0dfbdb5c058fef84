use thiserror::Error;

/// What can go wrong talking to ClickHouse or migrating its schema.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The connection settings cannot work (caught before any request).
    #[error("invalid ClickHouse setting `{key}`: {reason}")]
    InvalidOption {
        /// The `[clickhouse]` key at fault.
        key: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// ClickHouse could not be reached or answered with an error.
    #[error("ClickHouse {context}: {source}")]
    ClickHouse {
        /// What we were doing, for the operator reading the message.
        context: String,
        /// The client's error.
        #[source]
        source: clickhouse::error::Error,
    },
    /// ClickHouse did not answer in time.
    #[error("ClickHouse {context}: no answer within {timeout_ms} ms")]
    Timeout {
        /// What we were doing.
        context: String,
        /// How long we waited.
        timeout_ms: u64,
    },
    /// A migration that was applied earlier no longer matches the code:
    /// somebody edited an applied migration instead of adding a new one.
    #[error(
        "migration {version} ({name}) was changed after it was applied \
         (checksum {applied} in ClickHouse, {expected} in this build); \
         add a new migration instead of editing an applied one"
    )]
    ChecksumMismatch {
        /// The migration's version.
        version: u32,
        /// Its name.
        name: &'static str,
        /// Checksum recorded when it was applied.
        applied: String,
        /// Checksum of this build's text.
        expected: String,
    },
    /// The database holds migrations this build does not know: it was
    /// migrated by a newer Veil.
    #[error(
        "the database has migration {version} which this build does not know; \
         it was migrated by a newer Veil, run that version instead"
    )]
    UnknownMigration {
        /// The unknown version.
        version: u32,
    },
    /// A migration statement has no cluster form (crate::cluster).
    #[error(
        "migration statement `{statement}` has no form for a ClickHouse cluster \
         (only CREATE TABLE, CREATE MATERIALIZED VIEW, DROP TABLE of a table or view the migrations made, \
         and ALTER TABLE … DROP COLUMN / ADD COLUMN do)"
    )]
    ClusterSchema {
        /// Its first line.
        statement: String,
    },
    /// The ClickHouse release refuses a schema change `ON CLUSTER` and no
    /// shard URLs are configured to run it shard by shard.
    #[error(
        "ClickHouse cannot run `{statement}` ON CLUSTER (releases before 20.x refuse a new sorting key there); \
         set clickhouse.shard_urls to the HTTP URL of one node of each shard and run `veil migrate` again"
    )]
    ShardUrlsNeeded {
        /// Its first line.
        statement: String,
    },
    /// Another node holds the migration lock and did not release it.
    #[error("another node has been migrating for {held_secs} s (lock `{lock}`); retry when it is done")]
    MigrationLocked {
        /// The lock table.
        lock: String,
        /// How long it has been held.
        held_secs: u64,
    },
    /// A compacted session could not be written or read back.
    #[error("recording archive {context}: {source}")]
    Archive {
        /// Which archive or chunk.
        context: String,
        /// What the archive codec said.
        #[source]
        source: veil_archive::ArchiveError,
    },
    /// A blocking task (archive encoding or decoding) panicked or was
    /// cancelled; the session is left as it was.
    #[error("{context}: the worker task failed: {source}")]
    Worker {
        /// What the task was doing.
        context: String,
        /// What tokio said.
        #[source]
        source: tokio::task::JoinError,
    },
}

impl StoreError {
    pub(crate) fn clickhouse(context: impl Into<String>) -> impl FnOnce(clickhouse::error::Error) -> Self {
        let context = context.into();
        move |source| StoreError::ClickHouse { context, source }
    }
}
