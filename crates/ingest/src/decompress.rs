//! Bounded decompression of request bodies (SPEC §4): a decompression bomb
//! is refused with 413 without ever holding more than the limit in memory.
//!
//! Reads go through an 8 KiB buffer and the output grows only after
//! checking the limit, with its capacity capped at the limit (no doubling
//! past it). zstd's window is capped too: a frame may ask the decoder for a
//! window of up to 2 GiB, which would be allocated before a single byte of
//! output.

use std::borrow::Cow;
use std::io::Read;

use thiserror::Error;
use veil_events::{Budget, BudgetError};

/// `Content-Encoding` values we accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// No encoding.
    Identity,
    /// zstd (what the recorder prefers).
    Zstd,
    /// gzip (`CompressionStream('gzip')`).
    Gzip,
}

/// Largest zstd window we decode (16 MiB): far above what the recorder's
/// encoder uses for one batch, far below what a hostile frame could ask.
const ZSTD_WINDOW_LOG_MAX: u32 = 24;

/// Read granularity.
const CHUNK: usize = 8 * 1024;

/// Why a body cannot be decompressed.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DecompressError {
    /// Unknown `Content-Encoding` (415).
    #[error("unsupported content encoding; use zstd, gzip or none")]
    Unsupported,
    /// The output would exceed the limit (413).
    #[error("decompressed body exceeds {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Not valid data for the encoding (400).
    #[error("body is not valid {0} data")]
    Corrupt(&'static str),
    /// The request's memory budget (413) or the process's (503) is spent.
    #[error(transparent)]
    Memory(#[from] BudgetError),
}

/// What a zstd decoder holds besides its window: two block buffers of
/// 128 KiB and its tables.
const ZSTD_DECODER_OVERHEAD: usize = 512 * 1024;

/// What a gzip decoder holds: its 32 KiB window and inflate state.
const GZIP_DECODER_BYTES: usize = 64 * 1024;

impl Encoding {
    /// Parses `Content-Encoding` (absent means identity).
    pub fn from_header(value: Option<&str>) -> Result<Encoding, DecompressError> {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            // `none` is what a beacon's `encoding` parameter may say.
            None | Some("") | Some("identity") | Some("none") => Ok(Encoding::Identity),
            Some("zstd") => Ok(Encoding::Zstd),
            Some("gzip") | Some("x-gzip") => Ok(Encoding::Gzip),
            Some(_) => Err(DecompressError::Unsupported),
        }
    }

    /// Label for metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Identity => "identity",
            Encoding::Zstd => "zstd",
            Encoding::Gzip => "gzip",
        }
    }
}

/// Decompresses `body`, refusing output larger than `limit` bytes.
pub fn decompress(body: &[u8], encoding: Encoding, limit: usize) -> Result<Cow<'_, [u8]>, DecompressError> {
    decompress_within(body, encoding, limit, &mut Budget::unlimited())
}

/// [`decompress`] charging `budget` for the decoder's state and the
/// output as it grows; the output stays charged while the budget lives.
pub fn decompress_within<'b>(
    body: &'b [u8],
    encoding: Encoding,
    limit: usize,
    budget: &mut Budget,
) -> Result<Cow<'b, [u8]>, DecompressError> {
    match encoding {
        Encoding::Identity if body.len() > limit => Err(DecompressError::TooLarge { limit }),
        Encoding::Identity => Ok(Cow::Borrowed(body)),
        Encoding::Zstd => {
            budget.charge(zstd_window_bytes(body) + ZSTD_DECODER_OVERHEAD)?;
            let mut decoder = zstd::stream::read::Decoder::with_buffer(body)
                .map_err(|_| DecompressError::Corrupt("zstd"))?;
            decoder.window_log_max(ZSTD_WINDOW_LOG_MAX).map_err(|_| DecompressError::Corrupt("zstd"))?;
            read_bounded(decoder, limit, "zstd", budget).map(Cow::Owned)
        }
        Encoding::Gzip => {
            budget.charge(GZIP_DECODER_BYTES)?;
            read_bounded(flate2::read::MultiGzDecoder::new(body), limit, "gzip", budget).map(Cow::Owned)
        }
    }
}

/// The largest window any frame of `body` asks the decoder for (RFC 8878
/// §3.1.1.1.2), capped at what we decode: the decoder allocates it before
/// the first byte of output. Frames that cannot be read count as the cap
/// (the decoder will refuse them anyway).
fn zstd_window_bytes(body: &[u8]) -> usize {
    const MAGIC: u32 = 0xFD2F_B528;
    const MAX: usize = 1 << ZSTD_WINDOW_LOG_MAX;
    let mut rest = body;
    let mut largest = 0;
    while rest.len() >= 4 {
        let magic = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
        let window = if magic == MAGIC { frame_window(&rest[4..]).unwrap_or(MAX) } else { 0 };
        largest = largest.max(window.min(MAX));
        // Skippable frames (magic 0x184D2A5?) are walked over too.
        match zstd::zstd_safe::find_frame_compressed_size(rest) {
            Ok(size) if size > 0 && size <= rest.len() => rest = &rest[size..],
            _ => return MAX,
        }
    }
    largest
}

/// The window of a frame whose header starts at `header` (after the magic).
fn frame_window(header: &[u8]) -> Option<usize> {
    let descriptor = *header.first()?;
    let single_segment = descriptor & 0x20 != 0;
    if !single_segment {
        let window = *header.get(1)?;
        let log = 10 + u32::from(window >> 3);
        let base = 1usize.checked_shl(log)?;
        return Some(base + (base / 8) * usize::from(window & 7));
    }
    // Single segment: the window is the content size, which follows the
    // dictionary id.
    let dictionary_bytes = [0, 1, 2, 4][usize::from(descriptor & 3)];
    let size_bytes = [1, 2, 4, 8][usize::from(descriptor >> 6)];
    let start = 1 + dictionary_bytes;
    let field = header.get(start..start + size_bytes)?;
    let mut value = [0u8; 8];
    value[..size_bytes].copy_from_slice(field);
    let size = u64::from_le_bytes(value) + if size_bytes == 2 { 256 } else { 0 };
    usize::try_from(size).ok()
}

fn read_bounded(
    mut reader: impl Read,
    limit: usize,
    format: &'static str,
    budget: &mut Budget,
) -> Result<Vec<u8>, DecompressError> {
    let mut out: Vec<u8> = Vec::new();
    let mut buffer = [0u8; CHUNK];
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(DecompressError::Corrupt(format)),
        };
        let needed = out.len() + n;
        if needed > limit {
            return Err(DecompressError::TooLarge { limit });
        }
        if needed > out.capacity() {
            let target = (out.capacity() * 2).max(64 * 1024).clamp(needed, limit);
            let before = out.capacity();
            out.reserve_exact(target - out.len());
            budget.charge_growth(before, &out)?;
        }
        out.extend_from_slice(&buffer[..n]);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).expect("gzip");
        encoder.finish().expect("gzip")
    }

    #[test]
    fn encodings_parse() {
        let cases = [
            (None, Ok(Encoding::Identity)),
            (Some("identity"), Ok(Encoding::Identity)),
            (Some("none"), Ok(Encoding::Identity)),
            (Some("zstd"), Ok(Encoding::Zstd)),
            (Some(" ZSTD "), Ok(Encoding::Zstd)),
            (Some("gzip"), Ok(Encoding::Gzip)),
            (Some("x-gzip"), Ok(Encoding::Gzip)),
            (Some("br"), Err(DecompressError::Unsupported)),
            (Some("deflate"), Err(DecompressError::Unsupported)),
            (Some("gzip, zstd"), Err(DecompressError::Unsupported)),
        ];
        for (header, expected) in cases {
            assert_eq!(Encoding::from_header(header), expected, "{header:?}");
        }
    }

    #[test]
    fn roundtrips_within_the_limit() {
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let zstd = zstd::encode_all(&data[..], 3).expect("zstd");
        assert_eq!(decompress(&zstd, Encoding::Zstd, data.len()).expect("zstd").as_ref(), &data[..]);
        assert_eq!(decompress(&gzip(&data), Encoding::Gzip, data.len()).expect("gzip").as_ref(), &data[..]);
        assert_eq!(decompress(&data, Encoding::Identity, data.len()).expect("identity").as_ref(), &data[..]);
    }

    #[test]
    fn one_byte_over_the_limit_is_refused() {
        let data = vec![7u8; 100_001];
        let limit = 100_000;
        let zstd = zstd::encode_all(&data[..], 3).expect("zstd");
        assert_eq!(decompress(&zstd, Encoding::Zstd, limit), Err(DecompressError::TooLarge { limit }));
        assert_eq!(decompress(&gzip(&data), Encoding::Gzip, limit), Err(DecompressError::TooLarge { limit }));
        assert_eq!(decompress(&data, Encoding::Identity, limit), Err(DecompressError::TooLarge { limit }));
    }

    #[test]
    fn a_bomb_stops_at_the_limit_without_growing_past_it() {
        // 256 MiB of zeros compress to a few KiB.
        let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 3).expect("zstd");
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..256 {
            encoder.write_all(&zeros).expect("zstd");
        }
        let bomb = encoder.finish().expect("zstd");
        assert!(bomb.len() < 64 * 1024, "bomb is {} bytes", bomb.len());
        let limit = 4 << 20;
        assert_eq!(decompress(&bomb, Encoding::Zstd, limit), Err(DecompressError::TooLarge { limit }));
    }

    #[test]
    fn garbage_is_corrupt_not_a_panic() {
        assert_eq!(
            decompress(b"not zstd at all", Encoding::Zstd, 1 << 20),
            Err(DecompressError::Corrupt("zstd"))
        );
        assert_eq!(
            decompress(b"not gzip at all", Encoding::Gzip, 1 << 20),
            Err(DecompressError::Corrupt("gzip"))
        );
        let mut truncated = zstd::encode_all(&[1u8; 10_000][..], 3).expect("zstd");
        truncated.truncate(truncated.len() / 2);
        assert_eq!(decompress(&truncated, Encoding::Zstd, 1 << 20), Err(DecompressError::Corrupt("zstd")));
    }

    #[test]
    fn capacity_never_exceeds_the_limit() {
        let data = vec![1u8; 300_000];
        let out = read_bounded(&data[..], 300_000, "identity", &mut Budget::unlimited()).expect("fits");
        assert!(out.capacity() <= 300_000, "capacity {}", out.capacity());
    }

    #[test]
    fn the_zstd_window_is_read_from_every_frame() {
        // Level 19 on 8 MiB asks for a large window; a small frame after it
        // states its content size (single segment).
        let big: Vec<u8> = (0..8u32 << 20).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let mut body = zstd::encode_all(&big[..], 19).expect("zstd");
        let window = zstd_window_bytes(&body);
        assert!((1 << 20..=1 << ZSTD_WINDOW_LOG_MAX).contains(&window), "window {window}");
        let small = zstd::bulk::compress(&[5u8; 1000], 3).expect("zstd");
        assert_eq!(zstd_window_bytes(&small), 1000, "single segment: the content size");
        body.extend_from_slice(&small);
        assert_eq!(zstd_window_bytes(&body), window, "the largest over all frames");
        assert_eq!(zstd_window_bytes(b"garbage!"), 1 << ZSTD_WINDOW_LOG_MAX);
    }

    #[test]
    fn decompression_is_charged_and_stops_when_the_budget_is_spent() {
        let data = vec![3u8; 4 << 20];
        let zstd = zstd::encode_all(&data[..], 3).expect("zstd");
        let mut budget = Budget::unlimited();
        let out = decompress_within(&zstd, Encoding::Zstd, 8 << 20, &mut budget).expect("fits");
        assert!(budget.used() >= out.len(), "charged {} for {} bytes", budget.used(), out.len());
        let mut small = Budget::new(2 << 20, None);
        assert_eq!(
            decompress_within(&zstd, Encoding::Zstd, 8 << 20, &mut small),
            Err(DecompressError::Memory(BudgetError::OverLimit { limit: 2 << 20 }))
        );
    }

    proptest::proptest! {
        /// Arbitrary bodies, and real frames cut or with a byte changed,
        /// decompress to an error or to at most `limit` bytes; never a
        /// panic.
        #[test]
        fn untrusted_bodies_never_panic_or_exceed_the_limit(
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            at in proptest::prelude::any::<proptest::sample::Index>(),
            byte in proptest::prelude::any::<u8>(),
            cut in proptest::prelude::any::<bool>(),
        ) {
            let limit = 64 << 10;
            let plain: Vec<u8> = noise.iter().cycle().take(noise.len() * 40).copied().collect();
            for (encoding, mut body) in [
                (Encoding::Zstd, zstd::encode_all(&plain[..], 3).expect("zstd")),
                (Encoding::Gzip, gzip(&plain)),
                (Encoding::Zstd, noise.clone()),
                (Encoding::Gzip, noise.clone()),
            ] {
                if !body.is_empty() {
                    let i = at.index(body.len());
                    if cut { body.truncate(i) } else { body[i] = byte }
                }
                if let Ok(out) = decompress(&body, encoding, limit) {
                    proptest::prop_assert!(out.len() <= limit);
                }
            }
        }
    }
}
