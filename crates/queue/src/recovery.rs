//! Bringing a queue directory back to a consistent state at open: lock it,
//! read the cursor, drop segments already consumed, cut a torn tail, pick
//! the segment new records go to, and count what is left to read.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use crate::record::{Check, Damage};
use crate::segment::{self, Position};
use crate::{QueueError, QueueOptions, cursor};

/// What the queue starts from.
#[derive(Debug)]
pub(crate) struct Recovered {
    /// Where the reader starts: the committed position, or the oldest
    /// segment when nothing was committed.
    pub(crate) start: Position,
    /// The segment the writer appends to and its current length.
    pub(crate) active: Position,
    pub(crate) unconsumed_bytes: u64,
    pub(crate) unconsumed_records: u64,
    pub(crate) segments: u64,
    /// Held for as long as the queue is open.
    pub(crate) lock: File,
}

pub(crate) fn recover(options: &QueueOptions) -> Result<Recovered, QueueError> {
    let dir = options.dir.as_path();
    std::fs::create_dir_all(dir).map_err(|e| QueueError::io("creating", dir, e))?;
    let lock = lock_dir(dir)?;
    let cursor = cursor::load(dir)?;
    let mut ids = segment::list(dir)?;

    if let Some(cursor) = cursor {
        let (consumed, kept): (Vec<u64>, Vec<u64>) = ids.into_iter().partition(|&id| id < cursor.segment);
        for &id in &consumed {
            let path = segment::path(dir, id);
            std::fs::remove_file(&path).map_err(|e| QueueError::io("deleting", path, e))?;
        }
        if !consumed.is_empty() && options.sync {
            segment::sync_dir(dir)?;
        }
        ids = kept;
    }

    let mut newest_damaged = false;
    if let Some(&newest) = ids.last() {
        let from = match cursor {
            Some(cursor) if cursor.segment == newest => cursor.offset,
            _ => 0,
        };
        newest_damaged = !repair_tail(dir, newest, from, options.sync)?;
    }

    let mut start = match (cursor, ids.first()) {
        (_, None) => None,
        (Some(cursor), Some(&first)) if cursor.segment == first => {
            let len = segment::len(dir, first)?;
            if cursor.offset > len {
                tracing::warn!(
                    segment = first,
                    cursor = cursor.offset,
                    len,
                    "queue cursor points past the end of its segment (data lost \
                     with sync off?); reading from the segment's end"
                );
            }
            Some(Position::new(first, cursor.offset.min(len)))
        }
        (Some(cursor), Some(&first)) => {
            tracing::warn!(
                missing = cursor.segment,
                next = first,
                "queue cursor's segment file is missing; reading from the next one"
            );
            Some(Position::new(first, 0))
        }
        (None, Some(&first)) => Some(Position::new(first, 0)),
    };

    // A fresh segment after every restart unless the newest one is empty:
    // records acknowledged from now on never share a file with damage found
    // above, so skipping that damage cannot skip them.
    let active = match ids.last() {
        Some(&newest) if !newest_damaged && segment::len(dir, newest)? == 0 => newest,
        newest => {
            let after_cursor = cursor.map_or(0, |c| c.segment.saturating_add(1));
            let id = newest.map_or(0, |n| n.saturating_add(1)).max(after_cursor);
            let path = segment::path(dir, id);
            File::create_new(&path).map_err(|e| QueueError::io("creating", path, e))?;
            if options.sync {
                segment::sync_dir(dir)?;
            }
            ids.push(id);
            id
        }
    };
    let start = *start.get_or_insert(Position::new(active, 0));

    let mut unconsumed_bytes = 0;
    let mut unconsumed_records = 0;
    for &id in ids.iter().filter(|&&id| id >= start.segment) {
        let from = if id == start.segment { start.offset } else { 0 };
        let scan = segment::scan(dir, id, from, Check::HeaderOnly)?;
        unconsumed_bytes += scan.file_len.saturating_sub(from);
        unconsumed_records += scan.records;
    }

    Ok(Recovered {
        start,
        active: Position::new(active, segment::len(dir, active)?),
        unconsumed_bytes,
        unconsumed_records,
        segments: ids.len() as u64,
        lock,
    })
}

/// Two queues writing one directory would interleave records and delete
/// each other's segments.
fn lock_dir(dir: &Path) -> Result<File, QueueError> {
    let path = dir.join("lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| QueueError::io("opening", &path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(QueueError::Locked { dir: dir.into() }),
        Err(TryLockError::Error(e)) => Err(QueueError::io("locking", path, e)),
    }
}

/// Scans the newest segment from `from` and cuts off what a crash
/// mid-write left behind. Returns false when it found damage that is not a
/// torn tail: that is left in place for the reader to report.
fn repair_tail(dir: &Path, id: u64, from: u64, sync: bool) -> Result<bool, QueueError> {
    let scan = segment::scan(dir, id, from, Check::Full)?;
    let Some((offset, damage)) = scan.damage else {
        return Ok(true);
    };
    let zeros = matches!(damage, Damage::Checksum { .. }) && segment::zeros_from(dir, id, offset)?;
    if !scan.torn_tail(zeros) {
        tracing::warn!(
            segment = id,
            offset,
            reason = damage.reason(),
            "corrupt record inside the newest queue segment; the reader will report it"
        );
        return Ok(false);
    }
    let path = segment::path(dir, id);
    let truncate = || -> std::io::Result<()> {
        let file = OpenOptions::new().write(true).open(&path)?;
        file.set_len(offset)?;
        if sync {
            file.sync_all()?;
        }
        Ok(())
    };
    truncate().map_err(|e| QueueError::io("truncating", &path, e))?;
    tracing::warn!(
        segment = id,
        offset,
        dropped_bytes = scan.file_len - offset,
        reason = damage.reason(),
        "dropped the torn tail of the newest queue segment (a write cut short by a crash; \
         it was never acknowledged)"
    );
    Ok(true)
}
