#![allow(clippy::unwrap_used)]

use super::*;
use crate::key::SecretKey;
use crate::keyring::SigningKey;
use crate::purposes::Purpose;

const NOW: u64 = 1_750_000_000;
const TTL: u64 = 1800;
const K1: &str = "hex:0101010101010101010101010101010101010101010101010101010101010101";
const K2: &str = "hex:0202020202020202020202020202020202020202020202020202020202020202";
const K3: &str = "hex:0303030303030303030303030303030303030303030303030303030303030303";
const CID: &str = "0123456789abcdef0123456789abcdef";
const VIS: &str = "9f1c2b3a4d5e6f708192a3b4c5d6e7f8";

fn signing_key(id: &str, secret: &str, retired: bool) -> SigningKey {
    SigningKey { id: id.parse().unwrap(), secret: secret.parse().unwrap(), retired }
}

/// k1 (retired), k2, k3: k3 signs, k2 and k3 verify.
fn keyring() -> Keyring {
    Keyring::new([signing_key("k1", K1, true), signing_key("k2", K2, false), signing_key("k3", K3, false)])
        .unwrap()
}

fn input(site: &str) -> ClaimsInput {
    ClaimsInput {
        site: site.parse().unwrap(),
        consent_id: CID.parse().unwrap(),
        visitor: VIS.parse().unwrap(),
        purposes: Purposes::ALL,
        issued_at: NOW,
        ttl: Duration::from_secs(TTL),
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A token over an arbitrary payload, MAC'd with `secret`.
fn sign(secret: &str, payload: &str) -> String {
    let secret: SecretKey = secret.parse().unwrap();
    let mac = blake3::keyed_hash(secret.as_bytes(), payload.as_bytes());
    format!("v1.{}.{}", b64(payload.as_bytes()), b64(mac.as_bytes()))
}

fn payload(kid: &str) -> String {
    format!(
        r#"{{"kid":"{kid}","site":"shop","cid":"{CID}","vis":"{VIS}","pur":["recording"],"iat":{NOW},"exp":{}}}"#,
        NOW + TTL
    )
}

#[test]
fn mint_then_verify() {
    let ring = keyring();
    let token = ring.mint(input("shop"));
    assert!(token.starts_with("v1."));
    let claims = ring.verify(&token, NOW).unwrap();
    assert_eq!(
        claims,
        Claims {
            key_id: "k3".parse().unwrap(),
            site: "shop".parse().unwrap(),
            consent_id: CID.parse().unwrap(),
            visitor: VIS.parse().unwrap(),
            purposes: Purposes::ALL,
            issued_at: NOW,
            expires_at: NOW + TTL,
        }
    );
    assert!(claims.purposes.contains(Purpose::Recording));
    assert_eq!(ring.verify_for_site(&token, "shop", NOW), Ok(claims));
}

#[test]
fn payload_is_compact_json_and_mac_is_keyed_blake3() {
    let token = keyring().mint(input("shop"));
    let parts: Vec<&str> = token.split('.').collect();
    let json = URL_SAFE_NO_PAD.decode(parts[1]).unwrap();
    let want = format!(
        r#"{{"kid":"k3","site":"shop","cid":"{CID}","vis":"{VIS}","pur":["recording","heatmaps"],"iat":{NOW},"exp":{}}}"#,
        NOW + TTL
    );
    assert_eq!(String::from_utf8(json).unwrap(), want);
    assert_eq!(token, sign(K3, &want));
}

#[test]
fn every_error_path() {
    let ring = keyring();
    let good = ring.mint(input("shop"));
    let (_, rest) = good.split_once('.').unwrap();
    let (good_payload, good_mac) = rest.split_once('.').unwrap();
    let with_mac = |mac: &str| format!("v1.{good_payload}.{mac}");
    let with_payload = |p: &str| format!("v1.{p}.{good_mac}");
    // 43 characters carry 258 bits, so the last one's low 2 bits must be
    // zero; setting one keeps the decoded bytes but is not canonical.
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = alphabet.find(&good_mac[42..]).unwrap();
    let trailing_bit_set = format!("{}{}", &good_mac[..42], &alphabet[last ^ 1..(last ^ 1) + 1]);

    use TokenError::*;
    let cases: Vec<(&str, String, TokenError)> = vec![
        ("too long", format!("{good}.{}", "a".repeat(MAX_TOKEN_LEN)), Malformed("longer than 4 KiB")),
        ("exactly 4 KiB is read", "a".repeat(MAX_TOKEN_LEN), Malformed("expected three dot-separated parts")),
        ("empty", String::new(), Malformed("expected three dot-separated parts")),
        ("two parts", format!("v1.{good_payload}"), Malformed("expected three dot-separated parts")),
        ("four parts", format!("{good}."), Malformed("expected three dot-separated parts")),
        ("version 2", format!("v2.{rest}"), UnsupportedVersion),
        ("version case", format!("V1.{rest}"), UnsupportedVersion),
        ("no version", format!(".{rest}"), UnsupportedVersion),
        ("payload not base64", with_payload("e30!"), Malformed("payload is not base64url without padding")),
        (
            "payload standard alphabet",
            with_payload("+/+/"),
            Malformed("payload is not base64url without padding"),
        ),
        (
            "payload padded",
            with_payload(&format!("{}=", b64(b"{}1"))),
            Malformed("payload is not base64url without padding"),
        ),
        ("mac too short", with_mac(&good_mac[1..]), Malformed("mac is not 32 bytes")),
        ("mac empty", with_mac(""), Malformed("mac is not 32 bytes")),
        ("mac 64 bytes", with_mac(&b64(&[0; 64])), Malformed("mac is not 32 bytes")),
        (
            "mac not base64",
            with_mac(&format!("{}*", &good_mac[1..])),
            Malformed("mac is not base64url without padding"),
        ),
        (
            "mac with trailing bits",
            with_mac(&trailing_bit_set),
            Malformed("mac is not base64url without padding"),
        ),
        (
            "payload not JSON",
            with_payload(&b64(b"kid=k3")),
            Malformed("payload is not a JSON object with a kid"),
        ),
        (
            "payload without kid",
            with_payload(&b64(b"{\"site\":\"shop\"}")),
            Malformed("payload is not a JSON object with a kid"),
        ),
        (
            "kid not a string",
            with_payload(&b64(b"{\"kid\":3}")),
            Malformed("payload is not a JSON object with a kid"),
        ),
        (
            "kid twice",
            with_payload(&b64(b"{\"kid\":\"k3\",\"kid\":\"k2\"}")),
            Malformed("payload is not a JSON object with a kid"),
        ),
        ("unknown key", sign(K3, &payload("k9")), UnknownKey),
        ("retired key", sign(K1, &payload("k1")), RetiredKey),
        ("retired key, forged mac", sign(K3, &payload("k1")), RetiredKey),
        ("mac under another key", sign(K3, &payload("k2")), BadSignature),
        (
            "mac of another payload",
            with_mac(&b64(blake3::keyed_hash(&[3; 32], b"{}").as_bytes())),
            BadSignature,
        ),
        ("zero mac", with_mac(&b64(&[0; 32])), BadSignature),
        ("payload swapped", with_payload(&b64(payload("k3").as_bytes())), BadSignature),
        (
            "claims missing exp",
            sign(K3, r#"{"kid":"k3","site":"shop"}"#),
            Malformed("claims are missing or invalid"),
        ),
        (
            "unknown purpose",
            sign(K3, &payload("k3").replace("recording", "replay")),
            Malformed("claims are missing or invalid"),
        ),
        (
            "bad site id",
            sign(K3, &payload("k3").replace("shop", "Shop")),
            Malformed("claims are missing or invalid"),
        ),
        (
            "bad visitor id",
            sign(K3, &payload("k3").replace(VIS, "alice")),
            Malformed("claims are missing or invalid"),
        ),
        (
            "bad consent id",
            sign(K3, &payload("k3").replace(CID, &CID.to_uppercase())),
            Malformed("claims are missing or invalid"),
        ),
        (
            "unknown field",
            sign(K3, &payload("k3").replace("\"site\"", "\"ip\":\"1.2.3.4\",\"site\"")),
            Malformed("claims are missing or invalid"),
        ),
        (
            "negative time",
            sign(K3, &payload("k3").replace(&format!("\"iat\":{NOW}"), "\"iat\":-1")),
            Malformed("claims are missing or invalid"),
        ),
        (
            "exp before iat",
            sign(
                K3,
                &payload("k3").replace(&format!("\"iat\":{NOW}"), &format!("\"iat\":{}", NOW + TTL + 1)),
            ),
            Malformed("expires before it was issued"),
        ),
        ("expired", ring.mint(ClaimsInput { issued_at: NOW - 2 * TTL, ..input("shop") }), Expired),
        (
            "issued in the future",
            ring.mint(ClaimsInput { issued_at: NOW + 60, ..input("shop") }),
            NotYetValid,
        ),
    ];
    for (name, token, want) in cases {
        assert_eq!(ring.verify(&token, NOW), Err(want), "{name}");
        assert_eq!(ring.verify_for_site(&token, "shop", NOW), Err(want), "{name}");
    }
    assert_eq!(ring.verify_for_site(&good, "blog", NOW), Err(WrongSite));
}

#[test]
fn only_wrong_site_is_forbidden() {
    use TokenError::*;
    let all = [
        Malformed("x"),
        UnsupportedVersion,
        UnknownKey,
        RetiredKey,
        BadSignature,
        Expired,
        NotYetValid,
        WrongSite,
    ];
    for err in all {
        assert_eq!(err.is_forbidden(), err == WrongSite, "{err}");
    }
}

#[test]
fn clock_skew_boundaries() {
    let ring = keyring();
    let token = ring.mint(input("shop"));
    let exp = NOW + TTL;
    let cases = [
        (NOW - 6, Err(TokenError::NotYetValid)),
        (NOW - 5, Ok(())),
        (NOW, Ok(())),
        (exp, Ok(())),
        (exp + 5, Ok(())),
        (exp + 6, Err(TokenError::Expired)),
        (u64::MAX, Err(TokenError::Expired)),
    ];
    for (now, want) in cases {
        assert_eq!(ring.verify(&token, now).map(|_| ()), want, "now = {now}");
    }
}

#[test]
fn times_at_the_ends_of_u64_do_not_overflow() {
    let ring = keyring();
    let far = ring.mint(ClaimsInput {
        issued_at: u64::MAX - 1,
        ttl: Duration::from_secs(u64::MAX),
        ..input("shop")
    });
    let claims = ring.verify(&far, u64::MAX).unwrap();
    assert_eq!(claims.expires_at, u64::MAX);
    let zero = ring.mint(ClaimsInput { issued_at: 0, ttl: Duration::ZERO, ..input("shop") });
    assert!(ring.verify(&zero, 5).is_ok());
    assert_eq!(ring.verify(&zero, 6), Err(TokenError::Expired));
}

#[test]
fn rotation() {
    let v1 = Keyring::new([signing_key("k1", K1, false)]).unwrap();
    let old = v1.mint(input("shop"));

    // Step 1: a new key is appended; it signs, the old one still verifies.
    let v2 = Keyring::new([signing_key("k1", K1, false), signing_key("k2", K2, false)]).unwrap();
    assert_eq!(v2.signing_key_id().as_str(), "k2");
    let new = v2.mint(input("shop"));
    assert_eq!(v2.verify(&old, NOW).unwrap().key_id.as_str(), "k1");
    assert_eq!(v2.verify(&new, NOW).unwrap().key_id.as_str(), "k2");
    // A node not yet rolled out does not know k2.
    assert_eq!(v1.verify(&new, NOW), Err(TokenError::UnknownKey));

    // Step 2: the old key is retired; its tokens stop verifying.
    let v3 = Keyring::new([signing_key("k1", K1, true), signing_key("k2", K2, false)]).unwrap();
    assert_eq!(v3.verify(&old, NOW), Err(TokenError::RetiredKey));
    assert!(v3.verify(&new, NOW).is_ok());

    // Step 3: the old key is removed.
    let v4 = Keyring::new([signing_key("k2", K2, false)]).unwrap();
    assert_eq!(v4.verify(&old, NOW), Err(TokenError::UnknownKey));
    assert!(v4.verify(&new, NOW).is_ok());
}

#[test]
fn same_id_with_another_secret_is_a_bad_signature() {
    let token = Keyring::new([signing_key("k1", K1, false)]).unwrap().mint(input("shop"));
    let other = Keyring::new([signing_key("k1", K2, false)]).unwrap();
    assert_eq!(other.verify(&token, NOW), Err(TokenError::BadSignature));
}

#[test]
fn expires_at_matches_the_token() {
    let ring = keyring();
    let mut input = input("shop");
    input.ttl = Duration::from_millis(90_999);
    let want = input.expires_at();
    assert_eq!(want, NOW + 90);
    assert_eq!(ring.verify(&ring.mint(input), NOW).unwrap().expires_at, want);
}
