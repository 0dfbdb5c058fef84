//! Consent tokens (SPEC §3): minting, constant-time verification, signing-key
//! rotation and the revocation set.
//!
//! Pure logic, no I/O: the server feeds it keys from configuration and
//! revocations from the consent log, and asks it whether a token may be
//! trusted.
//!
//! A token is `v1.<payload>.<mac>`: the compact JSON [`Claims`] and their
//! BLAKE3 keyed hash, both base64url without padding. The [`Keyring`] holds
//! the configured keys in order; the newest non-retired one signs, all
//! non-retired ones verify. Ids are checked once, when parsed into
//! [`SiteId`], [`VisitorId`] and [`ConsentId`], so a token can only carry
//! valid ones. Whether a verified token's consent was withdrawn is a
//! separate question for the [`RevocationSet`].
//!
//! ```
//! use std::time::Duration;
//! use veil_consent::{ClaimsInput, ConsentId, Keyring, Purpose, Purposes, SecretKey, SigningKey, TokenError};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let keyring = Keyring::new([SigningKey {
//!     id: "k1".parse()?,
//!     secret: SecretKey::generate(),
//!     retired: false,
//! }])?;
//!
//! let now = 1_750_000_000;
//! let token = keyring.mint(ClaimsInput {
//!     site: "shop".parse()?,
//!     consent_id: ConsentId::generate(),
//!     visitor: "9f1c2b3a4d5e6f708192a3b4c5d6e7f8".parse()?,
//!     purposes: Purposes::from_names(["recording", "heatmaps"])?,
//!     issued_at: now,
//!     ttl: Duration::from_secs(30 * 60),
//! });
//!
//! let claims = keyring.verify_for_site(&token, "shop", now + 60)?;
//! assert!(claims.purposes.contains(Purpose::Heatmaps));
//! assert_eq!(keyring.verify_for_site(&token, "blog", now), Err(TokenError::WrongSite));
//! assert_eq!(keyring.verify(&token, now + 31 * 60), Err(TokenError::Expired));
//! # Ok(())
//! # }
//! ```

mod ids;
mod key;
mod keyring;
mod purposes;
mod revocation;
mod token;

pub use ids::{ConsentId, IdError, KeyId, SiteId, VisitorId};
pub use key::{SecretKey, SecretKeyError};
pub use keyring::{Keyring, KeyringError, SigningKey};
pub use purposes::{Purpose, Purposes, PurposesIter, UnknownPurpose};
pub use revocation::RevocationSet;
pub use token::{Claims, ClaimsInput, MAX_CLOCK_SKEW_SECS, MAX_TOKEN_LEN, TokenError};
