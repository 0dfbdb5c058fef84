//! Origins and CORS for the browser-facing endpoints (SPEC §3, §4): only
//! the site's configured origins may call them. Origins are compared in
//! their serialised form (lower-case scheme and host, default port
//! dropped), the way browsers send them.

use actix_web::HttpRequest;
use actix_web::http::header::{self, HeaderValue};

/// An origin in canonical form, or `None` for values that are no origin
/// (`null` from sandboxed frames and `file:` pages, garbage).
pub fn canonical(origin: &str) -> Option<String> {
    let url = url::Url::parse(origin.trim()).ok()?;
    match url.origin() {
        origin @ url::Origin::Tuple(..) => Some(origin.ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}

/// What the `Origin` header of a request says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestOrigin {
    /// No `Origin` header: not a cross-origin browser request (a server-side
    /// integration, curl). Browsers always send it on cross-origin POSTs.
    Absent,
    /// A canonical origin.
    Origin(String),
    /// An `Origin` header that is no usable origin (`null`, garbage).
    Opaque,
}

impl RequestOrigin {
    /// Reads the header.
    pub fn of(request: &HttpRequest) -> RequestOrigin {
        match request.headers().get(header::ORIGIN) {
            None => RequestOrigin::Absent,
            Some(value) => match value.to_str().ok().and_then(canonical) {
                Some(origin) => RequestOrigin::Origin(origin),
                None => RequestOrigin::Opaque,
            },
        }
    }

    /// Whether a site with these (canonical) origins accepts the request.
    pub fn allowed_by(&self, origins: &[String]) -> bool {
        match self {
            RequestOrigin::Absent => true,
            RequestOrigin::Origin(origin) => origins.iter().any(|o| o == origin),
            RequestOrigin::Opaque => false,
        }
    }
}

/// Request headers the recorder sends.
pub const ALLOWED_HEADERS: &str = "content-type, content-encoding, x-consent-token";

/// How long browsers may cache a preflight answer, in seconds.
pub const PREFLIGHT_MAX_AGE: &str = "600";

/// The CORS headers for an allowed origin.
pub fn cors_headers(origin: &str) -> [(header::HeaderName, HeaderValue); 4] {
    [
        (
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_str(origin).unwrap_or_else(|_| HeaderValue::from_static("null")),
        ),
        (header::VARY, HeaderValue::from_static("Origin")),
        (header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(PREFLIGHT_MAX_AGE)),
        // The recorder backs off as a 429 or 503 says; without this a
        // cross-origin page cannot read it.
        (header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static("Retry-After")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_canonicalised_like_browsers_send_them() {
        let cases = [
            ("https://Shop.Example", Some("https://shop.example")),
            ("https://shop.example:443", Some("https://shop.example")),
            ("http://shop.example:80", Some("http://shop.example")),
            ("http://127.0.0.1:8080", Some("http://127.0.0.1:8080")),
            ("https://shop.example:8443", Some("https://shop.example:8443")),
            ("null", None),
            ("file:///tmp/page.html", None),
            ("not an origin", None),
        ];
        for (input, expected) in cases {
            assert_eq!(canonical(input).as_deref(), expected, "{input}");
        }
    }

    #[test]
    fn only_listed_origins_are_allowed() {
        let origins = vec!["https://shop.example".to_owned()];
        assert!(RequestOrigin::Absent.allowed_by(&origins));
        assert!(RequestOrigin::Origin("https://shop.example".into()).allowed_by(&origins));
        assert!(!RequestOrigin::Origin("https://evil.example".into()).allowed_by(&origins));
        assert!(!RequestOrigin::Origin("http://shop.example".into()).allowed_by(&origins));
        assert!(!RequestOrigin::Opaque.allowed_by(&origins));
    }
}
