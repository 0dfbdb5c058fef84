//! Withdrawn consents, as the verifying node knows them.

use std::collections::HashMap;

use crate::ids::ConsentId;
use crate::token::MAX_CLOCK_SKEW_SECS;

/// The consent ids that have been withdrawn and whose tokens could still
/// verify.
///
/// Each entry keeps its token's expiry: once that has passed (plus the
/// clock skew [`crate::Keyring::verify`] allows) the signature check alone
/// rejects the token, so the entry can be pruned and the set stays as
/// small as the number of live withdrawn tokens. The server fills it from
/// the consent log.
#[derive(Debug, Clone, Default)]
pub struct RevocationSet {
    expiry_by_id: HashMap<ConsentId, u64>,
}

impl RevocationSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a withdrawal. Inserting an id again keeps the later expiry,
    /// so replaying the log in any order gives the same set.
    pub fn insert(&mut self, consent_id: ConsentId, expires_at: u64) {
        self.expiry_by_id
            .entry(consent_id)
            .and_modify(|known| *known = (*known).max(expires_at))
            .or_insert(expires_at);
    }

    /// Whether a token with this consent id must be refused (403).
    pub fn contains(&self, consent_id: &str) -> bool {
        self.expiry_by_id.contains_key(consent_id)
    }

    /// Drops entries whose tokens would be refused as expired at `now`;
    /// returns how many were dropped.
    pub fn prune(&mut self, now_unix_secs: u64) -> usize {
        let before = self.expiry_by_id.len();
        self.expiry_by_id
            .retain(|_, expires_at| now_unix_secs <= expires_at.saturating_add(MAX_CLOCK_SKEW_SECS));
        before - self.expiry_by_id.len()
    }

    /// The number of withdrawn consents kept.
    pub fn len(&self) -> usize {
        self.expiry_by_id.len()
    }

    /// Whether nothing is withdrawn.
    pub fn is_empty(&self) -> bool {
        self.expiry_by_id.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn id(n: u8) -> ConsentId {
        format!("{n:032x}").parse().unwrap()
    }

    #[test]
    fn contains_what_was_inserted() {
        let mut set = RevocationSet::new();
        assert!(set.is_empty());
        set.insert(id(0xab), 100);
        assert!(set.contains(id(0xab).as_str()));
        assert!(!set.contains(id(2).as_str()));
        assert!(!set.contains(&id(0xab).as_str().to_uppercase()));
        assert!(!set.contains(""));
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn prune_keeps_entries_while_their_tokens_could_verify() {
        // (now, entries left) with expiries 100 and 200.
        let cases = [(0, 2), (100, 2), (105, 2), (106, 1), (205, 1), (206, 0)];
        for (now, left) in cases {
            let mut set = RevocationSet::new();
            set.insert(id(1), 100);
            set.insert(id(2), 200);
            let dropped = set.prune(now);
            assert_eq!((set.len(), dropped), (left, 2 - left), "now = {now}");
        }
    }

    #[test]
    fn reinsert_keeps_the_later_expiry() {
        let mut set = RevocationSet::new();
        set.insert(id(1), 200);
        set.insert(id(1), 100);
        set.prune(150);
        assert!(set.contains(id(1).as_str()));
        set.insert(id(1), u64::MAX);
        assert_eq!(set.prune(u64::MAX), 0);
    }
}
