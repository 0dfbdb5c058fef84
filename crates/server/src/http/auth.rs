//! API keys (SPEC §8): `Authorization: Bearer <key>`, compared by BLAKE3
//! hash with the `[[api_keys]]` entries (constant-time), so the
//! configuration never holds a usable key; or the console's session cookie
//! ([`super::console_session`]), which stands for a key that is still
//! configured. Roles: `analyst` reads heatmaps, sessions and replays;
//! `admin` may do everything.

use std::future::{Ready, ready};

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, HeaderValue, WWW_AUTHENTICATE};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use veil_ingest::ApiError;

use super::console_session::{self, COOKIE, CSRF_HEADER, ConsoleSessions, Session};
use super::throttle::{Attempt, AuthThrottle};
use crate::config::{ApiKeyConfig, Role};

/// The configured keys, hashed.
#[derive(Debug, Clone, Default)]
pub struct ApiKeys {
    keys: Vec<(blake3::Hash, String, Role)>,
}

impl ApiKeys {
    /// From validated configuration (entries whose hash does not parse are
    /// skipped; validation already refused them).
    pub fn new(entries: &[ApiKeyConfig]) -> ApiKeys {
        let keys = entries
            .iter()
            .filter_map(|entry| {
                let hex = entry.hash.strip_prefix("blake3:")?;
                Some((blake3::Hash::from_hex(hex).ok()?, entry.name.clone(), entry.role))
            })
            .collect();
        ApiKeys { keys }
    }

    /// Who holds `key`, if anyone.
    pub fn identify(&self, key: &str) -> Option<Caller> {
        self.identify_with_fingerprint(key).map(|(caller, _)| caller)
    }

    /// Who holds `key`, and the fingerprint of its configured hash (what a
    /// console session records).
    pub fn identify_with_fingerprint(&self, key: &str) -> Option<(Caller, String)> {
        let hash = blake3::hash(key.as_bytes());
        // `blake3::Hash` compares in constant time; every entry is checked
        // so timing does not reveal which one matched.
        let mut found = None;
        for (expected, name, role) in &self.keys {
            if hash == *expected {
                found = Some((Caller { name: name.clone(), role: *role }, fingerprint(expected)));
            }
        }
        found
    }

    /// The caller a console session stands for, while its key is still
    /// configured; the role is the configured one, not the cookie's.
    pub fn for_session(&self, session: &Session) -> Option<Caller> {
        self.keys
            .iter()
            .find(|(hash, name, _)| *name == session.name && fingerprint(hash) == session.fingerprint)
            .map(|(_, name, role)| Caller { name: name.clone(), role: *role })
    }
}

fn fingerprint(hash: &blake3::Hash) -> String {
    hash.to_hex()[..16].to_owned()
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The key's name (audit logs).
    pub name: String,
    /// What it may do.
    pub role: Role,
}

/// Why a request is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// Too many failed keys from this client address (429); the duration
    /// is how long until it may try again.
    Throttled(std::time::Duration),
    /// No key, or a key nobody holds (401).
    Unauthenticated,
    /// A valid key without the role (403).
    Forbidden,
    /// A console session changing something without the console's header
    /// (403): a cross-site request riding on the cookie.
    MissingCsrfHeader,
}

impl std::fmt::Display for Denied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Denied::Throttled(_) => {
                write!(f, "too many failed API keys from this address; wait before trying again")
            }
            Denied::Unauthenticated => write!(f, "a valid API key is required: Authorization: Bearer <key>"),
            Denied::Forbidden => write!(f, "this API key's role may not do this"),
            Denied::MissingCsrfHeader => {
                write!(f, "console requests that change something must send X-Veil-Console: 1")
            }
        }
    }
}

impl ResponseError for Denied {
    fn status_code(&self) -> StatusCode {
        match self {
            Denied::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            Denied::Unauthenticated => StatusCode::UNAUTHORIZED,
            Denied::Forbidden | Denied::MissingCsrfHeader => StatusCode::FORBIDDEN,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let code = match self {
            Denied::Throttled(_) => "throttled",
            Denied::Unauthenticated => "unauthorized",
            Denied::Forbidden => "forbidden",
            Denied::MissingCsrfHeader => "csrf",
        };
        let mut response = ApiError::new(self.status_code(), code, self.to_string()).error_response();
        if *self == Denied::Unauthenticated {
            response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Denied::Throttled(wait) = self {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, value);
            }
        }
        response
    }
}

fn caller(request: &HttpRequest) -> Result<Caller, Denied> {
    let keys = request.app_data::<web::Data<ApiKeys>>().ok_or(Denied::Unauthenticated)?;
    if let Some(header) = request.headers().get(AUTHORIZATION) {
        let header = header.to_str().map_err(|_| Denied::Unauthenticated)?;
        let (scheme, key) = header.trim().split_once(' ').ok_or(Denied::Unauthenticated)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(Denied::Unauthenticated);
        }
        let throttle = request.app_data::<web::Data<AuthThrottle>>();
        let client = client_address(request);
        let now = std::time::Instant::now();
        if let Some(throttle) = throttle {
            throttle.check(client, Attempt::Bearer, now).map_err(Denied::Throttled)?;
        }
        let found = keys.identify(key.trim());
        if found.is_none()
            && let Some(throttle) = throttle
        {
            throttle.fail(client, Attempt::Bearer, now);
        }
        return found.ok_or(Denied::Unauthenticated);
    }
    let caller = console_caller(request, keys).ok_or(Denied::Unauthenticated)?;
    let safe = matches!(request.method().as_str(), "GET" | "HEAD" | "OPTIONS");
    let from_console = request.headers().get(CSRF_HEADER).is_some_and(|v| v.as_bytes() == b"1");
    if !safe && !from_console {
        return Err(Denied::MissingCsrfHeader);
    }
    Ok(caller)
}

/// The client's address for throttling (memory only, never stored): the
/// one place that decides it, so a trusted-proxy rule applies everywhere.
pub(crate) fn client_address(request: &HttpRequest) -> Option<std::net::IpAddr> {
    let trusted = request.app_data::<web::Data<veil_ingest::client::TrustedProxies>>();
    veil_ingest::client::address(request, trusted.map(|t| t.get_ref()))
}

/// The caller of a request carrying a valid console cookie.
pub(crate) fn console_caller(request: &HttpRequest, keys: &ApiKeys) -> Option<Caller> {
    let sessions = request.app_data::<web::Data<ConsoleSessions>>()?;
    let cookies = request.headers().get(actix_web::http::header::COOKIE)?.to_str().ok()?;
    let session =
        sessions.verify(console_session::cookie_value(cookies, COOKIE)?, veil_ingest::clock::now_secs())?;
    keys.for_session(&session)
}

/// Extractor: any valid key (analyst or admin).
#[derive(Debug, Clone)]
pub struct Analyst(pub Caller);

impl FromRequest for Analyst {
    type Error = Denied;
    type Future = Ready<Result<Self, Denied>>;

    fn from_request(request: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(caller(request).map(Analyst))
    }
}

/// Extractor: an admin key.
#[derive(Debug, Clone)]
pub struct Admin(pub Caller);

impl FromRequest for Admin {
    type Error = Denied;
    type Future = Ready<Result<Self, Denied>>;

    fn from_request(request: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(caller(request).and_then(|caller| match caller.role {
            Role::Admin => Ok(Admin(caller)),
            Role::Analyst => Err(Denied::Forbidden),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> ApiKeys {
        let entry = |name: &str, role, key: &str| ApiKeyConfig {
            name: name.into(),
            role,
            hash: format!("blake3:{}", blake3::hash(key.as_bytes()).to_hex()),
        };
        ApiKeys::new(&[entry("alice", Role::Analyst, "veil_alice"), entry("root", Role::Admin, "veil_root")])
    }

    #[test]
    fn keys_are_matched_by_hash() {
        let keys = keys();
        assert_eq!(keys.identify("veil_alice"), Some(Caller { name: "alice".into(), role: Role::Analyst }));
        assert_eq!(keys.identify("veil_root").map(|c| c.role), Some(Role::Admin));
        assert_eq!(keys.identify("veil_mallory"), None);
        assert_eq!(keys.identify(""), None);
        let hash_itself = format!("{}", blake3::hash(b"veil_alice").to_hex());
        assert_eq!(keys.identify(&hash_itself), None, "the stored hash is not a key");
    }

    #[test]
    fn a_console_session_stands_for_its_key_while_configured() {
        let keys = keys();
        let (caller, fingerprint) = keys.identify_with_fingerprint("veil_alice").expect("known key");
        let session = Session {
            name: caller.name.clone(),
            role: Role::Admin,
            fingerprint,
            expires_at: u64::MAX,
            id: "0".repeat(32),
        };
        // The configured role counts, not the one the cookie claims.
        assert_eq!(keys.for_session(&session).map(|c| c.role), Some(Role::Analyst));
        let replaced = Session { fingerprint: "0000000000000000".into(), ..session.clone() };
        assert_eq!(keys.for_session(&replaced), None, "a key replaced in the configuration");
        assert_eq!(ApiKeys::default().for_session(&session), None, "a key removed");
    }
}
