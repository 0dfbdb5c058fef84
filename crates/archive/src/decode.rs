//! Reading an archive back into its batches, each a JSON array of events.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};

use crate::wire::{Reader, kind, tag, unzigzag};
use crate::{ArchiveError, MAGIC, MAGIC_V1, MAX_DEPTH};

/// One batch read back from an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedBatch {
    /// Its sequence number.
    pub seq: u64,
    /// Timestamp of its first event, Unix ms.
    pub first_ts: u64,
    /// Its events, a JSON array.
    pub events_json: Vec<u8>,
}

/// The chunk hashes an archive references, in its order; what the store
/// must fetch before [`decode`]. Reads only as far as the chunk list.
pub fn chunk_hashes(archive: &[u8], max_json_bytes: usize) -> Result<Vec<[u8; 32]>, ArchiveError> {
    let (body, _) = inflate(archive, max_json_bytes)?;
    let mut reader = Reader::new(&body);
    skip_batches(&mut reader)?;
    read_chunk_list(&mut reader)
}

/// Reads an archive; `chunk` returns a chunk's body by hash. Fails when
/// the batches' JSON would exceed `max_json_bytes`.
pub fn decode<'c>(
    archive: &[u8],
    chunk: impl Fn(&[u8; 32]) -> Option<&'c [u8]>,
    max_json_bytes: usize,
) -> Result<Vec<DecodedBatch>, ArchiveError> {
    let (body, version) = inflate(archive, max_json_bytes)?;
    let mut header = Reader::new(&body);
    let batch_count = header.len()?;
    let mut batches = Vec::with_capacity(batch_count);
    let mut previous_ts = 0u64;
    for _ in 0..batch_count {
        let seq = header.varint()?;
        let first_ts = match version {
            Version::Zstd => header.varint()?,
            Version::Brotli => previous_ts.wrapping_add(unzigzag(header.varint()?) as u64),
        };
        previous_ts = first_ts;
        let events = header.len()?;
        batches.push((seq, first_ts, events));
    }
    let hashes = read_chunk_list(&mut header)?;
    let mut chunks = Vec::with_capacity(hashes.len());
    for hash in &hashes {
        let body = chunk(hash).ok_or_else(|| ArchiveError::MissingChunk {
            hash: blake3::Hash::from_bytes(*hash).to_hex().to_string(),
        })?;
        let text = std::str::from_utf8(body).map_err(|_| ArchiveError::Corrupt("chunk is not UTF-8"))?;
        chunks.push(text);
    }
    let column_count = header.len()?;
    let column_lens: Vec<usize> = (0..column_count).map(|_| header.len()).collect::<Result<_, _>>()?;
    let keys_len = header.len()?;
    let shape_len = header.len()?;
    let keys = Reader::new(header.take(keys_len)?);
    let shape = Reader::new(header.take(shape_len)?);
    let mut columns = Vec::with_capacity(column_count);
    for len in column_lens {
        columns.push(Column { reader: Reader::new(header.take(len)?), previous: 0 });
    }
    let mut decoder = Decoder {
        shape,
        keys,
        names: vec![String::new()],
        key_sets: Vec::new(),
        columns,
        free_columns: 0,
        column_ids: HashMap::new(),
        chunks,
        output: 0,
        limit: max_json_bytes,
    };
    let mut out = Vec::with_capacity(batch_count);
    for (seq, first_ts, events) in batches {
        let mut values = Vec::with_capacity(events.min(4096));
        for _ in 0..events {
            values.push(decoder.value(0, 0, 0)?);
        }
        let events_json =
            serde_json::to_vec(&values).map_err(|_| ArchiveError::Corrupt("events do not serialize"))?;
        decoder.output += events_json.len();
        if decoder.output > max_json_bytes {
            return Err(ArchiveError::TooLarge { limit: max_json_bytes });
        }
        out.push(DecodedBatch { seq, first_ts, events_json });
    }
    if !decoder.shape.is_empty() || decoder.columns.iter().any(|c| !c.reader.is_empty()) {
        return Err(ArchiveError::Corrupt("bytes left over"));
    }
    Ok(out)
}

/// The two archive versions: how the stream is compressed and how batch
/// timestamps are written.
#[derive(Clone, Copy)]
enum Version {
    /// `VAR1`: zstd, absolute timestamps.
    Zstd,
    /// `VAR2`: brotli, timestamps as deltas.
    Brotli,
}

/// The archive's body, refused past a bound: shapes and columns are never
/// larger than the JSON they encode plus their headers.
fn inflate(archive: &[u8], max_json_bytes: usize) -> Result<(Vec<u8>, Version), ArchiveError> {
    let limit = max_json_bytes.saturating_mul(2).saturating_add(1 << 20);
    let too_large = |e: ArchiveError| match e {
        ArchiveError::TooLarge { .. } => ArchiveError::TooLarge { limit: max_json_bytes },
        other => other,
    };
    if let Some(stream) = archive.strip_prefix(MAGIC.as_slice()) {
        let body = crate::codec::inflate(stream, limit).map_err(too_large)?;
        Ok((body, Version::Brotli))
    } else if let Some(stream) = archive.strip_prefix(MAGIC_V1.as_slice()) {
        let reader = zstd::stream::read::Decoder::new(stream)?;
        Ok((crate::codec::read_bounded(reader, limit).map_err(too_large)?, Version::Zstd))
    } else {
        Err(ArchiveError::Corrupt("not an archive"))
    }
}

fn skip_batches(reader: &mut Reader<'_>) -> Result<(), ArchiveError> {
    for _ in 0..reader.len()? {
        reader.varint()?;
        reader.varint()?;
        reader.varint()?;
    }
    Ok(())
}

fn read_chunk_list(reader: &mut Reader<'_>) -> Result<Vec<[u8; 32]>, ArchiveError> {
    let count = reader.len()?;
    let mut hashes = Vec::with_capacity(count);
    for _ in 0..count {
        let mut hash = [0u8; 32];
        hash.copy_from_slice(reader.take(32)?);
        hashes.push(hash);
    }
    Ok(hashes)
}

struct Column<'a> {
    reader: Reader<'a>,
    previous: i64,
}

struct Decoder<'a, 'c> {
    shape: Reader<'a>,
    keys: Reader<'a>,
    names: Vec<String>,
    key_sets: Vec<Vec<u32>>,
    columns: Vec<Column<'a>>,
    /// Columns handed out so far (in the encoder's first-use order).
    free_columns: usize,
    column_ids: HashMap<(u8, u32, u32), usize>,
    chunks: Vec<&'c str>,
    /// Bytes of strings produced so far, against `limit`.
    output: usize,
    limit: usize,
}

impl<'a> Decoder<'a, '_> {
    fn column(&mut self, kind: u8, parent: u32, slot: u32) -> Result<&mut Column<'a>, ArchiveError> {
        let index = match self.column_ids.get(&(kind, parent, slot)) {
            Some(&index) => index,
            None => {
                let index = self.free_columns;
                if index >= self.columns.len() {
                    return Err(ArchiveError::Corrupt("more columns used than listed"));
                }
                self.free_columns += 1;
                self.column_ids.insert((kind, parent, slot), index);
                index
            }
        };
        Ok(&mut self.columns[index])
    }

    fn name(&mut self) -> Result<u32, ArchiveError> {
        let id = self.shape.len_free()?;
        if id == self.names.len() {
            let bytes = self.keys.bytes_with_len()?;
            let name = std::str::from_utf8(bytes).map_err(|_| ArchiveError::Corrupt("key is not UTF-8"))?;
            self.names.push(name.to_owned());
        } else if id == 0 || id > self.names.len() {
            return Err(ArchiveError::Corrupt("unknown key"));
        }
        u32::try_from(id).map_err(|_| ArchiveError::Corrupt("unknown key"))
    }

    fn count(&mut self, n: usize) -> Result<(), ArchiveError> {
        self.output = self.output.saturating_add(n);
        if self.output > self.limit { Err(ArchiveError::TooLarge { limit: self.limit }) } else { Ok(()) }
    }

    fn value(&mut self, parent: u32, slot: u32, depth: usize) -> Result<Value, ArchiveError> {
        if depth > MAX_DEPTH {
            return Err(ArchiveError::Corrupt("nesting deeper than the event limit"));
        }
        self.count(1)?;
        Ok(match self.shape.byte()? {
            tag::NULL => Value::Null,
            tag::FALSE => Value::Bool(false),
            tag::TRUE => Value::Bool(true),
            tag::INT => {
                let column = self.column(kind::INT, parent, slot)?;
                let n = column.previous.wrapping_add(unzigzag(column.reader.varint()?));
                column.previous = n;
                Value::Number(n.into())
            }
            tag::BIG => Value::Number(self.column(kind::BIG, parent, slot)?.reader.varint()?.into()),
            tag::FLOAT => {
                let bytes = self.column(kind::FLOAT, parent, slot)?.reader.take(8)?;
                let mut le = [0u8; 8];
                le.copy_from_slice(bytes);
                Number::from_f64(f64::from_le_bytes(le))
                    .map(Value::Number)
                    .ok_or(ArchiveError::Corrupt("float is not finite"))?
            }
            tag::STRING => {
                let bytes = self.column(kind::STRING, parent, slot)?.reader.bytes_with_len()?;
                let text =
                    std::str::from_utf8(bytes).map_err(|_| ArchiveError::Corrupt("string is not UTF-8"))?;
                self.count(text.len())?;
                Value::String(text.to_owned())
            }
            tag::CHUNK => {
                let index = self.shape.len_free()?;
                let text = *self.chunks.get(index).ok_or(ArchiveError::Corrupt("unknown chunk"))?;
                self.count(text.len())?;
                Value::String(text.to_owned())
            }
            tag::ARRAY => {
                let len = self.shape.len()?;
                let mut items = Vec::with_capacity(len.min(4096));
                for _ in 0..len {
                    items.push(self.value(parent, slot, depth + 1)?);
                }
                Value::Array(items)
            }
            tag::NEW_OBJECT => {
                let len = self.shape.len()?;
                let ids = (0..len).map(|_| self.name()).collect::<Result<Vec<_>, _>>()?;
                self.key_sets.push(ids.clone());
                self.object(&ids, slot, depth)?
            }
            tag::OBJECT => {
                let set = self.shape.len_free()?;
                let ids = self.key_sets.get(set).cloned().ok_or(ArchiveError::Corrupt("unknown key set"))?;
                self.object(&ids, slot, depth)?
            }
            _ => return Err(ArchiveError::Corrupt("unknown value tag")),
        })
    }

    fn object(&mut self, ids: &[u32], slot: u32, depth: usize) -> Result<Value, ArchiveError> {
        let mut map = Map::new();
        for &id in ids {
            let child = self.value(slot, id, depth + 1)?;
            let name = self.names.get(id as usize).ok_or(ArchiveError::Corrupt("unknown key"))?.clone();
            self.count(name.len())?;
            map.insert(name, child);
        }
        Ok(Value::Object(map))
    }
}
