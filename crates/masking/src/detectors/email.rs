//! `@email`: e-mail addresses, also percent-encoded (`jane%40example.com`
//! in URLs) and with non-ASCII letters (`jürgen@müller.de`).
//!
//! The domain needs a dot and an alphabetic top-level label. Refused:
//! retina asset names (`logo@2x.png`), whose "domain" is a scale factor
//! and a file extension.

use super::Verdict;
use super::context::char_before;

pub(super) const SET: &str = r"[\p{L}\p{N}_%+\-](?:@|%40)[\p{L}\p{N}]";
pub(super) const FIND: &str = r"[\p{L}\p{N}._%+\-]+(?:@|%40)[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?)*\.\p{L}{2,24}";

const ASSET_EXTENSIONS: &[&str] =
    &["png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "ico", "bmp", "tif", "tiff", "heic"];

pub(super) fn validate(hay: &str, start: usize, end: usize) -> Verdict {
    let text = &hay[start..end];
    // Leading dots belong to the sentence, not the address.
    let trimmed = text.trim_start_matches('.');
    let start = start + (text.len() - trimmed.len());
    let Some(at) = trimmed.find('@').or_else(|| trimmed.find("%40")) else {
        return Verdict::Reject(end);
    };
    let sep = if trimmed.as_bytes().get(at) == Some(&b'@') { 1 } else { 3 };
    let local = &trimmed[..at];
    let domain = &trimmed[at + sep..];
    if local.is_empty() || matches!(char_before(hay, start), Some('@' | '*')) {
        return Verdict::Reject(end);
    }
    if is_asset(domain) {
        return Verdict::Reject(end);
    }
    Verdict::Match(start, end)
}

/// `2x.png`, `3x.webp`, `1.5x.jpg`: a scale suffix, not a domain.
fn is_asset(domain: &str) -> bool {
    let Some((name, ext)) = domain.rsplit_once('.') else { return false };
    let scale = name
        .strip_suffix(['x', 'w'])
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-'));
    scale && ASSET_EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e))
}
