//! The one thread that writes segment files, with group commit: it takes
//! everything queued at the moment it wakes, writes it with one `write`
//! per segment touched, syncs once, and only then answers the appenders.
//! While it syncs, new appends pile up and form the next group, so N
//! concurrent appenders cost about one sync, not N.
//!
//! It is a plain thread rather than a tokio task because `write` and
//! `fdatasync` block; appenders wait on a oneshot, never on the thread.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::thread::JoinHandle;

use tokio::sync::{oneshot, watch};

use crate::QueueError;
use crate::record::{self, frame_len};
use crate::segment::{self, Position};
use crate::stats::Counters;

/// Stop draining the channel once a group holds this much: bounds the
/// write buffer and the latency of the first appender in the group.
const GROUP_BYTES: u64 = 4 * 1024 * 1024;

pub(crate) type Reply = oneshot::Sender<Result<(), QueueError>>;

pub(crate) enum Command {
    Append {
        record: Vec<u8>,
        reply: Reply,
    },
    /// Answered once everything sent before it is written and synced.
    Close {
        reply: oneshot::Sender<()>,
    },
}

pub(crate) struct Writer {
    pub(crate) dir: PathBuf,
    pub(crate) segment_bytes: u64,
    pub(crate) sync: bool,
    pub(crate) counters: Arc<Counters>,
    /// End of the durable data; readers never read past it.
    pub(crate) end: watch::Sender<Position>,
    /// Keeps the directory locked while the thread runs.
    pub(crate) _lock: Arc<File>,
}

/// An appender waiting for its record to be durable.
struct Waiter {
    frame_len: u64,
    reply: Reply,
}

/// Why a group failed; turned into one `QueueError` per waiter, because
/// `io::Error` is not `Clone`.
struct Failure {
    action: &'static str,
    path: PathBuf,
    kind: io::ErrorKind,
    message: String,
}

impl Failure {
    fn new(action: &'static str, path: PathBuf, error: &io::Error) -> Self {
        Failure { action, path, kind: error.kind(), message: error.to_string() }
    }

    fn error(&self) -> QueueError {
        QueueError::io(self.action, self.path.clone(), io::Error::new(self.kind, self.message.clone()))
    }
}

impl Writer {
    pub(crate) fn spawn(
        self,
        active: Position,
        commands: Receiver<Command>,
    ) -> Result<JoinHandle<()>, QueueError> {
        let path = segment::path(&self.dir, active.segment);
        let file = open_append(&path).map_err(|e| QueueError::io("opening", &path, e))?;
        let state =
            State { config: self, file, position: active, buf: Vec::new(), group: Vec::new(), failed: false };
        std::thread::Builder::new()
            .name("veil-queue-writer".into())
            .spawn(move || state.run(commands))
            .map_err(|e| QueueError::io("starting the writer thread for", path, e))
    }
}

fn open_append(path: &std::path::Path) -> io::Result<File> {
    OpenOptions::new().append(true).open(path)
}

struct State {
    config: Writer,
    file: File,
    /// End of the durable data in the active segment.
    position: Position,
    /// Encoded records of the current group.
    buf: Vec<u8>,
    group: Vec<Waiter>,
    /// A failed write could not be cut off again: refuse everything rather
    /// than append after garbage.
    failed: bool,
}

impl State {
    fn run(mut self, commands: Receiver<Command>) {
        // Ends when every `Queue` handle is gone (recv fails) or on Close.
        while let Ok(first) = commands.recv() {
            let mut batch = Vec::new();
            let mut batch_bytes = 0;
            let mut close = None;
            let mut next = Some(first);
            while let Some(command) = next.take() {
                match command {
                    Command::Append { record, reply } => {
                        batch_bytes += frame_len(record.len() as u64);
                        batch.push((record, reply));
                    }
                    Command::Close { reply } => {
                        close = Some(reply);
                        break;
                    }
                }
                if batch_bytes < GROUP_BYTES {
                    // Empty: the group is complete. Disconnected: the
                    // next `recv` ends the loop.
                    next = commands.try_recv().ok();
                }
            }
            self.write_batch(batch);
            if let Some(reply) = close {
                let _ = reply.send(());
                return;
            }
        }
    }

    fn write_batch(&mut self, batch: Vec<(Vec<u8>, Reply)>) {
        let mut records = batch.into_iter();
        while let Some((record, reply)) = records.next() {
            let waiter = Waiter { frame_len: frame_len(record.len() as u64), reply };
            if self.failed {
                self.refuse(waiter, QueueError::WriterFailed);
                continue;
            }
            let used = self.position.offset + self.buf.len() as u64;
            if used > 0 && used + waiter.frame_len > self.config.segment_bytes {
                self.flush();
                if self.failed {
                    // Never seal a segment with garbage at its end: readers
                    // read sealed segments to their last byte.
                    self.refuse(waiter, QueueError::WriterFailed);
                    continue;
                }
                if let Err(failure) = self.roll() {
                    self.refuse(waiter, failure.error());
                    for (other, reply) in records.by_ref() {
                        let frame_len = frame_len(other.len() as u64);
                        self.refuse(Waiter { frame_len, reply }, failure.error());
                    }
                    return;
                }
            }
            record::encode_into(&mut self.buf, &record);
            self.group.push(waiter);
        }
        self.flush();
    }

    /// Writes and syncs the current group, publishes the new end to the
    /// reader, then answers the group. On failure cuts the file back so
    /// no unacknowledged bytes are left for the reader or for recovery.
    fn flush(&mut self) {
        if self.group.is_empty() {
            return;
        }
        let start = self.position.offset;
        let result = self.file.write_all(&self.buf).and_then(|()| {
            if self.config.sync {
                Counters::add(&self.config.counters.syncs_total, 1);
                self.file.sync_data()
            } else {
                Ok(())
            }
        });
        let group = std::mem::take(&mut self.group);
        let written = self.buf.len() as u64;
        self.buf.clear();
        match result {
            Ok(()) => {
                self.position.offset += written;
                self.config.end.send_replace(self.position);
                let counters = &self.config.counters;
                Counters::add(&counters.appended_records_total, group.len() as u64);
                Counters::add(&counters.unconsumed_records, group.len() as u64);
                Counters::add(&counters.accepted_records_total, group.len() as u64);
                for waiter in group {
                    // An appender that stopped waiting still has its record
                    // stored; nothing to undo.
                    let _ = waiter.reply.send(Ok(()));
                }
            }
            Err(error) => {
                let path = self.active_path();
                let failure = Failure::new("appending to", path.clone(), &error);
                tracing::error!(path = %path.display(), %error, "queue write failed");
                if let Err(error) = self.file.set_len(start) {
                    tracing::error!(
                        path = %path.display(),
                        %error,
                        "cannot cut a failed queue write back; refusing appends until reopened"
                    );
                    self.failed = true;
                }
                for waiter in group {
                    self.refuse(waiter, failure.error());
                }
            }
        }
    }

    /// Closes the full segment and starts the next one. The new file's
    /// directory entry is synced too: `fdatasync` on the file alone would
    /// not keep it across a crash.
    fn roll(&mut self) -> Result<(), Failure> {
        let id = self.position.segment + 1;
        let path = segment::path(&self.config.dir, id);
        let create = || -> io::Result<File> {
            File::create_new(&path)?;
            if self.config.sync {
                File::open(&self.config.dir)?.sync_all()?;
                Counters::add(&self.config.counters.syncs_total, 1);
            }
            open_append(&path)
        };
        match create() {
            Ok(file) => {
                self.file = file;
                self.position = Position::new(id, 0);
                Counters::add(&self.config.counters.segments, 1);
                Ok(())
            }
            Err(error) => {
                tracing::error!(path = %path.display(), %error, "cannot start a new queue segment");
                // A half-made file would block the next attempt (create_new).
                let _ = std::fs::remove_file(&path);
                Err(Failure::new("creating", path, &error))
            }
        }
    }

    fn refuse(&self, waiter: Waiter, error: QueueError) {
        self.config.counters.release(waiter.frame_len);
        let _ = waiter.reply.send(Err(error));
    }

    fn active_path(&self) -> PathBuf {
        segment::path(&self.config.dir, self.position.segment)
    }
}
