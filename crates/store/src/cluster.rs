//! The schema on a ClickHouse cluster (`[clickhouse] cluster`): every
//! table of the migrations becomes a Replicated*MergeTree `<name>_local`
//! on every node plus a Distributed `<name>` over them, both created
//! `ON CLUSTER`, so the rest of Veil reads and inserts the names it
//! always did.
//!
//! Why the migrations are rewritten rather than written twice: one SQL
//! file per change stays the contract (18.16 and current, one node or a
//! cluster), and the rewrite is a few mechanical rules tested here.
//!
//! Sharding key: the visitor wherever a table has one, so a visitor's
//! consents, sessions, recordings and heatmap input sit on one shard
//! (replay and erasure touch one shard; distinct visitors per shard are
//! disjoint, so k-anonymity counts add up across shards). Tables without a
//! visitor shard by session, by chunk hash, or at random.
//!
//! Names are qualified with the database: a distributed DDL runs on other
//! nodes without the initiator's default database.

use crate::StoreError;
use crate::migrations::{ColumnGuard, MIGRATIONS};

/// Suffix of the per-node tables.
pub const LOCAL_SUFFIX: &str = "_local";

/// Where Veil's tables live on a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// Cluster name in ClickHouse's `remote_servers`.
    pub name: String,
    /// Veil's database.
    pub database: String,
}

impl Cluster {
    /// `database.name`, quoted.
    pub fn qualified(&self, table: &str) -> String {
        format!("`{}`.`{table}`", self.database)
    }

    /// The per-node table of `table`, qualified.
    pub fn local(&self, table: &str) -> String {
        self.qualified(&format!("{table}{LOCAL_SUFFIX}"))
    }

    /// `ON CLUSTER <name>`.
    pub fn on_cluster(&self) -> String {
        format!("ON CLUSTER `{}`", self.name)
    }

    /// ZooKeeper path of a replicated table: per database, per shard
    /// (`{shard}` is the node's macro), per table.
    fn zookeeper_path(&self, table: &str, per_shard: bool) -> String {
        let shard = if per_shard { "/{shard}" } else { "" };
        format!("/clickhouse/veil/{}{shard}/{table}", self.database)
    }

    /// The bookkeeping table replicated to every node of every shard, so
    /// any node knows the cluster's schema version.
    pub fn migrations_table(&self) -> String {
        format!(
            "CREATE TABLE IF NOT EXISTS {} {} (\n    version UInt32,\n    name String,\n    checksum String,\n    \
             applied_at DateTime\n) ENGINE = ReplicatedMergeTree('{}', '{{shard}}-{{replica}}')\nORDER BY version",
            self.qualified("schema_migrations"),
            self.on_cluster(),
            self.zookeeper_path("schema_migrations", false),
        )
    }

    /// The statements that do `statement` of a migration on the cluster.
    pub fn rewrite(&self, statement: &str) -> Result<Vec<String>, StoreError> {
        let trimmed = statement.trim();
        let words: Vec<&str> = trimmed.split_whitespace().collect();
        let unsupported = || StoreError::ClusterSchema { statement: first_line(trimmed).to_owned() };
        match words.as_slice() {
            ["CREATE", "TABLE", "IF", "NOT", "EXISTS", ..] => {
                self.create_table(trimmed).ok_or_else(unsupported)
            }
            ["CREATE", "MATERIALIZED", "VIEW", "IF", "NOT", "EXISTS", ..] => {
                self.create_view(trimmed).map(|s| vec![s]).ok_or_else(unsupported)
            }
            ["DROP", "TABLE", "IF", "EXISTS", name] => self.drop_table(name).ok_or_else(unsupported),
            _ => match ColumnGuard::of(trimmed) {
                Some(guard) => self.alter_column(trimmed, guard).ok_or_else(unsupported),
                None => Err(unsupported()),
            },
        }
    }

    /// A view is one per node under its own name; a table is its
    /// Distributed table and the local tables under it.
    fn drop_table(&self, name: &str) -> Option<Vec<String>> {
        let statements: Vec<String> = MIGRATIONS.iter().flat_map(|m| m.statements()).collect();
        let created = |prefix: &str| {
            statements.iter().any(|s| {
                s.strip_prefix(prefix).and_then(|rest| {
                    rest.split(|c: char| c.is_whitespace() || c == '(').find(|w| !w.is_empty())
                }) == Some(name)
            })
        };
        if created("CREATE MATERIALIZED VIEW IF NOT EXISTS") {
            return Some(vec![format!(
                "DROP TABLE IF EXISTS {} {}",
                self.qualified(name),
                self.on_cluster()
            )]);
        }
        if created("CREATE TABLE IF NOT EXISTS") {
            return Some(vec![
                format!("DROP TABLE IF EXISTS {} {}", self.qualified(name), self.on_cluster()),
                format!("DROP TABLE IF EXISTS {} {}", self.local(name), self.on_cluster()),
            ]);
        }
        None
    }

    /// The change applies to the local tables (`ALTER … ON CLUSTER`, the
    /// first statement: the runner skips it once its [`ColumnGuard`] says
    /// it is done), then the Distributed table is made again over them, so
    /// it has their columns: 18.16 refuses `ALTER … ON CLUSTER` of a table
    /// that is not replicated on a replicated cluster. The Distributed
    /// table holds no rows (inserts are synchronous), so nothing is lost
    /// meanwhile; reads fail for that moment and are retried as any
    /// ClickHouse error is. The sharding key's column cannot be dropped.
    fn alter_column(&self, statement: &str, guard: ColumnGuard<'_>) -> Option<Vec<String>> {
        let table = guard.table();
        let created = MIGRATIONS.iter().flat_map(|m| m.statements()).find(|s| {
            s.starts_with("CREATE TABLE IF NOT EXISTS")
                && s.split_whitespace().nth(5).map(|name| name.trim_end_matches('(')) == Some(table)
        })?;
        let key = sharding_key(created.split_once("ENGINE = ").map_or("", |(columns, _)| columns));
        let change = match guard {
            ColumnGuard::Drop { column, .. } => {
                if key.contains(&format!("({column})")) {
                    return None;
                }
                format!("DROP COLUMN `{column}`")
            }
            ColumnGuard::Add { .. } => {
                // Everything after `ALTER TABLE <table>`, as written.
                let at = statement.find(table)? + table.len();
                statement[at..].trim().to_owned()
            }
        };
        Some(vec![
            format!("ALTER TABLE {} {} {change}", self.local(table), self.on_cluster()),
            format!("DROP TABLE IF EXISTS {} {}", self.qualified(table), self.on_cluster()),
            self.distributed(table, key),
        ])
    }

    fn distributed(&self, table: &str, key: &str) -> String {
        format!(
            "CREATE TABLE IF NOT EXISTS {} {} AS {} ENGINE = Distributed(`{}`, `{}`, `{table}{LOCAL_SUFFIX}`, {key})",
            self.qualified(table),
            self.on_cluster(),
            self.local(table),
            self.name,
            self.database,
        )
    }

    fn create_table(&self, statement: &str) -> Option<Vec<String>> {
        let rest = statement.strip_prefix("CREATE TABLE IF NOT EXISTS")?.trim_start();
        let name_end = rest.find(|c: char| c.is_whitespace() || c == '(')?;
        let (table, rest) = rest.split_at(name_end);
        let engine_at = rest.rfind("ENGINE = ")?;
        let (columns, engine) = rest.split_at(engine_at);
        let engine = engine.strip_prefix("ENGINE = ")?;
        let engine_name_end = engine.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(engine.len());
        let (engine_name, after_name) = engine.split_at(engine_name_end);
        let (engine_args, settings) = match after_name.strip_prefix('(') {
            Some(inner) => {
                let close = inner.find(')')?;
                (Some(&inner[..close]), &inner[close + 1..])
            }
            None => (None, after_name),
        };
        let local_engine = match engine_name {
            "Null" => "Null".to_owned(),
            name if name.ends_with("MergeTree") => {
                let mut args = vec![
                    format!("'{}'", self.zookeeper_path(&format!("{table}{LOCAL_SUFFIX}"), true)),
                    "'{replica}'".to_owned(),
                ];
                args.extend(engine_args.filter(|a| !a.trim().is_empty()).map(str::to_owned));
                format!("Replicated{name}({})", args.join(", "))
            }
            _ => return None,
        };
        Some(vec![
            format!(
                "CREATE TABLE IF NOT EXISTS {} {} {}ENGINE = {local_engine}{settings}",
                self.local(table),
                self.on_cluster(),
                columns.trim_start(),
            ),
            self.distributed(table, sharding_key(columns)),
        ])
    }

    /// A materialized view reads a node's local input and writes its local
    /// target: rows inserted through the Distributed input arrive on one
    /// replica of their shard, and replication carries the target's rows.
    fn create_view(&self, statement: &str) -> Option<String> {
        let rest = statement.strip_prefix("CREATE MATERIALIZED VIEW IF NOT EXISTS")?.trim_start();
        let (view, rest) = rest.split_once(char::is_whitespace)?;
        let rest = rest.trim_start().strip_prefix("TO")?.trim_start();
        let (target, rest) = rest.split_once(char::is_whitespace)?;
        let select = rest.trim_start().strip_prefix("AS")?;
        let from_at = select.find("FROM ")?;
        let (head, from) = select.split_at(from_at);
        let source_and_tail = from.strip_prefix("FROM ")?.trim_start();
        let source_end = source_and_tail.find(char::is_whitespace).unwrap_or(source_and_tail.len());
        let (source, tail) = source_and_tail.split_at(source_end);
        if tail.contains("FROM ") || tail.contains("JOIN ") {
            return None;
        }
        Some(format!(
            "CREATE MATERIALIZED VIEW IF NOT EXISTS {} {} TO {} AS{head}FROM {}{tail}",
            self.qualified(view),
            self.on_cluster(),
            self.local(target),
            self.local(source),
        ))
    }
}

/// The sharding key of a table from its column list (see the module doc).
fn sharding_key(columns: &str) -> &'static str {
    let has = |column: &str| {
        columns.lines().any(|line| {
            let line = line.trim_start_matches(|c: char| c == '(' || c.is_whitespace());
            line.split_whitespace().next() == Some(column)
        })
    };
    if has("visitor") {
        "cityHash64(visitor)"
    } else if has("session") {
        "cityHash64(session)"
    } else if has("hash") {
        "cityHash64(hash)"
    } else {
        "rand()"
    }
}

fn first_line(statement: &str) -> &str {
    statement.lines().next().unwrap_or(statement)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster() -> Cluster {
        Cluster { name: "veil".to_owned(), database: "shop".to_owned() }
    }

    #[test]
    fn a_merge_tree_becomes_replicated_local_and_distributed() {
        let statements = cluster()
            .rewrite(
                "CREATE TABLE IF NOT EXISTS recordings (\n    site String,\n    session String,\n    \
                 visitor String,\n    received_at DateTime\n) ENGINE = ReplacingMergeTree(received_at)\n\
                 PARTITION BY toMonday(day)\nORDER BY (site, session, seq)",
            )
            .expect("rewrite");
        assert_eq!(
            statements,
            vec![
                "CREATE TABLE IF NOT EXISTS `shop`.`recordings_local` ON CLUSTER `veil` (\n    site String,\n    \
                 session String,\n    visitor String,\n    received_at DateTime\n) ENGINE = \
                 ReplicatedReplacingMergeTree('/clickhouse/veil/shop/{shard}/recordings_local', '{replica}', \
                 received_at)\nPARTITION BY toMonday(day)\nORDER BY (site, session, seq)"
                    .to_owned(),
                "CREATE TABLE IF NOT EXISTS `shop`.`recordings` ON CLUSTER `veil` AS `shop`.`recordings_local` \
                 ENGINE = Distributed(`veil`, `shop`, `recordings_local`, cityHash64(visitor))"
                    .to_owned(),
            ]
        );
    }

    #[test]
    fn engines_without_arguments_and_null_inputs() {
        let statements = cluster()
            .rewrite(
                "CREATE TABLE IF NOT EXISTS audit_log (\n    at DateTime\n) ENGINE = MergeTree\nORDER BY at",
            )
            .expect("rewrite");
        assert!(statements[0].contains(
            "ENGINE = ReplicatedMergeTree('/clickhouse/veil/shop/{shard}/audit_log_local', '{replica}')\nORDER BY at"
        ));
        assert!(statements[1].ends_with("rand())"));
        let input = cluster()
            .rewrite("CREATE TABLE IF NOT EXISTS clicks_input (\n    visitor String,\n    hash String\n) ENGINE = Null")
            .expect("rewrite");
        assert!(input[0].ends_with("ENGINE = Null"), "{}", input[0]);
        assert!(input[1].ends_with("cityHash64(visitor))"));
    }

    #[test]
    fn a_view_reads_and_writes_local_tables() {
        let view = cluster()
            .rewrite(
                "CREATE MATERIALIZED VIEW IF NOT EXISTS clicks_mv TO clicks AS\nSELECT site, uniqState(visitor) AS v\n\
                 FROM clicks_input\nGROUP BY site",
            )
            .expect("rewrite");
        assert_eq!(
            view,
            vec![
                "CREATE MATERIALIZED VIEW IF NOT EXISTS `shop`.`clicks_mv` ON CLUSTER `veil` TO `shop`.`clicks_local` \
                 AS\nSELECT site, uniqState(visitor) AS v\nFROM `shop`.`clicks_input_local`\nGROUP BY site"
                    .to_owned()
            ]
        );
    }

    #[test]
    fn a_column_drop_alters_local_tables_and_remakes_the_distributed_one() {
        assert_eq!(
            cluster().rewrite("ALTER TABLE recording_archives DROP COLUMN first_ts").expect("rewrite"),
            vec![
                "ALTER TABLE `shop`.`recording_archives_local` ON CLUSTER `veil` DROP COLUMN `first_ts`".to_owned(),
                "DROP TABLE IF EXISTS `shop`.`recording_archives` ON CLUSTER `veil`".to_owned(),
                "CREATE TABLE IF NOT EXISTS `shop`.`recording_archives` ON CLUSTER `veil` AS \
                 `shop`.`recording_archives_local` ENGINE = Distributed(`veil`, `shop`, `recording_archives_local`, \
                 cityHash64(visitor))"
                    .to_owned(),
            ]
        );
        assert!(
            cluster().rewrite("ALTER TABLE recording_archives DROP COLUMN visitor").is_err(),
            "the sharding key"
        );
        assert!(cluster().rewrite("ALTER TABLE nowhere DROP COLUMN x").is_err(), "a table no migration made");
    }

    #[test]
    fn a_column_addition_alters_local_tables_and_remakes_the_distributed_one() {
        let statements = cluster()
            .rewrite(
                "ALTER TABLE page_stats ADD COLUMN source Enum8('unknown' = 0) DEFAULT 'unknown', ADD COLUMN \
                 campaign String, MODIFY ORDER BY (site, page_key, device, day, source, campaign)",
            )
            .expect("rewrite");
        assert_eq!(
            statements[0],
            "ALTER TABLE `shop`.`page_stats_local` ON CLUSTER `veil` ADD COLUMN source Enum8('unknown' = 0) \
             DEFAULT 'unknown', ADD COLUMN campaign String, MODIFY ORDER BY (site, page_key, device, day, source, \
             campaign)"
        );
        assert_eq!(statements[1], "DROP TABLE IF EXISTS `shop`.`page_stats` ON CLUSTER `veil`");
        assert!(
            statements[2].starts_with("CREATE TABLE IF NOT EXISTS `shop`.`page_stats` ON CLUSTER `veil` AS")
        );
    }

    #[test]
    fn a_dropped_view_is_per_node_and_a_dropped_table_is_both_layers() {
        assert_eq!(
            cluster().rewrite("DROP TABLE IF EXISTS heatmap_clicks_mv").expect("rewrite"),
            vec!["DROP TABLE IF EXISTS `shop`.`heatmap_clicks_mv` ON CLUSTER `veil`".to_owned()]
        );
        assert_eq!(
            cluster().rewrite("DROP TABLE IF EXISTS heatmap_clicks_input").expect("rewrite"),
            vec![
                "DROP TABLE IF EXISTS `shop`.`heatmap_clicks_input` ON CLUSTER `veil`".to_owned(),
                "DROP TABLE IF EXISTS `shop`.`heatmap_clicks_input_local` ON CLUSTER `veil`".to_owned(),
            ]
        );
        assert!(cluster().rewrite("DROP TABLE IF EXISTS nowhere").is_err(), "a table no migration made");
    }

    #[test]
    fn every_migration_statement_has_a_cluster_form() {
        for migration in MIGRATIONS {
            for statement in migration.statements() {
                let rewritten =
                    cluster().rewrite(&statement).unwrap_or_else(|e| panic!("{}: {e}", migration.name));
                assert!(rewritten.iter().all(|s| s.contains("ON CLUSTER `veil`")), "{rewritten:?}");
            }
        }
    }

    #[test]
    fn other_statements_are_refused_by_name() {
        let error = cluster().rewrite("INSERT INTO t VALUES (1)").expect_err("not schema");
        assert!(error.to_string().contains("INSERT INTO t"), "{error}");
        assert!(cluster().rewrite("CREATE TABLE IF NOT EXISTS t (a UInt8) ENGINE = Memory").is_err());
    }

    #[test]
    fn tables_shard_by_visitor_then_session_then_hash() {
        assert_eq!(sharding_key("(\n    site String,\n    visitor String\n)"), "cityHash64(visitor)");
        assert_eq!(sharding_key("(\n    session String,\n    visitor_hint String\n)"), "cityHash64(session)");
        assert_eq!(sharding_key("(\n    hash String\n)"), "cityHash64(hash)");
        assert_eq!(sharding_key("(\n    at DateTime\n)"), "rand()");
    }
}
