//! `@card`: payment card numbers.
//!
//! A card number is 13–19 digits, written in one piece or in groups
//! separated by single spaces or dashes in any pattern (`4111 1111 1111
//! 1111`, `3782-822463-10005`, `411111111111 1111`), or by dots in groups
//! of four only (`4111.1111.1111.1111`: dots in other patterns are how
//! amounts and versions are written). It counts only when
//! the digits pass the Luhn check *and* start with an issuer prefix whose
//! lengths fit (Visa 4, Mastercard 51–55/2221–2720, Amex 34/37, Discover,
//! Diners, JCB, UnionPay, Maestro, Mir). The issuer check is what keeps
//! millisecond timestamps (`1795514400000`, Luhn-valid one time in ten)
//! and most reference numbers out.
//!
//! Inside a longer sequence of digit groups every window of whole groups is
//! tried, so `Order 2026 4111 1111 1111 1111` still finds the card; a
//! window never splits a group, so a 20-digit tracking number is never
//! read as a card plus one digit. The number must not be glued to letters
//! or continue as a decimal (`4111…1111.50`), and must not be labelled as
//! another kind of number (`EAN 4006381333931`, `SKU`, `order`): product
//! barcodes share lengths and prefixes with cards.

use super::Verdict;
use super::context::{Label, char_at, char_before, is_digit, is_word, label_before};

pub(super) const SET: &str = r"[0-9](?:[ .\-]?[0-9]){12}";
pub(super) const FIND: &str = r"[0-9]+(?:[ .\-][0-9]+)*";

/// The most groups a window may span: 19 digits in groups of one.
const MAX_GROUPS: usize = 19;

pub(super) fn validate(hay: &str, start: usize, end: usize) -> Verdict {
    let bytes = hay.as_bytes();
    // All valid windows, in order of their start; overlapping ones are
    // masked together so that no valid reading leaves digits of another.
    let mut found: Option<(usize, usize)> = None;
    let mut group_start = start;
    while group_start < end {
        if let Some(we) = longest_window(hay, bytes, group_start, start, end) {
            match &mut found {
                None => found = Some((group_start, we)),
                Some((_, fe)) if group_start < *fe => *fe = (*fe).max(we),
                Some(_) => break,
            }
        } else if found.is_some_and(|(_, fe)| group_start >= fe) {
            break;
        }
        // Next group.
        let mut i = group_start;
        while i < end && bytes[i].is_ascii_digit() {
            i += 1;
        }
        group_start = i + 1;
    }
    match found {
        Some((s, e)) => Verdict::Match(s, e),
        None => Verdict::Reject(end),
    }
}

/// The end of the longest valid window of whole groups starting at `ws`.
fn longest_window(hay: &str, bytes: &[u8], ws: usize, start: usize, end: usize) -> Option<usize> {
    let mut digits = [0u8; 19];
    let mut n = 0;
    let mut best = None;
    let mut i = ws;
    let mut groups = 0;
    // Dotted windows must be all groups of four joined by dots.
    let (mut dotted, mut fours) = (false, true);
    while i < end && groups < MAX_GROUPS {
        // One group.
        let group_start = i;
        while i < end && bytes[i].is_ascii_digit() {
            if n == digits.len() {
                return best;
            }
            digits[n] = bytes[i] - b'0';
            n += 1;
            i += 1;
        }
        groups += 1;
        fours &= i - group_start == 4;
        if dotted && !fours {
            // Dots joining groups other than fours: an amount or a
            // version, so no window of this run is a card.
            return None;
        }
        // A dot that cannot continue a dotted window makes this a decimal
        // (`4111…1111.50`): neither this window nor a longer one counts.
        let next_dot = i < end && bytes[i] == b'.';
        if next_dot && !(fours && (groups == 1 || dotted)) {
            return best;
        }
        if (13..=19).contains(&n)
            && (!dotted || fours)
            && is_card(&digits[..n])
            && bounded(hay, ws, i, start, end)
            && label_before(hay, ws) != Label::Id
        {
            best = Some(i);
        }
        match bytes.get(i) {
            Some(b'.') => dotted = true,
            _ if dotted => return best,
            _ => {}
        }
        i += 1; // the separator
    }
    best
}

/// Window edges at the candidate's edges must not touch words or decimals;
/// inner edges sit next to a separator and another group, which is fine.
fn bounded(hay: &str, ws: usize, we: usize, start: usize, end: usize) -> bool {
    let before_ok = ws > start
        || match char_before(hay, ws) {
            None => true,
            Some(c) if is_word(c) => false,
            Some('.' | ',') => !char_before(hay, ws - 1).is_some_and(is_digit),
            Some(_) => true,
        };
    let after_ok = we < end
        || match char_at(hay, we) {
            None => true,
            Some(c) if is_word(c) => false,
            Some('.' | ',') => !char_at(hay, we + 1).is_some_and(is_digit),
            Some(_) => true,
        };
    before_ok && after_ok
}

/// Luhn check and issuer prefix.
pub(super) fn is_card(d: &[u8]) -> bool {
    luhn(d) && issuer_fits(d)
}

pub(super) fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let x = u32::from(x);
            if i % 2 == 1 { if x * 2 > 9 { x * 2 - 9 } else { x * 2 } } else { x }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn prefix(d: &[u8], k: usize) -> u32 {
    d.iter().take(k).fold(0, |acc, &x| acc * 10 + u32::from(x))
}

fn issuer_fits(d: &[u8]) -> bool {
    let n = d.len();
    let p2 = prefix(d, 2);
    let p3 = prefix(d, 3);
    let p4 = prefix(d, 4);
    match d.first() {
        Some(4) => matches!(n, 13 | 16 | 19),
        Some(5) => ((51..=55).contains(&p2) && n == 16) || ((p2 == 50 || p2 >= 56) && n >= 13),
        Some(2) => ((2221..=2720).contains(&p4) && n == 16) || ((2200..=2204).contains(&p4) && n >= 16),
        Some(3) => {
            (matches!(p2, 34 | 37) && n == 15)
                || (((300..=305).contains(&p3) || matches!(p2, 36 | 38 | 39)) && (14..=19).contains(&n))
                || ((3528..=3589).contains(&p4) && n >= 16)
        }
        Some(6) => n >= 13,
        _ => false,
    }
}
