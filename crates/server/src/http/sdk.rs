//! `GET /sdk/veil.min.js`: the recorder, served by Veil itself so a site
//! needs no CDN and the data never touches a third party (SPEC §10). The
//! bundle is built from `sdk-js/` and committed; the binary embeds it, so
//! what a site loads is exactly what this build was tested with.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};

/// The minified recorder (an IIFE defining `window.veil`).
pub const RECORDER: &[u8] = include_bytes!("../../../../sdk-js/dist/veil.min.js");

/// Strong validator of the embedded bundle, so browsers revalidate
/// cheaply after an upgrade.
fn etag() -> String {
    format!("\"{}\"", &blake3::hash(RECORDER).to_hex()[..32])
}

/// `GET /sdk/veil.min.js`.
pub async fn recorder(request: HttpRequest) -> HttpResponse {
    let etag = etag();
    let matches = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if matches { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header((header::CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((header::ETAG, etag))
        // Short, so a Veil upgrade reaches pages within the hour; any site
        // may load it (the data endpoints check origins themselves).
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")))
        .insert_header(("X-Content-Type-Options", "nosniff"));
    if matches { response.finish() } else { response.body(RECORDER) }
}
