//! `@birth_date`: a date of birth, recognised by the label in front of it
//! (`Geboortedatum: 12-03-1985`, `geb. 12 maart 1985`, `Date of birth
//! 03/12/1985`, `Geburtsdatum: 12.03.1985`, `née le 12 mars 1985`).
//!
//! A date alone is no personal data (pages are full of delivery dates and
//! opening days); next to a birth label it is, and with a postcode it
//! identifies most people. The label decides, so the rule is on by
//! default: the recall corpus has no negative it fires on. Only the date
//! is masked; the label stays, so the replay still reads as a form.

use std::sync::LazyLock;

use regex::Regex;

use super::Verdict;

/// The labels, case-insensitive; the separator (`:`, `-`) is optional.
macro_rules! label {
    () => {
        r"(?i:\b(?:geboortedatum|geb\.|geboren(?:\s+op)?|date\s+of\s+birth|birth\s*date|birthday|born(?:\s+on)?|d\.o\.b\.?|dob|geburtsdatum|geboren\s+am|geb\.[\s\-]*datum|date\s+de\s+naissance|n[ée]e?\s+le))[ \t]*[:\-]?[ \t]*"
    };
}

/// Numeric dates (`12-03-1985`, `12.3.85`, `1985-03-12`, `03/12/1985`) and
/// written ones (`12 maart 1985`, `12. März 1985`, `March 12, 1985`).
macro_rules! date {
    () => {
        r"(?:[0-9]{1,2}[-./][0-9]{1,2}[-./](?:[0-9]{4}|[0-9]{2})\b|[0-9]{1,2} [0-9]{1,2} [0-9]{4}\b|(?:19|20)[0-9]{2}-[0-9]{1,2}-[0-9]{1,2}\b|[0-9]{1,2}\.?[ \t]+\p{L}{3,9}\.?[ \t]+[0-9]{4}\b|\p{L}{3,9}\.?[ \t]+[0-9]{1,2},?[ \t]+[0-9]{4}\b)"
    };
}

pub(super) const SET: &str = r"(?i:geb|born|birth|d\.?o\.?b|naissance|n[ée]e?\s+le)";

pub(super) const FIND: &str = concat!(label!(), date!());

/// The label and the date of a match, as the first group and the rest:
/// the label alone would match its shortest alternative (`geboren` of
/// `geboren am`) and leave part of it to the date.
static LABEL_AND_DATE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(concat!("^(", label!(), ")", date!())).ok());

/// Month names (and their usual abbreviations) of the languages the
/// labels are in.
const MONTHS: [&str; 12] = [
    "jan|januari|january|januar|janvier|jänner",
    "feb|febr|februari|february|februar|février|fevrier",
    "mrt|mar|maart|march|märz|mars|maerz",
    "apr|april|avril",
    "mei|may|mai",
    "jun|juni|june|juin",
    "jul|juli|july|juillet",
    "aug|augustus|august|août|aout",
    "sep|sept|september|septembre",
    "okt|oct|oktober|october|octobre",
    "nov|november|novembre",
    "dec|dez|december|dezember|décembre|decembre",
];

pub(super) fn validate(hay: &str, start: usize, end: usize) -> Verdict {
    let text = &hay[start..end];
    let Some(label) = LABEL_AND_DATE.as_ref().and_then(|re| re.captures(text)).and_then(|c| c.get(1)) else {
        return Verdict::Reject(start + 1);
    };
    let date = &text[label.end()..];
    if plausible(date) { Verdict::Match(start + label.end(), end) } else { Verdict::Reject(start + 1) }
}

/// Whether `date` reads as a calendar date: numbers in range, a written
/// month a month.
fn plausible(date: &str) -> bool {
    let numbers: Vec<u32> = date
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    let word = date.split(|c: char| !c.is_alphabetic()).find(|s| !s.is_empty()).map(str::to_lowercase);
    let day_ok = |d: u32| (1..=31).contains(&d);
    let month_ok = |m: u32| (1..=12).contains(&m);
    match (word, numbers.as_slice()) {
        (Some(word), [day, _year]) => {
            day_ok(*day)
                && MONTHS.iter().any(|names| names.split('|').any(|n| n == word.trim_end_matches('.')))
        }
        (None, [a, b, c]) if *a > 31 => month_ok(*b) && day_ok(*c),
        (None, [a, b, _]) => (day_ok(*a) && month_ok(*b)) || (month_ok(*a) && day_ok(*b)),
        _ => false,
    }
}
