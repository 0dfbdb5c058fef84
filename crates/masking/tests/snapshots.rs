//! Whole masked batches pinned as snapshots: a reviewer sees exactly what
//! would be stored. Update with `INSTA_UPDATE=always cargo test -p
//! veil-masking --test snapshots` and review the diff.

#![allow(clippy::unwrap_used, missing_docs)]

use veil_events::decode;
use veil_masking::{Report, SessionState, mask_batch};

mod common;

use common::{fixture, rules};

/// The report as rows a snapshot shows well.
fn rows(report: &Report) -> Vec<String> {
    let mut rows: Vec<String> = report.iter().map(|(rule, kind, n)| format!("{rule} {kind} {n}")).collect();
    rows.push(format!("events_removed {}", report.events_removed()));
    rows
}

#[test]
fn checkout_batches() {
    let mut state = SessionState::new();
    let body0 = fixture("checkout_batch0.json");
    let mut batch0 = decode::batch_from_json(&body0).unwrap();
    let report0 = mask_batch(&mut batch0, &rules(), &mut state);
    insta::assert_json_snapshot!("checkout_batch0", batch0);
    insta::assert_json_snapshot!("checkout_batch0_report", rows(&report0));

    let body1 = fixture("checkout_batch1.json");
    let mut batch1 = decode::batch_from_json(&body1).unwrap();
    let report1 = mask_batch(&mut batch1, &rules(), &mut state);
    insta::assert_json_snapshot!("checkout_batch1_same_session", batch1);
    insta::assert_json_snapshot!("checkout_batch1_same_session_report", rows(&report1));

    let mut evicted = decode::batch_from_json(&body1).unwrap();
    let report = mask_batch(&mut evicted, &rules(), &mut SessionState::new());
    insta::assert_json_snapshot!("checkout_batch1_evicted", evicted);
    insta::assert_json_snapshot!("checkout_batch1_evicted_report", rows(&report));
}
