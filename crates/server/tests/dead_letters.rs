//! Rows ClickHouse refuses as data errors are set aside, counted, and never
//! block the rows behind them (STYLE: a poison batch is not retried forever
//! ahead of good ones). The refusal is provoked by a table whose columns no
//! longer match what the server writes.

mod common;

use std::time::Duration;

use common::{ORIGIN, batch, demo_token, wait_for_query};
use serde_json::json;

#[test]
fn refused_rows_go_to_dead_letters_and_good_rows_still_arrive() {
    let (db, veil) = common::migrated_server();
    // `recordings` loses a column: every recording row is now a data error.
    db.query("ALTER TABLE recordings DROP COLUMN payload");
    let token = demo_token();
    let response = common::ingest(&veil, &token, &batch("demo", "4e3d2c1b-0a9f-4e8d-8c7b-6a5f4e3d2c1b", 0));
    assert_eq!(response.status, 202);
    // A consent grant queued behind the poison rows.
    let grant = veil.post(
        "/v1/consent",
        &[("Origin", ORIGIN), ("Content-Type", "application/json")],
        &serde_json::to_vec(&json!({"site": "demo", "purposes": ["recording"], "visitor": "abcdefabcdefabcdefabcdefabcdefab"}))
            .expect("json"),
    );
    assert_eq!(grant.status, 201);
    wait_for_query(&db, "SELECT count() FROM consent_log", "1", Duration::from_secs(20));
    // The click of the batch went to the heatmap tables, which still work.
    wait_for_query(&db, "SELECT sumMerge(clicks) FROM heatmap_clicks", "1", Duration::from_secs(5));
    common::wait_for_metrics(
        &veil,
        &["veil_store_dead_letter_records_total 1", r#"veil_store_insert_failures_total{kind="refused"}"#],
        Duration::from_secs(10),
    );
}
