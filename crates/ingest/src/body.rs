//! Reading a request body with a hard size limit, checked against
//! `Content-Length` first and then while streaming, so an oversize body is
//! refused without being held.

use actix_web::HttpRequest;
use actix_web::web::{self, Bytes, BytesMut};
use futures_util::StreamExt;

use crate::reject::{MalformedKind, Reject};

/// `Content-Length` over the limit is refused before any byte is read.
pub fn check_length(request: &HttpRequest, limit: usize) -> Result<(), Reject> {
    match declared_length(request) {
        Some(length) if length > limit => Err(Reject::BodyTooLarge { limit }),
        _ => Ok(()),
    }
}

/// `Content-Length`, when present and a number (saturated to `usize`).
pub fn declared_length(request: &HttpRequest) -> Option<usize> {
    request
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|length| usize::try_from(length).unwrap_or(usize::MAX))
}

/// The whole body, or `BodyTooLarge` as soon as it passes `limit`.
pub async fn read(mut payload: web::Payload, limit: usize) -> Result<Bytes, Reject> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| match error {
            // The server's body deadline (its edge middleware) passed.
            actix_web::error::PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                Reject::BodyTimeout
            }
            _ => Reject::Malformed(MalformedKind::Body),
        })?;
        if body.len() + chunk.len() > limit {
            return Err(Reject::BodyTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
