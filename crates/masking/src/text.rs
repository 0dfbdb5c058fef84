//! Rewriting strings: PII scanning with layout-preserving replacement,
//! wholesale masking of form values, and the tally behind the report.
//!
//! Replacement keeps layout: inside a finding, letters and digits become
//! `*` and everything else stays (`jane@example.com` → `****@*******.***`,
//! `+31 6 1234 5678` → `+** * **** ****`); a form value becomes `*` of the
//! same length in characters. Either way the string never grows, a finding
//! is always masked whole, and a masked string contains nothing a detector
//! finds again — which makes masking idempotent. Strings that need no
//! change keep their borrowed `Cow` and allocate nothing.

use std::borrow::Cow;

use veil_events::Value;

use crate::detectors::{ScanScratch, Span};
use crate::report::{FieldKind, Report};
use crate::rules::{MaskingRules, RuleId};

/// A finding in character offsets, for re-applying it to other versions of
/// the same text (see `mutation.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CharSpan {
    pub start: usize,
    pub end: usize,
    pub rule: RuleId,
}

/// Masking context of one batch: the rules, scratch buffers, counts.
pub(crate) struct Masker<'r> {
    pub rules: &'r MaskingRules,
    scratch: ScanScratch,
    spans: Vec<Span>,
    concat: String,
    offsets: Vec<usize>,
    tally: Vec<[u64; 7]>,
    removed_events: u64,
    /// When set, findings of the next scans are also kept here, in
    /// character offsets of the part (of a run; 0 for a single string)
    /// they fall in.
    pub record: Option<Vec<(usize, CharSpan)>>,
}

impl<'r> Masker<'r> {
    pub(crate) fn new(rules: &'r MaskingRules) -> Self {
        Masker {
            rules,
            scratch: ScanScratch::new(&rules.scanner),
            spans: Vec::new(),
            concat: String::new(),
            offsets: Vec::new(),
            tally: vec![[0; 7]; rules.rule_count()],
            removed_events: 0,
            record: None,
        }
    }

    pub(crate) fn count(&mut self, rule: RuleId, kind: FieldKind) {
        if let Some(row) = self.tally.get_mut(usize::from(rule.0)) {
            row[kind.index()] += 1;
        }
    }

    pub(crate) fn removed_event(&mut self, rule: RuleId, kind: FieldKind) {
        self.count(rule, kind);
        self.removed_events += 1;
    }

    pub(crate) fn into_report(self) -> Report {
        let mut report = Report::default();
        for (i, row) in self.tally.iter().enumerate() {
            let name = u16::try_from(i).map_or("unknown", |i| self.rules.name(RuleId(i)));
            for kind in FieldKind::ALL {
                report.add_n(name, kind, row[kind.index()]);
            }
        }
        report.add_removed_events(self.removed_events);
        report
    }

    /// Scans a string value for PII and masks what it finds.
    pub(crate) fn scan_value(&mut self, v: &mut Value<'_>, kind: FieldKind) {
        if let Value::Str(s) = v {
            self.scan_cow(s, kind);
        }
    }

    /// Scans until nothing more is found: masking a finding can change the
    /// context of another candidate (a label that was itself personal data
    /// becomes `*`), and stopping only at the fixed point is what makes
    /// masking a masked string change nothing.
    pub(crate) fn scan_cow(&mut self, s: &mut Cow<'_, str>, kind: FieldKind) {
        for _ in 0..MAX_ROUNDS {
            self.spans.clear();
            self.rules.scanner.scan(s, &mut self.scratch, &mut self.spans);
            if !self.count_found(s, kind) {
                return;
            }
            self.record_spans(0, s, 0);
            match apply(s, &self.spans, 0) {
                Some(masked) => *s = Cow::Owned(masked),
                None => return,
            }
        }
    }

    /// A page URL: its origin (`scheme://host[:port]`) is the site's own
    /// address, never the visitor's, and page keys are built from it, so it
    /// is kept; credentials before an `@` are masked wholesale; path, query
    /// and fragment are scanned like any text.
    pub(crate) fn scan_url_cow(&mut self, s: &mut Cow<'_, str>, kind: FieldKind) {
        let Some(origin) = url_origin(s) else {
            return self.scan_cow(s, kind);
        };
        let mut rest: Cow<'_, str> = Cow::Borrowed(&s[origin.end..]);
        self.scan_cow(&mut rest, kind);
        let credentials_masked = origin.credentials.is_some();
        if let (Cow::Borrowed(_), false) = (&rest, credentials_masked) {
            return;
        }
        let mut out = String::with_capacity(s.len());
        match origin.credentials {
            Some((from, to)) => {
                out.push_str(&s[..from]);
                out.extend(s[from..to].chars().map(|c| if c.is_alphanumeric() { '*' } else { c }));
                out.push_str(&s[to..origin.end]);
                self.report_credentials(kind);
            }
            None => out.push_str(&s[..origin.end]),
        }
        out.push_str(&rest);
        *s = Cow::Owned(out);
    }

    /// Credentials in a URL count under `personal_query`, the rule for
    /// personal data in URLs.
    fn report_credentials(&mut self, kind: FieldKind) {
        let index = usize::from(crate::detectors::Builtin::PersonalQuery.rule_id().0);
        if let Some(row) = self.tally.get_mut(index) {
            row[kind.index()] += 1;
        }
    }

    /// Counts the current findings that hide a letter or digit; false when
    /// there are none.
    fn count_found(&mut self, text: &str, kind: FieldKind) -> bool {
        let mut any = false;
        for (span, hit) in self.spans.iter().zip(count_spans(text, &self.spans)) {
            if hit && let Some(row) = self.tally.get_mut(usize::from(span.rule.0)) {
                row[kind.index()] += 1;
                any = true;
            }
        }
        any
    }

    /// Keeps the current findings, clipped to the part of `text` that
    /// starts at byte `offset`, in that part's character offsets.
    fn record_spans(&mut self, part: usize, text: &str, offset: usize) {
        let Some(record) = &mut self.record else { return };
        for span in &self.spans {
            let s = span.start.max(offset);
            let e = span.end.min(offset + text.len());
            if s >= e {
                continue;
            }
            let (Some(head), Some(body)) = (text.get(..s - offset), text.get(s - offset..e - offset)) else {
                continue;
            };
            let start = head.chars().count();
            let end = start + body.chars().count();
            record.push((part, CharSpan { start, end, rule: span.rule }));
        }
    }

    /// Every string inside `v`, recursively (map keys are structure and
    /// stay).
    pub(crate) fn scan_tree(&mut self, v: &mut Value<'_>, kind: FieldKind) {
        match v {
            Value::Str(s) => self.scan_cow(s, kind),
            Value::Array(items) => items.iter_mut().for_each(|item| self.scan_tree(item, kind)),
            Value::Map(entries) => entries.iter_mut().for_each(|(_, item)| self.scan_tree(item, kind)),
            _ => {}
        }
    }

    /// Replaces a string value by `*` of the same length; counts under
    /// `rule` if it changed.
    pub(crate) fn star_value(&mut self, v: &mut Value<'_>, rule: RuleId, kind: FieldKind) -> bool {
        let Value::Str(s) = v else { return false };
        match stars(s) {
            Some(masked) => {
                *s = Cow::Owned(masked);
                self.count(rule, kind);
                true
            }
            None => false,
        }
    }

    /// Scans adjacent text strings as one (a finding split across them is
    /// still found) and masks each string's share of every finding.
    pub(crate) fn scan_run(&mut self, parts: &mut [&mut Value<'_>], kind: FieldKind) {
        match parts {
            [] => return,
            [one] => return self.scan_value(one, kind),
            _ => {}
        }
        for _ in 0..MAX_ROUNDS {
            self.concat.clear();
            self.offsets.clear();
            for part in parts.iter() {
                self.offsets.push(self.concat.len());
                self.concat.push_str(part.as_str().unwrap_or(""));
            }
            self.spans.clear();
            self.rules.scanner.scan(&self.concat, &mut self.scratch, &mut self.spans);
            let concat = std::mem::take(&mut self.concat);
            let found = self.count_found(&concat, kind);
            self.concat = concat;
            if !found {
                return;
            }
            for (i, part) in parts.iter_mut().enumerate() {
                let offset = self.offsets.get(i).copied().unwrap_or(0);
                if let Value::Str(s) = &mut **part {
                    if self.record.is_some() {
                        let text = s.clone();
                        self.record_spans(i, &text, offset);
                    }
                    if let Some(masked) = apply(s, &self.spans, offset) {
                        *s = Cow::Owned(masked);
                    }
                }
            }
        }
    }
}

/// Rounds of scanning one string before giving up on a fixed point. Each
/// round masks at least one more letter or digit, so real text settles in
/// two; the bound only guards against pathological input.
const MAX_ROUNDS: usize = 8;

/// `*` for every character, or `None` if the value is already all `*`.
pub(crate) fn stars(value: &str) -> Option<String> {
    if value.bytes().all(|b| b == b'*') {
        return None;
    }
    Some("*".repeat(value.chars().count()))
}

/// Which spans hide at least one letter or digit (the others changed
/// nothing and are not counted).
fn count_spans<'s>(text: &'s str, spans: &'s [Span]) -> impl Iterator<Item = bool> + 's {
    spans.iter().map(|s| text.get(s.start..s.end).is_some_and(|t| t.chars().any(char::is_alphanumeric)))
}

/// Masks the letters and digits of `text` that fall in any span; spans are
/// in the coordinates of a larger string in which `text` starts at
/// `offset`. `None` when nothing changes.
pub(crate) fn apply(text: &str, spans: &[Span], offset: usize) -> Option<String> {
    let end = offset + text.len();
    let mut out: Option<String> = None;
    let mut copied = 0;
    for span in spans {
        let s = span.start.max(offset);
        let e = span.end.min(end);
        if s >= e {
            continue;
        }
        let (s, e) = (s - offset, e - offset);
        let s = s.max(copied);
        if s >= e {
            continue;
        }
        let Some(region) = text.get(s..e) else { continue };
        if !region.chars().any(char::is_alphanumeric) {
            continue;
        }
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(&text[copied..s]);
        buf.extend(region.chars().map(|c| if c.is_alphanumeric() { '*' } else { c }));
        copied = e;
    }
    let mut buf = out?;
    buf.push_str(&text[copied..]);
    Some(buf)
}

/// Masks the letters and digits of `text` at character positions covered
/// by `spans`. `None` when nothing changes.
pub(crate) fn apply_chars(text: &str, spans: &[CharSpan]) -> Option<String> {
    // Sorted, merged character ranges, walked once alongside the text:
    // linear however many spans the history of a field added.
    let mut ranges: Vec<(usize, usize)> =
        spans.iter().map(|s| (s.start, s.end)).filter(|(a, b)| a < b).collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out: Option<String> = None;
    let mut next = merged.iter().peekable();
    for (i, (at, c)) in text.char_indices().enumerate() {
        while next.peek().is_some_and(|(_, end)| *end <= i) {
            next.next();
        }
        let covered = next.peek().is_some_and(|(start, _)| *start <= i);
        if covered && c.is_alphanumeric() {
            out.get_or_insert_with(|| {
                let mut masked = String::with_capacity(text.len());
                masked.push_str(&text[..at]);
                masked
            })
            .push('*');
        } else if let Some(out) = out.as_mut() {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize) -> Span {
        Span { start, end, rule: RuleId(0) }
    }

    #[test]
    fn apply_keeps_layout() {
        let cases: &[(&str, &[Span], usize, Option<&str>)] = &[
            ("mail jane@example.com now", &[span(5, 21)], 0, Some("mail ****@*******.*** now")),
            ("+31 6 1234 5678", &[span(0, 15)], 0, Some("+** * **** ****")),
            ("****@*******.***", &[span(0, 16)], 0, None),
            ("abc", &[span(0, 2), span(1, 3)], 0, Some("***")),
            ("1111 1111", &[span(0, 5)], 10, None),
            ("1111 1111", &[span(5, 14)], 10, Some("**** 1111")),
            ("1111 2222", &[span(0, 12)], 5, Some("**** **22")),
            ("Jürgen", &[span(0, 7)], 0, Some("******")),
        ];
        for (text, spans, offset, want) in cases {
            assert_eq!(apply(text, spans, *offset).as_deref(), *want, "{text}");
        }
    }

    #[test]
    fn stars_are_idempotent() {
        assert_eq!(stars("geheim").as_deref(), Some("******"));
        assert_eq!(stars("Jäné Dœ").as_deref(), Some("*******"));
        assert_eq!(stars("***"), None);
        assert_eq!(stars(""), None);
    }
}

/// Where a URL's origin ends, and the credentials (`user:pass`) inside it.
struct UrlOrigin {
    end: usize,
    credentials: Option<(usize, usize)>,
}

/// The origin of an `http(s)://` URL; `None` for anything else (relative
/// URLs and other schemes are scanned whole).
fn url_origin(url: &str) -> Option<UrlOrigin> {
    let lower = url.get(..8)?.to_ascii_lowercase();
    let start = if lower.starts_with("https://") {
        8
    } else if lower.starts_with("http://") {
        7
    } else {
        return None;
    };
    let end = url[start..].find(['/', '?', '#']).map_or(url.len(), |i| start + i);
    let credentials = url[start..end].rfind('@').map(|at| (start, start + at));
    Some(UrlOrigin { end, credentials })
}

#[cfg(test)]
mod url_tests {
    use super::*;

    #[test]
    fn origins_are_kept_and_credentials_masked() {
        let rules = MaskingRules::default();
        let cases = [
            ("http://127.0.0.1:8080/checkout", "http://127.0.0.1:8080/checkout"),
            ("https://10.0.0.7/?email=jan%40example.nl", "https://10.0.0.7/?email=***%*********.**"),
            ("https://jan:geheim@shop.example/a", "https://***:******@shop.example/a"),
            ("https://shop.example/u/jan@example.nl", "https://shop.example/u/***@*******.**"),
            ("/relative/10.1.2.3", "/relative/**.*.*.*"),
        ];
        for (input, expected) in cases {
            let mut masker = Masker::new(&rules);
            let mut url: Cow<'_, str> = Cow::Borrowed(input);
            masker.scan_url_cow(&mut url, FieldKind::Url);
            assert_eq!(url, expected, "{input}");
        }
    }
}
