//! Limits at the edge, before any handler (issue 17): a deadline on every
//! request body and a cap on the requests one client address has in
//! flight. Without them, connections that send headers and then stall
//! mid-body held their buffers for as long as they stayed open (40 such
//! connections: ~92 MB), and one address could open as many as it liked.
//! Header deadlines are actix's `client_request_timeout` (408 too).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError, web};
use futures_util::StreamExt;
use veil_ingest::ApiError;

/// The edge's settings and the in-flight counts, shared by every worker.
#[derive(Debug)]
pub struct EdgeLimits {
    body_deadline: Duration,
    max_per_client: u32,
    in_flight: Mutex<HashMap<IpAddr, u32>>,
}

impl EdgeLimits {
    /// A body must arrive within `body_deadline`; a client may have
    /// `max_per_client` requests in flight (0: no limit).
    pub fn new(body_deadline: Duration, max_per_client: u32) -> EdgeLimits {
        EdgeLimits { body_deadline, max_per_client, in_flight: Mutex::default() }
    }

    /// Counts a request in, unless its client is at the limit.
    fn enter(&self, client: IpAddr) -> Option<InFlight<'_>> {
        let mut counts = self.in_flight.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = counts.entry(client).or_insert(0);
        if self.max_per_client > 0 && *count >= self.max_per_client {
            return None;
        }
        *count += 1;
        Some(InFlight { limits: self, client })
    }
}

/// One request in flight; counted out when dropped (answered, failed or
/// abandoned by its client).
struct InFlight<'a> {
    limits: &'a EdgeLimits,
    client: IpAddr,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut counts = self.limits.in_flight.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.client);
            }
        }
    }
}

/// The error a body stream yields once its deadline passed; handlers that
/// read bodies themselves answer it with 408 ([`is_body_timeout`]).
fn timed_out() -> PayloadError {
    PayloadError::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, "request body deadline passed"))
}

/// Whether a payload error is the body deadline.
pub fn is_body_timeout(error: &PayloadError) -> bool {
    matches!(error, PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut)
}

/// The middleware (`App::wrap(from_fn(edge::limit))`).
pub async fn limit(
    mut request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(limits) = request.app_data::<web::Data<EdgeLimits>>().cloned() else {
        return next.call(request).await.map(ServiceResponse::map_into_left_body);
    };
    let client = super::auth::client_address(request.request());
    let guard = match client {
        Some(client) => match limits.enter(client) {
            Some(guard) => Some(guard),
            None => {
                let mut response = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_requests_in_flight",
                    "this client already has too many requests in flight; retry when they are answered",
                )
                .error_response();
                response.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static("1"));
                return Ok(request.into_response(response).map_into_right_body());
            }
        },
        None => None,
    };
    let deadline = tokio::time::Instant::now() + limits.body_deadline;
    let payload = request.take_payload();
    let timed = futures_util::stream::unfold(Some(payload), move |state| async move {
        let mut payload = state?;
        match tokio::time::timeout_at(deadline, payload.next()).await {
            Ok(Some(chunk)) => Some((chunk, Some(payload))),
            Ok(None) => None,
            Err(_) => Some((Err(timed_out()), None)),
        }
    });
    let timed: std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<web::Bytes, PayloadError>>>> =
        Box::pin(timed);
    request.set_payload(Payload::from(timed));
    let response = next.call(request).await;
    drop(guard);
    response.map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_flight_requests_are_counted_per_client_and_released() {
        let limits = EdgeLimits::new(Duration::from_secs(1), 2);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let first = limits.enter(a).expect("first");
        let second = limits.enter(a).expect("second");
        assert!(limits.enter(a).is_none(), "third at once is refused");
        assert!(limits.enter(b).is_some(), "another client is not");
        drop(first);
        assert!(limits.enter(a).is_some(), "a slot came back");
        drop(second);
        assert!(limits.in_flight.lock().map(|m| m.is_empty()).unwrap_or(false), "nothing left behind");
    }

    #[test]
    fn zero_means_no_limit() {
        let limits = EdgeLimits::new(Duration::from_secs(1), 0);
        let a: IpAddr = [10, 0, 0, 1].into();
        let guards: Vec<_> = (0..1000).filter_map(|_| limits.enter(a)).collect();
        assert_eq!(guards.len(), 1000);
    }
}
