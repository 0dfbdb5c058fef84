//! The browser-facing HTTP handlers (SPEC §3 and §4): consent grants and
//! withdrawals, and batch ingest with its ordered checks (size, token,
//! decompression, decoding, purposes, masking, storage).
//!
//! The handlers are mounted by the `veil` server with [`routes`]; their
//! shared state is an [`IngestState`]. Everything refused is answered by
//! a [`Reject`] and counted by its code.

mod batch;
mod body;
pub mod browser;
pub mod client;
pub mod clock;
mod consent;
pub mod decompress;
mod error;
mod guard;
pub mod heatmap_rows;
pub mod heatmap_sessions;
pub mod metrics;
pub mod origin;
pub mod pipeline;
pub mod ratelimit;
mod reject;
pub mod revocations;
pub mod state;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{Next, from_fn};
use actix_web::{HttpRequest, HttpResponse, web};
use veil_queue::QueueError;
use veil_store::rows::QueuedRow;

pub use error::ApiError;
pub use metrics::IngestMetrics;
pub use reject::{MalformedKind, Reject};
pub use revocations::Revocations;
pub use state::{ErasureRequest, IngestSettings, IngestState, Limits, SitePolicy};

/// Mounts `/v1/consent`, `/v1/consent/withdraw` and `/v1/ingest` (with
/// their CORS preflights). Needs `web::Data<IngestState>` in the app.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/v1/consent")
                .wrap(from_fn(cors))
                .route(web::post().to(consent::grant))
                .route(web::method(actix_web::http::Method::OPTIONS).to(preflight))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/v1/consent/withdraw")
                .wrap(from_fn(cors))
                .route(web::post().to(consent::withdraw))
                .route(web::method(actix_web::http::Method::OPTIONS).to(preflight))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/v1/ingest")
                .wrap(from_fn(cors))
                .route(web::post().to(batch::ingest))
                .route(web::method(actix_web::http::Method::OPTIONS).to(preflight))
                .default_service(web::to(method_not_allowed)),
        );
}

/// Other methods on the browser-facing resources: 405 with the JSON body.
async fn method_not_allowed() -> HttpResponse {
    let error = ApiError::new(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint takes POST (and OPTIONS for CORS preflights)",
    );
    let mut response = actix_web::ResponseError::error_response(&error);
    response.headers_mut().insert(header::ALLOW, header::HeaderValue::from_static("POST, OPTIONS"));
    response
}

/// Answers a CORS preflight: allowed for any configured site's origin
/// (a preflight carries no site; the request itself is checked against
/// its site).
async fn preflight(request: HttpRequest, state: web::Data<IngestState>) -> Result<HttpResponse, Reject> {
    match origin::RequestOrigin::of(&request) {
        origin::RequestOrigin::Origin(origin) if state.all_origins.contains(&origin) => {
            Ok(HttpResponse::NoContent()
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS"))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, origin::ALLOWED_HEADERS))
                .finish())
        }
        _ => Err(Reject::OriginNotAllowed),
    }
}

/// Adds CORS headers to every answer (errors included, so the recorder can
/// read them) when the origin belongs to a configured site.
async fn cors(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let allowed =
        match (origin::RequestOrigin::of(request.request()), request.app_data::<web::Data<IngestState>>()) {
            (origin::RequestOrigin::Origin(origin), Some(state)) if state.all_origins.contains(&origin) => {
                Some(origin)
            }
            _ => None,
        };
    let mut response = next.call(request).await?;
    if let Some(origin) = allowed {
        for (name, value) in origin::cors_headers(&origin) {
            response.headers_mut().insert(name, value);
        }
    }
    Ok(response)
}

/// Counts a request's outcome.
fn count<T>(state: &IngestState, endpoint: &str, result: &Result<T, Reject>) {
    match result {
        Ok(_) => state.metrics.requests.with_label_values(&[endpoint, "accepted"]).inc(),
        Err(reject) => {
            state.metrics.requests.with_label_values(&[endpoint, "rejected"]).inc();
            state.metrics.rejections.with_label_values(&[endpoint, reject.code()]).inc();
        }
    }
}

/// Appends the rows of one request to the durable queue, as one record
/// (all or nothing); only `Ok` may be answered 2xx. The encoded record is
/// charged to the request's `budget` while it waits for the disk.
async fn append(
    state: &IngestState,
    rows: &[QueuedRow],
    budget: &mut veil_events::Budget,
) -> Result<(), Reject> {
    let retry_after = state.settings.retry_after;
    let record = QueuedRow::encode_record(rows);
    budget.charge(record.len())?;
    match state.queue.append(record).await {
        Ok(()) => Ok(()),
        Err(QueueError::TooLarge { limit, .. }) => {
            Err(Reject::DecompressedTooLarge { limit: usize::try_from(limit).unwrap_or(usize::MAX) })
        }
        Err(error) => {
            tracing::warn!(%error, "cannot queue a row durably: answering 503");
            Err(Reject::Unavailable { retry_after })
        }
    }
}
