//! The HTTP surface: routes, shared state, the metrics middleware. Handlers
//! live one concern per file; browser-facing handlers come from the
//! `veil-ingest` crate.

pub mod auth;
pub(crate) mod dates;
mod health;
mod heatmaps;
mod observe;

use std::sync::Arc;

use actix_web::web;
use veil_ingest::ApiError;

use crate::metrics::Metrics;
use crate::readiness::Readiness;

pub use observe::observe;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Metrics to record into.
    pub metrics: Arc<Metrics>,
    /// Readiness, fed by the background probe.
    pub readiness: Arc<Readiness>,
    /// The validated configuration.
    pub config: Arc<crate::config::Config>,
    /// ClickHouse.
    pub store: veil_store::Store,
    /// Page key rules by site, to normalise the `page` parameter.
    pub page_keys: std::collections::HashMap<String, Arc<veil_aggregation::PageKeyRules>>,
}

/// Mounts every route.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .service(
            web::resource("/v1/sites/{site}/heatmaps")
                .route(web::get().to(heatmaps::heatmap))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/pages")
                .route(web::get().to(heatmaps::pages))
                .default_service(web::to(get_only)),
        )
        .default_service(web::to(not_found));
}

/// Malformed query strings answer with the JSON error body too.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _| {
        ApiError::new(actix_web::http::StatusCode::BAD_REQUEST, "bad_request", error.to_string()).into()
    })
}

/// Other methods on read-only resources.
async fn get_only() -> actix_web::HttpResponse {
    let error = ApiError::new(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint takes GET",
    );
    let mut response = actix_web::ResponseError::error_response(&error);
    response
        .headers_mut()
        .insert(actix_web::http::header::ALLOW, actix_web::http::header::HeaderValue::from_static("GET"));
    response
}

async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::not_found("no such endpoint"))
}
