//! `GET /sdk/veil.min.js`: the recorder, served by Veil itself so a site
//! needs no CDN and the data never touches a third party (SPEC §10). The
//! bundle is built from `sdk-js/` and committed; the binary embeds it, so
//! what a site loads is exactly what this build was tested with.
//!
//! The build also writes its brotli and gzip forms at their highest
//! quality, embedded here too: every page view of every site loads this
//! script, so the server sends the smallest form the browser accepts
//! (120 KB minified, 39 KB gzip, 35 KB brotli) without compressing
//! anything per request. No compression middleware wraps the app
//! (`commands/serve.rs`), so nothing compresses these bytes a second time.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

/// The minified recorder (an IIFE defining `window.veil`).
pub const RECORDER: &[u8] = include_bytes!("../../../../sdk-js/dist/veil.min.js");

/// [`RECORDER`] gzip-compressed (level 9) by the sdk-js build.
const RECORDER_GZIP: &[u8] = include_bytes!("../../../../sdk-js/dist/veil.min.js.gz");

/// [`RECORDER`] brotli-compressed (quality 11) by the sdk-js build.
const RECORDER_BROTLI: &[u8] = include_bytes!("../../../../sdk-js/dist/veil.min.js.br");

/// The forms of the recorder the server can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// `Content-Encoding: br`.
    Brotli,
    /// `Content-Encoding: gzip`.
    Gzip,
    /// No content coding.
    Identity,
}

impl Encoding {
    /// The embedded bytes of this form.
    fn bytes(self) -> &'static [u8] {
        match self {
            Encoding::Brotli => RECORDER_BROTLI,
            Encoding::Gzip => RECORDER_GZIP,
            Encoding::Identity => RECORDER,
        }
    }

    /// The `Content-Encoding` value, none for identity.
    fn header(self) -> Option<&'static str> {
        match self {
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
            Encoding::Identity => None,
        }
    }
}

/// A qvalue (RFC 9110 §12.4.2) in thousandths, or `None` when malformed:
/// an element with a malformed weight is ignored rather than guessed at.
fn qvalue(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0u16, |acc, digit| acc * 10 + u16::from(digit - b'0'));
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// The form to send for an `Accept-Encoding` header (RFC 9110 §12.5.3):
/// the highest weight wins, brotli before gzip before identity on a tie;
/// `q=0` excludes a coding, `*` stands for every coding not named. No
/// header, or nothing acceptable but identity, gives identity (sent even
/// when excluded: a script is better than a `406` for a page).
pub(crate) fn negotiate(accept_encoding: Option<&str>) -> Encoding {
    let Some(accept) = accept_encoding else { return Encoding::Identity };
    let (mut brotli, mut gzip, mut identity, mut any) = (None, None, None, None);
    for element in accept.split(',') {
        let mut parts = element.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut weight = Some(1000);
        for parameter in parts {
            if let Some((name, value)) = parameter.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                weight = qvalue(value.trim());
            }
        }
        let Some(weight) = weight else { continue };
        let slot = match coding.as_str() {
            "br" => &mut brotli,
            "gzip" | "x-gzip" => &mut gzip,
            "identity" => &mut identity,
            "*" => &mut any,
            _ => continue,
        };
        *slot = Some(weight);
    }
    let brotli = brotli.or(any).unwrap_or(0);
    let gzip = gzip.or(any).unwrap_or(0);
    // Identity, when not named, is acceptable but never preferred.
    let identity = identity.unwrap_or(0);
    if brotli > 0 && brotli >= gzip && brotli >= identity {
        Encoding::Brotli
    } else if gzip > 0 && gzip >= identity {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// `GET /sdk/veil.min.js`.
pub async fn recorder(request: HttpRequest) -> HttpResponse {
    let accept = request.headers().get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok());
    let encoding = negotiate(accept);
    super::embedded::respond_encoded(
        &request,
        encoding.bytes(),
        encoding.header(),
        "text/javascript; charset=utf-8",
        &[
            // Short, so a Veil upgrade reaches pages within the hour; any
            // site may load it (the data endpoints check origins themselves).
            ("Cache-Control", "public, max-age=3600"),
            ("Access-Control-Allow-Origin", "*"),
            // Caches must keep one copy per form, keyed by what was accepted.
            ("Vary", "Accept-Encoding"),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brotli_is_preferred_then_gzip_then_identity() {
        assert_eq!(negotiate(None), Encoding::Identity);
        assert_eq!(negotiate(Some("")), Encoding::Identity);
        assert_eq!(negotiate(Some("gzip, deflate, br, zstd")), Encoding::Brotli);
        assert_eq!(negotiate(Some("gzip, deflate")), Encoding::Gzip);
        assert_eq!(negotiate(Some("x-gzip")), Encoding::Gzip);
        assert_eq!(negotiate(Some("deflate, zstd")), Encoding::Identity);
        assert_eq!(negotiate(Some("identity")), Encoding::Identity);
        assert_eq!(negotiate(Some("*")), Encoding::Brotli);
        assert_eq!(negotiate(Some("BR;Q=1.000")), Encoding::Brotli);
    }

    #[test]
    fn weights_are_honoured() {
        assert_eq!(negotiate(Some("br;q=0, gzip")), Encoding::Gzip);
        assert_eq!(negotiate(Some("br;q=0.5, gzip;q=0.8")), Encoding::Gzip);
        assert_eq!(negotiate(Some("br ; q=0.9 , gzip ; q=0.9")), Encoding::Brotli);
        assert_eq!(negotiate(Some("br;q=0, gzip;q=0")), Encoding::Identity);
        assert_eq!(negotiate(Some("*;q=0")), Encoding::Identity);
        assert_eq!(negotiate(Some("*, br;q=0")), Encoding::Gzip);
        assert_eq!(negotiate(Some("gzip;q=0.1, identity;q=0.5")), Encoding::Identity);
        assert_eq!(negotiate(Some("br;q=0.001")), Encoding::Brotli);
        // A malformed weight drops its element, not the header.
        assert_eq!(negotiate(Some("br;q=2, gzip")), Encoding::Gzip);
        assert_eq!(negotiate(Some("br;q=0.5000, gzip;q=x")), Encoding::Identity);
    }

    #[test]
    fn qvalues_parse_as_the_grammar_says() {
        assert_eq!(qvalue("1"), Some(1000));
        assert_eq!(qvalue("1."), Some(1000));
        assert_eq!(qvalue("1.000"), Some(1000));
        assert_eq!(qvalue("0.5"), Some(500));
        assert_eq!(qvalue("0.05"), Some(50));
        assert_eq!(qvalue("0"), Some(0));
        assert_eq!(qvalue("1.001"), None);
        assert_eq!(qvalue("0.1234"), None);
        assert_eq!(qvalue("-0"), None);
        assert_eq!(qvalue(""), None);
    }
}
