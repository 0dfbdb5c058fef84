//! `@secret`: credentials that are not JWTs.
//!
//! Three families, each with its own pattern:
//! - **Known key formats**, matched by prefix and length: Stripe
//!   (`sk_live_…`, `sk_test_…`, `rk_live_…`, `whsec_…`), GitHub (`ghp_…`,
//!   `gho_…`, `ghu_…`, `ghs_…`, `ghr_…`, `github_pat_…`), AWS access key
//!   ids (`AKIA…`/`ASIA…` + 16), Slack (`xoxb-…`, `xoxp-…`, …), GitLab
//!   (`glpat-…`), Google API keys (`AIza…`), npm (`npm_…`), SendGrid
//!   (`SG.….…`), Shopify (`shpat_…`).
//! - **Authorization values**: the credential after `Bearer`, `Basic` or
//!   `Token` (16 or more token characters); only the credential is masked.
//! - **Long high-entropy strings**: a run of at least 32 base64url
//!   characters (`A–Z a–z 0–9 _ - +`) whose longest `_`/`-`-free segment
//!   has 16 or more characters and that is either hexadecimal with both
//!   digits and letters, or mixes upper case, lower case and digits with a
//!   Shannon entropy of at least 4 bits per character. Not counted: slugs
//!   and identifiers (segments too short, no case mix), UUIDs (segments of
//!   at most 12), subresource-integrity hashes (`sha256-…`, `sha384-…`,
//!   `sha512-…`), content-hashed file names (`app.3f9a…e1.js`: followed
//!   by a file extension), and anything inside the base64 payload of a
//!   `data:` URI, which the scanner skips for every detector.

use super::Verdict;
use super::context::{char_at, char_before};

pub(super) const SET_KNOWN: &str = r"(?:sk|rk)_(?:live|test)_|whsec_|gh[pousr]_|github_pat_|A[KS]IA[A-Z0-9]{16}|xox[abposr]-|glpat-|AIza[0-9A-Za-z_\-]{35}|npm_[A-Za-z0-9]{36}|SG\.[A-Za-z0-9_\-]{16}|shp(?:at|ss|ca|pa)_";
pub(super) const FIND_KNOWN: &str = r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9+/=]{24,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}|A[KS]IA[A-Z0-9]{16}|xox[abposr]-[A-Za-z0-9\-]{10,}|glpat-[A-Za-z0-9_\-]{20,}|AIza[0-9A-Za-z_\-]{35}|npm_[A-Za-z0-9]{36}|SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}|shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}";
pub(super) const SET_AUTH: &str = r"(?i:bearer|basic|token)\s+[A-Za-z0-9._~+/\-]{16}";
pub(super) const FIND_AUTH: &str = r"(?i:bearer|basic|token)\s+[A-Za-z0-9._~+/\-]{16,}=*";
pub(super) const SET_ENTROPY: &str = r"[A-Za-z0-9_+\-]{32}";
pub(super) const FIND_ENTROPY: &str = r"[A-Za-z0-9_+\-]{32,}=*";

/// Key characters, and `*` (a masked one).
fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '*'
}

pub(super) fn validate_known(hay: &str, start: usize, end: usize) -> Verdict {
    if char_before(hay, start).is_some_and(|c| c.is_ascii_alphanumeric() || c == '*') {
        return Verdict::Reject(start + 1);
    }
    // A fixed-length key glued to more key characters is something else.
    let fixed = hay[start..].starts_with("AKIA") || hay[start..].starts_with("ASIA");
    if fixed && char_at(hay, end).is_some_and(key_char) {
        return Verdict::Reject(end);
    }
    Verdict::Match(start, end)
}

pub(super) fn validate_auth(hay: &str, start: usize, end: usize) -> Verdict {
    if char_before(hay, start).is_some_and(|c| c.is_ascii_alphanumeric() || c == '*') {
        return Verdict::Reject(start + 1);
    }
    let text = &hay[start..end];
    let Some(cred) = text
        .find(|c: char| c.is_whitespace())
        .map(|i| i + text[i..].find(|c: char| !c.is_whitespace()).unwrap_or(0))
    else {
        return Verdict::Reject(end);
    };
    let value = &text[cred..];
    // Prose ("token verification-required-for-…") has no digits.
    if !value.bytes().any(|b| b.is_ascii_digit()) {
        return Verdict::Reject(end);
    }
    Verdict::Match(start + cred, end)
}

pub(super) fn validate_entropy(hay: &str, start: usize, end: usize) -> Verdict {
    let reject = Verdict::Reject(end);
    if char_before(hay, start).is_some_and(|c| key_char(c) || c == '+') {
        return reject;
    }
    let text = hay[start..end].trim_end_matches('=');
    let lower = text.get(..7).map(str::to_ascii_lowercase);
    if matches!(lower.as_deref(), Some("sha256-" | "sha384-" | "sha512-")) {
        return reject;
    }
    if char_at(hay, end) == Some('.') && file_extension_follows(&hay[end + 1..]) {
        return reject;
    }
    if high_entropy(text) { Verdict::Match(start, end) } else { reject }
}

fn file_extension_follows(rest: &str) -> bool {
    let ext: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    (1..=5).contains(&ext.len()) && ext.bytes().any(|b| b.is_ascii_alphabetic())
}

/// The long-token rule of the module documentation.
pub(super) fn high_entropy(text: &str) -> bool {
    if text.len() < 32 {
        return false;
    }
    let longest = text.split(['_', '-']).map(str::len).max().unwrap_or(0);
    if longest < 16 {
        return false;
    }
    let body = text.bytes().filter(|b| *b != b'_' && *b != b'-');
    let (mut upper, mut lower, mut digit, mut hex_letter, mut other_letter) = (0, 0, 0, 0, 0);
    for b in body {
        match b {
            b'A'..=b'Z' => upper += 1,
            b'a'..=b'z' => lower += 1,
            b'0'..=b'9' => digit += 1,
            _ => {}
        }
        if b.is_ascii_hexdigit() && !b.is_ascii_digit() {
            hex_letter += 1;
        } else if b.is_ascii_alphabetic() {
            other_letter += 1;
        }
    }
    let hex = other_letter == 0 && digit > 0 && hex_letter > 0 && (upper == 0 || lower == 0);
    if hex {
        return longest >= 32;
    }
    upper > 0 && lower > 0 && digit > 0 && entropy(text) >= 4.0
}

/// Shannon entropy in bits per character.
fn entropy(text: &str) -> f64 {
    let mut counts = [0u32; 128];
    let mut n = 0u32;
    for b in text.bytes().filter(u8::is_ascii) {
        counts[usize::from(b)] += 1;
        n += 1;
    }
    let n = f64::from(n.max(1));
    counts.iter().filter(|&&c| c > 0).map(|&c| f64::from(c) / n).map(|p| -p * p.log2()).sum()
}
