//! Validated identifiers that travel inside consent tokens.
//!
//! Each id is a newtype so that a value which reached a token, the consent
//! log or the revocation set has been checked exactly once, at the edge.
//! The checks are hand-written byte tests: they run on every request and
//! need no regex engine.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use rand::TryRngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a string was refused as an id.
///
/// The offending value is never echoed: ids arrive from browsers, and an
/// error message may end up in logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Not `[a-z0-9_-]{1,64}`.
    #[error("invalid site id: must be 1 to 64 characters of a-z, 0-9, '_' or '-'")]
    Site,
    /// Neither 32 hex nor 22 base64url characters.
    #[error("invalid visitor id: must be 128 random bits as 32 hex or 22 base64url characters")]
    Visitor,
    /// Not 32 lowercase hex characters.
    #[error("invalid consent id: must be 32 lowercase hex characters")]
    Consent,
    /// Not `[A-Za-z0-9_-]{1,32}`.
    #[error("invalid key id: must be 1 to 32 characters of A-Z, a-z, 0-9, '_' or '-'")]
    Key,
}

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident, $is_valid:ident, $err:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The id exactly as it appears in tokens and storage.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, IdError> {
                if $is_valid(s.as_bytes()) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err($err)
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;

            fn try_from(s: String) -> Result<Self, IdError> {
                if $is_valid(s.as_bytes()) {
                    Ok(Self(s))
                } else {
                    Err($err)
                }
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        // Hash, Eq and Ord are those of the inner string, so lookups by
        // `&str` agree with lookups by id.
        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                Self::try_from(s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_id!(
    /// A configured site (`[a-z0-9_-]{1,64}`, SPEC §1).
    SiteId,
    is_site_id,
    IdError::Site
);

string_id!(
    /// The recorder's pseudonymous visitor id: 128 random bits as 32 hex
    /// characters (either case) or 22 base64url characters.
    ///
    /// The base64url form is not required to be the canonical encoding of
    /// 16 bytes: a recorder that draws 22 random characters is just as
    /// anonymous, and refusing it would lose consent for no privacy gain.
    /// The id is kept as sent, so erasure finds exactly what was stored.
    VisitorId,
    is_visitor_id,
    IdError::Visitor
);

string_id!(
    /// One consent grant: 128 random bits as 32 lowercase hex characters.
    ///
    /// Only the lowercase form is accepted so that the consent log, the
    /// revocation set and tokens always compare equal byte for byte.
    ConsentId,
    is_consent_id,
    IdError::Consent
);

string_id!(
    /// Names a signing key in configuration and in every token it signs
    /// (`[A-Za-z0-9_-]{1,32}`), so verification finds the key without trying
    /// them all.
    KeyId,
    is_key_id,
    IdError::Key
);

impl ConsentId {
    /// A fresh consent id from the operating system's RNG.
    ///
    /// # Panics
    ///
    /// If the operating system cannot provide randomness; minting an id
    /// that is not random would be worse than failing the request.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 16];
        OsRng.try_fill_bytes(&mut bytes).expect("the operating system RNG is unavailable");
        Self(hex::encode(bytes))
    }
}

/// The site id rule lives with the wire format it belongs to.
fn is_site_id(b: &[u8]) -> bool {
    std::str::from_utf8(b).is_ok_and(veil_events::ids::is_valid_site_id)
}

fn is_key_id(b: &[u8]) -> bool {
    (1..=32).contains(&b.len()) && b.iter().all(|&c| is_base64url_byte(c))
}

fn is_visitor_id(b: &[u8]) -> bool {
    match b.len() {
        32 => b.iter().all(u8::is_ascii_hexdigit),
        22 => b.iter().all(|&c| is_base64url_byte(c)),
        _ => false,
    }
}

fn is_consent_id(b: &[u8]) -> bool {
    b.len() == 32 && b.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_base64url_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn site_ids() {
        let cases: &[(&str, bool)] = &[
            ("shop", true),
            ("a", true),
            ("demo_site-2", true),
            (&"a".repeat(64), true),
            (&"a".repeat(65), false),
            ("", false),
            ("Shop", false),
            ("shop.example", false),
            ("shop ", false),
            ("shöp", false),
        ];
        for &(input, ok) in cases {
            assert_eq!(input.parse::<SiteId>().is_ok(), ok, "{input:?}");
        }
    }

    #[test]
    fn visitor_ids() {
        let cases: &[(&str, bool)] = &[
            ("9f1c2b3a4d5e6f708192a3b4c5d6e7f8", true),
            ("9F1C2B3A4D5E6F708192A3B4C5D6E7F8", true),
            ("9f1c2b3a4d5e6f708192a3b4c5d6e7f", false),
            ("9f1c2b3a4d5e6f708192a3b4c5d6e7f80", false),
            ("9g1c2b3a4d5e6f708192a3b4c5d6e7f8", false),
            ("n9E2tRk-_x0aB1cD2eF3gA", true),
            ("n9E2tRk-_x0aB1cD2eF3g", false),
            ("n9E2tRk+/x0aB1cD2eF3gA", false),
            ("n9E2tRk-_x0aB1cD2eF3g=", false),
            ("", false),
            ("alice@example.com", false),
        ];
        for &(input, ok) in cases {
            assert_eq!(input.parse::<VisitorId>().is_ok(), ok, "{input:?}");
        }
    }

    #[test]
    fn consent_ids() {
        let cases: &[(&str, bool)] = &[
            ("0123456789abcdef0123456789abcdef", true),
            ("0123456789ABCDEF0123456789abcdef", false),
            ("0123456789abcdef0123456789abcde", false),
            ("0123456789abcdef0123456789abcdeg", false),
            ("", false),
        ];
        for &(input, ok) in cases {
            assert_eq!(input.parse::<ConsentId>().is_ok(), ok, "{input:?}");
        }
    }

    #[test]
    fn key_ids() {
        let cases: &[(&str, bool)] = &[
            ("k1", true),
            ("2025-06_Primary", true),
            (&"k".repeat(32), true),
            (&"k".repeat(33), false),
            ("", false),
            ("k 1", false),
            ("k.1", false),
        ];
        for &(input, ok) in cases {
            assert_eq!(input.parse::<KeyId>().is_ok(), ok, "{input:?}");
        }
    }

    #[test]
    fn generated_consent_ids_are_valid_and_distinct() {
        let a = ConsentId::generate();
        let b = ConsentId::generate();
        assert_ne!(a, b);
        assert!(a.as_str().parse::<ConsentId>().is_ok());
    }

    #[test]
    fn errors_do_not_echo_the_input() {
        let err = "secret@example.com".parse::<VisitorId>().unwrap_err();
        assert!(!err.to_string().contains("secret"));
    }

    #[test]
    fn serde_validates() {
        assert!(serde_json::from_str::<SiteId>("\"shop\"").is_ok());
        assert!(serde_json::from_str::<SiteId>("\"Shop\"").is_err());
        let id: KeyId = "k1".parse().unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"k1\"");
    }
}
