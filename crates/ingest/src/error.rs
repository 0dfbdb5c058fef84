//! The one error body of every Veil endpoint (SPEC §4):
//! `{"error": {"code": "snake_case", "message": "…"}}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// An error answer: status, stable machine code, human message. Messages
/// must never contain request data (it may be personal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable `snake_case` code clients may branch on.
    pub code: &'static str,
    /// What happened, for people.
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    /// An error with the given status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    /// `404 not_found`.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// The JSON body alone, for answers that carry more than the error.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({"error": {"code": self.code, "message": self.message}})
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status)
            .json(Body { error: Inner { code: self.code, message: &self.message } })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    #[test]
    fn body_has_the_spec_shape() {
        let error = ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "over 1 MiB");
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let bytes = response.into_body().try_into_bytes().expect("sized body");
        let value: serde_json::Value =
            serde_json::from_str(std::str::from_utf8(&bytes).expect("UTF-8")).expect("JSON");
        assert_eq!(value, serde_json::json!({"error": {"code": "body_too_large", "message": "over 1 MiB"}}));
    }
}
