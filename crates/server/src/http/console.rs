//! The console's login (issue 8): `POST /console/login` with an API key
//! sets the session cookie ([`super::console_session`]), `POST
//! /console/logout` clears it, `GET /console/me` says who is logged in.

use actix_web::http::header::{CACHE_CONTROL, SET_COOKIE};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;
use veil_ingest::ApiError;

use super::auth::{ApiKeys, Caller, Denied};
use super::console_session::{ConsoleSessions, set_cookie};
use super::sessions::small_json;

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
) -> Result<HttpResponse, ApiError> {
    let login: Login = small_json(&body)?;
    let Some((caller, fingerprint)) = keys.identify_with_fingerprint(login.key.trim()) else {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNAUTHORIZED,
            "unauthorized",
            Denied::Unauthenticated.to_string(),
        ));
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

/// `POST /console/logout`: always clears the cookie.
pub async fn logout(request: HttpRequest) -> HttpResponse {
    HttpResponse::NoContent().insert_header((SET_COOKIE, set_cookie(None, is_https(&request)))).finish()
}

/// `GET /console/me`.
pub async fn me(request: HttpRequest, keys: web::Data<ApiKeys>) -> Result<HttpResponse, Denied> {
    let caller = super::auth::console_caller(&request, &keys).ok_or(Denied::Unauthenticated)?;
    Ok(HttpResponse::Ok().insert_header((CACHE_CONTROL, "no-store")).json(who(&caller)))
}
