//! From a batch's heatmap aggregate to the rows of the heatmap input
//! tables (SPEC §6). Only cells, element counts, depth buckets and page
//! views leave here; raw coordinates stay in the aggregation crate.
//!
//! A page view is identified by session and page key: the recorder's
//! batches of one page carry the same pair, so `uniq` counts the view once
//! however many batches it spans (a visitor who comes back to the same page
//! in one session counts once; the recorder starts a new session after 30
//! minutes of inactivity).

use std::collections::BTreeMap;

use veil_aggregation::forms::{FormAction, FormEvent};
use veil_aggregation::segment::Segment;
use veil_aggregation::signals::Signal;
use veil_aggregation::{Aggregation, DeviceClass, Layer};
use veil_store::rows::{
    self, FormEventKind, FormEventRow, HeatmapClickRow, HeatmapElementRow, HeatmapScrollRow, PageSignalRow,
    PageStatsRow, QueuedRow,
};

/// Who and where, for every row of one batch.
pub struct Origin<'a> {
    /// Site id.
    pub site: &'a str,
    /// Session id.
    pub session: &'a str,
    /// Visitor id (folded into `uniq` states by ClickHouse).
    pub visitor: &'a str,
    /// Day of receipt, for events whose clock is implausible.
    pub received_day: u16,
    /// Where the session came from (docs/segments.md).
    pub segment: &'a Segment,
}

pub(crate) fn device(class: DeviceClass) -> i8 {
    match class {
        DeviceClass::Desktop => rows::Device::Desktop as i8,
        DeviceClass::Tablet => rows::Device::Tablet as i8,
        DeviceClass::Mobile => rows::Device::Mobile as i8,
    }
}

fn layer(layer: Layer) -> i8 {
    match layer {
        Layer::Document => rows::Layer::Document as i8,
        Layer::Fixed => rows::Layer::Fixed as i8,
    }
}

/// The rows for one batch's aggregation.
pub fn rows(aggregation: &Aggregation, origin: &Origin<'_>) -> Vec<QueuedRow> {
    let mut out = Vec::new();
    for page in &aggregation.pages {
        let device = device(page.device);
        let day = crate::pipeline::event_day(page.started_ms, origin.received_day);
        let page_view = format!("{}\u{1f}{}", origin.session, page.page_key);
        // Cells come pre-summed per (layer, cell, flags); one row per cell.
        let mut cells: BTreeMap<(i8, u32, u32), (u64, u64, u64)> = BTreeMap::new();
        for cell in &page.cells {
            let entry = cells.entry((layer(cell.layer), cell.cell.col, cell.cell.row)).or_default();
            let count = u64::from(cell.count);
            entry.0 += count;
            entry.1 += if cell.flags.rage { count } else { 0 };
            entry.2 += if cell.flags.dead { count } else { 0 };
        }
        for ((layer, col, row), (clicks, rage, dead)) in cells {
            out.push(QueuedRow::HeatmapClick(HeatmapClickRow {
                site: origin.site.to_owned(),
                page_key: page.page_key.clone(),
                device,
                layer,
                day,
                col: u16::try_from(col).unwrap_or(u16::MAX),
                row,
                clicks,
                rage,
                dead,
                visitor: origin.visitor.to_owned(),
                source: origin.segment.source.code(),
                campaign: origin.segment.campaign.clone(),
            }));
        }
        for element in &page.elements {
            out.push(QueuedRow::HeatmapElement(HeatmapElementRow {
                site: origin.site.to_owned(),
                page_key: page.page_key.clone(),
                device,
                day,
                selector: element.selector.clone(),
                clicks: u64::from(element.clicks),
                rage: u64::from(element.rage),
                dead: u64::from(element.dead),
                visitor: origin.visitor.to_owned(),
                source: origin.segment.source.code(),
                campaign: origin.segment.campaign.clone(),
            }));
        }
        if let Some(depth) = page.scroll {
            // A page view that reached bucket b reached every bucket below.
            for bucket in 0..=depth.bucket() {
                out.push(QueuedRow::HeatmapScroll(HeatmapScrollRow {
                    site: origin.site.to_owned(),
                    page_key: page.page_key.clone(),
                    device,
                    day,
                    bucket,
                    page_view: page_view.clone(),
                    source: origin.segment.source.code(),
                    campaign: origin.segment.campaign.clone(),
                }));
            }
        }
        for form in &page.forms {
            out.push(QueuedRow::FormEvent(form_row(form, origin, &page.page_key, device, day, &page_view)));
        }
        out.push(QueuedRow::PageStats(PageStatsRow {
            site: origin.site.to_owned(),
            page_key: page.page_key.clone(),
            device,
            day,
            page_view,
            visitor: origin.visitor.to_owned(),
            clicks: u64::from(page.clicks),
            source: origin.segment.source.code(),
            campaign: origin.segment.campaign.clone(),
        }));
    }
    out
}

/// The rows of a batch's frustration signals ([`veil_aggregation::signals`]).
pub fn signal_rows(aggregation: &Aggregation, origin: &Origin<'_>, seq: u64) -> Vec<QueuedRow> {
    // Every page view of a batch has the batch's device class.
    let Some(device) = aggregation.pages.first().map(|page| device(page.device)) else { return Vec::new() };
    aggregation
        .signals
        .iter()
        .map(|signal| {
            QueuedRow::PageSignal(PageSignalRow {
                site: origin.site.to_owned(),
                page_key: signal.page_key.clone(),
                device,
                day: crate::pipeline::event_day(signal.at_ms, origin.received_day),
                signal: match signal.signal {
                    Signal::RageClicks => 1,
                    Signal::DeadClicks => 2,
                    Signal::QuickBack => 3,
                    Signal::ExcessiveScrolling => 4,
                },
                session: origin.session.to_owned(),
                seq,
                visitor: origin.visitor.to_owned(),
                at: u64::try_from(signal.at_ms).unwrap_or(0),
                count: signal.count,
            })
        })
        .collect()
}

fn form_row(
    event: &FormEvent,
    origin: &Origin<'_>,
    page_key: &str,
    device: i8,
    day: u16,
    page_view: &str,
) -> FormEventRow {
    let (kind, ms, refill, error) = match event.action {
        FormAction::Field { ms, refill, error } => (FormEventKind::Field, ms, refill, error),
        FormAction::Submit => (FormEventKind::Submit, 0, false, false),
        FormAction::Abandon => (FormEventKind::Abandon, 0, false, false),
    };
    FormEventRow {
        site: origin.site.to_owned(),
        page_key: page_key.to_owned(),
        device,
        day,
        form: event.form.clone(),
        field: event.field.clone(),
        position: event.position,
        kind: kind as u8,
        ms,
        refill: u8::from(refill),
        error: u8::from(error),
        page_view: page_view.to_owned(),
        visitor: origin.visitor.to_owned(),
        source: origin.segment.source.code(),
        campaign: origin.segment.campaign.clone(),
    }
}
