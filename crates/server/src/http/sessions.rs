//! Sessions and replays (SPEC §7): the sessions list with its filters, a
//! session's events for rrweb-player (streamed, and written to the access
//! log before the first byte), and the "report PII" flow: an analyst's
//! report hides the session from analysts at once, an admin releases or
//! erases it.

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use veil_ingest::ApiError;
use veil_store::rows::{ReportAction, SessionReportRow};
use veil_store::sessions::{SessionFilter, SessionOrder, SessionSummaryRow};

use super::auth::{Admin, Analyst, Caller};
use super::dates::DateRange;
use super::stream::{SessionBatches, abort, json_stream, send};
use super::{AppState, bad_request, recording_horizon, site_config, unavailable};
use crate::config::Role;
use veil_ingest::clock::{rfc3339, rfc3339_ms};

use crate::privacy::{Actor, now_parts};

/// Default and largest page of sessions.
const LIMIT_DEFAULT: u64 = 50;
const LIMIT_MAX: u64 = 500;
/// Longest analyst's note kept with a report, in characters.
const MAX_REASON_CHARS: usize = 500;

/// Query of the sessions list.
#[derive(Debug, Deserialize)]
pub struct SessionsQuery {
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
    device: Option<String>,
    min_duration: Option<String>,
    has: Option<String>,
    user: Option<String>,
    sort: Option<String>,
    limit: Option<u64>,
    offset: Option<u64>,
}

/// `GET /v1/sites/{site}/sessions`.
pub async fn list(
    Analyst(caller): Analyst,
    site: web::Path<String>,
    query: web::Query<SessionsQuery>,
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let site = site.into_inner();
    let config = site_config(&state, &site)?;
    let segment = super::segments::segment_filter(&state, &site, request.query_string())?;
    let range = DateRange::parse(query.from.as_deref(), query.to.as_deref()).map_err(bad_request)?;
    let (from_day, to_day) = (day_number(&range.from)?, day_number(&range.to)?);
    let page_key = match query.page.as_deref().filter(|p| !p.is_empty()) {
        Some(page) => super::page_key_param(&state, &site, page.to_owned()),
        None => String::new(),
    };
    let device = super::device_param(query.device.as_deref(), "all")?.1.map_or(0, |d| d as i8);
    // Empty is absent, as for `page`, `has` and `user`: a form left blank.
    let min_duration_ms = match query.min_duration.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(text) => duration_ms(text)?,
        None => 0,
    };
    let (mut has_rage, mut has_dead, mut has_errors) = (false, false, false);
    let mut signals: Vec<String> = Vec::new();
    for flag in query.has.as_deref().unwrap_or("").split(',').map(str::trim).filter(|f| !f.is_empty()) {
        match flag {
            "rage" => has_rage = true,
            "dead" => has_dead = true,
            "errors" | "error" => has_errors = true,
            // Read from the insights' signals (docs/insights.md).
            "quick_back" | "excessive_scrolling" => {
                if !signals.iter().any(|s| s == flag) {
                    signals.push(flag.to_owned());
                }
            }
            _ => {
                return Err(bad_request(
                    "has takes rage, dead, errors, quick_back and excessive_scrolling, comma separated",
                ));
            }
        }
    }
    let user_hash = match query.user.as_deref().filter(|u| !u.is_empty()) {
        Some(user) => match config.user_id_key() {
            Some(key) => veil_ingest::pipeline::user_hash(&key, user),
            None => return Err(bad_request("this site has no user_id_secret, so no user ids are stored")),
        },
        None => String::new(),
    };
    let order = match query.sort.as_deref().unwrap_or("start") {
        "start" => SessionOrder::Start,
        "duration" => SessionOrder::Duration,
        _ => return Err(bad_request("sort must be start or duration")),
    };
    let limit = query.limit.unwrap_or(LIMIT_DEFAULT);
    if limit == 0 || limit > LIMIT_MAX {
        return Err(bad_request(format!("limit must be between 1 and {LIMIT_MAX}")));
    }
    let offset = query.offset.unwrap_or(0);
    let filter = SessionFilter {
        site: site.clone(),
        from: range.from.clone(),
        to: range.to.clone(),
        window: (civil(from_day - 1), civil(to_day + 1)),
        start_ms: (day_ms(from_day), day_ms(to_day + 1)),
        horizon: recording_horizon(config),
        page_key: page_key.clone(),
        device,
        min_duration_ms,
        has_rage,
        has_dead,
        has_errors,
        user_hash,
        include_reported: caller.role == Role::Admin,
        visitor: String::new(),
        segment,
        signals,
    };
    let (rows, total) = state.store.sessions(&filter, order, limit, offset).await.map_err(unavailable)?;
    Ok(HttpResponse::Ok().json(json!({
        "site": site, "from": range.from, "to": range.to, "total": total, "limit": limit, "offset": offset,
        "segment": super::segments::segment_json(&filter.segment),
        "sessions": rows.iter().map(session_json).collect::<Vec<_>>(),
    })))
}

/// A session of the list as the API shows it.
pub(crate) fn session_json(row: &SessionSummaryRow) -> serde_json::Value {
    let device =
        veil_store::rows::Device::from_code(row.device).unwrap_or(veil_store::rows::Device::Desktop).as_str();
    json!({
        "session": row.session,
        "visitor": row.visitor,
        "user": (!row.user_hash.is_empty()).then_some(&row.user_hash),
        "started_at": rfc3339_ms(row.started_ms),
        "ended_at": rfc3339_ms(row.ended_ms),
        "start_ms": row.started_ms,
        "end_ms": row.ended_ms,
        "duration_ms": row.ended_ms.saturating_sub(row.started_ms),
        "active_ms": row.active_ms,
        "entry_page": row.entry_page,
        "pages": row.pages(),
        "device": device,
        "browser": row.browser,
        "clicks": row.clicks,
        "rage_clicks": row.rage_clicks,
        "dead_clicks": row.dead_clicks,
        "errors": row.errors,
        "batches": row.batches,
        "events": row.events,
        "source": row.source,
        "utm": row.campaign.split('&').filter_map(|pair| pair.split_once('='))
            .map(|(name, value)| (name.to_owned(), json!(value)))
            .collect::<serde_json::Map<String, serde_json::Value>>(),
    })
}

/// `GET /v1/sites/{site}/sessions/{session}/events`: the whole session as
/// a JSON array of rrweb events in timestamp order.
pub async fn events(
    Analyst(caller): Analyst,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (site, session) = path.into_inner();
    let horizon = readable_session(&state, &caller, &site, &session).await?;
    let batches = SessionBatches::open(&state.store, &site, &session, &horizon).await.map_err(unavailable)?;
    // No read without its access log entry: if the log cannot be written
    // the recording is not sent.
    let subject = veil_store::audit::subject("session", &site, &session);
    state
        .privacy
        .audit(&actor(&caller), "recording.read", &site, &subject, &json!({}))
        .await
        .map_err(unavailable)?;
    let (sender, response) = json_stream();
    tokio::spawn(async move {
        let result = async {
            send(&sender, b"[".to_vec()).await?;
            batches.send_events(&sender).await?;
            send(&sender, b"]".to_vec()).await
        }
        .await;
        if let Err(error) = result {
            abort(&sender, &error).await;
        }
    });
    Ok(response)
}

/// Body of a report.
#[derive(Debug, Default, Deserialize)]
pub struct ReportBody {
    #[serde(default)]
    reason: String,
}

/// `POST /v1/sites/{site}/sessions/{session}/report`: hides the session
/// from analysts until an admin reviews it.
pub async fn report(
    Analyst(caller): Analyst,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (site, session) = path.into_inner();
    let parsed: ReportBody =
        if body.iter().all(u8::is_ascii_whitespace) { ReportBody::default() } else { small_json(&body)? };
    let config = site_config(&state, &site)?;
    let state_of = state
        .store
        .session_state(&site, &session, &recording_horizon(config))
        .await
        .map_err(unavailable)?
        .ok_or_else(|| ApiError::not_found("no such session"))?;
    // The note may itself quote what leaked: it is masked like recorded
    // text and cut short before it is stored.
    let reason: String = parsed.reason.chars().take(MAX_REASON_CHARS).collect();
    let reason = match state.masking.get(&site) {
        Some(rules) => veil_masking::mask_text(&reason, rules).0.into_owned(),
        None => String::new(),
    };
    let (at, at_ms) = now_parts();
    let row = SessionReportRow {
        site: site.clone(),
        session: session.clone(),
        visitor: state_of.visitor,
        action: ReportAction::Reported as i8,
        actor: caller.name.clone(),
        reason,
        at,
        at_ms,
    };
    state.store.append_session_report(&row).await.map_err(unavailable)?;
    let subject = veil_store::audit::subject("session", &site, &session);
    state
        .privacy
        .audit(&actor(&caller), "session.report", &site, &subject, &json!({}))
        .await
        .map_err(unavailable)?;
    state.metrics.pii_reports.with_label_values(&["reported"]).inc();
    Ok(HttpResponse::Accepted()
        .json(json!({"session": session, "status": "reported", "hidden_from": "analysts"})))
}

/// `GET /v1/sites/{site}/reports`: sessions waiting for review.
pub async fn pending_reports(
    _admin: Admin,
    site: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let site = site.into_inner();
    site_config(&state, &site)?;
    let pending = state.store.pending_reports(&site).await.map_err(unavailable)?;
    Ok(HttpResponse::Ok().json(json!({
        "site": site,
        "reports": pending.iter().map(|r| json!({
            "session": r.session, "reporter": r.reporter, "reason": r.reason,
            "reported_at": rfc3339(u64::from(r.reported_at)),
        })).collect::<Vec<_>>(),
    })))
}

/// Body of a review.
#[derive(Debug, Deserialize)]
pub struct ReviewBody {
    action: String,
}

/// `POST /v1/sites/{site}/sessions/{session}/review` with `{"action":
/// "release"}` (visible again) or `{"action": "erase"}` (deleted).
pub async fn review(
    Admin(caller): Admin,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (site, session) = path.into_inner();
    let parsed: ReviewBody = small_json(&body)?;
    let config = site_config(&state, &site)?;
    let current = state
        .store
        .session_state(&site, &session, &recording_horizon(config))
        .await
        .map_err(unavailable)?
        .ok_or_else(|| ApiError::not_found("no such session"))?;
    let subject = veil_store::audit::subject("session", &site, &session);
    let (action, label, detail) = match parsed.action.as_str() {
        "release" => (ReportAction::Released, "released", json!({})),
        "erase" => {
            let deleted = state.privacy.erase_session(&site, &session).await.map_err(unavailable)?;
            let deleted: std::collections::BTreeMap<_, _> = deleted.into_iter().collect();
            (ReportAction::Erased, "erased", json!({"deleted": deleted}))
        }
        _ => return Err(bad_request("action must be release or erase")),
    };
    let (at, at_ms) = now_parts();
    let row = SessionReportRow {
        site: site.clone(),
        session: session.clone(),
        visitor: current.visitor,
        action: action as i8,
        actor: caller.name.clone(),
        reason: String::new(),
        at,
        at_ms,
    };
    state.store.append_session_report(&row).await.map_err(unavailable)?;
    state
        .privacy
        .audit(&actor(&caller), &format!("session.{label}"), &site, &subject, &detail)
        .await
        .map_err(unavailable)?;
    state.metrics.pii_reports.with_label_values(&[label]).inc();
    Ok(HttpResponse::Ok().json(json!({"session": session, "status": label, "detail": detail})))
}

/// Checks the site, the session id and that the caller may read it;
/// returns the retention horizon the reads use.
async fn readable_session(
    state: &AppState,
    caller: &Caller,
    site: &str,
    session: &str,
) -> Result<String, ApiError> {
    let config = site_config(state, site)?;
    if !veil_events::ids::is_valid_session_id(session) {
        return Err(ApiError::not_found("no such session"));
    }
    let horizon = recording_horizon(config);
    let found = state.store.session_state(site, session, &horizon).await.map_err(unavailable)?;
    match found {
        // A reported session does not exist for analysts until reviewed.
        Some(found) if found.reported && caller.role != Role::Admin => {
            Err(ApiError::not_found("no such session"))
        }
        Some(_) => Ok(horizon),
        None => Err(ApiError::not_found("no such session")),
    }
}

/// The access log's actor for an API key.
pub(crate) fn actor(caller: &Caller) -> Actor {
    Actor { name: caller.name.clone(), role: caller.role.as_str().into() }
}

/// A small JSON body (a few fields).
#[allow(clippy::disallowed_methods)]
pub(crate) fn small_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.len() > 64 * 1024 {
        return Err(bad_request("body too large"));
    }
    serde_json::from_slice(body)
        .map_err(|_| bad_request("body must be a JSON object of the documented fields"))
}

/// `30`, `30s`, `2m`, `1h30m` (humantime) as milliseconds; a bare number is
/// seconds.
fn duration_ms(text: &str) -> Result<u64, ApiError> {
    let text = text.trim();
    let duration = match text.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => humantime::parse_duration(text)
            .map_err(|_| bad_request("min_duration must be seconds or a duration like 30s, 2m"))?,
    };
    Ok(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
}

fn day_number(text: &str) -> Result<i64, ApiError> {
    crate::retention::parse_day(text).map_err(bad_request)
}

fn civil(day: i64) -> String {
    veil_store::retention::civil_from_days(day)
}

fn day_ms(day: i64) -> u64 {
    u64::try_from(day.max(0)).unwrap_or(0) * 86_400_000
}

#[cfg(test)]
mod tests {
    use super::duration_ms;

    #[test]
    fn min_duration_takes_seconds_or_humantime() {
        assert_eq!(duration_ms("30").ok(), Some(30_000));
        assert_eq!(duration_ms("2m").ok(), Some(120_000));
        assert_eq!(duration_ms("1h 30m").ok(), Some(5_400_000));
        assert_eq!(duration_ms("500ms").ok(), Some(500));
        assert!(duration_ms("soon").is_err());
        assert!(duration_ms("-5").is_err());
    }
}
