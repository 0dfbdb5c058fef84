//! A visitor's rights (SPEC §7, GDPR articles 15 and 17), for admins:
//! `DELETE /v1/sites/{site}/visitors/{visitor}` erases everything stored
//! about the visitor and answers a receipt; `GET …/export` returns it all
//! as one JSON document, recordings streamed. Both go to the access log.

use std::str::FromStr;

use actix_web::{HttpResponse, web};
use serde_json::json;
use veil_consent::VisitorId;
use veil_ingest::ApiError;
use veil_store::sessions::{SessionFilter, SessionOrder};

use super::auth::Admin;
use super::sessions::{actor, session_json};
use super::stream::{SessionBatches, StreamError, abort, json_stream, send};
use super::{AppState, bad_request, recording_horizon, site_config, unavailable};
use veil_ingest::clock::{self, rfc3339};

use crate::privacy::Trigger;

/// Most sessions one export lists (a visitor with more is a bot; the
/// export says it was cut).
const MAX_EXPORT_SESSIONS: u64 = 10_000;

fn visitor_id(text: &str) -> Result<String, ApiError> {
    VisitorId::from_str(text)
        .map(|v| v.as_str().to_owned())
        .map_err(|_| bad_request("visitor must be a visitor id (128 bits, hex or base64url)"))
}

/// `DELETE /v1/sites/{site}/visitors/{visitor}`.
pub async fn erase(
    Admin(caller): Admin,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (site, visitor) = path.into_inner();
    site_config(&state, &site)?;
    let visitor = visitor_id(&visitor)?;
    let receipt = state
        .privacy
        .erase_visitor(&site, &visitor, &actor(&caller), Trigger::Admin)
        .await
        .map_err(unavailable)?;
    Ok(HttpResponse::Ok().json(receipt))
}

/// `GET /v1/sites/{site}/visitors/{visitor}/export`.
pub async fn export(
    Admin(caller): Admin,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (site, visitor) = path.into_inner();
    let config = site_config(&state, &site)?;
    let visitor = visitor_id(&visitor)?;
    let horizon = recording_horizon(config);
    let store = &state.store;
    let consents = store.visitor_consent_log(&site, &visitor).await.map_err(unavailable)?;
    let signals = store.visitor_signals(&site, &visitor).await.map_err(unavailable)?;
    let filter = SessionFilter {
        site: site.clone(),
        from: String::new(),
        to: String::new(),
        window: (horizon.clone(), "2100-01-01".into()),
        start_ms: (0, u64::MAX),
        horizon: horizon.clone(),
        page_key: String::new(),
        device: 0,
        min_duration_ms: 0,
        has_rage: false,
        has_dead: false,
        has_errors: false,
        user_hash: String::new(),
        include_reported: true,
        visitor: visitor.clone(),
        segment: veil_store::segments::SegmentFilter::default(),
        signals: Vec::new(),
    };
    let (sessions, total) =
        store.sessions(&filter, SessionOrder::Start, MAX_EXPORT_SESSIONS, 0).await.map_err(unavailable)?;
    let subject = veil_store::audit::subject("visitor", &site, &visitor);
    state
        .privacy
        .audit(&actor(&caller), "visitor.export", &site, &subject, &json!({"sessions": sessions.len()}))
        .await
        .map_err(unavailable)?;

    let head = json!({
        "site": site,
        "visitor": visitor,
        "exported_at": rfc3339(clock::now_secs()),
        "complete": total <= MAX_EXPORT_SESSIONS
            && (signals.len() as u64) < veil_store::signals::MAX_EXPORT_SIGNALS,
        "consents": consents.iter().map(|c| json!({
            "consent_id": c.consent_id, "action": c.action_name(), "purposes": c.purposes,
            "cmp": {"framework": c.cmp_framework, "proof": c.cmp_proof}, "erase": c.erase == 1,
            "at": rfc3339(u64::from(c.at)), "expires_at": rfc3339(u64::from(c.expires_at)),
        })).collect::<Vec<_>>(),
        "sessions": sessions.iter().map(session_json).collect::<Vec<_>>(),
        // Frustration signals derived from the recordings (docs/insights.md).
        "signals": signals.iter().map(|s| json!({
            "page": s.page_key, "signal": s.signal, "session": s.session, "seq": s.seq,
            "at": rfc3339(s.at / 1000), "count": s.count,
        })).collect::<Vec<_>>(),
        "linked_user": "only a keyed hash of a linked user id is stored; it is the `user` of each session",
    });
    // The head, then `"recordings": {"<session>": [events…], …}` streamed.
    let mut head = serde_json::to_vec(&head).map_err(|_| bad_request("export failed"))?;
    head.pop(); // the closing brace; reopened below
    let store = state.store.clone();
    let (sender, response) = json_stream();
    tokio::spawn(async move {
        let result: Result<(), StreamError> = async {
            head.extend_from_slice(b",\"recordings\":{");
            send(&sender, head).await?;
            for (i, session) in sessions.iter().enumerate() {
                let batches = SessionBatches::open(&store, &site, &session.session, &horizon).await?;
                let key = serde_json::to_vec(&session.session).unwrap_or_default();
                let mut open = if i == 0 { Vec::new() } else { b",".to_vec() };
                open.extend_from_slice(&key);
                open.extend_from_slice(b":[");
                send(&sender, open).await?;
                batches.send_events(&sender).await?;
                send(&sender, b"]".to_vec()).await?;
            }
            send(&sender, b"}}".to_vec()).await
        }
        .await;
        if let Err(error) = result {
            abort(&sender, &error).await;
        }
    });
    Ok(response)
}
