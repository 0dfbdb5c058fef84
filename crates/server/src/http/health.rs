//! Liveness, readiness and the metrics endpoint (SPEC §9).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::AppState;

/// Alive: the process answers HTTP. Never depends on ClickHouse.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Ready to take traffic, or 503 with the reason.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.readiness.check() {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Err(reason) => HttpResponse::build(StatusCode::SERVICE_UNAVAILABLE)
            .insert_header(("Retry-After", "1"))
            .json(json!({
                "status": "not_ready",
                "error": {"code": reason.code, "message": reason.message},
            })),
    }
}

/// Prometheus text exposition.
pub async fn metrics(
    state: web::Data<AppState>,
    ingest: web::Data<veil_ingest::IngestState>,
) -> HttpResponse {
    state.metrics.store.observe_queue(&ingest.queue.stats());
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(state.metrics.render())
}
