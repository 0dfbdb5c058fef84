//! The sessions-index summary of one masked batch (SPEC §7): which pages a
//! visit saw, on which device class, when, how long the visitor was
//! actually busy, and how often they clicked, rage-clicked, hit dead
//! clicks or ran into errors.
//!
//! [`summarize()`] looks at one batch only, because batches are what ingest
//! sees; the store folds the summaries of a session's batches into its
//! index row (earliest `first_ts`, latest `last_ts`, counts and active time
//! summed, pages appended in order without repeats). Active time therefore
//! does not bridge the gap between two batches, which undercounts by at
//! most [`ACTIVITY_GAP_MS`] per batch boundary rather than inventing time.
//!
//! The counts come from the same readers as heatmaps ([`crate::aggregate()`]),
//! so "3 rage clicks" in the session list is the same 3 the heatmap shows.

use std::collections::HashSet;

use veil_events::{Batch, Event, EventType, IncrementalSource, TAG_CLICK, TAG_SCROLL, Value};

use crate::aggregate::{Segment, click_flags, device_class, navigation, page_views};
use crate::device::DeviceClass;
use crate::grid::Grid;
use crate::page_key::{PageKeyRules, page_key};

/// Longest pause between two interactions that still counts in full as
/// active time, in ms. Reading a paragraph or filling a field takes a few
/// seconds without an event; a longer silence means the tab was left.
pub const ACTIVITY_GAP_MS: u64 = 5_000;

/// `data.plugin` of rrweb's console recorder plugin.
const CONSOLE_PLUGIN: &str = "rrweb/console@1";

/// Custom-event tags a page uses to report an error: Veil's own and the
/// bare name rrweb examples use.
const ERROR_TAGS: [&str; 2] = ["veil.error", "error"];

/// What one batch contributes to its session's row in the sessions index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    /// Page keys visited in this batch, in order of first visit, without
    /// repeats: the envelope's `page.url`, then every URL an event moves
    /// the page to (rrweb Meta `data.href`, and a `url`/`href` in a
    /// `veil.click`/`veil.scroll` payload, exactly as heatmaps split page
    /// views), normalised by [`crate::page_key()`]. The `page=` filter
    /// of the sessions list and the heatmaps then speak of the same pages.
    /// URLs without a page key (`about:blank`, non-http) are left out, so
    /// no raw URL reaches the index.
    pub page_keys: Vec<String>,
    /// The first of [`SessionSummary::page_keys`], the page the batch
    /// started on; empty when there is none.
    pub entry_page: String,
    /// From the envelope's viewport width, as for heatmaps. The envelope
    /// requires a viewport, so there is no fallback to rrweb Meta sizes,
    /// which would let the index and the heatmaps disagree on one visit.
    pub device: DeviceClass,
    /// Earliest event timestamp (ms since the epoch); 0 without events.
    /// Earliest rather than first in batch order, so a recorder's clock
    /// jump cannot make a duration negative.
    pub first_ts: i64,
    /// Latest event timestamp (ms since the epoch); 0 without events.
    pub last_ts: i64,
    /// Time the visitor was busy, in ms: the interaction timestamps of the
    /// batch are sorted and every gap between two consecutive ones counts
    /// up to [`ACTIVITY_GAP_MS`]. So each interaction keeps the visitor
    /// active until the next one or for 5 s, whichever comes first; the
    /// last interaction (and a lone one) adds nothing, because nothing
    /// tells how long it lasted. It never exceeds `last_ts - first_ts`.
    ///
    /// Interactions are rrweb IncrementalSnapshot events from the visitor's
    /// hands: MouseMove (1), MouseInteraction (2), Scroll (3),
    /// ViewportResize (4), Input (5), TouchMove (6) and Drag (12), and the
    /// `veil.click` and `veil.scroll` custom events. DOM mutations, media,
    /// snapshots and Meta events happen without the visitor and do not
    /// count.
    pub active_ms: u64,
    /// Click events, as heatmaps read them: `veil.click` events, or rrweb
    /// MouseInteraction clicks when the batch has no `veil.click`. Unlike
    /// the heatmap this includes clicks it cannot place (a malformed
    /// payload, below [`crate::MAX_DEPTH_PX`], outside the viewport) and
    /// clicks on pages without a page key: they still happened.
    pub clicks: u32,
    /// Rage clicks among the clicks that could be placed, per page view as
    /// the heatmap decides them (recorder flag or burst, [`crate::rage`]),
    /// including page views without a page key.
    pub rage_clicks: u32,
    /// Clicks the recorder flagged `dead`, among those that could be
    /// placed.
    pub dead_clicks: u32,
    /// Errors the page reported: rrweb console plugin events (type 6,
    /// `data.plugin` `"rrweb/console@1"`) with `data.payload.level`
    /// `"error"`, and custom events (type 5) tagged `"veil.error"` or
    /// `"error"`.
    pub errors: u32,
}

/// Summarises one masked batch for the sessions index (see
/// [`SessionSummary`] for each field's rule).
pub fn summarize(batch: &Batch<'_>, rules: &PageKeyRules) -> SessionSummary {
    summarize_in(batch, rules, &mut crate::SessionContext::default())
}

/// [`summarize()`] with the session's `context` ([`crate::carry`]).
pub fn summarize_in(
    batch: &Batch<'_>,
    rules: &PageKeyRules,
    context: &mut crate::SessionContext,
) -> SessionSummary {
    // The grid decides where a click lands, not whether it is counted, and
    // selectors are not needed here.
    summarize_views(batch, rules, &page_views(batch, rules, &Grid::default(), false, context))
}

/// [`summarize()`] from page views already read.
pub(crate) fn summarize_views(
    batch: &Batch<'_>,
    rules: &PageKeyRules,
    views: &[Segment<'_>],
) -> SessionSummary {
    let page_keys = visited_pages(batch, rules);
    let entry_page = page_keys.first().cloned().unwrap_or_default();
    let first_ts = batch.events.iter().map(|event| event.timestamp).min().unwrap_or(0);
    let last_ts = batch.events.iter().map(|event| event.timestamp).max().unwrap_or(0);

    let (mut clicks, mut rage_clicks, mut dead_clicks) = (0u32, 0u32, 0u32);
    for view in views {
        clicks = clicks.saturating_add(view.click_events);
        for flags in click_flags(&view.clicks) {
            rage_clicks = rage_clicks.saturating_add(u32::from(flags.rage));
            dead_clicks = dead_clicks.saturating_add(u32::from(flags.dead));
        }
    }
    let errors = batch.events.iter().filter(|event| is_error(event)).count();

    SessionSummary {
        page_keys,
        entry_page,
        device: device_class(batch),
        first_ts,
        last_ts,
        active_ms: active_ms(&batch.events),
        clicks,
        rage_clicks,
        dead_clicks,
        errors: u32::try_from(errors).unwrap_or(u32::MAX),
    }
}

/// Page keys of the envelope URL and every navigation, in order, without
/// repeats.
fn visited_pages(batch: &Batch<'_>, rules: &PageKeyRules) -> Vec<String> {
    let urls = std::iter::once(&*batch.page.url).chain(batch.events.iter().filter_map(navigation));
    // rrweb repeats the Meta event with every snapshot: normalise each
    // distinct URL once.
    let mut seen_urls: HashSet<&str> = HashSet::new();
    let mut seen_keys: HashSet<String> = HashSet::new();
    let mut keys = Vec::new();
    for url in urls {
        if !seen_urls.insert(url) {
            continue;
        }
        if let Ok(key) = page_key(url, rules)
            && seen_keys.insert(key.clone())
        {
            keys.push(key);
        }
    }
    keys
}

/// Active time of `events` (see [`SessionSummary::active_ms`]).
fn active_ms(events: &[Event<'_>]) -> u64 {
    let mut times: Vec<i64> =
        events.iter().filter(|event| is_interaction(event)).map(|event| event.timestamp).collect();
    times.sort_unstable();
    times.windows(2).map(|pair| pair[1].abs_diff(pair[0]).min(ACTIVITY_GAP_MS)).fold(0, u64::saturating_add)
}

/// Whether an event is the visitor doing something.
fn is_interaction(event: &Event<'_>) -> bool {
    use IncrementalSource::*;
    match event.kind {
        EventType::IncrementalSnapshot => matches!(
            event.source(),
            Some(MouseMove | MouseInteraction | Scroll | ViewportResize | Input | TouchMove | Drag)
        ),
        EventType::Custom => matches!(event.custom_tag(), Some(TAG_CLICK | TAG_SCROLL)),
        _ => false,
    }
}

/// Whether an event reports an error on the page.
fn is_error(event: &Event<'_>) -> bool {
    match event.kind {
        EventType::Plugin => {
            event.data.get("plugin").and_then(Value::as_str) == Some(CONSOLE_PLUGIN)
                && event.data.get("payload").and_then(|payload| payload.get("level")).and_then(Value::as_str)
                    == Some("error")
        }
        EventType::Custom => event.custom_tag().is_some_and(|tag| ERROR_TAGS.contains(&tag)),
        _ => false,
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
