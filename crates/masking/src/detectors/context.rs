//! Context questions the numeric validators share: is a candidate glued
//! to more digits, does a currency sit next to it, and what word labels
//! it. These are what separate a phone number or BSN from an order number,
//! a price or a date that happens to have the same digits.

/// The character before byte offset `i`.
pub(super) fn char_before(hay: &str, i: usize) -> Option<char> {
    hay.get(..i)?.chars().next_back()
}

/// At most `max_bytes` of the text before byte offset `start`, cut at a
/// character boundary: the window a label is looked for in.
pub(super) fn text_before(hay: &str, start: usize, max_bytes: usize) -> &str {
    let mut from = start.saturating_sub(max_bytes);
    while !hay.is_char_boundary(from) {
        from += 1;
    }
    hay.get(from..start).unwrap_or("")
}

/// The character at byte offset `i`.
pub(super) fn char_at(hay: &str, i: usize) -> Option<char> {
    hay.get(i..)?.chars().next()
}

/// Letters, digits and `_`: what makes a candidate part of a longer word.
/// `*` counts too: it is what masking leaves of letters and digits, and a
/// context must read the same before and after its neighbours are masked
/// (idempotence).
pub(super) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '*'
}

/// A digit, or a `*` that may have been one (see [`is_word`]).
pub(super) fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || c == '*'
}

/// The alphabetic word that ends `head` (after trailing whitespace).
pub(super) fn last_word(head: &str) -> &str {
    let head = head.trim_end();
    let start = head
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphabetic())
        .last()
        .map_or(head.len(), |(i, _)| i);
    &head[start..]
}

/// Whether the text just before `start` continues a number or an
/// identifier: a word character, a `#`, a number separator (`.`, `,`,
/// `/`, `-`) that itself follows a word character (`1.`, `ORD-`), or a
/// colon after a digit (`12:`).
pub(super) fn glued_before(hay: &str, start: usize) -> bool {
    match char_before(hay, start) {
        None => false,
        Some(c) if is_word(c) || c == '#' => true,
        // `12:30` glues, `tel:` does not.
        Some(':') => char_before(hay, start - 1).is_some_and(is_digit),
        Some(c @ ('.' | ',' | '/' | '-')) => {
            char_before(hay, start - c.len_utf8()).is_some_and(|p| is_word(p) || p == '#')
        }
        Some(_) => false,
    }
}

/// Whether the text just after `end` continues a number or identifier: a
/// word character, or a number separator followed by a digit (`,00`,
/// `.5`, `:30`, `/2`, `-1`), or a `%`.
pub(super) fn glued_after(hay: &str, end: usize) -> bool {
    match char_at(hay, end) {
        None => false,
        Some(c) if is_word(c) || c == '%' => true,
        Some(c @ ('.' | ',' | ':' | '/' | '-')) => char_at(hay, end + c.len_utf8()).is_some_and(is_digit),
        Some(_) => false,
    }
}

/// Whether a currency sign or code stands right before or after the
/// candidate (`€ 123`, `123 EUR`, `123,-`): then it is an amount. A sign
/// that belongs to a neighbouring amount (`123 € 4,50`, `9,99 € 123`) does
/// not count.
pub(super) fn currency_near(hay: &str, start: usize, end: usize) -> bool {
    let before = hay.get(..start).unwrap_or("").trim_end();
    let after = hay.get(end..).unwrap_or("").trim_start();
    const SIGNS: [&str; 5] = ["€", "$", "£", "¥", "₹"];
    const CODES: [&str; 6] = ["eur", "usd", "gbp", "chf", "euro", "jpy"];
    let sign_before = |len: usize| {
        let rest = before[..before.len() - len].trim_end();
        !rest.chars().next_back().is_some_and(|c| c.is_ascii_digit())
    };
    let sign_after = |len: usize| !after[len..].trim_start().starts_with(|c: char| c.is_ascii_digit());
    SIGNS.iter().any(|s| {
        (before.ends_with(s) && sign_before(s.len())) || (after.starts_with(s) && sign_after(s.len()))
    }) || after.starts_with(",-")
        || CODES.iter().any(|c| {
            (ends_with_word_ci(before, c) && sign_before(c.len()))
                || (starts_with_word_ci(after, c) && sign_after(c.len()))
        })
}

fn ends_with_word_ci(text: &str, word: &str) -> bool {
    text.len() >= word.len()
        && text.is_char_boundary(text.len() - word.len())
        && text[text.len() - word.len()..].eq_ignore_ascii_case(word)
        && char_before(text, text.len() - word.len()).is_none_or(|c| !c.is_alphabetic())
}

fn starts_with_word_ci(text: &str, word: &str) -> bool {
    text.get(..word.len()).is_some_and(|head| head.eq_ignore_ascii_case(word))
        && char_at(text, word.len()).is_none_or(|c| !c.is_alphabetic())
}

/// What the word before a number says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Label {
    /// No label, or one that says nothing.
    None,
    /// `BSN`, `burgerservicenummer`, `sofinummer`.
    Bsn,
    /// `card`, `kaartnummer`, `creditcard`, `pan`.
    Card,
    /// `tel`, `telefoon`, `phone`, `mobiel`, `gsm`, `fax`, …
    Phone,
    /// An identifier that is not personal: `order`, `factuurnummer`,
    /// `invoice`, `sku`, `tracking`, `nr`, `#`, …
    Id,
}

/// Words that label an identifier, compared whole and lower-case.
const ID_WORDS: &[&str] = &[
    "order",
    "orders",
    "bestelling",
    "factuur",
    "invoice",
    "inv",
    "ref",
    "reference",
    "referentie",
    "kenmerk",
    "klant",
    "customer",
    "account",
    "artikel",
    "art",
    "sku",
    "ean",
    "gtin",
    "isbn",
    "upc",
    "tracking",
    "track",
    "trace",
    "zending",
    "pakket",
    "shipment",
    "parcel",
    "nr",
    "no",
    "id",
    "kvk",
    "btw",
    "vat",
    "postcode",
    "pin",
    "ticket",
    "transactie",
    "transaction",
    "txn",
    "batch",
    "serial",
    "versie",
    "version",
    "build",
    "product",
    "item",
    "model",
    "case",
    "dossier",
    "rma",
    "po",
    "lot",
    "pnr",
    "booking",
    "boeking",
    "reservering",
    "reservation",
    "confirmation",
    "bevestiging",
    "kassabon",
    "bon",
    "receipt",
    "volgnummer",
    "zaak",
];

/// Endings of compound labels (`bestelnummer`, `ordernr`, `customerid`).
const ID_SUFFIXES: &[&str] = &["nummer", "number", "nr", "no", "id", "code", "num", "ref"];

/// The label of the number at `start`: the word that precedes it, across
/// at most three separator characters (`Order #`, `Bestelnummer: `,
/// `order_id=`).
pub(super) fn label_before(hay: &str, start: usize) -> Label {
    let head = hay.get(..start).unwrap_or("");
    let mut end = head.len();
    let mut skipped = 0;
    for (i, c) in head.char_indices().rev() {
        if skipped < 4 && matches!(c, ' ' | '\t' | '\u{a0}' | ':' | '=' | '#' | '.' | '(' | '"' | '\'' | '-')
        {
            if c == '#' {
                return Label::Id;
            }
            end = i;
            skipped += 1;
        } else {
            break;
        }
    }
    let word_start = head[..end]
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .take(40)
        .last()
        .map_or(end, |(i, _)| i);
    classify(&head[word_start..end])
}

fn classify(word: &str) -> Label {
    if word.is_empty() {
        return Label::None;
    }
    let lower = word.to_ascii_lowercase();
    if ["bsn", "burgerservice", "sofi"].iter().any(|w| lower.contains(w)) {
        return Label::Bsn;
    }
    let phone_word = |t: &str| {
        ["tel", "bel", "bellen", "fax", "gsm", "mob"].contains(&t)
            || ["telef", "teleph", "phone", "mobiel", "mobile", "whatsapp", "cell"]
                .iter()
                .any(|p| t.starts_with(p))
            || t.contains("telefoon")
            || t.contains("phone")
    };
    if ["card", "kaart", "creditcard", "pan"].iter().any(|w| lower.contains(w)) && !lower.contains("cadeau") {
        return Label::Card;
    }
    // The last token decides: `order_tel` is a phone, `tel_id` is an id.
    let last = lower.rsplit(['_', '-']).next().unwrap_or(&lower);
    if phone_word(last) {
        return Label::Phone;
    }
    if ID_WORDS.contains(&last)
        || ID_WORDS.contains(&lower.as_str())
        || ID_SUFFIXES.iter().any(|s| last.ends_with(s) && last.len() > s.len())
    {
        return Label::Id;
    }
    Label::None
}

/// Up to 32 ASCII digits of `text`, skipping everything else.
pub(super) fn digits(text: &str) -> ([u8; 32], usize) {
    let mut out = [0u8; 32];
    let mut n = 0;
    for b in text.bytes().filter(u8::is_ascii_digit) {
        if n == out.len() {
            break;
        }
        out[n] = b - b'0';
        n += 1;
    }
    (out, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let cases = [
            ("Order #", Label::Id),
            ("Bestelnummer: ", Label::Id),
            ("order_id=", Label::Id),
            ("Factuurnr. ", Label::Id),
            ("BSN: ", Label::Bsn),
            ("BSN-nummer: ", Label::Bsn),
            ("Telefoonnummer: ", Label::Phone),
            ("tel. ", Label::Phone),
            ("Mijn ", Label::None),
            ("", Label::None),
            ("Hallo, ", Label::None),
        ];
        for (text, want) in cases {
            assert_eq!(label_before(text, text.len()), want, "{text:?}");
        }
    }

    #[test]
    fn glue_and_currency() {
        assert!(glued_before("ORD-", 4));
        assert!(glued_before("1.", 2));
        assert!(!glued_before("tel: ", 5));
        assert!(glued_after("123,00", 3));
        assert!(!glued_after("123, ok", 3));
        assert!(currency_near("€ 123456782", 4, 13));
        assert!(currency_near("123456782 EUR", 0, 9));
        assert!(!currency_near("123456782 Europa", 0, 9));
    }
}
