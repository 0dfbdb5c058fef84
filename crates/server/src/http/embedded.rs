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
    respond_encoded(request, bytes, None, content_type, headers)
}

/// [`respond`] for one of several forms of a file: `bytes` are already
/// compressed with `content_encoding`. The ETag comes from the bytes sent,
/// so each form has its own (a cache must never answer a gzip request
/// with a `304` for brotli bytes); `Content-Encoding` goes on the `200`
/// only, a `304` has no body to decode.
pub(crate) fn respond_encoded(
    request: &HttpRequest,
    bytes: &'static [u8],
    content_encoding: Option<&'static str>,
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
    match content_encoding {
        _ if fresh => response.finish(),
        Some(encoding) => response.insert_header((header::CONTENT_ENCODING, encoding)).body(bytes),
        None => response.body(bytes),
    }
}
