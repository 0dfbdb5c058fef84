//! Heatmap retention (SPEC §7): expired months are dropped per site when
//! the clock passes their horizon. The clock is injected with
//! `veil retention run --today`; nothing sleeps.

mod common;

use veil_test_support::TestDatabase;

fn insert_clicks(db: &TestDatabase, site: &str, day: &str) {
    db.query(&format!(
        "INSERT INTO heatmap_clicks_input (site, page_key, device, layer, day, col, row, clicks, rage, dead, visitor) \
         VALUES ('{site}', '/', 'desktop', 'document', toDate('{day}'), 1, 1, 1, 0, 0, 'v')"
    ));
    db.query(&format!(
        "INSERT INTO page_stats_input (site, page_key, device, day, page_view, visitor, clicks) \
         VALUES ('{site}', '/', 'desktop', toDate('{day}'), 'pv', 'v', 1)"
    ));
}

fn months(db: &TestDatabase, table: &str, site: &str) -> String {
    db.query(&format!(
        "SELECT groupArray(m) FROM (SELECT DISTINCT toYYYYMM(day) AS m FROM {table} WHERE site = '{site}' ORDER BY m)"
    ))
    .trim()
    .to_owned()
}

#[test]
fn console_logouts_are_forgotten_once_their_cookies_expired() {
    let db = TestDatabase::new();
    common::migrate(&db);
    let config = common::config_for(&db.url(), db.name());
    // Cookies expiring on 2026-11-10 (week of 11-09) and 2026-11-25 (week
    // of 11-23).
    db.query(
        "INSERT INTO console_logouts (session_id, expires_at, at) VALUES \
         ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', toDateTime('2026-11-10 12:00:00'), toDateTime('2026-11-10 01:00:00')), \
         ('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', toDateTime('2026-11-25 12:00:00'), toDateTime('2026-11-25 01:00:00'))",
    );
    let out = common::veil_with_config(&config, &["retention", "run", "--today", "2026-11-24"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("console logout partitions dropped: 1"));
    let left = db.query("SELECT session_id FROM console_logouts");
    assert_eq!(left.trim(), "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "the still-valid cookie's logout is kept");
}

#[test]
fn expired_heatmap_months_are_dropped_per_site_horizon() {
    let db = TestDatabase::new();
    common::migrate(&db);
    // demo keeps 395 days (default); other keeps 30.
    let config = common::config_for(&db.url(), db.name())
        .replace("purposes = [\"heatmaps\"]", "purposes = [\"heatmaps\"]\nheatmap_retention_days = 30");
    for day in ["2025-09-15", "2025-10-30", "2026-09-10", "2026-10-20", "2026-11-20"] {
        insert_clicks(&db, "demo", day);
        insert_clicks(&db, "other", day);
    }
    let run = |today: &str| {
        let out = common::veil_with_config(&config, &["retention", "run", "--today", today], &[]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };

    let first = run("2026-11-24");
    // demo: horizon 2025-10-25 drops 2025-09 only; other: horizon 2026-10-25
    // drops everything before 2026-10.
    assert_eq!(months(&db, "heatmap_clicks", "demo"), "[202510,202609,202610,202611]");
    assert_eq!(months(&db, "heatmap_clicks", "other"), "[202610,202611]");
    assert_eq!(months(&db, "page_stats", "other"), "[202610,202611]");
    // demo: 2025-09 in two tables; other: three months in two tables.
    assert!(first.contains("heatmap partitions dropped: 8"), "{first}");

    // A week later: other's horizon (2026-11-01) passes October 2026,
    // demo's (2025-11-01) passes October 2025.
    run("2026-12-01");
    assert_eq!(months(&db, "heatmap_clicks", "other"), "[202611]");
    assert_eq!(months(&db, "heatmap_clicks", "demo"), "[202609,202610,202611]");
    // Idempotent.
    assert!(run("2026-12-01").contains("heatmap partitions dropped: 0"));
}
