//! Append throughput of 1 KiB records with `sync` on: one appender (one
//! fdatasync per record) against 32 concurrent appenders sharing syncs
//! through group commit; plus one appender with `sync` off as the ceiling.
//!
//! `cargo bench -p veil-queue --bench append -- --warm-up-time 1 --measurement-time 3`

#![allow(missing_docs, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use veil_queue::{Queue, QueueOptions, Reader};

const RECORD_BYTES: usize = 1024;
/// Records per measured iteration, split evenly over the appenders.
const RECORDS: usize = 64;

async fn append_all(queue: &Queue, appenders: usize) {
    let per_task = RECORDS / appenders;
    let tasks: Vec<_> = (0..appenders)
        .map(|_| {
            let queue = queue.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    queue.append(vec![0x5a; RECORD_BYTES]).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

/// Keeps the queue (and the disk) small between iterations; not timed.
async fn drain(reader: &mut Reader) {
    loop {
        let chunk = reader.next_chunk(10_000, 64 << 20, Duration::ZERO).await.unwrap();
        if chunk.records.is_empty() {
            return;
        }
        reader.commit(&chunk).unwrap();
    }
}

fn bench_append(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    // On the target directory's file system, not a tmpfs /tmp where
    // fdatasync costs nothing and group commit would show no gain.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut group = c.benchmark_group("append_1KiB");
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.sample_size(10);
    for (name, appenders, sync) in
        [("sync/1_appender", 1, true), ("sync/32_appenders", 32, true), ("nosync/1_appender", 1, false)]
    {
        let options = QueueOptions {
            max_bytes: u64::MAX,
            sync,
            ..QueueOptions::new(dir.path().join(name.replace('/', "_")))
        };
        let (queue, mut reader) = Queue::open(options).unwrap();
        group.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                let mut measured = Duration::ZERO;
                for _ in 0..iterations {
                    let started = Instant::now();
                    runtime.block_on(append_all(&queue, appenders));
                    measured += started.elapsed();
                    runtime.block_on(drain(&mut reader));
                }
                measured
            });
        });
        let stats = queue.stats();
        eprintln!(
            "{name}: {} records, {} syncs ({:.1} records per sync)",
            stats.appended_records_total,
            stats.syncs_total,
            stats.appended_records_total as f64 / stats.syncs_total.max(1) as f64
        );
        runtime.block_on(queue.close());
    }
    group.finish();
}

criterion_group!(benches, bench_append);
criterion_main!(benches);
