//! The heatmap aggregate of one batch.
//!
//! **Page views.** A batch is cut by time, not by page: in a single-page app
//! it may span several routes. The batch starts on `page.url`; a Meta event
//! (`data.href`) or a `veil.click`/`veil.scroll` payload with a `url` (or
//! `href`) string moves it to that URL from that event on. Whenever the
//! page key changes, a new segment starts, and each segment is aggregated
//! on its own: one [`BatchAggregate`] per segment, in order. A→B→A gives
//! three aggregates (two of them for A); a Meta event that repeats the
//! current page (rrweb re-snapshots) does not split. Rage detection and
//! scroll depth work within a segment; the scroll position carries across
//! segments, as it does in the browser until the page says otherwise.
//!
//! Segments without events are not reported. Segments whose URL has no
//! page key are not reported either; their click events are counted in
//! [`Aggregation::unattributed_clicks`] so nothing disappears uncounted.
//!
//! **Which clicks.** `veil.click` events if the batch has any, else rrweb
//! MouseInteraction clicks (see [`crate::clicks`]); never both, so a
//! recorder that sends both is not counted twice.

use std::collections::{BTreeMap, HashMap, HashSet};

use veil_events::{
    Batch, Event, EventType, IncrementalSource, MouseInteraction, TAG_CLICK, TAG_FORM, TAG_SCROLL, Value,
};

use crate::carry::SessionContext;
use crate::clicks::{self, Click};
use crate::device::DeviceClass;
use crate::forms::{self, FormEvent};
use crate::grid::{Cell, Grid, Layer};
use crate::page_key::{PageKeyError, PageKeyRules, page_key};
use crate::payload::InvalidReason;
use crate::rage::{self, Point};
use crate::scroll::{self, ScrollDepth};
use crate::signals::{PageSignal, Signal};
use crate::target;

/// Milliseconds in a UTC day.
const DAY_MS: i64 = 86_400_000;

/// What kind of click a cell count is about: heatmaps can be filtered to
/// rage or dead clicks, so the flags are part of the cell's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ClickFlags {
    /// A rage click: flagged by the recorder or part of a burst
    /// ([`crate::RAGE_MIN_CLICKS`] clicks within [`crate::RAGE_WINDOW_MS`]
    /// and [`crate::RAGE_RADIUS_PX`]).
    pub rage: bool,
    /// A dead click, as flagged by the recorder.
    pub dead: bool,
}

/// Clicks of one page view that landed in one cell with the same flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CellCount {
    /// Document or fixed layer.
    pub layer: Layer,
    /// The cell.
    pub cell: Cell,
    /// The clicks' flags.
    pub flags: ClickFlags,
    /// How many.
    pub count: u32,
}

/// Clicks of one page view on one element.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ElementCount {
    /// The masked selector, at most [`crate::MAX_SELECTOR_CHARS`] characters.
    pub selector: String,
    /// All clicks on it.
    pub clicks: u32,
    /// Of which rage clicks.
    pub rage: u32,
    /// Of which dead clicks.
    pub dead: u32,
}

/// The heatmap input of one page-view segment of a batch, pre-summed so
/// that storage writes one row per distinct cell, not per click.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchAggregate {
    /// The page key of the segment.
    pub page_key: String,
    /// From the batch's viewport width.
    pub device: DeviceClass,
    /// Timestamp (ms since the epoch) of the segment's first event.
    pub started_ms: i64,
    /// Click counts per distinct (layer, cell, flags), sorted.
    pub cells: Vec<CellCount>,
    /// Click counts per selector, sorted by selector. Clicks without a
    /// selector are in `cells` only.
    pub elements: Vec<ElementCount>,
    /// Deepest point reached in this segment, if any input told.
    pub scroll: Option<ScrollDepth>,
    /// Clicks placed in `cells`.
    pub clicks: u32,
    /// Of which rage clicks.
    pub rage_clicks: u32,
    /// Of which dead clicks.
    pub dead_clicks: u32,
    /// Clicks, scroll readings and form events skipped, by reason, sorted
    /// by reason.
    pub invalid: Vec<(InvalidReason, u32)>,
    /// Form interactions (`veil.form`), in batch order.
    pub forms: Vec<FormEvent>,
}

impl BatchAggregate {
    /// Start of the UTC day of [`BatchAggregate::started_ms`], in ms: the
    /// day a heatmap row belongs to.
    pub fn day_ms(&self) -> i64 {
        self.started_ms.div_euclid(DAY_MS) * DAY_MS
    }
}

/// The aggregate of one batch.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Aggregation {
    /// One aggregate per page-view segment, in batch order.
    pub pages: Vec<BatchAggregate>,
    /// Click events in segments whose URL has no page key.
    pub unattributed_clicks: u32,
    /// Frustration signals of the batch's page views, in batch order.
    pub signals: Vec<PageSignal>,
}

/// Aggregates one masked batch: clicks into cells of `grid` and element
/// counts, rage and dead clicks, scroll depth, per page-view segment (see
/// the module documentation).
pub fn aggregate(batch: &Batch<'_>, rules: &PageKeyRules, grid: &Grid) -> Aggregation {
    aggregate_in(batch, rules, grid, &mut SessionContext::default())
}

/// [`aggregate()`] of a batch whose session's earlier batches left
/// `context` (see [`crate::carry`]); updates it for the next batch.
pub fn aggregate_in(
    batch: &Batch<'_>,
    rules: &PageKeyRules,
    grid: &Grid,
    context: &mut SessionContext,
) -> Aggregation {
    aggregate_views(batch, &page_views(batch, rules, grid, true, context))
}

/// Both [`aggregate()`] and [`crate::summarize()`] of a batch that is
/// aggregated and recorded, reading its page views once.
pub fn aggregate_and_summarize(
    batch: &Batch<'_>,
    rules: &PageKeyRules,
    grid: &Grid,
) -> (Aggregation, crate::SessionSummary) {
    aggregate_and_summarize_in(batch, rules, grid, &mut SessionContext::default())
}

/// [`aggregate_and_summarize()`] with the session's `context`.
pub fn aggregate_and_summarize_in(
    batch: &Batch<'_>,
    rules: &PageKeyRules,
    grid: &Grid,
    context: &mut SessionContext,
) -> (Aggregation, crate::SessionSummary) {
    let views = page_views(batch, rules, grid, true, context);
    (aggregate_views(batch, &views), crate::session::summarize_views(batch, rules, &views))
}

fn aggregate_views(batch: &Batch<'_>, views: &[Segment<'_>]) -> Aggregation {
    let device = device_class(batch);
    let mut aggregation = Aggregation::default();
    for segment in views {
        match &segment.key {
            Ok(page_key) => {
                let page = finish(page_key.clone(), device, segment);
                let at_ms = segment.started_ms;
                let mut signal = |page_key: &str, signal, count| {
                    if count > 0 {
                        aggregation.signals.push(PageSignal {
                            page_key: page_key.to_owned(),
                            signal,
                            count,
                            at_ms,
                        });
                    }
                };
                if let Some(left) = &segment.quick_back_from {
                    signal(left, Signal::QuickBack, 1);
                }
                signal(page_key, Signal::RageClicks, page.rage_clicks);
                signal(page_key, Signal::DeadClicks, page.dead_clicks);
                signal(page_key, Signal::ExcessiveScrolling, u32::from(segment.excessive_scroll));
                aggregation.pages.push(page);
            }
            Err(_) => {
                aggregation.unattributed_clicks =
                    aggregation.unattributed_clicks.saturating_add(segment.click_events);
            }
        }
    }
    aggregation
}

/// The device class of a batch, from the viewport width it was cut with.
/// The envelope requires a viewport, so every batch has one; heatmaps and
/// the sessions index both take it from here so that filtering either by
/// device finds the same visits.
pub(crate) fn device_class(batch: &Batch<'_>) -> DeviceClass {
    DeviceClass::from_viewport_width(batch.viewport.w)
}

/// Reads a batch into its page-view segments (see the module
/// documentation), with each segment's placed clicks, skipped inputs and
/// scroll depth. Shared by [`aggregate()`] and [`crate::summarize()`] so
/// that a session's click counts are the heatmap's. `with_selectors`
/// resolves selectors of derived clicks from the serialised DOM, which only
/// element counts need and which costs a walk over every snapshot.
pub(crate) fn page_views<'b>(
    batch: &'b Batch<'_>,
    rules: &PageKeyRules,
    grid: &Grid,
    with_selectors: bool,
    context: &mut SessionContext,
) -> Vec<Segment<'b>> {
    let derive = !batch.events.iter().any(|event| event.custom_tag() == Some(TAG_CLICK));
    // Veil's recorder sends a `veil.scroll` reading as it starts, so its
    // first batch (the one with the snapshot) is known as its own too.
    if !derive || batch.events.iter().any(|event| event.custom_tag() == Some(TAG_SCROLL)) {
        context.veil_recorder = true;
    }
    let selectors = if derive && with_selectors {
        let ids: HashSet<u64> =
            batch.events.iter().filter(|e| is_rrweb_click(e)).filter_map(node_id).collect();
        if context.veil_recorder {
            target::describe(&batch.events, &ids)
        } else {
            // A stock rrweb session: its clicks may name nodes of earlier
            // batches' snapshots.
            target::learn(&batch.events, &mut context.nodes);
            ids.iter().filter_map(|&id| Some((id, context.nodes.get(id)?.to_owned()))).collect()
        }
    } else {
        HashMap::new()
    };
    let viewport_height = f64::from(batch.viewport.h);
    let document_height = batch.document.as_ref().map(|size| f64::from(size.h));
    let document_width = f64::from(batch.document.as_ref().map_or(batch.viewport.w, |size| size.w));
    let rrweb_depth =
        |top: f64| document_height.and_then(|height| scroll::depth(top, viewport_height, height));

    // A stock rrweb session's form use comes from focus, blur and input
    // events; Veil's recorder says it in `veil.form` events.
    let rrweb_forms =
        !context.veil_recorder && !batch.events.iter().any(|event| event.custom_tag() == Some(TAG_FORM));
    // The position the session's earlier batches left.
    let mut scroll = context.scroll.clone();
    let mut url: &str = &batch.page.url;
    let mut key = page_key(url, rules);
    let mut segments: Vec<Segment<'_>> = Vec::new();
    let mut open_new = true;
    for event in &batch.events {
        if let Some(href) = navigation(event)
            && href != url
        {
            url = href;
            let next = page_key(href, rules);
            if next != key {
                key = next;
                open_new = true;
            }
        }
        if open_new {
            let mut segment = Segment::new(key.clone(), event.timestamp);
            if let Ok(page_key) = &key {
                segment.quick_back_from = context.trail.arrive(page_key, event.timestamp);
            }
            segments.push(segment);
            open_new = false;
        }
        let Some(segment) = segments.last_mut() else { continue };
        if rrweb_forms && let Some(form) = context.fields.read(event) {
            segment.forms.push(form);
        }
        match event.kind {
            EventType::FullSnapshot => {
                let from = scroll.position().y;
                if let Some(top) = scroll.full_snapshot(&event.data) {
                    segment.reached(rrweb_depth(top));
                    segment.excessive_scroll |= context.trail.scrolled(from, top, document_height);
                }
            }
            EventType::IncrementalSnapshot if event.source() == Some(IncrementalSource::Scroll) => {
                let from = scroll.position().y;
                match scroll.rrweb_scroll(&event.data) {
                    Ok(Some(position)) => {
                        segment.reached(rrweb_depth(position.y));
                        segment.excessive_scroll |= context.trail.scrolled(from, position.y, document_height);
                    }
                    Ok(None) => {}
                    Err(reason) => segment.skip(reason),
                }
            }
            EventType::IncrementalSnapshot if derive && is_rrweb_click(event) => {
                let selector = node_id(event).and_then(|id| selectors.get(&id)).map(String::as_str);
                let click = clicks::rrweb_click(
                    event.timestamp,
                    &event.data,
                    scroll.position(),
                    document_width,
                    selector,
                    grid,
                );
                segment.click(click);
            }
            EventType::Custom => match event.custom_tag() {
                Some(TAG_CLICK) => {
                    segment.click(clicks::veil_click(event.timestamp, &event.data, scroll.position(), grid));
                }
                Some(TAG_SCROLL) => match scroll::reading(&event.data) {
                    Ok(reading) => {
                        let from = scroll.position().y;
                        scroll.reading(&reading);
                        segment.excessive_scroll |=
                            context.trail.scrolled(from, reading.top, Some(reading.height));
                        segment.reached(Some(reading.fraction));
                    }
                    Err(reason) => segment.skip(reason),
                },
                Some(TAG_FORM) => match forms::read(&event.data) {
                    Ok(form) => segment.forms.push(form),
                    Err(reason) => segment.skip(reason),
                },
                _ => {}
            },
            _ => {}
        }
    }
    context.scroll = scroll;
    segments
}

/// Whether an event is an rrweb click.
fn is_rrweb_click(event: &Event<'_>) -> bool {
    event.mouse_interaction() == Some(MouseInteraction::Click)
}

/// `data.id` of an incremental event: the node it is about.
fn node_id(event: &Event<'_>) -> Option<u64> {
    event.data.get("id").and_then(Value::as_u64)
}

/// The URL an event says the page is on, if it says one.
pub(crate) fn navigation<'e>(event: &'e Event<'_>) -> Option<&'e str> {
    match event.kind {
        EventType::Meta => event.data.get("href").and_then(Value::as_str),
        EventType::Custom if matches!(event.custom_tag(), Some(TAG_CLICK | TAG_SCROLL)) => {
            let payload = event.data.get("payload")?;
            payload.get("url").or_else(|| payload.get("href")).and_then(Value::as_str)
        }
        _ => None,
    }
}

/// The events of one page view, as they are read.
pub(crate) struct Segment<'b> {
    /// The page key, or why the page has none.
    pub(crate) key: Result<String, PageKeyError>,
    started_ms: i64,
    /// The clicks that could be placed, in batch order.
    pub(crate) clicks: Vec<Click<'b>>,
    depth: Option<f64>,
    invalid: BTreeMap<InvalidReason, u32>,
    /// Click events seen, valid or not.
    pub(crate) click_events: u32,
    forms: Vec<FormEvent>,
    /// The page this view's arrival was a quick back from.
    quick_back_from: Option<String>,
    /// The session's scrolling of this view became excessive here.
    excessive_scroll: bool,
}

impl<'b> Segment<'b> {
    fn new(key: Result<String, PageKeyError>, started_ms: i64) -> Self {
        Segment {
            key,
            started_ms,
            clicks: Vec::new(),
            depth: None,
            invalid: BTreeMap::new(),
            click_events: 0,
            forms: Vec::new(),
            quick_back_from: None,
            excessive_scroll: false,
        }
    }

    fn click(&mut self, click: Result<Click<'b>, InvalidReason>) {
        self.click_events = self.click_events.saturating_add(1);
        match click {
            Ok(click) => self.clicks.push(click),
            Err(reason) => self.skip(reason),
        }
    }

    fn skip(&mut self, reason: InvalidReason) {
        let count = self.invalid.entry(reason).or_insert(0);
        *count = count.saturating_add(1);
    }

    fn reached(&mut self, fraction: Option<f64>) {
        if let Some(fraction) = fraction {
            self.depth = Some(self.depth.map_or(fraction, |depth| depth.max(fraction)));
        }
    }
}

/// Sums the clicks of a segment into its aggregate.
fn finish(page_key: String, device: DeviceClass, segment: &Segment<'_>) -> BatchAggregate {
    let clicks = &segment.clicks;
    let mut cells: BTreeMap<(Layer, Cell, ClickFlags), u32> = BTreeMap::new();
    let mut elements: BTreeMap<&str, ElementCount> = BTreeMap::new();
    let (mut rage_clicks, mut dead_clicks) = (0u32, 0u32);
    for (click, flags) in clicks.iter().zip(click_flags(clicks)) {
        let count = cells.entry((click.layer, click.cell, flags)).or_insert(0);
        *count = count.saturating_add(1);
        rage_clicks = rage_clicks.saturating_add(u32::from(flags.rage));
        dead_clicks = dead_clicks.saturating_add(u32::from(flags.dead));
        if let Some(selector) = click.selector.as_deref() {
            let element = elements.entry(selector).or_insert_with(|| ElementCount {
                selector: selector.to_string(),
                clicks: 0,
                rage: 0,
                dead: 0,
            });
            element.clicks = element.clicks.saturating_add(1);
            element.rage = element.rage.saturating_add(u32::from(flags.rage));
            element.dead = element.dead.saturating_add(u32::from(flags.dead));
        }
    }
    BatchAggregate {
        page_key,
        device,
        started_ms: segment.started_ms,
        cells: cells
            .into_iter()
            .map(|((layer, cell, flags), count)| CellCount { layer, cell, flags, count })
            .collect(),
        elements: elements.into_values().collect(),
        scroll: segment.depth.and_then(ScrollDepth::from_fraction),
        clicks: u32::try_from(clicks.len()).unwrap_or(u32::MAX),
        rage_clicks,
        dead_clicks,
        invalid: segment.invalid.iter().map(|(reason, count)| (*reason, *count)).collect(),
        forms: segment.forms.clone(),
    }
}

/// The flags of each click of one page view, in order: the recorder's
/// `rage` and `dead`, and rage for every member of a burst ([`crate::rage`]).
pub(crate) fn click_flags(clicks: &[Click<'_>]) -> Vec<ClickFlags> {
    let points: Vec<Point> =
        clicks.iter().map(|c| Point { t: c.t, x: c.document.x, y: c.document.y }).collect();
    clicks
        .iter()
        .zip(rage::bursts(&points))
        .map(|(click, burst)| ClickFlags { rage: click.rage || burst, dead: click.dead })
        .collect()
}

#[cfg(test)]
#[path = "aggregate_tests.rs"]
mod tests;
