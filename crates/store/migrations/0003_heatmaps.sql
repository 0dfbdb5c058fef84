-- Heatmaps (SPEC §6), rolled up at insert time: ingest inserts cell-level
-- rows into `*_input` tables with ENGINE = Null (nothing is stored there),
-- and materialized views fold them into AggregatingMergeTree tables keyed
-- by site, page key, device class, day and cell. Raw coordinates never
-- reach ClickHouse; query cost grows with the number of cells, not clicks.
-- Distinct visitors are kept as `uniq` states (exact below 65 536 per
-- group, then a close estimate), which both 18.16 and current ClickHouse
-- merge, so `k_min` can be applied at query time. Partitions are per site
-- and month so retention drops whole partitions.
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
    visitor String
) ENGINE = Null;

CREATE TABLE IF NOT EXISTS heatmap_clicks (
    site String,
    page_key String,
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    layer Enum8('document' = 1, 'fixed' = 2),
    day Date,
    col UInt16,
    row UInt32,
    clicks AggregateFunction(sum, UInt64),
    rage AggregateFunction(sum, UInt64),
    dead AggregateFunction(sum, UInt64),
    visitors AggregateFunction(uniq, String)
) ENGINE = AggregatingMergeTree
PARTITION BY (site, toYYYYMM(day))
ORDER BY (site, page_key, device, layer, day, col, row);

CREATE MATERIALIZED VIEW IF NOT EXISTS heatmap_clicks_mv TO heatmap_clicks AS
SELECT site, page_key, device, layer, day, col, row,
    sumState(clicks) AS clicks, sumState(rage) AS rage, sumState(dead) AS dead,
    uniqState(visitor) AS visitors
FROM heatmap_clicks_input
GROUP BY site, page_key, device, layer, day, col, row;

CREATE TABLE IF NOT EXISTS heatmap_elements_input (
    site String,
    page_key String,
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    day Date,
    selector String,
    clicks UInt64,
    rage UInt64,
    dead UInt64,
    visitor String
) ENGINE = Null;

CREATE TABLE IF NOT EXISTS heatmap_elements (
    site String,
    page_key String,
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    day Date,
    selector String,
    clicks AggregateFunction(sum, UInt64),
    rage AggregateFunction(sum, UInt64),
    dead AggregateFunction(sum, UInt64),
    visitors AggregateFunction(uniq, String)
) ENGINE = AggregatingMergeTree
PARTITION BY (site, toYYYYMM(day))
ORDER BY (site, page_key, device, day, selector);

CREATE MATERIALIZED VIEW IF NOT EXISTS heatmap_elements_mv TO heatmap_elements AS
SELECT site, page_key, device, day, selector,
    sumState(clicks) AS clicks, sumState(rage) AS rage, sumState(dead) AS dead,
    uniqState(visitor) AS visitors
FROM heatmap_elements_input
GROUP BY site, page_key, device, day, selector;

-- Scroll depth: a page view that reached bucket b (5 % steps, 0..20) adds
-- itself to buckets 0..b; `uniq` of page views per bucket then counts each
-- page view once however many batches reported it, so "reached" is exact
-- without storing page view ids.
CREATE TABLE IF NOT EXISTS heatmap_scroll_input (
    site String,
    page_key String,
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    day Date,
    bucket UInt8,
    page_view String
) ENGINE = Null;

CREATE TABLE IF NOT EXISTS heatmap_scroll (
    site String,
    page_key String,
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    day Date,
    bucket UInt8,
    page_views AggregateFunction(uniq, String)
) ENGINE = AggregatingMergeTree
PARTITION BY (site, toYYYYMM(day))
ORDER BY (site, page_key, device, day, bucket);

CREATE MATERIALIZED VIEW IF NOT EXISTS heatmap_scroll_mv TO heatmap_scroll AS
SELECT site, page_key, device, day, bucket, uniqState(page_view) AS page_views
FROM heatmap_scroll_input
GROUP BY site, page_key, device, day, bucket;

-- Pages: views and clicks per page key and day, for the pages list.
CREATE TABLE IF NOT EXISTS page_stats_input (
    site String,
    page_key String,
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    day Date,
    page_view String,
    visitor String,
    clicks UInt64
) ENGINE = Null;

CREATE TABLE IF NOT EXISTS page_stats (
    site String,
    page_key String,
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    day Date,
    page_views AggregateFunction(uniq, String),
    visitors AggregateFunction(uniq, String),
    clicks AggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree
PARTITION BY (site, toYYYYMM(day))
ORDER BY (site, page_key, device, day);

CREATE MATERIALIZED VIEW IF NOT EXISTS page_stats_mv TO page_stats AS
SELECT site, page_key, device, day,
    uniqState(page_view) AS page_views, uniqState(visitor) AS visitors, sumState(clicks) AS clicks
FROM page_stats_input
GROUP BY site, page_key, device, day;
