//! `@ip`: IPv4 and IPv6 addresses.
//!
//! IPv4: four dot-separated decimal octets of at most 255 without leading
//! zeros, not glued to letters or further dotted numbers (so version
//! numbers like `10.0.19045.2965` or `v1.2.3.4` and section numbers like
//! `1.2.3.4.5` stay), not labelled as a version or section (`version
//! 1.2.3.4`, `hoofdstuk 4.2.1.3`), and not an amount (`€ 1.234.123.100`).
//!
//! IPv6: anything the standard library parses as an IPv6 address
//! (compressed forms and embedded IPv4 included) except `::` and `::1`,
//! not glued to other word characters. Times (`12:30:45`) and MAC
//! addresses do not parse, so they stay.

use std::net::Ipv6Addr;

use super::Verdict;
use super::context::{char_at, char_before, currency_near, is_digit, is_word, last_word};

pub(super) const SET_V4: &str = r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}";
pub(super) const FIND_V4: &str = r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}";
pub(super) const SET_V6: &str = r"[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}";
pub(super) const FIND_V6: &str = r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[0-9]{1,3}){0,3}";

pub(super) fn validate_v4(hay: &str, start: usize, end: usize) -> Verdict {
    let b = hay.as_bytes();
    let mut run_end = end;
    while run_end < b.len() && (b[run_end].is_ascii_digit() || b[run_end] == b'.') {
        run_end += 1;
    }
    let reject = Verdict::Reject(run_end.max(start + 1));
    let glued_before = match char_before(hay, start) {
        Some(c) if is_word(c) => true,
        Some('.') => true,
        _ => false,
    };
    let glued_after = match char_at(hay, end) {
        Some(c) if is_word(c) => true,
        Some('.') => char_at(hay, end + 1).is_some_and(is_digit),
        _ => false,
    };
    if glued_before || glued_after {
        return reject;
    }
    let octets_ok = hay[start..end]
        .split('.')
        .all(|o| (o.len() == 1 || !o.starts_with('0')) && o.parse::<u16>().is_ok_and(|v| v <= 255));
    if !octets_ok || version_label(hay, start) || currency_near(hay, start, end) {
        return reject;
    }
    Verdict::Match(start, end)
}

fn version_label(hay: &str, start: usize) -> bool {
    let word = last_word(&hay[..start]);
    [
        "version",
        "versie",
        "ver",
        "v",
        "build",
        "release",
        "firmware",
        "chrome",
        "firefox",
        "safari",
        "section",
        "sectie",
        "hoofdstuk",
        "paragraaf",
        "chapter",
        "artikel",
        "art",
        "clause",
        "item",
        "stap",
        "step",
    ]
    .iter()
    .any(|w| word.eq_ignore_ascii_case(w))
}

pub(super) fn validate_v6(hay: &str, start: usize, end: usize) -> Verdict {
    let reject = Verdict::Reject(end.max(start + 1));
    let glued = |c: Option<char>| c.is_some_and(|c| is_word(c) || c == ':' || c == '.');
    if glued(char_before(hay, start)) {
        return reject;
    }
    // A sentence may end right after the address.
    let mut e = end;
    let text = hay[start..e].trim_end_matches('.');
    e = start + text.len();
    if glued(char_at(hay, e)) && char_at(hay, e) != Some('.') {
        return reject;
    }
    match text.parse::<Ipv6Addr>() {
        Ok(addr) if !addr.is_unspecified() && !addr.is_loopback() => Verdict::Match(start, e),
        _ => reject,
    }
}
