//! Shapes of the ids a batch carries (SPEC §1).
//!
//! Ids end up in ClickHouse keys, metric labels and file names, so their
//! alphabet is checked before anything else looks at them. Hand-written
//! byte loops: these run on every request, and a regex engine buys nothing
//! for a character class and a length.

/// Whether `s` is a valid site id: 1..=64 bytes of `[a-z0-9_-]`.
pub fn is_valid_site_id(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'))
}

/// Whether `s` is a valid session id: a UUID or 16..=64 bytes of
/// `[A-Za-z0-9-]`. A UUID in its canonical 8-4-4-4-12 form is 36 bytes of
/// that alphabet, so one rule covers both.
pub fn is_valid_session_id(s: &str) -> bool {
    (16..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_ids() {
        let cases: &[(&str, bool)] = &[
            ("shop", true),
            ("a", true),
            ("demo_site-2", true),
            ("0", true),
            (&"a".repeat(64), true),
            ("", false),
            (&"a".repeat(65), false),
            ("Shop", false),
            ("shop.example", false),
            ("shop ", false),
            ("shöp", false),
            ("shop/..", false),
            ("shop\0", false),
        ];
        for &(id, ok) in cases {
            assert_eq!(is_valid_site_id(id), ok, "{id:?}");
        }
    }

    #[test]
    fn session_ids() {
        let cases: &[(&str, bool)] = &[
            ("3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f", true),
            ("3F2C1A9E-7B4D-4C2A-9E1F-0A1B2C3D4E5F", true),
            ("0123456789abcdef", true),
            ("AbCdEfGhIjKlMnOp-123", true),
            (&"a".repeat(64), true),
            ("0123456789abcde", false),
            (&"a".repeat(65), false),
            ("0123456789abcdef_", false),
            ("0123456789abcdef ", false),
            ("0123456789abcdé01", false),
            ("{3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f}", false),
            ("", false),
        ];
        for &(id, ok) in cases {
            assert_eq!(is_valid_session_id(id), ok, "{id:?}");
        }
    }
}
