//! A compacted session: its stored batches rewritten as one compressed
//! stream, smaller than any per-batch or whole-visit gzip, and read back
//! as exactly the same events (as JSON values).
//!
//! Why columnar: rrweb events repeat their shapes (every mouse move is
//! `{data:{positions:[{id,timeOffset,x,y}],source},timestamp,type}`) and
//! their numbers change by small steps (timestamps, coordinates, node ids
//! in document order). The encoder separates the shape of every value
//! (object key sets interned once, array lengths, value kinds) from its
//! scalars, and keeps scalars in columns by where they occur (the key they
//! sit under and its parent's key), integers as deltas to the previous
//! value of their column. One compressed stream over the shapes and columns then
//! sees long runs of alike bytes instead of interleaved JSON. The stream
//! is brotli (see `codec` for why not zstd).
//!
//! Why chunks: strings of at least [`EncodeOptions::chunk_min_bytes`]
//! (style sheets in full snapshots, `<style>` text, data: URLs) are the
//! same for every visitor of a site. They leave the stream as
//! content-addressed [`Chunk`]s (BLAKE3 of the bytes), which the store
//! keeps once per site; the archive lists the hashes it references so
//! erasure and retention can tell when a chunk is no longer needed.
//! Chunks are made from stored payloads, which are masked before they are
//! stored, so only masked content is ever shared.
//!
//! No I/O here: the store reads and writes archives and chunks.

mod codec;
mod decode;
mod encode;
mod error;
mod wire;

pub use codec::{CHUNK_MAGIC, MAX_QUALITY, compress_chunk, inflate_chunk};
pub use decode::{DecodedBatch, chunk_hashes, decode};
pub use encode::{Chunk, EncodeOptions, Encoded, StoredBatch, encode};
pub use error::ArchiveError;

/// First bytes of every archive written now: format and version (the
/// stream is brotli, batch timestamps are deltas).
pub const MAGIC: &[u8; 4] = b"VAR2";

/// First bytes of archives of the first version (zstd, absolute batch
/// timestamps), which still read.
pub const MAGIC_V1: &[u8; 4] = b"VAR1";

/// Deepest nesting an archive may hold: the event decoders' limit
/// (`veil_events::limits::MAX_DEPTH`) plus the envelope's few levels.
pub const MAX_DEPTH: usize = 520;

#[cfg(test)]
mod tests;
