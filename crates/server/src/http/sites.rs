//! What the console needs besides the data APIs: the configured sites
//! (`GET /v1/sites`) and, for drawing a heatmap over the page itself, the
//! newest recorded full snapshot of a page on a device class
//! (`GET /v1/sites/{site}/snapshot`). A snapshot is a recording (masked
//! like every other), so reading one is written to the access log.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use veil_events::EventType;
use veil_ingest::ApiError;

use super::auth::Analyst;
use super::sessions::actor;
use super::{AppState, bad_request, recording_horizon, site_config, unavailable};

/// Batches looked at for a snapshot, newest first.
const SNAPSHOT_CANDIDATES: u64 = 20;

/// `GET /v1/sites`: ids and the settings analysts see in the console.
pub async fn list(_caller: Analyst, state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "sites": state.config.sites.iter().map(|site| json!({
            "id": site.id,
            "purposes": site.purposes,
            "retention_days": site.retention_days,
            "heatmap_retention_days": site.heatmap_retention_days,
            "k_min": site.k_min,
        })).collect::<Vec<_>>(),
    }))
}

/// Query of the snapshot endpoint.
#[derive(Debug, Deserialize)]
pub struct SnapshotQuery {
    page: Option<String>,
    device: Option<String>,
}

/// `GET /v1/sites/{site}/snapshot?page=KEY&device=…`: the Meta and
/// FullSnapshot events of the newest recorded view of the page.
pub async fn snapshot(
    Analyst(caller): Analyst,
    site: web::Path<String>,
    query: web::Query<SnapshotQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let site = site.into_inner();
    let config = site_config(&state, &site)?;
    let page = query.page.clone().filter(|p| !p.is_empty()).ok_or_else(|| bad_request("page is required"))?;
    let page = super::page_key_param(&state, &site, page);
    let (device_label, device) = super::device_param(query.device.as_deref(), "desktop")?;
    let device = device.map_or(0, |d| d as i8);
    let horizon = recording_horizon(config);
    let store = &state.store;
    let candidates =
        store.page_batches(&site, &page, device, &horizon, SNAPSHOT_CANDIDATES).await.map_err(unavailable)?;
    for (session, seq) in candidates {
        let Some(row) = store.batch_payload(&site, &session, seq).await.map_err(unavailable)? else {
            continue;
        };
        let Ok(json) = crate::replay::batch_json(&row) else { continue };
        let Ok(events) = veil_events::decode::events_from_json(&json) else { continue };
        let Some(full) = events.iter().rposition(|e| e.kind == EventType::FullSnapshot) else { continue };
        let meta = events[..full].iter().rposition(|e| e.kind == EventType::Meta);
        let chosen: Vec<_> = meta.into_iter().chain([full]).map(|i| events[i].clone()).collect();
        let viewport = meta.map(|i| {
            let data = &events[i].data;
            (number(data, "width"), number(data, "height"))
        });
        let Ok(encoded) = veil_events::encode::events_to_json(&chosen) else { continue };
        let subject = veil_store::audit::subject("session", &site, &session);
        state
            .privacy
            .audit(&actor(&caller), "snapshot.read", &site, &subject, &json!({"page": page}))
            .await
            .map_err(unavailable)?;
        let (w, h) = viewport.unwrap_or((None, None));
        // The events go in as stored, not through another JSON model.
        let head = json!({"page": page, "device": device_label, "viewport": {"w": w, "h": h}}).to_string();
        let mut body = head.into_bytes();
        body.pop();
        body.extend_from_slice(b",\"events\":");
        body.extend_from_slice(&encoded);
        body.push(b'}');
        return Ok(HttpResponse::Ok().content_type("application/json").body(body));
    }
    Err(ApiError::not_found("no recorded view of this page on this device"))
}

fn number(data: &veil_events::Value<'_>, key: &str) -> Option<u64> {
    match data.get(key)? {
        veil_events::Value::Int(n) => u64::try_from(*n).ok(),
        veil_events::Value::UInt(n) => Some(*n),
        veil_events::Value::Float(f) if *f >= 0.0 => Some(*f as u64),
        _ => None,
    }
}
