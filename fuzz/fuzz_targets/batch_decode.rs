//! The batch decoders on arbitrary bytes (JSON and MessagePack).
//! Invariant: a batch that decodes re-encodes, and the re-encoding decodes
//! to the same batch (the stored payload is what replay reads back).
#![no_main]

use libfuzzer_sys::fuzz_target;
use veil_events::{decode, encode};

fuzz_target!(|data: &[u8]| {
    for batch in [decode::batch_from_json(data), decode::batch_from_msgpack(data)].into_iter().flatten() {
        let json = encode::to_json(&batch).expect("a decoded batch encodes as JSON");
        let again = decode::batch_from_json(&json).expect("our own JSON decodes");
        assert_eq!(again.events.len(), batch.events.len());
        let msgpack = encode::to_msgpack(&batch).expect("a decoded batch encodes as MessagePack");
        let again = decode::batch_from_msgpack(&msgpack).expect("our own MessagePack decodes");
        assert_eq!(again.events.len(), batch.events.len());
    }
});
