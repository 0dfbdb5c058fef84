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
}

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
    match encoding {
        Encoding::Identity if body.len() > limit => Err(DecompressError::TooLarge { limit }),
        Encoding::Identity => Ok(Cow::Borrowed(body)),
        Encoding::Zstd => {
            let mut decoder = zstd::stream::read::Decoder::with_buffer(body)
                .map_err(|_| DecompressError::Corrupt("zstd"))?;
            decoder.window_log_max(ZSTD_WINDOW_LOG_MAX).map_err(|_| DecompressError::Corrupt("zstd"))?;
            read_bounded(decoder, limit, "zstd").map(Cow::Owned)
        }
        Encoding::Gzip => {
            read_bounded(flate2::read::MultiGzDecoder::new(body), limit, "gzip").map(Cow::Owned)
        }
    }
}

fn read_bounded(
    mut reader: impl Read,
    limit: usize,
    format: &'static str,
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
            out.reserve_exact(target - out.len());
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
        let out = read_bounded(&data[..], 300_000, "identity").expect("fits");
        assert!(out.capacity() <= 300_000, "capacity {}", out.capacity());
    }
}
