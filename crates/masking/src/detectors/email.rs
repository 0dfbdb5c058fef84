//! `@email`: e-mail addresses, also percent-encoded (`jane%40example.com`
//! in URLs) and with non-ASCII letters (`jürgen@müller.de`).
//!
//! The domain needs a dot and an alphabetic top-level label. Refused:
//! retina asset names (`logo@2x.png`), whose "domain" is a scale factor
//! and a file extension.

use super::Verdict;
use super::context::char_before;

pub(super) const SET: &str = r"[\p{L}\p{N}_%+\-](?:@|%40| @ |(?i: ?\[at\] ?| ?\(at\) ?| at ))[\p{L}\p{N}]";
pub(super) const FIND: &str = concat!(
    r"[\p{L}\p{N}._%+\-]+",
    r"(?:@|%40| @ |(?i: ?\[at\] ?| ?\(at\) ?| at ))",
    r"[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?",
    r"(?:(?:\.|(?i: ?\[dot\] ?| ?\(dot\) ?| dot ))[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?)*",
    r"(?:\.|(?i: ?\[dot\] ?| ?\(dot\) ?| dot ))\p{L}{2,24}",
);

/// How visitors write the `@` to keep addresses from scrapers, as the
/// local part's end: `jan at example dot nl`, `jan[at]example.nl`,
/// `jan (at) example.nl`, `jan @ example.nl`; found case-insensitively.
const AT_TOKENS: &[&str] = &["@", "%40", " [at] ", "[at]", " (at) ", "(at)", " at "];

const ASSET_EXTENSIONS: &[&str] =
    &["png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "ico", "bmp", "tif", "tiff", "heic"];

pub(super) fn validate(hay: &str, start: usize, end: usize) -> Verdict {
    let text = &hay[start..end];
    // Leading dots belong to the sentence, not the address.
    let trimmed = text.trim_start_matches('.');
    let start = start + (text.len() - trimmed.len());
    let lower = trimmed.to_lowercase();
    // The first `@` token; a longer token wins at the same position
    // (` [at] ` over `[at]`), and ` @ ` is `@` with spaces around it.
    let Some((at, sep)) = AT_TOKENS
        .iter()
        .filter_map(|token| lower.find(token).map(|i| (i, token.len())))
        .min_by_key(|&(i, len)| (i, std::cmp::Reverse(len)))
    else {
        return Verdict::Reject(end);
    };
    if lower.len() != trimmed.len() {
        // Case folding changed a byte length: positions would not match.
        return Verdict::Reject(end);
    }
    let local = trimmed[..at].trim_end();
    let domain = trimmed[at + sep..].trim_start();
    // Spelled out `at` (a word in every sentence) counts only with a
    // spelled-out `dot`: `jan at example dot nl`, not `look at example.nl`.
    let worded_at = trimmed[at..at + sep].eq_ignore_ascii_case(" at ");
    if worded_at && !lower[at + sep..].contains(" dot ") {
        return Verdict::Reject(end);
    }
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
