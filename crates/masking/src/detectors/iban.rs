//! `@iban`: bank account numbers of the SEPA countries.
//!
//! Two letters of a SEPA country, two check digits (02–98), then exactly
//! the country's length in letters and digits, written in one piece or
//! with spaces or dashes between characters, at most two in a row (`NL91
//! ABNA 0417 1643 00`, `nl91-abna-0417-1643-00`, `NL91  ABNA …`, as people
//! type them into forms), in any case; the whole
//! must pass the ISO 13616 mod-97 check. The number must start and end on
//! a word boundary, so an IBAN-shaped run inside a longer token does not
//! count, and text that follows a spaced IBAN is not swallowed.

use super::Verdict;
use super::context::{char_at, char_before, is_word};

pub(super) const SET: &str = r"[A-Za-z]{2}[0-9]{2}[ \-]{0,2}[A-Za-z0-9]{4}";
pub(super) const FIND: &str = r"[A-Za-z]{2}[0-9]{2}(?:[ \-]{0,2}[A-Za-z0-9]){11,30}";

/// SEPA countries (EU, EEA, and the non-EU members of the scheme) and
/// their IBAN lengths.
const LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"AD", 24),
    (b"AL", 28),
    (b"AT", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"CH", 21),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DK", 18),
    (b"EE", 20),
    (b"ES", 24),
    (b"FI", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GI", 23),
    (b"GR", 27),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IS", 26),
    (b"IT", 27),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"MC", 27),
    (b"MD", 24),
    (b"ME", 22),
    (b"MK", 19),
    (b"MT", 31),
    (b"NL", 18),
    (b"NO", 15),
    (b"PL", 28),
    (b"PT", 25),
    (b"RO", 24),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"VA", 22),
];

/// The IBAN length of a SEPA country code (any case).
pub(super) fn length_of(cc: [u8; 2]) -> Option<usize> {
    let cc = cc.map(|b| b.to_ascii_uppercase());
    LENGTHS.iter().find(|(c, _)| **c == cc).map(|(_, n)| *n)
}

pub(super) fn validate(hay: &str, start: usize, end: usize) -> Verdict {
    let reject = Verdict::Reject(start + 1);
    if char_before(hay, start).is_some_and(is_word) {
        return reject;
    }
    let b = hay.as_bytes();
    let Some(len) = length_of([b[start], b[start + 1]]) else { return reject };
    // Collect exactly `len` characters, skipping separators.
    let mut chars = [0u8; 34];
    let mut n = 0;
    let mut i = start;
    while i < end && n < len {
        if b[i] != b' ' && b[i] != b'-' {
            chars[n] = b[i].to_ascii_uppercase();
            n += 1;
        }
        i += 1;
    }
    if n < len || char_at(hay, i).is_some_and(is_word) {
        return reject;
    }
    let check = (chars[2] - b'0') * 10 + (chars[3] - b'0');
    if !(2..=98).contains(&check) || !mod97(&chars[..n]) {
        return reject;
    }
    Verdict::Match(start, i)
}

/// ISO 13616: move the first four characters to the end, letters become
/// 10–35, and the number must be 1 modulo 97.
pub(super) fn mod97(iban: &[u8]) -> bool {
    let rearranged = iban.iter().skip(4).chain(iban.iter().take(4));
    let mut rem: u32 = 0;
    for &c in rearranged {
        match c {
            b'0'..=b'9' => rem = (rem * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => rem = (rem * 100 + u32::from(c - b'A') + 10) % 97,
            _ => return false,
        }
    }
    rem == 1
}
