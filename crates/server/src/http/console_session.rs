//! Console logins (issue 8): an analyst types an API key once and gets a
//! session cookie, so the key is never kept in the browser. The cookie is
//! `v2.<payload>.<mac>`: key name, role, a fingerprint of the key's hash, an
//! expiry and a random session id, under a BLAKE3 keyed MAC whose key is
//! derived from the consent signing keys. Every node verifies it without
//! shared state, a key removed from the configuration ends its sessions,
//! and rotating the signing keys ends all of them.
//!
//! A logout ends the session on every node (issue 17): its id is refused at
//! once by the node that answered, and recorded in ClickHouse
//! (`console_logouts`), which every node polls. A copied cookie so stops
//! working everywhere within the poll interval. `v1` cookies (no id) are
//! no longer accepted: they could not be ended.
//!
//! The cookie is HttpOnly and SameSite=Strict (Secure behind TLS), and a
//! request authenticated by it that changes something must also carry
//! `X-Veil-Console: 1`, which a cross-site form or image cannot send: two
//! independent guards against cross-site request forgery.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::config::Role;

/// Name of the cookie.
pub const COOKIE: &str = "veil_console";
/// Header the console sends with every request that changes something.
pub const CSRF_HEADER: &str = "x-veil-console";
/// How long a login lasts, in seconds.
pub const LIFETIME_SECS: u64 = 12 * 3600;
/// Domain separation of the MAC key derived from a consent signing key.
const CONTEXT: &str = "veil 2026 console session v1";
/// Ended sessions remembered at most: every logout needs a valid key, and
/// each is forgotten when its cookie would have expired anyway.
const MAX_ENDED: usize = 100_000;

/// What a valid cookie says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// API key name.
    pub name: String,
    /// Its role when the session began.
    pub role: Role,
    /// The first 16 hex digits of the key's configured hash.
    pub fingerprint: String,
    /// Unix seconds.
    pub expires_at: u64,
    /// Random id (32 hex digits) naming this login, so a logout can end it.
    pub id: String,
}

/// Issues and checks console cookies.
#[derive(Clone)]
pub struct ConsoleSessions {
    /// MAC keys, newest first: the first signs, all verify.
    keys: Vec<[u8; 32]>,
    /// Ended sessions by id, with their cookie's expiry; shared by the
    /// handlers and the poller of `console_logouts`.
    ended: Arc<RwLock<HashMap<String, u64>>>,
}

impl std::fmt::Debug for ConsoleSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleSessions").field("keys", &self.keys.len()).finish()
    }
}

impl ConsoleSessions {
    /// From the consent signing keys' bytes, oldest first (as configured).
    pub fn new<'a>(signing_keys: impl IntoIterator<Item = &'a [u8; 32]>) -> ConsoleSessions {
        let mut keys: Vec<[u8; 32]> =
            signing_keys.into_iter().map(|secret| blake3::derive_key(CONTEXT, secret)).collect();
        keys.reverse();
        ConsoleSessions { keys, ended: Arc::default() }
    }

    /// A cookie value for a logged-in key, or `None` without signing keys.
    pub fn issue(&self, name: &str, role: Role, fingerprint: &str, now: u64) -> Option<String> {
        let key = self.keys.first()?;
        let id = hex::encode(rand::random::<[u8; 16]>());
        let payload = format!("{name}\n{}\n{fingerprint}\n{}\n{id}", role.as_str(), now + LIFETIME_SECS);
        let payload = hex::encode(payload.as_bytes());
        let mac = blake3::keyed_hash(key, payload.as_bytes());
        Some(format!("v2.{payload}.{}", mac.to_hex()))
    }

    /// Ends a session: its cookie is refused from now on (on this node; the
    /// caller records it for the others). Forgotten after `expires_at`.
    pub fn end(&self, id: &str, expires_at: u64, now: u64) {
        let mut ended = self.ended.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if ended.len() >= MAX_ENDED {
            ended.retain(|_, expiry| *expiry > now);
        }
        ended.insert(id.to_owned(), expires_at);
    }

    /// Forgets ended sessions whose cookies have expired.
    pub fn prune(&self, now: u64) {
        let mut ended = self.ended.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        ended.retain(|_, expiry| *expiry > now);
    }

    fn is_ended(&self, id: &str) -> bool {
        self.ended.read().unwrap_or_else(std::sync::PoisonError::into_inner).contains_key(id)
    }

    /// The session a cookie value stands for, if its MAC verifies under any
    /// key, it has not expired and it was not ended by a logout.
    pub fn verify(&self, value: &str, now: u64) -> Option<Session> {
        let session = self.verify_signed(value, now)?;
        (!self.is_ended(&session.id)).then_some(session)
    }

    fn verify_signed(&self, value: &str, now: u64) -> Option<Session> {
        let rest = value.strip_prefix("v2.")?;
        let (payload, mac) = rest.split_once('.')?;
        let mac = blake3::Hash::from_hex(mac).ok()?;
        // `blake3::Hash` compares in constant time.
        if !self.keys.iter().any(|key| blake3::keyed_hash(key, payload.as_bytes()) == mac) {
            return None;
        }
        let text = String::from_utf8(hex::decode(payload).ok()?).ok()?;
        let mut fields = text.split('\n');
        let name = fields.next()?.to_owned();
        let role = match fields.next()? {
            "analyst" => Role::Analyst,
            "admin" => Role::Admin,
            _ => return None,
        };
        let fingerprint = fields.next()?.to_owned();
        let expires_at: u64 = fields.next()?.parse().ok()?;
        let id = fields.next()?.to_owned();
        (fields.next().is_none() && now < expires_at && id.len() == 32).then_some(Session {
            name,
            role,
            fingerprint,
            expires_at,
            id,
        })
    }
}

/// Overlap of consecutive polls of `console_logouts`, so a row that lands
/// late (clocks of nodes differ) is not missed.
const POLL_OVERLAP_SECS: u32 = 120;

/// Learns logouts answered by other nodes from ClickHouse, every
/// `interval`, and forgets those whose cookies have expired.
pub async fn sync_logouts_forever(
    store: veil_store::Store,
    sessions: ConsoleSessions,
    interval: std::time::Duration,
) {
    let mut since: u32 = 0;
    loop {
        let now = veil_ingest::clock::clamp_u32(veil_ingest::clock::now_secs());
        match store.console_logouts_since(since, now).await {
            Ok(logouts) => {
                for logout in logouts {
                    sessions.end(&logout.session_id, u64::from(logout.expires_at), u64::from(now));
                }
                sessions.prune(u64::from(now));
                since = now.saturating_sub(POLL_OVERLAP_SECS);
            }
            Err(error) => tracing::warn!(%error, "cannot read console logouts from ClickHouse; will retry"),
        }
        tokio::time::sleep(interval).await;
    }
}

/// The value of one cookie in a `Cookie` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').filter_map(|pair| pair.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

/// `Set-Cookie` for a login (`secure` behind TLS) or, with `None`, the
/// logout that clears it.
pub fn set_cookie(value: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match value {
        Some(value) => {
            format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={LIFETIME_SECS}{secure}")
        }
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions(secret: u8) -> ConsoleSessions {
        ConsoleSessions::new([&[secret; 32]])
    }

    #[test]
    fn a_cookie_verifies_until_it_expires() {
        let issued = sessions(1).issue("alice", Role::Analyst, "0123456789abcdef", 1_000).expect("a key");
        let session = sessions(1).verify(&issued, 1_001).expect("valid");
        assert_eq!((session.name.as_str(), session.role), ("alice", Role::Analyst));
        assert_eq!(session.fingerprint, "0123456789abcdef");
        assert!(sessions(1).verify(&issued, 1_000 + LIFETIME_SECS).is_none(), "expired");
        assert!(sessions(2).verify(&issued, 1_001).is_none(), "another server's key");
    }

    #[test]
    fn tampered_cookies_are_refused() {
        let issued = sessions(1).issue("alice", Role::Analyst, "0123456789abcdef", 1_000).expect("a key");
        let forged_payload = hex::encode("alice\nadmin\n0123456789abcdef\n99999999999\nx".as_bytes());
        let (_, mac) = issued.rsplit_once('.').expect("mac");
        for forged in [
            format!("v2.{forged_payload}.{mac}"),
            issued.replacen("v2.", "v1.", 1),
            issued[..issued.len() - 1].to_owned(),
            String::new(),
            "v1..".to_owned(),
        ] {
            assert!(sessions(1).verify(&forged, 1_001).is_none(), "{forged}");
        }
    }

    #[test]
    fn an_ended_session_is_refused_and_others_are_not() {
        let sessions = sessions(1);
        let first = sessions.issue("alice", Role::Analyst, "0123456789abcdef", 1_000).expect("a key");
        let second = sessions.issue("alice", Role::Analyst, "0123456789abcdef", 1_000).expect("a key");
        let session = sessions.verify(&first, 1_001).expect("valid");
        sessions.end(&session.id, session.expires_at, 1_001);
        assert!(sessions.verify(&first, 1_002).is_none(), "logged out");
        assert!(sessions.verify(&second, 1_002).is_some(), "another login of the same key");
        // A clone (another handler's copy) shares what was ended.
        assert!(sessions.clone().verify(&first, 1_002).is_none());
        sessions.prune(session.expires_at + 1);
        assert!(!sessions.is_ended(&session.id), "forgotten once the cookie expired");
    }

    #[test]
    fn rotation_keeps_sessions_of_a_still_configured_key() {
        let old = ConsoleSessions::new([&[1; 32]]);
        let rotated = ConsoleSessions::new([&[1; 32], &[2; 32]]);
        let issued = old.issue("root", Role::Admin, "ffffffffffffffff", 10).expect("a key");
        assert!(rotated.verify(&issued, 11).is_some());
        let newer = rotated.issue("root", Role::Admin, "ffffffffffffffff", 10).expect("a key");
        assert!(old.verify(&newer, 11).is_none(), "signed with the newest key");
    }

    #[test]
    fn cookies_are_read_from_the_header() {
        assert_eq!(cookie_value("a=1; veil_console=v1.x.y; b=2", COOKIE), Some("v1.x.y"));
        assert_eq!(cookie_value("veil_consoles=1", COOKIE), None);
        let set = set_cookie(Some("v"), true);
        for part in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
            assert!(set.contains(part), "{set}");
        }
        assert!(!set_cookie(Some("v"), false).contains("Secure"));
        assert!(set_cookie(None, false).contains("Max-Age=0"));
    }
}
