//! Every way a browser-facing request can be refused, as one closed set
//! mapped exhaustively to the answers of SPEC §4. Metrics count
//! rejections by [`Reject::code`], so the label values are this list.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use veil_consent::TokenError;
use veil_events::{BudgetError, DecodeError};

use crate::ApiError;
use crate::decompress::DecompressError;

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reject {
    /// Too many requests from this client.
    RateLimited {
        /// When to come back.
        retry_after: Duration,
    },
    /// The raw body is over `ingest.max_body_bytes`.
    BodyTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The decompressed body is over `ingest.max_decompressed_bytes`.
    DecompressedTooLarge {
        /// The limit.
        limit: usize,
    },
    /// Processing the batch would hold more memory than one request may
    /// (`ingest.max_request_memory_bytes`).
    MemoryTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The batch's stored form (JSON) would exceed
    /// `ingest.max_stored_batch_bytes`.
    StoredBatchTooLarge {
        /// The limit.
        limit: usize,
    },
    /// More events than a batch may carry.
    TooManyEvents,
    /// The body did not arrive within `server.body_read_timeout`; the
    /// connection is closed.
    BodyTimeout,
    /// No consent token in `X-Consent-Token` or `?consent=`.
    MissingToken,
    /// A token that does not verify (malformed, forged, unknown key,
    /// retired key, expired, not yet valid).
    InvalidToken(TokenError),
    /// The token's consent was withdrawn.
    ConsentRevoked,
    /// `Sec-GPC: 1` on a site that honours Global Privacy Control.
    GpcOptOut,
    /// The site is not configured.
    UnknownSite,
    /// The `Origin` is not one of the site's.
    OriginNotAllowed,
    /// A purpose the site has not enabled.
    PurposeNotEnabled,
    /// The batch's site differs from the token's.
    WrongSite,
    /// `Content-Type` other than MessagePack or JSON.
    UnsupportedContentType,
    /// `Content-Encoding` other than zstd, gzip or none.
    UnsupportedEncoding,
    /// The body does not decode (bad MessagePack/JSON, bad compression,
    /// bad ids, nesting too deep, unknown batch version).
    Malformed(MalformedKind),
    /// The process's ingest memory (`ingest.memory_budget_bytes`) is held
    /// by requests in flight.
    Busy {
        /// When to come back.
        retry_after: Duration,
    },
    /// Cannot store durably now.
    Unavailable {
        /// When to come back.
        retry_after: Duration,
    },
}

/// The 400 answers, told apart for clients and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MalformedKind {
    /// Not valid MessagePack/JSON/compressed data, or the wrong shape.
    Body,
    /// `v` other than 1.
    Version,
    /// An id or field with an invalid value.
    Field(&'static str),
    /// `page` or `viewport` missing with no Meta event or earlier batch
    /// of the session to fill it from:
    /// the field and why (for a stock rrweb integration's developer).
    Envelope(&'static str, &'static str),
    /// Nested deeper than the cap.
    TooDeep,
}

impl Reject {
    /// Stable `snake_case` code (error body and metrics label).
    pub fn code(&self) -> &'static str {
        match self {
            Reject::RateLimited { .. } => "rate_limited",
            Reject::BodyTooLarge { .. } => "body_too_large",
            Reject::DecompressedTooLarge { .. } => "decompressed_too_large",
            Reject::MemoryTooLarge { .. } => "batch_too_large",
            Reject::StoredBatchTooLarge { .. } => "stored_batch_too_large",
            Reject::TooManyEvents => "too_many_events",
            Reject::BodyTimeout => "request_timeout",
            Reject::MissingToken => "missing_token",
            Reject::InvalidToken(TokenError::Expired) => "token_expired",
            Reject::InvalidToken(TokenError::WrongSite) => "wrong_site",
            Reject::InvalidToken(_) => "invalid_token",
            Reject::ConsentRevoked => "consent_revoked",
            Reject::GpcOptOut => "gpc_opt_out",
            Reject::UnknownSite => "unknown_site",
            Reject::OriginNotAllowed => "origin_not_allowed",
            Reject::PurposeNotEnabled => "purpose_not_enabled",
            Reject::WrongSite => "wrong_site",
            Reject::UnsupportedContentType => "unsupported_content_type",
            Reject::UnsupportedEncoding => "unsupported_encoding",
            Reject::Malformed(MalformedKind::Body) => "malformed_body",
            Reject::Malformed(MalformedKind::Version) => "unsupported_version",
            Reject::Malformed(MalformedKind::Field(_) | MalformedKind::Envelope(..)) => "invalid_field",
            Reject::Malformed(MalformedKind::TooDeep) => "too_deep",
            Reject::Busy { .. } => "server_busy",
            Reject::Unavailable { .. } => "unavailable",
        }
    }

    /// The HTTP status, decided here once.
    pub fn status(&self) -> StatusCode {
        match self {
            Reject::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Reject::BodyTooLarge { .. }
            | Reject::DecompressedTooLarge { .. }
            | Reject::MemoryTooLarge { .. }
            | Reject::StoredBatchTooLarge { .. }
            | Reject::TooManyEvents => StatusCode::PAYLOAD_TOO_LARGE,
            Reject::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            Reject::MissingToken => StatusCode::UNAUTHORIZED,
            Reject::InvalidToken(error) if error.is_forbidden() => StatusCode::FORBIDDEN,
            Reject::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            Reject::ConsentRevoked
            | Reject::GpcOptOut
            | Reject::UnknownSite
            | Reject::OriginNotAllowed
            | Reject::PurposeNotEnabled
            | Reject::WrongSite => StatusCode::FORBIDDEN,
            Reject::UnsupportedContentType | Reject::UnsupportedEncoding => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Reject::Malformed(_) => StatusCode::BAD_REQUEST,
            Reject::Busy { .. } | Reject::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// A message for people; never request data.
    pub fn message(&self) -> String {
        match self {
            Reject::RateLimited { .. } => "too many requests from this client; retry later".into(),
            Reject::BodyTooLarge { limit } => format!("request body exceeds {limit} bytes"),
            Reject::DecompressedTooLarge { limit } => {
                format!("decompressed body exceeds {limit} bytes")
            }
            Reject::MemoryTooLarge { limit } => {
                format!(
                    "processing the batch would need more than {limit} bytes of memory; send smaller batches"
                )
            }
            Reject::StoredBatchTooLarge { limit } => {
                format!("the batch's events exceed {limit} bytes as stored; send smaller batches")
            }
            Reject::TooManyEvents => "the batch carries more events than allowed".into(),
            Reject::BodyTimeout => "the request body did not arrive in time".into(),
            Reject::MissingToken => "no consent token: send X-Consent-Token or ?consent=".into(),
            Reject::InvalidToken(error) => format!("consent token refused: {error}"),
            Reject::ConsentRevoked => "this consent was withdrawn".into(),
            Reject::GpcOptOut => "Global Privacy Control is on: treated as withdrawn consent".into(),
            Reject::UnknownSite => "this site is not configured".into(),
            Reject::OriginNotAllowed => "this origin may not send data for the site".into(),
            Reject::PurposeNotEnabled => "a requested purpose is not enabled for the site".into(),
            Reject::WrongSite => "the batch's site differs from the consent token's site".into(),
            Reject::UnsupportedContentType => {
                "unsupported content type; use application/msgpack or application/json".into()
            }
            Reject::UnsupportedEncoding => "unsupported content encoding; use zstd, gzip or none".into(),
            Reject::Malformed(MalformedKind::Body) => "the body is not a valid batch".into(),
            Reject::Malformed(MalformedKind::Version) => {
                "unsupported batch version; this server speaks v 1".into()
            }
            Reject::Malformed(MalformedKind::Envelope(field, reason)) => {
                format!("`{field}` is {reason} (send `page` and `viewport`, or a Meta event first)")
            }
            Reject::Malformed(MalformedKind::Field(field)) => {
                format!("invalid value for `{field}`")
            }
            Reject::Malformed(MalformedKind::TooDeep) => "the batch is nested too deeply".into(),
            Reject::Busy { .. } => "the server is processing too much data at once; retry later".into(),
            Reject::Unavailable { .. } => "cannot store data durably right now; retry later".into(),
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Reject::RateLimited { retry_after }
            | Reject::Busy { retry_after }
            | Reject::Unavailable { retry_after } => Some(*retry_after),
            _ => None,
        }
    }
}

impl From<DecompressError> for Reject {
    fn from(error: DecompressError) -> Reject {
        match error {
            DecompressError::Unsupported => Reject::UnsupportedEncoding,
            DecompressError::TooLarge { limit } => Reject::DecompressedTooLarge { limit },
            DecompressError::Corrupt(_) => Reject::Malformed(MalformedKind::Body),
            DecompressError::Memory(error) => error.into(),
        }
    }
}

impl From<DecodeError> for Reject {
    fn from(error: DecodeError) -> Reject {
        match error {
            DecodeError::DepthExceeded { .. } => Reject::Malformed(MalformedKind::TooDeep),
            DecodeError::UnsupportedVersion(_) => Reject::Malformed(MalformedKind::Version),
            DecodeError::InvalidField { field: field @ ("page" | "viewport"), reason }
                if reason.starts_with("missing; ") =>
            {
                Reject::Malformed(MalformedKind::Envelope(field, reason))
            }
            DecodeError::InvalidField { field, .. } => Reject::Malformed(MalformedKind::Field(field)),
            DecodeError::TooManyEvents { .. } => Reject::TooManyEvents,
            DecodeError::TooLarge { limit } => Reject::MemoryTooLarge { limit },
            DecodeError::MemoryBusy => Reject::Busy { retry_after: BUSY_RETRY_AFTER },
            DecodeError::UnexpectedSite => Reject::WrongSite,
            DecodeError::Malformed { .. } | DecodeError::TrailingBytes => {
                Reject::Malformed(MalformedKind::Body)
            }
        }
    }
}

/// How long a client refused for memory should wait: requests in flight
/// finish in milliseconds, so a second is plenty.
pub const BUSY_RETRY_AFTER: Duration = Duration::from_secs(1);

impl From<BudgetError> for Reject {
    fn from(error: BudgetError) -> Reject {
        match error {
            BudgetError::OverLimit { limit } => Reject::MemoryTooLarge { limit },
            BudgetError::PoolExhausted { .. } => Reject::Busy { retry_after: BUSY_RETRY_AFTER },
        }
    }
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl ResponseError for Reject {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = ApiError::new(self.status(), self.code(), self.message()).error_response();
        if *self == Reject::BodyTimeout {
            // The rest of a stalled body is not worth waiting for.
            response.head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
        }
        if let Some(wait) = self.retry_after() {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of every code.
    fn every_reject() -> Vec<Reject> {
        let wait = Duration::from_secs(1);
        vec![
            Reject::RateLimited { retry_after: wait },
            Reject::BodyTooLarge { limit: 1 },
            Reject::DecompressedTooLarge { limit: 1 },
            Reject::MemoryTooLarge { limit: 1 },
            Reject::StoredBatchTooLarge { limit: 1 },
            Reject::TooManyEvents,
            Reject::BodyTimeout,
            Reject::MissingToken,
            Reject::InvalidToken(TokenError::BadSignature),
            Reject::InvalidToken(TokenError::Expired),
            Reject::InvalidToken(TokenError::WrongSite),
            Reject::ConsentRevoked,
            Reject::GpcOptOut,
            Reject::UnknownSite,
            Reject::OriginNotAllowed,
            Reject::PurposeNotEnabled,
            Reject::WrongSite,
            Reject::UnsupportedContentType,
            Reject::UnsupportedEncoding,
            Reject::Malformed(MalformedKind::Body),
            Reject::Malformed(MalformedKind::Version),
            Reject::Malformed(MalformedKind::Field("site")),
            Reject::Malformed(MalformedKind::TooDeep),
            Reject::Busy { retry_after: wait },
            Reject::Unavailable { retry_after: wait },
        ]
    }

    #[test]
    fn every_code_is_documented_with_its_status() {
        let doc = include_str!("../../../docs/ingest.md");
        for reject in every_reject() {
            let row = format!("| {} | `{}` |", reject.status().as_u16(), reject.code());
            assert!(doc.contains(&row), "docs/ingest.md lacks the row {row}");
        }
    }

    #[test]
    fn statuses_follow_the_spec_table() {
        let cases = [
            (Reject::RateLimited { retry_after: Duration::from_millis(1) }, 429),
            (Reject::BodyTooLarge { limit: 1 }, 413),
            (Reject::DecompressedTooLarge { limit: 1 }, 413),
            (Reject::MemoryTooLarge { limit: 1 }, 413),
            (Reject::StoredBatchTooLarge { limit: 1 }, 413),
            (Reject::BodyTimeout, 408),
            (Reject::MissingToken, 401),
            (Reject::InvalidToken(TokenError::BadSignature), 401),
            (Reject::InvalidToken(TokenError::Expired), 401),
            (Reject::InvalidToken(TokenError::WrongSite), 403),
            (Reject::ConsentRevoked, 403),
            (Reject::GpcOptOut, 403),
            (Reject::OriginNotAllowed, 403),
            (Reject::PurposeNotEnabled, 403),
            (Reject::WrongSite, 403),
            (Reject::UnsupportedContentType, 415),
            (Reject::UnsupportedEncoding, 415),
            (Reject::Malformed(MalformedKind::Body), 400),
            (Reject::Malformed(MalformedKind::Version), 400),
            (Reject::Malformed(MalformedKind::TooDeep), 400),
            (Reject::Busy { retry_after: Duration::from_secs(1) }, 503),
            (Reject::Unavailable { retry_after: Duration::from_secs(2) }, 503),
        ];
        for (reject, status) in cases {
            assert_eq!(reject.status().as_u16(), status, "{reject}");
            let response = reject.error_response();
            let has_retry_after = response.headers().contains_key(RETRY_AFTER);
            assert_eq!(has_retry_after, matches!(status, 429 | 503), "{reject}");
        }
    }
}
