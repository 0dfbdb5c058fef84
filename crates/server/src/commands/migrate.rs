//! `veil migrate`: creates or upgrades the ClickHouse schema.

use anyhow::Context;

use crate::config::Config;

/// Applies pending migrations and prints what was done.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    let store = veil_store::Store::connect(&config.connect_options()).context("connecting to ClickHouse")?;
    let report = store
        .migrate()
        .await
        .with_context(|| format!("migrating database `{}` at {}", store.database(), config.clickhouse.url))?;
    println!("{report}");
    Ok(())
}
