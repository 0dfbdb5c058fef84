//! The schema on the loopback cluster (deploy/cluster/cluster.sh: 2 shards
//! x 2 replicas, ZooKeeper): migrate creates replicated local tables and
//! distributed tables on every node, records the version cluster-wide, is
//! harmless twice and from two nodes at once; inserts through any node
//! land on the visitor's shard, on both its replicas.

use veil_store::migrations::{self, MIGRATIONS};
use veil_store::{ConnectOptions, Store};
use veil_test_support::{ClusterDatabase, TestCluster};

fn store_on(db: &ClusterDatabase, node: u8) -> Store {
    Store::connect(&ConnectOptions {
        url: db.cluster().url(node),
        database: db.name().to_owned(),
        cluster: Some("veil".to_owned()),
        // Nodes 1 and 3 are one replica of each shard; 18.16 needs them
        // for migration 0010's new sorting keys.
        shard_urls: vec![db.cluster().url(1), db.cluster().url(3)],
        ..ConnectOptions::default()
    })
    .expect("valid options")
}

fn count(db: &ClusterDatabase, node: u8, sql: &str) -> u64 {
    db.query_on(node, sql).trim().parse().unwrap_or_else(|e| panic!("`{sql}` on node {node}: {e}"))
}

#[tokio::test]
async fn migrate_builds_the_schema_on_every_node_once() {
    let db = ClusterDatabase::new();
    let report = store_on(&db, 1).migrate().await.expect("migrate");
    assert_eq!(report.applied.len(), MIGRATIONS.len());
    let tables = migrations::tables();
    for node in TestCluster::NODES {
        let names =
            db.query_on(node, "SELECT name, engine FROM system.tables WHERE database = currentDatabase()");
        for table in &tables {
            let engine_of = |name: &str| {
                names.lines().find_map(|l| l.strip_prefix(&format!("{name}\t"))).map(str::to_owned)
            };
            assert_eq!(engine_of(table).as_deref(), Some("Distributed"), "node {node}: {table} in\n{names}");
            let local = engine_of(&format!("{table}_local")).unwrap_or_default();
            assert!(
                local == "Null" || local.starts_with("Replicated"),
                "node {node}: {table}_local is {local}"
            );
        }
        assert_eq!(
            count(&db, node, "SELECT uniqExact(version) FROM schema_migrations"),
            MIGRATIONS.len() as u64,
            "node {node} knows the schema version"
        );
        assert!(store_on(&db, node).schema_status().await.expect("status").is_current());
        // Migration 0010's sorting keys reached every replica of every shard.
        let key = db.query_on(
            node,
            "SELECT sorting_key FROM system.tables WHERE database = currentDatabase() AND name = 'heatmap_clicks_local'",
        );
        assert!(key.trim().ends_with("source, campaign"), "node {node}: {key}");
    }
    let again = store_on(&db, 4).migrate().await.expect("second migrate");
    assert!(again.applied.is_empty(), "{again:?}");
    assert_eq!(count(&db, 2, "SELECT count() FROM schema_migrations"), MIGRATIONS.len() as u64);
    assert_eq!(
        count(
            &db,
            3,
            "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name LIKE '%lock%'"
        ),
        0,
        "the migration lock is released"
    );
}

#[tokio::test]
async fn two_nodes_migrating_at_once_apply_each_migration_once() {
    let db = ClusterDatabase::new();
    let (a, b) = (store_on(&db, 1), store_on(&db, 3));
    let (first, second) = tokio::join!(a.migrate(), b.migrate());
    let (first, second) = (first.expect("node 1 migrates"), second.expect("node 3 migrates"));
    assert_eq!(first.applied.len() + second.applied.len(), MIGRATIONS.len(), "{first:?} {second:?}");
    assert_eq!(count(&db, 4, "SELECT count() FROM schema_migrations"), MIGRATIONS.len() as u64);
}

#[tokio::test]
async fn rows_land_on_their_visitors_shard_on_both_replicas() {
    let db = ClusterDatabase::new();
    store_on(&db, 1).migrate().await.expect("migrate");
    let visitors: Vec<String> = (0..12).map(|i| format!("{i:032x}")).collect();
    // Through node 2 by the store's client, which inserts synchronously
    // into every shard (the queue's shipper uses it too).
    insert_recordings(&db, 2, &visitors, "2026-12-01").await;
    let on = |node: u8| count(&db, node, "SELECT count() FROM recordings_local");
    assert_eq!(on(1), on(2), "shard 1's replicas agree");
    assert_eq!(on(3), on(4), "shard 2's replicas agree");
    assert_eq!(on(1) + on(3), visitors.len() as u64);
    for node in TestCluster::NODES {
        assert_eq!(
            count(&db, node, "SELECT count() FROM recordings"),
            visitors.len() as u64,
            "read through node {node}"
        );
    }
    assert!(on(1) > 0 && on(3) > 0, "twelve visitors spread over both shards");
    for visitor in &visitors {
        let shards = [1u8, 3].map(|n| {
            count(&db, n, &format!("SELECT count() FROM recordings_local WHERE visitor = '{visitor}'"))
        });
        assert_eq!(shards.iter().filter(|&&c| c > 0).count(), 1, "{visitor} on one shard: {shards:?}");
    }
}

/// Inserts one recording row per visitor through node `node` and waits
/// until every replica has its shard's rows.
async fn insert_recordings(db: &ClusterDatabase, node: u8, visitors: &[String], day: &str) {
    let values: Vec<String> = visitors
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!("('demo', 's-{v}-{i}', 0, '{v}', 'c', toDate('{day}'), now(), 1, 2, 3, 'payload')")
        })
        .collect();
    let sql = format!(
        "INSERT INTO recordings (site, session, seq, visitor, consent_id, day, received_at, first_ts, last_ts, \
         event_count, payload) VALUES {}",
        values.join(", ")
    );
    let before = count(db, 1, "SELECT count() FROM recordings_local")
        + count(db, 3, "SELECT count() FROM recordings_local");
    store_on(db, node).client().query(&sql).execute().await.expect("insert");
    // The insert answered once one replica per shard had the rows; the
    // other replicas fetch them asynchronously, and a read through the
    // Distributed table may ask either: wait for replication.
    let everywhere = |db: &ClusterDatabase| {
        let local = |n: u8| count(db, n, "SELECT count() FROM recordings_local");
        local(1) == local(2) && local(3) == local(4) && local(1) + local(3) == before + visitors.len() as u64
    };
    for _ in 0..100 {
        if everywhere(db) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[tokio::test]
async fn erasure_and_partition_drops_reach_every_replica() {
    let db = ClusterDatabase::new();
    let store = store_on(&db, 2);
    store.migrate().await.expect("migrate");
    let visitors: Vec<String> = (0..8).map(|i| format!("{:032x}", i + 100)).collect();
    insert_recordings(&db, 1, &visitors, "2026-12-01").await;
    insert_recordings(&db, 3, &visitors, "2026-01-05").await;
    let erased = &visitors[3];
    let deleted = store
        .delete_where(&["recordings"], "visitor", "demo", erased, std::time::Duration::from_secs(60))
        .await
        .expect("erasure");
    assert_eq!(deleted, vec![("recordings", 2)]);
    for node in TestCluster::NODES {
        assert_eq!(
            count(&db, node, &format!("SELECT count() FROM recordings_local WHERE visitor = '{erased}'")),
            0,
            "node {node} still holds the erased visitor"
        );
    }
    assert_eq!(count(&db, 4, "SELECT count() FROM recordings"), 2 * visitors.len() as u64 - 2);

    // The week of 2026-01-05 is past any 30-day horizon on 2026-12-07.
    let today = 20_794; // 2026-12-07, days since 1970
    let dropped = store.drop_expired_weeks(30, today).await.expect("retention");
    assert!(dropped >= 1, "{dropped}");
    for node in TestCluster::NODES {
        assert_eq!(
            count(&db, node, "SELECT count() FROM recordings_local WHERE day < toDate('2026-06-01')"),
            0,
            "node {node} still holds the expired week"
        );
    }
    assert_eq!(count(&db, 1, "SELECT count() FROM recordings"), visitors.len() as u64 - 1);
}
