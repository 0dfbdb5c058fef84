//! The checks every browser-facing request passes before its body is
//! read: rate limit, consent token (signature, expiry, revocation), site,
//! Global Privacy Control, origin. Cheapest first, as SPEC §4 orders them.

use std::net::IpAddr;
use std::time::Instant;

use actix_web::HttpRequest;
use veil_consent::Claims;

use crate::origin::RequestOrigin;
use crate::reject::Reject;
use crate::state::{IngestState, SitePolicy};

/// Header carrying the consent token.
pub const TOKEN_HEADER: &str = "x-consent-token";

/// Query parameter carrying the token for `navigator.sendBeacon`, which
/// cannot set headers.
pub const TOKEN_PARAM: &str = "consent";

/// Refuses clients over their rate.
pub fn rate_limit(state: &IngestState, request: &HttpRequest) -> Result<(), Reject> {
    let Some(client) = client_ip(state, request) else {
        return Ok(());
    };
    state.limiter.check(client, Instant::now()).map_err(|retry_after| Reject::RateLimited { retry_after })
}

/// The client's address ([`crate::client`]), used in memory for rate
/// limiting only.
fn client_ip(state: &IngestState, request: &HttpRequest) -> Option<IpAddr> {
    crate::client::address(request, Some(&state.settings.trusted_proxies))
}

/// The token from the header, else from the query string.
pub fn token_of(request: &HttpRequest) -> Option<String> {
    if let Some(value) = request.headers().get(TOKEN_HEADER) {
        return value.to_str().ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    }
    query_param(request, TOKEN_PARAM)
}

/// One query parameter, percent-decoded.
pub fn query_param(request: &HttpRequest, name: &str) -> Option<String> {
    url::form_urlencoded::parse(request.query_string().as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .filter(|v| !v.is_empty())
}

/// Verifies a token's signature and validity window and finds its site.
pub fn verify<'s>(state: &'s IngestState, token: &str) -> Result<(Claims, &'s SitePolicy), Reject> {
    let claims = state.keyring.verify(token, crate::clock::now_secs()).map_err(Reject::InvalidToken)?;
    let policy = state.settings.sites.get(claims.site.as_str()).ok_or(Reject::UnknownSite)?;
    Ok((claims, policy))
}

/// Verifies a token and everything that hangs on it for sending data:
/// revocation, Global Privacy Control, origin.
pub fn consent<'s>(
    state: &'s IngestState,
    request: &HttpRequest,
    token: &str,
) -> Result<(Claims, &'s SitePolicy), Reject> {
    let (claims, policy) = verify(state, token)?;
    if state.revocations.is_revoked(claims.consent_id.as_str()) {
        return Err(Reject::ConsentRevoked);
    }
    gpc(policy, request)?;
    origin(policy, request)?;
    Ok((claims, policy))
}

/// `Sec-GPC: 1` on a site that honours it is a withdrawn consent.
pub fn gpc(policy: &SitePolicy, request: &HttpRequest) -> Result<(), Reject> {
    let gpc = request.headers().get("sec-gpc").and_then(|v| v.to_str().ok()).map(str::trim) == Some("1");
    if gpc && policy.honor_gpc { Err(Reject::GpcOptOut) } else { Ok(()) }
}

/// The request's origin must be one of the site's.
pub fn origin(policy: &SitePolicy, request: &HttpRequest) -> Result<(), Reject> {
    if RequestOrigin::of(request).allowed_by(&policy.origins) {
        Ok(())
    } else {
        Err(Reject::OriginNotAllowed)
    }
}

/// The media type of `Content-Type`, lower-cased, parameters dropped;
/// `None` without the header.
pub fn content_type(request: &HttpRequest) -> Option<String> {
    let value = request.headers().get(actix_web::http::header::CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}
