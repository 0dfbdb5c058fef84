//! The access log (SPEC §7, §8): every read of a recording, every export,
//! erasure, report and review, written before the action's answer leaves
//! the server (a read that cannot be logged is refused). Inserted directly,
//! not through the queue, so an admin sees an entry as soon as the action
//! is answered; these are rare, human-driven actions.
//!
//! Append-only, so it must survive a visitor's erasure without naming
//! them: subjects are one-way references ([`subject`]).

use crate::rows::AuditRow;
use crate::{Store, StoreError};

/// Entries, newest first; `?`: from, to (inclusive days), site twice,
/// actor twice, action twice, subject twice, limit, offset.
pub(crate) const SELECT_AUDIT: &str = "SELECT at, at_ms, actor, role, action, site, subject, detail \
     FROM audit_log WHERE at >= toDateTime(toDate(?)) AND at < toDateTime(toDate(?) + 1) \
     AND (? = '' OR site = ?) AND (? = '' OR actor = ?) AND (? = '' OR action = ?) \
     AND (? = '' OR subject = ?) ORDER BY at DESC, at_ms DESC LIMIT ? OFFSET ?";

/// What a data subject is referred to by in the access log: `kind:` and
/// 32 hex digits of a BLAKE3 hash (domain-separated) of site and id. The
/// ids are random (128-bit visitor ids, session UUIDs), so the reference
/// cannot be turned back into them, yet an admin who holds an id can find
/// its entries (`GET /v1/audit?visitor=…`).
pub fn subject(kind: &str, site: &str, id: &str) -> String {
    let mut hasher = blake3::Hasher::new_derive_key("veil 2026 audit subject v1");
    hasher.update(site.as_bytes());
    hasher.update(&[0]);
    hasher.update(id.as_bytes());
    let hex = hasher.finalize().to_hex();
    format!("{kind}:{}", &hex[..32])
}

/// Filters of the access log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`, inclusive.
    pub to: String,
    /// Site id, or empty for all.
    pub site: String,
    /// API key name, or empty.
    pub actor: String,
    /// Action, or empty.
    pub action: String,
    /// Subject reference ([`subject`]), or empty.
    pub subject: String,
}

impl Store {
    /// Appends one entry; only `Ok` lets the action proceed.
    pub async fn append_audit(&self, row: &AuditRow) -> Result<(), StoreError> {
        self.insert_now::<AuditRow>("audit_log", &[row]).await
    }

    /// Entries matching `filter`, newest first.
    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
        limit: u64,
        offset: u64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let query = self
            .db
            .query(SELECT_AUDIT)
            .bind(filter.from.as_str())
            .bind(filter.to.as_str())
            .bind(filter.site.as_str())
            .bind(filter.site.as_str())
            .bind(filter.actor.as_str())
            .bind(filter.actor.as_str())
            .bind(filter.action.as_str())
            .bind(filter.action.as_str())
            .bind(filter.subject.as_str())
            .bind(filter.subject.as_str())
            .bind(limit)
            .bind(offset);
        self.bounded("reading the audit log", async move {
            query.fetch_all::<AuditRow>().await.map_err(StoreError::clickhouse("reading the audit log"))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::subject;

    #[test]
    fn subjects_are_stable_one_way_and_per_site() {
        let visitor = "9f1c2b3a4d5e6f708192a3b4c5d6e7f8";
        let a = subject("visitor", "demo", visitor);
        assert_eq!(a, subject("visitor", "demo", visitor));
        assert!(a.starts_with("visitor:") && a.len() == "visitor:".len() + 32);
        assert!(!a.contains(visitor));
        assert_ne!(a, subject("visitor", "other", visitor));
        assert_ne!(subject("session", "demo", "ab"), subject("session", "demoa", "b"));
    }
}
