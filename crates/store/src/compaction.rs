//! Compaction: an idle session's per-batch rows in `recordings` become one
//! archive per day in `recording_archives` (crates/archive), its large
//! strings shared per site in `recording_chunks`.
//!
//! Crash-safe by order, idempotent by construction:
//! 1. chunks are written (an orphan chunk is harmless: garbage collection
//!    removes it once it is an hour old and unreferenced);
//! 2. the archive is written, then its chunks are checked and written
//!    again if an erasure's garbage collection raced them away;
//! 3. only then are the per-batch rows deleted (one mutation per run).
//!
//! Readers take each seq once, an archive winning over `recordings`
//! (see [`crate::archives`]): between steps 2 and 3 a batch exists twice
//! but is read once; a crash before step 3 leaves the rows, which the next
//! run finds covered by the archive and only deletes. Two nodes compacting
//! the same session write the same archive (same `archive_id`, collapsed
//! by ReplacingMergeTree) or, if one saw a late batch the other did not,
//! two overlapping ones, both read once per seq. A batch arriving after
//! its session was compacted lands in `recordings` as usual, is replayed
//! in order with the archive, and is compacted into a further archive
//! once the session is idle again.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use clickhouse::Row;
use serde::Deserialize;

use crate::archives::{ArchiveRow, ChunkRow, MAX_ARCHIVE_JSON_BYTES};
use crate::{Store, StoreError};

/// How compaction writes archives.
#[derive(Debug, Clone, Copy)]
pub struct CompactionOptions {
    /// The archive encoding (brotli quality of archives and chunks, chunk
    /// threshold).
    pub encode: veil_archive::EncodeOptions,
    /// Most batch JSON in one archive; a longer day of a session is split.
    pub max_archive_json_bytes: usize,
}

impl Default for CompactionOptions {
    fn default() -> Self {
        CompactionOptions { encode: veil_archive::EncodeOptions::default(), max_archive_json_bytes: 32 << 20 }
    }
}

/// A session waiting for compaction.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct IdleSession {
    /// Site id.
    pub site: String,
    /// Session id.
    pub session: String,
    /// When its newest batch was received, Unix seconds.
    pub last_received: u32,
}

/// What compacting one session did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionCompaction {
    /// Archives written.
    pub archives: u64,
    /// Batches moved into them.
    pub batches: u64,
    /// Stored bytes of those batches in `recordings` (zstd payloads).
    pub bytes_before: u64,
    /// Bytes of the archives and of the chunk bodies they wrote.
    pub bytes_after: u64,
    /// `site/session/seq` of every row of `recordings` now covered by an
    /// archive: what [`Store::delete_compacted`] removes.
    pub covered: Vec<String>,
}

#[derive(Debug, Row, Deserialize)]
struct BatchRow {
    seq: u64,
    visitor: String,
    consent_id: String,
    day: u16,
    first_ts: u64,
    #[serde(with = "serde_bytes")]
    payload: Vec<u8>,
}

/// Sessions whose newest batch is older than `?` (Unix seconds), oldest
/// first; `?`: cutoff, limit.
pub(crate) const SELECT_IDLE_SESSIONS: &str = "SELECT site, session, max(received_at) AS last_received \
     FROM recordings GROUP BY site, session HAVING last_received < toDateTime(?) \
     ORDER BY last_received, site, session LIMIT ?";

/// Seqs of a session already archived; `?`: site, session.
pub(crate) const SELECT_ARCHIVED_SEQS: &str =
    "SELECT arrayJoin(seqs) AS seq FROM recording_archives WHERE site = ? AND session = ?";

/// A session's per-batch rows, one per seq; `?`: site, session.
pub(crate) const SELECT_SESSION_ROWS: &str = "SELECT seq, visitor, consent_id, day, first_ts, \
     payload FROM recordings WHERE site = ? AND session = ? ORDER BY seq LIMIT 1 BY seq";

/// How many of the given chunks exist; `?`: site, hashes.
pub(crate) const COUNT_CHUNKS: &str =
    "SELECT uniqExact(hash) FROM recording_chunks WHERE site = ? AND has(?, hash)";

/// Chunks referenced by a site's archives; `?`: site.
pub(crate) const SELECT_REFERENCED_CHUNKS: &str =
    "SELECT DISTINCT arrayJoin(chunks) AS hash FROM recording_archives WHERE site = ?";

/// Chunks referenced by the archives of a visitor (or a session); `?`:
/// site, the id.
pub(crate) const SELECT_VISITOR_CHUNKS: &str =
    "SELECT DISTINCT arrayJoin(chunks) AS hash FROM recording_archives WHERE site = ? AND visitor = ?";
pub(crate) const SELECT_SESSION_CHUNKS: &str =
    "SELECT DISTINCT arrayJoin(chunks) AS hash FROM recording_archives WHERE site = ? AND session = ?";

/// Chunks referenced by a site's archives of days before `?`; `?`: site,
/// first day kept.
pub(crate) const SELECT_EXPIRING_CHUNKS: &str = "SELECT DISTINCT arrayJoin(chunks) AS hash \
     FROM recording_archives WHERE site = ? AND day < toDate(?)";

/// Chunks of a site stored before `?`; `?`: site, time. Callers add
/// `NOT has(referenced, hash)` when any chunk is referenced (an empty
/// array literal has no element type on ClickHouse 18.16).
pub(crate) const COUNT_UNREFERENCED_CHUNKS: &str =
    "SELECT count() FROM recording_chunks WHERE site = ? AND stored_at < toDateTime(?)";

impl Store {
    /// Up to `limit` sessions idle since before `cutoff` (Unix seconds).
    pub async fn idle_sessions(&self, cutoff: u32, limit: u64) -> Result<Vec<IdleSession>, StoreError> {
        let query = self.db.query(SELECT_IDLE_SESSIONS).bind(cutoff).bind(limit);
        self.bounded("finding idle sessions", async move {
            query.fetch_all().await.map_err(StoreError::clickhouse("finding idle sessions"))
        })
        .await
    }

    /// Writes the archives of one session's batches not yet archived (see
    /// the module's steps 1 and 2); the caller deletes what it covers.
    pub async fn compact_session(
        &self,
        site: &str,
        session: &str,
        options: &CompactionOptions,
        now: u32,
    ) -> Result<SessionCompaction, StoreError> {
        let query = self.db.query(SELECT_ARCHIVED_SEQS).bind(site).bind(session);
        let archived: HashSet<u64> = self
            .bounded("reading archived seqs", async move {
                query.fetch_all::<u64>().await.map_err(StoreError::clickhouse("reading archived seqs"))
            })
            .await?
            .into_iter()
            .collect();
        let query = self.db.query(SELECT_SESSION_ROWS).bind(site).bind(session);
        let rows: Vec<BatchRow> = self
            .bounded("reading a session's batches", async move {
                query.fetch_all().await.map_err(StoreError::clickhouse("reading a session's batches"))
            })
            .await?;
        let mut outcome = SessionCompaction::default();
        let key = |seq: u64| format!("{site}/{session}/{seq}");
        let mut by_day: BTreeMap<u16, Vec<BatchRow>> = BTreeMap::new();
        for row in rows {
            if archived.contains(&row.seq) {
                outcome.covered.push(key(row.seq));
            } else {
                by_day.entry(row.day).or_default().push(row);
            }
        }
        let max_json = options.max_archive_json_bytes.min(MAX_ARCHIVE_JSON_BYTES);
        for (day, rows) in by_day {
            let groups = tokio::task::spawn_blocking({
                let options = *options;
                move || prepare_archives(rows, &options, max_json)
            })
            .await
            .map_err(|source| StoreError::Worker { context: "encoding an archive".to_owned(), source })??;
            for group in groups {
                let archive = self.write_archive(site, session, day, group, options, now).await?;
                outcome.archives += 1;
                outcome.batches += archive.seqs.len() as u64;
                outcome.bytes_before += archive.bytes_before;
                outcome.bytes_after += archive.bytes_after;
                outcome.covered.extend(archive.seqs.into_iter().map(key));
            }
        }
        Ok(outcome)
    }

    async fn write_archive(
        &self,
        site: &str,
        session: &str,
        day: u16,
        group: PreparedArchive,
        options: &CompactionOptions,
        now: u32,
    ) -> Result<WrittenArchive, StoreError> {
        let PreparedArchive { meta, encoded, bytes_before } = group;
        let quality = options.encode.quality;
        let chunks: Vec<ChunkRow> = tokio::task::spawn_blocking({
            let site = site.to_owned();
            let chunks = encoded.chunks.clone();
            move || {
                chunks
                    .iter()
                    .map(|chunk| {
                        Ok(ChunkRow {
                            site: site.clone(),
                            hash: chunk.hex(),
                            stored_at: now,
                            body: veil_archive::compress_chunk(&chunk.body, quality)?,
                        })
                    })
                    .collect::<Result<Vec<_>, veil_archive::ArchiveError>>()
            }
        })
        .await
        .map_err(|source| StoreError::Worker { context: "compressing chunks".to_owned(), source })?
        .map_err(|source| StoreError::Archive { context: "compressing chunks".to_owned(), source })?;
        let hashes: Vec<String> = chunks.iter().map(|c| c.hash.clone()).collect();
        let chunk_refs: Vec<&ChunkRow> = chunks.iter().collect();
        self.insert_now("recording_chunks", &chunk_refs).await?;
        let seqs = meta.seqs.clone();
        let row = ArchiveRow {
            site: site.to_owned(),
            session: session.to_owned(),
            first_seq: seqs.first().copied().unwrap_or(0),
            archive_id: archive_id(&seqs),
            seqs: seqs.clone(),
            visitor: meta.visitor,
            consent_ids: meta.consent_ids,
            day,
            compacted_at: now,
            chunks: hashes.clone(),
            payload: encoded.payload,
        };
        let bytes_after = row.payload.len() as u64 + chunks.iter().map(|c| c.body.len() as u64).sum::<u64>();
        self.insert_now("recording_archives", &[&row]).await?;
        if !hashes.is_empty() {
            let query = self.db.query(COUNT_CHUNKS).bind(site).bind(&hashes);
            let present: u64 = self
                .bounded("checking chunks", async move {
                    query.fetch_one().await.map_err(StoreError::clickhouse("checking chunks"))
                })
                .await?;
            if present < hashes.len() as u64 {
                tracing::warn!(
                    site,
                    missing = hashes.len() as u64 - present,
                    "chunks vanished while compacting; writing them again"
                );
                self.insert_now("recording_chunks", &chunk_refs).await?;
            }
        }
        Ok(WrittenArchive { seqs, bytes_before, bytes_after })
    }

    /// Deletes per-batch rows now held by archives (`site/session/seq`
    /// keys from [`SessionCompaction::covered`]): one mutation, awaited
    /// (at most `wait`) so the next run does not find them again.
    pub async fn delete_compacted(&self, covered: &[String], wait: Duration) -> Result<(), StoreError> {
        if covered.is_empty() {
            return Ok(());
        }
        // The keys are literals in the statement, and ClickHouse refuses a
        // statement past `max_query_size` (256 KiB by default): one
        // mutation per group of keys that fits well inside it.
        let delete = format!(
            "ALTER TABLE {} DELETE WHERE has(?, concat(site, '/', session, '/', toString(seq)))",
            self.alter_table("recordings")
        );
        for group in key_groups(covered, DELETE_KEYS_BYTES) {
            let query = self.db.query(&delete).bind(group);
            self.bounded("deleting compacted batches", async move {
                query.execute().await.map_err(StoreError::clickhouse("deleting compacted batches"))
            })
            .await?;
        }
        self.wait_for_mutations("recordings", wait).await
    }

    /// Chunks referenced by the archives whose `column` (`visitor` or
    /// `session`) is `id`: what an erasure must check once they are gone.
    pub async fn chunks_of(
        &self,
        site: &str,
        column: &'static str,
        id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let sql = if column == "session" { SELECT_SESSION_CHUNKS } else { SELECT_VISITOR_CHUNKS };
        let query = self.db.query(sql).bind(site).bind(id);
        self.bounded("reading a visitor's chunks", async move {
            query.fetch_all().await.map_err(StoreError::clickhouse("reading a visitor's chunks"))
        })
        .await
    }

    /// Chunks referenced by a site's archives older than its horizon: what
    /// retention must check once those archives are gone.
    pub async fn expiring_chunks(
        &self,
        site: &str,
        retention_days: u32,
        today: i64,
    ) -> Result<Vec<String>, StoreError> {
        let first_kept = crate::retention::horizon(retention_days, today);
        let query = self.db.query(SELECT_EXPIRING_CHUNKS).bind(site).bind(first_kept.as_str());
        self.bounded("reading expiring chunks", async move {
            query.fetch_all().await.map_err(StoreError::clickhouse("reading expiring chunks"))
        })
        .await
    }

    /// Deletes chunks of `site` that no archive references: those in
    /// `candidates` (an erased visitor's) stored before `before`, or, with
    /// no candidates, any stored before `before` (orphans and chunks of
    /// expired archives). Waits for the delete (at most `wait`); returns
    /// how many chunk rows went.
    pub async fn collect_chunks(
        &self,
        site: &str,
        candidates: Option<&[String]>,
        before: u32,
        wait: Duration,
    ) -> Result<u64, StoreError> {
        let query = self.db.query(SELECT_REFERENCED_CHUNKS).bind(site);
        let referenced: Vec<String> = self
            .bounded("reading referenced chunks", async move {
                query.fetch_all().await.map_err(StoreError::clickhouse("reading referenced chunks"))
            })
            .await?;
        let mut scope = String::new();
        if !referenced.is_empty() {
            scope.push_str(" AND NOT has(?, hash)");
        }
        match candidates {
            Some([]) => return Ok(0),
            Some(_) => scope.push_str(" AND has(?, hash)"),
            None => {}
        }
        let count_sql = format!("{COUNT_UNREFERENCED_CHUNKS}{scope}");
        let mut query = self.db.query(&count_sql).bind(site).bind(before);
        if !referenced.is_empty() {
            query = query.bind(&referenced);
        }
        if let Some(candidates) = candidates {
            query = query.bind(candidates);
        }
        let rows: u64 = self
            .bounded("counting unreferenced chunks", async move {
                query.fetch_one().await.map_err(StoreError::clickhouse("counting unreferenced chunks"))
            })
            .await?;
        if rows == 0 {
            return Ok(0);
        }
        let delete_sql = format!(
            "ALTER TABLE {} DELETE WHERE site = ? AND stored_at < toDateTime(?){scope}",
            self.alter_table("recording_chunks")
        );
        let mut query = self.db.query(&delete_sql).bind(site).bind(before);
        if !referenced.is_empty() {
            query = query.bind(&referenced);
        }
        if let Some(candidates) = candidates {
            query = query.bind(candidates);
        }
        self.bounded("deleting unreferenced chunks", async move {
            query.execute().await.map_err(StoreError::clickhouse("deleting unreferenced chunks"))
        })
        .await?;
        self.wait_for_mutations("recording_chunks", wait).await?;
        Ok(rows)
    }
}

/// What one archive holds besides its payload.
struct ArchiveMeta {
    seqs: Vec<u64>,
    visitor: String,
    consent_ids: Vec<String>,
}

struct PreparedArchive {
    meta: ArchiveMeta,
    encoded: veil_archive::Encoded,
    bytes_before: u64,
}

struct WrittenArchive {
    seqs: Vec<u64>,
    bytes_before: u64,
    bytes_after: u64,
}

/// Bytes of keys in one delete statement: a quarter of ClickHouse's
/// default `max_query_size`, room for quoting and escapes.
const DELETE_KEYS_BYTES: usize = 64 * 1024;

/// `keys` in order, split into groups of at most `budget` bytes each (a
/// key longer than the budget is a group of its own).
fn key_groups(keys: &[String], budget: usize) -> Vec<&[String]> {
    let mut groups = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, key) in keys.iter().enumerate() {
        let size = key.len() + 3;
        if i > start && bytes + size > budget {
            groups.push(&keys[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < keys.len() {
        groups.push(&keys[start..]);
    }
    groups
}

/// Hash of the seqs an archive holds.
fn archive_id(seqs: &[u64]) -> String {
    let mut hasher = blake3::Hasher::new();
    for seq in seqs {
        hasher.update(&seq.to_le_bytes());
    }
    hasher.finalize().to_hex()[..32].to_owned()
}

/// Decompresses a day's batches and encodes them as archives of at most
/// `max_json` bytes of JSON each (a single larger batch is one archive).
fn prepare_archives(
    rows: Vec<BatchRow>,
    options: &CompactionOptions,
    max_json: usize,
) -> Result<Vec<PreparedArchive>, StoreError> {
    let mut prepared = Vec::new();
    let mut group: Vec<(BatchRow, Vec<u8>)> = Vec::new();
    let mut group_bytes = 0;
    for row in rows {
        let json = crate::recordings::inflate_payload(&row.payload, max_json).map_err(|error| {
            StoreError::Archive { context: format!("batch {}", row.seq), source: error.into() }
        })?;
        if !group.is_empty() && group_bytes + json.len() > max_json {
            prepared.push(encode_group(std::mem::take(&mut group), options)?);
            group_bytes = 0;
        }
        group_bytes += json.len();
        group.push((row, json));
    }
    if !group.is_empty() {
        prepared.push(encode_group(group, options)?);
    }
    Ok(prepared)
}

fn encode_group(
    group: Vec<(BatchRow, Vec<u8>)>,
    options: &CompactionOptions,
) -> Result<PreparedArchive, StoreError> {
    let batches: Vec<veil_archive::StoredBatch<'_>> = group
        .iter()
        .map(|(row, json)| veil_archive::StoredBatch {
            seq: row.seq,
            first_ts: row.first_ts,
            events_json: json,
        })
        .collect();
    let encoded = veil_archive::encode(&batches, &options.encode)
        .map_err(|source| StoreError::Archive { context: "encoding".to_owned(), source })?;
    let mut consent_ids: Vec<String> = group.iter().map(|(row, _)| row.consent_id.clone()).collect();
    consent_ids.sort_unstable();
    consent_ids.dedup();
    let meta = ArchiveMeta {
        seqs: group.iter().map(|(row, _)| row.seq).collect(),
        visitor: group.first().map(|(row, _)| row.visitor.clone()).unwrap_or_default(),
        consent_ids,
    };
    let bytes_before = group.iter().map(|(row, _)| row.payload.len() as u64).sum();
    Ok(PreparedArchive { meta, encoded, bytes_before })
}

#[cfg(test)]
mod tests {
    use super::key_groups;

    #[test]
    fn delete_keys_are_split_under_the_statement_budget() {
        let keys: Vec<String> =
            (0..20_000).map(|seq| format!("site/3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f/{seq}")).collect();
        let groups = key_groups(&keys, 64 * 1024);
        assert!(groups.len() > 1);
        for group in &groups {
            assert!(group.iter().map(|k| k.len() + 3).sum::<usize>() <= 64 * 1024);
        }
        let joined: Vec<&String> = groups.iter().flat_map(|g| g.iter()).collect();
        assert_eq!(joined, keys.iter().collect::<Vec<_>>(), "every key once, in order");
        assert_eq!(key_groups(&keys[..3], 10).len(), 3, "a key past the budget is a group of its own");
        assert!(key_groups(&[], 10).is_empty());
    }
}
