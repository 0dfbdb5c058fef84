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

/// A migration that changes columns, interrupted after its `ALTER`s but
/// before it was recorded, runs again without error (18.16 has no `IF
/// [NOT] EXISTS` for columns; the runner skips drops of columns already
/// gone and additions of columns already there).
#[tokio::test]
async fn a_column_change_applied_but_not_recorded_runs_again() {
    let db = TestDatabase::new();
    let store = store_for(&db);
    store.migrate().await.expect("migrate");
    let altering: Vec<_> = MIGRATIONS
        .iter()
        .filter(|m| m.statements().iter().any(|s| s.trim_start().starts_with("ALTER TABLE")))
        .map(|m| m.version)
        .collect();
    assert!(altering.len() >= 2, "a drop and an addition: {altering:?}");
    let versions = altering.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
    db.query(&format!("ALTER TABLE schema_migrations DELETE WHERE version IN ({versions})"));
    for _ in 0..100 {
        let left = db.query(&format!("SELECT count() FROM schema_migrations WHERE version IN ({versions})"));
        if left.trim() == "0" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let again = store.migrate().await.expect("the changes run again");
    assert_eq!(again.applied.len(), altering.len(), "{again:?}");
    let columns = |table: &str| {
        db.query(&format!(
            "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = '{table}'"
        ))
    };
    let archives = columns("recording_archives");
    for gone in ["first_ts", "last_ts", "event_count", "json_bytes"] {
        assert!(!archives.lines().any(|c| c == gone), "{gone} still in {archives}");
    }
    let clicks = columns("heatmap_clicks");
    for added in ["source", "campaign"] {
        assert_eq!(clicks.lines().filter(|c| *c == added).count(), 1, "{added} in {clicks}");
    }
}

/// Aggregates written before segments keep their figures after migration
/// 0010 (as `unknown`, no campaign), merge with later rows in unfiltered
/// queries, and stay apart from them in segment queries.
#[tokio::test]
async fn aggregates_from_before_segments_survive_the_migration() {
    let db = TestDatabase::new();
    db.instance().try_execute(&format!("CREATE DATABASE `{}`", db.name())).expect("create the database");
    let segments = MIGRATIONS.iter().position(|m| m.name == "0010_segments").expect("segments migration");
    db.query(veil_store::probe::catalog().bootstrap[0].as_str());
    for migration in &MIGRATIONS[..segments] {
        for statement in migration.statements() {
            if let Some(guard) = veil_store::migrations::ColumnGuard::of(&statement) {
                let present = db.query(&format!(
                    "SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = '{}' \
                     AND name = '{}'",
                    guard.table(),
                    guard.column()
                ));
                if !guard.runs_when(present.trim() != "0") {
                    continue;
                }
            }
            db.query(&statement);
        }
    }
    let old_click = |visitor: &str| {
        format!(
            "INSERT INTO heatmap_clicks_input (site, page_key, device, layer, day, col, row, clicks, rage, dead, \
             visitor) VALUES ('demo', '/p', 'desktop', 'document', toDate('2026-11-24'), 3, 4, 2, 0, 0, '{visitor}')"
        )
    };
    db.query(&old_click("a"));
    db.query(&old_click("b"));
    db.query(
        "INSERT INTO page_stats_input (site, page_key, device, day, page_view, visitor, clicks) VALUES \
         ('demo', '/p', 'desktop', toDate('2026-11-24'), 's1/p', 'a', 2)",
    );
    store_for(&db).migrate().await.expect("migrate over the old schema");
    db.query(
        "INSERT INTO heatmap_clicks_input (site, page_key, device, layer, day, col, row, clicks, rage, dead, \
         visitor, source, campaign) VALUES ('demo', '/p', 'desktop', 'document', toDate('2026-11-24'), 3, 4, 5, \
         0, 0, 'c', 'search', 'utm_source=google')",
    );
    db.query("OPTIMIZE TABLE heatmap_clicks FINAL");
    let cell = |condition: &str| {
        db.query(&format!(
            "SELECT sumMerge(clicks), uniqMerge(visitors) FROM heatmap_clicks WHERE site = 'demo' {condition} \
             FORMAT TSV"
        ))
        .trim()
        .to_owned()
    };
    assert_eq!(cell(""), "9\t3");
    assert_eq!(cell("AND toString(source) = 'unknown' AND campaign = ''"), "4\t2");
    assert_eq!(cell("AND toString(source) = 'search'"), "5\t1");
    assert_eq!(cell("AND hasAll(splitByChar('&', campaign), ['utm_source=google'])"), "5\t1");
    let pages = db.query("SELECT uniqMerge(page_views), toString(any(source)) FROM page_stats FORMAT TSV");
    assert_eq!(pages.trim(), "1\tunknown");
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
