use std::path::PathBuf;

use crate::QueueError;

const MIB: u64 = 1024 * 1024;

/// How a queue is laid out on disk and how much it may hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueOptions {
    /// Directory holding the segment files and the cursor; created if
    /// missing. One queue per directory (enforced with a lock file).
    pub dir: PathBuf,
    /// Bound on unconsumed data (records plus their 8-byte framing, from
    /// the committed position to the newest record). Past it `append`
    /// answers `Full`, which ingest turns into 503 rather than letting a
    /// stalled ClickHouse fill the disk. Default 1 GiB.
    pub max_bytes: u64,
    /// A segment that has reached this size is closed and a new one
    /// started, so consumed data can be freed by deleting whole files.
    /// Default 64 MiB.
    pub segment_bytes: u64,
    /// Largest record accepted. Default 64 MiB.
    pub max_record_bytes: u32,
    /// `fdatasync` before acknowledging. Turning it off trades the
    /// durability promise for speed (tests, benchmarks baselines).
    /// Default true.
    pub sync: bool,
}

impl QueueOptions {
    /// Defaults for everything but the directory.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        QueueOptions {
            dir: dir.into(),
            max_bytes: 1024 * MIB,
            segment_bytes: 64 * MIB,
            max_record_bytes: 64 * 1024 * 1024,
            sync: true,
        }
    }

    /// Refuses settings that cannot work, naming the field.
    pub fn validate(&self) -> Result<(), QueueError> {
        let invalid = |field, reason| Err(QueueError::InvalidOption { field, reason });
        if self.dir.as_os_str().is_empty() {
            return invalid("dir", "must not be empty");
        }
        if self.max_bytes == 0 {
            return invalid("max_bytes", "must be greater than 0");
        }
        if self.segment_bytes == 0 {
            return invalid("segment_bytes", "must be greater than 0");
        }
        if self.max_record_bytes == 0 {
            return invalid("max_record_bytes", "must be greater than 0");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(QueueOptions::new("/tmp/q").validate().is_ok());
    }

    #[test]
    fn zero_sizes_name_the_field() {
        for (field, options) in [
            ("max_bytes", QueueOptions { max_bytes: 0, ..QueueOptions::new("q") }),
            ("segment_bytes", QueueOptions { segment_bytes: 0, ..QueueOptions::new("q") }),
            ("max_record_bytes", QueueOptions { max_record_bytes: 0, ..QueueOptions::new("q") }),
            ("dir", QueueOptions::new("")),
        ] {
            match options.validate() {
                Err(QueueError::InvalidOption { field: got, .. }) => assert_eq!(got, field),
                other => panic!("{field}: expected InvalidOption, got {other:?}"),
            }
        }
    }
}
