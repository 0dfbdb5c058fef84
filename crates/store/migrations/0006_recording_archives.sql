-- Compacted sessions (issue 11): once a session is idle, its batches of
-- one day leave `recordings` for one row here, a columnar zstd archive
-- (crates/archive). `seqs` lists the batches it holds; readers take each
-- seq once across archives and `recordings`, so an archive written twice
-- (two nodes, a crash before the per-batch rows were deleted) is never
-- read twice. `archive_id` is a hash of the seqs: identical archives
-- collapse, different ones are both kept.
CREATE TABLE IF NOT EXISTS recording_archives (
    site String,
    session String,
    first_seq UInt64,
    archive_id String,
    seqs Array(UInt64),
    visitor String,
    consent_ids Array(String),
    day Date,
    compacted_at DateTime,
    first_ts UInt64,
    last_ts UInt64,
    event_count UInt32,
    json_bytes UInt64,
    chunks Array(String),
    payload String
) ENGINE = ReplacingMergeTree(compacted_at)
PARTITION BY toMonday(day)
ORDER BY (site, session, first_seq, archive_id);

-- Large strings of archives (style sheets, data: URLs), once per site
-- under their BLAKE3 hash, zstd-compressed. A chunk holds no visitor id:
-- it is deleted when no archive references it any more (erasure and
-- retention check right away; orphans of an interrupted compaction go
-- after `stored_at` is an hour old).
CREATE TABLE IF NOT EXISTS recording_chunks (
    site String,
    hash String,
    stored_at DateTime,
    body String
) ENGINE = ReplacingMergeTree(stored_at)
ORDER BY (site, hash);
