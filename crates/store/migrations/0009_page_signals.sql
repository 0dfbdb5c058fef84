-- Frustration signals (docs/insights.md): one row per batch, page and
-- signal that showed it (rage clicks, dead clicks, a quick back from the
-- page, excessive scrolling), with its session, so insights can rank a
-- site's pages and name the sessions to watch. Per-session data: it
-- follows `retention_days` with the recordings, and an erasure deletes a
-- visitor's rows (by `visitor`) or a session's (by `session`).
CREATE TABLE IF NOT EXISTS page_signals (
    site String,
    page_key String,
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    day Date,
    signal Enum8('rage_clicks' = 1, 'dead_clicks' = 2, 'quick_back' = 3, 'excessive_scrolling' = 4),
    session String,
    seq UInt64,
    visitor String,
    at UInt64,
    count UInt32
) ENGINE = ReplacingMergeTree
PARTITION BY toMonday(day)
ORDER BY (site, page_key, signal, day, session, seq);
