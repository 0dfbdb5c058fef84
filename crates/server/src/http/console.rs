//! The console's login (issue 8): `POST /console/login` with an API key
//! sets the session cookie ([`super::console_session`]), `POST
//! /console/logout` ends the session on every node and clears the cookie,
//! `GET /console/me` says who is logged in.
//!
//! A login takes only `application/json`: a cross-site HTML form can post
//! `text/plain` or form data without a preflight, which would log a
//! victim's browser into an attacker's key (login CSRF). Failed logins
//! are throttled per client address ([`super::throttle`]).

use actix_web::http::header::{CACHE_CONTROL, SET_COOKIE};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use veil_ingest::ApiError;

use super::auth::{ApiKeys, Caller, Denied};
use super::console_session::{COOKIE, ConsoleSessions, cookie_value, set_cookie};
use super::sessions::small_json;
use super::throttle::{Attempt, AuthThrottle};

/// Body of a login.
#[derive(Debug, Deserialize)]
pub struct Login {
    key: String,
}

fn who(caller: &Caller) -> serde_json::Value {
    json!({"name": caller.name, "role": caller.role.as_str()})
}

/// Behind TLS (directly or by a proxy that says so), cookies are Secure.
fn is_https(request: &HttpRequest) -> bool {
    request.connection_info().scheme() == "https"
}

/// `POST /console/login`.
pub async fn login(
    request: HttpRequest,
    body: web::Bytes,
    keys: web::Data<ApiKeys>,
    sessions: web::Data<ConsoleSessions>,
    throttle: web::Data<AuthThrottle>,
) -> Result<HttpResponse, actix_web::Error> {
    let json = request
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_content_type",
            "a login is a JSON body: Content-Type: application/json",
        )
        .into());
    }
    let client = super::auth::client_address(&request);
    let now = std::time::Instant::now();
    throttle.check(client, Attempt::Login, now).map_err(Denied::Throttled)?;
    let login: Login = small_json(&body)?;
    let Some((caller, fingerprint)) = keys.identify_with_fingerprint(login.key.trim()) else {
        throttle.fail(client, Attempt::Login, now);
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNAUTHORIZED,
            "unauthorized",
            Denied::Unauthenticated.to_string(),
        )
        .into());
    };
    let cookie = sessions
        .issue(&caller.name, caller.role, &fingerprint, veil_ingest::clock::now_secs())
        .ok_or_else(|| ApiError::not_found("console logins need a consent signing key"))?;
    tracing::info!(key = caller.name, "console login");
    Ok(HttpResponse::Ok()
        .insert_header((SET_COOKIE, set_cookie(Some(&cookie), is_https(&request))))
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(who(&caller)))
}

/// `POST /console/logout`: ends the cookie's session here at once and, by
/// `console_logouts` in ClickHouse, on every node; always clears the
/// cookie. When ClickHouse cannot record it, the answer is 503 (the
/// cookie is still cleared and refused here): a copy of the cookie would
/// still work on other nodes, and the user should know.
pub async fn logout(
    request: HttpRequest,
    sessions: web::Data<ConsoleSessions>,
    state: web::Data<super::AppState>,
) -> HttpResponse {
    let clear = (SET_COOKIE, set_cookie(None, is_https(&request)));
    let now = veil_ingest::clock::now_secs();
    let cookie = request
        .headers()
        .get(actix_web::http::header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|header| cookie_value(header, COOKIE))
        .and_then(|value| sessions.verify(value, now));
    let Some(session) = cookie else {
        return HttpResponse::NoContent().insert_header(clear).finish();
    };
    sessions.end(&session.id, session.expires_at, now);
    let clamp = veil_ingest::clock::clamp_u32;
    match state.store.record_console_logout(&session.id, clamp(session.expires_at), clamp(now)).await {
        Ok(()) => {
            tracing::info!(key = session.name, "console logout");
            HttpResponse::NoContent().insert_header(clear).finish()
        }
        Err(error) => {
            tracing::warn!("console logout not recorded in ClickHouse: other nodes still accept the cookie");
            let mut response = actix_web::ResponseError::error_response(&super::unavailable(error));
            response.headers_mut().insert(
                SET_COOKIE,
                actix_web::http::header::HeaderValue::from_str(&clear.1)
                    .unwrap_or(actix_web::http::header::HeaderValue::from_static("")),
            );
            response
        }
    }
}

/// `GET /console/me`.
pub async fn me(request: HttpRequest, keys: web::Data<ApiKeys>) -> Result<HttpResponse, Denied> {
    let caller = super::auth::console_caller(&request, &keys).ok_or(Denied::Unauthenticated)?;
    Ok(HttpResponse::Ok().insert_header((CACHE_CONTROL, "no-store")).json(who(&caller)))
}
