//! `POST /v1/consent` and `POST /v1/consent/withdraw` (SPEC §3). A grant
//! is answered 201 only after its consent-log row is durable; so is a
//! withdrawal, which this node enforces at once and every other node
//! within seconds (through the consent log).

use std::str::FromStr;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use veil_consent::{ClaimsInput, ConsentId, Purposes, SiteId, VisitorId};
use veil_store::rows::{ConsentAction, ConsentLogRow, QueuedRow};

use crate::clock::{clamp_u32, rfc3339};
use crate::reject::{MalformedKind, Reject};
use crate::state::IngestState;
use crate::{clock, guard};

/// Longest CMP framework name kept.
const MAX_FRAMEWORK_LEN: usize = 32;
/// Longest CMP proof kept (a TCF string is a few hundred bytes).
const MAX_PROOF_LEN: usize = 8 * 1024;

#[derive(Debug, Deserialize)]
struct GrantRequest {
    site: String,
    purposes: Vec<String>,
    visitor: String,
    #[serde(default)]
    cmp: Option<Cmp>,
}

#[derive(Debug, Default, Deserialize)]
struct Cmp {
    #[serde(default)]
    framework: String,
    #[serde(default)]
    proof: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct WithdrawRequest {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    erase: bool,
}

/// `POST /v1/consent`.
pub async fn grant(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<IngestState>,
) -> Result<HttpResponse, Reject> {
    let result = grant_inner(&request, payload, &state).await;
    crate::count(&state, "consent", &result);
    result
}

async fn grant_inner(
    request: &HttpRequest,
    payload: web::Payload,
    state: &IngestState,
) -> Result<HttpResponse, Reject> {
    guard::rate_limit(state, request)?;
    let limit = state.settings.limits.max_consent_body_bytes;
    crate::body::check_length(request, limit)?;
    json_content_type(request)?;
    let body = crate::body::read(payload, limit).await?;
    let grant: GrantRequest = small_json(&body)?;

    let site = SiteId::from_str(&grant.site).map_err(|_| Reject::Malformed(MalformedKind::Field("site")))?;
    let policy = state.settings.sites.get(site.as_str()).ok_or(Reject::UnknownSite)?;
    guard::origin(policy, request)?;
    guard::gpc(policy, request)?;
    let visitor = VisitorId::from_str(&grant.visitor)
        .map_err(|_| Reject::Malformed(MalformedKind::Field("visitor")))?;
    // A purpose Veil does not know is one the site has not enabled.
    let purposes = Purposes::from_names(grant.purposes.iter().map(String::as_str))
        .map_err(|_| Reject::PurposeNotEnabled)?;
    if purposes.is_empty() {
        return Err(Reject::Malformed(MalformedKind::Field("purposes")));
    }
    if !purposes.is_subset(policy.purposes) {
        return Err(Reject::PurposeNotEnabled);
    }
    let cmp = grant.cmp.unwrap_or_default();
    let framework_ok = cmp.framework.len() <= MAX_FRAMEWORK_LEN
        && cmp.framework.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !framework_ok {
        return Err(Reject::Malformed(MalformedKind::Field("cmp.framework")));
    }
    let proof = cmp.proof.unwrap_or_default();
    if proof.len() > MAX_PROOF_LEN {
        return Err(Reject::Malformed(MalformedKind::Field("cmp.proof")));
    }

    let (now, now_ms) = clock::now();
    let input = ClaimsInput {
        site,
        consent_id: ConsentId::generate(),
        visitor,
        purposes,
        issued_at: now,
        ttl: state.settings.token_ttl,
    };
    let expires_at = input.expires_at();
    let row = ConsentLogRow {
        site: input.site.as_str().to_owned(),
        consent_id: input.consent_id.as_str().to_owned(),
        visitor: input.visitor.as_str().to_owned(),
        action: ConsentAction::Grant as i8,
        purposes: purposes.iter().map(|p| p.as_str().to_owned()).collect(),
        cmp_framework: cmp.framework.to_ascii_lowercase(),
        cmp_proof: proof,
        erase: 0,
        key_id: state.keyring.signing_key_id().as_str().to_owned(),
        expires_at: clamp_u32(expires_at),
        at: clamp_u32(now),
        at_ms: now_ms,
    };
    let consent_id = input.consent_id.as_str().to_owned();
    let token = state.keyring.mint(input);
    crate::append(state, &[QueuedRow::ConsentLog(row)], &mut veil_events::Budget::unlimited()).await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(json!({
        "token": token,
        "consent_id": consent_id,
        "expires_at": rfc3339(expires_at),
    })))
}

/// `POST /v1/consent/withdraw`.
pub async fn withdraw(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<IngestState>,
) -> Result<HttpResponse, Reject> {
    let result = withdraw_inner(&request, payload, &state).await;
    crate::count(&state, "withdraw", &result);
    result
}

async fn withdraw_inner(
    request: &HttpRequest,
    payload: web::Payload,
    state: &IngestState,
) -> Result<HttpResponse, Reject> {
    guard::rate_limit(state, request)?;
    let limit = state.settings.limits.max_consent_body_bytes;
    crate::body::check_length(request, limit)?;
    let body = crate::body::read(payload, limit).await?;
    let parsed: WithdrawRequest = if body.iter().all(u8::is_ascii_whitespace) {
        WithdrawRequest::default()
    } else {
        json_content_type(request)?;
        small_json(&body)?
    };
    let token = guard::token_of(request).or(parsed.token).ok_or(Reject::MissingToken)?;
    let (claims, policy) = guard::verify(state, &token)?;
    // Withdrawing is always allowed from the site's pages, GPC or not, and
    // also for a consent already withdrawn (idempotent).
    guard::origin(policy, request)?;

    let (now, now_ms) = clock::now();
    let row = ConsentLogRow {
        site: claims.site.as_str().to_owned(),
        consent_id: claims.consent_id.as_str().to_owned(),
        visitor: claims.visitor.as_str().to_owned(),
        action: ConsentAction::Withdraw as i8,
        purposes: claims.purposes.iter().map(|p| p.as_str().to_owned()).collect(),
        cmp_framework: String::new(),
        cmp_proof: String::new(),
        erase: u8::from(parsed.erase),
        key_id: claims.key_id.as_str().to_owned(),
        expires_at: clamp_u32(claims.expires_at),
        at: clamp_u32(now),
        at_ms: now_ms,
    };
    crate::append(state, &[QueuedRow::ConsentLog(row)], &mut veil_events::Budget::unlimited()).await?;
    state.revocations.revoke(claims.consent_id.clone(), claims.expires_at);
    if parsed.erase
        && let Some(requests) = &state.erasure_requests
    {
        let request = crate::ErasureRequest {
            site: claims.site.as_str().to_owned(),
            visitor: claims.visitor.as_str().to_owned(),
        };
        if requests.try_send(request).is_err() {
            tracing::warn!("erasure worker busy; the periodic sweep will erase this visitor");
        }
    }
    tracing::info!(site = claims.site.as_str(), erase = parsed.erase, "consent withdrawn");
    Ok(HttpResponse::Ok().json(json!({
        "consent_id": claims.consent_id.as_str(),
        "withdrawn": true,
        "erase": parsed.erase,
    })))
}

/// Parses a consent-endpoint body: a few fields, at most
/// `max_consent_body_bytes`, into a fixed struct whose unknown fields are
/// skipped within serde_json's default nesting limit. Not a batch, so not
/// `veil_events::decode`.
#[allow(clippy::disallowed_methods)]
fn small_json<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, Reject> {
    serde_json::from_slice(body).map_err(|_| Reject::Malformed(MalformedKind::Body))
}

/// JSON bodies may come as `application/json` or, from a beacon or a
/// CORS-simple request, as `text/plain`.
fn json_content_type(request: &HttpRequest) -> Result<(), Reject> {
    match guard::content_type(request).as_deref() {
        None | Some("application/json") | Some("text/plain") => Ok(()),
        Some(_) => Err(Reject::UnsupportedContentType),
    }
}
