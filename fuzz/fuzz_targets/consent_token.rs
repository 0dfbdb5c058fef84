//! Consent token verification on arbitrary text, and on real tokens with
//! bytes changed: only an untouched token verifies.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use veil_consent::Keyring;

static KEYRING: LazyLock<(Keyring, String)> = LazyLock::new(|| {
    let keyring = veil_fuzz::keyring();
    let claims = veil_fuzz::claims(&keyring);
    let token = keyring.mint(veil_consent::ClaimsInput {
        site: claims.site.clone(),
        consent_id: claims.consent_id.clone(),
        visitor: claims.visitor.clone(),
        purposes: claims.purposes,
        issued_at: veil_fuzz::NOW,
        ttl: std::time::Duration::from_secs(3600),
    });
    (keyring, token)
});

fuzz_target!(|data: &[u8]| {
    let (keyring, token) = &*KEYRING;
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = keyring.verify(text, veil_fuzz::NOW);
        let _ = keyring.verify_for_site(text, veil_fuzz::SITE, veil_fuzz::NOW);
    }
    // A real token with one byte replaced by the input's first.
    if let Some((&byte, rest)) = data.split_first() {
        let mut changed = token.clone().into_bytes();
        let at = rest.first().map_or(0, |&b| usize::from(b)) % changed.len();
        if changed[at] != byte {
            changed[at] = byte;
            if let Ok(changed) = String::from_utf8(changed) {
                assert!(
                    keyring.verify(&changed, veil_fuzz::NOW).is_err(),
                    "a changed token verified: {changed}"
                );
            }
        }
    }
});
