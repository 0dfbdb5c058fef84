//! Answers for files embedded in the binary (the recorder, the console):
//! a strong ETag from the bytes, so browsers revalidate cheaply after an
//! upgrade, and `304` when they already have them.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

/// `200` with `bytes`, or `304` when the request's `If-None-Match` names
/// them; `headers` are added to both.
pub(crate) fn respond(
    request: &HttpRequest,
    bytes: &'static [u8],
    content_type: &'static str,
    headers: &[(&'static str, &'static str)],
) -> HttpResponse {
    let etag = format!("\"{}\"", &blake3::hash(bytes).to_hex()[..32]);
    let fresh = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::ETAG, etag))
        .insert_header(("X-Content-Type-Options", "nosniff"));
    for header in headers {
        response.insert_header(*header);
    }
    if fresh { response.finish() } else { response.body(bytes) }
}
