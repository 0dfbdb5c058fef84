//! Hostile nesting: the depth cap must refuse it cleanly, on a stack as
//! small as a tokio or actix worker's (2 MiB), for both codecs.
#![allow(clippy::unwrap_used)]

use veil_events::decode::{self, MAX_DEPTH};
use veil_events::{DecodeError, encode};

const WORKER_STACK: usize = 2 * 1024 * 1024;
const HOSTILE: usize = 100_000;
const SESSION: &str = "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f";

/// Runs `f` on a thread with a worker-sized stack; a stack overflow aborts
/// the whole test binary, so passing proves the cap keeps us inside it.
fn on_worker_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(WORKER_STACK).spawn(f).unwrap().join().unwrap();
}

/// A JSON batch whose single event's `data` is `data`.
fn json_batch(data: &str) -> Vec<u8> {
    format!(
        r#"{{"v":1,"site":"shop","session":"{SESSION}","seq":0,"page":{{"url":"https://shop.example/"}},"viewport":{{"w":1,"h":1}},"events":[{{"type":3,"timestamp":1,"data":{data}}}]}}"#
    )
    .into_bytes()
}

/// The same batch in MessagePack, `data` given as raw MessagePack bytes.
fn msgpack_batch(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.push(0x87); // fixmap, 7 entries
    for (key, value) in [("v", &[0x01][..]), ("site", &[0xa4, b's', b'h', b'o', b'p']), ("seq", &[0x00])] {
        push_str(&mut out, key);
        out.extend_from_slice(value);
    }
    push_str(&mut out, "session");
    push_str(&mut out, SESSION);
    push_str(&mut out, "page");
    out.push(0x81);
    push_str(&mut out, "url");
    push_str(&mut out, "https://shop.example/");
    push_str(&mut out, "viewport");
    out.push(0x82);
    push_str(&mut out, "w");
    out.push(0x01);
    push_str(&mut out, "h");
    out.push(0x01);
    push_str(&mut out, "events");
    out.extend_from_slice(&[0x91, 0x83]); // one event, 3 entries
    push_str(&mut out, "type");
    out.push(0x03);
    push_str(&mut out, "timestamp");
    out.push(0x01);
    push_str(&mut out, "data");
    out.extend_from_slice(data);
    out
}

fn push_str(out: &mut Vec<u8>, s: &str) {
    match u8::try_from(s.len()).unwrap() {
        n @ 0..32 => out.push(0xa0 | n),
        n => out.extend_from_slice(&[0xd9, n]),
    }
    out.extend_from_slice(s.as_bytes());
}

fn nested_json_arrays(n: usize) -> String {
    format!("{}{}", "[".repeat(n), "]".repeat(n))
}

fn nested_json_maps(n: usize) -> String {
    format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n))
}

fn nested_msgpack_arrays(n: usize) -> Vec<u8> {
    let mut v = vec![0x91; n.saturating_sub(1)];
    v.push(0x90);
    v
}

fn nested_msgpack_maps(n: usize) -> Vec<u8> {
    let mut v = Vec::new();
    for _ in 0..n {
        v.extend_from_slice(&[0x81, 0xa1, b'a']);
    }
    v.push(0x01);
    v
}

const TOO_DEEP: DecodeError = DecodeError::DepthExceeded { limit: MAX_DEPTH };

/// Levels above `data` in a batch: batch map, `events`, the event.
const BATCH_LEVELS: usize = 3;

#[test]
fn hostile_json_nesting_is_refused_on_a_worker_stack() {
    on_worker_stack(|| {
        let err = decode::batch_from_json(&json_batch(&nested_json_arrays(HOSTILE))).unwrap_err();
        assert_eq!(err, TOO_DEEP);
        let err = decode::batch_from_json(&json_batch(&nested_json_maps(HOSTILE))).unwrap_err();
        assert_eq!(err, TOO_DEEP);
        let events = format!(r#"[{{"type":3,"timestamp":1,"data":{}}}]"#, nested_json_arrays(HOSTILE));
        assert_eq!(decode::events_from_json(events.as_bytes()).unwrap_err(), TOO_DEEP);
        // Unterminated: the cap fires before the missing end is noticed.
        let open = json_batch(&"[".repeat(HOSTILE));
        assert_eq!(decode::batch_from_json(&open).unwrap_err(), TOO_DEEP);
    });
}

#[test]
fn hostile_msgpack_nesting_is_refused_on_a_worker_stack() {
    on_worker_stack(|| {
        let err = decode::batch_from_msgpack(&msgpack_batch(&nested_msgpack_arrays(HOSTILE))).unwrap_err();
        assert_eq!(err, TOO_DEEP);
        let err = decode::batch_from_msgpack(&msgpack_batch(&nested_msgpack_maps(HOSTILE))).unwrap_err();
        assert_eq!(err, TOO_DEEP);
        let mut events = vec![0x91, 0x83];
        for (key, value) in [("type", 0x03), ("timestamp", 0x01)] {
            push_str(&mut events, key);
            events.push(value);
        }
        push_str(&mut events, "data");
        events.extend_from_slice(&nested_msgpack_arrays(HOSTILE));
        assert_eq!(decode::events_from_msgpack(&events).unwrap_err(), TOO_DEEP);
        // Declared lengths that lie (array32 of 4 billion at every level).
        let mut liar = Vec::new();
        for _ in 0..HOSTILE {
            liar.extend_from_slice(&[0xdd, 0xff, 0xff, 0xff, 0xff]);
        }
        assert_eq!(decode::batch_from_msgpack(&msgpack_batch(&liar)).unwrap_err(), TOO_DEEP);
    });
}

#[test]
fn the_cap_is_exactly_max_depth_from_the_batch_root() {
    on_worker_stack(|| {
        let fits = MAX_DEPTH - BATCH_LEVELS;
        let input = json_batch(&nested_json_arrays(fits));
        let batch = decode::batch_from_json(&input).unwrap();
        let too_deep = json_batch(&nested_json_arrays(fits + 1));
        assert_eq!(decode::batch_from_json(&too_deep).unwrap_err(), TOO_DEEP);

        let packed = msgpack_batch(&nested_msgpack_arrays(fits));
        assert_eq!(decode::batch_from_msgpack(&packed).unwrap(), batch);
        let too_deep = msgpack_batch(&nested_msgpack_arrays(fits + 1));
        assert_eq!(decode::batch_from_msgpack(&too_deep).unwrap_err(), TOO_DEEP);

        assert!(decode::batch_from_json(&json_batch(&nested_json_maps(fits))).is_ok());
        let too_deep = msgpack_batch(&nested_msgpack_maps(fits + 1));
        assert_eq!(decode::batch_from_msgpack(&too_deep).unwrap_err(), TOO_DEEP);

        // A bare event array has one level less above `data`.
        let events = format!(r#"[{{"type":3,"timestamp":1,"data":{}}}]"#, nested_json_arrays(fits + 1));
        assert!(decode::events_from_json(events.as_bytes()).is_ok());
        let events = format!(r#"[{{"type":3,"timestamp":1,"data":{}}}]"#, nested_json_arrays(fits + 2));
        assert_eq!(decode::events_from_json(events.as_bytes()).unwrap_err(), TOO_DEEP);

        // The deepest accepted batch also encodes, re-decodes and drops on
        // this stack.
        let json = encode::to_json(&batch).unwrap();
        assert_eq!(decode::batch_from_json(&json).unwrap(), batch);
        let packed = encode::to_msgpack(&batch).unwrap();
        assert_eq!(decode::batch_from_msgpack(&packed).unwrap(), batch);
    });
}

/// The MessagePack reader is not recursive: refusing hostile nesting needs
/// only a small, constant stack. (Accepted trees are another matter: like
/// any tree, dropping one recurses, which the 2 MiB tests above cover.)
#[test]
fn msgpack_refusal_needs_only_a_small_stack() {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let hostile = msgpack_batch(&nested_msgpack_maps(HOSTILE));
            assert_eq!(decode::batch_from_msgpack(&hostile).unwrap_err(), TOO_DEEP);
            let hostile = msgpack_batch(&nested_msgpack_arrays(HOSTILE));
            assert_eq!(decode::batch_from_msgpack(&hostile).unwrap_err(), TOO_DEEP);
        })
        .unwrap()
        .join()
        .unwrap();
}
