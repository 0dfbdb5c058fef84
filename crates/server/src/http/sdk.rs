//! `GET /sdk/veil.min.js`: the recorder, served by Veil itself so a site
//! needs no CDN and the data never touches a third party (SPEC §10). The
//! bundle is built from `sdk-js/` and committed; the binary embeds it, so
//! what a site loads is exactly what this build was tested with.

use actix_web::{HttpRequest, HttpResponse};

/// The minified recorder (an IIFE defining `window.veil`).
pub const RECORDER: &[u8] = include_bytes!("../../../../sdk-js/dist/veil.min.js");

/// `GET /sdk/veil.min.js`.
pub async fn recorder(request: HttpRequest) -> HttpResponse {
    super::embedded::respond(
        &request,
        RECORDER,
        "text/javascript; charset=utf-8",
        &[
            // Short, so a Veil upgrade reaches pages within the hour; any
            // site may load it (the data endpoints check origins themselves).
            ("Cache-Control", "public, max-age=3600"),
            ("Access-Control-Allow-Origin", "*"),
        ],
    )
}
