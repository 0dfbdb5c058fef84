//! The committed read position, kept in one small file that is replaced
//! atomically (temp file, fsync, rename, fsync of the directory), so a
//! crash leaves either the old position or the new one, never a mix.
//!
//! Layout (24 bytes): `b"VQC1" | segment u64 LE | offset u64 LE | CRC32 of
//! the 20 bytes before it, u32 LE`.

use std::fs::File;
use std::io::{ErrorKind, Write};
use std::path::Path;

use crate::QueueError;
use crate::segment::{self, Position};

const FILE: &str = "cursor";
const TEMP: &str = "cursor.tmp";
const MAGIC: [u8; 4] = *b"VQC1";
const LEN: usize = 24;

fn encode(position: Position) -> [u8; LEN] {
    let mut out = [0u8; LEN];
    out[..4].copy_from_slice(&MAGIC);
    out[4..12].copy_from_slice(&position.segment.to_le_bytes());
    out[12..20].copy_from_slice(&position.offset.to_le_bytes());
    let crc = crc32fast::hash(&out[..20]);
    out[20..].copy_from_slice(&crc.to_le_bytes());
    out
}

fn decode(bytes: &[u8]) -> Result<Position, &'static str> {
    let bytes: &[u8; LEN] = bytes.try_into().map_err(|_| "wrong length")?;
    let (body, crc) = bytes.split_at(20);
    if body[..4] != MAGIC {
        return Err("unknown format");
    }
    let word = |range: std::ops::Range<usize>| -> u64 {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(&body[range]);
        u64::from_le_bytes(buf)
    };
    let mut stored = [0u8; 4];
    stored.copy_from_slice(crc);
    if crc32fast::hash(body) != u32::from_le_bytes(stored) {
        return Err("checksum mismatch");
    }
    Ok(Position::new(word(4..12), word(12..20)))
}

/// The committed position, or `None` when nothing was ever committed.
/// A leftover temp file from a crash mid-store is removed: the rename never
/// happened, so the old cursor still stands.
pub(crate) fn load(dir: &Path) -> Result<Option<Position>, QueueError> {
    let temp = dir.join(TEMP);
    match std::fs::remove_file(&temp) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(QueueError::io("removing", temp, e)),
    }
    let path = dir.join(FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(QueueError::io("reading", path, e)),
    };
    decode(&bytes).map(Some).map_err(|reason| QueueError::CorruptCursor { path, reason })
}

/// Replaces the committed position. With `sync` off the file is still
/// replaced atomically, but a crash may bring back an older position
/// (re-delivery, never loss).
pub(crate) fn store(dir: &Path, position: Position, sync: bool) -> Result<(), QueueError> {
    let temp = dir.join(TEMP);
    let write = || -> std::io::Result<()> {
        let mut file = File::create(&temp)?;
        file.write_all(&encode(position))?;
        if sync {
            file.sync_all()?;
        }
        Ok(())
    };
    write().map_err(|e| QueueError::io("writing", &temp, e))?;
    let path = dir.join(FILE);
    std::fs::rename(&temp, &path).map_err(|e| QueueError::io("renaming to", path, e))?;
    if sync {
        segment::sync_dir(dir)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn round_trip_and_missing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()).unwrap(), None);
        store(dir.path(), Position::new(7, 1234), true).unwrap();
        assert_eq!(load(dir.path()).unwrap(), Some(Position::new(7, 1234)));
        store(dir.path(), Position::new(8, 0), false).unwrap();
        assert_eq!(load(dir.path()).unwrap(), Some(Position::new(8, 0)));
    }

    #[test]
    fn damage_is_an_error_not_a_guess() {
        let dir = tempfile::tempdir().unwrap();
        store(dir.path(), Position::new(7, 1234), false).unwrap();
        let path = dir.path().join(FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[13] ^= 0x10;
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(
            load(dir.path()),
            Err(QueueError::CorruptCursor { reason: "checksum mismatch", .. })
        ));
        std::fs::write(&path, &bytes[..10]).unwrap();
        assert!(matches!(load(dir.path()), Err(QueueError::CorruptCursor { reason: "wrong length", .. })));
    }

    #[test]
    fn leftover_temp_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        store(dir.path(), Position::new(1, 2), false).unwrap();
        std::fs::write(dir.path().join(TEMP), b"half").unwrap();
        assert_eq!(load(dir.path()).unwrap(), Some(Position::new(1, 2)));
        assert!(!dir.path().join(TEMP).exists());
    }
}
