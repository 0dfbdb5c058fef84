//! Segment files: naming, listing, and scanning one for its records.
//!
//! A segment is named by a zero-padded, increasing `u64` id
//! (`00000000000000000007.seg`) so that name order is append order and a
//! directory listing is all the index the queue needs.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::QueueError;
use crate::record::{self, Check, Damage};

/// A byte position in the queue: a segment and an offset inside it. Orders
/// like the data does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Position {
    pub(crate) segment: u64,
    pub(crate) offset: u64,
}

impl Position {
    pub(crate) fn new(segment: u64, offset: u64) -> Self {
        Position { segment, offset }
    }
}

const SUFFIX: &str = ".seg";
const ID_DIGITS: usize = 20;

pub(crate) fn path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("{id:0ID_DIGITS$}{SUFFIX}"))
}

fn parse_name(name: &OsStr) -> Option<u64> {
    let digits = name.to_str()?.strip_suffix(SUFFIX)?;
    if digits.len() != ID_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Ids of the segment files in `dir`, oldest first. Other files are ignored.
pub(crate) fn list(dir: &Path) -> Result<Vec<u64>, QueueError> {
    let entries = std::fs::read_dir(dir).map_err(|e| QueueError::io("listing", dir, e))?;
    let mut ids = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| QueueError::io("listing", dir, e))?;
        if let Some(id) = parse_name(&entry.file_name()) {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    Ok(ids)
}

/// The oldest segment newer than `id`, if any.
pub(crate) fn next_after(dir: &Path, id: u64) -> Result<Option<u64>, QueueError> {
    Ok(list(dir)?.into_iter().find(|&other| other > id))
}

pub(crate) fn len(dir: &Path, id: u64) -> Result<u64, QueueError> {
    let path = path(dir, id);
    std::fs::metadata(&path)
        .map(|meta| meta.len())
        .map_err(|e| QueueError::io("reading the size of", path, e))
}

/// Makes creations, renames and deletions in `dir` durable: `fsync` on a
/// file does not cover its directory entry.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), QueueError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| QueueError::io("syncing directory", dir, e))
}

/// What a scan of one segment found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scan {
    /// Length of the file.
    pub(crate) file_len: u64,
    /// End of the last good record before any damage.
    pub(crate) valid_len: u64,
    /// Good records between the start offset and `valid_len`.
    pub(crate) records: u64,
    /// Where scanning stopped early, and why.
    pub(crate) damage: Option<(u64, Damage)>,
}

impl Scan {
    /// Whether the damage is what a crash in the middle of a write leaves:
    /// a record cut short at the end of the file, a final record whose
    /// checksum fails, or nothing but zeros after the last good record
    /// (some file systems extend the size before the data lands).
    /// Anything else is corruption the reader must report.
    pub(crate) fn torn_tail(&self, zeros_to_end: bool) -> bool {
        match self.damage {
            None => false,
            Some((_, Damage::ShortHeader | Damage::ShortPayload)) => true,
            Some((offset, Damage::Checksum { frame_len })) => {
                offset.saturating_add(frame_len) == self.file_len || zeros_to_end
            }
        }
    }
}

/// Walks the records of segment `id` from byte `from` to the end of the
/// file, stopping at the first damaged one.
pub(crate) fn scan(dir: &Path, id: u64, from: u64, check: Check) -> Result<Scan, QueueError> {
    let path = path(dir, id);
    let io_err = |e| QueueError::io("scanning", &path, e);
    let file = File::open(&path).map_err(io_err)?;
    let file_len = file.metadata().map_err(io_err)?.len();
    let mut src = BufReader::with_capacity(256 * 1024, file);
    let mut offset = from.min(file_len);
    src.seek(SeekFrom::Start(offset)).map_err(io_err)?;
    let mut records = 0;
    let mut damage = None;
    while offset < file_len {
        match record::read_record(&mut src, file_len - offset, check).map_err(io_err)? {
            Ok(frame) => {
                offset += frame.frame_len;
                records += 1;
            }
            Err(found) => {
                damage = Some((offset, found));
                break;
            }
        }
    }
    Ok(Scan { file_len, valid_len: offset, records, damage })
}

/// Whether every byte of segment `id` from `from` on is zero.
pub(crate) fn zeros_from(dir: &Path, id: u64, from: u64) -> Result<bool, QueueError> {
    let path = path(dir, id);
    let io_err = |e| QueueError::io("scanning", &path, e);
    let mut file = File::open(&path).map_err(io_err)?;
    file.seek(SeekFrom::Start(from)).map_err(io_err)?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(io_err)?;
        if n == 0 {
            return Ok(true);
        }
        if buf[..n].iter().any(|&b| b != 0) {
            return Ok(false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_strangers_are_ignored() {
        let p = path(Path::new("/q"), 42);
        assert_eq!(p.file_name().and_then(OsStr::to_str), Some("00000000000000000042.seg"));
        assert_eq!(parse_name(OsStr::new("00000000000000000042.seg")), Some(42));
        assert_eq!(parse_name(OsStr::new("42.seg")), None);
        assert_eq!(parse_name(OsStr::new("0000000000000000004x.seg")), None);
        assert_eq!(parse_name(OsStr::new("cursor")), None);
    }

    #[test]
    fn positions_order_by_segment_then_offset() {
        assert!(Position::new(1, 900) < Position::new(2, 0));
        assert!(Position::new(2, 0) < Position::new(2, 1));
    }
}
