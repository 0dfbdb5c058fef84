//! Readiness (SPEC §9): ClickHouse reachable, schema migrated, not shutting
//! down. A background task checks ClickHouse every `probe_interval`, so
//! `/readyz` answers from memory at once and many probes cost ClickHouse
//! nothing. Liveness (`/healthz`) is separate and never looks at
//! ClickHouse: a slow database must not get the process restarted.

use std::sync::Arc;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use veil_store::Store;

use crate::metrics::Metrics;

/// Why the server is not ready, as reported by `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady {
    /// Stable code: `starting`, `clickhouse_unreachable`, `schema_outdated`,
    /// `shutting_down`.
    pub code: &'static str,
    /// Details for the operator.
    pub message: String,
}

/// The shared readiness state.
#[derive(Debug)]
pub struct Readiness {
    clickhouse: RwLock<Result<(), NotReady>>,
    shutting_down: AtomicBool,
}

impl Default for Readiness {
    fn default() -> Self {
        Readiness {
            clickhouse: RwLock::new(Err(NotReady {
                code: "starting",
                message: "ClickHouse has not been checked yet".into(),
            })),
            shutting_down: AtomicBool::new(false),
        }
    }
}

impl Readiness {
    /// Ready, or the first reason not to be.
    pub fn check(&self) -> Result<(), NotReady> {
        if self.shutting_down.load(Ordering::Relaxed) {
            return Err(NotReady {
                code: "shutting_down",
                message: "the server is draining in-flight requests before it stops".into(),
            });
        }
        match self.clickhouse.read() {
            Ok(state) => state.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Marks the server as stopping, so load balancers send no more work.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::Relaxed);
    }

    fn set(&self, state: Result<(), NotReady>) {
        match self.clickhouse.write() {
            Ok(mut guard) => *guard = state,
            Err(poisoned) => *poisoned.into_inner() = state,
        }
    }
}

/// Past this share of `queue.max_bytes` the node reports not ready, so
/// load balancers move traffic before ingest has to answer 503.
const QUEUE_PRESSURE: f64 = 0.9;

/// Checks ClickHouse (and the schema version) and the queue forever;
/// spawn it once.
#[allow(clippy::too_many_arguments)]
pub async fn probe_forever(
    store: Store,
    readiness: Arc<Readiness>,
    metrics: Arc<Metrics>,
    queue: veil_queue::Queue,
    queue_max_bytes: u64,
    interval: Duration,
    timeout: Duration,
) {
    let mut last_code = "starting";
    loop {
        let mut state = probe_once(&store, timeout, &metrics).await;
        let unconsumed = queue.stats().unconsumed_bytes;
        if state.is_ok() && unconsumed as f64 > queue_max_bytes as f64 * QUEUE_PRESSURE {
            state = Err(NotReady {
                code: "queue_full",
                message: format!(
                    "{unconsumed} of {queue_max_bytes} queue bytes wait for ClickHouse; ingest will answer 503 soon"
                ),
            });
        }
        let code = state.as_ref().err().map_or("ready", |e| e.code);
        if code != last_code {
            match &state {
                Ok(()) => tracing::info!("ClickHouse reachable and schema current: ready"),
                Err(reason) => {
                    tracing::warn!(code = reason.code, reason = %reason.message, "not ready")
                }
            }
            last_code = code;
        }
        readiness.set(state);
        tokio::time::sleep(interval).await;
    }
}

async fn probe_once(store: &Store, timeout: Duration, metrics: &Metrics) -> Result<(), NotReady> {
    if let Err(error) = store.ping(timeout).await {
        metrics.clickhouse_up.set(0);
        return Err(NotReady { code: "clickhouse_unreachable", message: error.to_string() });
    }
    metrics.clickhouse_up.set(1);
    let status = tokio::time::timeout(timeout, store.schema_status()).await;
    match status {
        Ok(Ok(status)) => {
            metrics.schema_pending.set(i64::from(status.latest.saturating_sub(status.current)));
            if status.is_current() {
                Ok(())
            } else {
                Err(NotReady {
                    code: "schema_outdated",
                    message: format!(
                        "database `{}` is at schema version {} but this build needs {}: run `veil migrate`",
                        store.database(),
                        status.current,
                        status.latest
                    ),
                })
            }
        }
        Ok(Err(error)) => Err(NotReady { code: "clickhouse_unreachable", message: error.to_string() }),
        Err(_) => Err(NotReady {
            code: "clickhouse_unreachable",
            message: format!("reading the schema version took over {} ms", timeout.as_millis()),
        }),
    }
}
