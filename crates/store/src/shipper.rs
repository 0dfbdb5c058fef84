//! Moves rows from the durable queue into ClickHouse: few, large inserts
//! (one per table every `interval` at most, more only when a chunk is
//! full), committed to the queue only after ClickHouse took them.
//!
//! Retry policy: connection and server errors are retried with backoff,
//! holding the rows in memory and everything behind them in the queue
//! (which bounds itself and turns ingest to 503 when full). Data errors are
//! never retried: the rows are inserted one by one and the ones ClickHouse
//! refuses go to the dead-letter directory, counted, so one poison row
//! cannot block the good ones behind it.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::watch;
use veil_queue::{Queue, QueueError, Reader};

use crate::Store;
use crate::metrics::StoreMetrics;
use crate::rows::QueuedRow;
use crate::writer::{InsertError, InsertProgress};

/// How the shipper batches and retries.
#[derive(Debug, Clone)]
pub struct ShipperOptions {
    /// Longest a row waits in the queue before an insert when traffic is
    /// low; also the pause between small inserts.
    pub interval: Duration,
    /// Most rows in one insert round.
    pub max_rows: usize,
    /// Most bytes (encoded) in one insert round.
    pub max_bytes: usize,
    /// Where refused or undecodable records are written.
    pub dead_letter_dir: PathBuf,
    /// Longest pause between retries of a failing insert.
    pub max_backoff: Duration,
}

/// Runs until `shutdown` turns true and the queue is drained (or, with
/// ClickHouse down, until `drain_deadline` after shutdown: what is left
/// stays on disk and ships after the next start).
pub async fn run(
    store: Store,
    queue: Queue,
    mut reader: Reader,
    options: ShipperOptions,
    metrics: StoreMetrics,
    mut shutdown: watch::Receiver<bool>,
    drain_deadline: Duration,
) {
    let mut shutdown_since: Option<Instant> = None;
    let mut last_full = 0;
    loop {
        let stats = queue.stats();
        metrics.observe_queue(&stats);
        metrics.queue_full.inc_by(stats.full_rejections_total.saturating_sub(last_full));
        last_full = stats.full_rejections_total;
        if shutdown_since.is_none() && *shutdown.borrow() {
            shutdown_since = Some(Instant::now());
        }
        let draining = shutdown_since.is_some();
        if shutdown_since.is_some_and(|since| since.elapsed() > drain_deadline) {
            tracing::warn!(
                records = stats.unconsumed_records,
                "shutdown: ClickHouse did not take every queued row; they ship after the next start"
            );
            return;
        }
        let wait = if draining { Duration::from_millis(50) } else { options.interval };
        let chunk = match reader.next_chunk(options.max_rows, options.max_bytes, wait).await {
            Ok(chunk) => chunk,
            Err(QueueError::Corrupt { segment, offset, reason }) => {
                tracing::error!(
                    segment,
                    offset,
                    reason,
                    "corrupt queue record: skipping the rest of its segment"
                );
                metrics.dead_letters.inc();
                if let Err(error) = reader.skip_corrupt() {
                    tracing::error!(%error, "cannot skip the corrupt queue segment");
                    sleep_or_shutdown(&mut shutdown, options.interval).await;
                }
                continue;
            }
            Err(error) => {
                tracing::error!(%error, "reading the queue failed");
                sleep_or_shutdown(&mut shutdown, options.interval).await;
                continue;
            }
        };
        if chunk.records.is_empty() {
            if draining {
                tracing::info!("queue drained into ClickHouse");
                return;
            }
            continue;
        }
        let full = chunk.records.len() >= options.max_rows;
        let mut rows = Vec::with_capacity(chunk.records.len());
        for record in &chunk.records {
            match QueuedRow::decode_record(record) {
                Ok(record_rows) => rows.extend(record_rows),
                Err(error) => {
                    tracing::error!(%error, "undecodable queue record set aside");
                    dead_letter(&options, &metrics, record);
                }
            }
        }
        if !insert_with_retry(&store, &rows, &options, &metrics, &shutdown, shutdown_since, drain_deadline)
            .await
        {
            reader.rewind();
            continue;
        }
        if let Err(error) = reader.commit(&chunk) {
            // The rows are in ClickHouse; if the commit is lost they ship
            // again after a restart and collapse at read.
            tracing::error!(%error, "committing the queue position failed");
        }
        if !full && !draining {
            sleep_or_shutdown(&mut shutdown, options.interval).await;
        }
    }
}

/// Inserts until ClickHouse takes the rows (true), or gives up because
/// the drain deadline passed (false: the caller rewinds).
async fn insert_with_retry(
    store: &Store,
    rows: &[QueuedRow],
    options: &ShipperOptions,
    metrics: &StoreMetrics,
    shutdown: &watch::Receiver<bool>,
    shutdown_since: Option<Instant>,
    drain_deadline: Duration,
) -> bool {
    let mut backoff = Duration::from_millis(100);
    let mut shutdown_since = shutdown_since;
    let mut progress = InsertProgress::default();
    loop {
        let started = Instant::now();
        match store.insert_rows(rows, &mut progress).await {
            Ok(()) => {
                metrics.insert_duration.observe(started.elapsed().as_secs_f64());
                count_inserted(metrics, rows);
                return true;
            }
            Err(InsertError::Refused(error)) => {
                metrics.insert_failures.with_label_values(&["refused"]).inc();
                tracing::error!(%error, rows = rows.len(), "ClickHouse refused a batch of rows: inserting one by one");
                let pending: Vec<QueuedRow> =
                    rows.iter().filter(|row| !progress.covers(row)).cloned().collect();
                insert_one_by_one(store, &pending, options, metrics).await;
                return true;
            }
            Err(InsertError::Retryable(error)) => {
                metrics.insert_failures.with_label_values(&["retryable"]).inc();
                tracing::warn!(%error, retry_in_ms = backoff.as_millis() as u64, "insert failed; will retry");
                if shutdown_since.is_none() && *shutdown.borrow() {
                    shutdown_since = Some(Instant::now());
                }
                if shutdown_since.is_some_and(|since| since.elapsed() > drain_deadline) {
                    return false;
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(options.max_backoff);
            }
        }
    }
}

async fn insert_one_by_one(
    store: &Store,
    rows: &[QueuedRow],
    options: &ShipperOptions,
    metrics: &StoreMetrics,
) {
    for row in rows {
        let one = std::slice::from_ref(row);
        let mut backoff = Duration::from_millis(100);
        let mut progress = InsertProgress::default();
        loop {
            match store.insert_rows(one, &mut progress).await {
                Ok(()) => {
                    count_inserted(metrics, one);
                    break;
                }
                Err(InsertError::Refused(error)) => {
                    tracing::error!(%error, table = row.table(), "row refused by ClickHouse set aside");
                    dead_letter(options, metrics, &QueuedRow::encode_record(one));
                    break;
                }
                Err(InsertError::Retryable(_)) => {
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(options.max_backoff);
                }
            }
        }
    }
}

fn count_inserted(metrics: &StoreMetrics, rows: &[QueuedRow]) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    for row in rows {
        metrics.inserted_rows.with_label_values(&[row.table()]).inc();
        if let QueuedRow::Recording(recording) = row {
            metrics.shipping_lag.observe(now.saturating_sub(u64::from(recording.received_at)) as f64);
        }
    }
}

/// Writes a record to `<dead_letter_dir>/<unix ms>-<n>.msgpack` for an
/// operator to inspect; counted whether or not the write works.
fn dead_letter(options: &ShipperOptions, metrics: &StoreMetrics, record: &[u8]) {
    metrics.dead_letters.inc();
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let name = format!("{millis}-{}.msgpack", metrics.dead_letters.get());
    let result = std::fs::create_dir_all(&options.dead_letter_dir)
        .and_then(|()| std::fs::write(options.dead_letter_dir.join(name), record));
    if let Err(error) = result {
        tracing::error!(%error, dir = %options.dead_letter_dir.display(), "cannot write a dead letter");
    }
}

async fn sleep_or_shutdown(shutdown: &mut watch::Receiver<bool>, duration: Duration) {
    tokio::select! {
        _ = tokio::time::sleep(duration) => {}
        changed = shutdown.changed() => {
            // A dropped sender would end every later sleep at once.
            if changed.is_err() {
                tokio::time::sleep(duration).await;
            }
        }
    }
}
