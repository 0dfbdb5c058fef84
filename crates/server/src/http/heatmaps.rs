//! `GET /v1/sites/{site}/heatmaps` and `GET /v1/sites/{site}/pages`
//! (SPEC §6), for analysts. Everything comes from the aggregated tables;
//! cells and elements seen by fewer than the site's `k_min` distinct
//! visitors never leave ClickHouse.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use veil_ingest::ApiError;
use veil_store::heatmaps::{CellCount, HeatmapFilter};

use super::auth::Analyst;
use super::csv::{self, Format};
use super::dates::DateRange;
use super::{AppState, bad_request, device_filter, unavailable as storage};

/// Grid of SPEC §6; the aggregation writes cells on this grid.
pub const GRID_COLS: u32 = 64;
/// Row height in CSS px.
pub const GRID_ROW_PX: u32 = 16;
/// Most elements listed.
const ELEMENTS_LIMIT: u32 = 100;
/// Default and largest page list.
const PAGES_DEFAULT: u32 = 100;
const PAGES_MAX: u32 = 1000;

/// Query of the heatmap endpoint.
#[derive(Debug, Deserialize)]
pub struct HeatmapQuery {
    page: Option<String>,
    kind: Option<String>,
    device: Option<String>,
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

/// Query of the pages endpoint.
#[derive(Debug, Deserialize)]
pub struct PagesQuery {
    device: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<u32>,
}

fn k_min(state: &AppState, site: &str) -> Result<u32, ApiError> {
    super::site_config(state, site).map(|s| s.k_min)
}

fn cells_json(cells: &[CellCount]) -> Vec<serde_json::Value> {
    cells
        .iter()
        .map(|c| json!({"x": c.col, "y": c.row, "count": c.count, "rage": c.rage, "dead": c.dead}))
        .collect()
}

/// `GET /v1/sites/{site}/heatmaps`.
pub async fn heatmap(
    _caller: Analyst,
    site: web::Path<String>,
    query: web::Query<HeatmapQuery>,
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let site = site.into_inner();
    let k_min = k_min(&state, &site)?;
    let segment = super::segments::segment_filter(&state, &site, request.query_string())?;
    let page = query.page.clone().filter(|p| !p.is_empty()).ok_or_else(|| bad_request("page is required"))?;
    let page = super::page_key_param(&state, &site, page);
    let (device_label, device) = device_filter(query.device.as_deref())?;
    let range = DateRange::parse(query.from.as_deref(), query.to.as_deref()).map_err(bad_request)?;
    let format = Format::parse(query.format.as_deref())?;
    let filter = HeatmapFilter {
        site,
        page_key: page.clone(),
        device: device.to_owned(),
        from: range.from.clone(),
        to: range.to.clone(),
        segment,
    };
    let segment = super::segments::segment_json(&filter.segment);
    let store = &state.store;
    let body = match query.kind.as_deref().unwrap_or("click") {
        "click" => {
            // Independent queries, run at once: the answer takes as long
            // as the slowest, not their sum.
            let (cells, totals, fixed_cells, fixed_totals, elements) = futures_util::try_join!(
                store.heatmap_cells(&filter, "document", k_min),
                store.heatmap_totals(&filter, "document"),
                store.heatmap_cells(&filter, "fixed", k_min),
                store.heatmap_totals(&filter, "fixed"),
                store.heatmap_elements(&filter, k_min, ELEMENTS_LIMIT),
            )
            .map_err(storage)?;
            json!({
                "page": page, "kind": "click", "device": device_label, "from": range.from, "to": range.to,
                "segment": segment,
                "grid": {"cols": GRID_COLS, "row_px": GRID_ROW_PX},
                "k_min": k_min,
                "cells": cells_json(&cells),
                "total": totals.total,
                "visitors": totals.visitors,
                "fixed": {
                    "grid": {"cols": GRID_COLS, "row_px": GRID_ROW_PX},
                    "cells": cells_json(&fixed_cells),
                    "total": fixed_totals.total,
                    "visitors": fixed_totals.visitors,
                },
                "elements": elements.iter().map(|e| json!({
                    "selector": e.selector, "count": e.count, "rage": e.rage, "dead": e.dead, "visitors": e.visitors,
                })).collect::<Vec<_>>(),
            })
        }
        "scroll" => {
            let buckets = store.heatmap_scroll(&filter).await.map_err(storage)?;
            let total = buckets.iter().find(|b| b.bucket == 0).map_or(0, |b| b.reached);
            let depth: Vec<_> = (0..=20u8)
                .map(|bucket| {
                    // A page view reached every bucket up to its deepest, so
                    // a missing bucket (no row) reached nobody.
                    let reached = buckets.iter().find(|b| b.bucket == bucket).map_or(0, |b| b.reached);
                    json!({"pct": u32::from(bucket) * 5, "reached": reached})
                })
                .collect();
            json!({
                "page": page, "kind": "scroll", "device": device_label, "from": range.from, "to": range.to,
                "segment": segment, "depth": depth, "total": total,
            })
        }
        _ => return Err(bad_request("kind must be click or scroll")),
    };
    if format == Format::Csv {
        return Ok(csv_export(&body));
    }
    Ok(HttpResponse::Ok().json(body))
}

/// A heatmap answer as one CSV table: the cells of both layers, or the
/// depth buckets of a scroll map.
fn csv_export(body: &serde_json::Value) -> HttpResponse {
    let rows = |value: &serde_json::Value| value.as_array().cloned().unwrap_or_default();
    if body["kind"] == "scroll" {
        return csv::response("scroll-map", csv::table(&["pct", "reached"], &rows(&body["depth"])));
    }
    let mut cells = Vec::new();
    for (layer, list) in [("document", &body["cells"]), ("fixed", &body["fixed"]["cells"])] {
        cells.extend(rows(list).into_iter().map(|mut cell| {
            cell["layer"] = json!(layer);
            cell
        }));
    }
    csv::response("heatmap", csv::table(&["layer", "x", "y", "count", "rage", "dead"], &cells))
}

/// `GET /v1/sites/{site}/pages`: page keys by views.
pub async fn pages(
    _caller: Analyst,
    site: web::Path<String>,
    query: web::Query<PagesQuery>,
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let site = site.into_inner();
    let k_min = k_min(&state, &site)?;
    let segment = super::segments::segment_filter(&state, &site, request.query_string())?;
    let (device_label, device) = device_filter(query.device.as_deref())?;
    let range = DateRange::parse(query.from.as_deref(), query.to.as_deref()).map_err(bad_request)?;
    let limit = query.limit.unwrap_or(PAGES_DEFAULT);
    if limit == 0 || limit > PAGES_MAX {
        return Err(bad_request(format!("limit must be between 1 and {PAGES_MAX}")));
    }
    let filter = HeatmapFilter {
        site,
        page_key: String::new(),
        device: device.to_owned(),
        from: range.from.clone(),
        to: range.to.clone(),
        segment,
    };
    let pages = state.store.pages(&filter, k_min, limit).await.map_err(storage)?;
    Ok(HttpResponse::Ok().json(json!({
        "site": filter.site, "device": device_label, "from": range.from, "to": range.to,
        "segment": super::segments::segment_json(&filter.segment),
        "pages": pages.iter().map(|p| json!({
            "page": p.page_key, "views": p.views, "clicks": p.clicks, "visitors": p.visitors,
        })).collect::<Vec<_>>(),
    })))
}
