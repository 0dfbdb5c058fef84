//! Body decompression (zstd, gzip) on arbitrary bytes: an error or at most
//! the limit, whatever the frame claims.
#![no_main]

use libfuzzer_sys::fuzz_target;
use veil_ingest::decompress::{Encoding, decompress};

const LIMIT: usize = 256 << 10;

fuzz_target!(|data: &[u8]| {
    for encoding in [Encoding::Zstd, Encoding::Gzip, Encoding::Identity] {
        if let Ok(plain) = decompress(data, encoding, LIMIT) {
            assert!(plain.len() <= LIMIT, "{encoding:?} gave {} bytes", plain.len());
        }
    }
});
