//! The errors of this crate.
//!
//! Batches carry visitors' personal data, and error messages end up in logs
//! and HTTP answers, so no message here ever contains a value taken from the
//! input: only field names, limits, positions and fixed descriptions.

use std::fmt;

/// The wire format a batch was read from; named in [`DecodeError::Malformed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `application/json`.
    Json,
    /// `application/msgpack`, what the recorder sends.
    MsgPack,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Json => "JSON",
            Format::MsgPack => "MessagePack",
        })
    }
}

/// Why an untrusted body was refused. Every variant but
/// [`DecodeError::MemoryBusy`] is a permanent client error (SPEC §4: `400`,
/// or `413` for [`DecodeError::TooLarge`]); none of those is worth retrying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes are not valid JSON or MessagePack, or use a construct the
    /// model does not carry (non-string map keys, duplicate keys, extension
    /// types). `detail` is written by this crate and never quotes the input.
    #[error("malformed {format} body: {detail}")]
    Malformed {
        /// Which codec found the problem.
        format: Format,
        /// What is wrong, without any input value.
        detail: String,
    },
    /// Containers nested deeper than the cap; a guard for the decoder's
    /// stack (SPEC §4: deeper than 512 levels is refused).
    #[error("nesting deeper than {limit} levels")]
    DepthExceeded {
        /// The cap that was exceeded, counted from the document root.
        limit: usize,
    },
    /// The envelope's `v` is not a version this crate reads.
    #[error("unsupported batch version {0}")]
    UnsupportedVersion(u64),
    /// A known field is missing, duplicated, of the wrong type or invalid.
    #[error("invalid field `{field}`: {reason}")]
    InvalidField {
        /// Dotted path of the field, e.g. `page.url` or `event.timestamp`.
        field: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
    /// More events in one batch (or array) than one request may carry.
    #[error("more than {limit} events in one batch")]
    TooManyEvents {
        /// The per-batch maximum.
        limit: usize,
    },
    /// Bytes follow the end of the document: a framing error or an attempt
    /// to smuggle data past validation.
    #[error("trailing bytes after the end of the document")]
    TrailingBytes,
    /// Decoding would hold more memory than one request may
    /// ([`crate::budget`]): the body is legal but too big once decoded.
    #[error("the decoded batch would need more than {limit} bytes of memory")]
    TooLarge {
        /// The per-request memory limit.
        limit: usize,
    },
    /// The process's decode memory is held by other requests; the same
    /// body may succeed later.
    #[error("the server's decode memory is in use; retry later")]
    MemoryBusy,
    /// The envelope's `site` is not the one the caller expected (the
    /// site of the consent token), found as soon as the field was read.
    #[error("the batch's site is not the token's site")]
    UnexpectedSite,
}

impl From<crate::budget::BudgetError> for DecodeError {
    fn from(error: crate::budget::BudgetError) -> Self {
        match error {
            crate::budget::BudgetError::OverLimit { limit } => DecodeError::TooLarge { limit },
            crate::budget::BudgetError::PoolExhausted { .. } => DecodeError::MemoryBusy,
        }
    }
}

impl DecodeError {
    /// A stable snake_case code for error bodies and metric labels
    /// (SPEC §4: `{"error": {"code": …}}`).
    pub fn code(&self) -> &'static str {
        match self {
            DecodeError::Malformed { .. } => "malformed_body",
            DecodeError::DepthExceeded { .. } => "nesting_too_deep",
            DecodeError::UnsupportedVersion(_) => "unsupported_version",
            DecodeError::InvalidField { .. } => "invalid_field",
            DecodeError::TooManyEvents { .. } => "too_many_events",
            DecodeError::TrailingBytes => "trailing_bytes",
            DecodeError::TooLarge { .. } => "decoded_too_large",
            DecodeError::MemoryBusy => "server_busy",
            DecodeError::UnexpectedSite => "wrong_site",
        }
    }

    pub(crate) fn malformed(format: Format, detail: impl Into<String>) -> Self {
        DecodeError::Malformed { format, detail: detail.into() }
    }

    pub(crate) fn field(field: &'static str, reason: &'static str) -> Self {
        DecodeError::InvalidField { field, reason }
    }
}

/// Encoding the model failed. Encoding our own types cannot fail for JSON
/// or MessagePack written to memory, so this only surfaces codec bugs; it
/// is an error rather than a panic because the data came from outside.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// serde_json refused the value.
    #[error("JSON encoding failed: {0}")]
    Json(#[from] serde_json::Error),
    /// rmp-serde refused the value.
    #[error("MessagePack encoding failed: {0}")]
    MsgPack(#[from] rmp_serde::encode::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_fields_not_values() {
        let e = DecodeError::field("page.url", "must be a string");
        assert_eq!(e.to_string(), "invalid field `page.url`: must be a string");
        let e = DecodeError::malformed(Format::MsgPack, "unexpected end of input");
        assert_eq!(e.to_string(), "malformed MessagePack body: unexpected end of input");
    }

    #[test]
    fn codes_are_snake_case_and_distinct() {
        let all = [
            DecodeError::malformed(Format::Json, "x"),
            DecodeError::DepthExceeded { limit: 1 },
            DecodeError::UnsupportedVersion(2),
            DecodeError::field("v", "missing"),
            DecodeError::TooManyEvents { limit: 1 },
            DecodeError::TrailingBytes,
            DecodeError::TooLarge { limit: 1 },
            DecodeError::MemoryBusy,
            DecodeError::UnexpectedSite,
        ];
        let mut codes: Vec<_> = all.iter().map(DecodeError::code).collect();
        assert!(codes.iter().all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }
}
