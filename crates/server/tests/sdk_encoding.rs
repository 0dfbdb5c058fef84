//! `/sdk/veil.min.js` in every form the real server sends (issue 14): the
//! brotli and gzip files the sdk-js build writes, chosen by the request's
//! `Accept-Encoding`, decode to exactly the identity bytes; each form has
//! its own ETag and revalidates with `304`; caches are told to vary.

#![allow(missing_docs, clippy::unwrap_used, clippy::disallowed_methods)]

mod common;

use std::io::Read;

use common::migrated_server;
use veil_test_support::{Response, VeilProcess, repo_root};

fn fetch(veil: &VeilProcess, headers: &[(&str, &str)]) -> Response {
    let response = veil.request("GET", "/sdk/veil.min.js", headers, b"");
    assert_eq!(response.status, 200, "{headers:?}");
    assert_eq!(response.header("vary"), Some("Accept-Encoding"), "{headers:?}");
    assert!(response.header("content-type").unwrap().starts_with("text/javascript"));
    response
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("a gzip stream");
    out
}

/// The server crate reaches brotli through veil-archive only, whose chunk
/// reader is a plain brotli stream behind a four-byte prefix.
fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let chunk = [veil_archive::CHUNK_MAGIC.as_slice(), bytes].concat();
    veil_archive::inflate_chunk(&chunk, 1 << 24).expect("a brotli stream")
}

#[test]
fn the_recorder_is_sent_compressed_when_accepted_and_each_form_decodes_to_the_bundle() {
    let (_db, veil) = migrated_server();
    let bundle = std::fs::read(repo_root().join("sdk-js/dist/veil.min.js")).unwrap();

    let identity = fetch(&veil, &[]);
    assert_eq!(identity.header("content-encoding"), None);
    assert_eq!(identity.body, bundle, "the served recorder is the committed build");

    // What Chromium sends: brotli.
    let brotli = fetch(&veil, &[("Accept-Encoding", "gzip, deflate, br, zstd")]);
    assert_eq!(brotli.header("content-encoding"), Some("br"));
    assert_eq!(unbrotli(&brotli.body), bundle);
    assert!(brotli.body.len() * 3 < bundle.len(), "{} bytes of brotli", brotli.body.len());

    let gzip = fetch(&veil, &[("Accept-Encoding", "gzip, deflate")]);
    assert_eq!(gzip.header("content-encoding"), Some("gzip"));
    assert_eq!(gunzip(&gzip.body), bundle);
    assert!(brotli.body.len() < gzip.body.len() && gzip.body.len() * 2 < bundle.len());

    // q=0 excludes, and nothing is compressed twice on the way out.
    let refused = fetch(&veil, &[("Accept-Encoding", "br;q=0, gzip")]);
    assert_eq!(refused.header("content-encoding"), Some("gzip"));
    assert_eq!(refused.body, gzip.body);
    let plain = fetch(&veil, &[("Accept-Encoding", "br;q=0, gzip;q=0, deflate")]);
    assert_eq!((plain.header("content-encoding"), &plain.body), (None, &bundle));

    // One ETag per form; each revalidates for its own form only.
    let tags: Vec<&str> = [&identity, &brotli, &gzip].iter().map(|r| r.header("etag").unwrap()).collect();
    assert!(tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2], "{tags:?}");
    for (tag, accept) in tags.iter().zip(["identity", "br", "gzip"]) {
        let again = veil.request(
            "GET",
            "/sdk/veil.min.js",
            &[("Accept-Encoding", accept), ("If-None-Match", tag)],
            b"",
        );
        assert_eq!((again.status, again.body.len()), (304, 0), "{accept}");
        assert_eq!(again.header("etag"), Some(*tag));
        assert_eq!(again.header("vary"), Some("Accept-Encoding"));
    }
    let other = veil.request(
        "GET",
        "/sdk/veil.min.js",
        &[("Accept-Encoding", "gzip"), ("If-None-Match", tags[1])],
        b"",
    );
    assert_eq!(other.status, 200, "a brotli ETag must not validate the gzip form");
    assert_eq!(other.header("content-encoding"), Some("gzip"));
}

#[test]
fn the_committed_compressed_files_are_the_bundle() {
    // What the binary embeds, checked without a server: a stale .gz or .br
    // next to a rebuilt veil.min.js would serve an old recorder.
    let dist = repo_root().join("sdk-js/dist");
    let bundle = std::fs::read(dist.join("veil.min.js")).unwrap();
    assert_eq!(gunzip(&std::fs::read(dist.join("veil.min.js.gz")).unwrap()), bundle);
    assert_eq!(unbrotli(&std::fs::read(dist.join("veil.min.js.br")).unwrap()), bundle);
}
