//! The npm package works as sdk-js/README.md says (issue 14): `npm pack`
//! in a clean checkout of `sdk-js/` builds and packs the ES module, its
//! declarations and the script bundle; a fresh project installs the
//! tarball (dependencies from the npm registry), type-checks and bundles
//! an entry importing `@veil/recorder` with esbuild; that bundle, on a
//! page of an allowed origin in Debian's Chromium, records into a real
//! `veil serve` on a real ClickHouse once the visitor consents.
//! `tests/browser/package.mjs` does the npm and browser side.
//!
//! Needs network access to the npm registry, `chromium`, and the node
//! packages of `sdk-js/` and `tests/browser/` (`deploy/local/test.sh`
//! installs them); without them this test fails saying so.

#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use common::browser::{Driver, check_prerequisites};
use common::{ANALYST_KEY, api, server_with_keys_for, wait_for_query};
use veil_test_support::{TempDir, repo_root};

/// Serves `/package.html`, which loads the site's own `/bundle.js` (read
/// when asked for, once the driver has built it), from the listener's
/// origin.
fn serve_page(listener: TcpListener, veil_url: &str, bundle: PathBuf) {
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Veil package test</title>\
         <link rel=\"icon\" href=\"data:,\"></head>\
         <body><h1>A site bundling @veil/recorder</h1>\
         <button id=\"buy\" onclick=\"document.title = 'Bought'\">Buy</button>\
         <script>window.VEIL_ENDPOINT = \"{veil_url}\";</script><script src=\"/bundle.js\"></script>\
         </body></html>"
    );
    common::browser::serve(listener, move |path| {
        if path.starts_with("/package.html") {
            Some(("text/html", page.clone().into_bytes()))
        } else if path.starts_with("/bundle.js") {
            Some(("text/javascript", std::fs::read(&bundle).unwrap_or_default()))
        } else {
            None
        }
    });
}

#[test]
fn a_site_bundling_the_packed_tarball_records_after_consent() {
    check_prerequisites();
    let sdk = repo_root().join("sdk-js");
    assert!(
        sdk.join("node_modules/esbuild").is_dir() && sdk.join("node_modules/typescript").is_dir(),
        "sdk-js/node_modules is missing: run deploy/local/test.sh, or (cd sdk-js && npm ci)"
    );
    let work = TempDir::new("npm-package");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let (db, veil) = server_with_keys_for(&origin, &[]);
    serve_page(listener, veil.base_url(), work.path().join("app/bundle.js"));
    let page_url = format!("{origin}/package.html");
    let mut driver = Driver::start(
        "package.mjs",
        &[work.path().to_str().unwrap(), sdk.to_str().unwrap(), &page_url, veil.base_url()],
    );

    // The tarball carries the build that `npm pack` made (prepack), and
    // nothing of the sources or the server's compressed copies.
    let packed = driver.phase("packed");
    let files: Vec<&str> = packed["files"].as_array().unwrap().iter().filter_map(|f| f.as_str()).collect();
    for needed in [
        "package/package.json",
        "package/README.md",
        "package/dist/veil.mjs",
        "package/dist/veil.min.js",
        "package/dist/veil.d.ts",
        "package/dist/types/index.d.ts",
        "package/dist/types/options.d.ts",
    ] {
        assert!(files.contains(&needed), "{needed} is not in the tarball: {files:?}");
    }
    assert!(
        !files.iter().any(|f| f.starts_with("package/src/") || f.ends_with(".gz") || f.ends_with(".br")),
        "{files:?}"
    );
    driver.go_on();
    driver.phase("bundled");
    driver.go_on();

    // The page's own bundle talks to Veil; it never loads the script tag
    // bundle and defines no global.
    let recorded = driver.phase("recorded");
    let requests: Vec<&str> =
        recorded["requests"].as_array().unwrap().iter().filter_map(|r| r.as_str()).collect();
    assert!(requests.contains(&"POST /v1/consent"), "{requests:?}");
    assert!(requests.contains(&"POST /v1/ingest"), "{requests:?}");
    assert!(!requests.iter().any(|r| r.contains("/sdk/")), "{requests:?}");
    assert_eq!(recorded["hasGlobal"], false, "the ES module set window.veil");
    wait_for_query(&db, "SELECT count() > 0 FROM recordings", "1", Duration::from_secs(15));
    wait_for_query(&db, "SELECT sumMerge(clicks) >= 1 FROM heatmap_clicks", "1", Duration::from_secs(15));
    // The sessions index is the last table a shipment writes: a list read
    // as soon as the recordings are in may not see the session yet.
    wait_for_query(&db, "SELECT count() > 0 FROM session_index", "1", Duration::from_secs(15));
    let sessions = api(&veil, "GET", "/v1/sites/demo/sessions", Some(ANALYST_KEY), b"").json();
    assert_eq!(sessions["total"], 1, "{sessions}");
    driver.go_on();
}
