//! Counts and times every request by matched route, method and status.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{Error, web};

use super::AppState;

/// Label for requests that matched no route: raw paths would let any
/// client create unbounded label values.
const UNMATCHED: &str = "unmatched";

/// The middleware (`App::wrap(from_fn(observe))`).
pub async fn observe(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let state = request.app_data::<web::Data<AppState>>().cloned();
    let method = method_label(request.method());
    let result = next.call(request).await;
    if let Some(state) = state {
        let (route, status) = match &result {
            Ok(response) => (
                response.request().match_pattern().unwrap_or_else(|| UNMATCHED.to_owned()),
                response.status(),
            ),
            Err(error) => (UNMATCHED.to_owned(), error.as_response_error().status_code()),
        };
        let labels = [route.as_str(), method, status.as_str()];
        state.metrics.http_requests.with_label_values(&labels).inc();
        state.metrics.http_duration.with_label_values(&labels).observe(started.elapsed().as_secs_f64());
    }
    result
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
