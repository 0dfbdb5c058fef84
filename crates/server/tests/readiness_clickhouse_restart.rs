//! Done-when of the foundation issue: stopping ClickHouse makes `/readyz`
//! answer 503 within 5 s; starting it again makes it 200, without
//! restarting `veil`. Uses its own ClickHouse so other tests keep theirs.

mod common;

use std::time::Duration;

use veil_test_support::{ClickHouseInstance, TestDatabase, VeilOptions, VeilProcess, free_port};

#[test]
fn readyz_follows_clickhouse_down_and_up() {
    let clickhouse = ClickHouseInstance::new("clickhouse-restart-test", free_port(), free_port());
    clickhouse.start();
    let db = TestDatabase::on(&clickhouse);
    common::migrate(&db);
    // The default probe settings, as an operator gets them.
    let config = common::config_for(&db.url(), db.name())
        .replace("probe_interval = \"200ms\"\n", "")
        .replace("probe_timeout = \"1s\"\n", "");
    let mut veil = VeilProcess::start(common::VEIL.as_ref(), VeilOptions { config, ..Default::default() });
    veil.wait_until(Duration::from_secs(10), |v| v.get("/readyz").is_ok_and(|(s, _)| s == 200));

    clickhouse.stop();
    let took = veil.wait_until(Duration::from_secs(10), |v| {
        v.get("/readyz").is_ok_and(|(s, body)| s == 503 && body.contains("clickhouse_unreachable"))
    });
    assert!(took < Duration::from_secs(5), "/readyz took {took:?} to notice ClickHouse was gone");
    let (status, _) = veil.get("/healthz").expect("healthz");
    assert_eq!(status, 200, "liveness must not depend on ClickHouse");

    clickhouse.start();
    veil.wait_until(Duration::from_secs(30), |v| v.get("/readyz").is_ok_and(|(s, _)| s == 200));
    drop(veil);
    drop(db);
    clickhouse.stop();
}
