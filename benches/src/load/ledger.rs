//! The promise checked after a load: every batch answered 202 is in
//! ClickHouse exactly once, and nothing that was not answered 202 is.

use std::collections::{BTreeMap, BTreeSet};

use veil_test_support::TestDatabase;

use super::driver::Outcome;

/// Acknowledged batches against stored ones, by (session, seq).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Batches answered 202.
    pub acknowledged: usize,
    /// Distinct (session, seq) in `recordings`.
    pub stored: usize,
    /// Answered 202 but not stored.
    pub lost: usize,
    /// Stored in more than one row right now (ReplacingMergeTree collapses
    /// such rows at merge and readers take one; counted before OPTIMIZE,
    /// so this is what a crash re-shipped, not what a reader sees).
    pub doubled: usize,
    /// Stored without a 202 seen by the client: a request the server took
    /// but whose answer was lost (in flight when the process was killed).
    /// The recorder sends such a batch again, and it collapses.
    pub stored_unacknowledged: usize,
    /// The same (session, seq) answered 202 more than once (a resend after
    /// a lost answer).
    pub acknowledged_twice: usize,
    /// Batches whose 202 counted `accepted + dropped` different from the
    /// events sent.
    pub miscounted: usize,
}

impl Ledger {
    /// Reads `recordings` of `db` (call once the queue has drained).
    /// `events` looks up the number of events sent in a batch.
    pub fn check(db: &TestDatabase, outcome: &Outcome, events: impl Fn(&str, u64) -> Option<u64>) -> Ledger {
        let rows = db.query("SELECT session, seq, count() FROM recordings GROUP BY session, seq FORMAT TSV");
        let mut stored: BTreeMap<(String, u64), u64> = BTreeMap::new();
        for line in rows.lines() {
            let mut fields = line.split('\t');
            let (Some(session), Some(seq), Some(count)) = (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let (Ok(seq), Ok(count)) = (seq.parse(), count.parse()) else { continue };
            stored.insert((session.to_owned(), seq), count);
        }
        let mut acknowledged = BTreeSet::new();
        let mut ledger = Ledger::default();
        for ack in &outcome.acknowledged {
            if !acknowledged.insert((ack.session.clone(), ack.seq)) {
                ledger.acknowledged_twice += 1;
            }
            if events(&ack.session, ack.seq).is_some_and(|n| n != ack.accepted + ack.dropped) {
                ledger.miscounted += 1;
            }
        }
        ledger.acknowledged = acknowledged.len();
        ledger.stored = stored.len();
        ledger.lost = acknowledged.iter().filter(|key| !stored.contains_key(*key)).count();
        ledger.doubled = stored.values().filter(|&&n| n > 1).count();
        ledger.stored_unacknowledged = stored.keys().filter(|key| !acknowledged.contains(*key)).count();
        ledger
    }
}

impl std::fmt::Display for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "acknowledged {}, stored {}, lost {}, doubled {}, stored without a 202 {}, acknowledged twice {}, miscounted {}",
            self.acknowledged,
            self.stored,
            self.lost,
            self.doubled,
            self.stored_unacknowledged,
            self.acknowledged_twice,
            self.miscounted
        )
    }
}
