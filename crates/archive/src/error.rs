use thiserror::Error;

/// Why an archive could not be written or read.
#[derive(Debug, Error)]
pub enum ArchiveError {
    /// A stored batch's payload is not a JSON array of events.
    #[error("batch {seq}: payload is not a JSON array of events: {reason}")]
    NotEvents {
        /// The batch.
        seq: u64,
        /// What the JSON parser said.
        reason: String,
    },
    /// The archive is truncated or malformed.
    #[error("corrupt archive: {0}")]
    Corrupt(&'static str),
    /// The archive references a chunk that was not supplied.
    #[error("archive references chunk {hash}, which is missing")]
    MissingChunk {
        /// Its BLAKE3 hash, hex.
        hash: String,
    },
    /// Reading it back would exceed the caller's limit.
    #[error("archive expands beyond {limit} bytes of JSON")]
    TooLarge {
        /// The limit, bytes.
        limit: usize,
    },
    /// A freshly written archive did not read back as its batches.
    #[error("archive does not read back as its batches{}: {reason}", seq.map(|s| format!(" (batch {s})")).unwrap_or_default())]
    Verify {
        /// The first batch that differs, when one does.
        seq: Option<u64>,
        /// What differed.
        reason: String,
    },
    /// Compressing or decompressing (brotli, or zstd of older archives)
    /// failed.
    #[error("compression: {0}")]
    Compression(#[from] std::io::Error),
}
