-- Masked recordings (SPEC §7), one row per accepted batch: the batch's
-- events as zstd-compressed JSON, ordered by session and seq for replay.
-- A batch re-sent by the recorder (same session and seq) or shipped twice
-- after a crash collapses to one row: ReplacingMergeTree merges such
-- duplicates and readers take one row per (session, seq). `day` is derived
-- from the batch's first event, so a duplicate lands in the same partition.
CREATE TABLE IF NOT EXISTS recordings (
    site String,
    session String,
    seq UInt64,
    visitor String,
    consent_id String,
    day Date,
    received_at DateTime,
    first_ts UInt64,
    last_ts UInt64,
    event_count UInt32,
    payload String
) ENGINE = ReplacingMergeTree(received_at)
PARTITION BY toMonday(day)
ORDER BY (site, session, seq);
