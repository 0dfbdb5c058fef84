//! `@bsn`: Dutch citizen service numbers (burgerservicenummer).
//!
//! A BSN is nine digits, written plain (`123456782`), in the passport
//! notation `1234.56.782` / `1234 56 782`, or in threes as people type it
//! (`123.456.782`, `123 456 782`; these only with a BSN label in the 40
//! characters before, because counts and amounts are grouped in threes
//! too: `958 929 415 inwoners`), that pass the *elfproef*:
//! 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not zero).
//!
//! One nine-digit number in eleven passes the elfproef, so the context
//! decides. The rule: a candidate counts as a BSN unless
//! 1. it is part of a longer number or word: a letter, digit, `_` or `#`
//!    touches it, or a number separator joins it to more digits or to a
//!    word (`1234567820`, `123456782,00`, `1.123456782`, `ORD-123456782`,
//!    `123456782/2`, `12:123456782`, `+123456782`, `123456782%`);
//! 2. it is an amount: a currency sign or code stands next to it
//!    (`€ 123456782`, `123456782 EUR`, `123456782,-`);
//! 3. the word before it labels another kind of number: an identifier
//!    (`order`, `bestelnummer`, `factuur`, `invoice`, `ref`, `kenmerk`,
//!    `klantnummer`, `sku`, `ean`, `tracking`, `nr`, `no`, `id`, `kvk`,
//!    `btw`, `ticket`, words ending in `nummer`/`nr`/`id`/`code`, …) or a
//!    phone (`tel`, `telefoon`, `mobiel`, `fax`). An explicit BSN label
//!    (`BSN`, `burgerservicenummer`, `sofinummer`) overrides this rule.
//!
//! So a bare, unlabelled nine-digit number that passes the elfproef is
//! masked: privacy wins over the rare order number written without any
//! context.

use super::Verdict;
use super::context::{
    Label, char_at, char_before, currency_near, digits, glued_after, glued_before, label_before, text_before,
};

pub(super) const SET: &str = r"[0-9]{9}|[0-9]{4}[ .][0-9]{2}[ .][0-9]{3}|[0-9]{3}[ .][0-9]{3}[ .][0-9]{3}";
pub(super) const FIND: &str = r"[0-9]{4}[ .][0-9]{2}[ .][0-9]{3}|[0-9]{3}[ .][0-9]{3}[ .][0-9]{3}|[0-9]{9}";

pub(super) fn validate(hay: &str, start: usize, end: usize) -> Verdict {
    let b = hay.as_bytes();
    // Resume after the whole digit run so a long number is not retried at
    // every offset.
    let mut run_end = end;
    while run_end < b.len() && b[run_end].is_ascii_digit() {
        run_end += 1;
    }
    let text = &hay[start..end];
    let plain = !text.contains(['.', ' ']);
    let digit_run = char_before(hay, start).is_some_and(|c| c.is_ascii_digit())
        || char_at(hay, end).is_some_and(|c| c.is_ascii_digit());
    // Inside a longer digit run no nine-digit window can stand alone, so
    // skip the run; anything else may hide a BSN one character further.
    let reject = if plain && digit_run { Verdict::Reject(run_end) } else { Verdict::Reject(start + 1) };
    if glued_before(hay, start) || glued_after(hay, end) || hay[..start].ends_with('+') {
        return reject;
    }
    let mut separators = text.bytes().filter(|b| !b.is_ascii_digit());
    if !plain && separators.next() != separators.next() {
        // Mixed separators (`1234.56 782`) are no way of writing a BSN.
        return reject;
    }
    let (d, n) = digits(text);
    if n != 9 || !elfproef(&d[..9]) {
        return reject;
    }
    let in_threes = !plain && !text.as_bytes()[3].is_ascii_digit();
    if in_threes && !bsn_mentioned_before(hay, start) {
        return reject;
    }
    if currency_near(hay, start, end) {
        return reject;
    }
    match label_before(hay, start) {
        Label::Id | Label::Phone | Label::Card => reject,
        Label::Bsn | Label::None => Verdict::Match(start, end),
    }
}

/// Whether `BSN`, `burgerservice…` or `sofi…` appears in the 40 bytes
/// before `start` (any case).
fn bsn_mentioned_before(hay: &str, start: usize) -> bool {
    let window = text_before(hay, start, 40).to_ascii_lowercase();
    ["bsn", "burgerservice", "sofi"].iter().any(|w| window.contains(w))
}

/// The elfproef for BSNs (the last weight is −1).
pub(super) fn elfproef(d: &[u8]) -> bool {
    if d.len() != 9 || d.iter().all(|&x| x == 0) {
        return false;
    }
    let sum: i32 = d.iter().zip([9, 8, 7, 6, 5, 4, 3, 2, -1]).map(|(&x, w)| i32::from(x) * w).sum();
    sum % 11 == 0
}
