//! What masking changed, as remarks: counts by rule and field kind, the
//! source of the redaction metrics and of `veil mask`'s report. Like
//! Relay's remarks it says which rule fired where, never what it removed,
//! so a report can be logged, exported and shown without leaking.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Where in a batch a redaction happened: a metric label, so the set is
/// closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldKind {
    /// A text or comment node, a text mutation, or a string inside an
    /// event payload that is not a custom event.
    Text,
    /// An element attribute, in a snapshot or an attribute mutation.
    Attribute,
    /// The `text` of an rrweb Input event.
    Input,
    /// The page URL of a batch or a Meta event's `href`.
    Url,
    /// A string inside a custom event's `data` (other than `data.tag`).
    CustomEvent,
    /// A password, hidden, cc-* or one-time-code field's value removed, or
    /// an Input event for such a field dropped.
    RemovedField,
    /// An element replaced by a placeholder, or a mutation or input inside
    /// one dropped.
    BlockedElement,
}

impl FieldKind {
    /// Every kind, in label order.
    pub const ALL: [FieldKind; 7] = [
        FieldKind::Text,
        FieldKind::Attribute,
        FieldKind::Input,
        FieldKind::Url,
        FieldKind::CustomEvent,
        FieldKind::RemovedField,
        FieldKind::BlockedElement,
    ];

    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Attribute => "attribute",
            FieldKind::Input => "input",
            FieldKind::Url => "url",
            FieldKind::CustomEvent => "custom_event",
            FieldKind::RemovedField => "removed_field",
            FieldKind::BlockedElement => "blocked_element",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for FieldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Redactions by rule name and field kind, plus how many events were
/// dropped from the batch.
///
/// Rule names are the detector names without `@` (`email`, `card`, …),
/// site pattern names as configured, and the structural rules
/// `input_value`, `form_value`, `removed_field`, `blocked_element`,
/// `scrubbed_attribute` and `unknown_node`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    counts: BTreeMap<Arc<str>, [u64; 7]>,
    events_removed: u64,
}

impl Report {
    /// Counts one redaction by `rule` in a field of `kind`.
    pub fn add(&mut self, rule: &str, kind: FieldKind) {
        self.add_n(rule, kind, 1);
    }

    pub(crate) fn add_n(&mut self, rule: &str, kind: FieldKind, n: u64) {
        if n == 0 {
            return;
        }
        if let Some(counts) = self.counts.get_mut(rule) {
            counts[kind.index()] += n;
        } else {
            let mut counts = [0; 7];
            counts[kind.index()] = n;
            self.counts.insert(Arc::from(rule), counts);
        }
    }

    pub(crate) fn add_removed_events(&mut self, n: u64) {
        self.events_removed += n;
    }

    /// Redactions by `rule`, over all field kinds.
    pub fn count(&self, rule: &str) -> u64 {
        self.counts.get(rule).map_or(0, |c| c.iter().sum())
    }

    /// Redactions by `rule` in fields of `kind`.
    pub fn count_kind(&self, rule: &str, kind: FieldKind) -> u64 {
        self.counts.get(rule).map_or(0, |c| c[kind.index()])
    }

    /// All redactions.
    pub fn total(&self) -> u64 {
        self.counts.values().flatten().sum()
    }

    /// Events masking dropped from the batch (Input events of removed or
    /// blocked fields). Callers that count accepted events count after
    /// masking; this says how many of the difference masking caused.
    pub fn events_removed(&self) -> u64 {
        self.events_removed
    }

    /// True when nothing was changed.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.events_removed == 0
    }

    /// `(rule, kind, count)` for every non-zero count, by rule name then
    /// kind.
    pub fn iter(&self) -> impl Iterator<Item = (&str, FieldKind, u64)> + '_ {
        self.counts.iter().flat_map(|(rule, counts)| {
            FieldKind::ALL
                .into_iter()
                .filter_map(move |kind| Some((rule.as_ref(), kind, counts[kind.index()])).filter(|c| c.2 > 0))
        })
    }

    /// Adds `other`'s counts to these, e.g. to total a `veil mask` run or a
    /// metrics interval.
    pub fn merge(&mut self, other: &Report) {
        for (rule, kind, n) in other.iter() {
            self.add_n(rule, kind, n);
        }
        self.events_removed += other.events_removed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_rule_and_kind() {
        let mut r = Report::default();
        assert!(r.is_empty());
        r.add("email", FieldKind::Text);
        r.add("email", FieldKind::Url);
        r.add("email", FieldKind::Text);
        r.add("card", FieldKind::Input);
        assert_eq!(r.count("email"), 3);
        assert_eq!(r.count_kind("email", FieldKind::Text), 2);
        assert_eq!(r.count("phone"), 0);
        assert_eq!(r.total(), 4);
        let rows: Vec<_> = r.iter().collect();
        assert_eq!(
            rows,
            [("card", FieldKind::Input, 1), ("email", FieldKind::Text, 2), ("email", FieldKind::Url, 1)]
        );
    }

    #[test]
    fn merge_adds_up() {
        let mut a = Report::default();
        a.add("email", FieldKind::Text);
        let mut b = Report::default();
        b.add("email", FieldKind::Text);
        b.add("order_id", FieldKind::Attribute);
        b.add_removed_events(2);
        a.merge(&b);
        assert_eq!(a.count("email"), 2);
        assert_eq!(a.count("order_id"), 1);
        assert_eq!(a.events_removed(), 2);
        assert!(!a.is_empty());
    }

    #[test]
    fn labels() {
        let labels: Vec<_> = FieldKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            labels,
            ["text", "attribute", "input", "url", "custom_event", "removed_field", "blocked_element"]
        );
    }
}
