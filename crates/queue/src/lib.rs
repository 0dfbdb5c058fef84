//! The local write-ahead queue between ingest and ClickHouse.
//!
//! Ingest answers `202 Accepted` only once a batch is durable, but
//! ClickHouse wants few, large inserts. So accepted batches are appended
//! here (synced to disk, many appenders sharing one sync), and a shipper
//! reads them back in chunks, inserts them, and commits its position.
//!
//! Guarantees: a record whose `append` returned `Ok` survives crashes and
//! restarts until a commit covers it; once covered it is never delivered
//! again. Between commits delivery is at-least-once: after a restart (or
//! [`Reader::rewind`]) everything after the last commit comes back, so the
//! consumer de-duplicates the rare crash between insert and commit. When
//! unconsumed data would exceed `max_bytes`, `append` refuses with
//! [`QueueError::Full`] and writes nothing (ingest answers 503).
//!
//! On disk: segment files `NNNNNNNNNNNNNNNNNNNN.seg` of framed records
//! (`u32 LE length | u32 LE CRC32 of length and payload | payload`) and a
//! `cursor` file with the committed position. A crash mid-write leaves a
//! torn tail, cut off at the next open; damage anywhere else is reported
//! by [`Reader::next_chunk`], never skipped silently.
//!
//! ```
//! use std::time::Duration;
//! use veil_queue::{Queue, QueueOptions};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # let path = dir.path().to_path_buf();
//! # tokio::runtime::Runtime::new()?.block_on(async move {
//! let (queue, mut reader) = Queue::open(QueueOptions::new(path))?;
//! queue.append(b"batch 1".to_vec()).await?; // durable once this returns
//!
//! let chunk = reader.next_chunk(10_000, 8 << 20, Duration::from_secs(1)).await?;
//! assert_eq!(chunk.records, vec![b"batch 1".to_vec()]);
//! // ... insert chunk.records into ClickHouse; on failure `reader.rewind()` ...
//! reader.commit(&chunk)?; // never delivered again, space freed
//!
//! queue.close().await;
//! # Ok::<_, veil_queue::QueueError>(()) })?;
//! # Ok(()) }
//! ```

mod cursor;
mod error;
mod options;
mod reader;
mod record;
mod recovery;
mod segment;
mod stats;
mod writer;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use tokio::sync::{oneshot, watch};

pub use error::QueueError;
pub use options::QueueOptions;
pub use reader::{Chunk, Reader};
pub use stats::QueueStats;

use stats::Counters;
use writer::{Command, Writer};

/// The appending side of the queue. Cheap to clone; all clones share one
/// writer thread.
#[derive(Clone, Debug)]
pub struct Queue {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    commands: Sender<Command>,
    closed: AtomicBool,
    counters: Arc<Counters>,
    max_bytes: u64,
    max_record_bytes: u64,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl Queue {
    /// Opens (or creates) the queue in `options.dir`, recovers it (see the
    /// crate docs) and starts the writer thread. Returns the only
    /// [`Reader`]. Blocking file I/O: call it at start-up, or from
    /// `spawn_blocking`.
    pub fn open(options: QueueOptions) -> Result<(Queue, Reader), QueueError> {
        options.validate()?;
        let recovered = recovery::recover(&options)?;
        let counters = Arc::new(Counters::default());
        Counters::add(&counters.unconsumed_bytes, recovered.unconsumed_bytes);
        Counters::add(&counters.unconsumed_records, recovered.unconsumed_records);
        Counters::add(&counters.accepted_records_total, recovered.unconsumed_records);
        Counters::add(&counters.segments, recovered.segments);
        let lock = Arc::new(recovered.lock);
        let (end_tx, end_rx) = watch::channel(recovered.active);
        let (commands, receiver) = std::sync::mpsc::channel();
        let writer = Writer {
            dir: options.dir.clone(),
            segment_bytes: options.segment_bytes,
            sync: options.sync,
            counters: Arc::clone(&counters),
            end: end_tx,
            _lock: Arc::clone(&lock),
        }
        .spawn(recovered.active, receiver)?;
        tracing::info!(
            dir = %options.dir.display(),
            unconsumed_bytes = recovered.unconsumed_bytes,
            unconsumed_records = recovered.unconsumed_records,
            segments = recovered.segments,
            "queue opened"
        );
        let reader =
            Reader::new(options.dir, options.sync, recovered.start, Arc::clone(&counters), end_rx, lock);
        let queue = Queue {
            inner: Arc::new(Inner {
                commands,
                closed: AtomicBool::new(false),
                counters,
                max_bytes: options.max_bytes,
                max_record_bytes: u64::from(options.max_record_bytes),
                writer: Mutex::new(Some(writer)),
            }),
        };
        Ok((queue, reader))
    }

    /// Appends one record. Resolves once it is written and (with `sync`)
    /// on disk, together with whatever other appends were waiting.
    ///
    /// If this future is dropped after the record was handed to the writer,
    /// the record may still be stored: at-least-once, like a lost reply.
    pub async fn append(&self, record: Vec<u8>) -> Result<(), QueueError> {
        let inner = &self.inner;
        if inner.closed.load(Ordering::Acquire) {
            return Err(QueueError::Closed);
        }
        let len = record.len() as u64;
        let record_bytes = record::frame_len(len);
        if len > inner.max_record_bytes || record_bytes > inner.max_bytes {
            return Err(QueueError::TooLarge {
                len,
                limit: inner.max_record_bytes.min(inner.max_bytes.saturating_sub(record::HEADER_LEN)),
            });
        }
        if let Err(unconsumed_bytes) = inner.counters.reserve(record_bytes, inner.max_bytes) {
            Counters::add(&inner.counters.full_rejections_total, 1);
            return Err(QueueError::Full { unconsumed_bytes, max_bytes: inner.max_bytes, record_bytes });
        }
        let (reply, answer) = oneshot::channel();
        if inner.commands.send(Command::Append { record, reply }).is_err() {
            inner.counters.release(record_bytes);
            return Err(QueueError::Closed);
        }
        match answer.await {
            Ok(result) => result,
            // The writer stopped (closed) before it got to this record.
            Err(_) => {
                inner.counters.release(record_bytes);
                Err(QueueError::Closed)
            }
        }
    }

    /// Current gauges and counters.
    pub fn stats(&self) -> QueueStats {
        self.inner.counters.snapshot()
    }

    /// Stops accepting appends, waits until everything already accepted is
    /// written and synced, and stops the writer thread. Appends racing with
    /// close either complete or fail with `Closed`. The reader can still
    /// drain what is stored; the directory is unlocked once it is dropped
    /// too.
    pub async fn close(&self) {
        let inner = &self.inner;
        inner.closed.store(true, Ordering::Release);
        let (reply, done) = oneshot::channel();
        if inner.commands.send(Command::Close { reply }).is_ok() {
            let _ = done.await;
        }
        let handle = inner.writer.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(handle) = handle {
            let joined = tokio::task::spawn_blocking(move || handle.join()).await;
            if !matches!(joined, Ok(Ok(()))) {
                tracing::error!("queue writer thread panicked");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>() {}

    #[test]
    fn handles_can_cross_tasks() {
        assert_send_sync::<Queue>();
        assert_send::<Reader>();
        assert_send::<Chunk>();
    }
}
