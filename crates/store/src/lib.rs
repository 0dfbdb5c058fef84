//! The ClickHouse side of Veil: connection settings, the versioned schema
//! and its migration runner, and (as later features land) the writer and the
//! queries.
//!
//! Every statement here must run on ClickHouse 18.16 (Debian's package) and
//! on current releases: no TTL, no `DateTime64`, no `LowCardinality`
//! without the 18.16 setting, plain `RowBinary` (the client's validation,
//! which needs `RowBinaryWithNamesAndTypes`, is switched off). The test
//! suite runs every migration and every query in [`probe`] on both.
//!
//! ```no_run
//! # async fn run() -> Result<(), veil_store::StoreError> {
//! let store = veil_store::Store::connect(&veil_store::ConnectOptions::default())?;
//! let report = store.migrate().await?;
//! println!("{report}");
//! # Ok(()) }
//! ```

pub mod archives;
pub mod audit;
mod client;
pub mod cluster;
pub mod compaction;
pub mod consent_log;
pub mod console_logouts;
pub mod erasure;
mod error;
pub mod forms;
pub mod heatmaps;
mod metrics;
pub mod migrations;
pub mod probe;
pub mod recordings;
pub mod reports;
pub mod retention;
pub mod rows;
mod runner;
pub mod segments;
pub mod sessions;
pub mod shipper;
pub mod signals;
pub mod writer;

pub use client::{ConnectOptions, Store};
pub use error::StoreError;
pub use metrics::StoreMetrics;
pub use runner::{AppliedMigration, MigrationReport, SchemaStatus};

/// Now, Unix seconds (0 before 1970).
pub(crate) fn clock_now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
