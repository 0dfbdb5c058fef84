//! The general-purpose compression under archives and chunks: brotli.
//!
//! Why brotli and not zstd: on the archive stream (varint columns, short
//! strings grouped by key) brotli's context modelling of literals gives
//! 9% fewer bytes than zstd at level 19 (22 at `--ultra` is no better),
//! and on style sheets its built-in dictionary of web text gives 4% fewer;
//! reading back is as fast (benches/README.md, "Compacted recordings").
//! Compaction runs in the background, once per session, so its slower
//! writing is the right trade. Archives and chunks written with zstd
//! before this (format `VAR1`, chunks without a prefix) still read.

use std::io::Read;

use crate::ArchiveError;

/// First bytes of a brotli chunk body; a zstd frame (older chunks) starts
/// with 28 b5 2f fd, so the two never collide.
pub const CHUNK_MAGIC: &[u8; 4] = b"VCB1";

/// Highest brotli quality.
pub const MAX_QUALITY: u32 = 11;

/// Largest brotli window, 4 MiB: past it the encoder's match finder
/// (8 bytes per window position at quality 10–11) costs memory for
/// matches a session hardly has.
const MAX_WINDOW_BITS: u32 = 22;

/// `bytes` brotli-compressed at `quality` (0–11, higher is clamped), with a
/// window just large enough for them.
pub(crate) fn compress(bytes: &[u8], quality: u32) -> Result<Vec<u8>, ArchiveError> {
    let window = (usize::BITS - bytes.len().leading_zeros()).clamp(16, MAX_WINDOW_BITS);
    let params = brotli::enc::BrotliEncoderParams {
        quality: quality.min(MAX_QUALITY) as i32,
        lgwin: window as i32,
        size_hint: bytes.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(bytes.len() / 4);
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

/// Reads all of `reader`, refusing more than `limit` bytes (a damaged or
/// hostile stream must not expand without bound).
pub(crate) fn read_bounded(reader: impl Read, limit: usize) -> Result<Vec<u8>, ArchiveError> {
    let mut out = Vec::new();
    reader.take(limit as u64 + 1).read_to_end(&mut out)?;
    if out.len() > limit {
        return Err(ArchiveError::TooLarge { limit });
    }
    Ok(out)
}

/// A brotli stream read back, at most `limit` bytes.
pub(crate) fn inflate(stream: &[u8], limit: usize) -> Result<Vec<u8>, ArchiveError> {
    read_bounded(brotli::Decompressor::new(stream, 16 * 1024), limit)
}

/// A chunk's body as the store keeps it: prefixed brotli.
pub fn compress_chunk(body: &[u8], quality: u32) -> Result<Vec<u8>, ArchiveError> {
    let mut out = CHUNK_MAGIC.to_vec();
    out.extend(compress(body, quality)?);
    Ok(out)
}

/// A stored chunk body read back (brotli, or zstd as chunks were first
/// written), at most `limit` bytes.
pub fn inflate_chunk(stored: &[u8], limit: usize) -> Result<Vec<u8>, ArchiveError> {
    match stored.strip_prefix(CHUNK_MAGIC.as_slice()) {
        Some(stream) => inflate(stream, limit),
        None => read_bounded(zstd::stream::read::Decoder::new(stored)?, limit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_read_back_in_both_formats() {
        let sheet = ".card{display:grid;gap:8px}.card img{width:100%}".repeat(40);
        let brotli = compress_chunk(sheet.as_bytes(), MAX_QUALITY).expect("compress");
        assert!(brotli.starts_with(CHUNK_MAGIC));
        assert!(brotli.len() < sheet.len() / 10);
        assert_eq!(inflate_chunk(&brotli, sheet.len()).expect("brotli"), sheet.as_bytes());
        let zstd = zstd::encode_all(sheet.as_bytes(), 19).expect("zstd");
        assert_eq!(inflate_chunk(&zstd, sheet.len()).expect("zstd"), sheet.as_bytes());
    }

    #[test]
    fn inflating_stops_at_the_limit() {
        let zeros = vec![0u8; 1 << 20];
        let stored = compress_chunk(&zeros, 5).expect("compress");
        assert!(matches!(inflate_chunk(&stored, 1000), Err(ArchiveError::TooLarge { limit: 1000 })));
        assert!(inflate_chunk(&stored, 1 << 20).is_ok());
        assert!(inflate_chunk(b"VCB1not brotli at all", 1 << 20).is_err());
        assert!(inflate_chunk(b"neither format", 1 << 20).is_err());
    }
}
