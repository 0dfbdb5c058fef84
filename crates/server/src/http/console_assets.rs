//! The console's files (issue 8), embedded in the binary: `/console` is the
//! single-page app, `/console/<file>` its scripts and styles. Built from
//! `crates/server/console/` and committed, so Veil works offline and needs
//! no CDN; a test fails when `dist/` holds a file not listed here.

use actix_web::{HttpRequest, HttpResponse, web};

macro_rules! asset {
    ($name:literal, $type:literal) => {
        ($name, $type, include_bytes!(concat!("../../console/dist/", $name)) as &[u8])
    };
}

/// Every file of `console/dist/`: name, content type, bytes.
pub const ASSETS: &[(&str, &str, &[u8])] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("console.js", "text/javascript; charset=utf-8"),
    asset!("console.css", "text/css; charset=utf-8"),
    asset!("player.js", "text/javascript; charset=utf-8"),
    asset!("replayer.js", "text/javascript; charset=utf-8"),
];

/// What the console's pages may load and do: only Veil's own files and
/// API; replays render recorded pages in sandboxed frames whose scripts
/// never run, and recorded images may come from anywhere (or `data:`).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src * data: blob:; style-src 'self' 'unsafe-inline'; \
     font-src * data:; frame-src 'self' blob: data:; script-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// `GET /console`, `GET /console/`, `GET /console/{file}`.
pub async fn serve(request: HttpRequest, file: Option<web::Path<String>>) -> HttpResponse {
    let name = file.map(|f| f.into_inner()).filter(|f| !f.is_empty()).unwrap_or_else(|| "index.html".into());
    let Some((_, content_type, bytes)) = ASSETS.iter().find(|(n, _, _)| *n == name) else {
        return actix_web::ResponseError::error_response(&veil_ingest::ApiError::not_found(
            "no such console file",
        ));
    };
    super::embedded::respond(
        &request,
        bytes,
        content_type,
        &[
            ("Cache-Control", "no-cache"),
            ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
            ("Referrer-Policy", "no-referrer"),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::ASSETS;

    #[test]
    fn every_built_file_is_served() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("console/dist");
        let mut built: Vec<String> = std::fs::read_dir(&dir)
            .expect("console/dist exists")
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        built.sort();
        let mut served: Vec<String> = ASSETS.iter().map(|(name, _, _)| (*name).to_owned()).collect();
        served.sort();
        assert_eq!(built, served, "console/dist and console_assets::ASSETS differ");
    }
}
