//! The detector corpus: realistic Dutch and international text, every
//! positive must be found by the right rule and masked whole, every
//! negative must come out untouched. Failures are printed as a table.

#![allow(clippy::unwrap_used, missing_docs)]

use veil_masking::{MaskingRules, mask_text};

fn rows(file: &str) -> Vec<(String, String)> {
    let path = format!("{}/tests/corpus/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (a, b) = l.split_once('\t').unwrap_or_else(|| panic!("no tab in {l:?}"));
            (a.to_owned(), b.to_owned())
        })
        .collect()
}

/// The text without markers and the byte ranges that were marked.
fn unmark(marked: &str) -> (String, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut spans = Vec::new();
    let mut rest = marked;
    while let Some(open) = rest.find("[[") {
        text.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        // `]]]` closes a bracketed datum like `[[[2001:db8::1]]]`.
        let close = after.find("]]").unwrap();
        let close = if after[close..].starts_with("]]]") { close + 1 } else { close };
        spans.push((text.len(), text.len() + close));
        text.push_str(&after[..close]);
        rest = &after[close + 2..];
    }
    text.push_str(rest);
    (text, spans)
}

#[test]
fn positives_are_found_by_the_right_rule_and_masked_whole() {
    let rules = MaskingRules::default();
    let cases = rows("positives.tsv");
    assert!(cases.len() >= 300, "only {} positives", cases.len());
    let mut failures = Vec::new();
    for (rule, marked) in &cases {
        let (text, spans) = unmark(marked);
        assert!(!spans.is_empty(), "no [[marker]] in {marked:?}");
        let (masked, report) = mask_text(&text, &rules);
        let mut problems = Vec::new();
        if report.count(rule) == 0 {
            let fired: Vec<_> = report.iter().map(|(r, _, _)| r.to_owned()).collect();
            problems.push(format!("{rule} did not fire (fired: {fired:?})"));
        }
        for &(s, e) in &spans {
            let original = &text[s..e];
            let out = masked.get(s..s + original.len()).unwrap_or("");
            let left: Vec<char> = original
                .chars()
                .zip(out.chars())
                .filter(|(o, m)| o.is_alphanumeric() && *m != '*')
                .map(|p| p.0)
                .collect();
            if masked.len() != text.len() && !masked.is_char_boundary(s) || !left.is_empty() {
                problems.push(format!("not masked whole: {:?}", masked));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{rule:<15} | {marked} | {}", problems.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} positives failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn negatives_are_left_alone() {
    let rules = MaskingRules::default();
    let cases = rows("negatives.tsv");
    assert!(cases.len() >= 300, "only {} negatives", cases.len());
    let mut failures = Vec::new();
    for (category, text) in &cases {
        let (masked, report) = mask_text(text, &rules);
        if masked != text.as_str() || !report.is_empty() {
            let fired: Vec<_> = report.iter().map(|(r, _, n)| format!("{r}×{n}")).collect();
            failures.push(format!("{category:<15} | {text} | {masked} | {}", fired.join(",")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} negatives were masked:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn masking_text_twice_changes_nothing() {
    let rules = MaskingRules::default();
    for (_, marked) in rows("positives.tsv") {
        let (text, _) = unmark(&marked);
        let (once, _) = mask_text(&text, &rules);
        let (twice, report) = mask_text(&once, &rules);
        assert_eq!(once, twice, "{text}");
        assert!(report.is_empty(), "{text}: {report:?}");
        assert!(once.chars().count() == text.chars().count(), "{text}");
    }
}
