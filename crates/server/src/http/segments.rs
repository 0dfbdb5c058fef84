//! Segments (docs/segments.md): the `source=` and `utm_*=` parameters that
//! narrow the heatmap, forms, pages and sessions queries, and
//! `GET /v1/sites/{site}/segments`, which lists what there is to narrow
//! to. Only segments seen by at least the site's `k_min` visitors are
//! listed, and every figure of a narrowed query applies `k_min` within the
//! segment, as it does within a device class.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use veil_aggregation::segment::{Source, campaign_pair};
use veil_ingest::ApiError;
use veil_store::segments::{SegmentFilter, SegmentsQuery};

use super::auth::Analyst;
use super::dates::DateRange;
use super::{AppState, bad_request, device_filter, unavailable as storage};

/// Most campaign pairs listed.
const CAMPAIGNS_LIMIT: u32 = 200;

/// The segment a request's query string asks for: `source=CLASS` and any
/// number of `utm_NAME=VALUE` (all must hold). An empty value is no
/// filter, as for the other parameters; a parameter the site does not keep
/// or a value that could never be stored is refused, so that an analyst
/// never reads "no data" where the answer is "not collected".
pub(crate) fn segment_filter(state: &AppState, site: &str, query: &str) -> Result<SegmentFilter, ApiError> {
    let rules = super::site_config(state, site)?.segment_rules();
    let pairs = web::Query::<Vec<(String, String)>>::from_query(query)
        .map_err(|_| bad_request("the query string does not parse"))?
        .into_inner();
    let mut filter = SegmentFilter::default();
    for (name, value) in pairs {
        if value.is_empty() {
            continue;
        }
        if name == "source" {
            if Source::from_name(&value).is_none() {
                return Err(bad_request("source must be direct, search, social, email, other or unknown"));
            }
            filter.source = value;
        } else if name.starts_with("utm_") {
            if !rules.keeps(&name) {
                let kept = rules.utm_parameters().join(", ");
                return Err(bad_request(format!(
                    "{name} is not kept for this site (sites.segments.utm_parameters: {})",
                    if kept.is_empty() { "none" } else { &kept }
                )));
            }
            let pair = campaign_pair(&name, &value).ok_or_else(|| {
                bad_request(format!(
                    "{name}={value} is never stored: values with characters other than a-z, 0-9, . _ + - \
                     or six digits in a row are dropped as possibly personal"
                ))
            })?;
            if !filter.campaign.contains(&pair) {
                filter.campaign.push(pair);
            }
        }
    }
    filter.campaign.sort();
    Ok(filter)
}

/// The segment of an answer, as the request asked for it.
pub(crate) fn segment_json(filter: &SegmentFilter) -> serde_json::Value {
    let utm: serde_json::Map<String, serde_json::Value> = filter
        .campaign
        .iter()
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.to_owned(), json!(value)))
        .collect();
    json!({
        "source": (!filter.source.is_empty()).then_some(&filter.source),
        "utm": utm,
    })
}

/// Query of the segments list.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    page: Option<String>,
    device: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /v1/sites/{site}/segments`.
pub async fn list(
    _caller: Analyst,
    site: web::Path<String>,
    query: web::Query<ListQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let site = site.into_inner();
    let config = super::site_config(&state, &site)?;
    let k_min = config.k_min;
    let utm_parameters = config.segment_rules().utm_parameters().to_vec();
    let page_key = match query.page.clone().filter(|p| !p.is_empty()) {
        Some(page) => super::page_key_param(&state, &site, page),
        None => String::new(),
    };
    let (device_label, device) = device_filter(query.device.as_deref())?;
    let range = DateRange::parse(query.from.as_deref(), query.to.as_deref()).map_err(bad_request)?;
    let segments_query = SegmentsQuery {
        site,
        page_key: page_key.clone(),
        device: device.to_owned(),
        from: range.from.clone(),
        to: range.to.clone(),
    };
    let (sources, campaigns) =
        state.store.segments(&segments_query, k_min, CAMPAIGNS_LIMIT).await.map_err(storage)?;
    Ok(HttpResponse::Ok().json(json!({
        "page": (!page_key.is_empty()).then_some(&page_key),
        "device": device_label, "from": range.from, "to": range.to, "k_min": k_min,
        "utm_parameters": utm_parameters,
        "sources": sources.iter().map(|s| json!({"source": s.name, "visitors": s.visitors})).collect::<Vec<_>>(),
        "campaigns": campaigns.iter().filter_map(|c| {
            let (param, value) = c.name.split_once('=')?;
            Some(json!({"param": param, "value": value, "visitors": c.visitors}))
        }).collect::<Vec<_>>(),
    })))
}
