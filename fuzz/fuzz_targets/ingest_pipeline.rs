//! The whole ingest CPU step on an arbitrary body: decompression, decode,
//! purpose filter, masking, heatmap rows, stored payload (the input's
//! layout is [`veil_fuzz::harness::Fixture::process`]'s). Invariant: an
//! error or rows within the limits; never a panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use veil_fuzz::harness::Fixture;

static FIXTURE: LazyLock<Fixture> = LazyLock::new(Fixture::new);

fuzz_target!(|data: &[u8]| {
    if let Err(broken) = FIXTURE.check(data) {
        panic!("{broken}");
    }
});
