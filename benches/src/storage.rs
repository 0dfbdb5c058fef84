//! Bytes on disk per table, and the gzip baselines storage benchmarks
//! compare them with.

use std::io::Write;

use veil_test_support::TestDatabase;

/// One table's active parts in `system.parts`.
#[derive(Debug, Clone, Default)]
pub struct TableBytes {
    /// Table name.
    pub name: String,
    /// Active parts.
    pub parts: u64,
    /// Rows in them.
    pub rows: u64,
    /// `data_compressed_bytes`.
    pub compressed: u64,
    /// `data_uncompressed_bytes`.
    pub uncompressed: u64,
    /// `bytes_on_disk`: what the storage costs.
    pub on_disk: u64,
}

/// Active parts of every table of `db`, by table name.
pub fn table_bytes(db: &TestDatabase) -> Vec<TableBytes> {
    let parts = db.query(
        "SELECT table, count(), sum(rows), sum(data_compressed_bytes), sum(data_uncompressed_bytes), sum(bytes_on_disk) \
         FROM system.parts WHERE database = currentDatabase() AND active GROUP BY table ORDER BY table",
    );
    parts
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let number = |i: usize| fields.get(i).and_then(|f| f.trim().parse().ok()).unwrap_or(0);
            Some(TableBytes {
                name: (*fields.first()?).to_owned(),
                parts: number(1),
                rows: number(2),
                compressed: number(3),
                uncompressed: number(4),
                on_disk: number(5),
            })
        })
        .collect()
}

/// Merges every MergeTree table of `db` down to its final parts, so the
/// bytes measured are what the data costs once ClickHouse has settled.
pub fn optimize_all(db: &TestDatabase) {
    let tables = db.query(
        "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree%'",
    );
    for table in tables.lines().filter(|t| !t.is_empty()) {
        db.query(&format!("OPTIMIZE TABLE `{}` FINAL", table.replace('`', "\\`")));
    }
}

/// gzip at the default level, as `gzip` and most HTTP stacks use.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}
