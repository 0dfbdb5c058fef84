//! Writing an archive: shapes, columns and chunks, then one brotli stream.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::wire::{kind, put_varint, tag, zigzag};
use crate::{ArchiveError, MAGIC, MAX_DEPTH};

/// One stored batch going into an archive.
#[derive(Debug, Clone, Copy)]
pub struct StoredBatch<'a> {
    /// Its sequence number in the session.
    pub seq: u64,
    /// Timestamp of its first event, Unix ms (as stored with it).
    pub first_ts: u64,
    /// Its events, a JSON array (the decompressed stored payload).
    pub events_json: &'a [u8],
}

/// How to write archives.
#[derive(Debug, Clone, Copy)]
pub struct EncodeOptions {
    /// brotli quality of the stream and of chunks, 0–11.
    pub quality: u32,
    /// Strings at least this long become chunks.
    pub chunk_min_bytes: usize,
}

impl Default for EncodeOptions {
    /// Quality 11 and 1 KiB chunks: the bench's choice (benches/README.md,
    /// "Compacted recordings").
    fn default() -> Self {
        EncodeOptions { quality: 11, chunk_min_bytes: 1024 }
    }
}

/// A string stored once per site under its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// BLAKE3 of `body`.
    pub hash: [u8; 32],
    /// The string's bytes.
    pub body: Vec<u8>,
}

impl Chunk {
    /// The hash as lower-case hex, as the store keys chunks.
    pub fn hex(&self) -> String {
        blake3::Hash::from_bytes(self.hash).to_hex().to_string()
    }
}

/// An archive and the chunks it references (each once, in first use).
#[derive(Debug, Clone)]
pub struct Encoded {
    /// The archive bytes.
    pub payload: Vec<u8>,
    /// The chunks it references.
    pub chunks: Vec<Chunk>,
    /// Bytes of batch JSON that went in.
    pub json_bytes: usize,
}

/// Writes `batches` (in the order given) as one archive.
pub fn encode(batches: &[StoredBatch<'_>], options: &EncodeOptions) -> Result<Encoded, ArchiveError> {
    let mut encoder = Encoder::new(options.chunk_min_bytes);
    let mut header = Vec::new();
    put_varint(&mut header, batches.len() as u64);
    let mut json_bytes = 0;
    let mut previous_ts = 0u64;
    for batch in batches {
        json_bytes += batch.events_json.len();
        let mut deserializer = serde_json::Deserializer::from_slice(batch.events_json);
        deserializer.disable_recursion_limit();
        let events: Vec<Value> = serde::Deserialize::deserialize(&mut deserializer)
            .and_then(|events| deserializer.end().map(|()| events))
            .map_err(|e| ArchiveError::NotEvents { seq: batch.seq, reason: e.to_string() })?;
        put_varint(&mut header, batch.seq);
        put_varint(&mut header, zigzag(batch.first_ts.wrapping_sub(previous_ts) as i64));
        previous_ts = batch.first_ts;
        put_varint(&mut header, events.len() as u64);
        for event in &events {
            encoder.value(event, Place { parent: 0, slot: 0 }, 0)?;
        }
    }
    put_varint(&mut header, encoder.chunks.len() as u64);
    for chunk in &encoder.chunks {
        header.extend_from_slice(&chunk.hash);
    }
    put_varint(&mut header, encoder.columns.len() as u64);
    for column in &encoder.columns {
        put_varint(&mut header, column.bytes.len() as u64);
    }
    put_varint(&mut header, encoder.keys.len() as u64);
    put_varint(&mut header, encoder.shape.len() as u64);

    let mut body = header;
    body.reserve(
        encoder.keys.len()
            + encoder.shape.len()
            + encoder.columns.iter().map(|c| c.bytes.len()).sum::<usize>(),
    );
    body.extend_from_slice(&encoder.keys);
    body.extend_from_slice(&encoder.shape);
    for column in &encoder.columns {
        body.extend_from_slice(&column.bytes);
    }
    let mut payload = MAGIC.to_vec();
    payload.extend(crate::codec::compress(&body, options.quality)?);
    verify(&payload, &encoder.chunks, batches, json_bytes)?;
    Ok(Encoded { payload, chunks: encoder.chunks, json_bytes })
}

/// Reads `payload` back and checks it holds exactly `batches`. Compaction
/// deletes the per-batch rows an archive replaces, so an archive that does
/// not read back is lost data: this check turns any encoder defect (one
/// optimiser bug already broke the encoder in release builds only, see
/// [`Encoder::object`]) into a refused archive instead.
pub(crate) fn verify(
    payload: &[u8],
    chunks: &[Chunk],
    batches: &[StoredBatch<'_>],
    json_bytes: usize,
) -> Result<(), ArchiveError> {
    let lookup = |hash: &[u8; 32]| chunks.iter().find(|c| &c.hash == hash).map(|c| c.body.as_slice());
    // Decoded JSON is re-serialised and may differ in spacing or number
    // spelling from what went in; twice the input is ample room.
    let decoded = crate::decode(payload, lookup, json_bytes.saturating_mul(2).saturating_add(1024))
        .map_err(|e| ArchiveError::Verify { seq: None, reason: e.to_string() })?;
    if decoded.len() != batches.len() {
        return Err(ArchiveError::Verify { seq: None, reason: "batch count differs".to_owned() });
    }
    for (got, want) in decoded.iter().zip(batches) {
        let differs = |reason: &str| ArchiveError::Verify { seq: Some(want.seq), reason: reason.to_owned() };
        if (got.seq, got.first_ts) != (want.seq, want.first_ts) {
            return Err(differs("seq or first timestamp differs"));
        }
        if got.events_json.as_slice() != want.events_json
            && parse(&got.events_json) != parse(want.events_json)
        {
            return Err(differs("events differ"));
        }
    }
    Ok(())
}

fn parse(json: &[u8]) -> Option<Value> {
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    deserializer.disable_recursion_limit();
    serde::Deserialize::deserialize(&mut deserializer).ok()
}

/// Where a value sits: the key it is the value of (`slot`) and the key
/// of the object holding it (`parent`); 0 at the top level.
#[derive(Clone, Copy)]
struct Place {
    parent: u32,
    slot: u32,
}

struct Column {
    bytes: Vec<u8>,
    previous: i64,
}

struct Encoder {
    chunk_min_bytes: usize,
    shape: Vec<u8>,
    keys: Vec<u8>,
    /// Key names, numbered from 1 (0: the top level, which has no key).
    names: HashMap<String, u32>,
    key_sets: HashMap<Vec<u32>, u32>,
    columns: Vec<Column>,
    column_ids: HashMap<(u8, u32, u32), usize>,
    chunks: Vec<Chunk>,
    chunk_ids: HashMap<[u8; 32], usize>,
}

impl Encoder {
    fn new(chunk_min_bytes: usize) -> Encoder {
        Encoder {
            chunk_min_bytes,
            shape: Vec::new(),
            keys: Vec::new(),
            names: HashMap::new(),
            key_sets: HashMap::new(),
            columns: Vec::new(),
            column_ids: HashMap::new(),
            chunks: Vec::new(),
            chunk_ids: HashMap::new(),
        }
    }

    /// The column of scalars of `kind` under key `slot` of an object under
    /// key `parent`; numbered in first use, which the decoder repeats.
    fn column(&mut self, kind: u8, parent: u32, slot: u32) -> &mut Column {
        let next = self.columns.len();
        let index = *self.column_ids.entry((kind, parent, slot)).or_insert(next);
        if index == next {
            self.columns.push(Column { bytes: Vec::new(), previous: 0 });
        }
        &mut self.columns[index]
    }

    fn name(&mut self, key: &str) -> u32 {
        if let Some(&id) = self.names.get(key) {
            put_varint(&mut self.shape, u64::from(id));
            return id;
        }
        let id = self.names.len() as u32 + 1;
        self.names.insert(key.to_owned(), id);
        put_varint(&mut self.shape, u64::from(id));
        put_varint(&mut self.keys, key.len() as u64);
        self.keys.extend_from_slice(key.as_bytes());
        id
    }

    fn value(&mut self, value: &Value, place: Place, depth: usize) -> Result<(), ArchiveError> {
        let Place { parent, slot } = place;
        if depth > MAX_DEPTH {
            return Err(ArchiveError::Corrupt("nesting deeper than the event limit"));
        }
        match value {
            Value::Null => self.shape.push(tag::NULL),
            Value::Bool(false) => self.shape.push(tag::FALSE),
            Value::Bool(true) => self.shape.push(tag::TRUE),
            Value::Number(number) => {
                if let Some(n) = number.as_i64() {
                    self.shape.push(tag::INT);
                    let column = self.column(kind::INT, parent, slot);
                    put_varint(&mut column.bytes, zigzag(n.wrapping_sub(column.previous)));
                    column.previous = n;
                } else if let Some(n) = number.as_u64() {
                    self.shape.push(tag::BIG);
                    put_varint(&mut self.column(kind::BIG, parent, slot).bytes, n);
                } else {
                    // Neither integer form: serde_json holds it as an f64.
                    let n = number.as_f64().unwrap_or(f64::NAN);
                    self.shape.push(tag::FLOAT);
                    self.column(kind::FLOAT, parent, slot).bytes.extend_from_slice(&n.to_le_bytes());
                }
            }
            Value::String(text) if text.len() >= self.chunk_min_bytes => {
                let hash = *blake3::hash(text.as_bytes()).as_bytes();
                let next = self.chunks.len();
                let index = *self.chunk_ids.entry(hash).or_insert(next);
                if index == next {
                    self.chunks.push(Chunk { hash, body: text.as_bytes().to_vec() });
                }
                self.shape.push(tag::CHUNK);
                put_varint(&mut self.shape, index as u64);
            }
            Value::String(text) => {
                self.shape.push(tag::STRING);
                let column = self.column(kind::STRING, parent, slot);
                put_varint(&mut column.bytes, text.len() as u64);
                column.bytes.extend_from_slice(text.as_bytes());
            }
            Value::Array(items) => {
                self.shape.push(tag::ARRAY);
                put_varint(&mut self.shape, items.len() as u64);
                for item in items {
                    self.value(item, place, depth + 1)?;
                }
            }
            Value::Object(map) => self.object(map, slot, depth)?,
        }
        Ok(())
    }

    /// An object's key set (interned), then its values; children sit
    /// under `slot`, the key this object is the value of.
    ///
    /// Never inlined: rustc 1.95.0, inlining this into [`Encoder::value`]
    /// in release builds (LTO), passed 0 for `slot`, so every column lost
    /// its parent and the archives did not decode (debug builds, the
    /// crate's own release tests and nightly were fine). [`verify`] catches
    /// any such defect at run time.
    #[inline(never)]
    fn object(&mut self, map: &Map<String, Value>, slot: u32, depth: usize) -> Result<(), ArchiveError> {
        let ids: Vec<u32> = map.keys().map(|k| self.names.get(k.as_str()).copied().unwrap_or(0)).collect();
        let known = if ids.contains(&0) { None } else { self.key_sets.get(&ids).copied() };
        let ids = match known {
            Some(set) => {
                self.shape.push(tag::OBJECT);
                put_varint(&mut self.shape, u64::from(set));
                ids
            }
            None => {
                self.shape.push(tag::NEW_OBJECT);
                put_varint(&mut self.shape, map.len() as u64);
                let ids: Vec<u32> = map.keys().map(|k| self.name(k)).collect();
                let set = self.key_sets.len() as u32;
                self.key_sets.insert(ids.clone(), set);
                ids
            }
        };
        for ((_, child), key) in map.iter().zip(ids) {
            self.value(child, Place { parent: slot, slot: key }, depth + 1)?;
        }
        Ok(())
    }
}
