//! `veil keys generate`: a fresh consent-signing key for `[[consent.keys]]`.

use veil_consent::SecretKey;

/// Prints `hex:<64 hex digits>` from the operating system's RNG.
pub fn generate() {
    println!("{}", SecretKey::generate().to_config_string());
}
