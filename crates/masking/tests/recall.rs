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
use veil_masking::{MaskingRules, mask_text};

const START: &str = "<!-- recall-table:start -->";
const END: &str = "<!-- recall-table:end -->";

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

fn table() -> String {
    let rules = MaskingRules::default();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let generated =
        rows("recall/positives.tsv").into_iter().map(|r| (r[0].clone(), r[1].clone(), r[2].clone()));
    let hand = rows("corpus/positives.tsv")
        .into_iter()
        .map(|r| (r[0].clone(), "hand-written".to_owned(), r[1].clone()));
    let positives: Vec<(String, String, String)> = generated.chain(hand).collect();
    for (rule, format, marked) in &positives {
        let tally = tallies.entry(rule.clone()).or_default();
        tally.positives += 1;
        let found = found_whole(rule, marked, &rules);
        tally.found += usize::from(found);
        let per_format = tally.missed.entry(format.clone()).or_default();
        per_format.1 += 1;
        per_format.0 += usize::from(!found);
    }
    let generated = rows("recall/negatives.tsv").into_iter().map(|r| r[2].clone());
    let hand = rows("corpus/negatives.tsv").into_iter().map(|r| r[1].clone());
    let negatives: Vec<String> = generated.chain(hand).collect();
    let mut masked_negatives = 0;
    for text in &negatives {
        let (_, report) = mask_text(text, &rules);
        if !report.is_empty() {
            masked_negatives += 1;
        }
        for (rule, _, _) in report.iter() {
            tallies.entry(rule.to_owned()).or_default().false_positives += 1;
        }
    }
    let mut out = format!(
        "Corpus: {} positives ({} generated in `crates/masking/tests/recall/`, the rest hand-written in \
         `crates/masking/tests/corpus/`), {} negatives.\n\n\
         | detector | positives | recall | false positives | precision | formats missed (missed/cases) |\n\
         |---|---:|---:|---:|---:|---|\n",
        positives.len(),
        positives.iter().filter(|p| p.1 != "hand-written").count(),
        negatives.len()
    );
    let (mut all_found, mut all_positives) = (0, 0);
    for (rule, t) in &tallies {
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
            "| `{rule}` | {} | {recall:.3} | {} | {precision:.3} | {} |\n",
            t.positives,
            t.false_positives,
            if missed.is_empty() { "—".to_owned() } else { missed.join(", ") }
        ));
        all_found += t.found;
        all_positives += t.positives;
    }
    out.push_str(&format!(
        "| **all** | {all_positives} | {:.3} | {masked_negatives} negatives masked ({:.2} %) | | |\n",
        all_found as f64 / all_positives.max(1) as f64,
        100.0 * masked_negatives as f64 / negatives.len().max(1) as f64
    ));
    out
}

#[test]
fn the_recall_table_in_the_docs_is_current() {
    let corpus_positives = rows("recall/positives.tsv").len() + rows("corpus/positives.tsv").len();
    let corpus_negatives = rows("recall/negatives.tsv").len() + rows("corpus/negatives.tsv").len();
    assert!(corpus_positives >= 1000 && corpus_negatives >= 1000, "{corpus_positives} / {corpus_negatives}");
    let table = table();
    let path = format!("{}/../../docs/masking.md", env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(&path).unwrap();
    let (before, rest) = doc.split_once(START).expect("docs/masking.md has the recall-table markers");
    let (current, after) = rest.split_once(END).expect("the end marker");
    let fresh = format!("\n{table}");
    if std::env::var_os("VEIL_WRITE_DOCS").is_some() {
        std::fs::write(&path, format!("{before}{START}{fresh}{END}{after}")).unwrap();
        return;
    }
    assert_eq!(
        current, fresh,
        "the detectors' recall changed: rewrite the table with \
         VEIL_WRITE_DOCS=1 cargo test -p veil-masking --test recall, and review the diff"
    );
}

/// Page words without digits or labels, to surround a case with.
const AROUND: &[&str] =
    &["Winterjas", "heren", "op", "voorraad", "naar", "and", "und", "ß", "é", "😀", "(", ")", ",", ".", "\n"];

fn generated_positives() -> Vec<(String, String)> {
    rows("recall/positives.tsv").into_iter().map(|r| (r[0].clone(), r[2].clone())).collect()
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
        let rules = MaskingRules::default();
        prop_assert!(found_whole(rule, &marked, &rules), "{} missed in {:?}", rule, marked);
        let (text, _) = unmark(&marked);
        let (once, _) = mask_text(&text, &rules);
        let (twice, report) = mask_text(&once, &rules);
        prop_assert_eq!(&once, &twice);
        prop_assert!(report.is_empty());
        prop_assert!(once.chars().count() <= text.chars().count());
    }
}
