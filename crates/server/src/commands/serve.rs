//! `veil serve`: the HTTP server and its background tasks (readiness probe,
//! revocation sync, the shipper from the durable queue to ClickHouse).
//!
//! Shutdown on SIGTERM/SIGINT: readiness turns 503, in-flight requests
//! finish (up to `server.shutdown_timeout`), the queue is closed (every
//! acknowledged row is on disk), and the shipper drains it into ClickHouse
//! within the same timeout; what is left ships after the next start.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use tokio::sync::watch;
use veil_consent::Purposes;
use veil_ingest::{IngestSettings, IngestState, Limits, Revocations, SitePolicy};
use veil_queue::{Queue, QueueOptions};
use veil_store::shipper::{self, ShipperOptions};

use crate::config::Config;
use crate::http::{self, AppState};
use crate::metrics::Metrics;
use crate::readiness::{self, Readiness};

/// How long a client should wait after a 503.
const RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(2);

/// Runs until a signal stops it.
pub async fn run(config: Config) -> anyhow::Result<()> {
    if let Err(problems) = config.validate_for_serving() {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        anyhow::bail!("invalid configuration for serving\n  {}", list.join("\n  "));
    }
    let store = veil_store::Store::connect(&config.connect_options()).context("ClickHouse settings")?;
    let metrics = Arc::new(Metrics::new());
    let readiness = Arc::new(Readiness::default());

    let queue_dir = queue_dir(&config);
    let mut queue_options = QueueOptions::new(&queue_dir);
    queue_options.max_bytes = config.queue.max_bytes;
    queue_options.sync = config.queue.sync;
    let (queue, reader) = Queue::open(queue_options)
        .with_context(|| format!("opening the queue in {} (`queue.dir`)", queue_dir.display()))?;
    warn_about_other_queues(&config.queue.dir, &queue_dir);
    let pending = queue.stats();
    if pending.unconsumed_records > 0 {
        tracing::info!(records = pending.unconsumed_records, "queue holds rows from before; shipping them");
    }

    let probe = actix_web::rt::spawn(readiness::probe_forever(
        store.clone(),
        readiness.clone(),
        metrics.clone(),
        queue.clone(),
        config.queue.max_bytes,
        config.clickhouse.probe_interval,
        config.clickhouse.probe_timeout,
    ));
    let revocations = Arc::new(Revocations::default());
    let sync = actix_web::rt::spawn(veil_ingest::revocations::sync_forever(
        store.clone(),
        revocations.clone(),
        config.consent.revocation_poll_interval,
    ));
    let (stop_shipping, shipping_stopped) = watch::channel(false);
    let shipper = actix_web::rt::spawn(shipper::run(
        store.clone(),
        queue.clone(),
        reader,
        ShipperOptions {
            interval: config.queue.ship_interval,
            max_rows: 50_000,
            max_bytes: 64 * 1024 * 1024,
            dead_letter_dir: queue_dir.join("dead-letters"),
            max_backoff: std::time::Duration::from_secs(5),
        },
        metrics.store.clone(),
        shipping_stopped,
        config.server.shutdown_timeout,
    ));

    let retention =
        actix_web::rt::spawn(crate::retention::run_forever(store.clone(), Arc::new(config.clone())));
    let compaction = config.compaction.enabled.then(|| {
        actix_web::rt::spawn(crate::compaction::run_forever(
            store.clone(),
            config.compaction.clone(),
            metrics.compaction.clone(),
        ))
    });
    let keyring = config.keyring().context("`consent.keys`: no usable signing key")?;
    let settings = ingest_settings(&config)?;
    let masking = settings.sites.iter().map(|(id, policy)| (id.clone(), policy.masking.clone())).collect();
    let privacy = Arc::new(crate::privacy::Privacy::new(
        store.clone(),
        revocations.clone(),
        queue.clone(),
        metrics.erasures.clone(),
    ));
    let (erasure_requests, erasure_receiver) = tokio::sync::mpsc::channel(1024);
    let erasures = actix_web::rt::spawn(crate::privacy::serve_requests(privacy.clone(), erasure_receiver));
    let sweep = actix_web::rt::spawn(crate::privacy::sweep_forever(privacy.clone()));
    let ingest = web::Data::new(
        IngestState::new(settings, keyring, revocations, queue.clone(), metrics.ingest.clone())
            .with_erasure_requests(erasure_requests),
    );
    let state = web::Data::new(AppState {
        metrics: metrics.clone(),
        readiness: readiness.clone(),
        config: Arc::new(config.clone()),
        store: store.clone(),
        page_keys: config
            .sites
            .iter()
            .map(|site| (site.id.clone(), Arc::new(page_key_rules(site))))
            .collect(),
        masking,
        privacy,
    });
    let api_keys = web::Data::new(crate::http::auth::ApiKeys::new(&config.api_keys));
    let console_sessions = web::Data::new(console_sessions(&config));
    let logouts = actix_web::rt::spawn(crate::http::console_session::sync_logouts_forever(
        store.clone(),
        console_sessions.get_ref().clone(),
        config.consent.revocation_poll_interval,
    ));
    let auth_throttle = web::Data::new(crate::http::throttle::AuthThrottle::new(
        metrics.console_auth_failures.clone(),
        metrics.console_auth_throttled.clone(),
    ));
    let trusted = web::Data::new(trusted_proxies(&config)?);
    let edge = web::Data::new(crate::http::edge::EdgeLimits::new(
        config.server.body_read_timeout,
        config.server.max_requests_per_client,
    ));
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(trusted.clone())
            .app_data(edge.clone())
            .app_data(state.clone())
            .app_data(ingest.clone())
            .app_data(api_keys.clone())
            .app_data(console_sessions.clone())
            .app_data(auth_throttle.clone())
            .app_data(http::query_config())
            .wrap(from_fn(http::edge::limit))
            .wrap(from_fn(http::observe))
            .configure(veil_ingest::routes)
            .configure(http::routes)
    })
    .shutdown_timeout(config.server.shutdown_timeout.as_secs().max(1))
    .client_request_timeout(config.server.header_read_timeout)
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
    sync.abort();
    logouts.abort();
    retention.abort();
    if let Some(compaction) = compaction {
        compaction.abort();
    }
    erasures.abort();
    sweep.abort();
    queue.close().await;
    let _ = stop_shipping.send(true);
    if let Err(error) = shipper.await {
        tracing::error!(%error, "the shipper stopped abnormally");
    }
    tracing::info!("stopped");
    Ok(())
}

/// This server's queue: a subdirectory of `queue.dir` named after the
/// listen address, so several `veil serve` sharing one configuration (on
/// different ports) never share a queue, and a restart on the same address
/// finds and ships what it left.
fn queue_dir(config: &Config) -> std::path::PathBuf {
    let listen = config.server.listen;
    let name = format!("{}_{}", listen.ip(), listen.port()).replace([':', '[', ']'], "-");
    config.queue.dir.join(name)
}

/// Queues of other listen addresses under `queue.dir` that still hold
/// data: left by a node whose address changed, they ship only when a
/// `veil serve` on that address runs again. Said at start-up, never
/// silently dropped.
fn warn_about_other_queues(root: &std::path::Path, ours: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path == ours || !path.is_dir() {
            continue;
        }
        let bytes: u64 = std::fs::read_dir(&path)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|f| f.path().extension().is_some_and(|e| e == "seg"))
            .filter_map(|f| f.metadata().ok())
            .map(|m| m.len())
            .sum();
        if bytes > 0 {
            tracing::warn!(
                queue = %path.display(),
                bytes,
                "another listen address's queue holds data; start veil serve on that address to ship it"
            );
        }
    }
}

/// The browser-facing endpoints' view of the configuration.
fn ingest_settings(config: &Config) -> anyhow::Result<IngestSettings> {
    let sites: HashMap<String, SitePolicy> = config
        .sites
        .iter()
        .map(|site| {
            let policy = SitePolicy {
                origins: site.origins.iter().filter_map(|o| veil_ingest::origin::canonical(o)).collect(),
                // Validation already refused unknown names.
                purposes: Purposes::from_names(site.purposes.iter().map(String::as_str)).unwrap_or_default(),
                honor_gpc: site.honor_gpc,
                page_keys: Arc::new(page_key_rules(site)),
                masking: Arc::new(
                    site.masking_rules().with_context(|| format!("site `{}`: masking rules", site.id))?,
                ),
                user_id_key: site.user_id_key(),
                segments: Arc::new(site.segment_rules()),
            };
            Ok((site.id.clone(), policy))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(IngestSettings {
        sites,
        limits: Limits {
            max_body_bytes: config.ingest.max_body_bytes,
            max_decompressed_bytes: config.ingest.max_decompressed_bytes,
            max_request_memory_bytes: config.ingest.max_request_memory_bytes,
            memory_budget_bytes: config.ingest.memory_budget_bytes,
            max_stored_batch_bytes: config.ingest.max_stored_batch_bytes,
            max_consent_body_bytes: config.ingest.max_consent_body_bytes,
        },
        token_ttl: config.consent.token_ttl,
        rate_limit_per_second: config.ingest.rate_limit_per_second,
        rate_limit_burst: config.ingest.rate_limit_burst,
        session_idle_timeout: config.ingest.session_idle_timeout,
        retry_after: RETRY_AFTER,
        trusted_proxies: trusted_proxies(config)?,
        body_read_timeout: config.server.body_read_timeout,
    })
}

/// `server.trusted_proxies`, parsed (validation already refused bad ones).
fn trusted_proxies(config: &Config) -> anyhow::Result<veil_ingest::client::TrustedProxies> {
    veil_ingest::client::TrustedProxies::parse(config.server.trusted_proxies.iter().map(String::as_str))
        .context("`server.trusted_proxies`")
}

/// Console logins are signed with keys derived from the non-retired
/// consent signing keys, so every node accepts every node's cookies.
fn console_sessions(config: &Config) -> crate::http::console_session::ConsoleSessions {
    use std::str::FromStr;
    let secrets: Vec<veil_consent::SecretKey> = config
        .consent
        .keys
        .iter()
        .filter(|key| !key.retired)
        .filter_map(|key| veil_consent::SecretKey::from_str(&key.secret).ok())
        .collect();
    crate::http::console_session::ConsoleSessions::new(secrets.iter().map(veil_consent::SecretKey::as_bytes))
}

/// A site's page key rules; validation already compiled its regexes, so
/// the fallback (no rules) is unreachable in practice.
fn page_key_rules(site: &crate::config::SiteConfig) -> veil_aggregation::PageKeyRules {
    let groups = site.page_keys.groups.iter().map(|g| (g.regex.clone(), g.key.clone())).collect();
    veil_aggregation::PageKeyRules::new(site.page_keys.allowed_params.clone(), groups).unwrap_or_else(
        |error| {
            tracing::error!(site = site.id, %error, "page key rules refused; using none");
            veil_aggregation::PageKeyRules::default()
        },
    )
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
