//! The HTTP surface: routes, shared state, the metrics middleware. Handlers
//! live one concern per file; browser-facing handlers come from the
//! `veil-ingest` crate.

mod audit;
pub mod auth;
mod console;
mod console_assets;
pub mod console_session;
pub mod csv;
pub(crate) mod dates;
pub mod demo_site;
pub mod edge;
mod embedded;
pub mod forms;
mod health;
mod heatmaps;
pub mod insights;
mod observe;
mod openapi;
mod sdk;
mod segments;
mod sessions;
mod sites;
mod stream;
pub mod throttle;
mod visitors;

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
    /// Masking rules by site, for analysts' notes on PII reports.
    pub masking: std::collections::HashMap<String, Arc<veil_masking::MaskingRules>>,
    /// Erasures and the access log.
    pub privacy: Arc<crate::privacy::Privacy>,
}

/// `400 bad_request`.
pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(actix_web::http::StatusCode::BAD_REQUEST, "bad_request", message)
}

/// `503 unavailable` for a store failure, logged (without request data).
pub(crate) fn unavailable(error: veil_store::StoreError) -> ApiError {
    tracing::warn!(%error, "query failed");
    ApiError::new(
        actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "the store cannot answer right now; retry later",
    )
}

/// The page key a `page=` parameter names: page keys are normalised URLs
/// and normalising is idempotent, so a raw page URL finds its page key's
/// data too; anything that is no URL is taken as is.
pub(crate) fn page_key_param(state: &AppState, site: &str, page: String) -> String {
    match state.page_keys.get(site) {
        Some(rules) => veil_aggregation::page_key(&page, rules).unwrap_or(page),
        None => page,
    }
}

/// `device=` of the aggregate queries: its label, and the store's filter
/// (`""` for all devices, the default).
pub(crate) fn device_filter(device: Option<&str>) -> Result<(&'static str, &'static str), ApiError> {
    let (label, device) = device_param(device, "all")?;
    Ok((label, device.map_or("", veil_store::rows::Device::as_str)))
}

/// A `device` query parameter (`all` when absent, or `default`): its name
/// and the device class, `None` for all.
pub(crate) fn device_param(
    value: Option<&str>,
    default: &'static str,
) -> Result<(&'static str, Option<veil_store::rows::Device>), ApiError> {
    match value.unwrap_or(default) {
        "all" => Ok(("all", None)),
        name => veil_store::rows::Device::from_name(name)
            .map(|device| (device.as_str(), Some(device)))
            .ok_or_else(|| bad_request("device must be all, desktop, tablet or mobile")),
    }
}

/// The configured site, or `404`.
pub(crate) fn site_config<'a>(
    state: &'a AppState,
    site: &str,
) -> Result<&'a crate::config::SiteConfig, ApiError> {
    state.config.sites.iter().find(|s| s.id == site).ok_or_else(|| ApiError::not_found("no such site"))
}

/// The first day of a site's recordings still within `retention_days`:
/// reads never return older rows, even before retention removed them.
pub(crate) fn recording_horizon(site: &crate::config::SiteConfig) -> String {
    veil_store::retention::horizon(site.retention_days, crate::retention::today())
}

/// Mounts every route.
pub fn routes(config: &mut web::ServiceConfig) {
    demo_site::routes(config);
    config
        .service(
            web::resource("/healthz")
                .route(web::get().to(health::healthz))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/readyz").route(web::get().to(health::readyz)).default_service(web::to(get_only)),
        )
        .service(
            web::resource("/metrics")
                .route(web::get().to(health::metrics))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/sdk/veil.min.js")
                .route(web::get().to(sdk::recorder))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/console/login")
                .route(web::post().to(console::login))
                .default_service(web::to(post_only)),
        )
        .service(
            web::resource("/console/logout")
                .route(web::post().to(console::logout))
                .default_service(web::to(post_only)),
        )
        .service(
            web::resource("/console/me").route(web::get().to(console::me)).default_service(web::to(get_only)),
        )
        .service(
            web::resource("/console")
                .route(web::get().to(console_assets::serve))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/console/")
                .route(web::get().to(console_assets::serve))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/console/{file}")
                .route(web::get().to(console_assets::serve))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/sites").route(web::get().to(sites::list)).default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/snapshot")
                .route(web::get().to(sites::snapshot))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/heatmaps")
                .route(web::get().to(heatmaps::heatmap))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/forms")
                .route(web::get().to(forms::forms))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/insights")
                .route(web::get().to(insights::insights))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/pages")
                .route(web::get().to(heatmaps::pages))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/segments")
                .route(web::get().to(segments::list))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/sessions")
                .route(web::get().to(sessions::list))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/sessions/{session}/events")
                .route(web::get().to(sessions::events))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/sessions/{session}/report")
                .route(web::post().to(sessions::report))
                .default_service(web::to(post_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/sessions/{session}/review")
                .route(web::post().to(sessions::review))
                .default_service(web::to(post_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/reports")
                .route(web::get().to(sessions::pending_reports))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/visitors/{visitor}")
                .route(web::delete().to(visitors::erase))
                .default_service(web::to(delete_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/visitors/{visitor}/export")
                .route(web::get().to(visitors::export))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/sites/{site}/consents")
                .route(web::get().to(audit::consents))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/openapi.json")
                .route(web::get().to(openapi::serve))
                .default_service(web::to(get_only)),
        )
        .service(
            web::resource("/v1/audit")
                .route(web::get().to(audit::entries))
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

/// Other methods on read-only resources: `405` with `Allow`, not the
/// `404` of a path that does not exist.
async fn get_only() -> actix_web::HttpResponse {
    method_not_allowed("GET")
}

/// Other methods on action resources.
async fn post_only() -> actix_web::HttpResponse {
    method_not_allowed("POST")
}

/// Other methods on erasure resources.
async fn delete_only() -> actix_web::HttpResponse {
    method_not_allowed("DELETE")
}

pub(crate) fn method_not_allowed(allow: &'static str) -> actix_web::HttpResponse {
    let error = ApiError::new(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("this endpoint takes {allow}"),
    );
    let mut response = actix_web::ResponseError::error_response(&error);
    response
        .headers_mut()
        .insert(actix_web::http::header::ALLOW, actix_web::http::header::HeaderValue::from_static(allow));
    response
}

async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::not_found("no such endpoint"))
}
