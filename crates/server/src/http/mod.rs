//! The HTTP surface: routes, shared state, the metrics middleware. Handlers
//! live one concern per file; browser-facing handlers come from the
//! `veil-ingest` crate.

mod health;
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
}

/// Mounts every route.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .default_service(web::to(not_found));
}

async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::not_found("no such endpoint"))
}
