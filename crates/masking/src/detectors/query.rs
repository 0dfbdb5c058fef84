//! `@personal_query`: values of query-string (and fragment) parameters
//! whose key looks personal: `?email=…`, `&first_name=…`, `#access_token=…`,
//! `;jsessionid=…`.
//!
//! The key is split into words at `_`, `-`, `.`, brackets and camelCase
//! humps; it is personal when one of its words, or the whole key without
//! separators, is in [`PERSONAL_KEYS`], or when the whole key contains one
//! of the long, unambiguous ones (`useremail`, `jsessionid`). Only the
//! value is masked; the key stays so analysts still see which parameter
//! was there.

use super::Verdict;

pub(super) const SET: &str = r"[?&;#][A-Za-z0-9_.\[\]%\-]{1,64}=[^&#\s]";
pub(super) const FIND: &str = r#"[?&;#][A-Za-z0-9_.\[\]%\-]{1,64}=[^&#\s"'<>]*"#;

/// Parameters of a URL that is itself a percent-encoded parameter value
/// (`?url=https%3A%2F%2Fshop.example%2F%3Femail%3Djan%2540…`, what
/// redirects and trackers carry): `%3F`/`%26`/`%23`, key, `%3D`, value up
/// to the encoded `&` (`%26`) or `#` (`%23`).
pub(super) const SET_ENCODED: &str = r"(?:%3[Ff]|%26|%23)[A-Za-z0-9_.\-]{1,64}%3[Dd][^&#\s]";
pub(super) const FIND_ENCODED: &str = concat!(
    r"(?:%3[Ff]|%26|%23)[A-Za-z0-9_.\-]{1,64}%3[Dd]",
    r#"(?:[^&#\s"'<>%]|%(?:[013-9A-Fa-f][0-9A-Fa-f]|2[0-57-9A-Fa-f]))*"#
);

/// Words that make a parameter personal, lower-case.
pub(crate) const PERSONAL_KEYS: &[&str] = &[
    "email",
    "e-mail",
    "mail",
    "name",
    "firstname",
    "lastname",
    "fullname",
    "surname",
    "givenname",
    "familyname",
    "voornaam",
    "achternaam",
    "naam",
    "phone",
    "tel",
    "telephone",
    "telefoon",
    "mobile",
    "mobiel",
    "gsm",
    "token",
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "auth",
    "authorization",
    "password",
    "passwd",
    "pwd",
    "pass",
    "wachtwoord",
    "ssn",
    "bsn",
    "iban",
    "address",
    "adres",
    "addr",
    "street",
    "straat",
    "zip",
    "zipcode",
    "postcode",
    "postalcode",
    "postal",
    "city",
    "woonplaats",
    "dob",
    "birthdate",
    "birthday",
    "geboortedatum",
    "user",
    "username",
    "userid",
    "login",
    "session",
    "sessionid",
    "sid",
    "key",
    "apikey",
    "secret",
    "code",
    "otp",
    "pin",
    "cvc",
    "cvv",
    "card",
    "cardnumber",
    "cc",
    "account",
    "acct",
    "signature",
    "sig",
    "credential",
    "credentials",
    "jwt",
    "ip",
];

/// Keys personal whenever they appear inside a longer key.
const CONTAINED: &[&str] = &[
    "email",
    "password",
    "passwd",
    "token",
    "secret",
    "session",
    "phone",
    "mobile",
    "address",
    "street",
    "postcode",
    "zipcode",
    "username",
    "firstname",
    "lastname",
    "birth",
    "iban",
    "apikey",
    "credential",
    "signature",
];

pub(super) fn validate(hay: &str, start: usize, end: usize) -> Verdict {
    let text = &hay[start + 1..end];
    let Some(eq) = text.find('=') else { return Verdict::Reject(start + 1) };
    let key = &text[..eq];
    let value_start = start + 1 + eq + 1;
    if value_start >= end || !personal(key) {
        return Verdict::Reject(start + 1);
    }
    Verdict::Match(value_start, end)
}

/// [`validate`] for an encoded parameter ([`FIND_ENCODED`]).
pub(super) fn validate_encoded(hay: &str, start: usize, end: usize) -> Verdict {
    let text = &hay[start + 3..end];
    let Some(eq) = text.find("%3D").or_else(|| text.find("%3d")) else { return Verdict::Reject(start + 1) };
    let value_start = start + 3 + eq + 3;
    if value_start >= end || !personal(&text[..eq]) {
        return Verdict::Reject(start + 1);
    }
    Verdict::Match(value_start, end)
}

/// Whether a parameter name looks personal.
pub(super) fn personal(key: &str) -> bool {
    let key = key.replace("%5B", "[").replace("%5b", "[").replace("%5D", "]").replace("%5d", "]");
    let mut compact = String::with_capacity(key.len());
    let mut word = String::new();
    let mut hit = false;
    let mut prev_lower = false;
    for c in key.chars() {
        let boundary =
            matches!(c, '_' | '-' | '.' | '[' | ']' | '%') || (c.is_ascii_uppercase() && prev_lower);
        if boundary && !word.is_empty() {
            hit |= PERSONAL_KEYS.contains(&word.as_str());
            word.clear();
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
            compact.push(c.to_ascii_lowercase());
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    hit |= PERSONAL_KEYS.contains(&word.as_str());
    hit || PERSONAL_KEYS.contains(&compact.as_str()) || CONTAINED.iter().any(|w| compact.contains(w))
}
