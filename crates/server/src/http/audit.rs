//! The append-only logs, for admins (SPEC §7): the consent log of a site
//! (`GET /v1/sites/{site}/consents`, the proof of every grant and
//! withdrawal) and the access log (`GET /v1/audit`: who read which
//! recording, who exported, erased, reported or reviewed what).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use veil_ingest::ApiError;
use veil_store::audit::{AuditFilter, subject};

use super::auth::Admin;
use super::dates::DateRange;
use super::{AppState, bad_request, site_config, unavailable};
use veil_ingest::clock::{rfc3339, rfc3339_ms};

/// Default and largest page.
const LIMIT_DEFAULT: u64 = 100;
const LIMIT_MAX: u64 = 10_000;

/// Paging and range shared by both logs.
#[derive(Debug, Deserialize)]
pub struct LogQuery {
    from: Option<String>,
    to: Option<String>,
    limit: Option<u64>,
    offset: Option<u64>,
    site: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    session: Option<String>,
    visitor: Option<String>,
}

fn paging(query: &LogQuery) -> Result<(u64, u64), ApiError> {
    let limit = query.limit.unwrap_or(LIMIT_DEFAULT);
    if limit == 0 || limit > LIMIT_MAX {
        return Err(bad_request(format!("limit must be between 1 and {LIMIT_MAX}")));
    }
    Ok((limit, query.offset.unwrap_or(0)))
}

/// `GET /v1/sites/{site}/consents`.
pub async fn consents(
    _admin: Admin,
    site: web::Path<String>,
    query: web::Query<LogQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let site = site.into_inner();
    site_config(&state, &site)?;
    let range = DateRange::parse(query.from.as_deref(), query.to.as_deref()).map_err(bad_request)?;
    let (limit, offset) = paging(&query)?;
    let rows =
        state.store.consent_log(&site, &range.from, &range.to, limit, offset).await.map_err(unavailable)?;
    Ok(HttpResponse::Ok().json(json!({
        "site": site, "from": range.from, "to": range.to, "limit": limit, "offset": offset,
        "consents": rows.iter().map(|c| json!({
            "consent_id": c.consent_id, "visitor": c.visitor, "action": c.action_name(), "purposes": c.purposes,
            "cmp": {"framework": c.cmp_framework, "proof": c.cmp_proof}, "erase": c.erase == 1,
            "key_id": c.key_id, "at": rfc3339(u64::from(c.at)), "expires_at": rfc3339(u64::from(c.expires_at)),
        })).collect::<Vec<_>>(),
    })))
}

/// `GET /v1/audit`: newest first; `session` and `visitor` filters take the
/// raw id and look up its one-way reference.
pub async fn entries(
    _admin: Admin,
    query: web::Query<LogQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let range = DateRange::parse(query.from.as_deref(), query.to.as_deref()).map_err(bad_request)?;
    let (limit, offset) = paging(&query)?;
    let site = query.site.clone().unwrap_or_default();
    let subject = match (query.session.as_deref(), query.visitor.as_deref()) {
        (Some(_), Some(_)) => return Err(bad_request("filter by session or by visitor, not both")),
        (Some(_), None) | (None, Some(_)) if site.is_empty() => {
            return Err(bad_request("session and visitor filters need site"));
        }
        (Some(session), None) => subject("session", &site, session),
        (None, Some(visitor)) => subject("visitor", &site, visitor),
        (None, None) => String::new(),
    };
    let filter = AuditFilter {
        from: range.from.clone(),
        to: range.to.clone(),
        site,
        actor: query.actor.clone().unwrap_or_default(),
        action: query.action.clone().unwrap_or_default(),
        subject,
    };
    let rows = state.store.audit_entries(&filter, limit, offset).await.map_err(unavailable)?;
    Ok(HttpResponse::Ok().json(json!({
        "from": range.from, "to": range.to, "limit": limit, "offset": offset,
        "entries": rows.iter().map(|e| json!({
            "at": rfc3339_ms(u64::from(e.at) * 1000 + u64::from(e.at_ms)),
            "actor": e.actor, "role": e.role, "action": e.action, "site": e.site, "subject": e.subject,
            "detail": serde_json::from_str::<serde_json::Value>(&e.detail).unwrap_or(json!({})),
        })).collect::<Vec<_>>(),
    })))
}
