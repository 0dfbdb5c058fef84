//! Random operation sequences against an in-memory model: whatever the
//! reader delivers must be the model's uncommitted records, in order, and
//! `Full` must come exactly when the model says the bound is reached.

#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::time::Duration;

use proptest::prelude::*;
use veil_queue::{Chunk, Queue, QueueError, QueueOptions, Reader};

const MAX_BYTES: u64 = 600;

#[derive(Debug, Clone)]
enum Op {
    Append(Vec<u8>),
    Next {
        max_records: usize,
        max_bytes: usize,
    },
    /// Commits one of the chunks read since the last reopen.
    Commit(prop::sample::Index),
    Rewind,
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => prop::collection::vec(any::<u8>(), 0..48).prop_map(Op::Append),
        4 => (1..6usize, 1..120usize)
            .prop_map(|(max_records, max_bytes)| Op::Next { max_records, max_bytes }),
        3 => any::<prop::sample::Index>().prop_map(Op::Commit),
        1 => Just(Op::Rewind),
        1 => Just(Op::Reopen),
    ]
}

/// Every record ever appended, plus how far the reader has read and
/// committed (as indexes into it).
#[derive(Default)]
struct Model {
    appended: Vec<Vec<u8>>,
    committed: usize,
    read: usize,
}

impl Model {
    fn unconsumed_bytes(&self) -> u64 {
        self.appended[self.committed..].iter().map(|r| 8 + r.len() as u64).sum()
    }

    /// What `next_chunk` must deliver next.
    fn next(&self, max_records: usize, max_bytes: usize) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = Vec::new();
        let mut bytes = 0;
        for record in &self.appended[self.read..] {
            if out.len() == max_records || (!out.is_empty() && bytes + record.len() > max_bytes) {
                break;
            }
            bytes += record.len();
            out.push(record.clone());
        }
        out
    }
}

async fn run(ops: Vec<Op>) {
    let dir = tempfile::tempdir().unwrap();
    let options = QueueOptions {
        max_bytes: MAX_BYTES,
        segment_bytes: 100,
        sync: false,
        ..QueueOptions::new(dir.path())
    };
    let (mut queue, mut reader): (Queue, Reader) = Queue::open(options.clone()).unwrap();
    let mut chunks: Vec<(Chunk, usize)> = Vec::new();
    let mut model = Model::default();
    for op in ops {
        match op {
            Op::Append(record) => {
                let fits = model.unconsumed_bytes() + 8 + record.len() as u64 <= MAX_BYTES;
                match queue.append(record.clone()).await {
                    Ok(()) => {
                        assert!(fits, "accepted past the bound");
                        model.appended.push(record);
                    }
                    Err(QueueError::Full { .. }) => assert!(!fits, "refused below the bound"),
                    Err(other) => panic!("append failed: {other}"),
                }
            }
            Op::Next { max_records, max_bytes } => {
                let chunk = reader.next_chunk(max_records, max_bytes, Duration::ZERO).await.unwrap();
                assert_eq!(chunk.records, model.next(max_records, max_bytes));
                model.read += chunk.records.len();
                chunks.push((chunk, model.read));
            }
            Op::Commit(index) => {
                if !chunks.is_empty() {
                    let (chunk, end) = &chunks[index.index(chunks.len())];
                    reader.commit(chunk).unwrap();
                    model.committed = model.committed.max(*end);
                    model.read = model.read.max(model.committed);
                }
            }
            Op::Rewind => {
                reader.rewind();
                model.read = model.committed;
            }
            Op::Reopen => {
                chunks.clear();
                (queue, reader) = common::reopen(queue, reader, &options).await;
                model.read = model.committed;
            }
        }
        let stats = queue.stats();
        assert_eq!(stats.unconsumed_bytes, model.unconsumed_bytes());
        assert_eq!(stats.unconsumed_records, (model.appended.len() - model.committed) as u64);
    }
    // Whatever is left comes back after one more restart.
    let (_queue, mut reader) = common::reopen(queue, reader, &options).await;
    assert_eq!(common::read_all(&mut reader).await, model.appended[model.committed..]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn reader_matches_the_model(ops in prop::collection::vec(op(), 1..80)) {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(run(ops));
    }
}
