-- Traffic-source segments (docs/segments.md): the heatmap, scroll, page
-- and form aggregates gain the session's referrer class (`source`) and its
-- allow-listed UTM parameters (`campaign`, `name=value` pairs sorted by
-- name and joined with `&`, empty when none). Both join the end of each
-- sorting key, so rows of different segments are folded apart while every
-- row written before (`unknown`, no campaign) keeps its place and merges
-- as before; queries without a segment filter merge across segments. The
-- full referrer URL is never sent or stored.
--
-- The Null inputs hold no rows and the views no state, so both are made
-- again with the new columns; the aggregates are altered in place
-- (18.16 and current ClickHouse can add columns to the end of a sorting
-- key in the same ALTER; current ones only for columns without a DEFAULT
-- expression, so `source` has none: an Enum's default is its first value,
-- `unknown`). Run `veil migrate` before the new binary
-- serves: inserts made between the view's drop and its creation would not
-- reach the aggregate.

DROP TABLE IF EXISTS heatmap_clicks_mv;

DROP TABLE IF EXISTS heatmap_clicks_input;

CREATE TABLE IF NOT EXISTS heatmap_clicks_input (
    site String,
    page_key String,
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    layer Enum8('document' = 1, 'fixed' = 2),
    day Date,
    col UInt16,
    row UInt32,
    clicks UInt64,
    rage UInt64,
    dead UInt64,
    visitor String,
    source Enum8('unknown' = 0, 'direct' = 1, 'search' = 2, 'social' = 3, 'email' = 4, 'other' = 5),
    campaign String
) ENGINE = Null;

ALTER TABLE heatmap_clicks ADD COLUMN source Enum8('unknown' = 0, 'direct' = 1, 'search' = 2, 'social' = 3, 'email' = 4, 'other' = 5), ADD COLUMN campaign String, MODIFY ORDER BY (site, page_key, device, layer, day, col, row, source, campaign);

CREATE MATERIALIZED VIEW IF NOT EXISTS heatmap_clicks_mv TO heatmap_clicks AS
SELECT site, page_key, device, source, campaign, layer, day, col, row,
    sumState(clicks) AS clicks, sumState(rage) AS rage, sumState(dead) AS dead,
    uniqState(visitor) AS visitors
FROM heatmap_clicks_input
GROUP BY site, page_key, device, layer, day, col, row, source, campaign;

DROP TABLE IF EXISTS heatmap_elements_mv;

DROP TABLE IF EXISTS heatmap_elements_input;

CREATE TABLE IF NOT EXISTS heatmap_elements_input (
    site String,
    page_key String,
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    day Date,
    selector String,
    clicks UInt64,
    rage UInt64,
    dead UInt64,
    visitor String,
    source Enum8('unknown' = 0, 'direct' = 1, 'search' = 2, 'social' = 3, 'email' = 4, 'other' = 5),
    campaign String
) ENGINE = Null;

ALTER TABLE heatmap_elements ADD COLUMN source Enum8('unknown' = 0, 'direct' = 1, 'search' = 2, 'social' = 3, 'email' = 4, 'other' = 5), ADD COLUMN campaign String, MODIFY ORDER BY (site, page_key, device, day, selector, source, campaign);

CREATE MATERIALIZED VIEW IF NOT EXISTS heatmap_elements_mv TO heatmap_elements AS
SELECT site, page_key, device, source, campaign, day, selector,
    sumState(clicks) AS clicks, sumState(rage) AS rage, sumState(dead) AS dead,
    uniqState(visitor) AS visitors
FROM heatmap_elements_input
GROUP BY site, page_key, device, day, selector, source, campaign;

DROP TABLE IF EXISTS heatmap_scroll_mv;

DROP TABLE IF EXISTS heatmap_scroll_input;

CREATE TABLE IF NOT EXISTS heatmap_scroll_input (
    site String,
    page_key String,
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    day Date,
    bucket UInt8,
    page_view String,
    source Enum8('unknown' = 0, 'direct' = 1, 'search' = 2, 'social' = 3, 'email' = 4, 'other' = 5),
    campaign String
) ENGINE = Null;

ALTER TABLE heatmap_scroll ADD COLUMN source Enum8('unknown' = 0, 'direct' = 1, 'search' = 2, 'social' = 3, 'email' = 4, 'other' = 5), ADD COLUMN campaign String, MODIFY ORDER BY (site, page_key, device, day, bucket, source, campaign);

CREATE MATERIALIZED VIEW IF NOT EXISTS heatmap_scroll_mv TO heatmap_scroll AS
SELECT site, page_key, device, source, campaign, day, bucket, uniqState(page_view) AS page_views
FROM heatmap_scroll_input
GROUP BY site, page_key, device, day, bucket, source, campaign;

DROP TABLE IF EXISTS page_stats_mv;

DROP TABLE IF EXISTS page_stats_input;

CREATE TABLE IF NOT EXISTS page_stats_input (
    site String,
    page_key String,
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    day Date,
    page_view String,
    visitor String,
    clicks UInt64,
    source Enum8('unknown' = 0, 'direct' = 1, 'search' = 2, 'social' = 3, 'email' = 4, 'other' = 5),
    campaign String
) ENGINE = Null;

ALTER TABLE page_stats ADD COLUMN source Enum8('unknown' = 0, 'direct' = 1, 'search' = 2, 'social' = 3, 'email' = 4, 'other' = 5), ADD COLUMN campaign String, MODIFY ORDER BY (site, page_key, device, day, source, campaign);

CREATE MATERIALIZED VIEW IF NOT EXISTS page_stats_mv TO page_stats AS
SELECT site, page_key, device, source, campaign, day,
    uniqState(page_view) AS page_views, uniqState(visitor) AS visitors, sumState(clicks) AS clicks
FROM page_stats_input
GROUP BY site, page_key, device, day, source, campaign;

DROP TABLE IF EXISTS form_fields_mv;

DROP TABLE IF EXISTS form_events_input;

CREATE TABLE IF NOT EXISTS form_events_input (
    site String,
    page_key String,
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    day Date,
    form String,
    field String,
    position UInt16,
    kind UInt8,
    ms UInt32,
    refill UInt8,
    error UInt8,
    page_view String,
    visitor String,
    source Enum8('unknown' = 0, 'direct' = 1, 'search' = 2, 'social' = 3, 'email' = 4, 'other' = 5),
    campaign String
) ENGINE = Null;

ALTER TABLE form_fields ADD COLUMN source Enum8('unknown' = 0, 'direct' = 1, 'search' = 2, 'social' = 3, 'email' = 4, 'other' = 5), ADD COLUMN campaign String, MODIFY ORDER BY (site, page_key, form, device, day, field, source, campaign);

CREATE MATERIALIZED VIEW IF NOT EXISTS form_fields_mv TO form_fields AS
SELECT site, page_key, device, source, campaign, day, form, field,
    minState(position) AS position,
    uniqState(page_view) AS engaged,
    uniqIfState(page_view, kind = 1) AS reached,
    quantileIfState(0.5)(toFloat64(ms), kind = 1) AS time_ms,
    uniqIfState(page_view, kind = 1 AND refill = 1) AS refilled,
    uniqIfState(page_view, kind = 1 AND error = 1) AS errored,
    uniqIfState(page_view, kind = 2) AS submitted,
    uniqIfState(page_view, kind = 3) AS abandoned,
    uniqState(visitor) AS visitors
FROM form_events_input
GROUP BY site, page_key, device, day, form, field, source, campaign;

-- The sessions list filters by segment too; its sorting key is the
-- session's, so the columns only join the table.
ALTER TABLE session_index ADD COLUMN source Enum8('unknown' = 0, 'direct' = 1, 'search' = 2, 'social' = 3, 'email' = 4, 'other' = 5), ADD COLUMN campaign String;
