//! The `v1.<payload>.<mac>` consent token (SPEC §3).
//!
//! The payload is the compact JSON of [`Claims`]; the MAC is
//! `blake3::keyed_hash(secret, payload_json)` over the decoded payload
//! bytes. Both parts are base64url without padding.
//!
//! Verification does the cheapest rejections first and trusts nothing from
//! the payload except the key id until the MAC has been checked.

use std::borrow::Cow;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::ids::{ConsentId, KeyId, SiteId, VisitorId};
use crate::keyring::Keyring;
use crate::purposes::Purposes;

/// Longer tokens are refused before any decoding; a real one is ~400 bytes.
pub const MAX_TOKEN_LEN: usize = 4096;

/// How far the clocks of the minting and the verifying node may disagree.
pub const MAX_CLOCK_SKEW_SECS: u64 = 5;

const VERSION: &str = "v1";
const MAC_LEN: usize = blake3::OUT_LEN;
/// 32 bytes in base64url without padding.
const MAC_B64_LEN: usize = 43;

/// What a verified token asserts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// The key that signed the token.
    #[serde(rename = "kid")]
    pub key_id: KeyId,
    /// The only site the token is good for.
    pub site: SiteId,
    /// The grant, as written to the consent log; revocation is by this id.
    #[serde(rename = "cid")]
    pub consent_id: ConsentId,
    /// The pseudonymous visitor, for erasure.
    #[serde(rename = "vis")]
    pub visitor: VisitorId,
    /// What the visitor agreed to.
    #[serde(rename = "pur")]
    pub purposes: Purposes,
    /// Unix seconds.
    #[serde(rename = "iat")]
    pub issued_at: u64,
    /// Unix seconds; the token is refused [`MAX_CLOCK_SKEW_SECS`] after it.
    #[serde(rename = "exp")]
    pub expires_at: u64,
}

/// Everything the caller decides when minting; the key id comes from the
/// keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimsInput {
    /// See [`Claims::site`].
    pub site: SiteId,
    /// See [`Claims::consent_id`].
    pub consent_id: ConsentId,
    /// See [`Claims::visitor`].
    pub visitor: VisitorId,
    /// See [`Claims::purposes`].
    pub purposes: Purposes,
    /// Unix seconds.
    pub issued_at: u64,
    /// Lifetime; sub-second parts are dropped.
    pub ttl: Duration,
}

impl ClaimsInput {
    /// The expiry the minted token will carry, for the `expires_at` of the
    /// consent answer and the consent log.
    pub fn expires_at(&self) -> u64 {
        self.issued_at.saturating_add(self.ttl.as_secs())
    }
}

/// Why a token was refused.
///
/// Only [`TokenError::WrongSite`] is the client's fault in the SPEC §4
/// sense of "forbidden" (403); every other variant means the token itself
/// cannot be trusted (401). Revocation is checked by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not shaped like a token, or claims that fail validation.
    #[error("malformed consent token: {0}")]
    Malformed(&'static str),
    /// A version other than `v1`.
    #[error("unsupported consent token version")]
    UnsupportedVersion,
    /// The key id names no configured key.
    #[error("consent token signed with an unknown key")]
    UnknownKey,
    /// The key id names a retired key.
    #[error("consent token signed with a retired key")]
    RetiredKey,
    /// The MAC does not match the payload.
    #[error("consent token signature is invalid")]
    BadSignature,
    /// Past its expiry plus the allowed clock skew.
    #[error("consent token has expired")]
    Expired,
    /// Issued further in the future than the allowed clock skew.
    #[error("consent token is not valid yet")]
    NotYetValid,
    /// Valid, but minted for another site.
    #[error("consent token belongs to another site")]
    WrongSite,
}

impl TokenError {
    /// Whether the answer is 403 rather than 401.
    pub fn is_forbidden(self) -> bool {
        matches!(self, TokenError::WrongSite)
    }
}

/// The one field read before the MAC is checked. Borrowed, and every other
/// field is skipped unparsed.
#[derive(Deserialize)]
struct KeyIdOnly<'a> {
    #[serde(borrow)]
    kid: Cow<'a, str>,
}

impl Keyring {
    /// Signs a token with the newest non-retired key.
    pub fn mint(&self, input: ClaimsInput) -> String {
        let key = self.signing_key();
        let claims = Claims {
            key_id: key.id.clone(),
            expires_at: input.expires_at(),
            site: input.site,
            consent_id: input.consent_id,
            visitor: input.visitor,
            purposes: input.purposes,
            issued_at: input.issued_at,
        };
        let payload = serde_json::to_vec(&claims)
            .expect("claims hold only strings and integers, which always serialise");
        let mac = blake3::keyed_hash(key.secret.as_bytes(), &payload);

        let mut token = String::with_capacity(VERSION.len() + 2 + payload.len() * 4 / 3 + 4 + MAC_B64_LEN);
        token.push_str(VERSION);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(mac.as_bytes(), &mut token);
        token
    }

    /// Checks a token's shape, signature and validity window at
    /// `now_unix_secs` and returns its claims.
    // The payload is at most MAX_TOKEN_LEN bytes of flat JSON read into
    // fixed structs: not a batch, so not veil_events::decode.
    #[allow(clippy::disallowed_methods)]
    pub fn verify(&self, token: &str, now_unix_secs: u64) -> Result<Claims, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed("longer than 4 KiB"));
        }
        let mut parts = token.split('.');
        let (Some(version), Some(payload_b64), Some(mac_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed("expected three dot-separated parts"));
        };
        if version != VERSION {
            return Err(TokenError::UnsupportedVersion);
        }
        let payload = URL_SAFE_NO_PAD
            .decode(payload_b64)
            .map_err(|_| TokenError::Malformed("payload is not base64url without padding"))?;
        if mac_b64.len() != MAC_B64_LEN {
            return Err(TokenError::Malformed("mac is not 32 bytes"));
        }
        let mut mac = [0u8; MAC_LEN];
        match URL_SAFE_NO_PAD.decode_slice(mac_b64, &mut mac) {
            Ok(MAC_LEN) => {}
            _ => {
                return Err(TokenError::Malformed("mac is not base64url without padding"));
            }
        }

        let kid = serde_json::from_slice::<KeyIdOnly<'_>>(&payload)
            .map_err(|_| TokenError::Malformed("payload is not a JSON object with a kid"))?
            .kid;
        let key = self.key(&kid).ok_or(TokenError::UnknownKey)?;
        if key.retired {
            return Err(TokenError::RetiredKey);
        }
        // `blake3::Hash` compares in constant time.
        if blake3::keyed_hash(key.secret.as_bytes(), &payload) != blake3::Hash::from_bytes(mac) {
            return Err(TokenError::BadSignature);
        }

        let claims: Claims = serde_json::from_slice(&payload)
            .map_err(|_| TokenError::Malformed("claims are missing or invalid"))?;
        if claims.expires_at < claims.issued_at {
            return Err(TokenError::Malformed("expires before it was issued"));
        }
        if now_unix_secs > claims.expires_at.saturating_add(MAX_CLOCK_SKEW_SECS) {
            return Err(TokenError::Expired);
        }
        if claims.issued_at > now_unix_secs.saturating_add(MAX_CLOCK_SKEW_SECS) {
            return Err(TokenError::NotYetValid);
        }
        Ok(claims)
    }

    /// [`Keyring::verify`], and the token must have been minted for `site`:
    /// a visitor's consent on one site says nothing about another.
    pub fn verify_for_site(&self, token: &str, site: &str, now_unix_secs: u64) -> Result<Claims, TokenError> {
        let claims = self.verify(token, now_unix_secs)?;
        if claims.site.as_str() != site {
            return Err(TokenError::WrongSite);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests;
