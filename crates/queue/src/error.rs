use std::io;
use std::path::PathBuf;

/// What can go wrong appending to, reading or opening the queue.
///
/// `Full` and `Closed` are the caller's "try again later" (ingest answers
/// 503); `TooLarge` is permanent for that record (413); the rest mean the
/// disk or the directory needs an operator.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// Accepting the record would push unconsumed data past `max_bytes`;
    /// nothing was written.
    #[error(
        "queue full: {unconsumed_bytes} of {max_bytes} bytes unconsumed, \
         the record needs {record_bytes} more"
    )]
    Full {
        /// Bytes (records plus framing) not yet committed by the reader.
        unconsumed_bytes: u64,
        /// The configured bound.
        max_bytes: u64,
        /// What this record would add, framing included.
        record_bytes: u64,
    },
    /// The record can never fit: past `max_record_bytes`, or bigger than
    /// the whole queue.
    #[error("record of {len} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The record's length.
        len: u64,
        /// The largest record this queue takes.
        limit: u64,
    },
    /// `close` was called; the record was not written.
    #[error("queue is closed")]
    Closed,
    /// A complete record failed its checksum or framing check somewhere
    /// other than the tail of the newest segment, so it is damage, not a
    /// crash mid-write. `Reader::skip_corrupt` moves past it.
    #[error("corrupt record in segment file {segment:020}.seg at byte offset {offset}: {reason}")]
    Corrupt {
        /// Id of the segment file (its name without `.seg`).
        segment: u64,
        /// Byte offset of the bad record in that file.
        offset: u64,
        /// Which check failed.
        reason: &'static str,
    },
    /// The cursor file exists but cannot be trusted. Guessing a position
    /// would either lose records or re-deliver committed ones, so opening
    /// stops here.
    #[error(
        "cursor file {} is corrupt ({reason}); deleting it replays the queue \
         from its oldest segment",
        path.display()
    )]
    CorruptCursor {
        /// The cursor file.
        path: PathBuf,
        /// Which check failed.
        reason: &'static str,
    },
    /// Another open queue (in this process or another) owns the directory.
    #[error("queue directory {} is in use by another queue", dir.display())]
    Locked {
        /// The queue directory.
        dir: PathBuf,
    },
    /// An option cannot work.
    #[error("invalid queue option `{field}`: {reason}")]
    InvalidOption {
        /// The `QueueOptions` field at fault.
        field: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The chunk came from another `Reader` (an earlier open of the queue);
    /// its position means nothing to this one.
    #[error("chunk was read by another Reader of this queue and cannot be committed here")]
    ForeignChunk,
    /// A write failed and the partial data could not be cut off again, so
    /// the writer refuses everything until the queue is reopened (recovery
    /// then trims the tail).
    #[error("queue writer stopped after an unrecoverable I/O error; reopen the queue")]
    WriterFailed,
    /// The file system refused an operation.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What we were doing.
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
}

impl QueueError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        QueueError::Io { action, path: path.into(), source }
    }
}
