//! Withdrawn consents every node enforces (SPEC §3). A withdrawal answered
//! by this node is enforced here at once; other nodes learn it from the
//! consent log in ClickHouse, which each node polls every few seconds.

use std::sync::RwLock;
use std::time::Duration;

use veil_consent::{ConsentId, RevocationSet};
use veil_store::Store;

/// Overlap of consecutive polls, so rows that reach ClickHouse late (the
/// shipper inserts at most every second, a clock may lag) are not missed.
const POLL_OVERLAP_SECS: u32 = 120;

/// The shared revocation set.
#[derive(Debug, Default)]
pub struct Revocations {
    set: RwLock<RevocationSet>,
}

impl Revocations {
    /// True when the consent was withdrawn.
    pub fn is_revoked(&self, consent_id: &str) -> bool {
        match self.set.read() {
            Ok(set) => set.contains(consent_id),
            Err(poisoned) => poisoned.into_inner().contains(consent_id),
        }
    }

    /// Records a withdrawal.
    pub fn revoke(&self, consent_id: ConsentId, expires_at: u64) {
        match self.set.write() {
            Ok(mut set) => set.insert(consent_id, expires_at),
            Err(poisoned) => poisoned.into_inner().insert(consent_id, expires_at),
        }
    }

    /// Withdrawals currently enforced.
    pub fn len(&self) -> usize {
        match self.set.read() {
            Ok(set) => set.len(),
            Err(poisoned) => poisoned.into_inner().len(),
        }
    }

    /// True when none is enforced.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn prune(&self, now: u64) {
        match self.set.write() {
            Ok(mut set) => set.prune(now),
            Err(poisoned) => poisoned.into_inner().prune(now),
        };
    }
}

/// Polls the consent log every `interval`; spawn once per process.
pub async fn sync_forever(store: Store, revocations: std::sync::Arc<Revocations>, interval: Duration) {
    // First poll: every withdrawal whose token could still verify.
    let mut since: u32 = 0;
    loop {
        let now = now_secs();
        match store.withdrawals_since(since, now).await {
            Ok(withdrawals) => {
                let mut learned = 0usize;
                for withdrawal in withdrawals {
                    match withdrawal.consent_id.parse::<ConsentId>() {
                        Ok(id) => {
                            learned += usize::from(!revocations.is_revoked(id.as_str()));
                            revocations.revoke(id, u64::from(withdrawal.expires_at));
                        }
                        Err(_) => {
                            tracing::warn!("consent log holds a malformed consent id; ignored")
                        }
                    }
                }
                if learned > 0 {
                    tracing::info!(
                        learned,
                        enforced = revocations.len(),
                        "withdrawals learned from the consent log"
                    );
                }
                revocations.prune(u64::from(now));
                since = now.saturating_sub(POLL_OVERLAP_SECS);
            }
            Err(error) => {
                tracing::warn!(%error, "cannot read withdrawals from ClickHouse; will retry")
            }
        }
        tokio::time::sleep(interval).await;
    }
}

fn now_secs() -> u32 {
    crate::clock::clamp_u32(crate::clock::now_secs())
}
