//! Invariants of the token format, checked over generated inputs.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use veil_consent::{Claims, ClaimsInput, Keyring, Purpose, Purposes, SecretKey, SigningKey, TokenError};

fn keyring(kid: &str) -> Keyring {
    Keyring::new([
        SigningKey { id: "old".parse().unwrap(), secret: SecretKey::generate(), retired: false },
        SigningKey { id: kid.parse().unwrap(), secret: SecretKey::generate(), retired: false },
    ])
    .unwrap()
}

fn purposes() -> impl Strategy<Value = Purposes> {
    (any::<bool>(), any::<bool>()).prop_map(|(r, h)| {
        let mut set = Purposes::EMPTY;
        if r {
            set.insert(Purpose::Recording);
        }
        if h {
            set.insert(Purpose::Heatmaps);
        }
        set
    })
}

fn claims_input() -> impl Strategy<Value = ClaimsInput> {
    (
        "[a-z0-9_-]{1,64}",
        "[0-9a-f]{32}",
        prop_oneof!["[0-9a-fA-F]{32}", "[A-Za-z0-9_-]{22}"],
        purposes(),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(|(site, cid, vis, purposes, issued_at, ttl)| ClaimsInput {
            site: site.parse().unwrap(),
            consent_id: cid.parse().unwrap(),
            visitor: vis.parse().unwrap(),
            purposes,
            issued_at,
            ttl: Duration::from_secs(ttl),
        })
}

fn kid() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,32}".prop_filter("distinct from the other key", |k| k != "old")
}

proptest! {
    #[test]
    fn mint_then_verify_returns_the_same_claims(kid in kid(), input in claims_input()) {
        let ring = keyring(&kid);
        let now = input.issued_at;
        let want = Claims {
            key_id: kid.parse().unwrap(),
            site: input.site.clone(),
            consent_id: input.consent_id.clone(),
            visitor: input.visitor.clone(),
            purposes: input.purposes,
            issued_at: input.issued_at,
            expires_at: input.expires_at(),
        };
        let token = ring.mint(input);
        prop_assert!(token.len() <= veil_consent::MAX_TOKEN_LEN);
        prop_assert_eq!(ring.verify(&token, now), Ok(want.clone()));
        prop_assert_eq!(ring.verify_for_site(&token, want.site.as_str(), now), Ok(want));
    }

    #[test]
    fn a_token_for_one_site_never_verifies_for_another(
        input in claims_input(),
        other in "[a-z0-9_-]{1,64}",
    ) {
        prop_assume!(other != input.site.as_str());
        let ring = keyring("k1");
        let now = input.issued_at;
        let token = ring.mint(input);
        prop_assert_eq!(ring.verify_for_site(&token, &other, now), Err(TokenError::WrongSite));
    }

    #[test]
    fn any_bit_flip_in_the_token_string_is_rejected(input in claims_input(), bit in any::<prop::sample::Index>()) {
        let ring = keyring("k1");
        let now = input.issued_at;
        let mut bytes = ring.mint(input).into_bytes();
        let bit = bit.index(bytes.len() * 8);
        bytes[bit / 8] ^= 1 << (bit % 8);
        // A flip into a non-UTF-8 byte never reaches `verify`: it cannot be
        // a header value or query string the server reads as text.
        if let Ok(flipped) = String::from_utf8(bytes) {
            prop_assert!(ring.verify(&flipped, now).is_err(), "{flipped}");
        }
    }

    #[test]
    fn any_bit_flip_in_the_decoded_payload_or_mac_is_rejected(
        input in claims_input(),
        in_mac in any::<bool>(),
        bit in any::<prop::sample::Index>(),
    ) {
        let ring = keyring("k1");
        let now = input.issued_at;
        let token = ring.mint(input);
        let parts: Vec<&str> = token.split('.').collect();
        prop_assert_eq!(parts.len(), 3);
        let part = if in_mac { 2 } else { 1 };
        let mut decoded = URL_SAFE_NO_PAD.decode(parts[part]).unwrap();
        let bit = bit.index(decoded.len() * 8);
        decoded[bit / 8] ^= 1 << (bit % 8);
        let reencoded = URL_SAFE_NO_PAD.encode(&decoded);
        let flipped = if in_mac {
            format!("v1.{}.{reencoded}", parts[1])
        } else {
            format!("v1.{reencoded}.{}", parts[2])
        };
        let err = ring.verify(&flipped, now).unwrap_err();
        if in_mac {
            prop_assert_eq!(err, TokenError::BadSignature);
        }
    }

    /// Whatever string arrives in `X-Consent-Token` is an error or a
    /// verified claim, never a panic.
    #[test]
    fn arbitrary_token_strings_never_panic(token in "\\PC{0,300}", dotted in "[A-Za-z0-9_.-]{0,200}") {
        let keys = keyring("k1");
        for token in [token.as_str(), dotted.as_str()] {
            let _ = keys.verify(token, 1_800_000_000);
            let _ = keys.verify_for_site(token, "shop", 1_800_000_000);
        }
    }
}
