//! Recall and precision of every built-in detector, measured on the recall
//! corpus (`tests/recall/`, generated: personal data as visitors type it,
//! and page text that must stay untouched) plus the hand-written corpus
//! (`tests/corpus/`). The table in docs/masking.md is this test's output:
//! the test fails when the numbers change until the table is rewritten
//! with `VEIL_WRITE_DOCS=1 cargo test -p veil-masking --test recall`, so a
//! detector change shows its effect on recall and false positives in the
//! diff.

#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use veil_masking::{Builtin, MaskingRules, SiteRules, mask_text};

const START: &str = "<!-- recall-table:start -->";
const END: &str = "<!-- recall-table:end -->";
const OPT_IN_START: &str = "<!-- opt-in-table:start -->";
const OPT_IN_END: &str = "<!-- opt-in-table:end -->";

/// Rows of a TSV file under `tests/`, comment lines skipped.
fn rows(file: &str) -> Vec<Vec<String>> {
    let path = format!("{}/tests/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

/// The text without `[[…]]` markers and the byte ranges that were marked.
fn unmark(marked: &str) -> (String, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut spans = Vec::new();
    let mut rest = marked;
    while let Some(open) = rest.find("[[") {
        text.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("]]").unwrap();
        let close = if after[close..].starts_with("]]]") { close + 1 } else { close };
        spans.push((text.len(), text.len() + close));
        text.push_str(&after[..close]);
        rest = &after[close + 2..];
    }
    text.push_str(rest);
    (text, spans)
}

/// Whether `rule` fired on the text and left no letter or digit of a
/// marked span unmasked.
fn found_whole(rule: &str, marked: &str, rules: &MaskingRules) -> bool {
    let (text, spans) = unmark(marked);
    let (masked, report) = mask_text(&text, rules);
    // Masking keeps the number of characters (not bytes: `ü` becomes `*`),
    // so spans are compared character by character.
    let (original, masked): (Vec<char>, Vec<char>) = (text.chars().collect(), masked.chars().collect());
    if report.count(rule) == 0 || original.len() != masked.len() {
        return false;
    }
    spans.iter().all(|&(s, e)| {
        let (s, e) = (text[..s].chars().count(), text[..e].chars().count());
        (s..e).all(|i| !original[i].is_alphanumeric() || masked[i] == '*')
    })
}

#[derive(Default)]
struct Tally {
    positives: usize,
    found: usize,
    false_positives: usize,
    /// Missed positives by format.
    missed: BTreeMap<String, (usize, usize)>,
}

/// Every positive of both corpora as (rule, format, marked text).
fn all_positives() -> Vec<(String, String, String)> {
    let generated =
        rows("recall/positives.tsv").into_iter().map(|r| (r[0].clone(), r[1].clone(), r[2].clone()));
    let hand = rows("corpus/positives.tsv")
        .into_iter()
        .map(|r| (r[0].clone(), "hand-written".to_owned(), r[1].clone()));
    generated.chain(hand).collect()
}

/// Every negative of both corpora.
fn all_negatives() -> Vec<String> {
    let generated = rows("recall/negatives.tsv").into_iter().map(|r| r[2].clone());
    let hand = rows("corpus/negatives.tsv").into_iter().map(|r| r[1].clone());
    generated.chain(hand).collect()
}

fn is_opt_in(rule: &str) -> bool {
    Builtin::opt_in_by_name(rule).is_some()
}

/// Rules with every opt-in detector turned on.
fn rules_with_opt_ins() -> MaskingRules {
    let detectors = Builtin::OPT_IN.iter().map(|b| b.rule_name().to_owned()).collect();
    MaskingRules::new(SiteRules { detectors, ..SiteRules::default() }).unwrap()
}

/// Recall per rule on the positives of `rules_shown`, and the rules that
/// fired on negatives, all under `rules`.
fn measure(rules: &MaskingRules, shown: impl Fn(&str) -> bool) -> (BTreeMap<String, Tally>, usize, usize) {
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let positives = all_positives();
    for (rule, format, marked) in positives.iter().filter(|p| shown(&p.0)) {
        let tally = tallies.entry(rule.clone()).or_default();
        tally.positives += 1;
        let found = found_whole(rule, marked, rules);
        tally.found += usize::from(found);
        let per_format = tally.missed.entry(format.clone()).or_default();
        per_format.1 += 1;
        per_format.0 += usize::from(!found);
    }
    let negatives = all_negatives();
    let mut masked_negatives = 0;
    for text in &negatives {
        let (_, report) = mask_text(text, rules);
        if !report.is_empty() {
            masked_negatives += 1;
        }
        for (rule, _, _) in report.iter() {
            tallies.entry(rule.to_owned()).or_default().false_positives += 1;
        }
    }
    (tallies, masked_negatives, negatives.len())
}

/// One table row per rule, and a last row over all of them.
fn rows_of(tallies: &BTreeMap<String, Tally>, masked_negatives: usize, negatives: usize) -> String {
    let mut out = String::from(
        "| detector | positives | recall | false positives | precision | formats missed (missed/cases) |\n\
         |---|---:|---:|---:|---:|---|\n",
    );
    let (mut all_found, mut all_positives) = (0, 0);
    for (rule, t) in tallies {
        let recall = if t.positives == 0 { 1.0 } else { t.found as f64 / t.positives as f64 };
        let precision = if t.found + t.false_positives == 0 {
            1.0
        } else {
            t.found as f64 / (t.found + t.false_positives) as f64
        };
        let missed: Vec<String> = t
            .missed
            .iter()
            .filter(|(_, (m, _))| *m > 0)
            .map(|(format, (m, n))| format!("`{format}` {m}/{n}"))
            .collect();
        out.push_str(&format!(
            "| `{rule}` | {} | {recall:.3} | {} ({:.2} %) | {precision:.3} | {} |\n",
            t.positives,
            t.false_positives,
            100.0 * t.false_positives as f64 / negatives.max(1) as f64,
            if missed.is_empty() { "—".to_owned() } else { missed.join(", ") }
        ));
        all_found += t.found;
        all_positives += t.positives;
    }
    out.push_str(&format!(
        "| **all** | {all_positives} | {:.3} | {masked_negatives} negatives masked ({:.2} %) | | |\n",
        all_found as f64 / all_positives.max(1) as f64,
        100.0 * masked_negatives as f64 / negatives.max(1) as f64
    ));
    out
}

/// The default rules' table: positives of the default detectors.
fn table() -> String {
    let (tallies, masked, negatives) = measure(&MaskingRules::default(), |rule| !is_opt_in(rule));
    let positives = all_positives();
    let default: Vec<_> = positives.iter().filter(|p| !is_opt_in(&p.0)).collect();
    format!(
        "Corpus: {} positives of the default detectors ({} generated in `crates/masking/tests/recall/`, the \
         rest hand-written in `crates/masking/tests/corpus/`), {negatives} negatives.\n\n{}",
        default.len(),
        default.iter().filter(|p| p.1 != "hand-written").count(),
        rows_of(&tallies, masked, negatives)
    )
}

/// The opt-in detectors' table, measured with all of them turned on:
/// their recall, and what they cost on the same negatives.
fn opt_in_table() -> String {
    let (tallies, masked, negatives) = measure(&rules_with_opt_ins(), is_opt_in);
    let opt_in: BTreeMap<String, Tally> = tallies.into_iter().filter(|(rule, _)| is_opt_in(rule)).collect();
    format!(
        "Corpus: {} positives of the opt-in detectors, the same {negatives} negatives; every opt-in \
         detector turned on.\n\n{}",
        opt_in.values().map(|t| t.positives).sum::<usize>(),
        rows_of(&opt_in, masked, negatives)
    )
}

/// Replaces what is between `start` and `end` in docs/masking.md with
/// `fresh` when `VEIL_WRITE_DOCS` is set, or checks that it is current.
fn check_doc_section(start: &str, end: &str, fresh: &str) {
    let path = format!("{}/../../docs/masking.md", env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(&path).unwrap();
    let (before, rest) = doc.split_once(start).unwrap_or_else(|| panic!("docs/masking.md has no {start}"));
    let (current, after) = rest.split_once(end).unwrap_or_else(|| panic!("docs/masking.md has no {end}"));
    let fresh = format!("\n{fresh}");
    if std::env::var_os("VEIL_WRITE_DOCS").is_some() {
        std::fs::write(&path, format!("{before}{start}{fresh}{end}{after}")).unwrap();
        return;
    }
    assert_eq!(
        current, fresh,
        "the detectors' recall changed: rewrite the table with \
         VEIL_WRITE_DOCS=1 cargo test -p veil-masking --test recall, and review the diff"
    );
}

#[test]
fn the_recall_table_in_the_docs_is_current() {
    let corpus_positives = rows("recall/positives.tsv").len() + rows("corpus/positives.tsv").len();
    let corpus_negatives = rows("recall/negatives.tsv").len() + rows("corpus/negatives.tsv").len();
    assert!(corpus_positives >= 1000 && corpus_negatives >= 1000, "{corpus_positives} / {corpus_negatives}");
    check_doc_section(START, END, &table());
}

#[test]
fn the_opt_in_table_in_the_docs_is_current() {
    check_doc_section(OPT_IN_START, OPT_IN_END, &opt_in_table());
}

/// Page words without digits or labels, to surround a case with.
const AROUND: &[&str] =
    &["Winterjas", "heren", "op", "voorraad", "naar", "and", "und", "ß", "é", "😀", "(", ")", ",", ".", "\n"];

fn generated_positives() -> Vec<(String, String)> {
    rows("recall/positives.tsv").into_iter().map(|r| (r[0].clone(), r[2].clone())).collect()
}

/// The rules a positive of `rule` is measured under.
fn rules_for(rule: &str) -> MaskingRules {
    if is_opt_in(rule) { rules_with_opt_ins() } else { MaskingRules::default() }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every positive of the corpus, with its own context, is still found
    /// whole when random page text surrounds it; masking it again changes
    /// nothing and no value grows.
    #[test]
    fn a_positive_in_random_text_is_masked(
        index in any::<prop::sample::Index>(),
        before in prop::collection::vec(prop::sample::select(AROUND), 0..5),
        after in prop::collection::vec(prop::sample::select(AROUND), 0..5),
    ) {
        let cases = generated_positives();
        let (rule, marked) = &cases[index.index(cases.len())];
        let marked = format!("{} {marked} {}", before.join(" "), after.join(" "));
        let rules = rules_for(rule);
        prop_assert!(found_whole(rule, &marked, &rules), "{} missed in {:?}", rule, marked);
        let (text, _) = unmark(&marked);
        let (once, _) = mask_text(&text, &rules);
        let (twice, report) = mask_text(&once, &rules);
        prop_assert_eq!(&once, &twice);
        prop_assert!(report.is_empty());
        prop_assert!(once.chars().count() <= text.chars().count());
    }
}
