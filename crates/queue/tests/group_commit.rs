//! Concurrent appenders share syncs.

#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use common::*;
use veil_queue::{Queue, QueueOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_share_syncs() {
    // In the target directory: /tmp may be a tmpfs where fdatasync is free
    // and every append would get a sync of its own.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let options = QueueOptions { sync: true, ..QueueOptions::new(dir.path()) };
    let (queue, mut reader) = Queue::open(options).unwrap();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let queue = queue.clone();
            tokio::spawn(async move { queue.append(record(i)).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let stats = queue.stats();
    eprintln!("200 concurrent appends: {} syncs", stats.syncs_total);
    assert_eq!(stats.appended_records_total, 200);
    assert!(stats.syncs_total <= 50, "200 concurrent appends took {} syncs", stats.syncs_total);
    let mut stored = read_all(&mut reader).await;
    stored.sort();
    assert_eq!(stored, records(0..200));
}

#[tokio::test]
async fn a_lone_appender_syncs_every_record() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let options = QueueOptions { sync: true, ..QueueOptions::new(dir.path()) };
    let (queue, _reader) = Queue::open(options).unwrap();
    append_all(&queue, 0..5).await;
    assert_eq!(queue.stats().syncs_total, 5);
}
