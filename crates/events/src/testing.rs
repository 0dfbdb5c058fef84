//! Helpers shared by the crate's unit tests.
#![allow(clippy::unwrap_used)]

use crate::error::DecodeError;

/// A valid session id.
pub(crate) const SESSION: &str = "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f";

/// A minimal valid batch with `events` and any extra top-level JSON.
pub(crate) fn batch_json(events: &str, extra: &str) -> String {
    format!(
        r#"{{"v":1,"site":"shop","session":"{SESSION}","seq":7,
            "page":{{"url":"https://shop.example/cart?x=1","title":"Cart"}},
            "viewport":{{"w":1280,"h":720}},"document":{{"w":1280,"h":4100}}{extra},
            "events":{events}}}"#
    )
}

/// The error decoding JSON `input` as a batch must give.
pub(crate) fn err_json(input: &str) -> DecodeError {
    crate::decode::batch_from_json(input.as_bytes()).unwrap_err()
}

/// JSON test input as MessagePack.
pub(crate) fn to_msgpack(json: &str) -> Vec<u8> {
    try_msgpack(json).unwrap()
}

/// JSON test input as MessagePack, through our own model so inputs stay
/// readable; `None` for inputs the model cannot hold (duplicate keys).
pub(crate) fn try_msgpack(json: &str) -> Option<Vec<u8>> {
    let v = crate::json::value(json.as_bytes()).ok()?;
    Some(rmp_serde::to_vec_named(&v).unwrap())
}
