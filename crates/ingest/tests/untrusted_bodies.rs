//! The suite's short run of what `fuzz/` runs for hours: the whole ingest
//! CPU step (decompression, decode, masking, heatmap rows, page keys,
//! stored payload) on real batches with bytes changed, cut or inserted, in
//! every encoding and format; and every input the fuzzer ever crashed on
//! (`fuzz/regressions/ingest_pipeline/`, same layout as the fuzz target's
//! input: first byte picks encoding and format). Never a panic; an error
//! or rows within the limits.

#[path = "../../../fuzz/src/harness.rs"]
#[allow(dead_code, reason = "the fuzz targets use the rest")]
mod harness;

use std::io::Write;
use std::path::Path;
use std::sync::LazyLock;

use harness::{Fixture, selector};
use proptest::prelude::*;

static FIXTURE: LazyLock<Fixture> = LazyLock::new(Fixture::new);

fn fixtures() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    ["crates/events/tests/fixtures/checkout.json", "crates/masking/tests/fixtures/checkout_batch0.json"]
        .iter()
        .map(|path| std::fs::read(root.join(path)).expect("fixture"))
        .collect()
}

/// One fixture as the fuzz input of each encoding × format.
fn encoded(json: &[u8]) -> Vec<Vec<u8>> {
    #[allow(clippy::disallowed_methods, reason = "a fixture of the repository")]
    let value: serde_json::Value = serde_json::from_slice(json).expect("fixture JSON");
    let msgpack = rmp_serde::to_vec_named(&value).expect("msgpack");
    let mut inputs = Vec::new();
    for (msgpack, plain) in [(false, json.to_vec()), (true, msgpack)] {
        let zstd = zstd::encode_all(&plain[..], 3).expect("zstd");
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gzip.write_all(&plain).expect("gzip");
        let gzip = gzip.finish().expect("gzip");
        for (encoding, body) in [(0u8, plain), (1, zstd), (2, gzip)] {
            inputs.push([&[selector(encoding, msgpack)][..], &body].concat());
        }
    }
    inputs
}

#[test]
fn unchanged_fixtures_are_accepted_in_every_encoding_and_format() {
    for json in fixtures() {
        for input in encoded(&json) {
            let processed = FIXTURE.process(&input).expect("not empty");
            let processed = processed.unwrap_or_else(|e| panic!("selector {:#04x}: {e:?}", input[0]));
            assert!(processed.accepted > 0 && !processed.rows.is_empty(), "selector {:#04x}", input[0]);
        }
    }
}

#[test]
fn inputs_the_fuzzer_crashed_on_stay_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/ingest_pipeline");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    for entry in entries.flatten() {
        let input = std::fs::read(entry.path()).expect("regression input");
        FIXTURE.check(&input).unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Real batches with up to four edits (a byte replaced, a cut, a run
    /// of bytes inserted) in every encoding and format.
    #[test]
    fn changed_real_bodies_never_panic(
        which in 0usize..12,
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>(), 0u8..3), 1..5),
    ) {
        let inputs: Vec<Vec<u8>> = fixtures().iter().flat_map(|json| encoded(json)).collect();
        let mut input = inputs[which % inputs.len()].clone();
        for (at, byte, kind) in edits {
            // Never the selector byte: the edit is to the body.
            let i = 1 + at.index(input.len() - 1);
            match kind {
                0 => input[i] = byte,
                1 => input.truncate(i.max(1)),
                _ => input.splice(i..i, std::iter::repeat_n(byte, usize::from(byte % 64) + 1)).for_each(drop),
            }
            if input.len() < 2 {
                break;
            }
        }
        prop_assert_eq!(FIXTURE.check(&input), Ok(()));
    }
}
