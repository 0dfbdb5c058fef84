//! `@phone`: international (E.164) and Dutch national phone numbers.
//!
//! Accepted forms:
//! - international: `+` or `00`, a valid country code, then digit groups
//!   separated by single spaces, dashes, dots or slashes, with optional
//!   parenthesised groups and the Dutch/British trunk `(0)`:
//!   `+31 6 1234 5678`, `+31 (0)6-12345678`, `0031 20 123 4567`,
//!   `+1 (415) 555-0132`, `+44 20 7946 0958`. The national significant
//!   number must have the length its country uses (NL 9, BE 8–9, DE 6–13,
//!   US 10 with a valid area code, …; 7–12 for countries not listed) and
//!   must not start with 0;
//! - Dutch national: ten digits starting with `0` (not `00`), grouped only
//!   with spaces, dashes and brackets around the area code, the first group
//!   being `06`, a 3- or 4-digit area code, or all ten digits:
//!   `06-12345678`, `06 1234 5678`, `(020) 123 4567`, `020-1234567`.
//!
//! Refused, because these are what phone-shaped numbers on real pages are:
//! anything glued to letters or other numbers (`ORD-0612345678`,
//! `v1.0.0+20130313144700`, `12:30`), dates (`06-11-2026 10:00`), numbers
//! labelled as identifiers (`Order #`, `factuurnummer`), thousands-grouped
//! amounts (`+300 000 000` fails the Greek length), decimals and
//! percentages.

use super::Verdict;
use super::context::{Label, char_at, char_before, glued_after, glued_before, label_before};

pub(super) const SET: &str =
    r"\+ ?\(?[1-9]|(?:^|[^0-9A-Za-z_])\(?0[0-9]|\(?[2-9][0-9]{2}\)?[ .\-][2-9][0-9]{2}[.\-][0-9]{4}";
pub(super) const FIND: &str = r"[+(]?[0-9](?:[0-9 ()./\-\u{2013}]*[0-9])?\)?";

/// The en dash (U+2013) as UTF-8: word processors and phones turn a typed
/// `-` into one.
const EN_DASH: &[u8] = "\u{2013}".as_bytes();

/// At most this many digit groups are considered for one number.
const MAX_GROUPS: usize = 12;

#[derive(Clone, Copy, Default)]
struct Group {
    start: usize,
    end: usize,
    paren: bool,
}

pub(super) fn validate(hay: &str, start: usize, end: usize) -> Verdict {
    let b = hay.as_bytes();
    let mut k = start;
    while k < end {
        let at_group_start = k == start || !b[k - 1].is_ascii_digit();
        let plausible = match b[k] {
            b'+' => true,
            b'(' => b.get(k + 1).is_some_and(|&c| c == b'0' || (b'2'..=b'9').contains(&c)),
            b'0' => at_group_start,
            // A North American number without its country code.
            b'2'..=b'9' => at_group_start && (k == 0 || !b[k - 1].is_ascii_alphanumeric()),
            _ => false,
        };
        if plausible && let Some(e) = parse_at(hay, k, end) {
            return Verdict::Match(k, e);
        }
        k += 1;
    }
    Verdict::Reject(end)
}

/// A phone number starting exactly at `k`, ending at most at `end`.
fn parse_at(hay: &str, k: usize, end: usize) -> Option<usize> {
    let b = hay.as_bytes();
    let intl_plus = b[k] == b'+';
    let first = if intl_plus { k + 1 } else { k };
    let mut groups = [Group::default(); MAX_GROUPS];
    // `(+31) 6 …`: the country code in brackets.
    let bracketed_cc = intl_plus && k > 0 && b[k - 1] == b'(';
    let n = tokenize(b, first, end, &mut groups, bracketed_cc);
    if n == 0 {
        return None;
    }
    let groups = &groups[..n];
    // Context of the whole number.
    if glued_before(hay, k) || char_before(hay, k) == Some('+') {
        return None;
    }
    if intl_plus && char_before(hay, k).is_some_and(|c| c == '.' || c == ',') {
        return None;
    }
    if label_before(hay, k) == Label::Id {
        return None;
    }
    if !intl_plus && after_international_prefix(b, k) {
        return None;
    }
    let intl_00 = !intl_plus && groups[0].len() >= 3 && b[groups[0].start..].starts_with(b"00");
    // `0082 …` right after another digit group is a window of a longer
    // number (`Zending 6597 0082 8203 1940`), not a call to Korea.
    if intl_00 && continues_before(b, k) {
        return None;
    }
    // Try the longest number first.
    (1..=n).rev().find_map(|m| {
        let g = &groups[..m];
        let e = g[m - 1].end + usize::from(g[m - 1].paren);
        let valid = if intl_plus || intl_00 {
            international(b, g, intl_00)
        } else {
            // A foreign national number must be the whole run of groups,
            // not a window of a longer one (an IBAN, a card, a tracking
            // number), and not continue a word or number before it.
            national(hay, b, g, k) || (m == n && !continues_before(b, k) && foreign_national(hay, b, g, k))
        };
        (valid && !glued_after(hay, e) && !matches!(char_at(hay, e), Some('+'))).then_some(e)
    })
}

impl Group {
    fn len(&self) -> usize {
        self.end - self.start
    }
}

/// Splits `b[i..end]` into digit groups joined by at most one separator
/// (plus brackets around a group). Stops at the first irregularity.
fn tokenize(b: &[u8], mut i: usize, end: usize, out: &mut [Group; MAX_GROUPS], bracketed_cc: bool) -> usize {
    let mut n = 0;
    while i < end && n < MAX_GROUPS {
        let paren = b[i] == b'(';
        if paren {
            i += 1;
        }
        let s = i;
        while i < end && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            break;
        }
        let e = i;
        if paren {
            if i < end && b[i] == b')' {
                i += 1;
            } else {
                break;
            }
        }
        out[n] = Group { start: s, end: e, paren };
        n += 1;
        // The `)` closing a bracketed country code, then one space.
        if bracketed_cc && n == 1 && i < end && b[i] == b')' {
            i += 1;
            if i < end && b[i] == b' ' {
                i += 1;
            }
            continue;
        }
        if b[i..end.min(i + EN_DASH.len())] == *EN_DASH {
            i += EN_DASH.len();
            continue;
        }
        // One separator (a dash or slash may have a space on each side, as
        // people type `06 - 12345678`), then optionally an opening bracket.
        if i + 2 < end && b[i] == b' ' && matches!(b[i + 1], b'-' | b'/') && b[i + 2] == b' ' {
            i += 3;
            if i < end && !(b[i].is_ascii_digit() || b[i] == b'(') {
                break;
            }
        } else if i < end && matches!(b[i], b' ' | b'-' | b'.' | b'/') {
            i += 1;
            if i < end && !(b[i].is_ascii_digit() || b[i] == b'(') {
                break;
            }
        } else if !(i < end && (b[i] == b'(' || (paren && b[i].is_ascii_digit()))) {
            break;
        }
    }
    n
}

fn digits_of(b: &[u8], groups: &[Group], skip_trunk: bool) -> ([u8; 20], usize) {
    let mut out = [0u8; 20];
    let mut n = 0;
    for (i, g) in groups.iter().enumerate() {
        if skip_trunk && i == 1 && g.paren && &b[g.start..g.end] == b"0" {
            continue;
        }
        for &d in &b[g.start..g.end] {
            if n == out.len() {
                return (out, n + 1);
            }
            out[n] = d - b'0';
            n += 1;
        }
    }
    (out, n)
}

fn international(b: &[u8], groups: &[Group], intl_00: bool) -> bool {
    // The country code may not be bracketed; dots or slashes are fine.
    if groups[0].paren {
        return false;
    }
    let (all, n) = digits_of(b, groups, true);
    let d = if intl_00 { &all[2..n.min(20)] } else { &all[..n.min(20)] };
    if n > 20 {
        return false;
    }
    let Some((cc_len, nsn)) = country(d) else { return false };
    let nsn_len = d.len() - cc_len;
    // The trunk `(0)` may only follow a country code that ends its group.
    // Italy keeps the leading 0 of its area codes after the country code.
    let italy = cc_len == 2 && d.starts_with(&[3, 9]);
    nsn.contains(&nsn_len) && d.get(cc_len).is_some_and(|&x| x != 0 || italy)
}

/// Country code length and national number lengths for the start of `d`.
fn country(d: &[u8]) -> Option<(usize, std::ops::RangeInclusive<usize>)> {
    let p1 = *d.first()?;
    let p2 = u32::from(p1) * 10 + u32::from(*d.get(1)?);
    match p1 {
        1 => return (d.get(1).is_some_and(|&a| a >= 2)).then_some((1, 10..=10)),
        7 => return Some((1, 10..=10)),
        0 => return None,
        _ => {}
    }
    let two: Option<std::ops::RangeInclusive<usize>> = match p2 {
        30 => Some(10..=10),
        31 => Some(9..=9),
        32 => Some(8..=9),
        33 | 34 | 40 | 41 | 48 | 27 | 61 => Some(9..=9),
        36 => Some(8..=9),
        39 => Some(6..=11),
        43 | 49 => Some(6..=13),
        44 => Some(9..=10),
        45 | 47 => Some(8..=8),
        46 => Some(7..=9),
        81 => Some(9..=10),
        86 => Some(10..=11),
        90 | 91 => Some(10..=10),
        20 | 51..=58 | 60 | 62..=66 | 82 | 84 | 92..=95 | 98 => Some(7..=12),
        _ => None,
    };
    if let Some(lengths) = two {
        return Some((2, lengths));
    }
    let three_prefix = matches!(
        p2,
        21..=26 | 29 | 35 | 37 | 38 | 42 | 50 | 59 | 67..=69 | 80 | 85 | 87 | 88 | 96 | 97 | 99
    );
    if !three_prefix || d.len() < 3 {
        return None;
    }
    let p3 = p2 * 10 + u32::from(d[2]);
    let lengths = match p3 {
        351 => 9..=9,
        353 => 7..=9,
        352 => 4..=11,
        _ => 6..=12,
    };
    Some((3, lengths))
}

fn national(hay: &str, b: &[u8], groups: &[Group], k: usize) -> bool {
    let (d, n) = digits_of(b, groups, false);
    if n != 10 || d[0] != 0 || d[1] == 0 {
        return false;
    }
    let first = groups[0];
    let first_ok = match first.len() {
        2 => &b[first.start..first.end] == b"06",
        3 | 4 => true,
        10 => groups.len() == 1,
        _ => false,
    };
    if !first_ok || groups.iter().skip(1).any(|g| g.len() < 2 || g.paren) {
        return false;
    }
    // Dots and slashes join dates and versions too: they count only as
    // the one separator of the whole number (`06.12.34.56.78`,
    // `06/12345678`), never mixed with others, and never date-shaped.
    let text = &b[k..groups[groups.len() - 1].end];
    if text.iter().any(|&c| c == b'.' || c == b'/') && !one_separator_kind(b, groups) {
        return false;
    }
    !date_shaped(hay, k)
}

/// National numbers of the neighbours whose visitors Dutch sites see most,
/// written without their country code:
/// - Belgian landlines, nine digits `0X XXX XX XX` / `0XX XX XX XX`;
/// - German and British numbers of 11–12 digits, an area or mobile code of
///   3–5 digits then groups of at least three (`0151 12345678`,
///   `030/12345678`, `020 7946 0958`, `07700 900123`);
/// - North American numbers, `(415) 555-0132`, `415-555-0132`,
///   `415.555.0132`: area code and exchange starting 2–9.
///
/// Each needs its grouping and one kind of separator: the bare digits
/// alone are too common on pages (amounts, order numbers) to count.
fn foreign_national(hay: &str, b: &[u8], groups: &[Group], k: usize) -> bool {
    if groups.len() < 2 || !one_separator_kind(b, groups) || date_shaped(hay, k) {
        return false;
    }
    let (d, n) = digits_of(b, groups, false);
    let lens: Vec<usize> = groups.iter().map(Group::len).collect();
    if d[0] == 0 {
        if d[1] == 0 || groups.iter().any(|g| g.paren) {
            return false;
        }
        // Service numbers (`0800`, `0900`, `0906`, `0909`) are businesses'.
        if n >= 10 && (d[..3] == [0, 8, 0] || d[..3] == [0, 9, 0]) {
            return false;
        }
        let belgian = n == 9 && (lens == [2, 3, 2, 2] || lens == [3, 2, 2, 2]);
        let long = (11..=12).contains(&n) && (3..=5).contains(&lens[0]) && lens[1..].iter().all(|&l| l >= 3);
        return belgian || long;
    }
    // North America: 3-3-4, the area code possibly bracketed.
    n == 10
        && lens == [3, 3, 4]
        && (2..=9).contains(&d[0])
        && (2..=9).contains(&d[3])
        && !groups[1].paren
        && !groups[2].paren
}

/// Whether a token with digits and one separator stand before `k`:
/// `ES18 0280 …` continues the `ES18` before it (`tel 030 …` does not).
fn continues_before(b: &[u8], k: usize) -> bool {
    if k < 2 || !matches!(b[k - 1], b' ' | b'-' | b'.' | b'/') {
        return false;
    }
    b[..k - 1].iter().rev().take_while(|c| c.is_ascii_alphanumeric()).any(u8::is_ascii_digit)
}

/// Whether every separator between `groups` is the same byte (a bracket
/// around the first group counts as none: `(415) 555-0132`).
fn one_separator_kind(b: &[u8], groups: &[Group]) -> bool {
    let mut kinds = groups.windows(2).map(|pair| {
        let between =
            &b[pair[0].end + usize::from(pair[0].paren)..pair[1].start - usize::from(pair[1].paren)];
        between.iter().copied().find(|c| *c != b' ').unwrap_or(b' ')
    });
    let first_bracketed = groups.first().is_some_and(|g| g.paren);
    let mut kinds: Vec<u8> = kinds.by_ref().collect();
    if first_bracketed && !kinds.is_empty() {
        kinds.remove(0);
    }
    kinds.windows(2).all(|pair| pair[0] == pair[1])
}

/// Whether `k` follows `+<digits><separator>`: then the digits at `k`
/// belong to that international number (`+1 055 123 4567` is not the Dutch
/// `055 123 4567`).
fn after_international_prefix(b: &[u8], k: usize) -> bool {
    let Some(sep) = k.checked_sub(1) else { return false };
    if !matches!(b[sep], b' ' | b'-' | b'.' | b'/') {
        return false;
    }
    let digits = b[..sep].iter().rev().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && sep > digits && b[sep - digits - 1] == b'+'
}

/// `dd-mm-yyyy`, `dd.mm.yyyy` or `dd/mm/yyyy` at `k`.
fn date_shaped(hay: &str, k: usize) -> bool {
    let t = hay.as_bytes().get(k..).unwrap_or(&[]);
    let run = |from: usize| t.iter().skip(from).take_while(|c| c.is_ascii_digit()).count();
    let a = run(0);
    let Some(&sep) = t.get(a) else { return false };
    if !(1..=2).contains(&a) || !matches!(sep, b'-' | b'.' | b'/') {
        return false;
    }
    let m = run(a + 1);
    (1..=2).contains(&m) && t.get(a + 1 + m) == Some(&sep) && run(a + 2 + m) == 4
}
