//! `@postcode` (opt-in): Dutch postcodes (`1012 LG`, `1012LG`) and the
//! house number written right after one (`1012 LG 12a`, `1012LG, 12-3`).
//!
//! A postcode covers about twenty addresses; with the house number it is
//! one household. It is opt-in because pages are full of postcodes that
//! are nobody's: the shop's own address in every footer, store locators,
//! pick-up points. Measured on the recall corpus (docs/masking.md) every
//! shop address there is masked, so a site turns it on where visitors'
//! addresses are shown back to them (order confirmations, account pages)
//! and accepts its footer being masked too.
//!
//! Letters are upper case (`1012 LG`), or any case right after a
//! `postcode` label: lower case after a number is more often a unit
//! (`1080px`, `1500 mg`, `2019 en 2020`). The letter pairs never issued
//! (`SA`, `SD`, `SS`) never count, pairs that read as units (`MB`, `PX`, …)
//! only after the label.

use super::Verdict;
use super::context::{char_at, char_before, is_word, text_before};

pub(super) const SET: &str = r"[1-9][0-9]{3} ?[A-Za-z]{2}";
pub(super) const FIND: &str =
    r"\b[1-9][0-9]{3} ?[A-Za-z]{2}\b(?:,? ?[1-9][0-9]{0,4}(?: ?[a-zA-Z]\b|-[0-9]{1,4}\b)?\b)?";

/// Letter pairs never issued.
const NEVER_ISSUED: [&str; 3] = ["SA", "SD", "SS"];

/// Issued pairs that read as units after a number (`2500 MB`, `1080 PX`):
/// a postcode only after a `postcode` label.
const UNITS: [&str; 13] = ["MB", "GB", "KB", "TB", "KM", "KG", "MG", "ML", "CM", "MM", "PX", "PT", "HZ"];

pub(super) fn validate(hay: &str, start: usize, end: usize) -> Verdict {
    let reject = Verdict::Reject(start + 1);
    if char_before(hay, start).is_some_and(|c| is_word(c) || matches!(c, '-' | '.' | ',' | '/' | '#'))
        || char_at(hay, end).is_some_and(|c| is_word(c) || c == '-')
    {
        return reject;
    }
    let text = &hay[start..end];
    let letters_at = if text.as_bytes().get(4) == Some(&b' ') { 5 } else { 4 };
    let Some(letters) = text.get(letters_at..letters_at + 2) else { return reject };
    let pair = letters.to_ascii_uppercase();
    if NEVER_ISSUED.contains(&pair.as_str()) {
        return reject;
    }
    let plain = letters.bytes().all(|b| b.is_ascii_uppercase()) && !UNITS.contains(&pair.as_str());
    if !plain && !labelled(hay, start) {
        return reject;
    }
    Verdict::Match(start, end)
}

/// Whether `postcode` (any case) is in the 24 bytes before `start`.
fn labelled(hay: &str, start: usize) -> bool {
    text_before(hay, start, 24).to_ascii_lowercase().contains("postcode")
}
