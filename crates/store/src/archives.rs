//! Compacted sessions in ClickHouse: `recording_archives` rows (one per
//! session and day, see crates/archive) and the `recording_chunks` they
//! share. This module reads them back as batches; [`crate::compaction`]
//! writes them.
//!
//! Readers merge both forms: a session's batches are those of its
//! archives plus those still in `recordings`, each seq taken once (an
//! archive wins), so a batch is readable exactly once at every moment of
//! a compaction, whatever step a crash interrupted.

use std::collections::{HashMap, HashSet};

use clickhouse::Row;
use serde::{Deserialize, Serialize};

use crate::{Store, StoreError};

/// The most JSON one archive may expand to when read: a compaction never
/// writes more (see [`crate::compaction::CompactionOptions`]).
pub const MAX_ARCHIVE_JSON_BYTES: usize = 256 << 20;

/// One row of `recording_archives`.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct ArchiveRow {
    /// Site id.
    pub site: String,
    /// Session id.
    pub session: String,
    /// Lowest seq held.
    pub first_seq: u64,
    /// Hash of `seqs` (hex): identical archives collapse, others not.
    pub archive_id: String,
    /// Seqs held, ascending.
    pub seqs: Vec<u64>,
    /// Visitor id.
    pub visitor: String,
    /// Consent ids the batches were accepted under.
    pub consent_ids: Vec<String>,
    /// Day of the batches, days since 1970.
    pub day: u16,
    /// When compacted, Unix seconds.
    pub compacted_at: u32,
    /// Chunk hashes referenced (hex).
    pub chunks: Vec<String>,
    /// The archive (crates/archive format).
    #[serde(with = "serde_bytes")]
    pub payload: Vec<u8>,
}

/// One row of `recording_chunks`.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct ChunkRow {
    /// Site id.
    pub site: String,
    /// BLAKE3 of the uncompressed body (hex).
    pub hash: String,
    /// When (last) written, Unix seconds.
    pub stored_at: u32,
    /// The body, zstd-compressed.
    #[serde(with = "serde_bytes")]
    pub body: Vec<u8>,
}

/// A stored batch as replay needs it, from either form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionBatch {
    /// Its seq.
    pub seq: u64,
    /// Its first event, Unix ms.
    pub first_ts: u64,
    /// Its events.
    pub body: BatchBody,
}

/// A batch's events as they come out of storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchBody {
    /// From `recordings`: a zstd-compressed JSON array.
    Zstd(Vec<u8>),
    /// From an archive: the JSON array itself.
    Json(Vec<u8>),
}

#[derive(Debug, Row, Deserialize)]
struct StoredArchive {
    seqs: Vec<u64>,
    chunks: Vec<String>,
    #[serde(with = "serde_bytes")]
    payload: Vec<u8>,
}

#[derive(Debug, Row, Deserialize)]
struct StoredChunk {
    hash: String,
    #[serde(with = "serde_bytes")]
    body: Vec<u8>,
}

/// A session's archives from a day on; `?`: site, session, horizon.
pub(crate) const SELECT_SESSION_ARCHIVES: &str = "SELECT seqs, chunks, payload FROM recording_archives \
     WHERE site = ? AND session = ? AND day >= toDate(?) ORDER BY first_seq, archive_id";

/// The archives holding one batch; `?`: site, session, seq.
pub(crate) const SELECT_BATCH_ARCHIVES: &str = "SELECT seqs, chunks, payload FROM recording_archives \
     WHERE site = ? AND session = ? AND has(seqs, ?) ORDER BY first_seq, archive_id";

/// Chunks by hash; `?`: site, hashes.
pub(crate) const SELECT_CHUNKS: &str =
    "SELECT hash, any(body) AS body FROM recording_chunks WHERE site = ? AND has(?, hash) GROUP BY hash";

impl Store {
    /// The batches of a session's archives from `horizon` on, by (first
    /// event, seq), each seq once.
    pub async fn archived_batches(
        &self,
        site: &str,
        session: &str,
        horizon: &str,
    ) -> Result<Vec<SessionBatch>, StoreError> {
        let query = self.db.query(SELECT_SESSION_ARCHIVES).bind(site).bind(session).bind(horizon);
        let archives: Vec<StoredArchive> = self
            .bounded("reading a session's archives", async move {
                query.fetch_all().await.map_err(StoreError::clickhouse("reading a session's archives"))
            })
            .await?;
        self.unpack(site, archives, None).await
    }

    /// One batch from the session's archives, if one holds it.
    pub async fn archived_batch(
        &self,
        site: &str,
        session: &str,
        seq: u64,
    ) -> Result<Option<SessionBatch>, StoreError> {
        let query = self.db.query(SELECT_BATCH_ARCHIVES).bind(site).bind(session).bind(seq);
        let archives: Vec<StoredArchive> = self
            .bounded("reading a batch's archive", async move {
                query.fetch_all().await.map_err(StoreError::clickhouse("reading a batch's archive"))
            })
            .await?;
        Ok(self.unpack(site, archives, Some(seq)).await?.into_iter().next())
    }

    /// Chunks of a site by hash (hex), uncompressed.
    pub(crate) async fn chunks(
        &self,
        site: &str,
        hashes: &[String],
    ) -> Result<HashMap<String, Vec<u8>>, StoreError> {
        if hashes.is_empty() {
            return Ok(HashMap::new());
        }
        let query = self.db.query(SELECT_CHUNKS).bind(site).bind(hashes);
        let rows: Vec<StoredChunk> = self
            .bounded("reading chunks", async move {
                query.fetch_all().await.map_err(StoreError::clickhouse("reading chunks"))
            })
            .await?;
        let mut chunks = HashMap::with_capacity(rows.len());
        for row in rows {
            let body = veil_archive::inflate_chunk(&row.body, MAX_ARCHIVE_JSON_BYTES)
                .map_err(|source| StoreError::Archive { context: format!("chunk {}", row.hash), source })?;
            chunks.insert(row.hash, body);
        }
        Ok(chunks)
    }

    /// Decodes archives (off the async threads: it is CPU work) into their
    /// batches, each seq once, only `only` when given.
    async fn unpack(
        &self,
        site: &str,
        archives: Vec<StoredArchive>,
        only: Option<u64>,
    ) -> Result<Vec<SessionBatch>, StoreError> {
        if archives.is_empty() {
            return Ok(Vec::new());
        }
        let mut hashes: Vec<String> = archives.iter().flat_map(|a| a.chunks.iter().cloned()).collect();
        hashes.sort_unstable();
        hashes.dedup();
        let chunks = self.chunks(site, &hashes).await?;
        let decoded =
            tokio::task::spawn_blocking(move || decode_archives(&archives, &chunks, only))
                .await
                .map_err(|source| StoreError::Worker { context: "decoding archives".to_owned(), source })??;
        Ok(decoded)
    }
}

fn decode_archives(
    archives: &[StoredArchive],
    chunks: &HashMap<String, Vec<u8>>,
    only: Option<u64>,
) -> Result<Vec<SessionBatch>, StoreError> {
    let by_hash: HashMap<[u8; 32], &[u8]> = chunks
        .iter()
        .filter_map(|(hex, body)| blake3::Hash::from_hex(hex).ok().map(|h| (*h.as_bytes(), body.as_slice())))
        .collect();
    let mut seen = HashSet::new();
    let mut batches = Vec::new();
    for archive in archives {
        if only.is_some_and(|seq| !archive.seqs.contains(&seq))
            || archive.seqs.iter().all(|s| seen.contains(s))
        {
            continue;
        }
        let decoded =
            veil_archive::decode(&archive.payload, |hash| by_hash.get(hash).copied(), MAX_ARCHIVE_JSON_BYTES)
                .map_err(|source| StoreError::Archive {
                    context: format!("batches {:?}", archive.seqs),
                    source,
                })?;
        for batch in decoded {
            if only.is_some_and(|seq| seq != batch.seq) || !seen.insert(batch.seq) {
                continue;
            }
            batches.push(SessionBatch {
                seq: batch.seq,
                first_ts: batch.first_ts,
                body: BatchBody::Json(batch.events_json),
            });
        }
    }
    batches.sort_by_key(|b| (b.first_ts, b.seq));
    Ok(batches)
}
