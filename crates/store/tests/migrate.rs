//! Migrations against the private ClickHouse 18.16 (or whatever
//! `clickhouse-server` is installed): idempotent, recorded, probed.

use std::time::Duration;

use veil_store::migrations::{self, MIGRATIONS};
use veil_store::probe;
use veil_store::{ConnectOptions, Store, StoreError};
use veil_test_support::TestDatabase;

fn store_for(db: &TestDatabase) -> Store {
    Store::connect(&ConnectOptions {
        url: db.url(),
        database: db.name().to_owned(),
        ..ConnectOptions::default()
    })
    .expect("valid options")
}

#[tokio::test]
async fn migrate_twice_does_nothing_the_second_time() {
    let db = TestDatabase::new();
    let store = store_for(&db);

    let before = store.schema_status().await.expect("status of a missing database");
    assert_eq!(before.current, 0);
    assert!(!before.is_current());

    let first = store.migrate().await.expect("first migrate");
    assert_eq!(first.applied.len(), MIGRATIONS.len());
    assert_eq!(first.version, migrations::latest_version());

    let second = store.migrate().await.expect("second migrate");
    assert!(second.applied.is_empty(), "second run applied {:?}", second.applied);
    assert!(second.to_string().contains("nothing to do"), "{second}");

    let recorded = db.query("SELECT count(), uniqExact(version) FROM schema_migrations FORMAT TSV");
    let expected = format!("{n}\t{n}", n = MIGRATIONS.len());
    assert_eq!(recorded.trim(), expected);
    assert!(store.schema_status().await.expect("status").is_current());
}

#[tokio::test]
async fn every_table_takes_its_sample_row_and_answers_its_queries() {
    let db = TestDatabase::new();
    let store = store_for(&db);
    store.migrate().await.expect("migrate");
    for table in probe::table_probes() {
        db.query(&table.sample_insert);
        for query in &table.queries {
            let rows = db.query(&format!("{query} FORMAT TSV"));
            assert!(!rows.trim().is_empty(), "{}: `{query}` returned no row", table.table);
        }
    }
}

#[tokio::test]
async fn an_edited_migration_stops_migrate() {
    let db = TestDatabase::new();
    let store = store_for(&db);
    store.migrate().await.expect("migrate");
    db.query("ALTER TABLE schema_migrations UPDATE checksum = 'edited' WHERE version = 1");
    // Mutations are asynchronous in 18.16; wait until it is applied.
    for _ in 0..100 {
        if db.query("SELECT count() FROM schema_migrations WHERE checksum = 'edited'").trim() == "1" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let error = store.migrate().await.expect_err("edited migration");
    assert!(matches!(error, StoreError::ChecksumMismatch { version: 1, .. }), "{error}");
}

/// A migration that drops columns, interrupted after its drops but before
/// it was recorded, runs again without error (18.16 has no `DROP COLUMN
/// IF EXISTS`; the runner skips drops of columns already gone).
#[tokio::test]
async fn a_column_drop_applied_but_not_recorded_runs_again() {
    let db = TestDatabase::new();
    let store = store_for(&db);
    store.migrate().await.expect("migrate");
    let dropping = MIGRATIONS
        .iter()
        .rfind(|m| m.statements().iter().any(|s| s.trim_start().starts_with("ALTER TABLE")))
        .expect("a migration drops columns");
    db.query(&format!("ALTER TABLE schema_migrations DELETE WHERE version = {}", dropping.version));
    for _ in 0..100 {
        let left =
            db.query(&format!("SELECT count() FROM schema_migrations WHERE version = {}", dropping.version));
        if left.trim() == "0" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let again = store.migrate().await.expect("the drops run again");
    assert_eq!(again.applied.len(), 1, "{again:?}");
    let columns = db.query(
        "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'recording_archives'",
    );
    for gone in ["first_ts", "last_ts", "event_count", "json_bytes"] {
        assert!(!columns.lines().any(|c| c == gone), "{gone} still in {columns}");
    }
}

#[tokio::test]
async fn ping_reports_an_unreachable_server_quickly() {
    let port = veil_test_support::free_port();
    let store = Store::connect(&ConnectOptions {
        url: format!("http://127.0.0.1:{port}"),
        ..ConnectOptions::default()
    })
    .expect("valid options");
    let started = std::time::Instant::now();
    let error = store.ping(Duration::from_secs(2)).await.expect_err("nothing listens there");
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    assert!(matches!(error, StoreError::ClickHouse { .. } | StoreError::Timeout { .. }), "{error}");
}
