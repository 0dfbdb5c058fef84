//! `GET /v1/sites/{site}/insights` (docs/insights.md), for analysts: the
//! frustration signals of a site's pages (or of one page), ranked by the
//! sessions that showed them, each with the sessions that showed it most
//! to watch. Signals seen by fewer than the site's `k_min` visitors are left
//! out in ClickHouse.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use veil_ingest::ApiError;
use veil_store::signals::SignalFilter;

use super::auth::Analyst;
use super::dates::DateRange;
use super::{AppState, bad_request, unavailable as storage};

/// Default and largest number of signals answered.
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

/// Query of the insights endpoint.
#[derive(Debug, Deserialize)]
pub struct InsightsQuery {
    page: Option<String>,
    device: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<u32>,
}

/// `GET /v1/sites/{site}/insights`.
pub async fn insights(
    _caller: Analyst,
    site: web::Path<String>,
    query: web::Query<InsightsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let site = site.into_inner();
    let k_min = super::site_config(&state, &site)?.k_min;
    let page =
        query.page.clone().filter(|p| !p.is_empty()).map(|page| super::page_key_param(&state, &site, page));
    let (device_label, device) = super::device_filter(query.device.as_deref())?;
    let range = DateRange::parse(query.from.as_deref(), query.to.as_deref()).map_err(bad_request)?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(bad_request(format!("limit must be between 1 and {MAX_LIMIT}")));
    }
    let filter = SignalFilter {
        site: site.clone(),
        page_key: page.clone().unwrap_or_default(),
        device: device.to_owned(),
        from: range.from.clone(),
        to: range.to.clone(),
    };
    let signals = state.store.page_signals(&filter, k_min, limit).await.map_err(storage)?;
    let insights: Vec<serde_json::Value> = signals
        .iter()
        .map(|signal| {
            json!({
                "page": signal.page_key,
                "signal": signal.signal,
                "occurrences": signal.occurrences,
                "sessions": signal.sessions,
                "visitors": signal.visitors,
                "examples": signal.examples,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "site": site, "page": page, "device": device_label, "from": range.from, "to": range.to,
        "k_min": k_min, "insights": insights,
    })))
}
