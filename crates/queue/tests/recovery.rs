//! What a crash or a damaged disk leaves behind, and how open and the
//! reader deal with it.

#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use common::*;
use veil_queue::{Queue, QueueError, QueueOptions};

/// One big segment so the damage is in the newest one.
fn one_segment(dir: &Path) -> QueueOptions {
    QueueOptions { segment_bytes: 1 << 20, ..options(dir) }
}

/// Writes records 0..5 to segment 0, closes, damages the file, reopens,
/// and checks that exactly `survivors` come back and that appending and
/// reading go on normally.
async fn torn_tail_case(damage: impl FnOnce(&Path), survivors: usize) {
    let dir = tempfile::tempdir().unwrap();
    let options = one_segment(dir.path());
    let (queue, reader) = Queue::open(options.clone()).unwrap();
    append_all(&queue, 0..5).await;
    queue.close().await;
    drop((queue, reader));

    damage(&segment_path(dir.path(), 0));

    let (queue, mut reader) = Queue::open(options.clone()).unwrap();
    assert_eq!(
        std::fs::metadata(segment_path(dir.path(), 0)).unwrap().len(),
        survivors as u64 * FRAME,
        "the torn tail is cut off"
    );
    assert_eq!(queue.stats().unconsumed_records, survivors as u64);
    append_all(&queue, 100..102).await;
    let mut expected = records(0..survivors);
    expected.extend(records(100..102));
    assert_eq!(read_all(&mut reader).await, expected);

    // And the repaired queue reopens cleanly.
    let (_queue, mut reader) = reopen(queue, reader, &options).await;
    assert_eq!(read_all(&mut reader).await, expected);
}

fn append_bytes(path: &Path, bytes: &[u8]) {
    let mut file = OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(bytes).unwrap();
}

fn cut(path: &Path, bytes: u64) {
    let file = OpenOptions::new().write(true).open(path).unwrap();
    let len = file.metadata().unwrap().len();
    file.set_len(len - bytes).unwrap();
}

fn flip(path: &Path, offset: u64) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[offset as usize] ^= 0x20;
    std::fs::write(path, bytes).unwrap();
}

#[tokio::test]
async fn garbage_after_the_last_record_is_dropped() {
    torn_tail_case(|path| append_bytes(path, &[0xde, 0xad, 0xbe]), 5).await;
}

#[tokio::test]
async fn half_written_header_is_dropped() {
    torn_tail_case(|path| append_bytes(path, &[12, 0, 0, 0, 0xaa]), 5).await;
}

#[tokio::test]
async fn record_cut_short_is_dropped() {
    torn_tail_case(|path| cut(path, 3), 4).await;
}

#[tokio::test]
async fn final_record_with_bad_checksum_is_dropped() {
    torn_tail_case(|path| flip(path, 4 * FRAME + 10), 4).await;
}

#[tokio::test]
async fn zeros_after_the_last_record_are_dropped() {
    // What a file system may show for a file extended right before a crash.
    torn_tail_case(|path| append_bytes(path, &[0; 100]), 5).await;
}

#[tokio::test]
async fn only_a_torn_record_leaves_an_empty_segment() {
    torn_tail_case(|path| cut(path, 5 * FRAME - 7), 0).await;
}

#[tokio::test]
async fn corruption_in_a_sealed_segment_is_reported_then_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let (queue, mut reader) = Queue::open(options(dir.path())).unwrap();
    append_all(&queue, 0..10).await;
    // Segment 0 holds records 0..3; damage record 1's payload.
    flip(&segment_path(dir.path(), 0), FRAME + 10);

    // Records before the damage first, then the error, again and again.
    assert_eq!(next(&mut reader, 100).await.records, records(0..1));
    for _ in 0..2 {
        let error = reader.next_chunk(100, usize::MAX, std::time::Duration::ZERO).await.unwrap_err();
        assert!(matches!(error, QueueError::Corrupt { segment: 0, offset: FRAME, .. }), "{error:?}");
        let message = error.to_string();
        assert!(message.contains("00000000000000000000.seg"), "{message}");
        assert!(message.contains("offset 19"), "{message}");
    }

    // Skipping drops the rest of that segment (records 1 and 2).
    assert_eq!(reader.skip_corrupt().unwrap(), 2 * FRAME);
    assert_eq!(reader.skip_corrupt().unwrap(), 0, "nothing more to skip");
    let chunk = next(&mut reader, 100).await;
    assert_eq!(chunk.records, records(3..10));
    reader.commit(&chunk).unwrap();
    assert_eq!(queue.stats().unconsumed_bytes, 0);
    assert!(!segment_path(dir.path(), 0).exists());
}

#[tokio::test]
async fn corruption_inside_the_newest_segment_is_not_mistaken_for_a_torn_tail() {
    let dir = tempfile::tempdir().unwrap();
    let options = one_segment(dir.path());
    let (queue, reader) = Queue::open(options.clone()).unwrap();
    append_all(&queue, 0..5).await;
    queue.close().await;
    drop((queue, reader));
    let damaged = segment_path(dir.path(), 0);
    flip(&damaged, 2 * FRAME + 10);

    let (queue, mut reader) = Queue::open(options.clone()).unwrap();
    assert_eq!(
        std::fs::metadata(&damaged).unwrap().len(),
        5 * FRAME,
        "acknowledged records after the damage are kept"
    );
    append_all(&queue, 100..102).await;
    assert_eq!(next(&mut reader, 100).await.records, records(0..2));
    let error = next_error(&mut reader).await;
    assert!(matches!(error, QueueError::Corrupt { segment: 0, offset: 38, .. }), "{error:?}");
    // A rewind forgets the skip; the damage is reported again.
    reader.rewind();
    assert_eq!(next(&mut reader, 100).await.records, records(0..2));
    assert!(matches!(next_error(&mut reader).await, QueueError::Corrupt { .. }));
    assert_eq!(reader.skip_corrupt().unwrap(), 3 * FRAME);
    // New records went to a fresh segment and are not lost to the skip.
    let chunk = next(&mut reader, 100).await;
    assert_eq!(chunk.records, records(100..102));
    reader.commit(&chunk).unwrap();

    let (_queue, mut reader) = reopen(queue, reader, &options).await;
    assert!(read_all(&mut reader).await.is_empty());
    assert!(!damaged.exists());
}

async fn next_error(reader: &mut veil_queue::Reader) -> QueueError {
    reader.next_chunk(100, usize::MAX, std::time::Duration::ZERO).await.unwrap_err()
}

#[tokio::test]
async fn damaged_cursor_stops_open_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let options = options(dir.path());
    let (queue, mut reader) = Queue::open(options.clone()).unwrap();
    append_all(&queue, 0..2).await;
    let chunk = next(&mut reader, 1).await;
    reader.commit(&chunk).unwrap();
    queue.close().await;
    drop((queue, reader));
    flip(&dir.path().join("cursor"), 6);

    let error = Queue::open(options.clone()).unwrap_err();
    assert!(matches!(error, QueueError::CorruptCursor { .. }), "{error:?}");
    assert!(error.to_string().contains("deleting it replays"), "{error}");

    // Following the advice: everything still on disk comes back.
    std::fs::remove_file(dir.path().join("cursor")).unwrap();
    let (_queue, mut reader) = Queue::open(options).unwrap();
    assert_eq!(read_all(&mut reader).await, records(0..2));
}

#[tokio::test]
async fn a_write_torn_at_any_offset_keeps_every_fully_written_record() {
    // A crash may cut the newest segment at any byte: in a record's
    // length, its checksum or its payload. Every cut keeps exactly the
    // records written whole before it.
    for keep in 0..5 * FRAME {
        torn_tail_case(|path| cut(path, 5 * FRAME - keep), (keep / FRAME) as usize).await;
    }
}
