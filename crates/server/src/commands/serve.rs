//! `veil serve`: the HTTP server with its background tasks, and a graceful
//! shutdown on SIGTERM/SIGINT that first turns readiness off, then lets
//! in-flight requests finish (up to `server.shutdown_timeout`).

use std::sync::Arc;

use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;

use crate::config::Config;
use crate::http::{self, AppState};
use crate::metrics::Metrics;
use crate::readiness::{self, Readiness};

/// Runs until a signal stops it.
pub async fn run(config: Config) -> anyhow::Result<()> {
    if let Err(problems) = config.validate_for_serving() {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        anyhow::bail!("invalid configuration for serving\n  {}", list.join("\n  "));
    }
    let store = veil_store::Store::connect(&config.connect_options()).context("ClickHouse settings")?;
    let metrics = Arc::new(Metrics::new());
    let readiness = Arc::new(Readiness::default());
    let probe = actix_web::rt::spawn(readiness::probe_forever(
        store.clone(),
        readiness.clone(),
        metrics.clone(),
        config.clickhouse.probe_interval,
        config.clickhouse.probe_timeout,
    ));

    let state = web::Data::new(AppState { metrics: metrics.clone(), readiness: readiness.clone() });
    let mut server = HttpServer::new(move || {
        App::new().app_data(state.clone()).wrap(from_fn(http::observe)).configure(http::routes)
    })
    .shutdown_timeout(config.server.shutdown_timeout.as_secs().max(1))
    .disable_signals();
    if config.server.workers > 0 {
        server = server.workers(config.server.workers);
    }
    let server = server
        .bind(config.server.listen)
        .with_context(|| format!("cannot listen on `server.listen` = {}", config.server.listen))?;
    for address in server.addrs() {
        tracing::info!(%address, "veil listening on http://{address}");
    }
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(async move {
        let signal = wait_for_signal().await;
        tracing::info!(signal, "shutting down: draining in-flight requests");
        readiness.begin_shutdown();
        handle.stop(true).await;
    });
    server.await.context("HTTP server")?;
    probe.abort();
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(term) => term,
        Err(error) => {
            tracing::error!(%error, "cannot listen for SIGTERM; only SIGINT stops the server");
            let _ = tokio::signal::ctrl_c().await;
            return "SIGINT";
        }
    };
    tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = tokio::signal::ctrl_c() => "SIGINT",
    }
}
