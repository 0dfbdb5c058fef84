-- The sessions index (SPEC §7), one row per accepted batch of a recorded
-- session, written with its recording. Readers fold the rows of a
-- session (GROUP BY session) and take one row per (session, seq), so a
-- re-sent batch counts once even before ReplacingMergeTree merges it.
-- Partitioned like `recordings` so retention treats both alike. The user
-- agent is never stored: only the browser family derived from it. The
-- site's own user id is stored only as a keyed hash (`user_hash`).
CREATE TABLE IF NOT EXISTS session_index (
    site String,
    session String,
    seq UInt64,
    visitor String,
    user_hash String,
    day Date,
    received_at DateTime,
    first_ts UInt64,
    last_ts UInt64,
    active_ms UInt64,
    entry_page String,
    page_keys Array(String),
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    browser String,
    clicks UInt32,
    rage_clicks UInt32,
    dead_clicks UInt32,
    errors UInt32,
    event_count UInt32
) ENGINE = ReplacingMergeTree(received_at)
PARTITION BY toMonday(day)
ORDER BY (site, session, seq);

-- The access log (SPEC §7, §8): who read which recording, who exported or
-- erased what, who reported or reviewed a session. Append-only: nothing
-- here is ever updated or deleted, so it names data subjects only by a
-- one-way reference (`visitor:` or `session:` and a BLAKE3 hash of the id)
-- that survives their erasure without identifying them.
CREATE TABLE IF NOT EXISTS audit_log (
    at DateTime,
    at_ms UInt16,
    actor String,
    role String,
    action String,
    site String,
    subject String,
    detail String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (at, at_ms, site);

-- Sessions reported by an analyst as showing personal data, and the admin's
-- verdict. The newest row of a session decides: `reported` hides it from
-- analysts until an admin releases or erases it.
CREATE TABLE IF NOT EXISTS session_reports (
    site String,
    session String,
    visitor String,
    action Enum8('reported' = 1, 'released' = 2, 'erased' = 3),
    actor String,
    reason String,
    at DateTime,
    at_ms UInt16
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (site, session, at, at_ms);
