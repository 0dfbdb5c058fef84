//! `@labelled_name` (opt-in): a person's name right after a label that
//! says it is one: `Naam: Jan de Vries`, `Achternaam: van den Berg`,
//! `Name: Priya Raman`, `Vorname: Jürgen`, `t.a.v. J. Jansen`.
//!
//! Names have no shape a detector can check, so only the label counts,
//! followed by a colon (`t.a.v.` and `attn` need none) and one to five
//! words that start with a capital, with the particles of Dutch, German,
//! French, Italian and Arabic names between them (`van der`, `von`, `de
//! la`, `el`, `bin`). Opt-in because the same labels name other things on
//! a page (`Name: Premium Plan`, `Naam: Winterjas Heren`), measured on the
//! corpus in docs/masking.md. Only the name is masked; the label stays.
//!
//! Strings without digits are otherwise skipped by the scanner's byte
//! prefilter; a site with this rule has every string scanned, which costs
//! throughput (see benches/README.md).

use std::sync::LazyLock;

use regex::Regex;

use super::Verdict;

macro_rules! label {
    () => {
        r"(?i:\b(?:(?:(?:full|first|last|given|family|middle|maiden|contact)[ \t]+name|naam|name|voornaam|voornamen|achternaam|roepnaam|tussenvoegsel|surname|vorname|nachname|nom|pr[ée]nom|contactpersoon|contact[ \t]+person)[ \t]*[:：]|t\.[ \t]?a\.[ \t]?v\.|attn\.?|ter[ \t]+attentie[ \t]+van))[ \t]*"
    };
}

/// A capitalised word (`Jan`, `O'Brien`, `Anne-Marie`, `J.`, `J.P.`) or a
/// particle.
macro_rules! name {
    () => {
        r"(?:(?:van|von|vom|zu|der|den|de|del|della|di|da|du|des|dos|het|'t|ter|ten|te|op|in|le|la|el|al|bin|ibn|ben)[ \t]+)*(?:(?:\p{Lu}\.){2,4}|\p{Lu}[\p{L}'’\-]*\.?)(?:[ \t]+(?:(?:van|von|vom|zu|der|den|de|del|della|di|da|du|des|dos|het|'t|ter|ten|te|op|in|le|la|el|al|bin|ibn|ben)[ \t]+)*(?:(?:\p{Lu}\.){2,4}|\p{Lu}[\p{L}'’\-]*\.?)){0,4}"
    };
}

pub(super) const SET: &str = r"(?i:(?:naam|name|voornamen|surname|vorname|nachname|nom|tussenvoegsel|contactpersoon|person)[ \t]*[:：]|t\.[ \t]?a\.[ \t]?v\.|attn|attentie)";
pub(super) const FIND: &str = concat!(label!(), name!());

static LABEL_AT_START: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(concat!("^", label!())).ok());

pub(super) fn validate(hay: &str, start: usize, end: usize) -> Verdict {
    let text = &hay[start..end];
    let Some(label) = LABEL_AT_START.as_ref().and_then(|re| re.find(text)) else {
        return Verdict::Reject(start + 1);
    };
    let name_start = start + label.end();
    let name_end = before_next_label(hay, name_start, end);
    if name_end > name_start { Verdict::Match(name_start, name_end) } else { Verdict::Reject(start + 1) }
}

/// Where the name in `hay[from..end]` ends: before a word that a colon
/// follows, which is the next form label (`Voornaam: Jan Achternaam:
/// Jansen` masks `Jan`, and the next search finds `Jansen`).
fn before_next_label(hay: &str, from: usize, end: usize) -> usize {
    let mut word_start = None;
    for (i, c) in hay[from..end].char_indices().map(|(i, c)| (from + i, c)) {
        if c == ' ' || c == '\t' {
            if let Some(w) = word_start.take()
                && followed_by_colon(hay, i)
            {
                return hay[from..w].trim_end().len() + from;
            }
        } else if word_start.is_none() {
            word_start = Some(i);
        }
    }
    match word_start {
        Some(w) if followed_by_colon(hay, end) => hay[from..w].trim_end().len() + from,
        _ => end,
    }
}

fn followed_by_colon(hay: &str, at: usize) -> bool {
    hay[at..].trim_start_matches([' ', '\t']).starts_with([':', '：'])
}
