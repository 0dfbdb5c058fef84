//! The single consumer: reads records after the committed position and
//! persists how far it got.
//!
//! Reads use std I/O inside `spawn_blocking`: a chunk can be many
//! megabytes of disk reads, too long to hold a runtime worker. The reader
//! never reads past the end the writer published after its last sync, so
//! it never sees a record that was not acknowledged (or a half-written
//! one), and it learns about new data from that same `watch` channel
//! instead of polling.

use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use crate::QueueError;
use crate::record::{self, Check, Damage};
use crate::segment::{self, Position};
use crate::stats::Counters;

/// Tells chunks of different `Reader`s (earlier opens) apart.
static NEXT_READER_ID: AtomicU64 = AtomicU64::new(0);

/// A read position plus the totals needed to free space when it is
/// committed. The totals count from the position the reader opened at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mark {
    position: Position,
    bytes: u64,
    records: u64,
}

/// Records handed out by [`Reader::next_chunk`], in append order.
#[derive(Debug)]
pub struct Chunk {
    /// The payloads, as appended.
    pub records: Vec<Vec<u8>>,
    reader: u64,
    end: Mark,
}

/// The queue's only consumer (see [`crate::Queue::open`]).
#[derive(Debug)]
pub struct Reader {
    id: u64,
    dir: PathBuf,
    sync: bool,
    counters: Arc<Counters>,
    end: watch::Receiver<Position>,
    committed: Mark,
    read: Mark,
    /// Where the last `Corrupt` error was, for `skip_corrupt`.
    corrupt_at: Option<Position>,
    /// No segment older than this is left on disk.
    oldest_segment: u64,
    _lock: Arc<File>,
}

impl Reader {
    pub(crate) fn new(
        dir: PathBuf,
        sync: bool,
        start: Position,
        counters: Arc<Counters>,
        end: watch::Receiver<Position>,
        lock: Arc<File>,
    ) -> Self {
        let mark = Mark { position: start, bytes: 0, records: 0 };
        Reader {
            id: NEXT_READER_ID.fetch_add(1, Ordering::Relaxed),
            dir,
            sync,
            counters,
            end,
            committed: mark,
            read: mark,
            corrupt_at: None,
            oldest_segment: start.segment,
            _lock: lock,
        }
    }

    /// Up to `max_records` records and `max_bytes` payload bytes after the
    /// read position, in append order, advancing the read position (in
    /// memory only; see [`Reader::commit`]). The first record is returned
    /// even if it alone is bigger than `max_bytes`, so a large record
    /// cannot stall the queue.
    ///
    /// When nothing is available, waits up to `wait` for the writer; an
    /// empty chunk means the wait ran out or the queue was closed with
    /// nothing left to read.
    ///
    /// Records before damaged data are returned first; the next call then
    /// fails with [`QueueError::Corrupt`] until [`Reader::skip_corrupt`].
    pub async fn next_chunk(
        &mut self,
        max_records: usize,
        max_bytes: usize,
        wait: Duration,
    ) -> Result<Chunk, QueueError> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut writer_gone = false;
        loop {
            let end = *self.end.borrow_and_update();
            if self.read.position < end {
                let job = ReadJob {
                    dir: self.dir.clone(),
                    from: self.read.position,
                    end,
                    max_records: max_records.max(1),
                    max_bytes: max_bytes as u64,
                };
                let outcome = match tokio::task::spawn_blocking(move || job.run()).await {
                    Ok(outcome) => outcome?,
                    Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                    Err(error) => {
                        return Err(QueueError::io(
                            "reading",
                            self.dir.clone(),
                            std::io::Error::other(error),
                        ));
                    }
                };
                // Only now, with the records in hand: a caller that drops
                // this future mid-read loses nothing.
                self.read = Mark {
                    position: outcome.to,
                    bytes: self.read.bytes + outcome.bytes,
                    records: self.read.records + outcome.records.len() as u64,
                };
                if !outcome.records.is_empty() {
                    return Ok(self.chunk(outcome.records));
                }
                if let Some(damage) = outcome.damage {
                    self.corrupt_at = Some(outcome.to);
                    return Err(QueueError::Corrupt {
                        segment: outcome.to.segment,
                        offset: outcome.to.offset,
                        reason: damage.reason(),
                    });
                }
                // Crossed into a newer segment without finding records yet.
                continue;
            }
            if writer_gone {
                return Ok(self.chunk(Vec::new()));
            }
            match tokio::time::timeout_at(deadline, self.end.changed()).await {
                Ok(Ok(())) => {}
                // The writer stopped: read what it left, then report empty.
                Ok(Err(_)) => writer_gone = true,
                Err(_elapsed) => return Ok(self.chunk(Vec::new())),
            }
        }
    }

    fn chunk(&self, records: Vec<Vec<u8>>) -> Chunk {
        Chunk { records, reader: self.id, end: self.read }
    }

    /// Durably records that everything up to the end of `chunk` was
    /// consumed: after a restart reading resumes after it. Frees its bytes
    /// for the `Full` bound and deletes segment files it finished.
    /// Committing a chunk older than the last commit changes nothing.
    ///
    /// Blocking: with `sync` on this waits for two syncs (the cursor file
    /// and its directory), a few milliseconds once per chunk. A shipper can
    /// afford that on a runtime worker; use `spawn_blocking` where the
    /// worker must stay responsive.
    pub fn commit(&mut self, chunk: &Chunk) -> Result<(), QueueError> {
        if chunk.reader != self.id {
            return Err(QueueError::ForeignChunk);
        }
        let end = chunk.end;
        if end.position <= self.committed.position {
            return Ok(());
        }
        crate::cursor::store(&self.dir, end.position, self.sync)?;
        self.counters.release(end.bytes - self.committed.bytes);
        self.counters.consumed_records(end.records - self.committed.records);
        self.committed = end;
        if self.read.position < end.position {
            self.read = end;
        }
        self.delete_consumed_segments();
        Ok(())
    }

    /// Moves the read position back to the committed one, so the records
    /// read since are delivered again (after a failed insert, say).
    pub fn rewind(&mut self) {
        self.read = self.committed;
        self.corrupt_at = None;
    }

    /// After [`QueueError::Corrupt`], moves past the rest of the damaged
    /// segment: to its end, or, for the segment still being written, to
    /// the end of what is written so far. Returns the bytes skipped (0 when
    /// there is nothing to skip) so the caller can count the loss. The
    /// skip becomes durable with the next commit.
    pub fn skip_corrupt(&mut self) -> Result<u64, QueueError> {
        let Some(at) = self.corrupt_at.take() else {
            return Ok(0);
        };
        if at != self.read.position {
            return Ok(0);
        }
        let end = *self.end.borrow();
        let to = if at.segment < end.segment { segment::len(&self.dir, at.segment)? } else { end.offset };
        let skipped = to.saturating_sub(at.offset);
        self.read.position.offset = at.offset + skipped;
        self.read.bytes += skipped;
        tracing::warn!(
            segment = at.segment,
            offset = at.offset,
            skipped_bytes = skipped,
            "skipping corrupt data in the queue"
        );
        Ok(skipped)
    }

    /// A failure here leaves files behind for the next commit (or the next
    /// open) to delete; it does not undo the commit.
    fn delete_consumed_segments(&mut self) {
        let upto = self.committed.position.segment;
        if upto <= self.oldest_segment {
            return;
        }
        let result = segment::list(&self.dir).and_then(|ids| {
            for id in ids.into_iter().filter(|&id| id < upto) {
                let path = segment::path(&self.dir, id);
                std::fs::remove_file(&path).map_err(|e| QueueError::io("deleting", path, e))?;
                self.counters.segments.fetch_sub(1, Ordering::Relaxed);
            }
            Ok(())
        });
        match result {
            Ok(()) => self.oldest_segment = upto,
            Err(error) => tracing::warn!(%error, "cannot delete a consumed queue segment"),
        }
    }
}

/// One blocking read, from `from` towards `end`.
struct ReadJob {
    dir: PathBuf,
    from: Position,
    end: Position,
    max_records: usize,
    max_bytes: u64,
}

struct ReadOutcome {
    records: Vec<Vec<u8>>,
    /// Where reading stopped: after the last record returned, or at damage.
    to: Position,
    /// Bytes on disk between `from` and `to`.
    bytes: u64,
    damage: Option<Damage>,
}

/// The open segment and how far into it may be read.
struct Open {
    id: u64,
    src: BufReader<File>,
    limit: u64,
}

impl ReadJob {
    fn run(self) -> Result<ReadOutcome, QueueError> {
        let mut pos = self.from;
        let mut records = Vec::new();
        let mut payload_bytes = 0u64;
        let mut bytes = 0u64;
        let mut open: Option<Open> = None;
        let mut damage = None;
        while pos < self.end {
            let current = match open.take() {
                Some(current) if current.id == pos.segment => open.insert(current),
                _ => open.insert(self.open(pos)?),
            };
            if pos.offset >= current.limit {
                if pos.segment >= self.end.segment {
                    break;
                }
                // A finished segment: move on even if the chunk is full, so
                // committing this chunk lets the segment be deleted.
                let next = segment::next_after(&self.dir, pos.segment)?;
                pos = Position::new(next.unwrap_or(self.end.segment), 0);
                continue;
            }
            if records.len() >= self.max_records {
                break;
            }
            let path = || segment::path(&self.dir, pos.segment);
            let remaining = current.limit - pos.offset;
            let header = match record::read_header(&mut current.src, remaining)
                .map_err(|e| QueueError::io("reading", path(), e))?
            {
                Ok(header) => header,
                Err(found) => {
                    damage = Some(found);
                    break;
                }
            };
            if !records.is_empty() && payload_bytes + header.len > self.max_bytes {
                break;
            }
            match record::read_payload(&mut current.src, &header, Check::Full)
                .map_err(|e| QueueError::io("reading", path(), e))?
            {
                Ok(frame) => {
                    pos.offset += frame.frame_len;
                    bytes += frame.frame_len;
                    payload_bytes += header.len;
                    records.push(frame.payload);
                }
                Err(found) => {
                    damage = Some(found);
                    break;
                }
            }
        }
        Ok(ReadOutcome { records, to: pos, bytes, damage })
    }

    /// Opens the segment at `pos`. A segment older than the writer's is
    /// sealed and is read to its last byte; the writer's own only to the
    /// published end.
    fn open(&self, pos: Position) -> Result<Open, QueueError> {
        let path = segment::path(&self.dir, pos.segment);
        let io_err = |e| QueueError::io("reading", &path, e);
        let mut file = File::open(&path).map_err(io_err)?;
        let limit = if pos.segment < self.end.segment {
            file.metadata().map_err(io_err)?.len()
        } else {
            self.end.offset
        };
        file.seek(SeekFrom::Start(pos.offset)).map_err(io_err)?;
        Ok(Open { id: pos.segment, src: BufReader::with_capacity(256 * 1024, file), limit })
    }
}
