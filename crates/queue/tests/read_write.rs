//! Appending, reading, committing and reopening.

#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use veil_queue::{Queue, QueueError};

#[tokio::test]
async fn records_come_back_in_order_across_segment_rolls() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, mut reader) = Queue::open(options(dir.path())).unwrap();
    append_all(&queue, 0..10).await;
    // Three 19-byte records per 60-byte segment.
    assert_eq!(segment_files(dir.path()).len(), 4);
    assert_eq!(queue.stats().segments, 4);
    let mut got = Vec::new();
    for size in [1, 4, 2, 100] {
        got.extend(next(&mut reader, size).await.records);
    }
    assert_eq!(got, records(0..10));
    assert!(next(&mut reader, 100).await.records.is_empty());
}

#[tokio::test]
async fn commit_survives_reopen_and_deletes_finished_segments() {
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path());
    let (queue, mut reader) = Queue::open(options.clone()).unwrap();
    append_all(&queue, 0..10).await;

    // Exactly the first segment: committing it deletes its file.
    let chunk = next(&mut reader, 3).await;
    assert_eq!(chunk.records, records(0..3));
    reader.commit(&chunk).unwrap();
    assert!(!segment_path(dir.path(), 0).exists());
    assert_eq!(queue.stats().unconsumed_bytes, 7 * FRAME);
    assert_eq!(queue.stats().unconsumed_records, 7);
    assert_eq!((queue.stats().accepted_records_total, queue.stats().committed_records_total), (10, 3));

    let chunk = next(&mut reader, 2).await;
    assert_eq!(chunk.records, records(3..5));
    reader.commit(&chunk).unwrap();
    // Read but not committed: must come back after the restart.
    assert_eq!(next(&mut reader, 3).await.records, records(5..8));

    let (queue, mut reader) = reopen(queue, reader, &options).await;
    assert_eq!(queue.stats().unconsumed_bytes, 5 * FRAME);
    assert_eq!(queue.stats().unconsumed_records, 5);
    // After a reopen the position counts from what was left.
    assert_eq!((queue.stats().accepted_records_total, queue.stats().committed_records_total), (5, 0));
    let chunk = next(&mut reader, 100).await;
    assert_eq!(chunk.records, records(5..10));
    reader.commit(&chunk).unwrap();
    assert_eq!(queue.stats().unconsumed_bytes, 0);

    let (queue, mut reader) = reopen(queue, reader, &options).await;
    assert!(read_all(&mut reader).await.is_empty());
    // The commit ended at the start of the (empty) active segment, so every
    // older one is gone, and the reopen reused the empty one.
    assert_eq!(segment_files(dir.path()), vec![segment_path(dir.path(), 4)]);
    assert_eq!(queue.stats().segments, 1);
    queue.append(record(10)).await.unwrap();
    assert_eq!(read_all(&mut reader).await, records(10..11));
}

#[tokio::test]
async fn everything_uncommitted_is_replayed_on_start() {
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path());
    let (queue, mut reader) = Queue::open(options.clone()).unwrap();
    append_all(&queue, 0..10).await;
    assert_eq!(read_all(&mut reader).await, records(0..10));

    let (queue, mut reader) = reopen(queue, reader, &options).await;
    assert_eq!(read_all(&mut reader).await, records(0..10));
    append_all(&queue, 10..12).await;
    assert_eq!(read_all(&mut reader).await, records(10..12));
}

#[tokio::test]
async fn rewind_redelivers_since_the_last_commit() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, mut reader) = Queue::open(options(dir.path())).unwrap();
    append_all(&queue, 0..6).await;
    let first = next(&mut reader, 2).await;
    assert_eq!(next(&mut reader, 2).await.records, records(2..4));
    reader.rewind();
    assert_eq!(next(&mut reader, 2).await.records, records(0..2));
    reader.commit(&first).unwrap();
    reader.rewind();
    assert_eq!(next(&mut reader, 10).await.records, records(2..6));
}

#[tokio::test]
async fn stale_and_foreign_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path());
    let (queue, mut reader) = Queue::open(options.clone()).unwrap();
    append_all(&queue, 0..6).await;
    let first = next(&mut reader, 2).await;
    let second = next(&mut reader, 2).await;
    reader.commit(&second).unwrap();
    // Older than the commit: no effect, nothing re-delivered.
    reader.commit(&first).unwrap();
    assert_eq!(next(&mut reader, 10).await.records, records(4..6));

    let (_queue, mut reader) = reopen(queue, reader, &options).await;
    assert!(matches!(reader.commit(&second), Err(QueueError::ForeignChunk)));
    assert_eq!(read_all(&mut reader).await, records(4..6));
}

async fn budget(reader: &mut veil_queue::Reader, max_bytes: usize) -> Vec<Vec<u8>> {
    let chunk = reader.next_chunk(100, max_bytes, Duration::ZERO).await;
    chunk.unwrap().records
}

#[tokio::test]
async fn chunk_byte_budget_is_respected_but_never_stalls() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, mut reader) = Queue::open(options(dir.path())).unwrap();
    append_all(&queue, 0..3).await;
    queue.append(vec![7u8; 40]).await.unwrap();
    assert_eq!(budget(&mut reader, 25).await, records(0..2));
    assert_eq!(budget(&mut reader, 25).await, records(2..3));
    // Bigger than the budget on its own: delivered alone.
    assert_eq!(budget(&mut reader, 25).await, vec![vec![7u8; 40]]);
}

#[tokio::test]
async fn full_queue_refuses_without_writing_until_the_reader_commits() {
    let dir = tempfile::tempdir().unwrap();
    let options = veil_queue::QueueOptions { max_bytes: 100, ..options(dir.path()) };
    let (queue, mut reader) = Queue::open(options).unwrap();
    append_all(&queue, 0..5).await; // 95 bytes
    let on_disk = |dir: &std::path::Path| -> u64 {
        segment_files(dir).iter().map(|path| std::fs::metadata(path).unwrap().len()).sum()
    };
    assert_eq!(on_disk(dir.path()), 95);
    match queue.append(record(5)).await {
        Err(QueueError::Full { unconsumed_bytes: 95, max_bytes: 100, record_bytes: 19 }) => {}
        other => panic!("expected Full, got {other:?}"),
    }
    assert_eq!(on_disk(dir.path()), 95);
    assert_eq!(queue.stats().full_rejections_total, 1);
    assert_eq!(queue.stats().appended_records_total, 5);

    let chunk = next(&mut reader, 2).await;
    // Reading alone frees nothing; committing does.
    assert!(matches!(queue.append(record(5)).await, Err(QueueError::Full { .. })));
    reader.commit(&chunk).unwrap();
    append_all(&queue, 5..7).await;
    assert!(matches!(queue.append(record(7)).await, Err(QueueError::Full { .. })));
    assert_eq!(read_all(&mut reader).await, records(2..7));
}

#[tokio::test]
async fn too_large_records_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let options = veil_queue::QueueOptions { max_bytes: 100, max_record_bytes: 50, ..options(dir.path()) };
    let (queue, mut reader) = Queue::open(options).unwrap();
    match queue.append(vec![0; 51]).await {
        Err(QueueError::TooLarge { len: 51, limit: 50 }) => {}
        other => panic!("expected TooLarge, got {other:?}"),
    }
    queue.append(vec![1; 50]).await.unwrap();
    assert_eq!(read_all(&mut reader).await, vec![vec![1; 50]]);
    assert_eq!(queue.stats().full_rejections_total, 0);
}

#[tokio::test]
async fn empty_records_are_records() {
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path());
    let (queue, reader) = Queue::open(options.clone()).unwrap();
    queue.append(Vec::new()).await.unwrap();
    queue.append(record(1)).await.unwrap();
    let (_queue, mut reader) = reopen(queue, reader, &options).await;
    assert_eq!(read_all(&mut reader).await, vec![Vec::new(), record(1)]);
}

#[tokio::test]
async fn reader_waits_for_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, mut reader) = Queue::open(options(dir.path())).unwrap();
    let started = Instant::now();
    let chunk = reader.next_chunk(10, 1000, Duration::from_millis(50)).await.unwrap();
    assert!(chunk.records.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(50));

    let appender = queue.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        appender.append(record(0)).await.unwrap();
    });
    let started = Instant::now();
    let chunk = reader.next_chunk(10, 1000, Duration::from_secs(10)).await.unwrap();
    assert_eq!(chunk.records, records(0..1));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn close_stops_appends_and_wakes_the_reader() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, mut reader) = Queue::open(options(dir.path())).unwrap();
    append_all(&queue, 0..2).await;
    queue.close().await;
    queue.close().await; // idempotent
    assert!(matches!(queue.append(record(2)).await, Err(QueueError::Closed)));
    // What was stored can still be drained; then an empty chunk at once.
    assert_eq!(read_all(&mut reader).await, records(0..2));
    let started = Instant::now();
    let chunk = reader.next_chunk(10, 1000, Duration::from_secs(10)).await.unwrap();
    assert!(chunk.records.is_empty());
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn one_queue_per_directory() {
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path());
    let (queue, reader) = Queue::open(options.clone()).unwrap();
    assert!(matches!(Queue::open(options.clone()), Err(QueueError::Locked { .. })));
    queue.close().await;
    // The reader still holds the directory.
    assert!(matches!(Queue::open(options.clone()), Err(QueueError::Locked { .. })));
    drop(reader);
    assert!(Queue::open(options).is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn close_flushes_appends_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let options = veil_queue::QueueOptions { sync: true, segment_bytes: 4096, ..options(dir.path()) };
    let (queue, reader) = Queue::open(options.clone()).unwrap();
    let tasks: Vec<_> = (0..500)
        .map(|i| {
            let queue = queue.clone();
            tokio::spawn(async move { (i, queue.append(record(i)).await) })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(2)).await;
    queue.close().await;
    let mut acknowledged = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            (i, Ok(())) => acknowledged.push(record(i)),
            (_, Err(QueueError::Closed)) => {}
            (_, Err(other)) => panic!("unexpected error {other}"),
        }
    }
    assert!(!acknowledged.is_empty());

    let (_queue, mut reader) = reopen(queue, reader, &options).await;
    let mut stored = read_all(&mut reader).await;
    stored.sort();
    acknowledged.sort();
    // Every acknowledged record is there, and nothing else was invented.
    assert_eq!(stored, acknowledged);
}
