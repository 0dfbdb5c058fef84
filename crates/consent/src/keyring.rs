//! The configured signing keys and the rotation rule.
//!
//! Rotation without downtime (SPEC §3): append a new key at the end of the
//! list (it signs from then on, while tokens signed by the old key still
//! verify), and once those tokens have expired mark the old key `retired`
//! (nothing signed by it verifies any more) before finally removing it.

use serde::Deserialize;

use crate::ids::KeyId;
use crate::key::SecretKey;

/// One `[[consent.keys]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningKey {
    /// Written into every token this key signs.
    pub id: KeyId,
    /// The MAC key.
    pub secret: SecretKey,
    /// A retired key neither signs nor verifies. It is kept listed so that
    /// a token naming it is reported as such rather than as unknown.
    #[serde(default)]
    pub retired: bool,
}

/// Why a list of keys cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// Two keys share an id, so a token's key id would be ambiguous.
    #[error("consent key id {0} is listed more than once")]
    DuplicateKeyId(KeyId),
    /// Every key is retired (or none is listed): nothing could sign.
    #[error("no consent key that is not retired is configured")]
    NoActiveKey,
}

/// The signing keys in configuration order, oldest first.
///
/// The last non-retired key signs; every non-retired key verifies.
#[derive(Debug, Clone)]
pub struct Keyring {
    keys: Vec<SigningKey>,
    signer: usize,
}

impl Keyring {
    /// Checks the list once at start-up so that minting can never fail.
    pub fn new(keys: impl IntoIterator<Item = SigningKey>) -> Result<Self, KeyringError> {
        let keys: Vec<SigningKey> = keys.into_iter().collect();
        for (i, key) in keys.iter().enumerate() {
            if keys[..i].iter().any(|earlier| earlier.id == key.id) {
                return Err(KeyringError::DuplicateKeyId(key.id.clone()));
            }
        }
        let signer = keys.iter().rposition(|key| !key.retired).ok_or(KeyringError::NoActiveKey)?;
        Ok(Self { keys, signer })
    }

    /// The id of the key new tokens are signed with.
    pub fn signing_key_id(&self) -> &KeyId {
        &self.signing_key().id
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.keys[self.signer]
    }

    /// Any listed key, retired or not; a handful of keys is faster to scan
    /// than to hash.
    pub(crate) fn key(&self, id: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|key| key.id.as_str() == id)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn key(id: &str, retired: bool) -> SigningKey {
        SigningKey { id: id.parse().unwrap(), secret: SecretKey::generate(), retired }
    }

    #[test]
    fn newest_non_retired_key_signs() {
        /// (id, retired) in config order, and the signing key id or error.
        type Case = (&'static [(&'static str, bool)], Result<&'static str, KeyringError>);
        let cases: &[Case] = &[
            (&[("k1", false)], Ok("k1")),
            (&[("k1", false), ("k2", false)], Ok("k2")),
            (&[("k1", true), ("k2", false)], Ok("k2")),
            (&[("k1", false), ("k2", true)], Ok("k1")),
            (&[("k1", false), ("k2", false), ("k3", true)], Ok("k2")),
            (&[], Err(KeyringError::NoActiveKey)),
            (&[("k1", true)], Err(KeyringError::NoActiveKey)),
            (&[("k1", true), ("k2", true)], Err(KeyringError::NoActiveKey)),
            (
                &[("k1", false), ("k2", false), ("k1", false)],
                Err(KeyringError::DuplicateKeyId("k1".parse().unwrap())),
            ),
            (&[("k1", true), ("k1", false)], Err(KeyringError::DuplicateKeyId("k1".parse().unwrap()))),
        ];
        for (list, want) in cases {
            let ring = Keyring::new(list.iter().map(|&(id, retired)| key(id, retired)));
            let got = ring.map(|r| r.signing_key_id().as_str().to_owned());
            assert_eq!(got, want.clone().map(str::to_owned), "{list:?}");
        }
    }

    #[test]
    fn deserializes_a_config_entry() {
        let entry = r#"{"id": "k1", "secret": "hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"}"#;
        let key: SigningKey = serde_json::from_str(entry).unwrap();
        assert!(!key.retired);
        let bad_id = entry.replace("\"k1\"", "\"k 1\"");
        let err = serde_json::from_str::<SigningKey>(&bad_id).unwrap_err();
        assert!(err.to_string().contains("invalid key id"), "{err}");
    }
}
