//! `GET /v1/openapi.json` (SPEC §9): the OpenAPI 3.1 description of every
//! endpoint. It is a committed JSON file, not generated from the handlers,
//! so a change to it is reviewed like any contract change; it is embedded
//! in the binary, so what a server describes is what that build serves.
//!
//! Three checks keep it true: the unit tests below compare its paths and
//! methods with the routes this crate and `veil-ingest` register, and with
//! the paths the console's API client calls; `tests/openapi.rs` runs
//! schemathesis against a real server and fails on any 5xx or any answer
//! that its description does not allow.

use actix_web::{HttpRequest, HttpResponse};

/// The description, as committed.
pub const SPEC: &[u8] = include_bytes!("openapi.json");

/// `GET /v1/openapi.json`: public (it describes, and holds no data), with
/// the same strong ETag as the other embedded files.
pub async fn serve(request: HttpRequest) -> HttpResponse {
    super::embedded::respond(
        &request,
        SPEC,
        "application/json",
        &[("Cache-Control", "public, max-age=3600"), ("Access-Control-Allow-Origin", "*")],
    )
}

/// The body of the `routes` function in `source` (empty when it has none).
#[cfg(test)]
fn routes_body(source: &str) -> &str {
    let Some(start) = source.find("pub fn routes(") else { return "" };
    let body = &source[start..];
    &body[..body.find("\n}\n").unwrap_or(body.len())]
}

/// Every `(method, path)` a `routes` function body registers (lower-case
/// methods, actix path syntax, which is OpenAPI's). Read from the source
/// rather than from a running app because building the app needs a store;
/// the patterns are the three the route tables use: `.route("/p",
/// web::get()…)`, `web::resource("/p")…​.route(web::post()…)`, and
/// `get_resource("/p", …)` (a GET resource helper).
#[cfg(test)]
fn registered_routes(body: &str) -> Vec<(String, String)> {
    let pattern = regex::Regex::new(
        r#"get_resource\(\s*"([^"]+)"|web::resource\(\s*"([^"]+)"\s*\)|\.route\(\s*"([^"]+)"\s*,\s*web::(\w+)\(|\.route\(\s*web::(\w+)\(\s*(?:actix_web::http::)?(?:Method::(\w+))?"#,
    )
    .expect("a valid pattern");
    let mut current: Option<String> = None;
    let mut found = Vec::new();
    for capture in pattern.captures_iter(body) {
        if let Some(path) = capture.get(1) {
            found.push(("get".to_owned(), path.as_str().to_owned()));
        } else if let Some(resource) = capture.get(2) {
            current = Some(resource.as_str().to_owned());
        } else if let (Some(path), Some(method)) = (capture.get(3), capture.get(4)) {
            found.push((method.as_str().to_ascii_lowercase(), path.as_str().to_owned()));
        } else if let (Some(method), Some(path)) = (capture.get(5), current.as_ref()) {
            let method = match (method.as_str(), capture.get(6)) {
                ("method", Some(named)) => named.as_str().to_ascii_lowercase(),
                (method, _) => method.to_ascii_lowercase(),
            };
            found.push((method, path.clone()));
        }
    }
    found
}

/// Sibling modules whose `routes` a `routes` function body calls
/// (`demo_site::routes(config)`), so their routes count too.
#[cfg(test)]
fn mounted_modules(body: &str) -> Vec<String> {
    let pattern = regex::Regex::new(r"(\w+)::routes\(\s*config\s*\)").expect("a valid pattern");
    pattern.captures_iter(body).map(|c| c[1].to_owned()).collect()
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    fn spec() -> serde_json::Value {
        serde_json::from_slice(SPEC).expect("openapi.json is JSON")
    }

    fn documented() -> Vec<(String, String)> {
        let spec = spec();
        let mut found = Vec::new();
        for (path, item) in spec["paths"].as_object().expect("paths") {
            for method in METHODS {
                if item.get(method).is_some() {
                    found.push((method.to_owned(), path.clone()));
                }
            }
        }
        found.sort();
        found
    }

    /// The routes of `veil serve`: this crate's `http::routes` with the
    /// modules it mounts, and `veil_ingest::routes`.
    fn registered() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = |path: &std::path::Path| {
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        let http = root.join("src/http");
        let mut files = vec![http.join("mod.rs"), root.join("../ingest/src/lib.rs")];
        let mut routes = Vec::new();
        while let Some(file) = files.pop() {
            let source = read(&file);
            let body = routes_body(&source);
            routes.extend(registered_routes(body));
            files.extend(mounted_modules(body).iter().map(|module| http.join(format!("{module}.rs"))));
        }
        routes.sort();
        routes.dedup();
        routes
    }

    #[test]
    fn the_route_reader_sees_both_patterns() {
        let routes = registered();
        for expected in [("get", "/healthz"), ("post", "/v1/ingest"), ("options", "/v1/ingest")] {
            assert!(
                routes.contains(&(expected.0.to_owned(), expected.1.to_owned())),
                "{expected:?}: {routes:?}"
            );
        }
        assert!(routes.len() > 25, "{routes:?}");
    }

    #[test]
    fn every_registered_route_is_documented_and_nothing_else() {
        let (registered, documented) = (registered(), documented());
        let missing: Vec<_> = registered.iter().filter(|r| !documented.contains(r)).collect();
        let stale: Vec<_> = documented.iter().filter(|d| !registered.contains(d)).collect();
        assert!(missing.is_empty(), "routes missing from openapi.json: {missing:?}");
        assert!(stale.is_empty(), "openapi.json documents routes the server does not have: {stale:?}");
    }

    #[test]
    fn the_description_is_openapi_3_1_with_refs_that_resolve() {
        let spec = spec();
        assert_eq!(spec["openapi"], "3.1.0");
        let text = String::from_utf8_lossy(SPEC);
        let refs = regex::Regex::new(r##""\$ref": "#/([^"]+)""##).expect("a valid pattern");
        for capture in refs.captures_iter(&text) {
            let pointer = format!("/{}", &capture[1]);
            assert!(spec.pointer(&pointer).is_some(), "unresolved $ref {pointer}");
        }
        // Every operation says how to authenticate (an empty list: public)
        // and answers documented errors with the SPEC's error body.
        for (path, item) in spec["paths"].as_object().expect("paths") {
            for method in METHODS {
                let Some(operation) = item.get(method) else { continue };
                assert!(operation.get("security").is_some(), "{method} {path}: no security");
                assert!(operation.get("operationId").is_some(), "{method} {path}: no operationId");
            }
        }
    }

    /// The console's API client (`console/src/api.ts`) calls only
    /// documented operations: each `json<…>("METHOD", "path"…)` and
    /// `send("METHOD", …)` call, with `${…}` segments as parameters.
    #[test]
    fn every_console_call_is_documented() {
        let client = include_str!("../../console/src/api.ts");
        let call =
            regex::Regex::new(r#"(?:json<[^>]*(?:<[^>]*>)?[^>]*>|send)\(\s*"([A-Z]+)",\s*[`"]([^`"]+)[`"]"#)
                .expect("a valid pattern");
        let segment = regex::Regex::new(r"\$\{[^}]*\}").expect("a valid pattern");
        let spec = spec();
        let paths = spec["paths"].as_object().expect("paths");
        let templates: Vec<(regex::Regex, &serde_json::Value)> = paths
            .iter()
            .map(|(path, item)| {
                let pattern = regex::Regex::new(r"\\\{[^}]+\\\}").expect("a valid pattern");
                let exact = pattern.replace_all(&regex::escape(path), "[^/]+").into_owned();
                (regex::Regex::new(&format!("^{exact}$")).expect("a valid path pattern"), item)
            })
            .collect();
        let mut calls = 0;
        for capture in call.captures_iter(client) {
            let method = capture[1].to_ascii_lowercase();
            let path = segment.replace_all(&capture[2], "x").into_owned();
            let found = templates
                .iter()
                .any(|(pattern, item)| pattern.is_match(&path) && item.get(&method).is_some());
            assert!(found, "the console calls {method} {} which openapi.json does not document", &capture[2]);
            calls += 1;
        }
        assert!(calls >= 15, "only {calls} calls found in api.ts: the pattern no longer matches it");
        // The download links it builds, too.
        for url in ["/v1/sites/x/visitors/x/export", "/v1/audit", "/v1/sites/x/consents"] {
            assert!(templates.iter().any(|(p, item)| p.is_match(url) && item.get("get").is_some()), "{url}");
        }
    }
}
