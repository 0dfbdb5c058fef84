//! `@licence_plate` (opt-in): Dutch licence plates in all fourteen
//! side codes as the RDW writes them (`XX-99-99` … `999-XX-9`, with
//! dashes), current British plates (`AB12 CDE`) and German ones with the
//! district dash (`M-AB 1234`, `B-XY 123E`).
//!
//! A plate identifies a car and through the registry its keeper, which is
//! why car-insurance, lease and parking sites show them. Opt-in because
//! product and part codes take the same shapes (`GH-123-K` is a plate and
//! a part number); the cost is measured on the corpus's codes in
//! docs/masking.md. Dutch plates use no vowels (nor C or Q) since 1951,
//! which is what keeps most codes out; upper case only, because that is
//! how plates are written.

use super::Verdict;
use super::context::{char_at, char_before, is_word, text_before};

/// The fourteen Dutch side codes over the letter class `$l`.
macro_rules! nl {
    ($l:literal) => {
        concat!(
            r"\b(?:",
            $l,
            r"{2}-[0-9]{2}-[0-9]{2}|[0-9]{2}-[0-9]{2}-",
            $l,
            r"{2}|[0-9]{2}-",
            $l,
            r"{2}-[0-9]{2}|",
            $l,
            r"{2}-[0-9]{2}-",
            $l,
            r"{2}|",
            $l,
            r"{2}-",
            $l,
            r"{2}-[0-9]{2}|[0-9]{2}-",
            $l,
            r"{2}-",
            $l,
            r"{2}|",
            r"[0-9]{2}-",
            $l,
            r"{3}-[0-9]|[0-9]-",
            $l,
            r"{3}-[0-9]{2}|",
            $l,
            r"{2}-[0-9]{3}-",
            $l,
            r"|",
            $l,
            r"-[0-9]{3}-",
            $l,
            r"{2}|",
            $l,
            r"{3}-[0-9]{2}-",
            $l,
            r"|",
            $l,
            r"-[0-9]{2}-",
            $l,
            r"{3}|",
            r"[0-9]-",
            $l,
            r"{2}-[0-9]{3}|[0-9]{3}-",
            $l,
            r"{2}-[0-9])\b"
        )
    };
}

pub(super) const SET_NL: &str = r"[0-9A-Z]-[0-9A-Z]{2,3}-[0-9A-Z]";
pub(super) const FIND_NL: &str = nl!("[BDFGHJKLMNPRSTVWXYZ]");
pub(super) const SET_GB_DE: &str = r"[A-Z]{2}[0-9]{2} ?[A-Z]{3}|[A-Z]-[A-Z]{1,2} ?[0-9]";
pub(super) const FIND_GB_DE: &str =
    r"\b(?:[A-Z]{2}[0-9]{2} ?[A-Z]{3}|[A-ZÄÖÜ]{1,3}-[A-Z]{1,2} ?[1-9][0-9]{0,3}[EH]?)\b";

pub(super) fn validate(hay: &str, start: usize, end: usize) -> Verdict {
    // A plate stands alone: `SKU-GH-123-K`, `GH-123-K-2` and `GH-123-K.pdf`
    // are codes.
    let glued = |c: Option<char>| c.is_some_and(|c| is_word(c) || matches!(c, '-' | '/' | '_' | '.' | '#'));
    let after = char_at(hay, end);
    // A full stop ends a sentence unless a word follows it (`.pdf`).
    let after_glued = glued(after) && (after != Some('.') || char_at(hay, end + 1).is_some_and(is_word));
    if glued(char_before(hay, start)) || after_glued || after_size_label(hay, start) {
        return Verdict::Reject(start + 1);
    }
    Verdict::Match(start, end)
}

/// Whether a clothing or shoe size label is in the 12 bytes before
/// `start`: `Maat XL-32-34` is a size range in the shape of a plate.
fn after_size_label(hay: &str, start: usize) -> bool {
    let before = text_before(hay, start, 12).to_lowercase();
    ["maat", "size", "größe", "grösse", "taille", "gr."].iter().any(|label| before.contains(label))
}
