-- Form analytics (docs/forms.md), rolled up at insert time like heatmaps:
-- ingest inserts one row per `veil.form` event into `form_events_input`
-- (ENGINE = Null, nothing is stored there) and a materialized view folds
-- them into `form_fields`, one group per site, page key, form, device
-- class, day and field. No value of any field is ever sent or stored: a
-- field is its masked selector. The submit of a form is the group with an
-- empty field. Page views (session and page key, as in `heatmap_scroll`)
-- are `uniq` states, so a page view counts once however many batches and
-- visits of a field it made; `kind` picks what each state counts:
-- 1 a field left (reach, time, refills, errors), 2 a submit, 3 an
-- abandonment naming the last field touched. `-If` states keep the
-- interactions apart within one group; `engaged` counts every page view
-- of a group, so merged over a form's groups it is the page views that
-- started the form. Times are folded as Float64: 18.16 and current
-- ClickHouse then give the same interpolated median (for integers 18.16
-- truncates it).
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
    visitor String
) ENGINE = Null;

CREATE TABLE IF NOT EXISTS form_fields (
    site String,
    page_key String,
    device Enum8('desktop' = 1, 'tablet' = 2, 'mobile' = 3),
    day Date,
    form String,
    field String,
    position AggregateFunction(min, UInt16),
    engaged AggregateFunction(uniq, String),
    reached AggregateFunction(uniqIf, String, UInt8),
    time_ms AggregateFunction(quantileIf(0.5), Float64, UInt8),
    refilled AggregateFunction(uniqIf, String, UInt8),
    errored AggregateFunction(uniqIf, String, UInt8),
    submitted AggregateFunction(uniqIf, String, UInt8),
    abandoned AggregateFunction(uniqIf, String, UInt8),
    visitors AggregateFunction(uniq, String)
) ENGINE = AggregatingMergeTree
PARTITION BY (site, toYYYYMM(day))
ORDER BY (site, page_key, form, device, day, field);

CREATE MATERIALIZED VIEW IF NOT EXISTS form_fields_mv TO form_fields AS
SELECT site, page_key, device, day, form, field,
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
GROUP BY site, page_key, device, day, form, field;
