//! What masking changed, by rule: the source of the redaction metrics and
//! of `veil mask`'s report. It holds rule names and counts, never values.

use std::collections::BTreeMap;

/// Redactions by rule name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    counts: BTreeMap<&'static str, u64>,
}

impl Report {
    /// Counts one redaction by `rule`.
    pub fn add(&mut self, rule: &'static str) {
        *self.counts.entry(rule).or_default() += 1;
    }

    /// Redactions by `rule`.
    pub fn count(&self, rule: &str) -> u64 {
        self.counts.get(rule).copied().unwrap_or(0)
    }

    /// True when nothing was changed.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Rules and counts, by rule name.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        self.counts.iter().map(|(rule, count)| (*rule, *count))
    }
}
