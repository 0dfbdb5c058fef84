//! Helpers shared by the integration tests.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use veil_queue::{Chunk, Queue, QueueOptions, Reader};

/// Small segments so a handful of records rolls several times; no sync,
/// except where a test is about syncing.
pub fn options(dir: &Path) -> QueueOptions {
    QueueOptions { segment_bytes: 60, sync: false, ..QueueOptions::new(dir) }
}

/// `record-0007`: 11 bytes, 19 on disk with framing.
pub fn record(i: usize) -> Vec<u8> {
    format!("record-{i:04}").into_bytes()
}

pub fn records(range: std::ops::Range<usize>) -> Vec<Vec<u8>> {
    range.map(record).collect()
}

pub const FRAME: u64 = 19;

pub async fn append_all(queue: &Queue, range: std::ops::Range<usize>) {
    for i in range {
        queue.append(record(i)).await.unwrap();
    }
}

pub async fn next(reader: &mut Reader, max_records: usize) -> Chunk {
    reader.next_chunk(max_records, usize::MAX, Duration::ZERO).await.unwrap()
}

/// Everything readable right now, without committing.
pub async fn read_all(reader: &mut Reader) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let chunk = next(reader, 1000).await;
        if chunk.records.is_empty() {
            return out;
        }
        out.extend(chunk.records);
    }
}

/// Closes the queue, drops the reader (releasing the directory) and opens
/// it again.
pub async fn reopen(queue: Queue, reader: Reader, options: &QueueOptions) -> (Queue, Reader) {
    queue.close().await;
    drop(reader);
    drop(queue);
    Queue::open(options.clone()).unwrap()
}

/// Segment files in `dir`, oldest first.
pub fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "seg"))
        .collect();
    files.sort();
    files
}

pub fn segment_path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("{id:020}.seg"))
}
