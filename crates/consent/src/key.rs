//! The 32-byte secret behind a signing key.

use std::fmt;
use std::str::FromStr;

use rand::TryRngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Deserializer};

const PREFIX: &str = "hex:";
const LEN: usize = 32;

/// A BLAKE3 key for consent-token MACs.
///
/// Written in configuration as `hex:<64 hex digits>`; the prefix leaves room
/// for other encodings later without guessing. `Debug` never shows the
/// bytes and there is no `PartialEq`, so the secret can neither leak into a
/// log line nor be compared in variable time by accident.
#[derive(Clone)]
pub struct SecretKey([u8; LEN]);

/// Why a configured secret was refused. Never contains the secret itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretKeyError {
    /// The string does not start with `hex:`.
    #[error("secret must start with \"hex:\" followed by 64 hex digits")]
    MissingPrefix,
    /// Wrong number of characters after the prefix.
    #[error("secret must have 64 hex digits after \"hex:\", found {found} characters")]
    WrongLength {
        /// Characters found after the prefix.
        found: usize,
    },
    /// A character after the prefix is not a hex digit.
    #[error("secret contains a character that is not a hex digit")]
    NotHex,
}

impl SecretKey {
    /// A new random key from the operating system's RNG, for
    /// `veil keys generate`.
    ///
    /// # Panics
    ///
    /// If the operating system cannot provide randomness: a predictable key
    /// would be worse than no key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; LEN];
        OsRng.try_fill_bytes(&mut bytes).expect("the operating system RNG is unavailable");
        Self(bytes)
    }

    /// The configuration form, `hex:<64 lowercase hex digits>`; parses back
    /// to the same key.
    pub fn to_config_string(&self) -> String {
        format!("{PREFIX}{}", hex::encode(self.0))
    }

    /// The key's bytes, for other keyed hashes (linked user ids).
    pub fn as_bytes(&self) -> &[u8; LEN] {
        &self.0
    }
}

impl FromStr for SecretKey {
    type Err = SecretKeyError;

    fn from_str(s: &str) -> Result<Self, SecretKeyError> {
        let digits = s.strip_prefix(PREFIX).ok_or(SecretKeyError::MissingPrefix)?;
        // Counted in characters so the message matches what the operator
        // sees; a non-ASCII character of the right count fails as `NotHex`.
        let found = digits.chars().count();
        if found != 2 * LEN {
            return Err(SecretKeyError::WrongLength { found });
        }
        let mut bytes = [0u8; LEN];
        hex::decode_to_slice(digits, &mut bytes).map_err(|_| SecretKeyError::NotHex)?;
        Ok(Self(bytes))
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for SecretKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const GOOD: &str = "hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn parsing() {
        let upper = GOOD.to_uppercase().replacen("HEX:", "hex:", 1);
        let cases: Vec<(String, Result<(), SecretKeyError>)> = vec![
            (GOOD.into(), Ok(())),
            (upper, Ok(())),
            (GOOD[4..].into(), Err(SecretKeyError::MissingPrefix)),
            (format!("HEX:{}", &GOOD[4..]), Err(SecretKeyError::MissingPrefix)),
            (format!("base64:{}", &GOOD[4..]), Err(SecretKeyError::MissingPrefix)),
            ("".into(), Err(SecretKeyError::MissingPrefix)),
            ("hex:".into(), Err(SecretKeyError::WrongLength { found: 0 })),
            (GOOD[..GOOD.len() - 1].into(), Err(SecretKeyError::WrongLength { found: 63 })),
            (format!("{GOOD}0"), Err(SecretKeyError::WrongLength { found: 65 })),
            (format!("{GOOD}00"), Err(SecretKeyError::WrongLength { found: 66 })),
            (format!(" {GOOD}"), Err(SecretKeyError::MissingPrefix)),
            (format!("{GOOD}\n"), Err(SecretKeyError::WrongLength { found: 65 })),
            (GOOD.replacen('0', "g", 1), Err(SecretKeyError::NotHex)),
            (GOOD.replacen("00", "0 ", 1), Err(SecretKeyError::NotHex)),
            // 63 ASCII + one 2-byte character: 65 bytes but 64 characters.
            (format!("{}é", &GOOD[..GOOD.len() - 1]), Err(SecretKeyError::NotHex)),
        ];
        for (input, want) in cases {
            let got = input.parse::<SecretKey>().map(|_| ());
            assert_eq!(got, want, "{input:?}");
        }
    }

    #[test]
    fn round_trips_through_config_string() {
        let key: SecretKey = GOOD.parse().unwrap();
        assert_eq!(key.to_config_string(), GOOD);
        let fresh = SecretKey::generate();
        let again: SecretKey = fresh.to_config_string().parse().unwrap();
        assert_eq!(fresh.as_bytes(), again.as_bytes());
        assert_ne!(fresh.as_bytes(), SecretKey::generate().as_bytes());
    }

    #[test]
    fn never_shows_the_secret() {
        let key: SecretKey = GOOD.parse().unwrap();
        let shown = format!("{key:?} {key:#?}");
        assert!(!shown.contains("0102"), "{shown}");
        let bad = GOOD.replacen('0', "g", 1);
        let err = bad.parse::<SecretKey>().unwrap_err().to_string();
        assert!(!err.contains("0102"), "{err}");
    }

    #[test]
    fn deserializes_from_config() {
        let key: SecretKey = serde_json::from_str(&format!("\"{GOOD}\"")).unwrap();
        assert_eq!(key.to_config_string(), GOOD);
        let err = serde_json::from_str::<SecretKey>("\"hex:12\"").unwrap_err();
        assert!(err.to_string().contains("64 hex digits"), "{err}");
    }
}
